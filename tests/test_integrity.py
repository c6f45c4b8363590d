"""Signed checkpoints: the JSON form, the signature, keys and their files."""

import base64
import os
import stat
import sys

import orjson
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline.errors import InvalidArgument, InvalidData, MissingExtra
from timeline.integrity import Checkpoint, SigningKey, default_key_dir, verify_signature

T = pendulum.datetime(2025, 6, 2, 8, 0, 0, 123456, tz="Europe/Istanbul")
ROOT = bytes(range(32))


@pytest.fixture(scope="module")
def key():
    return SigningKey.generate()


def test_a_checkpoint_is_signed_and_checked_against_the_public_key(key):
    cp = key.sign(size=1204, root=ROOT, time=T)
    assert (cp.size, cp.root, cp.key_id, cp.version) == (1204, ROOT, key.key_id, 1)
    assert cp.time == T.in_timezone("UTC")
    assert verify_signature(cp, key.public_key)
    assert not verify_signature(cp, SigningKey.generate().public_key)


def test_the_json_form_is_the_documented_one(key):
    cp = key.sign(size=7, root=ROOT, time=T)
    data = orjson.loads(cp.to_json())
    assert list(data) == ["version", "size", "root", "time", "key_id", "signature"]
    assert data["version"] == 1
    assert data["size"] == 7
    assert data["root"] == ROOT.hex()
    assert data["time"] == "2025-06-02T05:00:00.123456Z"
    assert data["key_id"] == key.key_id
    assert len(base64.b64decode(data["signature"])) == 64
    assert cp.signed_bytes() == (
        b"timeline-checkpoint/1\n7\n"
        + ROOT.hex().encode()
        + b"\n2025-06-02T05:00:00.123456Z\n"
        + key.key_id.encode()
        + b"\n"
    )


@given(
    size=st.integers(0, 2**53),
    root=st.binary(min_size=32, max_size=32),
    seconds=st.integers(0, 4_000_000_000),
    field=st.sampled_from(["size", "root", "time", "key_id", "signature"]),
)
def test_any_change_to_a_signed_field_fails_the_check(key, size, root, seconds, field):
    cp = key.sign(size=size, root=root, time=pendulum.from_timestamp(seconds))
    again = Checkpoint.from_json(cp.to_json())
    assert again == cp
    assert verify_signature(again, key.public_key)
    data = orjson.loads(cp.to_json())
    if field == "size":
        data["size"] = size + 1
    elif field == "root":
        data["root"] = bytes([root[0] ^ 1, *root[1:]]).hex()
    elif field == "time":
        data["time"] = pendulum.from_timestamp(seconds + 1).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    elif field == "key_id":
        data["key_id"] = "0" * 64
    else:
        sig = base64.b64decode(data["signature"])
        data["signature"] = base64.b64encode(bytes([sig[0] ^ 1, *sig[1:]])).decode()
    assert not verify_signature(Checkpoint.from_json(orjson.dumps(data)), key.public_key)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"version": 2}, "version"),
        ({"size": -1}, "size"),
        ({"size": 1.5}, "size"),
        ({"root": "ab"}, "root"),
        ({"root": "zz" * 32}, "root"),
        ({"time": "yesterday"}, "time"),
        ({"time": "2025-06-02T05:00:00"}, "time"),
        ({"signature": "***"}, "signature"),
        ({"key_id": None}, "key_id"),
    ],
)
def test_a_malformed_checkpoint_names_the_field(key, change, field):
    data = orjson.loads(key.sign(size=1, root=ROOT, time=T).to_json()) | change
    with pytest.raises(InvalidData) as caught:
        Checkpoint.from_json(orjson.dumps(data), path="cp.json")
    assert caught.value.column == field
    assert caught.value.path == "cp.json"


def test_missing_fields_and_non_json_are_invalid_data():
    with pytest.raises(InvalidData, match="size"):
        Checkpoint.from_json(b'{"version": 1}')
    with pytest.raises(InvalidData, match="not JSON"):
        Checkpoint.from_json(b"{")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_keys_are_saved_owner_only_and_never_overwritten(tmp_path, key):
    path = tmp_path / "keys" / "k.pem"
    key.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert SigningKey.load(path).public_key == key.public_key
    with pytest.raises(InvalidArgument, match="never overwritten"):
        SigningKey.generate().save(path)
    assert SigningKey.load(path).public_key == key.public_key
    assert key.key_id in repr(key)
    assert "PRIVATE" not in repr(key)
    assert key.public_pem().startswith("-----BEGIN PUBLIC KEY-----")


def test_the_default_key_is_made_once_in_the_key_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("TIMELINE_KEY_DIR", str(tmp_path / "k"))
    assert default_key_dir() == tmp_path / "k"
    first = SigningKey.default()
    assert (tmp_path / "k" / "default.pem").exists()
    assert SigningKey.default().public_key == first.public_key
    monkeypatch.delenv("TIMELINE_KEY_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    if os.name != "nt":
        assert default_key_dir() == tmp_path / "cfg" / "timeline" / "keys"


def test_a_bad_key_file_is_an_argument_error(tmp_path):
    path = tmp_path / "bad.pem"
    path.write_text("not a key")
    with pytest.raises(InvalidArgument, match="cannot read a signing key"):
        SigningKey.load(path)


def test_signing_refuses_bad_arguments(key):
    with pytest.raises(InvalidArgument, match="size"):
        key.sign(size=-1, root=ROOT, time=T)
    with pytest.raises(InvalidArgument, match="root"):
        key.sign(size=1, root=b"x", time=T)


def test_without_cryptography_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.asymmetric", None)
    with pytest.raises(MissingExtra, match=r"conflict-timeline\[integrity\]") as caught:
        SigningKey.generate()
    assert (caught.value.extra, caught.value.package) == ("integrity", "cryptography")
