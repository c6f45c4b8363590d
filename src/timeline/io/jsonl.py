"""JSONL: a log as the JSON-lines file :class:`~timeline.log.JsonlLog` reads, and back.

The export writes each record as :class:`~timeline.log.JsonlLog` stores it (position,
stream, version, ``recorded_at``, hash, and the event's canonical bytes exactly as the log
holds them), with a commit marker on the last record of each run of records recorded at the
same instant. So the file is lossless: ``timeline.open_log("export.jsonl")`` opens it as a
log whose hash chain verifies, and importing it into an empty log gives the same records.

The import reads such a file (checking its hash chain) and appends its records, keeping
their streams and ``recorded_at``. A file damaged part-way (a torn last line, a changed
record) is imported up to the damage, which is reported as a problem at its position.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import orjson

from timeline.errors import CorruptLog, InvalidEvent, UnknownEventType
from timeline.io._files import display_path, file_error, scan
from timeline.io._output import atomic_output
from timeline.io._pipeline import PROGRESS_EVERY, Progress
from timeline.io._records import Item, append_records
from timeline.io.report import ExportReport, Issue, ReportBuilder
from timeline.log import EventLog, RawRecord
from timeline.log.jsonl import JsonlLog

__all__ = ["FORMAT", "export_jsonl", "import_jsonl"]

FORMAT: Final = "jsonl"


def _line(raw: RawRecord, *, commit: bool) -> bytes:
    record = {
        "position": raw.position,
        "stream": raw.stream,
        "version": raw.version,
        "recorded_at": raw.recorded_at,
        "hash": raw.hash,
        "event": orjson.Fragment(raw.payload),  # the stored bytes, as they are
    }
    if commit:
        record["commit"] = True
    return orjson.dumps(record) + b"\n"


def export_jsonl(
    log: EventLog, path: str | os.PathLike[str], *, progress: Progress | None = None
) -> ExportReport:
    """Write the whole log as a JSON-lines file. Use :func:`timeline.io.export_file`.

    Raises:
        CorruptLog: if the log is damaged (the file is then not written).
    """
    text = display_path(path)
    total = len(log)
    written = 0
    previous: RawRecord | None = None
    with atomic_output(text) as out:
        # The stored bytes, not a re-encoding: an event read through an upcaster would be
        # written in its new version, and no longer match its hash.
        for raw in log.raw():
            if previous is not None:
                out.write(_line(previous, commit=previous.recorded_at != raw.recorded_at))
                written += 1
                if progress is not None and written % PROGRESS_EVERY == 0:
                    progress(written, total)
            previous = raw
        if previous is not None:
            out.write(_line(previous, commit=True))
            written += 1
        if progress is not None:
            progress(written, written)
    return ExportReport(format=FORMAT, path=text, records=written)


def import_jsonl(log: EventLog, report: ReportBuilder, *, progress: Progress | None) -> None:
    """Read a JSON-lines log file into a log, filling ``report``. Use ``import_file("jsonl")``.

    Every event goes to its record's own stream, or all to ``report.stream`` where one was
    asked for.

    Raises:
        InvalidData: for a file that is not there or not UTF-8; in strict mode, for damage
            anywhere in it (nothing is appended then).
    """
    text, stream = report.path, report.stream or None
    if not Path(text).is_file():
        raise file_error(text, text, "no such file")
    if not scan(text).utf8:
        raise file_error(text, text, "not UTF-8: not a timeline JSON-lines file")
    items: list[Item] = []
    source = JsonlLog(text, codec=log.codec, fsync=False)
    try:
        checked = source.verify()
        limit = None if checked.ok else checked.position
        problem = None if checked.ok else Issue(limit, None, None, f"damaged: {checked.reason}")
        try:
            for rec in source.read():
                if limit is not None and rec.position >= limit:
                    break
                items.append(Item(rec.position, stream or rec.stream, rec.recorded_at, rec.event))
        except CorruptLog as e:
            cause = e.__cause__  # an event its type refuses: name the field and the value
            field, value = (
                (cause.field, cause.value) if isinstance(cause, InvalidEvent) else (None, None)
            )
            problem = problem or Issue(e.position, field, value, f"damaged: {e.reason}")
        except UnknownEventType as e:
            problem = Issue(len(items) + 1, "type", e.type, f"{e}: read no further")
        report.rows = len(source) + (problem is not None and problem.row == len(source) + 1)
    finally:
        source.close()
    if problem is not None:
        report.problem(problem)
    append_records(log, items, report=report, total=len(items), progress=progress)
