"""The interactive timeline page: lanes, causal arcs and the two clocks, in a browser.

One self-contained HTML file (script, styles, the vendored d3 library and the log's data
inlined) that opens from disk with no server and no network:

>>> import timeline as tl
>>> log = tl.open_log("memory:")
>>> page = tl.page.render(log, title="Istanbul, 2 June 2025")
>>> page.startswith("<!doctype html>") and 'id="timeline-data"' in page
True

The page has an ``as_of`` slider (valid time: what had happened) and a ``known_at`` slider
(transaction time: what the record knew), and shows for any pair what
:func:`~timeline.replay` and :func:`~timeline.causal_graph` give for the same cuts. The data
contract (``"schema": 2``) and the page's behaviour are documented in ``docs/page.md``.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

import attrs

from timeline.errors import InvalidArgument
from timeline.log import EventLog
from timeline.page._data import SCHEMA, Builder, build, merge
from timeline.page._html import page_html
from timeline.page._serve import PageServer, serve, start

__all__ = [
    "SCHEMA",
    "Builder",
    "PageServer",
    "PageView",
    "data",
    "merge",
    "render",
    "serve",
    "show",
    "start",
    "write",
]


def data(log: EventLog, *, title: str | None = None, zone: str | None = None) -> dict[str, Any]:
    """The page's data for a log: the versioned contract the page reads (``"schema": 2``).

    Every event as first recorded, every correction, retraction and causal link, each with
    its position and ``recorded_at``; the page resolves them for the cuts it is asked.

    Args:
        log: the log.
        title: the page's title.
        zone: the zone the page shows dates in at first (``None``: each event's own zone).

    Raises:
        InvalidArgument: ``log`` is not an event log, or ``zone`` is not a zone name.
    """
    return build(log, title=title, zone=zone)


def render(log: EventLog, *, title: str | None = None, zone: str | None = None) -> str:
    """The page for a log, as one HTML document (see :func:`data` for the arguments)."""
    return page_html(build(log, title=title, zone=zone))


def write(
    log: EventLog,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    zone: str | None = None,
) -> Path:
    """Write the page for a log to ``path`` (UTF-8); returns the path.

    Raises:
        InvalidArgument: as :func:`data`, or ``path`` is a directory.
    """
    target = Path(path)
    if target.is_dir():
        raise InvalidArgument(
            f"the page is written to a file, {str(target)!r} is a directory",
            argument="path",
            value=str(target),
        )
    target.write_text(render(log, title=title, zone=zone), encoding="utf-8")
    return target


@attrs.frozen
class PageView:
    """The page for display in Jupyter: an ``<iframe>`` whose document is the page."""

    page: str = attrs.field(repr=False)
    height: int = 640

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.page, quote=True)}" '
            f'style="width:100%;height:{self.height}px;border:1px solid #ccc" '
            'sandbox="allow-scripts allow-downloads" title="timeline page"></iframe>'
        )


def show(
    log: EventLog, *, height: int = 640, title: str | None = None, zone: str | None = None
) -> PageView:
    """The page inline in a Jupyter notebook (the last expression of a cell displays it).

    Raises:
        InvalidArgument: as :func:`data`, or a ``height`` that is not a positive integer.
    """
    if type(height) is not int or height <= 0:
        raise InvalidArgument(
            f"height must be a positive number of pixels, got {height!r}",
            argument="height",
            value=height,
        )
    return PageView(render(log, title=title, zone=zone), height)
