"""Inference rules: each on cases it should and should not propose; evaluate()."""

import datetime as dt

import pytest
from causal_world import at, barrage, link, new_log, said, strike, talks

import timeline as tl
from timeline.causal import (
    AnswerPromised,
    BarrageAfterStrike,
    ExchangeAgreedAtTalks,
    ExchangeCarriedOut,
    ProposalReceived,
    TalksAfterCeasefireDemand,
    default_rules,
    evaluate,
    may_cause,
    propose,
)
from timeline.causal.rules import Rule, Scene


def pairs(candidates):
    return [(c.cause.summary, c.effect.summary) for c in candidates]


# -- barrage after a strike ----------------------------------------------------------------------


def test_a_barrage_after_a_strike_on_its_attacker_is_a_retaliation():
    hit = strike(hours=0, summary="hit")
    night = barrage(hours=20, summary="night")
    (c,) = propose([BarrageAfterStrike()], [hit, night])
    assert (c.cause, c.effect, c.relation, c.rule) == (
        hit,
        night,
        "retaliation",
        "barrage-after-strike",
    )
    assert c.features == {
        "answering": True,
        "statement": False,
        "shared_actors": 0,
        "gap_hours": 20.0,
    }
    assert c.score == pytest.approx(0.1 + 0.3 * (1 - 20 / 48) + 0.3)


def test_no_retaliation_outside_the_window_or_against_someone_else():
    hit = strike(hours=0, summary="hit")
    rules = [BarrageAfterStrike()]
    assert propose(rules, [hit, barrage(hours=49)]) == []
    assert propose(rules, [hit, barrage(hours=-1)]) == []  # before the strike
    assert propose(rules, [hit, barrage(by="Belarus", hours=5)]) == []  # Belarus was not hit
    assert (
        propose(rules, [strike(by="Russia", on="Ukraine", hours=0), barrage(hours=5)]) == []
    )  # own side


def test_a_statement_naming_a_retaliation_raises_the_score():
    hit, night = strike(hours=0), barrage(hours=10)
    plain = propose([BarrageAfterStrike()], [hit, night])[0]
    claim = said(
        "This was in retaliation for the attack on our airfields.",
        hours=11,
        speaker="Kremlin",
        party="Russia",
    )
    claimed = propose([BarrageAfterStrike()], [hit, night, claim])[0]
    assert claimed.features["statement"] is True
    assert claimed.score == pytest.approx(plain.score + 0.3)
    other = said("in retaliation", hours=11, speaker="Kyiv", party="Ukraine")
    assert propose([BarrageAfterStrike()], [hit, night, other])[0].features["statement"] is False
    own = barrage(hours=10, summary="Russia says the barrage came in retaliation")
    assert propose([BarrageAfterStrike()], [hit, own])[0].features["statement"] is True


def test_a_strike_with_no_stated_target_counts_without_answering():
    hit = tl.Strike(occurred_at=at(0), attacker="Ukraine")
    (c,) = propose([BarrageAfterStrike()], [hit, barrage(hours=3)])
    assert c.features["answering"] is False


def test_the_nearest_strike_is_proposed_and_per_effect_allows_more():
    old, new = strike(hours=0, summary="old"), strike(hours=30, summary="new")
    night = barrage(hours=40, summary="night")
    assert pairs(propose([BarrageAfterStrike()], [old, new, night])) == [("new", "night")]
    assert pairs(propose([BarrageAfterStrike(per_effect=2)], [old, new, night])) == [
        ("new", "night"),
        ("old", "night"),
    ]


def test_a_cause_within_the_effects_precision_is_proposed_never_one_after_it():
    night = barrage(hours=-5, occurred_until=at(9), time_precision="minute", summary="night")
    during = strike(hours=2, summary="during")
    after = strike(hours=12, summary="after")
    found = propose([BarrageAfterStrike(per_effect=5)], [night, during, after])
    assert pairs(found) == [("during", "night")]
    assert found[0].features["gap_hours"] == -7.0
    assert found[0].score == pytest.approx(0.1 + 0.3 + 0.3)


# -- diplomacy ------------------------------------------------------------------------------------


def demand(hours=0, **fields):
    return tl.CeasefireDemanded(
        occurred_at=at(hours), party="Ukraine", addressed_to="Russia", summary="demand", **fields
    )


def test_talks_proposed_after_a_ceasefire_demand():
    proposed = tl.TalksProposed(
        occurred_at=at(24),
        proposed_by="Vladimir Putin",
        actors=["Russia"],
        parties=["Russia", "Ukraine"],
        summary="talks",
    )
    (c,) = propose([TalksAfterCeasefireDemand()], [demand(), proposed])
    assert (pairs([c]), c.relation) == ([("demand", "talks")], "response")
    assert c.features["answering"] is True
    assert c.features["shared_actors"] == 2
    assert (
        propose(
            [TalksAfterCeasefireDemand()],
            [demand(), proposed.__class__(occurred_at=at(24 * 8), proposed_by="Russia")],
        )
        == []
    )
    unrelated = tl.TalksProposed(
        occurred_at=at(24), proposed_by="Armenia", parties=["Armenia", "Azerbaijan"]
    )
    assert propose([TalksAfterCeasefireDemand()], [demand(), unrelated]) == []


def test_a_talk_round_followed_by_an_agreed_exchange():
    round_ = talks(hours=0, summary="round")
    agreed = tl.PrisonerExchangeAgreed(
        occurred_at=at(2),
        released={"Ukraine": 1000, "Russia": 1000},
        talks=round_.event_id,
        summary="agreed",
    )
    (c,) = propose([ExchangeAgreedAtTalks()], [round_, agreed])
    assert (pairs([c]), c.relation, c.features["reference"]) == (
        [("round", "agreed")],
        "outcome",
        True,
    )
    other_round = talks(hours=1, summary="other")
    assert pairs(propose([ExchangeAgreedAtTalks(per_effect=3)], [round_, other_round, agreed])) == [
        ("round", "agreed")
    ]
    elsewhere = tl.PrisonerExchangeAgreed(occurred_at=at(2), released={"Armenia": 5})
    assert propose([ExchangeAgreedAtTalks()], [round_, elsewhere]) == []
    assert (
        propose(
            [ExchangeAgreedAtTalks()],
            [round_, tl.PrisonerExchangeAgreed(occurred_at=at(24 * 4), released={"Ukraine": 1})],
        )
        == []
    )


def test_an_agreed_exchange_followed_by_its_execution():
    agreed = tl.PrisonerExchangeAgreed(
        occurred_at=at(0), released={"Ukraine": 1000, "Russia": 1000}, summary="agreed"
    )
    stages = [
        tl.PrisonerExchangeCarriedOut(
            occurred_at=at(24 * d),
            released={"Ukraine": n, "Russia": n},
            agreement=agreed.event_id,
            stage=i,
            summary=f"stage {i}",
        )
        for i, (d, n) in enumerate(((7, 390), (8, 307), (9, 303)), 1)
    ]
    found = propose([ExchangeCarriedOut()], [agreed, *stages])
    assert pairs(found) == [("agreed", "stage 1"), ("agreed", "stage 2"), ("agreed", "stage 3")]
    assert all(c.features["within_agreed"] and c.features["reference"] for c in found)
    assert {c.relation for c in found} == {"precondition"}
    too_many = tl.PrisonerExchangeCarriedOut(
        occurred_at=at(24), released={"Ukraine": 2000, "Russia": 2000}
    )
    (c,) = propose([ExchangeCarriedOut()], [agreed, too_many])
    assert c.features["within_agreed"] is False
    other = tl.PrisonerExchangeCarriedOut(occurred_at=at(24), released={"Armenia": 1})
    assert propose([ExchangeCarriedOut()], [agreed, other]) == []
    late = tl.PrisonerExchangeCarriedOut(occurred_at=at(24 * 31), released={"Ukraine": 1})
    assert propose([ExchangeCarriedOut()], [agreed, late]) == []


def test_a_proposal_followed_by_its_receipt_and_a_promised_answer():
    roadmap = tl.ProposalTabled(
        occurred_at=at(0), party="Ukraine", to_party="Russia", title="roadmap", summary="roadmap"
    )
    received = tl.DocumentReceived(
        occurred_at=at(20),
        party="Russia",
        from_party="Ukraine",
        document=roadmap.event_id,
        summary="received",
    )
    answer = tl.ResponsePromised(
        occurred_at=at(20),
        party="Russia",
        to_party="Ukraine",
        regarding=roadmap.event_id,
        summary="answer",
    )
    found = propose([ProposalReceived(), AnswerPromised()], [roadmap, received, answer])
    assert pairs(found) == [("roadmap", "received"), ("received", "answer")]
    assert [c.features["reference"] for c in found] == [True, True]
    assert [c.features["answering"] for c in found] == [True, True]
    assert [c.score for c in found] == [pytest.approx(0.2 + 0.3 * (1 - 20 / 336) + 0.5), 1.0]
    # The wrong sender, another document, another party promising: nothing.
    stranger = tl.DocumentReceived(occurred_at=at(20), party="Russia", from_party="Moldova")
    assert propose([ProposalReceived()], [roadmap, stranger]) == []
    other_doc = tl.DocumentReceived(
        occurred_at=at(20), party="Russia", from_party="Ukraine", document=stranger.event_id
    )
    assert propose([ProposalReceived()], [roadmap, other_doc]) == []
    someone = tl.ResponsePromised(occurred_at=at(21), party="Ukraine")
    assert propose([AnswerPromised()], [received, someone]) == []


# -- the engine -----------------------------------------------------------------------------------


def test_links_among_the_events_are_ignored_and_order_does_not_matter():
    hit, night = strike(hours=0, summary="hit"), barrage(hours=5, summary="night")
    rules = default_rules()
    assert propose(rules, [night, link(hit, night), hit]) == propose(rules, [hit, night])


def test_default_rules_are_new_each_time_and_named_uniquely():
    one, two = default_rules(), default_rules()
    assert one == two
    assert one is not two
    assert len({r.name for r in one}) == 6


def test_a_bad_rule_is_refused():
    with pytest.raises(tl.InvalidArgument):
        propose([BarrageAfterStrike(window=dt.timedelta(hours=-1))], [])
    with pytest.raises(tl.InvalidArgument):
        propose([BarrageAfterStrike(per_effect=0)], [])


def test_users_may_write_their_own_rule():
    class StatementAfterStrike(Rule):
        causes = (tl.Strike,)
        effects = (tl.Statement,)

        def features(self, cause, effect, scene):  # noqa: ARG002  # the rule interface
            return {"speaker": effect.speaker} if "strike" in effect.text else None

    rule = StatementAfterStrike(
        name="statement-after-strike",
        relation="response",
        window=dt.timedelta(hours=6),
        weights={"speaker": 0.5},
    )
    hit = strike(hours=0, summary="hit")
    found = propose(
        [rule], [hit, said("about the strike", hours=1, summary="said"), said("other", hours=2)]
    )
    assert pairs(found) == [("hit", "said")]
    assert found[0].score == pytest.approx(0.2 + 0.3 * (1 - 1 / 6) + 0.5)
    assert isinstance(Scene(), Scene)


def test_an_accepted_candidate_is_a_link_the_log_takes():
    log = new_log()
    hit, night = strike(hours=0), barrage(hours=5)
    log.append([hit, night], stream="war")
    (candidate,) = propose(default_rules(), [hit, night])
    accepted = candidate.to_link(occurred_at=at(50), asserted_by="analyst")
    assert (accepted.rule, accepted.score, accepted.confidence) == (
        "barrage-after-strike",
        candidate.score,
        candidate.score,
    )
    assert "answering=True" in accepted.evidence
    log.append([accepted], stream="links")
    (cause,) = tl.causal_graph(log).why(night)
    assert cause.path == (accepted,)
    mine = candidate.to_link(
        occurred_at=at(50), asserted_by="b", confidence=0.9, evidence="seen it", sources=["Reuters"]
    )
    assert (mine.confidence, mine.evidence, mine.sources[0].name) == (0.9, "seen it", "Reuters")


# -- evaluate -------------------------------------------------------------------------------------


def test_evaluate_measures_precision_and_recall_against_analyst_links():
    log = new_log()
    hit1, night1 = strike(hours=0, summary="hit1"), barrage(hours=10, summary="night1")
    hit2, night2 = strike(hours=100, summary="hit2"), barrage(hours=110, summary="night2")
    hit3, night3 = (
        strike(hours=200, summary="hit3"),
        barrage(hours=300, summary="night3"),
    )  # 100 h apart
    speech = said("we will talk", hours=120, summary="speech")
    log.append([hit1, night1, hit2, night2, hit3, night3, speech], stream="war")
    log.append(
        [
            link(hit1, night1, "retaliation"),  # found
            link(hit3, night3, "retaliation"),  # missed: outside the 48 h window
            link(night2, speech, "prompted"),  # missed: no rule for it
        ],
        stream="links",
    )
    report = evaluate(default_rules(), log)
    assert pairs(report.candidates) == [("hit1", "night1"), ("hit2", "night2")]
    assert pairs(report.correct) == [("hit1", "night1")]
    assert pairs(report.wrong) == [("hit2", "night2")]
    assert sorted(link.relation for link in report.missed) == ["prompted", "retaliation"]
    assert report.precision == 0.5
    assert report.recall == pytest.approx(1 / 3)
    barrages = report.rules["barrage-after-strike"]
    assert (barrages.proposed, barrages.correct, barrages.in_scope, barrages.found) == (2, 1, 2, 1)
    assert (barrages.precision, barrages.recall) == (0.5, 0.5)
    talks_rule = report.rules["talks-after-ceasefire-demand"]
    assert (talks_rule.precision, talks_rule.recall) == (None, None)


def test_accepted_candidates_are_not_counted_as_truth():
    log = new_log()
    hit, night = strike(hours=0), barrage(hours=5)
    log.append([hit, night], stream="war")
    (candidate,) = propose(default_rules(), [hit, night])
    log.append([candidate.to_link(occurred_at=at(9), asserted_by="me")], stream="links")
    report = evaluate(default_rules(), log)
    assert report.truth == ()
    assert (report.precision, report.recall) == (0.0, None)


def test_evaluate_follows_the_views():
    log = new_log()
    hit, night = strike(hours=0), barrage(hours=5)
    log.append([hit, night], stream="war")  # recorded at minute 0
    log.append([link(hit, night, "retaliation")], stream="links")  # minute 1
    assert evaluate(default_rules(), log).recall == 1.0
    assert (
        evaluate(default_rules(), log, known_at=tl.instant("2025-06-10T00:00:30+00:00")).recall
        is None
    )
    assert evaluate(default_rules(), log, as_of=at(1)).candidates == ()


def test_every_candidate_may_cause_its_effect():
    events = [strike(hours=h) for h in range(0, 100, 7)] + [
        barrage(hours=h, time_precision="hour") for h in range(3, 100, 5)
    ]
    for c in propose(default_rules(), events):
        assert may_cause(c.cause, c.effect)
