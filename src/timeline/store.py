"""``open_log``: open an event log by URL, wired with the standard guards.

The log package knows nothing of the layers above it; this module is where a log is put
together with the codec, the clock and the guards that those layers provide.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from timeline.causal.guard import CausalityGuard
from timeline.codec import Codec, Registry, default_registry
from timeline.errors import InvalidArgument
from timeline.events import Event
from timeline.log import EventLog, Guard, MemoryLog
from timeline.log.jsonl import JsonlLog
from timeline.log.postgres import PostgresLog
from timeline.log.sqlite import SQLiteLog
from timeline.projections.guards import CorrectionGuard
from timeline.redaction import redact_url
from timeline.time import Clock

__all__ = ["open_log", "standard_guards"]

#: A libpq key-value string: ``host=db dbname=newsroom``, each word a keyword and a value.
_KEY_VALUE: Final = re.compile(r"\s*[A-Za-z_]+\s*=")
#: A URL's scheme: a name with one (other than ours) is no file name, whatever its suffix.
_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
#: The schemes open_log knows, for the message that names an unknown one.
_SCHEMES: Final = ("sqlite", "postgresql", "postgres")


def standard_guards() -> tuple[Guard, ...]:
    """The checks every log opened by :func:`open_log` runs inside its appends.

    The log itself refuses duplicate ids, stale versions and references to unknown events;
    the guards add the checks that need the upper layers (corrections, causal links).
    Each call returns new guards, holding no state shared with another log's.
    """
    return (CorrectionGuard(), CausalityGuard())


def open_log(
    url: str | Path,
    *,
    clock: Clock | None = None,
    types: Iterable[type[Event]] = (),
    registry: Registry | None = None,
    guards: Iterable[Guard] | None = None,
) -> EventLog:
    """Open (or create) an event log.

    Args:
        url: where the log lives:

            - ``"memory:"``: a :class:`~timeline.log.MemoryLog`;
            - a path ending in ``.db``, ``.sqlite`` or ``.sqlite3``, or ``sqlite:///path``: a
              :class:`~timeline.log.SQLiteLog`, the embedded default;
            - a path ending in ``.jsonl``: a :class:`~timeline.log.JsonlLog`;
            - ``postgresql://...`` or ``postgres://...`` (a libpq URL; choose the schema
              with ``?options=-csearch_path%3DNAME``), or a libpq key-value string
              (``host=db dbname=newsroom``): a :class:`~timeline.log.PostgresLog` (needs the
              ``postgres`` extra).
        clock: stamps ``recorded_at``; the system clock by default.
        types: your own event types (made with :func:`timeline.event_type`) to add to the
            codec's registry, besides the catalog and every type declared so far.
        registry: a registry to use instead of :func:`~timeline.codec.default_registry`.
        guards: checks to run inside every append; :func:`standard_guards` by default.

    Raises:
        InvalidArgument: for a URL that names no known backend.

    No message, ``repr`` or error field shows a password the URL holds
    (:mod:`timeline.redaction`).

    >>> log = open_log("memory:")
    >>> len(log)
    0
    """
    if registry is None:
        registry = default_registry(types)
    else:
        for cls in types:
            registry.register(cls)
    codec = Codec(registry)
    checks = standard_guards() if guards is None else tuple(guards)
    text = str(url)
    if text == "memory:":
        return MemoryLog(codec=codec, clock=clock, guards=checks)
    backend, target = _backend(text, url)
    return backend(target, codec=codec, clock=clock, guards=checks)


def _backend(text: str, url: str | Path) -> tuple[type[PostgresLog | SQLiteLog | JsonlLog], str]:
    """The backend a URL names, and what to give its constructor."""
    if text.startswith(("postgresql://", "postgres://")) or _KEY_VALUE.match(text):
        return PostgresLog, text
    if text.startswith("sqlite:///"):
        return SQLiteLog, text.removeprefix("sqlite:///")
    scheme = _SCHEME.match(text)
    suffix = "" if scheme else Path(text).suffix.lower()
    if suffix in {".db", ".sqlite", ".sqlite3"}:
        return SQLiteLog, text
    if suffix == ".jsonl":
        return JsonlLog, text
    shown = redact_url(text)
    if scheme:
        name = scheme.group(0).removesuffix("://")
        close = difflib.get_close_matches(name.lower(), _SCHEMES, n=1)
        hint = f"; did you mean '{close[0]}://'?" if close else ""
        raise InvalidArgument(
            f"unknown URL scheme '{name}' in {shown!r}: the known schemes are "
            f"{', '.join(f'{s}://' for s in _SCHEMES)} (and 'memory:', or a .db/.sqlite/.jsonl "
            f"path){hint}",
            argument="url",
            value=shown if shown != text else url,
        )
    raise InvalidArgument(
        f"cannot tell which log to open from {shown!r}: use 'memory:', a .db/.sqlite path, "
        "'sqlite:///path', a .jsonl path or 'postgresql://...'",
        argument="url",
        value=shown if shown != text else url,
    )
