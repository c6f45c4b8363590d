"""The UCDP GED and ACLED importers, on rows written from their codebooks (tests/data)."""

import csv
from pathlib import Path

import pytest

import timeline as tl
from timeline.io._pipeline import stable_id

FIXTURES = Path(__file__).resolve().parents[1] / "data"
UCDP = FIXTURES / "ucdp_ged_sample.csv"
ACLED = FIXTURES / "acled_sample.csv"


def by_key(log, dataset):
    found = {}
    for rec in log.read():
        for key in (
            "910001",
            "910002",
            "910003",
            "910004",
            "910005",
            "UKR210001",
            "UKR210002",
            "UKR210003",
            "UKR210004",
        ):
            if rec.event.event_id == stable_id(dataset, key):
                found[key] = rec.event
    return found


def rewrite(source, target, change):
    with source.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    change(rows)
    with target.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return target


# -- UCDP GED -----------------------------------------------------------------------------


def test_ucdp_rows_become_casualty_reports(log):
    report = tl.io.import_file(log, "ucdp-ged", UCDP)
    assert (report.rows, report.added, report.problems) == (5, 5, ())
    events = by_key(log, "ucdp-ged")
    kharkiv = events["910001"]
    assert isinstance(kharkiv, tl.CasualtyReport)
    assert (kharkiv.killed, kharkiv.killed_low, kharkiv.killed_high) == (3, 2, 5)
    # GED's dates are local days: read in the zone of the country (Kyiv, UTC+3 in June)
    assert kharkiv.occurred_at == tl.instant("2025-06-01T00:00:00+03:00")
    assert kharkiv.occurred_until is None
    assert kharkiv.time_precision is tl.TimePrecision.DAY
    assert kharkiv.actors == ("Government of Russia (Soviet Union)", "Government of Ukraine")
    assert kharkiv.location == tl.Location(
        name="Kharkiv town",
        admin1="Kharkiv oblast",
        country="Ukraine",
        latitude=49.988358,
        longitude=36.232845,
    )
    assert kharkiv.tags[:2] == ("state-based conflict", "conflict: Russia - Ukraine")
    assert "where_prec: 1" in kharkiv.tags  # kept as tags, with UCDP's ids
    assert any(t.startswith("side_a_new_id: ") for t in kharkiv.tags)
    assert kharkiv.claimed_by == "UCDP"
    assert [s.name for s in kharkiv.sources] == [
        "UCDP Georeferenced Event Dataset",
        "Kyiv Independent",
        "Reuters",
    ]
    assert kharkiv.civilians is False  # no civilian and no unknown deaths


def test_ucdp_date_precision_and_ranges(log):
    tl.io.import_file(log, "ucdp-ged", UCDP)
    events = by_key(log, "ucdp-ged")
    odesa = events["910002"]  # date_prec 2: 2 to 5 June, one-sided, all civilians
    assert odesa.time_precision is tl.TimePrecision.DAY
    assert odesa.occurred_until == tl.instant("2025-06-06T00:00:00+03:00")  # the end of 5 June
    assert odesa.civilians is True
    assert odesa.tags[0] == "one-sided violence"
    month = events["910003"]  # date_prec 4: May
    assert month.time_precision is tl.TimePrecision.MONTH
    assert month.civilians is None  # two deaths of unknown status
    assert events["910004"].occurred_at == tl.instant("2025-06-03T00:00:00+03:00")
    unknown = events["910005"]
    assert (unknown.killed, unknown.killed_low, unknown.killed_high) == (None, None, None)
    assert unknown.location == tl.Location(country="Ukraine")


def test_ucdp_empty_estimates_are_warnings(memlog):
    report = tl.io.import_file(memlog, "ucdp-ged", UCDP)
    assert [(w.row, w.column) for w in report.warnings] == [(5, "best"), (5, "low"), (5, "high")]


def test_ucdp_dates_can_be_read_in_one_zone_for_the_whole_file(memlog):
    tl.io.import_file(memlog, "ucdp-ged", UCDP, zone="UTC")
    kharkiv = by_key(memlog, "ucdp-ged")["910001"]
    assert kharkiv.occurred_at == tl.instant("2025-06-01T00:00:00+00:00")
    with pytest.raises(tl.InvalidArgument):
        tl.io.import_file(memlog, "ucdp-ged", UCDP, zone="Mars/Olympus")


def test_ucdp_twice_and_a_newer_version(memlog, tmp_path):
    tl.io.import_file(memlog, "ucdp-ged", UCDP)
    again = tl.io.import_file(memlog, "ucdp-ged", UCDP)
    assert (again.added, again.unchanged) == (0, 5)

    def revise(rows):
        rows[0]["best"], rows[0]["high"] = "4", "6"

    newer = rewrite(UCDP, tmp_path / "ged251.csv", revise)
    report = tl.io.import_file(memlog, "ucdp-ged", newer)
    assert (report.added, report.corrected, report.unchanged) == (0, 1, 4)
    (fix,) = [r.event for r in memlog.read() if isinstance(r.event, tl.Correction)]
    assert fix.changes == {"killed": 4, "killed_high": 6}


def test_ucdp_bad_rows(memlog, tmp_path):
    def damage(rows):
        rows[0]["best"] = "three"
        rows[1]["date_end"] = "2025-06-01"  # before date_start 2025-06-02
        rows[2]["date_prec"] = "9"
        rows[3]["low"] = "7"  # above best (1)
        rows[4]["date_start"] = "June 4th"

    path = rewrite(UCDP, tmp_path / "bad.csv", damage)
    report = tl.io.import_file(memlog, "ucdp-ged", path)
    assert [(p.row, p.column) for p in report.problems] == [
        (1, "best"),
        (2, "date_end"),
        (3, "date_prec"),
        (5, "date_start"),
    ]
    # a low above best is dropped, not the row: best is the figure
    assert report.added == 1
    (low,) = [w for w in report.warnings if w.column == "low"]
    assert (low.row, low.value) == (4, 7)
    assert "low dropped" in low.reason
    assert (report.imported, report.refused, report.exit_code) == (1, 4, 3)
    with pytest.raises(tl.InvalidData):
        tl.io.import_file(memlog, "ucdp-ged", path, strict=True)


def test_ucdp_cut_short_and_mis_encoded(memlog, tmp_path):
    data = UCDP.read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(data[: data.rindex(b"\n", 0, len(data) - 1) + 40])
    report = tl.io.import_file(memlog, "ucdp-ged", cut)
    assert report.added == 4
    assert [p.row for p in report.problems] == [5]
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(data.decode("utf-8").encode("utf-16"))
    with pytest.raises(tl.InvalidData, match="UTF-16"):
        tl.io.import_file(memlog, "ucdp-ged", utf16)
    # a file without a single UTF-8 character is Windows-1252: read as such, and said
    latin = tmp_path / "latin.csv"
    latin.write_bytes(data.replace(b"Kharkiv town", "Charkiw Stadtmitte ö".encode("cp1252")))
    log = tl.open_log("memory:")
    report = tl.io.import_file(log, "ucdp-ged", latin)
    assert (report.problems, report.added) == ((), 5)
    assert report.read_as == "CSV: Windows-1252, comma-delimited"
    assert report.warnings[0].value == "Windows-1252"
    assert by_key(log, "ucdp-ged")["910001"].location.name == "Charkiw Stadtmitte ö"
    # a UTF-8 file with damaged rows keeps reporting them, row by row
    damaged = tmp_path / "damaged.csv"
    damaged.write_bytes(
        data.replace(b"Kharkiv town", "Charkiw ö".encode("latin-1"), 1).replace(
            b"Odesa", "Одеса".encode()
        )
    )
    report = tl.io.import_file(tl.open_log("memory:"), "ucdp-ged", damaged)
    assert [(p.row, p.column) for p in report.problems] == [(1, "where_coordinates")]
    assert report.read_as == "CSV: UTF-8, comma-delimited"


def test_ucdp_needs_its_columns(memlog, tmp_path):
    path = tmp_path / "acled.csv"
    path.write_bytes(ACLED.read_bytes())
    with pytest.raises(tl.InvalidData, match="not a UCDP GED file"):
        tl.io.import_file(memlog, "ucdp-ged", path)


# -- ACLED --------------------------------------------------------------------------------


def test_acled_rows_become_casualty_reports(log):
    report = tl.io.import_file(log, "acled", ACLED)
    assert (report.rows, report.added, report.problems) == (4, 4, ())
    events = by_key(log, "acled")
    kharkiv = events["UKR210001"]
    assert isinstance(kharkiv, tl.CasualtyReport)
    assert kharkiv.killed == 3
    assert kharkiv.civilians is True  # "Civilian targeting"
    assert kharkiv.occurred_at == tl.instant("2025-06-01T00:00:00+03:00")  # a day in Kyiv
    assert kharkiv.time_precision is tl.TimePrecision.DAY
    assert kharkiv.actors == ("Military Forces of Russia (2000-)", "Civilians (Ukraine)")
    assert kharkiv.tags[:3] == (
        "Political violence",
        "Explosions/Remote violence",
        "Air/drone strike",
    )
    assert "inter1: External/Other forces" in kharkiv.tags  # code 8 named
    assert "geo_precision: 1" in kharkiv.tags
    assert kharkiv.summary.startswith("On 1 June 2025, Russian forces struck Kharkiv")
    assert kharkiv.location == tl.Location(
        name="Kharkiv", admin1="Kharkiv", country="Ukraine", latitude=49.9935, longitude=36.2304
    )
    acled, *media = kharkiv.sources
    assert (acled.name, acled.published_at) == ("ACLED", tl.instant("2025-06-11T00:00:00+00:00"))
    assert [s.name for s in media] == ["Ukrinform", "Suspilne"]
    assert kharkiv.claimed_by == "ACLED"


def test_acled_time_precision(memlog):
    tl.io.import_file(memlog, "acled", ACLED)
    events = by_key(memlog, "acled")
    week = events["UKR210002"]  # "03 June 2025", precision 2
    assert week.occurred_at == tl.instant("2025-06-03T00:00:00+03:00")
    assert week.time_precision is tl.TimePrecision.DAY
    assert "date approximate" in week.tags
    assert week.killed is None  # 0, but the notes say "Casualties unknown."
    assert week.civilians is None
    month = events["UKR210003"]
    assert month.time_precision is tl.TimePrecision.MONTH
    assert month.location.country == "Turkey"


def test_acled_empty_fatalities_are_unknown(memlog):
    report = tl.io.import_file(memlog, "acled", ACLED)
    sumy = by_key(memlog, "acled")["UKR210004"]
    assert sumy.killed is None
    assert [(w.row, w.column) for w in report.warnings] == [(2, "fatalities"), (4, "fatalities")]
    assert sumy.actors == (
        "Military Forces of Russia (2000-)",
        "Military Forces of Russia (2000-) Air Force",
        "Civilians (Ukraine)",
    )
    assert "local administrators" in sumy.tags


def test_acled_twice_and_bad_rows(memlog, tmp_path):
    tl.io.import_file(memlog, "acled", ACLED)
    assert tl.io.import_file(memlog, "acled", ACLED).unchanged == 4

    def damage(rows):
        rows[0]["fatalities"] = "3.5"
        rows[1]["event_date"] = "the third of June"
        rows[2]["time_precision"] = "4"
        rows[3]["latitude"] = "north"

    path = rewrite(ACLED, tmp_path / "bad.csv", damage)
    report = tl.io.import_file(tl.open_log("memory:"), "acled", path)
    assert [(p.row, p.column) for p in report.problems] == [
        (1, "fatalities"),
        (2, "event_date"),
        (3, "time_precision"),
        (4, "latitude"),
    ]


def test_acled_cut_short(memlog, tmp_path):
    data = ACLED.read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(data[: data.index(b"Reports of a drone strike")])  # inside a quoted note
    report = tl.io.import_file(memlog, "acled", cut)
    assert report.added == 3
    (problem,) = report.problems
    assert problem.row == 4
