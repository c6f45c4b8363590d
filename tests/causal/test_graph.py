"""The causal graph: bitemporal views, queries and results on hand-built logs."""

import datetime as dt

import networkx as nx
import pytest
from causal_world import at, barrage, heads, link, new_log, rec, said, strike, talks

import timeline as tl
from timeline.causal import CausalGraph, causal_graph


@pytest.fixture
def war():
    """Strike → barrage → strike → barrage (retaliations), and talks after, one not linked."""
    log = new_log()
    s1 = strike(hours=1, summary="s1")
    b1 = barrage(hours=10, summary="b1")
    s2 = strike(hours=20, summary="s2")
    b2 = barrage(hours=30, summary="b2")
    round_ = talks(hours=40, summary="round")
    demand = tl.CeasefireDemanded(occurred_at=at(35), party="Ukraine", summary="demand")
    log.append([s1, b1, s2, b2, round_, demand], stream="war")  # recorded at rec(0)
    links = [
        link(s1, b1, "retaliation", 0.9),
        link(b1, s2, "retaliation", 0.6),
        link(s2, b2, "retaliation", 0.8),
        link(b2, round_, "despite", 0.5),
    ]
    log.append(links, stream="links")  # rec(1)
    return log, {e.summary: e for e in (s1, b1, s2, b2, round_, demand)}, links


def test_nodes_are_events_and_edges_hold_the_claims(war):
    log, ev, links = war
    graph = causal_graph(log)
    assert len(graph) == 6
    assert graph.number_of_edges() == 4
    assert graph.event(ev["s1"].event_id) == ev["s1"]
    assert ev["b1"] in graph
    assert graph.claims(ev["s1"], ev["b1"]) == (links[0],)
    assert graph.claims(ev["b1"], ev["s1"]) == ()
    edge = next(e for e in graph.edges() if e.cause == ev["s1"])
    assert (edge.effect, edge.claims, edge.confidence, edge.relations) == (
        ev["b1"],
        (links[0],),
        0.9,
        ("retaliation",),
    )
    assert sorted(graph.links(), key=lambda x: x.confidence) == sorted(
        links, key=lambda x: x.confidence
    )
    assert "6 events, 4 edges, 4 claims" in repr(graph)


def test_why_lists_every_cause_with_its_path_and_weakest_confidence(war):
    log, ev, links = war
    causes = causal_graph(log).why(ev["round"])
    assert heads(causes) == ["b2", "s2", "b1", "s1"]  # nearest first
    s1 = causes[-1]
    assert s1.event == ev["s1"]
    assert s1.path == tuple(links)  # from the cause to the event asked about
    assert s1.confidence == 0.5
    assert s1.hops == 4
    assert [c.confidence for c in causes] == [0.5, 0.5, 0.5, 0.5]


def test_why_and_consequences_respect_depth_and_confidence(war):
    log, ev, _ = war
    graph = causal_graph(log)
    assert heads(graph.why(ev["round"], depth=2)) == ["b2", "s2"]
    assert heads(graph.why(ev["round"], depth=0)) == []
    assert heads(graph.consequences(ev["s1"], min_confidence=0.7)) == ["b1"]
    consequences = graph.consequences(ev["s1"])
    assert heads(consequences) == ["b1", "s2", "b2", "round"]
    assert [c.confidence for c in consequences] == [0.9, 0.6, 0.6, 0.5]
    assert consequences[2].path[0].cause == ev["s1"].event_id
    assert graph.why(ev["demand"]) == []
    with pytest.raises(tl.InvalidArgument):
        graph.why(ev["round"], depth=-1)


def test_the_most_confident_path_wins_then_the_shortest():
    log = new_log()
    a, b, c, d = (said(n, hours=i) for i, n in enumerate("abcd"))
    weak = link(a, d, confidence=0.3)
    strong = [link(a, b, confidence=0.9), link(b, c, confidence=0.8), link(c, d, confidence=0.9)]
    log.append([a, b, c, d, weak, *strong], stream="s")
    graph = causal_graph(log)
    for depth in (None, 3):
        (found,) = [x for x in graph.why(d, depth=depth) if x.event == a]
        assert found.path == tuple(strong)
        assert found.confidence == 0.8
    (short,) = [x for x in graph.why(d, depth=2) if x.event == a]
    assert short.path == (weak,)
    (same,) = [x for x in graph.consequences(a) if x.event == d]
    assert same.path == tuple(strong)


def test_several_claims_make_one_edge_counting_the_most_confident():
    log = new_log()
    a, b = said(hours=1), said(hours=2)
    one, two = (
        link(a, b, "response", 0.4, asserted_by="one"),
        link(a, b, "prompted", 0.7, asserted_by="two"),
    )
    log.append([a, b, one, two], stream="s")
    graph = causal_graph(log)
    assert graph.number_of_edges() == 1
    assert graph.number_of_claims() == 2
    assert graph.claims(a, b) == (one, two)
    (cause,) = graph.why(b)
    assert (cause.path, cause.confidence) == ((two,), 0.7)
    copy = graph.to_networkx()
    assert copy.edges[a.event_id, b.event_id] == {"claims": (one, two), "confidence": 0.7}


def test_a_retracted_link_disappears_from_later_views_only(war):
    log, ev, links = war
    log.append(
        [tl.CausalLinkRetracted(occurred_at=at(200), link=links[1].event_id, reason="no evidence")],
        stream="links",
    )  # rec(2)
    before = causal_graph(log, known_at=rec(1))
    after = causal_graph(log, known_at=rec(2))
    now = causal_graph(log)
    assert before.claims(ev["b1"], ev["s2"]) == (links[1],)
    assert after.claims(ev["b1"], ev["s2"]) == ()
    assert set(now.links()) == set(after.links())
    assert heads(after.why(ev["round"])) == ["b2", "s2"]
    assert (
        heads(causal_graph(log, known_at=rec(0)).why(ev["round"])) == []
    )  # links not yet recorded


def test_a_plain_retraction_of_a_link_works_too(war):
    log, ev, links = war
    log.append([tl.Retraction(occurred_at=at(200), retracts=links[0].event_id)], stream="links")
    assert causal_graph(log).claims(ev["s1"], ev["b1"]) == ()


def test_retracted_events_take_their_links_with_them(war):
    log, ev, _ = war
    log.append([tl.Retraction(occurred_at=at(200), retracts=ev["s2"].event_id)], stream="fix")
    graph = causal_graph(log)
    assert ev["s2"] not in graph
    assert heads(graph.why(ev["round"])) == ["b2"]


def test_as_of_keeps_events_by_valid_time_and_the_links_between_them(war):
    log, ev, _ = war
    graph = causal_graph(log, as_of=at(25))
    assert sorted(e.summary for e in graph.events()) == ["b1", "s1", "s2"]
    assert graph.number_of_edges() == 2  # the links were asserted later: that does not matter
    assert graph.as_of == at(25)
    with pytest.raises(tl.UnknownEvent):
        graph.why(ev["b2"])


def test_views_use_events_as_corrected_by_then(war):
    log, ev, _ = war
    log.append(
        [tl.Correction(occurred_at=at(200), corrects=ev["b1"].event_id, changes={"launched": 479})],
        stream="fix",
    )
    (cause,) = causal_graph(log).why(ev["s2"], depth=1)
    assert cause.event.launched == 479
    (old,) = causal_graph(log, known_at=rec(1)).why(ev["s2"], depth=1)
    assert old.event.launched is None


def test_chain_lists_every_path(war):
    log, ev, links = war
    extra = link(ev["s1"], ev["s2"], "escalation", 0.95)
    log.append([extra], stream="links")
    graph = causal_graph(log)
    chains = graph.chain(ev["s1"], ev["b2"])
    assert [c.links for c in chains] == [(extra, links[2]), (links[0], links[1], links[2])]
    assert [c.confidence for c in chains] == [0.8, 0.6]
    assert chains[1].events == (ev["s1"], ev["b1"], ev["s2"], ev["b2"])
    assert graph.chain(ev["s1"], ev["b2"], max_hops=2) == chains[:1]
    assert graph.chain(ev["b2"], ev["s1"]) == []
    assert graph.chain(ev["s1"], ev["s1"]) == []


def test_responses_to_are_the_direct_responses(war):
    log, ev, _ = war
    graph = causal_graph(log)
    assert heads(graph.responses_to(ev["s1"])) == ["b1"]
    assert heads(graph.responses_to(ev["b2"])) == []  # "despite" is no response
    assert heads(graph.responses_to(ev["b2"], relations=["despite"])) == ["round"]


def test_escalation_spirals_alternate_between_two_parties(war):
    log, ev, _ = war
    graph = causal_graph(log)
    (spiral,) = graph.escalation_spirals()
    assert spiral.parties == ("Ukraine", "Russia")
    assert spiral.strikes == (ev["s1"], ev["b1"], ev["s2"], ev["b2"])
    assert [x.relation for x in spiral.links] == ["retaliation"] * 3
    assert (spiral.start, spiral.end) == (ev["s1"], ev["b2"])
    assert graph.escalation_spirals(min_strikes=5) == []


def test_a_spiral_breaks_at_a_third_party_or_another_relation():
    log = new_log()
    s1, b1 = strike(hours=1), barrage(hours=2)
    other = strike(by="Belarus", on="Russia", hours=3)  # not one of the two
    b2 = barrage(hours=4)
    log.append([s1, b1, other, b2], stream="war")
    log.append(
        [link(s1, b1, "retaliation"), link(b1, other, "retaliation"), link(other, b2, "response")],
        stream="l",
    )
    graph = causal_graph(log)
    (pair,) = graph.escalation_spirals(min_strikes=2)
    assert pair.strikes == (s1, b1)
    assert graph.escalation_spirals() == []


def test_diplomatic_moves_after_an_escalation_linked_or_not(war):
    log, ev, _ = war
    graph = causal_graph(log)
    found = graph.diplomatic_moves_after(ev["b2"], within=dt.timedelta(hours=12))
    assert [(n.event.summary, n.gap, n.linked) for n in found] == [
        ("demand", dt.timedelta(hours=5), False),
        ("round", dt.timedelta(hours=10), True),
    ]
    assert found[1].path[0].relation == "despite"
    assert (
        graph.diplomatic_moves_after(ev["b2"], within=dt.timedelta(hours=6))[0].event
        == ev["demand"]
    )
    assert graph.diplomatic_moves_after(ev["s1"], within=dt.timedelta(hours=12)) == []


def test_escalations_before_a_diplomatic_move_linked_or_not(war):
    log, ev, _ = war
    graph = causal_graph(log)
    found = graph.escalations_before(ev["round"], within=dt.timedelta(hours=21))
    assert [(n.event.summary, n.gap, n.linked) for n in found] == [
        ("b2", dt.timedelta(hours=10), True),
        ("s2", dt.timedelta(hours=20), True),
    ]
    assert [len(n.path) for n in found] == [1, 2]
    assert graph.escalations_before(ev["demand"], within=dt.timedelta(hours=6))[0].linked is False
    with pytest.raises(tl.InvalidArgument):
        graph.escalations_before(ev["round"], within=dt.timedelta(hours=-1))


def test_moves_within_the_precision_of_an_escalation_count():
    log = new_log()
    hit = strike(hours=12, time_precision="day")  # 1 June, stated as noon
    round_ = talks(hours=6)  # 06:00 exactly: the strike (from 12:00) cannot come before it
    statement = said("we answer", hours=20)
    log.append([hit, round_, statement], stream="s")
    graph = causal_graph(log)
    assert heads(graph.diplomatic_moves_after(hit, within=dt.timedelta(hours=24))) == [
        "Fidan: we answer"
    ]
    day = tl.TalkRoundHeld(
        occurred_at=at(0), time_precision="day", parties=["Ukraine", "Russia"], summary="day"
    )
    log.append([day], stream="s")
    found = causal_graph(log).diplomatic_moves_after(hit, within=dt.timedelta(hours=24))
    assert [(n.event.summary, n.gap) for n in found] == [
        (None, dt.timedelta(hours=8)),
        ("day", dt.timedelta(hours=-12)),
    ]


def test_queries_refuse_events_outside_the_view(war):
    log, _, _ = war
    graph = causal_graph(log)
    ghost = said()
    for query in (graph.why, graph.consequences, graph.responses_to, graph.event):
        with pytest.raises(tl.UnknownEvent):
            query(ghost)
    with pytest.raises(tl.UnknownEvent):
        graph.why("not an id")
    assert "not an id" not in graph


def test_events_may_be_named_by_id_or_by_text(war):
    log, ev, _ = war
    graph = causal_graph(log)
    assert graph.why(ev["b1"]) == graph.why(ev["b1"].event_id) == graph.why(str(ev["b1"].event_id))


def test_to_networkx_is_a_copy_with_event_ids(war):
    log, ev, links = war
    graph = causal_graph(log)
    copy = graph.to_networkx()
    assert isinstance(copy, nx.DiGraph)
    assert set(copy.nodes) == {e.event_id for e in ev.values()}
    assert copy.nodes[ev["s1"].event_id]["event"] == ev["s1"]
    assert copy.edges[ev["s1"].event_id, ev["b1"].event_id]["claims"] == (links[0],)
    assert nx.is_directed_acyclic_graph(copy)
    copy.remove_node(ev["s1"].event_id)
    assert graph.why(ev["b1"])  # the graph is untouched


def test_around_is_the_neighbourhood_of_an_event(war):
    log, ev, _ = war
    graph = causal_graph(log)
    near = graph.around(ev["s2"], depth=1)
    assert sorted(e.summary for e in near.events()) == ["b1", "b2", "s2"]
    assert near.number_of_edges() == 2
    assert len(graph.around(ev["s2"], depth=5)) == 5


def test_from_events_builds_the_same_graph_as_the_log(war):
    log, _, _ = war
    events = list(tl.replay_events(log))
    assert CausalGraph.from_events(events) == causal_graph(log)
    assert CausalGraph.from_events(reversed(events)) == causal_graph(log)


def test_from_events_refuses_unresolved_and_duplicate_events():
    a = said()
    with pytest.raises(tl.InvalidEvent):
        CausalGraph.from_events(
            [a, tl.Correction(occurred_at=at(1), corrects=a.event_id, changes={"text": "y"})]
        )
    with pytest.raises(tl.DuplicateEvent):
        CausalGraph.from_events([a, a])


def test_from_events_checks_time_and_cycles_unless_told_not_to():
    a, b = said("a", hours=1), said("b", hours=2)
    backward = [a, b, link(b, a)]
    with pytest.raises(tl.CausalityError) as caught:
        CausalGraph.from_events(backward)
    assert (caught.value.cause, caught.value.effect) == (b.event_id, a.event_id)
    assert CausalGraph.from_events(backward, check=False).number_of_edges() == 1
    c = said("c", hours=1)
    cycle = [a, c, link(a, c), link(c, a)]
    with pytest.raises(tl.CausalityError) as caught:
        CausalGraph.from_events(cycle)
    assert "cycle" in caught.value.reason
    assert causal_graph(tl.open_log("memory:"), check=True) == CausalGraph()


def test_graphs_compare_by_events_claims_and_cuts(war):
    log, _, _ = war
    assert causal_graph(log) == causal_graph(log)
    assert causal_graph(log) != causal_graph(log, as_of=at(1000))
    assert causal_graph(log) != causal_graph(log, known_at=rec(0))
    assert causal_graph(log).__eq__("graph") is NotImplemented
    with pytest.raises(TypeError):
        hash(causal_graph(log))


def test_bad_arguments_are_refused_as_arguments(war):
    log, ev, _ = war
    graph = causal_graph(log)
    with pytest.raises(tl.InvalidArgument) as caught:
        graph.responses_to(ev["s1"], relations="retaliation")  # one name, not a collection
    assert caught.value.argument == "relations"
    with pytest.raises(tl.InvalidArgument):
        graph.escalation_spirals(relations=tl.Relation.RETALIATION)
    with pytest.raises(tl.InvalidArgument) as caught:
        causal_graph([ev["s1"]])  # events, not a log
    assert caught.value.argument == "log"
