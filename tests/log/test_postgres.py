"""PostgresLog: the conformance suite on a real server, and what only PostgreSQL does.

Every test marked ``postgres`` needs a server (``TIMELINE_PG_URL``) and runs in schemas of
its own, made fresh and dropped afterwards (``pg_url`` in ``tests/conftest.py``).
"""

import datetime as dt
import os
import subprocess
import sys
import textwrap
import threading
import urllib.parse
import uuid

import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import timeline as tl
from pg_admin import as_role, drop_role, login_role, sql
from timeline.cli import main as timeline_main
from timeline.integrity import SigningKey
from timeline.log import _postgres_merkle
from timeline.log.merkle import MerkleTree, leaf_hash
from timeline.log.merkle_store import STORED_LEVEL
from timeline.log.postgres import SCHEMA_VERSION, PostgresLog, channel_name, schema_url
from timeline.testing import FixedClock, LogBackendContract

psycopg = pytest.importorskip("psycopg")

T0 = pendulum.datetime(2025, 6, 2, 8)


def ticking_clock():
    return FixedClock(T0, tick=dt.timedelta(seconds=1))


def statements(n, *, start=0, speaker="Hakan Fidan"):
    # occurred_at jumps around and repeats, so "occurred" order differs from position order
    return [
        tl.Statement(
            occurred_at=T0.add(hours=(start + i) * 7 % 11), speaker=speaker, text=f"remark {i}"
        )
        for i in range(n)
    ]


def base_url():
    return os.environ["TIMELINE_PG_URL"]


def schema_of(url):
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT current_schema()").fetchone()[0]


@pytest.fixture
def schemas(pg_url):
    """Make more fresh schemas in the test's database; each is dropped after the test."""
    assert pg_url
    made = []

    def make():
        name = f"test_{uuid.uuid4().hex[:16]}"
        sql(base_url(), f"CREATE SCHEMA {name}")
        made.append(name)
        return schema_url(base_url(), name)

    yield make
    for name in made:
        sql(base_url(), f"DROP SCHEMA {name} CASCADE")


@pytest.fixture
def log(pg_url):
    with PostgresLog(pg_url, clock=ticking_clock()) as log:
        yield log


@pytest.mark.postgres
class TestPostgresContract(LogBackendContract):
    @pytest.fixture
    def make_log(self, schemas):
        opened = []

        def make(clock=None):
            log = PostgresLog(schemas(), clock=clock)
            opened.append(log)
            return log

        yield make
        for log in opened:
            log.close()


# -- schema and opening ----------------------------------------------------------------------


@pytest.mark.postgres
def test_schema_is_the_documented_one(log, pg_url):
    schema = schema_of(pg_url)
    columns = sql(
        pg_url,
        "SELECT column_name, data_type, is_nullable, collation_name FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name = 'timeline_events' ORDER BY ordinal_position",
        schema,
    )
    assert columns == [
        ("position", "bigint", "NO", None),
        ("event_id", "uuid", "NO", None),
        ("stream", "text", "NO", "C"),
        ("version", "bigint", "NO", None),
        ("type", "text", "NO", "C"),
        ("occurred_at", "text", "NO", "C"),
        ("recorded_at", "text", "NO", "C"),
        ("payload", "bytea", "NO", None),
        ("hash", "text", "NO", "C"),
    ]
    indexes = sql(
        pg_url,
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s"
        " AND tablename = 'timeline_events' ORDER BY indexname",
        schema,
    )
    assert [(name, definition.split(" USING ")[1]) for name, definition in indexes] == [
        ("timeline_events_event_id", "btree (event_id)"),
        ("timeline_events_occurred", 'btree (occurred_at, "position")'),
        ("timeline_events_position", 'btree ("position")'),
        ("timeline_events_stream_version", "btree (stream, version)"),
        ("timeline_events_type", 'btree (type, "position")'),
    ]
    assert sql(pg_url, f"SELECT key, value FROM {schema}.timeline_meta") == [
        ("schema_version", str(SCHEMA_VERSION))
    ]
    assert sql(pg_url, f"SELECT name FROM {schema}.timeline_lock") == [("append",)]
    assert log.schema == schema
    assert log.channel == f"timeline:{schema}"
    assert schema in repr(log)


@pytest.mark.postgres
def test_columns_hold_the_canonical_payload_byte_for_byte(log, pg_url):
    [ev] = statements(1)
    [rec] = log.append([ev], stream="talks")
    [row] = sql(pg_url, "SELECT * FROM timeline_events")
    assert row == (
        1,
        ev.event_id,
        "talks",
        1,
        "diplomacy.statement",
        ev.occurred_at.isoformat(timespec="microseconds"),
        rec.recorded_at.isoformat(timespec="microseconds"),
        log.codec.encode(ev),
        rec.hash,
    )


@pytest.mark.postgres
def test_a_reopened_log_holds_what_was_appended_and_carries_on(pg_url):
    with tl.open_log(pg_url, clock=ticking_clock()) as first:
        before = first.append(statements(3), stream="talks")
    with tl.open_log(pg_url, clock=ticking_clock()) as again:
        assert list(again.read()) == before
        assert again.verify().ok
        later = again.append(statements(2, start=3), stream="talks", expected_version=3)
        assert [(r.position, r.version) for r in later] == [(4, 4), (5, 5)]


@pytest.mark.postgres
@pytest.mark.parametrize("prefix", ["postgresql://", "postgres://"])
def test_open_log_opens_both_url_schemes(pg_url, prefix):
    url = prefix + pg_url.split("://", 1)[1]
    with tl.open_log(url) as log:
        assert isinstance(log, PostgresLog)
        assert log.schema == schema_of(pg_url)


@pytest.mark.postgres
def test_four_objects_opening_a_new_log_at_once_all_succeed(pg_url):
    opened, errors = [], []

    def open_one():
        try:
            with PostgresLog(pg_url) as log:
                opened.append(len(log))
        except tl.TimelineError as e:  # pragma: no cover  # reported by the assert below
            errors.append(e)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (opened, errors) == ([0, 0, 0, 0], [])
    assert sql(pg_url, "SELECT count(*) FROM timeline_meta") == [(1,)]


@pytest.fixture
def quoted_schema(pg_url):
    """The URL of a schema whose name SQL must quote (capitals, a hyphen); dropped after."""
    assert pg_url
    name = f"Newsroom-{uuid.uuid4().hex[:8]}"
    sql(base_url(), f'CREATE SCHEMA "{name}"')
    parts = urllib.parse.urlsplit(base_url())
    options = urllib.parse.urlencode({"options": f'-csearch_path="{name}"'})
    yield name, urllib.parse.urlunsplit(parts._replace(query=options))
    sql(base_url(), f'DROP SCHEMA "{name}" CASCADE')


@pytest.mark.postgres
def test_a_schema_name_that_needs_quoting_works_throughout(quoted_schema):
    name, url = quoted_schema
    with tl.open_log(url) as writer, tl.open_log(url) as reader:
        assert (writer.schema, writer.channel) == (name, f"timeline:{name}")
        seen = []
        reader.subscribe(lambda r: seen.append(r.position))
        reader.wait(0)
        writer.append(statements(2), stream="s")
        assert reader.wait(30) == 2
        store = tl.snapshot_store(writer)
        snapshot = tl.take_snapshot(writer, tl.Chronology(), store=store)
        assert tl.snapshot_store(reader).list("chronology") == [snapshot]
        assert (seen, reader.verify().ok) == ([1, 2], True)
    tables = sql(base_url(), "SELECT tablename FROM pg_tables WHERE schemaname = %s", name)
    assert sorted(t for (t,) in tables) == [
        "timeline_events",
        "timeline_lock",
        "timeline_merkle",
        "timeline_meta",
        "timeline_snapshots",
    ]


@pytest.mark.postgres
def test_a_schema_holding_someone_elses_events_table_is_refused(pg_url):
    sql(pg_url, "CREATE TABLE timeline_events (id int)")
    with pytest.raises(tl.CorruptLog) as caught:
        PostgresLog(pg_url)
    assert caught.value.reason == "not a timeline log"
    assert sql(pg_url, "SELECT count(*) FROM timeline_events") == [(0,)]


@pytest.mark.postgres
@pytest.mark.usefixtures("log")
def test_a_newer_schema_version_is_refused(pg_url):
    sql(pg_url, "UPDATE timeline_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(tl.TimelineError, match="schema version '99'"):
        PostgresLog(pg_url)


@pytest.mark.postgres
@pytest.mark.usefixtures("pg_url")
def test_a_search_path_naming_no_schema_is_a_clear_error():
    missing = schema_url(base_url(), f"missing_{uuid.uuid4().hex[:8]}")
    with pytest.raises(tl.TimelineError, match="search_path names no schema"):
        PostgresLog(missing)


@pytest.mark.postgres
def test_errors_name_the_server_but_never_the_password():
    unreachable = "postgresql://analyst:s3cret-word@127.0.0.1:1/newsroom"
    with pytest.raises(tl.TimelineError) as caught:
        PostgresLog(unreachable, connect_timeout=2)
    assert "postgresql://analyst@127.0.0.1:1/newsroom" in str(caught.value)
    assert "s3cret-word" not in str(caught.value)


@pytest.mark.postgres
def test_a_lost_connection_fails_one_call_and_the_next_reconnects(log, pg_url):
    log.append(statements(2), stream="s")
    pid = log._conn.info.backend_pid
    assert sql(pg_url, "SELECT application_name FROM pg_stat_activity WHERE pid = %s", pid) == [
        ("timeline",)
    ]
    sql(pg_url, "SELECT pg_terminate_backend(%s)", pid)  # a server restart, a network cut
    with pytest.raises(tl.TimelineError) as caught:
        log.append(statements(1, start=2), stream="s")
    assert type(caught.value) is tl.TimelineError
    assert len(log) == 2  # the failed append stored nothing; this call reconnected
    [record] = log.append(statements(1, start=2), stream="s", expected_version=2)
    assert record.position == 3
    assert log.verify().ok


@pytest.mark.postgres
def test_wait_listens_again_after_losing_its_connection(pg_url):
    with PostgresLog(pg_url) as writer, PostgresLog(pg_url) as reader:
        seen = []
        reader.subscribe(lambda r: seen.append(r.position))
        assert reader.wait(0) == 0
        [(pid,)] = sql(
            pg_url,
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'timeline-listen'"
            " AND query LIKE %s",
            f"LISTEN%{reader.schema}%",
        )
        sql(pg_url, "SELECT pg_terminate_backend(%s)", pid)
        writer.append(statements(1), stream="s")  # while nobody listens
        assert reader.wait(30) == 1  # caught up
        assert reader.wait(0.2) == 0  # met the lost connection, and listens again
        writer.append(statements(1, start=1), stream="s")
        assert reader.wait(30) == 1  # heard on the new connection
        assert seen == [1, 2]
        listening = sql(
            pg_url,
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'timeline-listen'"
            " AND query LIKE %s",
            f"LISTEN%{reader.schema}%",
        )
        assert listening not in ([], [(pid,)])


@pytest.mark.postgres
def test_a_closed_log_raises_a_timeline_error(pg_url):
    log = PostgresLog(pg_url)
    log.close()
    log.close()
    with pytest.raises(tl.TimelineError, match="closed"):
        len(log)
    with pytest.raises(tl.TimelineError, match="closed"):
        log.wait(0)


def test_timeline_imports_without_psycopg_and_the_log_says_what_to_install():
    script = textwrap.dedent(
        """
        import sys
        sys.modules["psycopg"] = None  # as if the postgres extra were not installed
        import timeline as tl
        print(tl.open_log("memory:").__class__.__name__)
        try:
            tl.open_log("postgresql://nobody@127.0.0.1:1/none")
        except tl.TimelineError as e:
            print(e)
        """
    )
    done = subprocess.run(  # noqa: S603  # this interpreter running the fixed script above
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == [
        "MemoryLog",
        "PostgresLog needs psycopg 3: pip install 'conflict-timeline[postgres]'",
    ]


def test_a_channel_name_fits_postgresql_identifiers():
    assert channel_name("war") == "timeline:war"
    long_one, other = "x" * 63, "x" * 62 + "y"
    assert len(channel_name(long_one).encode()) <= 63
    assert channel_name(long_one) != channel_name(other)


# -- many writers ------------------------------------------------------------------------------


@pytest.mark.postgres
def test_two_log_objects_on_one_schema_share_positions_and_versions(pg_url):
    with PostgresLog(pg_url) as a, PostgresLog(pg_url) as b:
        a.append(statements(2), stream="talks", expected_version=0)
        b.append(statements(1, start=2), stream="talks", expected_version=2)
        with pytest.raises(tl.ConcurrencyError) as caught:
            a.append(statements(1, start=3), stream="talks", expected_version=2)
        assert (caught.value.expected, caught.value.actual) == (2, 3)
        assert [r.position for r in a.read()] == [1, 2, 3]
        assert a.streams() == b.streams() == {"talks": 3}


def stored_tree(url):
    """The stored Merkle nodes of the log at ``url``, by (level, index)."""
    rows = sql(url, "SELECT level, idx, hash FROM timeline_merkle")
    return {(level, index): bytes(hash_) for level, index, hash_ in rows}


def tree_built_afresh(log):
    """The nodes a tree built from the log's records has at the stored levels."""
    tree = MerkleTree([leaf_hash(bytes.fromhex(r.hash)) for r in log.read()])
    n = len(log)
    keys = [(lvl, i) for lvl in range(STORED_LEVEL, n.bit_length()) for i in range(n >> lvl)]
    return tree.nodes(keys) if keys else {}


@pytest.mark.postgres
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    turns=st.lists(
        st.tuples(st.integers(0, 1), st.sampled_from(["talks", "strikes"]), st.integers(1, 20)),
        min_size=1,
        max_size=12,
    )
)
def test_two_writers_taking_turns_see_each_others_versions_and_grow_one_tree(schemas, turns):
    """What an append reads with the lock (the stream's version, the tree's edge after the
    other writer's appends) is what is stored then: each append states the version it
    expects, and the stored tree is the one built afresh from the records."""
    url = schemas()
    with PostgresLog(url) as a, PostgresLog(url) as b:
        versions = {"talks": 0, "strikes": 0}
        n = 0
        for which, stream, count in turns:
            (a, b)[which].append(
                statements(count, start=n), stream=stream, expected_version=versions[stream]
            )
            versions[stream] += count
            n += count
        with pytest.raises(tl.ConcurrencyError):  # a version one behind is refused
            b.append(statements(1), stream=stream, expected_version=versions[stream] - 1)
        assert stored_tree(url) == tree_built_afresh(a)
        key = SigningKey.generate()
        assert (
            a.checkpoint(key).root
            == b.checkpoint(key).root
            == MerkleTree([leaf_hash(bytes.fromhex(r.hash)) for r in b.read()]).root()
        )
        assert a.streams() == {stream: v for stream, v in versions.items() if v}


@pytest.mark.postgres
def test_a_tree_node_deleted_while_another_writer_appends_is_damage(schemas):
    """The writer whose edge of the tree is stale reads it with the lock; a node missing
    there is found as a read finds it, and nothing is written on top."""
    url = schemas()
    with PostgresLog(url) as a, PostgresLog(url) as b:
        for _ in range(3):  # a's edge goes stale each turn, so it reads the edge with the lock
            a.append(statements(16), stream="s")
            b.append(statements(16), stream="s")
        sql(url, "DELETE FROM timeline_merkle WHERE level = 5 AND idx = 2")
        with pytest.raises(tl.CorruptLog, match=r"no node \(5, 2\)"):
            a.append(statements(1), stream="s")
        assert len(a) == 96


@pytest.mark.postgres
@pytest.mark.parametrize("copy_from", [1, 1_000])
def test_the_trees_nodes_are_stored_and_each_append_notifies_once(schemas, monkeypatch, copy_from):
    """The new nodes go in one statement with the notice after a COPY of the records, or by
    COPY of their own (from ``_COPY_FROM`` nodes): the same tree, one notice an append."""
    monkeypatch.setattr(_postgres_merkle, "_COPY_FROM", copy_from)
    url = schemas()
    with PostgresLog(url) as a, PostgresLog(url) as b, psycopg.connect(url, autocommit=True) as ear:
        ear.execute(psycopg.sql.SQL("LISTEN {}").format(psycopg.sql.Identifier(a.channel)))
        for start, count, log in ((0, 40, a), (40, 3, b), (43, 37, a), (80, 1, b)):
            log.append(statements(count, start=start), stream="s")
        heard = [n.payload for n in ear.notifies(timeout=5, stop_after=4)]
        assert heard == ["40", "43", "80", "81"]
        assert stored_tree(url) == tree_built_afresh(b)


@pytest.mark.postgres
def test_a_duplicate_from_another_writer_is_refused_by_the_constraint(pg_url):
    [ev, other] = statements(2)
    with PostgresLog(pg_url) as a, PostgresLog(pg_url) as b:
        a.append([ev], stream="s")
        with pytest.raises(tl.DuplicateEvent) as caught:
            b.append([other, ev], stream="elsewhere")
        assert caught.value.event_id == ev.event_id
        assert other.event_id not in b
        assert len(b) == 1
        assert [r.position for r in b.append([other], stream="elsewhere")] == [2]
        assert b.verify().ok


@pytest.mark.postgres
def test_concurrent_writers_keep_positions_gap_free_and_in_commit_order(pg_url):
    """Four threads, each with its own log object, append to a shared stream with retries."""
    writers, appends = 4, 15
    failures = []

    def write(n):
        try:
            with PostgresLog(pg_url) as log:
                for i in range(appends):
                    batch = statements(2, start=i, speaker=f"writer {n}")
                    while True:
                        try:
                            log.append(
                                batch,
                                stream="shared",
                                expected_version=log.stream_version("shared"),
                            )
                            break
                        except tl.ConcurrencyError:
                            continue
                    log.append(statements(1, start=i, speaker=f"own {n}"), stream=f"own/{n}")
        except Exception as e:  # pragma: no cover  # reported by the assert below  # noqa: BLE001
            failures.append(e)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    total = writers * appends * 3
    with PostgresLog(pg_url) as log:
        records = list(log.read())
        assert [r.position for r in records] == list(range(1, total + 1))
        assert log.streams() == {"shared": writers * appends * 2} | {
            f"own/{n}": appends for n in range(writers)
        }
        assert log.verify().ok
    # Each append's rows share a transaction; transactions commit in position order.
    commits = sql(
        pg_url,
        "SELECT position, pg_xact_commit_timestamp(xmin) FROM timeline_events ORDER BY position",
    )
    if commits[0][1] is None:
        pytest.skip("the server does not track commit timestamps (track_commit_timestamp)")
    stamps = [at for _, at in commits]
    assert stamps == sorted(stamps)


# -- reading -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many():
    """A log of 4,500 records (more than two read pages), with many ties in occurred_at."""
    base = os.environ.get("TIMELINE_PG_URL")
    if not base:
        reason = "needs a PostgreSQL server: set TIMELINE_PG_URL (see .ci/postgres.sh)"
        if os.getenv("TIMELINE_PG_REQUIRED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"test_{uuid.uuid4().hex[:16]}"
    sql(base, f"CREATE SCHEMA {name}")
    log = PostgresLog(schema_url(base, name), clock=FixedClock(T0))
    kinds = [tl.Statement, tl.DroneBarrage]
    for start in range(0, 4500, 500):
        batch = [
            tl.Statement(occurred_at=T0.add(minutes=i % 37), speaker="A", text=str(i))
            if i % 3
            else kinds[1](occurred_at=T0.add(minutes=i % 37), launched=i)
            for i in range(start, start + 500)
        ]
        log.append(batch, stream=f"s{start // 500 % 3}")
    yield log
    log.close()
    sql(base, f"DROP SCHEMA {name} CASCADE")


@pytest.mark.postgres
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_reads_across_pages_agree_with_the_full_read(many, data):
    full = getattr(many, "_full", None)
    if full is None:
        full = many._full = list(many.read())  # cached on the fixture's log
    after = data.draw(st.sampled_from([0, 1, 1999, 2000, 2001, 4499, 4500]), label="after")
    stream = data.draw(st.none() | st.sampled_from(["s0", "s1", "s2"]), label="stream")
    types = data.draw(
        st.none()
        | st.lists(st.sampled_from(["diplomacy.statement", "military.drone_barrage"]), max_size=2),
        label="types",
    )
    order = data.draw(st.sampled_from(["recorded", "occurred"]), label="order")
    low = data.draw(st.none() | st.integers(0, 36).map(lambda m: T0.add(minutes=m)), label="low")
    expected = [
        r
        for r in full
        if r.position > after
        and (stream is None or r.stream == stream)
        and (types is None or r.event.TYPE in types)
        and (low is None or r.event.occurred_at > low)
    ]
    if order == "occurred":
        expected.sort(key=lambda r: (r.event.occurred_at, r.position))
    got = many.read(after, stream=stream, types=types, order=order, occurred_after=low)
    assert [r.position for r in got] == [r.position for r in expected]


@pytest.mark.postgres
def test_position_at_and_verify_on_many_records(many):
    assert many.verify().checked == 4500
    assert many.position_at(T0) == 4500
    assert many.position_at(T0.subtract(seconds=1)) == 0


# -- hostile input: SQL metacharacters are data --------------------------------------------------

HOSTILE = [
    "x'; DROP TABLE timeline_events; --",
    'talks" OR "1"="1',
    "%s %(name)s {events} \\ ' \" ;",
    "истанбул/переговори",
]


@pytest.mark.postgres
def test_sql_metacharacters_in_streams_and_filters_are_just_data(log, pg_url):
    for i, stream in enumerate(HOSTILE):
        log.append(statements(2, start=i), stream=stream)
    assert log.streams() == dict.fromkeys(HOSTILE, 2)
    for stream in HOSTILE:
        assert [r.stream for r in log.read(stream=stream)] == [stream, stream]
        assert [r.stream for r in log.read(stream=stream, order="occurred")] == [stream, stream]
        assert log.stream_version(stream) == 2
        assert list(log.read(types=[stream])) == []
    assert list(log.read(stream="talks")) == []
    assert sql(pg_url, "SELECT count(*) FROM timeline_events") == [(2 * len(HOSTILE),)]
    assert log.verify().ok


@pytest.mark.postgres
@pytest.mark.parametrize("stream", ["nul\x00inside", "lone \ud800 surrogate"])
def test_a_stream_postgresql_cannot_store_is_refused_and_matches_nothing(log, stream):
    log.append(statements(1), stream="talks")
    with pytest.raises(tl.InvalidArgument) as caught:
        log.append(statements(1, start=1), stream=stream)
    assert caught.value.argument == "stream"
    assert list(log.read(stream=stream)) == []
    assert list(log.read(types=[stream])) == []
    assert len(log) == 1


@pytest.mark.postgres
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stream=st.text(min_size=1, max_size=40).filter(str.strip))
def test_any_stream_name_is_stored_and_read_back_as_given(log, stream):
    if "\x00" in stream:
        with pytest.raises(tl.InvalidArgument):
            log.append(statements(1), stream=stream)
        return
    version = log.stream_version(stream)
    [record] = log.append(statements(1), stream=stream, expected_version=version)
    assert record.version == version + 1
    assert [r.position for r in log.read(stream=stream)][-1] == record.position
    assert log.get(record.event.event_id) == record


# -- damage --------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("damage", "position", "reason"),
    [
        (
            "UPDATE timeline_events SET payload = payload || ' '::bytea WHERE position = 3",
            3,
            "hash",
        ),
        ("UPDATE timeline_events SET stream = 'other' WHERE position = 2", 2, "hash"),
        ("DELETE FROM timeline_events WHERE position = 4", 4, "missing or reordered"),
        ("UPDATE timeline_events SET type = 'x.y' WHERE position = 5", 5, "stored type"),
    ],
)
def test_verify_names_the_first_damaged_position(log, pg_url, damage, position, reason):
    log.append(statements(6), stream="s")
    sql(pg_url, damage)
    report = log.verify()
    assert (report.ok, report.position, report.checked) == (False, position, position - 1)
    assert reason in report.reason


# -- LISTEN / NOTIFY -------------------------------------------------------------------------


@pytest.mark.postgres
def test_wait_delivers_another_writers_appends_to_subscriptions(pg_url):
    with PostgresLog(pg_url) as writer, PostgresLog(pg_url) as reader:
        seen = []
        reader.subscribe(lambda r: seen.append(r.position))
        assert reader.wait(0) == 0
        assert reader.wait(0.05) == 0
        writer.append(statements(2), stream="s")
        assert seen == []  # another object's append: delivered on notification
        assert reader.wait(30) == 2
        assert seen == [1, 2]
        writer.append(statements(1, start=2), stream="s")
        writer.append(statements(1, start=3), stream="s")
        moved = reader.wait(30)
        moved += reader.wait(0)
        assert (moved, seen) == (2, [1, 2, 3, 4])


@pytest.mark.postgres
def test_a_live_projection_follows_appends_made_by_another_process(pg_url):
    with PostgresLog(pg_url) as log:
        live = tl.LiveProjection(log, tl.Escalation())
        assert log.wait(0) == 0
        script = textwrap.dedent(
            f"""
            import pendulum, timeline as tl
            with tl.open_log({pg_url!r}) as log:
                for night, launched in ((1, 472), (2, 80), (3, 355)):
                    at = pendulum.datetime(2025, 6, night, 22)
                    log.append([tl.DroneBarrage(occurred_at=at, launched=launched)],
                               stream="air")
            """
        )
        command = [sys.executable, "-c", script]  # this interpreter, the fixed script above
        subprocess.run(command, check=True, timeout=120)  # noqa: S603  # see above
        while live.position < 3:
            assert log.wait(30) > 0, "no notification within 30 s"
        assert live.state == tl.replay(log, tl.Escalation())
        assert live.state.drones.launched == 472 + 80 + 355


@pytest.mark.postgres
def test_follow_delivers_from_a_thread_of_the_logs_own(pg_url):
    with PostgresLog(pg_url) as writer, PostgresLog(pg_url) as reader:
        arrived = threading.Event()
        seen = []

        def take(record):
            seen.append((record.position, threading.current_thread().name))
            if len(seen) == 3:
                arrived.set()

        reader.subscribe(take)
        reader.follow(interval=0.1)
        reader.follow()  # idempotent
        writer.append(statements(3), stream="s")
        assert arrived.wait(30)
        assert [p for p, _ in seen] == [1, 2, 3]
        assert {name for _, name in seen} == {f"timeline-follow-{reader.schema}"}
    assert not reader._following  # close stopped the thread


@pytest.mark.postgres
def test_wait_refuses_a_negative_timeout(log):
    with pytest.raises(tl.InvalidArgument) as caught:
        log.wait(-1)
    assert caught.value.argument == "timeout"


# -- copy between SQLite and PostgreSQL --------------------------------------------------------


def envelope(log):
    return [(r.position, r.stream, r.version, r.recorded_at, r.hash, r.event) for r in log.read()]


@pytest.mark.postgres
def test_copy_between_sqlite_and_postgresql_keeps_every_record_and_hash(
    example, pg_url, tmp_path, capsys
):
    source = tmp_path / "istanbul.db"
    with tl.open_log(source) as log:
        example.record(log)
        expected = envelope(log)
        answers = example.answers(log)
    assert timeline_main(["copy", str(source), pg_url, "--no-progress"]) == 0
    back = tmp_path / "back.db"
    assert timeline_main(["copy", pg_url, str(back), "--no-progress"]) == 0
    out = capsys.readouterr().err.splitlines()  # copy reports on stderr
    assert [line.split(";")[1] for line in out] == [" every hash matches"] * 2
    for url in (pg_url, back):
        with tl.open_log(url) as copied:
            assert envelope(copied) == expected
            assert copied.verify().ok
            assert example.answers(copied) == answers


# -- a read-only role --------------------------------------------------------------------------


@pytest.fixture
def role(pg_url):
    """A role of the test's own, made with LOGIN only; dropped (with its grants) afterwards."""
    name = login_role(pg_url)
    yield name
    drop_role(pg_url, name)


@pytest.mark.postgres
def test_a_read_only_role_reads_and_verifies_but_cannot_append_or_alter(log, pg_url, role):
    records = log.append(statements(3), stream="talks")
    store = tl.snapshot_store(log)
    tl.take_snapshot(log, tl.Chronology(), store=store)
    schema = log.schema
    # The GRANTs of docs/postgres.md, "A read-only role".
    sql(pg_url, f"GRANT USAGE ON SCHEMA {schema} TO {role}")
    sql(pg_url, f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}")
    with PostgresLog(as_role(pg_url, role)) as reader:
        assert list(reader.read()) == records
        assert reader.verify().ok
        assert reader.wait(0) == 0  # it may LISTEN
        assert tl.replay(reader, tl.Chronology(), snapshots=tl.snapshot_store(reader)) == (
            tl.replay(log, tl.Chronology())
        )
        with pytest.raises(tl.TimelineError, match="permission denied"):
            reader.append(statements(1, start=3), stream="talks")
        for statement in (
            "UPDATE timeline_events SET stream = 'x'",
            "DELETE FROM timeline_events",
            "ALTER TABLE timeline_events ADD COLUMN x int",
            "TRUNCATE timeline_events",
        ):
            with (
                pytest.raises(tl.TimelineError, match=r"permission denied|must be owner"),
                reader.connection() as conn,
            ):
                conn.execute(statement)
    assert list(log.read()) == records
    assert len(log) == 3
    assert log.verify().ok


@pytest.mark.postgres
def test_a_writer_role_with_select_and_insert_only_appends_but_cannot_rewrite(log, pg_url, role):
    log.append(statements(1), stream="talks")
    schema = log.schema
    # The GRANTs of docs/postgres.md, "A writer role": no UPDATE, DELETE or TRUNCATE on the
    # events.
    sql(pg_url, f"GRANT USAGE ON SCHEMA {schema} TO {role}")
    sql(pg_url, f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}")
    sql(pg_url, f"GRANT INSERT ON {schema}.timeline_events TO {role}")
    sql(pg_url, f"GRANT UPDATE ON {schema}.timeline_lock TO {role}")  # to lock its row
    with PostgresLog(as_role(pg_url, role)) as writer:
        assert [r.position for r in writer.append(statements(2, start=1), stream="talks")] == [2, 3]
        with (
            pytest.raises(tl.TimelineError, match="permission denied"),
            writer.connection() as conn,
        ):
            conn.execute("DELETE FROM timeline_events WHERE position = 3")
    assert log.verify().ok
    assert len(log) == 3


@pytest.mark.postgres
def test_roles_that_may_not_write_the_tree_append_and_prove_with_it_in_memory(log, pg_url, role):
    pytest.importorskip("cryptography")
    key = SigningKey.generate()
    log.append(statements(5), stream="talks")
    schema = log.schema
    # docs/postgres.md's writer role of before the tree: INSERT on the events only.
    sql(pg_url, f"GRANT USAGE ON SCHEMA {schema} TO {role}")
    sql(pg_url, f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}")
    sql(pg_url, f"GRANT INSERT ON {schema}.timeline_events TO {role}")
    sql(pg_url, f"GRANT UPDATE ON {schema}.timeline_lock TO {role}")  # to lock its row
    with PostgresLog(as_role(pg_url, role)) as writer:
        writer.append(statements(40, start=5), stream="talks")  # completes stored levels
        assert writer.merkle_count(4) is None
        checkpoint = writer.checkpoint(key)
    assert log.merkle_count(4) == 0  # left behind by the writer: completed on first use
    assert log.checkpoint(key).root == checkpoint.root
    assert log.merkle_count(4) == 45 >> 4
    assert log.verify(against=checkpoint).ok
