"""The tables of a PostgreSQL log: :data:`SCHEMA`, created on first open and checked on every open.

Version 2 added ``timeline_lock``, the one-row table whose row every writer locks (``SELECT
... FOR UPDATE``) for the length of its append, in place of version 1's advisory lock (which
any role could take, a read-only one included, and so stop every writer). A version-1 log is
upgraded when it is opened by a role that may (its owner, or one that may create tables in
its schema); opened by another role, it is read as it is, and appends are refused until it
is upgraded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from timeline.errors import CorruptLog, LockTimeout, TimelineError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import psycopg

    from timeline.log.postgres import PostgresLog
    from timeline.log.postgres_snapshots import PostgresDatabase

__all__ = [
    "LOCK_ROW",
    "SCHEMA",
    "SCHEMA_VERSION",
    "lock_timed_out",
    "lock_timeout_setting",
    "open_schema",
    "set_lock_timeout",
    "take_write_lock",
]

#: The version of :data:`SCHEMA`, kept in ``timeline_meta`` under ``schema_version``.
SCHEMA_VERSION: Final = 2
#: The versions this code opens: the current one, and version 1 (upgraded when it may be).
_READS: Final = ("1", str(SCHEMA_VERSION))

#: The writers' lock table: one row, locked ``FOR UPDATE`` by each append. A row lock needs
#: the ``UPDATE`` privilege on the table, which a read-only role does not have.
_LOCK_TABLE: Final = 'CREATE TABLE IF NOT EXISTS {lock} (name text COLLATE "C" PRIMARY KEY)'
#: The lock's row, made if it is missing (a new table, or one emptied by hand).
LOCK_ROW: Final = "INSERT INTO {lock} (name) VALUES ('append') ON CONFLICT (name) DO NOTHING"

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
CREATE TABLE {meta} (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE {lock} (name text COLLATE "C" PRIMARY KEY)
"""


def lock_timeout_setting(seconds: float) -> str:
    """``lock_timeout`` as PostgreSQL reads it, in whole milliseconds (at least 1).

    >>> lock_timeout_setting(10.0), lock_timeout_setting(0.0001)
    ('10000ms', '1ms')
    """
    return f"{max(1, round(seconds * 1000))}ms"


def set_lock_timeout(log: PostgresLog | PostgresDatabase, conn: psycopg.Connection[Any]) -> None:
    """Wait at most the log's ``lock_timeout`` for any lock, to the end of the transaction."""
    conn.execute(
        "SELECT set_config('lock_timeout', %s, true)", (lock_timeout_setting(log.lock_timeout),)
    )


def take_write_lock(
    log: PostgresLog, conn: psycopg.Connection[Any], then: Sequence[tuple[bytes, Sequence[Any]]]
) -> list[list[tuple[Any, ...]]]:
    """Lock the log's lock row for the caller's transaction, then run the queries ``then``.

    Returns each query's rows. The timeout, the lock and the queries that follow it go to
    the server together (one round trip, in psycopg's pipeline mode): they run once the lock
    is held, so a writer reads what it writes on top of (the tail, the row count, the Merkle
    tree's edge) in the same trip. Waits at most ``lock_timeout`` for the lock.

    Raises:
        LockTimeout: if another transaction held it (or its row) for longer.
    """
    import psycopg  # noqa: PLC0415  # the optional extra: the log imported it already

    # The timeout is set for the transaction by the statement that takes the lock: the row
    # is found and the condition evaluated before the row is locked, so the wait, if any,
    # is under it (one statement less to send and run than a set_lock_timeout first).
    lock = log.sql(
        "SELECT name FROM {lock} WHERE name = 'append'"
        " AND set_config('lock_timeout', %s, true) IS NOT NULL FOR UPDATE"
    )
    timeout = (lock_timeout_setting(log.lock_timeout),)
    try:
        with conn.pipeline():
            locked = conn.execute(lock, timeout)
            after = [conn.execute(query, params) for query, params in then]
        if locked.fetchone() is not None:
            return [cursor.fetchall() for cursor in after]
        set_lock_timeout(log, conn)  # the row was deleted (so no timeout set): make it again
        conn.execute(log.sql(LOCK_ROW))
        conn.execute(lock, timeout)
        return [conn.execute(query, params).fetchall() for query, params in then]
    except psycopg.errors.LockNotAvailable as e:
        raise lock_timed_out(log, "the write lock") from e


def lock_timed_out(log: PostgresLog | PostgresDatabase, what: str) -> LockTimeout:
    """The error for a lock not granted within the log's ``lock_timeout``."""
    return LockTimeout(
        f"PostgreSQL log {log.where}: {what} was not granted within {log.lock_timeout:g} s "
        "(another transaction holds it: a long append, or one left open); nothing was "
        "written, try again",
        log=log.where,
        timeout=log.lock_timeout,
    )


def open_schema(log: PostgresLog, conn: psycopg.Connection[Any]) -> tuple[str, int]:
    """Find the log's schema, create its tables if missing, check their version.

    Sets ``log.schema`` (which :meth:`PostgresLog.sql` qualifies table names with) and
    returns it with the schema's version, after upgrading a version-1 log where the role
    may.

    Raises:
        TimelineError: if the search path names no schema, or the schema version is newer.
        CorruptLog: if the schema holds tables that are not a timeline log.
        LockTimeout: if creating or upgrading the tables waited longer than the log's
            ``lock_timeout`` for another session's lock.
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
        version = _locked(log, conn, _create_schema, "the lock for creating the tables")
    if version == "1":
        version = _locked(log, conn, _upgrade, "the lock for upgrading the tables")
    if version not in _READS:
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
    return log.schema, int(version)


def _locked(
    log: PostgresLog,
    conn: psycopg.Connection[Any],
    change: Callable[[PostgresLog, psycopg.Connection[Any]], str],
    what: str,
) -> str:
    """Run ``change`` in a transaction waiting at most ``lock_timeout`` for any lock."""
    import psycopg  # noqa: PLC0415  # the optional extra: the log imported it already

    try:
        with conn.transaction():
            set_lock_timeout(log, conn)
            return change(log, conn)
    except psycopg.errors.LockNotAvailable as e:
        raise lock_timed_out(log, what) from e


def _upgrade(log: PostgresLog, conn: psycopg.Connection[Any]) -> str:
    """Add version 2's lock table to a version-1 log (in the caller's transaction).

    The meta table's ``SHARE ROW EXCLUSIVE`` lock lets one opener upgrade while the others
    wait, then find it done. A role that may not take it (nor create the table) leaves the
    log at version 1: it reads, and its appends are refused (see :meth:`PostgresLog.writing`).
    """
    import psycopg  # noqa: PLC0415  # the optional extra: the log imported it already

    try:
        with conn.transaction():  # a savepoint: a refused privilege undoes only this
            conn.execute(log.sql("LOCK TABLE {meta} IN SHARE ROW EXCLUSIVE MODE"))
            version = _schema_version(log, conn)
            if version != "1":
                return str(version)
            conn.execute(log.sql(_LOCK_TABLE))
            conn.execute(log.sql(LOCK_ROW))
            conn.execute(
                log.sql("UPDATE {meta} SET value = %s WHERE key = 'schema_version'"),
                (str(SCHEMA_VERSION),),
            )
    except psycopg.errors.InsufficientPrivilege:
        return "1"
    return str(SCHEMA_VERSION)


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
    # Two processes opening a new log at once: one creates, the other waits (and finds the
    # tables made). There is no table to lock yet, so the lock's key is the schema's name:
    # any role may take it, but that only delays the creation of a new log, and never for
    # longer than lock_timeout.
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('timeline'), hashtext(%s))", (log.schema,))
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
        conn.execute(log.sql(LOCK_ROW))
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
