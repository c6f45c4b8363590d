"""The negotiation state, and the seed article's questions answered from the example."""

from __future__ import annotations

import functools
import uuid

import cattrs
import pendulum
import pytest
from pendulum import DateTime

from timeline.errors import UnknownEvent
from timeline.events import (
    CeasefireDemanded,
    CeasefireRejected,
    DelegationAnnounced,
    DocumentReceived,
    DroneBarrage,
    MemorandumAwaited,
    MemorandumDelivered,
    MemorandumPromised,
    ProposalTabled,
    ResponsePromised,
    TalkRoundHeld,
)
from timeline.projections.negotiations import (
    CeasefireStatus,
    MemorandumStatus,
    Negotiations,
    NegotiationsState,
)
from timeline.time import instant

P = Negotiations()

MORNING_2_JUNE = pendulum.datetime(2025, 6, 2, 8)
DAY_3_JUNE = pendulum.datetime(2025, 6, 3)


@pytest.fixture(scope="module")
def seed(seed_events):
    state = P.fold(P.initial(), seed_events)
    assert state == functools.reduce(P.apply, seed_events, P.initial())
    return state


def fold(events, state=None):
    return P.fold(P.initial() if state is None else state, events)


# -- the seed's questions ------------------------------------------------------------------


def test_who_leads_each_delegation_on_2_june(example, seed):
    expected = {"Ukraine": "Rustem Umerov", "Russia": "Vladimir Medinsky"}
    round_of_2_june = seed.latest_round
    assert round_of_2_june.date == "2025-06-02"
    assert seed.delegation_heads() == expected
    assert seed.delegation_heads(round_of_2_june) == expected
    assert seed.delegation_heads(example.eid("round-2025-06-02")) == expected
    assert seed.delegation_heads(2) == expected
    assert seed.delegation_heads(1) == {}  # no delegation is on record for 16 May
    delegations = seed.delegations(2)
    assert delegations["Ukraine"].head_with_title == "Defense Minister Rustem Umerov"
    assert delegations["Russia"].head_title == "Kremlin adviser"


def test_russias_composition_is_unclear_and_ukraines_not_stated(seed):
    delegations = seed.delegations(2)
    assert delegations["Russia"].composition_known is False
    assert delegations["Ukraine"].composition_known is None


def test_the_round_of_2_june(seed):
    r = seed.latest_round
    assert (r.venue, r.city, r.host, r.mediator, r.number) == (
        "Ciragan Palace",
        "Istanbul",
        "Türkiye",
        "Hakan Fidan",
        2,
    )
    assert "importance of diplomacy" in r.opening_remarks
    assert r.parties == ("Ukraine", "Russia")
    first = seed.rounds[0]
    assert first.date == "2025-05-16"
    assert "largest prisoner exchange" in first.outcome


def test_what_ukraine_has_tabled(seed):
    [roadmap] = seed.tabled("Ukraine")
    assert roadmap.title == "roadmap for a durable peace settlement"
    assert roadmap.terms == (
        "no restrictions on Ukraine's future military capacity",
        "no international recognition of territories occupied by Russian forces",
        "Moscow pays reparations for war damages",
        "the current front lines as the initial basis for territorial negotiations",
    )
    assert seed.tabled("Russia") == ()


def test_on_the_morning_of_2_june_the_memorandum_is_promised_and_awaited(seed):
    assert seed.memorandum_status("Russia", at=MORNING_2_JUNE) is MemorandumStatus.AWAITED
    [memo] = seed.memoranda("Russia", at=MORNING_2_JUNE)
    assert memo.promised_at is not None
    assert memo.awaited is True
    assert not memo.delivered
    assert memo.delivered_at is None
    assert memo.to_party == "Ukraine"
    assert memo.subject == "the general framework for a possible peace agreement"
    # Before Ukraine said it was waiting, it was only promised.
    assert seed.memorandum_status("Russia", at=pendulum.datetime(2025, 5, 25)) == "promised"
    assert seed.memorandum_status("Ukraine") is None


def test_russia_received_the_proposal_and_owes_an_answer_for_monday(example, seed):
    [receipt] = seed.received("Russia")
    assert receipt.from_party == "Ukraine"
    assert receipt.document == example.eid("ukraine-roadmap")
    promise = example.eid("response-promised")
    [pending] = seed.responses_pending(MORNING_2_JUNE)
    assert pending.event_id == promise
    assert pending.regarding == example.eid("ukraine-roadmap")
    assert pending.due_at.in_timezone("Europe/Istanbul").date() == pendulum.date(2025, 6, 2)
    assert seed.is_due(promise, MORNING_2_JUNE)
    assert not seed.is_overdue(promise, MORNING_2_JUNE)
    assert seed.overdue(MORNING_2_JUNE) == ()
    # No answer has come: on 3 June it is overdue.
    assert seed.is_overdue(promise, DAY_3_JUNE)
    assert seed.overdue(DAY_3_JUNE) == (pending,)
    # Before it was promised, nothing was owed.
    assert seed.responses_pending(pendulum.datetime(2025, 5, 30)) == ()


def test_an_answer_on_2_june_settles_the_promise_and_the_memorandum(example, seed):
    delivered = MemorandumDelivered(
        occurred_at=pendulum.datetime(2025, 6, 2, 12),
        party="Russia",
        to_party="Ukraine",
    )
    state = P.apply(seed, delivered)
    assert state.memorandum_status("Russia") is MemorandumStatus.DELIVERED
    assert state.memorandum_status("Russia", at=MORNING_2_JUNE) is MemorandumStatus.AWAITED
    assert state.responses_pending(DAY_3_JUNE) == ()
    assert state.overdue(DAY_3_JUNE) == ()
    [response] = state.responses(DAY_3_JUNE)
    assert response.answered_by == delivered.event_id
    assert not state.is_due(example.eid("response-promised"), DAY_3_JUNE)
    # Still owed at 08:00, before the answer came.
    assert state.is_due(example.eid("response-promised"), MORNING_2_JUNE)


def test_the_ceasefire_demanded_with_european_backing_and_rejected(seed):
    c = seed.ceasefire
    assert c.status is CeasefireStatus.REJECTED
    assert c.demanded_by == ("Ukraine",)
    assert c.backed_by == ("European allies",)
    assert c.rejected_by == ("Russia",)
    assert c.demands[0].immediate
    assert c.rejections[0].demand == c.demands[0].event_id


def test_talks_proposed_by_putin(seed):
    [proposal] = seed.talks_proposed
    assert proposal.proposed_by == "Vladimir Putin"
    assert proposal.city == "Istanbul"


# -- the rules --------------------------------------------------------------------------------

T = pendulum.datetime(2025, 5, 10)


def test_a_rejection_naming_no_demand_answers_the_latest_addressed_to_it():
    first = CeasefireDemanded(occurred_at=T, party="Ukraine", addressed_to="Russia")
    other = CeasefireDemanded(occurred_at=T.add(days=1), party="Russia", addressed_to="Ukraine")
    no = CeasefireRejected(occurred_at=T.add(days=2), party="Russia")
    state = fold([first, other, no])
    assert state.ceasefire.rejections[0].demand == first.event_id
    # The latest demand (Russia's) is not rejected, so the question stands open.
    assert state.ceasefire.status is CeasefireStatus.DEMANDED
    assert fold([]).ceasefire.status is CeasefireStatus.NONE


def test_a_delivery_naming_no_promise_fulfils_the_oldest_open_one():
    a = MemorandumPromised(occurred_at=T, party="Russia", subject="first")
    b = MemorandumPromised(occurred_at=T.add(days=1), party="Russia", subject="second")
    d = MemorandumDelivered(occurred_at=T.add(days=2), party="Russia")
    memos = fold([a, b, d]).memoranda("Russia")
    assert [(m.subject, m.status) for m in memos] == [
        ("first", MemorandumStatus.DELIVERED),
        ("second", MemorandumStatus.PROMISED),
    ]


def test_a_memorandum_awaited_without_a_promise_on_record():
    unknown_promise = uuid.uuid4()
    waiting = MemorandumAwaited(
        occurred_at=T, party="Ukraine", from_party="Russia", promise=unknown_promise
    )
    [memo] = fold([waiting]).memoranda()
    assert memo.promise == unknown_promise
    assert memo.promised_at is None
    assert memo.status is MemorandumStatus.AWAITED


def test_an_answer_must_come_from_the_promising_party_after_the_promise():
    promise = ResponsePromised(
        occurred_at=T, party="Russia", to_party="Ukraine", due_at=T.add(days=1)
    )
    early = ProposalTabled(occurred_at=T.subtract(days=1), party="Russia", title="early")
    theirs = ProposalTabled(occurred_at=T.add(hours=1), party="Ukraine", title="not an answer")
    got = DocumentReceived(occurred_at=T.add(hours=2), party="Ukraine", from_party="Russia")
    state = fold([early, promise, theirs])
    assert state.overdue(T.add(days=2)) == (state.response_promises[0],)
    answered = P.apply(state, got)
    assert answered.responses()[0].answered_by == got.event_id


def test_is_due_refuses_an_unknown_promise():
    missing = uuid.uuid4()
    with pytest.raises(UnknownEvent) as err:
        fold([]).is_due(missing, T)
    assert err.value.event_id == missing


def test_delegations_without_a_round_belong_to_the_round_of_their_date():
    day = pendulum.datetime(2025, 6, 2, tz="Europe/Istanbul")
    held = TalkRoundHeld(occurred_at=day, time_precision="day", parties=["A", "B"], round_number=3)
    named = DelegationAnnounced(occurred_at=day, time_precision="day", party="A", head="X")
    elsewhere = DelegationAnnounced(occurred_at=T, party="B", head="Y")
    state = fold([held, named, elsewhere])
    assert state.delegation_heads(3) == {"A": "X"}
    assert state.delegation_heads() == {"B": "Y", "A": "X"}


def test_a_later_announcement_replaces_the_earlier_head():
    a = DelegationAnnounced(occurred_at=T, party="Russia", head="Vladimir Medinsky")
    b = DelegationAnnounced(occurred_at=T.add(days=1), party="Russia", head="Someone Else")
    assert fold([b, a]).delegation_heads() == {"Russia": "Someone Else"}


def test_folding_an_event_again_replaces_its_record_and_others_are_ignored():
    a = ProposalTabled(occurred_at=T, party="Ukraine", title="roadmap")
    state = fold([a, a, DroneBarrage(occurred_at=T, launched=3)])
    assert state == fold([a])
    assert len(state.proposals) == 1


def test_apply_returns_a_new_state_and_keeps_the_old(seed):
    before = seed.proposals
    after = P.apply(seed, ProposalTabled(occurred_at=T, party="Russia", title="memorandum"))
    assert seed.proposals == before
    assert len(after.proposals) == len(before) + 1


def test_the_state_round_trips_through_a_plain_cattrs_converter(seed):
    c = cattrs.Converter()
    c.register_unstructure_hook(DateTime, lambda d: d.isoformat())
    c.register_structure_hook(DateTime, lambda v, _: instant(v))
    c.register_unstructure_hook(uuid.UUID, str)
    c.register_structure_hook(uuid.UUID, lambda v, _: uuid.UUID(v))
    assert c.structure(c.unstructure(seed), NegotiationsState) == seed
