"""The fast batch fold (``_escalation_engine``) agrees with the plain reference (``apply``).

``Escalation.apply`` counts one report at a time in plain code (``Tallies.counting``); the
engine behind ``Escalation.fold`` does the same for a batch. Whatever the events, their
order and how they are cut into batches, the two give equal states.
"""

from __future__ import annotations

import functools
import itertools

import pendulum
from hypothesis import given
from hypothesis import strategies as st

from timeline.events import DroneBarrage, MissileStrike, Statement, Strike
from timeline.projections import _escalation_engine
from timeline.projections.escalation import Escalation, EscalationState, Tallies

P = Escalation()
BASE = pendulum.datetime(2025, 5, 1, 18)

#: Few starts, ends, claimants, attackers and weapons, so that reports often share a tally
#: or a window, and arrive before, at or after the latest start folded so far.
starts = st.integers(0, 3).map(lambda h: BASE.add(hours=6 * h))
attackers = st.sampled_from(["Russia", "Russia", "Ukraine"])
weapons = st.sampled_from([None, "Shahed-136/131"])
figures = st.none() | st.integers(0, 40)


@st.composite
def reports(draw: st.DrawFn) -> object:
    start = draw(starts)
    common = {
        "occurred_at": start,
        "occurred_until": draw(st.sampled_from([None, start.add(hours=12), start.add(hours=6)])),
        "time_precision": draw(st.sampled_from(["minute", "hour", "day"])),
        "claimed_by": draw(st.sampled_from([None, "Ukrainian Air Force"])),
        "sources": draw(st.sampled_from([(), ("Reuters",)])),
    }
    kind = draw(st.sampled_from([DroneBarrage, DroneBarrage, MissileStrike, Strike, Statement]))
    if kind is Statement:
        return Statement(speaker="a spokesman", text="t", **common)
    attacker, weapon = draw(attackers), draw(weapons)
    if kind is Strike:
        return Strike(attacker=attacker, weapon=weapon, **common)
    launched = draw(figures)
    cap = 40 if launched is None else launched
    return kind(
        attacker=attacker,
        weapon=weapon,
        launched=launched,
        destroyed=draw(st.none() | st.integers(0, cap)),
        lost=draw(st.none() | st.integers(0, cap)),
        **common,
    )


events = st.lists(reports(), max_size=30)


def reference(evs, state=None):
    """The plain meaning: ``apply``, one event at a time."""
    return functools.reduce(P.apply, evs, P.initial() if state is None else state)


def in_batches(evs, cuts, state=None):
    """The engine, on the events cut into batches at ``cuts``."""
    state = P.initial() if state is None else state
    bounds = sorted({0, len(evs), *(c % (len(evs) + 1) for c in cuts)})
    for a, b in itertools.pairwise(bounds):
        state = P.fold(state, evs[a:b])
    return state


def packed(state):
    return EscalationState(tallies=Tallies.from_packed(state.tallies.to_packed()))


@given(events, st.lists(st.integers(0, 30), max_size=8))
def test_one_batch_many_batches_and_the_reference_agree(evs, cuts):
    once = P.fold(P.initial(), evs)
    assert once == reference(evs)
    assert in_batches(evs, cuts) == once


@given(events, events, st.lists(st.integers(0, 30), max_size=5))
def test_folding_on_from_a_state_or_its_snapshot_agrees_with_the_reference(head, tail, cuts):
    state = P.fold(P.initial(), head)
    expected = reference(tail, reference(head))
    assert in_batches(tail, cuts, state) == expected
    assert in_batches(tail, cuts, packed(state)) == expected
    assert reference(tail, packed(state)) == expected


@given(events, events)
def test_the_frontier_the_engine_keeps_is_the_one_its_columns_give(head, tail):
    """Where a fold goes on is kept with the tallies; it must be what the columns say."""
    state = P.fold(P.fold(P.initial(), head), tail)
    kept = state.tallies.frontier()
    assert kept == _escalation_engine.frontier_of(state.tallies)
    assert packed(state).tallies.frontier() == kept


@given(events)
def test_every_counted_event_is_kept_once_in_the_order_folded(evs):
    state = P.fold(P.initial(), evs)
    counted = [e.event_id for e in evs if not isinstance(e, Statement)]
    assert state.tallies.event_id == tuple(counted)
    assert sum(state.tallies.reports) == len(counted)
