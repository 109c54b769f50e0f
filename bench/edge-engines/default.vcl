# Varnish behind hitch (TLS): hitch shares Varnish's network namespace and
# hands each connection over with the PROXY protocol on 127.0.0.1:6086.
# Keyed on host and URL (Varnish's built-in vcl_hash), host pinned as the
# edge pins it; 60 s like the edge's proxy_cache_valid, grace for stale.
vcl 4.1;

backend web {
	.host = "backend";
	.port = "8080";
}

sub vcl_recv {
	set req.http.Host = "bench.test";
	set req.http.X-Forwarded-Proto = "https";
	unset req.http.Accept-Encoding;
}

sub vcl_backend_response {
	set beresp.ttl = 60s;
	set beresp.grace = 10m;
}

sub vcl_deliver {
	if (obj.hits > 0) {
		set resp.http.X-Cache = "HIT";
	} else {
		set resp.http.X-Cache = "MISS";
	}
}
