"""The bulk paths of the graph build and of the rule engine agree with plain references.

`CausalGraph.from_events` and `propose` do their work in C-level passes (map, zip,
compress) and try every effect's nearest cause for all effects at once; these tests hold them
to straightforward one-by-one versions written here, on random worlds: the same nodes, edges,
claims and adjacency order; the same candidates, in the same order, with the same scores and
features.
"""

import datetime as dt
from typing import ClassVar

import attrs
import networkx as nx
import pytest
from causal_world import at
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties import PARTIES, plain_events, rule_worlds, timed

import timeline as tl
from timeline.causal import BarrageAfterStrike, CausalGraph, default_rules, propose
from timeline.causal._build import build, build_plainly
from timeline.causal._search import _made_candidates, _Table, search, search_plainly
from timeline.causal.rules import Candidate, Rule, Scene
from timeline.causal.timing import micros

# -- the graph -----------------------------------------------------------------------------------


def reference_graph(events, as_of=None):
    """The graph one event at a time: nodes in input order, claims grouped per pair in order."""
    nodes, links = [], []
    for event in events:
        if isinstance(event, tl.CausalLink):
            links.append(event)
        elif as_of is None or event.occurred_at <= as_of:
            nodes.append(event)
    index = {e.event_id: n for n, e in enumerate(nodes)}
    pairs = {}
    for link in links:
        if link.cause in index and link.effect in index:
            pairs.setdefault((index[link.cause], index[link.effect]), []).append(link)
    graph = nx.DiGraph()
    for n, event in enumerate(nodes):
        graph.add_node(n, event=event)
    for (u, v), claims in pairs.items():
        graph.add_edge(u, v, claims=tuple(claims))
    return graph


def shape(graph):
    """Everything order-sensitive: the events in node order, the edges in networkx's order with
    their claims."""
    if isinstance(graph, CausalGraph):
        return list(graph.events()), [
            (e.cause.event_id, e.effect.event_id, e.claims) for e in graph.edges()
        ]
    events = [event for _, event in graph.nodes(data="event")]
    return events, [
        (events[u].event_id, events[v].event_id, claims)
        for u, v, claims in graph.edges(data="claims")
    ]


@st.composite
def messy_worlds(draw):
    """Events and links (repeated pairs, links to events left out), shuffled together."""
    events = draw(plain_events(min_size=1, max_size=9))
    outside = draw(plain_events(min_size=1, max_size=2))  # linked to, but not given
    ends = events + outside
    links = [
        tl.CausalLink(
            occurred_at=at(100),
            cause=ends[i].event_id,
            effect=ends[j].event_id,
            relation="response",
            confidence=confidence,
            asserted_by=f"analyst {n}",
        )
        for n, (i, j, confidence) in enumerate(
            draw(
                st.lists(
                    st.tuples(
                        st.integers(0, len(ends) - 1),
                        st.integers(0, len(ends) - 1),
                        st.sampled_from([0.3, 0.5, 0.8]),
                    ),
                    max_size=20,
                )
            )
        )
        if i != j
    ]
    return draw(st.permutations(events + links))


@given(messy_worlds(), st.none() | st.integers(0, 70))
@settings(max_examples=60)
def test_the_bulk_build_is_the_plain_build(events, as_of):
    cut = None if as_of is None else at(as_of)
    assert build(events, as_of=cut) == build_plainly(events, as_of=cut)
    graph = CausalGraph.from_events(events, as_of=cut, check=False)
    assert shape(graph) == shape(reference_graph(events, cut))
    assert graph._index == {e.event_id.int: n for n, e in enumerate(graph.events())}
    columns = graph._columns
    for number, claims in enumerate(map(columns.claims, range(len(columns.causes)))):
        # a path through an edge counts its most confident claim, the first of equals
        best = max(claim.confidence for claim in claims)
        assert columns.strongest[number] is next(c for c in claims if c.confidence == best)


def statements(n):
    return [tl.Statement(occurred_at=at(i), speaker=f"s{i}", text="x") for i in range(n)]


def test_a_generator_of_events_is_read_once_and_built_the_same():
    events = statements(3)
    link = tl.CausalLink(
        occurred_at=at(100),
        cause=events[0].event_id,
        effect=events[1].event_id,
        relation="response",
        confidence=0.5,
    )
    given = [*events, link]
    assert CausalGraph.from_events(iter(given), check=False) == CausalGraph.from_events(
        given, check=False
    )


def test_the_first_problem_in_the_input_is_the_one_reported():
    first, second = statements(2)
    fix = tl.Correction(occurred_at=at(1), corrects=first.event_id, changes={"text": "y"})
    with pytest.raises(tl.DuplicateEvent) as caught:  # the duplicate comes before the correction
        CausalGraph.from_events([first, second, first, fix])
    assert caught.value.event_id == first.event_id
    with pytest.raises(tl.InvalidEvent) as refused:  # the correction comes first
        CausalGraph.from_events([first, fix, second, first])
    assert refused.value.field == "events"


def test_an_event_after_as_of_may_share_an_id_with_one_before():
    early = tl.Statement(occurred_at=at(1), speaker="a", text="x")
    late = attrs.evolve(early, occurred_at=at(50))
    graph = CausalGraph.from_events([early, late], as_of=at(10))
    assert list(graph.events()) == [early]


# -- the rules -----------------------------------------------------------------------------------


def summary(candidates):
    return [
        (c.rule, c.cause.event_id, c.effect.event_id, c.relation, c.score, dict(c.features))
        for c in candidates
    ]


@attrs.frozen(kw_only=True)
class Picky(Rule):
    """Refuses every other cause (so effects fall back to the one-by-one search), files causes
    twice under their attacker, looks under several keys, and scores its own way."""

    causes: ClassVar = (tl.Strike, tl.DroneBarrage, tl.MissileStrike, tl.Statement)
    effects: ClassVar = (tl.DroneBarrage, tl.Strike, tl.Statement)

    name: str = "picky"
    relation: str = "response"
    window: dt.timedelta = dt.timedelta(hours=30)

    def cause_keys(self, cause):
        party = getattr(cause, "attacker", None) or getattr(cause, "party", None)
        return (party, party)

    def effect_keys(self, effect):
        return (getattr(effect, "attacker", None) or "Russia", "Ukraine")

    def features(self, cause, effect, scene):  # noqa: ARG002  # the rule interface
        if cause.occurred_at.hour % 2:
            return None
        return {"even": True, "same": type(cause) is type(effect)}

    def score(self, gap, features):
        return 0.5 if features["same"] else 0.25 + min(gap, 0) * 0.0


@attrs.frozen(kw_only=True)
class ByHour(Rule):
    """Files causes under many keys (their hour), so the engine goes one effect at a time."""

    causes: ClassVar = (tl.Strike, tl.DroneBarrage, tl.MissileStrike, tl.Statement)
    effects: ClassVar = (tl.DroneBarrage, tl.Strike, tl.Statement)

    name: str = "by-hour"
    relation: str = "response"
    window: dt.timedelta = dt.timedelta(hours=60)

    def cause_keys(self, cause):
        return (cause.occurred_at.hour,)

    def effect_keys(self, effect):  # noqa: ARG002  # the rule interface
        return tuple(range(24))

    def features(self, cause, effect, scene):  # noqa: ARG002  # the rule interface
        return {"odd": bool(cause.occurred_at.hour % 2)}


@st.composite
def busy_worlds(draw):
    """Rule worlds with more of the events the rules here look at."""
    extra = [
        tl.Strike(attacker=draw(st.sampled_from(PARTIES)), **draw(timed()))
        for _ in range(draw(st.integers(0, 6)))
    ]
    return draw(st.permutations(draw(rule_worlds()) + extra))


@given(busy_worlds(), st.integers(1, 3))
@settings(max_examples=80)
def test_propose_is_the_one_by_one_search(events, per_effect):
    rules = [
        *(type(r)(per_effect=per_effect) for r in default_rules()),
        Picky(per_effect=per_effect),
        ByHour(per_effect=per_effect),
    ]
    assert summary(search(rules, events)) == summary(search_plainly(rules, events))
    assert summary(propose(rules, events)) == summary(search_plainly(rules, events))


def test_a_window_longer_than_time_itself_finds_every_earlier_cause():
    strikes = [
        tl.Strike(occurred_at=at(h), attacker="Ukraine", target_party="Russia") for h in (1, 5)
    ]
    barrage = tl.DroneBarrage(occurred_at=at(9), attacker="Russia", launched=3)
    rule = tl.causal.BarrageAfterStrike(window=dt.timedelta.max, per_effect=2)
    found = propose([rule], [*strikes, barrage])
    assert [c.cause for c in found] == strikes[::-1]
    assert summary(found) == summary(search_plainly([rule], [*strikes, barrage]))


def test_candidates_made_in_bulk_are_those_the_class_makes():
    """The engine sets Candidate's slots itself: only sound while the class has nothing to
    run on construction (no validator, converter, setattr hook or post-init)."""
    assert not any(f.validator or f.converter or f.on_setattr for f in attrs.fields(Candidate))
    assert not hasattr(Candidate, "__attrs_post_init__")
    assert not hasattr(Candidate, "__attrs_pre_init__")
    strike = tl.Strike(occurred_at=at(1), attacker="Ukraine", target_party="Russia")
    barrages = [tl.DroneBarrage(occurred_at=at(h), attacker="Russia", launched=3) for h in (2, 3)]
    rows = [(strike, b, "retaliation", 0.25 * n, "r", {"n": n}) for n, b in enumerate(barrages)]
    made = _made_candidates(len(rows), *zip(*rows, strict=True))
    expected = [Candidate(*row) for row in rows]
    assert [attrs.astuple(c, recurse=False) for c in made] == [
        attrs.astuple(c, recurse=False) for c in expected
    ]
    assert all(type(c) is Candidate for c in made)
    assert made[1].features is rows[1][5]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made[0].score = 1.0  # type: ignore[misc]  # frozen, as any candidate


KINDS = (tl.Strike, tl.DroneBarrage, tl.MissileStrike, tl.Statement)


@given(
    busy_worlds(),
    st.lists(st.sampled_from(KINDS), min_size=2, unique=True),
    st.data(),
)
@settings(max_examples=60)
def test_types_taken_out_of_a_wider_sorted_set_are_sorted_as_on_their_own(events, wider, data):
    narrower = data.draw(st.lists(st.sampled_from(wider), max_size=len(wider) - 1, unique=True))
    table = _Table(events, set(KINDS))
    table.of(wider)
    taken_out = table.of(narrower)
    alone = _Table(events, set(KINDS)).of(narrower)
    assert taken_out[0] == alone[0]
    assert list(map(id, taken_out[1])) == list(map(id, alone[1]))  # the same events


def old_score(rule, gap, features):
    """Rule.score as first written (clipped with max): the engine's scores must not move."""
    width = rule.window.total_seconds() * 1_000_000
    nearness = (1.0 - gap / width if gap > 0 else 1.0) if width else 1.0
    total = rule.base + rule.time_weight * nearness
    for name, weight in rule.weights.items():
        if features.get(name):
            total += weight
    return round(1.0 if total > 1.0 else max(total, 0.0), 6)


WEIGHTS = st.floats(-2, 2) | st.sampled_from([0.0, -0.0, float("inf"), -float("inf")])


@given(
    base=WEIGHTS,
    time_weight=WEIGHTS,
    weights=st.dictionaries(st.sampled_from(["a", "b", "c"]), WEIGHTS),
    features=st.dictionaries(st.sampled_from(["a", "b", "d"]), st.booleans() | st.integers(-1, 2)),
    gap=st.integers(-(10**12), 10**12),
    window_s=st.integers(0, 10**6),
)
def test_the_score_is_clipped_as_before_even_at_signed_zeros_and_nan(
    *, base, time_weight, weights, features, gap, window_s
):
    rule = BarrageAfterStrike(
        base=base, time_weight=time_weight, weights=weights, window=dt.timedelta(seconds=window_s)
    )
    new, old = rule.score(gap, features), old_score(rule, gap, features)
    assert repr(new) == repr(old)  # repr tells 0.0 from -0.0, and nan equals itself


@st.composite
def retaliation_statements(draw):
    """Statements at few distinct hours, some naming a retaliation, by any of a few names."""
    return tl.Statement(
        occurred_at=at(draw(st.integers(0, 200)) / 4),
        speaker=draw(st.sampled_from(["spokesperson", "minister"])),
        party=draw(st.sampled_from([*PARTIES, None])),
        actors=draw(st.lists(st.sampled_from(PARTIES), max_size=2)),
        text=draw(st.sampled_from(["In retaliation for the strike.", "We call for calm."])),
    )


@given(
    st.lists(retaliation_statements(), max_size=12),
    st.integers(-10, 220),
    st.sampled_from([*PARTIES, "spokesperson", "nobody", None]),
    st.sampled_from([48 * 3_600_000_000, 0, 1, 3_600_000_000, 7_200_000_000, -1, 10**15]),
)
@settings(max_examples=300)
def test_a_scene_finds_the_statements_a_plain_search_finds(said, quarter_hours, party, within):
    """The scene's merged stretches answer as trying every statement would."""
    effect = tl.DroneBarrage(attacker="Russia", target="Ukraine", occurred_at=at(quarter_hours / 4))
    start = micros(effect.occurred_at)
    plain = any(
        tl.causal.rules.RETALIATION_WORDS.search(s.text)
        and party in {s.party, s.speaker, *s.actors} - {None}
        and start - within <= micros(s.occurred_at) <= start + within
        for s in said
    )
    scene = Scene(said)
    assert scene.retaliation_named(effect, party, within=within) is plain
    assert scene.retaliation_named(effect, party, within=within) is plain  # asked again
