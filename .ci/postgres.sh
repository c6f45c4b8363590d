# Sourced by .ci/run: install PostgreSQL from Debian's packages if it is missing, start a private
# cluster on loopback only, create the test database, and export TIMELINE_PG_URL.
# Also usable by hand:  source .ci/postgres.sh   (then pg_ctl -D "$TIMELINE_PG_DIR" stop).
# Seen to work on these machines: ../shared/notes/postgresql-on-these-machines.md

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ -z "$(pg_bin)" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PG_BIN="$(pg_bin)"
TIMELINE_PG_PORT="${TIMELINE_PG_PORT:-5433}"
TIMELINE_PG_DIR="$(mktemp -d /tmp/timeline-pg.XXXXXX)"
chown postgres "$TIMELINE_PG_DIR"
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

as_postgres "$PG_BIN/initdb" -D "$TIMELINE_PG_DIR/data" -U postgres --auth-local=trust \
    --auth-host=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$TIMELINE_PG_DIR/data" -l "$TIMELINE_PG_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $TIMELINE_PG_PORT -k $TIMELINE_PG_DIR -c track_commit_timestamp=on -c max_connections=200" \
    start >/dev/null
as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$TIMELINE_PG_PORT" -U postgres timeline

export TIMELINE_PG_DIR
export TIMELINE_PG_URL="postgresql://postgres@127.0.0.1:$TIMELINE_PG_PORT/timeline"
export TIMELINE_PG_REQUIRED=1   # in CI the PostgreSQL tests fail, not skip, without a server
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') at $TIMELINE_PG_URL"
timeline_pg_stop() { as_postgres "$PG_BIN/pg_ctl" -D "$TIMELINE_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true; }
