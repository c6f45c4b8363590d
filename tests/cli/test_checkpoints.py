"""checkpoint, prove, key export, verify --against: what a publisher runs and a reader checks."""

from __future__ import annotations

import json
import sqlite3
import stat
import uuid

import timeline as tl
from cli.clitools import BARRAGE_472, EVENTS, jsonl
from timeline.integrity import (
    Checkpoint,
    InclusionProof,
    SigningKey,
    load_public_key,
    verify_inclusion,
    verify_signature,
)


def keyed(cli):
    """The command's environment with a key folder of the test's own."""
    return {"TIMELINE_KEY_DIR": str(cli.folder / "keys")}


def appended(cli, events=EVENTS, log="timeline.db"):
    done = cli.quick("append", "--stream", "record", "--log", log, input=jsonl(events))
    assert done.returncode == 0, done.stderr


def test_checkpoint_signs_with_a_default_key_made_once_and_prints_json(cli):
    appended(cli)
    env = keyed(cli)
    first = cli("checkpoint", env=env)
    assert first.returncode == 0, first.stderr
    assert "made a new signing key" in first.stderr
    key_file = cli.folder / "keys" / "default.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    checkpoint = Checkpoint.from_json(first.stdout)
    assert checkpoint.size == len(EVENTS)
    key = SigningKey.load(key_file)
    assert verify_signature(checkpoint, key.public_key)
    with tl.open_log(cli.folder / "timeline.db") as log:
        assert log.verify(against=checkpoint).ok
    again = cli.quick("checkpoint", "timeline.db", "-o", "cp.json", env=env)
    assert again.returncode == 0, again.stderr
    assert "made a new signing key" not in again.stderr
    written = Checkpoint.from_json((cli.folder / "cp.json").read_text())
    assert (written.size, written.root, written.key_id) == (
        checkpoint.size,
        checkpoint.root,
        checkpoint.key_id,
    )


def test_checkpoint_with_a_key_file_and_key_export_prints_its_public_half(cli):
    appended(cli, log="log.jsonl")
    key = SigningKey.generate()
    key.save(cli.folder / "newsroom.pem")
    done = cli("checkpoint", "--log", "log.jsonl", "--key", "newsroom.pem", env=keyed(cli))
    assert done.returncode == 0, done.stderr
    assert Checkpoint.from_json(done.stdout).key_id == key.key_id
    assert not (cli.folder / "keys").exists()
    exported = cli("key", "export", "--key", "newsroom.pem", env=keyed(cli))
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    assert load_public_key(exported.stdout) == key.public_key
    default = cli.quick("key", "export", env=keyed(cli))
    assert load_public_key(default.stdout) == SigningKey.default(cli.folder / "keys").public_key


def test_prove_prints_an_inclusion_proof_by_position_or_event_id(cli):
    appended(cli)
    env = keyed(cli)
    checkpoint = Checkpoint.from_json(cli.quick("checkpoint", env=env).stdout)
    public = cli.quick("key", "export", env=env).stdout
    by_id = cli("prove", BARRAGE_472, env=env)
    assert by_id.returncode == 0, by_id.stderr
    proof = InclusionProof.from_json(by_id.stdout)
    with tl.open_log(cli.folder / "timeline.db") as log:
        record = log.get(uuid.UUID(BARRAGE_472))
    assert proof.position == record.position
    assert verify_inclusion(proof, checkpoint, record.hash, public_key=public)
    by_position = cli.quick("prove", str(record.position), "--size", str(checkpoint.size))
    assert InclusionProof.from_json(by_position.stdout) == proof
    too_far = cli.quick("prove", "1", "--size", "99")
    assert too_far.returncode == 1
    assert "size" in too_far.stderr


def test_verify_against_a_checkpoint_passes_then_fails_after_a_rehashed_edit(cli):
    appended(cli)
    env = keyed(cli)
    assert cli.quick("checkpoint", "-o", "cp.json", env=env).returncode == 0
    (cli.folder / "pub.pem").write_text(cli.quick("key", "export", env=env).stdout)
    more = [{**EVENTS[0], "party": "Ukraine again"}]
    appended(cli, more)
    good = cli("verify", "--against", "cp.json", "--public-key", "pub.pem", env=env)
    assert (good.returncode, good.stderr) == (0, ""), good.stdout
    assert f"extends the checkpoint of {len(EVENTS)} records" in good.stdout

    # Rewrite the first record's payload and re-hash the whole chain after it.
    path = cli.folder / "timeline.db"
    db = sqlite3.connect(path, isolation_level=None)
    rows = db.execute(
        "SELECT position, stream, version, recorded_at, payload FROM events ORDER BY position"
    ).fetchall()
    previous = tl.log.GENESIS
    db.execute("BEGIN")
    for position, stream, version, recorded_at, payload in rows:
        if position == 1:
            payload = payload.replace(b'"Ukraine"', b'"Ukrainx"')  # noqa: PLW2901
        previous = tl.log.chain_hash(previous, position, stream, version, recorded_at, payload)
        db.execute(
            "UPDATE events SET payload = ?, hash = ? WHERE position = ?",
            (payload, previous, position),
        )
    db.execute("COMMIT")
    db.close()
    assert cli.quick("verify").returncode == 0  # the chain alone cannot tell
    bad = cli("verify", "--against", "cp.json", "--public-key", "pub.pem", env=env)
    assert bad.returncode == 1
    assert bad.stdout.startswith(f"does not extend the checkpoint: the first {len(EVENTS)} records")


def test_verify_against_a_forged_checkpoint_or_without_the_key(cli):
    appended(cli)
    env = keyed(cli)
    assert cli.quick("checkpoint", "-o", "cp.json", env=env).returncode == 0
    data = json.loads((cli.folder / "cp.json").read_text())
    data["size"] -= 1  # a checkpoint changed after it was signed
    (cli.folder / "forged.json").write_text(json.dumps(data))
    forged = cli("verify", "--against", "forged.json", env=env)
    assert forged.returncode == 1
    assert "signature does not verify" in forged.stdout
    stranger = {"TIMELINE_KEY_DIR": str(cli.folder / "other-keys")}
    unchecked = cli.quick("verify", "--against", "cp.json", env=stranger)
    assert unchecked.returncode == 0
    assert "signature not checked" in unchecked.stderr
    missing = cli.quick("verify", "--against", "nothing.json", env=env)
    assert missing.returncode == 1
    assert "cannot read the checkpoint nothing.json" in missing.stderr
    (cli.folder / "junk.json").write_text('{"version": 1}')
    junk = cli.quick("verify", "--against", "junk.json", env=env)
    assert junk.returncode == 1
    assert "not a timeline checkpoint" in junk.stderr
