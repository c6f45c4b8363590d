"""The causal drawing: PNG and SVG files, a sub-graph around one event, the missing extra."""

import sys

import pytest
from causal_world import at, barrage, link, new_log, strike, talks

import timeline as tl
from timeline.causal import causal_graph
from timeline.plot import draw_causal

pytest.importorskip("matplotlib")


def labels(ax):
    return [t.get_text() for t in ax.texts if t.get_text()]


@pytest.fixture
def graph():
    log = new_log()
    hit, night = (
        strike(hours=1, time_precision="day"),
        barrage(hours=-4, occurred_until=at(9), time_precision="minute"),
    )
    round_, later = talks(hours=30, summary="round"), talks(hours=300, summary="later")
    log.append([hit, night, round_, later], stream="s")
    log.append(
        [
            link(hit, night, "retaliation", 0.7),
            link(night, round_, "held-despite", 0.5),
            link(round_, later, "precondition"),
        ],
        stream="l",
    )
    return causal_graph(log), (hit, night, round_, later)


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_a_graph_is_drawn_on_a_time_axis(graph, tmp_path, suffix):
    whole, _ = graph
    path = tmp_path / f"graph.{suffix}"
    figure = draw_causal(whole, path=path)
    assert path.stat().st_size > 0
    (ax,) = figure.axes
    assert len(labels(ax)) == 4  # one per event
    assert sum(t.arrow_patch is not None for t in ax.texts) == 3  # one arrow per edge
    assert [t.get_text() for t in ax.get_yticklabels()] == ["military", "diplomacy"]
    assert ax.get_xlabel() == "valid time (UTC)"
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {
        "retaliation",
        "held-despite",
        "precondition",
    }


def test_the_part_around_one_event(graph, tmp_path):
    whole, (_, night, _, later) = graph
    figure = draw_causal(whole, around=night, depth=1, path=tmp_path / "around.svg", title="around")
    (ax,) = figure.axes
    assert len(labels(ax)) == 3
    assert later.headline() not in labels(ax)
    assert ax.get_title() == "around"
    with pytest.raises(tl.UnknownEvent):
        draw_causal(whole, around=tl.Statement(occurred_at=at(0), speaker="a", text="b"))


def test_an_empty_graph_draws_too():
    figure = draw_causal(tl.CausalGraph())
    assert figure.axes


def test_without_matplotlib_the_error_says_how_to_install_it(graph, monkeypatch):
    whole, _ = graph
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes "import matplotlib" fail
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(tl.TimelineError, match=r"conflict-timeline\[plot\]"):
        draw_causal(whole)
