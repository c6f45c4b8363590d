"""Tables through rich: as wide as the terminal, long cells wrapped, colour only where it shows.

On a terminal a table fits its width (``$COLUMNS`` says the width elsewhere); the columns
named ``flexible`` wrap their long cells, the others are cut with ``…``. Piped without
``$COLUMNS``, lines are as long as their cells (a script reads whole cells). Colour is off
when stdout is not a terminal or ``$NO_COLOR`` is set (rich's own rule). A long listing
streams: the widths come from its first rows, and the rest follow in chunks.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
import textwrap
from collections.abc import Iterable, Sequence
from typing import Final

from rich.console import Console
from rich.table import Table
from rich.text import Text

from timeline.cli._progress import is_terminal

__all__ = ["fit_widths", "output_width", "print_table", "say", "stdout_console"]

_CHUNK: Final = 1000
_GAP: Final = 2
_NARROWEST: Final = 8
_READABLE: Final = 12
_HEADLINE_SHARE: Final = 2  # fifths of the width the flexible columns keep before others shrink
_UNLIMITED: Final = 1_000_000


def output_width() -> int | None:
    """The width to fit: the terminal's, else ``$COLUMNS``, else none (piped)."""
    if is_terminal(sys.stdout):
        return shutil.get_terminal_size().columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else None


def stdout_console(width: int | None = None) -> Console:
    """A rich console on the current stdout (styles only on a terminal, never with NO_COLOR)."""
    plain = bool(os.environ.get("NO_COLOR"))  # no colour, and no bold either: plain text
    return Console(
        file=sys.stdout,
        color_system=None if plain else "auto",
        width=width or _UNLIMITED,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )


def fit_widths(
    natural: Sequence[int], width: int | None, flexible: Sequence[int], indent: int = 0
) -> list[int]:
    """Column widths that fit ``width``.

    The flexible columns (whose cells wrap: a headline) shrink first, but keep between them
    two fifths of the width (at least 12 characters each): a headline squeezed to a few
    words a line reads worse than a type name cut short. Then the others shrink, widest
    first (their cells are cut with ``…``), down to 8 characters; then the flexible ones
    again, down to 8.

    >>> fit_widths([8, 20, 60], 80, flexible=[2])
    [8, 20, 48]
    >>> fit_widths([8, 20, 26, 42, 200], 120, flexible=[4])
    [8, 20, 20, 20, 44]
    >>> fit_widths([10, 20, 40, 40, 36], 80, flexible=[2, 3])
    [10, 17, 14, 14, 17]
    >>> fit_widths([4, 9, 60, 45], 80, flexible=[2, 3])
    [4, 9, 30, 31]
    >>> fit_widths([8, 20, 60], None, flexible=[2])
    [8, 20, 60]
    """
    widths = list(natural)
    if width is None:
        return widths
    room = width - indent - _GAP * (len(widths) - 1)
    excess = sum(widths) - room
    wrapping = sorted({i % len(widths) for i in flexible})
    others = sorted(set(range(len(widths))) - set(wrapping), key=lambda i: -widths[i])
    share = max(_READABLE, room * _HEADLINE_SHARE // (5 * max(len(wrapping), 1)))
    for columns, floor in ((wrapping, share), (others, _NARROWEST), (wrapping, _NARROWEST)):
        while excess > 0 and columns:  # the widest of them first, a character at a time
            i = max(columns, key=lambda c: widths[c])
            if widths[i] <= floor:
                break
            widths[i] -= 1
            excess -= 1
    return widths


def _table(
    headers: Sequence[str],
    widths: Sequence[int],
    *,
    right: str,
    flexible: Sequence[int],
    header: bool,
) -> Table:
    table = Table(
        box=None,
        pad_edge=False,
        show_edge=False,
        show_header=header,
        header_style="bold",
        padding=(0, 1),
        collapse_padding=False,
    )
    wrap = {i % len(headers) for i in flexible}
    for i, (name, w) in enumerate(zip(headers, widths, strict=True)):
        table.add_column(
            name,
            justify="right" if right[i : i + 1] == "r" else "left",
            width=w,
            no_wrap=i not in wrap,
            overflow="fold" if i in wrap else "ellipsis",
        )
    return table


def _emit(console: Console, table: Table, indent: str) -> None:
    """Print a table's lines without the padding that ends them."""
    options = console.options.update(width=console.width)
    for line in console.render_lines(table, options, pad=False):
        text = Text(indent)
        for segment in line:
            text.append(segment.text, segment.style)
        text.rstrip()
        console.print(text, no_wrap=True, crop=False, overflow="ignore", soft_wrap=True)


def print_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    right: str = "",
    flexible: Sequence[int] = (-1,),
    indent: str = "",
    tail: Sequence[int] = (),
) -> bool:
    """Print rows as a table on stdout; ``False`` (and nothing printed) when there are none.

    ``right`` has an ``r`` for each column aligned right; ``None`` shows as ``-``. A column
    in ``tail`` is cut at its start rather than its end (``…ceasefire_rejected``): for
    names whose end tells them apart, as type tags' do.
    """
    cells = ([("-" if v is None else str(v)) for v in row] for row in rows)
    first = list(itertools.islice(cells, _CHUNK))
    if not first:
        return False
    natural = [len(h) for h in headers]
    for row in first:
        natural = [
            max(w, *(len(x) for x in c.splitlines() or [""]))
            for w, c in zip(natural, row, strict=True)
        ]
    width = output_width()
    widths = fit_widths(natural, width, flexible, len(indent))
    console = stdout_console(width)
    chunk, header = first, True
    while chunk:
        table = _table(headers, widths, right=right, flexible=flexible, header=header)
        for row in chunk:
            table.add_row(*_cut_tails(row, widths, tail))
        _emit(console, table, indent)
        chunk, header = list(itertools.islice(cells, _CHUNK)), False
    return True


def _cut_tails(row: list[str], widths: Sequence[int], tail: Sequence[int]) -> list[str]:
    """The row with each ``tail`` column's too long cell cut at its start.

    What is left of a dotted name starts after a dot where it can (the domain of a type tag
    goes first, whole):

    >>> _cut_tails(["6", "diplomacy.ceasefire_rejected"], [8, 20], tail=[1])
    ['6', '…ceasefire_rejected']
    >>> _cut_tails(["8", "humanitarian.prisoner_exchange_carried_out"], [8, 20], tail=[1])
    ['8', '…xchange_carried_out']
    """
    for i in tail:
        cell, w = row[i], widths[i]
        if len(cell) > w > 1:
            kept = cell[len(cell) - w + 1 :]
            row[i] = "…" + kept.rpartition(".")[2]
    return row


def say(line: str = "", width: int | None = None) -> None:
    """A line of text on stdout, wrapped to the width to fit (its indentation kept)."""
    width = width if width is not None else output_width()
    if width is None or len(line) <= width:
        sys.stdout.write(line + "\n")
        return
    indent = line[: len(line) - len(line.lstrip())]
    wrapped = textwrap.wrap(
        line,
        width=width,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,
        drop_whitespace=True,
    )
    sys.stdout.write("\n".join(wrapped) + "\n")
