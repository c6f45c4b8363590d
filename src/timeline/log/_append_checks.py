"""The checks of an append's arguments, made before anything is encoded or locked.

:meth:`~timeline.log.EventLog.append` checks its batch, stream name and
``expected_version`` here, and ``expected_version`` against the stream's version.
"""

from __future__ import annotations

from itertools import repeat
from typing import TYPE_CHECKING

from timeline.errors import ConcurrencyError, DuplicateEvent, InvalidArgument
from timeline.events import Event
from timeline.events.fields import shown
from timeline.log.query import _check_text

if TYPE_CHECKING:
    import uuid
    from collections.abc import Iterable

__all__ = ["check_expected", "checked_batch"]


def check_expected(stream: str, expected: int | None, actual: int) -> None:
    """Refuse an append whose ``expected_version`` is not the stream's version ``actual``."""
    if expected is not None and expected != actual:
        raise ConcurrencyError(
            f"stream {stream!r} is at version {actual}, not the expected {expected}",
            stream=stream,
            expected=expected,
            actual=actual,
        )


def checked_batch(
    events: Iterable[Event], stream: str, expected_version: int | None
) -> tuple[tuple[Event, ...], set[uuid.UUID]]:
    """The batch as a tuple and its ids, after checking the arguments of ``append``."""
    try:
        batch = tuple(events)
    except TypeError:  # None, a number, a single event
        if isinstance(events, Event):
            name = type(events).__name__
            raise InvalidArgument(
                f"events must be a list of events, got a single {name}: pass [event], not event",
                argument="events",
                value=events,
            ) from None
        raise InvalidArgument(
            f"events must be an iterable of events, got {shown(events)}",
            argument="events",
            value=events,
        ) from None
    if not isinstance(stream, str) or not stream.strip():
        raise InvalidArgument(
            f"stream must be a non-empty string, got {shown(stream)}",
            argument="stream",
            value=stream,
        )
    _check_text(stream, "stream")
    if expected_version is not None and (type(expected_version) is not int or expected_version < 0):
        raise InvalidArgument(
            f"expected_version must be a whole number ≥ 0 or None, got {expected_version!r}",
            argument="expected_version",
            value=expected_version,
        )
    if all(map(isinstance, batch, repeat(Event))):  # the usual case, checked in C
        ids = {event.event_id for event in batch}
        if len(ids) == len(batch):
            return batch, ids
    seen: set[uuid.UUID] = set()  # something is wrong: find the first event that is
    for i, event in enumerate(batch):
        if not isinstance(event, Event):
            raise InvalidArgument(
                f"events[{i}] is not an Event, got {event!r}",
                argument=f"events[{i}]",
                value=event,
            )
        if event.event_id in seen:
            raise DuplicateEvent(
                f"event id {event.event_id} appears twice in one batch", event_id=event.event_id
            )
        seen.add(event.event_id)
    return batch, seen  # not reached: one of the checks above fails
