"""An event's history: the original as recorded, then every correction and retraction.

>>> import pendulum, timeline as tl
>>> log = tl.open_log("memory:")
>>> at = pendulum.datetime(2025, 6, 1, 22)
>>> barrage = tl.DroneBarrage(occurred_at=at, attacker="Russia", launched=472)
>>> _ = log.append([barrage], stream="air")
>>> _ = log.append([tl.Correction(occurred_at=at, corrects=barrage.event_id,
...                               changes={"launched": 479}, reason="revised")], stream="air")
>>> [(r.kind, r.event.launched, r.reason) for r in history(log, barrage.event_id)]
[('recorded', 472, None), ('corrected', 479, 'revised')]
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any, Literal

import attrs
from pendulum import DateTime

from timeline.errors import InvalidArgument
from timeline.events import Correction, Event, Source
from timeline.log import EventLog, Recorded
from timeline.projections.resolution import Resolution, instant, meta_index, target_of

__all__ = ["History", "Revision", "history"]

#: What a step did: the original was ``"recorded"``; a correction of the event
#: ``"corrected"`` it; a retraction of it ``"retracted"`` it; a retraction of an earlier step
#: (a correction, or a retraction) ``"undone"`` that step.
Kind = Literal["recorded", "corrected", "retracted", "undone"]


@attrs.frozen(kw_only=True)
class Revision:
    """One step of an event's history, and the event as it stood after it.

    Attributes:
        kind: ``"recorded"``, ``"corrected"``, ``"retracted"`` or ``"undone"``.
        event: the event as corrected by every step so far still in force.
        withdrawn: whether it stood retracted after this step.
        change: the correction or retraction of this step (``None`` for the original).
        undoes: for an ``"undone"`` step, the id of the earlier step it withdraws.
        position: where this step is in the log.
        stream: the stream it was appended to.
        recorded_at: when the log recorded it.
        reason: the correction's or retraction's reason.
        sources: the sources it cites.
        claimed_by: whose claim it is.
    """

    kind: Kind
    event: Event
    withdrawn: bool
    change: Event | None
    undoes: uuid.UUID | None
    position: int
    stream: str
    recorded_at: DateTime
    reason: str | None
    sources: tuple[Source, ...]
    claimed_by: str | None

    @property
    def changes(self) -> dict[str, Any]:
        """The fields a correction step changed, in their stored form (``{}`` otherwise)."""
        return dict(self.change.changes) if isinstance(self.change, Correction) else {}


@attrs.frozen
class History:
    """Every revision of one event, in recorded order; the first is the original.

    Iterating gives the :class:`Revision` objects.
    """

    event_id: uuid.UUID
    revisions: tuple[Revision, ...]

    @property
    def original(self) -> Event:
        """The event as first recorded."""
        return self.revisions[0].event

    @property
    def current(self) -> Event:
        """The event as corrected by everything in force now."""
        return self.revisions[-1].event

    @property
    def withdrawn(self) -> bool:
        """Whether it stands retracted now."""
        return self.revisions[-1].withdrawn

    def known_at(self, at: dt.datetime) -> Revision | None:
        """The revision that stood at transaction time ``at`` (``None`` before the original).

        Raises:
            InvalidArgument: for an ``at`` that is not an aware datetime.
        """
        cut = instant(at, "at")
        if cut is None:
            raise InvalidArgument("at must be an aware datetime, got None", argument="at", value=at)
        standing = None
        for revision in self.revisions:
            if revision.recorded_at > cut:
                break
            standing = revision
        return standing

    def __iter__(self) -> Iterator[Revision]:
        return iter(self.revisions)

    def __len__(self) -> int:
        return len(self.revisions)


def history(log: EventLog, event_id: uuid.UUID) -> History:
    """The versions of an event: the original, then each correction or retraction.

    A step counts when it acts on the event, or on an earlier step of its history (a
    retraction of one of its corrections, a retraction of that retraction, ...).

    Args:
        log: the log.
        event_id: the event's id.

    Raises:
        UnknownEvent: if the log does not hold the event.
    """
    original = log.get(event_id)
    codec = log.codec
    resolution = Resolution()
    revisions = [_revision("recorded", original, original.event, withdrawn=False)]
    steps = {event_id}
    for rec in meta_index(log).upto(log, len(log)):
        if rec.position <= original.position:
            continue
        target = target_of(rec.event)
        if target not in steps:
            continue
        steps.add(rec.event.event_id)
        resolution.add(rec.event)
        if target != event_id:
            kind: Kind = "undone"
        elif isinstance(rec.event, Correction):
            kind = "corrected"
        else:
            kind = "retracted"
        revisions.append(
            _revision(
                kind,
                rec,
                resolution.resolve(codec, original.event),
                withdrawn=resolution.withdrawn(event_id),
                undoes=target if kind == "undone" else None,
            )
        )
    return History(event_id, tuple(revisions))


def _revision(
    kind: Kind,
    rec: Recorded,
    event: Event,
    *,
    withdrawn: bool,
    undoes: uuid.UUID | None = None,
) -> Revision:
    step = rec.event
    return Revision(
        kind=kind,
        event=event,
        withdrawn=withdrawn,
        change=None if kind == "recorded" else step,
        undoes=undoes,
        position=rec.position,
        stream=rec.stream,
        recorded_at=rec.recorded_at,
        reason=getattr(step, "reason", None) if kind != "recorded" else None,
        sources=step.sources,
        claimed_by=step.claimed_by,
    )
