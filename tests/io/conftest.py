"""Shared fixtures for the importer and exporter tests.

The public data sets are read in place from ``../shared/data`` beside the repository (their
licences keep them out of it); the hand-written fixtures are in ``tests/data``.
"""

from pathlib import Path

import pytest

import timeline as tl

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
FIXTURES = REPO / "tests" / "data"
MISSILES = SHARED / "missile-attacks" / "missile_attacks_daily_2025-05_2025-06.csv"
LOSSES = SHARED / "ru-losses"
CAMEO = SHARED / "cameo"

#: A fixed transaction time for imports (later than anything in the data sets).
NOW = tl.instant("2026-01-01T00:00:00+00:00")


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"the shared data set {path} is not here (it is read in place)")
    return path


@pytest.fixture
def missiles() -> Path:
    return need(MISSILES)


@pytest.fixture
def losses() -> Path:
    return need(LOSSES)


@pytest.fixture
def cameo_dir() -> Path:
    return need(CAMEO)


@pytest.fixture(params=["memory:", "log.db"])
def log(request, tmp_path):
    url = request.param if request.param == "memory:" else str(tmp_path / request.param)
    with tl.open_log(url, clock=tl.FixedClock(NOW)) as opened:
        yield opened


@pytest.fixture
def memlog():
    return tl.open_log("memory:", clock=tl.FixedClock(NOW))
