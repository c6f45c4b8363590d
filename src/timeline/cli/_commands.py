"""The commands: one function each, taking the parsed arguments, returning the exit status."""

from __future__ import annotations

import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from timeline.cli._base import (
    FAILED,
    OK,
    USAGE,
    Args,
    CommandError,
    command_log,
    log_path,
    log_url,
    opened,
    out,
    plural,
    shown_url,
    summary,
    warn,
)
from timeline.cli._input import read_events, read_input
from timeline.cli._integrity import checkpoint_to_check, extends
from timeline.cli._progress import ProgressBar, is_terminal
from timeline.cli._salvage import cmd_salvage
from timeline.cli._verbs import GRAPH_FORMATS, export_graph
from timeline.codec import Codec
from timeline.errors import ConcurrencyError, DuplicateEvent, InvalidEvent, TimelineError
from timeline.events import Event
from timeline.io import export_file
from timeline.log import EventLog, Recorded

__all__ = [
    "cmd_append",
    "cmd_copy",
    "cmd_export",
    "cmd_init",
    "cmd_salvage",
    "cmd_verify",
    "copy_log",
]

_FRAME_FORMATS: Final = ("csv", "parquet")
_CUT_FORMATS: Final = ("csv", "parquet", "timelinejs", *GRAPH_FORMATS)
_COPY_BATCH: Final = 1000


def _progress(args: Args) -> bool | None:
    """Whether to draw a progress bar: ``None`` (if stderr is a terminal), or ``False``."""
    return False if getattr(args, "no_progress", False) else None


# -- init, append ----------------------------------------------------------------------------


def cmd_init(args: Args) -> int:
    """Create an empty log; leave one that holds records alone."""
    url = log_url(args)
    path = log_path(url)
    existed = path is not None and path.exists() and path.stat().st_size > 0
    with opened(url, create=True) as log:
        n = len(log)
        kind = type(log).__name__
    if n:
        raise CommandError(
            f"{shown_url(url)} already holds {plural(n, 'record')}; init leaves it as it is"
        )
    made = "an empty log is already at" if existed else "created an empty log at"
    summary(f"{made} {shown_url(url)} ({kind})")
    return OK


def _not_yet_there(
    log: EventLog, events: Sequence[Event], lines: Sequence[int]
) -> tuple[list[Event], dict[uuid.UUID, int], int]:
    """The events the log does not hold yet (and their lines, by id), and how many it holds.

    An event is already there when the log (or an earlier line of the input) holds one with
    its id and the same content; one with its id and other content is kept, so that the
    append refuses it (``DuplicateEvent``) and names it.
    """
    held = log.existing({e.event_id for e in events})
    seen: dict[uuid.UUID, Event] = {}
    fresh: list[Event] = []
    fresh_lines: dict[uuid.UUID, int] = {}
    there = 0
    for event, line in zip(events, lines, strict=True):
        same = seen.get(event.event_id)
        if same is None and event.event_id in held:
            same = log.get(event.event_id).event
        if same == event:
            there += 1
            continue
        seen.setdefault(event.event_id, event)
        fresh_lines.setdefault(event.event_id, line)
        fresh.append(event)
    return fresh, fresh_lines, there


def _append_error(error: TimelineError, source: str, lines: dict[uuid.UUID, int]) -> CommandError:
    if isinstance(error, ConcurrencyError):
        return CommandError(
            f"stream {error.stream!r} is at version {error.actual}, not the expected "
            f"{error.expected} (someone appended since); nothing was appended"
        )
    if isinstance(error, (DuplicateEvent, InvalidEvent)):
        line = lines.get(error.event_id) if error.event_id is not None else None
        where = f"{source}, line {line}: " if line is not None else ""
        return CommandError(f"{where}{error}; nothing was appended")
    return CommandError(f"{error}; nothing was appended")


def cmd_append(args: Args) -> int:
    """Append the events of a JSON/JSONL file (or stdin) to one stream, all or none.

    An event without an id gets its stable id (:func:`timeline.stable_event_id`), so the
    same file appended twice adds nothing the second time; events already in the log are
    skipped, the rest appended in one transaction. ``--allow-duplicates``: new ids instead.
    """
    text, source = read_input(args.file)
    # Read every event before the log is opened (or created): bad input leaves no trace.
    # The codec is the one open_log gives a log: every declared type.
    stable_in = None if args.allow_duplicates else args.stream
    events, lines = read_events(Codec(), text, source, stable_in)
    if not events:
        warn(f"no events in {source}; nothing appended")
        return OK
    stream = args.stream
    with command_log(args, create=True) as log:
        fresh_lines: dict[uuid.UUID, int] = {}
        try:
            fresh, fresh_lines, there = _not_yet_there(log, events, lines)
            records = log.append(fresh, stream=stream, expected_version=args.expected_version)
            if not records:  # every event already there (the expected version was checked)
                version = log.stream_version(stream)
                summary(
                    f"0 added, {there} already there (stream {stream!r} at version {version}); "
                    "nothing appended"
                )
                return OK
        except TimelineError as e:
            raise _append_error(e, source, fresh_lines) from e
    first, last = records[0], records[-1]
    if len(records) == 1:
        what = f"1 event to stream {stream!r} (position {first.position}"
    else:
        what = (
            f"{len(records)} events to stream {stream!r} "
            f"(positions {first.position}-{last.position}"
        )
    also = f"; {there} already there" if there else ""
    summary(f"appended {what}; stream version {last.version}){also}")
    return OK


# -- verify ----------------------------------------------------------------------------------


def cmd_verify(args: Args) -> int:
    """Walk the hash chain: ``ok``, or the first bad position and why (exit status 1).

    With ``--against``, also that the log extends a checkpoint (:func:`checkpoint_to_check`).
    """
    checkpoint = checkpoint_to_check(args)
    if checkpoint is False:
        return FAILED
    with command_log(args) as log:
        report = log.verify(against=checkpoint)
        head = log.head() if report.ok and report.checked else None
    if report.ok:
        tip = f"; head {head.hash[:16]}" if head is not None else ""
        out(f"ok: {plural(report.checked, 'record')}, hash chain intact{extends(checkpoint)}{tip}")
        return OK
    if report.position is None:  # a checkpoint's root that differs names no position
        out(f"does not extend the checkpoint: {report.reason}")
        return FAILED
    out(
        f"damaged at position {report.position}: {report.reason} "
        f"({plural(report.checked, 'record')} before it intact)"
    )
    return FAILED


# -- import, export, copy --------------------------------------------------------------------


def _cut_options(args: Args) -> dict[str, Any]:
    """``--as-of``/``--known-at`` as the export's options: the resolved view, cut."""
    if args.as_of is None and args.known_at is None:
        return {}
    cuts = {"as_of": args.as_of, "known_at": args.known_at}
    if args.format in _FRAME_FORMATS:
        return {"resolved": True, **cuts}
    if args.format == "timelinejs":
        return cuts
    raise CommandError(
        f"--as-of and --known-at cut the exports that give a view ({', '.join(_CUT_FORMATS)}); "
        f"{args.format} writes every record as stored",
        status=USAGE,
    )


def _export(log: EventLog, args: Args, target: Path) -> int:
    options = _cut_options(args)
    with ProgressBar("records", enabled=_progress(args)) as bar:
        if args.keep_formulas and args.format in _FRAME_FORMATS:
            options["formula_safe"] = False
        return export_file(log, args.format, target, progress=bar, **options).records


def cmd_export(args: Args) -> int:
    """Export the log to a file, or to stdout with ``-``; a one-line summary on stderr."""
    where = "stdout" if args.file == "-" else args.file
    with command_log(args) as log:
        if args.format in GRAPH_FORMATS:
            cuts = {"as_of": args.as_of, "known_at": args.known_at}
            summary(export_graph(log, args.format, args.file, cuts))
            return OK
        _cut_options(args)  # refuses cuts a format cannot make, before anything is written
        if args.file != "-":
            n = _export(log, args, Path(args.file))
            summary(f"exported {plural(n, 'record')} to {where} ({args.format})")
            return OK
        if args.format == "parquet" and is_terminal(sys.stdout):
            raise CommandError("parquet is binary: give a FILE, or redirect stdout to one")
        with tempfile.TemporaryDirectory(prefix="timeline-export-") as folder:
            target = Path(folder) / f"export.{args.format}"
            n = _export(log, args, target)
            sys.stdout.flush()
            with target.open("rb") as f:
                shutil.copyfileobj(f, sys.stdout.buffer)
            sys.stdout.buffer.flush()
    summary(f"exported {plural(n, 'record')} to {where} ({args.format})")
    return OK


def copy_log(
    source: EventLog, target: EventLog, *, progress: Callable[[int, int], object] | None = None
) -> int:
    """Copy every record of ``source`` into the empty ``target``, keeping every hash.

    Records are appended in position order, each run of records that share a stream and a
    ``recorded_at`` as one append at that ``recorded_at``, so positions, stream versions,
    recording times and hashes come out identical. Every hash is compared as it is written.

    Returns:
        How many records were copied.

    Raises:
        CommandError: if ``target`` is not empty, or a copied record's hash differs (the
            records before it stay copied).
    """
    if len(target):
        raise CommandError(
            f"the destination already holds {plural(len(target), 'record')}; "
            "copy needs an empty log"
        )
    total = len(source)
    copied = 0
    batch: list[Recorded] = []

    def flush() -> None:
        nonlocal copied
        first = batch[0]
        written = target.append(
            [r.event for r in batch],
            stream=first.stream,
            expected_version=first.version - 1,
            recorded_at=first.recorded_at,
        )
        for old, new in zip(batch, written, strict=True):
            if (old.position, old.version, old.hash) != (new.position, new.version, new.hash):
                raise CommandError(
                    f"position {old.position}: the copy's hash differs from the source's "
                    "(is the event stored in an older version of its type?); copy stopped"
                )
        copied += len(batch)
        batch.clear()
        if progress is not None:
            progress(copied, total)

    for record in source.read():
        if batch and (
            record.stream != batch[0].stream
            or record.recorded_at != batch[0].recorded_at
            or len(batch) >= _COPY_BATCH
        ):
            flush()
        batch.append(record)
    if batch:
        flush()
    return copied


def cmd_copy(args: Args) -> int:
    """Copy one log into an empty one of any backend, keeping positions and hashes."""
    if args.source == args.target:
        raise CommandError("SRC and DST are the same log", status=USAGE)
    with opened(args.source) as source, opened(args.target, create=True) as target:
        with ProgressBar("records", enabled=_progress(args)) as bar:
            copied = copy_log(source, target, progress=bar)
        report = target.verify()
        heads = source.head(), target.head()
    if not report.ok:
        raise CommandError(f"the copy does not verify: position {report.position}: {report.reason}")
    if heads[0] is not None and (heads[1] is None or heads[1].hash != heads[0].hash):
        raise CommandError("the copy's head hash differs from the source's")
    tip = f"; head {heads[0].hash[:16]}" if heads[0] is not None else ""
    summary(
        f"copied {plural(copied, 'record')} from {shown_url(args.source)} to {shown_url(args.target)}; "
        f"every hash matches{tip}"
    )
    return OK
