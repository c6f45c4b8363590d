import datetime as dt
import math
import uuid

import attrs
import pendulum
import pytest
from pendulum import DateTime

import timeline
from timeline.codec import default_registry
from timeline.errors import InvalidArgument, InvalidEvent
from timeline.events import (
    CATALOG,
    CasualtyReport,
    CausalLink,
    CausalLinkRetracted,
    CeasefireDemanded,
    CeasefireRejected,
    Correction,
    DelegationAnnounced,
    DocumentReceived,
    DroneBarrage,
    Event,
    ItemCount,
    Location,
    LossReport,
    MemorandumAwaited,
    MemorandumDelivered,
    MemorandumPromised,
    MissileStrike,
    PartyCount,
    PrisonerExchangeAgreed,
    PrisonerExchangeCarriedOut,
    ProposalTabled,
    ResponsePromised,
    Retraction,
    Source,
    Statement,
    Strike,
    TalkRoundHeld,
    TalksProposed,
    new_event_id,
)
from timeline.time import TimePrecision

T = timeline.instant("2025-06-02T10:00:00+00:00")
A, B = uuid.uuid4(), uuid.uuid4()

#: The fewest fields each catalog type needs.
MINIMAL: dict[type[Event], dict[str, object]] = {
    TalksProposed: {"proposed_by": "Russia"},
    TalkRoundHeld: {"parties": ["Ukraine", "Russia"]},
    DelegationAnnounced: {"party": "Ukraine", "head": "Rustem Umerov"},
    ProposalTabled: {"party": "Ukraine", "title": "Peace roadmap"},
    MemorandumPromised: {"party": "Russia", "subject": "a possible peace agreement"},
    MemorandumDelivered: {"party": "Russia"},
    MemorandumAwaited: {"party": "Ukraine", "from_party": "Russia"},
    DocumentReceived: {"party": "Russia", "from_party": "Ukraine"},
    ResponsePromised: {"party": "Russia"},
    CeasefireDemanded: {"party": "Ukraine"},
    CeasefireRejected: {"party": "Russia"},
    Statement: {"speaker": "Hakan Fidan", "text": "Welcome to Istanbul."},
    DroneBarrage: {},
    MissileStrike: {},
    Strike: {"attacker": "Ukraine"},
    LossReport: {"party": "Russia"},
    PrisonerExchangeAgreed: {"released": {"Ukraine": 1000, "Russia": 1000}},
    PrisonerExchangeCarriedOut: {"released": {"Ukraine": 390, "Russia": 390}},
    CasualtyReport: {},
    Correction: {"corrects": A, "changes": {"launched": 479}},
    Retraction: {"retracts": A},
    CausalLink: {"cause": A, "effect": B, "relation": "retaliation"},
    CausalLinkRetracted: {"link": A},
}


def make(cls, **fields):
    return cls(occurred_at=T, **{**MINIMAL[cls], **fields})


def test_every_catalog_type_has_a_minimal_example():
    assert set(MINIMAL) == set(CATALOG)


@pytest.mark.parametrize("cls", CATALOG, ids=lambda c: c.TYPE)
def test_each_type_constructs_with_its_minimal_fields(cls):
    event = make(cls)
    assert isinstance(event, Event)
    assert isinstance(event.event_id, uuid.UUID)
    assert event.event_id.version == 7
    assert event.occurred_at == T
    assert event.occurred_until is None
    assert event.time_precision is TimePrecision.EXACT
    assert (event.actors, event.sources, event.tags) == ((), (), ())
    assert event.headline()
    assert "." in cls.TYPE  # "family.what": a stable tag, not the class name
    assert cls.VERSION == 1


@pytest.mark.parametrize("cls", CATALOG, ids=lambda c: c.TYPE)
def test_each_type_is_frozen_slotted_and_keyword_only(cls):
    event = make(cls)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.occurred_at = T  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.summary = "changed"  # type: ignore[misc]
    assert not hasattr(event, "__dict__")
    assert "__slots__" in vars(cls)
    with pytest.raises(TypeError):
        cls(uuid.uuid4(), T)


def test_type_tags_are_unique():
    tags = [cls.TYPE for cls in CATALOG]
    assert len(tags) == len(set(tags))


def test_event_ids_are_time_ordered():
    ids = [new_event_id() for _ in range(50)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 50


def test_an_event_id_may_be_given_as_text():
    event = make(Statement, event_id=str(A))
    assert event.event_id == A
    with pytest.raises(InvalidEvent) as caught:
        make(Statement, event_id="not-a-uuid")
    assert (caught.value.field, caught.value.value) == ("event_id", "not-a-uuid")


# -- times ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "naive",
    [dt.datetime(2025, 6, 2, 10, 0), pendulum.naive(2025, 6, 2, 10, 0)],  # noqa: DTZ001  # the refusal under test
    ids=["datetime", "pendulum"],
)
def test_a_naive_datetime_is_refused_naming_field_and_value(naive):
    with pytest.raises(InvalidEvent) as caught:
        Statement(occurred_at=naive, speaker="Hakan Fidan", text="...")
    error = caught.value
    assert error.field == "occurred_at"
    assert error.value is naive
    assert "occurred_at" in str(error)
    assert repr(naive) in str(error)


@pytest.mark.parametrize(
    "value", ["2025-06-02T10:00:00+00:00", 1748858400, None, dt.date(2025, 6, 2)]
)
def test_a_time_that_is_not_a_datetime_is_refused(value):
    with pytest.raises(InvalidEvent) as caught:
        Statement(occurred_at=value, speaker="Hakan Fidan", text="...")
    assert caught.value.field == "occurred_at"


def test_offsets_are_converted_to_utc():
    kyiv = dt.datetime(2025, 6, 2, 13, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    event = Statement(
        occurred_at=kyiv,
        speaker="Hakan Fidan",
        text="...",
        occurred_until=pendulum.datetime(2025, 6, 2, 14, tz="Europe/Kyiv"),
    )
    assert type(event.occurred_at) is DateTime
    assert event.occurred_at == T
    assert event.occurred_at.utcoffset() == dt.timedelta(0)
    assert event.occurred_at.hour == 10
    assert event.occurred_until.hour == 11
    assert event.occurred_until.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    "early",
    [
        dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        pendulum.datetime(1, 1, 1, tz=pendulum.fixed_timezone(3600)),
    ],
    ids=["datetime", "pendulum"],
)
def test_a_time_out_of_range_in_utc_is_refused(early):
    with pytest.raises(InvalidEvent) as caught:
        Statement(occurred_at=early, speaker="Hakan Fidan", text="...")
    assert (caught.value.field, caught.value.value) == ("occurred_at", early)
    assert "occurred_at" in str(caught.value)


def test_occurred_until_may_not_come_before_occurred_at():
    before = T.subtract(minutes=1)
    with pytest.raises(InvalidEvent) as caught:
        make(DroneBarrage, occurred_until=before)
    assert (caught.value.field, caught.value.value) == ("occurred_until", before)
    assert make(DroneBarrage, occurred_until=T).occurred_until == T


def test_time_precision_takes_names_and_refuses_others():
    assert make(Statement, time_precision="day").time_precision is TimePrecision.DAY
    with pytest.raises(InvalidEvent) as caught:
        make(Statement, time_precision="weekly")
    assert (caught.value.field, caught.value.value) == ("time_precision", "weekly")
    assert "weekly" in str(caught.value)


def test_other_instants_are_converted_too():
    due = dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    assert make(ResponsePromised, due_at=due).due_at.hour == 13
    with pytest.raises(InvalidEvent) as caught:
        make(ResponsePromised, due_at=dt.datetime(2025, 6, 2))  # noqa: DTZ001  # the refusal under test
    assert caught.value.field == "due_at"
    with pytest.raises(InvalidEvent) as caught:
        Source(name="TASS", published_at=dt.datetime(2025, 6, 2))  # noqa: DTZ001  # same
    assert caught.value.field == "published_at"


# -- counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    ["launched", "destroyed", "lost", "still_attacking", "hit_locations", "debris_locations"],
)
@pytest.mark.parametrize("bad", [-1, True, 1.5, "3"])
def test_attack_counts_are_whole_numbers_not_below_zero(field, bad):
    with pytest.raises(InvalidEvent) as caught:
        make(DroneBarrage, **{field: bad})
    assert caught.value.field == field
    assert caught.value.value is bad
    assert field in str(caught.value)


@pytest.mark.parametrize(
    ("cls", "field"),
    [
        (TalkRoundHeld, "round_number"),
        (CeasefireDemanded, "duration_days"),
        (LossReport, "personnel"),
        (PrisonerExchangeCarriedOut, "stage"),
        (CasualtyReport, "injured"),
        (CasualtyReport, "missing"),
    ],
)
def test_other_counts_refuse_negatives_and_booleans(cls, field):
    for bad in (-5, False):
        with pytest.raises(InvalidEvent) as caught:
            make(cls, **{field: bad})
        assert (caught.value.field, caught.value.value) == (field, bad)


def test_unknown_counts_are_none_not_zero():
    barrage = make(DroneBarrage)
    assert (barrage.launched, barrage.destroyed, barrage.lost) == (None, None, None)
    assert make(DroneBarrage, launched=0).launched == 0


@pytest.mark.parametrize("cls", [DroneBarrage, MissileStrike])
@pytest.mark.parametrize("field", ["destroyed", "lost"])
def test_destroyed_and_lost_may_not_exceed_launched(cls, field):
    with pytest.raises(InvalidEvent) as caught:
        make(cls, launched=472, **{field: 473})
    error = caught.value
    assert (error.field, error.value) == (field, 473)
    assert "472" in str(error)
    assert "473" in str(error)
    assert error.event_id is not None
    assert getattr(make(cls, launched=472, **{field: 472}), field) == 472
    assert getattr(make(cls, **{field: 473}), field) == 473  # launched unknown: nothing to exceed


def test_stage_may_not_exceed_stages_total():
    with pytest.raises(InvalidEvent) as caught:
        make(PrisonerExchangeCarriedOut, stage=4, stages_total=3)
    assert (caught.value.field, caught.value.value) == ("stage", 4)
    assert make(PrisonerExchangeCarriedOut, stage=3, stages_total=3).stage == 3


@pytest.mark.parametrize(
    "figures",
    [
        {"killed_low": 5, "killed": 4},
        {"killed": 10, "killed_high": 9},
        {"killed_low": 8, "killed_high": 7},
    ],
)
def test_casualty_figures_must_be_low_best_high(figures):
    with pytest.raises(InvalidEvent) as caught:
        make(CasualtyReport, **figures)
    assert caught.value.field == "killed"
    assert make(CasualtyReport, killed_low=3, killed=4, killed_high=9).killed == 4


# -- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "field"),
    [
        (Statement, "speaker"),
        (Statement, "text"),
        (TalksProposed, "proposed_by"),
        (DelegationAnnounced, "head"),
        (ProposalTabled, "title"),
        (Strike, "attacker"),
        (CausalLink, "relation"),
    ],
)
@pytest.mark.parametrize("bad", ["", "   ", None, 7])
def test_required_names_must_be_non_empty_strings(cls, field, bad):
    with pytest.raises(InvalidEvent) as caught:
        make(cls, **{field: bad})
    assert (caught.value.field, caught.value.value) == (field, bad)


def test_names_in_tuples_must_be_non_empty():
    with pytest.raises(InvalidEvent) as caught:
        make(Statement, actors=["Ukraine", " "])
    assert (caught.value.field, caught.value.value) == ("actors[1]", " ")
    with pytest.raises(InvalidEvent) as caught:
        make(TalkRoundHeld, parties=["Ukraine", 3])
    assert caught.value.field == "parties[1]"
    assert make(Statement, actors="Ukraine").actors == ("Ukraine",)


def test_blank_optional_text_means_unknown():
    round_ = make(TalkRoundHeld, venue="  ", city="Istanbul")
    assert (round_.venue, round_.city) == (None, "Istanbul")
    assert make(Statement, claimed_by=None).claimed_by is None
    with pytest.raises(InvalidEvent) as caught:
        make(Statement, claimed_by="")
    assert caught.value.field == "claimed_by"


def test_booleans_are_booleans():
    with pytest.raises(InvalidEvent) as caught:
        make(CeasefireDemanded, immediate="yes")
    assert (caught.value.field, caught.value.value) == ("immediate", "yes")
    with pytest.raises(InvalidEvent) as caught:
        make(CasualtyReport, civilians=1)
    assert caught.value.field == "civilians"


# -- sources and locations ------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["G", "a", "AB", "", 1])
def test_source_reliability_is_one_letter_a_to_f(bad):
    with pytest.raises(InvalidEvent) as caught:
        Source(name="TASS", reliability=bad)
    assert (caught.value.field, caught.value.value) == ("reliability", bad)


@pytest.mark.parametrize("bad", [0, 7, True, "2", 2.0])
def test_source_credibility_is_a_whole_number_1_to_6(bad):
    with pytest.raises(InvalidEvent) as caught:
        Source(name="TASS", credibility=bad)
    assert (caught.value.field, caught.value.value) == ("credibility", bad)


def test_sources_take_names_and_grades():
    event = make(
        Statement,
        sources=[
            "Kyiv Independent",
            Source(name="Ukrainian Air Force", reliability="B", credibility=2),
        ],
    )
    assert [s.name for s in event.sources] == ["Kyiv Independent", "Ukrainian Air Force"]
    assert [s.grade for s in event.sources] == [None, "B2"]
    assert make(Statement, sources="TASS").sources == (Source(name="TASS"),)
    with pytest.raises(InvalidEvent) as caught:
        make(Statement, sources=[42])
    assert caught.value.field == "sources[0]"
    with pytest.raises(InvalidEvent) as caught:
        Source(name=" ")
    assert caught.value.field == "name"


def test_locations_take_names_and_check_coordinates():
    assert make(Statement, location="Istanbul").location == Location(name="Istanbul")
    with pytest.raises(InvalidEvent) as caught:
        Location(latitude=91)
    assert (caught.value.field, caught.value.value) == ("latitude", 91)
    with pytest.raises(InvalidEvent) as caught:
        Location(longitude=-180.5)
    assert caught.value.field == "longitude"
    with pytest.raises(InvalidEvent) as caught:
        make(Statement, location=42)
    assert caught.value.field == "location"


# -- counts per party and item --------------------------------------------------------------


def test_released_counts_take_a_mapping_and_name_each_party_once():
    exchange = make(PrisonerExchangeAgreed)
    assert exchange.released == (
        PartyCount(party="Ukraine", count=1000),
        PartyCount(party="Russia", count=1000),
    )
    with pytest.raises(InvalidEvent) as caught:
        make(
            PrisonerExchangeCarriedOut,
            released=[PartyCount(party="Ukraine", count=390), PartyCount(party="Ukraine", count=1)],
        )
    assert caught.value.field == "released[1]"
    with pytest.raises(InvalidEvent) as caught:
        make(PrisonerExchangeAgreed, released={})
    assert caught.value.field == "released"
    with pytest.raises(InvalidEvent) as caught:
        PartyCount(party="Ukraine", count=-1)
    assert caught.value.field == "count"


def test_item_counts_name_each_item_once():
    report = make(LossReport, equipment={"aircraft": 413, "tanks": 10_900})
    assert report.figure("aircraft") == 413
    assert report.figure("ships") is None
    with pytest.raises(InvalidEvent) as caught:
        make(
            Strike, assets_hit=[ItemCount(item="Tu-95", count=1), ItemCount(item="Tu-95", count=2)]
        )
    assert caught.value.field == "assets_hit[1]"


# -- meta events ----------------------------------------------------------------------------


def test_a_causal_link_joins_two_different_events():
    link = make(CausalLink)
    assert link.references() == (A, B)
    assert link.confidence == 1.0
    with pytest.raises(InvalidEvent) as caught:
        make(CausalLink, effect=A)
    assert (caught.value.field, caught.value.value) == ("effect", A)
    assert make(CausalLink, relation=timeline.Relation.RESPONSE).relation == "response"


@pytest.mark.parametrize("field", ["confidence", "score"])
@pytest.mark.parametrize("bad", [1.5, -0.1, math.nan, math.inf, True, "0.5"])
def test_confidences_are_between_zero_and_one(field, bad):
    with pytest.raises(InvalidEvent) as caught:
        make(CausalLink, **{field: bad})
    assert caught.value.field == field
    assert caught.value.value is bad
    assert make(CausalLink, **{field: 0}).references() == (A, B)


def test_a_correction_names_what_it_changes():
    fix = make(
        Correction,
        changes={
            "occurred_at": dt.datetime(2025, 6, 1, 23, tzinfo=dt.UTC),
            "location": Location(name="Kyiv"),
        },
    )
    assert fix.references() == (A,)
    assert fix.changes == {
        "occurred_at": "2025-06-01T23:00:00.000000+00:00",
        "location": {
            "name": "Kyiv",
            "country": None,
            "admin1": None,
            "latitude": None,
            "longitude": None,
        },
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({}, "changes"),
        ({"event_id": str(B)}, "changes.event_id"),
        ({"not a name": 1}, "changes.not a name"),
        ([("launched", 479)], "changes"),
        ({"launched": object()}, "changes.launched"),
    ],
)
def test_a_correction_refuses_bad_changes(changes, field):
    with pytest.raises(InvalidEvent) as caught:
        make(Correction, changes=changes)
    assert caught.value.field == field


def test_retractions_refer_to_what_they_withdraw():
    assert make(Retraction).references() == (A,)
    assert make(CausalLinkRetracted).references() == (A,)


@pytest.mark.parametrize(
    ("cls", "field"),
    [
        (DelegationAnnounced, "talks"),
        (MemorandumDelivered, "promise"),
        (MemorandumAwaited, "promise"),
        (DocumentReceived, "document"),
        (ResponsePromised, "regarding"),
        (CeasefireRejected, "demand"),
        (PrisonerExchangeAgreed, "talks"),
        (PrisonerExchangeCarriedOut, "agreement"),
    ],
)
def test_optional_references_are_listed_when_given(cls, field):
    assert make(cls).references() == ()
    assert make(cls, **{field: str(A)}).references() == (A,)


# -- users' own types -----------------------------------------------------------------------


@timeline.event_type("test.events.sighting", version=2)
@attrs.frozen(kw_only=True)
class Sighting(timeline.Event):
    what: str = attrs.field(validator=timeline.events.fields.non_empty)
    how_many: int | None = attrs.field(default=None, validator=timeline.events.fields.count)


def test_a_users_type_is_named_and_declared():
    assert (Sighting.TYPE, Sighting.VERSION) == ("test.events.sighting", 2)
    assert Sighting in timeline.events.declared_types()
    assert default_registry().lookup("test.events.sighting") is Sighting
    sighting = Sighting(occurred_at=T, what="Shahed", how_many=3)
    assert sighting.occurred_at == T
    with pytest.raises(InvalidEvent) as caught:
        Sighting(occurred_at=T, what="Shahed", how_many=-3)
    assert caught.value.field == "how_many"
    with pytest.raises(InvalidEvent):
        Sighting(occurred_at=dt.datetime(2025, 6, 2), what="Shahed")  # noqa: DTZ001  # the refusal under test


@pytest.mark.parametrize("name", ["", "  ", "has space", None])
def test_event_type_refuses_bad_names(name):
    with pytest.raises(InvalidArgument) as caught:
        timeline.event_type(name)
    assert (caught.value.argument, caught.value.value) == ("name", name)


@pytest.mark.parametrize("version", [0, -1, 1.0, True])
def test_event_type_refuses_bad_versions(version):
    with pytest.raises(InvalidArgument) as caught:
        timeline.event_type("test.events.bad", version=version)
    assert caught.value.argument == "version"


def test_event_type_needs_an_attrs_event_class():
    class NotAttrs(timeline.Event):
        pass

    @attrs.frozen
    class NotAnEvent:
        x: int

    for cls in (NotAttrs, NotAnEvent, "not a class"):
        with pytest.raises(InvalidArgument) as caught:
            timeline.event_type("test.events.refused")(cls)
        assert caught.value.argument == "cls"


def test_declared_types_go_into_the_one_process_wide_registry():
    assert timeline.events.DECLARED.lookup("test.events.sighting") is Sighting
    copy = default_registry()
    assert copy is not timeline.events.DECLARED
    assert list(copy) == list(timeline.events.DECLARED)


def test_declaring_again_replaces_and_an_older_version_does_not():
    def declare(version):
        @timeline.event_type("test.events.redeclared", version=version)
        @attrs.frozen(kw_only=True)
        class Redeclared(timeline.Event):
            pass

        return Redeclared

    first = declare(1)
    before = default_registry()
    again = declare(1)  # a notebook cell run again
    assert timeline.events.DECLARED.lookup("test.events.redeclared") is again
    assert before.lookup("test.events.redeclared") is first  # a copy keeps what it had
    newer = declare(2)
    older = declare(1)
    assert older.TYPE == "test.events.redeclared"
    assert timeline.events.DECLARED.lookup("test.events.redeclared") is newer
    assert default_registry().lookup("test.events.redeclared") is newer


def test_a_field_named_like_the_envelope_is_refused_when_declared():
    with pytest.raises(InvalidArgument) as caught:

        @timeline.event_type("test.events.clash")
        @attrs.frozen(kw_only=True)
        class Clash(timeline.Event):
            version: int = 0

    assert caught.value.argument == "cls"
    assert "test.events.clash" not in timeline.events.DECLARED


# -- several bad fields ---------------------------------------------------------------------


def test_one_error_names_every_bad_field_in_field_order():
    naive = dt.datetime(2025, 6, 2)  # noqa: DTZ001  # the refusal under test
    with pytest.raises(InvalidEvent) as caught:
        DroneBarrage(occurred_at=naive, launched=-1, lost="many", actors=("Russia", " "))
    error = caught.value
    fields = [one.field for one in error.errors]
    assert fields == ["occurred_at", "actors[1]", "launched", "lost"]
    assert (error.field, error.value) == ("occurred_at", naive)
    for one in error.errors:
        assert one.errors == (one,)
        assert one.field in str(error)
        assert repr(one.value) in str(error)
    assert str(error).startswith("4 fields are invalid: ")


def test_one_bad_field_is_one_error_as_before():
    with pytest.raises(InvalidEvent) as caught:
        DroneBarrage(occurred_at=T, launched=-1)
    error = caught.value
    assert error.errors == (error,)
    assert str(error) == "DroneBarrage.launched must be a whole number ≥ 0 or None, got -1"


def test_a_check_that_fails_only_because_of_an_earlier_field_is_left_out():
    # occurred_until cannot be compared with an occurred_at that is not a time.
    with pytest.raises(InvalidEvent) as caught:
        Statement(occurred_at="yesterday", occurred_until=T, speaker="", text="x")
    assert [one.field for one in caught.value.errors] == ["occurred_at", "speaker"]


def test_every_bad_field_of_a_users_type_is_named():
    with pytest.raises(InvalidEvent) as caught:
        Sighting(occurred_at=T, what=" ", how_many=-3)
    assert [one.field for one in caught.value.errors] == ["what", "how_many"]


def test_a_valid_event_is_made_as_before():
    barrage = DroneBarrage(occurred_at=T, launched=5, lost=1, actors=("Russia",))
    assert (barrage.launched, barrage.lost) == (5, 1)
