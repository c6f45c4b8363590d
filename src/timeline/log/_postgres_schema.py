"""The tables of a PostgreSQL log: :data:`SCHEMA`, created on first open and checked on every open."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from timeline.errors import CorruptLog, TimelineError

if TYPE_CHECKING:
    import psycopg

    from timeline.log.postgres import PostgresLog

__all__ = ["SCHEMA", "SCHEMA_VERSION", "open_schema"]

#: The version of :data:`SCHEMA`, kept in ``timeline_meta`` under ``schema_version``.
SCHEMA_VERSION: Final = 1

#: The tables and indexes of a log, created in the connection's current schema (``{events}``
#: and ``{meta}`` stand for the schema-qualified table names).
SCHEMA: Final = """
CREATE TABLE {events} (
  position bigint NOT NULL,
  event_id uuid NOT NULL,
  stream text COLLATE "C" NOT NULL,
  version bigint NOT NULL,
  type text COLLATE "C" NOT NULL,
  occurred_at text COLLATE "C" NOT NULL,
  recorded_at text COLLATE "C" NOT NULL,
  payload bytea NOT NULL,
  hash text COLLATE "C" NOT NULL,
  CONSTRAINT timeline_events_position PRIMARY KEY (position),
  CONSTRAINT timeline_events_event_id UNIQUE (event_id),
  CONSTRAINT timeline_events_stream_version UNIQUE (stream, version)
);
CREATE INDEX timeline_events_type ON {events} (type, position);
CREATE INDEX timeline_events_occurred ON {events} (occurred_at, position);
CREATE TABLE {meta} (key text PRIMARY KEY, value text NOT NULL)
"""

#: The high half of the advisory lock key of a log (its low half is the table's oid):
#: "time" in ASCII, so our locks are told apart from other software's in ``pg_locks``.
_LOCK_SPACE: Final = 0x74696D65 << 32


def open_schema(log: PostgresLog, conn: psycopg.Connection[Any]) -> tuple[str, int]:
    """Find the log's schema, create its tables if missing, check their version.

    Sets ``log.schema`` (which :meth:`PostgresLog.sql` qualifies table names with) and
    returns it with the key of the log's advisory lock.

    Raises:
        TimelineError: if the search path names no schema, or the schema version is newer.
        CorruptLog: if the schema holds tables that are not a timeline log.
    """
    row = conn.execute("SELECT current_schema()").fetchone()
    if row is None or row[0] is None:
        raise TimelineError(
            f"PostgreSQL log {log.where}: the search_path names no schema that exists "
            "(create it, or set one with the URL's options=-csearch_path=NAME)"
        )
    log.schema = str(row[0])  # log.sql() names the tables in it from here on
    version = _schema_version(log, conn)
    if version is None:
        with conn.transaction():
            # Two processes opening a new log at once: one creates, the other waits.
            conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext('timeline'), hashtext(%s))",
                (log.schema,),
            )
            version = _create_schema(log, conn)
    if version != str(SCHEMA_VERSION):
        raise TimelineError(
            f"PostgreSQL log {log.where} (schema {log.schema!r}) has schema version "
            f"{version!r}; this version of timeline reads version {SCHEMA_VERSION}. "
            "Upgrade timeline to open it."
        )
    row = conn.execute(
        "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relname = 'timeline_events'",
        (log.schema,),
    ).fetchone()
    if row is None:
        raise CorruptLog(
            f"PostgreSQL log {log.where} (schema {log.schema!r}) has a timeline_meta "
            "table but no timeline_events",
            position=1,
            reason="no timeline_events table",
        )
    return log.schema, _LOCK_SPACE | int(row[0])


def _tables(log: PostgresLog, conn: psycopg.Connection[Any]) -> set[str]:
    rows = conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relname IN ('timeline_events', 'timeline_meta')",
        (log.schema,),
    ).fetchall()
    return {str(name) for (name,) in rows}


def _schema_version(log: PostgresLog, conn: psycopg.Connection[Any]) -> str | None:
    if "timeline_meta" not in _tables(log, conn):
        return None
    row = conn.execute(log.sql("SELECT value FROM {meta} WHERE key = 'schema_version'")).fetchone()
    return None if row is None else str(row[0])


def _create_schema(log: PostgresLog, conn: psycopg.Connection[Any]) -> str:
    """Create the tables inside the caller's transaction; return the schema version."""
    tables = _tables(log, conn)
    if "timeline_meta" not in tables:
        if "timeline_events" in tables:  # someone else's table: never write into it
            raise CorruptLog(
                f"schema {log.schema!r} of {log.where} holds a timeline_events table "
                "but no timeline_meta: it is not a timeline log",
                position=1,
                reason="not a timeline log",
            )
        for statement in SCHEMA.split(";"):
            conn.execute(log.sql(statement))
        conn.execute(
            log.sql(
                "INSERT INTO {meta} (key, value) VALUES ('schema_version', %s)"
                " ON CONFLICT (key) DO NOTHING"
            ),
            (str(SCHEMA_VERSION),),
        )
    version = _schema_version(log, conn)
    if version is None:
        raise CorruptLog(
            f"schema {log.schema!r} of {log.where} has a timeline_meta table without a "
            "schema_version",
            position=1,
            reason="no schema_version",
        )
    return version
