"""The GDELT importer: both versions' layouts, every column, the CAMEO table, filters, bad rows.

Rows of ``tests/data/gdelt_v2_sample.export.CSV`` are typed in GDELT 2.0's layout (see
``tests/data/README.md``); those of ``gdelt_v1_sample.export.CSV`` are real GDELT 1.0 rows.
"""

import datetime as dt
import zipfile

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import timeline as tl
from conftest import FIXTURES
from timeline.events.coded import CodedActor, CodedEvent
from timeline.io import cameo
from timeline.io._pipeline import stable_id
from timeline.io.gdelt import CATALOG_CODES, COLUMNS_V1, COLUMNS_V2

V2 = FIXTURES / "gdelt_v2_sample.export.CSV"
V1 = FIXTURES / "gdelt_v1_sample.export.CSV"


def by_id(log):
    return {rec.event.event_id: rec.event for rec in log.read()}


def event(log, version, key):
    return by_id(log)[stable_id("gdelt", version, key)]


def v2_row(**cells):
    """A GDELT 2.0 row: every column empty but those given (and an id, a day, a code)."""
    values = dict.fromkeys(COLUMNS_V2, "")
    values.update(GLOBALEVENTID="1", SQLDATE="20250601", EventCode="010", EventRootCode="01")
    values.update(DATEADDED="20250601120000")
    values.update(cells)
    return "\t".join(values[c] for c in COLUMNS_V2)


def write(tmp_path, *rows, name="rows.CSV"):
    path = tmp_path / name
    path.write_text("".join(r + "\n" for r in rows), encoding="utf-8")
    return path


# -- layouts --------------------------------------------------------------------------------


def test_the_layouts_have_the_codebooks_columns():
    assert len(COLUMNS_V1) == 58
    assert len(COLUMNS_V2) == 61
    assert COLUMNS_V1[:5] == ("GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate")
    assert COLUMNS_V1[25:35] == (
        "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
        "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone",
    )  # fmt: skip
    assert COLUMNS_V1[49:] == (
        "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code",
        "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID", "DATEADDED", "SOURCEURL",
    )  # fmt: skip
    assert COLUMNS_V2[35:43] == (
        "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code",
        "Actor1Geo_ADM2Code", "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    )  # fmt: skip
    assert COLUMNS_V2[-2:] == ("DATEADDED", "SOURCEURL")


@pytest.mark.parametrize(
    ("width", "name"),
    [
        (57, "GDELT 1.0 historical back file (57 columns)"),
        (58, "GDELT 1.0 daily file (58 columns)"),
        (61, "GDELT 2.0 15-minute file (61 columns)"),
    ],
)
def test_the_version_is_told_from_the_number_of_columns(memlog, tmp_path, width, name):
    real = V1.read_text(encoding="utf-8").splitlines()[0].split("\t")
    cells = (
        real[:width]
        if width < 61
        else v2_row(GLOBALEVENTID="9", SOURCEURL="https://a.example/b").split("\t")
    )
    path = write(tmp_path, "\t".join(cells))
    report = tl.io.import_file(memlog, "gdelt", path)
    assert report.added == 1
    assert report.warnings[0].reason == f"read as {name}"
    (got,) = by_id(memlog).values()
    if width == 57:
        assert [s.name for s in got.sources] == ["GDELT"]  # no SOURCEURL before April 2013
    else:
        assert len(got.sources) == 2


def test_a_file_of_another_width_is_refused_whole(memlog, tmp_path):
    path = write(tmp_path, "a\tb\tc")
    with pytest.raises(tl.InvalidData, match="3 tab-separated fields; GDELT's rows have 57"):
        tl.io.import_file(memlog, "gdelt", path)
    with pytest.raises(tl.InvalidData, match="empty"):
        tl.io.import_file(memlog, "gdelt", write(tmp_path, "", name="empty.CSV"))
    assert len(memlog) == 0


def test_a_header_line_is_skipped(memlog, tmp_path):
    path = write(tmp_path, "\t".join(COLUMNS_V2), v2_row(GLOBALEVENTID="5"))
    report = tl.io.import_file(memlog, "gdelt", path)
    assert (report.rows, report.added, report.problems) == (1, 1, ())


# -- every column ---------------------------------------------------------------------------


def test_a_coded_row_keeps_every_column_it_maps(memlog):
    report = tl.io.import_file(memlog, "gdelt", V2)
    assert report.ok
    assert (report.rows, report.added) == (10, 10)
    visit = event(memlog, "2", "1244000010")
    assert visit == CodedEvent(
        event_id=stable_id("gdelt", "2", "1244000010"),
        zone="Asia/Shanghai",  # the zone of the action's country
        occurred_at=pendulum.datetime(2025, 6, 1, tz="Asia/Shanghai"),
        time_precision="day",
        actors=("UNITED STATES", "CHINA"),
        location=tl.Location(
            name="China", country="China", admin1="CH", latitude=35.0, longitude=105.0
        ),
        sources=(
            tl.Source(
                name="GDELT",
                url="https://www.gdeltproject.org",
                published_at=pendulum.datetime(2025, 6, 1, 12),
            ),
            tl.Source(name="www.example.com", url="https://www.example.com/visit"),
        ),
        claimed_by="GDELT",
        scheme="CAMEO",
        code="042",
        root="04",
        goldstein=1.9,
        quad_class=1,
        source_actor=CodedActor(name="UNITED STATES", code="USA", country="USA"),
        target_actor=CodedActor(name="CHINA", code="CHN", country="CHN"),
        mentions=10,
        source_count=2,
        articles=10,
        tone=0.5,
        root_event=True,
    )


def test_actor_types_and_groups_and_a_place_in_a_city(memlog):
    tl.io.import_file(memlog, "gdelt", V2)
    release = event(memlog, "2", "1244000008")
    assert isinstance(release, CodedEvent)  # 0841 "Return, release person(s)": no exchange
    assert release.source_actor == CodedActor(
        name="TURKEY", code="TURGOV", country="TUR", types=("GOV",)
    )
    assert release.target_actor == CodedActor(
        name="UNITED NATIONS", code="IGOUNO", types=("IGO",), group="UNO"
    )
    assert release.location == tl.Location(
        name="Istanbul, Istanbul, Turkey",
        country="Turkey",
        admin1="TU34",
        latitude=41.0186,
        longitude=28.9647,
    )
    # SQLDATE, not DATEADDED: the day begins at midnight in Istanbul, the action's place
    assert release.zone == "Europe/Istanbul"
    assert release.occurred_at == pendulum.datetime(2025, 5, 29, 21)
    assert tl.local_date(release) == dt.date(2025, 5, 30)
    assert release.sources[0].published_at == pendulum.datetime(2025, 6, 1, 10, 30)


def test_real_gdelt_1_rows(memlog):
    report = tl.io.import_file(memlog, "gdelt", V1)
    assert (report.rows, report.added, report.problems) == (3, 3, ())
    assert report.read_as.startswith("GDELT 1.0")
    exxon = event(memlog, "1", "324845987")
    assert (exxon.code, exxon.root, exxon.goldstein, exxon.quad_class) == ("051", "05", 3.4, 1)
    assert exxon.target_actor == CodedActor(
        name="EXXON", code="MNCUSA", country="USA", types=("MNC",)
    )
    assert exxon.tone == pytest.approx(2.54452926208651)
    assert (exxon.mentions, exxon.source_count, exxon.articles) == (2, 1, 2)
    assert tl.local_date(exxon) == dt.date(2004, 11, 26)  # SQLDATE, in the action's zone
    assert exxon.occurred_at == pendulum.datetime(2004, 11, 26, tz=exxon.zone)
    assert exxon.sources[0].published_at == pendulum.datetime(2014, 11, 24)  # 1.0: a day
    assert exxon.sources[1].name == "www.jaunted.com"
    farmer = event(memlog, "1", "324846008")
    assert farmer.location is None  # no action geography
    assert farmer.source_actor is None
    assert farmer.actors == ("FARMER",)
    assert farmer.headline() == "FARMER: CAMEO 080"


# -- the CAMEO table ------------------------------------------------------------------------


def test_codes_that_mean_a_catalog_type_become_it(memlog):
    tl.io.import_file(memlog, "gdelt", V2)
    talks = event(memlog, "2", "1244000001")
    assert type(talks) is tl.TalkRoundHeld
    assert talks.parties == ("UKRAINE", "RUSSIA")
    assert talks.tags == (
        "cameo:046",
        "goldstein:7.0",
        "quad:1",
        "mentions:40",
        "sources:8",
        "articles:40",
        "tone:-1.83486238532110",
    )
    proposed = event(memlog, "2", "1244000003")
    assert type(proposed) is tl.TalksProposed
    assert (proposed.proposed_by, proposed.parties) == ("RUSSIA", ("RUSSIA", "UKRAINE"))
    shelling = event(memlog, "2", "1244000004")
    assert type(shelling) is tl.Strike
    assert (shelling.attacker, shelling.target_party, shelling.weapon) == (
        "RUSSIA",
        "UKRAINE",
        "artillery and tanks",
    )
    assert event(memlog, "2", "1244000005").weapon == "aerial weapons"
    demand = event(memlog, "2", "1244000006")
    assert type(demand) is tl.CeasefireDemanded
    assert (demand.party, demand.addressed_to) == ("UKRAINE", "RUSSIA")
    violation = event(memlog, "2", "1244000009")
    assert type(violation) is tl.Strike
    assert violation.tags[-1] == "ceasefire violated"


def test_a_telephone_call_is_not_a_talk_round(memlog):
    tl.io.import_file(memlog, "gdelt", V2)
    call = event(memlog, "2", "1244000002")
    assert type(call) is CodedEvent
    assert (call.code, call.root, call.goldstein) == ("041", "04", 1.0)
    assert "041" not in CATALOG_CODES


def test_a_strike_without_an_attacker_stays_coded(memlog):
    tl.io.import_file(memlog, "gdelt", V2)
    unknown = event(memlog, "2", "1244000007")
    assert type(unknown) is CodedEvent
    assert (unknown.code, unknown.source_actor, unknown.root_event) == ("190", None, False)
    assert unknown.actors == ("UKRAINE",)


def test_the_table_maps_codes_not_roots():
    assert {code[:2] for code in CATALOG_CODES} == {"03", "04", "10", "19", "20"}
    assert {"037", "041", "042", "043", "044", "045", "108", "191", "192", "201"}.isdisjoint(
        CATALOG_CODES
    )


# -- Goldstein series -----------------------------------------------------------------------


def test_goldstein_intensity_counts_each_row_with_its_own_score(memlog, cameo_dir):
    tables = cameo.load(cameo_dir)
    tl.io.import_file(memlog, "gdelt", V2)
    series = tables.intensity(rec.event for rec in memlog.read())
    russia = series.of("RUSSIA")
    # 31 May: 036 proposal (+4.0); 1 June: 194 and 195 (-10 each) and 196 (-9.5); 2 June:
    # the 046 round (+7.0), which counts for both its parties (the call, 041, for Ukraine).
    assert russia == {"2025-05-31": 4.0, "2025-06-01": -29.5, "2025-06-02": 7.0}
    assert series.of("UKRAINE") == {"2025-06-01": -5.0, "2025-06-02": 8.0}  # 107; 046 + 041
    assert series.of("TURKEY") == {"2025-05-30": 7.0}
    assert series.of(None) == {"2025-06-01": -10.0}  # 190 without an attacker


def test_escalation_counts_gdelt_strikes_and_scores_them(memlog, cameo_dir):
    tables = cameo.load(cameo_dir)
    tl.io.import_file(memlog, "gdelt", V2)
    state = tl.replay(memlog, tl.Escalation())
    assert state.day("2025-06-01").strikes == 3
    series = tables.escalation_intensity(state)
    assert series.of("RUSSIA") == {"2025-06-01": -30.0}  # three strikes, scored as 190


# -- zip ------------------------------------------------------------------------------------


def test_a_zip_of_one_file_reads_as_the_file(log, tmp_path):
    packed = tmp_path / "20250602141500.export.CSV.zip"
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(V2, "20250602141500.export.CSV")
    report = tl.io.import_file(log, "gdelt", packed)
    assert (report.rows, report.added, report.problems) == (10, 10, ())
    plain = tl.open_log("memory:")
    tl.io.import_file(plain, "gdelt", V2)
    assert by_id(log) == by_id(plain)


def test_a_zip_of_several_files_is_refused(memlog, tmp_path):
    packed = tmp_path / "two.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        archive.write(V2, "a.CSV")
        archive.write(V1, "b.CSV")
    with pytest.raises(tl.InvalidData, match=r"holds a\.CSV, b\.CSV"):
        tl.io.import_file(memlog, "gdelt", packed)


# -- filters --------------------------------------------------------------------------------


def test_countries_keep_rows_where_either_actor_is_one(memlog):
    report = tl.io.import_file(memlog, "gdelt", V2, countries=["UKR", "RUS"])
    assert (report.rows, report.added) == (10, 8)  # not Türkiye–UN, not US–China
    assert "2 rows left out by the filters (either actor of RUS, UKR)" in {
        w.reason for w in report.warnings
    }
    assert report.rows == report.added + len(report.problems) + 2


def test_a_dyad_keeps_rows_between_both(memlog):
    report = tl.io.import_file(memlog, "gdelt", V2, countries=("ukr", "RUS"), dyad=True)
    assert report.added == 7  # and not the 190 without Actor1


def test_roots_and_dates(memlog):
    report = tl.io.import_file(
        memlog, "gdelt", V2, roots=[19], since="2025-06-01", until=dt.date(2025, 6, 1)
    )
    assert report.added == 4  # 194, 195, 190, 196 on 1 June
    assert {e.TYPE for e in by_id(memlog).values()} == {"military.strike", "coded.event"}
    report = tl.io.import_file(tl.open_log("memory:"), "gdelt", V2, until="2025-05-31")
    assert report.added == 2  # 30 and 31 May


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"roots": ["21"]}, "roots"),
        ({"roots": ["fight"]}, "roots"),
        ({"since": "1 June"}, "since"),
        ({"until": 20250601}, "until"),
        ({"dyad": True}, "dyad"),
    ],
)
def test_bad_filters_are_refused(memlog, options, argument):
    with pytest.raises(tl.InvalidArgument) as caught:
        tl.io.import_file(memlog, "gdelt", V2, **options)
    assert caught.value.argument == argument


# -- stable ids -----------------------------------------------------------------------------


def test_importing_again_adds_nothing(log):
    first = tl.io.import_file(log, "gdelt", V2)
    again = tl.io.import_file(log, "gdelt", V2)
    assert (first.added, again.added, again.unchanged, again.corrected) == (10, 0, 10, 0)
    assert len(log) == 10


def test_versions_number_their_events_apart():
    assert stable_id("gdelt", "1", "324845987") != stable_id("gdelt", "2", "324845987")


def test_a_changed_row_is_corrected(memlog, tmp_path):
    tl.io.import_file(memlog, "gdelt", write(tmp_path, v2_row(NumMentions="3")))
    report = tl.io.import_file(memlog, "gdelt", write(tmp_path, v2_row(NumMentions="9")))
    assert (report.added, report.corrected) == (0, 1)


# -- bad rows -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "column", "value"),
    [
        ({"SQLDATE": "2025-06-01"}, "SQLDATE", "2025-06-01"),
        ({"SQLDATE": "20251301"}, "SQLDATE", "20251301"),
        ({"GLOBALEVENTID": "x1"}, "GLOBALEVENTID", "x1"),
        ({"EventCode": "19A"}, "EventCode", "19A"),
        ({"QuadClass": "5"}, "QuadClass", "5"),
        ({"GoldsteinScale": "high"}, "GoldsteinScale", "high"),
        ({"GoldsteinScale": "11"}, "GoldsteinScale", 11.0),
        ({"NumMentions": "-1"}, "NumMentions", "-1"),
        ({"AvgTone": "nan"}, "AvgTone", "nan"),
        ({"ActionGeo_Lat": "91"}, "ActionGeo_Lat", "91.0"),
        ({"DATEADDED": "2025060112"}, "DATEADDED", "2025060112"),
        ({"IsRootEvent": "yes"}, "IsRootEvent", "yes"),
    ],
)
def test_a_bad_cell_is_a_problem_naming_row_and_column(memlog, tmp_path, cells, column, value):
    path = write(tmp_path, v2_row(GLOBALEVENTID="1"), v2_row(**{"GLOBALEVENTID": "2", **cells}))
    report = tl.io.import_file(memlog, "gdelt", path)
    assert report.added == 1
    (problem,) = report.problems
    assert (problem.row, problem.column, problem.value) == (2, column, value)
    assert report.rows == report.added + len(report.problems)


def test_a_row_of_another_width_or_not_utf8_is_a_problem(memlog, tmp_path):
    good = v2_row(GLOBALEVENTID="1")
    path = tmp_path / "mixed.CSV"
    path.write_bytes(
        (good + "\n" + good.rsplit("\t", 3)[0] + "\n\n").encode()
        + v2_row(GLOBALEVENTID="3", Actor1Name="KYIV\xff").encode("latin-1")
        + b"\n"
    )
    report = tl.io.import_file(memlog, "gdelt", path)
    assert report.added == 1
    cut, latin = report.problems
    assert cut.row == 2
    assert "cut short? the row has 58 fields" in cut.reason
    assert latin.row == 3
    assert "not UTF-8" in latin.reason


def test_strict_mode_raises_before_appending(memlog, tmp_path):
    path = write(tmp_path, v2_row(GLOBALEVENTID="1"), v2_row(GLOBALEVENTID="2", SQLDATE="x"))
    with pytest.raises(tl.InvalidData) as caught:
        tl.io.import_file(memlog, "gdelt", path, strict=True)
    assert (caught.value.row, caught.value.column) == (2, "SQLDATE")
    assert len(memlog) == 0


def test_progress_ends_with_done_equal_total(memlog):
    calls = []
    tl.io.import_file(memlog, "gdelt", V2, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (10, 10)


# -- every row accounted for ----------------------------------------------------------------

_CELLS = st.fixed_dictionaries(
    {
        "EventCode": st.sampled_from(["010", "036", "041", "046", "107", "194", "0841", "19A"]),
        "Actor1CountryCode": st.sampled_from(["", "UKR", "RUS", "USA"]),
        "Actor1Name": st.sampled_from(["", "UKRAINE", "RUSSIA"]),
        "Actor2CountryCode": st.sampled_from(["", "UKR", "RUS", "CHN"]),
        "SQLDATE": st.sampled_from(["20250531", "20250601", "2025-06-01"]),
        "GoldsteinScale": st.sampled_from(["", "-10.0", "7", "x"]),
    }
)


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(_CELLS, max_size=12),
    countries=st.sampled_from([None, ["UKR"], ["UKR", "RUS"]]),
    roots=st.sampled_from([None, ["19"], ["04", "03"]]),
)
def test_every_row_is_added_refused_or_filtered(tmp_path_factory, rows, countries, roots):
    folder = tmp_path_factory.mktemp("rows")
    lines = [
        v2_row(GLOBALEVENTID=str(i), EventRootCode=cells["EventCode"][:2], **cells)
        for i, cells in enumerate(rows, 1)
    ] or [v2_row()]
    path = write(folder, *lines)
    log = tl.open_log("memory:")
    report = tl.io.import_file(log, "gdelt", path, countries=countries, roots=roots)
    filtered = next((w.value for w in report.warnings if "left out by the filters" in w.reason), 0)
    assert report.rows == len(lines)
    assert report.rows == report.added + len(report.problems) + filtered
    assert len(log) == report.added
    assert all(p.row is not None and 1 <= p.row <= len(lines) for p in report.problems)
    again = tl.io.import_file(log, "gdelt", path, countries=countries, roots=roots)
    assert (again.added, again.corrected, again.unchanged) == (0, 0, report.added)


def test_filtered_rows_are_skipped_and_every_row_is_accounted_for(memlog):
    report = tl.io.import_file(memlog, "gdelt", V2, countries=["UKR", "RUS"])
    assert (report.rows, report.imported, report.refused, report.skipped) == (10, 8, 0, 2)
    assert report.exit_code == 0


def test_a_given_zone_reads_every_day_in_it(memlog):
    tl.io.import_file(memlog, "gdelt", V2, zone="Europe/Kyiv")
    release = event(memlog, "2", "1244000008")
    assert release.zone == "Europe/Kyiv"
    assert release.occurred_at == pendulum.datetime(2025, 5, 30, tz="Europe/Kyiv")
    with pytest.raises(tl.InvalidArgument, match="zone"):
        tl.io.import_file(tl.open_log("memory:"), "gdelt", V2, zone="Mars/Olympus")
