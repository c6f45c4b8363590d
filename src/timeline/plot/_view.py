"""What a timeline chart draws: the events of a log or a list, resolved, with their lanes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from timeline.causal.graph import CausalGraph
from timeline.codec import Codec
from timeline.errors import InvalidArgument
from timeline.events import Event
from timeline.log import EventLog
from timeline.plot._base import check_choice, plain, short
from timeline.projections.replay import META_TYPES, Resolution, replay_records
from timeline.text import value_text
from timeline.time import TimePrecision, local_text

if TYPE_CHECKING:
    from pendulum import DateTime

#: The built-in ways to split events into lanes; a callable ``event -> name(s)`` also works.
LANES: Final = ("actor", "stream")

LaneChoice = str | Callable[[Event], str | Iterable[str]]

#: The lane of an event that names no actor.
NO_ACTOR: Final = "(no actor)"


def actors(event: Event) -> tuple[str, ...]:
    """The actors whose lanes an event goes in: its attacker, party or parties, else actors."""
    for name in ("attacker", "party"):
        value = getattr(event, name, None)
        if isinstance(value, str) and value:
            return (value,)
    parties = getattr(event, "parties", None)
    if parties:
        return tuple(parties)
    released = getattr(event, "released", None)
    if released:
        return tuple(c.party for c in released)
    for name in ("proposed_by", "speaker"):
        value = getattr(event, name, None)
        if isinstance(value, str) and value:
            return (value,)
    return event.actors or (NO_ACTOR,)


@attrs.frozen
class Item:
    """An event to draw: as corrected, its original (if corrected), its stream and lanes."""

    event: Event
    original: Event | None
    changed: tuple[str, ...]
    stream: str | None
    lanes: tuple[str, ...] = ()


def from_log(
    log: EventLog, as_of: DateTime | None, known_at: DateTime | None
) -> tuple[list[Item], CausalGraph]:
    records = list(replay_records(log, known_at=known_at, order="recorded"))
    graph = CausalGraph.from_events(
        (r.event for r in records), as_of=as_of, known_at=known_at, check=False
    )
    streams = {r.event.event_id: r.stream for r in records}
    res = Resolution.from_log(log, known_at=known_at)
    items = []
    for event in graph.events():
        changes = res.changes(event.event_id)
        original = log.get(event.event_id).event if changes else None
        items.append(Item(event, original, tuple(changes or ()), streams[event.event_id]))
    return items, graph


def from_events(events: Iterable[object], as_of: DateTime | None) -> tuple[list[Item], CausalGraph]:
    given: list[Event] = []
    for event in events:
        if not isinstance(event, Event):
            raise InvalidArgument(
                f"a timeline chart draws a log or events, got a {type(event).__name__} "
                f"among the events: {event!r}",
                argument="source",
                value=event,
            )
        given.append(event)
    res = Resolution()
    for event in given:
        if event.TYPE in META_TYPES:
            res.add(event)
    codec = Codec()
    resolved = [
        res.resolve(codec, e)
        for e in given
        if e.TYPE not in META_TYPES and not res.withdrawn(e.event_id)
    ]
    originals = {e.event_id: e for e in given}
    graph = CausalGraph.from_events(resolved, as_of=as_of, check=False)
    items = []
    for event in graph.events():
        changes = res.changes(event.event_id)
        original = originals[event.event_id] if changes else None
        items.append(Item(event, original, tuple(changes or ()), None))
    return items, graph


def lanes_of(choice: LaneChoice, item: Item) -> tuple[str, ...]:
    if choice == "actor":
        return actors(item.event)
    if choice == "stream":
        return (item.stream or "",)
    named = choice(item.event)  # type: ignore[operator]  # checked callable by the caller
    names = (named,) if isinstance(named, str) else tuple(named)
    if not names or not all(isinstance(n, str) and n for n in names):
        raise InvalidArgument(
            f"the lanes function gave {named!r} for {item.event.headline()!r}: "
            "it must give a lane name or several",
            argument="lanes",
            value=named,
        )
    return names


def check_lanes(lanes: object, *, have_log: bool) -> LaneChoice:
    if callable(lanes):
        return lanes  # called with an event; its answer is checked by _lanes_of
    choice = check_choice("lanes", lanes, LANES)
    if choice == "stream" and not have_log:
        raise InvalidArgument(
            "lanes='stream' needs a log: events alone have no stream", argument="lanes", value=lanes
        )
    return choice


def _describe(value: Any, zone: str | None = None) -> str:
    """A value in a note: a time to the minute on the clock of ``zone`` (its name said)."""
    if isinstance(value, dt.datetime):
        return local_text(value, zone or "UTC", TimePrecision.MINUTE)
    return short(value_text(value), 24)


def _counts(value: Any) -> dict[str, int] | None:
    """``{name: count}`` for a tuple of named counts (``ItemCount``, ``PartyCount``), else None."""
    if not isinstance(value, tuple) or not value:
        return None
    out = {}
    for x in value:
        name = getattr(x, "item", None) or getattr(x, "party", None)
        count = getattr(x, "count", None)
        if not isinstance(name, str) or type(count) is not int:
            return None
        out[name] = count
    return out


def change_text(original: Event, corrected: Event, fields: Sequence[str]) -> str:
    """``"corrected: aircraft 384 → 413"``: what the corrections in force changed.

    Values are written from what they are (counts item by item, names joined by commas,
    times to the minute, on the clock of the event's zone), never through ``repr``.
    """
    zone = corrected.zone
    parts: list[str] = []
    for name in fields:
        old: Any = getattr(original, name, None)
        new: Any = getattr(corrected, name, None)
        if old == new:
            continue
        before, after = _counts(old), _counts(new)
        if (before is not None or not old) and (after is not None or not new) and (before or after):
            before, after = before or {}, after or {}
            parts.extend(
                f"{k} {_describe(before.get(k))} → {_describe(after.get(k))}"
                for k in dict.fromkeys([*before, *after])
                if before.get(k) != after.get(k)
            )
        else:
            parts.append(f"{name} {_describe(old, zone)} → {_describe(new, zone)}")
    return plain("corrected: " + ("; ".join(parts) if parts else ", ".join(fields)))
