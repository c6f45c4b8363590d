r"""Integrity a third party can check: signed checkpoints of a log (signed tree heads).

A checkpoint is a *signed tree head*, in the manner of Certificate Transparency (RFC 9162):
the size of a log, the root of the Merkle tree over its first *size* records
(:mod:`timeline.log.merkle`), the time it was taken, and an Ed25519 signature by a key whose
public half the publisher makes known. Whoever keeps a checkpoint can later check that any copy
of the log still holds those records, record for record, and that a given record is among
them, without trusting whoever holds the copy.

The JSON form (version 1), stable and documented here (and so in the API reference), so
that another implementation can check it::

    {"version": 1, "size": 1204, "root": "<hex>", "time": "2025-06-02T08:00:00.000000Z",
     "key_id": "<hex>", "signature": "<base64>"}

The signature covers exactly the bytes of :meth:`Checkpoint.signed_bytes`::

    timeline-checkpoint/1\n<size>\n<root hex>\n<time>\n<key_id>\n

``key_id`` is the SHA-256 (hex) of the raw 32-byte Ed25519 public key.

Proofs (version 1) are JSON objects too, checked by :func:`verify_inclusion` and
:func:`verify_consistency` against checkpoints, with no log at hand::

    {"version": 1, "proof": "inclusion", "size": 1204, "position": 42,
     "record_hash": "<hex>", "previous_hash": "<hex>", "path": ["<hex>", ...]}
    {"version": 1, "proof": "consistency", "old_size": 1000, "size": 1204,
     "path": ["<hex>", ...]}

The hashes of a path are RFC 9162's (section 2.1.3 for inclusion, 2.1.4 for consistency),
over leaves ``SHA-256(0x00 ‖ the 32 bytes of a record's chain hash)``; ``position`` is the
record's 1-based position (its leaf's index plus one). ``previous_hash`` is the chain hash of
the record before (64 zeros for the first), so that whoever holds the record itself can
recompute its chain hash (:func:`timeline.log.chain_hash`) and compare it with
``record_hash``. ``docs/reference/integrity.md`` describes every byte.

Signing and checking use the ``cryptography`` package (the ``integrity`` extra:
``pip install "conflict-timeline[integrity]"``); without it, :class:`MissingExtra` says so.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs
import orjson
from pendulum import DateTime

from timeline._files import new_file
from timeline.errors import InvalidArgument, InvalidData, MissingExtra, check_whole
from timeline.log import merkle
from timeline.time import to_utc

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

__all__ = [
    "FORMAT_VERSION",
    "KEY_DIR_ENV",
    "Checkpoint",
    "ConsistencyProof",
    "InclusionProof",
    "SigningKey",
    "default_key_dir",
    "key_id_of",
    "load_public_key",
    "verify_consistency",
    "verify_inclusion",
    "verify_signature",
]

#: The version of the checkpoint format this module writes and reads.
FORMAT_VERSION: Final = 1
#: Where keys are kept, if set; otherwise :func:`default_key_dir`.
KEY_DIR_ENV: Final = "TIMELINE_KEY_DIR"
_MAGIC: Final = b"timeline-checkpoint/1\n"
_FIELDS: Final = ("version", "size", "root", "time", "key_id", "signature")
_HASH_HEX: Final = 64


def _ed25519() -> Any:
    """The ``cryptography`` module for Ed25519, or :class:`MissingExtra` naming the extra."""
    try:
        from cryptography.hazmat.primitives.asymmetric import (  # noqa: PLC0415  # the optional extra
            ed25519,
        )
    except ImportError as e:
        raise MissingExtra(
            "signed checkpoints need the 'cryptography' package: "
            'pip install "conflict-timeline[integrity]"',
            extra="integrity",
            package="cryptography",
        ) from e
    return ed25519


def _rfc3339(value: DateTime) -> str:
    return to_utc(value, field="time").strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def key_id_of(public_key: bytes) -> str:
    """The id of a raw Ed25519 public key: its SHA-256, in hex."""
    return hashlib.sha256(public_key).hexdigest()


def _utc_time(value: object) -> DateTime:
    return to_utc(value, field="time")


@attrs.frozen(kw_only=True)
class Checkpoint:
    """A signed tree head: the size and Merkle root of a log, when, and by which key.

    Attributes:
        size: how many records (positions 1 .. size) the checkpoint covers.
        root: the Merkle root of those records (32 bytes).
        time: when it was taken (aware, UTC).
        key_id: the SHA-256 (hex) of the signing key's raw public key.
        signature: the Ed25519 signature of :meth:`signed_bytes` (64 bytes).
        version: the format's version (1).
    """

    size: int
    root: bytes
    time: DateTime = attrs.field(converter=_utc_time)
    key_id: str
    signature: bytes
    version: int = FORMAT_VERSION

    def signed_bytes(self) -> bytes:
        """The exact bytes the signature covers."""
        return _signed_bytes(self.size, self.root, self.time, self.key_id)

    def to_json(self) -> str:
        """The checkpoint as JSON, one object with the fields in a fixed order."""
        return orjson.dumps(
            {
                "version": self.version,
                "size": self.size,
                "root": self.root.hex(),
                "time": _rfc3339(self.time),
                "key_id": self.key_id,
                "signature": base64.b64encode(self.signature).decode("ascii"),
            }
        ).decode()

    @classmethod
    def from_json(cls, text: str | bytes, *, path: str | None = None) -> Checkpoint:
        """Read a checkpoint written by :meth:`to_json` (by us or by anyone who follows it).

        Raises:
            InvalidData: naming the field and value that are not a version-1 checkpoint.
        """
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as e:
            raise _Malformed(None, str(text)[:40], f"not JSON ({e})").at(path) from e
        try:
            return cls(**_fields(data))
        except _Malformed as e:
            raise e.at(path) from None


class _Malformed(Exception):
    """One thing wrong in a checkpoint's JSON, before the file's path is known."""

    def __init__(self, field: str | None, value: object, reason: str) -> None:
        super().__init__(reason)
        self.field, self.value, self.reason = field, value, reason

    def at(self, path: str | None, what: str = "checkpoint") -> InvalidData:
        where = f"{path}: " if path else ""
        return InvalidData(
            f"{where}not a timeline {what}: {self.field or 'the whole'} {self.value!r}: "
            f"{self.reason}",
            row=None,
            column=self.field,
            value=self.value,
            reason=self.reason,
            path=path,
        )


def _hex(data: dict[str, Any], field: str) -> bytes:
    value = data[field]
    try:
        if isinstance(value, str) and len(value) == _HASH_HEX:
            return bytes.fromhex(value)
    except ValueError:
        pass
    raise _Malformed(field, value, "not 64 hex digits")


def _fields(data: object) -> dict[str, Any]:
    """The checked fields of a version-1 checkpoint's JSON object."""
    if not isinstance(data, dict):
        raise _Malformed(None, data, "not a JSON object")
    missing = [f for f in _FIELDS if f not in data]
    if missing:
        raise _Malformed(missing[0], None, "missing")
    if type(data["version"]) is not int or data["version"] != FORMAT_VERSION:
        raise _Malformed("version", data["version"], f"this reader knows version {FORMAT_VERSION}")
    if type(data["size"]) is not int or data["size"] < 0:
        raise _Malformed("size", data["size"], "not a whole number ≥ 0")
    try:
        signature = base64.b64decode(data["signature"], validate=True)
    except (ValueError, TypeError, binascii.Error) as e:
        raise _Malformed("signature", data["signature"], "not base64") from e
    try:
        time = DateTime.fromisoformat(data["time"])
    except (TypeError, ValueError) as e:
        raise _Malformed("time", data["time"], "not an RFC 3339 time") from e
    if time.tzinfo is None:
        raise _Malformed("time", data["time"], "no offset")
    return {
        "size": data["size"],
        "root": _hex(data, "root"),
        "time": time,
        "key_id": _hex(data, "key_id").hex(),
        "signature": signature,
    }


def _signed_bytes(size: int, root: bytes, time: DateTime, key_id: str) -> bytes:
    return b"%s%d\n%s\n%s\n%s\n" % (
        _MAGIC,
        size,
        root.hex().encode(),
        _rfc3339(time).encode(),
        key_id.encode(),
    )


def verify_signature(checkpoint: Checkpoint, public_key: bytes) -> bool:
    """Whether ``checkpoint`` was signed by the holder of ``public_key`` (raw, 32 bytes).

    Checks the key id too: a checkpoint naming another key is not this key's.
    """
    ed25519 = _ed25519()
    if key_id_of(public_key) != checkpoint.key_id:
        return False
    from cryptography.exceptions import InvalidSignature  # noqa: PLC0415  # the optional extra

    try:
        ed25519.Ed25519PublicKey.from_public_bytes(public_key).verify(
            checkpoint.signature, checkpoint.signed_bytes()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def default_key_dir() -> Path:
    """Where keys live: ``$TIMELINE_KEY_DIR``, else the user's config folder + ``timeline/keys``.

    The config folder is ``%APPDATA%`` on Windows, else ``$XDG_CONFIG_HOME`` or ``~/.config``.
    """
    explicit = os.environ.get(KEY_DIR_ENV)
    if explicit:
        return Path(explicit)
    if os.name == "nt":  # pragma: no cover  # not run on CI's Linux
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "timeline" / "keys"


@attrs.frozen(repr=False)
class SigningKey:
    """An Ed25519 key that signs checkpoints. Its repr shows the id, never the secret."""

    _key: Ed25519PrivateKey

    def __repr__(self) -> str:
        return f"SigningKey(key_id={self.key_id!r})"

    @classmethod
    def generate(cls) -> SigningKey:
        """A new random key."""
        return cls(_ed25519().Ed25519PrivateKey.generate())

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SigningKey:
        """A key saved by :meth:`save` (PKCS #8, PEM, unencrypted)."""
        from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

        ed25519 = _ed25519()
        try:
            key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as e:
            raise InvalidArgument(
                f"cannot read a signing key from {os.fspath(path)!r}: {e}",
                argument="path",
                value=os.fspath(path),
            ) from e
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise InvalidArgument(
                f"{os.fspath(path)!r} holds a key that is not Ed25519",
                argument="path",
                value=os.fspath(path),
            )
        return cls(key)

    @classmethod
    def default(cls, directory: str | os.PathLike[str] | None = None) -> SigningKey:
        """The default key (``default.pem`` in :func:`default_key_dir`), made on first use."""
        folder = Path(directory) if directory is not None else default_key_dir()
        path = folder / "default.pem"
        if path.exists():
            return cls.load(path)
        key = cls.generate()
        key.save(path)
        return key

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the key as unencrypted PKCS #8 PEM, readable by its owner only (mode 0600).

        The folder is made with mode 0700 where it does not exist. An existing file is never
        overwritten (a lost signing key cannot be made again).
        """
        from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

        target = Path(path)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        pem = self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        refusal = f"{os.fspath(target)!r} exists: a signing key is never overwritten"
        with new_file(target, argument="path", refusal=refusal, mode=0o600) as out:
            out.write(pem)

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte public key: what a publisher makes known."""
        from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

        return self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def key_id(self) -> str:
        """The SHA-256 (hex) of :attr:`public_key`."""
        return key_id_of(self.public_key)

    def public_pem(self) -> str:
        """The public key as PEM (SubjectPublicKeyInfo), to publish."""
        from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

        return (
            self._key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode("ascii")
        )

    def sign(self, *, size: int, root: bytes, time: DateTime) -> Checkpoint:
        """A checkpoint of ``size`` records with Merkle root ``root``, taken at ``time``."""
        check_whole(size, "size")
        if not isinstance(root, bytes) or len(root) != _HASH_HEX // 2:
            raise InvalidArgument(
                f"root must be 32 bytes, got {root!r}", argument="root", value=root
            )
        time = to_utc(time, field="time")
        key_id = self.key_id
        signature = self._key.sign(_signed_bytes(size, root, time, key_id))
        return Checkpoint(size=size, root=root, time=time, key_id=key_id, signature=signature)


def load_public_key(key: str | bytes) -> bytes:
    """A raw 32-byte Ed25519 public key from what a publisher hands out.

    Args:
        key: the PEM text :meth:`SigningKey.public_pem` writes (``timeline key export``), as
            ``str`` or ``bytes``, or the raw 32 bytes themselves.

    Raises:
        InvalidArgument: for anything that is not an Ed25519 public key.
    """
    if isinstance(key, bytes) and len(key) == _HASH_HEX // 2:
        return key
    if not isinstance(key, (str, bytes)):
        raise InvalidArgument(
            f"public_key must be PEM text or 32 raw bytes, got {key!r}",
            argument="public_key",
            value=key,
        )
    ed25519 = _ed25519()
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415  # the extra

    pem = key.encode() if isinstance(key, str) else key
    try:
        public = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as e:
        raise InvalidArgument(
            f"public_key is not a PEM public key: {e}", argument="public_key", value=key
        ) from e
    if not isinstance(public, ed25519.Ed25519PublicKey):
        raise InvalidArgument("public_key is not an Ed25519 key", argument="public_key", value=key)
    raw: bytes = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw


def _path_hex(data: dict[str, Any]) -> tuple[bytes, ...]:
    path = data["path"]
    if not isinstance(path, list):
        raise _Malformed("path", path, "not a list of hashes")
    return tuple(_hex({"path": step}, "path") for step in path)


def _whole(data: dict[str, Any], field: str, *, least: int = 0) -> int:
    value = data[field]
    if type(value) is not int or value < least:
        raise _Malformed(field, value, f"not a whole number ≥ {least}")
    return value


def _proof_json(
    kind: str, version: int, fields: Mapping[str, object], path: tuple[bytes, ...]
) -> str:
    """A proof of ``kind`` as JSON: its version and kind, its own fields, then its path."""
    document = {"version": version, "proof": kind, **fields, "path": [p.hex() for p in path]}
    return orjson.dumps(document).decode()


def _proof_fields(text: str | bytes, kind: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """The JSON object of a version-1 proof of ``kind``, with its fields present."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        raise _Malformed(None, str(text)[:40], f"not JSON ({e})") from e
    if not isinstance(data, dict):
        raise _Malformed(None, data, "not a JSON object")
    missing = [f for f in ("version", "proof", *fields) if f not in data]
    if missing:
        raise _Malformed(missing[0], None, "missing")
    if type(data["version"]) is not int or data["version"] != FORMAT_VERSION:
        raise _Malformed("version", data["version"], f"this reader knows version {FORMAT_VERSION}")
    if data["proof"] != kind:
        raise _Malformed("proof", data["proof"], f"not {kind!r}")
    return data


@attrs.frozen(kw_only=True)
class InclusionProof:
    """That a record is the ``position``-th of the first ``size`` records of a log.

    Made by :meth:`timeline.log.EventLog.prove_inclusion`; checked by
    :func:`verify_inclusion` against a checkpoint of ``size`` records, without the log.

    Attributes:
        size: the tree size the proof is for (a checkpoint's ``size``).
        position: the record's 1-based position.
        record_hash: the record's chain hash (hex): the data of its leaf.
        previous_hash: the chain hash of the record before it (hex; 64 zeros for the
            first), so that a holder of the record can recompute ``record_hash``.
        path: the audit path (RFC 9162, 2.1.3), the nearest sibling first.
        version: the format's version (1).
    """

    size: int
    position: int
    record_hash: str
    previous_hash: str
    path: tuple[bytes, ...]
    version: int = FORMAT_VERSION

    def to_json(self) -> str:
        """The proof as JSON, one object with the fields in a fixed order."""
        fields = {
            "size": self.size,
            "position": self.position,
            "record_hash": self.record_hash,
            "previous_hash": self.previous_hash,
        }
        return _proof_json("inclusion", self.version, fields, self.path)

    @classmethod
    def from_json(cls, text: str | bytes, *, path: str | None = None) -> InclusionProof:
        """Read a proof written by :meth:`to_json`.

        Raises:
            InvalidData: naming the field and value that are not a version-1 inclusion proof.
        """
        fields = ("size", "position", "record_hash", "previous_hash", "path")
        try:
            data = _proof_fields(text, "inclusion", fields)
            return cls(
                size=_whole(data, "size", least=1),
                position=_whole(data, "position", least=1),
                record_hash=_hex(data, "record_hash").hex(),
                previous_hash=_hex(data, "previous_hash").hex(),
                path=_path_hex(data),
            )
        except _Malformed as e:
            raise e.at(path, "inclusion proof") from None


@attrs.frozen(kw_only=True)
class ConsistencyProof:
    """That the first ``old_size`` records of a log are unchanged in its first ``size``.

    Made by :meth:`timeline.log.EventLog.prove_consistency`; checked by
    :func:`verify_consistency` against two checkpoints (of ``old_size`` and ``size``
    records), without the log.

    Attributes:
        old_size: the earlier tree size.
        size: the later tree size (≥ ``old_size``).
        path: the proof's hashes (RFC 9162, 2.1.4).
        version: the format's version (1).
    """

    old_size: int
    size: int
    path: tuple[bytes, ...]
    version: int = FORMAT_VERSION

    def to_json(self) -> str:
        """The proof as JSON, one object with the fields in a fixed order."""
        fields = {"old_size": self.old_size, "size": self.size}
        return _proof_json("consistency", self.version, fields, self.path)

    @classmethod
    def from_json(cls, text: str | bytes, *, path: str | None = None) -> ConsistencyProof:
        """Read a proof written by :meth:`to_json`.

        Raises:
            InvalidData: naming the field and value that are not a version-1 consistency
                proof.
        """
        try:
            data = _proof_fields(text, "consistency", ("old_size", "size", "path"))
            return cls(
                old_size=_whole(data, "old_size"),
                size=_whole(data, "size"),
                path=_path_hex(data),
            )
        except _Malformed as e:
            raise e.at(path, "consistency proof") from None


def _signed_by(checkpoint: Checkpoint, public_key: str | bytes | None) -> bool:
    return public_key is None or verify_signature(checkpoint, load_public_key(public_key))


def _hash_bytes(record_hash: str | bytes) -> bytes | None:
    if isinstance(record_hash, bytes):
        return record_hash if len(record_hash) == _HASH_HEX // 2 else None
    try:
        return bytes.fromhex(record_hash) if len(record_hash) == _HASH_HEX else None
    except ValueError:
        return None


def verify_inclusion(
    proof: InclusionProof,
    checkpoint: Checkpoint,
    record_hash: str | bytes,
    *,
    public_key: str | bytes | None,
) -> bool:
    """Whether ``proof`` shows the record of ``record_hash`` among the records ``checkpoint`` covers.

    No log is needed: the proof, the checkpoint, the record's chain hash (hex, as
    :attr:`timeline.log.Recorded.hash` holds it, or its 32 bytes) and the publisher's public
    key.

    Args:
        proof: from :meth:`~timeline.log.EventLog.prove_inclusion` (or its JSON).
        checkpoint: a checkpoint of ``proof.size`` records.
        record_hash: the chain hash of the record in question.
        public_key: the publisher's key (PEM or 32 raw bytes): the checkpoint's signature
            is checked too. ``None`` takes the checkpoint as trusted (say it on purpose:
            the argument has no default).
    """
    leaf = _hash_bytes(record_hash)
    return (
        leaf is not None
        and leaf.hex() == proof.record_hash
        and proof.size == checkpoint.size
        and merkle.verify_inclusion(
            merkle.leaf_hash(leaf), proof.position - 1, proof.size, proof.path, checkpoint.root
        )
        and _signed_by(checkpoint, public_key)
    )


def verify_consistency(
    proof: ConsistencyProof,
    old: Checkpoint,
    new: Checkpoint,
    *,
    public_key: str | bytes | None,
) -> bool:
    """Whether ``proof`` shows that the log of checkpoint ``new`` extends that of ``old``.

    That is: its first ``old.size`` records are exactly those ``old`` covers, none changed,
    removed or reordered. No log is needed.

    Args:
        proof: from :meth:`~timeline.log.EventLog.prove_consistency` (or its JSON).
        old: the earlier checkpoint (``proof.old_size`` records).
        new: the later checkpoint (``proof.size`` records).
        public_key: the publisher's key (PEM or 32 raw bytes): both signatures are checked
            too. ``None`` takes the checkpoints as trusted.
    """
    return (
        (proof.old_size, proof.size) == (old.size, new.size)
        and merkle.verify_consistency(old.size, new.size, old.root, new.root, proof.path)
        and _signed_by(old, public_key)
        and _signed_by(new, public_key)
    )
