"""history(): an event's versions, step by step, with who and when."""

import datetime as dt
import uuid

import attrs
import pendulum
import pytest

import timeline as tl
from timeline.projections import History, Revision, history

T0 = pendulum.datetime(2025, 6, 1)
R0 = pendulum.datetime(2025, 6, 10)


def at(hours: float) -> pendulum.DateTime:
    return T0 + dt.timedelta(hours=hours)


def rec(minutes: float) -> pendulum.DateTime:
    return R0 + dt.timedelta(minutes=minutes)


@pytest.fixture(params=["memory", "sqlite"])
def log(request, tmp_path):
    clock = tl.FixedClock(R0, tick=dt.timedelta(minutes=1))
    url = "memory:" if request.param == "memory" else tmp_path / "t.db"
    log = tl.open_log(url, clock=clock)
    yield log
    log.close()


UAF = tl.Source(name="Ukrainian Air Force", reliability="B", credibility=2)


def test_an_unchanged_event_has_one_revision(log):
    b = tl.DroneBarrage(occurred_at=at(1), launched=472, claimed_by="Ukrainian Air Force")
    log.append([b], stream="air")
    h = history(log, b.event_id)
    assert isinstance(h, History)
    assert len(h) == 1
    (only,) = h
    assert isinstance(only, Revision)
    assert (only.kind, only.event, only.withdrawn, only.change) == ("recorded", b, False, None)
    assert (only.position, only.stream, only.recorded_at) == (1, "air", rec(0))
    assert only.claimed_by == "Ukrainian Air Force"
    assert h.original == h.current == b
    assert not h.withdrawn


def test_each_correction_and_retraction_is_a_revision_with_who_and_when(log):
    b = tl.DroneBarrage(occurred_at=at(1), launched=472, destroyed=210)
    log.append([b, tl.Statement(occurred_at=at(2), speaker="x", text="unrelated")], stream="air")
    first = tl.Correction(
        occurred_at=at(30),
        corrects=b.event_id,
        changes={"launched": 479},
        reason="revised morning figure",
        sources=[UAF],
        claimed_by="Ukrainian Air Force",
    )
    log.append([first], stream="fixes")  # R0 + 1
    second = tl.Correction(occurred_at=at(31), corrects=b.event_id, changes={"destroyed": 277})
    log.append([second], stream="fixes")  # R0 + 2
    gone = tl.Retraction(occurred_at=at(32), retracts=b.event_id, reason="duplicate report")
    log.append([gone], stream="fixes")  # R0 + 3

    h = history(log, b.event_id)
    assert [r.kind for r in h] == ["recorded", "corrected", "corrected", "retracted"]
    assert [(r.event.launched, r.event.destroyed) for r in h] == [
        (472, 210),
        (479, 210),
        (479, 277),
        (479, 277),
    ]
    assert [r.withdrawn for r in h] == [False, False, False, True]
    assert [r.position for r in h] == [1, 3, 4, 5]
    assert [r.recorded_at for r in h] == [rec(0), rec(1), rec(2), rec(3)]
    assert [r.change for r in h] == [None, first, second, gone]
    assert [r.reason for r in h] == [None, "revised morning figure", None, "duplicate report"]
    assert h.revisions[1].sources == (UAF,)
    assert h.revisions[1].claimed_by == "Ukrainian Air Force"
    assert h.revisions[1].changes == {"launched": 479}
    assert h.revisions[3].changes == {}
    assert h.original == b
    assert (h.current.launched, h.withdrawn) == (479, True)


def test_undoing_a_step_is_a_revision_too(log):
    b = tl.DroneBarrage(occurred_at=at(1), launched=472)
    fix = tl.Correction(occurred_at=at(30), corrects=b.event_id, changes={"launched": 479})
    gone = tl.Retraction(occurred_at=at(30), retracts=b.event_id)
    log.append([b, fix, gone], stream="air")  # R0
    undo_fix = tl.Retraction(occurred_at=at(31), retracts=fix.event_id, reason="wrong row")
    log.append([undo_fix], stream="fixes")  # R0 + 1
    undo_gone = tl.Retraction(occurred_at=at(32), retracts=gone.event_id)
    log.append([undo_gone], stream="fixes")  # R0 + 2
    h = history(log, b.event_id)
    assert [(r.kind, r.undoes) for r in h] == [
        ("recorded", None),
        ("corrected", None),
        ("retracted", None),
        ("undone", fix.event_id),
        ("undone", gone.event_id),
    ]
    assert [(r.event.launched, r.withdrawn) for r in h] == [
        (472, False),
        (479, False),
        (479, True),
        (472, True),
        (472, False),
    ]
    assert h.revisions[3].reason == "wrong row"


def test_the_revision_known_at_a_time(log):
    b = tl.DroneBarrage(occurred_at=at(1), launched=472)
    log.append([b], stream="air")  # R0
    log.append(
        [tl.Correction(occurred_at=at(9), corrects=b.event_id, changes={"launched": 479})],
        stream="fixes",
    )  # R0 + 1
    h = history(log, b.event_id)
    assert h.known_at(rec(-1)) is None
    assert h.known_at(rec(0.5)).event.launched == 472
    assert h.known_at(rec(1)).event.launched == 479
    with pytest.raises(tl.InvalidArgument):
        h.known_at(dt.datetime(2025, 6, 10))  # noqa: DTZ001  # naive on purpose


def test_a_corrections_own_history(log):
    b = tl.DroneBarrage(occurred_at=at(1), launched=472)
    fix = tl.Correction(occurred_at=at(30), corrects=b.event_id, changes={"launched": 479})
    log.append([b, fix], stream="air")
    log.append([tl.Retraction(occurred_at=at(31), retracts=fix.event_id)], stream="fixes")
    h = history(log, fix.event_id)
    assert [(r.kind, r.event, r.withdrawn) for r in h] == [
        ("recorded", fix, False),
        ("retracted", fix, True),
    ]


def test_revisions_are_frozen(log):
    b = tl.DroneBarrage(occurred_at=at(1), launched=472)
    log.append([b], stream="air")
    h = history(log, b.event_id)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        h.revisions[0].kind = "corrected"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        h.revisions = ()


def test_an_unknown_event_has_no_history(log):
    missing = uuid.uuid4()
    with pytest.raises(tl.UnknownEvent) as e:
        history(log, missing)
    assert e.value.event_id == missing
