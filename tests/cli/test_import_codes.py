"""timeline import [FORMAT] FILE: exit codes 0/3/4/1/2, the guessed format, --zone, aliases."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

import timeline as tl
from cli.clitools import MISSILE_ATTACKS
from timeline.cli._importing import IMPORT_EXIT_CODES


def rows(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write(path, table):
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(table)


@pytest.fixture
def files(cli):
    """Small missile-attacks files in the cli's folder: all good, one row bad, all bad, empty."""
    table = rows(MISSILE_ATTACKS)[:4]
    write(cli.folder / "good.csv", table)
    write(cli.folder / "some.csv", [table[0], table[1], bad(table[2]), table[3]])
    write(cli.folder / "none.csv", [table[0], bad(table[1])])
    write(cli.folder / "header.csv", table[:1])
    (cli.folder / "empty.csv").write_text("")
    return cli


def bad(row):
    """A row whose ``launched`` is no number: refused, a problem."""
    return [*row[:6], "many", *row[7:]]


def test_the_exit_codes_are_the_documented_five():
    assert sorted(IMPORT_EXIT_CODES) == [0, 1, 2, 3, 4]


def test_all_imported_exits_0_and_so_does_all_already_there(files):
    good = files("import", "missile-attacks", "good.csv")
    assert (good.returncode, good.stdout) == (0, "")
    assert good.stderr.splitlines()[1].startswith("3 rows: 3 added, 0 unchanged")
    again = files("import", "missile-attacks", "good.csv")
    assert again.returncode == 0
    assert again.stderr.splitlines()[1].startswith("3 rows: 0 added, 3 unchanged")


def test_some_rows_refused_exits_3_and_names_the_problem(files):
    some = files("import", "missile-attacks", "some.csv")
    assert (some.returncode, some.stdout) == (3, "")
    assert "2 added" in some.stderr
    assert "1 problem" in some.stderr
    assert "  problem: row 2, column 'launched': 'many': not a number" in some.stderr
    with tl.open_log(files.folder / "timeline.db") as log:
        assert len(log) == 2  # the rows that could be read are kept


@pytest.mark.parametrize("name", ["none.csv", "header.csv", "empty.csv"])
def test_all_refused_or_nothing_to_import_exits_4(files, name):
    done = files("import", "missile-attacks", name)
    assert done.returncode == 4, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    path = files.folder / "timeline.db"
    if path.exists():
        with tl.open_log(path) as log:
            assert len(log) == 0


def test_strict_refuses_a_file_with_one_bad_row_whole_and_exits_4(files):
    strict = files("import", "missile-attacks", "some.csv", "--strict")
    assert strict.returncode == 4
    assert strict.stderr.startswith("timeline: error: ")
    assert strict.stderr.count("\n") == 1


def test_a_missing_file_exits_1(files):
    missing = files("import", "missile-attacks", "nowhere.csv")
    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr == "timeline: error: nowhere.csv: no such file\n"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("missile-attacks", "good.csv", "--country", "UKR"), "filter GDELT files"),
        (("missile-attacks", "good.csv", "--no-such-option"), "No such option '--no-such-option'"),
        (("no-such-format", "good.csv"), "invalid choice: 'no-such-format'"),
        ((), "give FILE, or FORMAT FILE"),
    ],
)
def test_a_bad_option_exits_2(files, args, said):
    usage = files("import", *args)
    assert (usage.returncode, usage.stdout) == (2, "")
    assert said in usage.stderr
    assert not (files.folder / "timeline.db").exists()  # nothing opened, nothing created


def test_the_json_report_is_on_stdout_and_the_summary_on_stderr(files):
    as_json = files.quick("import", "missile-attacks", "some.csv", "--output", "json")
    assert as_json.returncode == 3
    assert json.loads(as_json.stdout)["added"] == 2
    assert as_json.stderr.startswith("imported some.csv (missile-attacks): 3 rows")


def test_the_format_is_guessed_from_the_file_and_said_on_stderr(cli):
    shutil.copy(MISSILE_ATTACKS, cli.folder / MISSILE_ATTACKS.name)
    done = cli("import", MISSILE_ATTACKS.name)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines()[:2] == [
        (
            f"timeline: {MISSILE_ATTACKS.name}: read as missile-attacks (guessed from the file; "
            "name FORMAT to choose)"
        ),
        f"imported {MISSILE_ATTACKS.name} (missile-attacks) into stream 'missile-attacks'",
    ]
    (cli.folder / "notes.txt").write_text("nothing a data set looks like\n")
    unknown = cli.quick("import", "notes.txt")
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("timeline: error: cannot tell the format of notes.txt")
    absent = cli.quick("import", "absent.csv")
    assert (absent.returncode, absent.stderr) == (1, "timeline: error: absent.csv: no such file\n")
    alias = cli.quick("import", "ucdp", "ged.csv")
    assert (alias.returncode, alias.stderr) == (1, "timeline: error: ged.csv: no such file\n")
    wrong = cli.quick("import", "no-such-format", "x.csv")
    assert wrong.returncode == 2
    nothing = cli.quick("import")
    assert nothing.returncode == 2


def test_zone_sets_the_files_zone_and_timeline_zone_does_not(cli):
    def first_time(log, *flags, env=None):
        done = cli.quick(
            "import", "missile-attacks", MISSILE_ATTACKS, "--log", log, *flags, env=env
        )
        assert done.returncode == 0, done.stderr
        with tl.open_log(cli.folder / log) as opened:
            return next(opened.read()).event.occurred_at

    kyiv = first_time("kyiv.db")
    utc = first_time("utc.db", "--zone", "UTC")
    assert (utc - kyiv).total_seconds() == 3 * 3600  # summer: Kyiv is UTC+3
    assert first_time("env.db", env={"TIMELINE_ZONE": "UTC"}) == kyiv
