"""Back-filling: ``append(..., recorded_at=...)`` records a given transaction time."""

import datetime as dt

import pytest

import timeline as tl

T0 = tl.instant("2025-06-03T10:31:05+03:00")
T1 = tl.instant("2025-06-04T10:50:52+03:00")


def said(text):
    return tl.Statement(occurred_at=T0, speaker="General Staff", text=text)


@pytest.fixture(params=["memory:", "log.db", "log.jsonl"])
def log(request, tmp_path):
    url = request.param if request.param == "memory:" else str(tmp_path / request.param)
    with tl.open_log(url, clock=tl.FixedClock(tl.instant("2026-01-01T00:00:00+00:00"))) as log:
        yield log


def test_the_given_instant_is_recorded_instead_of_the_clock(log):
    (first,) = log.append([said("a")], stream="s", recorded_at=T0)
    (second,) = log.append([said("b")], stream="s", recorded_at=T1)
    assert (first.recorded_at, second.recorded_at) == (T0, T1)
    assert [r.recorded_at for r in log.read()] == [T0, T1]
    assert log.verify().ok


def test_it_never_runs_backwards(log):
    log.append([said("a")], stream="s", recorded_at=T1)
    (late,) = log.append([said("b")], stream="s", recorded_at=T0)
    assert late.recorded_at == T1


def test_a_naive_instant_is_refused_and_nothing_is_written(log):
    log.append([said("a")], stream="s", recorded_at=T0)
    with pytest.raises(tl.InvalidEvent) as caught:
        log.append([said("b")], stream="s", recorded_at=dt.datetime(2025, 6, 4, 10, 50))  # noqa: DTZ001  # naive on purpose
    assert caught.value.field == "recorded_at"
    assert len(log) == 1
