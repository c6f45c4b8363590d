"""ACLED and UCDP GED files as found in the wild: every layout, encoding, delimiter and file type.

The fixtures (tests/data, see its README) reproduce each layout's header and rows typed from
real files; the variants (a workbook, a zip archive, a dd/mm or mm/dd file) are made from
them here.
"""

import builtins
import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import timeline as tl
from timeline.io._dates import DayReader
from timeline.io._guess import guess_from_content
from timeline.io._pipeline import stable_id
from timeline.io.report import EXIT_CODES, ImportReport, exit_code_for

FIXTURES = Path(__file__).resolve().parents[1] / "data"
REGIONAL = FIXTURES / "acled_regional_1997-2017.csv"
RESAVED = FIXTURES / "acled_2020_resaved.csv"
SEMICOLON = FIXTURES / "acled_semicolon_cp1252.csv"
ACLED_HXL = FIXTURES / "acled_hdx_hxl.csv"
ACLED = FIXTURES / "acled_sample.csv"
GED191 = FIXTURES / "ucdp_ged191_sample.csv"
GED_HXL = FIXTURES / "ucdp_ged_hdx_hxl.csv"
UCDP = FIXTURES / "ucdp_ged_sample.csv"


def event(log, dataset, key):
    wanted = stable_id(dataset, key)
    (found,) = [r.event for r in log.read() if r.event.event_id == wanted]
    return found


def rows_of(path, encoding="utf-8", delimiter=","):
    with path.open(encoding=encoding, newline="") as file:
        return list(csv.reader(file, delimiter=delimiter))


def write(path, rows, delimiter=","):
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return path


def accounted(report):
    return report.rows == report.imported + report.refused + report.skipped


# -- ACLED: every layout ----------------------------------------------------------------------


def test_acled_regional_files_upper_case_headers_and_older_names(memlog):
    report = tl.io.import_file(memlog, "acled", REGIONAL)
    assert (report.rows, report.added, report.problems) == (4, 4, ())
    assert "dates dd/mm/yyyy" in report.read_as
    # GWNO and EVENT_ID_NO_CNTY are ACLED columns (dropped), not unknown ones
    assert [w for w in report.warnings if w.row is None] == []
    riot = event(memlog, "acled", "2229RTA")
    # ALLY_ACTOR_1 is the older name of assoc_actor_1: the actor is kept
    assert riot.actors == (
        "Rioters (Algeria)",
        "Berber Ethnic Group (Algeria)",
        "Police Forces of Algeria (1999-)",
    )
    assert "geo_precision: 3" in riot.tags  # GEO_PRECISION kept
    assert "inter1: Rioters" in riot.tags
    assert riot.killed == 0  # a 0 with nothing saying it is unknown: a figure
    assert accounted(report)
    assert report.exit_code == 0


def test_acled_regional_dates_in_the_zone_of_the_country(memlog):
    tl.io.import_file(memlog, "acled", REGIONAL)
    student = event(memlog, "acled", "1416RTA")
    assert student.occurred_at == tl.instant("2001-04-18T00:00:00+01:00")  # Africa/Algiers
    assert student.zone == "Africa/Algiers"
    assert str(tl.local_date(student)) == "2001-04-18"


@pytest.mark.parametrize(
    ("fmt", "path", "key", "date"),
    [
        ("acled", REGIONAL, "event_id_cnty", "event_date"),
        ("acled", RESAVED, "event_id_cnty", "event_date"),
        ("acled", ACLED, "event_id_cnty", "event_date"),
        ("ucdp-ged", GED191, "id", "date_start"),
        ("ucdp-ged", UCDP, "id", "date_start"),
    ],
)
def test_the_local_date_is_the_day_the_file_gives(memlog, fmt, path, key, date):
    tl.io.import_file(memlog, fmt, path)
    header, *rows = rows_of(path)
    header = [h.lower() for h in header]
    reader = DayReader(survey=lambda: [r[header.index(date)] for r in rows])
    for row in rows:
        found = event(memlog, fmt, row[header.index(key)])
        assert str(tl.local_date(found)) == reader.iso(row[header.index(date)])
        assert found.zone not in {None, "UTC"}


def test_a_file_writes_all_its_dates_one_way(memlog, tmp_path):
    rows = rows_of(REGIONAL)
    # all ambiguous but one, far down: the file is day first
    for row, day in zip(
        rows[1:], ("01/02/2001", "02/03/2001", "03/04/2001", "25/04/2001"), strict=True
    ):
        row[3] = day
    report = tl.io.import_file(memlog, "acled", write(tmp_path / "dmy.csv", rows))
    assert report.problems == ()
    assert event(memlog, "acled", "1416RTA").occurred_at.in_timezone("Africa/Algiers").date() == (
        tl.instant("2001-02-01T12:00:00+00:00").date()
    )
    # month first: "04/25/2001" decides it for the rows before it too
    rows[4][3] = "04/25/2001"
    log = tl.open_log("memory:")
    report = tl.io.import_file(log, "acled", write(tmp_path / "mdy.csv", rows))
    assert "dates mm/dd/yyyy" in report.read_as
    first = event(log, "acled", "1416RTA").occurred_at.in_timezone("Africa/Algiers")
    assert (first.month, first.day) == (1, 2)
    # the first date that shows the order decides it; a date against it is refused, not
    # read the other way
    rows[2][3] = "25/04/2001"
    report = tl.io.import_file(tl.open_log("memory:"), "acled", write(tmp_path / "bad.csv", rows))
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (4, "event_date", "04/25/2001")
    ]
    assert "dd/mm/yyyy" in report.problems[0].reason


def test_a_file_of_ambiguous_dates_is_read_day_first_and_says_so(memlog, tmp_path):
    rows = rows_of(REGIONAL)
    for row in rows[1:]:
        row[3] = "04/05/2001"
    report = tl.io.import_file(memlog, "acled", write(tmp_path / "amb.csv", rows))
    assert report.added == 4
    (note,) = [w for w in report.warnings if w.row is None]
    assert "day first" in note.reason
    assert event(memlog, "acled", "1416RTA").occurred_at == tl.instant("2001-05-04T00:00:00+01:00")


def test_acled_spreadsheet_resave_with_pandas_index(memlog):
    report = tl.io.import_file(memlog, "acled", RESAVED)
    assert (report.rows, report.added, report.problems) == (4, 4, ())
    # the unnamed index column is not a problem, nor is data_id or iso3
    assert [w for w in report.warnings if w.row is None] == []
    clash = event(memlog, "acled", "YEM50001")
    assert clash.occurred_at == tl.instant("2020-05-09T00:00:00+03:00")  # 9-May-20 in Aden
    # "Casualties unknown." with 0: unknown, not zero
    assert clash.killed is None
    assert event(memlog, "acled", "YEM50002").killed == 2
    assert event(memlog, "acled", "YEM50004").killed is None  # "an unknown number of casualties"
    assert event(memlog, "acled", "YEM50003").killed == 0
    unknown = [w for w in report.warnings if w.column == "fatalities"]
    assert [w.row for w in unknown] == [1, 4]
    assert all("unknown (None)" in w.reason for w in unknown)


def test_acled_semicolons_and_windows_1252(memlog):
    report = tl.io.import_file(memlog, "acled", SEMICOLON)
    assert (report.rows, report.added, report.problems) == (2, 2, ())
    assert report.read_as == "CSV: Windows-1252, semicolon-delimited"
    assert report.warnings[0].value == "Windows-1252"
    mali = event(memlog, "acled", "MLI1001")
    assert mali.location.name == "Sévaré"
    assert mali.occurred_at == tl.instant("2015-01-01T00:00:00+00:00")  # 01-January-2015, Bamako
    assert event(memlog, "acled", "CIV2001").location.country == "Ivory Coast"


def test_acled_utf8_with_a_byte_order_mark_and_tabs(memlog, tmp_path):
    path = tmp_path / "bom.tsv"
    rows = rows_of(ACLED)
    text = io.StringIO()
    csv.writer(text, delimiter="\t", lineterminator="\n").writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + text.getvalue().encode())
    report = tl.io.import_file(memlog, "acled", path)
    assert (report.added, report.problems) == (4, ())
    assert report.read_as.startswith("CSV: UTF-8 with a byte-order mark, tab-delimited")


def test_acled_hdx_copy_with_an_hxl_row(memlog):
    report = tl.io.import_file(memlog, "acled", ACLED_HXL)
    assert (report.rows, report.imported, report.refused, report.skipped) == (3, 2, 0, 1)
    assert report.problems == ()
    (tag_row,) = [w for w in report.warnings if w.row == 1]
    assert "HXL" in tag_row.reason
    assert event(memlog, "acled", "SYR90002").killed is None  # "Fatalities unknown."
    assert report.exit_code == 0


def test_acled_xlsx(memlog, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    rows = rows_of(RESAVED)
    for i, row in enumerate(rows):
        values = list(row)
        if i:
            values[5] = dt.datetime.strptime(row[5], "%d-%b-%y")  # noqa: DTZ007  # a date cell has no zone
            values[29] = int(row[29])  # a number cell
        sheet.append(values)
    path = tmp_path / "acled.xlsx"
    book.save(path)
    report = tl.io.import_file(memlog, "acled", path)
    assert (report.rows, report.added, report.problems) == (4, 4, ())
    assert report.read_as.startswith("XLSX")
    assert event(memlog, "acled", "YEM50002").killed == 2
    assert event(memlog, "acled", "YEM50002").occurred_at == tl.instant("2020-05-09T00:00:00+03:00")


def test_acled_xlsx_without_the_extra(memlog, tmp_path, monkeypatch):
    real = builtins.__import__

    def no_openpyxl(name, *args, **kwargs):
        if name == "openpyxl":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_openpyxl)
    path = tmp_path / "acled.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(tl.MissingExtra, match="xlsx"):
        tl.io.import_file(memlog, "acled", path)


def test_acled_zip_of_one_csv(memlog, tmp_path):
    path = tmp_path / "acled.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(REGIONAL, "1997-2017/Africa.csv")
    report = tl.io.import_file(memlog, "acled", path)
    assert (report.added, report.problems) == (4, ())
    assert report.read_as.startswith("CSV in 1997-2017/Africa.csv")
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as archive:
        archive.write(REGIONAL, "a.csv")
        archive.write(ACLED, "b.csv")
    with pytest.raises(tl.InvalidData, match="exactly one CSV"):
        tl.io.import_file(memlog, "acled", two)


def test_acled_current_export_imports_as_before(memlog):
    report = tl.io.import_file(memlog, "acled", ACLED)
    assert (report.rows, report.added, report.problems, report.skipped) == (4, 4, (), 0)
    assert report.read_as == "CSV: UTF-8, comma-delimited"
    again = tl.io.import_file(memlog, "acled", ACLED)
    assert (again.added, again.unchanged, again.exit_code) == (0, 4, 0)


def test_zone_forces_one_zone_and_ids_do_not_depend_on_it(memlog):
    tl.io.import_file(memlog, "acled", REGIONAL, zone="UTC")
    student = event(memlog, "acled", "1416RTA")
    assert student.occurred_at == tl.instant("2001-04-18T00:00:00+00:00")
    assert student.zone == "UTC"
    other = tl.open_log("memory:")
    tl.io.import_file(other, "acled", REGIONAL)
    assert {r.event.event_id for r in other.read()} == {r.event.event_id for r in memlog.read()}


def test_an_unknown_country_is_read_in_utc_with_one_warning(memlog, tmp_path):
    rows = rows_of(REGIONAL)
    for row in rows[1:]:
        row[14] = "Atlantis"
    report = tl.io.import_file(memlog, "acled", write(tmp_path / "x.csv", rows))
    assert report.added == 4
    (note,) = [w for w in report.warnings if w.column == "country"]
    assert (note.row, note.value) == (1, "Atlantis")
    assert event(memlog, "acled", "1416RTA").occurred_at == tl.instant("2001-04-18T00:00:00+00:00")


# -- UCDP GED ---------------------------------------------------------------------------------


def test_ged_191_inconsistent_bounds_keep_the_event(memlog):
    report = tl.io.import_file(memlog, "ucdp", GED191)  # the alias
    assert report.format == "ucdp-ged"
    assert (report.rows, report.added, report.problems) == (3, 3, ())
    duma = event(memlog, "ucdp-ged", "990101")  # low 0, best 3, high 0
    assert (duma.killed_low, duma.killed, duma.killed_high) == (0, 3, None)
    assert duma.occurred_at == tl.instant("2017-03-04T00:00:00+02:00")  # Damascus
    assert duma.actors == ("Government of Syria", "Syrian insurgents")
    assert {"where_prec: 1", "side_a_new_id: 120", "conflict_new_id: 299"} <= set(duma.tags)
    idlib = event(memlog, "ucdp-ged", "990103")  # low 6, best 5, high 5
    assert (idlib.killed_low, idlib.killed, idlib.killed_high) == (None, 5, 5)
    assert idlib.time_precision is tl.TimePrecision.MONTH
    dropped = [(w.row, w.column, w.value) for w in report.warnings if w.column in {"low", "high"}]
    assert dropped == [(1, "high", 0), (3, "low", 6)]
    assert report.exit_code == 0


def test_ged_hdx_file_skips_its_hxl_row(memlog):
    report = tl.io.import_file(memlog, "ucdp-ged", GED_HXL)
    assert (report.rows, report.imported, report.refused, report.skipped) == (3, 2, 0, 1)
    assert report.problems == ()
    assert "1 skipped" in report.summary()


# -- The report: rows accounted for, exit codes ----------------------------------------------


_GOOD = ("1416RTA", "18/04/2001")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    kinds=st.lists(st.sampled_from(["good", "bad date", "no id", "short"]), max_size=12),
    hxl=st.booleans(),
)
def test_every_row_is_accounted_for(tmp_path, kinds, hxl):
    header, template = rows_of(REGIONAL)[:2]
    rows = [header]
    if hxl:
        rows.append(["#" + h.lower() for h in header])
    for i, kind in enumerate(kinds):
        row = list(template)
        row[1] = f"ID{i}"
        if kind == "bad date":
            row[3] = "the eighteenth"
        elif kind == "no id":
            row[1] = ""
        elif kind == "short":
            row = row[:5]
        rows.append(row)
    path = write(tmp_path / f"f{len(kinds)}{hxl}.csv", rows)
    report = tl.io.import_file(tl.open_log("memory:"), "acled", path)
    good = kinds.count("good")
    assert report.rows == len(kinds) + hxl
    assert (report.imported, report.refused, report.skipped) == (good, len(kinds) - good, hxl)
    assert accounted(report)
    assert report.added == good
    expected = 4 if good == 0 else 3 if good < len(kinds) else 0
    assert report.exit_code == expected


def test_exit_codes():
    assert set(EXIT_CODES) == {0, 1, 2, 3, 4}
    empty = ImportReport("acled", "a.csv", "acled")
    assert empty.exit_code == 4
    assert exit_code_for(tl.InvalidArgument("x", argument="format", value="x")) == 2
    assert exit_code_for(tl.InvalidData("x", row=None, column=None, value="", reason="x")) == 4
    assert exit_code_for(OSError()) == 1


def test_a_file_with_a_header_only_imports_nothing(memlog, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text(REGIONAL.read_text().splitlines()[0] + "\n")
    report = tl.io.import_file(memlog, "acled", path)
    assert (report.rows, report.exit_code) == (0, 4)


# -- Guessing the format ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (REGIONAL, "acled"),
        (RESAVED, "acled"),
        (SEMICOLON, "acled"),
        (ACLED_HXL, "acled"),
        (GED191, "ucdp-ged"),
        (GED_HXL, "ucdp-ged"),
    ],
)
def test_guess_format_reads_the_header(path, expected, tmp_path):
    anonymous = tmp_path / "data.csv"  # a name that says nothing
    anonymous.write_bytes(path.read_bytes())
    assert tl.io.guess_format(anonymous) == expected


def test_guess_format_looks_into_zips_and_knows_gdelt_by_shape(tmp_path):
    path = tmp_path / "download.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(GED191, "ged191.csv")
    assert tl.io.guess_format(path) == "ucdp-ged"
    gdelt = tmp_path / "20250601.export.CSV"
    gdelt.write_text("\t".join(["1234567890", *[""] * 60]) + "\n")
    assert guess_from_content(str(gdelt)) == "gdelt"


def test_a_damaged_zip_or_workbook_is_invalid_data(memlog, tmp_path):
    path = tmp_path / "acled.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("acled.csv", REGIONAL.read_bytes() * 50)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8] = b"\x00\xff" * 4
    path.write_bytes(bytes(data))
    with pytest.raises(tl.InvalidData, match=r"damaged|zip"):
        tl.io.import_file(memlog, "acled", path)
    book = tmp_path / "acled.xlsx"
    book.write_bytes(b"PK\x03\x04 not a workbook")
    pytest.importorskip("openpyxl")
    with pytest.raises(tl.InvalidData, match="xlsx"):
        tl.io.import_file(memlog, "acled", book)
    assert len(memlog) == 0


@pytest.mark.parametrize(
    ("note", "unknown"),
    [
        ("Russian forces shelled Pokrovsk. Casualties unknown.", True),
        ("Clashes on the Mesraba front. Fatalities unknown.", True),
        ("Fighting in Nati; an unknown number of casualties was reported.", True),
        ("The number of casualties is unknown.", True),
        ("Shelling hit Kherson. No casualties reported.", False),
        ("1 soldier killed; number of injured unknown.", False),
        ("Unknown gunmen attacked a checkpoint.", False),
        ("Protesters gathered in Kyiv. [size=no report]", False),
    ],
)
def test_which_notes_say_the_dead_are_unknown(note, unknown):
    assert bool(tl.io.acled.UNKNOWN_FATALITIES.search(note)) is unknown


def test_events_imported_in_utc_are_corrected_to_their_zone(memlog):
    tl.io.import_file(memlog, "acled", REGIONAL, zone="UTC")  # as before zones were kept
    report = tl.io.import_file(memlog, "acled", REGIONAL)
    assert (report.added, report.corrected, report.problems) == (0, 4, ())
    fixes = [r.event for r in memlog.read() if isinstance(r.event, tl.Correction)]
    assert {tuple(sorted(f.changes)) for f in fixes} == {("occurred_at", "zone")}
    assert tl.io.import_file(memlog, "acled", REGIONAL).unchanged == 4


def test_european_spreadsheet_coordinates_and_a_bad_timestamp(memlog, tmp_path):
    rows = rows_of(ACLED)
    header = rows[0]
    rows[1][header.index("latitude")] = "49,9935"
    rows[1][header.index("longitude")] = "36,2304"
    rows[2][header.index("timestamp")] = "11/06/2025 00:00"
    report = tl.io.import_file(memlog, "acled", write(tmp_path / "eu.csv", rows, ";"))
    assert (report.added, report.problems) == (4, ())
    kharkiv = event(memlog, "acled", "UKR210001")
    assert (kharkiv.location.latitude, kharkiv.location.longitude) == (49.9935, 36.2304)
    (stamp,) = [w for w in report.warnings if w.column == "timestamp"]
    assert stamp.row == 2
    assert event(memlog, "acled", "UKR210002").sources[0].published_at is None


def test_an_old_excel_workbook_says_what_to_do(memlog, tmp_path):
    path = tmp_path / "acled.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(tl.InvalidData, match=r"save it as \.xlsx or CSV"):
        tl.io.import_file(memlog, "acled", path)
