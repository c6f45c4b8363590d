"""The messages of issue 17 the command shows: unknown schemes, type names, usage lines."""

from __future__ import annotations

import json

import timeline as tl

BARRAGE = {
    "type": "DroneBarrage",
    "occurred_at": "2025-06-01T22:30:00Z",
    "attacker": "Russia",
    "launched": 80,
}


def test_an_unknown_url_scheme_is_named_not_taken_for_a_folder(cli):
    for command in (("list",), ("init",), ("append", "--stream", "s")):
        done = cli.quick(*command, "--log", "sqllite:///x.db", input=json.dumps(BARRAGE))
        assert done.returncode == 1, command
        assert done.stderr.startswith("timeline: error: "), done.stderr
        assert "unknown URL scheme 'sqllite'" in done.stderr
        assert "sqlite://" in done.stderr  # the known schemes
        assert "folder" not in done.stderr
        assert done.stderr.count("\n") == 1
    assert list(cli.folder.iterdir()) == []
    real = cli("list", "--log", "sqllite:///x.db")  # once in a real process
    assert real.returncode == 1
    assert "did you mean 'sqlite://'?" in real.stderr


def test_a_class_name_as_type_is_read_like_list_type_reads_it(cli):
    for name in ("DroneBarrage", "dronebarrage"):
        done = cli.quick(
            "append", "--stream", f"air-{name}", input=json.dumps({**BARRAGE, "type": name})
        )
        assert done.returncode == 0, done.stderr
    with tl.open_log(cli.folder / "timeline.db") as log:
        assert [r.event.TYPE for r in log.read()] == ["military.drone_barrage"] * 2
    wrong = cli("append", "--stream", "s", input=json.dumps({**BARRAGE, "type": "DroneBarage"}))
    assert wrong.returncode == 1
    message = wrong.stderr.strip()
    assert message.startswith(
        "timeline: error: <stdin>, line 1: field 'type': unknown event type 'DroneBarage'; "
        "did you mean 'DroneBarrage'? (the types: "
    )
    assert "military.missile_strike" in message
    assert message.endswith("or a class name such as DroneBarrage)")


def test_usage_errors_name_the_argument_and_point_to_help(cli):
    for args, expected in [
        (("correct", "6", "--reason", "x"), "the following arguments are required: FIELD=VALUE..."),
        (("plot", "pie", "x.png"), "argument KIND: invalid choice: 'pie' (choose from timeline,"),
        (("list", "--format", "yaml"), "argument --format: invalid choice: 'yaml'"),
        (("replay",), "the following arguments are required: PROJECTION"),
        (("lsit",), "invalid choice: 'lsit'; did you mean 'list'?"),
        (("list", "--frm", "2025"), "No such option '--frm'"),
    ]:
        done = cli.quick(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.startswith(f"timeline: error: {expected}"), done.stderr
        assert done.stderr.rstrip().endswith("--help')"), done.stderr
        assert done.stderr.count("\n") == 1
