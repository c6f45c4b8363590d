"""The causality guard: what it refuses at append time, and that a refusal stores nothing."""

import uuid

import pytest
from causal_world import (
    assert_refused,
    at,
    barrage,
    link,
    new_log,
    said,
    snapshot,
    strike,
    talks,
)

import timeline as tl
from timeline.causal import CausalityGuard
from timeline.store import standard_guards


@pytest.fixture(params=["memory", "sqlite"])
def log(request, tmp_path):
    log = new_log("memory:" if request.param == "memory" else tmp_path / "t.db")
    yield log
    log.close()


def test_the_standard_guards_include_the_causality_guard():
    kinds = [type(g) for g in standard_guards()]
    assert CausalityGuard in kinds
    assert tl.projections.CorrectionGuard in kinds


def test_a_forward_link_is_stored(log):
    a, b = strike(hours=1), barrage(hours=10)
    log.append([a, b], stream="war")
    log.append([link(a, b, "retaliation")], stream="links")
    assert len(log) == 3


@pytest.mark.parametrize("end", ["cause", "effect"])
def test_an_unknown_cause_or_effect_is_refused_and_nothing_stored(log, end):
    a = said(hours=1)
    log.append([a], stream="s")
    ghost = said(hours=2)  # never appended
    pair = (ghost, a) if end == "cause" else (a, ghost)
    error = assert_refused(log, [link(*pair)], tl.UnknownEvent)
    assert error.event_id == ghost.event_id


def test_a_cause_after_its_effect_is_refused_with_its_fields(log):
    early, late = said("early", hours=1), said("late", hours=5)
    log.append([early, late], stream="s")
    back = link(late, early)
    error = assert_refused(log, [back], tl.CausalityError)
    assert error.cause == late.event_id
    assert error.effect == early.event_id
    assert "2025-06-01T05:00:00+00:00" in error.reason
    assert "exact precision" in error.reason
    assert str(back.event_id) in str(error)


def test_a_refused_link_takes_its_whole_batch_with_it(log):
    a, b = said(hours=1), said(hours=2)
    log.append([a, b], stream="s")
    assert_refused(log, [link(a, b), link(b, a)], tl.CausalityError)


def test_events_and_links_may_come_in_one_batch(log):
    a, b = said(hours=1), said(hours=2)
    log.append([a, b, link(a, b)], stream="s")
    assert len(log) == 3
    c = said(hours=0)
    assert_refused(log, [c, link(b, c)], tl.CausalityError)


def test_equal_instants_and_coarser_precisions_are_allowed(log):
    a, b = said(hours=3), said(hours=3)
    day = said(hours=0, time_precision="day")  # some time on 1 June
    log.append([a, b, day], stream="s")
    log.append([link(a, b), link(a, day)], stream="links")
    assert len(log) == 5


def test_a_cause_inside_an_overnight_window_is_allowed(log):
    night = barrage(hours=-5, occurred_until=at(9), time_precision="minute")
    hit = strike(hours=2)
    log.append([night, hit], stream="s")
    log.append([link(hit, night, "retaliation")], stream="links")
    late = strike(hours=10)
    log.append([late], stream="s")
    assert_refused(log, [link(late, night)], tl.CausalityError)


def test_a_link_closing_a_cycle_is_refused(log):
    a, b, c = said("a", hours=1), said("b", hours=1), said("c", hours=1)
    log.append([a, b, c], stream="s")
    log.append([link(a, b), link(b, c)], stream="links")
    error = assert_refused(log, [link(c, a)], tl.CausalityError)
    assert error.cause == c.event_id
    assert error.effect == a.event_id
    assert error.reason.startswith("would close a cycle: ")
    names = error.reason.removeprefix("would close a cycle: ").split(" → ")
    assert [n.split(":")[1].strip()[0] for n in names] == ["c", "a", "b", "c"]


def test_a_cycle_within_one_batch_is_refused(log):
    a, b = said("a", hours=1), said("b", hours=1)
    log.append([a, b], stream="s")
    error = assert_refused(log, [link(a, b), link(b, a)], tl.CausalityError)
    assert "would close a cycle" in error.reason


def test_a_link_may_repeat_another_analysts_claim(log):
    a, b = said(hours=1), said(hours=2)
    log.append([a, b, link(a, b, asserted_by="one")], stream="s")
    log.append([link(a, b, asserted_by="two")], stream="links")
    assert len(log) == 4


def test_links_agreeing_with_no_earlier_order_need_reordering(log):
    # Seen first as effects, then linked the other way round: the order must be rebuilt.
    a, b, c, d = (said(n, hours=1) for n in "abcd")
    log.append([a, b, c, d], stream="s")
    log.append([link(c, d), link(a, b)], stream="links")
    log.append([link(b, c)], stream="links")  # a → b → c → d
    assert_refused(log, [link(d, a)], tl.CausalityError)
    log.append([link(a, d)], stream="links")


def test_a_retracted_link_no_longer_counts_for_cycles(log):
    a, b = said("a", hours=1), said("b", hours=1)
    forward = link(a, b)
    log.append([a, b, forward], stream="s")
    assert_refused(log, [link(b, a)], tl.CausalityError)
    log.append([tl.CausalLinkRetracted(occurred_at=at(100), link=forward.event_id)], stream="links")
    log.append([link(b, a)], stream="links")
    assert len(log) == 5


def test_bringing_back_a_retracted_link_is_checked_again(log):
    a, b = said("a", hours=1), said("b", hours=1)
    forward = link(a, b)
    unlink = tl.CausalLinkRetracted(occurred_at=at(100), link=forward.event_id)
    log.append([a, b, forward, unlink, link(b, a)], stream="s")
    error = assert_refused(
        log, [tl.Retraction(occurred_at=at(101), retracts=unlink.event_id)], tl.CausalityError
    )
    assert "would close a cycle" in error.reason


def test_a_link_to_a_retracted_event_is_refused(log):
    a, b = said(hours=1), said(hours=2)
    log.append([a, b, tl.Retraction(occurred_at=at(3), retracts=b.event_id)], stream="s")
    error = assert_refused(log, [link(a, b)], tl.UnknownEvent)
    assert error.event_id == b.event_id


def test_a_link_to_a_correction_or_a_link_is_refused(log):
    a, b = said(hours=1), said(hours=2)
    fix = tl.Correction(occurred_at=at(3), corrects=a.event_id, changes={"text": "y"})
    ab = link(a, b)
    log.append([a, b, fix, ab], stream="s")
    error = assert_refused(
        log,
        [tl.CausalLink(occurred_at=at(4), cause=ab.event_id, effect=b.event_id, relation="x")],
        tl.InvalidEvent,
    )
    assert error.field == "cause"
    error = assert_refused(
        log,
        [tl.CausalLink(occurred_at=at(4), cause=a.event_id, effect=fix.event_id, relation="x")],
        tl.InvalidEvent,
    )
    assert error.field == "effect"


def test_a_correction_that_would_send_a_link_back_in_time_is_refused(log):
    a, b = said(hours=1), said(hours=5)
    log.append([a, b, link(a, b)], stream="s")
    move = tl.Correction(occurred_at=at(9), corrects=a.event_id, changes={"occurred_at": at(6)})
    error = assert_refused(log, [move], tl.CausalityError)
    assert (error.cause, error.effect) == (a.event_id, b.event_id)
    assert str(move.event_id) in str(error)
    fine = tl.Correction(occurred_at=at(9), corrects=a.event_id, changes={"occurred_at": at(3)})
    log.append([fine], stream="fixes")


def test_a_correction_of_the_precision_is_checked():
    # Alone: the correction guard refuses changes of time_precision for now (it reads the
    # stored enum back as different from the text given).
    log = tl.open_log("memory:", guards=[CausalityGuard()])
    a, b = said(hours=1), said(hours=5)
    log.append([a, b, link(a, b)], stream="s")
    vaguer = tl.Correction(
        occurred_at=at(9),
        corrects=b.event_id,
        changes={"occurred_at": at(0), "time_precision": "day"},
    )
    log.append([vaguer], stream="fixes")  # 1 June, any time: may still come after 01:00
    sharper = tl.Correction(
        occurred_at=at(9), corrects=b.event_id, changes={"time_precision": "exact"}
    )
    error = assert_refused(log, [sharper], tl.CausalityError)  # 00:00 exactly: before 01:00
    assert (error.cause, error.effect) == (a.event_id, b.event_id)


def test_a_correction_checks_the_links_of_the_same_batch(log):
    a, b = said(hours=1), said(hours=5)
    log.append([a, b], stream="s")
    move = tl.Correction(occurred_at=at(9), corrects=b.event_id, changes={"occurred_at": at(0)})
    assert_refused(log, [link(a, b), move], tl.CausalityError)
    assert_refused(log, [move, link(a, b)], tl.CausalityError)


def test_undoing_a_correction_is_checked_too(log):
    a, b = said(hours=5), said(hours=6)
    fix = tl.Correction(occurred_at=at(9), corrects=a.event_id, changes={"occurred_at": at(1)})
    log.append([a, b, fix], stream="s")
    c = said(hours=2)
    log.append([c, link(a, c)], stream="links")  # a is at 01:00 now, c at 02:00
    undo = tl.Retraction(occurred_at=at(10), retracts=fix.event_id)
    error = assert_refused(log, [undo], tl.CausalityError)
    assert (error.cause, error.effect) == (a.event_id, c.event_id)


def test_a_new_guard_catches_up_on_a_log_written_before(tmp_path):
    path = tmp_path / "t.db"
    with new_log(path) as log:
        a, b, c = said("a", hours=1), said("b", hours=1), said("c", hours=1)
        log.append([a, b, c, link(a, b), link(b, c)], stream="s")
    with new_log(path) as again:
        assert_refused(again, [link(c, a)], tl.CausalityError)
        snap = snapshot(again)
    with new_log(path) as one, new_log(path) as two:  # two writers, each with its own guard
        d = said("d", hours=1)
        one.append([d, link(c, d)], stream="s")
        assert_refused(two, [link(d, a)], tl.CausalityError)
        assert snapshot(two)[0] == snap[0] + 2


def test_a_log_without_the_guard_accepts_anything():
    log = tl.open_log("memory:", guards=())
    a, b = said(hours=1), said(hours=5)
    log.append([a, b, link(b, a)], stream="s")
    assert len(log) == 3


def test_batches_without_links_cost_nothing_more(log):
    guard = CausalityGuard()
    calls = []
    log.read = lambda *a, **_: calls.append(a) or iter(())  # the guard must not read the log
    guard(log, [said(), barrage(), talks()])
    guard(log, [tl.Correction(occurred_at=at(1), corrects=uuid.uuid4(), changes={"summary": "s"})])
    assert calls == []
