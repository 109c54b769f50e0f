#!/bin/sh
# Makes /sys and the cgroup v1 controllers writable (the node is not
# privileged, so they arrive read-only), clears what a previous run of this
# node left (else a restarted dockerd hangs), then runs dockerd with "$@".
set -e
mount -o remount,rw /sys 2>/dev/null || true
if [ -d /sys/fs/cgroup ]; then
	mount -o remount,rw /sys/fs/cgroup 2>/dev/null || true
	for c in /sys/fs/cgroup/*; do
		[ -d "$c" ] && mount -o remount,bind,rw "$c" "$c" 2>/dev/null || true
	done
fi
rm -rf /var/run/docker* /run/containerd
mkdir -p /run/ext
exec dockerd "$@"
