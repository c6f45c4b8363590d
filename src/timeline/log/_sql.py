"""What the two SQL backends (:mod:`~timeline.log.sqlite`, :mod:`~timeline.log.postgres`) share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from timeline.log.records import GENESIS, stored_recorded_at

if TYPE_CHECKING:
    from pendulum import DateTime

__all__ = ["tail_of"]


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
