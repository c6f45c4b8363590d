"""The trusted decoder: the same events as the validated decode, for every type.

A log reads its own records back through :class:`~timeline.codec.TrustedDecoder`, which
skips the validators, for the catalog's types and users' own alike. That is only sound if it builds, from the canonical bytes of any valid
event, exactly the event the validated :meth:`Codec.decode` builds: equal, of the same type,
with the same canonical bytes. Whatever it cannot build that way must go to the validated
decode, errors included.
"""

import linecache
import sqlite3
import traceback
import uuid

import attrs
import orjson
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

import timeline as tl
from timeline.codec import Codec, TrustedDecoder, default_registry
from timeline.errors import CorruptLog, DecodeError, InvalidEvent, UnknownEventType
from timeline.events import CATALOG, Correction, DroneBarrage, Location, Source
from timeline.testing import strategies as ts
from timeline.time import TimePrecision

T = pendulum.datetime(2025, 6, 1, 22)


@tl.event_type("test.trusted.sighting", version=1)
@attrs.frozen(kw_only=True)
class Sighting(tl.Event):
    """A user's type, decoded the trusted way like the catalog's."""

    what: str = attrs.field(validator=tl.events.fields.non_empty)
    seen: int | None = None


@tl.event_type("test.trusted.convoy", version=1)
@attrs.frozen(kw_only=True)
class Convoy(tl.Event):
    """A user's type with every kind of field the builders read, and a post-init check."""

    vehicles: int = attrs.field(validator=tl.events.fields.count)
    kinds: tuple[str, ...] = attrs.field(
        default=(), converter=tl.events.fields.to_names, validator=tl.events.fields.non_empty_names
    )
    spotted_at: pendulum.DateTime | None = attrs.field(
        default=None,
        converter=tl.events.fields.to_optional_utc_instant,
        validator=tl.events.fields.optional_aware_utc,
    )
    after: uuid.UUID | None = attrs.field(
        default=None,
        converter=tl.events.fields.to_optional_uuid,
        validator=tl.events.fields.optional_uuid_value,
    )
    heading: tl.Location | None = None
    precision: TimePrecision = TimePrecision.EXACT

    def __attrs_post_init__(self) -> None:
        # A user's own post-init: the trusted builder calls it (it may do more than refuse).
        if self.vehicles > 10_000:
            raise InvalidEvent("too many vehicles", field="vehicles", value=self.vehicles)


@attrs.frozen(kw_only=True)
class Tally(tl.Event):
    """A type with a field type the builders do not read: decoded the validated way."""

    TYPE = "test.trusted.tally"
    figures: list[int] = attrs.field(factory=list, hash=False)


CODEC = Codec(default_registry([Tally]))  # after the types above, so that it knows them


def trusted_builder(cls):
    return TrustedDecoder(CODEC).builder(cls.TYPE, cls.VERSION)  # which types it builds


@pytest.mark.parametrize("cls", list(default_registry()), ids=lambda c: c.TYPE)
@given(data=st.data())
def test_trusted_decode_equals_the_validated_decode_for_every_type(cls, data):
    """The property: for the catalog and users' types (Sighting, Convoy), the same events."""
    decoder = TrustedDecoder(CODEC)
    # Several events through one decoder: its parsed instants are shared between them.
    for event in data.draw(st.lists(ts.strategy_for(cls), min_size=1, max_size=3)):
        encoded = CODEC.encode(event)
        trusted = decoder.decode(encoded)
        validated = CODEC.decode(encoded)
        assert type(trusted) is type(validated) is cls
        assert trusted == validated == event
        assert CODEC.encode(trusted) == encoded
        assert hash(trusted) == hash(validated)


def test_the_catalog_and_users_types_are_built_the_trusted_way():
    built = {cls for cls in CATALOG if trusted_builder(cls) is not None}
    assert built == set(CATALOG)
    assert {DroneBarrage, Correction} <= built
    assert trusted_builder(Sighting) is not None
    assert trusted_builder(Tally) is None  # a list field: no builder, the validated way
    for event in (
        Sighting(occurred_at=T, what="column of trucks"),
        Tally(occurred_at=T, figures=[1, 2]),
    ):
        assert TrustedDecoder(CODEC).decode(CODEC.encode(event)) == event


def test_a_users_post_init_runs_and_the_validators_do_not():
    convoy = Convoy(occurred_at=T, vehicles=3, heading=tl.Location(name="Kherson"))
    data = orjson.loads(CODEC.encode(convoy))
    assert TrustedDecoder(CODEC).decode(orjson.dumps(data)) == convoy
    data["vehicles"] = -1  # refused by the validator's guard: the validated way says why
    with pytest.raises(InvalidEvent, match="vehicles"):
        TrustedDecoder(CODEC).decode(orjson.dumps(data))
    with pytest.raises(InvalidEvent, match="vehicles"):
        CODEC.decode(orjson.dumps(data))
    data["vehicles"] = 20_000  # refused by the user's own post-init, which it runs
    with pytest.raises(InvalidEvent, match="too many"):
        TrustedDecoder(CODEC).decode(orjson.dumps(data))


def test_the_generated_builders_source_is_shown_in_tracebacks():
    build = trusted_builder(DroneBarrage)
    filename = build.__code__.co_filename
    assert filename.startswith("<timeline-decoder DroneBarrage")
    source = "".join(linecache.getlines(filename))
    assert "def build(d):" in source
    assert "'launched'" in source
    payload = orjson.loads(CODEC.encode(DroneBarrage(occurred_at=T, launched=3)))
    payload["event_id"] = 7  # not text: the builder raises inside its own code
    with pytest.raises(TypeError) as caught:
        build(payload)
    shown = "".join(traceback.format_exception(caught.value))
    assert filename in shown
    assert "d['event_id']" in shown  # the generated line itself


def test_classes_of_the_same_name_get_builders_of_their_own():
    def declare(field_type, default):
        @attrs.frozen(kw_only=True)
        class Twin(tl.Event):
            TYPE = "test.trusted.twin"
            x: field_type = default  # type: ignore[valid-type]

        return Twin

    first, second = declare(int, 0), declare(uuid.UUID, uuid.UUID(int=1))
    built = {}
    for cls in (first, second, first):  # the second of the same shape shares the first's
        codec = Codec(tl.Registry([cls]))
        build = TrustedDecoder(codec).builder(cls.TYPE, 1)
        event = cls(occurred_at=T)
        assert build(orjson.loads(codec.encode(event))) == event
        built.setdefault(cls, set()).add(build.__code__.co_filename)
    assert len(built[first]) == 1
    assert built[first] != built[second]
    for (filename,) in built.values():
        assert "def build(d):" in "".join(linecache.getlines(filename))


def test_the_trusted_build_never_builds_what_the_validators_refuse():
    """What "trusted" means: the validators are not called again, but stand in as guards."""
    data = orjson.loads(CODEC.encode(DroneBarrage(occurred_at=T, launched=10, destroyed=5)))
    data["destroyed"] = 50  # more than launched: the constructor (its post-init) refuses this
    payload = orjson.dumps(data)
    with pytest.raises(InvalidEvent, match="destroyed"):
        CODEC.decode(payload)
    with pytest.raises(InvalidEvent, match="destroyed"):
        TrustedDecoder(CODEC).decode(payload)
    data.update(destroyed=5, launched="many")  # the forgery of the adversarial run
    with pytest.raises(InvalidEvent, match="launched"):
        TrustedDecoder(CODEC).decode(orjson.dumps(data))


@pytest.mark.parametrize("field", ["destroyed", "lost"])
def test_a_post_init_that_declares_a_guard_is_checked_inline(field):
    """Attack's "not more than launched" (fields.not_above): a guard, not a call."""
    build = trusted_builder(DroneBarrage)
    assert "__attrs_post_init__" not in "".join(linecache.getlines(build.__code__.co_filename))
    data = orjson.loads(CODEC.encode(DroneBarrage(occurred_at=T, launched=10)))
    data[field] = 11
    payload = orjson.dumps(data)
    with pytest.raises(InvalidEvent, match=f"{field} must not exceed launched") as validated:
        CODEC.decode(payload)
    with pytest.raises(InvalidEvent) as trusted:
        TrustedDecoder(CODEC).decode(payload)
    assert str(trusted.value) == str(validated.value)
    data.update({field: 10})
    assert TrustedDecoder(CODEC).decode(orjson.dumps(data)) == CODEC.decode(orjson.dumps(data))
    data.update({field: 11, "launched": None})  # unknown: nothing to compare
    assert TrustedDecoder(CODEC).decode(orjson.dumps(data)) == CODEC.decode(orjson.dumps(data))


_WINDS = frozenset({"north", "south", "o.v"})


@tl.events.fields.guarded(
    """(
        v is None  # a heading is optional
        or type(v) is str and v in WINDS and v != "o.v"
    )""",
    WINDS=_WINDS,
)
def _wind(_instance, _attribute, value):
    if value is not None and (type(value) is not str or value not in _WINDS - {"o.v"}):
        raise InvalidEvent(f"wind must be north or south, got {value!r}", field="wind", value=value)


@attrs.frozen(kw_only=True)
class Weather(tl.Event):
    """A user's type whose guard spans lines, has a comment, a bound name and a string.

    Not declared with ``event_type`` (like ``Tally``): only the codec of its own test knows it.
    """

    TYPE = "test.trusted.weather"
    wind: str | None = attrs.field(default=None, validator=_wind)


def test_a_users_guard_over_several_lines_is_inlined_as_written():
    """Only the names of the guard are filled in: not text in a string, and not a comment."""
    codec = Codec(default_registry([Weather]))
    build = TrustedDecoder(codec).builder(Weather.TYPE, Weather.VERSION)
    source = "".join(linecache.getlines(build.__code__.co_filename))
    assert "_WINDS" in source  # the bound name, under the builder's own prefix
    assert "'o.v'" in source  # the string, as it was (written back on one line)
    assert "_wind" not in source  # inlined, not called
    for wind in ("north", None):
        event = Weather(occurred_at=T, wind=wind)
        assert TrustedDecoder(codec).decode(codec.encode(event)) == event
    for wind in ("o.v", "east", 3):
        data = orjson.loads(codec.encode(Weather(occurred_at=T)))
        data["wind"] = wind
        with pytest.raises(InvalidEvent, match="wind must be"):
            TrustedDecoder(codec).decode(orjson.dumps(data))


def barrage_payload(**changes):
    event = DroneBarrage(
        occurred_at=T,
        launched=10,
        location=Location(name="Kyiv oblast"),
        sources=(Source(name="Ukrainian Air Force", reliability="B", credibility=2),),
    )
    data = orjson.loads(CODEC.encode(event))
    data.update(changes)
    return orjson.dumps(data)


@pytest.mark.parametrize(
    "changes",
    [
        {"launched": -1, "extra": 1},  # an extra key
        {"event_id": "not an id"},
        {"occurred_at": "yesterday"},
        {"time_precision": "fortnight"},
        {"sources": [{"name": "x", "grade": "B2"}]},  # a part of the wrong shape
        {"location": "Kyiv"},
        {"type": "no.such.type"},
        {"type": ["not", "a", "tag"]},
        {"version": 99},
    ],
)
def test_what_the_trusted_way_cannot_read_gets_the_validated_decodes_error(changes):
    payload = barrage_payload(**changes)
    with pytest.raises((DecodeError, InvalidEvent, UnknownEventType)) as validated:
        CODEC.decode(payload)
    with pytest.raises(type(validated.value)) as trusted:
        TrustedDecoder(CODEC).decode(payload)
    assert str(trusted.value) == str(validated.value)


def test_a_payload_the_trusted_way_cannot_read_but_the_validated_way_can_is_read():
    # Not canonical (an id in braces, a missing default), but valid: the validated decode
    # reads it, so the trusted decoder must too.
    data = orjson.loads(barrage_payload())
    event_id = uuid.UUID(data["event_id"])
    data["event_id"] = "{" + str(event_id) + "}"
    del data["summary"]
    payload = orjson.dumps(data)
    assert TrustedDecoder(CODEC).decode(payload) == CODEC.decode(payload)
    assert TrustedDecoder(CODEC).decode(payload).event_id == event_id


def test_not_json_is_the_validated_decodes_error():
    with pytest.raises(DecodeError):
        TrustedDecoder(CODEC).decode(b"{not json")


@given(ts.log_scripts())
def test_an_sqlite_log_reads_back_what_a_memory_log_holds(script):
    with tl.open_log("memory:") as memory, tl.open_log("sqlite:///:memory:") as db:
        for stream, events in script:
            memory.append(events, stream=stream)
            db.append(events, stream=stream)
        assert [r.event for r in db.read()] == [r.event for r in memory.read()]
        assert [r.event for r in db.read(order="occurred")] == [
            r.event for r in memory.read(order="occurred")
        ]


def test_an_sqlite_log_decodes_its_own_records_the_trusted_way(tmp_path):
    path = tmp_path / "t.db"
    with tl.open_log(path) as log:
        events = [DroneBarrage(occurred_at=T, launched=n) for n in (3, 5)]
        log.append(events, stream="air")
        assert [r.event for r in log.read()] == events
        assert log._trusted is not None  # the decoder the reads went through
    # A record changed behind the log's back (destroyed > launched) is never served: its
    # hash does not match, and without the check its payload is refused all the same.
    db = sqlite3.connect(path)
    payload = orjson.loads(
        db.execute("SELECT payload FROM events WHERE position = 1").fetchone()[0]
    )
    payload["destroyed"] = 9
    db.execute("UPDATE events SET payload = ? WHERE position = 1", (orjson.dumps(payload),))
    db.commit()
    db.close()
    with tl.open_log(path) as log:
        with pytest.raises(CorruptLog, match="hash") as e:
            next(log.read())
        assert e.value.position == 1
        with pytest.raises(CorruptLog, match="destroyed") as e:
            next(log.read(verify=False))
        assert e.value.position == 1
        report = log.verify()
        assert (report.ok, report.position) == (False, 1)


def test_an_unreadable_own_record_is_still_a_corrupt_log(tmp_path):
    path = tmp_path / "t.db"
    with tl.open_log(path) as log:
        log.append([DroneBarrage(occurred_at=T, launched=3)], stream="air")
    db = sqlite3.connect(path)
    db.execute("UPDATE events SET payload = ? WHERE position = 1", (b"{broken",))
    db.commit()
    db.close()
    with tl.open_log(path) as log, pytest.raises(CorruptLog) as caught:
        next(log.read())
    assert caught.value.position == 1


# -- a payload changed behind the log's back: the trusted decode never builds what the
# -- validated decode refuses (issue 14)

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False)
    # Text of spaces alone is left to the hash chain (see fields.Guard): not forged here.
    | st.text(max_size=5).filter(lambda t: t == "" or not t.isspace())
    | st.sampled_from(
        ["2025-06-02T08:00:00.000000+00:00", "01972f6e-0000-7000-8000-000000000001", "day", "B"]
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


@pytest.mark.parametrize("cls", list(default_registry()), ids=lambda c: c.TYPE)
@given(data=st.data())
def test_a_forged_value_is_refused_as_the_validated_decode_refuses_it(cls, data):
    event = data.draw(ts.strategy_for(cls))
    payload = orjson.loads(CODEC.encode(event))
    field = data.draw(st.sampled_from(sorted(k for k in payload if k not in ("type", "version"))))
    payload[field] = data.draw(JSON_VALUES, label="forged")
    forged = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    try:
        validated = CODEC.decode(forged)
    except (DecodeError, InvalidEvent, UnknownEventType) as e:
        with pytest.raises(type(e)):
            TrustedDecoder(CODEC).decode(forged)
    else:
        assert TrustedDecoder(CODEC).decode(forged) == validated
