"""What every picture shares: matplotlib on demand, the palette, the date axis, corrections.

A date axis is drawn in a zone (:func:`axis_zone`): events stay where their UTC instants put
them, and the ticks and their labels are the wall clock and calendar of that zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from timeline.errors import InvalidArgument, TimelineError
from timeline.time import is_zone, start_of_local_day, zone_info

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from numpy.typing import ArrayLike

#: The Okabe–Ito palette: eight colours told apart with every common colour-vision deficiency.
OKABE_ITO: Final = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)
ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE, BLACK = OKABE_ITO
GREY: Final = "#7f7f7f"

#: The colour of each party-like name picked for a series, in the order first needed.
SERIES: Final = (BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, BLACK, YELLOW)

_DAY: Final = dt.timedelta(days=1)


def matplotlib() -> tuple[Any, Any, Any]:
    """Matplotlib's Figure, its Agg canvas and its dates module (partly untyped: ``Any``).

    Raises:
        TimelineError: matplotlib (the ``plot`` extra) is not installed.
    """
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


def axes(ax: object, size: tuple[float, float]) -> tuple[Figure, Axes]:
    """The axes to draw on: ``ax`` if given, else those of a new figure on an Agg canvas.

    A new figure is never registered with pyplot (no global state, no window); notebooks
    still show it, as the value of a cell.

    Raises:
        InvalidArgument: ``ax`` is not a matplotlib ``Axes``.
    """
    figure_class, canvas_class, _ = matplotlib()
    if ax is not None:
        from matplotlib.axes import Axes  # noqa: PLC0415  # the plot extra is optional

        if not isinstance(ax, Axes):
            raise InvalidArgument(
                f"ax must be a matplotlib Axes, got {type(ax).__name__}", argument="ax", value=ax
            )
        figure = ax.get_figure(root=True)
        if figure is None:  # pragma: no cover  # an Axes is always made on a figure
            raise InvalidArgument("ax belongs to no figure", argument="ax", value=ax)
        return figure, ax
    checked = check_size(size)
    figure = figure_class(figsize=checked, layout="constrained")
    canvas_class(figure)
    return figure, figure.add_subplot()


def check_size(size: object) -> tuple[float, float]:
    """A figure size in inches, two positive numbers.

    Raises:
        InvalidArgument: anything else.
    """
    if (
        isinstance(size, tuple)
        and len(size) == 2  # noqa: PLR2004  # width and height
        and all(isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in size)
    ):
        return float(size[0]), float(size[1])
    raise InvalidArgument(
        f"size must be (width, height) in inches, both > 0, got {size!r}",
        argument="size",
        value=size,
    )


def check_choice(name: str, value: object, allowed: Iterable[str]) -> str:
    """``value`` if it is one of ``allowed``.

    Raises:
        InvalidArgument: naming the argument, the value and the choices.
    """
    choices = tuple(allowed)
    if isinstance(value, str) and value in choices:
        return value
    raise InvalidArgument(
        f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}",
        argument=name,
        value=value,
    )


def naive(value: dt.datetime) -> dt.datetime:
    """UTC wall time without a zone, which matplotlib's date axis reads as UTC."""
    utc = value.astimezone(dt.UTC) if value.tzinfo is not None else value
    return dt.datetime(  # noqa: DTZ001  # deliberately zone-free: the axis is labelled UTC
        utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond
    )


def day_start(day: str | dt.date, zone: str = "UTC") -> dt.datetime:
    """The start of a local day (``"2025-06-01"`` in ``zone``), as zone-free UTC for the axis.

    >>> day_start("2025-06-01", "Europe/Kyiv")
    datetime.datetime(2025, 5, 31, 21, 0)
    """
    date = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
    return naive(start_of_local_day(date, zone))


def axis_zone(zone: object, zones: Iterable[str | None]) -> str:
    """The zone a date axis is drawn in: ``zone`` if given, else the drawn events' zone.

    The zone every drawn event shares (``zones``: theirs, ``None`` for one without), or UTC
    when they do not share one.

    >>> axis_zone(None, ["Europe/Kyiv", "Europe/Kyiv"]), axis_zone(None, ["Europe/Kyiv", None])
    ('Europe/Kyiv', 'UTC')

    Raises:
        InvalidArgument: a ``zone`` that is not one (an IANA name, ``"UTC"``, ``"+03:00"``).
    """
    if zone is not None:
        if not is_zone(zone):
            raise InvalidArgument(
                f"zone must be a time zone (Europe/Kyiv, UTC, +03:00), got {zone!r}",
                argument="zone",
                value=zone,
            )
        return str(zone)
    found = set(zones)
    only = found.pop() if len(found) == 1 else None
    return only if only is not None else "UTC"


def date_axis(ax: Axes, dates: Any, label: str = "valid time", zone: str = "UTC") -> None:
    """Concise dates on the x axis in ``zone``, labelled with it, with a light vertical grid.

    The ticks fall on that zone's midnights and hours, and read its dates and times:
    ``"valid time (Europe/Kyiv)"``.
    """
    tz = zone_info(zone)
    locator = dates.AutoDateLocator(tz=tz)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator, tz=tz))
    ax.set_xlabel(f"{label} ({zone})")
    ax.grid(axis="x", alpha=0.3)


def save(figure: Figure, path: str | Path | None) -> None:
    """Save the figure if a path is given; its suffix picks the format."""
    if path is not None:
        figure.savefig(Path(path))


def correction_rings(ax: Axes, xs: ArrayLike, ys: ArrayLike, *, size: float, width: float) -> None:
    """Hollow vermillion rings at ``xs``, ``ys``: where corrected events stand (or stood).

    ``size`` is the rings' diameter and ``width`` their line's, in points.
    """
    ax.plot(
        xs,
        ys,
        linestyle="none",
        marker="o",
        markersize=size,
        markerfacecolor="none",
        markeredgecolor=VERMILLION,
        markeredgewidth=width,
        gid="correction",
    )


def correction_note(
    ax: Axes, text: str, at: tuple[float, float], *, offset: tuple[float, float], size: float
) -> None:
    """A vermillion note about a correction, ``offset`` points from ``at`` (``size``-point)."""
    ax.annotate(
        text,
        at,
        xytext=offset,
        textcoords="offset points",
        fontsize=size,
        color=VERMILLION,
        gid="correction-note",
    )


def short(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters (an ellipsis if it was cut), shown as written."""
    return plain(text if len(text) <= limit else text[: limit - 1] + "…")


def plain(text: str) -> str:
    """Text that matplotlib shows as written: a ``$`` would start mathematical notation."""
    return text.replace("$", r"\$")


def colours(names: Iterable[Any]) -> Callable[[Any], str]:
    """A colour per name, from :data:`SERIES`, in the order the names are first asked for."""
    given: dict[Any, str] = {}
    for name in names:
        given.setdefault(name, SERIES[len(given) % len(SERIES)])

    def colour(name: Any) -> str:
        return given.setdefault(name, SERIES[len(given) % len(SERIES)])

    return colour
