#!/usr/bin/env bash
# Make sure the local PostgreSQL answers on 127.0.0.1:5432; start the cluster if it is down.
# Exits non-zero (and says why) when it cannot be reached: CI must never skip PostgreSQL silently.
set -euo pipefail
host=${PGHOST_CHECK:-127.0.0.1}
port=${PGPORT_CHECK:-5432}
if pg_isready -q -h "$host" -p "$port"; then
  exit 0
fi
echo "PostgreSQL on $host:$port is down; starting the local cluster" >&2
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
fi
for _ in $(seq 1 30); do
  pg_isready -q -h "$host" -p "$port" && exit 0
  sleep 1
done
echo "ERROR: PostgreSQL is not reachable on $host:$port; the PostgreSQL test run cannot proceed" >&2
exit 1
