"""The ru-losses importer on the General Staff's current files and on their revision history.

Figures asserted here were read by hand from ``../shared/data/ru-losses/`` and its README.
"""

import gzip
import itertools
import json

import pytest

import timeline as tl
from timeline.io._pipeline import stable_id

# The commit that first published 2025-06-03 (aircraft 384), and the one that rewrote it.
FIRST_PUBLISHED = tl.instant("2025-06-03T10:31:05+03:00")
REWRITTEN = tl.instant("2025-06-04T10:50:52+03:00")
JUST_BEFORE = tl.instant("2025-06-04T10:50:51+03:00")


def reports(log, **cut):
    """The loss reports as replay sees them, by date (in Kyiv)."""
    return {
        e.occurred_at.in_timezone("Europe/Kyiv").date().isoformat(): e
        for e in tl.replay_events(log, **cut)
        if isinstance(e, tl.LossReport)
    }


def test_the_current_files(log, losses):
    report = tl.io.import_file(log, "ru-losses", losses)
    # README fact 4: 1626 records, 2022-02-25 to 2026-08-08, no date missing.
    assert (report.rows, report.added, report.problems, report.warnings) == (1626, 1626, (), ())
    days = reports(log)
    assert len(days) == 1626
    assert min(days) == "2022-02-25"
    assert max(days) == "2026-08-08"
    june_3 = days["2025-06-03"]
    assert june_3.party == "Russia"
    assert june_3.cumulative is True
    assert june_3.claimed_by == "General Staff of the Armed Forces of Ukraine"
    assert june_3.occurred_at == tl.instant("2025-06-02T21:00:00+00:00")  # midnight in Kyiv
    assert june_3.time_precision is tl.TimePrecision.DAY
    # README fact 1: the record for 2025-06-03.
    assert {c.item: c.count for c in june_3.equipment} == {
        "aircraft": 413,
        "helicopter": 336,
        "tank": 10881,
        "APC": 22671,
        "field artillery": 28623,
        "MRL": 1402,
        "anti-aircraft warfare": 1176,
        "drone": 38748,
        "cruise missiles": 3271,
        "naval ship": 28,
        "submarines": 1,
        "vehicles and fuel tanks": 50607,
        "special equipment": 3905,
    }
    # README fact 4: personnel merged from the personnel file.
    assert [days[d].personnel for d in ("2025-06-01", "2025-06-02", "2025-06-03")] == [
        988560,
        989700,
        990800,
    ]
    assert (days["2025-05-16"].personnel, days["2025-05-16"].figure("aircraft")) == (971690, 372)
    assert (days["2025-07-23"].personnel, days["2025-07-23"].figure("aircraft")) == (1045220, 421)
    assert june_3.tags == ("personnel approximate",)
    assert days["2022-03-07"].tags == ("personnel at least",)


def test_the_strike_on_the_bombers_is_the_jump_in_aircraft(log, losses):
    tl.io.import_file(log, "ru-losses", losses)
    days = reports(log)
    aircraft = {
        d: days[d].figure("aircraft") for d in sorted(days) if "2025-05-04" <= d <= "2025-06-10"
    }
    # README fact 1: 372 every day from 2025-05-04 to 2025-06-02, 413 on 2025-06-03.
    assert {aircraft[d] for d in aircraft if d <= "2025-06-02"} == {372}
    dates = sorted(aircraft)
    jumps = {
        b: aircraft[b] - aircraft[a]
        for a, b in itertools.pairwise(dates)
        if aircraft[b] != aircraft[a]
    }
    assert jumps == {"2025-06-03": 41, "2025-06-08": 1, "2025-06-10": 2}
    assert (aircraft["2025-06-02"], aircraft["2025-06-03"]) == (372, 413)


def test_importing_twice_adds_nothing(log, losses):
    tl.io.import_file(log, "ru-losses", losses)
    again = tl.io.import_file(log, "ru-losses", losses)
    assert (again.added, again.unchanged, again.corrected) == (0, 1626, 0)
    assert len(log) == 1626


def test_the_equipment_file_alone_and_the_personnel_file_alone(memlog, losses):
    equipment = tl.io.import_file(
        memlog, "ru-losses", losses / "russia_losses_equipment.json", personnel=False
    )
    assert equipment.added == 1626
    assert reports(memlog)["2025-06-03"].personnel is None
    people = tl.io.import_file(memlog, "ru-losses", losses / "russia_losses_personnel.json")
    assert (people.added, people.corrected) == (0, 1626)
    june_3 = reports(memlog)["2025-06-03"]
    assert (june_3.personnel, june_3.figure("aircraft")) == (990800, 413)  # equipment kept
    again = tl.io.import_file(memlog, "ru-losses", losses / "russia_losses_equipment.json")
    assert (again.added, again.corrected, again.unchanged) == (0, 0, 1626)


def test_the_revision_history_shows_what_was_known_when(log, losses):
    report = tl.io.import_file(log, "ru-losses", losses / "revisions.jsonl.gz")
    # README: 40 revisions adding 42 records to the first one's 1172; one rewrite.
    assert (report.rows, report.added, report.corrected, report.problems) == (40, 1172 + 40, 1, ())
    assert len(log) == 1213
    june_3 = stable_id("ru-losses", "2025-06-03")
    assert log.get(june_3).recorded_at == FIRST_PUBLISHED
    assert log.head().recorded_at == tl.instant("2025-06-20T16:04:12+03:00")
    assert next(iter(log.read())).recorded_at == tl.instant("2025-05-11T12:45:00+03:00")
    # 3 June was first published with 384 aircraft and rewritten to 413 a day later.
    assert reports(log, known_at=JUST_BEFORE)["2025-06-03"].figure("aircraft") == 384
    assert reports(log, known_at=REWRITTEN)["2025-06-03"].figure("aircraft") == 413
    assert reports(log)["2025-06-03"].figure("aircraft") == 413
    (fix,) = [r for r in log.read() if isinstance(r.event, tl.Correction)]
    assert fix.recorded_at == REWRITTEN
    assert fix.event.corrects == june_3
    assert "aircraft 384 → 413" in fix.event.reason
    assert "4990556" in fix.event.reason  # the commit
    # Before 3 June was published, the log did not know it at all.
    assert "2025-06-03" not in reports(log, known_at=tl.instant("2025-06-03T10:31:04+03:00"))
    again = tl.io.import_file(log, "ru-losses", losses / "revisions.jsonl.gz")
    assert (again.added, again.corrected, again.unchanged) == (0, 0, 1213)
    assert len(log) == 1213


def test_the_delta_history(memlog, losses):
    report = tl.io.import_file(memlog, "ru-losses", losses / "revisions-delta.jsonl")
    assert (report.rows, report.added, report.corrected) == (40, 42, 1)
    assert reports(memlog, known_at=JUST_BEFORE)["2025-06-03"].figure("aircraft") == 384
    assert reports(memlog)["2025-06-03"].figure("aircraft") == 413


def test_the_history_then_the_current_files(losses):
    log = tl.open_log("memory:", clock=tl.FixedClock(tl.instant("2026-11-25T00:00:00+00:00")))
    tl.io.import_file(log, "ru-losses", losses / "revisions.jsonl.gz")
    report = tl.io.import_file(log, "ru-losses", losses)
    # Days after the history are new; every day of the history gains its personnel.
    assert (report.added, report.corrected) == (1626 - 1212, 1212)
    june_3 = reports(log)["2025-06-03"]
    assert (june_3.figure("aircraft"), june_3.personnel) == (413, 990800)
    # The personnel became known when the current files were imported, not before.
    assert reports(log, known_at=REWRITTEN)["2025-06-03"].personnel is None


# -- bad input ----------------------------------------------------------------------------


def test_the_corrections_file_is_refused(memlog, losses):
    with pytest.raises(tl.InvalidData, match="corrections file"):
        tl.io.import_file(memlog, "ru-losses", losses / "russia_losses_equipment_correction.json")


def test_bad_records_are_problems(memlog, tmp_path):
    path = tmp_path / "russia_losses_equipment.json"
    path.write_text(
        json.dumps(
            [
                {"date": "2025-06-01", "day": 1194, "aircraft": 372, "tank": 10870},
                {"date": "2025-06-02", "day": 1195, "aircraft": "many", "tank": 10874},
                {"date": "2025-06-31", "day": 1196, "aircraft": 413},
                {"date": "2025-06-04", "day": 1197, "aircraft": -1},
                ["not", "a", "record"],
                {"date": "2025-06-05", "day": 1198, "aircraft": 413, "tank": 10890},
            ]
        ),
        encoding="utf-8",
    )
    report = tl.io.import_file(memlog, "ru-losses", path)
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (2, "aircraft", "many"),
        (3, "date", "2025-06-31"),
        (4, "aircraft", -1),
        (5, None, ["not", "a", "record"]),
    ]
    assert report.added == 2
    with pytest.raises(tl.InvalidData) as caught:
        tl.io.import_file(tl.open_log("memory:"), "ru-losses", path, strict=True)
    assert (caught.value.row, caught.value.column) == (2, "aircraft")


def test_a_file_cut_short_mid_record(memlog, losses, tmp_path):
    records = json.loads((losses / "russia_losses_equipment.json").read_text(encoding="utf-8"))
    whole = json.dumps(records[:9])[:-1]  # nine records, and the array left open
    damaged = whole + ', {"date": "2022-03-06", "day": 11, "aircr'
    path = tmp_path / "russia_losses_equipment.json"
    path.write_text(damaged, encoding="utf-8")
    report = tl.io.import_file(memlog, "ru-losses", path, personnel=False)
    assert report.added == 9
    (problem,) = report.problems
    assert problem.row == 10
    assert "cut short" in problem.reason


def test_a_wrong_encoding_is_refused(memlog, losses, tmp_path):
    path = tmp_path / "russia_losses_equipment.json"
    path.write_bytes(
        (losses / "russia_losses_equipment.json").read_text(encoding="utf-8").encode("utf-16")
    )
    with pytest.raises(tl.InvalidData, match="UTF-16"):
        tl.io.import_file(memlog, "ru-losses", path, personnel=False)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'[{"date": "2025-06-01", "aircraft": 372, "note": "caf\xe9"}]')
    with pytest.raises(tl.InvalidData, match="not UTF-8"):
        tl.io.import_file(memlog, "ru-losses", latin, personnel=False)
    assert len(memlog) == 0


def test_a_history_cut_short(memlog, losses, tmp_path):
    with gzip.open(losses / "revisions.jsonl.gz", "rb") as file:
        lines = file.read().split(b"\n")
    path = tmp_path / "revisions.jsonl.gz"
    with gzip.open(path, "wb") as file:
        file.write(b"\n".join(lines[:3]) + b"\n" + lines[3][:5000])
    report = tl.io.import_file(memlog, "ru-losses", path)
    assert report.added == 1172 + 2  # the first three revisions
    (problem,) = report.problems
    assert problem.row == 4
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(path.read_bytes()[:-200])  # the gzip stream itself cut short
    other = tl.open_log("memory:")
    report = tl.io.import_file(other, "ru-losses", cut)
    assert report.problems
    assert "cut short" in report.problems[-1].reason
    not_gzip = tmp_path / "plain.jsonl.gz"
    not_gzip.write_bytes(b"not gzip at all")
    with pytest.raises(tl.InvalidData, match="not a gzip file"):
        tl.io.import_file(other, "ru-losses", not_gzip)


def test_an_unknown_kind_of_file(memlog, tmp_path):
    path = tmp_path / "losses.csv"
    path.write_text("date,aircraft\n", encoding="utf-8")
    with pytest.raises(tl.InvalidData, match="not a ru-losses file"):
        tl.io.import_file(memlog, "ru-losses", path)
