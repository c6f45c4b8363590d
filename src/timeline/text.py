"""Readable text about events: headlines that carry the facts, per-field changes, cards.

What the command line prints, and what a page can show, in one place:

- :func:`value_text`: any stored value as a person reads it (``"a, b"`` for a list,
  ``"990,800"`` for a count, ``"aircraft 413, tank 10,881"`` for item counts), never
  through ``repr``;
- :func:`field_changes`: what differs between two versions of an event, field by field
  and item by item (``"aircraft 384 → 413"``), not the whole before and after;
- :func:`loss_headline`: a tally with its main figures and their change since the tally
  before (``"Russia losses to 3 Jun 2025: personnel 990,800 (+1,100), aircraft 413 (+41)"``);
- :func:`short_name`: a few words for an event where a sentence would not fit
  (``"Spiderweb strike"``, ``"472-drone night"``);
- :class:`Headlines`: the headline of each event of a log, knowing the others: a
  correction as ``"destroyed 210 → 211 (revised report)"``, a causal link as
  ``"Spiderweb strike → 472-drone night (retaliation, 0.7)"``, a tally with its change;
- :func:`card_lines`: one event as lines of ``field: value``, with graded sources and its
  corrections.

The values are read from the codec's JSON form of an event, so a field of any type,
including one of your own event types, shows as its stored value.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from timeline.codec import Codec
from timeline.errors import TimelineError
from timeline.events import (
    Attack,
    CausalLink,
    CausalLinkRetracted,
    Correction,
    DroneBarrage,
    Event,
    LossReport,
    Retraction,
    Strike,
    TalkRoundHeld,
)
from timeline.projections import dates
from timeline.projections.resolution import apply_changes
from timeline.time import TimePrecision, local_date, local_span, local_text

if TYPE_CHECKING:
    from timeline.projections import History

__all__ = [
    "Headlines",
    "card_lines",
    "day_text",
    "field_changes",
    "headline",
    "loss_headline",
    "number",
    "short_name",
    "value_text",
    "when_text",
]

#: Shown for a value not given (``None``, an empty list).
NOTHING: Final = "–"
#: The fields every event has that a change list or card shows apart, or not at all.
_SKIP: Final = frozenset({"type", "version", "event_id"})
#: The loss items a headline shows first, in this order, when they are there.
_MAIN_ITEMS: Final = (
    "aircraft",
    "helicopter",
    "tank",
    "APC",
    "field artillery",
    "MRL",
    "anti-aircraft warfare",
    "drone",
    "naval ship",
)
#: How many figures a loss headline shows besides personnel.
_SHOWN: Final = 4
#: Words kept of a long headline used as a name.
_NAME_WIDTH: Final = 40


def number(value: float) -> str:
    """A count with thousands separated: ``990800`` → ``"990,800"``; ``0.7`` → ``"0.7"``."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:g}"


def _signed(delta: int) -> str:
    return f"+{delta:,}" if delta > 0 else f"−{-delta:,}" if delta < 0 else "±0"


def _pairs(value: list[Any]) -> dict[str, Any] | None:
    """``[{"item": "aircraft", "count": 413}, ...]`` as ``{"aircraft": 413}``, if that shape."""
    out: dict[str, Any] = {}
    for entry in value:
        if not isinstance(entry, dict) or len(entry) != 2:  # noqa: PLR2004 - a name and a count
            return None
        names = [v for v in entry.values() if isinstance(v, str)]
        counts = [v for v in entry.values() if not isinstance(v, str)]
        if len(names) != 1 or len(counts) != 1 or names[0] in out:
            return None
        out[names[0]] = counts[0]
    return out


def value_text(value: object) -> str:  # noqa: C901, PLR0911  # one return per kind of value
    """A stored value as a person reads it, never its ``repr``.

    >>> value_text(["Ukraine", "Russia"])
    'Ukraine, Russia'
    >>> value_text([{"item": "aircraft", "count": 413}, {"item": "tank", "count": 10881}])
    'aircraft 413, tank 10,881'
    >>> value_text(None), value_text({"name": "Kyiv", "latitude": 50.45})
    ('–', 'name Kyiv, latitude 50.45')
    """
    if value is None or value in ((), [], {}, ""):
        return NOTHING
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return number(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value_text(value.value)
    if attrs.has(type(value)):
        return value_text(attrs.asdict(value, recurse=False))  # type: ignore[arg-type]
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {value_text(v)}" for k, v in value.items() if v is not None)
    if isinstance(value, list | tuple):
        pairs = _pairs(list(value))
        if pairs is not None:
            return ", ".join(f"{k} {value_text(v)}" for k, v in pairs.items())
        return ", ".join(value_text(v) for v in value)
    if callable(value):  # a method or function is no value; never show its repr
        return "?"
    return type(value).__name__ if type(value).__str__ is object.__str__ else str(value)


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """What differs between two versions of an event (their codec dicts), one line each.

    Lists of named counts are compared name by name, so a tally whose aircraft alone
    changed reads ``"aircraft 384 → 413"``, not two lists of thirteen figures.

    >>> field_changes({"destroyed": 210, "launched": 472}, {"destroyed": 211, "launched": 472})
    ['destroyed 210 → 211']
    >>> old = {"equipment": [{"item": "aircraft", "count": 384}, {"item": "tank", "count": 3}]}
    >>> new = {"equipment": [{"item": "aircraft", "count": 413}, {"item": "tank", "count": 3}]}
    >>> field_changes(old, new), field_changes({"tags": []}, {"tags": ["approximate"]})
    (['aircraft 384 → 413'], ['tags – → approximate'])
    """
    lines = []
    for name in [*before, *(k for k in after if k not in before)]:
        if name in _SKIP:
            continue
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        old_pairs = _pairs(old) if isinstance(old, list) else None
        new_pairs = _pairs(new) if isinstance(new, list) else None
        if (old_pairs is not None or not old) and (new_pairs is not None or not new):
            old_pairs, new_pairs = old_pairs or {}, new_pairs or {}
            if old_pairs or new_pairs:
                for key in [*old_pairs, *(k for k in new_pairs if k not in old_pairs)]:
                    a, b = old_pairs.get(key), new_pairs.get(key)
                    if a != b:
                        lines.append(f"{key} {value_text(a)} → {value_text(b)}")
                continue
        lines.append(f"{name.replace('_', ' ')} {value_text(old)} → {value_text(new)}")
    return lines


def day_text(event: Event) -> str:
    """An event's local date, for people: ``"3 Jun 2025"`` (:func:`timeline.time.local_date`)."""
    day = local_date(event)
    return f"{day.day} {day:%b %Y}"


def when_text(event: Event, zone: str | None = None) -> str:
    """When an event happened, on its own zone's clock (or ``zone``'s), at its precision.

    ``"2025-05-31 19:30 Kyiv to 2025-06-01 13:30 Kyiv"``; ``"2025-06-02"`` for a day; a
    window of whole days as its first and last day. A date is the event's own local date
    whatever ``zone`` is ("2 June in Istanbul" is not 1 June in UTC); only times move.
    """
    precision = event.time_precision
    coarse = precision in (TimePrecision.DAY, TimePrecision.MONTH)
    if coarse or zone is None:
        zone = event.zone
    if coarse:
        first, last = local_span(event)
        size = 7 if precision is TimePrecision.MONTH else 10
        start = first.isoformat()[:size]
        end = last.isoformat()[:size]
        return start if event.occurred_until is None or end == start else f"{start} to {end}"
    start = local_text(event.occurred_at, zone, precision)
    if event.occurred_until is None:
        return start
    end = local_text(event.occurred_until, zone, precision)
    return start if end == start else f"{start} to {end}"


def _items(report: LossReport) -> dict[str, int | None]:
    items: dict[str, int | None] = {"personnel": report.personnel}
    items.update((c.item, c.count) for c in report.equipment)
    return items


def _main_order(name: str) -> tuple[int, str]:
    if name == "personnel":
        return (-1, name)
    return (_MAIN_ITEMS.index(name) if name in _MAIN_ITEMS else len(_MAIN_ITEMS), name)


def loss_headline(report: LossReport, previous: LossReport | None = None) -> str:
    """A tally with its main figures and, given the tally before, their change since.

    Personnel first, then the figures that changed (main items first), up to four, and
    how many more there are.

    >>> import pendulum
    >>> day = lambda d: pendulum.datetime(2025, 6, d, tz="Europe/Kyiv")
    >>> before = LossReport(occurred_at=day(2), time_precision="day", party="Russia",
    ...     personnel=989700, equipment={"aircraft": 372, "tank": 10879}, cumulative=True)
    >>> now = LossReport(occurred_at=day(3), time_precision="day", party="Russia",
    ...     personnel=990800, equipment={"aircraft": 413, "tank": 10881}, cumulative=True)
    >>> loss_headline(now, before)
    'Russia losses to 3 Jun 2025: personnel 990,800 (+1,100), aircraft 413 (+41), tank 10,881 (+2)'
    """
    items = _items(report)
    old = _items(previous) if previous is not None else {}
    figures = []
    for name in sorted(items, key=_main_order):
        value, was = items[name], old.get(name)
        if value is None or (name != "personnel" and was is not None and value == was):
            continue
        change = f" ({_signed(value - was)})" if was is not None and value != was else ""
        figures.append((name, f"{name} {number(value)}{change}"))
    people = [text for name, text in figures if name == "personnel"]
    others = [text for name, text in figures if name != "personnel"]
    text = ", ".join(people + others[:_SHOWN]) or "no figures"
    if len(others) > _SHOWN:
        text += f" and {len(others) - _SHOWN} more"
    elif previous is not None and not others and report.equipment:
        text += ", equipment unchanged" if people else "equipment unchanged"
    to = "to " if report.cumulative else "on "
    kind = "losses" if report.cumulative is not False else "losses in the period"
    return f"{report.party} {kind} {to}{day_text(report)}: {text}"


def _night(event: Attack) -> str:
    """``"night"`` for a window of at most a day across a local midnight."""
    first, last = local_span(event)
    until = event.occurred_until
    if until is not None and last > first and until - event.occurred_at <= dt.timedelta(1):
        return "night"
    return "barrage" if isinstance(event, DroneBarrage) else "strike"


def short_name(event: Event) -> str:
    """A few words for an event, where a sentence would not fit (the ends of a causal link).

    >>> import pendulum
    >>> short_name(Strike(occurred_at=pendulum.datetime(2025, 6, 1), attacker="Ukraine",
    ...                   operation="Spiderweb"))
    'Spiderweb strike'
    >>> short_name(DroneBarrage(occurred_at=pendulum.datetime(2025, 5, 31, 16, 30),
    ...     occurred_until=pendulum.datetime(2025, 6, 1, 10, 30), launched=472))
    '472-drone night'
    """
    if isinstance(event, Strike):
        return f"{event.operation} strike" if event.operation else f"{event.attacker}'s strike"
    if isinstance(event, Attack):
        kind = "drone" if isinstance(event, DroneBarrage) else "missile"
        count = f"{number(event.launched)}-{kind}" if event.launched is not None else kind
        return f"{count} {_night(event)}"
    if isinstance(event, LossReport):
        return f"{event.party} losses to {day_text(event)}"
    if isinstance(event, TalkRoundHeld):
        where = event.city or event.venue
        number_ = f"round {event.round_number} of " if event.round_number else ""
        return f"{number_}talks in {where}" if where else f"{number_}talks"
    text = event.headline()
    if len(text) <= _NAME_WIDTH:
        return text
    return text[: _NAME_WIDTH - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def headline(event: Event) -> str:
    """An event's headline on its own: its summary, else one built from its figures.

    Like ``event.headline()``, but a tally gives its main figures, not their number
    (:func:`loss_headline` without the change, which needs the tally before).
    """
    if isinstance(event, LossReport) and not event.summary:
        return loss_headline(event)
    return event.headline()


class Headlines:
    """The headline of each event of a log, told with what the other events say.

    Built once from the events in log order (``Headlines(r.event for r in log.read())``),
    then asked for any of them: a correction names its target and what it changed, as the
    target stood just before; a link names its two events; a tally gives its change since
    the tally before it of the same party. Other events give their own ``headline()``.

    Only the events given are known: a correction of an event not among them reads
    ``"correction of <id>"`` with its raw changes.
    """

    def __init__(self, events: Iterable[Event], *, codec: Codec | None = None) -> None:
        self._codec = codec if codec is not None else Codec()
        self._events: dict[uuid.UUID, Event] = {}
        self._before: dict[uuid.UUID, Event] = {}  # correction id -> its target just before
        tallies: dict[tuple[str, bool | None], list[tuple[dt.datetime, int, LossReport]]] = {}
        for n, event in enumerate(events):
            self._events[event.event_id] = event
            if isinstance(event, Correction):
                self._correct(event)
            elif isinstance(event, LossReport):
                key = (event.party, event.cumulative)
                tallies.setdefault(key, []).append((event.occurred_at, n, event))
        self._tallies = {k: sorted(v, key=lambda t: (t[0], t[1])) for k, v in tallies.items()}

    def _correct(self, correction: Correction) -> None:
        target = self._events.get(correction.corrects)
        if target is None:
            return
        self._before[correction.event_id] = target
        try:
            self._events[correction.corrects] = apply_changes(
                self._codec, target, correction.changes
            )
        except TimelineError:  # a correction the log's guards would refuse: keep the target
            return

    def event(self, event_id: uuid.UUID) -> Event | None:
        """The event with this id as corrected by the corrections given so far, if known."""
        return self._events.get(event_id)

    def previous_tally(self, report: LossReport) -> LossReport | None:
        """The same party's tally (of the same kind) just before this one, if any."""
        rows = self._tallies.get((report.party, report.cumulative), [])
        i = bisect.bisect_left([t[0] for t in rows], report.occurred_at)
        if i == 0:
            return None
        before = rows[i - 1][2]
        found = self._events.get(before.event_id, before)  # as corrected so far
        return found if isinstance(found, LossReport) else before

    def _name(self, event_id: uuid.UUID) -> str:
        found = self._events.get(event_id)
        return short_name(found) if found is not None else f"event {str(event_id)[:8]}"

    def text(self, event: Event) -> str:  # noqa: PLR0911  # one return per kind of event
        """The headline of one event (one of those given, or any other)."""
        if event.summary and not isinstance(event, Correction | CausalLink):
            return event.summary
        if isinstance(event, LossReport):
            return loss_headline(event, self.previous_tally(event))
        if isinstance(event, Correction):
            return self._correction(event)
        if isinstance(event, CausalLink):
            return (
                f"{self._name(event.cause)} → {self._name(event.effect)} "
                f"({event.relation}, {event.confidence:g})"
            )
        if isinstance(event, Retraction):
            why = f" ({event.reason})" if event.reason else ""
            return f"withdraws {self._name(event.retracts)}{why}"
        if isinstance(event, CausalLinkRetracted):
            why = f" ({event.reason})" if event.reason else ""
            return f"withdraws the link {self._name(event.link)}{why}"
        return headline(event)

    def _correction(self, correction: Correction) -> str:
        why = f" ({correction.reason})" if correction.reason else ""
        target = self._before.get(correction.event_id)
        if target is None:
            changes = ", ".join(f"{k} → {value_text(v)}" for k, v in correction.changes.items())
            return f"correction of {self._name(correction.corrects)}: {changes}{why}"
        old = self._codec.to_dict(target)
        lines = field_changes(old, {**old, **correction.changes}) or ["no change"]
        shown = ", ".join(lines[:_SHOWN]) + (
            f" and {len(lines) - _SHOWN} more" if len(lines) > _SHOWN else ""
        )
        return f"{shown}{why} in {short_name(target)}"


def _sources(event: Event) -> list[str]:
    """``sources:`` and one line per source, its Admiralty grade first (``--`` if ungraded)."""
    if not event.sources:
        return [f"sources: {NOTHING}"]
    return ["sources:"] + [f"  {s.grade or '--'}  {s.name}" for s in event.sources]


def card_lines(
    codec: Codec, event: Event, hist: History | None = None, *, zone: str | None = None
) -> list[str]:
    """One event as a card: its headline, ``field: value`` lines, sources, corrections.

    ``event`` is as recorded; ``hist`` (from :func:`timeline.history`) adds the event as
    corrected now, and one line per correction or retraction. Its times on its own zone's
    clock, or on ``zone``'s (:func:`when_text`).
    """
    current = hist.current if hist is not None else event
    data = codec.to_dict(current)
    title = headline(current)
    if hist is not None and len(hist) > 1:
        title += " (corrected since: see its history)" if not hist.withdrawn else " (withdrawn)"
    lines = [title, f"type: {current.TYPE}", f"id: {current.event_id}"]
    lines.append(f"when: {when_text(current, zone)} ({current.time_precision.value} precision)")
    skip = _SKIP | {"occurred_at", "occurred_until", "time_precision", "sources", "summary"}
    fields = [
        (name.replace("_", " ") + ":", value_text(value))
        for name, value in data.items()
        if name not in skip and value_text(value) != NOTHING
    ]
    width = max((len(name) for name, _ in fields), default=0)
    lines += [f"{name:<{width}} {value}" for name, value in fields]
    lines += _sources(current)
    if hist is None or len(hist) == 1:
        lines.append("history: as recorded; never corrected or retracted")
        return lines
    lines.append("history:")
    before = codec.to_dict(hist.original)
    for revision in hist:
        if revision.kind == "recorded":
            continue
        if revision.kind == "corrected":
            after = codec.to_dict(revision.event)
            what = ", ".join(field_changes(before, after)) or "no change"
            before = after
        elif revision.kind == "retracted":
            what = "withdrawn"
        else:
            what = "an earlier step withdrawn"
        why = f" ({revision.reason})" if revision.reason else ""
        stamp = dates.label(revision.recorded_at, TimePrecision.MINUTE)
        lines.append(f"  {stamp}  {what}{why}")
    if hist.withdrawn:
        lines.append("now: withdrawn (retracted)")
    return lines
