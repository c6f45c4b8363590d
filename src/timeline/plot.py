"""Pictures, with the ``plot`` extra (matplotlib): the causal graph on a time axis.

matplotlib is imported when a picture is drawn, never when :mod:`timeline` is; without the
extra, drawing raises :class:`~timeline.errors.TimelineError` saying how to install it.
Figures are drawn on matplotlib's Agg canvas (no window, no global pyplot state) and returned,
so notebooks show them and scripts save them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from timeline.causal.graph import CausalGraph, EventRef
from timeline.errors import TimelineError
from timeline.events import Event

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["draw_causal"]

#: Colours of the usual relations; other relations are grey.
RELATION_COLOURS: Final = {
    "retaliation": "#c0392b",
    "escalation": "#e67e22",
    "response": "#2471a3",
    "prompted": "#8e44ad",
    "precondition": "#16a085",
    "outcome": "#27ae60",
    "de-escalation": "#2ecc71",
}
_OTHER: Final = "#7f8c8d"
_LANE_ORDER: Final = ("military", "diplomacy", "humanitarian")


def _matplotlib() -> tuple[Any, Any, Any]:
    """Matplotlib's Figure, its Agg canvas and its dates module (partly untyped: ``Any``)."""
    try:
        from matplotlib import dates  # noqa: PLC0415  # the plot extra is optional
        from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415  # same
        from matplotlib.figure import Figure  # noqa: PLC0415  # same
    except ImportError as e:
        raise TimelineError(
            "drawing needs matplotlib, which comes with the plot extra: "
            "pip install 'conflict-timeline[plot]'"
        ) from e
    return Figure, FigureCanvasAgg, dates


def _lane(event: Event) -> str:
    family, _, _ = (event.TYPE or type(event).__name__).partition(".")
    return family


def _lane_key(family: str) -> tuple[int, str]:
    return (_LANE_ORDER.index(family) if family in _LANE_ORDER else len(_LANE_ORDER), family)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _naive(value: dt.datetime) -> dt.datetime:
    """UTC wall time without a zone, which matplotlib's date axis reads as UTC."""
    return dt.datetime(  # noqa: DTZ001  # deliberately zone-free: the axis is labelled UTC
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
    )


def draw_causal(
    graph: CausalGraph,
    *,
    around: EventRef | None = None,
    depth: int = 2,
    path: str | Path | None = None,
    title: str | None = None,
    label_length: int = 48,
    size: tuple[float, float] = (12.0, 6.0),
) -> Figure:
    """Draw a causal graph (or the part around one event) on a time axis.

    Events are placed by their start (an interval as a bar to its end), in one lane per
    family (military, diplomacy, humanitarian, ...), labelled with their headlines; links
    are arrows coloured by relation, thicker the more confident.

    Args:
        graph: the graph.
        around: draw only this event's causes and consequences (it is ringed).
        depth: how many links away from ``around`` to go.
        path: also save the picture here; the suffix picks the format (``.png``, ``.svg``,
            ``.pdf``).
        title: a title; by default the view's cuts.
        label_length: headlines are cut to this many characters.
        size: the figure's size in inches.

    Returns:
        The matplotlib ``Figure``.

    Raises:
        TimelineError: matplotlib (the ``plot`` extra) is not installed.
        UnknownEvent: ``around`` is not in the graph.
    """
    figure_class, canvas_class, mdates = _matplotlib()

    shown = graph if around is None else graph.around(around, depth=depth)
    centre = None if around is None else shown.event(around).event_id
    figure: Figure = figure_class(figsize=size, layout="constrained")
    canvas_class(figure)
    ax = figure.add_subplot()
    events = sorted(shown.events(), key=lambda e: (e.occurred_at, str(e.event_id)))
    lanes = sorted({_lane(e) for e in events}, key=_lane_key)
    place: dict[Any, tuple[float, float]] = {}
    used: dict[str, int] = {}
    for event in events:
        lane = _lane(event)
        row = used.get(lane, 0)
        used[lane] = row + 1
        x = float(mdates.date2num(_naive(event.occurred_at)))
        y = lanes.index(lane) + (row % 4) * 0.2
        place[event.event_id] = (x, y)
        if event.occurred_until is not None:
            end = float(mdates.date2num(_naive(event.occurred_until)))
            ax.plot(
                [x, end], [y, y], color="#34495e", linewidth=4, alpha=0.35, solid_capstyle="round"
            )
        ring = event.event_id == centre
        ax.plot(
            [x],
            [y],
            marker="o",
            markersize=9 if ring else 6,
            color="#f1c40f" if ring else "#34495e",
            markeredgecolor="black" if ring else "#34495e",
        )
        ax.annotate(
            _short(event.headline(), label_length),
            (x, y),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=7,
        )
    seen_relations: dict[str, str] = {}
    for edge in shown.edges():
        claim = max(edge.claims, key=lambda c: c.confidence)
        colour = RELATION_COLOURS.get(claim.relation, _OTHER)
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
        ax.plot([], [], color=colour, linewidth=2, label=relation)
    if seen_relations:
        ax.legend(loc="upper left", fontsize=7, title="relation", title_fontsize=7)
    ax.set_yticks(range(len(lanes)), lanes)
    ax.set_ylim(-0.5, max(len(lanes) - 0.2, 0.8))
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel("valid time (UTC)")
    ax.grid(axis="x", alpha=0.3)
    cuts = ", ".join(
        f"{name} {value.isoformat()}"
        for name, value in (("as of", shown.as_of), ("known at", shown.known_at))
        if value is not None
    )
    ax.set_title(title if title is not None else "Causal graph" + (f" ({cuts})" if cuts else ""))
    if path is not None:
        figure.savefig(Path(path))
    return figure
