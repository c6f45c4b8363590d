"""What the two SQL backends (:mod:`~timeline.log.sqlite`, :mod:`~timeline.log.postgres`) share."""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, Any, Final

from timeline.log.records import GENESIS, StoredRecord, stored_recorded_at

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pendulum import DateTime

__all__ = ["ENDS", "Ends", "held_tail", "linked_columns", "read_ends", "tail_of"]

#: What a writer reads once it holds the write lock, in one statement: the last two records
#: (the tail, and the hash it chains from), each with the number of rows after a position
#: (the rows counted since the last append: see ``records.check_gapless``). ``{events}``
#: is the table; ``{more}``, more columns a backend reads with them (or nothing).
ENDS: Final = (
    "SELECT position, stream, version, recorded_at, payload, hash,"
    " (SELECT count(*) FROM {events} WHERE position > {mark}){more}"
    " FROM {events} ORDER BY position DESC LIMIT 2"
)

#: The last records as :data:`ENDS` read them, by position: what ``tail()``,
#: ``stored_record()`` and ``stored_hash()`` give while the write lock is held.
Ends = dict[int, StoredRecord]


def read_ends(rows: Sequence[Sequence[Any]]) -> tuple[tuple[int, int | None], Ends]:
    """The rows of :data:`ENDS`: ``check_gapless``'s summary, and the records by position.

    The summary is the number of rows counted and the last position (``None``: no rows).
    The columns are kept as stored (a damaged row's payload may be text), but for
    PostgreSQL's ``memoryview`` of a payload, which becomes ``bytes``.
    """
    ends = {
        r[0]: StoredRecord(
            r[0], r[1], r[2], r[3], bytes(r[4]) if isinstance(r[4], memoryview) else r[4], r[5]
        )
        for r in rows
    }
    return ((rows[0][6], rows[0][0]) if rows else (0, None)), ends


def held_tail(ends: Ends, *, where: str) -> tuple[int, str, DateTime | None]:
    """The storage protocol's ``tail()`` from the last records read with the lock."""
    last = ends[max(ends)] if ends else None
    row = None if last is None else (last.position, last.hash, last.recorded_at)
    return tail_of(row, where=where)


#: A row that starts with the columns of a linked read (a record's six stored columns, then
#: the hash stored with the record before it; see ``CheckedReads.decode_rows``) and has more
#: after them (the key of an occurrence-ordered page), as those seven columns.
linked_columns: Final = itemgetter(0, 1, 2, 3, 4, 5, 6)


def tail_of(row: tuple[int, str, str] | None, *, where: str) -> tuple[int, str, DateTime | None]:
    """The storage protocol's ``tail()`` from the last row's ``(position, hash, recorded_at)``.

    ``None`` (no row) is an empty log's tail: position 0 and the genesis hash.

    Raises:
        CorruptLog: naming ``where`` and the position, for a stored ``recorded_at`` that is
            not a time.
    """
    if row is None:
        return 0, GENESIS, None
    position, hash_, recorded_at = row
    return position, hash_, stored_recorded_at(recorded_at, position=position, where=where)
