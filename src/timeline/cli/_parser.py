"""The argument parser: every command, its options, and an example in its ``--help``."""

from __future__ import annotations

import argparse
import importlib.metadata
from collections.abc import Callable
from typing import Any, NoReturn

from timeline.cli import _commands as c
from timeline.cli import _integrity as i
from timeline.cli._args import (
    PROJECTIONS,
    end_moment,
    event_ref,
    projection_name,
    start_moment,
    whole_number,
)
from timeline.cli._base import DEFAULT_LOG, LOG_ENV, USAGE
from timeline.io import EXPORT_FORMATS, IMPORT_FORMATS

__all__ = ["build_parser"]

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, ``timeline: error: ...``, exit status 2.

    ``error`` is argparse's documented hook for this.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE, f"timeline: error: {message} (see '{self.prog} --help')\n")


def _example(*lines: str) -> str:
    return "example:\n" + "\n".join(f"  {line}" for line in lines)


def _shared(*, sub: bool) -> _Parser:
    """``--log``, ``--debug``, ``--no-progress``: accepted before or after the command.

    Given after the command, an option overrides the one given before it; left out, it does
    not reset it (its default there is "not given").
    """
    parent = _Parser(add_help=False)
    given: Any = argparse.SUPPRESS
    parent.add_argument(
        "--log",
        metavar="URL",
        default=given if sub else None,
        help="the log: a .db/.sqlite or .jsonl path, sqlite:///path, postgresql://... "
        f"(default: ${LOG_ENV}, else {DEFAULT_LOG})",
    )
    parent.add_argument(
        "--debug",
        action="store_true",
        default=given if sub else False,
        help="show the traceback of an error",
    )
    parent.add_argument(
        "--no-progress",
        action="store_true",
        default=given if sub else False,
        help="never draw a progress bar (none is drawn unless stderr is a terminal)",
    )
    return parent


class _Commands:
    """Adds the commands to the parser, each with a summary and an example."""

    def __init__(self, parser: _Parser) -> None:
        self.actions = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
        self.shared = [_shared(sub=True)]

    def add(self, name: str, handler: Handler, summary: str, *example: str) -> _Parser:
        p = self.actions.add_parser(
            name,
            help=summary,
            description=summary[0].upper() + summary[1:] + ".",
            epilog=_example(*example),
            parents=self.shared,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(handler=handler)
        return p


def _event(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "event", type=event_ref, metavar="EVENT", help="an event id, or its record's position"
    )


def _times(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--as-of",
        type=end_moment,
        metavar="WHEN",
        help="valid time: only what had happened by then (a date means the END of that day, UTC)",
    )
    p.add_argument(
        "--known-at",
        type=end_moment,
        metavar="WHEN",
        help="transaction time: only what the log had recorded by then (a date: the end of "
        "that day, UTC)",
    )


def _format(p: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    p.add_argument("format", choices=formats, metavar="FORMAT", help=", ".join(formats))


def _source_and_target(p: argparse.ArgumentParser, source: str) -> None:
    p.add_argument("source", metavar="SRC", help=source)
    p.add_argument("target", metavar="DST", help="the empty (or new) log to copy into")


def _text_or_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("text", "json"), default="text", help="default: text")


def _add_log_commands(commands: _Commands) -> None:
    commands.add(
        "init",
        c.cmd_init,
        "create an empty log (a log that holds records is left alone)",
        "timeline init --log istanbul.db",
    )
    p = commands.add(
        "append",
        c.cmd_append,
        "append events from JSON or JSONL (a file, or stdin), all or none",
        "timeline append events.jsonl --stream talks/istanbul --expected-version 0",
        """echo '{"type": "diplomacy.statement", "occurred_at": "2025-06-02T10:00:00Z",""",
        """      "speaker": "Hakan Fidan", "text": "Welcome."}' | timeline append --stream talks""",
    )
    p.add_argument(
        "file", nargs="?", default="-", metavar="FILE", help="the events; - or nothing: stdin"
    )
    p.add_argument("--stream", required=True, help="the stream to append to (talks/istanbul)")
    p.add_argument(
        "--expected-version",
        type=whole_number,
        metavar="N",
        help="append only if the stream is at version N (0: a new stream)",
    )


def _add_reading_commands(commands: _Commands) -> None:
    p = commands.add(
        "list",
        c.cmd_list,
        "list the records, filtered, as a table or as JSON",
        "timeline list --type DroneBarrage --from 2025-05-31 --to 2025-06-01",
        "timeline list --actor Russia --stream talks/istanbul --format jsonl",
    )
    p.add_argument("--stream", help="only this stream")
    p.add_argument(
        "--type",
        action="append",
        metavar="TYPE",
        help="only this event type: a tag or a class name (repeat, or separate with commas)",
    )
    p.add_argument(
        "--actor",
        action="append",
        metavar="NAME",
        help="only events naming this actor or party, any case (repeatable)",
    )
    p.add_argument(
        "--from",
        dest="start",
        type=start_moment,
        metavar="WHEN",
        help="only events that occurred at or after (a date: its start, UTC)",
    )
    p.add_argument(
        "--to",
        dest="end",
        type=end_moment,
        metavar="WHEN",
        help="only events that occurred at or before (a date: its end, UTC)",
    )
    p.add_argument(
        "--after", type=whole_number, default=0, metavar="POSITION", help="only later records"
    )
    p.add_argument("--limit", type=whole_number, metavar="N", help="at most N records")
    p.add_argument(
        "--order",
        choices=("recorded", "occurred"),
        default="recorded",
        help="by position (default), or by when the events occurred",
    )
    p.add_argument(
        "--format", choices=("table", "json", "jsonl"), default="table", help="default: table"
    )
    p = commands.add(
        "show",
        c.cmd_show,
        "show one record in full, and its history",
        "timeline show 42",
        "timeline show 0197a0e4-6c1e-7d55-9a57-0f0c6e1d2b00 --format json",
    )
    _event(p)
    _text_or_json(p)
    p = commands.add(
        "history",
        c.cmd_history,
        "show an event as first recorded, then each correction and retraction",
        "timeline history 42",
    )
    _event(p)
    _text_or_json(p)


def _add_analysis_commands(commands: _Commands) -> None:
    p = commands.add(
        "replay",
        c.cmd_replay,
        "replay a built-in projection, and summarise its state",
        "timeline replay Escalation --as-of 2025-06-01",
        "timeline replay negotiations --as-of 2025-06-01 --known-at 2025-06-02T08:00+03:00",
    )
    p.add_argument(
        "projection",
        type=projection_name,
        metavar="PROJECTION",
        help=", ".join(PROJECTIONS) + " (any case)",
    )
    _times(p)
    _text_or_json(p)
    for name, handler, summary in (
        ("why", c.cmd_why, "what led to an event, through the causal links"),
        ("consequences", c.cmd_consequences, "what followed from an event, through the links"),
    ):
        p = commands.add(name, handler, summary, f"timeline {name} 42 --known-at 2025-06-03")
        _event(p)
        _times(p)
        _text_or_json(p)


def _add_io_commands(commands: _Commands) -> None:
    p = commands.add(
        "import",
        c.cmd_import,
        "import a data set: " + ", ".join(IMPORT_FORMATS),
        "timeline import missile-attacks missile_attacks_daily_2025-05_2025-06.csv",
    )
    _format(p, IMPORT_FORMATS)
    p.add_argument("file", metavar="FILE", help="the file to import")
    p.add_argument(
        "--strict",
        action="store_true",
        help="refuse the whole file at the first row that cannot be imported",
    )
    p.add_argument("--stream", help="the stream to import into (default: the format's name)")
    p.add_argument(
        "--output",
        choices=("text", "json"),
        default="text",
        help="the report: counts and the first problems (text), or all of it (json)",
    )
    p = commands.add(
        "export",
        c.cmd_export,
        "export the log: " + ", ".join(EXPORT_FORMATS),
        "timeline export cloudevents events.json",
        "timeline export jsonl - | gzip > events.jsonl.gz",
    )
    _format(p, EXPORT_FORMATS)
    p.add_argument(
        "file", nargs="?", default="-", metavar="FILE", help="where to write; - or nothing: stdout"
    )
    p.add_argument(
        "--keep-formulas",
        action="store_true",
        help="csv and parquet: write texts starting with = + - @ as they are (by default they "
        "get a leading ' so that a spreadsheet shows them rather than runs them)",
    )


def _key_file(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--key",
        metavar="FILE",
        help="the signing key (PEM); default: default.pem in $TIMELINE_KEY_DIR, else "
        "~/.config/timeline/keys, made on first use",
    )


def _output(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("-o", "--output", metavar="FILE", help=f"write {what} there (default: stdout)")


def _add_checkpoint_commands(commands: _Commands) -> None:
    p = commands.add(
        "checkpoint",
        i.cmd_checkpoint,
        "sign a checkpoint of the log (its size and Merkle root, now) and print it as JSON",
        "timeline checkpoint istanbul.db -o checkpoint-2025-06-02.json",
        "timeline checkpoint --key newsroom.pem",
    )
    p.add_argument(
        "target", nargs="?", metavar="LOG", help="the log (default: --log, $TIMELINE_LOG, ...)"
    )
    _output(p, "the checkpoint")
    _key_file(p)
    p = commands.add(
        "prove",
        i.cmd_prove,
        "print the proof (JSON) that an event's record is in the log, for a checkpoint",
        "timeline prove 42 --size 1204",
    )
    _event(p)
    p.add_argument(
        "--size",
        type=whole_number,
        metavar="N",
        help="the size of the checkpoint to prove it against (default: the whole log)",
    )
    _output(p, "the proof")
    p = commands.add(
        "key",
        i.cmd_key,
        "export: print the signing key's public half (PEM), to publish with checkpoints",
        "timeline key export > newsroom-public.pem",
    )
    p.add_argument("action", choices=("export",), metavar="export", help="the one action")
    _key_file(p)


def _add_integrity_commands(commands: _Commands) -> None:
    p = commands.add(
        "verify",
        c.cmd_verify,
        "check the hash chain (and with --against, that the log extends a checkpoint); "
        "exit status 1 and the first bad position if not",
        "timeline verify --log istanbul.db",
        "timeline verify --against checkpoint-2025-06-02.json --public-key newsroom-public.pem",
    )
    p.add_argument(
        "--against",
        metavar="FILE",
        help="a checkpoint (JSON): its records must be the first of the log, unchanged",
    )
    p.add_argument(
        "--public-key",
        metavar="FILE",
        help="the publisher's public key (PEM) to check the checkpoint's signature with "
        "(default: your own key, if it signed it)",
    )
    _add_checkpoint_commands(commands)
    p = commands.add(
        "copy",
        c.cmd_copy,
        "copy a log into an empty one of any backend, keeping positions and hashes",
        "timeline copy timeline.db archive.jsonl",
    )
    _source_and_target(p, "the log to copy")
    p = commands.add(
        "salvage",
        c.cmd_salvage,
        "copy the intact prefix of a damaged log into a new one, and report what was left",
        "timeline salvage damaged.jsonl rescued.db --quarantine after-damage.jsonl",
    )
    _source_and_target(
        p, "the damaged log (only read; a SQLite file that does not open is read page by page)"
    )
    p.add_argument(
        "--quarantine",
        metavar="FILE",
        help="write the intact records after the damage to this new JSON-lines file",
    )
    _text_or_json(p)


def build_parser() -> argparse.ArgumentParser:
    """The ``timeline`` command's argument parser."""
    parser = _Parser(
        prog="timeline",
        description="Conflict-timeline event sourcing: an append-only, tamper-evident event "
        "log, replayed into projections and linked into a causal graph.",
        parents=[_shared(sub=False)],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_example(
            "timeline import missile-attacks missile_attacks_daily_2025-05_2025-06.csv",
            "timeline replay Escalation --as-of 2025-06-01",
        )
        + f"\n\nThe log is --log, else ${LOG_ENV}, else ./{DEFAULT_LOG}. "
        "'timeline COMMAND --help' explains a command.",
    )
    try:
        version = importlib.metadata.version("conflict-timeline")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    parser.add_argument("--version", action="version", version=f"timeline {version}")
    commands = _Commands(parser)
    _add_log_commands(commands)
    _add_io_commands(commands)
    _add_reading_commands(commands)
    _add_analysis_commands(commands)
    _add_integrity_commands(commands)
    return parser
