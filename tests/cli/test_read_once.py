"""``list`` and ``why`` in table mode read the log once, and tell the same headlines as before."""

from __future__ import annotations

import pytest

import timeline as tl
from cli.clitools import BARRAGE_472, CORRECTION, EVENTS, LINK, Cli, jsonl


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    run = Cli(tmp_path_factory.mktemp("once"))
    assert run.quick("append", "--stream", "record", input=jsonl(EVENTS)).returncode == 0
    assert run.quick("append", "--stream", "notes", input=jsonl([LINK, CORRECTION])).returncode == 0
    return run


@pytest.fixture
def reads(linked, monkeypatch):
    """How many times the log is read (``read`` called), as a list of the calls' arguments."""
    with tl.open_log(linked.folder / "timeline.db") as log:
        kind = type(log)
    calls = []
    real = kind.read

    def counted(self, *args, **kwargs):
        calls.append((args, kwargs))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(kind, "read", counted)
    return calls


def test_list_as_a_table_reads_the_log_once(linked, reads):
    done = linked.quick("list")
    assert done.returncode == 0, done.stderr
    assert len(reads) == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 1 + len(EVENTS) + 2
    # told with every event: the correction names its target and the change
    correction = next(line for line in lines if "meta.correction" in line)
    assert "destroyed 210 → 211 (revised report)" in correction


@pytest.mark.parametrize(
    "args",
    [
        ("--type", "meta.correction"),
        ("--stream", "notes"),
        ("--after", "5", "--limit", "3"),
        ("--order", "occurred"),
        ("--order", "occurred", "--stream", "record", "--type", "DroneBarrage"),
    ],
)
def test_list_chooses_the_same_rows_from_the_one_read_as_the_log_would(linked, reads, args):
    table = linked.quick("list", *args, "--format", "table")
    assert len(reads) == 1
    as_json = linked.quick("list", *args, "--format", "jsonl")  # the log's own filtered read
    positions = [line.split()[0] for line in table.stdout.splitlines()[1:]]
    expected = [line.split(",")[0].split(":")[1] for line in as_json.stdout.splitlines()]
    assert positions == [p.strip() for p in expected]
    assert positions  # each case matches something


def test_why_reads_the_log_no_more_than_its_causal_graph_does(linked, reads):
    with tl.open_log(linked.folder / "timeline.db") as log:
        tl.causal_graph(log)
    graph_reads = len(reads)
    reads.clear()
    done = linked.quick("why", BARRAGE_472)
    assert done.returncode == 0, done.stderr
    assert len(reads) == graph_reads
    assert "prompted (analyst)" in done.stdout
    assert "Russia rejects the ceasefire demand" in done.stdout
