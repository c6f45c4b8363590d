"""The fast batch fold behind :meth:`timeline.projections.escalation.Escalation.fold`.

The meaning lives in :mod:`timeline.projections.escalation`: what a report counts as, how
figures sum with unknowns kept apart, and the plain event-at-a-time ``Escalation.apply``.
This module gives the same tallies for a whole batch, fast; a hypothesis property
(``tests/projections/test_escalation_engine.py``) checks that the two always agree.

How it is fast:

- The batch is folded into plain lists, one per column, and the frozen columns are made
  once at the end.
- Finding a report's tally is the hot path. Reports come in valid-time order in a replay,
  so a report's window almost always starts at the latest start seen: only the tallies of
  that start (the *block*) are compared with it. Aware datetimes compare cheaply but hash
  slowly, so the block is scanned rather than hashed. A report that starts earlier (folding
  out of order) falls back on an index by start, made the first time it is needed.
- The tallies folded onto are left alone until a report falls into one of them (never, for
  a replay's tail after a snapshot): the new rows are then appended to the old columns.

Rows are numbered as in the result: a new tally's row is its number after every old one.
"""

from __future__ import annotations

import array
import datetime as dt
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from pendulum import DateTime

if TYPE_CHECKING:
    from timeline.events import Event
    from timeline.projections._escalation_tallies import Tallies

__all__ = [
    "COLUMNS",
    "Folded",
    "Frontier",
    "fold",
    "frontier_of",
    "pack_rows",
    "unpack_rows",
]

#: The ``array`` type code of 4-byte unsigned ints, in which the row of each event is kept.
ROW_CODE: Final = next(code for code in "IL" if array.array(code).itemsize == 4)  # noqa: PLR2004  # 4 bytes

_BIG_ENDIAN: Final = sys.byteorder != "little"

#: Where folding goes on: how many windows so far, the latest start, the rows that start then.
Frontier = tuple[int, DateTime | None, tuple[int, ...]]

#: With the end, the key that tells apart the tallies of one start: claimant, kind,
#: attacker, weapon (text, which hashes fast; instants compare fast but hash slowly).
_Key = tuple[str | None, str, str | None, str | None]

#: Every column of the tallies, in the order of ``Tallies``' fields (and of a row here).
COLUMNS: Final = ("window", "start", "end", "precision", "zone", "claimant", "kind", "attacker",
                  "weapon", "launched", "destroyed", "lost", "launched_unknown",
                  "destroyed_unknown", "lost_unknown", "reports")  # fmt: skip
_WINDOW, _START, _END, _CLAIMANT, _KIND, _ATTACKER, _WEAPON, _LAUNCHED, _LAUNCHED_UNKNOWN, _REPORTS = (
    COLUMNS.index(name) for name in ("window", "start", "end", "claimant", "kind", "attacker",
                                     "weapon", "launched", "launched_unknown", "reports"))  # fmt: skip


class Folded(NamedTuple):
    """What :func:`fold` gives: the columns, the packed ids and rows, and the frontier.

    ``appended``: the tallies folded onto were left alone, and the columns, ids and rows
    given are only the new ones, to follow theirs. Otherwise they are all of them.
    """

    columns: dict[str, tuple[Any, ...]]
    ids: bytes
    rows: bytes
    frontier: Frontier
    appended: bool


def frontier_of(table: Tallies) -> Frontier:
    """The frontier of tallies not made by this engine (read from their columns)."""
    if not table.start:
        return (0, None, ())
    latest = max(table.start)
    block = tuple(i for i, s in enumerate(table.start) if s == latest)
    return (max(table.window) + 1, latest, block)


def _start_key(at: dt.datetime) -> tuple[int, ...]:
    """An index key for a UTC instant: equal fields are equal instants, and cheaper to hash."""
    return (at.toordinal(), at.hour, at.minute, at.second, at.microsecond)


class _Fold:
    """The tallies being folded: the old ones (left alone until needed) and the new ones.

    The new tallies are kept in fifteen plain lists, one per column of :data:`COLUMNS`
    (not a container per row: a million tallies would otherwise be a million objects for
    the garbage collector to walk), made into the frozen columns at the end.

    Rows from ``first`` on are in the lists; rows before it are the old tallies', read from
    their columns. ``first`` becomes 0 when a report falls into an old tally (or is folded
    out of order): the old rows are then copied into the lists, to count into them.
    """

    __slots__ = ("base", "block", "block_keys", "columns", "first", "ids", "index",
                 "latest", "rows", "strike", "windows")  # fmt: skip

    def __init__(self, base: Tallies, frontier: Frontier, strike: str) -> None:
        self.base = base
        self.strike = strike
        self.first = len(base)
        self.windows, self.latest, block = frontier
        #: The rows at the latest start; by key too, once a second report falls there.
        self.block = list(block)
        self.block_keys: dict[_Key, int] | None = None
        self.index: dict[tuple[int, ...], list[int]] | None = None
        self.columns: list[list[Any]] = [[] for _ in COLUMNS]
        self.ids = bytearray()
        self.rows = array.array(ROW_CODE)

    def run(self, events: Iterable[Event], kind_of: Callable[[type], str]) -> None:  # noqa: C901, PLR0912, PLR0915  # one hot loop, on locals; Escalation.apply is its reference
        """Fold each event that counts (``kind_of`` its class is not ``""``) into its tally."""
        kinds: dict[type, str] = {}
        known, learn = kinds.get, kinds.setdefault
        strike, block, latest, columns = self.strike, self.block, self.latest, self.columns
        ends, windows, reports = columns[_END], columns[_WINDOW], columns[_REPORTS]
        launched, destroyed, lost = columns[_LAUNCHED : _LAUNCHED + 3]
        launched_unknown, destroyed_unknown, lost_unknown = columns[_LAUNCHED_UNKNOWN:_REPORTS]
        (add_window, add_start, add_end, add_precision, add_zone, add_claimant, add_kind, add_attacker,
         add_weapon, add_launched, add_destroyed, add_lost, add_launched_unknown,
         add_destroyed_unknown, add_lost_unknown, add_reports) = (c.append for c in columns)  # fmt: skip
        block_keys, first, made, index = self.block_keys, self.first, self.windows, self.index
        add_id, add_event_row = self.ids.extend, self.rows.append
        for event in events:
            kind = known(type(event)) or learn(type(event), kind_of(type(event)))
            if not kind:
                continue
            claimant = event.claimed_by
            if claimant is None and event.sources:
                claimant = event.sources[0].name
            start, end = event.occurred_at, event.occurred_until
            attacker, weapon = event.attacker, event.weapon  # type: ignore[attr-defined]  # an attack or a strike
            # Find the report's tally, or the window a new one falls into: at the latest
            # start, after it (the common case in a replay), or (out of order) before.
            window = -1  # a new window, unless a tally of the same start, end and claimant has one
            if start == latest:
                at_latest = True
                if block_keys is None:
                    block_keys, first = self.keyed_block(), self.first  # may bring old rows in
                key = (claimant, kind, attacker, weapon)
                row = block_keys.get(key, -1)
                if row >= 0 and ends[row - first] != end:
                    row = self.in_block(key, end)  # another window with the same start
                if row < 0:
                    window = self.window_among(block, end, claimant)
            elif latest is None or start > latest:
                at_latest, row = True, -1
                latest, block_keys = start, None
                block.clear()
            else:
                at_latest = False
                key = (claimant, kind, attacker, weapon)
                row = self.earlier(start, end, key)
                first, index = self.first, self.index  # the old rows were brought in, indexed
                if row < 0:
                    window = self.window_among(index.get(_start_key(start), ()), end, claimant)  # type: ignore[union-attr]  # made by earlier()
            if row < 0:
                # A new tally, of this report's figures. A figure it does not give is counted
                # as unknown (its sum stays None while no report gives it); a strike gives no
                # figures, so none is unknown.
                if window < 0:
                    window = made
                    made += 1
                row = first + len(windows)
                add_window(window)
                add_start(start)
                add_end(end)
                add_precision(event.time_precision)
                add_zone(event.zone)
                add_claimant(claimant)
                add_kind(kind)
                add_attacker(attacker)
                add_weapon(weapon)
                if kind is strike:
                    n = d = lo = None
                    unknown = 0
                else:
                    n, d, lo = event.launched, event.destroyed, event.lost  # type: ignore[attr-defined]  # an attack
                    unknown = 1
                add_launched(n)
                add_destroyed(d)
                add_lost(lo)
                add_launched_unknown(unknown if n is None else 0)
                add_destroyed_unknown(unknown if d is None else 0)
                add_lost_unknown(unknown if lo is None else 0)
                add_reports(1)
                if at_latest:
                    block.append(row)
                    if block_keys is not None:
                        block_keys.setdefault(key, row)
                if index is not None:
                    index.setdefault(_start_key(start), []).append(row)
            else:  # count the report into its tally
                at = row - first
                reports[at] += 1
                if kind is not strike:
                    n, d, lo = event.launched, event.destroyed, event.lost  # type: ignore[attr-defined]  # an attack
                    if n is None:
                        launched_unknown[at] += 1
                    else:
                        old = launched[at]
                        launched[at] = n if old is None else old + n
                    if d is None:
                        destroyed_unknown[at] += 1
                    else:
                        old = destroyed[at]
                        destroyed[at] = d if old is None else old + d
                    if lo is None:
                        lost_unknown[at] += 1
                    else:
                        old = lost[at]
                        lost[at] = lo if old is None else old + lo
            add_id(event.event_id.int.to_bytes(16))
            add_event_row(row)
        self.windows, self.latest, self.block_keys = made, latest, block_keys

    def keyed_block(self) -> dict[_Key, int]:
        """The rows at the latest start by key (the first of each key), made when first needed."""
        if self.block and self.block[0] < self.first:
            self.open_old_rows()
        keyed: dict[_Key, int] = {}
        for row in self.block:
            keyed.setdefault(self.key_of(row), row)
        self.block_keys = keyed
        return keyed

    def in_block(self, key: _Key, end: DateTime | None) -> int:
        """The row at the latest start of ``key`` and ``end``, or -1 (several windows start then)."""
        ends, first = self.columns[_END], self.first
        for row in self.block:
            if ends[row - first] == end and self.key_of(row) == key:
                return row
        return -1

    def earlier(self, start: DateTime, end: DateTime | None, key: _Key) -> int:
        """The row of the tally of a report folded out of order, or -1 (from the index)."""
        if self.index is None:
            self.open_old_rows()
            self.index = {}
            for row, at in enumerate(self.columns[_START]):
                self.index.setdefault(_start_key(at), []).append(row)
        ends = self.columns[_END]
        for row in self.index.get(_start_key(start), ()):
            if ends[row] == end and self.key_of(row) == key:
                return row
        return -1

    def key_of(self, row: int) -> _Key:
        """The key of a row in the lists."""
        at, columns = row - self.first, self.columns
        return (columns[_CLAIMANT][at], columns[_KIND][at], columns[_ATTACKER][at],
                columns[_WEAPON][at])  # fmt: skip

    def window_among(self, rows: Iterable[int], end: DateTime | None, claimant: str | None) -> int:
        """The window of the first of ``rows`` (all at one start) with this end and claimant, or -1.

        A new tally falls into the window of an earlier report of the same start, end and
        claimant (another attacker or weapon in the same night), else into a new one. The
        rows are in the lists: the loop looked them up (and so brought any old ones in).
        """
        columns, first = self.columns, self.first
        ends, claimants, windows = columns[_END], columns[_CLAIMANT], columns[_WINDOW]
        for row in rows:
            at = row - first
            if ends[at] == end and claimants[at] == claimant:
                return int(windows[at])
        return -1

    def open_old_rows(self) -> None:
        """Put the old rows in front of the new ones, to count into them."""
        if not self.first:
            return
        for name, column in zip(COLUMNS, self.columns, strict=True):
            column[:0] = getattr(self.base, name)
        self.first = 0

    def result(self) -> Folded:
        """The columns, ids and rows after the fold (only the new ones, if the old were untouched)."""
        columns = {name: tuple(column) for name, column in zip(COLUMNS, self.columns, strict=True)}
        frontier = (self.windows, self.latest, tuple(self.block))
        ids, rows = bytes(self.ids), pack_rows(self.rows)
        if self.first:  # the old rows untouched: the new ones follow them
            return Folded(columns, ids, rows, frontier, appended=True)
        base = self.base
        return Folded(columns, base.ids + ids, base.rows + rows, frontier, appended=False)


def pack_rows(rows: array.array[int]) -> bytes:
    """Rows as kept: 4-byte little-endian unsigned ints, whatever the machine's byte order."""
    if _BIG_ENDIAN:  # pragma: no cover  # big-endian machines
        rows = array.array(ROW_CODE, rows)
        rows.byteswap()
    return rows.tobytes()


def unpack_rows(packed: bytes) -> array.array[int]:
    """The rows :func:`pack_rows` packed."""
    rows = array.array(ROW_CODE)
    rows.frombytes(packed)
    if _BIG_ENDIAN:  # pragma: no cover  # big-endian machines
        rows.byteswap()
    return rows


def fold(
    base: Tallies,
    frontier: Frontier,
    events: Iterable[Event],
    *,
    kind_of: Callable[[type], str],
    strike: str,
) -> Folded:
    """Fold ``events`` onto the tallies ``base`` (whose frontier is given).

    Args:
        base: the tallies folded onto; not changed.
        frontier: ``base``'s (see :func:`frontier_of`).
        events: the events, best in valid-time order.
        kind_of: the kind an event class counts as, ``""`` for one not counted.
        strike: the kind that gives no figures.
    """
    acc = _Fold(base, frontier, strike)
    acc.run(events, kind_of)
    return acc.result()
