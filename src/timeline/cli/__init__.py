"""The ``timeline`` command: the event log from a shell.

::

    timeline init                                   create an empty log
    timeline append [FILE|-] --stream S             append events (JSON or JSONL), all or none,
                                                    skipping those already there
    timeline import [FORMAT] FILE [--strict]        a data set (missile-attacks, ...)
    timeline export FORMAT [FILE|-]                 cloudevents, jsonl, parquet, csv, timelinejs,
                                                    graphml, dot, node-link
    timeline list [filters] [--format F]            the records: a table, JSON, CSV
    timeline show EVENT                             one record as a card, and its history
    timeline history EVENT                          the event, correction by correction
    timeline correct EVENT FIELD=VALUE --reason R   append a correction; retract EVENT likewise
    timeline replay PROJECTION [--as-of] [--known-at]
    timeline why EVENT / consequences EVENT         the causal graph around an event
    timeline codes [QUERY]                          CAMEO codes and Goldstein scores
    timeline plot KIND OUT                          timeline, intensity, nights, causal
    timeline verify                                 check the hash chain
    timeline copy SRC DST                           between any two backends, hashes kept

The log is ``--log``, else ``$TIMELINE_LOG``, else ``timeline.db`` in the current folder:
anything :func:`timeline.open_log` accepts. An ``EVENT`` is an event id or the position of
its record, or a unique prefix of its id. Times are shown in each event's own zone
(``2025-05-31 19:30 Kyiv``), or in ``--zone NAME``, or in UTC with ``--utc``. A date given to
``--as-of`` or ``--known-at`` means the end of that local day in ``--zone`` (else
``$TIMELINE_ZONE``, else UTC); ``list --from/--to`` dates select events by their local date.

Exit status: 0 on success; 1 when something fails (bad input, a refused append, a damaged
log, ``verify`` finding damage); 2 for a command line that cannot be understood; 130 when
interrupted; ``import`` also 3 (some rows refused) and 4 (none imported). An error is one
line on stderr, ``timeline: error: ...``; ``--debug`` adds the traceback. stdout carries only
what a script reads (listings, JSON, exported data, ``verify``'s verdict); what is said to a
person goes to stderr: every writing command's summary ("appended 3 events ..."), notes, and
the progress bars of imports, exports and copies (drawn only when stderr is a terminal).

Arguments are parsed with click and the output drawn with rich (tables that fit the
terminal, colour only on one, progress bars on stderr). Shell completion is click's:
``eval "$(_TIMELINE_COMPLETE=bash_source timeline)"``. ``docs/cli.md`` has the details.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import traceback
from collections.abc import Callable, Sequence

import click

from timeline.cli._app import build_command
from timeline.cli._args import prepare_cuts
from timeline.cli._base import FAILED, INTERRUPTED, OK, USAGE, Args, CommandError, log_url
from timeline.cli._click import usage_message
from timeline.cli._commands import copy_log
from timeline.cli._progress import ProgressBar
from timeline.errors import TimelineError
from timeline.redaction import redact

__all__ = ["CommandError", "ProgressBar", "build_command", "copy_log", "main"]


def _one_line(error: BaseException) -> str:
    """An exception as one line for people."""
    if isinstance(error, OSError) and error.filename is not None:
        reason = "no such file" if isinstance(error, FileNotFoundError) else error.strerror
        return f"{error.filename}: {reason or error}"
    text = " ".join(str(error).split())
    if isinstance(error, (CommandError, TimelineError)):
        return text
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _fail(message: str, *, debug: bool, urls: Sequence[str] = ()) -> None:
    """The error line (and with ``--debug`` the traceback), no password of ``urls`` in them.

    Every message about a log already hides its password; this is the net under them, for a
    message from a driver or a library that repeats what it was given.
    """
    if debug:
        sys.stderr.write(redact(traceback.format_exc(), *urls))
    sys.stderr.write(redact(f"timeline: error: {message}\n", *urls))


def _urls(args: Args) -> list[str]:
    """The logs a command line names (``--log`` or its default, a copy's two ends)."""
    named = [getattr(args, name, None) for name in ("source", "target")]
    return [log_url(args), *(str(url) for url in named if url is not None)]


def _parse(argv: Sequence[str] | None) -> tuple[Callable[[Args], int], Args] | int:
    """The handler and arguments of a command line, or the exit status (help, usage error)."""
    command = build_command()
    try:
        result = command.main(
            list(sys.argv[1:] if argv is None else argv),
            prog_name="timeline",
            complete_var="_TIMELINE_COMPLETE",
            standalone_mode=False,
        )
    except click.exceptions.NoArgsIsHelpError as e:
        sys.stderr.write(e.ctx.get_help() + "\n" if e.ctx is not None else "")
        return USAGE
    except click.UsageError as e:
        path = e.ctx.command_path if e.ctx is not None else "timeline"
        sys.stderr.write(f"timeline: error: {usage_message(e)} (see '{path} --help')\n")
        return USAGE
    except click.Abort:
        _fail("interrupted", debug=False)
        return INTERRUPTED
    except click.ClickException as e:
        sys.stderr.write(f"timeline: error: {' '.join(e.format_message().split())}\n")
        return e.exit_code
    if isinstance(result, tuple):
        return result
    return int(result or 0)  # --help, --version: click has printed them


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``timeline`` command with ``argv`` (``sys.argv[1:]`` by default).

    Returns:
        The exit status: 0, 1 (failed), 2 (usage), 130 (interrupted); ``import`` has its
        own (see ``docs/cli.md``).
    """
    parsed = _parse(argv)
    if isinstance(parsed, int):
        return parsed
    handler, args = parsed
    status = FAILED
    urls = _urls(args)
    try:
        prepare_cuts(args)
        status = int(handler(args))
    except KeyboardInterrupt:
        _fail("interrupted", debug=False)
        status = INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`timeline list | head`): not a failure. Point stdout at
        # /dev/null so that Python's own flush at exit stays quiet too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = OK
    except CommandError as e:
        _fail(_one_line(e), debug=args.debug, urls=urls)
        status = e.status
    except (TimelineError, OSError, sqlite3.Error) as e:
        _fail(_one_line(e), debug=args.debug, urls=urls)
    except Exception as e:  # noqa: BLE001  # the promise is one line, never a traceback, whatever fails
        _fail(
            f"{_one_line(e)} (a bug? run again with --debug for the traceback)",
            debug=args.debug,
            urls=urls,
        )
    return status
