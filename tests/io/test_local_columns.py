"""pandas, Parquet and CSV exports carry each event's zone and local date.

A day-level group-by on ``local_date`` gives the dates the sources give, with no thought:
an Air Force night reported at 01:30 Kyiv time is on its Kyiv date, not the UTC date before.
"""

import datetime as dt

import pandas as pd
import pendulum
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import timeline as tl
from timeline.testing import strategies as ts

KYIV = "Europe/Kyiv"


@pytest.fixture
def kyiv_log():
    log = tl.open_log("memory:", clock=tl.FixedClock(pendulum.datetime(2026, 1, 1)))
    log.append(
        [
            # 01:30 on 2 June in Kyiv is 22:30Z on 1 June
            tl.DroneBarrage(occurred_at=pendulum.datetime(2025, 6, 2, 1, 30, tz=KYIV), launched=5),
            # 23:30 on 1 June in Kyiv is 20:30Z on 1 June
            tl.DroneBarrage(occurred_at=pendulum.datetime(2025, 6, 1, 23, 30, tz=KYIV), launched=7),
            # a date alone: midnight in Kyiv, 21:00Z on 2 June
            tl.DroneBarrage(
                occurred_at=pendulum.datetime(2025, 6, 3, tz=KYIV), time_precision="day", launched=9
            ),
            # an old event, without a zone: the noon rule
            tl.DroneBarrage(
                occurred_at=tl.instant("2025-06-03T21:00:00+00:00"),
                time_precision="day",
                launched=1,
            ),
        ],
        stream="air force",
    )
    return log


def test_the_frame_has_zone_local_date_and_local_time(kyiv_log):
    df = tl.io.to_pandas(kyiv_log)
    columns = list(df.columns)
    assert columns[columns.index("time_precision") + 1 : columns.index("time_precision") + 4] == [
        "zone",
        "local_date",
        "local_time",
    ]
    assert list(df["zone"]) == [KYIV, KYIV, KYIV, None]
    assert list(df["local_date"]) == [
        dt.date(2025, 6, 2),
        dt.date(2025, 6, 1),
        dt.date(2025, 6, 3),
        dt.date(2025, 6, 4),
    ]
    assert list(df["local_time"]) == [
        "2025-06-02T01:30:00+03:00",
        "2025-06-01T23:30:00+03:00",
        "2025-06-03",
        "2025-06-04",
    ]
    # the UTC instant is still there, as it was
    assert df.loc[0, "occurred_at"] == pd.Timestamp("2025-06-01T22:30:00Z")


def test_a_day_level_group_by_gives_the_local_dates(kyiv_log):
    df = tl.io.to_pandas(kyiv_log)
    by_day = df.groupby("local_date")["data.launched"].sum()
    assert by_day.to_dict() == {
        dt.date(2025, 6, 1): 7,
        dt.date(2025, 6, 2): 5,
        dt.date(2025, 6, 3): 9,
        dt.date(2025, 6, 4): 1,
    }
    utc_days = df.groupby(df["occurred_at"].dt.date)["data.launched"].sum()
    assert utc_days.to_dict()[dt.date(2025, 6, 1)] == 12  # what the issue warned of


def test_parquet_keeps_local_date_as_date32_and_the_zone(kyiv_log, tmp_path):
    path = tmp_path / "out.parquet"
    tl.io.export_file(kyiv_log, "parquet", path)
    schema = pq.read_schema(path)
    assert schema.field("local_date").type == pa.date32()
    assert schema.field("zone").type == pa.string()
    back = pd.read_parquet(path)
    frame = tl.io.to_pandas(kyiv_log)
    assert list(back["local_date"]) == list(frame["local_date"])
    assert [None if pd.isna(z) else z for z in back["zone"]] == list(frame["zone"])
    assert list(back["local_time"]) == list(frame["local_time"])


def test_csv_gives_the_utc_instant_the_zone_and_the_local_date(kyiv_log, tmp_path):
    path = tmp_path / "out.csv"
    tl.io.export_file(kyiv_log, "csv", path)
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert back.loc[0, "occurred_at"] == "2025-06-01T22:30:00.000000Z"
    assert list(back["zone"]) == [KYIV, KYIV, KYIV, ""]
    assert list(back["local_date"]) == ["2025-06-02", "2025-06-01", "2025-06-03", "2025-06-04"]


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    events=st.lists(
        ts.strategy_for(tl.Statement, zone=st.none() | ts.zones()), min_size=1, max_size=5
    )
)
def test_any_events_local_dates_round_trip_through_parquet(tmp_path_factory, events):
    log = tl.open_log("memory:", clock=tl.FixedClock(pendulum.datetime(2026, 1, 1)))
    log.append(events, stream="s")
    path = tmp_path_factory.mktemp("p") / "out.parquet"
    # formula_safe=False: a fixed offset ("+03:00") would otherwise be written "'+03:00", as
    # every text a spreadsheet would run as a formula is (see timeline.io.pandas)
    tl.io.export_file(log, "parquet", path, formula_safe=False)
    back = pd.read_parquet(path)
    assert list(back["local_date"]) == [tl.local_date(e) for e in events]
    assert [None if pd.isna(z) else z for z in back["zone"]] == [e.zone for e in events]


def test_events_at_one_instant_keep_their_own_zone_and_precision():
    # the frame works out a time once for the events that share it: the zone and the
    # precision are part of what they share
    at = tl.instant("2025-06-01T22:30:00+00:00")
    log = tl.open_log("memory:", clock=tl.FixedClock(pendulum.datetime(2026, 1, 1)))
    log.append(
        [
            tl.DroneBarrage(occurred_at=at, zone=KYIV, launched=1),
            tl.DroneBarrage(occurred_at=at, zone="UTC", launched=2),
            tl.DroneBarrage(occurred_at=at, zone=KYIV, time_precision="hour", launched=3),
            tl.DroneBarrage(occurred_at=at, zone=KYIV, launched=4),
        ],
        stream="air force",
    )
    df = tl.io.to_pandas(log)
    assert list(df["local_time"]) == [
        "2025-06-02T01:30:00+03:00",
        "2025-06-01T22:30:00+00:00",
        "2025-06-02T01+03:00",
        "2025-06-02T01:30:00+03:00",
    ]
    assert list(df["local_date"]) == [dt.date(2025, 6, d) for d in (2, 1, 2, 2)]
