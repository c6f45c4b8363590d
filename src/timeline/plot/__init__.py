"""Pictures, with the ``plot`` extra (matplotlib).

==========================  ==========================================================
:func:`timeline_chart`      a log as a timeline: one lane per actor or stream, barrages
                            as bars, talk rounds and memoranda as markers, corrections
                            and causal links shown
:func:`intensity_chart`     the escalation's intensity per party per day (drones and
                            missiles launched, or Goldstein-scaled), talk rounds as
                            vertical lines, record nights marked
:func:`nights_chart`        launched and destroyed per day, record nights and talk
                            rounds marked
:func:`draw_causal`         the causal graph on a time axis
==========================  ==========================================================

matplotlib is imported when a picture is drawn, never when :mod:`timeline` is; without the
extra, drawing raises :class:`~timeline.errors.TimelineError` saying how to install it.
Figures are drawn on matplotlib's Agg canvas (no window, no global pyplot state) and
returned, so notebooks show them, scripts save them (``path=``), and you can restyle them.
Each function also draws on axes you pass (``ax=``), for figures of several panels. The
x axis is valid time, its ticks on the clock of a zone named in its label (``zone=``; by
default the zone every drawn event shares, else UTC), and the colours are the Okabe–Ito palette
(:data:`OKABE_ITO`), which readers with any common colour-vision deficiency tell apart.
"""

from timeline.plot._base import OKABE_ITO
from timeline.plot.causal import RELATION_COLOURS, draw_causal
from timeline.plot.chart import LANES, MARKS, Mark, timeline_chart
from timeline.plot.series import intensity_chart, nights_chart

__all__ = [
    "LANES",
    "MARKS",
    "OKABE_ITO",
    "RELATION_COLOURS",
    "Mark",
    "draw_causal",
    "intensity_chart",
    "nights_chart",
    "timeline_chart",
]
