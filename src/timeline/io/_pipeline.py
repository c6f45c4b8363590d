"""What every importer shares: stable ids, deciding add / unchanged / correct, chunked appends.

Private to :mod:`timeline.io`.

An importer turns each source row into events with *stable* ids (a ``uuid5`` of the data set
and the row's natural key), so importing the same file twice adds nothing. For each event the
:class:`Reconciler` finds what the data set last said about it (the stored event, as
corrected by earlier imports of the same data set: corrections carrying the importer's tag)
and decides:

- not in the log: *add* it;
- the same on every field the importer maps: *unchanged*;
- different: append a :class:`~timeline.events.Correction` of the fields that changed.

Corrections made by analysts (without the tag) are left alone: a re-import only corrects
fields whose value *in the file* changed since the last import.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any, Final, NamedTuple, Protocol

import attrs
from pendulum import DateTime

from timeline.events import Correction, Event
from timeline.io.report import Issue, ReportBuilder
from timeline.log import EventLog
from timeline.projections.replay import apply_changes
from timeline.text import value_text

__all__ = [
    "CHUNK",
    "NAMESPACE",
    "Progress",
    "Reconciler",
    "Row",
    "RowSource",
    "StableIds",
    "Ticker",
    "describe_changes",
    "run_rows",
    "stable_id",
]

#: The namespace of every stable id an importer makes: ``uuid5(NAMESPACE, "<format>\x1f<key>")``.
NAMESPACE: Final = uuid.UUID("5f0b6c2e-6b1e-5d4c-9a57-7c4e1b1d2a10")

#: Events per append when importing a large file.
CHUNK: Final = 10_000

#: How often (in rows) the progress callback is called.
PROGRESS_EVERY: Final = 1_000

#: Called with (rows done, rows in all); the total is an estimate, or None if unknown.
Progress = Callable[[int, "int | None"], object]

_NOT_COMPARED: Final = frozenset({"event_id", "type", "version"})


def stable_id(dataset: str, *key: str) -> uuid.UUID:
    r"""The id of the event made from a source row: a ``uuid5`` of the data set and the key.

    >>> import uuid
    >>> stable_id("ru-losses", "2025-06-03") == uuid.uuid5(NAMESPACE, "ru-losses\x1f2025-06-03")
    True
    """
    return StableIds(dataset).make(*key)


_SHA1 = hashlib.sha1
_VERSION_5: Final = (5 << 76) | (0x8000 << 48)  # version 5, and the RFC 4122 variant
_VERSION_BITS: Final = ~((0xF000 << 64) | (0xC000 << 48))
_new_uuid = uuid.UUID.__new__
_set = object.__setattr__
_UNKNOWN = uuid.SafeUUID.unknown


class StableIds:
    """One data set's stable ids: the ids ``uuid.uuid5`` makes, without its repeated work.

    An import makes one id per row, so this skips what ``uuid.uuid5`` repeats each time: the
    namespace and data set's prefix is encoded once, and the UUID is filled in without
    ``UUID.__init__``'s argument checks (its two slots, set as ``__init__`` sets them).
    """

    __slots__ = ("prefix",)

    def __init__(self, dataset: str) -> None:
        self.prefix = NAMESPACE.bytes + dataset.encode() + b"\x1f"

    def make(self, *key: str) -> uuid.UUID:
        r"""The id of ``key``, its parts joined with ``"\x1f"``."""
        digest = _SHA1(self.prefix + "\x1f".join(key).encode()).digest()
        made = _new_uuid(uuid.UUID)
        _set(made, "int", (int.from_bytes(digest[:16], "big") & _VERSION_BITS) | _VERSION_5)
        _set(made, "is_safe", _UNKNOWN)
        return made


class Row(NamedTuple):
    """One source row, as an importer read it: its events, or the problem that stops it.

    A *skipped* row is neither imported nor refused: it is not data (an HXL hashtag row) or
    an import's filter left it out; the report counts it in ``skipped``.
    """

    row: int
    events: tuple[Event, ...] = ()
    warnings: tuple[Issue, ...] = ()
    problem: Issue | None = None
    skipped: bool = False

    @classmethod
    def refuse(cls, row: int, column: str | None, value: object, reason: str) -> Row:
        """A row that cannot be read as an event: the problem names its column and value."""
        return cls(row, problem=Issue(row, column, value, reason))


class RowSource(Protocol):
    """A file read row by row; :meth:`rows` may be called more than once (strict mode)."""

    @property
    def total(self) -> int | None:
        """How many rows there are (an estimate), if known."""

    def rows(self) -> Iterator[Row]:
        """The rows, read from the start."""


_SHORT: Final = 60


def _counts(value: Any, key: str) -> dict[str, Any] | None:
    """``{"aircraft": 413, ...}`` from a stored list of ``{"item": ..., "count": ...}``."""
    if not isinstance(value, list) or not all(
        isinstance(v, dict) and key in v and "count" in v for v in value
    ):
        return None
    return {v[key]: v["count"] for v in value}


def describe_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """``"launched 472 → 479; equipment: aircraft 384 → 413"``: the fields that differ.

    Values are told as people read them (:func:`timeline.text.value_text`: ``"–"`` for
    unknown, ``"a, b"`` for a list), never as Python writes them.
    """
    parts = []
    for name, new in after.items():
        old = before.get(name)
        if old == new:
            continue
        old_counts = _counts(old, "item") or _counts(old, "party")
        new_counts = _counts(new, "item") or _counts(new, "party")
        if old_counts is not None and new_counts is not None:
            items = [
                f"{k} {_told(old_counts.get(k))} → {_told(new_counts.get(k))}"
                for k in dict.fromkeys([*old_counts, *new_counts])
                if old_counts.get(k) != new_counts.get(k)
            ]
            parts.append(f"{name}: {', '.join(items)}")
        else:
            parts.append(f"{name} {_told(old)} → {_told(new)}")
    return "; ".join(parts)


def _told(value: Any) -> str:
    """A value as people read it, cut short: ``"–"``, ``"990,800"``, ``"a, b"``."""
    text = value_text(value)
    return text if len(text) <= _SHORT else text[: _SHORT - 3] + "..."


@attrs.frozen
class Decision:
    """What to do with one event: ``"add"``, ``"unchanged"``, ``"correct"`` or ``"problem"``."""

    action: str
    changes: dict[str, Any] = attrs.Factory(dict)
    description: str = ""
    reason: str = ""

    def issue(self, row: int, event: Event) -> Issue:
        """A ``"problem"`` decision as the issue to report."""
        return Issue(row=row, column=None, value=str(event.event_id), reason=self.reason)


_ADD: Final = Decision("add")
_UNCHANGED: Final = Decision("unchanged")


class Reconciler:
    """Knows what a data set last said about each of its events, and what to do with a new row.

    Args:
        log: the log imported into.
        tag: the importer's tag (``"import:missile-attacks"``): its corrections carry it.
        unmanaged: fields the importer does not set, never compared (so never corrected).
        remember: keep the events added in this run in memory (an importer that meets the
            same ids again in one run: a revision history).
    """

    def __init__(
        self,
        log: EventLog,
        *,
        tag: str,
        unmanaged: Collection[str] = (),
        remember: bool = False,
    ) -> None:
        self.log = log
        self.codec = log.codec
        self.tag = tag
        self.unmanaged = frozenset(unmanaged) | _NOT_COMPARED
        self.remember = remember
        #: Whether the log was empty when the import started: then nothing needs looking up.
        self.fresh = len(log) == 0
        self._originals: dict[uuid.UUID, Event] = {}
        # target -> [(recorded_at, changes)], recorded order; recorded_at None: made in this run
        self._corrections: dict[uuid.UUID, list[tuple[DateTime | None, dict[str, Any]]]] | None = (
            {} if self.fresh else None
        )

    def _load_corrections(self) -> dict[uuid.UUID, list[tuple[DateTime | None, dict[str, Any]]]]:
        found: dict[uuid.UUID, list[tuple[DateTime | None, dict[str, Any]]]] = {}
        for rec in self.log.read(types=Correction.TYPE):
            event = rec.event
            if isinstance(event, Correction) and self.tag in event.tags:
                found.setdefault(event.corrects, []).append((rec.recorded_at, event.changes))
        return found

    def original(self, event_id: uuid.UUID) -> Event | None:
        """The event as first stored, or ``None`` if the log does not hold it."""
        found = self._originals.get(event_id)
        if found is not None or self.fresh:
            return found
        if event_id not in self.log:
            return None
        found = self.log.get(event_id).event
        if self.remember:
            self._originals[event_id] = found
        return found

    def current(self, event_id: uuid.UUID, *, until: DateTime | None = None) -> Event | None:
        """What the data set last said: the stored event and this importer's corrections.

        Args:
            event_id: the event.
            until: count only the corrections the log had recorded by then (those made in
                this run always count).
        """
        original = self.original(event_id)
        if original is None:
            return None
        if self._corrections is None:
            self._corrections = self._load_corrections()
        merged: dict[str, Any] = {}
        for at, changes in self._corrections.get(event_id, ()):
            if at is None or until is None or at <= until:
                merged.update(changes)
        return apply_changes(self.codec, original, merged) if merged else original

    def decide(self, new: Event, *, until: DateTime | None = None) -> Decision:
        """Whether to add ``new``, leave it, or correct the stored event to match it."""
        if self.fresh and not self.remember:
            return _ADD
        current = self.current(new.event_id, until=until)
        if current is None:
            return _ADD
        if type(current) is not type(new):
            return Decision(
                "problem",
                reason=f"was imported as {current.TYPE} and would now be {new.TYPE}; a type "
                "cannot be corrected: retract the event and import the file again",
            )
        before = self.codec.to_dict(current)
        after = self.codec.to_dict(new)
        differ = {k: v for k, v in after.items() if k not in self.unmanaged and before.get(k) != v}
        if differ.keys() == {"zone"}:  # a zone alone is no change: imports before issue 15 had none
            differ = {}
        if not differ:
            return _UNCHANGED
        return Decision(
            "correct",
            changes={k: getattr(new, k) for k in differ},
            description=describe_changes(before, differ),
        )

    def correction(
        self, new: Event, decision: Decision, *, why: str, occurred_at: DateTime | None = None
    ) -> Correction:
        """The correction that brings the stored event in line with ``new``."""
        return Correction(
            occurred_at=new.occurred_at if occurred_at is None else occurred_at,
            corrects=new.event_id,
            changes=decision.changes,
            reason=f"{why}: {decision.description}",
            claimed_by=new.claimed_by,
            sources=new.sources,
            tags=(self.tag,),
        )

    def added(self, event: Event) -> None:
        """Note an event this run appended."""
        if self.remember:
            self._originals[event.event_id] = event

    def corrected(self, correction: Correction) -> None:
        """Note a correction this run appended."""
        if self._corrections is None:
            self._corrections = self._load_corrections()
        self._corrections.setdefault(correction.corrects, []).append((None, correction.changes))

    def take(
        self,
        event: Event,
        *,
        row: int,
        report: ReportBuilder,
        why: str,
        until: DateTime | None = None,
        occurred_at: DateTime | None = None,
    ) -> Event | None:
        """Decide one event, count it in the report, and give what to append, if anything.

        Returns:
            The event itself (new), a :class:`~timeline.events.Correction` of the stored
            event (changed), or ``None`` (unchanged, or a problem, listed in the report).
        """
        decision = self.decide(event, until=until)
        if decision is _ADD:
            self.added(event)
            report.added += 1
            return event
        if decision is _UNCHANGED:
            report.unchanged += 1
            return None
        if decision.action == "correct":
            fix = self.correction(event, decision, why=why, occurred_at=occurred_at)
            self.corrected(fix)
            report.corrected += 1
            return fix
        report.problem(decision.issue(row, event))
        return None


class Ticker:
    """Calls a progress callback every :data:`PROGRESS_EVERY` steps, and once at the end."""

    __slots__ = ("done", "progress", "total")

    def __init__(self, progress: Progress | None, total: int | None) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def step(self) -> None:
        """One more row (or record) done."""
        self.done += 1
        if self.progress is not None and self.done % PROGRESS_EVERY == 0:
            total = self.total
            self.progress(self.done, None if total is None else max(total, self.done))

    def finish(self) -> None:
        """All done: the last call, with done == total."""
        if self.progress is not None:
            self.progress(self.done, self.done)


def _check_all(source: RowSource, reconciler: Reconciler, report: ReportBuilder) -> None:
    """Strict mode's first pass: raise the first problem before anything is appended."""
    for row in source.rows():
        if row.problem is not None:
            report.problem(row.problem)
        for event in row.events:
            decision = reconciler.decide(event)
            if decision.action == "problem":
                report.problem(decision.issue(row.row, event))


def run_rows(
    log: EventLog,
    source: RowSource,
    *,
    report: ReportBuilder,
    reconciler: Reconciler,
    why: str,
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> None:
    """Import a file row by row: decide each event, append in chunks, fill in the report.

    In strict mode (``report.strict``) the whole file is read and every event decided once
    first, so that a bad row raises before anything is appended.

    Raises:
        InvalidData: in strict mode, for the first row that cannot be read.
    """
    if report.strict:
        _check_all(source, reconciler, report)
    ticker = Ticker(progress, source.total)
    pending: list[Event] = []
    new_only = reconciler.fresh and not reconciler.remember  # nothing to look up
    for row in source.rows():
        ticker.step()
        if row.warnings:
            report.warnings.extend(row.warnings)
        if row.problem is not None:
            report.problem(row.problem)
        report.skipped += row.skipped  # never a row with a problem
        if new_only:
            pending.extend(row.events)
            report.added += len(row.events)
        else:
            for event in row.events:
                found = reconciler.take(event, row=row.row, report=report, why=why)
                if found is not None:
                    pending.append(found)
        if len(pending) >= chunk:
            log.append(pending, stream=report.stream)
            pending.clear()
    if pending:
        log.append(pending, stream=report.stream)
    report.rows = ticker.done
    ticker.finish()
