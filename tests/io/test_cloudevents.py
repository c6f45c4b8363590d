"""CloudEvents 1.0 export and import: the attributes the specification asks for, and round trips."""

import datetime as dt
import json
import re
import tempfile
from pathlib import Path

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import timeline as tl
from timeline.io.cloudevents import source_uri, stream_of
from timeline.testing.strategies import log_scripts

R0 = pendulum.datetime(2025, 6, 10)
T0 = pendulum.datetime(2025, 6, 1, 22)


def records(log):
    return [(r.position, r.stream, r.version, r.recorded_at, r.event, r.hash) for r in log.read()]


def build(script, url="memory:"):
    log = tl.open_log(url, clock=tl.FixedClock(R0, tick=dt.timedelta(minutes=1)))
    for stream, events in script:
        log.append(events, stream=stream)
    return log


@pytest.fixture
def small():
    log = tl.open_log("memory:", clock=tl.FixedClock(R0, tick=dt.timedelta(minutes=1)))
    barrage = tl.DroneBarrage(
        occurred_at=T0,
        attacker="Russia",
        launched=472,
        destroyed=210,
        claimed_by="Ukrainian Air Force",
    )
    talk = tl.TalkRoundHeld(
        occurred_at=T0.add(days=1), parties=("Ukraine", "Russia"), city="Istanbul"
    )
    log.append([barrage], stream="air raids")
    log.append([talk], stream="talks/istanbul")
    fix = tl.Correction(occurred_at=T0, corrects=barrage.event_id, changes={"launched": 479})
    log.append([fix], stream="air raids")
    link = tl.CausalLink(
        occurred_at=T0.add(days=1),
        cause=barrage.event_id,
        effect=talk.event_id,
        relation="prompted",
    )
    log.append([link], stream="analysis")
    undo = tl.Retraction(occurred_at=T0, retracts=fix.event_id, reason="the first figure stands")
    log.append([undo], stream="air raids")
    return log, barrage, talk, fix, link


def test_each_event_carries_the_required_and_extension_attributes(small, tmp_path):
    log, barrage, _, fix, link = small
    path = tmp_path / "out.json"
    report = tl.io.export_file(log, "cloudevents", path)
    assert report.records == 5
    batch = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(batch, list)
    first = batch[0]
    assert first["specversion"] == "1.0"
    assert first["id"] == str(barrage.event_id)
    assert first["source"] == "timeline:/air%20raids"
    assert first["subject"] == "air raids"
    assert first["type"] == "military.drone_barrage"
    assert first["time"] == "2025-06-01T22:00:00Z"
    assert first["datacontenttype"] == "application/json"
    assert first["recordedat"] == "2025-06-10T00:00:00Z"
    assert (first["timelineposition"], first["timelineversion"]) == (1, 1)
    assert first["data"]["launched"] == 472
    assert first["data"]["type"] == "military.drone_barrage"
    assert first["correlationid"] == str(barrage.event_id)
    assert "causationid" not in first
    for event in batch:
        for name in event:
            # CloudEvents 1.0: attribute names are lower-case ASCII letters and digits.
            assert re.fullmatch(r"[a-z0-9]+", name), name
            assert len(name) <= 20
        for required in ("id", "source", "specversion", "type"):
            assert isinstance(event[required], str)
            assert event[required]
    by_id = {e["id"]: e for e in batch}
    assert by_id[str(fix.event_id)]["causationid"] == str(barrage.event_id)
    assert by_id[str(link.event_id)]["causationid"] == str(barrage.event_id)
    # The retraction of the correction: caused by it, correlated with the barrage.
    last = batch[-1]
    assert last["causationid"] == str(fix.event_id)
    assert last["correlationid"] == str(barrage.event_id)


def test_sources_name_streams():
    assert source_uri("talks/istanbul") == "timeline:/talks/istanbul"
    assert stream_of(source_uri("a b/c%d")) == "a b/c%d"
    assert stream_of("https://example.org/feed") is None


def test_the_round_trip_keeps_every_record(small, tmp_path):
    log = small[0]
    path = tmp_path / "out.json"
    tl.io.export_file(log, "cloudevents", path)
    copy = tl.open_log(str(tmp_path / "copy.db"))
    report = tl.io.import_file(copy, "cloudevents", path)
    assert (report.added, report.problems) == (5, ())
    assert records(copy) == records(log)
    assert copy.verify().ok
    again = tl.io.import_file(copy, "cloudevents", path)
    assert (again.added, again.unchanged) == (0, 5)
    assert tl.replay(copy, tl.Escalation()).drones.launched == 472  # the fix was retracted
    assert tl.replay(copy, tl.Escalation(), known_at=R0.add(minutes=3)).drones.launched == 479


@settings(max_examples=25)
@given(log_scripts())
def test_round_trips_are_identities(script):
    log = build(script)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "batch.json"
        tl.io.export_file(log, "cloudevents", path)
        copy = tl.open_log("memory:")
        report = tl.io.import_file(copy, "cloudevents", path)
        assert report.problems == ()
        assert records(copy) == records(log)


@settings(max_examples=10)
@given(log_scripts(), st.sampled_from(["log.db", "log.jsonl"]))
def test_round_trips_between_backends(script, backend):
    with tempfile.TemporaryDirectory() as folder:
        log = build(script, str(Path(folder) / backend))
        path = Path(folder) / "batch.json"
        tl.io.export_file(log, "cloudevents", path)
        copy = tl.open_log(str(Path(folder) / "copy.db"))
        tl.io.import_file(copy, "cloudevents", path)
        assert records(copy) == records(log)
        log.close()
        copy.close()


def test_a_batch_cut_short_is_read_up_to_the_cut(small, tmp_path):
    log = small[0]
    path = tmp_path / "out.json"
    tl.io.export_file(log, "cloudevents", path)
    text = path.read_text(encoding="utf-8")
    cut = tmp_path / "cut.json"
    cut.write_text(text[: text.index('"type":"meta.correction"')], encoding="utf-8")
    copy = tl.open_log("memory:")
    report = tl.io.import_file(copy, "cloudevents", cut)
    assert report.added == 2
    (problem,) = report.problems
    assert problem.row == 3
    assert "cut short" in problem.reason
    with pytest.raises(tl.InvalidData):
        tl.io.import_file(tl.open_log("memory:"), "cloudevents", cut, strict=True)


def test_bad_cloudevents_are_problems(small, tmp_path):
    log, barrage = small[0], small[1]
    path = tmp_path / "out.json"
    tl.io.export_file(log, "cloudevents", path)
    batch = json.loads(path.read_text(encoding="utf-8"))
    good = batch[0]
    bad = [
        good,
        {**batch[1], "specversion": "0.3"},
        {**batch[1], "type": "no.such_type", "data": {**batch[1]["data"], "type": "no.such_type"}},
        {**batch[1], "id": str(barrage.event_id)},
        {k: v for k, v in batch[1].items() if k != "source"},
        {**batch[1], "data": "not an object"},
        {**batch[1], "recordedat": "yesterday"},
        {**batch[1], "subject": None, "source": "https://example.org"},
        [1, 2, 3],
    ]
    path.write_text(json.dumps(bad), encoding="utf-8")
    copy = tl.open_log("memory:")
    report = tl.io.import_file(copy, "cloudevents", path)
    assert report.added == 1
    assert [(p.row, p.column) for p in report.problems] == [
        (2, "specversion"),
        (3, "data"),
        (4, "id"),
        (5, "source"),
        (6, "data"),
        (7, "recordedat"),
        (8, "subject"),
        (9, None),
    ]


def test_an_event_that_differs_from_the_logs_is_refused(small, tmp_path):
    log, barrage = small[0], small[1]
    path = tmp_path / "out.json"
    tl.io.export_file(log, "cloudevents", path)
    batch = json.loads(path.read_text(encoding="utf-8"))
    batch[0]["data"]["launched"] = 500
    path.write_text(json.dumps(batch), encoding="utf-8")
    report = tl.io.import_file(log, "cloudevents", path)
    (problem,) = report.problems
    assert (problem.row, problem.column, problem.value) == (1, "id", str(barrage.event_id))
    assert report.unchanged == 4
    before = len(log)
    with pytest.raises(tl.InvalidData):
        tl.io.import_file(log, "cloudevents", path, strict=True)
    assert len(log) == before


def test_one_stream_for_everything_and_a_single_event(small, tmp_path):
    log = small[0]
    path = tmp_path / "out.json"
    tl.io.export_file(log, "cloudevents", path)
    batch = json.loads(path.read_text(encoding="utf-8"))
    single = tmp_path / "one.json"
    single.write_text(json.dumps(batch[1]), encoding="utf-8")
    copy = tl.open_log("memory:")
    report = tl.io.import_file(copy, "cloudevents", single, stream="inbox")
    assert report.added == 1
    assert [r.stream for r in copy.read()] == ["inbox"]


def test_a_wrong_encoding_is_refused(small, tmp_path):
    path = tmp_path / "out.json"
    tl.io.export_file(small[0], "cloudevents", path)
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(tl.InvalidData, match="UTF-16"):
        tl.io.import_file(tl.open_log("memory:"), "cloudevents", path)
