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
    everything as usual.

    On leaving, the objects the block made (a graph's millions of dicts, the candidates) are
    moved straight to the collector's oldest generation, where long-lived objects end up
    anyway, rather than being walked by the young generations' collections first (a second
    for a large build): ``gc.freeze()`` then ``gc.unfreeze()``, which move every tracked object
    to the permanent generation and back into the oldest, without walking any. This is done
    only when nothing else is frozen (so that someone else's ``gc.freeze()`` is never undone);
    the only other objects it moves are the few hundred to few thousand that were young when
    the block began, which are then collected with the oldest generation.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()
