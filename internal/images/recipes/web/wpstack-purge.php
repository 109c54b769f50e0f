<?php
/**
 * Plugin Name: wpstack cache purge
 * Description: Drops changed pages from the wpstack edge's full-page cache on publish, update or trash of posts and pages, on approved comments, and on theme, customizer, menu and widget changes.
 *
 * Installed by the wpstack web image as a must-use plugin (WPMU_PLUGIN_DIR
 * outside the webroot): nothing in wp-content to keep or to lose. It acts
 * only behind the edge (WPSTACK_EDGE_PURGE set by wpstack), and purges
 * every edge the endpoint's name resolves to (each task of a swarm site's
 * edge). The edge's
 * purge drops one cached URL at a time; what it does not name (archives,
 * paginated lists) ages out with the cache's short lifetime.
 */

if (!defined('ABSPATH')) {
	exit;
}

final class Wpstack_Purge {
	/** @var array<string,bool> request URIs purged in this request */
	private static $done = array();

	public static function endpoint() {
		$url = getenv('WPSTACK_EDGE_PURGE');
		return ($url === false || $url === '') ? '' : rtrim($url, '/');
	}

	/** The site's token: HMAC-SHA256 of "wpstack-purge" keyed by its salts file. */
	private static function token() {
		static $token = null;
		if ($token === null) {
			$file = getenv('WPSTACK_SALTS_FILE');
			$key = ($file !== false && $file !== '') ? @file_get_contents($file) : false;
			$token = ($key === false || $key === '') ? '' : hash_hmac('sha256', 'wpstack-purge', $key);
		}
		return $token;
	}

	/** Drops one URL of this site from the cache (blocking: the next request is fresh). */
	public static function url($url) {
		if (!is_string($url) || $url === '') {
			return;
		}
		$home = wp_parse_url(home_url('/'));
		$u = wp_parse_url($url);
		if (!is_array($u) || !is_array($home) || (isset($u['host']) && strcasecmp($u['host'], $home['host']) !== 0)) {
			return;
		}
		$uri = (isset($u['path']) && $u['path'] !== '' ? $u['path'] : '/') . (isset($u['query']) ? '?' . $u['query'] : '');
		if (isset(self::$done[$uri]) || preg_match('/[\x00-\x20\x7f]/', $uri)) {
			return;
		}
		self::$done[$uri] = true;
		$token = self::token();
		$endpoint = self::endpoint();
		if ($token === '' || $endpoint === '') {
			return;
		}
		foreach (self::edges($endpoint) as $edge) {
			$resp = wp_remote_get($edge . '/.wpstack/purge', array(
				'timeout' => 3,
				'redirection' => 0,
				'headers' => array(
					'Host' => $home['host'],
					'X-Wpstack-Purge-Token' => $token,
					'X-Wpstack-Purge-Uri' => $uri,
				),
			));
			// 200: dropped; 404: it was not cached. Anything else is worth a line in the log.
			$code = is_wp_error($resp) ? $resp->get_error_message() : wp_remote_retrieve_response_code($resp);
			if ($code !== 200 && $code !== 404) {
				error_log('wpstack purge of ' . $uri . ' at ' . $edge . ': ' . $code);
			}
		}
	}

	/**
	 * Every edge that caches this site: one per address the endpoint's name
	 * resolves to. One engine's edge is one container; a swarm site's edge
	 * is one task per node, and Docker's DNS answers tasks.edge with each
	 * task's address, so the purge reaches them all. Resolved once per
	 * request, so every purge of one change reaches the same set.
	 *
	 * @return string[] base URLs (scheme, address, port)
	 */
	private static function edges($endpoint) {
		static $edges = null;
		if ($edges !== null) {
			return $edges;
		}
		$u = wp_parse_url($endpoint);
		if (!is_array($u) || !isset($u['host'])) {
			return $edges = array();
		}
		$port = isset($u['port']) ? ':' . (int) $u['port'] : '';
		$ips = filter_var($u['host'], FILTER_VALIDATE_IP) ? array($u['host']) : gethostbynamel($u['host']);
		if (!is_array($ips) || count($ips) === 0) {
			error_log('wpstack purge: ' . $u['host'] . ' does not resolve; no edge was purged');
			return $edges = array();
		}
		sort($ips);
		$edges = array();
		foreach (array_unique($ips) as $ip) {
			$edges[] = 'http://' . $ip . $port;
		}
		return $edges;
	}

	/** The pages every change shows on: the home page and the feeds. */
	public static function common() {
		self::url(home_url('/'));
		self::url(get_feed_link());
		self::url(get_feed_link('comments_rss2'));
		$posts = get_option('page_for_posts');
		if ($posts) {
			self::url(get_permalink($posts));
		}
	}

	/** A post and what lists it: its archive, terms, author and feeds. */
	public static function post($post) {
		$post = get_post($post);
		if (!$post || wp_is_post_revision($post) || wp_is_post_autosave($post)) {
			return;
		}
		$type = get_post_type_object($post->post_type);
		if (!$type || !$type->public) {
			return;
		}
		self::url(get_permalink($post));
		self::url(get_post_comments_feed_link($post->ID));
		self::url(get_author_posts_url($post->post_author));
		$archive = get_post_type_archive_link($post->post_type);
		if ($archive) {
			self::url($archive);
		}
		foreach (get_object_taxonomies($post->post_type) as $tax) {
			$terms = get_the_terms($post, $tax);
			if (is_array($terms)) {
				foreach ($terms as $term) {
					$link = get_term_link($term);
					if (!is_wp_error($link)) {
						self::url($link);
					}
				}
			}
		}
		self::common();
	}

	/** Theme, customizer, menu and widget changes show on every page: the home page, the feeds and the latest posts and pages. */
	public static function site() {
		self::common();
		foreach (get_posts(array('post_type' => array('post', 'page'), 'post_status' => 'publish', 'numberposts' => 50, 'fields' => 'ids')) as $id) {
			self::url(get_permalink($id));
		}
	}

	public static function transition($new, $old, $post) {
		// Published, updated while published, or taken down (trash, draft, private).
		if ($new === 'publish' || $old === 'publish') {
			self::post($post);
		}
	}

	public static function comment($comment) {
		$comment = get_comment($comment);
		if ($comment && $comment->comment_post_ID) {
			self::post((int) $comment->comment_post_ID);
		}
	}
}

if (Wpstack_Purge::endpoint() !== '') {
	add_action('transition_post_status', array('Wpstack_Purge', 'transition'), 10, 3);
	// Before the trash renames its URL: the one the cache holds.
	add_action('wp_trash_post', array('Wpstack_Purge', 'post'));
	add_action('before_delete_post', array('Wpstack_Purge', 'post'));
	add_action('transition_comment_status', function ($new, $old, $comment) {
		if ($new === 'approved' || $old === 'approved') {
			Wpstack_Purge::comment($comment);
		}
	}, 10, 3);
	add_action('comment_post', function ($id, $approved) {
		if ($approved === 1 || $approved === '1') {
			Wpstack_Purge::comment($id);
		}
	}, 10, 2);
	add_action('edit_comment', function ($id) {
		$c = get_comment($id);
		if ($c && $c->comment_approved === '1') {
			Wpstack_Purge::comment($c);
		}
	});
	foreach (array('switch_theme', 'customize_save_after', 'wp_update_nav_menu', 'wp_delete_nav_menu', 'update_option_sidebars_widgets', 'update_option_blogname', 'update_option_blogdescription') as $hook) {
		add_action($hook, array('Wpstack_Purge', 'site'));
	}
}
