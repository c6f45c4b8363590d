"""A log written before events kept their zone opens, verifies and replays identically.

``tests/data/zoneless/`` holds the Istanbul example as recorded by the release before issue 15
(an SQLite log and a JSON-lines copy of it), with what that release read from it: each
record's hash and canonical bytes, and the ``repr`` of the built-in projections' states
(``write.py`` made them). Its events have no zone: they read back with ``zone=None``, encode
to the very bytes stored (so their hashes and the chain hold), and are dated by the noon rule
as before, so every projection's state is what it was.
"""

import json
import shutil
from pathlib import Path

import pytest

import timeline as tl
from timeline.cli import copy_log
from timeline.codec import Codec, TrustedDecoder
from timeline.time import local_date

DATA = Path(__file__).parent / "data" / "zoneless"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
CODEC = Codec()


def _hex(value):
    return value.hex() if isinstance(value, bytes) else value


@pytest.fixture(params=["istanbul.db", "istanbul.jsonl"])
def old_log(request, tmp_path):
    path = tmp_path / request.param
    shutil.copy(DATA / request.param, path)
    with tl.open_log(path) as log:
        yield log


def test_an_old_log_verifies_and_reads_every_event_without_a_zone(old_log):
    assert old_log.verify().ok
    records = list(old_log.read())
    assert len(records) == len(EXPECTED["records"])
    for rec, (position, hash_, payload) in zip(records, EXPECTED["records"], strict=True):
        assert rec.position == position
        assert _hex(rec.hash) == hash_
        assert rec.event.zone is None
        assert CODEC.encode(rec.event) == payload.encode()  # byte for byte
        assert TrustedDecoder(CODEC).decode(payload.encode()) == rec.event
        assert CODEC.decode(payload.encode()) == rec.event


@pytest.mark.parametrize("name", sorted(EXPECTED["states"]))
def test_an_old_log_replays_identically(old_log, name):
    state = tl.replay(old_log, getattr(tl, name)())
    # The release before wrote events' reprs without the zone; its states are otherwise equal.
    assert repr(state).replace("zone=None, ", "") == EXPECTED["states"][name]


def test_an_old_log_takes_new_events_with_zones_and_keeps_its_chain(old_log):
    import pendulum  # noqa: PLC0415

    new = tl.DroneBarrage(
        occurred_at=pendulum.datetime(2025, 6, 5, 23, tz="Europe/Kyiv"), launched=5
    )
    old_log.append([new], stream="strikes/overnight")
    assert old_log.verify().ok
    *_, last = old_log.read()
    assert last.event.zone == "Europe/Kyiv"
    assert local_date(last.event).isoformat() == "2025-06-05"


@pytest.mark.parametrize("target", ["memory", "sqlite", "jsonl", "postgres"])
def test_copying_an_old_log_keeps_every_hash(old_log, tmp_path, target, request):
    url = {
        "memory": "memory:",
        "sqlite": str(tmp_path / "copy.db"),
        "jsonl": str(tmp_path / "copy.jsonl"),
    }.get(target) or request.getfixturevalue("pg_url")
    with tl.open_log(url) as copy:
        assert copy_log(old_log, copy) == len(EXPECTED["records"])  # compares every hash
        assert [_hex(r.hash) for r in copy.read()] == [h for _, h, _ in EXPECTED["records"]]
        assert [bytes(raw.payload) for raw in copy.raw()] == [
            p.encode() for _, _, p in EXPECTED["records"]
        ]
