"""``salvage``: copy the intact prefix of a damaged log into a new one, and say what was left.

A damaged log is never repaired in place. ``salvage`` reads *everything* the source stores,
in order, and always finishes:

- the **prefix**: records 1, 2, ... as long as each is intact (its hash chains from the one
  before, its version follows its stream's), decodes to an event its type accepts, and
  re-encodes to the bytes stored. They are copied into an empty log of any backend keeping
  every record's position, stream, version, ``recorded_at`` and hash, so the copy's chain is
  the source's, up to where it breaks;
- **after the damage**, each record whose hash still follows from the stored record before
  it, and that decodes, is *kept*: written, with ``quarantine=FILE``, as one JSON line in the
  format of a :class:`~timeline.log.JsonlLog` line (envelope, hash, the stored event bytes);
- everything else is **skipped**, each with its position and the reason.

The :class:`SalvageReport` counts them: ``copied + kept_after + len(skipped)`` is every record
read from the storage. The source is only read. A SQLite file that SQLite refuses (cut at a
random byte, a damaged page) is read page by page (:func:`salvage_file`, and :func:`salvage`
once SQLite stops part-way): whatever rows the surviving pages hold are checked as above, and
when none can be read, the report's notes say so plainly.

>>> import pendulum
>>> from timeline.events import Statement
>>> from timeline.log.memory import MemoryLog
>>> source, target = MemoryLog(), MemoryLog()
>>> _ = source.append([Statement(occurred_at=pendulum.datetime(2025, 6, 2), speaker="A",
...                              text="x")], stream="s")
>>> report = salvage(source, target)
>>> report.copied, report.first_bad, report.left_behind, target.head().hash == report.head
(1, None, 0, True)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Final

import attrs
import orjson

from timeline._files import new_file
from timeline.errors import InvalidArgument, TimelineError
from timeline.log._salvage_sources import Found, jsonl_items, log_items, sqlite_file_items
from timeline.log.base import GENESIS, EventLog, Recorded, StoredRecord, chain_hash
from timeline.log.records import _damage
from timeline.time import isoformat, parse_utc

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from timeline.codec import Codec

__all__ = ["SalvageReport", "Skipped", "salvage", "salvage_file"]

_BATCH: Final = 1000  # records per append into the target, at most
_WINDOW: Final = 4096  # hashes of the latest records kept to check the links after damage
_SQLITE_MAGIC: Final = b"SQLite format 3\x00"


@attrs.frozen
class Skipped:
    """A stored record that ``salvage`` neither copied nor kept.

    Attributes:
        position: the position it holds (or, when it cannot be read as a record at all, the
            line or position it stands at).
        reason: why it was skipped.
    """

    position: int
    reason: str


@attrs.frozen
class SalvageReport:
    """What :func:`salvage` copied, kept and skipped.

    Attributes:
        copied: how many records were copied: positions 1 to ``copied``.
        head: the hash of the last record copied (the same in source and copy), or ``None``.
        first_bad: the first position not copied, because it is damaged, missing, cannot be
            decoded or copied with its hash, or ``None`` when the whole source was copied.
        reason: what is wrong at ``first_bad``, or ``None``.
        left_behind: how many stored records were read from ``first_bad`` on:
            ``kept_after + len(skipped)``.
        kept_after: how many of those are intact (their hash follows from the stored record
            before them, and they decode); written to ``quarantine`` when one was named.
        quarantine: the file they were written to, or ``None``.
        skipped: the others, each with its position and reason, in storage order.
        notes: what the salvage could not read of the storage, and how it read it (a SQLite
            file read page by page: how many pages, and whether any record could be).
    """

    copied: int
    head: str | None = None
    first_bad: int | None = None
    reason: str | None = None
    left_behind: int = 0
    kept_after: int = 0
    quarantine: str | None = None
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """Whether the whole source was intact and copied."""
        return self.first_bad is None


def salvage(
    source: EventLog,
    target: EventLog,
    *,
    quarantine: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> SalvageReport:
    """Copy the intact prefix of ``source`` into ``target``; keep and report the rest.

    Records are appended in position order, each run that shares a stream and a
    ``recorded_at`` as one append at that ``recorded_at``, so the copy's positions, versions
    and hashes equal the source's. Every stored record is read, also past the damage, and
    the call returns a report rather than raising for anything it finds in the source.

    Args:
        source: the (possibly damaged) log to read. It is never written. Its codec decodes.
        target: an empty log to copy into.
        quarantine: a new file to write the intact records after the damage to, as JSON
            lines (see the module). It must not exist yet.
        progress: called with (records read, records stored) as it goes.

    Returns:
        What was copied, kept and skipped.

    Raises:
        InvalidArgument: if ``target`` is not empty or is ``source`` itself, or the
            quarantine file exists already.
        TimelineError: if ``target`` cannot be written at all (its storage).
    """
    if target is source:
        raise InvalidArgument(
            "salvage needs a target other than its source", argument="target", value=target
        )
    notes: list[str] = []
    return _run(
        log_items(source, notes.append),
        source.codec,
        target,
        quarantine,
        progress,
        _count(source),
        notes,
    )


def salvage_file(
    path: str | os.PathLike[str],
    target: EventLog,
    *,
    codec: Codec | None = None,
    quarantine: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> SalvageReport:
    """:func:`salvage` from a log's file that need not open as a log.

    A JSON-lines file is read line by line; a SQLite file page by page, without SQLite
    (which refuses a file cut short): its write-ahead log beside it is read too. Use it
    when :func:`timeline.open_log` refuses the file.

    Args:
        path: a ``.jsonl`` file, or a SQLite file.
        target: an empty log to copy into.
        codec: decodes the events; by default the target's.
        quarantine: as for :func:`salvage`.
        progress: as for :func:`salvage`.

    Raises:
        InvalidArgument: for a file that is neither, a target that is not empty, or a
            quarantine file that exists already.
        TimelineError: if the file cannot be read, or ``target`` cannot be written.
    """
    file = Path(path)
    try:
        with file.open("rb") as stream:
            head = stream.read(len(_SQLITE_MAGIC))
    except OSError as e:
        raise TimelineError(f"cannot read {str(file)!r}: {e.strerror or e}") from e
    notes: list[str] = []
    items: Iterable[Found]
    if file.suffix.lower() == ".jsonl" and head != _SQLITE_MAGIC:
        items = jsonl_items(file)
    elif head == _SQLITE_MAGIC or file.suffix.lower() in {".db", ".sqlite", ".sqlite3"}:
        items = sqlite_file_items(file, notes.append)
    else:
        raise InvalidArgument(
            f"{str(file)!r} is neither a JSON-lines log (.jsonl) nor a SQLite file",
            argument="path",
            value=str(file),
        )
    return _run(items, codec or target.codec, target, quarantine, progress, 0, notes)


def _run(  # noqa: PLR0917  # the salvage's parts, once, for both entry points
    items: Iterable[Found],
    codec: Codec,
    target: EventLog,
    quarantine: str | os.PathLike[str] | None,
    progress: Callable[[int, int], object] | None,
    total: int,
    notes: list[str],
) -> SalvageReport:
    if len(target):
        raise InvalidArgument(
            f"the target already holds {len(target)} records; salvage needs an empty log",
            argument="target",
            value=target,
        )
    out = _open_quarantine(quarantine)
    try:
        walk = _Walk(codec, _Copier(target), out)
        for read, found in enumerate(items, 1):
            walk.take(found)
            if progress is not None and read % _BATCH == 0:
                progress(read, max(total, read))
        walk.finish()
        if progress is not None:
            progress(walk.read, max(total, walk.read))
    finally:
        if out is not None:
            out.close()
    copier = walk.copier
    return SalvageReport(
        copied=copier.copied,
        head=copier.head,
        first_bad=walk.first_bad,
        reason=walk.reason,
        left_behind=walk.kept_after + len(walk.skipped),
        kept_after=walk.kept_after,
        quarantine=None if quarantine is None else os.fspath(quarantine),
        skipped=tuple(walk.skipped),
        notes=tuple(notes),
    )


def _open_quarantine(path: str | os.PathLike[str] | None) -> BinaryIO | None:
    if path is None:
        return None
    refusal = f"the quarantine file {os.fspath(path)!r} exists already; name a new file"
    try:
        return new_file(path, argument="quarantine", refusal=refusal)
    except OSError as e:
        raise TimelineError(
            f"cannot create the quarantine file {os.fspath(path)!r}: {e.strerror or e}"
        ) from e


def _count(source: EventLog) -> int:
    """How many records ``source`` says it holds (for progress only), or 0."""
    try:
        return len(source)
    except (TimelineError, OSError):
        return 0


class _Refused(Exception):  # a signal between the copier and the walk
    """The target refused a record: it and those queued after it were not copied."""

    def __init__(self, rest: list[StoredRecord], error: TimelineError) -> None:
        super().__init__(str(error))
        self.rest, self.error = rest, error


class _Walk:
    """Takes every stored record in order: copies the prefix, keeps or skips the rest."""

    def __init__(self, codec: Codec, copier: _Copier, out: BinaryIO | None) -> None:
        self.codec, self.copier, self.out = codec, copier, out
        self.previous = GENESIS
        self.expected = 1
        self.versions: dict[str, int] = {}
        self.first_bad: int | None = None
        self.reason: str | None = None
        self.recent: dict[int, str] = {0: GENESIS}  # position -> stored hash, the latest
        self.kept_after = 0
        self.skipped: list[Skipped] = []
        self.read = 0

    def take(self, found: Found) -> None:
        """Copy, keep or skip one stored record."""
        self.read += 1
        position, record, problem = found
        if self.first_bad is None:
            problem = problem or self._copy(record)
            if problem is None:
                return
            self.finish()  # the prefix ends here, or where the target refuses a record
            if self.first_bad is None:
                self.first_bad, self.reason = self.expected, problem
        self._after(position, record, problem)

    def finish(self) -> None:
        """Append what is queued; a refusal ends the prefix there."""
        try:
            self.copier.flush()
        except _Refused as refused:
            self._refused(refused)

    def _copy(self, record: StoredRecord | None) -> str | None:
        """Copy the record expected next, or say why it cannot be copied."""
        assert record is not None  # noqa: S101  # a found item without a record has a problem
        problem = _damage(record, self.expected, self.previous, self.versions)
        if problem is not None:
            return problem
        decoded = self._decode(record)
        if isinstance(decoded, str):
            return decoded
        stamp = isoformat(decoded.recorded_at)
        payload = self.codec.encode(decoded.event)
        again = chain_hash(
            self.previous, record.position, record.stream, record.version, stamp, payload
        )
        if again != record.hash:
            return (
                "the event re-encodes to other bytes than those stored (is it stored in an "
                "older version of its type?): copying it would change its hash"
            )
        self._remember(record)
        self.previous = record.hash
        self.expected += 1
        self.versions[record.stream] = record.version
        try:
            self.copier.add(decoded, record)
        except _Refused as refused:  # by the run before this record: the prefix ended there
            self._refused(refused)
            self._keep(record)
        return None

    def _refused(self, refused: _Refused) -> None:
        """End the prefix at a record the target refused; the rest of its run is kept."""
        first = refused.rest[0]
        self.first_bad, self.reason = first.position, f"the target refused it: {refused.error}"
        for record in refused.rest:
            self._keep(record)

    def _after(self, position: int, record: StoredRecord | None, problem: str | None) -> None:
        """Keep an intact record after the damage, or skip it with the reason."""
        if record is not None:
            problem = self._link_problem(record) or problem
            self._remember(record)
        if problem is None and record is not None:
            decoded = self._decode(record)
            if isinstance(decoded, str):
                problem = decoded
        if problem is not None or record is None:
            self.skipped.append(Skipped(position, problem or "unreadable"))
            return
        self._keep(record)

    def _link_problem(self, record: StoredRecord) -> str | None:
        """Why a record after the damage is not intact by itself, or ``None``.

        Its own hash must follow from the stored hash of the record at the position before
        it (whatever is wrong with that one); versions and order cannot be judged past a
        damage, so they are left out.
        """
        if type(record.position) is not int:
            return "a position that is not a number"
        before = self.recent.get(record.position - 1)
        if before is None:
            return f"cannot be checked: no record at position {record.position - 1} was read"
        return _damage(record, record.position, before, {record.stream: record.version - 1})

    def _remember(self, record: StoredRecord) -> None:
        if type(record.position) is int and type(record.hash) is str:
            self.recent[record.position] = record.hash
            if len(self.recent) > _WINDOW:
                del self.recent[next(iter(self.recent))]

    def _decode(self, record: StoredRecord) -> Recorded | str:
        """The record decoded with every check of its event type, or why it cannot be."""
        try:
            at = parse_utc(record.recorded_at, field="recorded_at")
            event = self.codec.decode(record.payload)
        except (TimelineError, ValueError, TypeError) as e:
            text = str(e).split("; this codec knows")[0]
            return f"cannot be decoded: {text}"
        return Recorded(record.position, record.stream, record.version, at, event, record.hash)

    def _keep(self, record: StoredRecord) -> None:
        self.kept_after += 1
        if self.out is not None:
            self.out.write(_line(record))


def _line(record: StoredRecord) -> bytes:
    """A record as a line of a JSON-lines log, without a commit marker."""
    return (
        orjson.dumps(
            {
                "position": record.position,
                "stream": record.stream,
                "version": record.version,
                "recorded_at": record.recorded_at,
                "hash": record.hash,
                "event": orjson.Fragment(record.payload),  # the stored bytes, as they are
            }
        )
        + b"\n"
    )


class _Copier:
    """Appends checked records to the target in runs, and checks what the target wrote."""

    def __init__(self, target: EventLog) -> None:
        self.target = target
        self.copied = 0
        self.head: str | None = None
        self.batch: list[tuple[Recorded, StoredRecord]] = []

    def add(self, decoded: Recorded, stored: StoredRecord) -> None:
        """Queue a checked record; append the queue when the run ends.

        Raises:
            _Refused: when the target refuses a record of the run that ended.
        """
        first = self.batch[0][0] if self.batch else None
        if first is not None and (
            decoded.stream != first.stream
            or decoded.recorded_at != first.recorded_at
            or len(self.batch) >= _BATCH
        ):
            self.flush()
        self.batch.append((decoded, stored))

    def flush(self) -> None:
        """Append the queued run at its ``recorded_at``, one record at a time if refused.

        Raises:
            _Refused: naming the record the target refused, and those queued after it.
            TimelineError: when the target writes a record otherwise than the source holds
                it (a target that is not empty, or not a log of ours).
        """
        batch, self.batch = self.batch, []
        if not batch:
            return
        try:
            written = self._write(batch)
        except TimelineError:
            written = []
            for i in range(len(batch)):  # the run was refused whole: find the record
                try:
                    written += self._write(batch[i : i + 1])
                except TimelineError as e:
                    self._check(batch[:i], written)
                    raise _Refused([s for _, s in batch[i:]], e) from e
        self._check(batch, written)

    def _write(self, batch: list[tuple[Recorded, StoredRecord]]) -> list[Recorded]:
        first = batch[0][0]
        return self.target.append(
            [r.event for r, _ in batch],
            stream=first.stream,
            expected_version=first.version - 1,
            recorded_at=first.recorded_at,
        )

    def _check(self, batch: list[tuple[Recorded, StoredRecord]], written: list[Recorded]) -> None:
        for (old, _), new in zip(batch, written, strict=True):
            if (old.position, old.version, old.hash) != (new.position, new.version, new.hash):
                raise TimelineError(
                    f"position {old.position}: the target recorded it as position "
                    f"{new.position}, hash {new.hash[:16]}, not as the source's "
                    f"{old.hash[:16]}; salvage stopped"
                )
        self.copied += len(batch)
        if batch:
            self.head = batch[-1][0].hash
