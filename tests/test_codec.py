import datetime as dt
import json
import re
import uuid
from typing import Any, ClassVar

import attrs
import orjson
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pendulum import DateTime

import timeline
from timeline.codec import Codec, Registry, default_registry, uuid_from_text
from timeline.errors import (
    DecodeError,
    InvalidArgument,
    InvalidEvent,
    TimelineError,
    UnknownEventType,
)
from timeline.events import (
    CATALOG,
    DroneBarrage,
    Event,
    Location,
    Source,
    Statement,
)
from timeline.testing import strategies as ts

T = timeline.instant("2025-06-02T10:00:00+00:00")
ID = uuid.UUID("01972f6e-0000-7000-8000-000000000001")
READABLE = (DecodeError, UnknownEventType, InvalidEvent)


@timeline.event_type("test.codec.field_report", version=1)
@attrs.frozen(kw_only=True)
class FieldReport(timeline.Event):
    """A user's type with parts of every kind, so the round trip covers users' types too."""

    reporter: str = attrs.field(validator=timeline.events.fields.non_empty)
    seen_at: DateTime | None = None
    where: Location | None = None
    cited: tuple[Source, ...] = ()
    confidence: float = attrs.field(default=0.5, validator=timeline.events.fields.probability)
    count: int | None = None
    notes: dict[str, Any] = attrs.field(factory=dict, hash=False)


CODEC = Codec()


def statement(**fields):
    return Statement(occurred_at=T, speaker="Hakan Fidan", text="Welcome.", event_id=ID, **fields)


# -- round trip -----------------------------------------------------------------------------


@pytest.mark.parametrize("cls", list(default_registry()), ids=lambda c: c.TYPE)
@given(data=st.data())
def test_every_registered_type_round_trips(cls, data):
    event = data.draw(ts.strategy_for(cls), label="event")
    encoded = CODEC.encode(event)
    decoded = CODEC.decode(encoded)
    assert type(decoded) is cls
    assert decoded == event
    assert CODEC.encode(decoded) == encoded


def test_the_round_trip_covers_the_catalog_and_users_types():
    registered = set(default_registry())
    assert set(CATALOG) <= registered
    assert FieldReport in registered


@given(ts.events())
def test_to_dict_and_from_dict_round_trip(event):
    data = CODEC.to_dict(event)
    assert (data["type"], data["version"]) == (event.TYPE, event.VERSION)
    assert CODEC.from_dict(data) == event
    assert CODEC.from_dict(orjson.loads(orjson.dumps(data))) == event


def test_decode_takes_bytes_text_and_buffers():
    encoded = CODEC.encode(statement())
    for form in (encoded, bytearray(encoded), memoryview(encoded), encoded.decode()):
        assert CODEC.decode(form) == statement()


# -- canonical bytes ------------------------------------------------------------------------


def _assert_keys_sorted(pairs):
    keys = [k for k, _ in pairs]
    assert keys == sorted(keys)
    return dict(pairs)


@given(ts.events())
def test_keys_are_sorted_at_every_level(event):
    json.loads(CODEC.encode(event), object_pairs_hook=_assert_keys_sorted)


def test_canonical_bytes_of_a_statement():
    encoded = CODEC.encode(
        statement(sources=[Source(name="MFA", published_at=T)], location="Istanbul")
    )
    assert encoded.startswith(
        b'{"actors":[],"claimed_by":null,"event_id":"01972f6e-0000-7000-8000-000000000001",'
    )
    assert b'"occurred_at":"2025-06-02T10:00:00.000000+00:00"' in encoded
    assert b'"published_at":"2025-06-02T10:00:00.000000+00:00"' in encoded
    assert b'"time_precision":"exact"' in encoded
    assert b'"type":"diplomacy.statement","version":1}' in encoded
    assert b" " not in encoded.replace(b"Hakan Fidan", b"")


ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00")


@given(ts.strategy_for(Statement))
def test_instants_are_written_with_microseconds_in_utc(event):
    data = orjson.loads(CODEC.encode(event))
    assert ISO.fullmatch(data["occurred_at"])
    assert data["occurred_until"] is None or ISO.fullmatch(data["occurred_until"])
    for source in data["sources"]:
        assert source["published_at"] is None or ISO.fullmatch(source["published_at"])


def test_the_same_event_gives_the_same_bytes_however_it_was_built():
    kyiv = dt.timezone(dt.timedelta(hours=3))
    a = statement(tags=["istanbul"], zone="+03:00")  # the offset it is given at is its zone
    b = Statement(
        occurred_at=dt.datetime(2025, 6, 2, 13, tzinfo=kyiv),
        speaker="Hakan Fidan",
        text="Welcome.",
        event_id=str(ID),
        tags=("istanbul",),
    )
    assert a == b
    assert CODEC.encode(a) == CODEC.encode(b) == Codec().encode(b)


# -- unknown types --------------------------------------------------------------------------


def test_decoding_an_unknown_type_names_it():
    data = orjson.loads(CODEC.encode(statement()))
    data["type"] = "diplomacy.summit"
    with pytest.raises(UnknownEventType) as caught:
        CODEC.decode(orjson.dumps(data))
    assert caught.value.type == "diplomacy.summit"
    assert "diplomacy.summit" in str(caught.value)


def test_encoding_an_unregistered_type_is_refused():
    codec = Codec(Registry([Statement]))
    barrage = DroneBarrage(occurred_at=T, launched=3)
    with pytest.raises(UnknownEventType) as caught:
        codec.encode(barrage)
    assert caught.value.type == "military.drone_barrage"
    with pytest.raises(UnknownEventType):
        codec.decode(CODEC.encode(barrage))


def test_encoding_a_class_posing_under_a_registered_name_is_refused():
    @attrs.frozen(kw_only=True)
    class Impostor(Event):
        TYPE: ClassVar[str] = "diplomacy.statement"

    with pytest.raises(UnknownEventType) as caught:
        CODEC.encode(Impostor(occurred_at=T))
    assert caught.value.type == "diplomacy.statement"


@pytest.mark.parametrize("name", ["type", "version"])
def test_a_field_named_like_the_envelope_is_refused_on_register(name):
    cls = attrs.make_class(
        "Clash",
        {name: attrs.field(default=None)},
        bases=(Event,),
        frozen=True,
        kw_only=True,
    )
    cls.TYPE = "test.codec.clash"
    with pytest.raises(InvalidArgument) as caught:
        Registry().register(cls)
    assert (caught.value.argument, caught.value.value) == ("cls", cls)
    assert repr(name) in str(caught.value)


@pytest.mark.parametrize(
    "thing", [int, Event, "diplomacy.statement", attrs.make_class("Plain", ["x"])]
)
def test_only_named_event_types_can_be_registered(thing):
    with pytest.raises(InvalidArgument) as caught:
        Registry().register(thing)
    assert caught.value.argument == "cls"


@pytest.mark.parametrize(
    ("type_name", "from_version", "upcaster", "argument"),
    [
        (None, 1, dict, "type_name"),
        ("", 1, dict, "type_name"),
        ("test.codec.sighting", 0, dict, "from_version"),
        ("test.codec.sighting", True, dict, "from_version"),
        ("test.codec.sighting", 1, "not callable", "upcaster"),
    ],
)
def test_an_upcaster_is_refused_for_bad_arguments(type_name, from_version, upcaster, argument):
    with pytest.raises(InvalidArgument) as caught:
        Registry().add_upcaster(type_name, from_version, upcaster)
    assert caught.value.argument == argument


# -- upcasting ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SightingV1(Event):
    TYPE: ClassVar[str] = "test.codec.sighting"
    VERSION: ClassVar[int] = 1
    drones: int


@attrs.frozen(kw_only=True)
class SightingV2(Event):
    TYPE: ClassVar[str] = "test.codec.sighting"
    VERSION: ClassVar[int] = 2
    what: str
    how_many: int


def v1_payload() -> bytes:
    return Codec(Registry([SightingV1])).encode(SightingV1(occurred_at=T, drones=7, event_id=ID))


def test_an_upcaster_reads_an_older_version():
    registry = Registry([SightingV2])

    def v1_to_v2(payload):
        payload = dict(payload)
        payload["how_many"] = payload.pop("drones")
        payload["what"] = "drone"
        return payload

    registry.add_upcaster("test.codec.sighting", 1, v1_to_v2)
    event = Codec(registry).decode(v1_payload())
    assert event == SightingV2(occurred_at=T, what="drone", how_many=7, event_id=ID)
    assert (
        Codec(registry)
        .encode(event)
        .endswith(b'"type":"test.codec.sighting","version":2,"what":"drone"}')
    )


def test_a_missing_upcaster_names_the_type_and_versions():
    with pytest.raises(UnknownEventType) as caught:
        Codec(Registry([SightingV2])).decode(v1_payload())
    error = caught.value
    assert (error.type, error.version) == ("test.codec.sighting", 1)
    assert "test.codec.sighting" in str(error)
    assert "version 1" in str(error)
    assert "2" in str(error)


def test_a_payload_newer_than_the_code_is_refused():
    newer = Codec(Registry([SightingV2])).encode(
        SightingV2(occurred_at=T, what="drone", how_many=1)
    )
    with pytest.raises(UnknownEventType) as caught:
        Codec(Registry([SightingV1])).decode(newer)
    assert (caught.value.type, caught.value.version) == ("test.codec.sighting", 2)
    assert "newer" in str(caught.value)


# -- bad input ------------------------------------------------------------------------------


def test_what_decoding_raises_is_always_a_timeline_error():
    assert all(issubclass(cls, TimelineError) for cls in READABLE)


def _decode_or_typed_error(codec, data):
    """Decoding gives an event or one of our errors: never a bare KeyError or orjson error."""
    try:
        return codec.decode(data)
    except READABLE:  # each one a TimelineError
        return None


@given(st.binary())
def test_garbage_bytes_raise_our_errors(data):
    _decode_or_typed_error(CODEC, data)


@given(st.text())
def test_garbage_text_raises_our_errors(data):
    _decode_or_typed_error(CODEC, data)


@given(ts.events(), st.data())
def test_truncated_payloads_raise_our_errors(event, data):
    encoded = CODEC.encode(event)
    cut = data.draw(st.integers(min_value=0, max_value=len(encoded) - 1), label="cut")
    with pytest.raises(READABLE):
        CODEC.decode(encoded[:cut])


@given(ts.events(), st.data())
def test_a_flipped_byte_gives_an_event_or_our_error(event, data):
    encoded = bytearray(CODEC.encode(event))
    index = data.draw(st.integers(min_value=0, max_value=len(encoded) - 1), label="index")
    encoded[index] ^= data.draw(st.integers(min_value=1, max_value=255), label="mask")
    _decode_or_typed_error(CODEC, bytes(encoded))


json_junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(
        ["2025-06-02T10:00:00+00:00", "0001-01-01T00:00:00+01:00", str(ID), "exact", "A"]
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(ts.events(), st.data())
def test_a_field_replaced_with_any_json_gives_an_event_or_our_error(event, data):
    payload = orjson.loads(CODEC.encode(event))
    key = data.draw(st.sampled_from(sorted(payload)), label="key")
    payload[key] = data.draw(json_junk, label="junk")
    _decode_or_typed_error(CODEC, orjson.dumps(payload))


@given(ts.events(), st.data())
def test_a_field_removed_gives_an_event_or_our_error(event, data):
    payload = orjson.loads(CODEC.encode(event))
    del payload[data.draw(st.sampled_from(sorted(payload)), label="key")]
    _decode_or_typed_error(CODEC, orjson.dumps(payload))


@pytest.mark.parametrize("junk", [b"[]", b"5", b'"text"', b"null", b"", b"{", b"\xff"])
def test_what_is_not_a_json_object_is_a_decode_error(junk):
    with pytest.raises(DecodeError) as caught:
        CODEC.decode(junk)
    assert caught.value.reason


@pytest.mark.parametrize("version", [None, "1", 1.0, True])
def test_a_missing_or_malformed_version_is_a_decode_error(version):
    data = orjson.loads(CODEC.encode(statement()))
    data["version"] = version
    with pytest.raises(DecodeError):
        CODEC.decode(orjson.dumps(data))


def test_a_time_with_no_utc_form_is_invalid_not_an_overflow():
    data = orjson.loads(CODEC.encode(statement()))
    data["occurred_at"] = "0001-01-01T00:00:00.000000+01:00"
    with pytest.raises(InvalidEvent) as caught:
        CODEC.decode(orjson.dumps(data))
    assert caught.value.field == "occurred_at"


def test_extra_keys_are_a_decode_error():
    data = orjson.loads(CODEC.encode(statement(location="Istanbul")))
    with pytest.raises(DecodeError) as caught:
        CODEC.decode(orjson.dumps({**data, "mood": "tense"}))
    assert "mood" in str(caught.value)
    data["location"]["altitude"] = 40
    with pytest.raises(DecodeError) as caught:
        CODEC.decode(orjson.dumps(data))
    assert "altitude" in str(caught.value)


def test_values_the_type_refuses_are_invalid_events():
    data = orjson.loads(CODEC.encode(DroneBarrage(occurred_at=T, launched=5, destroyed=5)))
    data["destroyed"] = 6
    with pytest.raises(InvalidEvent) as caught:
        CODEC.decode(orjson.dumps(data))
    assert (caught.value.field, caught.value.value) == ("destroyed", 6)


# -- registries -----------------------------------------------------------------------------


def test_registries_are_independent():
    first, second = default_registry(), default_registry()
    assert first is not second
    first.register(SightingV1)
    assert "test.codec.sighting" in first
    assert "test.codec.sighting" not in second
    assert "test.codec.sighting" not in default_registry()
    copy = first.copy()
    copy.register(SightingV2)
    copy.add_upcaster("test.codec.sighting", 1, dict)
    assert first.lookup("test.codec.sighting") is SightingV1
    assert copy.lookup("test.codec.sighting") is SightingV2
    with pytest.raises(UnknownEventType):
        Codec(second).decode(v1_payload())
    assert Codec(first).decode(v1_payload()) == SightingV1(occurred_at=T, drones=7, event_id=ID)


def test_a_registry_lists_and_looks_up_its_types():
    registry = Registry([Statement, DroneBarrage])
    assert list(registry) == [Statement, DroneBarrage]
    assert len(registry) == 2
    assert "diplomacy.statement" in registry
    assert registry.lookup("military.drone_barrage") is DroneBarrage
    with pytest.raises(UnknownEventType) as caught:
        registry.lookup(["unhashable"])
    assert "unhashable" in caught.value.type


def test_a_string_where_names_belong_is_refused_not_split():
    codec = Codec()
    good = orjson.loads(
        codec.encode(
            Statement(
                occurred_at=pendulum.datetime(2025, 6, 2), speaker="A", text="b", actors=["x"]
            )
        )
    )
    with pytest.raises(InvalidEvent) as caught:
        codec.from_dict({**good, "actors": "abc"})
    assert (caught.value.field, caught.value.value) == ("actors", "abc")


@pytest.mark.parametrize("field", ["summary", "speaker", "party"])
def test_text_fields_refuse_non_strings(field):
    with pytest.raises(InvalidEvent) as caught:
        Statement(
            **{"occurred_at": pendulum.datetime(2025, 6, 2), "speaker": "A", "text": "b", field: 5}
        )
    assert caught.value.field == field
    assert caught.value.value == 5


# -- ids from text ----------------------------------------------------------------------------


def _uuid_or_error(read, text):
    try:
        made = read(text)
    except ValueError:
        return "ValueError"
    return (made, made.int, str(made), hash(made), made.version, made.is_safe)


_HEXISH = st.text(alphabet="0123456789abcdefABCDEF-{}+_ xg", min_size=30, max_size=40)


@given(st.uuids().map(str) | st.uuids().map(lambda u: u.hex) | _HEXISH)
def test_uuid_from_text_reads_as_the_uuid_constructor_does(text):
    """The fast reader against its reference, uuid.UUID: the same UUID or the same error."""
    assert _uuid_or_error(uuid_from_text, text) == _uuid_or_error(uuid.UUID, text)


@given(st.uuids())
def test_uuid_from_text_gives_back_the_uuid_of_its_canonical_text(value):
    made = uuid_from_text(str(value))
    assert made == value
    assert str(made) == str(value)
    assert hash(made) == hash(value)
    assert type(made) is uuid.UUID
