import datetime as dt
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path

import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timeline import (
    CeasefireDemanded,
    ConcurrencyError,
    CorruptLog,
    DuplicateEvent,
    InvalidArgument,
    Statement,
    TimelineError,
)
from timeline.log import GENESIS, MemoryLog, chain_hash
from timeline.log.sqlite import SQLiteLog
from timeline.testing import FixedClock, LogBackendContract

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


def rows(path):
    with sqlite3.connect(path) as db:
        return db.execute("SELECT * FROM events ORDER BY position").fetchall()


def damage(path, sql, *params):
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute(sql, params)
    finally:
        db.close()


def positions(records):
    return [r.position for r in records]


class TestSQLiteContract(LogBackendContract):
    @pytest.fixture
    def make_log(self, tmp_path_factory):
        opened = []

        def make(clock=None):
            log = SQLiteLog(tmp_path_factory.mktemp("sqlite") / "log.db", clock=clock)
            opened.append(log)
            return log

        yield make
        for log in opened:
            log.close()


@pytest.fixture
def path(tmp_path):
    return tmp_path / "log.db"


@pytest.fixture
def log(path):
    with SQLiteLog(path, clock=ticking_clock()) as log:
        yield log


# -- schema and settings ---------------------------------------------------------------------


@pytest.mark.usefixtures("log")
def test_schema_is_the_documented_one(path):
    with sqlite3.connect(path) as db:
        columns = [(c[1], c[2], c[3], c[5]) for c in db.execute("PRAGMA table_info(events)")]
        indexes = {
            name: [c[2] for c in db.execute(f"PRAGMA index_info({name})")]
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'"
            )
        }
        meta = db.execute("SELECT key, value FROM timeline_meta").fetchall()
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    assert columns == [
        ("position", "INTEGER", 0, 1),
        ("event_id", "TEXT", 1, 0),
        ("stream", "TEXT", 1, 0),
        ("version", "INTEGER", 1, 0),
        ("type", "TEXT", 1, 0),
        ("occurred_at", "TEXT", 1, 0),
        ("recorded_at", "TEXT", 1, 0),
        ("payload", "BLOB", 1, 0),
        ("hash", "TEXT", 1, 0),
    ]
    assert indexes["events_type"] == ["type", "position"]
    assert indexes["events_occurred"] == ["occurred_at", "position"]
    assert sorted(indexes.values()) == sorted(
        [["event_id"], ["stream", "version"], ["type", "position"], ["occurred_at", "position"]]
    )
    assert meta == [("schema_version", "1")]
    assert mode == "wal"


def test_columns_hold_the_canonical_payload_and_its_fields(log, path):
    [ev] = statements(1)
    [rec] = log.append([ev], stream="talks")
    [row] = rows(path)
    assert row == (
        1,
        str(ev.event_id),
        "talks",
        1,
        "diplomacy.statement",
        ev.occurred_at.isoformat(timespec="microseconds"),
        rec.recorded_at.isoformat(timespec="microseconds"),
        log.codec.encode(ev),
        rec.hash,
    )


@pytest.mark.parametrize(("synchronous", "level"), [("full", 2), ("normal", 1), ("NORMAL", 1)])
def test_synchronous_setting(path, synchronous, level):
    with SQLiteLog(path, synchronous=synchronous) as log:
        assert log._conn.execute("PRAGMA synchronous").fetchone()[0] == level


@pytest.mark.parametrize(
    ("option", "value"),
    [("synchronous", "off"), ("synchronous", 2), ("busy_timeout", -1), ("busy_timeout", "9")],
)
def test_bad_settings_are_refused(path, option, value):
    with pytest.raises(InvalidArgument) as e:
        SQLiteLog(path, **{option: value})
    assert e.value.argument == option


# -- persistence -----------------------------------------------------------------------------


def test_reopening_sees_everything_and_continues_the_chain(path):
    clock = ticking_clock()
    with SQLiteLog(path, clock=clock) as log:
        log.append(statements(2), stream="a")
        log.append(statements(1, start=2), stream="b")
        before = list(log.read())
    with SQLiteLog(path, clock=clock) as log:
        assert list(log.read()) == before
        assert log.verify().ok
        assert len(log) == 3
        assert log.streams() == {"a": 2, "b": 1}
        assert log.head() == before[-1]
        [new] = log.append(statements(1, start=3), stream="a", expected_version=2)
    assert (new.position, new.version) == (4, 3)
    stamp = new.recorded_at.isoformat(timespec="microseconds")
    assert new.hash == chain_hash(before[-1].hash, 4, "a", 3, stamp, log.codec.encode(new.event))
    with SQLiteLog(path) as log:
        assert list(log.read()) == [*before, new]
        assert log.verify().ok


def test_nothing_is_written_when_an_append_is_refused_after_reopening(path):
    first = statements(2)
    with SQLiteLog(path) as log:
        log.append(first, stream="a")
    stored = rows(path)
    with SQLiteLog(path) as log:
        with pytest.raises(DuplicateEvent):
            log.append([*statements(1, start=5), first[1]], stream="b")
        with pytest.raises(ConcurrencyError) as e:
            log.append(statements(1, start=6), stream="a", expected_version=1)
        assert (e.value.expected, e.value.actual) == (1, 2)
        assert len(log) == 2
    assert rows(path) == stored


# -- agreement with the reference -------------------------------------------------------------


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The same 2600 appends (several pages) made to a MemoryLog and a SQLiteLog."""
    memory = MemoryLog(clock=ticking_clock())
    log = SQLiteLog(tmp_path_factory.mktemp("pair") / "log.db", clock=ticking_clock())
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
        {"after": 2599},
        {"after": 2600},
        {"stream": "s1"},
        {"stream": "s1", "after": 1234},
        {"stream": "nope"},
        {"types": "diplomacy.ceasefire_demanded"},
        {"types": [Statement]},
        {"types": [Statement, CeasefireDemanded]},
        {"types": ["diplomacy.statement", "diplomacy.statement"]},
        {"types": [Statement, CeasefireDemanded], "after": 1500},
        {"types": [CeasefireDemanded], "stream": "s2"},
        {"order": "occurred"},
        {"order": "occurred", "after": 1700},
        {"order": "occurred", "stream": "s0"},
        {"order": "occurred", "types": [CeasefireDemanded]},
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
    assert some.event.event_id in log
    assert log.verify() == memory.verify()


def test_read_pages_so_appends_between_pages_are_seen(log):
    log.append(statements(1500), stream="a")
    reader = log.read()
    assert next(reader).position == 1
    log.append(statements(10, start=1500), stream="b")
    assert positions(reader) == list(range(2, 1511))


def test_a_read_is_lazy_and_another_log_object_sees_new_records(log, path):
    other = SQLiteLog(path)
    reader = other.read()  # nothing is queried until the first next()
    log.append(statements(3), stream="a")
    assert positions(reader) == [1, 2, 3]
    other.close()


# -- concurrency ------------------------------------------------------------------------------


def test_two_log_objects_appending_alternately_stay_gap_free(path):
    a, b = SQLiteLog(path), SQLiteLog(path)
    for i in range(20):
        writer = (a, b)[i % 2]
        [rec] = writer.append(statements(1, start=i), stream="s", expected_version=i)
        assert (rec.position, rec.version) == (i + 1, i + 1)
    with pytest.raises(ConcurrencyError):
        a.append(statements(1, start=99), stream="s", expected_version=19)  # b wrote 20th
    assert positions(a.read()) == positions(b.read()) == list(range(1, 21))
    assert a.verify().ok
    a.close()
    b.close()


def test_threads_with_their_own_log_objects_stay_gap_free(path):
    SQLiteLog(path).close()  # create the schema first

    def work(k):
        with SQLiteLog(path) as log:
            for i in range(25):
                log.append(statements(2, start=100 * k + 2 * i), stream=f"t{k}")

    threads = [threading.Thread(target=work, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with SQLiteLog(path) as log:
        assert positions(log.read()) == list(range(1, 151))
        assert log.streams() == {"t0": 50, "t1": 50, "t2": 50}
        assert log.verify().ok


def test_processes_appending_to_one_file_stay_gap_free(path):
    SQLiteLog(path).close()
    script = textwrap.dedent(
        """
        import sys, pendulum
        from timeline import Statement
        from timeline.log.sqlite import SQLiteLog
        with SQLiteLog(sys.argv[1]) as log:
            for i in range(30):
                ev = Statement(occurred_at=pendulum.datetime(2025, 6, 2), speaker="x", text="y")
                log.append([ev], stream=sys.argv[2])
        """
    )
    command = [sys.executable, "-c", script, str(path)]
    # S603: the command is this interpreter running the fixed script above.
    workers = [subprocess.Popen([*command, name]) for name in ("p", "q")]  # noqa: S603
    assert [w.wait(timeout=120) for w in workers] == [0, 0]
    with SQLiteLog(path) as log:
        assert positions(log.read()) == list(range(1, 61))
        assert log.streams() == {"p": 30, "q": 30}
        assert log.verify().ok


def test_a_lost_race_on_stream_version_is_a_concurrency_error(log, path):
    [first] = log.append(statements(1), stream="a")
    intruder = statements(1, start=1)[0]

    def sneak_in(target, _batch):  # another writer's record, as if it won a race
        payload, stamp = target.codec.encode(intruder), T0.isoformat()
        target._conn.execute(
            "INSERT INTO events VALUES (2, ?, 'a', 2, 't', 'x', ?, ?, ?)",
            (str(intruder.event_id), stamp, payload,
             chain_hash(first.hash, 2, "a", 2, stamp, payload)),
        )  # fmt: skip

    log.guards = (sneak_in,)
    with pytest.raises(ConcurrencyError) as e:
        log.append(statements(1, start=2), stream="a")
    assert (e.value.stream, e.value.expected) == ("a", 1)
    assert len(rows(path)) == 1  # the intruder was rolled back with our append


def test_a_lost_race_on_event_id_is_a_duplicate_event(log, path):
    [ev] = statements(1)

    def sneak_in(target, _batch):  # another writer's record of the same event
        # At position 2: the append read the tail (0) when it took the lock, before the
        # guards, so it writes position 1 and only the event id collides.
        payload, stamp = target.codec.encode(ev), T0.isoformat()
        target._conn.execute(
            "INSERT INTO events VALUES (2, ?, 'z', 1, 't', 'x', ?, ?, ?)",
            (str(ev.event_id), stamp, payload, chain_hash(GENESIS, 2, "z", 1, stamp, payload)),
        )

    log.guards = (sneak_in,)
    with pytest.raises(DuplicateEvent) as e:
        log.append([ev], stream="a")
    assert e.value.event_id == ev.event_id
    assert rows(path) == []


def test_a_locked_database_is_our_error_and_nothing_is_written(path):
    with SQLiteLog(path, busy_timeout=0) as log:
        log.append(statements(1), stream="a")
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(TimelineError) as e:
            log.append(statements(1, start=1), stream="a")
        assert not isinstance(e.value, sqlite3.Error)
        assert isinstance(e.value.__cause__, sqlite3.OperationalError)
        other.execute("ROLLBACK")
        other.close()
        assert positions(log.append(statements(1, start=2), stream="a")) == [2]


# -- damage ------------------------------------------------------------------------------------


@pytest.fixture
def five(path):
    with SQLiteLog(path, clock=ticking_clock()) as log:
        log.append(statements(2), stream="a")
        log.append(statements(3, start=2), stream="b")
    return path


def test_a_truncated_payload_is_reported_at_its_position(five):
    damage(five, "UPDATE events SET payload = substr(payload, 1, 20) WHERE position = 3")
    with SQLiteLog(five) as log:
        report = log.verify()
        assert (report.ok, report.position, report.checked) == (False, 3, 2)
        reader = log.read()
        assert positions([next(reader), next(reader)]) == [1, 2]
        with pytest.raises(CorruptLog) as e:
            next(reader)
        assert e.value.position == 3


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("type", "diplomacy.ceasefire_demanded"),
        ("event_id", "01972f6e-0000-7000-8000-000000000001"),
        ("occurred_at", "2025-06-01T00:00:00.000000+00:00"),
    ],
)
def test_a_changed_index_column_is_reported(five, column, value):
    damage(five, f"UPDATE events SET {column} = ? WHERE position = 4", value)
    with SQLiteLog(five) as log:
        report = log.verify()
    assert (report.ok, report.position) == (False, 4)
    assert column in report.reason


def test_a_changed_hash_or_recorded_at_is_reported(five):
    damage(
        five,
        "UPDATE events SET recorded_at = '2030-01-01T00:00:00.000000+00:00' WHERE position = 2",
    )
    with SQLiteLog(five) as log:
        assert log.verify().position == 2


def test_a_deleted_row_is_reported(five):
    damage(five, "DELETE FROM events WHERE position = 3")
    with SQLiteLog(five) as log:
        report = log.verify()
    assert (report.ok, report.position) == (False, 3)
    assert "missing" in report.reason


def test_swapped_rows_are_reported(five):
    damage(five, "UPDATE events SET position = -position WHERE position IN (2, 3)")
    damage(five, "UPDATE events SET position = 5 + position WHERE position IN (-2, -3)")
    with SQLiteLog(five) as log:
        served = []
        with pytest.raises(CorruptLog, match="position 2 was changed") as e:
            served.extend(log.read())  # rows 2 and 3 hold each other's records
        assert (positions(served), e.value.position) == ([1], 2)
        report = log.verify()
    assert (report.ok, report.position) == (False, 2)


def test_any_flipped_payload_byte_is_reported_at_its_position():
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template.db"
        with SQLiteLog(template, clock=ticking_clock()) as log:
            log.append(statements(3), stream="a")
            sizes = [len(p) for (p,) in log._conn.execute("SELECT payload FROM events")]
        original = template.read_bytes()

        @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(data=st.data())
        def check(data):
            position = data.draw(st.integers(1, 3), label="position")
            index = data.draw(st.integers(0, sizes[position - 1] - 1), label="index")
            mask = data.draw(st.integers(1, 255), label="mask")
            copy = Path(folder) / "copy.db"
            copy.write_bytes(original)
            db = sqlite3.connect(copy, isolation_level=None)
            [(payload,)] = db.execute("SELECT payload FROM events WHERE position = ?", (position,))
            flipped = bytearray(payload)
            flipped[index] ^= mask
            db.execute(
                "UPDATE events SET payload = ? WHERE position = ?", (bytes(flipped), position)
            )
            db.close()
            with SQLiteLog(copy) as damaged:
                report = damaged.verify()
            assert (report.ok, report.position) == (False, position)

        check()


def test_garbage_is_a_corrupt_log_not_a_driver_error(path):
    path.write_bytes(b"this is not a database, just some bytes\n" * 200)
    with pytest.raises(CorruptLog) as e:
        SQLiteLog(path)
    assert e.value.position == 1
    assert isinstance(e.value.__cause__, sqlite3.DatabaseError)
    assert path.read_bytes() == b"this is not a database, just some bytes\n" * 200


def test_a_damaged_page_is_a_corrupt_log_on_read_or_verify(path):
    with SQLiteLog(path, clock=ticking_clock()) as log:
        for i in range(10):
            log.append(statements(50, start=50 * i), stream="a")
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 40 * page
    # The schema's root pages come first; overwrite every page after them.
    data[12 * page :] = b"\xa5" * (len(data) - 12 * page)
    path.write_bytes(bytes(data))
    with SQLiteLog(path) as log:
        with pytest.raises(CorruptLog) as e:
            list(log.read())
        assert isinstance(e.value.__cause__, sqlite3.DatabaseError)
        report = log.verify()
    assert not report.ok


def test_someone_elses_database_is_not_taken_over(path):
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    with pytest.raises(CorruptLog, match="not a timeline log"):
        SQLiteLog(path)
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master")]
    assert tables == ["photos"]


def test_a_newer_schema_is_refused(path):
    SQLiteLog(path).close()
    damage(path, "UPDATE timeline_meta SET value = '2' WHERE key = 'schema_version'")
    with pytest.raises(TimelineError, match="schema version '2'"):
        SQLiteLog(path)


def test_a_file_that_cannot_be_opened_is_our_error(tmp_path):
    with pytest.raises(TimelineError) as e:
        SQLiteLog(tmp_path / "no" / "such" / "dir" / "log.db")
    assert isinstance(e.value.__cause__, sqlite3.Error)


def test_close_is_idempotent_and_a_closed_log_says_so(path):
    log = SQLiteLog(path)
    log.close()
    log.close()
    with pytest.raises(TimelineError, match="closed"):
        len(log)
    with pytest.raises(TimelineError, match="closed"):
        log.append(statements(1), stream="a")
