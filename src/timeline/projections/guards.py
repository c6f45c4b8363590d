"""The correction guard: corrections and retractions are checked before they are stored.

:func:`timeline.open_log` wires a :class:`CorrectionGuard` into every log (see
:func:`timeline.store.standard_guards`). The log runs it inside each append, under the write
lock and before anything is written, so a refused batch leaves the log as it was.

What it refuses, with :class:`~timeline.errors.InvalidEvent` naming the field and value (the
log itself already refuses a reference to an event it does not hold, with
:class:`~timeline.errors.UnknownEvent`):

- a correction naming a field its target's type lacks, or ``type``/``version``;
- a correction whose values, applied on top of the corrections already in force (and of
  earlier ones in the same batch), the target's type refuses (destroyed > launched, a naive
  time, text where a count belongs), or reads back differently (``4.7`` for a count);
- a correction that would change which events its target refers to (a link's cause or
  effect, an exchange's agreement): retract the event and append a new one instead;
- a correction of a correction or of a retraction: retract it and append a new one;
- a :class:`~timeline.events.CausalLinkRetracted` of something that is not a
  :class:`~timeline.events.CausalLink`;
- a retraction that would leave an event invalid: undoing a correction (or restoring one by
  retracting its retraction) whose neighbours only made sense with it.

So every event, as corrected by whatever is in force at any point of the log, is valid, and
replay at any ``known_at`` never meets a correction it cannot apply.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence

from timeline.codec import Codec
from timeline.errors import InvalidEvent
from timeline.events import CausalLink, CausalLinkRetracted, Correction, Event, Retraction
from timeline.log import EventLog
from timeline.projections.resolution import META_TYPES, Resolution, apply_changes, meta_index

__all__ = ["CorrectionGuard", "check_correction"]


class CorrectionGuard:
    """Checks corrections and retractions at append time (a :data:`~timeline.log.Guard`).

    The meta events already stored come from the log's one
    :func:`~timeline.projections.resolution.meta_index`, which reads only the new ones at
    each append that brings a correction or a retraction; other appends cost a scan of the
    batch's types.

    >>> import pendulum, timeline as tl
    >>> log = tl.open_log("memory:")
    >>> at = pendulum.datetime(2025, 6, 1, 22)
    >>> barrage = tl.DroneBarrage(occurred_at=at, launched=472, destroyed=210)
    >>> _ = log.append([barrage], stream="air")
    >>> bad = tl.Correction(occurred_at=at, corrects=barrage.event_id, changes={"launched": 9})
    >>> log.append([bad], stream="air")
    Traceback (most recent call last):
    ...
    timeline.errors.InvalidEvent: Correction ... refused: DroneBarrage.destroyed must not exceed ...
    >>> len(log)
    1
    """

    def __call__(self, log: EventLog, batch: Sequence[Event]) -> None:
        """Check a batch about to be appended to ``log``; raise to refuse it."""
        if not any(event.TYPE in META_TYPES for event in batch):
            return
        # The log's stored meta events resolved (a copy: the batch's are added to it). The
        # guard runs inside the append, on a log it has seen grow: no need to check its prefix.
        resolution = meta_index(log).resolution(log, len(log), check=False)
        earlier: dict[uuid.UUID, Event] = {}

        def lookup(event_id: uuid.UUID) -> Event:
            found = earlier.get(event_id)
            if found is None:
                found = resolution.meta(event_id)
            return found if found is not None else log.get(event_id).event

        for event in batch:
            if event.TYPE in META_TYPES:
                _check(log.codec, resolution, lookup, event)
            earlier[event.event_id] = event


def _check(
    codec: Codec, resolution: Resolution, lookup: Callable[[uuid.UUID], Event], event: Event
) -> None:
    """Check one meta event against the resolution so far, then add it there."""
    if isinstance(event, Correction):
        target = lookup(event.corrects)
        if target.TYPE in META_TYPES:
            raise _refused(
                event,
                f"{type(target).__name__} {target.event_id} cannot be corrected; retract it "
                "and append a new one",
                "corrects",
                event.corrects,
            )
        check_correction(codec, resolution.resolve(codec, target), event)
        resolution.add(event)
        return
    if isinstance(event, CausalLinkRetracted):
        target = lookup(event.link)
        if not isinstance(target, CausalLink):
            raise _refused(
                event,
                f"{event.link} is a {type(target).__name__}, not a CausalLink; use a "
                "Retraction to withdraw it",
                "link",
                event.link,
            )
    elif isinstance(event, Retraction):
        lookup(event.retracts)
    for flipped in resolution.add(event):
        undone = resolution.meta(flipped)
        if not isinstance(undone, Correction):
            continue
        target = lookup(undone.corrects)
        try:
            resolution.resolve(codec, target)
        except InvalidEvent as e:
            message = f"it would leave {type(target).__name__} {target.event_id} invalid: {e}"
            raise _refused(event, message, e.field, e.value) from e


def _refused(event: Event, why: str, field: str, value: object) -> InvalidEvent:
    """The error refusing a meta event: its type and id, why, and the field at fault."""
    return InvalidEvent(
        f"{type(event).__name__} {event.event_id} refused: {why}",
        field=field,
        value=value,
        event_id=event.event_id,
    )


def check_correction(codec: Codec, current: Event, correction: Correction) -> Event:
    """Apply a correction to an event as it currently stands, checking it strictly.

    Args:
        codec: the log's codec.
        current: the target as corrected so far.
        correction: the new correction.

    Returns:
        The corrected event.

    Raises:
        InvalidEvent: naming the field and value, if the correction is refused.
    """
    kind = type(current).__name__
    for name, value in correction.changes.items():
        if name in ("type", "version"):
            why = (
                f"a correction cannot change an event's {name} (asked to set it to {value!r}); "
                "retract the event and append a new one"
            )
            raise _refused(correction, why, name, value)
    try:
        fixed = apply_changes(codec, current, correction.changes)
    except InvalidEvent as e:
        raise _refused(correction, str(e), e.field, e.value) from e
    stored = codec.to_dict(fixed)
    for name, value in correction.changes.items():
        if not _agrees(stored[name], value):
            why = f"{kind}.{name} cannot hold {value!r} exactly (it would be read as {stored[name]!r})"
            raise _refused(correction, why, name, value)
    if fixed.references() != current.references():
        name = next(iter(correction.changes))
        why = (
            f"it would change which events {kind} {current.event_id} refers to; retract it "
            "and append a new one"
        )
        raise _refused(correction, why, name, correction.changes[name])
    return fixed


def _agrees(stored: object, given: object) -> bool:
    """Whether a value the codec wrote back is the value a correction gave.

    Equal JSON values agree, except that a boolean only agrees with a boolean (``True`` is
    not the count ``1``); text agrees with text naming the same instant in another offset.
    """
    if isinstance(stored, (list, tuple)) and isinstance(given, (list, tuple)):
        return len(stored) == len(given) and all(map(_agrees, stored, given))
    if isinstance(stored, Mapping) and isinstance(given, Mapping):
        return stored.keys() == given.keys() and all(_agrees(stored[k], given[k]) for k in stored)
    if isinstance(stored, str) and isinstance(given, str) and stored != given:
        return _same_instant(stored, given)
    numbers = (int, float)
    if type(stored) in numbers and type(given) in numbers:  # not bool: True is not the count 1
        return stored == given
    return type(stored) is type(given) and stored == given


def _same_instant(a: str, b: str) -> bool:
    """Whether two texts name the same instant (both with an offset)."""
    try:
        x, y = dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b)
    except ValueError:
        return False
    return x.tzinfo is not None and y.tzinfo is not None and x == y
