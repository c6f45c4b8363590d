"""The reading half of the log (``timeline.log.reading``): its fast paths against their
references. The damage it catches is tested on every backend by ``LogBackendContract``
(``DamageContract``) and ``tests/robustness/test_damaged_reads.py``."""

import itertools

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline.errors import CorruptLog
from timeline.events import DroneBarrage, MissileStrike
from timeline.log import GENESIS, MemoryLog, Query, Recorded, SQLiteLog
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


def _outcome(read):
    """The records a read gives, or the error it stops with (its type, position, reason)."""
    records = []
    try:
        records.extend(read())
    except CorruptLog as e:
        return records, (type(e), e.position, e.reason)
    return records, None


_LOG_ROWS = None


def _stored_rows():
    """Six stored records of a SQLite log, as ``(position, stream, version, recorded_at,
    payload, hash)`` rows (made once: hypothesis reuses them)."""
    global _LOG_ROWS  # noqa: PLW0603  # a cache of one log for every example
    if _LOG_ROWS is None:
        log = SQLiteLog(":memory:")
        for k in range(3):
            log.append(
                [
                    DroneBarrage(occurred_at=T.add(hours=k), launched=k),
                    MissileStrike(occurred_at=T),
                ],
                stream=f"s{k}",
            )
        _LOG_ROWS = [tuple(r)[:6] for r in log.raw()]
        log.close()
    return _LOG_ROWS


_DAMAGES = st.one_of(
    # any stored column but the position, which is the storage's key
    st.tuples(st.just("column"), st.integers(0, 5), st.integers(1, 5)),
    st.tuples(st.just("drop"), st.integers(0, 5), st.just(0)),
    st.tuples(st.just("swap"), st.integers(0, 5), st.integers(0, 5)),
)
_BAD_VALUES = [None, 0, 7, "", "x", b"{}", b"not json", b'{"type": "drone_barrage"}', 2.5, [1]]


def _damaged(rows, damages, draw_value):
    rows = [list(r) for r in rows]
    for kind, at, other in damages:
        if not rows:
            break
        i = at % len(rows)
        if kind == "column":
            rows[i][other] = draw_value()
        elif kind == "drop":
            del rows[i]
        else:
            j = other % len(rows)
            rows[i], rows[j] = rows[j], rows[i]
    return [tuple(r) for r in rows]


@given(
    damages=st.lists(_DAMAGES, max_size=3),
    values=st.lists(st.sampled_from(_BAD_VALUES), min_size=3, max_size=3),
    linked=st.booleans(),
    stop=st.integers(0, 7),
)
def test_a_page_decodes_as_its_rows_do_one_by_one(damages, values, linked, stop):
    """``decode_rows`` (the page loop) gives what ``decode_record`` gives row by row: the
    same records, or the same error at the same position, however the rows were damaged;
    also when the reader stops early and reads again (the log's last-read state)."""
    pool = iter(values)
    intact = _stored_rows()
    hashes = {r[0]: r[5] for r in intact}
    rows = _damaged(intact, damages, lambda: next(pool, None))
    if linked:  # each row with the hash stored before it, as the SQL backends read them
        rows = [(*r, hashes.get(r[0] - 1) if isinstance(r[0], int) else None) for r in rows]

    def outcomes(read_rows):
        log = MemoryLog()
        log.stored_hash = hashes.get  # the storage's hashes, for the records it looks up
        first = list(itertools.islice(read_rows(log), 0))  # started and stopped at once
        early = _outcome(lambda: itertools.islice(read_rows(log), stop))
        return first, early, _outcome(lambda: read_rows(log))

    assert outcomes(lambda log: log.decode_rows(rows, linked=linked)) == outcomes(
        lambda log: (log.decode_record(*row) for row in rows)
    )


@given(
    keys=st.lists(st.tuples(st.integers(0, 3), st.integers(1, 6)), max_size=6),
    order=st.sampled_from(["recorded", "occurred"]),
)
def test_a_read_serves_records_only_in_its_order(keys, order):
    """``Query.served`` lets records through while they come in the read's order (strictly
    by position, or by ``(occurred_at, position)``), and stops at the first that does not."""
    records = [
        Recorded(position, "s", 1, T, DroneBarrage(occurred_at=T.add(hours=hour)), "h")
        for hour, position in keys
    ]
    sort_key = (
        (lambda r: r.position)
        if order == "recorded"
        else (lambda r: (r.event.occurred_at, r.position))
    )
    in_order = 0  # how many, from the first, come each after the one before
    while in_order < len(records) and (
        in_order == 0 or sort_key(records[in_order - 1]) < sort_key(records[in_order])
    ):
        in_order += 1
    served, error = _outcome(lambda: Query(order=order).served(records))
    assert served == records[:in_order]
    assert (error is None) == (in_order == len(records))
    if error is not None:
        assert error[1] == records[in_order].position
