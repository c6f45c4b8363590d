"""What an import or an export did: :class:`ImportReport`, :class:`ExportReport`, :class:`Issue`."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any, Final

import attrs

from timeline.errors import InvalidArgument, InvalidData
from timeline.events.fields import shown

__all__ = [
    "EXIT_CODES",
    "ExportReport",
    "ImportReport",
    "Importer",
    "Issue",
    "ReportBuilder",
    "exit_code_for",
]

#: The exit codes of ``timeline import``, and what each means (one table: the command's
#: help and ``docs/importers.md`` show it). :attr:`ImportReport.exit_code` gives 0, 3 or 4
#: for a finished import; :func:`exit_code_for` gives the code of an error.
EXIT_CODES: Final = types.MappingProxyType(
    {
        0: "every row was imported, or was already in the log (rows skipped by design, "
        "such as HXL tag rows, do not count)",
        1: "any other error (the log cannot be opened or written, the file cannot be read)",
        2: "a usage error: an unknown format, option or option value",
        3: "some rows were refused (listed in the report); the others were imported",
        4: "no row could be imported: every row was refused, the file holds no data row "
        "(an empty file included), or it is not the data set named",
    }
)


@attrs.frozen
class Issue:
    """One thing an importer noticed about one row: a problem (the row was skipped) or a warning.

    Attributes:
        row: the 1-based data row (the header not counted; for a JSON array, the element;
            for a revision history, the revision), or ``None`` for the whole file.
        column: the column (or field) at fault, where there is one.
        value: the value found there.
        reason: what is wrong with it, or what was done about it.
        line: the 1-based line of the file where the row starts, where it differs from the
            row and is known (an element of a JSON array).

    >>> str(Issue(row=3, column="launched", value="many", reason="not a number"))
    "row 3, column 'launched': 'many': not a number"
    >>> cut = Issue(row=3, column="data.launched", value=307.9, reason="not whole", line=4)
    >>> str(cut)
    "row 3 (line 4), column 'data.launched': 307.9: not whole"
    >>> cut
    Issue(row=3, column='data.launched', value=307.9, reason='not whole', line=4)
    """

    row: int | None
    column: str | None
    value: Any
    reason: str
    line: int | None = attrs.field(default=None, kw_only=True, repr=False)

    def __repr__(self) -> str:
        # attrs' repr, with the line only where there is one (most rows have none).
        fields = ", ".join(
            f"{a.name}={getattr(self, a.name)!r}"
            for a in attrs.fields(Issue)
            if a.name != "line" or self.line is not None
        )
        return f"Issue({fields})"

    def __str__(self) -> str:
        where = "file" if self.row is None else f"row {self.row}"
        if self.line is not None:
            where += f" (line {self.line})"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: {shown(self.value)}: {self.reason}"

    def error(self, path: str | None = None) -> InvalidData:
        """This issue as the error that strict mode raises."""
        return InvalidData(
            str(self) if path is None else f"{path}: {self}",
            row=self.row,
            column=self.column,
            value=self.value,
            reason=self.reason,
            path=path,
        )


@attrs.frozen
class ImportReport:
    """What :func:`timeline.io.import_file` did.

    Attributes:
        format: the format imported ("missile-attacks").
        path: the file read.
        stream: the stream the events went to.
        rows: how many data rows (records, revisions) were read, bad ones included:
            ``rows == imported + refused + skipped``.
        skipped: rows neither imported nor refused: rows that are not data (an HXL
            hashtag row) or that a filter of the import left out.
        added: how many new events were appended.
        unchanged: how many were already in the log, as the file gives them.
        corrected: how many events already in the log were corrected (one
            :class:`~timeline.Correction` each) because the file now gives other values.
        retracted: how many events were retracted because the file no longer holds them
            (only a revision history can tell).
        warnings: rows imported with something to note (an empty figure, an unknown
            weapon model).
        problems: rows refused because they cannot be read as an event (and problems
            with the whole file, whose ``row`` is ``None``).
        read_as: what the file was read as, where the importer tells
            (``"CSV: Windows-1252, semicolon-delimited"``, ``"XLSX (sheet 'Sheet1')"``).

    Rows and events are counted apart: a row gives one event or more (or none), and each
    event is added, unchanged or corrected.
    """

    format: str
    path: str
    stream: str
    rows: int = 0
    added: int = 0
    unchanged: int = 0
    corrected: int = 0
    retracted: int = 0
    warnings: tuple[Issue, ...] = ()
    problems: tuple[Issue, ...] = ()
    skipped: int = 0
    read_as: str = ""

    @property
    def ok(self) -> bool:
        """Whether every row could be read."""
        return not self.problems

    @property
    def refused(self) -> int:
        """How many rows were refused: the distinct rows that :attr:`problems` name."""
        return len({p.row for p in self.problems if p.row is not None})

    @property
    def imported(self) -> int:
        """How many rows were imported (their events added, unchanged or corrected)."""
        return self.rows - self.refused - self.skipped

    @property
    def exit_code(self) -> int:
        """The exit code of ``timeline import`` for this import (see :data:`EXIT_CODES`).

        4 when no row was imported (none read, or all refused or skipped); 3 when some rows
        were refused or the file has problems; otherwise 0.

        >>> ImportReport("acled", "a.csv", "acled", rows=2, added=2).exit_code
        0
        >>> ImportReport("acled", "a.csv", "acled").exit_code  # no data row
        4
        """
        if self.imported <= 0:
            return 4
        if self.problems:
            return 3
        return 0

    def summary(self) -> str:
        """One line for people.

        >>> empty = Issue(row=1, column="launched", value="", reason="unknown figure")
        >>> ImportReport("missile-attacks", "a.csv", "air", rows=1, added=1,
        ...              warnings=(empty,)).summary()
        '1 row: 1 added, 0 unchanged, 0 corrected, 0 retracted; 1 warning, 0 problems'
        """
        rows = _plural(self.rows, "row")
        if self.skipped or self.refused:
            rows += f" ({self.imported} imported, {self.refused} refused, {self.skipped} skipped)"
        return (
            f"{rows}: {self.added} added, {self.unchanged} unchanged, "
            f"{self.corrected} corrected, {self.retracted} retracted; "
            f"{_plural(len(self.warnings), 'warning')}, {_plural(len(self.problems), 'problem')}"
        )


def exit_code_for(error: BaseException) -> int:
    """The exit code of ``timeline import`` for an import that raised ``error``.

    2 for a usage error (:class:`~timeline.errors.InvalidArgument`: an unknown format or
    option value); 4 for a file refused as a whole, or a row in strict mode, before anything
    was appended (:class:`~timeline.errors.InvalidData`); 1 for anything else.

    >>> from timeline.errors import InvalidArgument
    >>> exit_code_for(InvalidArgument("unknown format", argument="format", value="x"))
    2
    >>> exit_code_for(OSError("disk full"))
    1
    """
    if isinstance(error, InvalidArgument):
        return 2
    if isinstance(error, InvalidData):
        return 4
    return 1


@attrs.frozen
class ExportReport:
    """What :func:`timeline.io.export_file` wrote.

    Attributes:
        format: the format written ("cloudevents").
        path: the file written.
        records: how many records (events) it holds.
    """

    format: str
    path: str
    records: int


@attrs.define
class ReportBuilder:
    """The mutable tally an importer fills in, frozen into an :class:`ImportReport` at the end.

    In strict mode, :meth:`problem` raises the problem as :class:`~timeline.errors.InvalidData`
    instead of listing it.
    """

    format: str
    path: str
    stream: str
    strict: bool = False
    rows: int = 0
    added: int = 0
    unchanged: int = 0
    corrected: int = 0
    retracted: int = 0
    warnings: list[Issue] = attrs.Factory(list)
    problems: list[Issue] = attrs.Factory(list)
    skipped: int = 0
    read_as: str = ""

    def warn(self, row: int | None, column: str | None, value: object, reason: str) -> None:
        """Note a warning."""
        self.warnings.append(Issue(row=row, column=column, value=value, reason=reason))

    def problem(self, issue: Issue) -> None:
        """List a problem (or raise it, in strict mode).

        Raises:
            InvalidData: in strict mode.
        """
        if self.strict:
            raise issue.error(self.path)
        self.problems.append(issue)

    def build(self) -> ImportReport:
        """The finished report."""
        return ImportReport(
            format=self.format,
            path=self.path,
            stream=self.stream,
            rows=self.rows,
            added=self.added,
            unchanged=self.unchanged,
            corrected=self.corrected,
            retracted=self.retracted,
            warnings=tuple(self.warnings),
            problems=tuple(self.problems),
            skipped=self.skipped,
            read_as=self.read_as,
        )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


#: What :func:`timeline.io.import_file` calls for a format:
#: ``importer(log, report, *, progress, **options)``, which fills in ``report``. The report
#: names the file (``report.path``), the stream to append to (``report.stream``; ``""`` for
#: each record's own) and whether to stop at the first problem (``report.strict``);
#: ``options`` are the format's own.
Importer = Callable[..., None]
