"""timeline.plot: the date axis in a zone, and each day drawn over its own local date."""

import datetime as dt

import pendulum
import pytest

import timeline as tl
from timeline.errors import InvalidArgument
from timeline.plot import draw_causal, intensity_chart, nights_chart, timeline_chart

pytest.importorskip("matplotlib")

from matplotlib import dates as mdates

KYIV = "Europe/Kyiv"


def by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def utc(*args):
    """A UTC instant as the axis holds it (matplotlib's day number)."""
    return mdates.date2num(dt.datetime(*args))  # noqa: DTZ001  # the axis is UTC


def night(day, hour, launched, zone=KYIV):
    return tl.DroneBarrage(
        occurred_at=pendulum.datetime(2025, 6, day, hour, 30, tz=zone),
        time_precision="minute",
        attacker="Russia",
        launched=launched,
    )


#: Talks "on Monday in Istanbul", 2 June: stored at 21:00 UTC on 1 June.
ROUND = tl.TalkRoundHeld(
    occurred_at=pendulum.datetime(2025, 6, 2, tz="Europe/Istanbul"),
    time_precision="day",
    parties=("Ukraine", "Russia"),
    city="Istanbul",
)


def test_the_axis_is_in_the_zone_the_events_share_and_says_so():
    events = [night(1, 1, 40), night(2, 1, 80)]
    assert timeline_chart(events).axes[0].get_xlabel() == "valid time (Europe/Kyiv)"
    assert timeline_chart([*events, ROUND]).axes[0].get_xlabel() == "valid time (UTC)"
    chosen = timeline_chart([*events, ROUND], zone="Europe/Istanbul").axes[0]
    assert chosen.get_xlabel() == "valid time (Europe/Istanbul)"
    state = tl.Escalation().fold(tl.Escalation().initial(), events)
    assert nights_chart(state).axes[0].get_xlabel() == "day (Europe/Kyiv)"
    assert intensity_chart(state, zone="UTC").axes[0].get_xlabel() == "day (UTC)"
    log = tl.open_log("memory:")
    log.append(events, stream="air")
    graph = tl.causal_graph(log)
    assert draw_causal(graph).axes[0].get_xlabel() == "valid time (Europe/Kyiv)"
    assert draw_causal(graph, zone="UTC").axes[0].get_xlabel() == "valid time (UTC)"


def test_the_ticks_read_the_zones_clock():
    events = [night(1, 1, 40), night(3, 23, 80)]
    for zone, offset in ((KYIV, 3), ("UTC", 0), ("Asia/Kolkata", 5.5)):
        ax = timeline_chart(events, zone=zone).axes[0]
        ticks = ax.xaxis.get_major_locator()()
        assert len(ticks) > 1
        for tick in ticks:  # each on a round hour of that zone's clock (a midnight, or 6, 12...)
            at = mdates.num2date(tick) + dt.timedelta(hours=offset)
            assert (at.hour % 3, at.minute) == (0, 0), (zone, at)


def test_a_day_bar_and_a_talk_round_stand_over_their_local_dates():
    # 01:30 Kyiv on 2 June (22:30 UTC on 1 June) counts on 2 June, and is drawn over it.
    late = night(2, 1, 80)
    log = tl.open_log("memory:")
    log.append([late, ROUND], stream="s")
    ax = nights_chart(log, zone=KYIV).axes[0]
    [bar] = by_gid(ax, "launched")
    middle = bar.get_x() + bar.get_width() / 2
    assert utc(2025, 6, 1, 21) < middle < utc(2025, 6, 2, 21)  # Kyiv's 2 June
    [line] = by_gid(ax, "round")
    x = line.get_xdata()[0]
    assert utc(2025, 6, 1, 21) < x < utc(2025, 6, 2, 21)  # Istanbul's (and Kyiv's) 2 June
    ax = nights_chart(log, zone="America/New_York").axes[0]
    [bar] = by_gid(ax, "launched")
    middle = bar.get_x() + bar.get_width() / 2
    assert utc(2025, 6, 2, 4) < middle < utc(2025, 6, 3, 4)  # 2 June on New York's calendar


def test_a_zone_that_is_not_one_is_refused_naming_it():
    with pytest.raises(InvalidArgument) as caught:
        timeline_chart([night(1, 1, 40)], zone="Kyiv")
    assert caught.value.argument == "zone"
    assert caught.value.value == "Kyiv"
    state = tl.Escalation().fold(tl.Escalation().initial(), [night(1, 1, 40)])
    with pytest.raises(InvalidArgument):
        nights_chart(state, zone="+3")


def test_a_round_elsewhere_leaves_the_axis_in_the_reports_zone():
    log = tl.open_log("memory:")
    log.append([night(1, 1, 40), night(2, 1, 80), ROUND], stream="s")
    assert nights_chart(log).axes[0].get_xlabel() == "day (Europe/Kyiv)"
    assert intensity_chart(log).axes[0].get_xlabel() == "day (Europe/Kyiv)"
