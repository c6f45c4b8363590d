"""What an import or an export did: :class:`ImportReport`, :class:`ExportReport`, :class:`Issue`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from timeline.errors import InvalidData
from timeline.events.fields import shown

__all__ = ["ExportReport", "ImportReport", "Importer", "Issue", "ReportBuilder"]


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
        rows: how many data rows (records, revisions) were read, bad ones included.
        added: how many new events were appended.
        unchanged: how many were already in the log, as the file gives them.
        corrected: how many events already in the log were corrected (one
            :class:`~timeline.Correction` each) because the file now gives other values.
        retracted: how many events were retracted because the file no longer holds them
            (only a revision history can tell).
        warnings: rows imported with something to note (an empty figure, an unknown
            weapon model).
        problems: rows skipped because they cannot be read as an event.
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

    @property
    def ok(self) -> bool:
        """Whether every row could be read."""
        return not self.problems

    def summary(self) -> str:
        """One line for people.

        >>> empty = Issue(row=1, column="launched", value="", reason="unknown figure")
        >>> ImportReport("missile-attacks", "a.csv", "air", rows=1, added=1,
        ...              warnings=(empty,)).summary()
        '1 row: 1 added, 0 unchanged, 0 corrected, 0 retracted; 1 warning, 0 problems'
        """
        return (
            f"{_plural(self.rows, 'row')}: {self.added} added, {self.unchanged} unchanged, "
            f"{self.corrected} corrected, {self.retracted} retracted; "
            f"{_plural(len(self.warnings), 'warning')}, {_plural(len(self.problems), 'problem')}"
        )


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
        )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


#: What :func:`timeline.io.import_file` calls for a format:
#: ``importer(log, report, *, progress, **options)``, which fills in ``report``. The report
#: names the file (``report.path``), the stream to append to (``report.stream``; ``""`` for
#: each record's own) and whether to stop at the first problem (``report.strict``);
#: ``options`` are the format's own.
Importer = Callable[..., None]
