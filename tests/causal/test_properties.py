"""Properties of the causal graph, its guard, its views, its export and its rules."""

import datetime as dt
import itertools

import networkx as nx
import orjson
from causal_world import R0, at
from hypothesis import given, settings
from hypothesis import strategies as st

import timeline as tl
from timeline.causal import (
    CausalGraph,
    causal_graph,
    default_rules,
    from_node_link,
    may_cause,
    propose,
    to_node_link,
)
from timeline.causal.timing import micros

PRECISIONS = ["exact", "minute", "hour", "day", "month"]
PARTIES = ["Ukraine", "Russia", "Belarus"]


def new_log():
    return tl.open_log("memory:", clock=tl.FixedClock(R0, tick=dt.timedelta(minutes=1)))


@st.composite
def timed(draw):
    """Occurrence fields: few distinct hours (so ties and overlaps happen), any precision."""
    hours = draw(st.integers(0, 60))
    fields = {"occurred_at": at(hours), "time_precision": draw(st.sampled_from(PRECISIONS))}
    if draw(st.booleans()):
        fields["occurred_until"] = at(hours + draw(st.integers(0, 12)))
    return fields


@st.composite
def plain_events(draw, min_size=2, max_size=8):
    n = draw(st.integers(min_size, max_size))
    return [tl.Statement(speaker=f"s{i}", text="x", **draw(timed())) for i in range(n)]


def forward_pairs(events, pairs):
    """Orient pairs from the earlier to the later event (ties by place): forward, acyclic."""
    key = {i: (micros(e.occurred_at), i) for i, e in enumerate(events)}
    return [tuple(sorted(p, key=key.__getitem__)) for p in pairs if p[0] != p[1]]


def make_link(events, i, j, n=0, confidence=0.5):
    return tl.CausalLink(
        occurred_at=at(100),
        cause=events[i].event_id,
        effect=events[j].event_id,
        relation="response",
        confidence=confidence,
        asserted_by=f"analyst {n}",
    )


def stamps(log):
    return sorted({rec.recorded_at for rec in log.read()})


def assert_sound(graph):
    copy = graph.to_networkx()
    assert nx.is_directed_acyclic_graph(copy)
    for edge in graph.edges():
        assert may_cause(edge.cause, edge.effect)


# -- the guard keeps every view acyclic and forward in time ------------------------------------


@st.composite
def edit_scripts(draw):
    """Events, then links between any two of them (backward ones too), time corrections and
    link retractions, in any order."""
    events = draw(plain_events())
    index = st.integers(0, len(events) - 1)
    step = st.one_of(
        st.tuples(st.just("link"), index, index),
        st.tuples(st.just("link"), index, index),
        st.tuples(st.just("move"), index, st.integers(0, 60)),
        st.tuples(st.just("unlink"), st.integers(0, 20)),
    )
    return events, draw(st.lists(step, max_size=30))


@given(edit_scripts())
def test_every_view_is_acyclic_and_goes_forward_in_time(script):
    events, steps = script
    log = new_log()
    log.append(events, stream="s")
    links = []
    for step in steps:
        if step[0] == "link":
            _, i, j = step
            if i == j:
                continue
            batch = [make_link(events, i, j, len(links))]
        elif step[0] == "move":
            _, i, hours = step
            changes = {"occurred_at": at(hours), "occurred_until": None}
            batch = [
                tl.Correction(occurred_at=at(100), corrects=events[i].event_id, changes=changes)
            ]
        else:
            if not links:
                continue
            batch = [
                tl.CausalLinkRetracted(
                    occurred_at=at(100), link=links[step[1] % len(links)].event_id
                )
            ]
        try:
            log.append(batch, stream="edits")
        except tl.CausalityError:
            continue
        if isinstance(batch[0], tl.CausalLink):
            links.append(batch[0])
    for known in [None, *stamps(log)]:
        assert_sound(causal_graph(log, known_at=known))


# -- batches in any order give the same graph --------------------------------------------------


@st.composite
def linked_worlds(draw):
    events = draw(plain_events(min_size=2, max_size=7))
    raw = draw(
        st.lists(
            st.tuples(st.integers(0, len(events) - 1), st.integers(0, len(events) - 1)), max_size=14
        )
    )
    pairs = forward_pairs(events, raw)
    links = [
        make_link(events, i, j, n, confidence=draw(st.sampled_from([0.2, 0.5, 0.9])))
        for n, (i, j) in enumerate(pairs)
    ]
    return events, links


@given(linked_worlds(), st.data())
def test_links_appended_in_any_order_of_batches_give_the_same_graph(world, data):
    events, links = world
    cuts = sorted(data.draw(st.lists(st.integers(0, len(links)), max_size=4)))
    batches = [links[a:b] for a, b in itertools.pairwise([0, *cuts, len(links)]) if links[a:b]]
    shuffled = data.draw(st.permutations(batches))
    graphs = []
    for order in (batches, shuffled):
        log = new_log()
        log.append(events, stream="s")
        for batch in order:
            log.append(batch, stream="links")
        graphs.append(causal_graph(log))
    assert graphs[0] == graphs[1]
    assert graphs[0] == CausalGraph.from_events([*events, *links])
    assert graphs[0].number_of_claims() == len(links)
    assert_sound(graphs[0])


# -- views are monotone --------------------------------------------------------------------------


@given(linked_worlds(), st.lists(st.integers(0, 30), max_size=6), st.data())
def test_a_later_known_at_never_loses_a_link_that_was_not_retracted(world, retract_at, data):
    events, links = world
    log = new_log()
    log.append(events, stream="s")
    retracted = {}
    for n, link in enumerate(links):
        log.append([link], stream="links")
        for k in retract_at:
            if k == n and links[: n + 1]:
                target = links[data.draw(st.integers(0, n))]
                if target.event_id not in retracted:
                    (rec,) = log.append(
                        [tl.CausalLinkRetracted(occurred_at=at(200), link=target.event_id)],
                        stream="links",
                    )
                    retracted[target.event_id] = rec.recorded_at
    times = stamps(log)
    views = {t: {link.event_id for link in causal_graph(log, known_at=t).links()} for t in times}
    for early, late in itertools.combinations(times, 2):
        lost = views[early] - views[late]
        assert all(retracted.get(i) is not None and early < retracted[i] <= late for i in lost)


@given(linked_worlds(), st.integers(0, 70), st.integers(0, 70))
def test_a_later_as_of_keeps_every_event_and_link_of_an_earlier_one(world, a, b):
    events, links = world
    log = new_log()
    log.append([*events, *links], stream="s")
    early, late = causal_graph(log, as_of=at(min(a, b))), causal_graph(log, as_of=at(max(a, b)))
    assert {e.event_id for e in early.events()} <= {e.event_id for e in late.events()}
    assert {link.event_id for link in early.links()} <= {link.event_id for link in late.links()}
    assert all(e.occurred_at <= at(min(a, b)) for e in early.events())


# -- export ---------------------------------------------------------------------------------------


@given(linked_worlds(), st.none() | st.integers(0, 70), st.none() | st.integers(0, 5))
@settings(max_examples=30)
def test_node_link_export_then_import_is_the_identity(world, as_of, known):
    events, links = world
    log = new_log()
    log.append(events, stream="s")
    for link in links:
        log.append([link], stream="links")
    graph = causal_graph(
        log,
        as_of=None if as_of is None else at(as_of),
        known_at=None if known is None else R0 + dt.timedelta(minutes=known),
    )
    data = to_node_link(graph)
    assert from_node_link(data) == graph
    assert from_node_link(orjson.loads(orjson.dumps(data))) == graph


# -- rules ----------------------------------------------------------------------------------------


@st.composite
def rule_worlds(draw):
    def party():
        return draw(st.sampled_from(PARTIES))

    makers = [
        lambda: tl.Strike(
            attacker=party(),
            target_party=draw(st.none() | st.sampled_from(PARTIES)),
            **draw(timed()),
        ),
        lambda: tl.DroneBarrage(attacker=party(), target=party(), **draw(timed())),
        lambda: tl.MissileStrike(
            attacker=draw(st.none() | st.sampled_from(PARTIES)), **draw(timed())
        ),
        lambda: tl.CeasefireDemanded(party=party(), addressed_to=party(), **draw(timed())),
        lambda: tl.TalksProposed(proposed_by=party(), parties=[party(), party()], **draw(timed())),
        lambda: tl.TalkRoundHeld(parties=[party(), party()], **draw(timed())),
        lambda: tl.PrisonerExchangeAgreed(released={party(): 5}, **draw(timed())),
        lambda: tl.PrisonerExchangeCarriedOut(released={party(): 3}, **draw(timed())),
        lambda: tl.ProposalTabled(party=party(), to_party=party(), title="t", **draw(timed())),
        lambda: tl.DocumentReceived(party=party(), from_party=party(), **draw(timed())),
        lambda: tl.ResponsePromised(party=party(), to_party=party(), **draw(timed())),
        lambda: tl.Statement(
            speaker="s",
            party=party(),
            text=draw(st.sampled_from(["in retaliation", "calm"])),
            **draw(timed()),
        ),
    ]
    kinds = draw(st.lists(st.integers(0, len(makers) - 1), min_size=2, max_size=14))
    return [makers[k]() for k in kinds]


@given(rule_worlds(), st.integers(1, 3))
def test_no_rule_ever_proposes_a_cause_after_its_effect(events, per_effect):
    rules = [type(r)(per_effect=per_effect) for r in default_rules()]
    windows = {r.name: r.window for r in rules}
    for c in propose(rules, events):
        assert may_cause(c.cause, c.effect)
        assert c.effect.occurred_at - c.cause.occurred_at <= windows[c.rule]
        assert 0.0 <= c.score <= 1.0
        assert c.cause is not c.effect
        log = new_log()  # each candidate on its own is a link the guard accepts
        log.append([e for e in events if not isinstance(e, tl.CausalLink)], stream="s")
        log.append([c.to_link(occurred_at=at(100), asserted_by="p")], stream="links")
