"""replay(): the projection protocol, the two time cuts, the order, streaming."""

import datetime as dt
import functools

import pendulum
import pytest

import timeline as tl
from timeline.projections import (
    BatchProjection,
    Projection,
    fold,
    replay,
    replay_events,
    replay_records,
)

T0 = pendulum.datetime(2025, 6, 1)  # valid time of the story
R0 = pendulum.datetime(2025, 6, 10)  # transaction time: when the log starts recording


def at(hours: float) -> pendulum.DateTime:
    return T0 + dt.timedelta(hours=hours)


def rec(minutes: float) -> pendulum.DateTime:
    return R0 + dt.timedelta(minutes=minutes)


class Headlines:
    """A tiny projection: the (event_id, headline) of each event, in the order folded."""

    name, version = "headlines", 1

    def initial(self):
        return ()

    def apply(self, state, event):
        return (*state, (event.event_id, event.headline()))


class Seen:
    """The events themselves, in the order folded."""

    name, version = "seen", 1

    def initial(self):
        return ()

    def apply(self, state, event):
        return (*state, event)


def said(text: str, hours: float, **kw) -> tl.Statement:
    return tl.Statement(occurred_at=at(hours), speaker="Fidan", text=text, **kw)


def barrage(hours: float, launched: int, destroyed: int | None = None, **kw) -> tl.DroneBarrage:
    return tl.DroneBarrage(
        occurred_at=at(hours), attacker="Russia", launched=launched, destroyed=destroyed, **kw
    )


def texts(state) -> list[str]:
    return [e.text for e in state]


@pytest.fixture(params=["memory", "sqlite", "jsonl"])
def log(request, tmp_path):
    """A log stamped by a clock that moves one minute after each append (R0, R0+1, ...)."""
    clock = tl.FixedClock(R0, tick=dt.timedelta(minutes=1))
    url = {"memory": "memory:", "sqlite": tmp_path / "t.db", "jsonl": tmp_path / "t.jsonl"}
    log = tl.open_log(url[request.param], clock=clock)
    yield log
    log.close()


# -- the protocol ----------------------------------------------------------------------------


class Count(tl.Projection):
    name, version = "count", 1

    def initial(self):
        return 0

    def apply(self, state, event):  # noqa: ARG002  # the protocol's signature; counts any event
        return state + 1


class BatchCount(Count):
    """Counts with a local accumulator; ``folds`` records that the batch path was taken."""

    def __init__(self):
        self.folds = 0

    def fold(self, state, events):
        self.folds += 1
        n = state
        for _ in events:
            n += 1
        return n


def test_a_subclass_and_a_plain_object_are_both_projections():
    assert isinstance(Count(), Projection)
    assert isinstance(Headlines(), Projection)
    assert not isinstance(object(), Projection)
    assert isinstance(BatchCount(), BatchProjection)
    assert not isinstance(Count(), BatchProjection)


def test_fold_uses_the_batch_fold_when_there_is_one():
    events = [said("a", 1), said("b", 2)]
    counter = BatchCount()
    assert fold(counter, 10, events) == 12
    assert counter.folds == 1
    assert fold(Count(), 10, events) == 12
    assert fold(Headlines(), (), events) == functools.reduce(Headlines().apply, events, ())


def test_replay_uses_the_batch_fold(log):
    log.append([said("a", 1), said("b", 2)], stream="s")
    counter = BatchCount()
    assert replay(log, counter) == 2
    assert counter.folds == 1


def test_an_empty_log_replays_to_the_initial_state(log):
    assert replay(log, Headlines()) == ()
    assert replay(log, Count(), as_of=at(0), known_at=rec(0)) == 0


def test_replay_folds_every_event_once(log):
    events = [said(f"s{i}", i) for i in range(5)]
    log.append(events[:2], stream="a")
    log.append(events[2:], stream="b")
    assert replay(log, Headlines()) == tuple((e.event_id, e.headline()) for e in events)


def test_the_projection_sees_links_but_never_corrections_or_retractions(log):
    a, b, c = said("a", 1), said("b", 2), said("c", 3)
    link = tl.CausalLink(
        occurred_at=at(4), cause=a.event_id, effect=b.event_id, relation="response"
    )
    log.append([a, b, c, link], stream="s")
    log.append(
        [
            tl.Correction(occurred_at=at(5), corrects=a.event_id, changes={"text": "A"}),
            tl.Retraction(occurred_at=at(5), retracts=c.event_id),
        ],
        stream="s",
    )
    seen = replay(log, Seen())
    assert [type(e) for e in seen] == [tl.Statement, tl.Statement, tl.CausalLink]
    assert seen[0].text == "A"
    assert seen[2] == link


# -- known_at: transaction time ---------------------------------------------------------------


def test_known_at_cuts_the_log_at_what_was_recorded_by_then(log):
    log.append([said("first", 1)], stream="s")  # recorded at R0
    log.append([said("second", 2)], stream="s")  # R0 + 1 min
    log.append([said("third", 3)], stream="s")  # R0 + 2 min
    assert texts(replay(log, Seen(), known_at=rec(-1))) == []
    assert texts(replay(log, Seen(), known_at=rec(0))) == ["first"]
    assert texts(replay(log, Seen(), known_at=rec(1.5))) == ["first", "second"]
    assert texts(replay(log, Seen(), known_at=rec(2))) == ["first", "second", "third"]


def test_known_at_accepts_any_aware_datetime_and_refuses_naive_ones(log):
    log.append([said("first", 1)], stream="s")
    kyiv = dt.datetime(2025, 6, 10, 3, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))  # = R0
    assert texts(replay(log, Seen(), known_at=kyiv)) == ["first"]
    with pytest.raises(tl.InvalidArgument) as e:
        replay(log, Seen(), known_at=dt.datetime(2025, 6, 10))  # noqa: DTZ001  # naive on purpose
    assert e.value.argument == "known_at"
    with pytest.raises(tl.InvalidArgument) as e:
        replay(log, Seen(), as_of=dt.datetime(2025, 6, 10))  # noqa: DTZ001  # naive on purpose
    assert e.value.argument == "as_of"


def test_a_correction_counts_from_its_recording_whatever_its_own_occurred_at(log):
    b = barrage(1, launched=472)
    log.append([b], stream="air")  # R0
    fix = tl.Correction(occurred_at=at(1000), corrects=b.event_id, changes={"launched": 479})
    log.append([fix], stream="air")  # R0 + 1 min
    assert replay(log, Seen(), known_at=rec(0))[0].launched == 472
    assert replay(log, Seen(), known_at=rec(1))[0].launched == 479
    # as_of long before the correction's own occurred_at: still corrected
    assert replay(log, Seen(), as_of=at(2))[0].launched == 479
    assert replay(log, Seen(), as_of=at(2), known_at=rec(0.5))[0].launched == 472


# -- as_of: valid time ------------------------------------------------------------------------


def test_as_of_keeps_what_had_happened_by_then(log):
    log.append([said("late", 5), said("early", 1), said("middle", 3)], stream="s")
    assert texts(replay(log, Seen(), as_of=at(0))) == []
    assert texts(replay(log, Seen(), as_of=at(1))) == ["early"]
    assert texts(replay(log, Seen(), as_of=at(4))) == ["early", "middle"]
    assert texts(replay(log, Seen(), as_of=at(4), order="recorded")) == ["early", "middle"]
    assert texts(replay(log, Seen(), as_of=at(9))) == ["early", "middle", "late"]


def test_an_interval_event_counts_once_it_has_started(log):
    overnight = tl.DroneBarrage(occurred_at=at(-2), occurred_until=at(5), launched=472)
    log.append([overnight], stream="air")
    assert replay(log, Count(), as_of=at(-3)) == 0
    assert replay(log, Count(), as_of=at(-2)) == 1  # started
    assert replay(log, Count(), as_of=at(0)) == 1  # under way
    assert replay(log, Count(), as_of=at(9)) == 1


def test_time_precision_does_not_widen_the_instant(log):
    day = said("on Sunday", 0, time_precision="day")  # 00:00 UTC, known to the day
    log.append([day], stream="s")
    assert replay(log, Count(), as_of=at(-0.001)) == 0
    assert replay(log, Count(), as_of=at(0)) == 1


def test_what_we_knew_on_the_morning_of_2_june_about_1_june(log):
    """The design's example: as_of = end of 1 June, known_at = 2 June 08:00."""
    clock = log.clock
    clock.set(pendulum.datetime(2025, 6, 1, 23))
    first = barrage(1, launched=100)  # 1 June 01:00
    log.append([first], stream="air")
    clock.set(pendulum.datetime(2025, 6, 2, 7))
    second = barrage(23, launched=200)  # 1 June 23:00, reported on the 2nd
    log.append([second, barrage(30, launched=5)], stream="air")  # and one on the 2nd
    clock.set(pendulum.datetime(2025, 6, 2, 9))
    log.append(
        [tl.Correction(occurred_at=at(33), corrects=first.event_id, changes={"launched": 150})],
        stream="air",
    )
    view = replay(
        log,
        Seen(),
        as_of=pendulum.datetime(2025, 6, 1, 23, 59, 59),
        known_at=pendulum.datetime(2025, 6, 2, 8),
    )
    assert [e.launched for e in view] == [100, 200]
    now = replay(log, Seen(), as_of=pendulum.datetime(2025, 6, 1, 23, 59, 59))
    assert [e.launched for e in now] == [150, 200]


def test_a_correction_can_move_an_event_across_as_of(log):
    early, late = said("early", 1), said("late", 10)
    log.append([early, late], stream="s")  # R0
    later, earlier = at(20).isoformat(), at(2).isoformat()
    log.append(
        [
            tl.Correction(
                occurred_at=at(30), corrects=early.event_id, changes={"occurred_at": later}
            ),
            tl.Correction(
                occurred_at=at(30), corrects=late.event_id, changes={"occurred_at": earlier}
            ),
        ],
        stream="s",
    )  # R0 + 1 min
    assert texts(replay(log, Seen(), as_of=at(5), known_at=rec(0))) == ["early"]
    assert texts(replay(log, Seen(), as_of=at(5))) == ["late"]
    assert texts(replay(log, Seen(), as_of=at(25))) == ["late", "early"]
    assert texts(replay(log, Seen(), as_of=at(25), order="recorded")) == ["early", "late"]
    assert [e.occurred_at for e in replay(log, Seen())] == [at(2), at(20)]


# -- order ------------------------------------------------------------------------------------


def test_valid_time_order_by_default_and_recorded_order_on_request(log):
    log.append([said("c", 3), said("a", 1)], stream="s")
    log.append([said("b", 2)], stream="t")
    assert texts(replay(log, Seen())) == ["a", "b", "c"]
    assert texts(replay(log, Seen(), order="occurred")) == ["a", "b", "c"]
    assert texts(replay(log, Seen(), order="recorded")) == ["c", "a", "b"]


def test_ties_in_valid_time_go_by_position(log):
    log.append([said("x", 1), said("y", 1)], stream="s")
    log.append([said("z", 1)], stream="s")
    assert texts(replay(log, Seen())) == ["x", "y", "z"]


def test_late_arriving_reports_are_folded_in_valid_time_order(log):
    log.append([said("day 3", 72)], stream="s")
    log.append([said("day 1", 24)], stream="s")  # recorded later, happened earlier
    log.append([said("day 2", 48), said("day 0", 0)], stream="s")
    assert texts(replay(log, Seen())) == ["day 0", "day 1", "day 2", "day 3"]
    assert texts(replay(log, Seen(), known_at=rec(1))) == ["day 1", "day 3"]
    assert texts(replay(log, Seen(), known_at=rec(1), order="recorded")) == ["day 3", "day 1"]


def test_an_unknown_order_is_refused(log):
    with pytest.raises(tl.InvalidArgument) as e:
        replay(log, Count(), order="alphabetical")
    assert e.value.argument == "order"


def test_a_moved_event_is_merged_back_at_its_corrected_time(log):
    moved = said("moved", 1)
    log.append([moved, *(said(f"s{i}", i) for i in range(2, 6))], stream="s")
    log.append(
        [
            tl.Correction(
                occurred_at=at(9), corrects=moved.event_id, changes={"occurred_at": at(3.5)}
            )
        ],
        stream="s",
    )
    assert texts(replay(log, Seen())) == ["s2", "s3", "moved", "s4", "s5"]


# -- the resolved stream ----------------------------------------------------------------------


def test_replay_events_and_records_give_what_replay_folds(log):
    b = barrage(2, launched=10)
    log.append([said("a", 1), b, said("c", 3)], stream="s")
    log.append(
        [tl.Correction(occurred_at=at(9), corrects=b.event_id, changes={"launched": 12})],
        stream="s",
    )
    events = list(replay_events(log))
    assert tuple(events) == replay(log, Seen())
    records = list(replay_records(log))
    assert [r.event for r in records] == events
    assert [r.position for r in records] == [1, 2, 3]
    assert records[1].event.launched == 12
    assert records[1].hash == log.get(b.event_id).hash  # the stored original's
    assert records[1].recorded_at == rec(0)


def test_events_appended_after_the_call_do_not_appear(log):
    a = said("a", 1)
    log.append([a], stream="s")
    events = replay_events(log)
    log.append([said("b", 2)], stream="s")
    log.append([tl.Retraction(occurred_at=at(3), retracts=a.event_id)], stream="s")
    assert texts(events) == ["a"]


def test_replay_is_lazy_about_the_log_but_checks_arguments_at_once(log):
    with pytest.raises(tl.InvalidArgument):
        replay_events(log, order="sideways")
