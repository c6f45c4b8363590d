"""Salvage always finishes: whatever the damage, it copies the intact prefix, keeps the intact
records after the damage (``--quarantine``), skips the rest with reasons, and the counts add up.

Each damage here made the old salvage stop half-way (``UnknownEventType``, exit 1) or
recover nothing (a SQLite file cut short was refused at open).
"""

import datetime as dt
import os
import shutil
import sqlite3
from pathlib import Path

import orjson
import pytest
import robustness_damage as damage
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.clitools import Cli
from timeline import FixedClock, InvalidArgument, Statement, open_log
from timeline.log import MemoryLog, chain_hash, salvage, salvage_file
from timeline.log._sqlite_pages import scan_pages

TYPE = b'"type":"diplomacy.statement"'
BAD_TYPE = b'"type":"diplomacy.stbtement"'


@pytest.fixture
def cli(tmp_path):
    return Cli(tmp_path)


def rows(url):
    db = sqlite3.connect(url)
    try:
        return db.execute(
            "SELECT position, stream, version, recorded_at, payload, hash FROM events"
            " ORDER BY position"
        ).fetchall()
    finally:
        db.close()


def set_payload(url, position, payload, *, rehash):
    """Write a payload at ``position``; with ``rehash``, re-chain every hash from there."""
    db = sqlite3.connect(url, isolation_level=None)
    try:
        db.execute("UPDATE events SET payload = ? WHERE position = ?", (payload, position))
        if rehash:  # a forger keeps the index column in step, too
            db.execute(
                "UPDATE events SET type = json_extract(payload, '$.type') WHERE position = ?",
                (position,),
            )
            stored = db.execute(
                "SELECT position, stream, version, recorded_at, payload, hash FROM events"
                " ORDER BY position"
            ).fetchall()
            previous = stored[position - 2][5] if position > 1 else "0" * 64
            for p, s, v, r, body, _ in stored[position - 1 :]:
                previous = chain_hash(previous, p, s, v, r, body)
                db.execute("UPDATE events SET hash = ? WHERE position = ?", (previous, p))
    finally:
        db.close()


def damage_type_tag(url, position):
    """Change the event's type tag at ``position`` (the record's hash is left as it was)."""
    if damage.kind_of(url) == "jsonl":
        lines = Path(url).read_bytes().splitlines(keepends=True)
        assert TYPE in lines[position - 1]
        lines[position - 1] = lines[position - 1].replace(TYPE, BAD_TYPE)
        Path(url).write_bytes(b"".join(lines))
    else:
        payload = rows(url)[position - 1][4]
        set_payload(url, position, payload.replace(TYPE, BAD_TYPE), rehash=False)


def quarantined(path):
    return [orjson.loads(line) for line in Path(path).read_bytes().splitlines()]


def assert_adds_up(report, stored):
    assert report.copied + report.kept_after + len(report.skipped) == stored
    assert report.left_behind == report.kept_after + len(report.skipped)


@pytest.mark.parametrize("kind", ["jsonl", "sqlite"])
def test_damage_on_a_type_tag_is_skipped_and_the_rest_kept(cli, url_for, tmp_path, kind):
    source, target = url_for(kind, "source"), url_for("sqlite", "target")
    originals = damage.build(source)
    damage_type_tag(source, 4)
    quarantine = tmp_path / "after.jsonl"
    done = cli.quick("salvage", source, target, "--quarantine", str(quarantine))
    assert (done.returncode, done.stdout) == (0, ""), done.stderr  # the report: stderr
    assert "salvaged 3 records" in done.stderr
    assert f"kept 3 intact records after the damage in {quarantine}" in done.stderr
    assert "position 4: hash mismatch" in done.stderr
    with open_log(target) as log:
        assert log.verify().ok
        assert list(log.read()) == originals[:3]
    kept = quarantined(quarantine)
    assert [(r["position"], r["hash"]) for r in kept] == [
        (o.position, o.hash) for o in originals[4:]
    ]


def test_an_undecodable_record_whose_chain_verifies_ends_the_prefix(url_for, tmp_path):
    """A type tag changed and the chain re-hashed after it: the chain verifies, the event
    cannot be decoded. The old salvage raised ``UnknownEventType`` here, half-way."""
    source, target = url_for("sqlite", "source"), url_for("sqlite", "target")
    originals = damage.build(source)
    set_payload(source, 4, rows(source)[3][4].replace(TYPE, BAD_TYPE), rehash=True)
    with open_log(source) as log, open_log(target) as copy:
        assert log.verify().ok
        report = salvage(log, copy, quarantine=tmp_path / "q.jsonl")
        assert copy.verify().ok
        assert list(copy.read()) == originals[:3]
    assert (report.copied, report.first_bad) == (3, 4)
    assert report.reason.startswith("cannot be decoded: unknown event type 'diplomacy.stbtement'")
    assert [s.position for s in report.skipped] == [4]
    # positions 5-7 were re-hashed: intact by their own chain, so kept
    assert [r["position"] for r in quarantined(tmp_path / "q.jsonl")] == [5, 6, 7]
    assert_adds_up(report, damage.COUNT)


@pytest.mark.parametrize("kind", ["jsonl", "sqlite"])
def test_a_changed_payload_a_deleted_and_a_swapped_record(url_for, tmp_path, kind):
    source = url_for(kind, "source")
    originals = damage.build(source)
    damage.flip(source, 2)  # position 2 changed: skipped; 3 still links to its stored hash
    damage.delete(source, 5)  # 6 cannot be checked: nothing at 5 precedes it
    with open_log(source) as log:
        report = salvage(log, MemoryLog(), quarantine=tmp_path / "q.jsonl")
    assert (report.copied, report.first_bad) == (1, 2)
    assert [(s.position, s.reason.split(":")[0]) for s in report.skipped] == [
        (2, "hash mismatch"),
        (6, "cannot be checked"),
    ]
    assert [r["hash"] for r in quarantined(tmp_path / "q.jsonl")] == [
        originals[2].hash,
        originals[3].hash,
        originals[6].hash,
    ]
    assert_adds_up(report, damage.COUNT - 1)


def test_without_a_quarantine_the_intact_records_after_the_damage_are_counted(cli, url_for):
    source, target = url_for("jsonl", "source"), url_for("sqlite", "target")
    damage.build(source)
    damage.flip(source, 4)
    done = cli.quick("salvage", source, target)
    assert done.returncode == 0, done.stderr
    assert "3 intact records after the damage not kept (name --quarantine FILE" in done.stderr
    json_done = cli.quick("salvage", source, url_for("sqlite", "other"), "--format", "json")
    report = orjson.loads(json_done.stdout)
    assert (report["copied"], report["kept_after"], report["left_behind"]) == (3, 3, 4)
    assert report["skipped"] == [
        {"position": 4, "reason": "hash mismatch: the record or one before it was changed"}
    ]


def test_a_quarantine_file_that_exists_is_refused_and_left_alone(url_for, tmp_path):
    source = url_for("jsonl", "source")
    damage.build(source)
    existing = tmp_path / "q.jsonl"
    existing.write_text("mine\n")
    target = MemoryLog()
    with open_log(source) as log, pytest.raises(InvalidArgument, match="exists already"):
        salvage(log, target, quarantine=existing)
    assert existing.read_text() == "mine\n"
    assert len(target) == 0


def test_a_record_the_target_refuses_ends_the_prefix(url_for, tmp_path):
    source = url_for("jsonl", "source")
    originals = damage.build(source)

    def refuse_e3(_log, events):
        if any(getattr(e, "text", "") == "e3" for e in events):
            raise InvalidArgument("no e3 here", argument="events", value=events)

    target = MemoryLog(guards=[refuse_e3])
    with open_log(source) as log:
        report = salvage(log, target, quarantine=tmp_path / "q.jsonl")
    assert (report.copied, report.first_bad) == (2, 3)
    assert report.reason == "the target refused it: no e3 here"
    assert list(target.read()) == originals[:2]
    assert [r["position"] for r in quarantined(tmp_path / "q.jsonl")] == [3, 4, 5, 6, 7]
    assert_adds_up(report, damage.COUNT)


# -- a SQLite file cut short --------------------------------------------------------------

T0 = damage.T0


@pytest.fixture(scope="module")
def big_sqlite(tmp_path_factory):
    """A SQLite log of 600 records, some large enough to spill onto overflow pages."""
    path = tmp_path_factory.mktemp("big") / "big.db"
    clock = FixedClock(T0, tick=dt.timedelta(seconds=1))
    with open_log(path, clock=clock) as log:
        for batch in range(12):
            events = [
                Statement(
                    occurred_at=T0,
                    speaker="Hakan Fidan",
                    text=f"{batch}-{i} " + "x" * (9000 if i % 17 == 0 else 200),
                )
                for i in range(50)
            ]
            log.append(events, stream=f"s{batch % 3}")
        records = list(log.read())
    return path, records


def test_the_pages_of_an_intact_file_hold_exactly_its_rows(big_sqlite):
    path, _ = big_sqlite
    scan, found = scan_pages(path)
    assert [tuple(r)[:6] for r in found] == rows(str(path))
    assert (scan.rows, scan.stale, scan.cut_short) == (600, 0, False)


def test_the_pages_of_the_write_ahead_log_are_read_too(tmp_path):
    path = tmp_path / "wal.db"
    log = open_log(path, clock=FixedClock(T0))
    try:  # kept open: its appends are still in the -wal file, not yet in the main file
        log.append(
            [Statement(occurred_at=T0, speaker="A", text=f"t{i}") for i in range(30)], stream="s"
        )
        assert Path(f"{path}-wal").stat().st_size > 0
        _, found = scan_pages(path)
        assert [tuple(r)[:6] for r in found] == rows(str(path))
    finally:
        log.close()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fraction=st.floats(0.0, 0.999))
def test_a_sqlite_file_cut_at_any_byte_gives_what_its_pages_hold(
    big_sqlite, tmp_path_factory, fraction
):
    path, originals = big_sqlite
    folder = tmp_path_factory.mktemp("cut")
    cut = folder / "cut.db"
    shutil.copy(path, cut)
    os.truncate(cut, int(path.stat().st_size * fraction))
    target = MemoryLog()
    report = salvage_file(cut, target, quarantine=folder / "q.jsonl")
    assert target.verify().ok
    assert list(target.read()) == originals[: report.copied]
    kept = quarantined(folder / "q.jsonl")
    assert {r["hash"] for r in kept} <= {o.hash for o in originals}
    if report.copied < len(originals):
        assert report.first_bad == report.copied + 1
        assert report.reason
    assert not report.complete  # a file cut short is never reported whole
    assert report.notes[0].startswith("read page by page")
    assert_adds_up(report, report.copied + report.kept_after + len(report.skipped))
    if fraction < 0.001:
        assert "no record could be read from the file's pages" in report.notes


@pytest.mark.parametrize("fraction", [0.0, 0.001, 0.3, 0.6, 0.97])
def test_the_command_salvages_a_sqlite_file_that_does_not_open(cli, big_sqlite, tmp_path, fraction):
    path, originals = big_sqlite
    cut = tmp_path / "cut.db"
    shutil.copy(path, cut)
    os.truncate(cut, int(path.stat().st_size * fraction))
    target = tmp_path / "rescued.db"
    done = cli.quick("salvage", str(cut), str(target), "--quarantine", str(tmp_path / "q.jsonl"))
    assert (done.returncode, done.stdout) == (0, ""), done.stderr  # the report: stderr
    assert "note: read page by page" in done.stderr
    with open_log(target) as log:
        assert log.verify().ok
        copied = list(log.read())
    assert copied == originals[: len(copied)]
    if fraction >= 0.3:
        assert copied  # the first pages hold the first records
    if fraction <= 0.001:
        assert "no record could be read from the file's pages" in done.stderr


# -- a JSON-lines file cut short ------------------------------------------------------------


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(0, 4000), where=st.integers(0, 4000))
def test_a_jsonl_file_cut_or_garbled_anywhere_is_salvaged(tmp_path_factory, cut, where):
    folder = tmp_path_factory.mktemp("jsonl")
    source = str(folder / "log.jsonl")
    originals = damage.build(source)
    data = bytearray(Path(source).read_bytes())
    if where < len(data):
        data[where] ^= 0x20  # one bit of one byte, somewhere
    data = data[: max(len(data) - cut, 0)]
    Path(source).write_bytes(bytes(data))
    target = MemoryLog()
    report = salvage_file(source, target, quarantine=folder / "q.jsonl")
    assert target.verify().ok
    assert list(target.read()) == originals[: report.copied]
    kept = quarantined(folder / "q.jsonl")
    assert {r["hash"] for r in kept} <= {o.hash for o in originals}
    lines = data.count(b"\n") + (bool(data) and not data.endswith(b"\n"))  # a cut line too
    assert report.copied + report.kept_after + len(report.skipped) == lines
