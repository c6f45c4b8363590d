"""Escalation: barrages and strikes per day, per reporting window and by weapon; records.

Drone barrages, missile strikes and strikes are counted, and records kept ("the largest
drone barrage in a single night so far").

The state keeps one *tally* per reporting window, claimant, kind of attack, attacker and
weapon, with the figures summed over the reports that fell into it; every total (per day,
per window, per weapon, per attacker) is derived from the tallies the first time it is asked
for, then cached. Keeping the state that small is what lets :meth:`Escalation.fold` take
over a million barrages a second. The ids of the events folded are kept packed (16 bytes
each, in one ``bytes``), with the tally each went into (4 bytes each): a million events make
two byte strings rather than a million UUID objects, so a snapshot of the state is read
back, and folded on from, in milliseconds.

Definitions (the answers depend on them):

- A *reporting window* is an event's ``occurred_at`` .. ``occurred_until`` (the Air Force's
  "from 18:00 to 08:30"), as claimed by one claimant: ``claimed_by``, or the first source's
  name, or ``None``.
- A *day* is the UTC date of ``occurred_at``: an overnight barrage from 19:30 on 31 May, Kyiv
  time (16:30 UTC), counts on ``"2025-05-31"``. A ``"day"``- or ``"month"``-precision event,
  stored at local midnight, counts on its local date (see :mod:`timeline.projections._dates`).
- A figure a report does not give (``None``) is *unknown*, not zero: it adds nothing to the
  sum, and the number of reports that left it unknown is kept beside the sum. A sum is
  ``None`` when no report gave the figure at all.
- A *drone record* is a reporting window whose drones launched (summed over its
  :class:`~timeline.events.DroneBarrage` reports) beat every earlier window's, in the order
  the windows were first seen (valid-time order, in a replay).
"""

from __future__ import annotations

import array
import datetime as dt
import functools
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final, Self, TypeVar
from uuid import UUID

import attrs
import orjson
from pendulum import UTC, DateTime

from timeline.errors import DecodeError
from timeline.events.military import DroneBarrage, MissileStrike, Strike
from timeline.projections import _dates
from timeline.time import TimePrecision

if TYPE_CHECKING:
    from timeline.events import Event

__all__ = [
    "DRONE",
    "MISSILE",
    "STRIKE",
    "AttackerIntensity",
    "DayCount",
    "DayTotals",
    "DroneRecord",
    "Escalation",
    "EscalationState",
    "Figures",
    "Tallies",
    "Tally",
    "WeaponTotals",
    "Window",
]

#: The kinds of attack a tally counts.
DRONE: Final = "drone"
MISSILE: Final = "missile"
STRIKE: Final = "strike"
_KINDS: Final = (DRONE, MISSILE, STRIKE)

K = TypeVar("K")

#: The ``array`` type code of 4-byte unsigned ints, in which a state keeps its event rows.
_ROW_CODE: Final = next(code for code in "IL" if array.array(code).itemsize == 4)  # noqa: PLR2004  # 4 bytes
#: Stored rows are little-endian, whatever the machine's byte order.
_SWAP: Final = sys.byteorder != "little"
_ID_SIZE: Final = 16


def _unpack_rows(packed: bytes) -> array.array[int]:
    """The rows of :attr:`Tallies.rows` as an array of ints."""
    rows = array.array(_ROW_CODE)
    rows.frombytes(packed)
    if _SWAP:  # pragma: no cover  # big-endian machines
        rows.byteswap()
    return rows


def _pack_rows(rows: array.array[int]) -> bytes:
    """An array of rows as :attr:`Tallies.rows` keeps them (4-byte little-endian)."""
    if _SWAP:  # pragma: no cover  # big-endian machines
        rows = array.array(_ROW_CODE, rows)
        rows.byteswap()
    return rows.tobytes()


def _id_at(packed: bytes, i: int) -> UUID:
    return UUID(bytes=packed[_ID_SIZE * i : _ID_SIZE * (i + 1)])


# -- the packed form of the tallies (what a snapshot stores) ---------------------------------------

#: Starts :meth:`Tallies.to_packed`'s bytes; the digit is the format's version.
_PACKED_MAGIC: Final = b"timeline.tallies/1\n"
#: Columns of whole numbers (``None`` allowed), packed as 8-byte little-endian ints.
_INT_COLUMNS: Final = (
    "window",
    "launched",
    "destroyed",
    "lost",
    "launched_unknown",
    "destroyed_unknown",
    "lost_unknown",
    "reports",
)
#: Columns that repeat a few values, packed as the distinct values and a 4-byte code per row.
_CODED_COLUMNS: Final = ("start", "end", "precision", "claimant", "kind", "attacker", "weapon")
_COLUMNS: Final = ("window", "start", "end", "precision", "claimant", "kind", "attacker", "weapon",
                   "launched", "destroyed", "lost", "launched_unknown", "destroyed_unknown",
                   "lost_unknown", "reports")  # fmt: skip
_INSTANT_COLUMNS: Final = frozenset({"start", "end"})
#: ``None`` in a packed int column (the figures are never negative).
_NONE_INT: Final = -1
_NONE_FOR: Final = {_NONE_INT: None}
_INT64: Final = 2**63
_EPOCH: Final = DateTime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = dt.timedelta(microseconds=1)
#: Beyond this many unread layers of lazily joined columns, a fold joins them (so that a
#: long run of small folds never builds a deep chain of joins).
_MAX_DEPTH: Final = 8


def _ints(packed: memoryview, code: str) -> array.array[int]:
    values = array.array(code)
    values.frombytes(packed)
    if _SWAP:  # pragma: no cover  # big-endian machines
        values.byteswap()
    return values


def _micros(at: DateTime | None) -> int | None:
    """An instant as whole microseconds since the epoch (UTC)."""
    return None if at is None else dt.datetime.__sub__(at, _EPOCH) // _MICROSECOND


def _instant(micros: int | None) -> DateTime | None:
    """The instant ``micros`` microseconds after the epoch, a pendulum ``DateTime`` in UTC."""
    if micros is None:
        return None
    # datetime's own addition, not pendulum's: a hundred times faster, and still a DateTime.
    at: DateTime = dt.datetime.__add__(_EPOCH, dt.timedelta(0, 0, micros))
    return at


class _Lazy:
    """How to make the columns of a :class:`Tallies` not made yet, and what is known already.

    ``make`` maps a field's name to a function that returns its value; the value is kept the
    first time the field is read. ``rows``, ``folded`` and ``frontier`` are what a fold needs
    without reading any column.
    """

    __slots__ = ("depth", "folded", "frontier", "make", "rows")

    def __init__(
        self,
        make: dict[str, Callable[[], Any]],
        *,
        rows: int,
        folded: int,
        frontier: tuple[int, DateTime | None, tuple[int, ...]],
        depth: int,
    ) -> None:
        self.make = make
        self.rows = rows
        self.folded = folded
        self.frontier = frontier
        self.depth = depth


def _joined(base: Tallies, name: str, more: Any) -> Any:
    """A column (or ``ids``, ``rows``) of ``base`` followed by ``more``."""
    return getattr(base, name) + more


def _int_code(largest: int, *, signed: bool) -> str:
    """The ``array`` type code of the narrowest ints (1, 2, 4 or 8 bytes) that hold ``largest``."""
    for code in "bhiq" if signed else "BHIQ":
        size = array.array(code).itemsize
        if largest < 2 ** (8 * size - signed):
            return code
    raise ValueError(largest)  # pragma: no cover  # callers keep to 63 bits


def _pack_ints(column: tuple[int | None, ...], put: Callable[[bytes], list[int]]) -> Any:
    if all(x is None or 0 <= x < _INT64 for x in column):
        code = _int_code(max((x for x in column if x is not None), default=0), signed=True)
        values = array.array(code, [_NONE_INT if x is None else x for x in column])
        if _SWAP:  # pragma: no cover  # big-endian machines
            values.byteswap()
        return ["int", None in column, values.itemsize, *put(values.tobytes())]
    # A figure beyond 63 bits (JSON numbers stop at 64): kept whole, as decimal text.
    return ["text", [None if x is None else str(x) for x in column]]


def _read_text_ints(values: list[str | None]) -> tuple[int | None, ...]:
    return tuple(None if v is None else int(v) for v in values)


def _pack_codes(name: str, column: tuple[Any, ...], put: Callable[[bytes], list[int]]) -> list[Any]:
    distinct: dict[Any, int] = {}
    numbers = [distinct.setdefault(v, len(distinct)) for v in column]
    codes = array.array(_int_code(len(distinct), signed=False), numbers)
    if _SWAP:  # pragma: no cover  # big-endian machines
        codes.byteswap()
    if name in _INSTANT_COLUMNS:
        values: list[Any] = [_micros(v) for v in distinct]
    elif name == "precision":
        values = [v.value for v in distinct]
    else:
        values = list(distinct)
    return ["codes", values, codes.itemsize, *put(codes.tobytes())]


#: The ``array`` type codes of signed and unsigned ints by size in bytes.
_SIGNED: Final = {array.array(c).itemsize: c for c in "qihb"}
_UNSIGNED: Final = {array.array(c).itemsize: c for c in "QIHB"}


def _read_ints(
    packed: memoryview, nullable: bool, size: int
) -> tuple[int | None, ...]:  # as stored
    values = _ints(packed, _SIGNED[size])
    if nullable:
        return tuple(map(_NONE_FOR.get, values, values))
    return tuple(values)


def _read_codes(name: str, values: list[Any], packed: memoryview, size: int) -> tuple[Any, ...]:
    codes = _ints(packed, _UNSIGNED[size])
    if name in _INSTANT_COLUMNS:
        made: list[Any] = [_instant(v) for v in values]
    elif name == "precision":
        made = [TimePrecision(v) for v in values]
    else:
        made = values
    return tuple(map(made.__getitem__, codes))  # a code beyond the values: IndexError


def _section(area: memoryview, where: Any, size: int, name: str) -> memoryview:
    """``area[offset : offset + length]`` for ``where = [offset, length]``, checked."""
    if (
        type(where) is not list
        or len(where) != 2  # noqa: PLR2004  # [offset, length]
        or any(type(x) is not int or x < 0 for x in where)
        or where[1] != size
        or where[0] + size > len(area)
    ):
        raise ValueError(f"packed tallies: {name!r} is not {size} stored bytes: {where!r}")
    return area[where[0] : where[0] + size]


@attrs.frozen
class Figures:
    """Launched, destroyed and lost, summed over reports, and how many left each unknown.

    Attributes:
        launched: the sum of the launched figures given, or ``None`` if none was.
        destroyed: likewise for destroyed.
        lost: likewise for lost (to electronic warfare, "locationally lost").
        launched_unknown: how many reports did not give launched.
        destroyed_unknown: how many did not give destroyed.
        lost_unknown: how many did not give lost.
        reports: how many reports were summed.

    >>> Figures(launched=472, destroyed=None, destroyed_unknown=1, reports=1).destroyed_unknown
    1
    """

    launched: int | None = None
    destroyed: int | None = None
    lost: int | None = None
    launched_unknown: int = 0
    destroyed_unknown: int = 0
    lost_unknown: int = 0
    reports: int = 0


@attrs.frozen
class Tally:
    """One claimant's figures for one weapon of one attacker in one reporting window.

    A row of :class:`Tallies`, made when asked for.
    """

    window: int
    start: DateTime
    end: DateTime | None
    precision: TimePrecision
    claimant: str | None
    kind: str
    attacker: str | None
    weapon: str | None
    figures: Figures
    event_ids: tuple[UUID, ...]


@attrs.frozen
class Tallies:
    """The escalation state's table, one column per field, one row per tally.

    Columns rather than rows, so that folding a million reports builds a few tuples instead
    of a million objects. Index it (``tallies[0]``) or iterate it to get :class:`Tally` rows.

    ``window`` numbers the reporting windows in the order they were first seen. ``ids`` and
    ``rows`` have one entry per event folded, packed: its id (16 bytes, as ``UUID.bytes``)
    and the row it went into (a 4-byte little-endian unsigned int). :attr:`event_id` and
    :attr:`event_tally` give them unpacked, and :attr:`folded` counts them.

    Tallies read from a snapshot (:meth:`from_packed`), or folded on from such, make each
    column the first time it is read and keep it; otherwise they are like any others (equal,
    hashed, printed and pickled by their columns).

    >>> import pendulum
    >>> from timeline.events import DroneBarrage
    >>> night = dict(occurred_at=pendulum.datetime(2025, 5, 31, 16, 30), attacker="Russia",
    ...              weapon="Shahed-136/131")
    >>> events = [DroneBarrage(launched=60, **night), DroneBarrage(launched=12, **night)]
    >>> tallies = Escalation().fold(Escalation().initial(), events).tallies
    >>> len(tallies), tallies.folded, len(tallies.ids)
    (1, 2, 32)
    >>> tallies.event_id == tuple(e.event_id for e in events), tallies.event_tally
    (True, (0, 0))
    >>> tallies[0].event_ids == tallies.event_id
    True
    """

    window: tuple[int, ...] = ()
    start: tuple[DateTime, ...] = ()
    end: tuple[DateTime | None, ...] = ()
    precision: tuple[TimePrecision, ...] = ()
    claimant: tuple[str | None, ...] = ()
    kind: tuple[str, ...] = ()
    attacker: tuple[str | None, ...] = ()
    weapon: tuple[str | None, ...] = ()
    launched: tuple[int | None, ...] = ()
    destroyed: tuple[int | None, ...] = ()
    lost: tuple[int | None, ...] = ()
    launched_unknown: tuple[int, ...] = ()
    destroyed_unknown: tuple[int, ...] = ()
    lost_unknown: tuple[int, ...] = ()
    reports: tuple[int, ...] = ()
    ids: bytes = b""
    rows: bytes = b""
    #: The columns not made yet (a snapshot's, or a fold's join), or ``None``: all made.
    _lazy: _Lazy | None = attrs.field(default=None, init=False, eq=False, repr=False)

    if not TYPE_CHECKING:  # hidden from mypy, so that a misspelt attribute stays an error

        def __getattr__(self, name: str) -> Any:
            """Make a column not made yet (see :meth:`from_packed`), keeping it."""
            lazy = object.__getattribute__(self, "_lazy")
            make = None if lazy is None else lazy.make.get(name)
            if make is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            try:
                value = make()
            except (ValueError, TypeError, IndexError, KeyError) as e:
                raise DecodeError(
                    f"packed tallies: cannot read column {name!r}: {type(e).__name__}: {e}",
                    reason=f"{type(e).__name__}: {e}",
                ) from e
            object.__setattr__(self, name, value)
            return value

    def __getstate__(self) -> dict[str, Any]:
        """Every column, made (for pickle and copy): what is left packed is not kept."""
        return {name: getattr(self, name) for name in (*_COLUMNS, "ids", "rows")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_lazy", None)

    def __len__(self) -> int:
        lazy = self._lazy
        return len(self.window) if lazy is None else lazy.rows

    @functools.cached_property
    def _frontier(self) -> tuple[int, DateTime | None, tuple[int, ...]]:
        """How many windows, the latest start, and the rows that start then: where folds go on."""
        lazy = self._lazy
        if lazy is not None:
            return lazy.frontier
        latest = max(self.start) if self.start else None
        block = tuple(i for i, s in enumerate(self.start) if s == latest)
        return (max(self.window) + 1 if self.window else 0, latest, block)

    def to_packed(self) -> bytes:
        """The tallies as bytes (what a snapshot stores), read back by :meth:`from_packed`.

        A JSON header (counts, the fold's frontier, each column's distinct values) and then
        the columns packed: whole numbers as 8-byte ints, repeating values (instants, names,
        kinds) as 4-byte codes, the event ids and rows as they are kept. See
        ``docs/snapshots.md``.
        """
        sections: list[bytes] = []
        size = 0

        def put(section: bytes) -> list[int]:
            nonlocal size
            sections.append(section)
            size += len(section)
            return [size - len(section), len(section)]

        windows, latest, block = self._frontier
        columns = {name: _pack_ints(getattr(self, name), put) for name in _INT_COLUMNS}
        columns |= {name: _pack_codes(name, getattr(self, name), put) for name in _CODED_COLUMNS}
        header = {
            "rows": len(self),
            "folded": self.folded,
            "windows": windows,
            "latest": _micros(latest),
            "block": list(block),
            "columns": columns,
            "ids": put(self.ids),
            "event_rows": put(self.rows),
        }
        head = orjson.dumps(header)
        return b"".join((_PACKED_MAGIC, len(head).to_bytes(8, "little"), head, *sections))

    @classmethod
    def from_packed(cls, data: bytes | memoryview) -> Self:
        """Tallies from :meth:`to_packed`'s bytes; each column is made when first read.

        Reading a snapshot of a million events so costs its header alone; folding on from it
        reads no column either (see :meth:`Escalation.fold`).

        Raises:
            ValueError: if ``data`` is not packed tallies (another format, or damaged); a
                column found damaged only when read raises :class:`~timeline.errors.DecodeError`.
        """
        view = memoryview(data)
        start = len(_PACKED_MAGIC) + 8
        if bytes(view[: len(_PACKED_MAGIC)]) != _PACKED_MAGIC or len(view) < start:
            raise ValueError("not packed tallies (or another version of the format)")
        end = start + int.from_bytes(view[start - 8 : start], "little")
        try:
            header = orjson.loads(view[start:end])
        except orjson.JSONDecodeError as e:
            raise ValueError(f"packed tallies: the header is not JSON: {e}") from e
        area = view[end:]
        if type(header) is not dict or type(header.get("columns")) is not dict:
            raise ValueError("packed tallies: the header is not an object with columns")
        counts: list[Any] = [header.get(key) for key in ("rows", "folded", "windows")]
        if any(type(x) is not int or x < 0 for x in counts):
            raise ValueError(f"packed tallies: bad counts of rows, events, windows {counts!r}")
        rows, folded, windows = (int(x) for x in counts)
        block = header.get("block")
        if type(block) is not list or any(type(i) is not int or not 0 <= i < rows for i in block):
            raise ValueError(f"packed tallies: bad frontier rows {block!r}")
        latest = header.get("latest")
        if latest is not None and type(latest) is not int:
            raise ValueError(f"packed tallies: bad latest start {latest!r}")
        make: dict[str, Callable[[], Any]] = {}
        for name in _COLUMNS:
            make[name] = cls._column_maker(name, header["columns"].get(name), area, rows)
        ids = _section(area, header.get("ids"), _ID_SIZE * folded, "ids")
        event_rows = _section(area, header.get("event_rows"), 4 * folded, "event_rows")
        make["ids"] = functools.partial(bytes, ids)
        make["rows"] = functools.partial(bytes, event_rows)
        made = object.__new__(cls)
        frontier = (windows, _instant(latest), tuple(block))
        lazy = _Lazy(make, rows=rows, folded=folded, frontier=frontier, depth=1)
        object.__setattr__(made, "_lazy", lazy)
        return made

    @staticmethod
    def _column_maker(name: str, spec: Any, area: memoryview, rows: int) -> Callable[[], Any]:
        """The function that reads one packed column (its place checked now, its values later)."""
        if type(spec) is not list or not spec:
            raise ValueError(f"packed tallies: no column {name!r}")
        how = spec[0]
        if how == "text" and len(spec) == 2 and type(spec[1]) is list and len(spec[1]) == rows:  # noqa: PLR2004  # ["text", values]
            return functools.partial(_read_text_ints, spec[1])
        size = spec[2] if len(spec) == 5 else None  # noqa: PLR2004  # [how, what, size, offset, length]
        if how == "int" and name in _INT_COLUMNS and size in _SIGNED and type(spec[1]) is bool:
            packed = _section(area, spec[3:], size * rows, name)
            return functools.partial(_read_ints, packed, spec[1], size)
        if (
            how == "codes"
            and name in _CODED_COLUMNS
            and size in _UNSIGNED
            and type(spec[1]) is list
        ):
            packed = _section(area, spec[3:], size * rows, name)
            return functools.partial(_read_codes, name, spec[1], packed, size)
        raise ValueError(f"packed tallies: column {name!r} is not stored as expected")

    def __iter__(self) -> Iterator[Tally]:
        return (self[i] for i in range(len(self.window)))

    def __getitem__(self, i: int) -> Tally:
        i = range(len(self.window))[i]  # negative indices, and IndexError when out of range
        return Tally(
            window=self.window[i],
            start=self.start[i],
            end=self.end[i],
            precision=self.precision[i],
            claimant=self.claimant[i],
            kind=self.kind[i],
            attacker=self.attacker[i],
            weapon=self.weapon[i],
            figures=self.figures(i),
            event_ids=self.event_ids[i],
        )

    def figures(self, i: int) -> Figures:
        """The figures of row ``i``."""
        return Figures(
            launched=self.launched[i],
            destroyed=self.destroyed[i],
            lost=self.lost[i],
            launched_unknown=self.launched_unknown[i],
            destroyed_unknown=self.destroyed_unknown[i],
            lost_unknown=self.lost_unknown[i],
            reports=self.reports[i],
        )

    @property
    def folded(self) -> int:
        """How many events were folded into the tallies."""
        lazy = self._lazy
        return len(self.ids) // _ID_SIZE if lazy is None else lazy.folded

    @functools.cached_property
    def event_id(self) -> tuple[UUID, ...]:
        """The id of each event folded, in the order folded (made on first use)."""
        packed = self.ids
        return tuple(UUID(bytes=packed[i : i + _ID_SIZE]) for i in range(0, len(packed), _ID_SIZE))

    @functools.cached_property
    def event_tally(self) -> tuple[int, ...]:
        """The row each event folded went into, in the order folded."""
        return tuple(_unpack_rows(self.rows))

    @functools.cached_property
    def event_ids(self) -> tuple[tuple[UUID, ...], ...]:
        """Per row, the ids of the events that fell into it, in the order folded."""
        ids: list[list[UUID]] = [[] for _ in self.window]
        for event_id, row in zip(self.event_id, self.event_tally, strict=True):
            ids[row].append(event_id)
        return tuple(tuple(x) for x in ids)


@attrs.frozen
class Window:
    """One reporting window as one claimant reported it, all kinds and weapons together."""

    start: DateTime
    end: DateTime | None
    claimant: str | None
    day: str
    drones: Figures
    missiles: Figures
    strikes: int
    tallies: tuple[Tally, ...]

    @property
    def event_ids(self) -> tuple[UUID, ...]:
        """The ids of the window's events."""
        return tuple(i for t in self.tallies for i in t.event_ids)


@attrs.frozen
class DayTotals:
    """Everything that started on one day (``"2025-05-31"``)."""

    day: str
    drones: Figures
    missiles: Figures
    strikes: int


@attrs.frozen
class WeaponTotals:
    """All the figures for one weapon ("Shahed-136/131") of one kind."""

    kind: str
    weapon: str | None
    figures: Figures


@attrs.frozen
class DroneRecord:
    """A reporting window with more drones launched than any before it.

    Attributes:
        launched: the drones launched in the window (summed over its reports).
        previous: the record it broke, or ``None`` for the first.
        start: the window's start.
        end: the window's end, if given.
        day: the day it counts on.
        claimant: whose figure it is ("Ukrainian Air Force").
        event_ids: the window's drone reports; the first is :attr:`event_id`.
    """

    launched: int
    previous: int | None
    start: DateTime
    end: DateTime | None
    day: str
    claimant: str | None
    event_ids: tuple[UUID, ...]

    @property
    def event_id(self) -> UUID:
        """The (first) report that set the record."""
        return self.event_ids[0]


@attrs.frozen
class DayCount:
    """A count on one day; ``unknown`` reports that gave no figure."""

    day: str
    launched: int
    unknown: int


@attrs.frozen
class AttackerIntensity:
    """Drones and missiles launched by one attacker, per day."""

    attacker: str | None
    days: tuple[DayCount, ...]


class _Sum:
    """A mutable sum of figures, for deriving the views."""

    __slots__ = ("d", "du", "lo", "lou", "n", "nu", "reports")

    def __init__(self) -> None:
        self.n: int | None = None
        self.d: int | None = None
        self.lo: int | None = None
        self.nu = self.du = self.lou = self.reports = 0

    def add(self, t: Tallies, i: int) -> None:
        n, d, lo = t.launched[i], t.destroyed[i], t.lost[i]
        if n is not None:
            self.n = n if self.n is None else self.n + n
        if d is not None:
            self.d = d if self.d is None else self.d + d
        if lo is not None:
            self.lo = lo if self.lo is None else self.lo + lo
        self.nu += t.launched_unknown[i]
        self.du += t.destroyed_unknown[i]
        self.lou += t.lost_unknown[i]
        self.reports += t.reports[i]

    def figures(self) -> Figures:
        return Figures(
            launched=self.n,
            destroyed=self.d,
            lost=self.lo,
            launched_unknown=self.nu,
            destroyed_unknown=self.du,
            lost_unknown=self.lou,
            reports=self.reports,
        )


@attrs.frozen
class EscalationState:
    """What :class:`Escalation` knows: the tallies, and what is derived from them.

    The totals and records are computed from the tallies on first use, then cached.

    >>> import pendulum
    >>> from timeline.events import DroneBarrage
    >>> night = DroneBarrage(
    ...     occurred_at=pendulum.datetime(2025, 5, 31, 16, 30),
    ...     occurred_until=pendulum.datetime(2025, 6, 1, 10, 30),
    ...     attacker="Russia", weapon="Shahed-136/131", launched=472,
    ...     claimed_by="Ukrainian Air Force")
    >>> state = Escalation().fold(Escalation().initial(), [night])
    >>> state.drones.launched, state.drones.destroyed, state.drones.destroyed_unknown
    (472, None, 1)
    >>> state.days[0].day
    '2025-05-31'
    >>> record = state.largest_drone_window
    >>> record.launched, record.claimant, record.event_id == night.event_id
    (472, 'Ukrainian Air Force', True)
    """

    tallies: Tallies = Tallies()

    def _sums(self, keys: Iterable[K]) -> dict[K, _Sum]:
        """Sum the tallies by a key per row, in the order the keys first appear."""
        t = self.tallies
        out: dict[K, _Sum] = {}
        for i, k in enumerate(keys):
            acc = out.get(k)
            if acc is None:
                acc = out[k] = _Sum()
            acc.add(t, i)
        return out

    @functools.cached_property
    def _days(self) -> tuple[str, ...]:
        t = self.tallies
        labels: dict[int, str] = {}
        out = []
        for start, precision in zip(t.start, t.precision, strict=True):
            ordinal = _dates.day_ordinal(start, precision)
            text = labels.get(ordinal)
            if text is None:
                text = labels[ordinal] = _dates.day_label(ordinal)
            out.append(text)
        return tuple(out)

    @functools.cached_property
    def _kinds(self) -> dict[str, _Sum]:
        return self._sums(self.tallies.kind)

    def _kind_totals(self, kind: str) -> Figures:
        acc = self._kinds.get(kind)
        return acc.figures() if acc is not None else Figures()

    @functools.cached_property
    def drones(self) -> Figures:
        """All drone figures together."""
        return self._kind_totals(DRONE)

    @functools.cached_property
    def missiles(self) -> Figures:
        """All missile figures together."""
        return self._kind_totals(MISSILE)

    @functools.cached_property
    def strikes(self) -> int:
        """How many strike reports."""
        return self._kind_totals(STRIKE).reports

    @functools.cached_property
    def windows(self) -> tuple[Window, ...]:
        """Every reporting window, in the order first seen."""
        t = self.tallies
        sums = self._sums(zip(t.window, t.kind, strict=True))
        rows: dict[int, list[int]] = {}
        for i, w in enumerate(t.window):
            rows.setdefault(w, []).append(i)
        empty = Figures()
        out = []
        for w, members in rows.items():
            first = members[0]
            drones, missiles, strikes = (sums.get((w, k)) for k in _KINDS)
            out.append(
                Window(
                    start=t.start[first],
                    end=t.end[first],
                    claimant=t.claimant[first],
                    day=self._days[first],
                    drones=drones.figures() if drones else empty,
                    missiles=missiles.figures() if missiles else empty,
                    strikes=strikes.reports if strikes else 0,
                    tallies=tuple(t[i] for i in members),
                )
            )
        return tuple(out)

    @functools.cached_property
    def days(self) -> tuple[DayTotals, ...]:
        """Totals per day, in date order."""
        sums = self._sums(zip(self._days, self.tallies.kind, strict=True))
        empty = Figures()
        out = []
        for day in sorted({d for d, _ in sums}):
            drones, missiles, strikes = (sums.get((day, k)) for k in _KINDS)
            out.append(
                DayTotals(
                    day=day,
                    drones=drones.figures() if drones else empty,
                    missiles=missiles.figures() if missiles else empty,
                    strikes=strikes.reports if strikes else 0,
                )
            )
        return tuple(out)

    def day(self, day: str) -> DayTotals:
        """The totals of one day (``"2025-05-31"``); zeros for a day with no reports."""
        for totals in self.days:
            if totals.day == day:
                return totals
        return DayTotals(day=day, drones=Figures(), missiles=Figures(), strikes=0)

    @functools.cached_property
    def weapons(self) -> tuple[WeaponTotals, ...]:
        """Totals per kind and weapon, by kind then weapon name (unnamed last)."""
        t = self.tallies
        sums = self._sums(zip(t.kind, t.weapon, strict=True))
        keys = sorted(sums, key=lambda k: (_KINDS.index(k[0]), k[1] is None, k[1] or ""))
        return tuple(
            WeaponTotals(kind=kind, weapon=weapon, figures=sums[kind, weapon].figures())
            for kind, weapon in keys
        )

    @functools.cached_property
    def drone_records(self) -> tuple[DroneRecord, ...]:
        """The record-breaking drone windows, oldest first; the last is the standing record."""
        t = self.tallies
        totals: dict[int, int] = {}
        firsts: dict[int, int] = {}
        for i, (w, kind, n) in enumerate(zip(t.window, t.kind, t.launched, strict=True)):
            if kind != DRONE:
                continue
            firsts.setdefault(w, i)
            if n is not None:
                totals[w] = totals.get(w, 0) + n
        breaking: list[tuple[int, int, int | None]] = []  # window, launched, previous record
        best: int | None = None
        for w in sorted(firsts):
            n = totals.get(w)
            if n is not None and (best is None or n > best):
                breaking.append((w, n, best))
                best = n
        ids: dict[int, list[UUID]] = {w: [] for w, _, _ in breaking}
        wanted = {
            i
            for i, (w, kind) in enumerate(zip(t.window, t.kind, strict=True))
            if kind == DRONE and w in ids
        }
        for at, row in enumerate(_unpack_rows(t.rows)):
            if row in wanted:
                ids[t.window[row]].append(_id_at(t.ids, at))
        return tuple(
            DroneRecord(
                launched=n,
                previous=previous,
                start=t.start[firsts[w]],
                end=t.end[firsts[w]],
                day=self._days[firsts[w]],
                claimant=t.claimant[firsts[w]],
                event_ids=tuple(ids[w]),
            )
            for w, n, previous in breaking
        )

    @property
    def largest_drone_window(self) -> DroneRecord | None:
        """The standing record: the most drones launched in one reporting window so far."""
        records = self.drone_records
        return records[-1] if records else None

    def drone_record_as_of(self, at: dt.datetime) -> DroneRecord | None:
        """The record as it stood at ``at``: the last one whose window started by then."""
        standing = None
        for record in self.drone_records:
            if record.start <= at:
                standing = record
        return standing

    @functools.cached_property
    def intensity(self) -> tuple[AttackerIntensity, ...]:
        """Per attacker (in the order first seen), drones and missiles launched per day."""
        t = self.tallies
        per: dict[str | None, dict[str, list[int]]] = {}
        for i, kind in enumerate(t.kind):
            if kind == STRIKE:
                continue
            days = per.setdefault(t.attacker[i], {})
            acc = days.get(self._days[i])
            if acc is None:
                acc = days[self._days[i]] = [0, 0]
            n = t.launched[i]
            if n is not None:
                acc[0] += n
            acc[1] += t.launched_unknown[i]
        return tuple(
            AttackerIntensity(
                attacker=attacker,
                days=tuple(
                    DayCount(day=d, launched=n, unknown=u) for d, (n, u) in sorted(days.items())
                ),
            )
            for attacker, days in per.items()
        )

    def launched_per_day(self, attacker: str | None) -> dict[str, int]:
        """``{day: launched}`` for one attacker (drones and missiles; known figures only)."""
        for series in self.intensity:
            if series.attacker == attacker:
                return {c.day: c.launched for c in series.days}
        return {}


class _Fold:
    """The mutable accumulator behind :meth:`Escalation.fold`: column lists, grown in place.

    Finding a report's tally is the hot path. Reports come in valid-time order in a replay,
    so a report's window almost always starts at the latest start seen: the tallies of that
    start (the *block*) are scanned, comparing datetimes (cheap) rather than hashing them
    (slow for aware datetimes). A report that starts earlier than the latest start (folding
    out of order) falls back on an index by start, built the first time it is needed.

    The state's own rows are left alone (not even read: a snapshot's columns stay packed)
    until a report falls into one of them: the lists hold the new rows only, from row
    ``off`` on. Folding on from a snapshot taken at ``as_of`` only ever adds rows (its tail
    starts after ``as_of``), so the new state shares the old one's columns, joined to the new
    rows when first read. A report that does fall into an old row first copies the old
    columns into the lists (``off`` becomes 0), as a fold always did.
    """

    def __init__(self, state: EscalationState) -> None:
        t = self.base = state.tallies
        self.window: list[int] = []
        self.start: list[DateTime] = []
        self.end: list[DateTime | None] = []
        self.precision: list[TimePrecision] = []
        self.claimant: list[str | None] = []
        self.kind: list[str] = []
        self.attacker: list[str | None] = []
        self.weapon: list[str | None] = []
        self.launched: list[int | None] = []
        self.destroyed: list[int | None] = []
        self.lost: list[int | None] = []
        self.launched_unknown: list[int] = []
        self.destroyed_unknown: list[int] = []
        self.lost_unknown: list[int] = []
        self.reports: list[int] = []
        self.ids = bytearray()
        self.rows = array.array(_ROW_CODE)
        self.off = len(t)
        self.windows, self.max_start, base_block = t._frontier  # noqa: SLF001  # its own state
        self.base_block = list(base_block)
        self.block: list[int] = []
        self.index: dict[tuple[int, ...], list[int]] | None = None
        # The loop records each event's row as its place in the lists; the first ``upto``
        # were recorded before the old rows came in, so they are ``by`` short.
        self.upto, self.by = 0, 0
        lazy = t._lazy  # noqa: SLF001  # likewise
        if self.off and lazy is not None and lazy.depth >= _MAX_DEPTH:
            self.materialize()  # join the layers now rather than stack another

    def materialize(self) -> None:
        """Copy the state's own rows in front of the new ones: every row is in the lists now."""
        off = self.off
        if not off:
            return
        base = self.base
        for name in _COLUMNS:
            getattr(self, name)[:0] = getattr(base, name)
        self.block = self.base_block + [i + off for i in self.block]
        self.base_block = []
        self.upto, self.by = len(self.rows), off
        self.off = 0

    def state(self, old: EscalationState) -> EscalationState:
        base, off, windows = self.base, self.off, self.windows
        # The rows at the latest start, numbered from the first old row.
        block = (*self.base_block, *(i + off for i in self.block))
        frontier = (windows, self.max_start, block)
        placed = self.rows
        if off:  # every row recorded is a place in the lists, which start at row ``off``
            placed = array.array(_ROW_CODE, [row + off for row in placed])
        for k in range(self.upto):
            placed[k] += self.by
        ids, rows = bytes(self.ids), _pack_rows(placed)
        if off and not ids:  # nothing counted: the state as it was
            return old
        if off:  # the old rows untouched: share them, joined to the new ones when read
            make: dict[str, Callable[[], Any]] = {
                name: functools.partial(_joined, base, name, tuple(getattr(self, name)))
                for name in _COLUMNS
            }
            make["ids"] = functools.partial(_joined, base, "ids", ids)
            make["rows"] = functools.partial(_joined, base, "rows", rows)
            lazy = base._lazy  # noqa: SLF001  # its own state
            depth = 1 if lazy is None else lazy.depth + 1
            made = object.__new__(Tallies)
            joined = _Lazy(
                make,
                rows=off + len(self.window),
                folded=base.folded + len(ids) // _ID_SIZE,
                frontier=frontier,
                depth=depth,
            )
            object.__setattr__(made, "_lazy", joined)
            return EscalationState(tallies=made)
        tallies = Tallies(
            window=tuple(self.window),
            start=tuple(self.start),
            end=tuple(self.end),
            precision=tuple(self.precision),
            claimant=tuple(self.claimant),
            kind=tuple(self.kind),
            attacker=tuple(self.attacker),
            weapon=tuple(self.weapon),
            launched=tuple(self.launched),
            destroyed=tuple(self.destroyed),
            lost=tuple(self.lost),
            launched_unknown=tuple(self.launched_unknown),
            destroyed_unknown=tuple(self.destroyed_unknown),
            lost_unknown=tuple(self.lost_unknown),
            reports=tuple(self.reports),
            ids=base.ids + ids if base.folded else ids,
            rows=base.rows + rows if base.folded else rows,
        )
        object.__setattr__(tallies, "_frontier", frontier)  # known: no need to look for it
        return EscalationState(tallies=tallies)

    @staticmethod
    def _key(at: dt.datetime) -> tuple[int, ...]:
        # Instants are UTC, so equal fields are equal instants; cheaper than hash(datetime).
        return (at.toordinal(), at.hour, at.minute, at.second, at.microsecond)

    def _build_index(self) -> dict[tuple[int, ...], list[int]]:
        self.materialize()
        index: dict[tuple[int, ...], list[int]] = {}
        for i, s in enumerate(self.start):
            index.setdefault(self._key(s), []).append(i)
        return index

    def run(self, events: Iterable[Event]) -> None:  # noqa: C901, PLR0912, PLR0915  # the hot loop is kept in one piece, on locals, for speed
        kinds: dict[type, str] = {DroneBarrage: DRONE, MissileStrike: MISSILE, Strike: STRIKE}
        kinds_get = kinds.get
        window, end_c, claimant_c = self.window, self.end, self.claimant
        kind_c, attacker_c, weapon_c = self.kind, self.attacker, self.weapon
        launched_c, destroyed_c, lost_c = self.launched, self.destroyed, self.lost
        lu_c, du_c, lou_c, reports_c = (
            self.launched_unknown,
            self.destroyed_unknown,
            self.lost_unknown,
            self.reports,
        )
        window_add, start_add, end_add = window.append, self.start.append, end_c.append
        precision_add, claimant_add, kind_add = (
            self.precision.append,
            claimant_c.append,
            kind_c.append,
        )
        attacker_add, weapon_add = attacker_c.append, weapon_c.append
        launched_add, destroyed_add, lost_add = (
            launched_c.append,
            destroyed_c.append,
            lost_c.append,
        )
        lu_add, du_add, lou_add, reports_add = (
            lu_c.append,
            du_c.append,
            lou_c.append,
            reports_c.append,
        )
        ids, row_add = self.ids, self.rows.append
        block, max_start, windows, index = self.block, self.max_start, self.windows, self.index
        rows = len(window)
        # The state's own rows at the latest start: a report there first brings them in.
        pending = bool(self.off and self.base_block)
        key = self._key
        for event in events:
            kind = kinds_get(type(event))
            if not kind:
                if kind is None:
                    kind = kinds[type(event)] = _kind_of(type(event))
                if not kind:
                    continue
            start = event.occurred_at
            end = event.occurred_until
            claimant = event.claimed_by
            if claimant is None and event.sources:
                claimant = event.sources[0].name
            attacker = event.attacker  # type: ignore[attr-defined]  # an Attack or a Strike
            weapon = event.weapon  # type: ignore[attr-defined]  # likewise
            if kind is STRIKE:  # no figures to give, so none unknown
                n = d = lo = None
                unknown = 0
            else:
                n = event.launched  # type: ignore[attr-defined]  # an Attack
                d = event.destroyed  # type: ignore[attr-defined]  # likewise
                lo = event.lost  # type: ignore[attr-defined]  # likewise
                unknown = 1
            # Find the tally, and the window, this report falls into.
            row = w = -1
            if start == max_start:
                in_block = True
                if pending:
                    self.block = block
                    self.materialize()
                    block, rows, pending = self.block, len(window), False
                for i in block:
                    if end == end_c[i] and claimant == claimant_c[i]:
                        w = window[i]
                        if (
                            kind == kind_c[i]
                            and attacker == attacker_c[i]
                            and weapon == weapon_c[i]
                        ):
                            row = i
                            break
            elif max_start is None or start > max_start:
                in_block = True
                max_start = start
                block = []
                if pending:
                    self.base_block, pending = [], False
            else:  # out of valid-time order: look the start up
                in_block = False
                if index is None:
                    self.block = block
                    index = self._build_index()
                    block, rows, pending = self.block, len(window), False
                for i in index.get(key(start), ()):
                    if end == end_c[i] and claimant == claimant_c[i]:
                        w = window[i]
                        if (
                            kind == kind_c[i]
                            and attacker == attacker_c[i]
                            and weapon == weapon_c[i]
                        ):
                            row = i
                            break
            if row < 0:  # a new tally
                row = rows
                rows += 1
                if w < 0:
                    w = windows
                    windows += 1
                window_add(w)
                start_add(start)
                end_add(end)
                precision_add(event.time_precision)
                claimant_add(claimant)
                kind_add(kind)
                attacker_add(attacker)
                weapon_add(weapon)
                launched_add(n)
                destroyed_add(d)
                lost_add(lo)
                lu_add(unknown if n is None else 0)
                du_add(unknown if d is None else 0)
                lou_add(unknown if lo is None else 0)
                reports_add(1)
                if in_block:
                    block.append(row)
                if index is not None:
                    index.setdefault(key(start), []).append(row)
            else:
                if n is None:
                    lu_c[row] += unknown
                else:
                    old = launched_c[row]
                    launched_c[row] = n if old is None else old + n
                if d is None:
                    du_c[row] += unknown
                else:
                    old = destroyed_c[row]
                    destroyed_c[row] = d if old is None else old + d
                if lo is None:
                    lou_c[row] += unknown
                else:
                    old = lost_c[row]
                    lost_c[row] = lo if old is None else old + lo
                reports_c[row] += 1
            ids += event.event_id.int.to_bytes(16)
            row_add(row)
        self.block, self.max_start, self.windows, self.index = block, max_start, windows, index


def _kind_of(cls: type) -> str:
    """The kind of attack an event class counts as; ``""`` for events this ignores."""
    if issubclass(cls, DroneBarrage):
        return DRONE
    if issubclass(cls, MissileStrike):
        return MISSILE
    if issubclass(cls, Strike):
        return STRIKE
    return ""


class Escalation:
    """The escalation record: barrages and strikes per day, per window, by weapon; records.

    Counts :class:`~timeline.events.DroneBarrage`, :class:`~timeline.events.MissileStrike`
    (and subclasses) and :class:`~timeline.events.Strike` reports; ignores every other event.
    See the module for the definitions of window, day, unknown and record.

    ``apply`` is ``fold`` of one event, so the two always agree. A report that falls into an
    existing tally copies the state's columns, so fold batches (``replay`` does); reports
    that start after every tally (a replay's tail after a snapshot) share them instead.

    >>> import pendulum
    >>> from timeline.events import DroneBarrage, MissileStrike
    >>> window = dict(occurred_at=pendulum.datetime(2025, 6, 1, 18, 30),
    ...               occurred_until=pendulum.datetime(2025, 6, 2, 5, 30),
    ...               attacker="Russia", claimed_by="Ukrainian Air Force")
    >>> events = [DroneBarrage(weapon="Shahed-136/131", launched=80, destroyed=52, **window),
    ...           MissileStrike(weapon="Iskander-M/KN-23", launched=3, destroyed=0, **window)]
    >>> p = Escalation()
    >>> state = p.fold(p.initial(), events)
    >>> [(w.kind, w.weapon, w.figures.launched) for w in state.weapons]
    [('drone', 'Shahed-136/131', 80), ('missile', 'Iskander-M/KN-23', 3)]
    >>> state.launched_per_day("Russia")
    {'2025-06-01': 83}
    >>> len(state.windows), state.windows[0].missiles.launched
    (1, 3)
    >>> state.tallies.folded, state.tallies.event_id == tuple(e.event_id for e in events)
    (2, True)
    """

    name = "escalation"
    #: 2: event ids kept packed (``Tallies.ids`` and ``rows``), so version 1 snapshots,
    #: which held them as text, are never read. 3: snapshots store the tallies packed
    #: (:meth:`Tallies.to_packed`); version 2 snapshots are left unread.
    version = 3

    def initial(self) -> EscalationState:
        """No reports yet."""
        return EscalationState()

    def apply(self, state: EscalationState, event: Event) -> EscalationState:
        """The state after one more event (``fold`` of that one event)."""
        return self.fold(state, (event,))

    def fold(self, state: EscalationState, events: Iterable[Event]) -> EscalationState:
        """Fold a batch: equal to ``functools.reduce(self.apply, events, state)``, faster.

        The events' columns are grown in local lists and the frozen state is built once at
        the end; ``state`` is not changed. Fastest in valid-time order, as replay gives.
        """
        acc = _Fold(state)
        acc.run(events)
        return acc.state(state)
