"""The commands that make and check what a third party can verify: checkpoints, proofs, keys."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

from timeline.cli._base import (
    OK,
    Args,
    CommandError,
    command_log,
    log_url,
    opened,
    out,
    plural,
    summary,
    warn,
)
from timeline.integrity import (
    Checkpoint,
    SigningKey,
    default_key_dir,
    load_public_key,
    verify_signature,
)

__all__ = ["checkpoint_to_check", "cmd_checkpoint", "cmd_key", "cmd_prove", "extends"]


def _signing_key(args: Args) -> SigningKey:
    """``--key FILE``, else the default key (made on first use, and said so)."""
    if args.key is not None:
        return SigningKey.load(args.key)
    existed = (default_key_dir() / "default.pem").exists()
    key = SigningKey.default()
    if not existed:
        warn(f"made a new signing key in {default_key_dir() / 'default.pem'} (keep it safe)")
    return key


def _write(text: str, target: str | None) -> None:
    """``text`` on stdout, or into the file ``target``."""
    if target is None or target == "-":
        out(text)
        return
    Path(target).write_text(text + "\n", encoding="utf-8")


def cmd_checkpoint(args: Args) -> int:
    """Sign a checkpoint of the log as it is, and print it (or write it) as JSON."""
    key = _signing_key(args)
    with opened(args.target or log_url(args)) as log:
        checkpoint = log.checkpoint(key)
    _write(checkpoint.to_json(), args.output)
    if args.output not in {None, "-"}:
        summary(f"checkpoint of {plural(checkpoint.size, 'record')} written to {args.output}")
    return OK


def cmd_prove(args: Args) -> int:
    """Print the proof (JSON) that a record is among the log's first SIZE records."""
    ref = args.event
    with command_log(args) as log:
        record = ref.event_id if ref.event_id is not None else ref.resolve(log).position
        proof = log.prove_inclusion(record, args.size)
    _write(proof.to_json(), args.output)
    return OK


def cmd_key(args: Args) -> int:
    """``key export``: print the public half of the signing key (PEM), to publish."""
    sys.stdout.write(_signing_key(args).public_pem())
    return OK


def _read_checkpoint(path: str) -> Checkpoint:
    try:
        text = Path(path).read_bytes()
    except OSError as e:
        raise CommandError(f"cannot read the checkpoint {path}: {e.strerror or e}") from e
    return Checkpoint.from_json(text, path=path)


def _signature_checked(checkpoint: Checkpoint, public_key: str | None) -> bool:
    """Whether the checkpoint's signature verifies (or could not be checked: a warning).

    With ``--public-key``; else with the default key, if it is the one that signed.
    """
    if public_key is not None:
        try:
            pem = Path(public_key).read_bytes()
        except OSError as e:
            raise CommandError(f"cannot read the public key {public_key}: {e.strerror or e}") from e
        return verify_signature(checkpoint, load_public_key(pem))
    own = default_key_dir() / "default.pem"
    key = SigningKey.load(own) if own.exists() else None
    if key is None or key.key_id != checkpoint.key_id:
        warn(
            f"signature not checked: no public key for key id {checkpoint.key_id[:16]} "
            "(give the publisher's with --public-key)"
        )
        return True
    return verify_signature(checkpoint, key.public_key)


def checkpoint_to_check(args: Args) -> Checkpoint | Literal[False] | None:
    """The checkpoint ``verify --against FILE`` checks the log against (``None``: none given).

    ``False``, said on stdout, when its signature does not verify.
    """
    if args.against is None:
        return None
    checkpoint = _read_checkpoint(args.against)
    if not _signature_checked(checkpoint, args.public_key):
        out(f"the checkpoint's signature does not verify (key id {checkpoint.key_id[:16]})")
        return False
    return checkpoint


def extends(checkpoint: Checkpoint | None) -> str:
    """What ``verify`` adds to its ``ok`` line for a checkpoint."""
    if checkpoint is None:
        return ""
    return (
        f"; extends the checkpoint of {plural(checkpoint.size, 'record')} "
        f"(root {checkpoint.root.hex()[:16]})"
    )
