"""Corrections and retractions: how replay resolves them, and what the guard refuses."""

import datetime as dt

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

import timeline as tl
from timeline.log import MemoryLog
from timeline.projections import CorrectionGuard, replay
from timeline.store import standard_guards

T0 = pendulum.datetime(2025, 6, 1)
R0 = pendulum.datetime(2025, 6, 10)


def at(hours: float) -> pendulum.DateTime:
    return T0 + dt.timedelta(hours=hours)


def rec(minutes: float) -> pendulum.DateTime:
    return R0 + dt.timedelta(minutes=minutes)


class Seen:
    name, version = "seen", 1

    def initial(self):
        return ()

    def apply(self, state, event):
        return (*state, event)


def said(text: str, hours: float = 1) -> tl.Statement:
    return tl.Statement(occurred_at=at(hours), speaker="Fidan", text=text)


def barrage(launched: int | None = 472, destroyed: int | None = 210, hours: float = 1):
    return tl.DroneBarrage(
        occurred_at=at(hours), attacker="Russia", launched=launched, destroyed=destroyed
    )


def fix(target, reason=None, **changes) -> tl.Correction:
    return tl.Correction(
        occurred_at=at(50), corrects=target.event_id, changes=changes, reason=reason
    )


def retract(target) -> tl.Retraction:
    return tl.Retraction(occurred_at=at(50), retracts=target.event_id)


def ids(state) -> list:
    return [e.event_id for e in state]


@pytest.fixture(params=["memory", "sqlite"])
def log(request, tmp_path):
    clock = tl.FixedClock(R0, tick=dt.timedelta(minutes=1))
    url = "memory:" if request.param == "memory" else tmp_path / "t.db"
    log = tl.open_log(url, clock=clock)
    yield log
    log.close()


def snapshot(log):
    head = log.head()
    return len(log), None if head is None else head.hash


def assert_refused(log, batch, error=tl.InvalidEvent):
    """Append ``batch``, expect ``error``, and check the log is exactly as it was."""
    before = snapshot(log)
    with pytest.raises(error) as caught:
        log.append(batch, stream="fixes")
    assert snapshot(log) == before
    assert log.verify().ok
    return caught.value


# -- resolution -------------------------------------------------------------------------------


def test_the_standard_guards_include_the_correction_guard():
    guards = standard_guards()
    assert any(isinstance(g, CorrectionGuard) for g in guards)
    assert not set(map(id, guards)) & set(map(id, standard_guards()))  # fresh each call


def test_corrections_apply_in_recorded_order_later_ones_winning_field_by_field(log):
    b = barrage(launched=472, destroyed=210)
    log.append([b], stream="air")  # R0
    log.append([fix(b, launched=479, destroyed=300)], stream="fixes")  # R0 + 1
    log.append([fix(b, destroyed=310)], stream="fixes")  # R0 + 2
    log.append([fix(b, launched=480, summary="revised twice")], stream="fixes")  # R0 + 3
    views = [replay(log, Seen(), known_at=rec(m))[0] for m in range(4)]
    assert [(v.launched, v.destroyed) for v in views] == [
        (472, 210),
        (479, 300),
        (479, 310),
        (480, 310),
    ]
    assert views[3].summary == "revised twice"
    assert views[3].event_id == b.event_id
    assert log.get(b.event_id).event == b  # the original stays in the log


def test_a_retraction_removes_exactly_its_event_from_later_views_only(log):
    a, b, c = said("a"), said("b", 2), said("c", 3)
    log.append([a, b, c], stream="s")  # R0
    log.append([retract(b)], stream="fixes")  # R0 + 1
    assert ids(replay(log, Seen(), known_at=rec(0))) == [a.event_id, b.event_id, c.event_id]
    assert ids(replay(log, Seen())) == [a.event_id, c.event_id]
    assert ids(replay(log, Seen(), order="recorded")) == [a.event_id, c.event_id]


def test_retracting_a_correction_undoes_it(log):
    b = barrage()
    log.append([b], stream="air")
    first, second = fix(b, launched=500), fix(b, destroyed=220)
    log.append([first, second], stream="fixes")  # R0 + 1
    log.append([retract(first)], stream="fixes")  # R0 + 2
    assert (replay(log, Seen(), known_at=rec(1))[0].launched) == 500
    now = replay(log, Seen())[0]
    assert (now.launched, now.destroyed) == (472, 220)


def test_retracting_a_retraction_restores_and_retracting_that_withdraws_again(log):
    a = said("a")
    log.append([a], stream="s")  # R0
    r1 = retract(a)
    log.append([r1], stream="fixes")  # R0 + 1
    r2 = retract(r1)
    log.append([r2], stream="fixes")  # R0 + 2
    log.append([retract(r2)], stream="fixes")  # R0 + 3
    counts = [len(replay(log, Seen(), known_at=rec(m))) for m in range(4)]
    assert counts == [1, 0, 1, 0]


def test_two_retractions_of_one_event_both_need_undoing(log):
    a = said("a")
    log.append([a], stream="s")
    r1, r2 = retract(a), retract(a)
    log.append([r1, r2], stream="fixes")
    log.append([retract(r1)], stream="fixes")
    assert replay(log, Seen()) == ()
    log.append([retract(r2)], stream="fixes")
    assert ids(replay(log, Seen())) == [a.event_id]


def test_a_corrected_event_that_is_retracted_stays_out_and_comes_back_corrected(log):
    a = said("a")
    log.append([a], stream="s")
    gone = retract(a)
    log.append([fix(a, text="A"), gone], stream="fixes")
    assert replay(log, Seen()) == ()
    log.append([retract(gone)], stream="fixes")
    assert [e.text for e in replay(log, Seen())] == ["A"]


def test_causal_links_are_withdrawn_by_link_retractions_and_by_retractions(log):
    a, b, c = said("a", 1), said("b", 2), said("c", 3)
    ab = tl.CausalLink(occurred_at=at(4), cause=a.event_id, effect=b.event_id, relation="response")
    bc = tl.CausalLink(occurred_at=at(4), cause=b.event_id, effect=c.event_id, relation="prompted")
    log.append([a, b, c, ab, bc], stream="s")  # R0
    unlink = tl.CausalLinkRetracted(occurred_at=at(5), link=ab.event_id, reason="no evidence")
    log.append([unlink, retract(bc)], stream="links")  # R0 + 1
    log.append([retract(unlink)], stream="links")  # R0 + 2

    def links(**kw):
        return [e for e in replay(log, Seen(), **kw) if isinstance(e, tl.CausalLink)]

    assert links(known_at=rec(0)) == [ab, bc]
    assert links(known_at=rec(1)) == []
    assert links() == [ab]


def test_a_correction_may_come_in_the_same_batch_as_its_event(log):
    b = barrage(launched=10, destroyed=5)
    log.append([b, fix(b, launched=20), fix(b, destroyed=15)], stream="air")
    assert (replay(log, Seen())[0].launched, replay(log, Seen())[0].destroyed) == (20, 15)


def test_a_link_may_be_corrected_but_not_repointed(log):
    a, b = said("a", 1), said("b", 2)
    link = tl.CausalLink(
        occurred_at=at(4), cause=a.event_id, effect=b.event_id, relation="response"
    )
    log.append([a, b, link], stream="s")
    log.append([fix(link, confidence=0.4, evidence="one source")], stream="fixes")
    assert replay(log, Seen())[2].confidence == 0.4
    error = assert_refused(log, [fix(link, effect=str(a.event_id), cause=str(b.event_id))])
    assert "refers to" in str(error)


def test_corrected_values_may_use_any_offset(log):
    a = said("a", 1)
    log.append([a], stream="s")
    log.append([fix(a, occurred_at="2025-06-01T13:00:00+03:00")], stream="fixes")
    assert replay(log, Seen())[0].occurred_at == at(10)


# -- what the guard refuses -------------------------------------------------------------------


def test_an_unknown_field_is_refused_naming_it_and_its_value(log):
    b = barrage()
    log.append([b], stream="air")
    error = assert_refused(log, [fix(b, lanched=479)])
    assert (error.field, error.value) == ("lanched", 479)
    assert "lanched" in str(error)
    assert "479" in str(error)


@pytest.mark.parametrize("name", ["type", "version"])
def test_the_type_cannot_be_changed(log, name):
    b = barrage()
    log.append([b], stream="air")
    error = assert_refused(log, [fix(b, **{name: "military.missile_strike"})])
    assert error.field == name


def test_a_value_the_validators_refuse_is_refused(log):
    b = barrage(launched=472, destroyed=210)
    log.append([b], stream="air")
    error = assert_refused(log, [fix(b, launched=100)])
    assert (error.field, error.value) == ("destroyed", 210)
    assert "must not exceed launched" in str(error)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"launched": "many"}, "launched"),
        ({"launched": 4.7}, "launched"),
        ({"launched": True}, "launched"),
        ({"launched": -1}, "launched"),
        ({"launched": [1]}, "launched"),
        ({"actors": "Russia"}, "actors"),
        ({"occurred_at": "2025-06-01T10:00:00"}, "occurred_at"),  # naive
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_until": "2025-05-01T00:00:00+00:00"}, "occurred_until"),  # before the start
        ({"time_precision": "fortnight"}, "time_precision"),
        ({"sources": [{"name": "UAF", "reliability": "Z"}]}, "reliability"),
    ],
)
def test_values_that_do_not_read_back_exactly_are_refused(log, changes, field):
    b = barrage(destroyed=None)
    log.append([b], stream="air")
    error = assert_refused(log, [fix(b, **changes)])
    assert error.field == field


def test_an_unknown_target_is_refused(log):
    b = barrage()
    log.append([b], stream="air")
    assert_refused(log, [fix(said("never appended"), text="x")], tl.UnknownEvent)
    assert_refused(log, [retract(said("never appended"))], tl.UnknownEvent)


def test_corrections_and_retractions_cannot_be_corrected(log):
    b = barrage()
    first = fix(b, launched=480)
    gone = retract(b)
    log.append([b, first, gone], stream="air")
    for meta, field in ((first, "launched"), (gone, "reason")):
        error = assert_refused(
            log, [tl.Correction(occurred_at=at(9), corrects=meta.event_id, changes={field: 1})]
        )
        assert error.field == "corrects"


def test_a_link_retraction_must_name_a_link(log):
    a = said("a")
    log.append([a], stream="s")
    error = assert_refused(log, [tl.CausalLinkRetracted(occurred_at=at(9), link=a.event_id)])
    assert (error.field, error.value) == ("link", a.event_id)


def test_a_correction_is_checked_on_top_of_the_stored_ones(log):
    b = barrage(launched=472, destroyed=210)
    log.append([b], stream="air")
    log.append([fix(b, destroyed=400)], stream="fixes")
    log.append([said("unrelated")], stream="s")
    error = assert_refused(log, [fix(b, launched=300)])  # fine against 210, not against 400
    assert (error.field, error.value) == ("destroyed", 400)


def test_a_batch_is_checked_step_by_step_and_refused_whole(log):
    b = barrage(launched=10, destroyed=5)
    log.append([b], stream="air")
    # launched=3 is valid only once destroyed has become 2 earlier in the same batch
    log.append([fix(b, destroyed=2), fix(b, launched=3)], stream="fixes")
    other = said("would be stored too")
    assert_refused(log, [other, fix(b, launched=20), fix(b, destroyed=30)])
    assert other.event_id not in log
    assert (replay(log, Seen())[0].launched, replay(log, Seen())[0].destroyed) == (3, 2)


def test_retracting_a_correction_is_refused_if_it_would_leave_the_event_invalid(log):
    b = barrage(launched=10, destroyed=5)
    log.append([b], stream="air")
    lower = fix(b, destroyed=2)
    log.append([lower], stream="fixes")
    log.append([fix(b, launched=3)], stream="fixes")
    error = assert_refused(log, [retract(lower)])
    assert (error.field, error.value) == ("destroyed", 5)
    assert "would leave" in str(error)


def test_restoring_a_correction_is_refused_if_it_no_longer_fits(log):
    b = barrage(launched=10, destroyed=5)
    log.append([b], stream="air")
    smaller = fix(b, launched=6)
    log.append([smaller], stream="fixes")
    undo = retract(smaller)
    log.append([undo], stream="fixes")
    log.append([fix(b, destroyed=8)], stream="fixes")  # fine with launched back at 10
    assert_refused(log, [retract(undo)])  # would bring launched=6 back under destroyed=8


def test_the_guard_catches_up_with_other_writers(tmp_path):
    path = tmp_path / "shared.db"
    b = barrage(launched=472, destroyed=210)
    with tl.open_log(path) as one, tl.open_log(path) as two:
        one.append([b], stream="air")
        two.append([fix(b, launched=480)], stream="fixes")  # two's guard reads the log
        one.append([fix(b, destroyed=400)], stream="fixes")  # one's guard has not seen two's
        assert_refused(two, [fix(b, launched=300)])  # two must see one's correction


def test_a_log_without_the_guard_may_hold_bad_corrections_and_replay_says_so():
    log = MemoryLog(clock=tl.FixedClock(R0))
    b = barrage(launched=472, destroyed=210)
    log.append([b, fix(b, launched=1)], stream="air")
    with pytest.raises(tl.InvalidEvent) as e:
        replay(log, Seen())
    assert e.value.field == "destroyed"


@given(
    changes=st.dictionaries(
        st.sampled_from(["launched", "destroyed", "lost", "weapon", "attacker", "nope", "tags"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-5, 600),
            st.floats(allow_nan=False, allow_infinity=False),
            st.text(max_size=5),
            st.lists(st.text(max_size=3), max_size=2),
        ),
        min_size=1,
    )
)
def test_a_correction_is_either_stored_exactly_or_refused_leaving_nothing(changes):
    log = tl.open_log("memory:", clock=tl.FixedClock(R0))
    b = barrage(launched=472, destroyed=210)
    log.append([b], stream="air")
    before = snapshot(log)
    refused = None
    try:
        log.append([fix(b, **changes)], stream="fixes")
    except tl.InvalidEvent as e:
        refused = e
    if refused is not None:
        assert snapshot(log) == before
        assert refused.field
        return
    assert "nope" not in changes
    encoded = log.codec.to_dict(replay(log, Seen())[0])
    for name, value in changes.items():
        got = list(encoded[name]) if isinstance(encoded[name], tuple) else encoded[name]
        assert got == value
        assert (type(got) is bool) == (type(value) is bool)


def test_time_precision_can_be_corrected(log):
    b = barrage()
    log.append([b], stream="air")
    log.append([fix(b, time_precision="day")], stream="air")
    (seen,) = tl.replay_events(log)
    assert seen.time_precision is tl.TimePrecision.DAY
    assert log.codec.to_dict(seen)["time_precision"] == "day"
