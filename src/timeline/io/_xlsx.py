"""Reading the first sheet of an Excel workbook (``.xlsx``) as rows of text, like a CSV file.

Private to :mod:`timeline.io`. Data sets are sometimes handed on as workbooks saved by a
spreadsheet; openpyxl (the ``xlsx`` extra) reads them in its read-only mode, row by row, so
memory stays flat in the sheet's length. Each cell becomes the text a CSV export would hold:
a date cell ``2020-05-09`` (with its time where it has one), a whole number ``3`` (not
``3.0``), an empty cell ``""``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, Final

from timeline.errors import MissingExtra
from timeline.io._files import file_error, width_issue
from timeline.io.report import Issue

__all__ = ["XlsxFile", "cell_text"]

_EXTRA: Final = "xlsx"


def _openpyxl() -> Any:
    try:
        import openpyxl  # type: ignore[import-untyped]  # noqa: PLC0415  # optional; no stubs
    except ImportError as e:
        raise MissingExtra(
            "reading .xlsx files needs openpyxl: pip install 'conflict-timeline[xlsx]'",
            extra=_EXTRA,
            package="openpyxl",
        ) from e
    return openpyxl


def cell_text(value: object) -> str:  # noqa: PLR0911  # one return per kind of cell
    """A cell's value as the text a CSV export would hold.

    >>> cell_text(None), cell_text(3.0), cell_text(2.5), cell_text(dt.datetime(2020, 5, 9))
    ('', '3', '2.5', '2020-05-09')
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return str(value).upper()
    return str(value)


class XlsxFile:
    """The first sheet of a workbook: its header and data rows, as :class:`CsvFile` gives them.

    Raises:
        MissingExtra: without openpyxl (the ``xlsx`` extra).
        InvalidData: for a file that is not a workbook, or an empty sheet.
    """

    def __init__(self, path: str) -> None:
        openpyxl = _openpyxl()
        self.path = path
        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # zipfile.BadZipFile, KeyError, openpyxl's own errors  # noqa: BLE001
            raise file_error(
                path, type(e).__name__, f"not a readable .xlsx workbook: {e}"
            ) from None
        sheet = self._book.worksheets[0]
        #: The sheet read (a workbook's first).
        self.sheet = sheet.title
        self._rows = sheet.iter_rows(values_only=True)
        header = next(self._rows, None)
        if header is None:
            self.close()
            raise file_error(path, "", "the workbook's first sheet is empty: no header row")
        self.header = [cell_text(v).strip() for v in header]
        while self.header and not self.header[-1]:
            self.header.pop()
        #: Data rows, as the workbook declares them (an estimate, for progress).
        self.total = max((sheet.max_row or 1) - 1, 0)

    def close(self) -> None:
        """Close the workbook."""
        self._book.close()

    def __iter__(self) -> Iterator[tuple[int, list[str] | Issue]]:
        width = len(self.header)
        row = 0
        try:
            for values in self._rows:
                texts = [cell_text(v) for v in values]
                if not any(texts):  # an empty row
                    continue
                row += 1
                extra = texts[width:]
                if any(extra):
                    yield row, width_issue(row, texts, width, "cells")
                    continue
                yield row, (texts + [""] * width)[:width]
        finally:
            self.close()
