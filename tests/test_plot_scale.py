"""The timeline chart on many events: aggregated, with axis limits and labels from the data.

Speed is measured in benchmarks/plot.py, not here; these tests check what is drawn.
"""

from __future__ import annotations

from pathlib import Path

import pendulum
import pytest

import timeline as tl
from timeline.causal.timing import latest
from timeline.plot import timeline_chart
from timeline.plot._view import change_text

pytest.importorskip("matplotlib")

import matplotlib.dates as mdates  # after the skip

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
LOSSES = SHARED / "ru-losses"
MISSILES = SHARED / "missile-attacks" / "missile_attacks_daily_2025-05_2025-06.csv"
NOW = tl.instant("2026-01-01T00:00:00+00:00")
T = pendulum.datetime(2025, 6, 1, 16, 30)


def by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def texts(figure):
    ax = figure.axes[0]
    found = [t.get_text() for t in ax.texts]
    found += [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
    legend = ax.get_legend()
    if legend is not None:
        found += [t.get_text() for t in legend.get_texts()]
    return [*found, ax.get_title()]


@pytest.fixture(scope="module")
def shared_log(example):
    for path in (LOSSES, MISSILES):
        if not path.exists():
            pytest.skip(f"the shared data set {path} is not here (it is read in place)")
    log = tl.open_log("memory:", clock=tl.FixedClock(NOW))
    example.record(log)
    tl.io.import_file(log, "missile-attacks", MISSILES)
    tl.io.import_file(log, "ru-losses", LOSSES / "revisions.jsonl.gz")
    tl.io.import_file(log, "ru-losses", LOSSES)
    return log


def test_the_real_data_chart_is_aggregated_with_labels_from_values(shared_log):
    figure = timeline_chart(shared_log)
    ax = figure.axes[0]
    shown = texts(figure)
    assert not [t for t in shown if "object at 0x" in t or "<built-in" in t or "<bound" in t]
    assert [t for t in shown if t.startswith("479 Shahed-136/131, 08 Jun 2025")]  # README fact 2
    assert any(t.endswith("events corrected (ringed)") for t in shown)
    assert len(ax.get_children()) < 200  # bins, not one artist per event
    assert len(by_gid(ax, "link")) == 12  # the Istanbul example's links
    # x limits lie within the data's range: 25 Feb 2022 (the first tally) to 8 Aug 2026.
    low, high = (mdates.num2date(x) for x in ax.get_xlim())
    assert low >= pendulum.datetime(2022, 2, 24, 21)  # 25 Feb in Kyiv, at day precision
    assert high <= pendulum.datetime(2026, 8, 8, 21)  # the end of 8 Aug in Kyiv
    assert low.year == 2022
    assert high.year == 2026


def test_the_axis_is_the_data_range_exactly_when_aggregated():
    events = [
        tl.DroneBarrage(occurred_at=T.add(days=d), attacker="Russia", launched=d + 1)
        for d in range(50)
    ]
    ax = timeline_chart(events, detail=10).axes[0]
    low, high = ax.get_xlim()
    assert low == pytest.approx(mdates.date2num(events[0].occurred_at))
    assert high == pytest.approx(mdates.date2num(latest(events[-1])))


def test_aggregated_bars_sum_what_was_launched_in_their_bin():
    # Two barrages an hour apart fall in one bin; one far away in another.
    events = [
        tl.DroneBarrage(occurred_at=T, attacker="Russia", launched=100),
        tl.DroneBarrage(occurred_at=T.add(hours=1), attacker="Russia", launched=300),
        tl.DroneBarrage(occurred_at=T.add(days=60), attacker="Russia", launched=200),
    ]
    ax = timeline_chart(events, detail=2).axes[0]
    heights = sorted(p.get_height() for p in by_gid(ax, "barrage"))  # one bar per bin
    assert heights == [pytest.approx(0.85 * 200 / 400, abs=1e-3), pytest.approx(0.85, abs=1e-3)]
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "label"]
    assert labels == ["300 drones, 01 Jun 2025"]


def test_aggregated_and_detailed_charts_draw_the_same_lanes(example):
    log = tl.open_log("memory:", clock=tl.FixedClock(NOW))
    example.record(log)
    one_by_one = timeline_chart(log).axes[0]
    binned = timeline_chart(log, detail=5).axes[0]
    assert [t.get_text() for t in binned.get_yticklabels()] == [
        t.get_text() for t in one_by_one.get_yticklabels()
    ]
    assert len(by_gid(binned, "link")) == len(by_gid(one_by_one, "link"))
    assert by_gid(binned, "round")
    assert by_gid(binned, "correction")


def test_a_correction_note_never_shows_a_repr():
    before = tl.LossReport(occurred_at=T, party="Russia", equipment={"aircraft": 384})
    after = tl.LossReport(
        occurred_at=T,
        party="Russia",
        equipment={"aircraft": 413},
        personnel=2800,
        tags=["personnel approximate"],
    )
    assert change_text(before, after, ["equipment", "personnel", "tags"]) == (
        "corrected: aircraft 384 → 413; personnel – → 2,800; tags – → personnel approximate"
    )
