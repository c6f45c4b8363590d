"""Every event's zone round-trips through every backend and every exchange format."""

import datetime as dt

import pendulum
import pytest
from hypothesis import HealthCheck, given, settings

import timeline as tl
from timeline.testing import strategies as ts
from timeline.time import local_date, local_span

R0 = pendulum.datetime(2025, 6, 10)
ZONES = ["Europe/Kyiv", "Europe/Istanbul", "UTC", "+03:00", "-05:30", None]


def events():
    out = []
    for i, zone in enumerate(ZONES):
        out.append(
            tl.DroneBarrage(
                occurred_at=pendulum.datetime(2025, 6, 1, 22, 30).add(hours=i),
                occurred_until=pendulum.datetime(2025, 6, 2, 8).add(hours=i),
                zone=zone,
                launched=100 + i,
            )
        )
        out.append(
            tl.Statement(
                occurred_at=pendulum.datetime(2025, 6, 2, tz="Europe/Istanbul"),
                time_precision="day",
                zone=zone,
                speaker="Hakan Fidan",
                text=f"statement {i}",
            )
        )
    return out


def log_at(kind, tmp_path, request):
    url = {
        "memory": "memory:",
        "sqlite": str(tmp_path / "log.db"),
        "jsonl": str(tmp_path / "log.jsonl"),
    }.get(kind) or request.getfixturevalue("pg_url")
    return tl.open_log(url, clock=tl.FixedClock(R0, tick=dt.timedelta(minutes=1)))


def facts(log):
    return [(r.event, r.event.zone, local_span(r.event), r.hash) for r in log.read()]


@pytest.mark.parametrize("kind", ["memory", "sqlite", "jsonl", "postgres"])
def test_each_backend_keeps_each_events_zone(kind, tmp_path, request):
    written = events()
    with log_at(kind, tmp_path, request) as log:
        log.append(written, stream="zones")
        before = facts(log)
    assert [e.zone for e, *_ in before] == [e.zone for e in written]
    with log_at(kind, tmp_path, request) if kind != "memory" else log as again:
        after = facts(again)
        assert again.verify().ok
    assert after == before
    assert [e for e, *_ in after] == written


@pytest.mark.parametrize("format_", ["jsonl", "cloudevents"])
def test_exchange_formats_keep_each_events_zone(format_, tmp_path):
    log = tl.open_log("memory:", clock=tl.FixedClock(R0, tick=dt.timedelta(minutes=1)))
    log.append(events(), stream="zones")
    path = tmp_path / ("out.jsonl" if format_ == "jsonl" else "out.json")
    tl.io.export_file(log, format_, path)
    copy = tl.open_log("memory:")
    report = tl.io.import_file(copy, format_, path)
    assert report.added == len(log)
    assert [r.event for r in copy.read()] == [r.event for r in log.read()]
    assert [r.event.zone for r in copy.read()] == [e.zone for e in events()]


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=ts.log_scripts())
def test_any_log_round_trips_zones_through_sqlite(tmp_path_factory, script):
    # the strategies draw events with any zone, or none
    path = tmp_path_factory.mktemp("z") / "log.db"
    with tl.open_log(path, clock=tl.FixedClock(R0, tick=dt.timedelta(seconds=1))) as log:
        for stream, batch in script:
            log.append(batch, stream=stream)
        written = [(r.event, local_date(r.event)) for r in log.read()]
    with tl.open_log(path) as again:
        assert [(r.event, local_date(r.event)) for r in again.read()] == written
