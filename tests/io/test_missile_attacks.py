"""The missile-attacks importer on its real excerpt, on bad rows, cut and mis-encoded files.

Figures asserted here were read by hand from the excerpt and its README
(``../shared/data/missile-attacks/``): each test names the row or the README fact.
"""

import collections
import datetime as dt

import pytest

import timeline as tl
from timeline.io.missile_attacks import weapon_kind

HEADER = (
    "time_start,time_end,model,launch_place,target,target_main,launched,destroyed,"
    "not_reach_goal,still_attacking,border_crossing,is_shahed,num_hit_location,"
    "num_fall_fragment_location,carrier,turbojet,turbojet_destroyed,affected region,"
    "destroyed_details,launched_details,launch_place_details,source"
)
KYIV = "Europe/Kyiv"


def row(*cells, source="kpszsu/posts/x", **extra):
    """One CSV line in the data set's shape: time_start, time_end, model, launched, destroyed
    and not_reach_goal in that order, then any other column by name (the rest empty)."""
    values = dict.fromkeys(HEADER.split(","), "")
    firsts = ("time_start", "time_end", "model", "launched", "destroyed", "not_reach_goal")
    values.update(zip(firsts, cells, strict=False), source=source, **extra)
    return ",".join(values.values())


def write(path, *lines, encoding="utf-8"):
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding=encoding)
    return path


def events(log):
    return [rec.event for rec in log.read()]


def kyiv_date(event):
    return event.occurred_at.in_timezone(KYIV).date()


def find(log, start_utc, weapon):
    at = tl.instant(start_utc)
    (found,) = [e for e in events(log) if e.occurred_at == at and e.weapon == weapon]
    return found


# -- the real excerpt ----------------------------------------------------------------------


def test_every_row_is_imported_once(log, missiles):
    report = tl.io.import_file(log, "missile-attacks", missiles)
    # README: 223 data rows, 102 in May and 121 in June (by time_start's date part).
    assert (report.rows, report.added, report.unchanged, report.corrected) == (223, 223, 0, 0)
    assert report.problems == ()
    assert len(log) == 223
    months = collections.Counter(kyiv_date(e).month for e in events(log))
    assert months == {5: 102, 6: 121}


def test_the_472_drone_night(log, missiles):
    tl.io.import_file(log, "missile-attacks", missiles)
    # README fact 1: 2025-05-31 19:30 -> 2025-06-01 13:30 Kyiv (UTC+3 in summer), Shahed,
    # launched 472, destroyed 210, not_reach_goal 172, 18 hit locations.
    night = find(log, "2025-05-31T16:30:00+00:00", "Shahed-136/131")
    assert isinstance(night, tl.DroneBarrage)
    assert night.occurred_until == tl.instant("2025-06-01T10:30:00+00:00")
    assert night.time_precision is tl.TimePrecision.MINUTE
    assert (night.launched, night.destroyed, night.lost) == (472, 210, 172)
    assert (night.hit_locations, night.debris_locations, night.still_attacking) == (18, None, None)
    assert night.attacker == "Russia"
    assert night.target == "Ukraine"
    assert night.claimed_by == "Ukrainian Air Force"
    assert night.launch_sites == (
        "Primorsko-Akhtarsk",
        "Kursk oblast",
        "Bryansk oblast",
        "Oryol oblast",
        "Millerovo",
        "Shatalovo",
    )
    (source,) = night.sources
    assert source.name == "Ukrainian Air Force"
    assert source.url == (
        "https://www.facebook.com/kpszsu/posts/"
        "pfbid02qTz4EAuZGW1gtAkRpwquDKDa1HP3zAitvcEDCwAvbFXaG59dnFoEnu376pw6wAL8l"
    )
    # The same window holds the two missile rows: 4 launched / 3 destroyed and 3 / 0.
    missiles_that_night = [
        e
        for e in events(log)
        if e.occurred_at == night.occurred_at and isinstance(e, tl.MissileStrike)
    ]
    assert sorted((e.weapon, e.launched, e.destroyed) for e in missiles_that_night) == [
        ("Iskander-M/KN-23", 3, 0),
        ("X-101/X-555 and Iskander-K", 4, 3),
    ]


def test_escalation_reproduces_the_windows_and_the_record(log, missiles):
    tl.io.import_file(log, "missile-attacks", missiles)
    state = tl.replay(log, tl.Escalation())
    start = tl.instant("2025-05-31T16:30:00+00:00")
    (window,) = [w for w in state.windows if w.start == start]
    assert (window.drones.launched, window.drones.destroyed, window.drones.lost) == (472, 210, 172)
    # "472 drones and 7 missiles": 4 + 3 launched, 3 + 0 destroyed.
    assert (window.missiles.launched, window.missiles.destroyed) == (7, 3)
    assert window.claimant == "Ukrainian Air Force"
    # README fact 2: the largest May–June row, 8 to 9 June, 20:00 -> 10:30 Kyiv: 479.
    record = state.largest_drone_window
    assert (record.launched, record.previous) == (479, 472)
    assert record.start == tl.instant("2025-06-08T17:00:00+00:00")
    assert record.end == tl.instant("2025-06-09T07:30:00+00:00")
    (largest,) = [w for w in state.windows if w.start == record.start]
    assert (largest.drones.destroyed, largest.drones.lost) == (277, 183)
    # README fact 3: 28 to 29 June, 19:00 -> 05:00: 477 / 211 / 225.
    june_28 = find(log, "2025-06-28T16:00:00+00:00", "Shahed-136/131")
    assert (june_28.launched, june_28.destroyed, june_28.lost) == (477, 211, 225)


def test_monthly_totals_match_the_readme(log, missiles):
    tl.io.import_file(log, "missile-attacks", missiles)
    state = tl.replay(log, tl.Escalation())
    totals = collections.defaultdict(lambda: [0, 0])
    for day in state.days:
        for figures in (day.drones, day.missiles):
            totals[day.day[:7]][0] += figures.launched or 0
            totals[day.day[:7]][1] += figures.destroyed or 0
    # README fact 4 (by time_start's date part; no launched or destroyed cell is empty).
    assert totals == {"2025-05": [4574, 2196], "2025-06": [5374, 2779]}
    shahed = collections.defaultdict(lambda: [0, 0, 0])
    for e in events(log):
        if e.weapon == "Shahed-136/131":
            month = shahed[kyiv_date(e).month]
            month[0] += 1
            month[1] += e.launched
            month[2] += e.destroyed
    assert shahed == {5: [29, 4305, 1988], 6: [31, 5026, 2512]}


def test_claimants_models_and_empty_figures(log, missiles):
    report = tl.io.import_file(log, "missile-attacks", missiles)
    # README fact 5: 124 rows from kpszsu, 99 from PvKPivden; the commonest models.
    claimants = collections.Counter(e.claimed_by for e in events(log))
    assert claimants == {"Ukrainian Air Force": 124, "Air Command South": 99}
    models = collections.Counter(e.weapon for e in events(log))
    assert models["Shahed-136/131"] == 60
    assert models["Молнія"] == 21
    assert models["Reconnaissance UAV"] == 19
    kinds = collections.Counter(type(e).__name__ for e in events(log))
    assert sum(kinds.values()) == 223
    # not_reach_goal is empty in 153 rows: lost is unknown there, never 0, and each is noted.
    assert len(report.warnings) == 153
    assert {(w.column, w.value) for w in report.warnings} == {("not_reach_goal", "")}
    assert sum(e.lost is None for e in events(log)) == 153


def test_a_date_only_row_is_a_day_in_kyiv(log, missiles):
    tl.io.import_file(log, "missile-attacks", missiles)
    # Row 3: 2025-06-30,2025-06-30,Unknown UAV,,south,,4.0,4.0 (Air Command South).
    (day,) = [
        e
        for e in events(log)
        if e.weapon == "Unknown UAV" and e.occurred_at == tl.instant("2025-06-29T21:00:00+00:00")
    ]
    assert day.time_precision is tl.TimePrecision.DAY
    assert day.occurred_until == tl.instant("2025-06-30T21:00:00+00:00")  # the end of that day
    assert (day.launched, day.destroyed, day.target) == (4, 4, "south")
    assert day.claimed_by == "Air Command South"
    assert day.sources[0].url.startswith("https://www.facebook.com/PvKPivden/posts/")
    state = tl.replay(log, tl.Escalation())
    assert state.day("2025-06-30").drones.reports >= 1


def test_rows_with_the_same_key_keep_distinct_stable_ids(log, missiles):
    tl.io.import_file(log, "missile-attacks", missiles)
    # Rows 217 and 218: the same window, model and post (two Iskander-M, 1 launched each).
    twins = [
        e
        for e in events(log)
        if e.weapon == "Iskander-M" and e.occurred_at == tl.instant("2025-05-02T17:30:00+00:00")
    ]
    assert len(twins) == 2
    assert len({e.event_id for e in twins}) == 2
    assert {e.launch_sites for e in twins} == {("Crimea",), ("Rostov oblast",)}


def test_importing_twice_adds_nothing(log, missiles):
    first = tl.io.import_file(log, "missile-attacks", missiles)
    ids = [e.event_id for e in events(log)]
    again = tl.io.import_file(log, "missile-attacks", missiles)
    assert (again.added, again.unchanged, again.corrected) == (0, 223, 0)
    assert [e.event_id for e in events(log)] == ids
    assert first.added == 223
    # The ids are stable: a new log gets the same ones.
    other = tl.open_log("memory:")
    tl.io.import_file(other, "missile-attacks", missiles)
    assert sorted(e.event_id for e in events(other)) == sorted(ids)


def test_a_newer_snapshot_adds_what_is_new_and_corrects_what_changed(memlog, missiles, tmp_path):
    tl.io.import_file(memlog, "missile-attacks", missiles)
    before = memlog.head().recorded_at
    lines = missiles.read_text(encoding="utf-8").splitlines()
    night = next(
        i
        for i, line in enumerate(lines)
        if line.startswith("2025-05-31 19:30") and "Shahed" in line
    )
    lines[night] = lines[night].replace(",472.0,210.0,172.0,", ",472.0,211.0,172.0,")
    lines.insert(
        1,
        "2025-07-01 20:00,2025-07-02 09:00,Shahed-136/131,Kursk oblast,Ukraine,,80.0,60.0,18.0,,{},,,,,,,,,,,kpszsu/posts/new",
    )
    newer = tmp_path / "newer.csv"
    newer.write_text("\n".join(lines) + "\n", encoding="utf-8")
    memlog.clock.advance(days=1)
    report = tl.io.import_file(memlog, "missile-attacks", newer)
    assert (report.added, report.corrected, report.unchanged) == (1, 1, 222)
    (fix,) = [e for e in events(memlog) if isinstance(e, tl.Correction)]
    assert fix.changes == {"destroyed": 211}
    assert "destroyed 210 → 211" in fix.reason
    assert fix.tags == ("import:missile-attacks",)
    start = tl.instant("2025-05-31T16:30:00+00:00")
    now = tl.replay(memlog, tl.Escalation())
    then = tl.replay(memlog, tl.Escalation(), known_at=before)
    assert [w.drones.destroyed for w in now.windows if w.start == start] == [211]
    assert [w.drones.destroyed for w in then.windows if w.start == start] == [210]
    # And that snapshot again: nothing more.
    again = tl.io.import_file(memlog, "missile-attacks", newer)
    assert (again.added, again.corrected, again.unchanged) == (0, 0, 224)


def test_an_analysts_correction_is_not_undone_by_a_reimport(memlog, missiles):
    tl.io.import_file(memlog, "missile-attacks", missiles)
    night = find(memlog, "2025-05-31T16:30:00+00:00", "Shahed-136/131")
    memlog.append(
        [
            tl.Correction(
                occurred_at=night.occurred_at,
                corrects=night.event_id,
                changes={"summary": "Record night"},
            )
        ],
        stream="analysis",
    )
    report = tl.io.import_file(memlog, "missile-attacks", missiles)
    assert (report.added, report.corrected, report.unchanged) == (0, 0, 223)


def test_progress_is_reported_to_the_end(memlog, missiles):
    calls = []
    tl.io.import_file(
        memlog,
        "missile-attacks",
        missiles,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[-1] == (223, 223)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


# -- bad rows -----------------------------------------------------------------------------


@pytest.fixture
def bad_file(tmp_path):
    return write(
        tmp_path / "bad.csv",
        row("2025-06-01 20:00", "2025-06-02 08:00", "Shahed-136/131", "100.0", "90.0", "5.0"),
        row("2025-06-02 20:00", "2025-06-03 08:00", "Shahed-136/131", "many", "90.0"),
        row("2025-06-03 20:00", "2025-06-04 08:00", "Shahed-136/131", "100.0", "120.0"),
        row("2025-06-04 20:00", "2025-06-04 08:00", "Shahed-136/131", "100.0", "90.0"),
        row("2025-06-05 25:61", "2025-06-06 08:00", "Shahed-136/131", "100.0", "90.0"),
        row("2025-06-06 20:00", "2025-06-07 08:00", "Shahed-136/131", "100.0", "90.0", "101.0"),
        row("2025-06-07 20:00", "2025-06-08 08:00", "Shahed-136/131", "100.5", "90.0"),
        row("2025-06-08 20:00", "2025-06-09 08:00", "Shahed-136/131", "", "", "-"),
        row("2025-06-09 20:00", "2025-06-10 08:00", "Shahed-136/131", "", "7.0"),
        row("2025-01-15 20:00", "2025-01-16 6:30", "Heavy UAV", "10.0", "9.0"),
        row(
            "2025-06-10 20:00",
            "2025-06-11 08:00",
            "Mystery-1",
            "2.0",
            "1.0",
            source="otherunit/posts/y",
        ),
    )


def test_bad_rows_are_listed_with_row_column_value_and_the_rest_imported(memlog, bad_file):
    report = tl.io.import_file(memlog, "missile-attacks", bad_file)
    problems = [(p.row, p.column, p.value) for p in report.problems]
    assert problems == [
        (2, "launched", "many"),  # not a number
        (3, "destroyed", 120),  # destroyed > launched
        (4, "time_end", "2025-06-04 08:00"),  # ends before it starts
        (5, "time_start", "2025-06-05 25:61"),  # an unreadable time
        (6, "not_reach_goal", 101),  # lost > launched
        (7, "launched", "100.5"),  # not a whole number
        (8, "not_reach_goal", "-"),  # not a number
    ]
    reasons = [p.reason for p in report.problems]
    assert reasons[0] == "not a number"
    assert "exceeds launched" in reasons[1]
    assert "ends before it starts" in reasons[2]
    assert reasons[3].startswith("unreadable time")
    assert report.added == 4
    assert len(memlog) == 4


def test_an_empty_figure_is_unknown_not_zero(memlog, bad_file):
    report = tl.io.import_file(memlog, "missile-attacks", bad_file)
    (unknown,) = [
        e for e in events(memlog) if e.occurred_at == tl.instant("2025-06-09T17:00:00+00:00")
    ]
    assert (unknown.launched, unknown.destroyed, unknown.lost) == (None, 7, None)
    row9 = [(w.column, w.value) for w in report.warnings if w.row == 9]
    assert row9 == [("launched", ""), ("not_reach_goal", "")]


def test_winter_time_a_loose_hour_and_unknown_models(memlog, bad_file):
    report = tl.io.import_file(memlog, "missile-attacks", bad_file)
    # Row 10: January is winter time in Kyiv (UTC+2); "6:30" has no leading zero.
    (winter,) = [e for e in events(memlog) if e.weapon == "Heavy UAV"]
    assert winter.occurred_at == tl.instant("2025-01-15T18:00:00+00:00")
    assert winter.occurred_until == tl.instant("2025-01-16T04:30:00+00:00")
    assert isinstance(winter, tl.DroneBarrage)  # "UAV" in the name
    # Row 11: a model nobody knows is a drone barrage, with a warning; so is the account.
    (mystery,) = [e for e in events(memlog) if e.weapon == "Mystery-1"]
    assert isinstance(mystery, tl.DroneBarrage)
    notes = {(w.row, w.column): w.reason for w in report.warnings}
    assert notes[11, "model"] == "unknown weapon model: imported as a drone barrage"
    assert "not a known Air Force account" in notes[11, "source"]
    assert mystery.claimed_by == "Ukrainian Air Force"


def test_strict_mode_stops_at_the_first_bad_row_and_appends_nothing(log, bad_file):
    with pytest.raises(tl.InvalidData) as caught:
        tl.io.import_file(log, "missile-attacks", bad_file, strict=True)
    assert (caught.value.row, caught.value.column, caught.value.value) == (2, "launched", "many")
    assert caught.value.reason == "not a number"
    assert isinstance(caught.value, ValueError)
    assert len(log) == 0


def test_strict_mode_imports_a_clean_file(log, missiles):
    report = tl.io.import_file(log, "missile-attacks", missiles, strict=True)
    assert report.added == 223


def test_weapon_kinds():
    assert weapon_kind("Shahed-136/131") == "drone"
    assert weapon_kind("Молнія") == "drone"
    assert weapon_kind("X-101/X-555 and Iskander-K") == "missile"
    assert weapon_kind("Kh-59M2") == "missile"
    assert weapon_kind("Shahed-136/131 and Kalibr") is None
    assert weapon_kind("Mystery-1") is None


def test_more_weapon_models_can_be_named(memlog, bad_file):
    tl.io.import_file(memlog, "missile-attacks", bad_file, kinds={"Mystery-1": "missile"})
    (mystery,) = [e for e in events(memlog) if e.weapon == "Mystery-1"]
    assert isinstance(mystery, tl.MissileStrike)
    with pytest.raises(tl.InvalidArgument):
        tl.io.import_file(memlog, "missile-attacks", bad_file, kinds={"Mystery-1": "bomb"})


# -- damaged files ------------------------------------------------------------------------


def test_a_file_cut_short_mid_row(memlog, missiles, tmp_path):
    data = missiles.read_bytes()
    lines = data.split(b"\n")
    # Keep the header and 99 whole rows, then half of row 100.
    cut = b"\n".join(lines[:100]) + b"\n" + lines[100][: len(lines[100]) // 3]
    path = tmp_path / "cut.csv"
    path.write_bytes(cut)
    report = tl.io.import_file(memlog, "missile-attacks", path)
    assert report.added == 99
    (problem,) = report.problems
    assert problem.row == 100
    assert "cut short" in problem.reason
    assert any("does not end with a line break" in w.reason for w in report.warnings)


def test_a_file_cut_in_its_last_field_is_imported_with_a_warning(memlog, missiles, tmp_path):
    path = tmp_path / "cut.csv"
    path.write_bytes(missiles.read_bytes()[:-10])  # the last post id loses its end
    report = tl.io.import_file(memlog, "missile-attacks", path)
    assert report.added == 223
    (note,) = [w for w in report.warnings if w.row == 223 and w.column is None]
    assert "may be cut short" in note.reason


def test_a_utf16_file_is_refused_whole(memlog, missiles, tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_bytes(missiles.read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(tl.InvalidData) as caught:
        tl.io.import_file(memlog, "missile-attacks", path)
    assert caught.value.row is None
    assert "UTF-16" in str(caught.value)
    assert len(memlog) == 0


def test_a_cp1251_file_gives_a_problem_for_each_row_it_garbles(memlog, missiles, tmp_path):
    path = tmp_path / "cp1251.csv"
    path.write_bytes(missiles.read_text(encoding="utf-8").encode("cp1251"))
    report = tl.io.import_file(memlog, "missile-attacks", path)
    # Only the 21 "Молнія" rows hold non-ASCII text: each is a problem, the rest imported.
    assert len(report.problems) == 21
    assert {(p.column, p.reason.split(" (")[0]) for p in report.problems} == {
        ("model", "is not UTF-8")
    }
    assert report.added == 202
    with pytest.raises(tl.InvalidData) as caught:
        tl.io.import_file(tl.open_log("memory:"), "missile-attacks", path, strict=True)
    assert caught.value.column == "model"


def test_a_file_of_another_data_set_is_refused(memlog, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("date,aircraft\n2025-06-03,413\n", encoding="utf-8")
    with pytest.raises(tl.InvalidData, match="not a missile-attacks file"):
        tl.io.import_file(memlog, "missile-attacks", path)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(tl.InvalidData, match="empty"):
        tl.io.import_file(memlog, "missile-attacks", empty)


def test_times_are_converted_with_daylight_saving_time():
    from timeline.io._times import LocalTimes  # noqa: PLC0415  # the private reader, tested directly

    kyiv = LocalTimes(KYIV)
    # Clocks go forward at 03:00 on 30 March 2025 and back at 04:00 on 26 October 2025.
    assert kyiv.parse("2025-03-30 02:30").utc == tl.instant("2025-03-30T00:30:00+00:00")
    assert kyiv.parse("2025-03-30 05:00").utc == tl.instant("2025-03-30T02:00:00+00:00")
    assert kyiv.parse("2025-10-26 02:00").utc == tl.instant("2025-10-25T23:00:00+00:00")
    assert kyiv.parse("2025-10-26 05:00").utc == tl.instant("2025-10-26T03:00:00+00:00")
    assert kyiv.parse("2025-06-01 19:30 ").key == "2025-06-01 19:30"
    assert kyiv.end_of_day(dt.date(2025, 6, 30)) == tl.instant("2025-06-30T21:00:00+00:00")
    with pytest.raises(tl.InvalidArgument):
        LocalTimes("Mars/Olympus")
