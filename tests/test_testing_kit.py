import datetime as dt
import textwrap
import uuid
from collections.abc import Iterable
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from pendulum import DateTime

import timeline
import timeline.testing
from timeline.codec import default_registry
from timeline.events import (
    CATALOG,
    CasualtyReport,
    CausalLink,
    CausalLinkRetracted,
    Correction,
    DroneBarrage,
    Event,
    Location,
    MissileStrike,
    PrisonerExchangeCarriedOut,
    Retraction,
    Statement,
)
from timeline.log import MemoryLog
from timeline.testing import strategies as ts
from timeline.time import TimePrecision


@attrs.frozen(kw_only=True)
class Sighting:
    """A nested attrs part, derived recursively."""

    what: str
    how_many: int | None = None


@timeline.event_type("test.kit.observation", version=1)
@attrs.frozen(kw_only=True)
class Observation(timeline.Event):
    """A user's own type with one field of each kind strategy_for derives."""

    observer: str = attrs.field(validator=timeline.events.fields.non_empty)
    note: str | None = None
    drones: int | None = attrs.field(default=None, validator=timeline.events.fields.count)
    certain: bool = False
    confirmed: bool | None = None
    confidence: float = attrs.field(default=1.0, validator=timeline.events.fields.probability)
    bearing: float | None = None
    seen_until: DateTime | None = None
    about: uuid.UUID | None = None
    also_about: tuple[uuid.UUID, ...] = ()
    words: tuple[str, ...] = ()
    where: Location | None = None
    sightings: tuple[Sighting, ...] = ()
    precision: TimePrecision = TimePrecision.DAY
    extra: dict[str, Any] = attrs.field(factory=dict, hash=False)

    def references(self) -> tuple[uuid.UUID, ...]:
        return (*((self.about,) if self.about else ()), *self.also_about)


@attrs.frozen(kw_only=True)
class Blob(Event):
    """Not declared (so no registry sees it): a field type no strategy is derived for."""

    TYPE: ClassVar[str] = "test.kit.blob"
    data: bytes
    note: str = ""


def first(strategy, condition):
    """The first drawn example that meets the condition (no time spent shrinking it)."""
    quick = settings(phases=[Phase.generate], max_examples=2000, database=None)
    return find(strategy, condition, settings=quick)


def every_type():
    return list(default_registry())


# -- building blocks -------------------------------------------------------------------------


@given(ts.instants())
def test_instants_are_aware_utc_pendulum_datetimes_in_range(t):
    assert type(t) is DateTime
    assert t.utcoffset() == dt.timedelta(0)
    assert 1990 <= t.year <= 2100


def test_instants_reach_microseconds():
    assert first(ts.instants(), lambda t: t.microsecond % 1000 != 0).microsecond % 1000 != 0


@given(ts.names())
def test_names_are_non_blank_and_encodable(name):
    assert name.strip()
    name.encode("utf-8")  # no lone surrogates


@given(ts.precisions())
def test_precisions_are_time_precisions(p):
    assert isinstance(p, TimePrecision)


@given(ts.sources(), ts.locations())
def test_sources_and_locations_are_valid(source, location):
    assert attrs.evolve(source) == source
    assert attrs.evolve(location) == location


@given(ts.party_counts(), ts.item_counts())
def test_party_and_item_counts_name_each_once(parties, items):
    assert parties
    assert len({p.party for p in parties}) == len(parties)
    assert len({i.item for i in items}) == len(items)


@given(ts.changes())
def test_changes_are_accepted_by_a_correction(changes):
    fix = Correction(
        occurred_at=timeline.instant("2025-06-02T00:00:00+00:00"),
        corrects=uuid.uuid4(),
        changes=changes,
    )
    assert fix.changes == changes


# -- strategy_for ----------------------------------------------------------------------------


@pytest.mark.parametrize("cls", every_type(), ids=lambda c: c.TYPE)
@given(data=st.data())
def test_strategy_for_draws_valid_events_of_every_type(cls, data):
    event = data.draw(ts.strategy_for(cls))
    assert type(event) is cls
    # Rebuilding runs every converter, validator and post-init check again.
    assert attrs.evolve(event) == event
    assert event.occurred_until is None or event.occurred_until >= event.occurred_at


def test_every_catalog_type_is_in_the_default_registry():
    assert set(CATALOG) <= set(default_registry())


@settings(max_examples=200)
@given(ts.strategy_for(DroneBarrage) | ts.strategy_for(MissileStrike))
def test_attack_counts_are_drawn_in_order(attack):
    if attack.launched is not None:
        assert attack.destroyed is None or attack.destroyed <= attack.launched
        assert attack.lost is None or attack.lost <= attack.launched


@given(ts.strategy_for(CasualtyReport), ts.strategy_for(PrisonerExchangeCarriedOut))
def test_other_ordered_counts_are_drawn_in_order(report, stage):
    known = [v for v in (report.killed_low, report.killed, report.killed_high) if v is not None]
    assert known == sorted(known)
    if stage.stage is not None and stage.stages_total is not None:
        assert stage.stage <= stage.stages_total


def test_ordered_counts_are_not_left_to_rejection():
    # With launched, destroyed and lost all drawn, most raw draws would be out of order; the
    # strategy sorts them, so an example with all three and destroyed < launched turns up.
    found = first(
        ts.strategy_for(DroneBarrage),
        lambda b: None not in (b.launched, b.destroyed, b.lost) and b.destroyed < b.launched,
    )
    assert found.destroyed < found.launched


@given(ts.strategy_for(Observation))
def test_strategy_for_derives_a_users_type(observation):
    assert isinstance(observation, Observation)
    assert observation.observer.strip()
    assert 0 <= observation.confidence <= 1
    assert observation.drones is None or observation.drones >= 0
    assert all(isinstance(s, Sighting) for s in observation.sightings)
    assert isinstance(observation.precision, TimePrecision)
    assert attrs.evolve(observation) == observation


@given(ts.strategy_for(Observation, observer=st.just("OSCE monitor"), drones=st.just(3)))
def test_strategy_for_takes_overrides(observation):
    assert (observation.observer, observation.drones) == ("OSCE monitor", 3)


@given(ts.strategy_for(DroneBarrage, launched=st.just(5)))
def test_an_overridden_bound_is_kept_and_the_rest_rejected_until_valid(barrage):
    assert barrage.launched == 5
    assert barrage.destroyed is None or barrage.destroyed <= 5


def test_strategy_for_names_the_underivable_field():
    with pytest.raises(TypeError) as caught:
        ts.strategy_for(Blob)
    message = str(caught.value)
    assert "Blob.data" in message
    assert "bytes" in message
    assert "strategy_for(Blob, data=...)" in message


@given(ts.strategy_for(Blob, data=st.binary()))
def test_an_override_makes_an_underivable_type_drawable(blob):
    assert isinstance(blob.data, bytes)


def test_strategy_for_refuses_unknown_overrides_and_non_attrs_classes():
    with pytest.raises(TypeError, match="nonsense"):
        ts.strategy_for(Statement, nonsense=st.just(1))
    with pytest.raises(TypeError, match="attrs class"):
        ts.strategy_for(dict)


def test_events_and_log_scripts_fail_on_an_underivable_type():
    with pytest.raises(TypeError, match=r"Blob\.data"):
        ts.events([Statement, Blob])
    with pytest.raises(TypeError, match=r"Blob\.data"):
        ts.log_scripts([Statement, Blob])


# -- events ----------------------------------------------------------------------------------


@given(ts.events())
def test_events_are_of_registered_types(event):
    assert type(event) in set(default_registry())


@given(ts.events([Statement, Retraction]))
def test_events_take_a_list_of_types(event):
    assert type(event) in (Statement, Retraction)


def test_events_reach_the_first_and_the_last_types():
    for cls in (CATALOG[0], CATALOG[len(CATALOG) // 2], CATALOG[-1]):
        assert type(first(ts.events(CATALOG), lambda e, cls=cls: type(e) is cls)) is cls


# -- log scripts -----------------------------------------------------------------------------


def _walk(script: Iterable[tuple[str, list[Event]]]):
    for stream, batch in script:
        yield from ((stream, event) for event in batch)


@settings(max_examples=100)
@given(ts.log_scripts())
def test_log_scripts_only_refer_to_earlier_events(script):
    assert script
    seen: set[uuid.UUID] = set()
    retracted: set[uuid.UUID] = set()
    for stream, batch in script:
        assert stream in ts.STREAMS
        assert batch
        for event in batch:
            assert event.event_id not in seen
            for ref in event.references():
                assert ref in seen
                assert ref not in retracted
            if isinstance(event, Retraction):
                retracted.add(event.retracts)
            if isinstance(event, CausalLinkRetracted):
                retracted.add(event.link)
            seen.add(event.event_id)


@given(ts.log_scripts(CATALOG))
def test_log_scripts_link_causes_no_later_than_effects(script):
    by_id = {event.event_id: event for _, event in _walk(script)}
    for _, event in _walk(script):
        if isinstance(event, CausalLink):
            assert by_id[event.cause].occurred_at <= by_id[event.effect].occurred_at


@given(ts.log_scripts(CATALOG))
def test_a_log_accepts_every_log_script(script):
    log = MemoryLog()
    for stream, batch in script:
        log.append(batch, stream=stream)
    assert len(log) == sum(len(batch) for _, batch in script)


def test_log_scripts_hold_the_meta_events():
    for kind in (Correction, Retraction, CausalLink, CausalLinkRetracted):
        script = first(
            ts.log_scripts(CATALOG),
            lambda s, kind=kind: any(isinstance(e, kind) for _, e in _walk(s)),
        )
        assert any(isinstance(e, kind) for _, e in _walk(script))


@given(ts.log_scripts([Observation, Retraction], streams=["only"], max_batches=3, max_batch_size=2))
def test_log_scripts_aim_a_users_reference_fields_backwards(script):
    assert len(script) <= 3
    seen: set[uuid.UUID] = set()
    for stream, event in _walk(script):
        assert stream == "only"
        assert set(event.references()) <= seen
        seen.add(event.event_id)


# -- the package -----------------------------------------------------------------------------


def test_the_kit_exports_its_tools():
    assert timeline.testing.FixedClock is timeline.FixedClock
    assert timeline.testing.strategies is ts
    assert timeline.testing.__all__ == [
        "FixedClock",
        "LogBackendContract",
        "LogFactory",
        "strategies",
    ]


def test_a_contract_subclass_without_make_log_fails_clearly(pytester):
    pytester.makepyfile(
        textwrap.dedent(
            """
            from timeline.testing import LogBackendContract

            class TestForgotten(LogBackendContract):
                pass
            """
        )
    )
    result = pytester.runpytest_inprocess("-k", "test_a_new_log_is_empty", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*TestForgotten must define a make_log fixture*"])


def test_a_users_backend_runs_the_contract(pytester):
    pytester.makepyfile(
        textwrap.dedent(
            """
            import pytest
            from timeline.log import MemoryLog
            from timeline.testing import LogBackendContract

            class MyLog(MemoryLog):
                pass

            class TestMyLog(LogBackendContract):
                @pytest.fixture
                def make_log(self):
                    return lambda clock=None: MyLog(clock=clock)
            """
        )
    )
    result = pytester.runpytest_inprocess(
        "-k", "not any_log and not filtered and not refused_append", "-p", "no:cacheprovider"
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0
    assert outcomes.get("errors", 0) == 0
    assert outcomes["passed"] >= 40
