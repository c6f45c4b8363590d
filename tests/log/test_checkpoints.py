"""Checkpoints and proofs of real logs: what they catch, old logs, formats, the missing extra.

The rewrites here are the adversary's: rows of a SQLite log changed behind its back and the
hash chain recomputed after them (so ``verify()`` alone passes, by design), the stored
Merkle tree dropped so that it is rebuilt from the forged records. A checkpoint taken before
catches every one of them, through ``verify(against=...)`` and through a consistency proof.
"""

import datetime as dt
import sqlite3
import sys
import uuid

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import timeline.log.base as log_base
from timeline import Statement
from timeline.errors import InvalidArgument, InvalidData, MissingExtra, UnknownEvent
from timeline.integrity import (
    Checkpoint,
    ConsistencyProof,
    InclusionProof,
    SigningKey,
    load_public_key,
    verify_consistency,
    verify_inclusion,
)
from timeline.log import GENESIS, MemoryLog, chain_hash
from timeline.log.merkle import MerkleTree, leaf_hash
from timeline.log.merkle_store import STORED_LEVEL
from timeline.log.sqlite import SQLiteLog
from timeline.testing import FixedClock

T0 = dt.datetime(2025, 6, 2, 8, tzinfo=dt.UTC)
KEY = SigningKey.generate()


def said(i):
    return Statement(
        occurred_at=T0 + dt.timedelta(minutes=i), speaker="Hakan Fidan", text=f"remark {i}"
    )


def make(path, n, *, batch=7):
    log = SQLiteLog(path, clock=FixedClock(T0, tick=dt.timedelta(seconds=1)))
    for start in range(0, n, batch):
        log.append([said(i) for i in range(start, min(n, start + batch))], stream=f"s{start % 3}")
    return log


def reference_root(log, size=None):
    hashes = [r.hash for r in log.read()][:size]
    return MerkleTree(leaf_hash(bytes.fromhex(h)) for h in hashes).root()


_COLUMNS = "stream, recorded_at, payload, event_id, type, occurred_at"


def stored_rows(path):
    with sqlite3.connect(path) as db:
        return db.execute(f"SELECT {_COLUMNS} FROM events ORDER BY position").fetchall()


def rewrite(path, rows):
    """Store ``rows`` as the whole log, numbered and re-hashed, and drop the stored tree."""
    previous, versions, out = GENESIS, {}, []
    for position, (stream, recorded_at, payload, event_id, type_, occurred) in enumerate(rows, 1):
        versions[stream] = version = versions.get(stream, 0) + 1
        previous = chain_hash(previous, position, stream, version, recorded_at, payload)
        out.append((position, stream, version, recorded_at, payload, previous, event_id, type_,
                    occurred))  # fmt: skip
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("BEGIN")
        db.execute("DELETE FROM events")
        db.execute("DELETE FROM timeline_merkle")
        db.executemany(
            "INSERT INTO events (position, stream, version, recorded_at, payload, hash, event_id,"
            " type, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            out,
        )
        db.execute("COMMIT")
    finally:
        db.close()


def forged(i, log):
    """A row for a statement nobody made, encoded as the log encodes."""
    event = Statement(occurred_at=T0, speaker="Nobody", text=f"forged {i}")
    payload, event_id, occurred = log.codec.encode_keyed(event)
    return ("s0", "2025-06-02T08:00:00.000000+00:00", payload, event_id, event.TYPE, occurred)


def edited(row):
    stream, recorded_at, payload, *rest = row
    return (stream, recorded_at, payload.replace(b"remark", b"Remark"), *rest)


REWRITES = ["edit", "remove", "insert", "swap", "truncate", "replace the tail"]


@settings(
    deadline=None, max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    n=st.integers(1, 45),
    data=st.data(),
    kind=st.sampled_from(REWRITES),
)
def test_any_rewrite_of_covered_records_fails_against_an_earlier_checkpoint(
    tmp_path_factory, n, data, kind
):
    path = tmp_path_factory.mktemp("rewrite") / "log.db"
    log = make(path, n)
    size = data.draw(st.integers(1, n), label="checkpoint size")
    checkpoint = KEY.sign(size=size, root=reference_root(log, size), time=T0)
    assert log.verify(against=checkpoint).ok
    rows = stored_rows(path)
    at = data.draw(st.integers(0, size - 1), label="at")
    if kind == "edit":
        rows[at] = edited(rows[at])
    elif kind == "remove":
        del rows[at]
    elif kind == "insert":
        rows.insert(at, forged(at, log))
    elif kind == "swap":
        if size < 2:
            return
        other = data.draw(st.integers(0, size - 1).filter(lambda i: i != at), label="other")
        rows[at], rows[other] = rows[other], rows[at]
    elif kind == "truncate":
        rows = rows[:at]
    else:  # the forged append: history replaced from `at` on, as long as it was or longer
        extra = data.draw(st.integers(n - at, n - at + 20), label="forged records")
        rows = rows[:at] + [forged(i, log) for i in range(extra)]
    log.close()
    rewrite(path, rows)
    with SQLiteLog(path) as log:
        assert log.verify().ok  # re-hashed: the chain alone cannot tell
        report = log.verify(against=checkpoint)
        assert not report.ok
        assert report.reason
        if len(log) >= size:
            now = log.checkpoint(KEY)  # the tree is rebuilt from the forged records
            assert now.root == reference_root(log)
            proof = log.prove_consistency(size)
            assert not verify_consistency(proof, checkpoint, now, public_key=KEY.public_key)


def test_the_forged_edit_is_named_and_the_cut_log_is_named_at_its_end(tmp_path):
    path = tmp_path / "log.db"
    log = make(path, 30)
    checkpoint = log.checkpoint(KEY)
    log.close()
    rows = stored_rows(path)
    rows[11] = edited(rows[11])
    rewrite(path, rows)
    with SQLiteLog(path) as log:
        report = log.verify(against=checkpoint)
        assert (report.ok, report.position, report.checked) == (False, None, 0)
        assert "do not have the checkpoint's Merkle root" in report.reason
    rewrite(path, stored_rows(path)[:20])
    with SQLiteLog(path) as log:
        report = log.verify(against=checkpoint)
        assert (report.ok, report.position, report.checked) == (False, 21, 20)
        assert "the checkpoint covers 30" in report.reason


def test_records_appended_after_the_checkpoint_extend_it(tmp_path):
    log = make(tmp_path / "log.db", 20)
    before = log.checkpoint(KEY)
    log.append([said(100)], stream="later")
    after = log.checkpoint(KEY)
    assert log.verify(against=before).ok
    assert verify_consistency(log.prove_consistency(20), before, after, public_key=KEY.public_pem())
    assert verify_inclusion(
        log.prove_inclusion(21), after, log.head().hash, public_key=KEY.public_key
    )


def test_a_log_written_before_builds_its_tree_on_first_use(tmp_path):
    path = tmp_path / "old.db"
    log = make(path, 50)
    root = reference_root(log)
    log.close()
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE timeline_merkle")  # as a log made before the tree was kept
    with SQLiteLog(path) as log:
        assert log.merkle_count(STORED_LEVEL) == 0
        assert log.checkpoint(KEY).root == root
        assert log.merkle_count(STORED_LEVEL) == 50 >> STORED_LEVEL
        log.append([said(i) for i in range(50, 90)], stream="new")
        assert log.checkpoint(KEY).root == reference_root(log)


def test_records_an_older_version_appended_are_added_to_the_tree(tmp_path, monkeypatch):
    path = tmp_path / "log.db"
    log = make(path, 40)
    with monkeypatch.context() as m:
        m.setattr(log_base, "grow_tree", lambda *_: None)  # an older version
        log.append([said(i) for i in range(40, 75)], stream="old")
    assert log.merkle_count(STORED_LEVEL) == 40 >> STORED_LEVEL
    log.append([said(75)], stream="new")  # a tree that is behind is left for first use
    assert log.merkle_count(STORED_LEVEL) == 40 >> STORED_LEVEL
    proof = log.prove_inclusion(60)
    checkpoint = log.checkpoint(KEY)
    assert checkpoint.root == reference_root(log)
    assert verify_inclusion(proof, checkpoint, proof.record_hash, public_key=KEY.public_key)
    assert log.merkle_count(STORED_LEVEL) == 76 >> STORED_LEVEL
    log.close()


def test_a_tree_longer_than_the_log_is_damage(tmp_path):
    path = tmp_path / "log.db"
    make(path, 40).close()
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM events WHERE position > 10")  # the end cut off
    with SQLiteLog(path) as log:
        assert log.verify().ok  # the chain alone cannot see records gone from the end
        with pytest.raises(Exception, match="records were removed from its end") as caught:
            log.checkpoint(KEY)
        assert caught.value.position == 11


def test_a_missing_stored_node_is_damage_not_a_wrong_root(tmp_path):
    path = tmp_path / "log.db"
    make(path, 40).close()
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM timeline_merkle WHERE level = 5")
    with SQLiteLog(path) as log, pytest.raises(Exception, match=r"no node \(5, 0\)"):
        log.checkpoint(KEY)


def test_proofs_and_checks_refuse_what_makes_no_sense():
    log = MemoryLog(clock=FixedClock(T0))
    log.append([said(i) for i in range(5)], stream="s")
    with pytest.raises(InvalidArgument, match="record"):
        log.prove_inclusion(0)
    with pytest.raises(InvalidArgument, match="record"):
        log.prove_inclusion(6)
    with pytest.raises(InvalidArgument, match="size"):
        log.prove_inclusion(3, 2)
    with pytest.raises(UnknownEvent):
        log.prove_inclusion(uuid.uuid4())
    with pytest.raises(InvalidArgument, match="old_size"):
        log.prove_consistency(4, 3)
    with pytest.raises(InvalidArgument, match="size"):
        log.prove_consistency(1, 6)
    with pytest.raises(InvalidArgument, match="against"):
        log.verify(against="checkpoint.json")
    with pytest.raises(InvalidArgument, match="key"):
        log.checkpoint("default.pem")


def test_a_proof_checks_only_with_its_record_its_checkpoint_and_its_key():
    log = MemoryLog(clock=FixedClock(T0))
    log.append([said(i) for i in range(37)], stream="s")
    checkpoint = log.checkpoint(KEY)
    proof = log.prove_inclusion(23)
    record = list(log.read())[22]
    assert proof.previous_hash == list(log.read())[21].hash
    assert verify_inclusion(proof, checkpoint, record.hash, public_key=KEY.public_pem())
    assert verify_inclusion(proof, checkpoint, bytes.fromhex(record.hash), public_key=None)
    assert not verify_inclusion(proof, checkpoint, "0" * 64, public_key=None)
    assert not verify_inclusion(proof, checkpoint, "not hex", public_key=None)
    other = SigningKey.generate()
    assert not verify_inclusion(proof, checkpoint, record.hash, public_key=other.public_key)
    smaller = log.checkpoint(KEY)
    log.append([said(99)], stream="s")
    bigger = log.checkpoint(KEY)
    assert not verify_inclusion(proof, bigger, record.hash, public_key=None)  # another size
    assert verify_inclusion(log.prove_inclusion(23, 37), smaller, record.hash, public_key=None)
    bent = InclusionProof(
        size=proof.size,
        position=proof.position,
        record_hash=proof.record_hash,
        previous_hash=proof.previous_hash,
        path=(bytes(32), *proof.path[1:]),
    )
    assert not verify_inclusion(bent, checkpoint, record.hash, public_key=None)
    consistency = log.prove_consistency(37)
    assert verify_consistency(consistency, smaller, bigger, public_key=KEY.public_key)
    assert not verify_consistency(consistency, smaller, bigger, public_key=other.public_key)
    assert not verify_consistency(consistency, bigger, smaller, public_key=None)


def test_the_proofs_json_forms_are_the_documented_ones():
    log = MemoryLog(clock=FixedClock(T0))
    log.append([said(i) for i in range(20)], stream="s")
    proof = log.prove_inclusion(5)
    data = orjson.loads(proof.to_json())
    assert list(data) == [
        "version", "proof", "size", "position", "record_hash", "previous_hash", "path"
    ]  # fmt: skip
    assert (data["version"], data["proof"], data["size"], data["position"]) == (
        1, "inclusion", 20, 5
    )  # fmt: skip
    assert data["path"] == [step.hex() for step in proof.path]
    assert InclusionProof.from_json(proof.to_json()) == proof
    consistency = log.prove_consistency(7)
    data = orjson.loads(consistency.to_json())
    assert list(data) == ["version", "proof", "old_size", "size", "path"]
    assert ConsistencyProof.from_json(consistency.to_json()) == consistency


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"version": 2}, "version"),
        ({"proof": "consistency"}, "proof"),
        ({"size": 0}, "size"),
        ({"position": "5"}, "position"),
        ({"record_hash": "zz"}, "record_hash"),
        ({"path": "ab"}, "path"),
        ({"path": ["ab"]}, "path"),
    ],
)
def test_a_malformed_proof_names_the_field(change, field):
    log = MemoryLog(clock=FixedClock(T0))
    log.append([said(i) for i in range(9)], stream="s")
    data = {**orjson.loads(log.prove_inclusion(5).to_json()), **change}
    with pytest.raises(InvalidData, match="not a timeline inclusion proof") as caught:
        InclusionProof.from_json(orjson.dumps(data), path="proof.json")
    assert caught.value.column == field
    with pytest.raises(InvalidData, match="missing"):
        ConsistencyProof.from_json(b'{"version": 1, "proof": "consistency"}')


def test_a_public_key_is_pem_or_raw_and_nothing_else():
    assert load_public_key(KEY.public_pem()) == KEY.public_key
    assert load_public_key(KEY.public_pem().encode()) == KEY.public_key
    assert load_public_key(KEY.public_key) == KEY.public_key
    for bad in ("not a key", b"short", 42):
        with pytest.raises(InvalidArgument, match="public_key"):
            load_public_key(bad)


def test_without_cryptography_a_checkpoint_names_the_extra_and_proofs_still_work(
    monkeypatch, tmp_path
):
    log = MemoryLog(clock=FixedClock(T0))
    log.append([said(i) for i in range(3)], stream="s")
    checkpoint = log.checkpoint(KEY)
    monkeypatch.setenv("TIMELINE_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.asymmetric", None)
    with pytest.raises(MissingExtra, match=r"conflict-timeline\[integrity\]") as caught:
        log.checkpoint()
    assert (caught.value.extra, caught.value.package) == ("integrity", "cryptography")
    proof = log.prove_inclusion(2)  # the tree needs no signature
    assert verify_inclusion(proof, checkpoint, proof.record_hash, public_key=None)
    with pytest.raises(MissingExtra):
        verify_inclusion(proof, checkpoint, proof.record_hash, public_key=KEY.public_pem())
    assert not (tmp_path / "keys").exists()  # no key was made
    assert isinstance(Checkpoint.from_json(checkpoint.to_json()), Checkpoint)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(writers=st.lists(st.tuples(st.integers(0, 1), st.integers(1, 5)), min_size=1, max_size=30))
def test_appends_grow_the_stored_tree_as_a_tree_built_afresh(tmp_path_factory, writers):
    """Each append grows the stored tree from the edge its log object kept after its own last
    append, where the tail is still that append's (and reads it from the store otherwise):
    two log objects on one file take turns, so each edge is sometimes another's; the stored
    nodes are those of a tree built from the records, and so is the checkpoint's root."""
    path = tmp_path_factory.mktemp("tree") / "log.db"
    logs = [SQLiteLog(path), SQLiteLog(path)]
    n = 0
    for which, count in writers:
        logs[which].append([said(n + i) for i in range(count)], stream="s")
        n += count
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT level, idx, hash FROM timeline_merkle").fetchall()
    stored = {(level, index): hash_ for level, index, hash_ in rows}
    leaves = [leaf_hash(bytes.fromhex(r.hash)) for r in logs[0].read()]
    tree = MerkleTree(leaves)
    expected = {
        (level, index): tree.nodes([(level, index)])[level, index]
        for level in range(STORED_LEVEL, n.bit_length())
        for index in range(n >> level)
    }
    assert {k: bytes(v) for k, v in stored.items()} == expected
    assert logs[1].checkpoint(KEY).root == reference_root(logs[0]) == tree.root()
    for log in logs:
        log.close()
