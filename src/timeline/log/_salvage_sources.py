"""Where :func:`timeline.log.salvage` reads a damaged log from: everything stored, in order.

Salvage cannot read through ``EventLog.read`` or ``raw``: both stop at the first damage, and
salvage must go on past it to find what is still intact. Each source here yields *every*
stored record in storage order as a :data:`Found`: the position it holds (or, for something
that cannot be read as a record at all, the position it stands at), the stored record when
it could be read, and otherwise what is wrong. Checking the records against the hash chain
is the salvage's work, not theirs.

- a JSON-lines file is read line by line, each line on its own; the lines after the last
  commit marker are an append that never finished;
- a SQLite file is read through SQLite while it can be, then (or, when SQLite refuses the
  file, from the start) page by page (:mod:`timeline.log._sqlite_pages`);
- any other log through its ``raw()``, as far as it can be read.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import orjson

from timeline.errors import CorruptLog, TimelineError
from timeline.log._sqlite_pages import scan_pages
from timeline.log.jsonl import _ENVELOPE, JsonlLog
from timeline.log.records import StoredRecord
from timeline.log.sqlite import SQLiteLog

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from timeline.log.base import EventLog

__all__ = ["Found", "jsonl_items", "log_items", "sqlite_file_items"]

#: One stored thing: its position, the record (or ``None``), and what is wrong (or ``None``).
Found = tuple[int, StoredRecord | None, str | None]

_INTERRUPTED: Final = "part of an interrupted append (no commit marker after it)"


def _line_record(line: bytes, number: int) -> tuple[Found, bool]:
    """One line of a JSON-lines log read on its own, and whether it has a commit marker.

    ``number`` counts the file's lines from 1.
    """
    if not line.endswith(b"\n"):
        return (number, None, f"line {number} is cut short (no newline at the end)"), False
    try:
        record: Any = orjson.loads(line)
    except orjson.JSONDecodeError as e:
        return (number, None, f"line {number} is not JSON: {e}"), False
    if type(record) is not dict:
        return (number, None, f"line {number} is not a JSON object"), False
    for key, kind in _ENVELOPE:
        if type(record.get(key)) is not kind:
            return (number, None, f"line {number} has no {kind.__name__} {key!r}"), False
    if record.get("commit", True) is not True:
        return (number, None, f"line {number} has a commit marker that is not true"), False
    stored = StoredRecord(
        record["position"],
        record["stream"],
        record["version"],
        record["recorded_at"],
        orjson.dumps(record["event"], option=orjson.OPT_SORT_KEYS),  # the canonical bytes
        record["hash"],
    )
    return (stored.position, stored, None), "commit" in record


def jsonl_items(path: str | Path) -> Iterator[Found]:
    """Every line of a JSON-lines log, in file order.

    The lines after the last commit marker (an append cut short by a crash) are given with
    that as their problem, whole or not: the append they belong to never happened.

    Raises:
        OSError: if the file cannot be read.
    """
    pending: list[Found] = []  # the lines since the last commit marker
    with Path(path).open("rb") as file:
        for number, line in enumerate(file, 1):
            found, committed = _line_record(line, number)
            pending.append(found)
            if committed:
                yield from pending
                pending.clear()
    for position, record, problem in pending:
        yield position, record, problem or _INTERRUPTED


def sqlite_file_items(
    path: str | Path, note: Callable[[str], object], after: int = 0
) -> Iterator[Found]:
    """The records found in a SQLite file's pages (positions after ``after``), in order.

    ``note`` is told how many pages could be read, or that nothing could be.
    """
    try:
        scan, records = scan_pages(path)
    except OSError as e:
        note(f"the file could not be read: {e}")
        return
    note(
        f"read page by page: {scan.readable} of {scan.pages} pages readable, "
        f"{scan.rows} records found"
        + (f" ({scan.stale} stale copies left aside)" if scan.stale else "")
    )
    if not scan.rows:
        note("no record could be read from the file's pages")
    nothing = not scan.rows and scan.expected is None  # no header, no row: no log at all
    last = after
    for record in records:
        if record.position > after:
            last = record.position
            yield record.position, record, None
    if scan.cut_short:
        reason = (
            f"the file is cut short: it holds {scan.pages} of the {scan.expected} pages its "
            f"header counts, and records after position {last} may have been lost with them"
        )
        yield last + 1, None, f"missing: {reason}"
    elif nothing:
        yield last + 1, None, "missing: no record could be read from the file's pages"


def log_items(source: EventLog, note: Callable[[str], object]) -> Iterator[Found]:
    """Every record a log stores, as its backend reads them raw.

    A JSON-lines log is read line by line from its file; a SQLite log through SQLite, and
    when SQLite stops on a damaged page, page by page for the rest. Another log stops where
    its ``raw()`` stops, with a note of where.
    """
    if isinstance(source, JsonlLog):
        yield from jsonl_items(source.path)
        return
    last = 0
    try:
        for record in source.raw():
            last = record.position if type(record.position) is int else last
            yield last, record, None
    except (CorruptLog, sqlite3.DatabaseError) as e:
        reason = e.reason if isinstance(e, CorruptLog) else str(e)
        if isinstance(source, SQLiteLog) and source.path != ":memory:":
            note(f"SQLite stopped after position {last}: {reason}")
            yield from sqlite_file_items(source.path, note, after=last)
            return
        note(f"the storage could not be read past position {last}: {reason}")
        yield last + 1, None, f"unreadable: {reason}"
    except TimelineError as e:
        note(f"the storage could not be read past position {last}: {e}")
        yield last + 1, None, f"unreadable: {e}"
