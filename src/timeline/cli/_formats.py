"""``--format json|csv|jsonl`` of the listing commands: documents and rows for scripts.

CSV rows of records have the columns of the pandas export (:mod:`timeline.io.pandas`, and
``timeline export csv``): the record (``position`` ... ``hash``), the envelope, the common
fields, then ``data.<field>`` of each type in the order first met. Cells are written as the
export writes them: an instant as ``2025-05-31T16:30:00.000000Z``, a list or a mapping as
JSON text, an unknown value as an empty cell, and a text a spreadsheet would run as a
formula with a leading ``'``. Unlike the export, the command needs no pandas for it.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import orjson

from timeline.cli._base import dumps
from timeline.codec import Codec
from timeline.io.pandas import COLUMNS, flat_row, neutralise
from timeline.log import Recorded

__all__ = ["RECORD_COLUMNS", "csv_cell", "record_row", "write_csv", "write_json", "write_jsonl"]

#: The leading columns of a record's CSV row (then ``data.<field>`` columns).
RECORD_COLUMNS: Final = tuple(COLUMNS)
_UTC_INSTANT: Final = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6})\+00:00")


def record_row(codec: Codec, record: Recorded) -> dict[str, Any]:
    """A record flattened as the pandas export flattens it (its columns, its values)."""
    return flat_row(record, codec.to_dict(record.event))


def csv_cell(value: Any) -> str:
    r"""One cell as the export writes it.

    >>> csv_cell(None), csv_cell("2025-05-31T16:30:00.000000+00:00"), csv_cell(["a", "=b"])
    ('', '2025-05-31T16:30:00.000000Z', '["a","\'=b"]')
    """
    if value is None:
        return ""
    value = neutralise(value)
    if isinstance(value, (list, tuple, dict)):
        return orjson.dumps(value).decode()
    if isinstance(value, str):
        return _UTC_INSTANT.sub(r"\1Z", value) if value[:1].isdigit() else value
    return str(value)


def write_csv(rows: Iterable[Mapping[str, Any]], leading: Sequence[str] = ()) -> int:
    """Rows as CSV on stdout: ``leading`` columns first, then the others as first met.

    Returns:
        How many rows were written.
    """
    kept = list(rows)
    columns = dict.fromkeys(leading)
    for row in kept:
        columns.update(dict.fromkeys(row))
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for row in kept:
        writer.writerow([csv_cell(row.get(name)) for name in columns])
    return len(kept)


def write_json(values: Iterable[Any]) -> None:
    """One JSON array on stdout, an element a line, streamed."""
    sys.stdout.write("[")
    for i, value in enumerate(values):
        sys.stdout.write(("," if i else "") + "\n  " + dumps(value))
    sys.stdout.write("\n]\n")


def write_jsonl(values: Iterable[Any]) -> None:
    """One JSON value a line on stdout."""
    for value in values:
        sys.stdout.write(dumps(value) + "\n")
