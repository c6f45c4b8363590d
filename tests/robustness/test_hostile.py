"""Hostile input: SQL metacharacters, oversized and deeply nested events, random bytes.

Whatever a caller or a file hands timeline, only :class:`~timeline.TimelineError`s come out,
and a refused input stores nothing. Names and filters reach the databases as parameters only:
a stream called ``'; DROP TABLE events; --`` is just a stream.
"""

import contextlib
import json
import tempfile
import uuid
from pathlib import Path
from typing import Any

import attrs
import orjson
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from robustness_params import ALL, PERSISTENT

import timeline as tl
from timeline import Correction, DecodeError, InvalidEvent, Statement, TimelineError, open_log
from timeline.codec import (
    MAX_DEPTH,
    MAX_EVENT_BYTES,
    Codec,
    TrustedDecoder,
    _depth_exceeds,
    default_registry,
)
from timeline.log.jsonl import JsonlLog

T0 = pendulum.datetime(2025, 6, 2, 8)
DATA = Path(__file__).resolve().parents[1] / "data"

NASTY = [
    "'; DROP TABLE events; --",
    "'); DELETE FROM timeline_events; --",
    "x' OR '1'='1",
    'a"b',
    "%",
    "_",
    "%s",
    "?",
    "$1",
    "\\",
    "{events}",
    "{meta}",
    "timeline_events",
    "*/ SELECT 1; /*",
    "\x00",
    "a\x00b",
    "\n",
    "é🙂",
]


def statement(text, **fields):
    return Statement(occurred_at=T0, speaker="analyst", text=text, **fields)


def contents(log):
    return [(r.position, r.stream, r.version, r.hash, r.event) for r in log.read()]


@pytest.mark.parametrize("kind", ALL)
def test_sql_metacharacters_are_only_ever_data(kind, url_for):
    url = url_for(kind)
    stored = {}
    with open_log(url) as log:
        for name in NASTY:
            before = contents(log)
            try:
                [record] = log.append([statement(name, summary=name)], stream=name)
            except TimelineError:
                assert contents(log) == before  # refused: nothing stored
                continue
            stored[name] = record
        refused = set(NASTY) - set(stored)
        # Blank names are no stream anywhere; PostgreSQL's text cannot hold a NUL character.
        assert refused == ({"\n", "\x00", "a\x00b"} if kind == "postgres" else {"\n"})
        assert "'; DROP TABLE events; --" in stored

    def check(log):
        assert log.verify().ok
        assert len(log) == len(stored)
        assert log.streams() == dict.fromkeys(stored, 1)
        for name, record in stored.items():
            assert list(log.read(stream=name)) == [record]
            assert log.get(record.event.event_id) == record
        assert list(log.read(types=NASTY)) == []  # no type is called that
        assert list(log.read(stream="' OR 1=1 --")) == []
        assert [r.event.text for r in log.read(types=[*NASTY, "diplomacy.statement"])] == list(
            stored
        )

    if kind == "memory":
        return
    with open_log(url) as log:
        check(log)


@pytest.mark.parametrize("kind", PERSISTENT)
def test_any_stream_name_is_stored_as_given_or_refused(kind, url_for):
    url = url_for(kind)
    with open_log(url) as log:
        appended: dict[str, int] = {}

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        @given(name=st.text(max_size=30))
        def check(name):
            count = len(log)
            try:
                log.append([statement("x")], stream=name)
            except TimelineError:
                assert len(log) == count
                return
            appended[name] = appended.get(name, 0) + 1
            found = list(log.read(stream=name))
            assert [r.stream for r in found] == [name] * appended[name]

        check()
        assert log.verify().ok
        assert log.streams() == appended


# -- limits ----------------------------------------------------------------------------------


def nest(depth, inner=1):
    value = inner
    for _ in range(depth):
        value = [value]
    return value


@tl.event_type("test.hostile_blob")
@attrs.frozen(kw_only=True)
class Blob(tl.Event):
    """A user's event type with a free-form field."""

    data: dict[str, Any] = attrs.field(factory=dict, hash=False)  # as Correction.changes


def encoded_size(text):
    return len(Codec().encode(statement(text, event_id=uuid.UUID(int=1))))


@pytest.mark.parametrize("kind", ALL)
def test_an_event_over_the_size_limit_is_refused_and_one_at_it_is_stored(kind, url_for):
    overhead = encoded_size("x") - 1
    at_limit = statement("x" * (MAX_EVENT_BYTES - overhead), event_id=uuid.UUID(int=1))
    over = statement("y" * (MAX_EVENT_BYTES - overhead + 1), event_id=uuid.UUID(int=2))
    with open_log(url_for(kind)) as log:
        with pytest.raises(InvalidEvent) as e:
            log.append([statement("small"), over], stream="s")
        assert e.value.field == "event"
        assert e.value.value == MAX_EVENT_BYTES + 1
        assert f"{MAX_EVENT_BYTES + 1} bytes" in str(e.value)
        assert len(log) == 0  # the small one in the batch was not stored either
        [record] = log.append([at_limit], stream="s")
        assert log.get(at_limit.event_id).event == at_limit
        assert record.position == 1
        assert log.verify().ok


def test_decoding_more_than_the_size_limit_is_refused_before_parsing():
    codec = Codec()
    with pytest.raises(DecodeError, match=str(MAX_EVENT_BYTES)):
        codec.decode(b" " * (MAX_EVENT_BYTES + 1))


@pytest.mark.parametrize("kind", ALL)
def test_nesting_deeper_than_the_limit_is_refused(kind, url_for):
    registry = default_registry([Blob])
    with open_log(url_for(kind), registry=registry) as log:
        deepest = Blob(occurred_at=T0, data={"x": nest(MAX_DEPTH - 1)})  # the dict is level 1
        log.append([deepest], stream="blobs")
        too_deep = Blob(occurred_at=T0, data={"x": nest(MAX_DEPTH)})
        with pytest.raises(InvalidEvent) as e:
            log.append([too_deep], stream="blobs")
        assert e.value.field == "data"
        assert f"more than {MAX_DEPTH} levels deep" in str(e.value)
        assert [r.event for r in log.read()] == [deepest]
        assert log.verify().ok


@pytest.mark.parametrize("depth", [MAX_DEPTH, 200, 5000])
def test_a_correction_nested_too_deep_is_refused_when_made(depth):
    """``changes`` is level 1, so ``MAX_DEPTH`` lists inside it are one level over."""
    corrects = statement("x").event_id
    with pytest.raises(InvalidEvent, match="levels deep") as e:
        Correction(occurred_at=T0, corrects=corrects, changes={"text": nest(depth)})
    assert e.value.field.startswith("changes.text")


def test_a_correction_at_the_depth_limit_is_made_and_refused_by_the_guard_not_the_codec():
    log = open_log("memory:")
    [target] = log.append([statement("x")], stream="s")
    deepest = Correction(
        occurred_at=T0, corrects=target.event.event_id, changes={"text": nest(MAX_DEPTH - 1)}
    )
    assert log.codec.decode(log.codec.encode(deepest)) == deepest  # within the codec's limit
    with pytest.raises(InvalidEvent, match="text"):  # a list is no Statement text
        log.append([deepest], stream="s")
    assert len(log) == 1


@pytest.mark.parametrize("depth", [MAX_DEPTH, 500, 1020, 5000])
def test_decoding_nesting_deeper_than_the_limit_is_a_decode_error(depth):
    codec = Codec(default_registry([Blob]))
    good = orjson.loads(codec.encode(Blob(occurred_at=T0)))
    good["data"] = {"x": nest(depth)}
    text = json.dumps(good) if depth < 900 else _deep_json(good, depth)
    with pytest.raises(DecodeError):
        codec.decode(text)
    if depth < 900:  # orjson itself refuses deeper documents
        with pytest.raises(DecodeError, match="levels deep"):
            codec.from_dict(good)


def _deep_json(good, depth):
    good["data"] = {"x": "HOLE"}
    return json.dumps(good).replace('"HOLE"', "[" * depth + "1" + "]" * depth)


def test_an_integer_json_cannot_carry_is_refused():
    log = open_log("memory:", registry=default_registry([Blob]))
    with pytest.raises(InvalidEvent, match="cannot be encoded"):
        log.append([Blob(occurred_at=T0, data={"n": 2**70})], stream="s")
    assert len(log) == 0


# -- random bytes to every decoder ------------------------------------------------------------

CODEC = Codec(default_registry([Blob]))
TYPES = sorted(t.TYPE for t in CODEC.registry)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
#: Mappings that look like events: a real type and version, and fields of any shape.
EVENTISH = st.fixed_dictionaries(
    {"type": st.sampled_from(TYPES), "version": st.integers(0, 3) | st.sampled_from([1, 1, "1"])},
    optional={
        "event_id": st.uuids().map(str) | JSON,
        "occurred_at": st.sampled_from(["2025-06-02T08:00:00Z", "2025-06-02", "nope"]) | JSON,
    },
).flatmap(
    lambda head: st.dictionaries(st.text(max_size=12), JSON, max_size=5).map(
        lambda rest: {**rest, **head}
    )
)


def only_timeline_errors(fn, *args, **kwargs):
    with contextlib.suppress(TimelineError):
        fn(*args, **kwargs)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_random_bytes_to_the_codec_are_decode_errors(data):
    only_timeline_errors(CODEC.decode, data)
    only_timeline_errors(TrustedDecoder(CODEC).decode, data)


@settings(max_examples=300, deadline=None)
@given(data=EVENTISH | JSON)
def test_random_json_to_the_codec_is_only_timeline_errors(data):
    only_timeline_errors(CODEC.from_dict, data)
    encoded = orjson.dumps(data) if not _too_big_for_orjson(data) else None
    if encoded is not None:
        only_timeline_errors(CODEC.decode, encoded)
        only_timeline_errors(TrustedDecoder(CODEC).decode, encoded)


def _too_big_for_orjson(data):
    try:
        orjson.dumps(data)
    except orjson.JSONEncodeError:
        return True
    return False


@pytest.fixture(scope="module")
def sample_jsonl():
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.jsonl"
        with JsonlLog(path) as log:
            log.append([statement(f"t{i}") for i in range(3)], stream="s")
            log.append([Blob(occurred_at=T0, data={"a": [1, {"b": None}]})], stream="b")
        yield path.read_bytes()


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_damage_to_a_jsonl_log_is_only_timeline_errors(sample_jsonl, data, tmp_path):
    if data.draw(st.booleans(), label="random file"):
        content = data.draw(st.binary(max_size=500), label="content")
    else:
        content = bytearray(sample_jsonl)
        for _ in range(data.draw(st.integers(1, 4), label="flips")):
            content[data.draw(st.integers(0, len(content) - 1))] = data.draw(st.integers(0, 255))
        content = bytes(content)
    path = tmp_path / f"{uuid.uuid4().hex}.jsonl"
    path.write_bytes(content)
    try:
        with open_log(str(path), registry=default_registry([Blob])) as log:
            only_timeline_errors(log.verify)
            only_timeline_errors(list, log.read())
            only_timeline_errors(list, log.read(stream="s", order="occurred"))
            only_timeline_errors(len, log)
            only_timeline_errors(log.append, [statement("new")], stream="s")
    except TimelineError:
        pass


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    column=st.sampled_from(
        [
            "payload",
            "stream",
            "version",
            "recorded_at",
            "hash",
            "event_id",
            "type",
            "occurred_at",
            "position",
        ]
    ),
    value=st.binary(max_size=60)
    | st.text(max_size=30)
    | st.integers(-(2**63), 2**63 - 1)
    | st.none()
    | st.floats(),
)
def test_random_values_in_sqlite_rows_are_only_timeline_errors(tmp_path, column, value):
    import sqlite3  # noqa: PLC0415  # only here

    path = tmp_path / f"{uuid.uuid4().hex}.db"
    with open_log(str(path)) as log:
        log.append([statement(f"t{i}") for i in range(3)], stream="s")
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute(f"UPDATE events SET {column} = ? WHERE position = 2", (value,))
    except sqlite3.IntegrityError:
        return  # the schema refuses it (a NOT NULL or unique column): nothing to read
    finally:
        db.close()
    with open_log(str(path)) as log:
        only_timeline_errors(log.verify)
        only_timeline_errors(list, log.read())
        only_timeline_errors(list, log.read(stream="s", order="occurred"))
        only_timeline_errors(list, log.read(types="diplomacy.statement"))
        only_timeline_errors(len, log)
        only_timeline_errors(log.head)


IMPORTS = {
    "acled": DATA / "acled_sample.csv",
    "ucdp-ged": DATA / "ucdp_ged_sample.csv",
    "missile-attacks": None,
    "ru-losses": None,
    "cloudevents": None,
    "jsonl": None,
}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
@pytest.mark.parametrize("fmt", list(IMPORTS))
def test_random_bytes_to_the_importers_store_nothing(fmt, data, tmp_path):
    sample = IMPORTS[fmt]
    if sample is not None and data.draw(st.booleans(), label="mutate a real file"):
        content = bytearray(sample.read_bytes()[:4000])
        for _ in range(data.draw(st.integers(1, 6), label="changes")):
            content[data.draw(st.integers(0, len(content) - 1))] = data.draw(st.integers(0, 255))
        content = bytes(content)
    else:
        content = data.draw(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
    path = tmp_path / f"{uuid.uuid4().hex}.input"
    path.write_bytes(content)
    log = open_log("memory:")
    try:
        report = tl.io.import_file(log, fmt, path, strict=data.draw(st.booleans(), label="strict"))
    except TimelineError:
        assert len(log) == 0  # refused: nothing stored
        return
    assert len(log) == report.added + report.corrected + report.retracted
    assert log.verify().ok


def reference_depth(value):
    """Levels of lists and dicts, recursively (the value itself is level 1)."""
    if isinstance(value, dict):
        return 1 + max(map(reference_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(reference_depth, value), default=0)
    return 0


@given(value=JSON, limit=st.integers(0, 6))
def test_the_depth_check_agrees_with_a_plain_recursive_count(value, limit):
    assert _depth_exceeds(value, limit) == (reference_depth(value) > limit)
