"""Schema evolution: an event type gains a field, and old logs still read, byte for byte.

Version 1 of ``test.evolution.sighting`` said what was seen in one text ("3 Shahed drones");
version 2 splits it into ``what`` and ``count``. A log written by version-1 code is read by
version-2 code through an upcaster: every record reads as a version-2 event, the stored bytes
are never rewritten, and the hash chain still verifies, on every persistent backend.
"""

import re
import sqlite3
from pathlib import Path

import attrs
import pendulum
import pytest

import timeline as tl
from timeline import CorruptLog, UnknownEventType, open_log
from timeline.codec import Registry, default_registry
from timeline.events import fields as f
from timeline.log import MemoryLog, salvage

T0 = pendulum.datetime(2025, 6, 1, 22)
NAME = "test.evolution.sighting"


@tl.event_type(NAME, version=1)
@attrs.frozen(kw_only=True)
class SightingV1(tl.Event):
    """Version 1: what was seen, with how many, in one text."""

    description: str = attrs.field(validator=f.non_empty)


@tl.event_type(NAME, version=2)
@attrs.frozen(kw_only=True)
class Sighting(tl.Event):
    """Version 2: what was seen, and how many (``None``: not said)."""

    what: str = attrs.field(validator=f.non_empty)
    count: int | None = attrs.field(default=None, validator=attrs.validators.optional(f.count))


def sighting_v1_to_v2(payload):
    """'3 Shahed drones' becomes what='Shahed drones', count=3; no number: count unknown."""
    description = payload.pop("description")
    number = re.match(r"(\d+)\s+(.+)", description)
    if number is None:
        return {**payload, "what": description, "count": None}
    return {**payload, "what": number.group(2), "count": int(number.group(1))}


def version_1():
    """The registry of code that knows only version 1."""
    registry = default_registry()
    registry.register(SightingV1)
    return registry


def version_2(*, upcaster=sighting_v1_to_v2):
    """The registry of code that knows version 2 (and, if given, how to read version 1)."""
    registry = default_registry()
    assert registry.lookup(NAME) is Sighting  # the newest version is the default
    if upcaster is not None:
        registry.add_upcaster(NAME, 1, upcaster)
    return registry


def stored(url):
    """Everything the log's storage holds."""
    if url.endswith((".db", ".jsonl")):
        return Path(url).read_bytes()
    import psycopg  # noqa: PLC0415  # only for PostgreSQL

    with psycopg.connect(url) as db:
        return db.execute("SELECT * FROM timeline_events ORDER BY position").fetchall()


def stored_payloads(url):
    if url.endswith(".jsonl"):
        return [line for line in Path(url).read_bytes().splitlines() if line]
    if url.endswith(".db"):
        with sqlite3.connect(url) as db:
            return [bytes(p) for (p,) in db.execute("SELECT payload FROM events ORDER BY position")]
    return [bytes(row[7]) for row in stored(url)]


BACKENDS = [
    pytest.param("log.db", id="sqlite"),
    pytest.param("log.jsonl", id="jsonl"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    if request.param == "postgres":
        return request.getfixturevalue("pg_url")
    return str(tmp_path / request.param)


@pytest.fixture
def written(url):
    """A log written by version-1 code: three sightings and a statement, in two appends."""
    with open_log(url, registry=version_1()) as log:
        records = log.append(
            [
                SightingV1(occurred_at=T0, description="3 Shahed drones"),
                tl.Statement(occurred_at=T0, speaker="Air Force", text="Alert."),
            ],
            stream="sky",
        )
        records += log.append(
            [
                SightingV1(occurred_at=T0.add(hours=1), description="12 Geran-2"),
                SightingV1(occurred_at=T0.add(hours=2), description="a cruise missile"),
            ],
            stream="sky",
        )
    assert all(r.event.VERSION == 1 for r in records if r.event.TYPE == NAME)
    return records


def test_a_version_1_log_reads_as_version_2_events_without_rewriting_a_byte(url, written):
    before = stored(url)
    with open_log(url, registry=version_2()) as log:
        records = list(log.read())
        assert [type(r.event) for r in records] == [Sighting, tl.Statement, Sighting, Sighting]
        assert [
            (r.event.what, r.event.count) for r in records if isinstance(r.event, Sighting)
        ] == [
            ("Shahed drones", 3),
            ("Geran-2", 12),
            ("a cruise missile", None),
        ]
        # The same records as written: ids, times, positions and hashes.
        assert [(r.position, r.version, r.recorded_at, r.hash) for r in records] == [
            (r.position, r.version, r.recorded_at, r.hash) for r in written
        ]
        assert [(r.event.event_id, r.event.occurred_at) for r in records] == [
            (r.event.event_id, r.event.occurred_at) for r in written
        ]
        assert log.get(written[2].event.event_id).event == records[2].event
        assert [r.position for r in log.read(types=[Sighting])] == [1, 3, 4]
        report = log.verify()
        assert (report.ok, report.checked) == (True, 4)
    assert stored(url) == before  # reading through the upcaster rewrote nothing


@pytest.mark.usefixtures("written")
def test_version_2_code_appends_after_version_1_records_and_the_chain_holds(url):
    old = stored_payloads(url)
    with open_log(url, registry=version_2()) as log:
        [new] = log.append(
            [Sighting(occurred_at=T0.add(hours=3), what="Shahed", count=40)],
            stream="sky",
            expected_version=4,
        )
        assert (new.position, new.version) == (5, 5)
        assert log.verify().ok
        assert [r.event.VERSION for r in log.read()] == [2, 1, 2, 2, 2]  # Statement is version 1
    assert stored_payloads(url)[:4] == old  # the version-1 records stay as they were stored
    assert b'"version":1' in old[0]
    assert b'"description":"3 Shahed drones"' in old[0]
    with open_log(url, registry=version_1()) as log:  # and version-1 code still verifies it
        assert log.verify().ok


def test_a_missing_upcaster_names_the_type_and_the_versions(url, written):
    with open_log(url, registry=version_2(upcaster=None)) as log:
        assert log.verify().ok  # the chain is intact: only reading needs the upcaster
        reader = log.read()
        with pytest.raises(UnknownEventType) as e:
            next(reader)
        assert (e.value.type, e.value.version) == (NAME, 1)
        assert str(e.value) == (
            f"no upcaster for event type {NAME!r} from version 1 to 2 (this code reads version 2)"
        )
        with pytest.raises(UnknownEventType, match="from version 1 to 2"):
            log.get(written[0].event.event_id)
        assert log.get(written[1].event.event_id).event == written[1].event  # others still read


def test_a_version_newer_than_the_code_is_named(url):
    with open_log(url, registry=version_2()) as log:
        log.append([Sighting(occurred_at=T0, what="drones", count=2)], stream="sky")
    with open_log(url, registry=version_1()) as log:
        with pytest.raises(UnknownEventType) as e:
            list(log.read())
        assert (e.value.type, e.value.version) == (NAME, 2)
        assert "version 2 is newer than this code's version 1" in str(e.value)


@pytest.mark.usefixtures("written")
def test_an_upcaster_that_fails_is_reported_at_its_record(url):
    def broken(payload):
        return {**payload, "what": payload["no such field"]}

    with open_log(url, registry=version_2(upcaster=broken)) as log:
        reader = log.read()
        with pytest.raises(CorruptLog) as e:
            next(reader)
        assert e.value.position == 1
        assert f"the upcaster for {NAME!r} from version 1 failed" in str(e.value)
        assert "KeyError" in str(e.value)


@pytest.mark.usefixtures("written")
def test_salvage_stops_where_a_record_would_need_rewriting(url):
    # Copying an upcast event would re-encode it as version 2: another hash. Salvage (and
    # copy) never do that; they stop there and say why.
    with open_log(url, registry=version_2()) as log:
        report = salvage(log, MemoryLog(codec=tl.codec.Codec(version_2())))
    assert (report.copied, report.first_bad) == (0, 1)
    assert "older version" in report.reason


def test_a_chain_of_upcasters_runs_one_version_at_a_time():
    registry = Registry([Sighting])
    registry.add_upcaster(NAME, 1, sighting_v1_to_v2)
    assert registry.upcast(NAME, 1, {"description": "7 drones"}) == {"what": "drones", "count": 7}
    assert registry.upcast(NAME, 2, {"what": "x"}) == {"what": "x"}  # already current


def test_an_upcaster_that_returns_no_mapping_is_a_decode_error():
    registry = Registry([Sighting])
    registry.add_upcaster(NAME, 1, lambda _payload: None)
    with pytest.raises(tl.DecodeError, match="returned NoneType, not a mapping"):
        registry.upcast(NAME, 1, {"description": "x"})
