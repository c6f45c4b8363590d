"""A progress bar on stderr (rich's), drawn only when stderr is a terminal.

When stderr is piped or redirected (scripts, CI, tests) it writes nothing at all, so logs
stay clean; ``--no-progress`` turns it off on a terminal too.
"""

from __future__ import annotations

import sys
from typing import Self, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = ["ProgressBar", "is_terminal"]


def is_terminal(stream: TextIO) -> bool:
    """Whether a stream is a terminal (``False`` for a closed or unusual one)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class ProgressBar:
    """A progress bar on a terminal; silent when the stream is not one.

    Call it with ``(done, total)`` (``total`` may be ``None`` when unknown) as often as you
    like: rich redraws it at most ten times a second, and once more on :meth:`close`.

    Args:
        label: what is being counted ("rows", "records").
        stream: where to draw; stderr by default.
        enabled: whether to draw at all; by default, when ``stream`` is a terminal.

    >>> import io
    >>> quiet = io.StringIO()
    >>> with ProgressBar("rows", stream=quiet) as bar:  # not a terminal: nothing drawn
    ...     bar(5, 10)
    >>> quiet.getvalue()
    ''
    """

    def __init__(
        self, label: str, *, stream: TextIO | None = None, enabled: bool | None = None
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self.done = 0
        self.total: int | None = None
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def _start(self) -> tuple[Progress, TaskID]:
        console = Console(file=self.stream, force_terminal=self.enabled or None)
        progress = Progress(
            BarColumn(),
            TaskProgressColumn(),
            MofNCompleteColumn(),
            TextColumn(self.label),
            TimeElapsedColumn(),
            console=console,
            transient=False,
            # Leave the program's own output alone: rich would otherwise send stdout into the
            # bar's stream (stderr, or a caller's buffer) until the bar stops.
            redirect_stdout=False,
            redirect_stderr=False,
        )
        progress.start()
        task = progress.add_task(self.label, total=self.total)
        self._progress, self._task = progress, task
        return progress, task

    def __call__(self, done: int, total: int | None = None) -> None:
        """Record progress: ``done`` so far, out of ``total`` (if known)."""
        self.done = done
        if total is not None:
            self.total = total
        if not self.enabled:
            return
        if self._progress is None or self._task is None:
            progress, task = self._start()
        else:
            progress, task = self._progress, self._task
        progress.update(task, completed=done, total=self.total)

    def close(self) -> None:
        """Draw the final count and end the line (nothing if it never drew)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
