"""Escalation's table: the kinds of attack, the figures and how they sum, the tallies.

The meaning of a tally is :mod:`timeline.projections.escalation`'s (see its definitions);
this module holds the table it keeps (:class:`Tallies`), with :meth:`Tallies.counting`, the
plain reference of counting one report, beside the engine's fast batch fold
(:mod:`timeline.projections._escalation_engine`) and the snapshot format
(:mod:`timeline.projections._escalation_packed`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final, Self
from uuid import UUID

import attrs
from pendulum import DateTime

from timeline.errors import DecodeError
from timeline.events.military import DroneBarrage, MissileStrike, Strike
from timeline.projections import _escalation_engine, _escalation_packed
from timeline.time import TimePrecision

if TYPE_CHECKING:
    from timeline.events import Event

__all__ = ["DRONE", "KINDS", "MISSILE", "STRIKE", "Figures", "Tallies", "Tally", "claimant_of",
           "kind_of", "plus"]  # fmt: skip

#: The kinds of attack a tally counts.
DRONE: Final = "drone"
MISSILE: Final = "missile"
STRIKE: Final = "strike"
KINDS: Final = (DRONE, MISSILE, STRIKE)

_ID_SIZE: Final = 16
#: The columns a new tally takes from its first report as they are.
_REPORT_COLUMNS: Final = ("start", "end", "precision", "zone", "claimant", "kind", "attacker",
                          "weapon")  # fmt: skip


def kind_of(cls: type) -> str:
    """The kind of attack an event class counts as; ``""`` for events this ignores."""
    if issubclass(cls, DroneBarrage):
        return DRONE
    if issubclass(cls, MissileStrike):
        return MISSILE
    if issubclass(cls, Strike):
        return STRIKE
    return ""


def claimant_of(event: Event) -> str | None:
    """Whose figures these are: ``claimed_by``, else the first source's name, else ``None``."""
    if event.claimed_by is None and event.sources:
        return event.sources[0].name
    return event.claimed_by


def plus(a: int | None, b: int | None) -> int | None:
    """Two sums of one figure together: unknown only if both are."""
    if a is None:
        return b
    return a if b is None else a + b


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

    @classmethod
    def of_report(cls, launched: int | None, destroyed: int | None, lost: int | None) -> Self:
        """One attack report's figures: each one it does not give counted as unknown.

        >>> Figures.of_report(80, None, 3)
        Figures(launched=80, destroyed=None, lost=3, launched_unknown=0, destroyed_unknown=1, lost_unknown=0, reports=1)
        """
        return cls(
            launched,
            destroyed,
            lost,
            int(launched is None),
            int(destroyed is None),
            int(lost is None),
            1,
        )

    def plus(self, other: Figures) -> Figures:
        """Both sums together: a sum is unknown only while no report gave its figure.

        >>> Figures.of_report(60, None, None).plus(Figures.of_report(12, 5, None)).destroyed
        5
        """
        return Figures(
            plus(self.launched, other.launched),
            plus(self.destroyed, other.destroyed),
            plus(self.lost, other.lost),
            self.launched_unknown + other.launched_unknown,
            self.destroyed_unknown + other.destroyed_unknown,
            self.lost_unknown + other.lost_unknown,
            self.reports + other.reports,
        )


@attrs.frozen
class Tally:
    """One claimant's figures for one weapon of one attacker in one reporting window.

    A row of :class:`Tallies`, made when asked for.
    """

    window: int
    start: DateTime
    end: DateTime | None
    precision: TimePrecision
    zone: str | None
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

    >>> import pendulum
    >>> from timeline.events import DroneBarrage
    >>> from timeline.projections.escalation import Escalation
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
    zone: tuple[str | None, ...] = ()
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
    #: Where a fold goes on (see :mod:`._escalation_engine`), when the engine made these
    #: tallies or a snapshot stored it; else found from the columns when first needed.
    _frontier: _escalation_engine.Frontier | None = attrs.field(
        default=None, init=False, eq=False, repr=False
    )
    #: Where the columns not made yet come from (a snapshot's bytes, or the tallies a fold
    #: added rows to), or ``None``: every column was given. See :class:`_Column`.
    _source: _Source | None = attrs.field(default=None, init=False, eq=False, repr=False)

    @classmethod
    def _of(cls, folded: _escalation_engine.Folded, base: Tallies) -> Tallies:
        """The tallies after a fold onto ``base`` (new rows shared with it, not copied)."""
        if not folded.appended:
            made = cls(**folded.columns, ids=folded.ids, rows=folded.rows)
        elif base._source is not None and base._source.depth >= _MAX_DEPTH:
            made = cls(
                **{name: getattr(base, name) + new for name, new in folded.columns.items()},
                ids=base.ids + folded.ids,
                rows=base.rows + folded.rows,
            )
        else:
            made = cls._unmade(_Appended(base, folded))
        object.__setattr__(made, "_frontier", folded.frontier)  # a cache, not a field
        return made

    @classmethod
    def _unmade(cls, source: _Source) -> Self:
        """Tallies whose columns are made from ``source`` when first read."""
        made = object.__new__(cls)
        object.__setattr__(made, "_source", source)
        object.__setattr__(made, "_frontier", source.frontier)
        return made

    def frontier(self) -> _escalation_engine.Frontier:
        """How many windows, the latest start, and the rows that start then."""
        if self._frontier is None:
            object.__setattr__(self, "_frontier", _escalation_engine.frontier_of(self))
        assert self._frontier is not None  # noqa: S101  # for mypy: set just above
        return self._frontier

    def to_packed(self) -> bytes:
        """The tallies as bytes (what a snapshot stores), read back by :meth:`from_packed`.

        The format is :mod:`timeline.projections._escalation_packed`'s (a JSON header, each
        column as a JSON section, then the packed event ids and rows); see
        ``docs/snapshots.md``.
        """
        return _escalation_packed.pack(self, self.frontier())

    @classmethod
    def from_packed(cls, data: bytes | memoryview) -> Self:
        """Tallies from :meth:`to_packed`'s bytes; each column is read when first asked for.

        Reading a snapshot of a million events so costs its header alone, and folding on
        from it reads no column while the new reports start after its latest start.

        Raises:
            ValueError: if ``data`` is not packed tallies of this format (an older snapshot),
                or its header is damaged; a column found damaged only when read raises
                :class:`~timeline.errors.DecodeError`.
        """
        return cls._unmade(_Stored(_escalation_packed.unpack(data)))

    def __getstate__(self) -> dict[str, Any]:
        """Every column, made (for pickle and copy): a source of unmade columns is not kept."""
        return {name: getattr(self, name) for name in _ALL}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_frontier", None)
        object.__setattr__(self, "_source", None)

    def counting(self, event_id: UUID, report: Tally) -> Tallies:
        """These tallies with one more report (``report``, its window ignored) counted.

        The report is summed into the tally of its window, claimant, kind, attacker and
        weapon, or starts a new one (in its window if the window has a tally already).
        This is :meth:`Escalation.apply`'s plain reference; :meth:`Escalation.fold` does
        the same for a batch, fast.
        """
        window = (report.start, report.end, report.claimant)
        tally = (report.kind, report.attacker, report.weapon)
        in_window = [i for i, row in enumerate(self._window_keys()) if row == window]
        same = [i for i in in_window if (self.kind[i], self.attacker[i], self.weapon[i]) == tally]
        if same:
            row = same[0]
            changed = attrs.asdict(self.figures(row).plus(report.figures))
            columns = {name: _replaced(getattr(self, name), row, v) for name, v in changed.items()}
        else:
            row = len(self)
            number = self.window[in_window[0]] if in_window else max(self.window, default=-1) + 1
            columns = {
                "window": (*self.window, number),
                **{name: (*getattr(self, name), getattr(report, name)) for name in _REPORT_COLUMNS},
                **{
                    name: (*getattr(self, name), value)
                    for name, value in attrs.asdict(report.figures).items()
                },
            }
        return attrs.evolve(
            self,
            **columns,
            ids=self.ids + event_id.bytes,
            rows=self.rows + row.to_bytes(4, "little"),
        )

    def _window_keys(self) -> Iterator[tuple[DateTime, DateTime | None, str | None]]:
        return zip(self.start, self.end, self.claimant, strict=True)

    def __len__(self) -> int:
        return len(self.window) if self._source is None else self._source.rows

    def __iter__(self) -> Iterator[Tally]:
        figures = map(Figures, self.launched, self.destroyed, self.lost, self.launched_unknown,
                      self.destroyed_unknown, self.lost_unknown, self.reports)  # fmt: skip
        return map(Tally, self.window, self.start, self.end, self.precision, self.zone,
                   self.claimant,
                   self.kind, self.attacker, self.weapon, figures, self.event_ids)  # fmt: skip

    def __getitem__(self, i: int) -> Tally:
        i = range(len(self.window))[i]  # negative indices, and IndexError when out of range
        return Tally(
            window=self.window[i],
            start=self.start[i],
            end=self.end[i],
            precision=self.precision[i],
            zone=self.zone[i],
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
            self.launched[i],
            self.destroyed[i],
            self.lost[i],
            self.launched_unknown[i],
            self.destroyed_unknown[i],
            self.lost_unknown[i],
            self.reports[i],
        )

    @property
    def folded(self) -> int:
        """How many events were folded into the tallies."""
        return len(self.ids) // _ID_SIZE if self._source is None else self._source.folded

    def id_of(self, at: int) -> UUID:
        """The id of the ``at``-th event folded (from 0), unpacked alone."""
        return UUID(bytes=self.ids[_ID_SIZE * at : _ID_SIZE * (at + 1)])

    @functools.cached_property
    def event_id(self) -> tuple[UUID, ...]:
        """The id of each event folded, in the order folded (made on first use)."""
        packed = self.ids
        return tuple(UUID(bytes=packed[i : i + _ID_SIZE]) for i in range(0, len(packed), _ID_SIZE))

    @functools.cached_property
    def event_tally(self) -> tuple[int, ...]:
        """The row each event folded went into, in the order folded."""
        return tuple(_escalation_engine.unpack_rows(self.rows))

    @functools.cached_property
    def event_ids(self) -> tuple[tuple[UUID, ...], ...]:
        """Per row, the ids of the events that fell into it, in the order folded."""
        ids: list[list[UUID]] = [[] for _ in self.window]
        for event_id, row in zip(self.event_id, self.event_tally, strict=True):
            ids[row].append(event_id)
        return tuple(tuple(x) for x in ids)


def _replaced(column: tuple[Any, ...], i: int, value: object) -> tuple[Any, ...]:
    """``column`` with its ``i``-th value replaced."""
    return (*column[:i], value, *column[i + 1 :])


#: Beyond this many layers of tallies sharing the rows of the ones before, a fold copies
#: them (so that a long run of small folds never builds a deep chain).
_MAX_DEPTH: Final = 8
_ALL: Final = (*_escalation_packed.COLUMNS, "ids", "rows")


class _Source:
    """Where the columns of :class:`Tallies` not made yet come from."""

    rows: int
    folded: int
    depth: int
    frontier: _escalation_engine.Frontier

    def make(self, name: str) -> Any:
        """The column (or ``ids``, ``rows``) ``name``."""
        raise NotImplementedError


class _Stored(_Source):
    """A snapshot's bytes: each column read from its section."""

    def __init__(self, stored: _escalation_packed.Stored) -> None:
        self.stored = stored
        self.rows, self.folded, self.frontier = stored.rows, stored.folded, stored.frontier
        self.depth = 1

    def make(self, name: str) -> Any:
        try:
            return self.stored.column(name)
        except ValueError as e:
            raise DecodeError(
                f"packed tallies: cannot read column {name!r}: {e}", reason=str(e)
            ) from e


class _Appended(_Source):
    """Tallies a fold added rows to: their columns followed by the new rows'."""

    def __init__(self, base: Tallies, folded: _escalation_engine.Folded) -> None:
        self.base, self.new = base, folded
        self.rows = len(base) + len(folded.columns["window"])
        self.folded = base.folded + len(folded.ids) // _ID_SIZE
        self.frontier = folded.frontier
        below = base._source  # noqa: SLF001  # its own module's class
        self.depth = 1 if below is None else below.depth + 1

    def make(self, name: str) -> Any:
        if name == "ids":
            return self.base.ids + self.new.ids
        if name == "rows":
            return self.base.rows + self.new.rows
        return getattr(self.base, name) + self.new.columns[name]


class _Column:
    """A column of :class:`Tallies`: its slot, filled from the tallies' source when first read.

    Set on the class for each column (and ``ids``, ``rows``) in place of the slot attrs made,
    which it keeps and reads through; tallies with every column given never go further.
    """

    def __init__(self, slot: Any, name: str) -> None:
        self.slot, self.name = slot, name

    def __get__(self, tallies: Tallies | None, owner: type | None = None) -> Any:
        if tallies is None:
            return self
        try:
            return self.slot.__get__(tallies, owner)
        except AttributeError:
            source = object.__getattribute__(tallies, "_source")
            if source is None:
                raise
        value = source.make(self.name)
        self.slot.__set__(tallies, value)
        return value

    def __set__(self, tallies: Tallies, value: object) -> None:
        self.slot.__set__(tallies, value)


for _name in _ALL:
    setattr(Tallies, _name, _Column(Tallies.__dict__[_name], _name))
