"""The records of a log and their hash chain: what is stored, what is read, what ``verify`` finds.

A record is stored as a :class:`StoredRecord`: its envelope (position, stream, version,
``recorded_at`` as canonical text), the event's canonical bytes, and its hash. The hash is
SHA-256 over the previous record's hash (:data:`GENESIS` before the first) and this record's
canonical bytes: ``[position, stream, version, recorded_at]`` as JSON, a newline, then the
event's bytes (:func:`chain_hash`). Changing, removing or reordering any stored record breaks
the chain from there on, and :func:`verify_chain` names the first position where it breaks.

A record read back and decoded is a :class:`Recorded`: the same envelope with the event
itself and ``recorded_at`` as an instant.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import NamedTuple

import attrs
import orjson
from pendulum import DateTime

from timeline.errors import CorruptLog
from timeline.events import Event
from timeline.time import parse_utc

__all__ = [
    "GENESIS",
    "RawRecord",
    "Recorded",
    "StoredRecord",
    "VerifyReport",
    "chain_hash",
    "changed_record",
    "check_gapless",
    "missing_record",
    "stored_recorded_at",
    "verify_chain",
]

#: The hash that the first record chains from.
GENESIS = "0" * 64


def chain_hash(  # noqa: PLR0917  # one argument per hashed column, on the hot path
    previous: str, position: int, stream: str, version: int, recorded_at: str, payload: bytes
) -> str:
    """The SHA-256 (hex) of one record, chained to the previous record's hash."""
    digest = _sha256(
        previous.encode() + _dumps([position, stream, version, recorded_at], option=_NL)
    )
    digest.update(payload)
    return digest.hexdigest()


_sha256 = hashlib.sha256
_dumps = orjson.dumps
_NL = orjson.OPT_APPEND_NEWLINE  # the header, then a newline


def changed_record(position: int) -> CorruptLog:
    """The error for a record whose stored bytes, chained to the record before, miss its hash."""
    return CorruptLog(
        f"record at position {position} was changed: its stored bytes do not give its "
        "stored hash, chained to the record before it (verify() checks the whole log)",
        position=position,
        reason="hash mismatch: the record was changed behind the log's back",
    )


def missing_record(position: int) -> CorruptLog:
    """The error for a position the storage holds no record at, though it holds later ones."""
    return CorruptLog(
        f"missing record at position {position}: the log holds records after it but not it",
        position=position,
        reason="missing record",
    )


def stored_recorded_at(text: str | None, *, position: int, where: str) -> DateTime:
    """A ``recorded_at`` read back from storage, as an instant (for backends).

    Args:
        text: the stored text (a damaged row may hold another kind of value); ``None``
            where the storage holds no record at ``position``.
        position: the record's position, for the error.
        where: the log as messages name it (``"SQLite log 'x.db'"``).

    Raises:
        CorruptLog: naming the log and the position, for a missing record or text that is
            not an aware ISO-8601 time.

    >>> stored_recorded_at("2025-06-02T08:00:00.000000+00:00", position=1, where="log")
    DateTime(2025, 6, 2, 8, 0, 0, tzinfo=Timezone('UTC'))
    >>> stored_recorded_at("noon", position=3, where="SQLite log 'x.db'")
    Traceback (most recent call last):
    ...
    timeline.errors.CorruptLog: SQLite log 'x.db': recorded_at 'noon' at position 3 is not a time
    """
    if text is None:
        raise CorruptLog(
            f"{where} has no record at position {position}",
            position=position,
            reason="missing record",
        )
    try:
        return parse_utc(text, field="recorded_at")
    except (TypeError, ValueError) as e:
        raise CorruptLog(
            f"{where}: recorded_at {text!r} at position {position} is not a time",
            position=position,
            reason=f"bad recorded_at: {e}",
        ) from e


@attrs.frozen
class Recorded:
    """One entry of the log: an event as the log recorded it.

    Attributes:
        position: global, gap-free, 1-based.
        stream: the stream it was appended to.
        version: its number within the stream, from 1.
        recorded_at: transaction time: when the log recorded it (from the log's clock).
        event: the event itself.
        hash: the hex SHA-256 chaining this record to the one before.
    """

    position: int
    stream: str
    version: int
    recorded_at: DateTime
    event: Event
    hash: str


class StoredRecord(NamedTuple):
    """A record as stored: what a backend's ``insert`` receives and its ``raw`` gives back.

    The envelope and the bytes the hash covers, exactly: store ``recorded_at`` and
    ``payload`` as given, and :meth:`~timeline.log.EventLog.verify` recomputes every hash
    from them. ``event_id``, ``type`` and ``occurred_at`` are the event's keys as its payload
    spells them, for a backend's index columns; a backend that keeps none returns them as
    ``None`` from ``raw``, and one that keeps them returns them so that ``verify`` checks
    they agree with the payload. ``entry`` is the :class:`Recorded` entry ``append`` returns
    for the record, given on ``insert`` (a store of objects keeps it, and reads need not
    decode; a store of bytes ignores it), ``None`` when read back raw.

    A named tuple rather than an attrs class: one is made per record on every append, and
    its first nine fields are the row a SQL backend inserts.
    """

    position: int
    stream: str
    version: int
    recorded_at: str
    payload: bytes
    hash: str
    event_id: str | None = None
    type: str | None = None
    occurred_at: str | None = None
    entry: Recorded | None = None


#: The name of :class:`StoredRecord` before the storage protocol was public.
RawRecord = StoredRecord


@attrs.frozen
class VerifyReport:
    """What :meth:`~timeline.log.EventLog.verify` found.

    Attributes:
        ok: whether every record is intact and the chain unbroken.
        checked: how many records were found intact (the intact prefix).
        position: the first bad position, or ``None`` when ``ok``.
        reason: what is wrong there, or ``None`` when ``ok``.
    """

    ok: bool
    checked: int
    position: int | None = None
    reason: str | None = None

    def __bool__(self) -> bool:
        return self.ok


def verify_chain(stored: Iterable[StoredRecord]) -> VerifyReport:
    """Walk stored records in position order and report the first that is not intact.

    Detects truncation (a record cut short or missing at the end of a file), a changed
    byte, a removed, inserted or reordered record. ``stored`` may raise
    :class:`~timeline.errors.CorruptLog` where the storage itself is damaged: that position
    is reported.
    """
    previous = GENESIS
    expected = 1
    versions: dict[str, int] = {}
    try:
        for record in stored:
            reason = _damage(record, expected, previous, versions)
            if reason is not None:
                return VerifyReport(
                    ok=False, checked=expected - 1, position=expected, reason=reason
                )
            previous = record.hash
            versions[record.stream] = record.version
            expected += 1
    except CorruptLog as e:
        return VerifyReport(ok=False, checked=expected - 1, position=e.position, reason=e.reason)
    return VerifyReport(ok=True, checked=expected - 1)


def _damage(  # noqa: PLR0911  # one return per kind of damage
    raw: StoredRecord, expected: int, previous: str, versions: dict[str, int]
) -> str | None:
    """What is wrong with the record expected at a position, or ``None``."""
    if raw.position != expected:
        return f"position {raw.position} found where {expected} was expected (missing or reordered record)"
    if not (
        type(raw.stream) is str
        and type(raw.version) is int
        and type(raw.recorded_at) is str
        and type(raw.hash) is str
    ):  # a damaged row: a column holding a value of another kind
        return (
            f"stored columns of the wrong kind: stream {raw.stream!r}, version "
            f"{raw.version!r}, recorded_at {raw.recorded_at!r}, hash {raw.hash!r}"
        )
    if (
        chain_hash(previous, raw.position, raw.stream, raw.version, raw.recorded_at, raw.payload)
        != raw.hash
    ):
        return "hash mismatch: the record or one before it was changed"
    if raw.version != versions.get(raw.stream, 0) + 1:
        return f"stream {raw.stream!r} version {raw.version} does not follow {versions.get(raw.stream, 0)}"
    if raw.event_id is not None or raw.type is not None or raw.occurred_at is not None:
        try:
            body = orjson.loads(raw.payload)
        except orjson.JSONDecodeError:
            return "payload is not JSON"
        for column, key in (
            (raw.event_id, "event_id"),
            (raw.type, "type"),
            (raw.occurred_at, "occurred_at"),
        ):
            if column is not None and body.get(key) != column:
                return f"stored {key} {column!r} does not match the payload's {body.get(key)!r}"
    return None


def check_gapless(
    counted: int,
    summary: tuple[int, int | None],
    positions: Callable[[], Iterable[tuple[int]]],
    where: str,
) -> int:
    """Check, under the write lock, that no record is missing after position ``counted``.

    For backends that can count their rows cheaply. Positions are gap-free, so the rows after
    ``counted`` (``summary``: how many, and the last position) must number exactly the last
    position minus ``counted``; otherwise ``positions()`` (theirs, in order) names the first
    one missing. Counting from 0 reads the whole primary key (a few milliseconds for a
    million rows), so a log counts everything once, at its first append, and from then on
    only the rows after the last position it counted: a row deleted behind its back below
    that is found by the next log that opens the storage, by ``verify()`` and by any read
    that passes it. Returns the last position.

    Raises:
        CorruptLog: naming the first missing position.
    """
    count, last = summary
    last = counted if last is None else int(last)
    if count == last - counted:
        return last
    expected = counted + 1
    for (position,) in positions():
        if position != expected:
            break
        expected += 1
    raise CorruptLog(
        f"{where} has no record at position {expected}, though it holds later ones: "
        "a row was deleted behind its back; nothing is written on top of it",
        position=expected,
        reason="missing record",
    )
