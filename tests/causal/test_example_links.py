"""The Istanbul example's causal links: what the article states or implies, and the rules."""

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest

import timeline as tl

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "istanbul_2025.py"


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("istanbul_2025_links", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["istanbul_2025_links"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def log(example):
    log = tl.open_log("memory:")
    example.record(log)
    return log


def test_the_links_are_a_stream_with_stable_ids_evidence_and_an_analyst(example):
    assert example.STREAMS["istanbul/links"] is example.links
    links = example.links()
    assert [link.event_id for link in links] == [link.event_id for link in example.links()]
    assert len({link.event_id for link in links}) == len(links) == 12
    for link in links:
        assert link.asserted_by == example.ANALYST
        assert link.evidence
        assert example.ARTICLE in link.sources


def test_the_chain_from_the_ceasefire_demand_to_the_exchange(example, log):
    graph = tl.causal_graph(log)
    eid = example.eid
    (demand,) = [
        c
        for c in graph.why(eid("exchange-stage-3"))
        if c.event.event_id == eid("ceasefire-demanded")
    ]
    assert [link.relation for link in demand.path] == [
        "response",
        "outcome",
        "outcome",
        "precondition",
    ]
    assert demand.confidence == 0.8
    assert {c.event.event_id for c in graph.consequences(eid("ceasefire-demanded"))} == {
        eid(k)
        for k in (
            "ceasefire-rejected",
            "talks-proposed",
            "round-2025-05-16",
            "exchange-agreed",
            "exchange-stage-1",
            "exchange-stage-2",
            "exchange-stage-3",
        )
    }
    assert [c.event.event_id for c in graph.consequences(eid("memorandum-promised"))] == [
        eid("memorandum-awaited")
    ]
    assert [c.event.event_id for c in graph.consequences(eid("ukraine-roadmap"))] == [
        eid("roadmap-received"),
        eid("response-promised"),
    ]


def test_why_the_round_of_2_june_and_what_followed_the_strike(example, log):
    graph = tl.causal_graph(log)
    eid = example.eid
    why = graph.why(eid("round-2025-06-02"))
    assert [c.event.event_id for c in why] == [eid("barrage-472"), eid("strike-bombers")]
    assert [link.relation for link in why[1].path] == ["retaliation", "held-despite"]
    after = graph.consequences(eid("strike-bombers"))
    assert [(c.event.event_id, c.confidence) for c in after] == [
        (eid("barrage-472"), 0.7),
        (eid("round-2025-06-02"), 0.5),
    ]
    (claim,) = graph.claims(eid("strike-bombers"), eid("barrage-472"))
    assert claim.relation == "retaliation"
    assert "In retaliation" in claim.evidence
    assert claim.claimed_by
    assert graph.responses_to(eid("strike-bombers"))[0].event.event_id == eid("barrage-472")
    moves = graph.diplomatic_moves_after(eid("barrage-472"), within=dt.timedelta(hours=48))
    assert eid("round-2025-06-02") in {m.event.event_id for m in moves if m.linked}


def test_the_links_were_not_known_before_the_article(log):
    morning = tl.instant("2025-06-02T08:00:00+03:00")
    assert tl.causal_graph(log, known_at=morning).number_of_edges() == 0
    assert tl.causal_graph(log).number_of_edges() == 12


def test_the_rules_find_eight_of_the_twelve_links_and_nothing_else(example, log):
    report = tl.causal.evaluate(tl.causal.default_rules(), log)
    assert len(report.truth) == 12
    assert len(report.correct) == len(report.candidates) == 8
    assert report.precision == 1.0
    assert report.recall == pytest.approx(8 / 12)
    strike = next(c for c in report.candidates if c.rule == "barrage-after-strike")
    assert strike.pair == (example.eid("strike-bombers"), example.eid("barrage-472"))
    assert strike.features["answering"] is True
    assert strike.score == pytest.approx(0.7)


def test_main_prints_the_causal_section(example, tmp_path, capsys):
    assert example.main([str(tmp_path / "x.db")]) == 0
    out = capsys.readouterr().out.split("Causal links")[1]
    assert "Why was the round of 2 June held" in out
    assert "What followed the strike on the bombers of 1 June?" in out
    assert "0.70 barrage-after-strike" in out
    assert "precision 1.00, recall 0.67" in out
