"""The causal graph on a time axis: :func:`draw_causal`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from timeline.causal.graph import CausalGraph, EventRef
from timeline.events import Event
from timeline.plot._base import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    SKY,
    VERMILLION,
    YELLOW,
    axes,
    axis_zone,
    date_axis,
    matplotlib,
    naive,
    plain,
    save,
    short,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["RELATION_COLOURS", "draw_causal"]

#: Colours of the usual relations (Okabe–Ito); other relations are grey.
RELATION_COLOURS: Final = {
    "retaliation": VERMILLION,
    "escalation": ORANGE,
    "response": BLUE,
    "prompted": PURPLE,
    "precondition": GREEN,
    "outcome": SKY,
    "de-escalation": YELLOW,
    "held-despite": BLACK,
}
OTHER_RELATION: Final = GREY
_LANE_ORDER: Final = ("military", "diplomacy", "humanitarian")
_NODE: Final = "#34495e"
_ROW: Final = 0.3  # between the rows of labels in a lane
_GAP: Final = 0.6  # between lanes
_CHAR_INCHES: Final = 0.6 * 7 / 72  # a character of a 7-point label, and some


def _lane(event: Event) -> str:
    family, _, _ = (event.TYPE or type(event).__name__).partition(".")
    return family


def _lane_key(family: str) -> tuple[int, str]:
    return (_LANE_ORDER.index(family) if family in _LANE_ORDER else len(_LANE_ORDER), family)


def _layout(
    events: Sequence[Event], lanes: Sequence[str], mdates: Any, inches: float, label_length: int
) -> dict[Any, tuple[float, float]]:
    """Where each event goes: its time, and the lowest row of its lane its label fits in."""
    starts = [float(mdates.date2num(naive(e.occurred_at))) for e in events]
    ends = [
        float(mdates.date2num(naive(e.occurred_until))) if e.occurred_until else x
        for e, x in zip(events, starts, strict=True)
    ]
    width = max(max(ends, default=1.0) - min(starts, default=0.0), 1e-3)
    char = _CHAR_INCHES / max(inches * 0.8, 1.0) * width * 1.1  # a label's character, in days
    rows: dict[str, list[float]] = {lane: [] for lane in lanes}
    row_of = []
    for event, x, end in zip(events, starts, ends, strict=True):
        taken = rows[_lane(event)]
        reach = max(end, x + (len(short(event.headline(), label_length)) + 4) * char)
        row = next((r for r, last in enumerate(taken) if last <= x), len(taken))
        if row == len(taken):
            taken.append(reach)
        else:
            taken[row] = reach
        row_of.append(row)
    base: dict[str, float] = {}
    floor = 0.0
    for lane in lanes:
        base[lane] = floor
        floor += max(len(rows[lane]), 1) * _ROW + _GAP
    return {
        e.event_id: (x, base[_lane(e)] + row * _ROW)
        for e, x, row in zip(events, starts, row_of, strict=True)
    }


def draw_causal(
    graph: CausalGraph,
    *,
    around: EventRef | None = None,
    depth: int = 2,
    path: str | Path | None = None,
    title: str | None = None,
    label_length: int = 48,
    size: tuple[float, float] = (12.0, 6.0),
    ax: Axes | None = None,
    zone: str | None = None,
) -> Figure:
    """Draw a causal graph (or the part around one event) on a time axis.

    Events are placed by their start (an interval as a bar to its end), in one lane per
    family (military, diplomacy, humanitarian, ...), labelled with their headlines; links
    are arrows coloured by relation (:data:`RELATION_COLOURS`), thicker the more confident.

    Args:
        graph: the graph.
        around: draw only this event's causes and consequences (it is ringed).
        depth: how many links away from ``around`` to go.
        path: also save the picture here; the suffix picks the format (``.png``, ``.svg``,
            ``.pdf``).
        title: a title; by default the view's cuts.
        label_length: headlines are cut to this many characters.
        size: the figure's size in inches (for a new figure).
        ax: draw on these matplotlib axes instead of a new figure.
        zone: the zone of the date axis (``"Europe/Kyiv"``, ``"UTC"``, ``"+03:00"``), named in
            its label; by default the zone every drawn event shares, else UTC.

    Returns:
        The matplotlib ``Figure`` (``ax``'s, if given).

    Raises:
        TimelineError: matplotlib (the ``plot`` extra) is not installed.
        UnknownEvent: ``around`` is not in the graph.
        InvalidArgument: ``ax`` is not a matplotlib ``Axes``, or ``size`` is not two positive
            numbers; ``zone`` is not a zone.
    """
    _, _, mdates = matplotlib()
    shown = graph if around is None else graph.around(around, depth=depth)
    centre = None if around is None else shown.event(around).event_id
    figure, ax = axes(ax, size)
    events = sorted(shown.events(), key=lambda e: (e.occurred_at, str(e.event_id)))
    lanes = sorted({_lane(e) for e in events}, key=_lane_key)
    place = _layout(events, lanes, mdates, figure.get_figwidth(), label_length)
    for event in events:
        x, y = place[event.event_id]
        if event.occurred_until is not None:
            end = float(mdates.date2num(naive(event.occurred_until)))
            ax.plot([x, end], [y, y], color=_NODE, linewidth=4, alpha=0.35, solid_capstyle="round")
        ring = event.event_id == centre
        ax.plot(
            [x],
            [y],
            marker="o",
            markersize=9 if ring else 6,
            color=YELLOW if ring else _NODE,
            markeredgecolor=BLACK if ring else _NODE,
        )
        ax.annotate(
            short(event.headline(), label_length),
            (x, y),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=7,
        )
    seen_relations: dict[str, str] = {}
    for edge in shown.edges():
        claim = max(edge.claims, key=lambda c: c.confidence)
        colour = RELATION_COLOURS.get(claim.relation, OTHER_RELATION)
        seen_relations.setdefault(claim.relation, colour)
        ax.annotate(
            "",
            xy=place[edge.effect.event_id],
            xytext=place[edge.cause.event_id],
            arrowprops={
                "arrowstyle": "-|>",
                "color": colour,
                "linewidth": 0.8 + 2.2 * claim.confidence,
                "alpha": 0.85,
                "connectionstyle": "arc3,rad=0.15",
                "shrinkA": 4,
                "shrinkB": 4,
            },
        )
    for relation, colour in seen_relations.items():
        ax.plot([], [], color=colour, linewidth=2, label=plain(relation))
    if seen_relations:
        ax.legend(loc="upper left", fontsize=7, title="relation", title_fontsize=7)
    spread: dict[str, list[float]] = {}
    for event in events:
        spread.setdefault(_lane(event), []).append(place[event.event_id][1])
    ticks = [(min(spread[lane]) + max(spread[lane])) / 2 for lane in lanes]
    ax.set_yticks(ticks, [plain(lane) for lane in lanes])
    top = max((y for _, y in place.values()), default=0.0)
    ax.set_ylim(-0.5, max(top + 0.5, 0.8))
    date_axis(ax, mdates, "valid time", axis_zone(zone, (e.zone for e in events)))
    cuts = ", ".join(
        f"{name} {value.isoformat()}"
        for name, value in (("as of", shown.as_of), ("known at", shown.known_at))
        if value is not None
    )
    ax.set_title(title if title is not None else "Causal graph" + (f" ({cuts})" if cuts else ""))
    save(figure, path)
    return figure
