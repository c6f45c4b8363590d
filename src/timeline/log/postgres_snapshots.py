"""Snapshots in PostgreSQL: :class:`PostgresSnapshotStore`, in the log's own schema.

What :meth:`timeline.log.PostgresLog.snapshot_store` gives.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final, Protocol

from timeline.codec import Codec
from timeline.log._postgres_schema import lock_timed_out, set_lock_timeout
from timeline.log.snapshots import Snapshot, TableSnapshotStore, _key_columns

if TYPE_CHECKING:
    import psycopg


__all__ = ["POSTGRES_SNAPSHOT_SCHEMA", "PostgresDatabase", "PostgresSnapshotStore"]


class PostgresDatabase(Protocol):
    """What the store uses of a :class:`~timeline.log.PostgresLog`: schema, SQL, connection."""

    @property
    def schema(self) -> str:
        """The schema that holds the log (and the snapshots table)."""

    @property
    def codec(self) -> Codec:
        """Writes the events inside states."""

    def sql(self, template: str) -> bytes:
        """The statement with the log's table names filled in."""

    def connection(self) -> contextlib.AbstractContextManager[psycopg.Connection[Any]]:
        """The log's connection, for one block."""

    @property
    def where(self) -> str:
        """The log as messages name it (never with a password)."""

    @property
    def lock_timeout(self) -> float:
        """The longest wait for a lock, in seconds."""


#: The table a :class:`PostgresSnapshotStore` keeps its snapshots in, in the log's schema
#: (``{snapshots}`` is ``timeline_snapshots`` there); the columns are those of
#: :data:`SNAPSHOT_SCHEMA`.
POSTGRES_SNAPSHOT_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS {snapshots} (
  name text NOT NULL,
  version bigint NOT NULL,
  as_of text COLLATE "C",
  position bigint NOT NULL,
  known_at text,
  head text NOT NULL,
  created text NOT NULL,
  state bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS timeline_snapshots_key
  ON {snapshots} (name, version, as_of, position)
"""

_PG_WHERE: Final = "name = %s AND version = %s AND as_of IS NOT DISTINCT FROM %s AND position = %s"


class PostgresSnapshotStore(TableSnapshotStore):
    """Snapshots in a table of a :class:`~timeline.log.PostgresLog`'s schema, beside the log.

    Each is written in one transaction, through the log's own connection, to the table
    ``timeline_snapshots`` (:data:`POSTGRES_SNAPSHOT_SCHEMA`). The snapshots live beside the log they were taken on, so every analyst of a team
    replays from the snapshots anyone took. The table is created on first use; a role that
    may only read the log (see ``docs/postgres.md``) reads snapshots that exist, if it has
    been granted ``SELECT`` on the table. The last ``cache`` states saved or loaded are
    kept decoded in memory, as :class:`SQLiteSnapshotStore` does.

    Args:
        log: the log whose schema holds the table.
        codec: writes events inside states; the log's codec by default.
        cache: how many decoded states to keep (0: none).

    Raises:
        TimelineError: if the table cannot be created or read.
    """

    def __init__(
        self, log: PostgresDatabase, *, codec: Codec | None = None, cache: int = 2
    ) -> None:
        super().__init__(codec if codec is not None else log.codec, cache)
        self._log = log
        with log.connection() as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = %s AND c.relname = 'timeline_snapshots'",
                (log.schema,),
            ).fetchone()
            if exists is not None:  # nothing to create: a read-only role still reads
                return
            import psycopg  # noqa: PLC0415  # the optional extra: the log imported it already

            try:
                with conn.transaction():
                    # CREATE TABLE IF NOT EXISTS races: stores opened at once create in turn,
                    # each waiting at most the log's lock_timeout (a lock any role may take).
                    set_lock_timeout(log, conn)
                    conn.execute(
                        "SELECT pg_advisory_xact_lock(hashtext('timeline_snapshots'), hashtext(%s))",
                        (log.schema,),
                    )
                    for statement in POSTGRES_SNAPSHOT_SCHEMA.split(";"):
                        conn.execute(log.sql(statement))
            except psycopg.errors.LockNotAvailable as e:
                raise lock_timed_out(log, "the lock that creates the snapshots table") from e

    def __repr__(self) -> str:
        return f"PostgresSnapshotStore({self._log!r})"

    def _replace(self, snapshot: Snapshot, row: tuple[Any, ...]) -> None:
        log = self._log
        with log.connection() as conn, conn.transaction():
            self._delete_row(conn, snapshot)
            conn.execute(
                log.sql(
                    "INSERT INTO {snapshots} (name, version, as_of, position, known_at, head,"
                    " created, state) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                ),
                row,
            )

    def _stored_state(self, snapshot: Snapshot) -> bytes | None:
        log = self._log
        with log.connection() as conn:
            row = conn.execute(
                log.sql(f"SELECT state FROM {{snapshots}} WHERE {_PG_WHERE} AND head = %s"),  # noqa: S608  # fixed text
                (*_key_columns(snapshot), snapshot.head),
            ).fetchone()
        return None if row is None else bytes(row[0])

    def _rows(self, name: str, version: int | None) -> Iterable[tuple[Any, ...]]:
        log = self._log
        sql = "SELECT name, version, as_of, position, known_at, head, created FROM {snapshots}"
        sql += " WHERE name = %s" if version is None else " WHERE name = %s AND version = %s"
        params = (name,) if version is None else (name, version)
        with log.connection() as conn:
            return conn.execute(
                log.sql(sql + " ORDER BY version, as_of NULLS FIRST, position"), params
            ).fetchall()

    def _delete(self, snapshot: Snapshot) -> bool:
        with self._log.connection() as conn:
            return self._delete_row(conn, snapshot)

    def _delete_row(self, conn: psycopg.Connection[Any], snapshot: Snapshot) -> bool:
        """Delete the snapshot with this key; whether there was one."""
        cursor = conn.execute(
            self._log.sql(f"DELETE FROM {{snapshots}} WHERE {_PG_WHERE}"),  # noqa: S608  # fixed text
            _key_columns(snapshot),
        )
        return cursor.rowcount > 0
