"""Real data in and out: importers for public conflict data sets, and exporters.

>>> import timeline as tl
>>> log = tl.open_log("memory:")
>>> report = tl.io.import_file(log, "missile-attacks", "missile_attacks_daily.csv")  # doctest: +SKIP
>>> report.added, report.unchanged, report.corrected, report.warnings, report.problems  # doctest: +SKIP
>>> tl.io.export_file(log, "cloudevents", "out.json")  # doctest: +SKIP

Import formats (:data:`IMPORT_FORMATS`):

======================  =======================================================================
``"missile-attacks"``   the daily Air Force reports of massive missile and drone attacks
                        (:mod:`~timeline.io.missile_attacks`)
``"ru-losses"``         Russian losses claimed by Ukraine's General Staff, current files or
                        their revision history (:mod:`~timeline.io.ru_losses`)
``"ucdp-ged"``          UCDP Georeferenced Event Dataset, 19.1 to the current version and the
                        Candidate releases (:mod:`~timeline.io.ucdp`); ``"ucdp"`` is an alias
``"acled"``             ACLED, every published layout: API exports, regional files,
                        spreadsheet re-saves, ``.xlsx``, ``.zip`` (:mod:`~timeline.io.acled`)
``"gdelt"``             GDELT 1.0 or 2.0 events file, plain or zipped (:mod:`~timeline.io.gdelt`)
``"cloudevents"``       a CloudEvents 1.0 JSON batch, as exported (:mod:`~timeline.io.cloudevents`)
``"jsonl"``             a timeline JSON-lines log file, as exported (:mod:`~timeline.io.jsonl`)
======================  =======================================================================

Export formats (:data:`EXPORT_FORMATS`): ``"cloudevents"``, ``"jsonl"``, ``"parquet"`` and
``"csv"`` (:mod:`~timeline.io.pandas`, the pandas extra; texts a spreadsheet would run as
formulas are prefixed ``'`` unless ``formula_safe=False``), ``"timelinejs"``
(:mod:`~timeline.io.timelinejs`). CAMEO codes and the Goldstein scale are in
:mod:`~timeline.io.cameo`. ``docs/importers.md`` says what each importer maps and drops.

Every importer gives each source row a stable event id, so importing a file twice adds
nothing, and a newer edition of a file adds what is new and corrects (with a
:class:`~timeline.Correction`) what changed. An empty figure is unknown (``None``, noted in
``report.warnings``), never zero; a row that cannot be read as an event is skipped and listed
in ``report.problems`` with its row, column, value and reason, or, with ``strict=True``,
raised as :class:`~timeline.errors.InvalidData` before anything is appended.
"""

from __future__ import annotations

import os
import types
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

from timeline.errors import InvalidArgument, MissingFile
from timeline.io import cameo
from timeline.io._files import display_path
from timeline.io._guess import guess_from_content
from timeline.io._pipeline import Progress
from timeline.io.acled import import_acled
from timeline.io.cloudevents import export_cloudevents, import_cloudevents
from timeline.io.gdelt import import_gdelt
from timeline.io.jsonl import export_jsonl, import_jsonl
from timeline.io.missile_attacks import import_missile_attacks
from timeline.io.pandas import export_csv, export_parquet, to_pandas
from timeline.io.report import ExportReport, Importer, ImportReport, Issue, ReportBuilder
from timeline.io.ru_losses import import_ru_losses
from timeline.io.timelinejs import export_timelinejs
from timeline.io.ucdp import import_ucdp

if TYPE_CHECKING:
    from timeline.log import EventLog

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_ALIASES",
    "IMPORT_FORMATS",
    "ExportReport",
    "ImportReport",
    "Issue",
    "Progress",
    "cameo",
    "export_file",
    "guess_format",
    "import_file",
    "to_pandas",
]


#: Each import format's importer, and the stream it appends to unless told otherwise
#: (``""``: each record's own).
_IMPORTERS: Final[Mapping[str, tuple[Importer, str]]] = types.MappingProxyType(
    {
        "missile-attacks": (import_missile_attacks, "missile-attacks"),
        "ru-losses": (import_ru_losses, "ru-losses"),
        "ucdp-ged": (import_ucdp, "ucdp-ged"),
        "acled": (import_acled, "acled"),
        "gdelt": (import_gdelt, "gdelt"),
        "cloudevents": (import_cloudevents, ""),
        "jsonl": (import_jsonl, ""),
    }
)
_EXPORTERS: Final[Mapping[str, Callable[..., ExportReport]]] = types.MappingProxyType(
    {
        "cloudevents": export_cloudevents,
        "jsonl": export_jsonl,
        "parquet": export_parquet,
        "csv": export_csv,
        "timelinejs": export_timelinejs,
    }
)
_T = TypeVar("_T")

#: The formats :func:`import_file` reads.
IMPORT_FORMATS: Final = tuple(_IMPORTERS)
#: Other names :func:`import_file` takes for a format.
IMPORT_ALIASES: Final[Mapping[str, str]] = types.MappingProxyType({"ucdp": "ucdp-ged"})
#: The formats :func:`export_file` writes.
EXPORT_FORMATS: Final = tuple(_EXPORTERS)


def _choose(kind: str, format: str, table: Mapping[str, _T]) -> _T:  # noqa: A002  # the design's name
    found = table.get(format) if isinstance(format, str) else None
    if found is None:
        raise InvalidArgument(
            f"unknown {kind} format {format!r}; known: {', '.join(table)}",
            argument="format",
            value=format,
        )
    return found


def import_file(
    log: EventLog,
    format: str,  # noqa: A002  # the design's name
    path: str | os.PathLike[str],
    *,
    strict: bool = False,
    progress: Progress | None = None,
    stream: str | None = None,
    **options: Any,
) -> ImportReport:
    """Import a data set's file into a log.

    Args:
        log: the log to append to.
        format: one of :data:`IMPORT_FORMATS`.
        path: the file (for ``"ru-losses"``, also the data directory).
        strict: stop at the first row that cannot be read, raising
            :class:`~timeline.errors.InvalidData`, with nothing appended; by default such
            rows are skipped and listed in ``report.problems``.
        progress: called now and then with (rows done, rows in all): the total is an
            estimate, or ``None`` where unknown; the last call has done == total. For a
            progress bar (the CLI draws one); ``timeline.io`` draws nothing itself.
        stream: the stream to append to; by default the format's name (``"missile-attacks"``);
            for ``"cloudevents"`` and ``"jsonl"``, each record's own stream.
        options: the format's own options: ``zone=`` (the zone of the file's times:
            "Europe/Kyiv" for missile-attacks and ru-losses; for ucdp-ged and acled, each
            row's country's zone unless given: see :mod:`~timeline.io.zones`),
            ``kinds=`` (missile-attacks: more weapon models, ``{"Heavy UAV": "drone"}``),
            ``personnel=`` (ru-losses: the personnel file to merge, or ``False``).

    Returns:
        An :class:`ImportReport`: rows (``rows == imported + refused + skipped``), events
        (``added``, ``unchanged``, ``corrected``, ``retracted``), ``warnings`` and
        ``problems`` (each an :class:`Issue`: ``row``, ``column``, ``value``, ``reason``),
        ``read_as`` and ``exit_code`` (what ``timeline import`` exits with).

    Raises:
        InvalidArgument: for an unknown format or option value.
        InvalidData: for a file that cannot be read at all (the wrong encoding, not the data
            set named); in strict mode, for the first bad row.
        MissingFile: if there is no such file (a :class:`FileNotFoundError` too).
        OSError: if the file cannot be opened.
    """
    format = IMPORT_ALIASES.get(format, format) if isinstance(format, str) else format  # noqa: A001  # the design's name
    importer, own_stream = _choose("import", format, _IMPORTERS)
    if not Path(path).exists():
        shown = display_path(path)
        raise MissingFile(f"no such file to import as {format}: {shown}", path=shown)
    report = ReportBuilder(
        format=format, path=display_path(path), stream=stream or own_stream, strict=strict
    )
    importer(log, report, progress=progress, **options)
    return report.build()


def export_file(
    log: EventLog,
    format: str,  # noqa: A002  # the design's name
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    **options: Any,
) -> ExportReport:
    """Write a log to a file.

    Args:
        log: the log.
        format: one of :data:`EXPORT_FORMATS`.
        path: the file to write (replaced only once it is whole).
        progress: called now and then with (records done, records in all).
        options: the format's own options: for ``"timelinejs"``, ``title=``, ``text=``,
            ``group=`` ("stream", "actor", "claimant", "type"), ``zone=``, ``as_of=``,
            ``known_at=``; for ``"parquet"`` and ``"csv"``, ``resolved=``, ``as_of=``,
            ``known_at=``, ``formula_safe=`` (``True``: see :mod:`timeline.io.pandas`).

    Returns:
        An :class:`ExportReport`: ``format``, ``path``, ``records``.

    Raises:
        InvalidArgument: for an unknown format.
        TimelineError: for Parquet without the pandas extra.
    """
    exporter = _choose("export", format, _EXPORTERS)
    return exporter(log, path, progress=progress, **options)


# (what the lower-cased file name contains or ends with, the format), first match wins.
_IMPORT_NAMES: Final = (
    ("missile_attacks", "missile-attacks"),
    ("missile-attacks", "missile-attacks"),
    ("russia_losses", "ru-losses"),
    ("revisions", "ru-losses"),
    ("acled", "acled"),
    ("ged", "ucdp-ged"),
)
_IMPORT_SUFFIXES: Final = ((".jsonl", "jsonl"), (".json", "cloudevents"))
_EXPORT_SUFFIXES: Final = (
    (".parquet", "parquet"),
    (".csv", "csv"),
    (".jsonl", "jsonl"),
    (".ndjson", "jsonl"),
    ("timeline.json", "timelinejs"),
    ("timelinejs.json", "timelinejs"),
    (".json", "cloudevents"),
)


def guess_format(path: str | os.PathLike[str], *, export: bool = False) -> str | None:
    """The format a file suggests, or ``None`` (for the command line's convenience).

    To import, the file's content is looked at first (its header's columns, or, without a
    header, its shape: a GDELT events file), then its name. To export, its name.

    >>> guess_format("missile_attacks_daily.csv"), guess_format("revisions.jsonl.gz")
    ('missile-attacks', 'ru-losses')
    >>> guess_format("out.json", export=True), guess_format("timeline.json", export=True)
    ('cloudevents', 'timelinejs')
    """
    name = Path(path).name.lower()
    if export:
        return next((f for end, f in _EXPORT_SUFFIXES if name.endswith(end)), None)
    found = guess_from_content(os.fspath(path))
    if found is not None and found in _IMPORTERS:
        return found
    found = next((f for part, f in _IMPORT_NAMES if part in name), None)
    if found is not None:
        return found
    return next((f for end, f in _IMPORT_SUFFIXES if name.endswith(end)), None)
