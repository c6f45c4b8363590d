"""The page's data: a log read once into plain dicts (the data contract, ``"schema": 1``).

The page recomputes every view in the browser, so the data holds the log as recorded, not
a view of it: every event as first recorded, every correction with its changes, every
retraction, every causal link, each with its position and ``recorded_at``. The browser
resolves them for a pair of cuts the way :class:`~timeline.projections.Resolution` does
(docs/page.md, "How the page computes a view").

Instants travel twice: as text (ISO-8601, UTC) for people and as integer microseconds since
the epoch (``*_us``) for comparisons, exact in a JavaScript number (< 2**53) so that the
browser's cut equals the library's.

Built with plain loops over one read of the log: 100,000 events in a few seconds.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Mapping
from importlib import metadata
from typing import Any, Final
from urllib.parse import urlsplit

import pendulum

from timeline.codec import Codec
from timeline.errors import InvalidArgument, InvalidEvent, TimelineError
from timeline.events import CausalLink, CausalLinkRetracted, Correction, Event, Retraction, Source
from timeline.log import EventLog, Recorded
from timeline.projections.resolution import apply_changes
from timeline.time import parse_utc

__all__ = ["SCHEMA", "build", "safe_url"]

#: The version of the data contract; a change that breaks a reader raises it.
SCHEMA: Final = 1

#: Fields every event has, shown apart from its own ``fields`` in the page.
_COMMON: Final = frozenset(
    {
        "type",
        "version",
        "event_id",
        "occurred_at",
        "occurred_until",
        "time_precision",
        "sources",
        "claimed_by",
        "zone",
    }
)

#: The figure that sizes an event's bar (the first of these an event has).
_FIGURES: Final = ("launched", "killed", "count", "people", "total", "destroyed")

_OFFSET: Final = re.compile(r"(?P<sign>[+-])(?P<h>\d\d):?(?P<m>\d\d)")
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_DAY: Final = dt.date(1970, 1, 1).toordinal()


def micros(value: dt.datetime) -> int:
    """An aware instant as whole microseconds since the epoch (exact in JavaScript)."""
    delta = dt.datetime.__sub__(value, _EPOCH)  # the plain timedelta (pendulum's is slower)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def safe_url(url: str | None) -> str | None:
    """``url`` if the page may make it a link (``http``/``https`` with a host), else ``None``.

    A ``javascript:``, ``data:`` or relative URL stays text: a log is written by many hands.

    >>> safe_url("https://acleddata.com/x"), safe_url("javascript:alert(1)")
    ('https://acleddata.com/x', None)
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _zone(event: Event) -> str:
    """The event's zone (issue 15's ``Event.zone``), or ``"UTC"`` for an event without one."""
    zone = getattr(event, "zone", None)
    return zone if isinstance(zone, str) and zone else "UTC"


def _local(value: dt.datetime, zone: str) -> dt.date:
    """The local date of an instant in a zone: an IANA name or a fixed offset ("+03:00").

    A zone that cannot be read gives the UTC date.
    """
    fixed = _OFFSET.fullmatch(zone)
    if fixed:
        sign = -1 if fixed["sign"] == "-" else 1
        shift = dt.timedelta(hours=int(fixed["h"]), minutes=int(fixed["m"]))
        return (value.astimezone(dt.UTC) + sign * shift).date()
    try:
        tz = pendulum.timezone(zone)
    except ValueError:  # pendulum's InvalidTimezone is one
        return value.astimezone(dt.UTC).date()
    return value.astimezone(tz).date()


def _span(event: Event) -> tuple[dt.date, dt.date]:
    """First and last local date of an event, in its zone."""
    zone = _zone(event)
    first = _local(event.occurred_at, zone)
    last = first if event.occurred_until is None else _local(event.occurred_until, zone)
    return first, last


def family(event: Event) -> str:
    """The event's family: the catalog module it comes from, or the first part of its TYPE."""
    head, _, _ = event.TYPE.partition(".")
    return head or "other"


def party(event: Event) -> str:
    """The party an event belongs to, for its lane: attacker, party, parties, actors, claimant."""
    for name in ("attacker", "party"):
        value = getattr(event, name, None)
        if isinstance(value, str) and value:
            return value
    parties = getattr(event, "parties", None)
    if parties:
        return "–".join(sorted(parties))
    released = getattr(event, "released", None)  # an exchange: the parties releasing
    if released:
        return "–".join(sorted({getattr(c, "party", "?") for c in released}))
    if event.actors:
        return event.actors[0]
    return event.claimed_by or "(no party)"


def _figure(event: Event) -> float | None:
    for name in _FIGURES:
        value = getattr(event, name, None)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
    return None


def _source(source: Source) -> dict[str, Any]:
    url = safe_url(source.url)
    return {
        "name": source.name,
        "url": url,
        "url_text": source.url if url is None else None,
        "published_at": None if source.published_at is None else source.published_at.isoformat(),
        "reliability": source.reliability,
        "credibility": source.credibility,
        "grade": source.grade,
    }


def _shown(event: Event) -> dict[str, Any]:
    """What depends on an event's (corrected) fields: text, dates, lanes, figure."""
    first, last = _span(event)
    return {
        "headline": event.headline(),
        "local": [first.isoformat(), last.isoformat()],
        "day": [first.toordinal() - _EPOCH_DAY, last.toordinal() - _EPOCH_DAY],
        "lanes": {"party": party(event), "claimant": event.claimed_by or "(unclaimed)"},
        "figure": _figure(event),
    }


def _fields(stored: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: v for k, v in stored.items() if k not in _COMMON and v is not None and v not in ((), [])
    }


def _event(rec: Recorded, codec: Codec) -> dict[str, Any]:
    event = rec.event
    stored = codec.to_dict(event)
    until = event.occurred_until
    shown = _shown(event)
    shown["lanes"].update(stream=rec.stream, family=family(event))
    return {
        "id": stored["event_id"],
        "pos": rec.position,
        "type": event.TYPE,
        "family": family(event),
        "stream": rec.stream,
        "rec": rec.recorded_at.isoformat(),
        "rec_us": micros(rec.recorded_at),
        "at": stored["occurred_at"],
        "at_us": micros(event.occurred_at),
        "until": stored["occurred_until"],
        "until_us": None if until is None else micros(until),
        "precision": str(event.time_precision),
        "zone": _zone(event),
        **shown,
        "actors": list(event.actors),
        "claimed_by": event.claimed_by,
        "grades": sorted({s.grade for s in event.sources if s.grade}),
        "fields": _fields(stored),
        "sources": [_source(s) for s in event.sources],
    }


def _link(rec: Recorded) -> dict[str, Any]:
    link = rec.event
    assert isinstance(link, CausalLink)  # noqa: S101  # the caller sorted them
    return {
        "id": str(link.event_id),
        "pos": rec.position,
        "rec": rec.recorded_at.isoformat(),
        "rec_us": micros(rec.recorded_at),
        "cause": str(link.cause),
        "effect": str(link.effect),
        "relation": link.relation,
        "confidence": link.confidence,
        "asserted_by": link.asserted_by,
        "evidence": link.evidence,
        "rule": link.rule,
        "score": link.score,
        "sources": [_source(s) for s in link.sources],
    }


def _changes_us(changes: Mapping[str, Any]) -> dict[str, int | None]:
    """The corrected instants of a correction, as microseconds (what the cuts compare)."""
    found: dict[str, int | None] = {}
    for name in ("occurred_at", "occurred_until"):
        if name in changes:
            value = changes[name]
            try:
                found[name] = None if value is None else micros(parse_utc(value, field=name))
            except (InvalidEvent, TypeError):
                continue  # refused by apply_changes too: the correction then changes nothing shown
    return found


def _retraction(rec: Recorded) -> dict[str, Any]:
    event = rec.event
    target = event.retracts if isinstance(event, Retraction) else event.link  # type: ignore[attr-defined]  # a CausalLinkRetracted
    return {
        "id": str(event.event_id),
        "pos": rec.position,
        "rec": rec.recorded_at.isoformat(),
        "rec_us": micros(rec.recorded_at),
        "target": str(target),
        "kind": "retraction" if isinstance(event, Retraction) else "link-retraction",
        "reason": event.reason,  # type: ignore[attr-defined]  # both kinds have one
    }


def _corrections(log: EventLog, records: Iterable[Recorded]) -> list[dict[str, Any]]:
    """Each correction, with its target as corrected by it and every earlier one.

    ``shown`` is what the page shows for the target while this is the latest correction in
    force (exact unless an earlier correction of the same event is retracted meanwhile, when
    the text, dates and lanes are those of all of them; the cut's instants are always exact).
    """
    codec = log.codec
    merged: dict[uuid.UUID, dict[str, Any]] = {}
    found: list[dict[str, Any]] = []
    for rec in records:
        fix = rec.event
        assert isinstance(fix, Correction)  # noqa: S101  # the caller sorted them
        changes = merged.setdefault(fix.corrects, {})
        changes.update(fix.changes)
        shown: dict[str, Any] | None
        try:
            target = log.get(fix.corrects)
            fixed = apply_changes(codec, target.event, changes)
        except (TimelineError, KeyError):
            shown = None  # a correction the guard would refuse, or of a meta event
        else:
            shown = _shown(fixed)
            shown["lanes"].update(stream=target.stream, family=family(fixed))
        found.append(
            {
                "id": str(fix.event_id),
                "pos": rec.position,
                "rec": rec.recorded_at.isoformat(),
                "rec_us": micros(rec.recorded_at),
                "target": str(fix.corrects),
                "changes": dict(fix.changes),
                "changes_us": _changes_us(fix.changes),
                "reason": fix.reason,
                "shown": shown,
            }
        )
    return found


def _version() -> str:
    try:
        return metadata.version("conflict-timeline")
    except metadata.PackageNotFoundError:
        return "unknown"


def build(log: EventLog, *, title: str | None = None, zone: str | None = None) -> dict[str, Any]:
    """The data contract of a log's page (see :func:`timeline.page.data`).

    Raises:
        InvalidArgument: ``log`` is not an event log, or ``zone`` is not text.
    """
    if not isinstance(log, EventLog):
        raise InvalidArgument(
            f"a page is built from an event log, not {type(log).__name__}",
            argument="log",
            value=log,
        )
    if zone is not None and (not isinstance(zone, str) or not zone.strip()):
        raise InvalidArgument(
            f"zone must be a zone name such as 'Europe/Kyiv', got {zone!r}",
            argument="zone",
            value=zone,
        )
    codec = log.codec
    events: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    retractions: list[dict[str, Any]] = []
    fixes: list[Recorded] = []
    head = 0
    for rec in log.read():
        head = rec.position
        event = rec.event
        if isinstance(event, Correction):
            fixes.append(rec)
        elif isinstance(event, Retraction | CausalLinkRetracted):
            retractions.append(_retraction(rec))
        elif isinstance(event, CausalLink):
            links.append(_link(rec))
        else:
            events.append(_event(rec, codec))
    return {
        "schema": SCHEMA,
        "generator": f"conflict-timeline {_version()}",
        "title": title or "Timeline",
        "head": head,
        "zone": zone,
        "zones": sorted({e["zone"] for e in events}),
        "events": events,
        "corrections": _corrections(log, fixes),
        "retractions": retractions,
        "links": links,
    }
