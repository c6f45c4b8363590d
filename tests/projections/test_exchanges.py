"""The prisoner-exchange ledger: agreed versus carried out, stages, totals, the largest."""

from __future__ import annotations

import functools
import uuid

import cattrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pendulum import DateTime

from timeline.errors import UnknownEvent
from timeline.events import (
    PartyCount,
    PrisonerExchangeAgreed,
    PrisonerExchangeCarriedOut,
    Statement,
)
from timeline.projections.exchanges import ExchangesState, PrisonerExchanges, SideTotals
from timeline.time import instant

P = PrisonerExchanges()
UA, RU = "Ukraine", "Russia"
T = pendulum.datetime(2025, 5, 16)


def fold(events, state=None):
    return P.fold(P.initial() if state is None else state, events)


def reduce(events, state=None):
    return functools.reduce(P.apply, events, P.initial() if state is None else state)


def both(n):
    return {UA: n, RU: n}


# -- the seed's question -------------------------------------------------------------------


def test_the_largest_exchange_is_1000_for_1000_carried_out_in_full(example, seed_events):
    state = fold(seed_events)
    assert state == reduce(seed_events)
    agreed = state.largest_agreed
    assert agreed.released == (PartyCount(party=UA, count=1000), PartyCount(party=RU, count=1000))
    assert agreed.size == 2000
    assert agreed.event_ids == (example.eid("exchange-agreed"),)
    carried = state.largest_carried_out
    assert carried.released == agreed.released
    assert carried.event_ids == tuple(example.eid(f"exchange-stage-{n}") for n in (1, 2, 3))
    [x] = state.exchanges
    assert [s.number for s in x.stages] == [1, 2, 3]
    assert [s.released[0].count for s in x.stages] == [390, 307, 303]
    assert [s.released[1].count for s in x.stages] == [390, 307, 303]
    assert x.stages_total == 3
    assert x.talks == example.eid("round-2025-05-16")
    assert x.outstanding == (PartyCount(party=UA, count=0), PartyCount(party=RU, count=0))
    assert x.complete
    assert state.sides == (SideTotals(UA, 1000, 1000, 0), SideTotals(RU, 1000, 1000, 0))
    assert state.outstanding() == {UA: 0, RU: 0}


def test_part_way_through_the_rest_is_outstanding(seed_events):
    stage_3 = pendulum.datetime(2025, 5, 25, tz="Europe/Istanbul")
    before_stage_3 = [e for e in seed_events if e.occurred_at < stage_3]
    state = fold(before_stage_3)
    assert state.side(RU) == SideTotals(RU, 1000, 697, 303)
    assert not state.exchanges[0].complete
    assert state.largest_carried_out.size == 2 * 697


# -- the rules --------------------------------------------------------------------------------


def test_a_stage_before_its_agreement_opens_the_exchange_until_it_comes():
    deal = PrisonerExchangeAgreed(occurred_at=T, released=both(10))
    stage = PrisonerExchangeCarriedOut(
        occurred_at=T.add(days=1), agreement=deal.event_id, stage=1, released=both(4)
    )
    early = fold([stage])
    [x] = early.exchanges
    assert x.agreement == deal.event_id
    assert x.agreed == ()
    assert x.outstanding == ()
    assert early.largest_agreed is None
    assert early.exchange(deal.event_id) == x
    late = P.apply(early, deal)
    assert late == fold([deal, stage])
    assert late.side(UA) == SideTotals(UA, 10, 4, 6)


def test_a_second_report_of_a_stage_replaces_the_first():
    deal = PrisonerExchangeAgreed(occurred_at=T, released=both(10))
    first = PrisonerExchangeCarriedOut(
        occurred_at=T.add(days=1), agreement=deal.event_id, stage=1, released=both(4)
    )
    again = PrisonerExchangeCarriedOut(
        occurred_at=T.add(days=1), agreement=deal.event_id, stage=1, released=both(5)
    )
    state = fold([deal, first, again])
    [stage] = state.exchanges[0].stages
    assert stage.event_id == again.event_id
    assert stage.earlier_reports == (first.event_id,)
    assert state.side(RU).carried_out == 5
    assert state.exchanges[0].stage(1) == stage
    with pytest.raises(KeyError):
        state.exchanges[0].stage(2)


def test_folding_a_stage_again_counts_it_once():
    stage = PrisonerExchangeCarriedOut(occurred_at=T, released=both(3))
    assert fold([stage, stage]) == fold([stage])


def test_exchanges_without_an_agreement_stand_alone():
    a = PrisonerExchangeCarriedOut(occurred_at=T, released=both(50))
    b = PrisonerExchangeCarriedOut(occurred_at=T.add(days=3), released={UA: 84, RU: 84})
    state = fold([b, a, Statement(occurred_at=T, speaker="s", text="t")])
    assert [x.carried_out_size for x in state.exchanges] == [100, 168]
    assert state.largest_carried_out.event_ids == (b.event_id,)
    assert state.largest_carried_out.agreement is None
    assert state.largest_agreed is None
    assert state.side(UA) == SideTotals(UA, 0, 134, 0)
    assert state.exchange(a.event_id).stages[0].event_id == a.event_id


def test_the_largest_so_far_is_the_first_of_equal_size():
    big = PrisonerExchangeAgreed(occurred_at=T, released=both(1000))
    same = PrisonerExchangeAgreed(occurred_at=T.add(days=30), released=both(1000))
    small = PrisonerExchangeAgreed(occurred_at=T.add(days=60), released=both(10))
    assert fold([small, same, big]).largest_agreed.agreement == big.event_id


def test_unknown_exchange_and_unknown_side():
    state = fold([])
    missing = uuid.uuid4()
    with pytest.raises(UnknownEvent):
        state.exchange(missing)
    assert state.side("Belarus") == SideTotals("Belarus", 0, 0, 0)


def test_the_state_round_trips_through_a_plain_cattrs_converter(seed_events):
    c = cattrs.Converter()
    c.register_unstructure_hook(DateTime, lambda d: d.isoformat())
    c.register_structure_hook(DateTime, lambda v, _: instant(v))
    c.register_unstructure_hook(uuid.UUID, str)
    c.register_structure_hook(uuid.UUID, lambda v, _: uuid.UUID(v))
    state = fold(seed_events)
    assert c.structure(c.unstructure(state), ExchangesState) == state


# -- properties --------------------------------------------------------------------------------

AGREEMENTS = [uuid.UUID(int=i) for i in range(1, 4)]
IDS = [uuid.UUID(int=100 + i) for i in range(6)]  # a few ids, so some events repeat
released = st.dictionaries(st.sampled_from([UA, RU, "Belarus"]), st.integers(0, 500), min_size=1)
times = st.integers(0, 10).map(lambda d: T.add(days=d))


@st.composite
def exchange_events(draw):
    if draw(st.booleans()):
        return PrisonerExchangeAgreed(
            event_id=draw(st.sampled_from(AGREEMENTS)),
            occurred_at=draw(times),
            released=draw(released),
        )
    total = draw(st.none() | st.integers(1, 3))
    return PrisonerExchangeCarriedOut(
        event_id=draw(st.sampled_from(IDS) | st.uuids()),
        occurred_at=draw(times),
        agreement=draw(st.none() | st.sampled_from(AGREEMENTS)),
        stage=draw(st.none() | st.integers(1, total or 3)),
        stages_total=total,
        released=draw(released),
    )


@given(st.lists(exchange_events(), max_size=20))
def test_fold_equals_reduce_of_apply(events):
    assert fold(events) == reduce(events)


@given(st.lists(exchange_events(), max_size=15), st.lists(exchange_events(), max_size=15))
def test_folding_on_from_a_state_equals_folding_at_once(head, tail):
    assert fold(tail, fold(head)) == fold(head + tail)


@given(st.lists(exchange_events(), max_size=20))
def test_the_ledger_adds_up(events):
    state = fold(events)
    for side in state.sides:
        carried = sum(
            c.count
            for x in state.exchanges
            for s in x.stages
            for c in s.released
            if c.party == side.party
        )
        assert side.carried_out == carried
        assert side.outstanding == sum(
            c.count for x in state.exchanges for c in x.outstanding if c.party == side.party
        )
        assert side.outstanding <= side.agreed
    ids = [s.event_id for x in state.exchanges for s in x.stages]
    assert len(ids) == len(set(ids))
    if state.largest_carried_out is not None:
        assert state.largest_carried_out.size == max(x.carried_out_size for x in state.exchanges)
