"""A CSV data set read row by row into events: what the CSV importers share.

Private to :mod:`timeline.io`.
"""

from __future__ import annotations

import math
import re
import types
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

import attrs

from timeline.errors import InvalidEvent
from timeline.events import CasualtyReport, Location, Source
from timeline.io._dates import DAY_FIRST, DayReader
from timeline.io._files import (
    CsvFile,
    FileScan,
    Opener,
    file_error,
    scan,
    sniff_delimiter,
    zip_member,
)
from timeline.io._pipeline import Progress, Reconciler, Row, run_rows, stable_id
from timeline.io._times import LocalTime, LocalTimes
from timeline.io._xlsx import XlsxFile
from timeline.io.report import Importer, Issue, ReportBuilder
from timeline.io.zones import country_zone

if TYPE_CHECKING:
    from timeline.log import EventLog

__all__ = [
    "CsvDataset",
    "CsvSource",
    "DatedRow",
    "DatedRows",
    "Fields",
    "RowBuilder",
    "coordinate",
    "csv_importer",
    "import_csv",
    "named_sources",
    "place",
    "refused",
    "split_names",
]


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


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return types.MappingProxyType(dict(mapping))


@attrs.frozen
class CsvDataset:
    """What a CSV importer knows of its data set before reading a file.

    Attributes:
        format: the import format's name (``"acled"``), the default stream.
        tag: the tag of the corrections its re-imports append (``"import:acled"``).
        name: the data set's name, for messages (``"UCDP GED"``).
        required: columns without which the file is not that data set.
        known: every column the data set defines (others are noted in a warning).
        aliases: other names of columns (lower-case), and the name each stands for
            (``{"ally_actor_1": "assoc_actor_1"}``).
        sniff: read files as found in the wild: column names matched without regard to
            case or surrounding spaces, then through ``aliases``; the delimiter (comma,
            semicolon, tab) and the encoding (UTF-8, else Windows-1252 or Latin-1) detected;
            ``.xlsx`` workbooks and ``.zip`` archives of one CSV file read. Off, a file
            must be a comma-separated UTF-8 CSV file with the data set's column names.
    """

    format: str
    tag: str
    name: str
    required: Collection[str]
    known: Collection[str]
    aliases: Mapping[str, str] = attrs.field(default=types.MappingProxyType({}), converter=_frozen)
    sniff: bool = False

    def column(self, name: str) -> str:
        """The data set's name for a header's column: ``" EVENT_DATE"`` gives ``"event_date"``."""
        if not self.sniff:
            return name
        folded = name.strip().lstrip("\ufeff").strip().lower()
        return self.aliases.get(folded, folded)


#: A pandas index saved with a frame: a first column without a name (or ``Unnamed: 0``).
_INDEX_COLUMN: Final = re.compile(r"(unnamed: ?0)?", re.IGNORECASE)
#: The rows checked for an HXL hashtag row (HDX's files carry one under the header).
_HXL_ROWS: Final = 2
_HXL: Final = "an HXL hashtag row (#date, #country+name...), not data: skipped"


def _hxl_row(values: Iterable[str]) -> bool:
    """Whether a row is an HXL hashtag row: every non-empty cell a ``#tag``."""
    found = False
    for value in values:
        text = value.strip()
        if text:
            if not text.startswith("#") or " " in text:
                return False
            found = True
    return found


class CsvSource:
    """A CSV file of one data set, as rows of events (a row source for the pipeline).

    Args:
        path: the file.
        dataset: what the file should hold.
        builder: makes a fresh :class:`RowBuilder` for each pass over the file, given the
            header's column index.

    Raises:
        InvalidData: for a file that cannot be read as text in the encodings allowed (UTF-8,
            or, where the data set sniffs, Windows-1252 and Latin-1) or as a workbook, a zip
            archive that does not hold one CSV file, or a file that lacks a required column.
        MissingExtra: for an ``.xlsx`` file without openpyxl (the ``xlsx`` extra).
    """

    def __init__(
        self,
        path: str,
        dataset: CsvDataset,
        *,
        builder: Callable[[dict[str, int]], RowBuilder],
    ) -> None:
        self.path = path
        self.dataset = dataset
        name, required = dataset.name, dataset.required
        self.make_builder = builder
        suffix = Path(path).suffix.lower() if dataset.sniff else ""
        self.xlsx = suffix in {".xlsx", ".xlsm"}
        self.opener: Opener | None = None
        self.delimiter = ","
        self.scanned = FileScan(lines=0, utf8=True, ends_with_newline=True)
        member = None
        if suffix == ".xls":
            raise file_error(
                path,
                suffix,
                "an Excel 97-2003 workbook (.xls) cannot be read: save it as .xlsx or CSV",
            )
        if not self.xlsx:
            if suffix == ".zip":
                member, self.opener = zip_member(path)
            self.scanned = scan(path, opener=self.opener, detect=dataset.sniff)
            if dataset.sniff:
                self.delimiter = sniff_delimiter(self.scanned)
        probe = self._open()
        probe.close()
        self.header = probe.header
        #: What the file was read as, for the report ("CSV: Windows-1252, comma-delimited").
        self.read_as = ""
        if self.xlsx:
            self.read_as = f"XLSX (sheet {getattr(probe, 'sheet', '')!r})"
        else:
            shown = {",": "comma", ";": "semicolon", "\t": "tab"}[self.delimiter]
            within = f" in {member}" if member else ""
            self.read_as = f"CSV{within}: {self.scanned.encoding_name}, {shown}-delimited"
        #: The file's columns, by the data set's names (a pandas index column left out).
        self.index: dict[str, int] = {}
        #: Notes about the whole file (unknown columns, a last row that may be cut short).
        self.file_warnings: list[Issue] = []
        self._match_columns()
        missing = [c for c in required if c not in self.index]
        if missing:
            raise file_error(
                path,
                missing,
                f"not a {name} file: no column {', '.join(map(repr, missing))} "
                f"(it has {', '.join(self.header)})",
            )
        if self.scanned.encoding not in {"utf-8", "utf-8-sig"}:
            self.file_warnings.insert(
                0,
                Issue(
                    row=None,
                    column=None,
                    value=self.scanned.encoding_name,
                    reason="the file is not UTF-8 and holds no UTF-8 character: read as "
                    f"{self.scanned.encoding_name}",
                ),
            )
        self.total: int | None = probe.total

    def _match_columns(self) -> None:
        """Fill in :attr:`index`, noting the columns left out in :attr:`file_warnings`."""
        dataset = self.dataset
        for i, column in enumerate(self.header):
            if i == 0 and dataset.sniff and _INDEX_COLUMN.fullmatch(column.strip()):
                continue
            canonical = dataset.column(column)
            if canonical in self.index:
                first = self.header[self.index[canonical]]
                reason = f"the same column as {first!r}: ignored"
            elif canonical in dataset.known:
                self.index[canonical] = i
                continue
            else:
                reason = f"not a {dataset.name} column: ignored"
            self.file_warnings.append(Issue(row=None, column=column, value=None, reason=reason))

    def _open(self) -> CsvFile | XlsxFile:
        if self.xlsx:
            return XlsxFile(self.path)
        return CsvFile(self.path, self.scanned, delimiter=self.delimiter, opener=self.opener)

    def records(self) -> Iterator[tuple[int, list[str] | Issue]]:
        """Each data row's number and values (or why it cannot be read), from the start."""
        yield from self._open()

    def column_values(self, column: str) -> Iterator[str]:
        """One column's values, row by row from the start (rows that cannot be read left out).

        For a look-ahead over the file before its rows are built (the order of day and
        month in its dates).
        """
        i = self.index.get(column)
        if i is None:
            return
        for _, values in self.records():
            if not isinstance(values, Issue):
                yield values[i].strip()

    def rows(self) -> Iterator[Row]:
        """Every data row, read from the start of the file."""
        index = self.index
        builder = self.make_builder(index)
        last = 0
        for number, values in self.records():
            last = number
            if isinstance(values, Issue):
                yield Row(number, problem=values)
            elif number <= _HXL_ROWS and self.dataset.sniff and _hxl_row(values):
                note = Issue(row=number, column=None, value=values[0], reason=_HXL)
                yield Row(number, warnings=(note,), skipped=True)
            else:
                yield builder.build(number, Fields(index, values))
        notes = getattr(builder, "file_notes", None)
        if notes is not None:
            self.file_warnings.extend(n for n in notes() if n not in self.file_warnings)
        order = getattr(getattr(builder, "days", None), "order", None)
        if order is not None and "dates" not in self.read_as:
            self.read_as += f", dates {order}"
        if last and not self.scanned.ends_with_newline:
            note = Issue(row=last, column=None, value=None, reason=_CUT_SHORT)
            if note not in self.file_warnings:
                self.file_warnings.append(note)


@attrs.frozen
class Spot:
    """Where a row of a daily data set is: its coordinates (``None`` if not given), its zone."""

    latitude: float | None
    longitude: float | None
    zone: str


@attrs.frozen
class DatedRow:
    """What a row of a daily data set is read for first: its id, where it is, its day.

    Attributes:
        key: the row's own event id (its stable id is made from it).
        spot: where it is, and the zone of its dates.
        day: its (first) local day.
        warnings: what was noted while reading the row, to which its reader adds.
    """

    key: str
    spot: Spot
    day: LocalTime
    warnings: list[Issue]


class DatedRows:
    """Where the row builders of the daily data sets (ACLED, UCDP GED) start.

    Each row's date is a local calendar day, read in the zone of the row's country
    (:func:`~timeline.io.zones.country_zone`), or in ``zone`` for every row when it is
    given.

    Args:
        index: the file's columns, by name.
        zone: the zone of every row's date, or ``None`` for each row's country's.
        survey: the file's dates from its start, for the order of day and month in its
            numeric dates (see :mod:`~timeline.io._dates`).

    Attributes:
        index: the file's columns, by name.
        days: reads the file's dates, in whatever form, into ISO dates.
        counts: what :func:`~timeline.io._times.parse_count` keeps of the figures read.
    """

    def __init__(
        self,
        index: dict[str, int],
        zone: str | None,
        *,
        survey: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        self.index = index
        self.zone = zone
        self.days = DayReader(survey)
        self.counts: dict[str, int] = {}
        self._times: dict[str, LocalTimes] = {}
        self._unknown: set[str] = set()
        if zone is not None:
            self.times_in(zone)

    def times_in(self, zone: str) -> LocalTimes:
        """Reads times in ``zone`` (one reader per zone, kept).

        Raises:
            InvalidArgument: for an unknown zone.
        """
        found = self._times.get(zone)
        if found is None:
            found = self._times[zone] = LocalTimes(zone)
        return found

    def zone_of(
        self,
        row: int,
        country: str,
        iso: str,
        *,
        latitude: float | None,
        longitude: float | None,
        warnings: list[Issue],
    ) -> str:
        """The zone of a row's date: the forced one, or its country's (``"UTC"`` if unknown).

        A country not found is noted in ``warnings`` the first time it is met.
        """
        if self.zone is not None:
            return self.zone
        found = country_zone(
            country or None, iso=iso or None, latitude=latitude, longitude=longitude
        )
        if found is not None:
            return found
        name = country or iso
        if name not in self._unknown:
            self._unknown.add(name)
            warnings.append(
                Issue(
                    row,
                    "country",
                    name,
                    "no time zone known for this country: its dates are read in UTC "
                    "(give zone= to read the file in one zone)",
                )
            )
        return "UTC"

    def build(self, row: int, f: Fields) -> Row:
        """The events of row ``row``, or its refusal: each data set's builder reads its own."""
        raise NotImplementedError

    def locate(self, row: int, f: Fields, iso: str, warnings: list[Issue]) -> Spot | Row:
        """Where row ``row`` is (its ``latitude`` and ``longitude``) and the zone of its date.

        ``iso`` is its country's code, when the file has one. A row whose coordinate is not a
        number comes back refused, as the :class:`Row` to return.
        """
        read: list[float | None] = []
        for column in ("latitude", "longitude"):
            try:
                read.append(coordinate(f[column]))
            except ValueError as e:
                return Row.refuse(row, column, f[column], f"not a coordinate: {e}")
        latitude, longitude = read
        zone = self.zone_of(
            row, f["country"], iso, latitude=latitude, longitude=longitude, warnings=warnings
        )
        return Spot(latitude, longitude, zone)

    def day(self, text: str, zone: str) -> LocalTime:
        """The local day ``text`` gives (in any form :class:`DayReader` reads), in ``zone``.

        Raises:
            ValueError: with the reason, for text that is not a date.
        """
        return self.times_in(zone).parse_date(self.days.iso(text))

    def day_in(self, row: int, f: Fields, column: str, zone: str) -> LocalTime | Row:
        """The local day in ``column`` of row ``row``; an unreadable one refuses the row."""
        try:
            return self.day(f[column], zone)
        except ValueError as e:
            return Row.refuse(row, column, f[column], f"unreadable date: {e}")

    def begin(self, row: int, f: Fields, *, key: str, iso: str, date: str) -> DatedRow | Row:
        """Read row ``row``'s id (column ``key``), place and day (column ``date``).

        ``iso`` is its country's code, when the file has one. A row without an id, with a
        coordinate that is not a number or a date that cannot be read comes back refused, as
        the :class:`Row` to return.
        """
        if not f[key]:
            return Row.refuse(row, key, f[key], "no event id")
        warnings: list[Issue] = []
        spot = self.locate(row, f, iso, warnings)
        if isinstance(spot, Row):
            return spot
        day = self.day_in(row, f, date, spot.zone)
        if isinstance(day, Row):
            return day
        return DatedRow(f[key], spot, day, warnings)

    def casualty_row(
        self,
        row: int,
        start: DatedRow,
        dataset_format: str,
        where: tuple[str, str, str],
        column_of: Mapping[str, str],
        **fields: Any,
    ) -> Row:
        """Row ``row`` as one :class:`~timeline.events.CasualtyReport`, at ``start``'s place and day.

        Its id is the stable id of ``start.key`` in ``dataset_format`` (the import format's
        name); ``where`` is the place's name, first-level division and country as the row
        gives them; ``fields`` are the report's other fields. Where the validators refuse a
        field, the row is refused, naming the file's column (``column_of``, as for
        :func:`refused`).
        """
        spot = start.spot
        try:
            location = place(*where, spot.latitude, spot.longitude)
            event = CasualtyReport(
                event_id=stable_id(dataset_format, start.key),
                occurred_at=start.day.utc,
                location=location,
                zone=spot.zone,
                **fields,
            )
        except InvalidEvent as e:
            return refused(row, e, column_of)
        return Row(row, events=(event,), warnings=tuple(start.warnings))

    def file_notes(self) -> list[Issue]:
        """Notes about the whole file, once its rows are read: a day/month order assumed."""
        if not self.days.guessed:
            return []
        return [
            Issue(
                row=None,
                column=None,
                value=DAY_FIRST,
                reason="no numeric date in the file shows whether the day or the month comes "
                "first (none above 12): they were read day first",
            )
        ]


def dated_source(
    path: str, dataset: CsvDataset, builder: type[DatedRows], date_column: str, zone: str | None
) -> CsvSource:
    """The rows of a daily data set's file, built by ``builder`` (a :class:`DatedRows`).

    The numeric dates of ``date_column`` are surveyed, from the file's start, for the order
    of day and month; ``zone``, when given, is checked before the file is read.

    Raises:
        InvalidArgument: for an unknown ``zone``.
    """
    if zone is not None:
        LocalTimes(zone)  # an unknown zone is refused now, before the file is read

    def survey() -> Iterator[str]:
        return source.column_values(date_column)

    source = CsvSource(path, dataset, builder=lambda index: builder(index, zone, survey=survey))
    return source


def import_csv(
    log: EventLog, source: CsvSource, report: ReportBuilder, *, progress: Progress | None
) -> None:
    """Import one CSV file's rows into ``report``: what each CSV importer does.

    Rows go through :func:`~timeline.io._pipeline.run_rows` with a
    :class:`~timeline.io._pipeline.Reconciler` for the data set's tag; the file's own
    warnings (about its columns, or a last row cut short) come first in the report.
    """
    run_rows(
        log,
        source,
        report=report,
        reconciler=Reconciler(log, tag=source.dataset.tag),
        why=f"changed in {Path(source.path).name}",
        progress=progress,
    )
    report.warnings[:0] = source.file_warnings
    report.read_as = source.read_as


def csv_importer(source: Callable[..., CsvSource]) -> Importer:
    """The importer of a CSV data set: its row source's rows through :func:`import_csv`.

    ``options`` (given to :func:`timeline.io.import_file`) go to ``source``.
    """

    def import_rows(
        log: EventLog, report: ReportBuilder, *, progress: Progress | None, **options: Any
    ) -> None:
        import_csv(log, source(report.path, **options), report, progress=progress)

    import_rows.__doc__ = f"Import the rows of :func:`{source.__name__}`; see ``import_file``."
    return import_rows


def refused(row: int, error: InvalidEvent, column_of: Mapping[str, str]) -> Row:
    """A row whose event the validators refused: the problem names the file's column.

    ``column_of`` maps an event's field to the column it is read from, where they differ.
    """
    column = column_of.get(error.field, error.field)
    return Row.refuse(row, column, error.value, str(error))


def split_names(text: str, sep: str = ";") -> tuple[str, ...]:
    """Split names on ``sep``: ``"A; B;; A"`` gives ``("A", "B")`` (no empties, no repeats)."""
    if not text:
        return ()
    return tuple(dict.fromkeys(p.strip() for p in text.split(sep) if p.strip()))


def named_sources(text: str) -> tuple[Source, ...]:
    """The sources a cell names, by name alone: ``"Reuters; AP"`` gives two.

    >>> [s.name for s in named_sources("Reuters; AP;; Reuters")]
    ['Reuters', 'AP']
    """
    return tuple(Source(name=n) for n in split_names(text))


def coordinate(text: str) -> float | None:
    """A latitude or longitude; ``None`` for an empty cell.

    A decimal comma (``36,61954``, as a spreadsheet in a European locale saves it) is read
    as a decimal point.

    >>> coordinate("36.61954"), coordinate("36,61954"), coordinate("")
    (36.61954, 36.61954, None)

    Raises:
        ValueError: for text that is not a finite number.
    """
    if not text:
        return None
    if "," in text and "." not in text and text.count(",") == 1:
        text = text.replace(",", ".")
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
