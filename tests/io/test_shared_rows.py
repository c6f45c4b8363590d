"""What the readers of ACLED and UCDP GED files share, checked on both.

A row with more or fewer cells than its header is refused with the same issue, CSV or xlsx;
a row whose coordinate is not a number is refused naming the column, in either data set.
"""

import csv
from pathlib import Path

import pytest

import timeline as tl

DATA = Path(__file__).resolve().parents[1] / "data"
UCDP = DATA / "ucdp_ged_sample.csv"
ACLED = DATA / "acled_sample.csv"


def rows_of(path):
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def ucdp_rows():
    return rows_of(UCDP)


def test_a_csv_row_cut_short_or_too_long_is_refused_and_named(memlog, tmp_path):
    header, first, second, *rest = ucdp_rows()
    path = tmp_path / "ged.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerows([header, first[:3], [*second, "extra"], *rest])
    report = tl.io.import_file(memlog, "ucdp-ged", path)
    short, long = sorted(report.problems, key=lambda p: p.row)[:2]
    width = len(header)
    assert (short.row, short.column) == (1, None)
    assert short.reason == f"cut short? the row has 3 fields, the header {width}"
    assert short.value == ",".join(first[:3])
    assert long.row == 2
    assert long.reason == f"the row has {width + 1} fields, the header {width}"
    assert report.imported == len(rest)


def test_an_xlsx_row_with_cells_past_the_header_is_refused_and_named(memlog, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    header, first, *rest = ucdp_rows()
    book = openpyxl.Workbook()
    for row in [header, [*first, "extra"], *rest]:
        book.active.append(row)
    path = tmp_path / "ged.xlsx"
    book.save(path)
    report = tl.io.import_file(memlog, "ucdp-ged", path)
    (problem,) = report.problems
    assert problem.row == 1
    assert problem.reason == f"the row has {len(header) + 1} cells, the header {len(header)}"
    assert problem.value == ",".join([*first, "extra"])[:200]
    assert report.imported == len(rest)


@pytest.mark.parametrize("source", [(ACLED, "acled"), (UCDP, "ucdp-ged")], ids=["acled", "ucdp"])
@pytest.mark.parametrize(("column", "text"), [("latitude", "north"), ("longitude", "inf")])
def test_a_row_whose_coordinate_is_not_a_number_is_refused(memlog, tmp_path, source, column, text):
    fixture, fmt = source
    header, first, *rest = rows_of(fixture)
    first[header.index(column)] = text
    path = tmp_path / f"{fmt}.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([header, first, *rest])
    report = tl.io.import_file(memlog, fmt, path)
    (problem,) = report.problems
    assert (problem.row, problem.column, problem.value) == (1, column, text)
    assert problem.reason.startswith("not a coordinate: ")
    assert report.imported == len(rest)
