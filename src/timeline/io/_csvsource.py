"""A CSV data set read row by row into events: what the CSV importers share.

Private to :mod:`timeline.io`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterator
from typing import Final, Protocol

from timeline.events import Location
from timeline.io._files import CsvFile, file_error, scan
from timeline.io._pipeline import Row
from timeline.io.report import Issue

__all__ = ["CsvSource", "Fields", "RowBuilder", "coordinate", "place", "split_names"]


class Fields:
    """One row's values by column name; a missing column reads as empty."""

    __slots__ = ("index", "values")

    def __init__(self, index: dict[str, int], values: list[str]) -> None:
        self.index = index
        self.values = values

    def __getitem__(self, column: str) -> str:
        i = self.index.get(column)
        return "" if i is None else self.values[i].strip()


class RowBuilder(Protocol):
    """Turns one row's fields into its events (or the problem that stops it)."""

    def build(self, row: int, fields: Fields) -> Row:
        """The row's events, warnings, or problem."""


_CUT_SHORT: Final = "the file does not end with a line break: its last row may be cut short"


class CsvSource:
    """A CSV file of one data set, as rows of events (a row source for the pipeline).

    Args:
        path: the file.
        name: the data set's name, for messages ("UCDP GED").
        required: columns without which the file is not that data set.
        known: every column the data set defines (others are noted in a warning).
        builder: makes a fresh :class:`RowBuilder` for each pass over the file, given the
            header's column index.

    Raises:
        InvalidData: for a file that is not UTF-8 text, or lacks a required column.
    """

    def __init__(
        self,
        path: str,
        *,
        name: str,
        required: Collection[str],
        known: Collection[str],
        builder: Callable[[dict[str, int]], RowBuilder],
    ) -> None:
        self.path = path
        self.make_builder = builder
        self.scanned = scan(path)
        probe = CsvFile(path, self.scanned)
        probe.close()
        self.header = probe.header
        missing = [c for c in required if c not in self.header]
        if missing:
            raise file_error(
                path,
                missing,
                f"not a {name} file: no column {', '.join(map(repr, missing))} "
                f"(it has {', '.join(self.header)})",
            )
        self.total: int | None = probe.total
        #: Notes about the whole file (unknown columns, a last row that may be cut short).
        self.file_warnings: list[Issue] = [
            Issue(row=None, column=c, value=None, reason=f"not a {name} column: ignored")
            for c in self.header
            if c not in known
        ]

    def rows(self) -> Iterator[Row]:
        """Every data row, read from the start of the file."""
        csv_file = CsvFile(self.path, self.scanned)
        index = {name: i for i, name in enumerate(csv_file.header)}
        builder = self.make_builder(index)
        last = 0
        for number, values in csv_file:
            last = number
            if isinstance(values, Issue):
                yield Row(number, problem=values)
            else:
                yield builder.build(number, Fields(index, values))
        if last and not self.scanned.ends_with_newline:
            note = Issue(row=last, column=None, value=None, reason=_CUT_SHORT)
            if note not in self.file_warnings:
                self.file_warnings.append(note)


def split_names(text: str, sep: str = ";") -> tuple[str, ...]:
    """Split names on ``sep``: ``"A; B;; A"`` gives ``("A", "B")`` (no empties, no repeats)."""
    if not text:
        return ()
    return tuple(dict.fromkeys(p.strip() for p in text.split(sep) if p.strip()))


def coordinate(text: str) -> float | None:
    """A latitude or longitude; ``None`` for an empty cell.

    Raises:
        ValueError: for text that is not a finite number.
    """
    if not text:
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def place(  # the parts of a Location, in its order
    name: str, admin1: str, country: str, latitude: float | None, longitude: float | None
) -> Location | None:
    """A :class:`~timeline.events.Location` from a row's cells, or ``None`` if all are empty.

    Raises:
        InvalidEvent: for a latitude or longitude out of range.
    """
    if not (name or admin1 or country) and latitude is None and longitude is None:
        return None
    return Location(
        name=name or None,
        admin1=admin1 or None,
        country=country or None,
        latitude=latitude,
        longitude=longitude,
    )
