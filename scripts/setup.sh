#!/usr/bin/env bash
# Installs and starts what wpstack and its tests need on a Debian host:
# Docker Engine (Debian's docker.io), debootstrap, docker-compose, curl.
# Idempotent: every step checks first and does nothing when already done.
set -euo pipefail

log() { printf 'setup: %s\n' "$*" >&2; }

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		log "this step needs root: re-run as root (sudo $0)"
		exit 1
	fi
}

pkgs=()
command -v dockerd >/dev/null 2>&1 || pkgs+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || pkgs+=(debootstrap)
command -v docker-compose >/dev/null 2>&1 || pkgs+=(docker-compose)
command -v curl >/dev/null 2>&1 || pkgs+=(curl)
command -v make >/dev/null 2>&1 || pkgs+=(make)
if [ "${#pkgs[@]}" -gt 0 ]; then
	need_root
	log "installing ${pkgs[*]} from Debian"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi

docker_cli() {
	# Prefer the engine's own client when several are on PATH.
	if [ -x /usr/bin/docker ]; then /usr/bin/docker "$@"; else docker "$@"; fi
}

if docker_cli version --format '{{.Server.Version}}' >/dev/null 2>&1; then
	log "docker engine answers ($(docker_cli version --format '{{.Server.Version}}'))"
	exit 0
fi

need_root
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	log "starting docker with systemd"
	systemctl start docker || true
fi
if ! docker_cli version >/dev/null 2>&1; then
	log "starting dockerd in the background (log: /var/log/wpstack-dockerd.log)"
	# A dockerd killed uncleanly leaves pid files that block the next start.
	if ! pgrep -x dockerd >/dev/null; then
		rm -f /var/run/docker.pid /run/docker.pid
		pgrep -x containerd >/dev/null || rm -rf /run/containerd/containerd.pid
		nohup setsid dockerd >/var/log/wpstack-dockerd.log 2>&1 </dev/null &
	fi
fi
for _ in $(seq 1 60); do
	if docker_cli version >/dev/null 2>&1; then
		log "docker engine answers ($(docker_cli version --format '{{.Server.Version}}'))"
		exit 0
	fi
	sleep 1
done
log "dockerd did not answer within 60 s; see /var/log/wpstack-dockerd.log"
tail -n 20 /var/log/wpstack-dockerd.log >&2 || true
exit 1
