"""Series per day: :func:`intensity_chart` and :func:`nights_chart`.

Both read the :class:`~timeline.Escalation` projection's public state (its days, its
intensity series and its drone records), so they count what the projection counts: a day is
the date an attack is filed under, an unknown figure adds nothing (and is not drawn as
zero), and a *record night* is a reporting window that beat every earlier one in view (the
first window of a view has nothing to beat and is not marked).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from timeline.errors import InvalidArgument
from timeline.events import Event, TalkRoundHeld
from timeline.io.cameo import Cameo, Intensity
from timeline.log import EventLog
from timeline.plot._base import (
    BLACK,
    BLUE,
    GREY,
    ORANGE,
    axes,
    axis_zone,
    check_choice,
    colours,
    date_axis,
    day_start,
    matplotlib,
    naive,
    plain,
    save,
)
from timeline.projections.escalation import DroneRecord, Escalation, EscalationState, Figures
from timeline.projections.replay import replay_events
from timeline.time import TimePrecision, local_date, to_utc

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from pendulum import DateTime

__all__ = ["KINDS", "WEIGHTS", "intensity_chart", "nights_chart"]

#: What :func:`nights_chart` counts: drones and missiles together, or one kind.
KINDS: Final = ("all", "drone", "missile")
#: How :func:`intensity_chart` weighs a report with Goldstein scores (see
#: :meth:`~timeline.io.cameo.Cameo.escalation_intensity`).
WEIGHTS: Final = ("reports", "launched")

_UNNAMED: Final = "(attacker not named)"


def _state_and_rounds(
    source: object, as_of: DateTime | None, known_at: DateTime | None, talks: bool | Iterable[Event]
) -> tuple[EscalationState, list[Event]]:
    """The escalation state to draw and the talk rounds to mark."""
    cut = None if as_of is None else to_utc(as_of, field="as_of")
    known = None if known_at is None else to_utc(known_at, field="known_at")
    given = _given_rounds(talks)
    if isinstance(source, EventLog):
        events = list(replay_events(source, as_of=cut, known_at=known))
        projection = Escalation()
        state = projection.fold(projection.initial(), events)
        rounds: list[Event] = (
            [e for e in events if isinstance(e, TalkRoundHeld)] if talks is True else given
        )
        return state, rounds
    if cut is not None or known is not None:
        name, value = ("as_of", as_of) if cut is not None else ("known_at", known_at)
        raise InvalidArgument(
            f"{name} needs a log to replay: a state is already cut", argument=name, value=value
        )
    if isinstance(source, EscalationState):
        return source, given
    raise InvalidArgument(
        f"expected an event log or an Escalation state, got {type(source).__name__}",
        argument="source",
        value=source,
    )


def _given_rounds(talks: object) -> list[Event]:
    if isinstance(talks, bool):
        return []
    if not isinstance(talks, Iterable) or isinstance(talks, str | bytes):
        raise InvalidArgument(
            f"talks must be True, False or events, got {talks!r}", argument="talks", value=talks
        )
    rounds = list(talks)
    for event in rounds:
        if not isinstance(event, Event):
            raise InvalidArgument(
                f"talks must be events, got a {type(event).__name__}: {event!r}",
                argument="talks",
                value=event,
            )
    return rounds


def _day_x(mdates: Any, day: str | dt.date, zone: str) -> float:
    """The middle of a local date (as the projections name it) on an axis in ``zone``."""
    start = float(mdates.date2num(day_start(day, zone)))
    date = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
    end = float(mdates.date2num(day_start(date + dt.timedelta(days=1), zone)))
    return (start + end) / 2


def _event_x(mdates: Any, event: Event, zone: str) -> float:
    """Where an event's line goes: the middle of its local date if day-precise, else its time."""
    if event.time_precision in {TimePrecision.DAY, TimePrecision.MONTH}:
        return _day_x(mdates, local_date(event), zone)
    return float(mdates.date2num(naive(event.occurred_at)))


def _zone(zone: str | None, state: EscalationState | None, rounds: Sequence[Event]) -> str:
    """The axis zone: ``zone``, else the zone every report counted shares, else UTC.

    The reports' (the days are theirs); the rounds', where there are no reports. A talk round
    in Istanbul over Kyiv's nights leaves the axis in Kyiv: it is drawn over its own date.
    """
    reports = state.tallies.zone if state is not None else ()
    return axis_zone(zone, reports or [e.zone for e in rounds])


def _round_label(event: Event) -> str:
    number = getattr(event, "round_number", None)
    city = getattr(event, "city", None)
    return plain(" ".join(p for p in ("talks", city, f"(round {number})" if number else None) if p))


def _draw_rounds(ax: Axes, mdates: Any, rounds: Sequence[Event], zone: str) -> None:
    for i, event in enumerate(rounds):
        x = _event_x(mdates, event, zone)
        ax.axvline(
            x,
            color=BLUE,
            linestyle="--",
            linewidth=1.2,
            gid="round",
            label="talk round" if i == 0 else None,
        )
        ax.annotate(
            _round_label(event),
            (x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -10),
            textcoords="offset points",
            fontsize=7,
            color=BLUE,
            rotation=90,
            va="top",
            gid="round-label",
        )


def _finish(
    figure: Figure,
    ax: Axes,
    mdates: Any,
    *,
    ylabel: str,
    title: str,
    path: str | Path | None,
    zone: str,
) -> Figure:
    date_axis(ax, mdates, "day", zone)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", fontsize=8)
    save(figure, path)
    return figure


def intensity_chart(
    source: EventLog | EscalationState | Intensity,
    *,
    as_of: DateTime | None = None,
    known_at: DateTime | None = None,
    goldstein: Cameo | None = None,
    weight: str = "launched",
    parties: Sequence[str | None] | None = None,
    talks: bool | Iterable[Event] = True,
    records: bool = True,
    title: str | None = None,
    size: tuple[float, float] = (12.0, 4.5),
    ax: Axes | None = None,
    path: str | Path | None = None,
    zone: str | None = None,
) -> Figure:
    """Draw the escalation's intensity per party per day: one line per attacker.

    Without ``goldstein`` the series is :attr:`EscalationState.intensity
    <timeline.projections.escalation.EscalationState.intensity>`: drones and missiles
    launched per day (known figures only). With the CAMEO tables it is
    :meth:`Cameo.escalation_intensity <timeline.io.cameo.Cameo.escalation_intensity>`: the
    Goldstein scores of the attacks (−10 each, so more negative is more intense), weighed by
    ``weight``. An :class:`~timeline.io.cameo.Intensity` (of any events, e.g. from
    :meth:`Cameo.intensity <timeline.io.cameo.Cameo.intensity>`) is drawn as it is.

    Args:
        source: an event log (replayed into :class:`~timeline.Escalation`), an escalation
            state, or an ``Intensity`` series.
        as_of: valid time, for a log.
        known_at: transaction time, for a log.
        goldstein: the CAMEO tables (:func:`timeline.io.cameo.load`), to draw Goldstein scores.
        weight: with ``goldstein``: ``"launched"`` (each drone or missile counts) or
            ``"reports"`` (each report counts once).
        parties: draw only these attackers (``None`` for an unnamed one); all by default.
        talks: ``True`` marks the log's talk rounds (:class:`~timeline.TalkRoundHeld`) as
            vertical dashed lines, ``False`` none; or give the events to mark.
        records: mark the record nights (a star on the day a drone record was set).
        title: a title; by default one saying what is drawn.
        size: the figure's size in inches (for a new figure).
        ax: draw on these matplotlib axes instead of a new figure.
        path: also save the picture here; the suffix picks the format.
        zone: the zone of the date axis (``"Europe/Kyiv"``, ``"UTC"``, ``"+03:00"``), named in
            its label; by default the zone every report counted shares, else UTC.
            Each day stays the local date its reports are filed under, drawn over that date.

    Returns:
        The matplotlib ``Figure`` (``ax``'s, if given).

    Raises:
        TimelineError: matplotlib (the ``plot`` extra) is not installed.
        InvalidArgument: an unknown ``weight``; a ``source`` of another kind; ``as_of`` or
            ``known_at`` without a log; ``talks`` that are not events; a bad ``size`` or ``ax``.
        InvalidEvent: a naive ``as_of``/``known_at`` (as :func:`~timeline.replay` does).

    >>> import pendulum, timeline as tl
    >>> night = tl.DroneBarrage(occurred_at=pendulum.datetime(2025, 5, 31, 16, 30),
    ...                         attacker="Russia", launched=472)
    >>> state = tl.Escalation().fold(tl.Escalation().initial(), [night])
    >>> figure = intensity_chart(state)
    >>> [line.get_label() for line in figure.axes[0].get_lines()]
    ['Russia']
    """
    _, _, mdates = matplotlib()
    check_choice("weight", weight, WEIGHTS)
    state: EscalationState | None = None
    series: Intensity | None
    if isinstance(source, Intensity):
        if as_of is not None or known_at is not None:
            raise InvalidArgument(
                "as_of and known_at need a log to replay: a series is already cut",
                argument="as_of" if as_of is not None else "known_at",
                value=as_of if as_of is not None else known_at,
            )
        series = source
        rounds = _given_rounds(talks)
    else:
        state, rounds = _state_and_rounds(source, as_of, known_at, talks)
        series = (
            goldstein.escalation_intensity(state, weight=weight)  # type: ignore[arg-type]  # checked above
            if goldstein
            else None
        )
    per_party: dict[str | None, dict[str, float]]
    if series is not None:
        per_party = {p: series.of(p) for p in series.parties}
        ylabel = "Goldstein-weighted intensity (−: conflict, +: cooperation)"
        what = f"Goldstein-scaled intensity per party (weight: {weight})"
    else:
        assert state is not None  # noqa: S101  # a state was given or replayed
        per_party = {s.attacker: {c.day: c.launched for c in s.days} for s in state.intensity}
        ylabel = "drones and missiles launched"
        what = "Drones and missiles launched per day"
    if parties is not None:
        wanted = list(parties)
        per_party = {p: per_party.get(p, {}) for p in wanted}
    shown = _zone(zone, state, rounds)
    figure, ax = axes(ax, size)
    colour = colours(per_party)
    for party, days in per_party.items():
        ordered = sorted(days.items())
        ax.plot(
            [_day_x(mdates, d, shown) for d, _ in ordered],
            [v for _, v in ordered],
            marker="o",
            markersize=3,
            linewidth=1.4,
            color=colour(party),
            label=_UNNAMED if party is None else plain(party),
            gid="series",
        )
    if records and state is not None:

        def height(record: DroneRecord) -> float:  # the series' value farthest from 0 that day
            values = [days[record.day] for days in per_party.values() if record.day in days]
            return min(values, key=lambda v: -abs(v)) if values else 0.0

        _draw_records(ax, mdates, state, height, lift=4, zone=shown)
    _draw_rounds(ax, mdates, rounds, shown)
    if series is not None:
        ax.axhline(0, color=GREY, linewidth=0.6)
    return _finish(figure, ax, mdates, ylabel=ylabel, title=title or what, path=path, zone=shown)


def _draw_records(
    ax: Axes,
    mdates: Any,
    state: EscalationState,
    height: Callable[[DroneRecord], float],
    *,
    lift: int,
    zone: str,
) -> None:
    """A star at ``height`` on each record night, with the number launched ``lift`` points up.

    The first drone record of a view beats nothing and is not marked (see the module's notes).
    """
    marked = False
    for record in state.drone_records:
        if record.previous is None:
            continue
        x = _day_x(mdates, record.day, zone)
        y = height(record)
        ax.plot(
            [x],
            [y],
            linestyle="none",
            marker="*",
            markersize=13,
            color=BLACK,
            gid="record",
            label=None if marked else "record night (drones)",
        )
        ax.annotate(
            f"{record.launched:,}",
            (x, y),
            xytext=(5, lift),
            textcoords="offset points",
            fontsize=7,
            gid="record-label",
        )
        marked = True


def _figure_of(totals: Figures, name: str) -> int | None:
    value: int | None = getattr(totals, name)
    return value


def nights_chart(
    source: EventLog | EscalationState,
    *,
    as_of: DateTime | None = None,
    known_at: DateTime | None = None,
    kind: str = "all",
    talks: bool | Iterable[Event] = True,
    records: bool = True,
    title: str | None = None,
    size: tuple[float, float] = (12.0, 4.5),
    ax: Axes | None = None,
    path: str | Path | None = None,
    zone: str | None = None,
) -> Figure:
    """Draw launched and destroyed per day as bars, with record nights and talk rounds.

    Each day (as the :class:`~timeline.Escalation` projection files attacks: an overnight
    barrage counts on the local date its window starts, in its reports' zone) gets a light bar for the number
    launched and a dark, narrower one for the number destroyed. A day whose figure no
    report gave has no bar (unknown is not zero).

    Args:
        source: an event log (replayed into :class:`~timeline.Escalation`) or its state.
        as_of: valid time, for a log.
        known_at: transaction time, for a log.
        kind: ``"all"`` (drones and missiles together), ``"drone"`` or ``"missile"``.
        talks: ``True`` marks the log's talk rounds as vertical dashed lines, ``False``
            none; or give the events to mark.
        records: mark the record nights (a star above the day a drone record was set).
        title: a title; by default one saying what is drawn.
        size: the figure's size in inches (for a new figure).
        ax: draw on these matplotlib axes instead of a new figure.
        path: also save the picture here; the suffix picks the format.
        zone: the zone of the date axis (``"Europe/Kyiv"``, ``"UTC"``, ``"+03:00"``), named in
            its label; by default the zone every report counted shares, else UTC.
            Each day stays the local date its reports are filed under, drawn over that date.

    Returns:
        The matplotlib ``Figure`` (``ax``'s, if given).

    Raises:
        TimelineError: matplotlib (the ``plot`` extra) is not installed.
        InvalidArgument: an unknown ``kind``; a ``source`` of another kind; ``as_of`` or
            ``known_at`` without a log; ``talks`` that are not events; a bad ``size`` or ``ax``.
        InvalidEvent: a naive ``as_of``/``known_at`` (as :func:`~timeline.replay` does).
    """
    _, _, mdates = matplotlib()
    check_choice("kind", kind, KINDS)
    state, rounds = _state_and_rounds(source, as_of, known_at, talks)
    shown = _zone(zone, state, rounds)
    figure, ax = axes(ax, size)
    launched: dict[str, int] = {}
    destroyed: dict[str, int] = {}
    for day in state.days:
        parts = {"drone": (day.drones,), "missile": (day.missiles,)}.get(
            kind, (day.drones, day.missiles)
        )
        for name, out in (("launched", launched), ("destroyed", destroyed)):
            known = [v for v in (_figure_of(p, name) for p in parts) if v is not None]
            if known:
                out[day.day] = sum(known)
    for name, values, width, colour, alpha in (
        ("launched", launched, 0.8, ORANGE, 0.6),
        ("destroyed", destroyed, 0.45, BLUE, 0.9),
    ):
        if values:
            ax.bar(
                [_day_x(mdates, d, shown) for d in values],
                list(values.values()),
                width=width,
                color=colour,
                alpha=alpha,
                label=name,
                gid=name,
            )
    if records:
        _draw_records(
            ax, mdates, state, lambda r: launched.get(r.day, r.launched), lift=3, zone=shown
        )
    _draw_rounds(ax, mdates, rounds, shown)
    what = {"all": "Drones and missiles", "drone": "Drones", "missile": "Missiles"}[kind]
    return _finish(
        figure,
        ax,
        mdates,
        ylabel="per day",
        title=title or f"{what}: launched and destroyed per day",
        path=path,
        zone=shown,
    )
