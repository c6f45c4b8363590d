"""A one-line progress bar on stderr, drawn only when stderr is a terminal.

Drawn here rather than taken from a library: it is forty lines, and the command needs nothing
beyond the core dependencies. When stderr is piped or redirected (scripts, CI, tests) it
writes nothing at all, so logs stay clean.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Final, Self, TextIO

__all__ = ["ProgressBar", "is_terminal"]


def is_terminal(stream: TextIO) -> bool:
    """Whether a stream is a terminal (``False`` for a closed or unusual one)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class ProgressBar:
    """A one-line progress bar on a terminal; silent when the stream is not one.

    Call it with ``(done, total)`` (``total`` may be left out when unknown) as often as you
    like: it redraws at most ten times a second, and once more on :meth:`close`.

    Args:
        label: what is being counted ("rows", "records").
        stream: where to draw; stderr by default.
        enabled: whether to draw at all; by default, when ``stream`` is a terminal.
        clock: seconds from any fixed point, for the redraw rate and the elapsed time.

    >>> import io
    >>> out = io.StringIO()
    >>> with ProgressBar("rows", stream=out, enabled=True, clock=lambda: 0.0) as bar:
    ...     bar(5, 10)
    >>> out.getvalue().splitlines()[-1].strip()
    '[###############---------------]  50%  5/10 rows  0:00'
    >>> quiet = io.StringIO()
    >>> with ProgressBar("rows", stream=quiet) as bar:  # not a terminal: nothing drawn
    ...     bar(5, 10)
    >>> quiet.getvalue()
    ''
    """

    _INTERVAL: Final = 0.1
    _WIDTH: Final = 30

    def __init__(
        self,
        label: str,
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self.clock = clock
        self.started = clock()
        self.done = 0
        self.total: int | None = None
        self._drawn_at: float | None = None
        self._width = 0

    def __call__(self, done: int, total: int | None = None) -> None:
        """Record progress: ``done`` so far, out of ``total`` (if known)."""
        self.done = done
        if total is not None:
            self.total = total
        if not self.enabled:
            return
        now = self.clock()
        if self._drawn_at is None or now - self._drawn_at >= self._INTERVAL:
            self._draw(now)

    def _draw(self, now: float) -> None:
        self._drawn_at = now
        elapsed = int(now - self.started)
        clock = f"{elapsed // 60}:{elapsed % 60:02d}"
        if self.total:
            share = min(self.done / self.total, 1.0)
            filled = int(share * self._WIDTH)
            bar = "#" * filled + "-" * (self._WIDTH - filled)
            text = f"[{bar}] {share:4.0%}  {self.done}/{self.total} {self.label}  {clock}"
        else:
            text = f"{self.done} {self.label}  {clock}"
        pad = " " * max(self._width - len(text), 0)
        self._width = len(text)
        self.stream.write(f"\r{text}{pad}")
        self.stream.flush()

    def close(self) -> None:
        """Draw the final count and end the line (nothing if it never drew)."""
        if self.enabled and self._drawn_at is not None:
            self._draw(self.clock())
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
