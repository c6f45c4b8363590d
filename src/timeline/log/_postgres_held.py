"""What a PostgreSQL append reads once it holds the write lock, in the lock's round trip.

While the lock is held, the storage protocol's reads the append makes (``tail``,
``stored_record``, ``stored_hash``, ``stream_version``, and ``grow_tree``'s ``merkle_count``,
``merkle_nodes`` and ``record_hashes``) are answered from :class:`Held` where it has what
they ask for, and by a query otherwise. ``docs/postgres.md`` lists the statements.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs

from timeline.log._postgres_schema import take_write_lock
from timeline.log._sql import ENDS, Ends, read_ends
from timeline.log.merkle_store import STORED_LEVEL
from timeline.log.records import check_gapless

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    import psycopg

    from timeline.log.merkle import Key
    from timeline.log.postgres import PostgresLog

__all__ = ["VERSION", "Held", "read_with_lock"]

#: A stream's version.
VERSION: Final = "SELECT max(version) FROM {events} WHERE stream = %s"
#: The positions after one (check_gapless's look at a count that is not the one expected).
_AFTER: Final = "SELECT position FROM {events} WHERE position > %s ORDER BY position"
#: ENDS, and the version of a stream (``NULL``: none asked for).
_ENDS: Final = ENDS.replace("{mark}", "%s").replace("{more}", f", ({VERSION})")
#: The stored Merkle tree's right edge, for the log's size as the lock finds it, in one
#: statement: how many nodes of the lowest stored level there are (a row of kind 0), the
#: stored nodes of the right edge (kind 1), and the hashes of the records below them (kind
#: 2). What ``grow_tree`` asks for when the edge the log object kept is stale. Each edge
#: node is looked up by its whole key (the ``LATERAL ... LIMIT 1`` keeps the planner from
#: scanning every node of its level instead: 0.06 ms against 0.19 ms at 20,000 records,
#: and that scan grows with the log). It takes no parameters (the lowest stored level is
#: written in), so the server plans it once per connection, not at every append.
_EDGE: Final = (
    "SELECT 0, NULL::integer, max(idx), NULL::bytea, NULL::text FROM {merkle}"  # noqa: S608  # fixed text, an int constant
    f" WHERE level = {STORED_LEVEL}"
    " UNION ALL"
    " SELECT 1, edge.l, edge.i, m.hash, NULL"
    " FROM (SELECT l, (n >> l) - 1 AS i"
    "  FROM (SELECT coalesce(max(position), 0) AS n FROM {events}) AS size,"
    f"  generate_series({STORED_LEVEL}, 62) AS l WHERE (n >> l) & 1 = 1) AS edge"
    " CROSS JOIN LATERAL"
    " (SELECT hash FROM {merkle} WHERE level = edge.l AND idx = edge.i LIMIT 1) AS m"
    " UNION ALL"
    " SELECT 2, NULL, position, NULL, hash FROM {events}"
    f" WHERE position > (SELECT coalesce(max(position), 0) >> {STORED_LEVEL}"
    f" << {STORED_LEVEL} FROM {{events}})"
)


@attrs.frozen
class Held:
    """What :func:`read_with_lock` read.

    ``ends``: the last records, by position; ``version``: a stream and its version;
    ``count``, ``nodes``, ``hashes``: the stored tree's edge (``count`` ``None``: not read).
    """

    ends: Ends
    version: tuple[str, int] | None = None
    count: int | None = None
    nodes: dict[Key, bytes] = attrs.Factory(dict)
    hashes: dict[int, str] = attrs.Factory(dict)

    def stream_version(self, stream: str) -> int | None:
        """The stream's version, if it was read."""
        return self.version[1] if self.version is not None and self.version[0] == stream else None

    def merkle_count(self, level: int) -> int | None:
        """How many nodes of the level are stored, if it was read."""
        return self.count if level == STORED_LEVEL else None

    def merkle_nodes(self, keys: Collection[Key]) -> dict[Key, bytes] | None:
        """The stored nodes, if every one of them was read."""
        nodes = self.nodes
        return {key: nodes[key] for key in keys} if all(key in nodes for key in keys) else None

    def record_hashes(self, positions: Sequence[int]) -> dict[int, str] | None:
        """The records' hashes, if every one of them was read."""
        hashes = self.hashes
        if all(position in hashes for position in positions):
            return {position: hashes[position] for position in positions}
        return None


def read_with_lock(
    log: PostgresLog, conn: psycopg.Connection[Any], *, counted: int, stream: str | None, edge: bool
) -> tuple[int, Held]:
    """Take the write lock and read, in its round trip, what the append will ask for.

    The last records, and the rows after ``counted`` (positions 1 to ``counted`` were all
    there when last counted: returns how many are now, see ``check_gapless``); the version
    of ``stream``, the stream the log object appended to last (most appends are to the
    stream of the one before); with ``edge``, the stored tree's edge (when the log object's
    last append found the edge it kept stale: another writer appends between its appends).

    Raises:
        CorruptLog: a position up to the tail holds no record.
    """
    reads: list[tuple[bytes, tuple[Any, ...]]] = [(log.sql(_ENDS), (counted, stream))]
    if edge:
        reads.append((log.sql(_EDGE), ()))
    found = take_write_lock(log, conn, reads)
    summary, ends = read_ends(found[0])
    counted = check_gapless(
        counted,
        summary,
        lambda: conn.execute(log.sql(_AFTER), (counted,)),
        f"PostgreSQL log {log.where}",
    )
    held = Held(ends)
    if stream is not None:  # no rows: an empty log, where every stream is at 0
        version = found[0][0][7] if found[0] else None
        held = attrs.evolve(held, version=(stream, int(version or 0)))
    if edge:
        held = _with_edge(held, found[1])
    return counted, held


def _with_edge(held: Held, rows: Sequence[tuple[Any, ...]]) -> Held:
    """``held`` with the rows of :data:`_EDGE`."""
    count, nodes, hashes = 0, {}, {}
    for kind, level, index, node, record in rows:
        if kind == 0:
            count = 0 if index is None else int(index) + 1
        elif kind == 1:
            nodes[int(level), int(index)] = bytes(node)
        else:
            hashes[int(index)] = record
    return attrs.evolve(held, count=count, nodes=nodes, hashes=hashes)
