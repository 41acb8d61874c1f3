#!/usr/bin/env bash
# Start the machine's PostgreSQL 15 (installing it from Debian's packages if missing) and make
# sure the project's role and database exist. Used by .ci/run and `make bench`. Prints nothing
# on success but its own progress lines; the caller builds DATABASE_URL from the values below.
set -euo pipefail

PG_VERSION=${PG_VERSION:-15}
PG_USER=${PG_USER:-eventhub}
PG_PASSWORD=${PG_PASSWORD:-eventhub}
PG_DB=${PG_DB:-eventhub}

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -d "/usr/lib/postgresql/$PG_VERSION" ]; then
  echo "PostgreSQL $PG_VERSION is not installed; installing it from Debian's packages."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$PG_VERSION" >/dev/null
fi
pg_ctlcluster "$PG_VERSION" main start 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p 5432

psql_admin() { su postgres -c "psql -v ON_ERROR_STOP=1 -qtA -c \"$1\""; }
if [ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")" != "1" ]; then
  psql_admin "CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD'"
fi
if [ "$(psql_admin "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != "1" ]; then
  psql_admin "CREATE DATABASE $PG_DB OWNER $PG_USER"
fi
