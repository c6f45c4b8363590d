"""Reads never serve a record changed or lost behind the log's back, on every backend, and
appends never build on a damaged log (issue 14, findings 1 and 7).

The damage is the adversarial run's: an ``UPDATE`` of a middle record's payload, a
``DELETE`` of a middle record (rows of the SQLite file or the PostgreSQL table, lines of the
JSON-lines file), and a forged payload re-hashed so that the chain holds. Every read path
(``read`` whole and filtered, ``get``, ``head``, replay) raises ``CorruptLog`` at the damaged
position, after serving everything before it; ``read(verify=False)`` still serves what is
stored.
"""

import sqlite3
import tempfile
from pathlib import Path

import orjson
import pendulum
import pytest
import robustness_damage as damage
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from robustness_params import PERSISTENT

import timeline as tl
from timeline import CorruptLog, open_log
from timeline.log import chain_hash


class Count(tl.Projection):
    name, version = "count", 1

    def initial(self):
        return 0

    def apply(self, state, event):  # noqa: ARG002  # counts every event
        return state + 1


@pytest.fixture(params=PERSISTENT)
def built(request, url_for):
    url = url_for(request.param)
    return url, damage.build(url)


def served_until_damage(read):
    """The records a read yields before it raises, and the error (or ``None``)."""
    served = []
    try:
        served.extend(read)
    except CorruptLog as e:
        return served, e
    return served, None


def test_a_changed_middle_record_is_never_served(built):
    url, originals = built
    damage.flip(url, 4)  # stream b holds positions 3-5
    with open_log(url) as log:
        served, error = served_until_damage(log.read())
        assert (served, error.position) == (originals[:3], 4)
        assert "changed" in str(error)
        for read in (
            log.read(stream="b"),
            log.read(types=tl.Statement),
            log.read(order="occurred"),
            log.read(after=3),
        ):
            _, error = served_until_damage(read)
            assert error is not None
            assert error.position == 4
        with pytest.raises(CorruptLog) as caught:
            log.get(originals[3].event.event_id)
        assert caught.value.position == 4
        with pytest.raises(CorruptLog) as caught:
            tl.replay(log, Count())
        assert caught.value.position == 4
        assert log.get(originals[4].event.event_id) == originals[4]  # its neighbour is intact
        # The forensic way round: what is stored, as it is.
        stored = list(log.read(verify=False))
        assert [r.position for r in stored] == list(range(1, 8))
        assert stored[3].event.text == "d4"


def test_a_deleted_middle_record_is_missing_at_its_position(built):
    url, originals = built
    damage.delete(url, 4)
    with open_log(url) as log:
        served, error = served_until_damage(log.read())
        assert (served, error.position) == (originals[:3], 4)
        assert "missing" in str(error)
        _, error = served_until_damage(log.read(stream="b"))
        assert error.position == 4
        with pytest.raises(CorruptLog) as caught:
            log.get(originals[4].event.event_id)
        assert caught.value.position == 4
        if damage.kind_of(url) != "jsonl":  # a JSON-lines file's later lines renumber
            assert [r.position for r in log.read(verify=False)] == [1, 2, 3, 5, 6, 7]


@pytest.mark.parametrize(("position", "change"), [(4, damage.delete), (7, damage.flip)])
def test_no_append_after_a_missing_record_or_on_a_changed_tail(built, position, change):
    url, _ = built
    change(url, position)
    before = damage.stored(url)
    with open_log(url) as log, pytest.raises(CorruptLog) as caught:
        log.append([tl.Statement(occurred_at=damage.T0, speaker="x", text="on top")], stream="a")
    assert caught.value.position == position
    assert damage.stored(url) == before


def test_a_rehashed_forgery_is_never_served(tmp_path):
    """The adversarial run's forgery: launched="many", every hash from there on recomputed."""
    path = tmp_path / "air.db"
    t = pendulum.datetime(2025, 6, 1, 22)
    with open_log(path, clock=tl.FixedClock(t)) as log:
        recs = log.append(
            [tl.DroneBarrage(occurred_at=t.add(days=d), launched=100 + d) for d in range(5)],
            stream="air",
        )
    db = sqlite3.connect(path, isolation_level=None)
    rows = db.execute(
        "SELECT position, stream, version, recorded_at, payload FROM events ORDER BY position"
    ).fetchall()
    previous = recs[1].hash
    for position, stream, version, stamp, payload in rows[2:]:
        if position == 3:
            payload = orjson.dumps(  # noqa: PLW2901  # the forged bytes replace the stored
                {**orjson.loads(payload), "launched": "many"}, option=orjson.OPT_SORT_KEYS
            )
        previous = chain_hash(previous, position, stream, version, stamp, payload)
        db.execute(
            "UPDATE events SET payload = ?, hash = ? WHERE position = ?",
            (payload, previous, position),
        )
    db.close()
    with open_log(path) as log:
        assert log.verify().ok  # re-hashed: the chain alone cannot tell
        served, error = served_until_damage(log.read())
        assert (served, error.position) == (recs[:2], 3)
        assert "launched" in str(error)
        with pytest.raises(CorruptLog, match="launched"):
            log.get(recs[2].event.event_id)
        with pytest.raises(CorruptLog):
            tl.io.to_pandas(log)
        assert [r.event.launched for r in log.read(after=3)] == [103, 104]


def test_a_deleted_first_record_is_missing_at_1(tmp_path):
    path = tmp_path / "log.db"
    damage.build(str(path))
    damage.delete(str(path), 1)
    with open_log(path) as log:
        served, error = served_until_damage(log.read())
        assert (served, error.position) == ([], 1)
        with pytest.raises(CorruptLog) as caught:
            log.append([tl.Statement(occurred_at=damage.T0, speaker="x", text="y")], stream="a")
        assert caught.value.position == 1


# -- the property: a single changed byte is caught at its record, never earlier ------------


@pytest.mark.parametrize("kind", ["sqlite", "jsonl"])
def test_any_changed_byte_is_caught_at_its_record_and_no_earlier(kind):
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / f"template.{'db' if kind == 'sqlite' else 'jsonl'}"
        originals = damage.build(str(template))
        original = template.read_bytes()

        # A JSON-lines file's last append is its tail: a line there that no longer reads is
        # an interrupted write, reported from the append's first line (test_damage.py).
        last = len(originals) if kind == "sqlite" else len(originals) - damage.APPENDS[-1][1]

        @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(data=st.data())
        def check(data):
            position = data.draw(st.integers(1, last), label="position")
            copy = Path(folder) / f"copy{template.suffix}"
            copy.write_bytes(original)
            if kind == "sqlite":
                change_a_row(copy, position, data)
            else:
                change_a_line(copy, position, data)
            with open_log(copy) as log:
                served, error = served_until_damage(log.read())
            assert error is not None, "a changed record was served"
            assert error.position == position
            assert served == originals[: position - 1]

        check()


def change_a_row(path, position, data):
    """Change one byte of the payload, or one hex digit of the hash, of a SQLite row."""
    db = sqlite3.connect(path, isolation_level=None)
    payload, hash_ = db.execute(
        "SELECT payload, hash FROM events WHERE position = ?", (position,)
    ).fetchone()
    if data.draw(st.booleans(), label="in the payload"):
        index = data.draw(st.integers(0, len(payload) - 1), label="index")
        mask = data.draw(st.integers(1, 255), label="mask")
        changed = bytearray(payload)
        changed[index] ^= mask
        db.execute("UPDATE events SET payload = ? WHERE position = ?", (bytes(changed), position))
    else:
        index = data.draw(st.integers(0, len(hash_) - 1), label="index")
        digit = data.draw(st.sampled_from([d for d in "0123456789abcdef" if d != hash_[index]]))
        changed_hash = hash_[:index] + digit + hash_[index + 1 :]
        db.execute("UPDATE events SET hash = ? WHERE position = ?", (changed_hash, position))
    db.close()


def change_a_line(path, position, data):
    """Change one byte of the event on a line of a JSON-lines file to another ASCII byte."""
    lines = path.read_bytes().splitlines(keepends=True)
    line = lines[position - 1]
    start = line.index(b'"event":') + len(b'"event":')
    end = line.rindex(b"}", 0, line.rindex(b"}"))  # the event object's closing brace
    index = data.draw(st.integers(start, end), label="index")
    byte = data.draw(st.integers(32, 126).filter(lambda b: b != line[index]), label="byte")
    lines[position - 1] = line[:index] + bytes([byte]) + line[index + 1 :]
    path.write_bytes(b"".join(lines))
