"""Pausing the cyclic garbage collector around bulk work (graph builds, rule runs)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["paused"]


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, then restore it as it was.

    Building a graph or running rules allocates millions of small dicts, tuples and objects
    and frees almost none of them; the collector would walk the growing heap again and again
    (doubling a large build's time) and find nothing to free. Reference counting still frees
    everything as usual, and a collection runs as normal once the block is left.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
