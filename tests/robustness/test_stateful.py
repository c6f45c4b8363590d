"""Each backend driven by random operations against ``MemoryLog``, the reference.

A Hypothesis state machine appends (with and without ``expected_version``, stale ones too,
and duplicate ids), reads with every filter and order, looks events up, verifies, and
reopens the persistent logs; after every step both logs must agree exactly: the same
records (positions, versions, recorded_at, hashes, events), or the same refusal.
"""

import pendulum
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from robustness_params import PERSISTENT

from timeline import (
    CeasefireDemanded,
    FixedClock,
    Retraction,
    Statement,
    TimelineError,
    open_log,
)

T0 = pendulum.datetime(2025, 6, 2, 8)
STREAMS = ("talks/istanbul", "front", "x' OR '1'='1", "ünïcode 🙂")
TYPES = ("diplomacy.statement", "diplomacy.ceasefire_demanded", "meta.retraction")
SETTINGS = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class LengthClock:
    """A clock that reads ``T0`` plus a second per record the log holds.

    Deterministic however often a backend asks it (a backend may ask before it finds a
    duplicate id, the reference after), so two logs given the same appends stamp the same
    ``recorded_at``.
    """

    def __init__(self, log):
        self.log = log

    def now(self):
        return T0.add(seconds=len(self.log()))


def outcome(fn, *args, **kwargs):
    """What a call gives: its result, or its error's kind and fields."""
    try:
        return "ok", fn(*args, **kwargs)
    except TimelineError as e:
        fields = {k: v for k, v in vars(e).items() if not k.startswith("_")}
        return type(e).__name__, fields


def machine_for(kind, url_for):  # noqa: C901  # one closure: the machine and its rules
    urls = iter(range(10**6))

    def fresh_url():
        if kind != "postgres":
            return url_for(kind, f"log{next(urls)}")
        url = url_for(kind)
        import psycopg  # noqa: PLC0415  # only for PostgreSQL

        with psycopg.connect(url, autocommit=True) as db:  # empty the test's schema again
            db.execute("DROP TABLE IF EXISTS timeline_events, timeline_meta, timeline_lock CASCADE")
        return url

    class LogAgainstModel(RuleBasedStateMachine):
        ids = Bundle("ids")

        def __init__(self):
            super().__init__()
            self.url = fresh_url()
            self.clock = LengthClock(lambda: self.log)
            self.model = open_log("memory:", clock=LengthClock(lambda: self.model))
            self.log = open_log(self.url, clock=self.clock)
            self.made = 0

        def teardown(self):
            self.log.close()

        def event(self, kind_of_event, refers_to):
            self.made += 1
            at = T0.add(hours=self.made * 7 % 13)  # occurred order differs from position order
            if kind_of_event == 0:
                return Statement(occurred_at=at, speaker="Hakan Fidan", text=f"remark {self.made}")
            if kind_of_event == 1 or refers_to is None:
                return CeasefireDemanded(occurred_at=at, party="Ukraine", addressed_to="Russia")
            return Retraction(occurred_at=at, retracts=refers_to, reason="duplicate report")

        @initialize()
        def empty(self):
            assert len(self.log) == 0

        @rule(
            target=ids,
            stream=st.sampled_from(STREAMS),
            kinds=st.lists(st.integers(0, 2), max_size=4),
            expected=st.sampled_from(["none", "current", "stale"]),
            stale=st.integers(0, 30),
            refers_to=st.none() | st.uuids(version=4),
        )
        def append(self, stream, kinds, expected, stale, refers_to):
            events = [self.event(k, refers_to) for k in kinds]
            self.compare_append(events, stream, expected, stale)
            return multiple(*(e.event_id for e in events))

        @rule(
            stream=st.sampled_from(STREAMS), old=ids, expected=st.sampled_from(["none", "current"])
        )
        def append_a_duplicate(self, stream, old, expected):
            duplicate = Statement(occurred_at=T0, speaker="again", text="again", event_id=old)
            self.compare_append([self.event(0, None), duplicate], stream, expected, 0)

        @rule(target=ids, stream=st.sampled_from(STREAMS), old=consumes(ids))
        def retract(self, stream, old):
            retraction = Retraction(occurred_at=T0.add(days=2), retracts=old, reason="wrong")
            self.compare_append([retraction], stream, "current", 0)
            return retraction.event_id

        def compare_append(self, events, stream, expected, stale):
            version = self.model.stream_version(stream)
            expected_version = {"none": None, "current": version, "stale": stale}[expected]
            if expected == "stale" and stale == version:
                expected_version = version + 1
            want = outcome(
                self.model.append, events, stream=stream, expected_version=expected_version
            )
            got = outcome(self.log.append, events, stream=stream, expected_version=expected_version)
            assert got == want

        @rule(
            after=st.integers(0, 40),
            stream=st.none() | st.sampled_from(STREAMS),
            types=st.none() | st.lists(st.sampled_from(TYPES), min_size=1, max_size=2),
            order=st.sampled_from(["recorded", "occurred"]),
        )
        def read(self, after, stream, types, order):
            want = list(self.model.read(after, stream=stream, types=types, order=order))
            got = list(self.log.read(after, stream=stream, types=types, order=order))
            assert got == want

        @rule(
            hours=st.integers(0, 14),
            stream=st.none() | st.sampled_from(STREAMS),
            order=st.sampled_from(["recorded", "occurred"]),
        )
        def read_a_window(self, hours, stream, order):
            low, high = T0.add(hours=hours), T0.add(hours=hours + 3)
            query = {"stream": stream, "order": order, "occurred_after": low, "occurred_by": high}
            assert list(self.log.read(**query)) == list(self.model.read(**query))

        @rule(event_id=ids | st.uuids())
        def get(self, event_id):
            assert outcome(self.log.get, event_id) == outcome(self.model.get, event_id)
            assert (event_id in self.log) == (event_id in self.model)

        @rule()
        def verify(self):
            assert self.log.verify() == self.model.verify()
            assert self.log.verify().ok

        @precondition(lambda self: self.url != "memory:")
        @rule()
        def reopen(self):
            self.log.close()
            self.log = open_log(self.url, clock=self.clock)

        @invariant()
        def agree(self):
            assert len(self.log) == len(self.model)
            assert self.log.streams() == self.model.streams()
            assert self.log.head() == self.model.head()

    return LogAgainstModel


@pytest.mark.parametrize("kind", [pytest.param("memory", id="memory"), *PERSISTENT])
def test_every_backend_agrees_with_the_memory_log(kind, url_for):
    run_state_machine_as_test(machine_for(kind, url_for), settings=SETTINGS)


def test_the_machine_can_tell_a_backend_that_disagrees(url_for):
    # The comparison is not vacuous: a log whose clock runs differently is caught.
    machine = machine_for("sqlite", url_for)

    class Skewed(machine):
        def __init__(self):
            super().__init__()
            self.clock = FixedClock(T0.add(seconds=1))
            self.log.close()
            self.log = open_log(self.url, clock=self.clock)

    with pytest.raises(AssertionError):
        run_state_machine_as_test(
            Skewed,
            settings=settings(SETTINGS, max_examples=10, phases=[Phase.generate], print_blob=False),
        )
