"""``timeline salvage SRC DST``: the intact prefix of a damaged log, copied into a new one.

Run through the command as users run it (``Cli`` from tests/cli), from and to every backend.
"""

import pytest
import robustness_damage as damage

from cli.clitools import Cli
from timeline import FixedClock, Statement, open_log
from timeline.log import MemoryLog, SalvageReport, Skipped, salvage

PAIRS = [
    pytest.param("sqlite", "jsonl", id="sqlite-to-jsonl"),
    pytest.param("jsonl", "sqlite", id="jsonl-to-sqlite"),
    pytest.param("postgres", "sqlite", id="postgres-to-sqlite", marks=pytest.mark.postgres),
    pytest.param("sqlite", "postgres", id="sqlite-to-postgres", marks=pytest.mark.postgres),
]


@pytest.fixture
def cli(tmp_path):
    return Cli(tmp_path)


def assert_copied(url, originals):
    with open_log(url) as log:
        assert log.verify().ok
        assert list(log.read()) == originals


@pytest.mark.parametrize(("source_kind", "target_kind"), PAIRS)
def test_a_damaged_log_is_salvaged_up_to_its_first_bad_position(
    cli, url_for, source_kind, target_kind
):
    source, target = url_for(source_kind, "source"), url_for(target_kind, "target")
    originals = damage.build(source)
    damage.flip(source, 4)
    before = damage.stored(source)
    done = cli.quick("salvage", source, target)
    assert (done.returncode, done.stdout) == (0, ""), done.stderr  # the report: stderr
    assert f"salvaged 3 records from {source} to {target}; head {originals[2].hash[:16]}" in (
        done.stderr
    )
    assert "left behind: 4 stored records from position 4 on" in done.stderr
    assert "hash mismatch" in done.stderr
    assert_copied(target, originals[:3])
    assert damage.stored(source) == before  # the source is only read


def test_an_intact_log_is_copied_whole(cli, url_for):
    source, target = url_for("jsonl", "source"), url_for("sqlite", "target")
    originals = damage.build(source)
    done = cli("salvage", source, target)  # once in a real process
    assert (done.returncode, done.stdout) == (0, "")  # the report: stderr
    assert done.stderr.splitlines() == [
        f"salvaged 7 records from {source} to {target}; head {originals[-1].hash[:16]}",
        f"{source} is intact: nothing was left behind",
    ]
    assert_copied(target, originals)


def test_a_torn_jsonl_tail_is_left_behind_whole(cli, url_for):
    source, target = url_for("jsonl", "source"), url_for("sqlite", "target")
    originals = damage.build(source)
    with open(source, "rb+") as f:  # noqa: PTH123  # cut inside the last line
        f.truncate(len(f.read()) - 30)
    done = cli.quick("salvage", source, target)
    assert done.returncode == 0, done.stderr
    assert "salvaged 5 records" in done.stderr
    assert "left behind: 2 stored records from position 6 on" in done.stderr  # its append
    assert "interrupted" in done.stderr
    assert_copied(target, originals[:5])
    with open_log(target) as log:  # the salvaged log carries on from its head
        [record] = log.append(
            [Statement(occurred_at=damage.T0, speaker="Hakan Fidan", text="again")],
            stream="a",
            expected_version=2,
        )
        assert (record.position, record.version) == (6, 3)
        assert log.verify().ok


def test_a_target_that_holds_records_is_refused_and_left_alone(cli, url_for):
    source, target = url_for("sqlite", "source"), url_for("jsonl", "target")
    damage.build(source)
    damage.build(target)
    before = damage.stored(target)
    done = cli.quick("salvage", source, target)
    assert done.returncode == 1
    assert "already holds 7 records; salvage needs an empty (or new) log" in done.stderr
    assert damage.stored(target) == before


def test_the_same_log_twice_or_a_missing_source_is_refused(cli, url_for):
    source = url_for("sqlite", "source")
    damage.build(source)
    before = damage.stored(source)
    same = cli.quick("salvage", source, source)
    assert same.returncode == 2
    assert "same log" in same.stderr
    missing = cli.quick("salvage", url_for("sqlite", "nothing"), url_for("sqlite", "target"))
    assert missing.returncode == 1
    assert "no log at" in missing.stderr
    assert damage.stored(source) == before


def test_the_report_says_what_was_left():
    source = MemoryLog(clock=FixedClock(damage.T0))
    events = [Statement(occurred_at=damage.T0, speaker="A", text=f"t{i}") for i in range(3)]
    records = source.append(events, stream="s")
    source._payloads[1] = source._payloads[1].replace(b"t1", b"u1")  # damage position 2
    target = MemoryLog()
    report = salvage(source, target)
    mismatch = "hash mismatch: the record or one before it was changed"
    assert report == SalvageReport(
        copied=1,
        head=records[0].hash,
        first_bad=2,
        reason=mismatch,
        left_behind=2,
        kept_after=1,  # position 3: its hash still follows from position 2's stored hash
        skipped=(Skipped(2, mismatch),),
    )
    assert not report.complete
    assert list(target.read()) == records[:1]
