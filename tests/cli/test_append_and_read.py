"""init, append, list, show, history: through the command, good input and bad."""

from __future__ import annotations

import json

import timeline as tl
from cli.clitools import BARRAGE_472, EVENTS, jsonl

STATEMENT = {
    "type": "diplomacy.statement",
    "occurred_at": "2025-06-02T10:00:00+03:00",
    "speaker": "Hakan Fidan",
    "text": "Welcome.",
}


def stored(cli, name="timeline.db"):
    with tl.open_log(cli.folder / name) as log:
        return list(log.read())


def test_init_creates_an_empty_log_and_refuses_to_touch_a_full_one(cli):
    done = cli("init")
    assert (done.returncode, done.stdout) == (0, "")  # a report to a person: stderr
    assert done.stderr == "created an empty log at timeline.db (SQLiteLog)\n"
    assert cli.quick("init").stderr == "an empty log is already at timeline.db (SQLiteLog)\n"
    assert cli.quick("append", "--stream", "s", input=json.dumps(STATEMENT)).returncode == 0
    refused = cli("init")
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr == (
        "timeline: error: timeline.db already holds 1 record; init leaves it as it is\n"
    )
    assert len(stored(cli)) == 1


def test_the_log_is_log_else_the_environment_else_timeline_db(cli):
    assert cli("init", env={"TIMELINE_LOG": "from-env.jsonl"}).returncode == 0
    assert cli.quick("init", "--log", "a.jsonl", env={"TIMELINE_LOG": "ignored.db"}).returncode == 0
    assert cli.quick("--log", "b.db", "init").returncode == 0  # before the command, too
    assert cli.quick("init", "--log", "sqlite:///c.db").returncode == 0
    assert cli.quick("init").returncode == 0
    made = sorted(p.name for p in cli.folder.iterdir())
    assert made == ["a.jsonl", "b.db", "c.db", "from-env.jsonl", "timeline.db"]


def test_append_reads_json_objects_arrays_and_lines_from_stdin_or_a_file(cli):
    one = cli("append", "--stream", "talks", "--expected-version", "0", input=json.dumps(STATEMENT))
    assert (one.returncode, one.stdout) == (0, "")  # the summary is on stderr
    assert one.stderr == "appended 1 event to stream 'talks' (position 1; stream version 1)\n"
    (cli.folder / "array.json").write_text(json.dumps([STATEMENT, STATEMENT], indent=2))
    args = ("--stream", "talks", "--expected-version", "1", "--allow-duplicates")
    two = cli.quick("append", "array.json", *args)
    assert two.stderr == "appended 2 events to stream 'talks' (positions 2-3; stream version 3)\n"
    three = cli.quick("append", "-", "--stream", "air", input=jsonl(EVENTS[:3]))
    assert three.returncode == 0, three.stderr
    empty = cli.quick("append", "--stream", "air", input="\n")
    assert (empty.returncode, empty.stderr) == (
        0,
        "timeline: no events in <stdin>; nothing appended\n",
    )

    records = stored(cli)
    assert [(r.stream, r.version) for r in records] == [
        ("talks", 1),
        ("talks", 2),
        ("talks", 3),
        ("air", 1),
        ("air", 2),
        ("air", 3),
    ]
    assert records[0].event.speaker == "Hakan Fidan"
    assert records[0].event.occurred_at.isoformat() == "2025-06-02T07:00:00+00:00"
    assert len({r.event.event_id for r in records}) == 6  # a new id where none was given
    assert str(records[4].event.event_id) == EVENTS[1]["event_id"]


def bad_append(run, text, *args):
    """Append bad input to a log holding one event: one line on stderr, exit 1, nothing added."""
    done = run("append", "--stream", "s", *args, input=text)
    assert (done.returncode, done.stdout) == (1, ""), done.stderr
    assert done.stderr.startswith("timeline: error: ")
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
    return done.stderr.removeprefix("timeline: error: ").strip()


def test_bad_input_is_one_line_naming_the_line_field_and_value_and_appends_nothing(cli):
    good = json.dumps(STATEMENT)
    assert cli.quick("append", "--stream", "s", input=good).returncode == 0
    negative = json.dumps({**EVENTS[5], "event_id": None, "launched": -5})
    assert bad_append(cli, f"{good}\n{negative}\n") == (
        "<stdin>, line 2: DroneBarrage.launched must be a whole number ≥ 0 or None, got -5"
    )
    assert bad_append(cli, f'{good}\n{{"type": "x",}}\n') == (
        "<stdin>, line 2, column 14: not valid JSON: Expecting property name enclosed in double quotes"
    )
    assert bad_append(cli, good, "--expected-version", "0") == (
        "stream 's' is at version 1, not the expected 0 (someone appended since); "
        "nothing was appended"
    )

    quick = cli.quick
    not_a_number = json.dumps({**EVENTS[5], "event_id": None, "launched": "many"})
    assert bad_append(quick, f"{good}\n{good}\n{not_a_number}\n") == (
        "<stdin>, line 3: DroneBarrage.launched must be a whole number (a JSON integer, or a "
        "float without a fraction up to 2**53), got 'many'"
    )
    assert bad_append(quick, f"[{good}\n {good}]") == (
        "<stdin>, line 2, column 2: not valid JSON: expected ',' or ']' after an array "
        "element, found '{'"
    )
    assert bad_append(quick, f"[{good},") == (
        "<stdin>, line 1, column 124: not valid JSON: Expecting value"
    )
    assert bad_append(quick, '[{"type": "military.dron_barrage"}]').startswith(
        "<stdin>, line 1: field 'type': unknown event type 'military.dron_barrage'; "
        "did you mean 'military.drone_barrage'? (the types: "
    )
    assert bad_append(quick, '{"occurred_at": "2025-06-01T00:00:00Z"}') == (
        "<stdin>, line 1: field 'type' is missing: name the event type, "
        'e.g. "type": "military.drone_barrage"'
    )
    assert bad_append(quick, "[1]") == (
        '<stdin>, line 1: an event is a JSON object with a "type", got int'
    )
    missing = json.dumps({k: v for k, v in STATEMENT.items() if k != "text"})
    assert bad_append(quick, missing) == (
        "<stdin>, line 1: diplomacy.statement: required field 'text' is missing"
    )
    extra = json.dumps({**STATEMENT, "mood": "tense"})
    assert bad_append(quick, extra) == "<stdin>, line 1: diplomacy.statement has no field mood"
    naive = json.dumps({**STATEMENT, "occurred_at": "2025-06-02T10:00:00"})
    assert bad_append(quick, naive).startswith(
        "<stdin>, line 1: Statement.occurred_at must be timezone-aware"
    )
    too_new = json.dumps({**STATEMENT, "version": 9})
    assert bad_append(quick, too_new).startswith("<stdin>, line 1: field 'version': ")
    existing = str(stored(cli)[0].event.event_id)
    duplicate = json.dumps({**STATEMENT, "text": "Other words.", "event_id": existing})
    assert bad_append(quick, f"{good}\n{duplicate}") == (
        f"<stdin>, line 2: event id {existing} is already in the log; nothing was appended"
    )
    (cli.folder / "latin1.json").write_bytes(b'{"type": "diplomacy.statement", "text": "caf\xe9"}')
    assert bad_append(quick, None, "latin1.json").startswith("latin1.json: not UTF-8 text")
    assert bad_append(quick, None, "missing.jsonl") == "missing.jsonl: no such file"
    assert len(stored(cli)) == 1
    fresh = cli.quick("append", "--stream", "s", "--log", "fresh.db", input=negative)
    assert fresh.returncode == 1
    assert not (cli.folder / "fresh.db").exists()  # bad input creates no log either


def test_usage_errors_exit_2_in_one_line(cli):
    done = cli("append", input="")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "timeline: error: the following arguments are required: --stream "
        "(see 'timeline append --help')\n"
    )
    for args, expected in [
        (("append", "--stream", "s", "--expected-version", "-1"), "not a whole number ≥ 0: '-1'"),
        (("list", "--from", "yesterday"), "argument --from: not a date or an ISO-8601 time"),
        (("list", "--to", "2025-06-01T08:00"), "'2025-06-01T08:00' has no zone: say whose clock"),
        (("list", "--format", "xml"), "argument --format: invalid choice: 'xml'"),
        (("frobnicate",), "invalid choice: 'frobnicate'"),
    ]:
        done = cli.quick(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.startswith("timeline: error: "), done.stderr
        assert expected in done.stderr
        assert done.stderr.count("\n") == 1
    bare = cli.quick()
    assert bare.returncode == 2
    assert bare.stderr.startswith("usage: timeline")


def test_a_missing_or_damaged_log_is_a_one_line_error(cli):
    listed = cli("list", "--log", "nowhere.db")
    assert (listed.returncode, listed.stdout) == (1, "")
    assert listed.stderr == (
        "timeline: error: no log at nowhere.db (create one with 'timeline init', "
        "or name one with --log or $TIMELINE_LOG)\n"
    )
    assert not (cli.folder / "nowhere.db").exists()  # reading never creates a log
    folder = cli.quick("init", "--log", "no/such/folder.db")
    assert folder.returncode == 1
    assert folder.stderr == (
        "timeline: error: cannot create a log at no/such/folder.db: folder no/such does not exist\n"
    )
    (cli.folder / "junk.db").write_text("not a database\n" * 100)
    junk = cli.quick("list", "--log", "junk.db")
    assert junk.returncode == 1
    assert junk.stderr.startswith("timeline: error: SQLite log 'junk.db' is damaged")
    assert junk.stderr.count("\n") == 1
    debug = cli("list", "--log", "junk.db", "--debug")
    assert debug.returncode == 1
    assert debug.stderr.startswith("Traceback")
    assert debug.stderr.splitlines()[-1] == junk.stderr.strip()


def test_list_filters_and_formats(recorded):
    table = recorded("list")
    assert (table.returncode, table.stderr) == (0, "")
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["position", "recorded_at", "occurred", "type", "headline"]
    assert len(lines) == 1 + len(EVENTS)
    barrage = lines[6].split(maxsplit=2)
    assert barrage[0] == "6"
    # occurred: at the event's precision (minute), in its zone (none given: UTC)
    assert barrage[2].split("  ") == [
        "2025-05-31 16:30 UTC",
        *barrage[2].split("  ")[1:-1],
        "Russia: Shahed-136/131 472 launched, 210 destroyed",
    ]
    assert barrage[2].split()[3] == "military.drone_barrage"
    assert lines[9].split()[2] == "2025-06-02"  # a day-precision event: its local date

    def positions(*args):
        done = recorded.quick("list", "--format", "jsonl", *args)
        assert done.returncode == 0, done.stderr
        return [json.loads(line)["position"] for line in done.stdout.splitlines()]

    assert positions() == list(range(1, len(EVENTS) + 1))
    barrages = [6, 7, 8, 13]
    assert positions("--type", "military.drone_barrage") == barrages
    assert positions("--type", "DroneBarrage") == barrages
    assert positions("--type", "dronebarrage,diplomacy.talk_round_held") == [6, 7, 8, 9, 13]
    # dates: by local date (the talks of 2025-06-01T21:00Z, a day-precision time without a
    # zone, are dated 2 June); times: by instant
    assert positions("--from", "2025-05-31", "--to", "2025-06-01") == [6, 7, 8]
    assert positions("--from", "2025-05-31", "--to", "2025-06-02") == [6, 7, 8, 9, 10, 11, 12]
    assert positions("--from", "2025-05-31T17:00Z", "--to", "2025-06-01T20:59:59Z") == [7, 8]
    assert positions("--actor", "RUSSIA", "--type", "DroneBarrage") == [6, 13]
    assert positions("--actor", "European allies") == [1]
    assert positions("--actor", "ukraine", "--actor", "türkiye") == [1, 3, 4, 7, 8, 9, 10, 12]
    assert positions("--after", "10", "--limit", "2") == [11, 12]
    assert positions("--stream", "record", "--limit", "1") == [1]
    assert positions("--stream", "elsewhere") == []
    assert positions("--order", "occurred", "--limit", "5") == [1, 2, 3, 5, 4]
    assert positions("--order", "occurred", "--to", "2025-05-20") == [1, 2, 3, 5]

    as_json = recorded.quick("list", "--format", "json", "--type", "DroneBarrage", "--limit", "2")
    records = json.loads(as_json.stdout)
    assert [r["position"] for r in records] == [6, 7]
    assert set(records[0]) == {"position", "stream", "version", "recorded_at", "hash", "event"}
    assert records[0]["event"]["event_id"] == BARRAGE_472
    assert (records[0]["event"]["type"], records[0]["event"]["version"]) == (
        "military.drone_barrage",
        1,
    )
    assert json.loads(recorded.quick("list", "--format", "json", "--actor", "x").stdout) == []

    nothing = recorded.quick("list", "--actor", "nobody")
    assert (nothing.returncode, nothing.stdout) == (0, "")
    assert nothing.stderr == "timeline: no records match\n"
    unknown = recorded.quick("list", "--type", "DroneBarage")
    assert unknown.returncode == 2
    assert unknown.stderr == (
        "timeline: error: --type: unknown event type 'DroneBarage'; did you mean 'DroneBarrage'?\n"
    )
    backwards = recorded.quick("list", "--from", "2025-06-02", "--to", "2025-06-01")
    assert backwards.returncode == 2


def test_show_and_history_follow_an_event_through_its_corrections(cli):
    assert cli.quick("append", "--stream", "air", input=jsonl(EVENTS[5:6])).returncode == 0
    shown = cli("show", "1")
    assert (shown.returncode, shown.stderr) == (0, "")
    card = shown.stdout.splitlines()  # the readable card (timeline.text.card_lines)
    assert card[0] == "Russia: Shahed-136/131 472 launched, 210 destroyed"
    assert card[1].startswith("position 1, stream 'air' (version 1), recorded ")
    assert "launched:   472" in card
    assert card[-1] == "history: as recorded; never corrected or retracted"
    record = json.loads(cli.quick("show", "1", "--format", "json").stdout)
    assert (record["position"], record["stream"], record["version"]) == (1, "air", 1)
    assert record["event"]["launched"] == 472
    assert record["hash"] == stored(cli)[0].hash

    correction = {
        "type": "meta.correction",
        "occurred_at": "2025-06-02T09:00:00Z",
        "corrects": BARRAGE_472,
        "changes": {"launched": 479},
        "reason": "revised morning figure",
    }
    assert cli.quick("append", "--stream", "air", input=json.dumps(correction)).returncode == 0
    refused = bad_append(cli.quick, json.dumps({**correction, "changes": {"launched": -1}}))
    assert refused.startswith("<stdin>, line 1: Correction ")
    assert "DroneBarrage.launched must be a whole number ≥ 0 or None, got -1" in refused
    assert refused.endswith("nothing was appended")

    hist = cli("history", BARRAGE_472)
    assert (hist.returncode, hist.stderr) == (0, "")
    lines = hist.stdout.splitlines()
    assert lines[0] == f"{BARRAGE_472}  military.drone_barrage  stream 'air'"
    assert lines[1].split() == ["position", "recorded_at", "step", "what"]
    assert lines[2].split()[2:] == [
        "recorded",
        "Russia:",
        "Shahed-136/131",
        "472",
        "launched,",
        "210",
        "destroyed",
    ]
    assert lines[3].split(maxsplit=3)[2:] == [
        "corrected",
        "launched 472 → 479  (revised morning figure)",
    ]
    assert lines[-1] == (
        "now: in force, as corrected: Russia: Shahed-136/131 479 launched, 210 destroyed"
    )

    as_json = json.loads(cli.quick("show", "#1", "--format", "json").stdout)
    assert as_json["event"]["launched"] == 472  # the record as stored
    assert as_json["history"]["current"]["launched"] == 479
    assert [r["kind"] for r in as_json["history"]["revisions"]] == ["recorded", "corrected"]
    assert as_json["history"]["revisions"][1]["changes"] == {"launched": 479}
    shown_again = cli.quick("show", "1").stdout
    assert shown_again.splitlines()[0].endswith("(corrected since: see its history)")
    assert "launched 472 → 479 (revised morning figure)" in shown_again

    missing = cli("show", "99")
    assert (missing.returncode, missing.stderr) == (
        1,
        "timeline: error: no record at position 99: the log holds 2\n",
    )
    unknown = cli.quick("history", "01970000-0000-7000-8000-0000000000ff")
    assert (unknown.returncode, unknown.stderr) == (
        1,
        "timeline: error: event 01970000-0000-7000-8000-0000000000ff is not in the log\n",
    )
    bad_id = cli.quick("show", "not-an-id")
    assert bad_id.returncode == 2
    assert "argument EVENT: not an event id or a position: 'not-an-id'" in bad_id.stderr
