"""The Merkle tree's table of a PostgreSQL log: ``timeline_merkle (level, idx, hash)``.

Derived data (:mod:`timeline.log.merkle_store`), written in each append's transaction.
Added to a schema made before the log kept a tree, where the role may create tables. A role
that may not write the table (see :func:`merkle_table`) keeps the tree in memory instead
(:meth:`~timeline.log.PostgresLog.merkle_count` says ``None``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import orjson

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from timeline.log.merkle import Key, Node
    from timeline.log.postgres import PostgresLog

__all__ = [
    "MERKLE_TABLE",
    "NOTIFY",
    "merkle_count",
    "merkle_insert",
    "merkle_nodes",
    "merkle_table",
    "record_hashes",
]

#: The table (``{merkle}`` stands for its schema-qualified name).
MERKLE_TABLE: Final = (
    "CREATE TABLE IF NOT EXISTS {merkle} (level integer NOT NULL, idx bigint NOT NULL,"
    " hash bytea NOT NULL, CONSTRAINT timeline_merkle_node PRIMARY KEY (level, idx))"
)
_COPY_FROM: Final = 1_000  # nodes from which a COPY beats one INSERT
#: The nodes as one JSON array of ``[level, index, hash in hex]``: psycopg adapts one text
#: in a few microseconds, where three arrays of the same nodes cost it a hundred.
_INSERT: Final = (
    "INSERT INTO {merkle} (level, idx, hash)"
    " SELECT (n->>0)::integer, (n->>1)::bigint, decode(n->>2, 'hex')"
    " FROM json_array_elements(%s::json) AS n"
)
#: An append's notice to the log's channel (delivered when, and only if, it commits).
NOTIFY: Final = "SELECT pg_notify(%s, %s)"
#: The nodes and the notice in one statement (a data-modifying ``WITH`` runs in full).
_INSERT_AND_NOTIFY: Final = f"WITH nodes AS ({_INSERT}) {NOTIFY}"
_COPY: Final = "COPY {merkle} (level, idx, hash) FROM STDIN (FORMAT BINARY)"
_COPY_TYPES: Final = ("int4", "int8", "bytea")


def merkle_table(log: PostgresLog) -> bool:
    """Whether this role keeps the tree in the log's schema, creating the table where missing.

    ``False`` when the role may not write the table (a read-only role, or a writer granted
    ``INSERT`` on the events only): its appends leave the stored tree alone, and it keeps the
    tree in memory; the next process that may write the table completes it on first use.
    """
    from psycopg import errors  # noqa: PLC0415  # the postgres extra, there once a log is open

    with log.connection() as conn:
        found = conn.execute(_PRIVILEGE, (log.schema,)).fetchone()
        if found is not None:
            return bool(found[0])
        try:
            with conn.transaction():
                # Two processes opening an old log at once: one creates, the other waits.
                conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtext('timeline'), hashtext(%s))",
                    (log.schema,),
                )
                conn.execute(log.sql(MERKLE_TABLE))
        except errors.InsufficientPrivilege:  # no CREATE privilege on the schema
            return False
    return True


#: Whether the current role may insert into the schema's tree table (no row: no table).
_PRIVILEGE: Final = (
    "SELECT has_table_privilege(c.oid, 'INSERT') FROM pg_class c"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = %s AND c.relname = 'timeline_merkle'"
)


def merkle_count(log: PostgresLog, level: int) -> int:
    """How many nodes of a level are stored."""
    with log.connection() as conn:
        row = conn.execute(
            log.sql("SELECT max(idx) FROM {merkle} WHERE level = %s"), (level,)
        ).fetchone()
    return 0 if row is None or row[0] is None else int(row[0]) + 1


def merkle_nodes(log: PostgresLog, keys: Collection[Key]) -> dict[Key, bytes]:
    """The stored nodes, in one statement."""
    with log.connection() as conn:
        rows = conn.execute(
            log.sql(
                "SELECT level, idx, hash FROM {merkle} WHERE (level, idx) IN"
                " (SELECT * FROM unnest(%s::integer[], %s::bigint[]))"
            ),
            ([level for level, _ in keys], [index for _, index in keys]),
        ).fetchall()
    return {(int(level), int(idx)): bytes(hash_) for level, idx, hash_ in rows}


def record_hashes(log: PostgresLog, positions: Sequence[int]) -> dict[int, str]:
    """The records' chain hashes, in one statement."""
    with log.connection() as conn:
        rows = conn.execute(
            log.sql("SELECT position, hash FROM {events} WHERE position = ANY(%s::bigint[])"),
            (list(positions),),
        ).fetchall()
    return {int(position): hash_ for position, hash_ in rows}


def merkle_insert(
    log: PostgresLog, nodes: Sequence[Node], *, notice: tuple[str, str] | None = None
) -> None:
    """Store nodes (inside the append's transaction): one statement, ``COPY`` for many.

    ``notice``: the append's :data:`NOTIFY` (channel, payload), sent in the same statement
    as a few nodes (one round trip, one statement to run), or after many.
    """
    with log.connection() as conn, conn.cursor() as cursor:
        if len(nodes) < _COPY_FROM:
            rows = orjson.dumps([(level, index, hash_.hex()) for level, index, hash_ in nodes])
            text = rows.decode()
            if notice is None:
                cursor.execute(log.sql(_INSERT), (text,))
            else:
                cursor.execute(log.sql(_INSERT_AND_NOTIFY), (text, *notice))
            return
        with cursor.copy(log.sql(_COPY)) as copy:
            copy.set_types(_COPY_TYPES)
            for node in nodes:
                copy.write_row(node)
        if notice is not None:
            cursor.execute(NOTIFY, notice)
