"""append is safe to repeat: stable ids, what is already there skipped, all or nothing."""

from __future__ import annotations

import json

import timeline as tl
from cli.clitools import EVENTS, jsonl


def stored(cli):
    with tl.open_log(cli.folder / "timeline.db") as log:
        return list(log.read())


def test_appending_the_same_file_twice_adds_nothing_the_second_time(cli):
    (cli.folder / "record.jsonl").write_text(jsonl(EVENTS))
    first = cli("append", "record.jsonl", "--stream", "record")
    assert (first.returncode, first.stdout) == (0, "")  # the summary: stderr
    n = len(EVENTS)
    assert (
        first.stderr
        == f"appended {n} events to stream 'record' (positions 1-{n}; stream version {n})\n"
    )
    second = cli("append", "record.jsonl", "--stream", "record")
    assert (second.returncode, second.stdout) == (0, "")  # the summary: stderr
    assert second.stderr == (
        f"0 added, {n} already there (stream 'record' at version {n}); nothing appended\n"
    )
    records = stored(cli)
    assert len(records) == n
    for record in records:
        given = EVENTS[record.position - 1].get("event_id")
        expected = given or str(tl.stable_event_id(record.event, "record"))
        assert str(record.event.event_id) == expected


def test_only_what_is_new_is_appended_and_the_counts_say_so(cli):
    assert cli.quick("append", "--stream", "record", input=jsonl(EVENTS[:5])).returncode == 0
    more = cli.quick("append", "--stream", "record", input=jsonl(EVENTS[3:8]))
    assert (more.returncode, more.stdout) == (0, "")  # the summary: stderr
    assert more.stderr == (
        "appended 3 events to stream 'record' (positions 6-8; stream version 8); 2 already there\n"
    )
    elsewhere = cli.quick("append", "--stream", "other", input=jsonl(EVENTS[:1]))
    assert elsewhere.stderr.startswith("appended 1 event to stream 'other'")  # another stream
    assert len(stored(cli)) == 9


def test_expected_version_applies_to_the_stream_as_it_stands(cli):
    text = jsonl(EVENTS[:2])
    assert (
        cli.quick("append", "--stream", "s", "--expected-version", "0", input=text).returncode == 0
    )
    again = cli.quick("append", "--stream", "s", "--expected-version", "2", input=text)
    assert (again.returncode, again.stderr.split(";")[0]) == (
        0,
        "0 added, 2 already there (stream 's' at version 2)",
    )
    stale = cli.quick("append", "--stream", "s", "--expected-version", "0", input=text)
    assert stale.returncode == 1
    assert stale.stderr == (
        "timeline: error: stream 's' is at version 2, not the expected 0 (someone appended "
        "since); nothing was appended\n"
    )


def test_allow_duplicates_stores_identical_reports_as_two_events(cli):
    said = json.dumps({"type": "diplomacy.statement", "occurred_at": "2025-06-02T10:00:00Z",
                       "speaker": "A", "text": "Again."})  # fmt: skip
    twice = f"{said}\n{said}\n"
    one = cli.quick("append", "--stream", "s", input=twice)
    assert (
        one.stderr
        == "appended 1 event to stream 's' (position 1; stream version 1); 1 already there\n"
    )
    two = cli("append", "--stream", "s", "--allow-duplicates", input=twice)
    assert (two.returncode, two.stdout) == (0, "")  # the summary: stderr
    assert two.stderr == "appended 2 events to stream 's' (positions 2-3; stream version 3)\n"
    assert len({r.event.event_id for r in stored(cli)}) == 3


def test_an_id_already_in_the_log_with_other_content_is_refused(cli):
    barrage = EVENTS[5]
    assert cli.quick("append", "--stream", "air", input=json.dumps(barrage)).returncode == 0
    changed = json.dumps({**barrage, "launched": 500})
    done = cli.quick("append", "--stream", "air", input=json.dumps(EVENTS[0]) + "\n" + changed)
    assert done.returncode == 1
    assert done.stderr == (
        f"timeline: error: <stdin>, line 2: event id {barrage['event_id']} is already in the log; "
        "nothing was appended\n"
    )
    assert len(stored(cli)) == 1
