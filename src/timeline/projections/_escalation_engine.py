"""The fast batch fold behind :meth:`timeline.projections.escalation.Escalation.fold`.

The meaning lives in :mod:`timeline.projections.escalation`: what a report counts as, how
figures sum with unknowns kept apart, and the plain event-at-a-time ``Escalation.apply``.
This module gives the same tallies for a whole batch, fast; a hypothesis property
(``tests/projections/test_escalation_engine.py``) checks that the two always agree.

How it is fast:

- The batch is folded into plain lists, one entry per tally (its key, and a list of its
  figures), and the frozen columns are made once at the end, by transposing those lists.
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
from itertools import chain
from typing import TYPE_CHECKING, Any, Final, NamedTuple, Protocol

from pendulum import DateTime

from timeline.time import TimePrecision

if TYPE_CHECKING:
    from timeline.events import Event

__all__ = [
    "COLUMNS",
    "Folded",
    "Frontier",
    "Table",
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
COLUMNS: Final = ("window", "start", "end", "precision", "claimant", "kind", "attacker",
                  "weapon", "launched", "destroyed", "lost", "launched_unknown",
                  "destroyed_unknown", "lost_unknown", "reports")  # fmt: skip
_WIDTH: Final = len(COLUMNS)
_WINDOW, _START, _END, _CLAIMANT, _WEAPON = (COLUMNS.index(n) for n in
                                             ("window", "start", "end", "claimant", "weapon"))  # fmt: skip
_LAUNCHED: Final = COLUMNS.index("launched")
_REPORTS: Final = COLUMNS.index("reports")

#: A report's figures, in the order of the columns from ``launched`` on.
_Figures = tuple[int | None, int | None, int | None, int, int, int, int]
#: A strike's: it gives no figures, so none is unknown.
_STRIKE_FIGURES: Final = (None, None, None, 0, 0, 0, 1)


class Table(Protocol):
    """The columns this engine reads from the tallies it folds onto."""

    @property
    def window(self) -> tuple[int, ...]: ...
    @property
    def start(self) -> tuple[DateTime, ...]: ...
    @property
    def end(self) -> tuple[DateTime | None, ...]: ...
    @property
    def precision(self) -> tuple[TimePrecision, ...]: ...
    @property
    def claimant(self) -> tuple[str | None, ...]: ...
    @property
    def kind(self) -> tuple[str, ...]: ...
    @property
    def attacker(self) -> tuple[str | None, ...]: ...
    @property
    def weapon(self) -> tuple[str | None, ...]: ...
    @property
    def launched(self) -> tuple[int | None, ...]: ...
    @property
    def destroyed(self) -> tuple[int | None, ...]: ...
    @property
    def lost(self) -> tuple[int | None, ...]: ...
    @property
    def launched_unknown(self) -> tuple[int, ...]: ...
    @property
    def destroyed_unknown(self) -> tuple[int, ...]: ...
    @property
    def lost_unknown(self) -> tuple[int, ...]: ...
    @property
    def reports(self) -> tuple[int, ...]: ...
    @property
    def ids(self) -> bytes: ...
    @property
    def rows(self) -> bytes: ...
    def __len__(self) -> int: ...


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


def frontier_of(table: Table) -> Frontier:
    """The frontier of tallies not made by this engine (read from their columns)."""
    if not table.start:
        return (0, None, ())
    latest = max(table.start)
    block = tuple(i for i, s in enumerate(table.start) if s == latest)
    return (max(table.window) + 1, latest, block)


def _start_key(at: dt.datetime) -> tuple[int, ...]:
    """An index key for a UTC instant: equal fields are equal instants, and cheaper to hash."""
    return (at.toordinal(), at.hour, at.minute, at.second, at.microsecond)


def _count(
    table: list[Any], at: int, launched: int | None, destroyed: int | None, lost: int | None
) -> None:
    """Add one attack report's figures to the tally whose figures start at ``table[at]``.

    A figure not given is counted as unknown, and adds nothing to its sum (which stays
    ``None`` while no report gave it).
    """
    if launched is None:
        table[at + 3] += 1
    else:
        old = table[at]
        table[at] = launched if old is None else old + launched
    if destroyed is None:
        table[at + 4] += 1
    else:
        old = table[at + 1]
        table[at + 1] = destroyed if old is None else old + destroyed
    if lost is None:
        table[at + 5] += 1
    else:
        old = table[at + 2]
        table[at + 2] = lost if old is None else old + lost
    table[at + 6] += 1


def _tally(window: int, event: Event, key: _Key, strike: str) -> tuple[Any, ...]:
    """A new tally's row (the values of :data:`COLUMNS`): one report's figures, in ``window``.

    A figure the report does not give is counted as unknown; a strike gives no figures.
    """
    if key[1] is strike:
        figures: tuple[Any, ...] = _STRIKE_FIGURES
    else:
        n, d, lo = event.launched, event.destroyed, event.lost  # type: ignore[attr-defined]  # an attack
        figures = (n, d, lo, 1 if n is None else 0, 1 if d is None else 0,
                   1 if lo is None else 0, 1)  # fmt: skip
    return (window, event.occurred_at, event.occurred_until, event.time_precision, *key, *figures)


class _Fold:
    """The tallies being folded: the old ones (left alone until needed) and the new ones.

    The new tallies are kept in one flat list, row after row, each row the fifteen values
    of :data:`COLUMNS` (one list, not a list or tuple per row: a million tallies would
    otherwise be a million containers for the garbage collector to walk).

    Rows from ``first`` on are in the list; rows before it are the old tallies', read from
    their columns. ``first`` becomes 0 when a report falls into an old tally (or is folded
    out of order): the old rows are then copied into the list, to count into them.
    """

    __slots__ = ("base", "block", "block_keys", "first", "ids", "index", "latest", "rows",
                 "strike", "table", "windows")  # fmt: skip

    def __init__(self, base: Table, frontier: Frontier, strike: str) -> None:
        self.base = base
        self.strike = strike
        self.first = len(base)
        self.windows, self.latest, block = frontier
        #: The rows at the latest start; by key too, once a second report falls there.
        self.block = list(block)
        self.block_keys: dict[_Key, int] | None = None
        self.index: dict[tuple[int, ...], list[int]] | None = None
        self.table: list[Any] = []
        self.ids = bytearray()
        self.rows = array.array(ROW_CODE)

    def run(self, events: Iterable[Event], kind_of: Callable[[type], str]) -> None:
        """Fold each event that counts (``kind_of`` its class is not ``""``) into its tally."""
        kinds: dict[type, str] = {}
        known, learn = kinds.get, kinds.setdefault
        strike, table, block, latest = self.strike, self.table, self.block, self.latest
        block_keys, first = self.block_keys, self.first
        add_id, add_row = self.ids.extend, self.rows.append
        for event in events:
            kind = known(type(event)) or learn(type(event), kind_of(type(event)))
            if not kind:
                continue
            claimant = event.claimed_by
            if claimant is None and event.sources:
                claimant = event.sources[0].name
            start, end = event.occurred_at, event.occurred_until
            key = (claimant, kind, event.attacker, event.weapon)  # type: ignore[attr-defined]  # an attack or a strike
            # Find the report's tally: at the latest start, after it, or (out of order) before.
            at_latest = True
            if start == latest:
                if block_keys is None:
                    block_keys, first = self.keyed_block(), self.first  # may bring old rows in
                row = block_keys.get(key, -1)
                if row >= 0 and table[_WIDTH * (row - first) + _END] != end:
                    row = self.in_block(key, end)  # another window with the same start
            elif latest is None or start > latest:
                # A report after every other: the first tally of a new window (the common
                # case in a replay), made here rather than through add() for speed.
                latest = self.latest = start
                block_keys = self.block_keys = None
                row = first + len(table) // _WIDTH
                block[:] = (row,)
                table += _tally(self.windows, event, key, strike)
                self.windows += 1
                if self.index is not None:
                    self.index.setdefault(_start_key(start), []).append(row)
                add_id(event.event_id.int.to_bytes(16))
                add_row(row)
                continue
            else:
                row, at_latest = self.earlier(start, end, key), False
                first = self.first  # the old rows were brought in
            # Count the report into it (a new tally is made of its figures).
            if row < 0:
                row = self.add(start, end, key, event, at_latest)
            else:
                self.count(row, event, strike=kind is strike)
            add_id(event.event_id.int.to_bytes(16))
            add_row(row)

    def count(self, row: int, event: Event, *, strike: bool) -> None:
        """Count a report into the tally at ``row``."""
        at = _WIDTH * (row - self.first)
        if strike:  # a strike gives no figures, so none is unknown
            self.table[at + _REPORTS] += 1
        else:
            _count(self.table, at + _LAUNCHED, event.launched, event.destroyed, event.lost)  # type: ignore[attr-defined]  # an attack

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
        table, first = self.table, self.first
        for row in self.block:
            if table[_WIDTH * (row - first) + _END] == end and self.key_of(row) == key:
                return row
        return -1

    def earlier(self, start: DateTime, end: DateTime | None, key: _Key) -> int:
        """The row of the tally of a report folded out of order, or -1 (from the index)."""
        if self.index is None:
            self.open_old_rows()
            self.index = {}
            for row, at in enumerate(self.table[_START::_WIDTH]):
                self.index.setdefault(_start_key(at), []).append(row)
        for row in self.index.get(_start_key(start), ()):
            if self.table[_WIDTH * row + _END] == end and self.key_of(row) == key:
                return row
        return -1

    def key_of(self, row: int) -> _Key:
        """The key of a row in the list."""
        at = _WIDTH * (row - self.first)
        return tuple(self.table[at + _CLAIMANT : at + _WEAPON + 1])

    def window_of(self, start: DateTime, end: DateTime | None, claimant: str | None) -> int:
        """The number of the window a new tally falls into: an earlier tally's, or a new one.

        The rows that start then are in the list: the loop looked them up (and so brought
        any old ones in) before it makes a tally.
        """
        first, table = self.first, self.table
        if start == self.latest:
            rows: Iterable[int] = self.block
        else:  # out of order: every row is in the list, and indexed
            assert self.index is not None  # noqa: S101  # made by earlier()
            rows = self.index.get(_start_key(start), ())
        for row in rows:
            at = _WIDTH * (row - first)
            if table[at + _END] == end and table[at + _CLAIMANT] == claimant:
                return int(table[at + _WINDOW])
        self.windows += 1
        return self.windows - 1

    def add(
        self,
        start: DateTime,
        end: DateTime | None,
        key: _Key,
        event: Event,
        at_latest: bool,
    ) -> int:
        """A new tally, of one report's figures; its row."""
        table, block = self.table, self.block
        row = self.first + len(table) // _WIDTH
        if at_latest and not block:  # the first at its start: a new window
            window = self.windows
            self.windows = window + 1
        else:
            window = self.window_of(start, end, key[0])
        table += _tally(window, event, key, self.strike)
        if at_latest:
            block.append(row)
            if self.block_keys is not None:
                self.block_keys.setdefault(key, row)
        if self.index is not None:
            self.index.setdefault(_start_key(start), []).append(row)
        return row

    def open_old_rows(self) -> None:
        """Put the old rows in front of the new ones, to count into them."""
        if not self.first:
            return
        base = self.base
        self.table[:0] = chain.from_iterable(zip(*(getattr(base, n) for n in COLUMNS), strict=True))
        self.first = 0

    def result(self) -> Folded:
        """The columns, ids and rows after the fold (only the new ones, if the old were untouched)."""
        columns = {name: tuple(self.table[k::_WIDTH]) for k, name in enumerate(COLUMNS)}
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
    base: Table,
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
