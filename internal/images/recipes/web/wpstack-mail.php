<?php
/**
 * Plugin Name: wpstack mail
 * Description: WordPress's default sender, wordpress@<host>, is refused by its own address check on a host without a dot (localhost): the mail would be lost. With an SMTP relay, mail goes out as the relay's sender (WPSTACK_SMTP_FROM, which msmtp also sets).
 */

add_filter(
	'wp_mail_from',
	static function ( $from ) {
		$relay = getenv( 'WPSTACK_SMTP_FROM' );
		if ( is_string( $relay ) && '' !== $relay ) {
			return $relay;
		}
		return is_email( $from ) ? $from : 'wordpress@example.com';
	},
	1
);
