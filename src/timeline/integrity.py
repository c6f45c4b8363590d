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

Signing and checking use the ``cryptography`` package (the ``integrity`` extra:
``pip install "conflict-timeline[integrity]"``); without it, :class:`MissingExtra` says so.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs
import orjson
from pendulum import DateTime

from timeline.errors import InvalidArgument, InvalidData, MissingExtra
from timeline.time import to_utc

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

__all__ = [
    "FORMAT_VERSION",
    "KEY_DIR_ENV",
    "Checkpoint",
    "SigningKey",
    "default_key_dir",
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

    def at(self, path: str | None) -> InvalidData:
        where = f"{path}: " if path else ""
        return InvalidData(
            f"{where}not a timeline checkpoint: {self.field or 'the whole'} {self.value!r}: "
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
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as e:
            raise InvalidArgument(
                f"{os.fspath(target)!r} exists: a signing key is never overwritten",
                argument="path",
                value=os.fspath(target),
            ) from e
        with os.fdopen(fd, "wb") as out:
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
        if type(size) is not int or size < 0:
            raise InvalidArgument(
                f"size must be a whole number ≥ 0, got {size!r}", argument="size", value=size
            )
        if not isinstance(root, bytes) or len(root) != _HASH_HEX // 2:
            raise InvalidArgument(
                f"root must be 32 bytes, got {root!r}", argument="root", value=root
            )
        time = to_utc(time, field="time")
        key_id = self.key_id
        signature = self._key.sign(_signed_bytes(size, root, time, key_id))
        return Checkpoint(size=size, root=root, time=time, key_id=key_id, signature=signature)
