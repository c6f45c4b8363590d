"""``timeline page OUT.html`` and ``timeline serve [LOG]``: the interactive page of a log.

Both are :mod:`timeline.page`'s: ``page`` writes the page as one file (``tl.page.write``),
``serve`` serves it over HTTP and redraws it as the log grows (``tl.page.serve``).
"""

from __future__ import annotations

import sys
from typing import Any

from timeline import page
from timeline.cli._base import OK, Args, command_log, log_url, opened, plural, summary

__all__ = ["cmd_page", "cmd_serve"]


def _options(args: Args) -> dict[str, Any]:
    return {k: v for k, v in (("title", args.title), ("zone", args.zone)) if v is not None}


def cmd_page(args: Args) -> int:
    """Write the page of the log to OUT, one HTML file that opens from disk."""
    with command_log(args) as log:
        written = page.write(log, args.out, **_options(args))
        n = len(log)
    summary(f"wrote the page of {plural(n, 'record')} to {written}")
    return OK


def cmd_serve(args: Args) -> int:
    """Serve the page of the log until interrupted; the browser redraws it as the log grows."""
    with opened(args.target or log_url(args)) as log:
        page.serve(
            log,
            args.host,
            args.port,
            out=sys.stdout,
            allowed_hosts=tuple(args.allow_host),
            **_options(args),
        )
    return OK
