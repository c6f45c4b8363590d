"""timeline.plot: the timeline chart, the intensity and nights charts; artists, not pixels."""

import io
import struct
from pathlib import Path

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import timeline as tl
from timeline.io.cameo import Cameo, Intensity, PartyDay
from timeline.plot import MARKS, intensity_chart, nights_chart, timeline_chart
from timeline.projections import META_TYPES
from timeline.testing import strategies

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure


def by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def png_size(figure, dpi=40):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    data = buffer.getvalue()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def lanes(ax):
    return [t.get_text() for t in ax.get_yticklabels()]


T = pendulum.datetime(2025, 6, 1, 16, 30)


def at(hours):
    return T.add(hours=hours)


@pytest.fixture(scope="module")
def istanbul(example):
    log = tl.open_log("memory:")
    example.record(log)
    return example, log


# -- the timeline chart -----------------------------------------------------------------------


def test_the_istanbul_record_as_a_timeline(istanbul):
    example, log = istanbul
    figure = timeline_chart(log)
    (ax,) = figure.axes
    width, height = png_size(figure)
    assert (width, height) == (
        round(figure.get_figwidth() * 40),
        round(figure.get_figheight() * 40),
    )
    assert lanes(ax) == ["Ukraine", "Russia"]
    events = [rec.event for rec in log.read()]
    attacks = [e for e in events if isinstance(e, tl.DroneBarrage | tl.MissileStrike)]
    assert len(by_gid(ax, "barrage")) == len(attacks) == 1
    assert len(by_gid(ax, "strike")) == sum(isinstance(e, tl.Strike) for e in events) == 1
    rounds = by_gid(ax, "round")
    assert len(rounds) == sum(isinstance(e, tl.TalkRoundHeld) for e in events) == 2
    assert all(len(line.get_ydata()) == 2 for line in rounds)  # in both parties' lanes
    assert len(by_gid(ax, "memorandum")) == 2  # promised, and awaited
    assert len(by_gid(ax, "link")) == tl.causal_graph(log).number_of_edges() == len(example.links())
    assert len(by_gid(ax, "correction")) == 1
    (note,) = by_gid(ax, "correction-note")
    assert note.get_text() == "corrected: aircraft 384 → 413"
    assert ax.get_xlabel() == "valid time (UTC)"
    assert {t.get_text() for t in ax.get_legend().get_texts()} >= {"retaliation", "held-despite"}
    labels = [t.get_text() for t in by_gid(ax, "label")]
    assert "472 Shahed-136/131" in labels


def test_known_at_and_as_of_cut_the_chart_as_they_cut_a_replay(istanbul):
    example, log = istanbul
    fix = log.get(example.eid("losses-2025-06-03-revised"))
    before = timeline_chart(log, known_at=fix.recorded_at.subtract(seconds=1)).axes[0]
    assert not by_gid(before, "correction")
    assert len(by_gid(before, "report")) == 1  # the tally, as first published
    morning = timeline_chart(log, known_at=example.MORNING_OF_2_JUNE).axes[0]
    assert not by_gid(morning, "link")  # the links were recorded that evening
    assert len(by_gid(morning, "barrage")) == 1
    may = timeline_chart(log, as_of=pendulum.datetime(2025, 5, 20)).axes[0]
    assert len(by_gid(may, "round")) == 1
    assert not by_gid(may, "barrage")
    assert "as of 2025-05-20 00:00 UTC" in may.get_title()


def test_one_lane_per_stream(istanbul):
    _, log = istanbul
    ax = timeline_chart(log, lanes="stream").axes[0]
    streams = {rec.stream for rec in log.read() if not isinstance(rec.event, tl.CausalLink)}
    assert set(lanes(ax)) == streams
    assert len(lanes(ax)) == len(streams)


def test_lanes_from_a_function():
    events = [
        tl.DroneBarrage(occurred_at=at(0), attacker="Russia", launched=100),
        tl.Statement(occurred_at=at(3), speaker="Hakan Fidan", text="Welcome"),
    ]
    ax = timeline_chart(events, lanes=lambda e: e.TYPE.partition(".")[0]).axes[0]
    assert lanes(ax) == ["military", "diplomacy"]


def test_bars_are_as_tall_as_the_count_and_as_wide_as_the_window():
    big = tl.DroneBarrage(occurred_at=at(0), occurred_until=at(18), attacker="Russia", launched=400)
    small = tl.MissileStrike(occurred_at=at(30), attacker="Russia", launched=100)
    unknown = tl.DroneBarrage(occurred_at=at(60), attacker="Russia", time_precision="day")
    ax = timeline_chart([big, small, unknown]).axes[0]
    bars = sorted(by_gid(ax, "barrage"), key=lambda r: r.get_x())
    assert len(bars) == 3
    assert bars[1].get_height() == pytest.approx(bars[0].get_height() / 4)
    assert bars[0].get_width() == pytest.approx(18 / 24)  # the reporting window, in days
    assert bars[2].get_width() == pytest.approx(1.0)  # a day-precision report: its whole day
    assert bars[2].get_hatch() == "//"
    assert bars[2].get_height() < bars[1].get_height()  # unknown is drawn low, not as zero


def test_a_day_precision_event_is_drawn_across_its_day():
    talks = tl.TalkRoundHeld(
        occurred_at=pendulum.datetime(2025, 6, 2, tz="Europe/Istanbul"),
        time_precision="day",
        parties=["Ukraine", "Russia"],
    )
    exact = tl.Statement(occurred_at=at(40), speaker="Hakan Fidan", text="Welcome")
    ax = timeline_chart([talks, exact]).axes[0]
    spans = by_gid(ax, "span")
    assert len(spans) == 2  # one band in each party's lane, none for the exact statement
    for band in spans:
        (path,) = band.get_paths()
        xs = path.vertices[:, 0]
        assert xs.max() - xs.min() == pytest.approx(1.0)
    assert len(by_gid(ax, "round")) == 1
    assert len(by_gid(ax, "joins")) == 1  # the two lanes' markers joined


def test_corrections_show_the_original_beside_the_corrected():
    night = tl.DroneBarrage(occurred_at=at(0), attacker="Russia", launched=472)
    said = tl.Statement(occurred_at=at(5), speaker="Hakan Fidan", text="Welcome")
    fixes = [
        tl.Correction(occurred_at=at(30), corrects=night.event_id, changes={"launched": 479}),
        tl.Correction(
            occurred_at=at(30), corrects=said.event_id, changes={"occurred_at": at(10).isoformat()}
        ),
    ]
    ax = timeline_chart([night, said, *fixes]).axes[0]
    (bar,) = by_gid(ax, "barrage")
    (original,) = by_gid(ax, "correction-original")
    assert original.get_height() == pytest.approx(bar.get_height() * 472 / 479)
    assert not original.get_fill()
    assert len(by_gid(ax, "correction")) == 2
    assert len(by_gid(ax, "correction-move")) == 1  # the statement moved in time
    notes = sorted(t.get_text() for t in by_gid(ax, "correction-note"))
    assert notes[0] == "corrected: launched 472 → 479"
    assert notes[1].startswith("corrected: occurred_at 2025-06-01 21:30 UTC → 2025-06-02 02:30 UTC")
    plain = timeline_chart([night, said, *fixes], corrections=False).axes[0]
    assert not by_gid(plain, "correction")
    assert len(by_gid(plain, "barrage")) == 1


def test_retracted_events_and_links_are_not_drawn():
    strike = tl.Strike(occurred_at=at(0), attacker="Ukraine", target_party="Russia")
    night = tl.DroneBarrage(occurred_at=at(6), attacker="Russia", launched=472)
    link = tl.CausalLink(
        occurred_at=at(20), cause=strike.event_id, effect=night.event_id, relation="retaliation"
    )
    ax = timeline_chart([strike, night, link]).axes[0]
    assert len(by_gid(ax, "link")) == 1
    assert len(timeline_chart([strike, night, link], links=False).axes[0].texts) > 0
    assert not by_gid(timeline_chart([strike, night, link], links=False).axes[0], "link")
    gone = tl.Retraction(occurred_at=at(30), retracts=strike.event_id, reason="duplicate")
    ax = timeline_chart([strike, night, link, gone]).axes[0]
    assert not by_gid(ax, "strike")
    assert not by_gid(ax, "link")
    assert lanes(ax) == ["Russia"]


def test_draws_on_the_axes_given_and_saves(tmp_path):
    figure = Figure()
    left, right = figure.subplots(1, 2)
    night = tl.DroneBarrage(occurred_at=at(0), attacker="Russia", launched=472)
    path = tmp_path / "chart.svg"
    assert timeline_chart([night], ax=right, path=path) is figure
    assert by_gid(right, "barrage")
    assert not by_gid(left, "barrage")
    assert path.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_an_empty_log_draws_an_empty_chart():
    figure = timeline_chart(tl.open_log("memory:"))
    assert lanes(figure.axes[0]) == []
    assert png_size(figure)[0] > 0


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"lanes": "party"}, "lanes"),
        ({"lanes": "stream"}, "lanes"),  # events have no stream
        ({"lanes": lambda _: ""}, "lanes"),
        ({"known_at": T}, "known_at"),  # events have no recorded_at
        ({"label_length": 0}, "label_length"),
        ({"detail": -1}, "detail"),
        ({"detail": 2.5}, "detail"),
        ({"size": (0, 4)}, "size"),
        ({"ax": "axes"}, "ax"),
    ],
)
def test_bad_arguments_are_refused(options, field):
    night = tl.DroneBarrage(occurred_at=at(0), attacker="Russia", launched=472)
    with pytest.raises(tl.InvalidArgument) as caught:
        timeline_chart([night], **options)
    assert caught.value.argument == field


def test_a_naive_cut_is_refused_as_replay_refuses_it():
    night = tl.DroneBarrage(occurred_at=at(0), attacker="Russia", launched=472)
    with pytest.raises(tl.InvalidEvent) as caught:
        timeline_chart([night], as_of=pendulum.naive(2025, 6, 1))
    assert caught.value.field == "as_of"


@pytest.mark.parametrize("source", [42, "memory:", [object()]])
def test_a_source_that_is_neither_a_log_nor_events_is_refused(source):
    with pytest.raises(tl.InvalidArgument) as caught:
        timeline_chart(source)
    assert caught.value.argument == "source"


# -- the intensity and nights charts ----------------------------------------------------------


def day(d, hour=18):
    return pendulum.datetime(2025, 6, d, hour)


@pytest.fixture
def nights():
    """Barrages over four days, a record on two of them; a talk round on the third."""
    log = tl.open_log("memory:")
    events = [
        tl.DroneBarrage(occurred_at=day(1), attacker="Russia", launched=100, destroyed=60),
        tl.MissileStrike(occurred_at=day(1), attacker="Russia", launched=5, destroyed=2),
        tl.DroneBarrage(occurred_at=day(2), attacker="Russia", launched=300, destroyed=200),
        tl.DroneBarrage(occurred_at=day(3), attacker="Russia", launched=50, destroyed=None),
        tl.DroneBarrage(occurred_at=day(4), attacker="Russia", launched=472, destroyed=210),
        tl.DroneBarrage(occurred_at=day(4, 2), attacker="Ukraine", launched=80),
    ]
    round_ = tl.TalkRoundHeld(
        occurred_at=pendulum.datetime(2025, 6, 3, tz="Europe/Istanbul"),
        time_precision="day",
        parties=["Ukraine", "Russia"],
        city="Istanbul",
        round_number=2,
    )
    log.append([*events, round_], stream="s")
    return log, round_


def series(ax):
    return {line.get_label(): line for line in by_gid(ax, "series")}


def test_intensity_per_party_with_records_and_talk_rounds(nights):
    log, _ = nights
    figure = intensity_chart(log)
    (ax,) = figure.axes
    lines = series(ax)
    assert set(lines) == {"Russia", "Ukraine"}
    assert list(lines["Russia"].get_ydata()) == [105, 300, 50, 472]
    assert list(lines["Ukraine"].get_ydata()) == [80]
    assert len(by_gid(ax, "record")) == 2  # 300 beat 100, then 472 beat 300
    (line,) = by_gid(ax, "round")
    day_3 = lines["Russia"].get_xdata()[2]
    assert line.get_xdata()[0] == pytest.approx(day_3)  # drawn on the day the round is filed
    assert [t.get_text() for t in by_gid(ax, "round-label")] == ["talks Istanbul (round 2)"]
    assert png_size(figure)[0] == round(figure.get_figwidth() * 40)
    quiet = intensity_chart(log, talks=False, records=False).axes[0]
    assert not by_gid(quiet, "round")
    assert not by_gid(quiet, "record")
    only = intensity_chart(log, parties=["Ukraine"]).axes[0]
    assert set(series(only)) == {"Ukraine"}


def test_goldstein_scaled_intensity(nights):
    log, _ = nights
    tables = Cameo(
        descriptions={"195": "Employ aerial weapons"}, scores={"195": -10.0, "190": -10.0}
    )
    ax = intensity_chart(log, goldstein=tables).axes[0]
    assert list(series(ax)["Russia"].get_ydata()) == [-1050.0, -3000.0, -500.0, -4720.0]
    by_report = intensity_chart(log, goldstein=tables, weight="reports").axes[0]
    assert list(series(by_report)["Russia"].get_ydata()) == [-20.0, -10.0, -10.0, -10.0]
    assert "Goldstein" in by_report.get_ylabel()


def test_an_intensity_series_is_drawn_as_given(nights):
    _, round_ = nights
    given = Intensity(
        rows=(
            PartyDay(party="Ukraine", day="2025-06-02", score=7.0, events=1),
            PartyDay(party="Ukraine", day="2025-06-03", score=14.0, events=2),
            PartyDay(party=None, day="2025-06-02", score=-10.0, events=1),
        )
    )
    ax = intensity_chart(given, talks=[round_]).axes[0]
    lines = series(ax)
    assert list(lines["Ukraine"].get_ydata()) == [7.0, 14.0]
    assert list(lines["(attacker not named)"].get_ydata()) == [-10.0]
    assert len(by_gid(ax, "round")) == 1
    assert not by_gid(ax, "record")  # a series has no records to mark


def test_launched_and_destroyed_per_night(nights):
    log, _ = nights
    ax = nights_chart(log).axes[0]
    launched = sorted(by_gid(ax, "launched"), key=lambda r: r.get_x())
    destroyed = sorted(by_gid(ax, "destroyed"), key=lambda r: r.get_x())
    assert [r.get_height() for r in launched] == [105, 300, 50, 552]
    assert [r.get_height() for r in destroyed] == [62, 200, 210]  # day 3 unknown: no bar
    assert len(by_gid(ax, "record")) == 2
    assert len(by_gid(ax, "round")) == 1
    missiles = nights_chart(log, kind="missile").axes[0]
    assert [r.get_height() for r in by_gid(missiles, "launched")] == [5]


def test_an_escalation_state_is_drawn_without_replaying(nights):
    log, round_ = nights
    state = tl.replay(log, tl.Escalation())
    ax = nights_chart(state, talks=[round_]).axes[0]
    assert len(by_gid(ax, "launched")) == 4
    assert len(by_gid(ax, "round")) == 1
    assert not by_gid(nights_chart(state).axes[0], "round")  # a state holds no talks


def test_as_of_cuts_the_series(nights):
    log, _ = nights
    ax = nights_chart(log, as_of=day(2, 20)).axes[0]  # the round starts at 21:00 UTC
    assert len(by_gid(ax, "launched")) == 2
    assert not by_gid(ax, "round")


@pytest.mark.parametrize(
    ("chart", "options", "field"),
    [
        (intensity_chart, {"weight": "drones"}, "weight"),
        (nights_chart, {"kind": "shahed"}, "kind"),
        (nights_chart, {"talks": "yes"}, "talks"),
        (intensity_chart, {"talks": [1]}, "talks"),
        (intensity_chart, {"size": (4,)}, "size"),
        (nights_chart, {"ax": 3}, "ax"),
    ],
)
def test_series_charts_refuse_bad_arguments(nights, chart, options, field):
    log, _ = nights
    with pytest.raises(tl.InvalidArgument) as caught:
        chart(log, **options)
    assert caught.value.argument == field


def test_series_charts_refuse_a_naive_cut_as_replay_does(nights):
    log, _ = nights
    with pytest.raises(tl.InvalidEvent) as caught:
        nights_chart(log, as_of=pendulum.naive(2025, 6, 1))
    assert caught.value.field == "as_of"


@pytest.mark.parametrize("chart", [intensity_chart, nights_chart])
def test_a_state_cannot_be_cut_again(nights, chart):
    log, _ = nights
    state = tl.replay(log, tl.Escalation())
    with pytest.raises(tl.InvalidArgument) as caught:
        chart(state, known_at=day(3))
    assert caught.value.argument == "known_at"
    with pytest.raises(tl.InvalidArgument) as caught:
        chart(42)
    assert caught.value.argument == "source"


def test_the_pictures_script_renders_small_pngs(tmp_path):
    import importlib.util  # noqa: PLC0415  # the script is loaded by path, once

    script = Path(__file__).resolve().parents[1] / "examples" / "pictures.py"
    spec = importlib.util.spec_from_file_location("pictures", script)
    pictures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pictures)
    written = pictures.render(tmp_path)
    assert sorted(p.name for p in written) == [
        "istanbul-causal.png",
        "istanbul-causal.svg",
        "istanbul-timeline.png",
        "istanbul-timeline.svg",
    ]
    for path in written:
        assert 10_000 < path.stat().st_size < 200_000
    data = (tmp_path / "istanbul-timeline.png").read_bytes()
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 1000
    assert height >= 400


_FACTS = [t for t in tl.events.CATALOG if t.TYPE not in META_TYPES and t is not tl.CausalLink]
_MARKER_KINDS = {mark.kind for _, mark in MARKS} | {"event"}


@settings(max_examples=15)
@given(st.lists(strategies.events(_FACTS), max_size=6, unique_by=lambda e: e.event_id))
def test_every_event_is_drawn_once_as_a_bar_or_a_marker(events):
    ax = timeline_chart(events, labels=False).axes[0]
    attacks = [e for e in events if isinstance(e, tl.DroneBarrage | tl.MissileStrike)]
    strikes = [e for e in events if isinstance(e, tl.Strike)]
    others = len(events) - len(attacks) - len(strikes)
    assert (
        len({p.get_x() for p in by_gid(ax, "barrage")})
        <= len(attacks)
        <= len(by_gid(ax, "barrage"))
    )
    assert len(strikes) <= len(by_gid(ax, "strike"))
    markers = [a for a in ax.get_lines() if a.get_gid() in _MARKER_KINDS]
    assert len(markers) == others  # one marker artist per event, in each of its lanes
    names = lanes(ax)
    assert len(names) == len(set(names))
    assert all(len(m.get_ydata()) <= len(names) for m in markers)


def test_dollar_signs_are_shown_as_written():
    said = tl.Statement(
        occurred_at=at(0), speaker="A $\\frac$ speaker", text="paid $5, then $\\frac{"
    )
    fix = tl.Correction(occurred_at=at(9), corrects=said.event_id, changes={"text": "$2 $3"})
    figure = timeline_chart([said, fix])
    assert png_size(figure)[0] > 0  # mathematical notation would fail to parse when drawn
    ax = figure.axes[0]
    assert lanes(ax) == ["A \\$\\frac\\$ speaker"]
