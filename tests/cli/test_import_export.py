"""import and export: the shared excerpts in, the log out; the issue's "done when".

These need :mod:`timeline.io` (the importers and exporters).
"""

from __future__ import annotations

import csv
import json
import shutil

import timeline as tl
from cli.clitools import AIR_FORCE, MISSILE_ATTACKS


def test_import_missile_attacks_then_replay_escalation_as_of_1_june(cli):
    """Done when: the excerpt imports and the record as of 1 June is the 472-drone night."""
    done = cli("import", "missile-attacks", MISSILE_ATTACKS)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # the report is for a person: on stderr, and piped: no progress bar
    lines = done.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0] == (
        f"imported {MISSILE_ATTACKS} (missile-attacks) into stream 'missile-attacks'"
    )
    assert lines[1].startswith("223 rows: 223 added, 0 unchanged, 0 corrected, 0 retracted; ")
    assert lines[1].endswith(", 0 problems")

    replayed = cli("replay", "Escalation", "--as-of", "2025-06-01")
    assert (replayed.returncode, replayed.stderr) == (0, "")
    record = next(
        line for line in replayed.stdout.splitlines() if line.startswith("largest drone window")
    )
    assert record.startswith("largest drone window so far: 472 drones on 2025-05-31 (")
    assert f"claimed by {AIR_FORCE}" in record
    assert "479" not in replayed.stdout  # the night of 8 to 9 June is after 1 June
    later = cli.quick("replay", "Escalation").stdout
    assert "largest drone window so far: 479 drones on 2025-06-08" in later

    again = cli.quick("import", "missile-attacks", MISSILE_ATTACKS)
    assert again.stderr.splitlines()[1].startswith("223 rows: 0 added, 223 unchanged, ")
    with tl.open_log(cli.folder / "timeline.db") as log:
        assert len(log) == 223
        assert log.verify().ok


def test_import_reports_bad_rows_and_refuses_bad_files_in_one_line(cli):
    with MISSILE_ATTACKS.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[:4]
    assert rows[0][6] == "launched"
    rows[2][6] = "many"
    with (cli.folder / "bad.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)

    done = cli.quick("import", "missile-attacks", "bad.csv", "--stream", "air")
    assert (done.returncode, done.stdout) == (3, "")  # some rows refused
    lines = done.stderr.splitlines()
    assert lines[0] == "imported bad.csv (missile-attacks) into stream 'air'"
    assert lines[1].startswith("3 rows (2 imported, 1 refused, 0 skipped): 2 added, ")
    assert lines[1].endswith(", 1 problem")
    assert lines[2] == "  problem: row 2, column 'launched': 'many': not a number"
    report = json.loads(
        cli.quick(
            "import", "missile-attacks", "bad.csv", "--stream", "air", "--output", "json"
        ).stdout
    )
    assert (report["added"], report["unchanged"]) == (0, 2)
    assert [(p["row"], p["column"], p["value"]) for p in report["problems"]] == [
        (2, "launched", "many")
    ]

    strict = cli("import", "missile-attacks", "bad.csv", "--strict", "--log", "strict.db")
    assert (strict.returncode, strict.stdout) == (4, "")  # nothing imported
    assert (
        strict.stderr
        == "timeline: error: bad.csv: row 2, column 'launched': 'many': not a number\n"
    )
    with tl.open_log(cli.folder / "strict.db") as log:
        assert len(log) == 0  # strict: all or nothing

    missing = cli.quick("import", "missile-attacks", "nowhere.csv")
    assert (missing.returncode, missing.stderr) == (
        1,
        "timeline: error: nowhere.csv: no such file\n",
    )
    unknown = cli.quick("import", "no-such-format", "bad.csv")
    assert unknown.returncode == 2
    assert unknown.stderr.startswith(
        "timeline: error: argument FORMAT: invalid choice: 'no-such-format' (choose from "
    )
    assert unknown.stderr.count("\n") == 1


def test_export_to_files_and_stdout(cli):
    shutil.copy(MISSILE_ATTACKS, cli.folder / "attacks.csv")
    assert cli.quick("import", "missile-attacks", "attacks.csv").returncode == 0
    to_stdout = cli("export", "jsonl")
    assert (to_stdout.returncode, to_stdout.stderr) == (
        0,
        "exported 223 records to stdout (jsonl)\n",
    )
    exported = [json.loads(line) for line in to_stdout.stdout.splitlines()]
    assert len(exported) == 223
    for format_, name in [
        ("cloudevents", "events.json"),
        ("jsonl", "events.jsonl"),
        ("parquet", "events.parquet"),
        ("timelinejs", "timeline.json"),
    ]:
        done = cli.quick("export", format_, name)
        assert done.returncode == 0, (format_, done.stderr)
        assert (cli.folder / name).stat().st_size > 0
    assert (cli.folder / "events.jsonl").read_text().splitlines() == to_stdout.stdout.splitlines()
    cloud = json.loads((cli.folder / "events.json").read_text())
    assert len(cloud) == 223
    unknown = cli.quick("export", "xml", "out.xml")
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("timeline: error: argument FORMAT: invalid choice: 'xml'")
    assert not (cli.folder / "out.xml").exists()


def test_export_csv_neutralises_formulas_unless_asked_to_keep_them(cli, tmp_path):
    """A text a spreadsheet would run gets a leading ' in CSV; --keep-formulas writes it as is."""
    formula = "=cmd|' /C calc'!A0"
    said = {"type": "diplomacy.statement", "occurred_at": "2025-06-02T10:00:00+03:00",
            "speaker": "A", "text": formula}  # fmt: skip
    assert cli.quick("append", "--stream", "s", input=json.dumps(said)).returncode == 0
    for flags, expected in (((), "'" + formula), (("--keep-formulas",), formula)):
        target = tmp_path / f"out{len(flags)}.csv"
        done = cli.quick("export", "csv", str(target), *flags)
        assert done.returncode == 0, done.stderr
        with target.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert [row["data.text"] for row in rows] == [expected]
