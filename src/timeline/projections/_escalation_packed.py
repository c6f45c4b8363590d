r"""The bytes of Escalation's tallies in a snapshot (``Tallies.to_packed`` / ``from_packed``).

Format 2, all of it (see ``docs/snapshots.md``)::

    b"timeline.tallies/2\n"
    8 bytes      the header's length, little-endian
    header       JSON: {"rows", "folded", "windows", "latest", "block", "columns"}
    ids          16 bytes per event folded (``UUID.bytes``), in the order folded
    rows         4 bytes per event folded: its tally's row, little-endian unsigned

Each column in ``columns`` is a JSON array with one value per row, or, for a column that
repeats its values, ``{"values": [...], "codes": [...]}`` (the distinct values and, per row,
the index of its value). Instants are whole microseconds since the epoch (UTC), precisions
their value. A figure beyond 63 bits makes its column ``{"text": [...]}`` (decimal text).
``windows``, ``latest`` (an instant, or ``null``) and ``block`` are where folding goes on.

Any other format, or damaged bytes, raise :class:`ValueError` (a stale snapshot is refused).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import orjson
from pendulum import UTC, DateTime

from timeline.projections._escalation_engine import Folded, Frontier, Table
from timeline.time import TimePrecision

__all__ = ["COLUMNS", "pack", "unpack"]

MAGIC: Final = b"timeline.tallies/2\n"
#: Every column, in the order of ``Tallies``' fields.
COLUMNS: Final = ("window", "start", "end", "precision", "claimant", "kind", "attacker",
                  "weapon", "launched", "destroyed", "lost", "launched_unknown",
                  "destroyed_unknown", "lost_unknown", "reports")  # fmt: skip
_INSTANTS: Final = frozenset({"start", "end"})
_REPEATING: Final = frozenset({"start", "end", "precision", "claimant", "kind", "attacker",
                               "weapon"})  # fmt: skip
_ID_SIZE: Final = 16
_ROW_SIZE: Final = 4
_INT64: Final = 2**63
_EPOCH: Final = DateTime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = dt.timedelta(microseconds=1)


def _micros(at: dt.datetime | None) -> int | None:
    """An instant as whole microseconds since the epoch."""
    # datetime's own subtraction: pendulum's gives an Interval, and takes far longer.
    return None if at is None else dt.datetime.__sub__(at, _EPOCH) // _MICROSECOND


def _instants(values: list[Any]) -> list[DateTime | None]:
    """The UTC instants ``values`` microseconds after the epoch (``None`` kept)."""
    if any(v is not None and type(v) is not int for v in values):
        raise ValueError("packed tallies: an instant is not whole microseconds")
    # datetime's own addition (pendulum's is far slower); the results are still DateTimes.
    add, delta = dt.datetime.__add__, dt.timedelta
    return [None if v is None else add(_EPOCH, delta(0, 0, v)) for v in values]


def _write(name: str, column: tuple[Any, ...]) -> Any:
    if name in _REPEATING:
        distinct: dict[Any, int] = {}
        codes = [distinct.setdefault(v, len(distinct)) for v in column]
        values = list(distinct)
        if name in _INSTANTS:
            values = [_micros(v) for v in values]
        elif name == "precision":
            values = [v.value for v in values]
        return {"values": values, "codes": codes}
    if any(x is not None and not 0 <= x < _INT64 for x in column):
        return {"text": [None if x is None else str(x) for x in column]}
    return list(column)


def pack(table: Table, frontier: Frontier) -> bytes:
    """The bytes of ``table`` (whose frontier is ``frontier``)."""
    windows, latest, block = frontier
    header = {
        "rows": len(table.window),
        "folded": len(table.ids) // _ID_SIZE,
        "windows": windows,
        "latest": _micros(latest),
        "block": list(block),
        "columns": {name: _write(name, getattr(table, name)) for name in COLUMNS},
    }
    head = orjson.dumps(header)
    return b"".join((MAGIC, len(head).to_bytes(8, "little"), head, table.ids, table.rows))


def _read(name: str, packed: object, rows: int) -> tuple[Any, ...]:
    if type(packed) is dict and packed.keys() == {"values", "codes"} and name in _REPEATING:
        values, codes = packed["values"], packed["codes"]
        if type(values) is not list or type(codes) is not list:
            raise ValueError(f"packed tallies: column {name!r} has no list of values or codes")
        if name in _INSTANTS:
            values = _instants(values)
        elif name == "precision":
            values = [TimePrecision(v) for v in values]
        if codes and min(codes) < 0:  # (one beyond the values is an IndexError below)
            raise ValueError(f"packed tallies: column {name!r} has a negative code")
        try:
            column = tuple(map(values.__getitem__, codes))
        except (IndexError, TypeError) as e:
            raise ValueError(f"packed tallies: column {name!r} has a bad code: {e}") from e
    elif type(packed) is dict and packed.keys() == {"text"} and type(packed["text"]) is list:
        column = tuple(None if v is None else int(v) for v in packed["text"])
    elif type(packed) is list and name not in _REPEATING:
        column = tuple(packed)
    else:
        raise ValueError(f"packed tallies: column {name!r} is not stored as expected")
    if len(column) != rows:
        raise ValueError(f"packed tallies: column {name!r} has {len(column)} rows, not {rows}")
    return column


def _count(header: dict[str, Any], key: str) -> int:
    value = header.get(key)
    if type(value) is not int or value < 0:
        raise ValueError(f"packed tallies: {key!r} is not a count: {value!r}")
    return value


def unpack(data: bytes | memoryview) -> Folded:
    """The columns, ids, rows and frontier that :func:`pack` wrote.

    Raises:
        ValueError: if ``data`` is not packed tallies of this format, or is damaged.
    """
    view = memoryview(data)
    start = len(MAGIC) + 8
    if len(view) < start or bytes(view[: len(MAGIC)]) != MAGIC:
        raise ValueError("not packed tallies (or another version of the format)")
    end = start + int.from_bytes(view[start - 8 : start], "little")
    try:
        header = orjson.loads(view[start:end])
    except orjson.JSONDecodeError as e:
        raise ValueError(f"packed tallies: the header is not JSON: {e}") from e
    if type(header) is not dict or type(header.get("columns")) is not dict:
        raise ValueError("packed tallies: the header is not an object with columns")
    rows, folded, windows = (_count(header, key) for key in ("rows", "folded", "windows"))
    block = header.get("block")
    if type(block) is not list or any(type(i) is not int or not 0 <= i < rows for i in block):
        raise ValueError(f"packed tallies: bad frontier rows {block!r}")
    if len(view) != end + (_ID_SIZE + _ROW_SIZE) * folded:
        raise ValueError(f"packed tallies: not {folded} event ids and rows after the header")
    columns = {name: _read(name, header["columns"].get(name), rows) for name in COLUMNS}
    ids = bytes(view[end : end + _ID_SIZE * folded])
    event_rows = bytes(view[end + _ID_SIZE * folded :])
    frontier = (windows, _instants([header.get("latest")])[0], tuple(block))
    return Folded(columns, ids, event_rows, frontier)
