"""timeline import [FORMAT] FILE: exit codes 0/3/4/1/2, the guessed format, --zone, aliases."""

from __future__ import annotations

import csv
import json
import shutil

import timeline as tl
from cli.clitools import MISSILE_ATTACKS
from timeline.cli._importing import IMPORT_EXIT_CODES


def rows(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write(path, table):
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(table)


def test_the_exit_codes_say_how_much_was_imported(cli):
    assert sorted(IMPORT_EXIT_CODES) == [0, 1, 2, 3, 4]
    table = rows(MISSILE_ATTACKS)[:4]
    write(cli.folder / "good.csv", table)
    some = [table[0], table[1], [*table[2][:6], "many", *table[2][7:]], table[3]]
    write(cli.folder / "some.csv", some)
    none = [table[0], [*table[1][:6], "many", *table[1][7:]]]
    write(cli.folder / "none.csv", none)
    write(cli.folder / "header.csv", table[:1])
    (cli.folder / "empty.csv").write_text("")

    good = cli("import", "missile-attacks", "good.csv", "--log", "a.db")
    assert (good.returncode, good.stderr) == (0, "")
    again = cli.quick("import", "missile-attacks", "good.csv", "--log", "a.db")
    assert again.returncode == 0  # already there: still 0
    refused = cli("import", "missile-attacks", "some.csv", "--log", "b.db")
    assert refused.returncode == 3
    assert "1 problem" in refused.stdout
    for name in ("none.csv", "header.csv", "empty.csv"):
        done = cli.quick("import", "missile-attacks", name, "--log", "c.db")
        assert done.returncode == 4, (name, done.stdout, done.stderr)
    strict = cli.quick("import", "missile-attacks", "some.csv", "--strict", "--log", "d.db")
    assert strict.returncode == 4
    missing = cli.quick("import", "missile-attacks", "nowhere.csv")
    assert missing.returncode == 1
    usage = cli.quick("import", "missile-attacks", "good.csv", "--country", "UKR")
    assert usage.returncode == 2
    assert "filter GDELT files" in usage.stderr
    as_json = cli.quick(
        "import", "missile-attacks", "some.csv", "--log", "e.db", "--output", "json"
    )
    assert as_json.returncode == 3
    assert json.loads(as_json.stdout)["added"] == 2
    assert as_json.stderr.startswith("timeline: imported some.csv (missile-attacks): 3 rows")


def test_the_format_is_guessed_from_the_file_and_said_on_stderr(cli):
    shutil.copy(MISSILE_ATTACKS, cli.folder / MISSILE_ATTACKS.name)
    done = cli("import", MISSILE_ATTACKS.name)
    assert done.returncode == 0, done.stderr
    assert done.stderr == (
        f"timeline: {MISSILE_ATTACKS.name}: read as missile-attacks (guessed from the file; "
        "name FORMAT to choose)\n"
    )
    assert done.stdout.startswith(f"imported {MISSILE_ATTACKS.name} (missile-attacks)")
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
