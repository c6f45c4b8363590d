"""Local time on the command line: each event's own zone, --zone, --utc, $TIMELINE_ZONE."""

from __future__ import annotations

import json

import pytest

from cli.clitools import Cli, jsonl

KYIV = "Europe/Kyiv"
#: 01:30 Kyiv on 2 June (22:30 UTC on 1 June), and 23:30 Kyiv on 1 June (20:30 UTC).
LATE = {"type": "military.drone_barrage", "occurred_at": "2025-06-01T22:30:00Z",
        "time_precision": "minute", "zone": KYIV, "attacker": "Russia", "launched": 80}  # fmt: skip
EARLY = {**LATE, "occurred_at": "2025-06-01T20:30:00Z", "launched": 40}
TALKS = {"type": "diplomacy.talk_round_held", "occurred_at": "2025-06-02T10:00:00+03:00",
         "time_precision": "day", "zone": "Europe/Istanbul", "parties": ["Ukraine", "Russia"]}  # fmt: skip


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    run = Cli(tmp_path_factory.mktemp("night"))
    done = run.quick("append", "--stream", "air", input=jsonl([EARLY, LATE, TALKS]))
    assert done.returncode == 0, done.stderr
    return run


def launched(run, *args, env=None):
    done = run.quick("list", "--format", "jsonl", "--type", "DroneBarrage", *args, env=env)
    assert done.returncode == 0, done.stderr
    return [json.loads(line)["event"]["launched"] for line in done.stdout.splitlines()]


def test_a_date_as_of_is_the_end_of_that_day_in_the_chosen_zone(night):
    assert launched(night, "--as-of", "2025-06-01", "--utc") == [40, 80]
    assert launched(night, "--as-of", "2025-06-01", "--zone", KYIV) == [40]
    assert launched(night, "--as-of", "2025-06-01") == [40, 80]  # UTC by default
    assert launched(night, "--as-of", "2025-06-01", env={"TIMELINE_ZONE": KYIV}) == [40]
    utc_wins = launched(night, "--as-of", "2025-06-01", "--utc", env={"TIMELINE_ZONE": KYIV})
    assert utc_wins == [40, 80]
    assert launched(night, "--as-of", "2025-06-01T21:00Z", "--zone", KYIV) == [
        40
    ]  # a time is a time
    done = night("list", "--as-of", "2025-06-01", "--zone", KYIV, "--format", "json")  # a process
    assert [r["event"]["launched"] for r in json.loads(done.stdout)] == [40]
    escalation = json.loads(
        night.quick(
            "replay", "Escalation", "--as-of", "2025-06-01", "--zone", KYIV, "--format", "json"
        ).stdout
    )
    assert escalation["as_of"] == "2025-06-01T20:59:59.999999+00:00"


def test_times_are_shown_in_each_events_zone_or_the_one_chosen(night):
    own = night("list").stdout.splitlines()
    assert "2025-06-01 23:30 Kyiv" in own[1]
    assert "2025-06-02 01:30 Kyiv" in own[2]
    assert "2025-06-02  " in own[3]  # the talks, a day in Istanbul
    utc = night.quick("list", "--utc").stdout.splitlines()
    assert "2025-06-01 22:30 UTC" in utc[2]
    tokyo = night.quick("list", "--zone", "Asia/Tokyo").stdout.splitlines()
    assert "2025-06-02 07:30 Tokyo" in tokyo[2]
    offset = night.quick("list", "--zone", "+03:00", "--format", "csv").stdout
    assert "2025-06-01T22:30:00.000000Z" in offset  # CSV keeps instants in UTC


def test_from_and_to_dates_select_by_local_date(night):
    assert launched(night, "--from", "2025-06-02") == [80]  # 01:30 Kyiv on the 2nd
    assert launched(night, "--to", "2025-06-01") == [40]
    assert launched(night, "--from", "2025-06-01T21:00Z") == [80]


def test_a_zone_that_is_not_one_is_a_usage_error(night):
    done = night.quick("list", "--zone", "Kyiv")
    assert done.returncode == 2
    assert done.stderr.startswith("timeline: error: argument --zone: not a zone: 'Kyiv'")
    bad_env = night.quick("list", "--as-of", "2025-06-01", env={"TIMELINE_ZONE": "Mars"})
    assert (bad_env.returncode, bad_env.stderr) == (
        2,
        "timeline: error: $TIMELINE_ZONE: not a zone: 'Mars'\n",
    )
