"""The log as a pandas DataFrame and as Parquet: flattened columns, UTC timestamps, unknowns."""

import pandas as pd
import pytest

import timeline as tl
from timeline.events import CodedEvent


@pytest.fixture
def imported(memlog, missiles, losses):
    # The history first: its commit times must come before the log's clock (2026).
    tl.io.import_file(memlog, "ru-losses", losses / "revisions-delta.jsonl")
    tl.io.import_file(memlog, "missile-attacks", missiles)
    return memlog


def test_one_row_per_record_with_flattened_columns(imported):
    df = tl.io.to_pandas(imported)
    assert len(df) == len(imported) == 223 + 42 + 1
    assert list(df.columns[:9]) == [
        "position",
        "stream",
        "version",
        "recorded_at",
        "hash",
        "type",
        "type_version",
        "event_id",
        "headline",
    ]
    for column in ("occurred_at", "occurred_until", "recorded_at"):
        assert str(df[column].dtype) == "datetime64[ns, UTC]"
    for column in ("position", "version", "data.launched", "data.lost", "data.personnel"):
        assert str(df[column].dtype) == "Int64"
    assert str(df["location.latitude"].dtype) == "float64"
    assert str(df["data.cumulative"].dtype) == "boolean"
    night = df[(df["data.launched"] == 472) & (df["data.weapon"] == "Shahed-136/131")].iloc[0]
    assert night["occurred_at"] == pd.Timestamp("2025-05-31T16:30:00Z")
    assert night["occurred_until"] == pd.Timestamp("2025-06-01T10:30:00Z")
    assert (night["data.destroyed"], night["data.lost"], night["data.hit_locations"]) == (
        210,
        172,
        18,
    )
    assert night["data.launch_sites"][0] == "Primorsko-Akhtarsk"
    assert night["claimed_by"] == "Ukrainian Air Force"
    assert night["sources"][0]["url"].startswith("https://www.facebook.com/kpszsu/posts/")
    assert night["type"] == "military.drone_barrage"
    assert night["headline"] == "Russia: Shahed-136/131 472 launched, 210 destroyed"


def test_unknown_figures_are_missing_not_zero(imported):
    df = tl.io.to_pandas(imported)
    barrages = df[df["type"].isin(["military.drone_barrage", "military.missile_strike"])]
    assert int(barrages["data.lost"].isna().sum()) == 153
    assert int((barrages["data.lost"] == 0).sum()) == int(
        (barrages["data.lost"].fillna(-1) == 0).sum()
    )


def test_counts_per_item_become_columns(imported):
    df = tl.io.to_pandas(imported)
    losses = df[df["type"] == "military.loss_report"].set_index("occurred_at")
    assert losses.loc[pd.Timestamp("2025-06-02T21:00:00Z"), "data.equipment.aircraft"] == 384
    (fix,) = df[df["type"] == "meta.correction"]["data.changes"]
    assert '"count":413,"item":"aircraft"' in fix


def test_the_resolved_view_applies_corrections(imported):
    df = tl.io.to_pandas(imported, resolved=True)
    assert "meta.correction" not in set(df["type"])
    losses = df[df["type"] == "military.loss_report"].set_index("occurred_at")
    assert losses.loc[pd.Timestamp("2025-06-02T21:00:00Z"), "data.equipment.aircraft"] == 413
    before = tl.io.to_pandas(
        imported, resolved=True, known_at=tl.instant("2025-06-04T10:50:51+03:00")
    )
    losses = before[before["type"] == "military.loss_report"].set_index("occurred_at")
    assert losses.loc[pd.Timestamp("2025-06-02T21:00:00Z"), "data.equipment.aircraft"] == 384
    with pytest.raises(tl.TimelineError):
        tl.io.to_pandas(imported, known_at=tl.instant("2025-06-04T10:50:51+03:00"))


def test_parquet_keeps_the_columns_and_types(imported, tmp_path):
    path = tmp_path / "log.parquet"
    report = tl.io.export_file(imported, "parquet", path)
    assert report.records == len(imported)
    back = pd.read_parquet(path)
    assert list(back.columns) == list(tl.io.to_pandas(imported).columns)
    assert str(back["occurred_at"].dtype) == "datetime64[ns, UTC]"
    assert str(back["data.launched"].dtype) == "Int64"
    assert int(back["data.launched"].sum()) == 4574 + 5374


def test_an_empty_log(memlog):
    df = tl.io.to_pandas(memlog)
    assert len(df) == 0
    assert str(df["occurred_at"].dtype) == "datetime64[ns, UTC]"


def test_events_of_every_kind_flatten(memlog):
    at = tl.instant("2025-06-02T10:00:00+00:00")
    talk = tl.TalkRoundHeld(
        occurred_at=at, parties=("Ukraine", "Russia"), city="Istanbul", round_number=2
    )
    due = tl.ResponsePromised(occurred_at=at, party="Russia", due_at=at.add(days=7))
    swap = tl.PrisonerExchangeAgreed(
        occurred_at=at, released={"Ukraine": 1000, "Russia": 1000}, talks=talk.event_id
    )
    memlog.append([talk, due, swap], stream="talks/istanbul")
    df = tl.io.to_pandas(memlog)
    assert df.loc[0, "data.parties"] == ["Ukraine", "Russia"]
    assert df.loc[0, "data.round_number"] == 2
    assert str(df["data.due_at"].dtype) == "datetime64[ns, UTC]"
    assert df.loc[1, "data.due_at"] == pd.Timestamp("2025-06-09T10:00:00Z")
    assert (df.loc[2, "data.released.Ukraine"], df.loc[2, "data.released.Russia"]) == (1000, 1000)
    assert df.loc[2, "data.talks"] == str(talk.event_id)


def test_instants_beyond_nanoseconds_keep_microseconds(memlog):
    far = tl.Statement(occurred_at=tl.instant("2300-01-01T00:00:00+00:00"), speaker="A", text="x")
    memlog.append([far], stream="s")
    df = tl.io.to_pandas(memlog)
    # datetime64[ns] ends in 2262: such a column falls back to microseconds, still UTC.
    assert str(df["occurred_at"].dtype) == "datetime64[us, UTC]"
    assert df.loc[0, "occurred_at"] == pd.Timestamp("2300-01-01T00:00:00Z")
    assert str(df["recorded_at"].dtype) == "datetime64[ns, UTC]"


FORMULA = "=cmd|' /C calc'!A0"


@pytest.fixture
def hostile(memlog):
    """Texts a spreadsheet would run as formulas, in every kind of text cell."""
    when = tl.instant("2025-06-01T10:00:00Z")
    memlog.append(
        [
            tl.Statement(
                occurred_at=when,
                speaker=FORMULA,
                text="+1 (555) 0100",
                summary="-2 dead",
                actors=("@someone", "Kyiv"),
                tags=("\tcell", "\rcell"),
                sources=(tl.Source(name='=HYPERLINK("http://evil")'),),
            ),
            tl.DroneBarrage(occurred_at=when, attacker="Russia", launched=472, destroyed=3),
        ],
        stream="=stream",
    )
    return memlog


def _cells(row):
    return {k: row[k] for k in ("stream", "data.speaker", "data.text", "summary")}


def test_file_exports_neutralise_formulas_and_leave_numbers(hostile, tmp_path):
    tl.io.export_file(hostile, "parquet", tmp_path / "out.parquet")
    tl.io.export_file(hostile, "csv", tmp_path / "out.csv")
    for df in (pd.read_parquet(tmp_path / "out.parquet"), pd.read_csv(tmp_path / "out.csv")):
        first = df.iloc[0]
        assert _cells(first) == {
            "stream": "'=stream",
            "data.speaker": "'" + FORMULA,
            "data.text": "'+1 (555) 0100",
            "summary": "'-2 dead",
        }
        assert df.iloc[1]["data.launched"] == 472  # numbers untouched
        assert df.iloc[1]["data.attacker"] == "Russia"  # and texts without a formula
    parquet = pd.read_parquet(tmp_path / "out.parquet").iloc[0]
    assert list(parquet["actors"]) == ["'@someone", "Kyiv"]
    assert list(parquet["tags"]) == ["'\tcell", "'\rcell"]
    assert parquet["sources"][0]["name"] == '\'=HYPERLINK("http://evil")'
    text = (tmp_path / "out.csv").read_text()
    assert '"[""\'@someone"",""Kyiv""]"' in text  # a list is JSON text, its texts prefixed
    assert "\n=" not in text
    assert ",=" not in text


def test_the_opt_out_and_the_frame_keep_the_texts_exactly(hostile, tmp_path):
    tl.io.export_file(hostile, "csv", tmp_path / "raw.csv", formula_safe=False)
    assert pd.read_csv(tmp_path / "raw.csv").iloc[0]["data.speaker"] == FORMULA
    assert tl.io.to_pandas(hostile).iloc[0]["data.speaker"] == FORMULA
    safe = tl.io.to_pandas(hostile, formula_safe=True)
    assert safe.iloc[0]["data.speaker"] == "'" + FORMULA
    assert safe.iloc[1]["data.launched"] == 472


def test_numbers_are_never_neutralised(memlog, tmp_path):
    """A negative figure starts with "-" only as text: numbers stay numbers, of their type."""
    at = tl.instant("2025-06-01T10:00:00Z")
    memlog.append(
        [
            CodedEvent(
                occurred_at=at,
                code="190",
                root="19",
                goldstein=-10.0,
                tone=-3.5,
                summary="-2 dead",
                location=tl.Location(name="Buenos Aires", latitude=-34.6, longitude=-58.4),
            ),
            tl.PrisonerExchangeCarriedOut(occurred_at=at, released={"Ukraine": 84, "Russia": 84}),
        ],
        stream="s",
    )
    tl.io.export_file(memlog, "parquet", tmp_path / "out.parquet")
    tl.io.export_file(memlog, "csv", tmp_path / "out.csv")
    for df in (pd.read_parquet(tmp_path / "out.parquet"), pd.read_csv(tmp_path / "out.csv")):
        coded, swap = df.iloc[0], df.iloc[1]
        assert (coded["data.goldstein"], coded["data.tone"]) == (-10.0, -3.5)
        assert (coded["location.latitude"], coded["location.longitude"]) == (-34.6, -58.4)
        assert coded["summary"] == "'-2 dead"  # the same sign in a text is neutralised
        assert swap["data.released.Ukraine"] == 84
    frame = pd.read_parquet(tmp_path / "out.parquet")
    for column in ("data.goldstein", "data.tone", "location.latitude"):
        assert str(frame[column].dtype) == "float64"
    assert str(frame["data.released.Ukraine"].dtype) == "Int64"
