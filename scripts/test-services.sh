#!/usr/bin/env bash
# Makes sure the real servers the test suite talks to are installed and running on loopback:
# Redis (6379), RabbitMQ (5672, management API on 15672), Debian's Prometheus binary (started by the
# tests themselves) and Debian's chromium (the status page is tested in it, headless). Safe to run
# again: it only acts on what is missing.
set -euo pipefail

log() { echo "test-services: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {
  for _ in $(seq 1 "$2"); do port_open "$1" && return 0; sleep 1; done
  return 1
}

apt_updated=0
install_pkg() {
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  log "installing Debian's prometheus package"
  install_pkg prometheus
fi
if ! command -v chromium >/dev/null; then
  log "installing Debian's chromium package"
  install_pkg chromium
fi
# The package's service would take port 9090 where systemd runs; the tests start their own on free ports.
if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
  as_root systemctl stop prometheus || true
fi

if ! port_open 6379; then
  command -v redis-server >/dev/null || install_pkg redis-server
  log "starting redis-server"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port 6379 30 || { log "redis did not start"; exit 1; }
fi

if ! port_open 5672; then
  command -v rabbitmq-server >/dev/null || install_pkg rabbitmq-server
  log "starting rabbitmq-server"
  as_root rabbitmq-server -detached
  wait_port 5672 90 || { log "rabbitmq did not start"; exit 1; }
fi
if ! port_open 15672; then
  log "enabling the rabbitmq management plugin"
  as_root rabbitmq-plugins enable rabbitmq_management >/dev/null
  wait_port 15672 60 || { log "rabbitmq management API did not start"; exit 1; }
fi
log "redis, rabbitmq, prometheus and chromium are ready"
