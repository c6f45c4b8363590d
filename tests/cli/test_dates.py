"""Every date the command prints is the date the source gives (issue 15).

The expected dates are typed from the seed article (``../shared/seed/istanbul-2025-06-02.txt``),
the Istanbul example's record of it (``examples/istanbul_2025.py``), and the shared data files
(``../shared/data``: the missile-attacks CSV, the ru-losses JSON and its README), never computed
by the code under test. Each command runs once in a real process; the variations through
``cli.quick``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.clitools import MISSILE_ATTACKS, SHARED, Cli, jsonl

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "istanbul_2025.py"
RU_LOSSES = SHARED / "ru-losses" / "russia_losses_equipment.json"
KYIV = "Europe/Kyiv"


def _dated(lines: list[str], text: str) -> str:
    """The date column (the text before the first two spaces) of the one line with ``text``."""
    [line] = [x for x in lines if text in x]
    return line.strip().split("  ")[0]


# -- the Istanbul example -------------------------------------------------------------------


@pytest.fixture(scope="module")
def istanbul(tmp_path_factory) -> tuple[Cli, list[str]]:
    """The example run as a script (its printed lines), and a command on the log it wrote."""
    folder = tmp_path_factory.mktemp("istanbul")
    env = {k: v for k, v in os.environ.items() if k != "TIMELINE_LOG"}
    done = subprocess.run(  # noqa: S603  # this interpreter running the example
        [sys.executable, str(EXAMPLE), "istanbul.db"],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return Cli(folder), done.stdout.splitlines()


def run(cli: Cli, *args: str, quick: bool = True) -> list[str]:
    done = (cli.quick if quick else cli)(*args, "--log", "istanbul.db")
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_demo_prints_the_dates_of_the_article(istanbul):
    _, everything = istanbul
    printed = everything[: everything.index("Answers")]  # the chronology
    # "The previous round of negotiations, held on May 16"; "convened in Istanbul on Monday"
    # (2 June 2025, the dateline); the three stages of the 1,000-for-1,000 exchange, 23-25 May.
    assert _dated(printed, "Talks: Ukraine–Russia at Istanbul") == "2025-05-16"
    assert _dated(printed, "Talks resume at Ciragan Palace") == "2025-06-02"
    assert _dated(printed, "1,000 for 1,000") == "2025-05-16"
    assert _dated(printed, "stage 1 of 3") == "2025-05-23"
    assert _dated(printed, "stage 2 of 3") == "2025-05-24"
    assert _dated(printed, "stage 3 of 3") == "2025-05-25"
    assert _dated(printed, "Russia promises a memorandum") == "2025-05-19"
    # "over the weekend" (31 May-1 June); "Medinsky confirmed on Sunday" (1 June).
    assert _dated(printed, "still awaiting the Russian draft") == "2025-05-31 to 2025-06-01"
    assert _dated(printed, "Medinsky confirms on Sunday") == "2025-06-01"
    assert _dated(printed, "472 drones overnight") == (
        "2025-05-31 19:30 Kyiv to 2025-06-01 13:30 Kyiv"
    )
    assert _dated(printed, "Russian losses to date as tallied on 3 June") == "2025-06-03"
    answers = "\n".join(everything[everything.index("Answers") :])
    assert "promised 19 May, awaited 31 May: not delivered" in answers
    assert "Russia received Ukraine's peace proposal (Sunday 1 June)" in answers
    assert "answer promised by Russia for Monday 2 June" in answers
    assert "472 drones (2025-05-31), claimed by Ukrainian Air Force" in answers
    # ru-losses README: the rewrite was committed 2025-06-04T10:50:52+03:00.
    assert "known at 2025-06-04 10:50:52 Kyiv (after it): 413 aircraft" in answers


def test_replay_negotiations_prints_local_dates(istanbul):
    cli, _ = istanbul
    lines = run(cli, "replay", "Negotiations", quick=False)  # a real process
    assert "talks proposed on 2025-05-11 by Vladimir Putin, in Istanbul" in lines
    assert _dated(lines, "round 1, Istanbul") == "2025-05-16"
    assert _dated(lines, "round 2, Ciragan Palace") == "2025-06-02"
    assert _dated(lines, "Ukraine: roadmap for a durable peace settlement") == "2025-06-01"
    [memo] = [x for x in lines if "general framework" in x]
    assert memo.endswith("(promised 2025-05-19, awaited 2025-05-31)")
    assert "  Russia to Ukraine, promised 2025-06-01, due 2025-06-02" in lines


def test_replay_prisoner_exchanges_prints_the_agreement_and_stages_days(istanbul):
    cli, _ = istanbul
    lines = run(cli, "replay", "PrisonerExchanges")
    [agreed] = [x for x in lines if "agreed 2025-" in x]
    assert agreed.strip().startswith("agreed 2025-05-16: 2000")
    assert "    stage 1 2025-05-23: Ukraine 390, Russia 390" in lines
    assert "    stage 2 2025-05-24: Ukraine 307, Russia 307" in lines
    assert "    stage 3 2025-05-25: Ukraine 303, Russia 303" in lines


def test_replay_escalation_prints_the_night_in_kyiv_time(istanbul):
    cli, _ = istanbul
    lines = run(cli, "replay", "Escalation")
    assert (
        "largest drone window so far: 472 drones on 2025-05-31 "
        "(2025-05-31 19:30 Kyiv to 2025-06-01 13:30 Kyiv), claimed by Ukrainian Air Force"
    ) in lines
    assert _dated(lines, "     472          ?") == "2025-05-31"
    utc = run(cli, "replay", "Escalation", "--utc")
    assert any("(2025-05-31 16:30 UTC to 2025-06-01 10:30 UTC)" in x for x in utc)
    assert _dated(utc, "     472          ?") == "2025-05-31"  # the day is Kyiv's, in any zone


def test_a_chosen_zone_moves_times_never_dates(istanbul):
    cli, _ = istanbul
    for flags in (("--utc",), ("--zone", "America/New_York"), ("--zone", "Asia/Tokyo")):
        negotiations = run(cli, "replay", "Negotiations", *flags)
        assert _dated(negotiations, "round 2, Ciragan Palace") == "2025-06-02"
        [memo] = [x for x in negotiations if "general framework" in x]
        assert memo.endswith("(promised 2025-05-19, awaited 2025-05-31)")
        exchanges = run(cli, "replay", "PrisonerExchanges", *flags)
        assert "    stage 1 2025-05-23: Ukraine 390, Russia 390" in exchanges
        listed = run(cli, "list", "--type", "TalkRoundHeld", *flags)
        assert [x.split()[2] for x in listed[1:]] == ["2025-05-16", "2025-06-02"]
    tokyo = run(cli, "replay", "Chronology", "--zone", "Asia/Tokyo")
    assert _dated(tokyo, "472 drones overnight") == (
        "2025-06-01 01:30 Tokyo to 2025-06-01 19:30 Tokyo"
    )
    assert _dated(tokyo, "Talks resume at Ciragan Palace") == "2025-06-02"


def test_list_shows_each_events_local_date_or_time(istanbul):
    cli, _ = istanbul
    lines = run(cli, "list", quick=False)
    occurred = {x.split()[0]: " ".join(x.split()[2:4]) for x in lines[1:]}
    assert occurred["4"] == "2025-05-16 diplomacy.talk_round_held"
    assert occurred["11"] == "2025-05-31 diplomacy.memorandum_awaited"
    assert occurred["15"] == "2025-05-31 19:30"  # then "Kyiv"
    assert occurred["17"] == "2025-06-02 diplomacy.talk_round_held"
    assert occurred["32"] == "2025-06-03 military.loss_report"
    picked = run(
        cli, "list", "--from", "2025-06-02", "--to", "2025-06-02", "--type", "TalkRoundHeld"
    )
    assert [x.split()[2] for x in picked[1:]] == ["2025-06-02"]


def test_history_show_and_why_give_local_times(istanbul):
    cli, _ = istanbul
    history = run(cli, "history", "#32", quick=False)
    # ru-losses README: committed 2025-06-03T10:31:05+03:00, rewritten 2025-06-04T10:50:52+03:00.
    assert history[2].split()[1:3] == ["2025-06-03T07:31:05Z", "recorded"]
    assert "tallied on 3 June" in history[2]
    assert history[3].split()[1:3] == ["2025-06-04T07:50:52Z", "corrected"]
    kyiv = run(cli, "history", "#32", "--zone", KYIV)
    assert "2025-06-03 10:31:05 Kyiv" in kyiv[2]
    assert "2025-06-04 10:50:52 Kyiv" in kyiv[3]
    card = run(cli, "show", "#15")
    assert "when: 2025-05-31 19:30 Kyiv to 2025-06-01 13:30 Kyiv (minute precision)" in card
    card = run(cli, "show", "#15", "--utc")
    assert "when: 2025-05-31 16:30 UTC to 2025-06-01 10:30 UTC (minute precision)" in card
    assert "when: 2025-06-02 (day precision)" in run(cli, "show", "#17", "--utc")
    why = run(cli, "why", "#17")
    assert ", 2025-06-02: " in why[0]
    assert any("2025-05-31 19:30 Kyiv" in x and "472" in x for x in why[2:])
    after = run(cli, "consequences", "#16", "--zone", KYIV)
    assert ", 2025-06-01: " in after[0]  # the strike of 1 June, a day
    assert any("2025-05-31 19:30 Kyiv" in x for x in after[2:])


# -- the shared data sets -------------------------------------------------------------------


@pytest.fixture(scope="module")
def missiles(tmp_path_factory) -> Cli:
    if not MISSILE_ATTACKS.exists():
        pytest.skip(f"no shared data at {MISSILE_ATTACKS}")
    cli = Cli(tmp_path_factory.mktemp("missiles"))
    done = cli.quick("import", str(MISSILE_ATTACKS))
    assert done.returncode == 0, done.stderr
    return cli


#: The rows of missile_attacks_daily_2025-05_2025-06.csv whose time_start (Kyiv time) falls on
#: 2-4 June: (time_start, model, launched), typed from the file.
JUNE_2_TO_4 = [
    ("2025-06-04 22:30 Kyiv", "Shahed-136/131", 103),
    ("2025-06-04 22:30 Kyiv", "Iskander-M/KN-23", 1),
    ("2025-06-03 22:40 Kyiv", "Shahed-136/131", 95),
    ("2025-06-04", "ZALA", 3),
    ("2025-06-04", "Unknown UAV", 9),
    ("2025-06-02 23:30 Kyiv", "Shahed-136/131", 112),
    ("2025-06-03", "X-47 Kinzhal", 1),
    ("2025-06-03", "Unknown UAV", 3),
    ("2025-06-03", "Reconnaissance UAV", 3),
    ("2025-06-02", "Unknown UAV", 4),
    ("2025-06-02", "Reconnaissance UAV", 2),
]


def test_list_from_to_gives_the_rows_of_those_local_days(missiles):
    done = missiles("list", "--from", "2025-06-02", "--to", "2025-06-04")  # a real process
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()[1:]
    shown = []
    for row in rows:
        occurred = row[row.index("Z  ") + 3 :].split("  ")[0].strip()
        model = row.split("Russia: ")[1].rsplit(" ", 4)[0]
        launched = int(row.split(" launched")[0].rsplit(" ", 1)[1])
        shown.append((occurred, model, launched))
    assert shown == JUNE_2_TO_4
    as_json = missiles.quick(
        "list", "--from", "2025-06-02", "--to", "2025-06-04", "--format", "json"
    )
    assert len(json.loads(as_json.stdout)) == len(JUNE_2_TO_4)


def test_escalation_days_are_kyiv_days(missiles):
    lines = missiles.quick("replay", "Escalation").stdout.splitlines()
    per_day = lines[
        lines.index("per day (the local date each window starts on, in its reports' zone):") :
    ]
    row = {x.split()[0]: x.split()[1:] for x in per_day[2:] if x.strip()}
    # Drones whose window starts on 2 June, Kyiv: 112 Shahed-136/131 (23:30) + 4 + 2 (the day).
    assert row["2025-06-02"][0] == "118"
    # 3 June: 95 Shahed (22:40) + 3 Unknown UAV + 3 Reconnaissance UAV; 1 X-47 Kinzhal missile.
    assert row["2025-06-03"][0] == "101"
    assert row["2025-06-03"][3] == "1"


def test_the_losses_tally_of_a_day_is_that_days(tmp_path):
    if not RU_LOSSES.exists():
        pytest.skip(f"no shared data at {RU_LOSSES}")
    cli = Cli(tmp_path)
    assert cli.quick("import", str(RU_LOSSES)).returncode == 0
    rows = cli.quick("list", "--from", "2025-06-03", "--to", "2025-06-03").stdout.splitlines()
    # README fact 1: the record for 2025-06-03 (day 1196) has aircraft 413.
    assert len(rows) == 2
    assert rows[1].split()[2] == "2025-06-03"
    assert "Russia losses to 3 Jun 2025" in rows[1]
    assert "aircraft 413" in rows[1]


# -- daylight saving time in Kyiv, through the command ----------------------------------------

#: Kyiv moves its clocks on 30 March 2025 (03:00 EET -> 04:00 EEST) and 26 October 2025
#: (04:00 EEST -> 03:00 EET). Each event's ``launched`` names it; the local times are typed.
DST = [
    ("2025-03-29T22:00:00Z", "day", 1),  # 30 March, a date (local midnight, +02:00)
    ("2025-03-30T00:30:00Z", "minute", 2),  # 02:30 Kyiv, the last hour of winter time
    ("2025-03-30T01:30:00Z", "minute", 3),  # 04:30 Kyiv, summer time
    ("2025-03-30T20:30:00Z", "minute", 4),  # 23:30 Kyiv on 30 March
    ("2025-03-30T21:30:00Z", "minute", 5),  # 00:30 Kyiv on 31 March
    ("2025-10-25T21:00:00Z", "day", 6),  # 26 October, a date (local midnight, +03:00)
    ("2025-10-26T00:30:00Z", "minute", 7),  # 03:30 Kyiv, summer time
    ("2025-10-26T01:30:00Z", "minute", 8),  # 03:30 Kyiv again, winter time
    ("2025-10-26T21:30:00Z", "minute", 9),  # 23:30 Kyiv on 26 October
    ("2025-10-26T22:30:00Z", "minute", 10),  # 00:30 Kyiv on 27 October
]


@pytest.fixture(scope="module")
def dst(tmp_path_factory) -> Cli:
    cli = Cli(tmp_path_factory.mktemp("dst"))
    events = [
        {
            "type": "military.drone_barrage",
            "occurred_at": at,
            "time_precision": precision,
            "zone": KYIV,
            "attacker": "Russia",
            "launched": n,
        }
        for at, precision, n in DST
    ]
    done = cli("append", "--stream", "air", input=jsonl(events))
    assert done.returncode == 0, done.stderr
    return cli


def launched(cli: Cli, *args: str) -> list[int]:
    done = cli.quick("list", "--format", "jsonl", *args)
    assert done.returncode == 0, done.stderr
    return [json.loads(line)["event"]["launched"] for line in done.stdout.splitlines()]


def test_times_across_the_transitions_read_as_kyivs_clocks(dst):
    lines = dst("list").stdout.splitlines()[1:]  # a real process
    shown = [x[x.index("Z  ") + 3 :].split("  ")[0].strip() for x in lines]
    assert shown == [
        "2025-03-30",
        "2025-03-30 02:30 Kyiv",
        "2025-03-30 04:30 Kyiv",
        "2025-03-30 23:30 Kyiv",
        "2025-03-31 00:30 Kyiv",
        "2025-10-26",
        "2025-10-26 03:30 Kyiv",
        "2025-10-26 03:30 Kyiv",
        "2025-10-26 23:30 Kyiv",
        "2025-10-27 00:30 Kyiv",
    ]
    utc = dst.quick("list", "--utc").stdout.splitlines()[1:]
    assert [x[x.index("Z  ") + 3 :].split("  ")[0].strip() for x in utc][:3] == [
        "2025-03-30",  # a date stays the date
        "2025-03-30 00:30 UTC",
        "2025-03-30 01:30 UTC",
    ]


def test_from_to_on_a_transition_day_selects_that_local_day(dst):
    assert launched(dst, "--from", "2025-03-30", "--to", "2025-03-30") == [1, 2, 3, 4]
    assert launched(dst, "--from", "2025-10-26", "--to", "2025-10-26") == [6, 7, 8, 9]


def test_as_of_a_transition_day_ends_at_its_local_midnight(dst):
    # The end of 30 March in Kyiv is 20:59:59.999999Z (summer time); of 26 October, 21:59:59.
    assert launched(dst, "--as-of", "2025-03-30", "--zone", KYIV) == [1, 2, 3, 4]
    assert launched(dst, "--as-of", "2025-03-30", "--utc") == [1, 2, 3, 4, 5]
    assert launched(dst, "--as-of", "2025-03-29", "--zone", KYIV) == []
    assert launched(dst, "--as-of", "2025-03-29", "--utc") == [1]  # 22:00Z on 29 March
    assert launched(dst, "--as-of", "2025-10-26", "--zone", KYIV)[-1] == 9
    assert launched(dst, "--as-of", "2025-10-26", "--utc")[-1] == 10


def test_escalation_files_transition_nights_under_kyiv_days(dst):
    lines = dst.quick("replay", "Escalation").stdout.splitlines()
    start = lines.index("per day (the local date each window starts on, in its reports' zone):")
    row = {x.split()[0]: x.split()[1] for x in lines[start + 2 :] if x.strip()}
    assert row == {
        "2025-03-30": "10",  # 1 + 2 + 3 + 4
        "2025-03-31": "5",
        "2025-10-26": "30",  # 6 + 7 + 8 + 9
        "2025-10-27": "10",
    }


def test_claims_name_the_day_of_the_file(missiles):
    lines = missiles.quick("replay", "Claims").stdout.splitlines()
    # Two Air Command South rows of 2025-05-21 (date only) give 1 and 5 Orlan-10 destroyed.
    assert "  2025-05-21 military.drone_barrage Russia → south, Orlan-10: destroyed" in lines
    chronology = missiles.quick("replay", "Chronology").stdout.splitlines()
    # The 472-drone night: time_start 2025-05-31 19:30, time_end 2025-06-01 13:30, Kyiv time.
    [night] = [x for x in chronology if "Shahed-136/131 472 launched" in x]
    assert night.startswith("2025-05-31 19:30 Kyiv to 2025-06-01 13:30 Kyiv  ")


def test_a_cut_is_shown_on_the_clock_it_was_given_in(istanbul):
    cli, _ = istanbul
    kyiv = run(cli, "replay", "Escalation", "--as-of", "2025-06-01", "--zone", KYIV)
    assert kyiv[0] == "Escalation, as of 2025-06-01 23:59:59 Kyiv, as known now"
    utc = run(cli, "replay", "Escalation", "--as-of", "2025-06-01", "--utc")
    assert utc[0] == "Escalation, as of 2025-06-01 23:59:59 UTC, as known now"
    plain = run(cli, "why", "#17", "--as-of", "2025-06-02", "--known-at", "2025-06-03T08:00+03:00")
    assert plain[1] == "(as of 2025-06-02T23:59:59Z, as known at 2025-06-03T05:00:00Z)"
