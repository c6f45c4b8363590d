"""What the two SQL backends (:mod:`~timeline.log.sqlite`, :mod:`~timeline.log.postgres`) share."""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, Final

from timeline.log.records import GENESIS, stored_recorded_at

if TYPE_CHECKING:
    from pendulum import DateTime

__all__ = ["linked_columns", "tail_of"]


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
