"""--format table|json|csv|jsonl on every listing command, tables that fit, and the new filters."""

from __future__ import annotations

import csv
import io
import json

import pytest

from cli.clitools import (
    AIR_FORCE,
    BARRAGE_472,
    BARRAGE_479,
    CORRECTION,
    EVENTS,
    LINK,
    REJECTION,
    Cli,
    jsonl,
)


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    run = Cli(tmp_path_factory.mktemp("linked"))
    assert run.quick("append", "--stream", "record", input=jsonl(EVENTS)).returncode == 0
    more = jsonl([LINK, CORRECTION])
    assert run.quick("append", "--stream", "notes", input=more).returncode == 0
    return run


def rows_of(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_list_as_json_csv_and_jsonl_agree(linked):
    as_json = linked("list", "--format", "json")  # once in a real process
    assert (as_json.returncode, as_json.stderr) == (0, "")
    records = json.loads(as_json.stdout)
    assert isinstance(records, list)
    assert len(records) == len(EVENTS) + 2
    lines = [json.loads(x) for x in linked.quick("list", "--format", "jsonl").stdout.splitlines()]
    assert lines == records
    as_csv = linked("list", "--format", "csv")
    assert (as_csv.returncode, as_csv.stderr) == (0, "")
    rows = rows_of(as_csv.stdout)
    assert [int(r["position"]) for r in rows] == [r["position"] for r in records]
    header = as_csv.stdout.splitlines()[0].split(",")
    assert header[:9] == [
        "position", "stream", "version", "recorded_at", "hash", "type", "type_version",
        "event_id", "headline",
    ]  # fmt: skip
    barrage = rows[5]
    assert barrage["event_id"] == BARRAGE_472
    assert (barrage["data.launched"], barrage["data.destroyed"]) == ("472", "210")
    assert barrage["occurred_at"] == "2025-05-31T16:30:00.000000Z"
    assert json.loads(barrage["sources"])[0]["name"] == AIR_FORCE
    assert rows[0]["data.launched"] == ""  # a column another type brought: empty
    text = linked.quick("list", "--format", "text").stdout
    assert text == linked.quick("list").stdout


def test_list_csv_has_the_columns_and_cells_of_the_csv_export(linked, tmp_path):
    pytest.importorskip("pandas")
    target = tmp_path / "export.csv"
    assert linked.quick("export", "csv", str(target)).returncode == 0
    exported = target.read_text(encoding="utf-8")
    listed = linked.quick("list", "--format", "csv").stdout
    assert listed.splitlines()[0] == exported.splitlines()[0]
    assert rows_of(listed) == rows_of(exported)


def test_show_history_replay_why_in_every_format(linked):
    shown = json.loads(linked.quick("show", BARRAGE_472, "--format", "json").stdout)
    assert shown["history"]["current"]["destroyed"] == 211
    [row] = rows_of(linked.quick("show", BARRAGE_472, "--format", "csv").stdout)
    assert (row["event_id"], row["data.destroyed"]) == (BARRAGE_472, "210")  # as stored

    revisions = rows_of(linked("history", BARRAGE_472, "--format", "csv").stdout)
    assert [r["kind"] for r in revisions] == ["recorded", "corrected"]
    assert json.loads(revisions[1]["changes"]) == {"destroyed": 211}
    assert revisions[1]["reason"] == "revised report"
    lines = linked.quick("history", BARRAGE_472, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(x)["kind"] for x in lines] == ["recorded", "corrected"]

    days = rows_of(linked("replay", "Escalation", "--format", "csv").stdout)
    assert [d["day"] for d in days] == ["2025-05-31", "2025-06-08"]
    assert (days[0]["drones.launched"], days[0]["drones.destroyed"]) == ("472", "523")
    claims = rows_of(linked.quick("replay", "claims", "--format", "csv").stdout)
    assert {(c["value"], c["claimant"]) for c in claims} >= {("162", "Russian ministry of defence")}
    for name in ("Negotiations", "PrisonerExchanges", "Chronology"):
        done = linked.quick("replay", name, "--format", "csv")
        assert done.returncode == 0, done.stderr
        assert len(rows_of(done.stdout)) >= 1
    replayed = json.loads(linked.quick("replay", "Escalation", "--format", "jsonl").stdout)
    assert replayed["projection"] == "Escalation"

    why = rows_of(linked("why", BARRAGE_472, "--format", "csv").stdout)
    assert [(w["event_id"], w["via"], w["confidence"]) for w in why] == [
        (REJECTION, "prompted (analyst)", "0.6")
    ]
    follows = linked("consequences", REJECTION, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(x)["event_id"] for x in follows] == [BARRAGE_472]


def test_tables_fit_a_terminal_80_columns_wide(linked):
    for args in (("list",), ("why", BARRAGE_472), ("history", BARRAGE_472)):
        done = linked(*args, env={"COLUMNS": "80"})
        assert (done.returncode, done.stderr) == (0, ""), args
        assert max(len(line) for line in done.stdout.splitlines()) <= 80, done.stdout
    wide = linked.quick("list")  # piped, no $COLUMNS: whole cells, for scripts
    assert max(len(line) for line in wide.stdout.splitlines()) > 80
    narrow = linked.quick("list", env={"COLUMNS": "80"}).stdout.splitlines()
    assert narrow[0].split() == ["position", "recorded_at", "occurred", "type", "headline"]
    assert len(narrow) > len(EVENTS) + 3  # long headlines wrapped onto more lines


def test_list_search_known_at_and_as_of(linked):
    def positions(*args):
        done = linked.quick("list", "--format", "jsonl", *args)
        assert done.returncode == 0, done.stderr
        return [json.loads(line)["position"] for line in done.stdout.splitlines()]

    assert positions("--search", "shahed") == [6, 13]
    assert positions("--search", "shahed", "--search", "479") == [13]
    assert positions("--search", "Ciragan") == [9]
    assert positions("--known-at", "2000-01-01") == []
    assert positions("--known-at", "2100-01-01") == list(range(1, len(EVENTS) + 3))
    assert positions("--as-of", "2025-05-20") == [1, 2, 3, 5]
    assert positions("--as-of", "2025-05-20", "--to", "2025-05-12") == [1, 2]


def test_an_event_by_a_unique_prefix_of_its_id(linked):
    by_prefix = linked.quick("show", "01970000-0000-7000-8000-0000000004", "--format", "json")
    assert by_prefix.returncode == 1
    assert by_prefix.stderr.startswith(
        "timeline: error: event id prefix '01970000-0000-7000-8000-0000000004' is ambiguous: "
        f"it starts {BARRAGE_472} (position 6: Russia: Shahed-136/131 472 launched"
    )
    assert BARRAGE_479 in by_prefix.stderr
    assert by_prefix.stderr.count("\n") == 1
    one = linked("show", "01970000-0000-7000-8000-00000000047", "--format", "json")
    assert one.returncode == 1  # 472 and 479 again
    unique = linked.quick("show", "01970000-0000-7000-8000-000000000479", "--format", "json")
    assert json.loads(unique.stdout)["event"]["launched"] == 479
    prefix = linked.quick("show", "01970000-0000-7000-8000-00000000a0", "--format", "json")
    assert json.loads(prefix.stdout)["event"]["type"] == "humanitarian.prisoner_exchange_agreed"
    nothing = linked.quick("show", "ffff")
    assert (nothing.returncode, nothing.stderr) == (
        1,
        "timeline: error: no event id starts with 'ffff'\n",
    )


def test_the_table_tells_links_and_corrections_by_their_events(linked):
    rows = linked.quick("list", "--after", str(len(EVENTS))).stdout.splitlines()[1:]
    link, correction = rows
    assert link.endswith("Russia rejects the ceasefire demand → 472-drone night (prompted, 0.6)")
    assert correction.endswith("destroyed 210 → 211 (revised report) in 472-drone night")
    assert BARRAGE_472 not in link  # names, not raw ids
