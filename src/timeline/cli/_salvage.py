"""``timeline salvage SRC DST [--quarantine FILE]``: what can be saved of a damaged log."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Final

import attrs

from timeline.cli._base import (
    OK,
    USAGE,
    Args,
    CommandError,
    log_path,
    opened,
    plural,
    print_json,
    summary,
)
from timeline.cli._base import shown_url as shown
from timeline.cli._progress import ProgressBar
from timeline.errors import CorruptLog
from timeline.log import salvage, salvage_file

if TYPE_CHECKING:
    from timeline.log import EventLog, SalvageReport

__all__ = ["cmd_salvage"]

_SHOWN_SKIPPED: Final = 10


def cmd_salvage(args: Args) -> int:
    """Copy the intact prefix of a (damaged) log into a new one; say what was left behind.

    A log file that does not open (a SQLite file cut short) is read page by page.
    """
    if args.source == args.target:
        raise CommandError(
            "SRC and DST are the same log: salvage never writes to SRC", status=USAGE
        )
    quarantine = getattr(args, "quarantine", None)
    enabled = False if getattr(args, "no_progress", False) else None
    with contextlib.ExitStack() as stack:
        source: EventLog | None = None
        path = log_path(args.source)
        try:
            if path is None or not path.exists() or path.stat().st_size:
                source = stack.enter_context(opened(args.source))
            # an empty file would open as a new, empty log: it is read as a file instead
        except CorruptLog:
            if path is None:
                raise  # a server's log that is refused: nothing to read page by page
        target = stack.enter_context(opened(args.target, create=True))
        if len(target):
            raise CommandError(
                f"{shown(args.target)} already holds {plural(len(target), 'record')}; "
                "salvage needs an empty (or new) log"
            )
        with ProgressBar("records", enabled=enabled) as bar:
            if source is not None:
                report = salvage(source, target, quarantine=quarantine, progress=bar)
            else:
                assert path is not None  # noqa: S101  # a server's log always opens or raises
                report = salvage_file(path, target, quarantine=quarantine, progress=bar)
        check = target.verify()
    if not check.ok:
        raise CommandError(f"the copy does not verify: position {check.position}: {check.reason}")
    if getattr(args, "format", "text") == "json":
        print_json(attrs.asdict(report), indent=True)
    else:
        _print(report, shown(args.source), shown(args.target))
    return OK


def _print(report: SalvageReport, source: str, target: str) -> None:
    tip = f"; head {report.head[:16]}" if report.head is not None else ""
    summary(f"salvaged {plural(report.copied, 'record')} from {source} to {target}{tip}")
    for note in report.notes:
        summary(f"note: {note}")
    if report.complete:
        summary(f"{source} is intact: nothing was left behind")
        return
    summary(
        f"left behind: {plural(report.left_behind, 'stored record')} from position {report.first_bad} "
        f"on, where {source} is damaged: {report.reason}"
    )
    kept = plural(report.kept_after, "intact record")
    if report.quarantine is not None:
        summary(f"kept {kept} after the damage in {report.quarantine}")
    elif report.kept_after:
        summary(f"{kept} after the damage not kept (name --quarantine FILE to keep them)")
    summary(f"skipped {plural(len(report.skipped), 'record')}:")
    for skip in report.skipped[:_SHOWN_SKIPPED]:
        summary(f"  position {skip.position}: {skip.reason}")
    if len(report.skipped) > _SHOWN_SKIPPED:
        summary(f"  ... and {len(report.skipped) - _SHOWN_SKIPPED} more (see --format json)")
