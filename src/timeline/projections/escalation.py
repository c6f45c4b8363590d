"""Escalation: barrages and strikes per day, per reporting window and by weapon; records.

Drone barrages, missile strikes and strikes are counted, and records kept ("the largest
drone barrage in a single night so far").

The state keeps one *tally* per reporting window, claimant, kind of attack, attacker and
weapon, with the figures summed over the reports that fell into it; every total (per day,
per window, per weapon, per attacker) is derived from the tallies the first time it is asked
for, then cached. Keeping the state that small is what lets :meth:`Escalation.fold` take
over a million barrages a second.

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

import functools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Final, TypeVar
from uuid import UUID

import attrs
from pendulum import DateTime

from timeline.events.military import DroneBarrage, MissileStrike, Strike
from timeline.projections import _dates
from timeline.time import TimePrecision

if TYPE_CHECKING:
    import datetime as dt

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

    ``window`` numbers the reporting windows in the order they were first seen. ``event_id``
    and ``event_tally`` have one entry per event folded: its id and the row it went into.
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
    event_id: tuple[UUID, ...] = ()
    event_tally: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.window)

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
        for event_id, row in zip(t.event_id, t.event_tally, strict=True):
            if t.kind[row] == DRONE and t.window[row] in ids:
                ids[t.window[row]].append(event_id)
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
    """

    def __init__(self, state: EscalationState) -> None:
        t = state.tallies
        self.window = list(t.window)
        self.start = list(t.start)
        self.end = list(t.end)
        self.precision = list(t.precision)
        self.claimant = list(t.claimant)
        self.kind = list(t.kind)
        self.attacker = list(t.attacker)
        self.weapon = list(t.weapon)
        self.launched = list(t.launched)
        self.destroyed = list(t.destroyed)
        self.lost = list(t.lost)
        self.launched_unknown = list(t.launched_unknown)
        self.destroyed_unknown = list(t.destroyed_unknown)
        self.lost_unknown = list(t.lost_unknown)
        self.reports = list(t.reports)
        self.event_id = list(t.event_id)
        self.event_tally = list(t.event_tally)
        self.windows = max(self.window) + 1 if self.window else 0
        self.max_start: DateTime | None = max(self.start) if self.start else None
        self.block = [i for i, s in enumerate(self.start) if s == self.max_start]
        self.index: dict[tuple[int, ...], list[int]] | None = None

    def state(self) -> EscalationState:
        return EscalationState(
            tallies=Tallies(
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
                event_id=tuple(self.event_id),
                event_tally=tuple(self.event_tally),
            )
        )

    @staticmethod
    def _key(at: dt.datetime) -> tuple[int, ...]:
        # Instants are UTC, so equal fields are equal instants; cheaper than hash(datetime).
        return (at.toordinal(), at.hour, at.minute, at.second, at.microsecond)

    def _build_index(self) -> dict[tuple[int, ...], list[int]]:
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
        id_add, row_add = self.event_id.append, self.event_tally.append
        block, max_start, windows, index = self.block, self.max_start, self.windows, self.index
        rows = len(window)
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
            else:  # out of valid-time order: look the start up
                in_block = False
                if index is None:
                    index = self._build_index()
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
            id_add(event.event_id)
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

    ``apply`` is ``fold`` of one event, so the two always agree; ``apply`` copies the state's
    columns, so fold batches (``replay`` does).

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
    """

    name = "escalation"
    version = 1

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
        return acc.state()
