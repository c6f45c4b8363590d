"""Damage on every backend: verify names the first bad position, reading up to it works,
and nothing is ever rewritten by opening, reading or verifying.

tests/log/test_jsonl.py and test_sqlite.py check each kind of damage on their backend; here
the same damage is done to SQLite, JSON-lines and PostgreSQL alike and checked the same way,
and two properties try every cut of a JSON-lines file and random bytes of a SQLite file.
"""

import sqlite3
import tempfile
from pathlib import Path

import pytest
import robustness_damage as damage
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from robustness_params import PERSISTENT

from timeline import CorruptLog, TimelineError, open_log
from timeline.log.jsonl import JsonlLog


def read_until_damage(log):
    """The records ``read()`` yields before it stops (at the end, or at damage)."""
    records = []
    try:
        records.extend(log.read())
    except CorruptLog as e:
        return records, e.position
    return records, None


def assert_damage_named(url, originals, position):
    """verify names ``position``; the records before it read back as they were; no writes."""
    before = damage.stored(url)
    with open_log(url) as log:
        report = log.verify()
        assert (report.ok, report.position, report.checked) == (False, position, position - 1)
        assert report.reason
        records, _ = read_until_damage(log)
        assert records[: position - 1] == originals[: position - 1]
    assert damage.stored(url) == before  # opening, reading, verifying changed nothing
    return report


@pytest.fixture(params=PERSISTENT)
def built(request, url_for):
    url = url_for(request.param)
    return url, damage.build(url)


@pytest.mark.parametrize("position", [1, 4, 7])
def test_a_flipped_bit_is_named(built, position):
    url, originals = built
    damage.flip(url, position)
    report = assert_damage_named(url, originals, position)
    assert "hash" in report.reason


@pytest.mark.parametrize("position", [1, 4])
def test_a_deleted_record_is_named(built, position):
    url, originals = built
    damage.delete(url, position)
    assert_damage_named(url, originals, position)


@pytest.mark.parametrize("position", [1, 3, 5])
def test_swapped_records_are_named(built, position):
    url, originals = built
    damage.swap(url, position)
    assert_damage_named(url, originals, position)


def test_damage_after_damage_is_named_at_the_first(built):
    url, originals = built
    damage.flip(url, 6)
    damage.flip(url, 2)
    assert_damage_named(url, originals, 2)


@pytest.mark.parametrize("keep", [2, 5])
def test_losing_whole_appends_at_the_end_shows_only_in_the_head_hash(built, keep):
    # A hash chain cannot tell a log cut after a whole append from a shorter log: the
    # head hash (printed by 'timeline verify') is what to keep elsewhere and compare.
    url, originals = built
    damage.drop_tail(url, keep)
    with open_log(url) as log:
        assert log.verify().ok
        assert list(log.read()) == originals[:keep]
        assert log.head().hash == originals[keep - 1].hash != originals[-1].hash


@pytest.mark.parametrize("kind", [p for p in PERSISTENT if p.values[0] != "jsonl"])
def test_losing_part_of_an_append_in_a_table_is_a_shorter_log(kind, url_for):
    # Rows carry no commit marker: a table cut inside an append reads as a shorter log,
    # whose head hash differs from the one saved (a JSON-lines file reports it, below).
    url = url_for(kind)
    originals = damage.build(url)
    damage.drop_tail(url, 4)
    with open_log(url) as log:
        assert log.verify().ok
        assert log.head().hash == originals[3].hash


# -- every cut of a JSON-lines file ---------------------------------------------------------


def test_any_cut_of_a_jsonl_file_is_a_whole_append_prefix_or_named():
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.jsonl"
        originals = damage.build(str(path))
        data = path.read_bytes()
        lines = data.splitlines(keepends=True)
        ends = [sum(len(line) for line in lines[:k]) for k in range(len(lines) + 1)]
        append_ends = {0, 2, 5, 7}  # records before each append boundary
        for cut in range(len(data) + 1):
            path.write_bytes(data[:cut])
            whole = max(k for k in range(len(lines) + 1) if ends[k] <= cut)
            intact = max(k for k in append_ends if k <= whole)  # the whole appends before it
            with JsonlLog(path) as log:
                report = log.verify()
                records, stopped = read_until_damage(log)
            assert records == originals[:intact], cut
            if cut == ends[intact]:  # cut exactly after an append: a shorter log
                assert report.ok, cut
                assert stopped is None
            else:  # the append being cut is named at its first record
                assert (report.ok, report.position) == (False, intact + 1), cut
                assert stopped == intact + 1
            assert path.read_bytes() == data[:cut]


# -- random damage to a SQLite file ---------------------------------------------------------


def test_random_bytes_in_a_sqlite_file_are_named_or_harmless():
    """Whatever bytes change, only TimelineErrors escape; the records that verify are the
    log's own, read back, and opening, reading and verifying never write to the file."""
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template.db"
        originals = damage.build(str(template))
        original = template.read_bytes()

        @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(
            changes=st.lists(
                st.tuples(st.integers(0, len(original) - 1), st.integers(1, 255)),
                min_size=1,
                max_size=4,
            ),
            cut=st.none() | st.integers(1, len(original)),  # an empty file is a new log
        )
        def check(changes, cut):
            data = bytearray(original)
            for index, mask in changes:
                data[index] ^= mask
            data = bytes(data[:cut] if cut is not None else data)
            copy = Path(folder) / "copy.db"
            copy.write_bytes(data)
            for leftover in Path(folder).glob("copy.db-*"):
                leftover.unlink()
            try:
                with open_log(str(copy)) as log:
                    report = log.verify()
                    records, stopped = read_until_damage(log)
            except TimelineError:
                pass  # not openable: said so, as our error
            else:
                intact = len(records) if report.ok else report.checked
                assert records[:intact] == originals[:intact]  # what verifies is the log's own
                assert len(records) >= intact  # reading up to the damage works
                assert stopped is None or not report.ok
            assert copy.read_bytes() == data

        check()


def test_a_sqlite_file_cut_short_is_named_or_refused(tmp_path):
    path = tmp_path / "log.db"
    originals = damage.build(str(path))
    data = path.read_bytes()
    with sqlite3.connect(path) as db:
        page = db.execute("PRAGMA page_size").fetchone()[0]
    for pages in range(1, len(data) // page):
        path.write_bytes(data[: pages * page])
        try:
            with open_log(str(path)) as log:
                report = log.verify()
                records, _ = read_until_damage(log)
        except TimelineError:
            continue
        assert not report.ok or records == originals
        assert path.read_bytes() == data[: pages * page]
