r"""The bytes of Escalation's tallies in a snapshot (``Tallies.to_packed`` / ``from_packed``).

Format 3, all of it (see ``docs/snapshots.md``)::

    b"timeline.tallies/3\n"
    8 bytes      the header's length, little-endian
    header       JSON: {"rows", "folded", "windows", "latest", "block", "sections"}
    sections     one after another, each where ``sections`` says ([offset, length] after
                 the header): a JSON document per column, then the ids (16 bytes per event
                 folded, ``UUID.bytes``) and the rows (4 bytes per event: its tally's row,
                 little-endian unsigned), in the order folded

A column is a JSON array with one value per row, or, for a column that repeats its values,
``{"values": [...], "codes": [...]}`` (the distinct values and, per row, the index of its
value). Instants are whole microseconds since the epoch (UTC), precisions their value, zones
their name (or ``null``; format 3 added the column, issue 15). A
figure beyond 63 bits makes its column ``{"text": [...]}`` (decimal text). ``windows``,
``latest`` (an instant, or ``null``) and ``block`` are where folding goes on.

:func:`unpack` reads the header alone; each section is read when asked for
(:meth:`Stored.column`), so a snapshot of a million events is ready to fold on at once.
Another format, or a damaged header, raise :class:`ValueError` (a stale snapshot is
refused); a column found damaged when read raises :class:`ValueError` then.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final

import orjson
from pendulum import UTC, DateTime

from timeline.projections._escalation_engine import COLUMNS, Frontier
from timeline.time import TimePrecision

if TYPE_CHECKING:
    from timeline.projections._escalation_tallies import Tallies

__all__ = ["COLUMNS", "Stored", "pack", "unpack"]

MAGIC: Final = b"timeline.tallies/3\n"
_INSTANTS: Final = frozenset({"start", "end"})
_REPEATING: Final = frozenset({"start", "end", "precision", "zone", "claimant", "kind",
                               "attacker", "weapon"})  # fmt: skip
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


def pack(table: Tallies, frontier: Frontier) -> bytes:
    """The bytes of ``table`` (whose frontier is ``frontier``)."""
    windows, latest, block = frontier
    parts = [orjson.dumps(_write(name, getattr(table, name))) for name in COLUMNS]
    parts += [table.ids, table.rows]
    offsets = [sum(len(p) for p in parts[:i]) for i in range(len(parts))]
    header = {
        "rows": len(table.window),
        "folded": len(table.ids) // _ID_SIZE,
        "windows": windows,
        "latest": _micros(latest),
        "block": list(block),
        "sections": {
            name: [at, len(part)]
            for name, at, part in zip((*COLUMNS, "ids", "rows"), offsets, parts, strict=True)
        },
    }
    head = orjson.dumps(header)
    return b"".join((MAGIC, len(head).to_bytes(8, "little"), head, *parts))


def _read(name: str, packed: object, rows: int) -> tuple[Any, ...]:
    if type(packed) is dict and packed.keys() == {"values", "codes"} and name in _REPEATING:
        values, codes = packed["values"], packed["codes"]
        if type(values) is not list or type(codes) is not list:
            raise ValueError(f"packed tallies: column {name!r} has no list of values or codes")
        if name in _INSTANTS:
            values = _instants(values)
        elif name == "precision":
            values = [TimePrecision(v) for v in values]
        try:  # (a code beyond the values is an IndexError; the writer writes none below 0)
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


class Stored:
    """Packed tallies as read: the header now, each section when asked for."""

    __slots__ = ("area", "folded", "frontier", "rows", "sections")

    def __init__(
        self,
        area: memoryview,
        sections: dict[str, tuple[int, int]],
        *,
        rows: int,
        folded: int,
        frontier: Frontier,
    ) -> None:
        self.area, self.sections = area, sections
        self.rows, self.folded, self.frontier = rows, folded, frontier

    def column(self, name: str) -> Any:
        """A column (a tuple), or ``ids`` / ``rows`` (bytes), read from its section.

        Raises:
            ValueError: if the section does not hold what it should.
        """
        at, size = self.sections[name]
        section = self.area[at : at + size]
        if name in ("ids", "rows"):
            return bytes(section)
        try:
            packed = orjson.loads(section)
        except orjson.JSONDecodeError as e:
            raise ValueError(f"packed tallies: column {name!r} is not JSON: {e}") from e
        return _read(name, packed, self.rows)


def _sections(header: dict[str, Any], area: memoryview, folded: int) -> dict[str, tuple[int, int]]:
    """Where each section is, checked to lie inside ``area`` (the ids and rows their size)."""
    given = header.get("sections")
    if type(given) is not dict or set(given) != {*COLUMNS, "ids", "rows"}:
        raise ValueError("packed tallies: the header does not place every section")
    out: dict[str, tuple[int, int]] = {}
    for name, where in given.items():
        if (
            type(where) is not list
            or len(where) != 2  # noqa: PLR2004  # [offset, length]
            or any(type(x) is not int or x < 0 for x in where)
            or where[0] + where[1] > len(area)
        ):
            raise ValueError(f"packed tallies: section {name!r} is not inside the data: {where!r}")
        out[name] = (where[0], where[1])
    if out["ids"][1] != _ID_SIZE * folded or out["rows"][1] != _ROW_SIZE * folded:
        raise ValueError(f"packed tallies: not {folded} event ids and rows")
    return out


def unpack(data: bytes | memoryview) -> Stored:
    """The tallies that :func:`pack` wrote, their header read (and checked), the rest not yet.

    Raises:
        ValueError: if ``data`` is not packed tallies of this format, or its header is damaged.
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
    if type(header) is not dict:
        raise ValueError("packed tallies: the header is not an object")
    rows, folded, windows = (_count(header, key) for key in ("rows", "folded", "windows"))
    block = header.get("block")
    if type(block) is not list or any(type(i) is not int or not 0 <= i < rows for i in block):
        raise ValueError(f"packed tallies: bad frontier rows {block!r}")
    area = view[end:]
    frontier = (windows, _instants([header.get("latest")])[0], tuple(block))
    sections = _sections(header, area, folded)
    return Stored(area, sections, rows=rows, folded=folded, frontier=frontier)
