#!/usr/bin/env bash
# Which engine serves a cached page over HTTPS fastest on this machine
# (issue 12, item 9): nginx's proxy_cache (wpstack's edge), Varnish behind
# hitch, HAProxy's cache, and Caddy (Debian's build has no cache), with
# nginx serving the page itself as the ceiling. Every program is Debian
# trixie's, in one throwaway image built on wpstack/base:trixie.
#
#   bench/edge-engines/compare.sh                  # all engines, c=10 and c=50, 3 x 10 s
#   ENGINES="nginx haproxy" REPS=1 DURATION=5s bench/edge-engines/compare.sh
#
# Each engine gets a docker network of its own with its own backend (nginx,
# one worker, a fixed ~60 KB page without Cache-Control) and publishes one
# HTTPS port on 127.0.0.1. The cache is warmed, then wrk (from the host)
# runs REPS times per concurrency; the table keeps the medians. A run counts
# as cached only if the backend's access log barely grows while it runs.
# Writes RESULTS.md next to this script (OUT= to change). Everything it
# makes is named ee-* and removed on exit, the image too (KEEP_IMAGE=1 keeps
# it for a re-run).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ENGINES=${ENGINES:-"static nginx varnish haproxy caddy"}
CONNS=${CONNS:-"10 50"}
REPS=${REPS:-3}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
OUT=${OUT:-$here/RESULTS.md}
IMAGE=ee-engines:bench
LABEL=io.wpstack.bench=edge-engines

for tool in docker wrk openssl curl awk; do
	command -v "$tool" >/dev/null || { echo "compare.sh: $tool is missing (Debian: apt-get install $tool)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/ee-engines.XXXXXX)
made_containers=()
made_networks=()
cleanup() {
	local rc=$?
	((${#made_containers[@]})) && docker rm -f "${made_containers[@]}" >/dev/null 2>&1 || true
	((${#made_networks[@]})) && docker network rm "${made_networks[@]}" >/dev/null 2>&1 || true
	if [[ -z ${KEEP_IMAGE:-} ]]; then docker rmi "$IMAGE" >/dev/null 2>&1 || true; fi
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# --- the image, the page, the certificate --------------------------------
log "building $IMAGE from wpstack/base:trixie"
DOCKER_BUILDKIT=0 docker build -q --rm --label "$LABEL" -t "$IMAGE" "$here" >/dev/null

mkdir -p "$work/page" "$work/certs"
"$here/page.sh" >"$work/page/index.html"
page_bytes=$(wc -c <"$work/page/index.html")
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=bench.test -addext subjectAltName=DNS:bench.test \
	-keyout "$work/certs/site.key" -out "$work/certs/site.crt" 2>/dev/null
cat "$work/certs/site.crt" "$work/certs/site.key" >"$work/certs/site.pem"
# A throwaway key for a throwaway name: readable by the containers' nobody.
chmod 0755 "$work" "$work/certs" "$work/page"
chmod 0644 "$work/certs/"* "$work/page/index.html"

# Every program runs as nobody, read-only root, no capabilities; /tmp is a
# tmpfs (exec: Varnish compiles its VCL there). nginx's cache lives there,
# as on wpstack's edge.
run() {
	local name=$1
	shift
	made_containers+=("$name")
	docker run -d --name "$name" --label "$LABEL" --user 65534:65534 \
		--read-only --tmpfs /tmp:rw,exec,size=256m --cap-drop ALL \
		--security-opt no-new-privileges \
		-e HOME=/tmp -e XDG_DATA_HOME=/tmp -e XDG_CONFIG_HOME=/tmp \
		-v "$here:/etc/ee:ro" -v "$work/certs:/certs:ro" -v "$work/page:/srv/page:ro" \
		"$@" >/dev/null
}

# wrk's latency in ms, whatever unit it printed.
to_ms() { awk -v v="$1" 'BEGIN{ n=v+0; u=v; sub(/^[0-9.]+/,"",u);
	if(u=="us")n/=1000; else if(u=="s")n*=1000; else if(u=="m")n*=60000; printf "%.2f", n }'; }
median() { sort -g | awk '{a[NR]=$1} END{ if(NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2 }'; }
# docker stats "12.5MiB / 23.4GiB" -> MiB
to_mib() { awk -v v="$1" 'BEGIN{ n=v+0; u=v; sub(/^[0-9.]+/,"",u);
	if(u=="KiB"||u=="kB")n/=1024; else if(u=="GiB"||u=="GB")n*=1024; else if(u=="B")n/=1048576; printf "%.1f", n }'; }
# memory (MiB) and CPU (%) of the given containers, summed
stats() {
	docker stats --no-stream --format '{{.MemUsage}} {{.CPUPerc}}' "$@" |
		while read -r mem _ _ cpu; do echo "$(to_mib "$mem") ${cpu%\%}"; done |
		awk '{m+=$1; c+=$2} END{printf "%.1f %.0f\n", m, c}'
}
backend_lines() { docker logs "$1" 2>/dev/null | wc -l; }

declare -A label cache_kind
label[static]="nginx, the page as a static file (ceiling)"
label[nginx]="nginx proxy_cache"
label[varnish]="Varnish + hitch (TLS)"
label[haproxy]="HAProxy cache"
label[caddy]="Caddy reverse_proxy"
cache_kind[static]="none needed"
cache_kind[nginx]="proxy_cache, tmpfs"
cache_kind[varnish]="malloc 64 MB"
cache_kind[haproxy]="cache 64 MB (RAM)"
cache_kind[caddy]="none in Debian's build"

start_engine() { # engine -> sets proxies (containers to measure) and port
	local e=$1 net=ee-$1
	made_networks+=("$net")
	docker network create --label "$LABEL" "$net" >/dev/null
	run "ee-$e-backend" --network "$net" --network-alias backend \
		--entrypoint nginx "$IMAGE" -e stderr -c /etc/ee/backend.conf
	local pub=(--network "$net" -p 127.0.0.1::8443)
	case $e in
	static)
		run ee-static-proxy "${pub[@]}" --entrypoint nginx "$IMAGE" -e stderr -c /etc/ee/nginx-static.conf
		proxies=(ee-static-proxy) ;;
	nginx)
		run ee-nginx-proxy "${pub[@]}" --entrypoint nginx "$IMAGE" -e stderr -c /etc/ee/nginx-cache.conf
		proxies=(ee-nginx-proxy) ;;
	varnish)
		# hitch shares Varnish's network namespace: TLS and cache on one
		# host, as they would be deployed, talking over loopback.
		run ee-varnish-proxy "${pub[@]}" --entrypoint varnishd "$IMAGE" \
			-F -j none -n /tmp/varnish -f /etc/ee/default.vcl \
			-a 127.0.0.1:6086,PROXY -s malloc,64m
		sleep 2
		run ee-varnish-tls --network container:ee-varnish-proxy --entrypoint hitch "$IMAGE" \
			--config /etc/ee/hitch.conf
		proxies=(ee-varnish-proxy ee-varnish-tls) ;;
	haproxy)
		run ee-haproxy-proxy "${pub[@]}" --entrypoint haproxy "$IMAGE" -db -f /etc/ee/haproxy.cfg
		proxies=(ee-haproxy-proxy) ;;
	caddy)
		run ee-caddy-proxy "${pub[@]}" --entrypoint caddy "$IMAGE" \
			run --config /etc/ee/Caddyfile --adapter caddyfile
		proxies=(ee-caddy-proxy) ;;
	*) echo "compare.sh: unknown engine $e (static nginx varnish haproxy caddy)" >&2; exit 2 ;;
	esac
	local i c
	for i in $(seq 1 60); do
		for c in "${proxies[@]}"; do
			[[ $(docker inspect -f '{{.State.Running}}' "$c") == true ]] || break 2
		done
		port=$(docker port "ee-$e-proxy" 8443/tcp | head -1 | sed 's/.*://')
		curl -skf -o /dev/null "https://127.0.0.1:$port/" && return 0
		sleep 0.5
	done
	echo "compare.sh: $e did not answer over HTTPS within 30 s (or exited); its logs:" >&2
	for c in "${proxies[@]}"; do docker logs --tail 20 "$c" >&2 || true; done
	exit 1
}

stop_engine() {
	local e=$1 c keep=()
	docker rm -f "ee-$e-backend" "${proxies[@]}" >/dev/null
	docker network rm "ee-$e" >/dev/null
	for c in "${made_containers[@]}"; do [[ $c == ee-$e-* ]] || keep+=("$c"); done
	made_containers=("${keep[@]}")
	made_networks=()
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
rows=() mem_rows=() rep_rows=()

for e in $ENGINES; do
	log "$e: starting"
	start_engine "$e"
	url="https://127.0.0.1:$port/"
	# Warm: the first request fills the cache, the second should hit it.
	curl -sk -o /dev/null "$url"
	sleep 1
	warm_headers=$(curl -sk -D - -o "$work/$e.body" "$url")
	xcache=$(printf '%s' "$warm_headers" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache"{print $2}')
	body_ok=no
	cmp -s "$work/$e.body" "$work/page/index.html" && body_ok=yes
	# What a client with the host's OpenSSL defaults (as wrk's) negotiates.
	tls=$(openssl s_client -connect "127.0.0.1:$port" -servername bench.test </dev/null 2>/dev/null |
		awk '/^New, /{print $2, $NF; exit}')
	read -r mem_idle _ < <(stats "${proxies[@]}")
	for c in $CONNS; do
		before=$(backend_lines "ee-$e-backend")
		total=0
		for r in $(seq 1 "$REPS"); do
			f=$work/$e-c$c-r$r.txt
			if [[ $c == "${CONNS##* }" && $r == "$REPS" ]]; then
				# memory and CPU under load: halfway through the last run
				( sleep "$(( ${DURATION%s} / 2 ))"; stats "${proxies[@]}" >"$work/$e.loadstats" ) &
			fi
			log "$e: c=$c rep $r/$REPS ($DURATION)"
			wrk -t"$THREADS" -c"$c" -d"$DURATION" --latency "$url" >"$f"
			wait
			rps=$(awk '/^Requests\/sec:/{print $2}' "$f")
			p99=$(to_ms "$(awk '$1=="99%"{print $2}' "$f")")
			n=$(awk '/requests in/{print $1}' "$f")
			bad=$(awk '/Non-2xx/{s+=$NF} /Socket errors/{gsub(/,/,""); s+=$4+$6+$8+$10} END{print s+0}' "$f")
			total=$((total + n))
			echo "$rps" >>"$work/$e-c$c.rps"
			echo "$p99" >>"$work/$e-c$c.p99"
			echo "$bad" >>"$work/$e-c$c.bad"
			rep_rows+=("| ${label[$e]} | $c | $r | $rps | $p99 | $n | $bad |")
		done
		after=$(backend_lines "ee-$e-backend")
		kb=$(awk -v f="$f" 'BEGIN{}
			/requests in/{n=$1; v=$5; u=v; sub(/^[0-9.]+/,"",u); b=v+0;
			if(u=="KB")b*=1024; else if(u=="MB")b*=1048576; else if(u=="GB")b*=1073741824;
			printf "%.1f", b/n/1024}' "$f")
		rows+=("| ${label[$e]} | $c | $(median <"$work/$e-c$c.rps") | $(median <"$work/$e-c$c.p99") | $kb | $(awk '{s+=$1} END{print s+0}' "$work/$e-c$c.bad") | $((after - before)) of $total |")
	done
	read -r mem_load cpu_load <"$work/$e.loadstats"
	mem_rows+=("| ${label[$e]} | ${cache_kind[$e]} | ${tls:-?} | ${xcache:--} | $body_ok | $mem_idle | $mem_load | $cpu_load |")
	stop_engine "$e"
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
versions=$(docker run --rm --label "$LABEL" --user 65534:65534 --entrypoint sh "$IMAGE" -c '
	dpkg-query -W -f "\${Package} \${Version}\n" nginx varnish hitch haproxy caddy openssl libssl3t64 2>/dev/null
	echo; nginx -v 2>&1; varnishd -V 2>&1 | head -1; haproxy -v | head -1; hitch --version 2>&1 | head -1
	echo "caddy $(caddy version)"; openssl version
	echo; echo "caddy modules with \"cache\" in their name: $(caddy list-modules 2>/dev/null | grep -ci cache)"')
others=$(docker ps -q | wc -l)

{
	echo "# Edge engines: a cached page over HTTPS"
	echo
	echo "Written by \`bench/edge-engines/compare.sh\` (ENGINES=\"$ENGINES\" CONNS=\"$CONNS\" REPS=$REPS DURATION=$DURATION THREADS=$THREADS); do not edit, re-run it."
	echo
	echo "- Date: $started"
	echo "- Machine: $(nproc) cores ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r), Docker $(docker version -f '{{.Server.Version}}')"
	echo "- Load average (1, 5, 15 min): $load_before before, $load_after after; $others containers running on the engine at the end (others' included: the machine is shared)"
	echo "- Load generator: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), $THREADS threads, on the same host and cores as the engines, keep-alive connections (TLS handshakes only at connect)"
	echo "- Page: $page_bytes bytes of HTML, no Cache-Control, no compression; TLS: ECDSA P-256 self-signed, each engine's default ciphers (the TLS column: what the host's OpenSSL negotiates)"
	echo
	echo "## Throughput and latency (medians of $REPS runs)"
	echo
	echo "The backend column counts the requests that reached the backend during the $REPS runs, against those wrk made: ~0 means every response came from the cache (an entry older than 60 s is fetched again once)."
	echo
	echo "| engine | c | req/s | p99 ms | KiB/resp | errors | backend requests |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	printf '%s\n' "${rows[@]}"
	echo
	echo "## Cache check and memory"
	echo
	echo "X-Cache and body: the second request after start (the body compared byte for byte with the page). Memory: \`docker stats\` of the engine's containers (Varnish: varnishd + hitch), idle after warming and halfway through the last c=${CONNS##* } run, with its CPU % (200 = both cores)."
	echo
	echo "| engine | cache store | TLS | X-Cache | body identical | MiB idle | MiB under load | CPU % under load |"
	echo "|---|---|---|---|---|---:|---:|---:|"
	printf '%s\n' "${mem_rows[@]}"
	echo
	echo "## Every run"
	echo
	echo "| engine | c | run | req/s | p99 ms | requests | errors |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	printf '%s\n' "${rep_rows[@]}"
	echo
	echo "## Versions (Debian trixie packages)"
	echo
	echo '```'
	echo "$versions"
	echo '```'
} >"$OUT"
log "wrote $OUT"
