"""The entry points: import_file / export_file, formats, and what every importer promises."""

import pytest

import timeline as tl


def test_the_formats():
    assert tl.io.IMPORT_FORMATS == (
        "missile-attacks",
        "ru-losses",
        "ucdp-ged",
        "acled",
        "gdelt",
        "cloudevents",
        "jsonl",
    )
    assert tl.io.EXPORT_FORMATS == ("cloudevents", "jsonl", "parquet", "csv", "timelinejs")


def test_an_unknown_format_is_refused(memlog, tmp_path):
    with pytest.raises(tl.InvalidArgument) as caught:
        tl.io.import_file(memlog, "icews", tmp_path / "x.csv")
    assert (caught.value.argument, caught.value.value) == ("format", "icews")
    with pytest.raises(tl.InvalidArgument):
        tl.io.export_file(memlog, "xml", tmp_path / "x.xml")


def test_a_missing_file_is_an_os_error(memlog, tmp_path):
    with pytest.raises(FileNotFoundError):
        tl.io.import_file(memlog, "missile-attacks", tmp_path / "nothing.csv")


@pytest.mark.parametrize(
    ("name", "export", "expected"),
    [
        ("missile_attacks_daily.csv", False, "missile-attacks"),
        ("russia_losses_equipment.json", False, "ru-losses"),
        ("revisions.jsonl.gz", False, "ru-losses"),
        ("GEDEvent_v25_1.csv", False, "ucdp-ged"),
        ("2025-06-acled-ukraine.csv", False, "acled"),
        ("acled_merged.csv", False, "acled"),
        ("log.jsonl", False, "jsonl"),
        ("batch.json", False, "cloudevents"),
        ("notes.txt", False, None),
        ("out.parquet", True, "parquet"),
        ("out.jsonl", True, "jsonl"),
        ("timeline.json", True, "timelinejs"),
        ("out.json", True, "cloudevents"),
        ("out.csv", True, "csv"),
    ],
)
def test_guess_format(name, export, expected):
    assert tl.io.guess_format(name, export=export) == expected


def test_exports_replace_a_file_only_when_whole(memlog, tmp_path):
    path = tmp_path / "out.json"
    path.write_text("old", encoding="utf-8")
    memlog.append(
        [tl.Statement(occurred_at=tl.instant("2025-06-02T10:00:00+00:00"), speaker="A", text="x")],
        stream="s",
    )

    def fail(*_):
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        tl.io.export_file(memlog, "timelinejs", path, progress=fail)
    assert path.read_text(encoding="utf-8") == "old"
    assert list(tmp_path.iterdir()) == [path]


def test_issues_read_as_sentences():
    issue = tl.io.Issue(row=3, column="launched", value="many", reason="not a number")
    assert str(issue) == "row 3, column 'launched': 'many': not a number"
    error = issue.error("x.csv")
    assert isinstance(error, tl.InvalidData)
    assert (error.row, error.column, error.path) == (3, "launched", "x.csv")
    assert (
        str(tl.io.Issue(row=None, column=None, value="UTF-16", reason="not UTF-8"))
        == "file: 'UTF-16': not UTF-8"
    )


def test_the_report_summary(memlog, missiles):
    report = tl.io.import_file(memlog, "missile-attacks", missiles, stream="air")
    assert report.stream == "air"
    assert report.ok
    assert (
        report.summary()
        == "223 rows: 223 added, 0 unchanged, 0 corrected, 0 retracted; 153 warnings, 0 problems"
    )
    assert {r.stream for r in memlog.read()} == {"air"}
