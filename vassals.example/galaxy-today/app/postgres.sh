#!/bin/sh
# PostgreSQL for the example, run by the emperor as the `postgres` user (as root) or as you.
# First start: initdb into $PGDATA and create the galaxy database and its tables in single-user
# mode, so the database is complete before the server says it is ready. Then exec the server:
# it logs "database system is ready to accept connections", which is the vassal's ready probe.
set -eu
PGDATA=${PGDATA:-var/postgres}
PGPORT=${PGPORT:-15432}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ ! -e "$PGDATA/galaxy-initialized" ]; then
  # A first start interrupted half-way starts over.
  [ -d "$PGDATA" ] && find "$PGDATA" -mindepth 1 -delete
  "$PGBIN/initdb" --pgdata="$PGDATA" --username=galaxy --auth=trust --encoding=UTF8 --no-sync >/dev/null
  echo "CREATE DATABASE galaxy" | "$PGBIN/postgres" --single -D "$PGDATA" postgres >/dev/null
  "$PGBIN/postgres" --single -j -D "$PGDATA" galaxy < app/schema.sql >/dev/null
  touch "$PGDATA/galaxy-initialized"
fi
exec "$PGBIN/postgres" -D "$PGDATA" -h 127.0.0.1 -p "$PGPORT" -k "" \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100
