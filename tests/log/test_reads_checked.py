"""The reading half of the log (``timeline.log.reading``): its fast paths against their
references. The damage it catches is tested on every backend by ``LogBackendContract``
(``DamageContract``) and ``tests/robustness/test_damaged_reads.py``."""

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline.events import DroneBarrage
from timeline.log import GENESIS, MemoryLog, Recorded
from timeline.log.reading import _new_recorded

T = pendulum.datetime(2025, 6, 1, 22)


@given(
    position=st.integers(1, 2**40),
    stream=st.text(min_size=1),
    version=st.integers(1, 2**40),
    hash_=st.text(min_size=1, max_size=64),
)
def test_the_fast_recorded_is_the_recorded(position, stream, version, hash_):
    event = DroneBarrage(occurred_at=T, launched=3)
    made = _new_recorded(position, stream, version, T, event, hash_)
    plain = Recorded(position, stream, version, T, event, hash_)
    assert type(made) is Recorded
    assert made == plain
    assert hash(made) == hash(plain)
    assert repr(made) == repr(plain)


@pytest.mark.parametrize("missing", [[1], [2], [2, 3], [5, 6, 7, 8], [9], [2, 3, 4, 5, 6, 7, 8, 9]])
def test_the_start_of_a_gap_is_found(missing):
    log = MemoryLog()
    hashes = {p: f"{p:064x}" for p in range(1, 11) if p not in missing}
    log.stored_hash = hashes.get  # a store with those records only
    assert log._gap_start(max(missing)) == min(missing)


def test_the_first_record_follows_genesis():
    assert MemoryLog()._hash_before(1) == GENESIS
