"""A log as a pandas ``DataFrame`` (one row per record) and as Parquet. Needs the pandas extra.

Columns, in this order:

- the record: ``position``, ``stream``, ``version`` (in its stream), ``recorded_at``,
  ``hash``;
- the event's envelope: ``type`` (the tag), ``type_version``, ``event_id`` (text),
  ``headline`` (:meth:`~timeline.Event.headline`);
- the fields every event has: ``occurred_at``, ``occurred_until``, ``time_precision``,
  ``zone`` (the event's zone, or empty for an event written before events kept theirs),
  ``local_date`` (the event's date: its local date in its zone, a ``datetime.date``,
  Arrow ``date32`` in Parquet, so a day-level group-by needs no thought), ``local_time``
  (ISO-8601 text on the event's clock with its offset, ``"2025-05-31T19:30+03:00"``, at its
  precision; a day-precision event's is its date), ``claimed_by``, ``summary``, ``actors`` and ``tags`` (lists of names), ``location.name``,
  ``location.country``, ``location.admin1``, ``location.latitude``, ``location.longitude``,
  and ``sources`` (a list of mappings: name, url, published_at as text, reliability,
  credibility);
- each field of the event's own type, prefixed ``data.``: ``data.launched``,
  ``data.weapon``... A list of counts per item or per party becomes one column per item
  (``data.equipment.aircraft``, ``data.released.Ukraine``); a list of names stays a list;
  a mapping (a correction's ``changes``) is JSON text; an id is text; an instant is a
  timestamp.

**Formulas.** A spreadsheet opening a CSV (or a Parquet file, through its import) runs a
text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula
(``=cmd|' /C calc'!A0``). The file exports (``"csv"``, ``"parquet"``) therefore write such a
text with a leading ``'``, as spreadsheets themselves do to show text; numbers, times and
every other cell are untouched, and the texts inside a list or a mapping are treated alike.
``formula_safe=False`` writes the texts exactly as stored. :func:`to_pandas` gives the exact
texts by default (a frame is data, not a document: ``docs/decisions.md``), and neutralises
them on request with the same argument.

Every instant is a ``datetime64[ns, UTC]`` column (``datetime64[us, UTC]`` for a column
holding an instant nanoseconds cannot: before 1677 or after 2262); whole numbers are pandas' nullable
``Int64`` (an unknown figure is ``<NA>``, never 0 or NaN); true/false fields are nullable
``boolean``.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import os
import types
import typing
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO, Final, TypedDict, Unpack

import attrs
import orjson

from timeline.errors import TimelineError
from timeline.events import Event
from timeline.io._files import display_path
from timeline.io._formulas import FORMULA_PREFIXES, neutralise, neutralise_column
from timeline.io._output import atomic_output
from timeline.io._pipeline import PROGRESS_EVERY, Progress
from timeline.io.report import ExportReport
from timeline.log import EventLog, Recorded
from timeline.projections.replay import replay_records
from timeline.time import TimePrecision, isoformat, local_day, local_iso, parse_utc

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped]  # pandas ships no type stubs, and pandas-stubs is not a dependency
    from pendulum import DateTime

__all__ = [
    "CSV",
    "FORMAT",
    "FORMULA_PREFIXES",
    "FrameOptions",
    "export_csv",
    "export_parquet",
    "neutralise",
    "to_pandas",
]

FORMAT: Final = "parquet"
CSV: Final = "csv"
_BASE: Final = frozenset(a.name for a in attrs.fields(Event))
#: Each field of a location, and the kind of its column.
_LOCATION: Final = {
    "name": "text",
    "country": "text",
    "admin1": "text",
    "latitude": "float",
    "longitude": "float",
}
#: Each field of a location, and its column.
_LOCATION_COLUMNS: Final = tuple((key, f"location.{key}") for key in _LOCATION)
_COUNTED: Final = {"item", "party"}  # ItemCount, PartyCount: one column per item or party
_LEADING: Final = (
    "position",
    "stream",
    "version",
    "recorded_at",
    "hash",
    "type",
    "type_version",
    "event_id",
    "headline",
    "occurred_at",
    "occurred_until",
    "time_precision",
    "zone",
    "local_date",
    "local_time",
    "claimed_by",
    "summary",
    "actors",
    "tags",
    *(column for _, column in _LOCATION_COLUMNS),
    "sources",
)
#: The kind of each leading column: texts (and lists of them, nothing to tell from their
#: values) unless said otherwise.
_DECLARED: Final = {
    **dict.fromkeys(_LEADING, "text"),
    "recorded_at": "time",
    "occurred_at": "time",
    "occurred_until": "time",
    "position": "int",
    "version": "int",
    "type_version": "int",
    "local_date": "date",
    **{column: _LOCATION[key] for key, column in _LOCATION_COLUMNS},
}
_SCALARS: Final[dict[type, str]] = {bool: "bool", int: "int", float: "float"}
#: The kinds of column that hold no text, left alone by the formula neutralisation.
_NOT_TEXT: Final = frozenset({"time", "date", "int", "bool", "float"})
#: How many events' times a frame keeps the local columns of (see :func:`to_pandas`).
_TIMES_KEPT: Final = 4096


def _pandas() -> Any:
    try:
        import pandas as pd  # noqa: PLC0415  # the pandas extra is optional: imported when used
    except ImportError as e:
        raise TimelineError(
            "timeline.io needs pandas for DataFrames and Parquet: "
            "pip install 'conflict-timeline[pandas]'"
        ) from e
    return pd


def _kind_of(hint: Any) -> str | None:
    """``"time"``, ``"int"``, ``"float"`` or ``"bool"`` for such a type (or it or None)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) != 1:
            return None
        hint = args[0]
    if not isinstance(hint, type):
        return None
    if issubclass(hint, dt.datetime):
        return "time"
    return _SCALARS.get(hint)


def _declared_kinds(cls: type[Event]) -> dict[str, str]:
    """The ``data.`` columns of an event type whose kind its annotations tell.

    So that a column keeps its type even when every value in it is unknown.
    """
    try:
        hints = typing.get_type_hints(cls)
    except (NameError, TypeError):  # an annotation that cannot be resolved: go by the values
        return {}
    kinds = {}
    for a in attrs.fields(cls):
        kind = _kind_of(hints.get(a.name))
        if a.name not in _BASE and kind is not None:
            kinds[f"data.{a.name}"] = kind
    return kinds


def _counted(value: list[Any]) -> str | None:
    """The key of a list of ``{"item"|"party": ..., "count": ...}`` mappings, or ``None``."""
    if not value or not isinstance(value[0], dict):
        return None
    keys: set[str] = set(value[0])
    found = keys & _COUNTED
    if len(keys) == 2 and "count" in keys and found:  # noqa: PLR2004  # a name and a count
        return found.pop()
    return None


class _Columns:
    """Column lists grown row by row; a column first seen late is padded with ``None``."""

    def __init__(self) -> None:
        self.data: dict[str, list[Any]] = {name: [] for name in _LEADING}
        self.kinds: dict[str, str] = dict(_DECLARED)
        self.rows = 0

    def add(self, row: dict[str, Any]) -> None:
        data, n = self.data, self.rows
        for name, value in row.items():
            column = data.get(name)
            if column is None:
                column = data[name] = [None] * n
            column.append(value)
        self.rows = n + 1
        if len(row) < len(data):  # columns this row has no value for: padded
            for column in data.values():
                if len(column) == n:
                    column.append(None)


def _local_columns(occurred_at: str, zone: str | None, precision: str) -> tuple[dt.date, str]:
    """The ``local_date`` and ``local_time`` of an event (see the module).

    From its ``to_dict`` values: ``occurred_at`` as the codec writes it, its ``zone`` and its
    ``time_precision``; all plain text, so that a cache of this function hashes its
    arguments at little cost.
    """
    at, exact = parse_utc(occurred_at, field="occurred_at"), TimePrecision(precision)
    return local_day(at, exact, zone), local_iso(at, zone, exact)


def _row(
    record: Recorded,
    d: dict[str, Any],
    local: Callable[[str, str | None, str], tuple[dt.date, str]] = _local_columns,
) -> dict[str, Any]:
    """A record's row: its columns and values (``d`` is its event's ``to_dict``).

    ``local`` gives the event's ``local_date`` and ``local_time`` (:func:`_local_columns`).
    """
    event = record.event
    location = d["location"] or {}
    day, local_time = local(d["occurred_at"], event.zone, d["time_precision"])
    row: dict[str, Any] = {
        "position": record.position,
        "stream": record.stream,
        "version": record.version,
        "recorded_at": isoformat(record.recorded_at),
        "hash": record.hash,
        "type": d["type"],
        "type_version": d["version"],
        "event_id": d["event_id"],
        "headline": event.headline(),
        "occurred_at": d["occurred_at"],
        "occurred_until": d["occurred_until"],
        "time_precision": d["time_precision"],
        "zone": event.zone,
        "local_date": day,
        "local_time": local_time,
        "claimed_by": d["claimed_by"],
        "summary": d["summary"],
        "actors": list(d["actors"]),
        "tags": list(d["tags"]),
        "sources": d["sources"],
    }
    for key, column in _LOCATION_COLUMNS:
        row[column] = location.get(key)
    for name, value in d.items():
        if name in _BASE or name in ("type", "version"):
            continue
        column = f"data.{name}"
        if isinstance(value, (list, tuple)):  # to_dict leaves lists of names as tuples
            value = list(value)  # noqa: PLW2901  # one shape for the checks below
            counted = _counted(value)
            if counted is not None:
                for entry in value:
                    row[f"{column}.{entry[counted]}"] = entry["count"]
                continue
            if all(isinstance(v, str) for v in value):
                row[column] = value
                continue
            row[column] = orjson.dumps(value).decode()
        elif isinstance(value, dict):
            row[column] = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
        else:
            row[column] = value
    return row


def _records(
    log: EventLog, *, resolved: bool, as_of: DateTime | None, known_at: DateTime | None
) -> Iterator[Recorded]:
    if resolved:
        return replay_records(log, as_of=as_of, known_at=known_at, order="recorded")
    if as_of is not None or known_at is not None:
        raise TimelineError("as_of and known_at need resolved=True (the view replay gives)")
    return log.read()


def _column(pandas: Any, kind: str | None, values: list[Any]) -> Any:  # noqa: PLR0911  # one per kind
    """One column with the dtype its kind (declared, or seen in its values) calls for."""
    if kind is None:
        seen = {type(v) for v in values if v is not None}
        kind = (
            "int"
            if seen == {int}
            else "bool"
            if seen == {bool}
            else "float"
            if seen and seen <= {int, float}
            else None
        )
    if kind == "time":
        stamps = pandas.to_datetime(pandas.Series(values, dtype=object), utc=True, format="ISO8601")
        try:
            return stamps.astype("datetime64[ns, UTC]")
        except pandas.errors.OutOfBoundsDatetime:  # before 1677 or after 2262: microseconds
            return stamps.astype("datetime64[us, UTC]")
    if kind == "date":  # datetime.date objects: Arrow's date32 in Parquet
        return pandas.Series(values, dtype=object)
    if kind == "int":
        return pandas.array(values, dtype="Int64")
    if kind == "bool":
        return pandas.array(values, dtype="boolean")
    if kind == "float":
        return pandas.array([float("nan") if v is None else v for v in values], dtype="float64")
    return pandas.Series(values, dtype=object)


def _frame(columns: _Columns, *, formula_safe: bool) -> pd.DataFrame:
    pandas = _pandas()
    kinds = columns.kinds
    data = columns.data
    if formula_safe:  # only columns of texts (and lists of them): numbers and times are kept
        data = {
            name: values if kinds.get(name) in _NOT_TEXT else neutralise_column(values)
            for name, values in data.items()
        }
    return pandas.DataFrame(
        {name: _column(pandas, kinds.get(name), values) for name, values in data.items()}
    )


def to_pandas(
    log: EventLog,
    *,
    resolved: bool = False,
    as_of: DateTime | None = None,
    known_at: DateTime | None = None,
    progress: Progress | None = None,
    formula_safe: bool = False,
) -> pd.DataFrame:
    """The log as a DataFrame, one row per record (see the module for the columns).

    Args:
        log: the log.
        resolved: give the events as a projection sees them (corrections applied,
            retracted events and the meta events left out: :func:`~timeline.replay`'s view)
            instead of every record as stored.
        as_of: with ``resolved``, only events that had happened by then.
        known_at: with ``resolved``, only what the log had recorded by then.
        progress: called with (records done, records in all).
        formula_safe: prefix ``'`` to every text a spreadsheet would run as a formula (see
            the module); off by default here, on for the file exports.

    Raises:
        TimelineError: if pandas is not installed (the ``pandas`` extra).

    >>> import pendulum, timeline as tl
    >>> log = tl.open_log("memory:")
    >>> _ = log.append([tl.DroneBarrage(occurred_at=pendulum.datetime(2025, 5, 31, 16, 30),
    ...                                 attacker="Russia", launched=472)], stream="air")
    >>> df = tl.io.to_pandas(log)
    >>> df.loc[0, "data.launched"], str(df["occurred_at"].dtype)
    (np.int64(472), 'datetime64[ns, UTC]')
    """
    _pandas()
    columns = _Columns()
    to_dict = log.codec.to_dict
    seen: set[type[Event]] = set()
    # Events reported together share their time, zone and precision (the models of one
    # night's barrage, the reports of a day), and the zone conversion behind the local
    # columns is the costly part of a row: it is worked out once for them.
    local = functools.lru_cache(maxsize=_TIMES_KEPT)(_local_columns)
    total = len(log)
    for record in _records(log, resolved=resolved, as_of=as_of, known_at=known_at):
        cls = type(record.event)
        if cls not in seen:
            seen.add(cls)
            columns.kinds.update(_declared_kinds(cls))
        columns.add(_row(record, to_dict(record.event), local))
        if progress is not None and columns.rows % PROGRESS_EVERY == 0:
            progress(columns.rows, total)
    if progress is not None:
        progress(columns.rows, columns.rows)
    return _frame(columns, formula_safe=formula_safe)


class FrameOptions(TypedDict, total=False):
    """The options of the file exports: :func:`to_pandas`'s, with ``formula_safe`` on."""

    resolved: bool
    as_of: DateTime | None
    known_at: DateTime | None
    formula_safe: bool


def export_parquet(
    log: EventLog,
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    **options: Unpack[FrameOptions],
) -> ExportReport:
    """Write :func:`to_pandas` of the log as a Parquet file (pyarrow).

    Use :func:`timeline.io.export_file` (``format="parquet"``). ``options`` are
    :func:`to_pandas`'s (``resolved``, ``as_of``, ``known_at``, ``formula_safe``), but texts
    a spreadsheet would run as formulas are prefixed ``'`` unless ``formula_safe=False`` (see
    the module).

    Raises:
        TimelineError: if pandas or pyarrow is not installed (the ``pandas`` extra).
    """
    return _export_frame(_PARQUET, log, path, progress, options)


def export_csv(
    log: EventLog,
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    **options: Unpack[FrameOptions],
) -> ExportReport:
    """Write :func:`to_pandas` of the log as a UTF-8 CSV file, one row per record.

    Use :func:`timeline.io.export_file` (``format="csv"``). The columns are the frame's;
    a list or a mapping is written as JSON text, an instant as RFC 3339 text in UTC, an
    unknown value as an empty cell. ``options`` are those of :func:`export_parquet`: texts a
    spreadsheet would run as formulas are prefixed ``'`` unless ``formula_safe=False``.

    Raises:
        TimelineError: if pandas is not installed (the ``pandas`` extra).
    """
    return _export_frame(_CSV, log, path, progress, options)


@attrs.frozen
class _FrameFile:
    """How a frame becomes a file: made ready (a check, a conversion), then written."""

    format: str
    ready: Callable[[pd.DataFrame], pd.DataFrame]
    write: Callable[[pd.DataFrame, BinaryIO], None]


def _export_frame(
    kind: _FrameFile,
    log: EventLog,
    path: str | os.PathLike[str],
    progress: Progress | None,
    options: FrameOptions,
) -> ExportReport:
    """The file exports: the whole frame first, then written whole or not at all."""
    text = display_path(path)
    safe: FrameOptions = {"formula_safe": True, **options}
    frame = kind.ready(to_pandas(log, progress=progress, **safe))
    with atomic_output(text) as out:
        kind.write(frame, out)
    return ExportReport(format=kind.format, path=text, records=len(frame))


def _parquet_ready(frame: pd.DataFrame) -> pd.DataFrame:
    if importlib.util.find_spec("pyarrow") is None:
        raise TimelineError("Parquet needs pyarrow: pip install 'conflict-timeline[pandas]'")
    return frame


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    for name in frame.columns:
        if frame[name].dtype == object:
            frame[name] = frame[name].map(_csv_text)
    return frame


_PARQUET: Final = _FrameFile(
    FORMAT, _parquet_ready, lambda frame, out: frame.to_parquet(out, engine="pyarrow", index=False)
)
_CSV: Final = _FrameFile(
    CSV,
    _csv_ready,
    lambda frame, out: frame.to_csv(out, index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ"),
)


def _csv_text(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return orjson.dumps(value).decode()  # starts with [ or {: never a formula
    return value


#: Hook for the command line's ``--format csv`` (the export's leading columns and rows).
COLUMNS, flat_row = _LEADING, _row
