"""The timeline chart of many events: aggregated into time bins, a few artists per lane.

Past a few hundred events a chart of one mark and one label per event is unreadable (the
marks overlap) and slow (matplotlib lays out every label). So each lane's events are
counted in bins of equal width across the data's time range, about one marker wide:

- barrages and missile strikes: one bar per bin, as tall as the number launched in it
  (summed; scaled to the largest bin of the chart), drawn with one ``bar`` call per lane
  and kind; a bin of attacks with no count known is a low hatched bar;
- every other kind of event: one marker per bin it occurs in, one ``plot`` call per lane
  and kind;
- corrected events: a hollow ring on their bin, and the lane's count of them;
- labels only for the largest few attacks of each lane, written from their values.

Positions go through numpy (days since matplotlib's epoch), so 100,000 events take well
under the time of laying out one label each.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from timeline.causal.timing import latest
from timeline.events import Attack, MissileStrike, Strike
from timeline.plot._base import BLACK, correction_note, correction_rings, plain, short
from timeline.time import local_date

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from timeline.plot._view import Item

#: Labelled attacks per lane and kind (the largest).
TOP_LABELS: Final = 1
_SECONDS_PER_DAY: Final = 86400.0


class Dense:
    """The aggregated drawing of one chart: lanes, bins, and where each event went."""

    def __init__(
        self,
        ax: Axes,
        mdates: Any,
        items: Sequence[Item],
        lanes: Sequence[str],
        *,
        bins: int,
        labels: bool,
        label_length: int,
        marks: Any,
        layout: dict[str, float],
        bar_colours: dict[str, str],
    ) -> None:
        self.ax = ax
        self.items = items
        self.lanes = lanes
        self.labels = labels
        self.label_length = label_length
        self._mark = marks
        self._layout = layout
        self._bar_colours = bar_colours
        epoch = float(mdates.date2num(dt.datetime(1970, 1, 1)))  # noqa: DTZ001  # the axis is UTC
        starts = (
            np.fromiter((i.event.occurred_at.timestamp() for i in items), float, len(items))
            / _SECONDS_PER_DAY
            + epoch
        )
        ends = (
            np.fromiter((latest(i.event).timestamp() for i in items), float, len(items))
            / _SECONDS_PER_DAY
            + epoch
        )
        self.left = float(starts.min()) if len(items) else 0.0
        self.right = float(max(ends.max(), starts.max())) if len(items) else 1.0
        self.width = max(self.right - self.left, 1.0)
        self.bins = bins
        self.bin_width = self.width / bins
        self.bin = np.minimum(((starts - self.left) / self.bin_width).astype(int), bins - 1)
        self.place: dict[uuid.UUID, list[tuple[float, float]]] = {}
        self.floor: dict[str, float] = {}
        self.row: dict[str, float] = {}
        self.centre: dict[str, float] = {}
        self.top = 0.0
        self.corrected: dict[str, int] = dict.fromkeys(lanes, 0)

    def x(self, b: int | np.ndarray) -> Any:
        """The middle of bin ``b``."""
        return self.left + (np.asarray(b) + 0.5) * self.bin_width

    def draw(self) -> None:
        """Lay the lanes out from the top down, then draw each lane's bars and markers."""
        zone, row, pad = (self._layout[k] for k in ("bar_zone", "row", "pad"))
        by_lane: dict[str, list[int]] = {lane: [] for lane in self.lanes}
        for n, item in enumerate(self.items):
            for lane in item.lanes:
                by_lane[lane].append(n)
        has_bars = {
            lane: any(isinstance(self.items[n].event, Attack | Strike) for n in ns)
            for lane, ns in by_lane.items()
        }
        for lane in reversed(self.lanes):
            height = (zone if has_bars[lane] else 0.0) + 2 * row + pad
            self.floor[lane] = self.top + pad / 2
            self.row[lane] = self.top + pad / 2 + (zone if has_bars[lane] else 0.0) + row
            self.centre[lane] = self.top + height / 2
            self.top += height
        peak = self._peak(by_lane)
        for lane, ns in by_lane.items():
            self._bars(
                lane, [n for n in ns if isinstance(self.items[n].event, Attack | Strike)], peak
            )
            self._markers(
                lane, [n for n in ns if not isinstance(self.items[n].event, Attack | Strike)]
            )
            self._corrections(lane, [n for n in ns if self.items[n].original is not None])

    def _kind(self, n: int) -> str:
        event = self.items[n].event
        if isinstance(event, MissileStrike):
            return "missile"
        return "drone" if isinstance(event, Attack) else "strike"

    def _sums(self, ns: Sequence[int]) -> np.ndarray:
        launched = np.fromiter(
            (getattr(self.items[n].event, "launched", None) or 0 for n in ns), float, len(ns)
        )
        return np.bincount(self.bin[list(ns)], weights=launched, minlength=self.bins)

    def _peak(self, by_lane: dict[str, list[int]]) -> float:
        peak = 1.0
        for ns in by_lane.values():
            for kind in ("drone", "missile"):
                chosen = [n for n in ns if self._kind(n) == kind]
                if chosen:
                    peak = max(peak, float(self._sums(chosen).max()))
        return peak

    def _bars(self, lane: str, ns: Sequence[int], peak: float) -> None:
        bar_height = self._layout["bar_height"]
        floor = self.floor[lane]
        for kind in ("drone", "missile", "strike"):
            chosen = [n for n in ns if self._kind(n) == kind]
            if not chosen:
                continue
            present = np.bincount(self.bin[chosen], minlength=self.bins) > 0
            if kind == "strike":
                heights = np.where(present, self._layout["strike_height"], 0.0)
            else:
                sums = self._sums(chosen)
                heights = np.where(
                    sums > 0,
                    np.maximum(bar_height * sums / peak, 0.04),
                    np.where(present, self._layout["unknown_height"], 0.0),
                )
            where = np.flatnonzero(present)
            self.ax.bar(
                self.x(where),
                heights[where],
                width=self.bin_width,
                bottom=floor,
                color=self._bar_colours[kind],
                alpha=0.85,
                edgecolor=BLACK,
                linewidth=0.3,
                gid="barrage" if kind != "strike" else "strike",
            )
            tops = {int(b): floor + float(heights[b]) for b in where}
            for n in chosen:
                b = int(self.bin[n])
                self.place.setdefault(self.items[n].event.event_id, []).append(
                    (float(self.x(b)), tops[b])
                )
            if self.labels and kind != "strike":
                self._label_largest(chosen, tops)

    def _label_largest(self, ns: Sequence[int], tops: dict[int, float]) -> None:
        counted = [n for n in ns if getattr(self.items[n].event, "launched", None)]
        counted.sort(key=lambda n: -self.items[n].event.launched)  # type: ignore[attr-defined]
        for n in counted[:TOP_LABELS]:
            event = self.items[n].event
            assert isinstance(event, Attack)  # noqa: S101  # only attacks have a count
            kind = "missiles" if isinstance(event, MissileStrike) else "drones"
            b = int(self.bin[n])
            text = f"{event.launched:,} {event.weapon or kind}, {local_date(event):%d %b %Y}"
            self.ax.annotate(
                short(text, self.label_length + 13),
                (float(self.x(b)), tops[b]),
                xytext=(2, 2),
                textcoords="offset points",
                fontsize=7.0,
                gid="label",
            )

    def _markers(self, lane: str, ns: Sequence[int]) -> None:
        y = self.row[lane]
        groups: dict[Any, list[int]] = {}
        for n in ns:
            groups.setdefault(self._mark(self.items[n].event), []).append(n)
        for mark, chosen in groups.items():
            where = np.flatnonzero(np.bincount(self.bin[chosen], minlength=self.bins))
            self.ax.plot(
                self.x(where),
                np.full(len(where), y),
                linestyle="none",
                marker=mark.marker,
                markersize=mark.size * 0.8,
                color=mark.colour,
                markerfacecolor="none" if mark.hollow else mark.colour,
                markeredgecolor=mark.colour if mark.hollow else BLACK,
                markeredgewidth=1.2 if mark.hollow else 0.4,
                gid=mark.kind,
            )
            for n in chosen:
                self.place.setdefault(self.items[n].event.event_id, []).append(
                    (float(self.x(int(self.bin[n]))), y)
                )

    def _corrections(self, lane: str, ns: Sequence[int]) -> None:
        if not ns:
            return
        self.corrected[lane] = len(ns)
        where = np.flatnonzero(np.bincount(self.bin[list(ns)], minlength=self.bins))
        y = self.row[lane]
        correction_rings(self.ax, self.x(where), np.full(len(where), y), size=9, width=1.0)
        events = "event" if len(ns) == 1 else "events"
        correction_note(
            self.ax,
            plain(f"{len(ns):,} {events} corrected (ringed)"),
            (self.left, y),
            offset=(2, 6),
            size=7.0,
        )
