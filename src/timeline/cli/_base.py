"""What every command shares: exit statuses, the one-line error, opening the log, output."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import re
import sys
import types
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import orjson

from timeline.codec import Codec
from timeline.log import EventLog, Recorded
from timeline.redaction import redact_url
from timeline.store import open_log
from timeline.time import isoformat

__all__ = [
    "DEFAULT_LOG",
    "FAILED",
    "INTERRUPTED",
    "LOG_ENV",
    "OK",
    "USAGE",
    "Args",
    "CommandError",
    "command_log",
    "dumps",
    "log_path",
    "log_url",
    "opened",
    "out",
    "plural",
    "print_json",
    "record_dict",
    "shown_url",
    "stamp",
    "summary",
    "table",
    "warn",
]

#: Exit statuses.
OK: Final = 0
FAILED: Final = 1
USAGE: Final = 2
INTERRUPTED: Final = 130

#: The log used when neither ``--log`` nor ``$TIMELINE_LOG`` names one.
DEFAULT_LOG: Final = "timeline.db"
LOG_ENV: Final = "TIMELINE_LOG"

#: A command's arguments, by name (the options and arguments click read, and the shared ones).
Args = types.SimpleNamespace

_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_FILE_SUFFIXES: Final = (".db", ".sqlite", ".sqlite3", ".jsonl")


class CommandError(Exception):
    """A command that cannot be carried out: one line on stderr and a non-zero exit status.

    Args:
        message: the line, printed after ``timeline: error:``.
        status: the exit status (1, or 2 for a command line that makes no sense).
    """

    def __init__(self, message: str, *, status: int = FAILED) -> None:
        super().__init__(message)
        self.status = status


# -- the log ---------------------------------------------------------------------------------


def log_url(args: Args) -> str:
    """The log to work on: ``--log``, else ``$TIMELINE_LOG``, else ``timeline.db``."""
    return str(getattr(args, "log", None) or os.environ.get(LOG_ENV) or DEFAULT_LOG)


def log_path(url: str) -> Path | None:
    """The file a log URL names; ``None`` for one that names no file (``memory:``, a server).

    A URL with a scheme (``postgresql://``, a misspelt ``sqllite:///x.db``) names no file,
    whatever its suffix: :func:`timeline.open_log` says what it makes of it.

    >>> log_path("sqlite:///data/x.db"), log_path("a.jsonl"), log_path("memory:")
    (PosixPath('data/x.db'), PosixPath('a.jsonl'), None)
    >>> log_path("sqllite:///x.db") is None
    True
    """
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    if _SCHEME.match(url):
        return None
    if Path(url).suffix.lower() in _FILE_SUFFIXES:
        return Path(url)
    return None


@contextlib.contextmanager
def opened(url: str, *, create: bool = False) -> Iterator[EventLog]:
    """Open a log for the length of a command, and close it.

    Args:
        url: anything :func:`timeline.open_log` accepts.
        create: make the file if it is missing (commands that write); otherwise a missing
            file is an error rather than a new, empty log.

    Raises:
        CommandError: for a missing file (or folder, when creating).
    """
    path = log_path(url)
    if path is not None and not create and not path.exists():
        raise CommandError(
            f"no log at {shown_url(url)} (create one with 'timeline init', or name one with --log "
            f"or ${LOG_ENV})"
        )
    if path is not None and create and not path.parent.exists():
        raise CommandError(
            f"cannot create a log at {shown_url(url)}: folder {shown_url(str(path.parent))} "
            "does not exist"
        )
    log = open_log(url)
    try:
        yield log
    finally:
        log.close()


def command_log(args: Args, *, create: bool = False) -> contextlib.AbstractContextManager[EventLog]:
    """The log the command works on (:func:`log_url`), :func:`opened` for its length."""
    return opened(log_url(args), create=create)


# -- output ----------------------------------------------------------------------------------


def out(text: str = "") -> None:
    """Write a line to stdout."""
    sys.stdout.write(text + "\n")


def print_json(value: Any, *, indent: bool = False) -> None:
    """Write a JSON document to stdout: one line, or indented if asked."""
    out(dumps(value, indent=indent))


def summary(text: str) -> None:
    """Write a command's report to a person (``appended 3 events ...``) to stderr.

    stdout carries only what a script reads (listings, JSON, exported data, ``verify``'s
    verdict), so ``timeline import ... | tee`` or ``$(timeline append ...)`` never mixes the
    two; the exit status says how it went.
    """
    sys.stderr.write(text + "\n")


def warn(text: str) -> None:
    """Write a note (not an error) to stderr: ``timeline: ...``."""
    sys.stderr.write(f"timeline: {text}\n")


def plural(n: int, word: str) -> str:
    """``"1 record"``, ``"2 records"``."""
    return f"{n} {word}" + ("" if n == 1 else "s")


def shown_url(url: str) -> str:
    """A log's URL as printed: a password in it (``postgresql://u:pw@host/db``) hidden.

    :func:`timeline.redaction.redact_url`, under the name the commands use.

    >>> shown_url("postgresql://analyst:s3cret@db/newsroom"), shown_url("war.db")
    ('postgresql://analyst:***@db/newsroom', 'war.db')
    """
    return redact_url(url)


def stamp(at: dt.datetime) -> str:
    """A recording time to the second: ``2025-06-02T07:00:00Z``."""
    return f"{at:%Y-%m-%dT%H:%M:%S}Z"


def dumps(value: Any, *, indent: bool = False) -> str:
    """JSON text (orjson), indented if asked."""
    option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    return orjson.dumps(value, option=option).decode()


def record_dict(codec: Codec, record: Recorded) -> dict[str, Any]:
    """A record as JSON: where and when the log holds it, and the event in the codec's form."""
    return {
        "position": record.position,
        "stream": record.stream,
        "version": record.version,
        "recorded_at": isoformat(record.recorded_at),
        "hash": record.hash,
        "event": codec.to_dict(record.event),
    }


def table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, right: str = "", sample: int = 1000
) -> Iterator[str]:
    """Rows as aligned columns, lazily; ``right`` has an ``r`` for each column aligned right.

    The widths come from the first ``sample`` rows, so a long listing streams in constant
    memory (a later, longer cell pushes its line out rather than re-aligning the rest).
    ``None`` shows as ``-``.

    >>> for line in table(("day", "launched"), [("2025-06-01", 472), ("2025-06-02", None)],
    ...                   right=" r"):
    ...     print(line)
    day         launched
    2025-06-01       472
    2025-06-02         -
    """
    cells = ([("-" if v is None else str(v)) for v in row] for row in rows)
    first = list(itertools.islice(cells, sample))
    widths = [len(h) for h in headers]
    for row in first:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

    def line(row: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if right[i : i + 1] == "r" else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    yield line(headers)
    for row in itertools.chain(first, cells):
        yield line(row)
