import datetime as dt
import errno
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import orjson
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline import (
    CeasefireDemanded,
    ConcurrencyError,
    CorruptLog,
    DuplicateEvent,
    Statement,
    TimelineError,
)
from timeline.codec import Codec
from timeline.log import MemoryLog, chain_hash
from timeline.log.jsonl import JsonlLog
from timeline.testing import FixedClock, LogBackendContract, strategies

T0 = pendulum.datetime(2025, 6, 2, 8)


def ticking_clock():
    return FixedClock(T0, tick=dt.timedelta(seconds=1))


def statements(n, *, start=0):
    # occurred_at jumps around and repeats, so "occurred" order differs from position order
    return [
        Statement(
            occurred_at=T0.add(hours=(start + i) * 7 % 11),
            speaker="Hakan Fidan",
            text=f"remark {start + i}",
        )
        for i in range(n)
    ]


def positions(records):
    return [r.position for r in records]


def lines(path):
    return path.read_bytes().splitlines(keepends=True)


def write_lines(path, new):
    path.write_bytes(b"".join(new))


class TestJsonlContract(LogBackendContract):
    @pytest.fixture
    def make_log(self, tmp_path_factory):
        def make(clock=None):
            return JsonlLog(tmp_path_factory.mktemp("jsonl") / "log.jsonl", clock=clock)

        return make


@pytest.fixture
def path(tmp_path):
    return tmp_path / "log.jsonl"


@pytest.fixture
def log(path):
    with JsonlLog(path, clock=ticking_clock()) as log:
        yield log


# -- the file --------------------------------------------------------------------------------


def test_one_line_per_record_with_a_commit_marker_ending_each_append(log, path):
    events = statements(3)
    records = log.append(events[:2], stream="a") + log.append(events[2:], stream="b")
    parsed = [orjson.loads(line) for line in lines(path)]
    assert [p.get("commit") for p in parsed] == [None, True, True]
    for line, record, event in zip(lines(path), records, events, strict=True):
        assert line.endswith(b"}\n")
        assert b'"event":' + log.codec.encode(event) in line  # the canonical bytes, as they are
        assert orjson.loads(line) | {"commit": None} == {
            "position": record.position,
            "stream": record.stream,
            "version": record.version,
            "recorded_at": record.recorded_at.isoformat(timespec="microseconds"),
            "hash": record.hash,
            "event": orjson.loads(log.codec.encode(event)),
            "commit": None,
        }


def test_opening_creates_an_empty_file_and_a_missing_directory_is_an_error(tmp_path):
    with JsonlLog(tmp_path / "new.jsonl") as log:
        assert len(log) == 0
    assert (tmp_path / "new.jsonl").read_bytes() == b""
    with pytest.raises(FileNotFoundError):
        JsonlLog(tmp_path / "no" / "such.jsonl")


def test_fsync_after_every_append_unless_switched_off(tmp_path, monkeypatch):
    calls = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append(fd) or real(fd))
    with JsonlLog(tmp_path / "a.jsonl") as log:
        calls.clear()  # opening a new file syncs its directory
        log.append(statements(3), stream="a")
        log.append(statements(1, start=3), stream="a")
        assert len(calls) == 2
    calls.clear()
    with JsonlLog(tmp_path / "b.jsonl", fsync=False) as log:
        log.append(statements(3), stream="a")
    assert calls == []


@given(event=strategies.events())
@settings(max_examples=150, deadline=None)
def test_re_encoding_a_stored_event_gives_back_its_canonical_bytes(event):
    # verify() hashes orjson.dumps(line["event"], OPT_SORT_KEYS): it must be the codec's bytes.
    payload = Codec().encode(event)
    assert orjson.dumps(orjson.loads(payload), option=orjson.OPT_SORT_KEYS) == payload


@given(events=st.lists(strategies.events(), min_size=1, max_size=4))
@settings(max_examples=40, deadline=None)
def test_any_event_survives_the_file(events):
    events = [e for e in events if not e.references()]  # references need their targets
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.jsonl"
        with JsonlLog(path, clock=ticking_clock()) as log:
            appended = log.append(events, stream="s")
        with JsonlLog(path) as log:
            assert list(log.read()) == appended
            assert log.verify().ok


# -- persistence -----------------------------------------------------------------------------


def test_reopening_sees_everything_and_continues_the_chain(path):
    clock = ticking_clock()
    with JsonlLog(path, clock=clock) as log:
        log.append(statements(2), stream="a")
        log.append(statements(1, start=2), stream="b")
        before = list(log.read())
    with JsonlLog(path, clock=clock) as log:
        assert list(log.read()) == before
        assert log.verify().ok
        assert len(log) == 3
        assert log.streams() == {"a": 2, "b": 1}
        assert log.head() == before[-1]
        assert log.get(before[1].event.event_id) == before[1]
        [new] = log.append(statements(1, start=3), stream="a", expected_version=2)
    assert (new.position, new.version) == (4, 3)
    stamp = new.recorded_at.isoformat(timespec="microseconds")
    assert new.hash == chain_hash(before[-1].hash, 4, "a", 3, stamp, log.codec.encode(new.event))
    with JsonlLog(path) as log:
        assert list(log.read()) == [*before, new]
        assert log.verify().ok


def test_nothing_is_written_when_an_append_is_refused_after_reopening(path):
    first = statements(2)
    with JsonlLog(path) as log:
        log.append(first, stream="a")
    stored = path.read_bytes()
    with JsonlLog(path) as log:
        with pytest.raises(DuplicateEvent):
            log.append([*statements(1, start=5), first[1]], stream="b")
        with pytest.raises(ConcurrencyError) as e:
            log.append(statements(1, start=6), stream="a", expected_version=1)
        assert (e.value.expected, e.value.actual) == (1, 2)
        assert len(log) == 2
    assert path.read_bytes() == stored


def test_a_failed_write_is_undone_and_the_log_carries_on(log, path, monkeypatch):
    log.append(statements(2), stream="a")
    stored = path.read_bytes()
    real = os.write

    def half_then_full_disk(fd, data):
        if len(data) > 10:
            real(fd, bytes(data[: len(data) // 2]))
            return len(data) // 2
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", half_then_full_disk)
    with pytest.raises(OSError, match="No space"):
        log.append(statements(3, start=2), stream="a")
    monkeypatch.undo()
    assert path.read_bytes() == stored
    assert len(log) == 2
    assert positions(log.append(statements(1, start=9), stream="a")) == [3]
    with JsonlLog(path) as again:
        assert positions(again.read()) == [1, 2, 3]
        assert again.verify().ok


# -- agreement with the reference -------------------------------------------------------------


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The same 2600 appends made to a MemoryLog and a JsonlLog."""
    memory = MemoryLog(clock=ticking_clock())
    log = JsonlLog(tmp_path_factory.mktemp("pair") / "log.jsonl", clock=ticking_clock())
    for batch in range(26):
        events = [
            CeasefireDemanded(occurred_at=T0.add(days=i % 5), party="Ukraine")
            if i % 3 == 0
            else Statement(occurred_at=T0.add(days=i % 7), speaker="Umerov", text=f"r{i}")
            for i in range(batch * 100, batch * 100 + 100)
        ]
        for target in (memory, log):
            target.append(events, stream=f"s{batch % 3}")
    yield memory, log
    log.close()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"after": 999},
        {"after": 2600},
        {"stream": "s1"},
        {"stream": "s1", "after": 1234},
        {"stream": "nope"},
        {"types": "diplomacy.ceasefire_demanded"},
        {"types": [Statement, CeasefireDemanded], "after": 1500},
        {"types": [CeasefireDemanded], "stream": "s2"},
        {"order": "occurred"},
        {"order": "occurred", "after": 1700},
        {"order": "occurred", "types": [Statement], "stream": "s2", "after": 100},
    ],
)
def test_reads_agree_with_the_memory_log(pair, query):
    memory, log = pair
    expected = list(memory.read(**query))
    assert list(log.read(**query)) == expected
    if query.get("order") == "occurred" and expected:
        keys = [(r.event.occurred_at, r.position) for r in expected]
        assert keys == sorted(keys)


def test_lookups_agree_with_the_memory_log(pair):
    memory, log = pair
    assert len(log) == len(memory) == 2600
    assert log.streams() == memory.streams()
    assert log.head() == memory.head()
    some = next(memory.read(after=1999))
    assert log.get(some.event.event_id) == some
    assert log.verify() == memory.verify()


def test_a_read_is_lazy_and_sees_appends_made_while_it_runs(log):
    log.append(statements(1500), stream="a")
    reader = log.read()
    assert next(reader).position == 1
    log.append(statements(10, start=1500), stream="b")
    assert positions(reader) == list(range(2, 1511))


# -- concurrency ------------------------------------------------------------------------------


def test_two_log_objects_appending_alternately_stay_gap_free(path):
    a, b = JsonlLog(path), JsonlLog(path)
    for i in range(20):
        writer = (a, b)[i % 2]
        [rec] = writer.append(statements(1, start=i), stream="s", expected_version=i)
        assert (rec.position, rec.version) == (i + 1, i + 1)
    with pytest.raises(ConcurrencyError):
        a.append(statements(1, start=99), stream="s", expected_version=19)  # b wrote 20th
    assert len(a) == len(b) == 20
    assert positions(a.read()) == positions(b.read()) == list(range(1, 21))
    assert a.streams() == b.streams() == {"s": 20}
    assert a.verify().ok
    a.close()
    b.close()


def test_processes_appending_to_one_file_stay_gap_free(path):
    script = textwrap.dedent(
        """
        import sys, pendulum
        from timeline import Statement
        from timeline.log.jsonl import JsonlLog
        with JsonlLog(sys.argv[1]) as log:
            for i in range(30):
                ev = Statement(occurred_at=pendulum.datetime(2025, 6, 2), speaker="x", text="y")
                log.append([ev, ev.__class__(occurred_at=ev.occurred_at, speaker="x", text="z")],
                           stream=sys.argv[2])
        """
    )
    JsonlLog(path).close()
    command = [sys.executable, "-c", script, str(path)]
    # S603: the command is this interpreter running the fixed script above.
    workers = [subprocess.Popen([*command, name]) for name in ("p", "q")]  # noqa: S603
    assert [w.wait(timeout=120) for w in workers] == [0, 0]
    with JsonlLog(path) as log:
        assert positions(log.read()) == list(range(1, 121))
        assert log.streams() == {"p": 60, "q": 60}
        assert log.verify().ok


# -- damage ------------------------------------------------------------------------------------


@pytest.fixture
def five(path):
    """A log of five records in three appends: [1, 2], [3], [4, 5]."""
    with JsonlLog(path, clock=ticking_clock()) as log:
        log.append(statements(2), stream="a")
        log.append(statements(1, start=2), stream="b")
        log.append(statements(2, start=3), stream="a")
    return path


def assert_damaged_at(path, position, *, readable):
    """Reading stops at ``position``, verify names it, and append writes nothing."""
    stored = path.read_bytes()
    with JsonlLog(path) as log:
        reader = log.read()
        assert [next(reader).position for _ in range(readable)] == list(range(1, readable + 1))
        with pytest.raises(CorruptLog) as e:
            next(reader)
        assert e.value.position == position
        report = log.verify()
        assert (report.ok, report.position) == (False, position)
        with pytest.raises(CorruptLog) as e:
            log.append(statements(1, start=50), stream="a")
        assert e.value.position == position
    assert path.read_bytes() == stored  # opening, reading, verifying, refusing: no change
    return report


def test_a_torn_last_line_is_reported_and_blocks_appends(five):
    data = five.read_bytes()
    five.write_bytes(data[:-40])  # cut inside the last line
    report = assert_damaged_at(five, 4, readable=3)  # its append, [4, 5], never happened
    assert "incomplete append" in report.reason


def test_a_last_line_without_its_newline_is_torn(five):
    data = five.read_bytes()
    five.write_bytes(data[:-1])
    report = assert_damaged_at(five, 4, readable=3)
    assert "cut short" in report.reason


def test_a_torn_single_line_append_is_reported_at_its_own_position(path):
    with JsonlLog(path) as log:
        log.append(statements(2), stream="a")
        log.append(statements(1, start=2), stream="a")
    path.write_bytes(path.read_bytes()[:-5])
    assert_damaged_at(path, 3, readable=2)


def test_an_append_without_its_commit_marker_is_reported(five):
    text = lines(five)
    assert text[-1].endswith(b',"commit":true}\n')
    text[-1] = text[-1].replace(b',"commit":true}', b"}")
    write_lines(five, text)
    report = assert_damaged_at(five, 4, readable=3)
    assert "positions 4-5" in report.reason


def test_a_flipped_byte_inside_an_event_is_reported(five):
    text = lines(five)
    assert b"remark 1" in text[1]
    text[1] = text[1].replace(b"remark 1", b"remark 7")
    write_lines(five, text)
    with JsonlLog(five) as log:
        report = log.verify()
    assert (report.ok, report.position) == (False, 2)
    assert "hash" in report.reason


def test_a_flipped_byte_that_breaks_the_json_is_reported(five):
    text = lines(five)
    text[2] = text[2].replace(b'"event":{', b'"event":[', 1)
    write_lines(five, text)
    report = assert_damaged_at(five, 3, readable=2)
    assert "not JSON" in report.reason


def test_a_deleted_line_is_reported(five):
    text = lines(five)
    del text[2]
    write_lines(five, text)
    report = assert_damaged_at(five, 3, readable=2)
    assert "missing or reordered" in report.reason


def test_swapped_lines_are_reported(five):
    text = lines(five)
    text[1], text[2] = text[2], text[1]
    write_lines(five, text)
    assert_damaged_at(five, 2, readable=1)


@pytest.mark.parametrize("junk", [b"\n", b"<<<<<<< HEAD\n", b'{"position": 3}\n', b"[]\n"])
def test_a_blank_or_garbage_line_in_the_middle_is_reported(five, junk):
    text = lines(five)
    text.insert(2, junk)
    write_lines(five, text)
    assert_damaged_at(five, 3, readable=2)


def test_a_line_changed_after_opening_is_reported_on_read(five):
    with JsonlLog(five) as log:
        text = lines(five)
        text[3] = b"x" * (len(text[3]) - 1) + b"\n"  # same size: the index cannot tell
        write_lines(five, text)
        with pytest.raises(CorruptLog) as e:
            list(log.read())
        assert e.value.position == 4
        assert log.verify().position == 4


def test_cutting_off_a_torn_tail_repairs_the_log_for_an_open_object(five):
    data = five.read_bytes()
    five.write_bytes(data[:-40])
    with JsonlLog(five) as log:
        assert log.verify().position == 4
        whole_appends = b"".join(lines(five)[:3])
        five.write_bytes(whole_appends)  # what a user does after reading the report
        assert len(log) == 3
        assert log.verify().ok
        assert positions(log.append(statements(1, start=20), stream="a")) == [4]


def test_close_is_idempotent_and_a_closed_log_says_so(path):
    log = JsonlLog(path)
    log.close()
    log.close()
    with pytest.raises(TimelineError, match="closed"):
        len(log)
    with pytest.raises(TimelineError, match="closed"):
        log.append(statements(1), stream="a")
