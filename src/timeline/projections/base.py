"""The :class:`Projection` protocol and :func:`fold`, the one way a projection is folded.

A projection is a pure fold over events: an initial state and ``apply(state, event) ->
state``. It does no I/O and reads no clock, so replaying the same events always gives the
same state. States are immutable (frozen attrs objects, tuples, numbers), so a state handed
out is never changed behind its holder's back.

A projection may also offer ``fold(state, events) -> state``, a batch fold that must equal
``functools.reduce(apply, events, state)``. It lets a projection keep local, mutable
accumulators while it walks a batch (a dict of counters, a list it turns into a tuple at the
end) and so fold fast, while staying pure from the outside: the state it receives and the
state it returns are immutable.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Protocol, TypeVar, runtime_checkable

from timeline.events import Event

__all__ = ["BatchProjection", "Projection", "fold"]

S = TypeVar("S")


@runtime_checkable
class Projection(Protocol[S]):
    """A pure fold over events. Any object with these members is one; you may subclass it.

    Attributes:
        name: a stable name, e.g. ``"escalation"`` (snapshots are stored under it).
        version: grows when ``apply`` changes meaning, so stored snapshots of the old
            version are not reused.

    >>> class Count(Projection[int]):
    ...     name, version = "count", 1
    ...     def initial(self) -> int:
    ...         return 0
    ...     def apply(self, state: int, event: Event) -> int:
    ...         return state + 1
    >>> isinstance(Count(), Projection)
    True
    """

    name: str
    version: int

    def initial(self) -> S:
        """The state before any event."""
        ...

    def apply(self, state: S, event: Event) -> S:
        """The state after one more event: deterministic, no I/O, no clock, no mutation."""
        ...


@runtime_checkable
class BatchProjection(Projection[S], Protocol[S]):
    """A projection that also folds a batch of events in one call (optional, for speed)."""

    def fold(self, state: S, events: Iterable[Event]) -> S:
        """Equal to ``functools.reduce(self.apply, events, state)``, only faster."""
        ...


def fold(projection: Projection[S], state: S, events: Iterable[Event]) -> S:
    """Fold events into a state with the projection's ``fold`` if it has one, else ``apply``.

    Args:
        projection: the projection.
        state: the state to start from (``projection.initial()`` or a snapshot's state).
        events: the events, in the order to apply them.

    >>> class Count:
    ...     name, version = "count", 1
    ...     def initial(self): return 0
    ...     def apply(self, state, event): return state + 1
    >>> fold(Count(), 40, [object(), object()])
    42
    """
    batch = getattr(projection, "fold", None)
    if batch is not None:
        result: S = batch(state, events)
        return result
    return functools.reduce(projection.apply, events, state)
