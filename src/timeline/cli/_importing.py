"""``timeline import [FORMAT] FILE``: a data set in, with exit codes a script can trust.

Exit codes (:data:`IMPORT_EXIT_CODES`; the library's ``timeline.io.report.EXIT_CODES`` where
it has them):

==  ==========================================================================================
0   every row was imported, or was already in the log
3   some rows were refused (listed in the report); the others were imported
4   no row could be imported: all refused, no data row (an empty file), not the data set
    named, or ``--strict`` refusing a row
1   any other error (the log cannot be opened or written, the file cannot be read)
2   a usage error: an unknown format, option or option value
==  ==========================================================================================
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from timeline import io as tio
from timeline.cli._base import Args, CommandError, command_log, plural, print_json, summary, warn
from timeline.cli._progress import ProgressBar
from timeline.cli._summaries import json_converter
from timeline.errors import InvalidArgument, InvalidData
from timeline.io import ImportReport, Issue, import_file, report

__all__ = ["FORMAT_ALIASES", "IMPORT_EXIT_CODES", "cmd_import", "import_formats"]

#: Other names the command takes for a format.
FORMAT_ALIASES: Final[Mapping[str, str]] = types.MappingProxyType(
    {"ucdp": "ucdp-ged", **getattr(tio, "IMPORT_ALIASES", {})}
)
#: The exit codes of ``timeline import``.
IMPORT_EXIT_CODES: Final[Mapping[int, str]] = getattr(
    report,
    "EXIT_CODES",
    types.MappingProxyType(
        {
            0: "every row was imported, or was already in the log",
            1: "any other error (the log cannot be opened or written, the file cannot be read)",
            2: "a usage error: an unknown format, option or option value",
            3: "some rows were refused (listed in the report); the others were imported",
            4: "no row could be imported: every row was refused, the file holds no data row "
            "(an empty file included), or it is not the data set named",
        }
    ),
)
_SHOWN_PROBLEMS: Final = 5
#: The GDELT filters, as import_file's options.
_GDELT_FILTERS: Final = ("countries", "dyad", "roots", "since", "until")


def import_formats() -> tuple[str, ...]:
    """The formats ``import`` takes, aliases included."""
    return (*tio.IMPORT_FORMATS, *(a for a in FORMAT_ALIASES if a not in tio.IMPORT_FORMATS))


def _issue_text(issue: Issue) -> str:
    """An importer's issue as one line: row, column, value, reason."""
    where = "file" if issue.row is None else f"row {issue.row}"
    if issue.column is not None:
        where += f", column {issue.column!r}"
    return f"{where}: {issue.value!r}: {issue.reason}"


def _report_line(done: ImportReport) -> str:
    summary = getattr(done, "summary", None)
    if callable(summary):
        return str(summary())
    return (
        f"{plural(done.rows, 'row')}: {done.added} added, {done.unchanged} unchanged, "
        f"{done.corrected} corrected, {done.retracted} retracted; "
        f"{plural(len(done.warnings), 'warning')}, {plural(len(done.problems), 'problem')}"
    )


def exit_code(done: ImportReport) -> int:
    """0, 3 or 4 for a finished import (the report's own ``exit_code`` where it has one)."""
    code = getattr(done, "exit_code", None)
    if isinstance(code, int):
        return code
    imported = done.added + done.unchanged + done.corrected + done.retracted
    if done.rows == 0 or imported == 0:
        return 4
    return 3 if done.problems else 0


def _format_and_file(args: Args) -> tuple[str, str]:
    """FORMAT (given, or guessed from the file and said on stderr) and FILE."""
    given = list(args.things)
    if not given or len(given) > 2:  # noqa: PLR2004  # FORMAT and FILE
        raise CommandError(
            "give FILE, or FORMAT FILE (the formats: " + ", ".join(import_formats()) + ")",
            status=2,
        )
    if len(given) == 2:  # noqa: PLR2004  # FORMAT and FILE
        name, file = given
        if name not in import_formats():
            raise CommandError(
                f"argument FORMAT: invalid choice: {name!r} (choose from "
                f"{', '.join(import_formats())})",
                status=2,
            )
        return FORMAT_ALIASES.get(name, name), file
    file = given[0]
    if not Path(file).exists():
        raise CommandError(f"{file}: no such file")
    guessed = tio.guess_format(file)
    if guessed is None:
        raise CommandError(
            f"cannot tell the format of {file}: name it "
            f"(timeline import FORMAT {file}; one of {', '.join(import_formats())})",
            status=2,
        )
    warn(f"{file}: read as {guessed} (guessed from the file; name FORMAT to choose)")
    return guessed, file


def _day(value: dt.date | None) -> str | None:
    """A GDELT filter's day: the date given (or the UTC date of a time)."""
    if value is None:
        return None
    return (value.date() if isinstance(value, dt.datetime) else value).isoformat()


def _options(args: Args, format: str) -> dict[str, Any]:  # noqa: A002  # import_file's name
    options: dict[str, Any] = {}
    if args.zone:
        options["zone"] = args.zone
    gdelt = {
        "countries": list(args.country) or None,
        "dyad": args.dyad or None,
        "roots": list(args.cameo_root) or None,
        "since": _day(args.since),
        "until": _day(args.until),
    }
    given = {k: v for k, v in gdelt.items() if v is not None}
    if given and format != "gdelt":
        raise CommandError(
            "--country, --dyad, --cameo-root, --from and --to filter GDELT files (import gdelt "
            "FILE ...)",
            status=2,
        )
    return {**options, **given}


def cmd_import(args: Args) -> int:
    """Import a data set: how many added, unchanged, corrected, warned about, refused.

    Exits 0, 3 or 4 by the report (see the module); a file refused whole is 4.
    """
    format_, file = _format_and_file(args)
    options = _options(args, format_)
    path = Path(file)
    if not path.exists():  # a file, or for some formats a folder
        raise CommandError(f"{file}: no such file")
    enabled = False if args.no_progress else None
    try:
        with command_log(args, create=True) as log, ProgressBar("rows", enabled=enabled) as bar:
            done = import_file(
                log, format_, path, strict=args.strict, stream=args.stream, progress=bar, **options
            )
    except InvalidArgument as e:
        raise CommandError(str(e), status=2) from e
    except InvalidData as e:
        raise CommandError(str(e), status=4) from e
    if args.output == "json":
        print_json(json_converter().unstructure(done), indent=True)
        summary(f"imported {file} ({format_}): {_report_line(done)}")
        return exit_code(done)
    into = f" into stream {done.stream!r}" if done.stream else ""
    summary(f"imported {file} ({format_}){into}")
    summary(_report_line(done))
    problems = done.problems
    for problem in problems[:_SHOWN_PROBLEMS]:
        summary(f"  problem: {_issue_text(problem)}")
    if len(problems) > _SHOWN_PROBLEMS:
        summary(f"  ... and {len(problems) - _SHOWN_PROBLEMS} more (--output json lists them all)")
    return exit_code(done)
