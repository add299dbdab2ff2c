#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on localhost; starts the local servers when they are
# installed but stopped. With Docker instead: docker compose up -d postgres redis
set -euo pipefail

PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}

listening() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() {
  local name=$1 host=$2 port=$3
  for _ in $(seq 1 50); do
    listening "$host" "$port" && return 0
    sleep 0.2
  done
  echo "tlp-broker: $name is not reachable at $host:$port." >&2
  echo "  Start it (or: docker compose up -d postgres redis) and try again." >&2
  exit 1
}

if ! listening "$PG_HOST" "$PG_PORT"; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "starting the local PostgreSQL cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start || true
  fi
  wait_for PostgreSQL "$PG_HOST" "$PG_PORT"
fi

if ! listening "$REDIS_HOST" "$REDIS_PORT"; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "starting a local Redis server"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
      --dir "${TMPDIR:-/tmp}" --logfile "${TMPDIR:-/tmp}/tlp-broker-redis.log" || true
  fi
  wait_for Redis "$REDIS_HOST" "$REDIS_PORT"
fi
