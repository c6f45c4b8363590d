"""``JsonlLog``: an event log in one append-only JSON-lines file, diffable and git-friendly.

Each record is one line, a JSON object with the record's envelope and, under ``"event"``,
the event's canonical bytes exactly as the codec wrote them::

    {"position":1,"stream":"talks/istanbul","version":1,"recorded_at":"2025-06-02T08:00:00.000000+00:00","hash":"…","event":{…},"commit":true}

The last line of every append carries ``"commit": true``. An append is written with one
``write`` of all its lines, then fsynced, while holding an exclusive ``flock`` on the file,
so a crash can only leave a *tail* that is cut short: a last line without its newline, or
lines without a commit marker after them. Readers take a shared ``flock`` while they index
new lines, so they never mistake another process's append in progress for such a tail.

Damage is reported, never repaired or skipped: the file is only ever written by
:meth:`~timeline.log.EventLog.append`, which refuses to write after damage. Opening a
damaged file still works, so that everything before the damage can be read and checked:
``read()`` yields every record before the first bad position and then raises
:class:`~timeline.errors.CorruptLog` naming it, and ``verify()`` reports it.

A log object stays with the file it opened, and refuses to go on once its path names another
file: when the file is replaced by a rename (a ``git checkout``, an editor saving a copy, a
``mv``) or deleted, an append would go to a file no reader of the path will ever open, and
what the object has indexed is no longer what the path holds. So every append checks,
under the exclusive ``flock``, that the path still names the open file (its device and
inode), and checks again after the write (a rename in between is not stopped by ``flock``:
the write is then cut off again and refused); every read checks before it starts. Either
raises :class:`~timeline.errors.LogReplaced`: close the log and open the path again. (Why it
refuses rather than following the path: ``docs/decisions.md``.)

On opening, the file is read once to build an index in memory: where each line starts,
each event id's position, each stream's version, and each record's stream, type and
``occurred_at`` (so filters and ``order="occurred"`` touch only the lines they yield).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Unpack

import orjson
from pendulum import DateTime

from timeline.errors import CorruptLog, LogReplaced, TimelineError
from timeline.log.base import EventLog, LogOptions
from timeline.log.query import Query
from timeline.log.records import GENESIS, Recorded, StoredRecord, stored_recorded_at
from timeline.log.sqlite_snapshots import SQLiteSnapshotStore

if TYPE_CHECKING:
    import uuid
    from collections.abc import Collection, Iterable, Iterator, Sequence


__all__ = ["JsonlLog"]

#: What the index keeps of a line: where it ends, position, stream, version, recorded_at,
#: hash, and the event's id, type and occurred_at (as text).
_Entry = tuple[int, int, str, int, str, str, str, str, str]

_CHUNK_BYTES: Final = 1 << 20  # read consecutive lines in slices of about this size
_CHUNK_LINES: Final = 1000  # and at most this many lines at a time


class JsonlLog(EventLog):
    """An event log in one append-only JSON-lines file.

    Several ``JsonlLog`` objects or processes may share one file: appends are serialised by
    an exclusive ``flock``, and each object indexes the lines others appended before it
    writes, reads or counts. The file must be on a local file system (``flock`` is not
    reliable over NFS).

    Args:
        path: the file; created (empty) if it does not exist.
        **options: the options every log takes, ``codec``, ``clock`` and ``guards``
            (see :class:`~timeline.log.LogOptions`).
        fsync: flush every append to the disk before returning (``True``, the default,
            so that an acknowledged append survives a power cut); ``False`` is faster and
            only risks the last appends, which then show as a damaged tail.

    Raises:
        OSError: if the file cannot be opened or created.

    Every method that reads or appends raises :class:`~timeline.errors.LogReplaced` once the
    path no longer names the file that was opened (replaced by a rename, or deleted).

    >>> import pathlib, tempfile, pendulum, timeline as tl
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "istanbul.jsonl"
    >>> log = JsonlLog(path, clock=tl.FixedClock(pendulum.datetime(2025, 6, 2)))
    >>> ev = tl.Statement(occurred_at=pendulum.datetime(2025, 6, 2), speaker="Hakan Fidan",
    ...                   text="Welcome to Istanbul.")
    >>> [r.position for r in log.append([ev], stream="talks/istanbul")]
    [1]
    >>> path.read_text().split(",")[:2]
    ['{"position":1', '"stream":"talks/istanbul"']
    >>> log.verify().ok
    True
    >>> log.close()
    """

    def __init__(
        self, path: str | Path, *, fsync: bool = True, **options: Unpack[LogOptions]
    ) -> None:
        super().__init__(**options)
        self.path = os.fspath(path)
        self.fsync = bool(fsync)
        self._lock = threading.RLock()
        self._exclusive = False  # whether this object holds the exclusive flock
        self._reset()
        existed = Path(self.path).exists()
        self.writable = True
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        except PermissionError:
            fd = os.open(self.path, os.O_RDONLY)  # a read-only file can still be read
            self.writable = False
        self._fd: int | None = fd
        stat = os.fstat(fd)
        self._identity = (stat.st_dev, stat.st_ino)  # the file the path named when opened
        try:
            if not existed and self.fsync:
                _fsync_directory(self.path)
            self._refresh()
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        return f"JsonlLog({self.path!r})"

    # -- the index ----------------------------------------------------------------------------

    def _reset(self) -> None:
        """Forget the index (the file is read again from its start)."""
        self._offsets: list[int] = [0]  # line p starts at [p - 1]; [-1] ends the last
        self._streams_of: list[str] = []
        self._types_of: list[str] = []
        self._occurred: list[str] = []
        self._by_id: dict[str, int] = {}
        self._versions: dict[str, int] = {}
        self._names: dict[str, str] = {}  # one copy of each stream and type name
        self._tail_hash = GENESIS
        self._tail_recorded: str | None = None
        self._damage: tuple[int, str] | None = None  # first bad position, and why
        self._seen_size = 0  # the file's size when it was last indexed

    def _descriptor(self) -> int:
        if self._fd is None:
            raise TimelineError(f"JSON-lines log {self.path!r} is closed")
        return self._fd

    def _check_path(self) -> None:
        """Raise :class:`~timeline.errors.LogReplaced` unless the path still names our file."""
        try:
            stat = Path(self.path).stat()
        except FileNotFoundError:
            reason, what = "deleted", "was deleted"
        else:
            if (stat.st_dev, stat.st_ino) == self._identity:
                return
            reason, what = "replaced", "now names another file (replaced by a rename)"
        raise LogReplaced(
            f"JSON-lines log {self.path!r} {what} since this log object opened it: "
            "nothing is read or written through it any more; close it and open the path again",
            path=self.path,
            reason=reason,
        )

    def _refresh(self) -> None:
        """Index the lines other writers appended since we last looked."""
        with self._lock:
            fd = self._descriptor()
            self._check_path()
            if self._exclusive or os.fstat(fd).st_size == self._seen_size:
                return  # already caught up (under our own write lock, or nothing new)
            fcntl.flock(fd, fcntl.LOCK_SH)
            try:
                self._catch_up(fd)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def _catch_up(self, fd: int) -> None:
        """Bring the index up to the file's end (the caller holds a ``flock``)."""
        size = os.fstat(fd).st_size
        if size < self._seen_size:  # cut short or replaced behind our back: start over
            self._reset()
        if size > self._seen_size and self._damage is None:
            self._scan(fd, self._offsets[-1])
        self._seen_size = size

    def _scan(self, fd: int, start: int) -> None:
        """Index the lines from byte ``start``; stop at the first damage and record it."""
        pending: list[_Entry] = []  # the lines of an append, until its commit marker
        position = len(self._offsets)
        offset = start
        with os.fdopen(os.dup(fd), "rb") as file:
            file.seek(start)
            for line in file:
                record, problem = _check_line(line, position)
                if record is None:
                    at_end = not file.read(1)
                    break
                offset += len(line)
                event = record["event"]
                pending.append(
                    (
                        offset,
                        position,
                        record["stream"],
                        record["version"],
                        record["recorded_at"],
                        record["hash"],
                        event["event_id"],
                        event["type"],
                        event["occurred_at"],
                    )
                )
                if "commit" in record:
                    self._index(pending)
                    pending = []
                position += 1
            else:
                problem, at_end = None, True
        if problem is not None and not at_end:
            # Damage in the middle of the file: the lines before it are intact, even those
            # whose append's commit marker lies beyond it.
            self._index(pending)
            self._damage = (position, problem)
        elif pending or problem is not None:
            # A cut-short tail: the append that was being written when it stopped never
            # happened, so it is reported from its first line.
            first = len(self._offsets)
            if pending:
                reason = (
                    f"positions {first}-{position - 1 if problem is None else position} are an "
                    "incomplete append (no commit marker): the write was interrupted"
                )
                if problem is not None:
                    reason += f"; then {problem}"
            else:
                reason = str(problem)
            self._damage = (first, reason)

    def _index(self, entries: Sequence[_Entry]) -> None:
        """Add the lines of complete appends to the index."""
        name = self._names.setdefault
        for (
            end,
            position,
            stream,
            version,
            recorded_at,
            hash_,
            event_id,
            type_,
            occurred,
        ) in entries:
            self._offsets.append(end)
            self._streams_of.append(name(stream, stream))
            self._types_of.append(name(type_, type_))
            self._occurred.append(occurred)
            self._by_id[event_id] = position
            self._versions[stream] = version
            self._tail_hash = hash_
            self._tail_recorded = recorded_at

    def _corrupt(self) -> CorruptLog:
        assert self._damage is not None  # noqa: S101  # callers check it first
        position, reason = self._damage
        return CorruptLog(
            f"JSON-lines log {self.path!r} is damaged at position {position}: {reason}",
            position=position,
            reason=reason,
        )

    def close(self) -> None:
        """Close the file. Idempotent; the log cannot be used afterwards."""
        with self._lock:
            fd, self._fd = self._fd, None
            if fd is not None:
                os.close(fd)

    # -- the primitives ----------------------------------------------------------------------

    def __len__(self) -> int:
        self._refresh()
        return len(self._offsets) - 1

    def streams(self) -> dict[str, int]:
        """Every stream and its current version."""
        self._refresh()
        return dict(self._versions)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the exclusive ``flock`` for one append, caught up with the file's end.

        Raises:
            TimelineError: if the file was opened read-only.
            LogReplaced: if the path no longer names the file this object opened.
            CorruptLog: if the file is damaged: nothing is written after damage.
        """
        with self._lock:
            fd = self._descriptor()
            if not self.writable:
                raise TimelineError(f"JSON-lines log {self.path!r} was opened read-only")
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._exclusive = True
            try:
                # Under the lock: another writer that replaced the file did so before we
                # got it, and one that replaces it from here on is caught after our write.
                self._check_path()
                self._catch_up(fd)
                if self._damage is not None:
                    raise self._corrupt()
                yield
            finally:
                self._exclusive = False
                fcntl.flock(fd, fcntl.LOCK_UN)

    def stream_version(self, stream: str) -> int:
        """The stream's current version: how many events it holds (0 if none)."""
        self._refresh()
        return self._versions.get(stream, 0)

    def existing(self, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these event ids the file holds."""
        self._refresh()
        return {i for i in ids if str(i) in self._by_id}

    def tail(self) -> tuple[int, str, DateTime | None]:
        """The last position, its hash and its ``recorded_at``, from the index."""
        position = len(self._offsets) - 1
        recorded = self._tail_recorded
        if recorded is None:
            return 0, GENESIS, None
        where = f"JSON-lines log {self.path!r}"
        return (
            position,
            self._tail_hash,
            stored_recorded_at(recorded, position=position, where=where),
        )

    def insert(self, records: Sequence[StoredRecord]) -> None:
        """Write the records' lines in one ``write``, the last with the commit marker.

        A failed write is cut off again, so the file ends where the last append ended; so is
        one that landed in a file the path stopped naming while it was written (then
        :class:`~timeline.errors.LogReplaced`): no append is acknowledged that a reader of
        the path would not see.
        """
        fd = self._descriptor()
        objects: list[dict[str, Any]] = [
            {
                "position": r.position,
                "stream": r.stream,
                "version": r.version,
                "recorded_at": r.recorded_at,
                "hash": r.hash,
                "event": orjson.Fragment(r.payload),  # the canonical bytes, embedded as they are
            }
            for r in records
        ]
        objects[-1]["commit"] = True
        lines = [orjson.dumps(o) for o in objects]
        start = self._offsets[-1]
        data = memoryview(b"\n".join(lines) + b"\n")
        try:
            while data:
                data = data[os.write(fd, data) :]
            if self.fsync:
                os.fsync(fd)
            self._check_path()
        except BaseException:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)
            raise
        entries: list[_Entry] = []
        end = start
        for line, r in zip(lines, records, strict=True):
            end += len(line) + 1
            entries.append(
                (end, r.position, r.stream, r.version, r.recorded_at, r.hash,
                 str(r.event_id), str(r.type), str(r.occurred_at))
            )  # fmt: skip
        self._index(entries)
        self._seen_size = end

    def scan(self, query: Query) -> Iterator[Recorded]:
        """The records ``query`` asks for: positions from the index, lines read as needed.

        Raises:
            CorruptLog: on reaching the file's first damaged position.
        """
        self._refresh()
        decode = self._decode
        whole = query == Query(query.after)  # every record after a position
        lines = self._lines(query.after + 1) if whole else self._lines_where(self._positions(query))
        for position, line in lines:
            yield decode(position, line)
        if self._damage is not None:
            raise self._corrupt()

    def _positions(self, query: Query) -> Iterable[int]:
        """The positions after ``after`` that pass the query's filters, in order, from the index."""
        streams, types_of, occurred = self._streams_of, self._types_of, self._occurred
        stream = query.stream
        wanted = None if query.types is None else frozenset(query.types)
        low, high = query.low, query.high  # canonical text sorts chronologically
        selected = (
            p
            for p in range(query.after + 1, len(self._offsets))
            if (stream is None or streams[p - 1] == stream)
            and (wanted is None or types_of[p - 1] in wanted)
            and (low is None or occurred[p - 1] > low)
            and (high is None or occurred[p - 1] <= high)
        )
        if query.order == "occurred":
            return sorted(selected, key=lambda p: (occurred[p - 1], p))
        return selected

    def _lines_where(self, positions: Iterable[int]) -> Iterator[tuple[int, bytes | memoryview]]:
        """``(position, line)`` for each of ``positions``, one read each."""
        for position in positions:
            yield position, self._line(position)

    def _line(self, position: int) -> bytes:
        start, end = self._offsets[position - 1], self._offsets[position]
        return os.pread(self._descriptor(), end - start, start)

    def _lines(self, first: int) -> Iterator[tuple[int, memoryview]]:
        """``(position, line)`` from ``first`` to the end of the index, read in slices."""
        offsets = self._offsets
        position = first
        while position < len(offsets):
            last = position
            limit = offsets[position - 1] + _CHUNK_BYTES
            end = min(len(offsets) - 1, position + _CHUNK_LINES - 1)
            while last < end and offsets[last] < limit:
                last += 1
            start = offsets[position - 1]
            chunk = memoryview(os.pread(self._descriptor(), offsets[last] - start, start))
            for p in range(position, last + 1):
                yield p, chunk[offsets[p - 1] - start : offsets[p] - start]
            position = last + 1

    def _parse(self, position: int, line: bytes | memoryview) -> dict[str, Any]:
        """A stored line, checked to be the record it was when the file was indexed."""
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as e:
            problem: str | None = f"line {position} is no longer JSON: {e}"
        else:
            problem = _record_problem(record, position)
        if problem is not None:
            raise CorruptLog(
                f"JSON-lines log {self.path!r} is damaged at position {position}: {problem}",
                position=position,
                reason=problem,
            )
        return record  # type: ignore[no-any-return]  # checked by _record_problem

    def _decode(self, position: int, line: bytes | memoryview) -> Recorded:
        record = self._parse(position, line)
        return self.decode_record(
            position,
            record["stream"],
            record["version"],
            record["recorded_at"],
            record["event"],
            record["hash"],
        )

    def stored_hash(self, position: int) -> str | None:
        """The hash on the line of a position (read from the file), or ``None``."""
        self._refresh()
        if not 0 < position < len(self._offsets):
            return None
        hash_: str = self._parse(position, self._line(position))["hash"]
        return hash_

    def raw(self) -> Iterator[StoredRecord]:
        """Every line as stored, with the event's canonical bytes (what ``verify`` checks).

        Raises:
            LogReplaced: at once, not when iterated: ``verify`` reports damage to the file
                it reads, and a replaced file is not damage to report but a log object that
                no longer reads the path.
        """
        self._refresh()
        return self._raw()

    def _raw(self) -> Iterator[StoredRecord]:
        dumps, sort_keys = orjson.dumps, orjson.OPT_SORT_KEYS
        for position, line in self._lines(1):
            record = self._parse(position, line)
            yield StoredRecord(
                record["position"],
                record["stream"],
                record["version"],
                record["recorded_at"],
                dumps(record["event"], option=sort_keys),  # the canonical bytes again
                record["hash"],
            )
        if self._damage is not None:
            raise self._corrupt()

    def find(self, event_id: uuid.UUID) -> Recorded | None:
        """The record holding an event, or ``None``.

        Raises:
            CorruptLog: for an id not found before the file's first damaged position
                (the event may lie beyond it).
        """
        self._refresh()
        position = self._by_id.get(str(event_id))
        if position is None and self._damage is not None:
            raise self._corrupt()
        return None if position is None else self._decode(position, self._line(position))

    def snapshot_store(self) -> SQLiteSnapshotStore:
        """Snapshots in a SQLite sidecar file: the log's path plus ``.snapshots.db``.

        Derived data: safe to delete, and best kept out of git.
        """
        return SQLiteSnapshotStore(self.path + ".snapshots.db", codec=self.codec)


#: The keys of a line of the file and the JSON kind of each (salvage reads them too).
_ENVELOPE: Final = (
    ("position", int),
    ("stream", str),
    ("version", int),
    ("recorded_at", str),
    ("hash", str),
    ("event", dict),
)
_EVENT_KEYS: Final = ("event_id", "type", "occurred_at")


def _record_problem(record: object, position: int) -> str | None:
    """What is wrong with a parsed line as the record at ``position``, or ``None``."""
    if type(record) is not dict:
        return f"line {position} is not a JSON object"
    for key, kind in _ENVELOPE:
        if type(record.get(key)) is not kind:
            return f"line {position} has no {kind.__name__} {key!r}: {record.get(key)!r}"
    if record["position"] != position:
        return (
            f"position {record['position']} found where {position} was expected "
            "(missing or reordered record)"
        )
    if record.get("commit", True) is not True:
        return f"line {position} has a commit marker that is not true: {record['commit']!r}"
    event = record["event"]
    for key in _EVENT_KEYS:
        if type(event.get(key)) is not str:
            return f"line {position}'s event has no text {key!r}: {event.get(key)!r}"
    return None


def _check_line(line: bytes, position: int) -> tuple[dict[str, Any], None] | tuple[None, str]:
    """A raw line of the file parsed as the record at ``position``, or what is wrong with it."""
    if not line.endswith(b"\n"):
        return None, f"line {position} is cut short (no newline at the end): an interrupted write"
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as e:
        return None, f"line {position} is not JSON: {e}"
    problem = _record_problem(record, position)
    if problem is not None:
        return None, problem
    return record, None


def _fsync_directory(path: str) -> None:
    """Make a new file's directory entry durable (a new file is lost without it)."""
    fd = os.open(Path(path).absolute().parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
