"""The trusted decoder: the same events as the validated decode, for every type.

A log reads its own records back through :class:`~timeline.codec.TrustedDecoder`, which
skips the validators. That is only sound if it builds, from the canonical bytes of any valid
event, exactly the event the validated :meth:`Codec.decode` builds: equal, of the same type,
with the same canonical bytes. Whatever it cannot build that way must go to the validated
decode, errors included.
"""

import sqlite3
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

T = pendulum.datetime(2025, 6, 1, 22)


@tl.event_type("test.trusted.sighting", version=1)
@attrs.frozen(kw_only=True)
class Sighting(tl.Event):
    """A user's type: outside the catalog, so always decoded the validated way."""

    what: str = attrs.field(validator=tl.events.fields.non_empty)
    seen: int | None = None


CODEC = Codec()  # after Sighting, so that it knows it


def trusted_builder(cls):
    return TrustedDecoder(CODEC)._for_tag(cls.TYPE, cls.VERSION)  # which types it builds


@pytest.mark.parametrize("cls", list(default_registry()), ids=lambda c: c.TYPE)
@given(data=st.data())
def test_trusted_decode_equals_the_validated_decode_for_every_type(cls, data):
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


def test_the_catalog_is_built_the_trusted_way_and_users_types_are_not():
    built = {cls for cls in CATALOG if trusted_builder(cls) is not None}
    assert built == set(CATALOG)
    assert {DroneBarrage, Correction} <= built
    assert trusted_builder(Sighting) is None
    event = Sighting(occurred_at=T, what="column of trucks")
    assert TrustedDecoder(CODEC).decode(CODEC.encode(event)) == event


def test_the_trusted_build_skips_the_validators():
    """What "trusted" means: a stored payload is not checked again (see docs/decisions.md)."""
    data = orjson.loads(CODEC.encode(DroneBarrage(occurred_at=T, launched=10, destroyed=5)))
    data["destroyed"] = 50  # more than launched: the constructor refuses this
    payload = orjson.dumps(data)
    with pytest.raises(InvalidEvent, match="destroyed"):
        CODEC.decode(payload)
    assert TrustedDecoder(CODEC).decode(payload).destroyed == 50


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
    # A record changed behind the log's back (destroyed > launched) reads as stored ...
    db = sqlite3.connect(path)
    payload = orjson.loads(
        db.execute("SELECT payload FROM events WHERE position = 1").fetchone()[0]
    )
    payload["destroyed"] = 9
    db.execute("UPDATE events SET payload = ? WHERE position = 1", (orjson.dumps(payload),))
    db.commit()
    db.close()
    with tl.open_log(path) as log:
        assert next(log.read()).event.destroyed == 9
        # ... and verify() is what finds it.
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
