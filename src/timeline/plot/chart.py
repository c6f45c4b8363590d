"""The timeline chart: one lane per actor (or stream), every event at its time.

:func:`timeline_chart` draws what a replay yields (so ``as_of`` and ``known_at`` cut it as
they cut a projection): barrages as bars whose height is the number launched, strikes as
bars of their own, talk rounds, memoranda and the other moves as markers, corrections beside
the figure they replaced, and the analysts' causal links as arcs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from timeline.causal.timing import latest
from timeline.errors import InvalidArgument
from timeline.events import (
    Attack,
    CasualtyReport,
    CeasefireDemanded,
    CeasefireRejected,
    Event,
    LossReport,
    MemorandumAwaited,
    MemorandumDelivered,
    MemorandumPromised,
    MissileStrike,
    PrisonerExchangeAgreed,
    PrisonerExchangeCarriedOut,
    Statement,
    Strike,
    TalkRoundHeld,
    TalksProposed,
)
from timeline.log import EventLog
from timeline.plot._base import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    SKY,
    VERMILLION,
    axes,
    axis_zone,
    correction_note,
    correction_rings,
    date_axis,
    matplotlib,
    naive,
    plain,
    save,
    short,
)
from timeline.plot._dense import Dense
from timeline.plot._view import (
    LANES,
    Item,
    LaneChoice,
    change_text,
    check_lanes,
    from_events,
    from_log,
    lanes_of,
)
from timeline.plot.causal import OTHER_RELATION, RELATION_COLOURS
from timeline.time import TimePrecision, local_text, to_utc

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from pendulum import DateTime

__all__ = ["DETAIL", "LANES", "MARKS", "Mark", "timeline_chart"]

#: Up to this many events a timeline chart draws each on its own; past it, it aggregates.
DETAIL: Final = 300


@attrs.frozen
class Mark:
    """How one kind of event is drawn: a marker (or a bar), its colour, and its ``gid``.

    The ``gid`` is set on the artists drawn for the event, so code (and tests) can find
    them: ``[a for a in ax.get_children() if a.get_gid() == "round"]``.
    """

    kind: str
    marker: str
    colour: str
    size: float = 8.0
    hollow: bool = False


#: Event classes and how they are drawn, first match wins. Attacks and strikes are bars.
MARKS: Final[tuple[tuple[tuple[type[Event], ...], Mark], ...]] = (
    ((TalkRoundHeld,), Mark("round", "D", BLUE, 10.0)),
    ((TalksProposed,), Mark("talks", "d", SKY, 9.0)),
    ((MemorandumAwaited,), Mark("memorandum", "s", GREEN, 8.0, hollow=True)),
    ((MemorandumPromised, MemorandumDelivered), Mark("memorandum", "s", GREEN, 8.0)),
    ((CeasefireDemanded, CeasefireRejected), Mark("ceasefire", "X", ORANGE, 9.0)),
    ((PrisonerExchangeAgreed, PrisonerExchangeCarriedOut), Mark("exchange", "^", PURPLE, 8.0)),
    ((LossReport, CasualtyReport), Mark("report", "v", GREY, 8.0)),
    ((Statement,), Mark("statement", "o", BLACK, 5.0)),
)
_OTHER: Final = Mark("event", "o", SKY, 7.0)
_BAR_COLOURS: Final = {"drone": ORANGE, "missile": VERMILLION, "strike": PURPLE}

# The layout of a lane, in lane units: a zone for bars at the bottom (if the lane has any),
# then rows of markers, each event in the lowest row where its label does not run into the
# one before it.
_BAR_ZONE: Final = 1.0
_BAR_HEIGHT: Final = 0.85
_STRIKE_HEIGHT: Final = 0.35
_UNKNOWN_HEIGHT: Final = 0.12
_ROW: Final = 0.34
_PAD: Final = 0.25
_SPAN_HEIGHT: Final = 0.14
_FONT: Final = 7.0
#: A character of a 7-point label is about this wide, in inches.
_CHAR_INCHES: Final = 0.5 * _FONT / 72


#: Aggregated charts: bins per inch of the x axis (a bin about a marker wide).
_BINS_PER_INCH: Final = 16
_DENSE_LAYOUT: Final = {
    "bar_zone": _BAR_ZONE,
    "bar_height": _BAR_HEIGHT,
    "strike_height": _STRIKE_HEIGHT,
    "unknown_height": _UNKNOWN_HEIGHT,
    "row": _ROW,
    "pad": _PAD,
}


def _bin_text(days: float) -> str:
    """A bin's width for people: ``"9-day"``, ``"6-hour"``."""
    if days >= 1:
        return f"{days:.0f}-day"
    return f"{max(days * 24, 1):.0f}-hour"


def _mark(event: Event) -> Mark:
    for classes, mark in MARKS:
        if isinstance(event, classes):
            return mark
    return _OTHER


class _Chart:
    """The drawing of one chart: the axes, the layout, and where each event went."""

    def __init__(
        self,
        ax: Axes,
        mdates: Any,
        items: Sequence[Item],
        lanes: Sequence[str],
        *,
        axis_inches: float,
        label_length: int,
        labels: bool,
    ) -> None:
        self.ax = ax
        self.mdates = mdates
        self.label_length = label_length
        self.labels = labels
        starts = [self.x(i.event.occurred_at) for i in items]
        ends = [self.x(latest(i.event)) for i in items]
        self.left = min(starts, default=0.0)
        self.right = max(ends, default=1.0)
        self.width = max(self.right - self.left, 1.0)
        # Labels run past the last event: the axis is about a tenth wider than the events.
        self.char = _CHAR_INCHES / max(axis_inches, 1.0) * self.width * 1.1
        self.launched_max = max(
            (
                e.launched
                for i in items
                for e in (i.event, i.original)
                if isinstance(e, Attack) and e.launched
            ),
            default=1,
        )
        self.place: dict[uuid.UUID, list[tuple[float, float]]] = {}
        self.row_of: dict[tuple[uuid.UUID, str], int] = {}
        self.label_end = self.right
        rows: dict[str, list[float]] = {lane: [] for lane in lanes}
        bars = dict.fromkeys(lanes, False)
        for item in items:
            if isinstance(item.event, Attack | Strike):
                for lane in item.lanes:
                    bars[lane] = True
                continue
            start, end = self.span(item.event)
            for n, lane in enumerate(item.lanes):
                text = len(self.label(item)) if labels and n == 0 else 0
                if item.original is not None:
                    text = max(text, len(change_text(item.original, item.event, item.changed)))
                reach = max(end, (start + end) / 2 + (text + 3) * self.char)
                self.label_end = max(self.label_end, reach)
                taken = rows[lane]
                row = next((r for r, last in enumerate(taken) if last <= start), len(taken))
                if row == len(taken):
                    taken.append(reach)
                else:
                    taken[row] = reach
                self.row_of[item.event.event_id, lane] = row
        # Lanes from the top down: the first lane is drawn highest.
        self.floor: dict[str, float] = {}
        self.rows_from: dict[str, float] = {}
        self.centre: dict[str, float] = {}
        self.top = 0.0
        for lane in reversed(lanes):
            zone = _BAR_ZONE if bars[lane] else 0.0
            height = zone + max(len(rows[lane]), 1) * _ROW + _PAD
            self.floor[lane] = self.top + _PAD / 2
            self.rows_from[lane] = self.top + _PAD / 2 + zone
            self.centre[lane] = self.top + height / 2
            self.top += height

    def x(self, at: dt.datetime) -> float:
        return float(self.mdates.date2num(naive(at)))

    def span(self, event: Event) -> tuple[float, float]:
        """Where an event may have happened: its start to the latest its precision allows."""
        start = self.x(event.occurred_at)
        end = self.x(latest(event))
        return start, max(end, start + self.width * 0.004)

    def label(self, item: Item) -> str:
        event = item.event
        if isinstance(event, Attack):
            if event.launched is None:
                return "launched unknown"
            kind = "missiles" if isinstance(event, MissileStrike) else "drones"
            return short(f"{event.launched:,} {event.weapon or kind}", self.label_length)
        return short(event.headline(), self.label_length)

    def row_y(self, item: Item, lane: str) -> float:
        return self.rows_from[lane] + (self.row_of[item.event.event_id, lane] + 0.5) * _ROW

    def bar_height(self, event: Event) -> tuple[float, str | None]:
        if not isinstance(event, Attack):
            return _STRIKE_HEIGHT, ".."
        if event.launched is None:
            return _UNKNOWN_HEIGHT, "//"
        return max(_BAR_HEIGHT * event.launched / self.launched_max, 0.04), None

    def lane_bar(
        self, span: tuple[float, float], floor: float, height: float, **style: Any
    ) -> None:
        """A bar over ``span`` on the x axis, standing on a lane's ``floor``."""
        start, end = span
        self.ax.bar(start, height, width=end - start, bottom=floor, align="edge", **style)

    def bar(self, item: Item) -> None:
        event = item.event
        start, end = self.span(event)
        kind = "strike"
        if isinstance(event, Attack):
            kind = "missile" if isinstance(event, MissileStrike) else "drone"
        height, hatch = self.bar_height(event)
        ys = []
        for n, lane in enumerate(item.lanes):
            floor = self.floor[lane]
            self.lane_bar(
                (start, end),
                floor,
                height,
                color=_BAR_COLOURS[kind],
                alpha=0.85,
                hatch=hatch,
                edgecolor=BLACK,
                linewidth=0.5,
                gid="barrage" if kind != "strike" else "strike",
            )
            ys.append(floor + height)
            if self.labels and n == 0:
                self.ax.annotate(
                    self.label(item),
                    (start, floor + height),
                    xytext=(2, 2),
                    textcoords="offset points",
                    fontsize=_FONT,
                    gid="label",
                )
        self.place[event.event_id] = [((start + end) / 2, y) for y in ys]
        original = item.original
        if original is None:
            return
        o_start, o_end = self.span(original)
        o_height, _ = self.bar_height(original)
        for lane in item.lanes:
            floor = self.floor[lane]
            if o_height != height or (o_start, o_end) != (start, end):
                self.lane_bar(
                    (o_start, o_end),
                    floor,
                    o_height,
                    fill=False,
                    edgecolor=VERMILLION,
                    linestyle="--",
                    linewidth=1.2,
                    gid="correction-original",
                )
            self._correction_mark(item, (o_start + o_end) / 2, floor + o_height)

    def marker(self, item: Item) -> None:
        event = item.event
        mark = _mark(event)
        start, end = self.span(event)
        x = (start + end) / 2
        ys = [self.row_y(item, lane) for lane in item.lanes]
        if end - start > self.width * 0.005:  # a vague or long event: the span it may cover
            for y in ys:
                self.ax.broken_barh(
                    [(start, end - start)],
                    (y - _SPAN_HEIGHT / 2, _SPAN_HEIGHT),
                    facecolors=mark.colour,
                    alpha=0.25,
                    gid="span",
                )
        if len(ys) > 1:
            self.ax.plot(
                [x, x],
                [min(ys), max(ys)],
                color=mark.colour,
                linewidth=0.8,
                linestyle=":",
                gid="joins",
            )
        self.ax.plot(
            [x] * len(ys),
            ys,
            linestyle="none",
            marker=mark.marker,
            markersize=mark.size,
            color=mark.colour,
            markerfacecolor="none" if mark.hollow else mark.colour,
            markeredgecolor=mark.colour if mark.hollow else BLACK,
            markeredgewidth=1.4 if mark.hollow else 0.5,
            gid=mark.kind,
        )
        if self.labels:
            self.ax.annotate(
                self.label(item),
                (x, ys[0]),
                xytext=(6, -2.5),
                textcoords="offset points",
                fontsize=_FONT,
                gid="label",
            )
        self.place[event.event_id] = [(x, y) for y in ys]
        if item.original is not None:
            o_start, o_end = self.span(item.original)
            self._correction_mark(item, (o_start + o_end) / 2, ys[0], moved_to=(x, ys[0]))

    def _correction_mark(
        self, item: Item, x: float, y: float, moved_to: tuple[float, float] | None = None
    ) -> None:
        """A hollow ring where the original stood, a line to where it moved, a note."""
        original = item.original
        assert original is not None  # noqa: S101  # only called for corrected items
        correction_rings(self.ax, [x], [y], size=13, width=1.5)
        if moved_to is not None and moved_to != (x, y):
            self.ax.plot(
                [x, moved_to[0]],
                [y, moved_to[1]],
                color=VERMILLION,
                linestyle=":",
                linewidth=1,
                gid="correction-move",
            )
        correction_note(
            self.ax,
            change_text(original, item.event, item.changed),
            (x, y),
            offset=(6, -11),
            size=_FONT,
        )

    def link(self, cause: uuid.UUID, effect: uuid.UUID, relation: str, confidence: float) -> str:
        return _link(self.ax, self.place, (cause, effect), relation, confidence)


def _link(
    ax: Axes,
    place: dict[uuid.UUID, list[tuple[float, float]]],
    ends: tuple[uuid.UUID, uuid.UUID],
    relation: str,
    confidence: float,
) -> str:
    """An arc from cause to effect (the closest of their places), coloured by relation."""
    froms, tos = place[ends[0]], place[ends[1]]
    a, b = min(
        ((p, q) for p in froms for q in tos),
        key=lambda pq: abs(pq[0][1] - pq[1][1]),
    )
    colour = RELATION_COLOURS.get(relation, OTHER_RELATION)
    ax.annotate(
        "",
        xy=b,
        xytext=a,
        arrowprops={
            "arrowstyle": "-|>",
            "color": colour,
            "linewidth": 0.6 + 1.6 * confidence,
            "alpha": 0.75,
            "connectionstyle": "arc3,rad=-0.25",
            "shrinkA": 4,
            "shrinkB": 5,
        },
        gid="link",
    )
    return colour


def _draw_marks(
    ax: Axes,
    mdates: Any,
    items: Sequence[Item],
    names: Sequence[str],
    *,
    dense: bool,
    axis_inches: float,
    labels: bool,
    label_length: int,
) -> _Chart | Dense:
    """Each event on its own, or (``dense``) aggregated into bins."""
    if dense:
        dense_chart = Dense(
            ax,
            mdates,
            items,
            names,
            bins=max(20, int(axis_inches * _BINS_PER_INCH)),
            labels=labels,
            label_length=label_length,
            marks=_mark,
            layout=_DENSE_LAYOUT,
            bar_colours=_BAR_COLOURS,
        )
        dense_chart.draw()
        return dense_chart
    chart = _Chart(
        ax,
        mdates,
        items,
        names,
        axis_inches=axis_inches,
        label_length=label_length,
        labels=labels,
    )
    for item in items:
        if isinstance(item.event, Attack | Strike):
            chart.bar(item)
        else:
            chart.marker(item)
    return chart


def timeline_chart(  # noqa: C901, PLR0912, PLR0915  # one picture, drawn in one pass
    source: EventLog | Iterable[Event],
    *,
    as_of: DateTime | None = None,
    known_at: DateTime | None = None,
    lanes: LaneChoice = "actor",
    links: bool = True,
    corrections: bool = True,
    labels: bool = True,
    label_length: int = 34,
    detail: int = DETAIL,
    title: str | None = None,
    size: tuple[float, float] | None = None,
    ax: Axes | None = None,
    path: str | Path | None = None,
    zone: str | None = None,
) -> Figure:
    """Draw a log (or events) as a timeline: one lane per actor or stream.

    What is drawn is what a replay yields: corrections applied, retracted events left out,
    cut by ``as_of`` (valid time) and ``known_at`` (transaction time). In each lane:

    - drone barrages and missile strikes are bars from the start of their reporting window
      to its end (or to the end of their precision), as tall as the number launched
      (scaled to the largest drawn); an unknown count is a low hatched bar. Strikes are
      lower bars of their own colour.
    - every other event is a marker (:data:`MARKS`: talk rounds are diamonds, memoranda
      squares, hollow while awaited, ...). A vague time is drawn as the span it may cover:
      a day-precision event as a band over its whole day, the marker in its middle. An
      event of several actors is drawn in each of their lanes, joined by a dotted line.
    - a corrected event is drawn as corrected, with a hollow ring where the original stood
      (a dashed outline for a barrage's original count) and a note of what changed.
    - causal links between drawn events are arcs coloured by relation, thicker the more
      confident (most confident claim of each pair).

    The x axis is valid time, its ticks on the clock of ``zone`` (named in its label). Each artist's ``gid`` says what it is (``"barrage"``,
    ``"strike"``, ``"round"``, ``"correction"``, ``"link"``, ...), so it can be found and
    restyled.

    Args:
        source: an event log, or events (corrections and retractions among them are
            applied; links drawn).
        as_of: valid time: only events whose (corrected) ``occurred_at`` is ``<= as_of``.
        known_at: transaction time: only what the log had recorded by then (a log only).
        lanes: ``"actor"`` (the attacker, the party or parties, else the actors),
            ``"stream"`` (a log only), or a function giving an event's lane name(s).
        links: draw the causal links.
        corrections: mark corrected events and their originals.
        labels: write each event's headline (a barrage's count) beside it.
        label_length: headlines are cut to this many characters.
        detail: up to this many events, each is drawn and labelled on its own; past it,
            each lane's events are aggregated into time bins about a marker wide (summed
            launch counts as bars, one marker per bin and kind, corrected bins ringed, the
            largest attacks labelled), which stays readable and quick: about 3,000
            events in well under 5 s, 100,000 in under 30 s.
        title: a title; by default one naming the cuts.
        size: the figure's size in inches (for a new figure); by default 13 inches wide and
            as tall as the lanes need.
        ax: draw on these matplotlib axes instead of a new figure.
        path: also save the picture here; the suffix picks the format.
        zone: the zone of the date axis and of the cuts in the title (``"Europe/Kyiv"``,
            ``"UTC"``, ``"+03:00"``); by default the zone every drawn event shares, else UTC.

    Returns:
        The matplotlib ``Figure`` (``ax``'s, if given), to show, restyle or save.

    Raises:
        TimelineError: matplotlib (the ``plot`` extra) is not installed.
        InvalidArgument: an unknown ``lanes``; ``"stream"`` lanes or ``known_at`` without a
            log; something among the events that is not an event; a bad ``label_length``,
            ``detail``, ``size``, ``ax`` or ``zone``.
        InvalidEvent: a naive ``as_of``/``known_at`` (as :func:`~timeline.replay` does).

    >>> import pendulum, timeline as tl
    >>> at = pendulum.datetime(2025, 6, 1, 16, 30)
    >>> night = tl.DroneBarrage(occurred_at=at, occurred_until=at.add(hours=18),
    ...                         attacker="Russia", launched=472)
    >>> figure = timeline_chart([night])
    >>> [t.get_text() for t in figure.axes[0].get_yticklabels()]
    ['Russia']
    """
    _, _, mdates = matplotlib()
    have_log = isinstance(source, EventLog)
    choice = check_lanes(lanes, have_log=have_log)
    if type(label_length) is not int or label_length < 2:  # noqa: PLR2004  # a letter and "…"
        raise InvalidArgument(
            f"label_length must be a whole number ≥ 2, got {label_length!r}",
            argument="label_length",
            value=label_length,
        )
    if type(detail) is not int or detail < 0:
        raise InvalidArgument(
            f"detail must be a whole number ≥ 0, got {detail!r}", argument="detail", value=detail
        )
    cut = None if as_of is None else to_utc(as_of, field="as_of")
    known = None if known_at is None else to_utc(known_at, field="known_at")
    if isinstance(source, EventLog):
        items, graph = from_log(source, cut, known)
    else:
        if known is not None:
            raise InvalidArgument(
                "known_at needs a log: events alone have no recorded_at",
                argument="known_at",
                value=known_at,
            )
        if not isinstance(source, Iterable) or isinstance(source, str | bytes):
            raise InvalidArgument(
                f"a timeline chart draws a log or events, got {type(source).__name__}",
                argument="source",
                value=source,
            )
        items, graph = from_events(source, cut)
    if not corrections:
        items = [attrs.evolve(i, original=None, changed=()) for i in items]
    items = [attrs.evolve(i, lanes=lanes_of(choice, i)) for i in items]
    shown = axis_zone(zone, (i.event.zone for i in items))
    items.sort(key=lambda i: (i.event.occurred_at, str(i.event.event_id)))
    names = list(dict.fromkeys(lane for i in items for lane in i.lanes))
    lanes_total = sum(
        2.0 if any(isinstance(i.event, Attack | Strike) and n in i.lanes for i in items) else 1.0
        for n in names
    )
    dense = len(items) > detail
    if size is None:
        marks_height = 0.0 if dense else 0.05 * len(items)
        size = (13.0, min(max(1.6 + 0.75 * lanes_total + marks_height, 3.5), 16.0))
    figure, ax = axes(ax, size)
    axis_inches = figure.get_figwidth() * ax.get_position().width * 0.85
    chart = _draw_marks(
        ax,
        mdates,
        items,
        names,
        dense=dense,
        axis_inches=axis_inches,
        labels=labels,
        label_length=label_length,
    )
    relations: dict[str, str] = {}
    if links:
        for edge in graph.edges():
            claim = max(edge.claims, key=lambda c: c.confidence)
            ends = (edge.cause.event_id, edge.effect.event_id)
            colour = _link(ax, chart.place, ends, claim.relation, claim.confidence)
            relations.setdefault(claim.relation, colour)
    for relation, colour in relations.items():
        ax.plot([], [], color=colour, linewidth=2, label=plain(relation))
    if relations:
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(1.005, 1.0),
            fontsize=_FONT,
            title="causal link",
            title_fontsize=_FONT,
            frameon=False,
        )
    ax.set_yticks([chart.centre[n] for n in names], [plain(n) for n in names])
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(0, max(chart.top, 1.0))
    for lane in names[:-1]:  # a rule below each lane but the lowest
        ax.axhline(chart.floor[lane] - _PAD / 2, color=GREY, linewidth=0.5, alpha=0.5)
    date_axis(ax, mdates, "valid time", shown)
    if isinstance(chart, Dense):  # the bins tile the data's range exactly
        ax.set_xlim(chart.left, chart.right)
    elif items:
        # Labels may run past the last event, but the axis stays about the data.
        room = min(chart.label_end, chart.right + 0.3 * chart.width) - chart.right
        pad = chart.width * 0.02
        ax.set_xlim(chart.left - pad, chart.right + max(room, 0.0) + pad)
    cuts = ", ".join(
        f"{name} {local_text(value, shown, TimePrecision.MINUTE)}"
        for name, value in (("as of", cut), ("known at", known))
        if value is not None
    )
    if isinstance(chart, Dense):
        cuts = ", ".join(
            x for x in (cuts, f"{len(items):,} events in {_bin_text(chart.bin_width)} bins") if x
        )
    ax.set_title(title if title is not None else "Timeline" + (f" ({cuts})" if cuts else ""))
    save(figure, path)
    return figure
