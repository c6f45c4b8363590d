"""Tables on a terminal: colour only there and never with NO_COLOR; as wide as the terminal."""

from __future__ import annotations

import io
import os
import re
import sys

from hypothesis import given
from hypothesis import strategies as st

from timeline.cli._render import fit_widths, print_table

ROWS = [(1, "2025-05-31 19:30 Kyiv", "Russia: Shahed-136/131 472 launched, 210 destroyed")] * 3
ESCAPE = re.compile(r"\x1b\[")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def drawn(monkeypatch, **env):
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    screen = Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    assert print_table(("position", "occurred", "headline"), ROWS, right="r")
    return screen.getvalue()


def test_colour_on_a_terminal_and_not_with_no_color(monkeypatch):
    assert ESCAPE.search(drawn(monkeypatch, COLUMNS="60"))  # the bold header
    plain = drawn(monkeypatch, COLUMNS="60", NO_COLOR="1")
    assert not ESCAPE.search(plain)
    lines = plain.splitlines()
    assert max(map(len, lines)) <= 60
    assert len(lines) > 4  # the headlines wrapped
    assert all(line == line.rstrip() for line in lines)


def test_piped_output_has_no_colour_and_whole_cells(monkeypatch, capsys):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert print_table(("position", "occurred", "headline"), ROWS, right="r")
    out = capsys.readouterr().out
    assert not ESCAPE.search(out)
    assert len(out.splitlines()) == 4


def test_the_progress_bar_is_silent_with_no_progress_even_on_a_terminal(recorded):
    leader, follower = os.openpty()
    try:
        done = recorded("copy", "timeline.db", "quiet.jsonl", "--no-progress", stderr=follower)
        os.close(follower)
        follower = -1
        os.set_blocking(leader, False)
        try:
            drawn_bytes = os.read(leader, 4096)
        except OSError:  # nothing was written: EAGAIN, or EIO once closed
            drawn_bytes = b""
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    assert done.returncode == 0
    assert drawn_bytes.decode().startswith("copied ")  # the summary, and no bar before it
    assert "━" not in drawn_bytes.decode()


@given(
    st.lists(st.integers(min_value=1, max_value=200), min_size=1, max_size=6),
    st.integers(min_value=20, max_value=300),
    st.data(),
)
def test_fitted_widths_never_grow_and_fit_when_they_can(natural, width, data):
    flexible = data.draw(st.lists(st.integers(min_value=0, max_value=len(natural) - 1), max_size=2))
    widths = fit_widths(natural, width, flexible)
    assert all(w <= n for w, n in zip(widths, natural, strict=True))
    floor = sum(min(n, 8) for n in natural) + 2 * (len(natural) - 1)
    if floor <= width:
        assert sum(widths) + 2 * (len(widths) - 1) <= width
    assert fit_widths(natural, None, flexible) == natural
