"""JSONL export and import: the file JsonlLog reads, lossless round trips, damaged files."""

import datetime as dt
import tempfile
from pathlib import Path

import orjson
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import timeline as tl
from timeline.log.jsonl import JsonlLog
from timeline.testing.strategies import log_scripts

R0 = pendulum.datetime(2025, 6, 10)


def records(log):
    return [(r.position, r.stream, r.version, r.recorded_at, r.event, r.hash) for r in log.read()]


def build(script, url="memory:"):
    log = tl.open_log(url, clock=tl.FixedClock(R0, tick=dt.timedelta(minutes=1)))
    for stream, events in script:
        log.append(events, stream=stream)
    return log


@settings(max_examples=25)
@given(log_scripts(), st.sampled_from(["memory:", "log.db", "log.jsonl"]))
def test_round_trips_are_identities(script, backend):
    with tempfile.TemporaryDirectory() as folder:
        url = backend if backend == "memory:" else str(Path(folder) / backend)
        log = build(script, url)
        path = Path(folder) / "export.jsonl"
        report = tl.io.export_file(log, "jsonl", path)
        assert report.records == len(log)
        # The file is a log JsonlLog opens, whose chain verifies and whose records are the same.
        opened = JsonlLog(path)
        assert opened.verify().ok
        assert records(opened) == records(log)
        opened.close()
        copy = tl.open_log("memory:")
        imported = tl.io.import_file(copy, "jsonl", path)
        assert imported.problems == ()
        assert records(copy) == records(log)
        log.close()


def test_the_export_of_a_jsonl_log_is_its_own_file(tmp_path, missiles):
    log = tl.open_log(str(tmp_path / "log.jsonl"), clock=tl.FixedClock(R0))
    tl.io.import_file(log, "missile-attacks", missiles)
    tl.io.export_file(log, "jsonl", tmp_path / "export.jsonl")
    assert (tmp_path / "export.jsonl").read_bytes() == (tmp_path / "log.jsonl").read_bytes()


def test_importing_twice_adds_nothing(tmp_path):
    log = build([("s", [tl.Statement(occurred_at=R0, speaker="A", text="x")])])
    tl.io.export_file(log, "jsonl", tmp_path / "e.jsonl")
    copy = tl.open_log("memory:")
    assert tl.io.import_file(copy, "jsonl", tmp_path / "e.jsonl").added == 1
    again = tl.io.import_file(copy, "jsonl", tmp_path / "e.jsonl")
    assert (again.added, again.unchanged) == (0, 1)


@pytest.fixture
def exported(tmp_path):
    log = tl.open_log("memory:", clock=tl.FixedClock(R0, tick=dt.timedelta(minutes=1)))
    for i in range(5):
        log.append([tl.Statement(occurred_at=R0, speaker="A", text=f"said {i}")], stream="s")
    path = tmp_path / "export.jsonl"
    tl.io.export_file(log, "jsonl", path)
    return log, path


def test_a_file_cut_short_is_imported_up_to_the_cut(exported, tmp_path):
    _, path = exported
    data = path.read_bytes()
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(data[: len(data) - 40])  # the last line loses its end
    copy = tl.open_log("memory:")
    report = tl.io.import_file(copy, "jsonl", cut)
    assert report.added == 4
    (problem,) = report.problems
    assert problem.row == 5
    assert "damaged" in problem.reason
    with pytest.raises(tl.InvalidData):
        tl.io.import_file(tl.open_log("memory:"), "jsonl", cut, strict=True)


def test_a_changed_record_stops_the_import_there(exported, tmp_path):
    _, path = exported
    lines = path.read_bytes().splitlines(keepends=True)
    third = orjson.loads(lines[2])
    third["event"]["text"] = "said something else"
    lines[2] = orjson.dumps(third) + b"\n"
    changed = tmp_path / "changed.jsonl"
    changed.write_bytes(b"".join(lines))
    copy = tl.open_log("memory:")
    report = tl.io.import_file(copy, "jsonl", changed)
    assert report.added == 2
    (problem,) = report.problems
    assert problem.row == 3
    assert "hash" in problem.reason


def test_missing_and_mis_encoded_files(tmp_path):
    with pytest.raises(tl.InvalidData, match="no such file"):
        tl.io.import_file(tl.open_log("memory:"), "jsonl", tmp_path / "nothing.jsonl")
    utf16 = tmp_path / "utf16.jsonl"
    utf16.write_bytes('{"position": 1}\n'.encode("utf-16"))
    with pytest.raises(tl.InvalidData, match="UTF-16"):
        tl.io.import_file(tl.open_log("memory:"), "jsonl", utf16)


def test_a_stream_for_everything(exported):
    _, path = exported
    copy = tl.open_log("memory:")
    tl.io.import_file(copy, "jsonl", path, stream="archive")
    assert {r.stream for r in copy.read()} == {"archive"}
