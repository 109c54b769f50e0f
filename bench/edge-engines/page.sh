#!/usr/bin/env bash
# Writes a fixed WordPress-like home page of about 60 KB to stdout: a
# theme's head, ten posts with excerpts, a sidebar and a footer. The same
# bytes every run, so every engine serves the same page.
set -euo pipefail
lorem='Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.'
cat <<HEAD
<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>bench.test &#8211; Just another WordPress site</title>
<link rel="alternate" type="application/rss+xml" title="bench.test &raquo; Feed" href="https://bench.test/feed/">
<link rel="stylesheet" id="wp-block-library-css" href="https://bench.test/wp-includes/css/dist/block-library/style.min.css?ver=6.6" media="all">
<link rel="stylesheet" id="twentytwentyfour-style-css" href="https://bench.test/wp-content/themes/twentytwentyfour/style.css?ver=1.2" media="all">
<style id="global-styles-inline-css">
HEAD
for i in $(seq 1 120); do
	printf ':root{--wp--preset--color--c%02d:#%06x;--wp--preset--spacing--s%02d:clamp(1rem,%d.5vw,3rem);}\n' "$i" $((i * 4099)) "$i" "$i"
done
cat <<'MID'
</style>
</head>
<body class="home blog wp-embed-responsive">
<div class="wp-site-blocks">
<header class="wp-block-template-part"><nav class="wp-block-navigation"><ul>
<li><a href="https://bench.test/">Home</a></li><li><a href="https://bench.test/about/">About</a></li><li><a href="https://bench.test/blog/">Blog</a></li><li><a href="https://bench.test/contact/">Contact</a></li>
</ul></nav></header>
<main class="wp-block-group">
MID
for p in $(seq 1 10); do
	printf '<article id="post-%d" class="post-%d post type-post status-publish format-standard hentry category-uncategorized">\n' "$p" "$p"
	printf '<h2 class="wp-block-post-title"><a href="https://bench.test/%d/12/01/post-number-%d/">Post number %d</a></h2>\n' 2026 "$p" "$p"
	printf '<div class="wp-block-post-date"><time datetime="2026-12-01T10:%02d:00+00:00">December 1, 2026</time></div>\n' "$p"
	printf '<div class="wp-block-post-excerpt">\n'
	for k in $(seq 1 16); do
		printf '<p class="wp-block-post-excerpt__excerpt">%s (%d.%d)</p>\n' "$lorem" "$p" "$k"
	done
	printf '</div><a class="wp-block-post-excerpt__more-link" href="https://bench.test/%d/12/01/post-number-%d/">Continue reading</a>\n</article>\n' 2026 "$p"
done
cat <<'TAIL'
</main>
<aside class="widget-area"><h2>Recent Comments</h2><ol class="wp-block-latest-comments">
<li class="wp-block-latest-comments__comment"><a href="https://bench.test/2026/12/01/post-number-1/#comment-1">A WordPress Commenter</a> on <a href="https://bench.test/2026/12/01/post-number-1/">Post number 1</a></li>
</ol></aside>
<footer class="wp-block-template-part"><p class="has-text-align-center">Proudly powered by <a href="https://wordpress.org">WordPress</a></p></footer>
</div>
<script id="wp-emoji-settings" type="application/json">{"baseUrl":"https:\/\/s.w.org\/images\/core\/emoji\/15.0.3\/72x72\/","ext":".png"}</script>
</body>
</html>
TAIL
