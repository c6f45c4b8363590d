"""correct, retract, codes, plot, the graph exports and the export's summary line."""

from __future__ import annotations

import csv
import io
import json

import pytest

from cli.clitools import BARRAGE_472, BARRAGE_479, EVENTS, LINK, REJECTION, SHARED, jsonl

CAMEO = SHARED / "cameo"


@pytest.fixture
def filled(cli):
    assert cli.quick("append", "--stream", "record", input=jsonl([*EVENTS, LINK])).returncode == 0
    return cli


def test_correct_and_retract_by_position_or_prefix(filled):
    done = filled("correct", "6", "destroyed=211", "--reason", "revised report")
    assert (done.returncode, done.stdout) == (0, "")  # the summary: stderr
    assert done.stderr == (
        f"corrected {BARRAGE_472} (position 6): destroyed 210 → 211; the correction is at "
        f"position {len(EVENTS) + 2}\n"
    )
    hist = json.loads(filled.quick("history", BARRAGE_472, "--format", "json").stdout)
    assert hist["current"]["destroyed"] == 211
    assert hist["revisions"][1]["reason"] == "revised report"

    two = filled.quick("correct", BARRAGE_479[:-3], "weapon=Shahed-136", "destroyed=280",
                       "--reason", "r")  # fmt: skip
    assert two.returncode == 1  # the prefix names 472 and 479
    assert two.stderr.startswith("timeline: error: event id prefix ")
    three = filled.quick("correct", BARRAGE_479, "weapon=Shahed-136", "destroyed=280",
                         "--reason", "r")  # fmt: skip
    assert three.returncode == 0, three.stderr
    current = json.loads(filled.quick("show", BARRAGE_479, "--format", "json").stdout)
    assert (
        current["history"]["current"]["weapon"],
        current["history"]["current"]["destroyed"],
    ) == (
        "Shahed-136",
        280,
    )

    for args, message in [
        (("6", "mood=tense"), "military.drone_barrage has no field 'mood' (its fields: "),
        (("6", "destroyed"), "argument CHANGES: 'destroyed' is not field=value"),
        (("6", "destroyed=-1"), "DroneBarrage.destroyed must be a whole number ≥ 0 or None"),
    ]:
        bad = filled.quick("correct", *args, "--reason", "x")
        assert bad.returncode in {1, 2}, args
        assert bad.stderr.startswith("timeline: error: ")
        assert message in bad.stderr, bad.stderr
        assert bad.stderr.count("\n") == 1
    no_reason = filled.quick("correct", "6", "destroyed=1")
    assert no_reason.returncode == 2
    assert "--reason" in no_reason.stderr

    gone = filled("retract", "7", "--reason", "duplicate report")
    assert (gone.returncode, gone.stdout) == (0, "")
    assert gone.stderr.startswith("retracted ")
    assert "(position 7: Ukraine: UAV 162 destroyed)" in gone.stderr
    listed = filled.quick("replay", "Chronology", "--format", "csv").stdout
    assert "UAV 162" not in listed


def test_codes_look_up_by_code_text_and_event_type(cli):
    done = cli("codes", "195", "--tables", CAMEO, "--format", "csv")
    assert (done.returncode, done.stderr) == (0, "")
    [row] = csv.DictReader(io.StringIO(done.stdout))
    assert row == {
        "code": "195",
        "goldstein": "-10.0",
        "description": "Employ aerial weapons",
        "event_types": "military.drone_barrage, military.missile_strike",
    }
    env = {"TIMELINE_CAMEO": str(CAMEO)}
    by_type = json.loads(cli.quick("codes", "DroneBarrage", "--format", "json", env=env).stdout)
    assert [r["code"] for r in by_type] == ["195"]
    by_text = json.loads(cli.quick("codes", "ceasefire", "--format", "json", env=env).stdout)
    assert {"107", "0871", "196"} <= {r["code"] for r in by_text}
    first_digits = json.loads(cli.quick("codes", "19", "--format", "json", env=env).stdout)
    assert all(r["code"].startswith("19") for r in first_digits)
    table = cli.quick("codes", "195", env={**env, "COLUMNS": "60"}).stdout.splitlines()
    assert table[0].split() == ["code", "goldstein", "description", "event", "types"]
    assert max(map(len, table)) <= 60
    missing = cli.quick("codes", "195")
    assert missing.returncode == 2
    assert "--tables DIR or $TIMELINE_CAMEO" in missing.stderr


def test_graph_exports_and_the_summary_line(filled):
    pytest.importorskip("networkx")
    dot = filled("export", "dot", "-")
    assert dot.returncode == 0, dot.stderr
    assert dot.stdout.startswith("digraph causal {")
    assert dot.stderr == (
        f"exported the causal graph ({len(EVENTS)} events, 1 link) to stdout (dot)\n"
    )
    node_link = filled.quick("export", "node-link", "graph.json")
    assert node_link.returncode == 0, node_link.stderr
    document = json.loads((filled.folder / "graph.json").read_text())
    assert [(e["source"], e["target"]) for e in document["edges"]] == [(REJECTION, BARRAGE_472)]
    early = filled.quick("export", "node-link", "-", "--known-at", "2000-01-01")
    assert json.loads(early.stdout)["nodes"] == []
    graphml = filled.quick("export", "graphml", "graph.graphml")
    assert graphml.returncode == 0, graphml.stderr
    assert (filled.folder / "graph.graphml").read_text().startswith("<?xml")
    jsonl_done = filled.quick("export", "jsonl", "all.jsonl")
    assert jsonl_done.stderr == (f"exported {len(EVENTS) + 1} records to all.jsonl (jsonl)\n")
    cut = filled.quick("export", "jsonl", "x.jsonl", "--as-of", "2025-06-01")
    assert cut.returncode == 2
    assert "jsonl writes every record as stored" in cut.stderr
    pytest.importorskip("pandas")
    view = filled.quick("export", "csv", "view.csv", "--as-of", "2025-05-20")
    assert view.returncode == 0, view.stderr
    assert view.stderr == "exported 4 records to view.csv (csv)\n"  # the view: no link


def test_plot_draws_each_picture_into_its_file(filled):
    pytest.importorskip("matplotlib")
    done = filled("plot", "nights", "nights.png", "--as-of", "2025-06-10")
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr.startswith("drew the nights chart of ")
    assert (filled.folder / "nights.png").read_bytes().startswith(b"\x89PNG")
    for kind, name in [("timeline", "t.svg"), ("intensity", "i.pdf"), ("causal", "c.svg")]:
        drawn = filled.quick("plot", kind, name)
        assert drawn.returncode == 0, (kind, drawn.stderr)
        assert (filled.folder / name).stat().st_size > 1000
    around = filled.quick("plot", "causal", "around.png", "--around", "6")
    assert around.returncode == 0, around.stderr
    goldstein = filled.quick("plot", "intensity", "g.png", "--goldstein", "--tables", CAMEO)
    assert goldstein.returncode == 0, goldstein.stderr
    wrong = filled.quick("plot", "nights", "nights.gif")
    assert wrong.returncode == 2
    assert "'nights.gif' must end in .png, .svg, .pdf" in wrong.stderr
