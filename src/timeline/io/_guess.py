"""Which data set a file holds, told from its first bytes: what ``guess_format`` looks at first.

Private to :mod:`timeline.io`. A file is recognised by its columns where it has a header
(ACLED's ``event_id_cnty`` in any case or under an older name, GED's ``id``, ``date_start``
and ``best``, the missile-attacks columns), by its shape where it has none (a GDELT events
file: tab-separated rows of 57, 58 or 61 fields whose first is a number), and, for JSON, by
the keys of its first record. ``.xlsx`` workbooks and ``.zip`` archives of one CSV file are
looked into. Anything else gives ``None`` (the caller falls back on the file's name).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Collection
from pathlib import Path
from typing import Final

from timeline.errors import TimelineError
from timeline.io import acled, missile_attacks, ucdp
from timeline.io._files import FileScan, sniff_delimiter, zip_member

__all__ = ["guess_from_content"]

_HEAD: Final = 1 << 16
#: The column counts of GDELT's events files: 1.0 daily (57, 58 before 2013-04), 2.0 (61).
_GDELT_WIDTHS: Final = frozenset({57, 58, 61})


def _head(path: Path) -> bytes:
    """The file's first bytes (a zip archive's one CSV file's), or ``b""``."""
    try:
        if path.suffix.lower() == ".zip":
            _, opener = zip_member(str(path))
            with opener() as file:
                return file.read(_HEAD)
        with path.open("rb") as file:
            return file.read(_HEAD)
    except (OSError, TimelineError, zipfile.BadZipFile):
        return b""


def _xlsx_header(path: Path) -> list[str]:
    try:
        from timeline.io._xlsx import XlsxFile  # noqa: PLC0415  # openpyxl only for a workbook

        book = XlsxFile(str(path))
    except (OSError, TimelineError):
        return []
    book.close()
    return book.header


def _columns(header: Collection[str]) -> set[str]:
    return {acled.ALIASES.get(c.strip().lower(), c.strip().lower()) for c in header}


def _from_header(header: list[str]) -> str | None:
    columns = _columns(header)
    if {"event_id_cnty", "event_date"} <= columns:
        return acled.FORMAT
    if {"id", "date_start", "best"} <= columns:
        return ucdp.FORMAT
    if {"time_start", "model", "launched"} <= columns:
        return missile_attacks.FORMAT
    return None


def _from_json(text: str) -> str | None:
    first = text.lstrip()[:1]
    if first == "[" and '"specversion"' in text[:4096]:
        return "cloudevents"
    if first == "{":
        line = text.lstrip().split("\n", 1)[0]
        try:
            record = json.loads(line)
        except ValueError:
            return None
        if isinstance(record, dict) and "specversion" in record:
            return "cloudevents"
        if isinstance(record, dict) and {"event", "stream"} <= record.keys():
            return "jsonl"
    return None


def guess_from_content(path: str) -> str | None:
    """The format a file's content shows, or ``None`` (unreadable, or not recognised)."""
    file = Path(path)
    if not file.is_file():
        return None
    if file.suffix.lower() in {".xlsx", ".xlsm"}:
        return _from_header(_xlsx_header(file))
    head = _head(file)
    if not head:
        return None
    scanned = FileScan(lines=0, utf8=True, ends_with_newline=True, head=head)
    text = head.decode("utf-8-sig", "replace")
    if text.lstrip()[:1] in {"[", "{"}:
        return _from_json(text)
    first = text.split("\n", 1)[0].rstrip("\r")
    cells = first.split("\t")
    if len(cells) in _GDELT_WIDTHS and cells[0].isdigit():
        return "gdelt"
    return _from_header(first.split(sniff_delimiter(scanned)))
