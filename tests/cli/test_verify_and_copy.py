"""verify and copy: the hash chain checked, and carried whole from one backend to another."""

from __future__ import annotations

import json
import re
import sqlite3

from cli.clitools import BARRAGE_472, EVENTS, jsonl, on_a_terminal, records_of


def test_verify_reports_ok_or_the_first_damaged_position(cli):
    assert (
        cli.quick(
            "append", "--stream", "record", "--log", "log.jsonl", input=jsonl(EVENTS)
        ).returncode
        == 0
    )
    good = cli("verify", "--log", "log.jsonl")
    assert (good.returncode, good.stderr) == (0, "")
    head = records_of(cli.folder / "log.jsonl")[-1].hash
    assert good.stdout == f"ok: {len(EVENTS)} records, hash chain intact; head {head[:16]}\n"

    path = cli.folder / "log.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    assert '"party":"Russia"' in lines[4]
    lines[4] = lines[4].replace('"party":"Russia"', '"party":"Rossia"')
    path.write_text("".join(lines))
    bad = cli("verify", "--log", "log.jsonl")
    assert (bad.returncode, bad.stderr) == (1, "")
    assert bad.stdout == (
        "damaged at position 5: hash mismatch: the record or one before it was changed "
        "(4 records before it intact)\n"
    )

    assert cli.quick("append", "--stream", "s", input=jsonl(EVENTS[:2])).returncode == 0
    db = sqlite3.connect(cli.folder / "timeline.db")
    with db:
        db.execute("UPDATE events SET stream = 'elsewhere' WHERE position = 2")
    db.close()
    damaged = cli.quick("verify")
    assert (damaged.returncode, damaged.stdout) == (
        1,
        (
            "damaged at position 2: hash mismatch: the record or one before it was changed "
            "(1 record before it intact)\n"
        ),
    )
    empty = cli.quick("init", "--log", "empty.db")
    assert empty.returncode == 0
    assert cli.quick("verify", "--log", "empty.db").stdout == "ok: 0 records, hash chain intact\n"


def test_copy_keeps_positions_times_and_every_hash_across_backends(recorded):
    correction = {
        "type": "meta.correction",
        "occurred_at": "2025-06-02T09:00:00Z",
        "corrects": BARRAGE_472,
        "changes": {"destroyed": 211},
    }
    folder = recorded.folder
    assert (
        recorded.quick("append", "--stream", "fixes", input=json.dumps(correction)).returncode == 0
    )
    done = recorded("copy", "timeline.db", "copy.jsonl")
    assert (done.returncode, done.stdout) == (0, "")  # the summary is on stderr
    source = records_of(folder / "timeline.db")
    head = source[-1].hash
    assert (
        done.stderr
        == (  # and piped: no progress bar
            f"copied {len(source)} records from timeline.db to copy.jsonl; every hash matches; "
            f"head {head[:16]}\n"
        )
    )
    back = recorded.quick("copy", "copy.jsonl", "sqlite:///back.db")
    assert back.returncode == 0, back.stderr
    for copy in ("copy.jsonl", "back.db"):
        copied = records_of(folder / copy)
        assert [(r.position, r.stream, r.version, r.recorded_at, r.hash) for r in copied] == [
            (r.position, r.stream, r.version, r.recorded_at, r.hash) for r in source
        ]
        assert [r.event for r in copied] == [r.event for r in source]

    full = recorded.quick("copy", "timeline.db", "copy.jsonl")
    assert (full.returncode, full.stderr) == (
        1,
        (
            f"timeline: error: the destination already holds {len(source)} records; copy needs an "
            "empty log\n"
        ),
    )
    same = recorded.quick("copy", "copy.jsonl", "copy.jsonl")
    assert same.returncode == 2
    missing = recorded.quick("copy", "missing.db", "new.db")
    assert missing.returncode == 1
    assert missing.stderr.startswith("timeline: error: no log at missing.db")
    assert not (folder / "new.db").exists()


def test_a_progress_bar_is_drawn_on_a_terminal_only(recorded):
    """The same copy, its stderr once a terminal (a pseudo-terminal) and once a pipe."""
    done, drawn = on_a_terminal(
        lambda terminal: recorded("copy", "timeline.db", "tty.jsonl", stderr=terminal)
    )
    assert (done.returncode, done.stdout) == (0, "")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn)  # rich's colours and cursor
    n = len(records_of(recorded.folder / "timeline.db"))
    assert f"100% {n}/{n} records" in text
    assert "━" in text  # the bar
    assert text.splitlines()[-1].startswith("copied ")  # the summary, after the bar

    piped = recorded("copy", "timeline.db", "pipe.jsonl")
    assert (piped.returncode, piped.stdout) == (0, "")
    assert "\r" not in piped.stderr
