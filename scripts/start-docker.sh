#!/usr/bin/env bash
# Starts a Docker daemon if none answers, and waits (with a deadline) until it does.
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
dockerd=$(command -v dockerd || echo /usr/sbin/dockerd)
nohup "$dockerd" >/var/log/orca-dockerd.log 2>&1 &
for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then exit 0; fi
  sleep 0.25
done
echo "dockerd did not answer within 30 s; see /var/log/orca-dockerd.log" >&2
exit 1
