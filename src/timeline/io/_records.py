"""Importing whole records (events with their stream and transaction time) from an export.

Private to :mod:`timeline.io`: what the CloudEvents and JSONL importers share. Records are
appended in the file's order, one append per run of records that share a stream and a
``recorded_at`` (which is given to the append, so transaction time is kept). An event the
log already holds is *unchanged* if it is the same event, and a problem if it is not: an
export is a copy, not a newer edition, so there is nothing to correct.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Final

import attrs
from pendulum import DateTime

from timeline.events import Event
from timeline.io._pipeline import Progress, Ticker
from timeline.io.report import Issue, ReportBuilder
from timeline.log import EventLog

__all__ = ["Item", "append_records"]

_MAX_BATCH: Final = 10_000
_AGAIN: Final = "the same event appears again in the file: not imported twice"


@attrs.frozen
class Item:
    """One record read from an export: where it goes, when it was recorded, the event."""

    row: int
    stream: str
    recorded_at: DateTime | None
    event: Event


class _Checker:
    """Tells, for each record of a file, whether it is new, already in the log, or refused."""

    def __init__(self, log: EventLog) -> None:
        self.log = log
        self.fresh = len(log) == 0
        self.encode = log.codec.encode
        self.seen: set[int] = set()

    def check(self, item: Item) -> Issue | bool:
        """``True``: new; ``False``: already in the log as it is; or the :class:`Issue`."""
        event = item.event
        key = event.event_id.int
        if key in self.seen:
            return Issue(item.row, "id", str(event.event_id), _AGAIN)
        self.seen.add(key)
        if self.fresh or event.event_id not in self.log:
            return True
        stored = self.log.get(event.event_id)
        if self.encode(stored.event) == self.encode(event) and stored.stream == item.stream:
            return False
        return Issue(
            item.row,
            "id",
            str(event.event_id),
            "the log already holds an event with this id, but not this one "
            f"(stream {stored.stream!r}): not imported",
        )


def _check_all(log: EventLog, items: Sequence[Item], report: ReportBuilder) -> None:
    """Strict mode's first pass: raise the first problem before anything is appended."""
    checker = _Checker(log)
    for item in items:
        found = checker.check(item)
        if isinstance(found, Issue):
            report.problem(found)


def append_records(
    log: EventLog,
    items: Sequence[Item],
    *,
    report: ReportBuilder,
    total: int | None,
    progress: Progress | None = None,
) -> None:
    """Append the records not yet in the log, keeping their streams and ``recorded_at``.

    In strict mode every record is checked against the log before anything is appended.
    """
    if report.strict:
        _check_all(log, items, report)
    checker = _Checker(log)
    ticker = Ticker(progress, total)
    streams: dict[str, None] = {}
    for (stream, recorded_at), run in itertools.groupby(
        items, key=lambda item: (item.stream, item.recorded_at)
    ):
        streams[stream] = None
        batch: list[Event] = []
        for item in run:
            ticker.step()
            found = checker.check(item)
            if found is True:
                batch.append(item.event)
            elif found is False:
                report.unchanged += 1
            else:
                report.problem(found)
            if len(batch) >= _MAX_BATCH:
                report.added += len(log.append(batch, stream=stream, recorded_at=recorded_at))
                batch = []
        if batch:
            report.added += len(log.append(batch, stream=stream, recorded_at=recorded_at))
    if streams:
        report.stream = ", ".join(streams)
    ticker.finish()
