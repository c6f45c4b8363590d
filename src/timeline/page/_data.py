"""The page's data: a log read once into plain dicts (the data contract, ``"schema": 2``).

The page recomputes every view in the browser, so the data holds the log as recorded, not
a view of it: every event as first recorded, every correction with its changes, every
retraction, every causal link, each with its position and ``recorded_at``. The browser
resolves them for a pair of cuts the way :class:`~timeline.projections.Resolution` does
(docs/page.md, "How the page computes a view").

Instants travel as integer microseconds since the epoch (``*_us``), exact in a JavaScript
number (< 2**53) so that the browser's cut equals the library's; the page writes them as text
itself. What the browser can derive, or a default, is left out (schema 2: a family, an empty
``until_us``/``zone``/``claimed_by``/``figure``, ``actors`` apart from ``fields``, a precision
of ``exact``, a one-day ``local`` as one date): 100,000 events make a page a third smaller.

Built with plain loops over one read of the log: 100,000 events in a few seconds.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import math
import uuid
from collections.abc import Iterable, Mapping
from importlib import metadata
from typing import Any, Final
from urllib.parse import urlsplit

import attrs

from timeline.errors import InvalidArgument, InvalidEvent, TimelineError
from timeline.events import CausalLink, CausalLinkRetracted, Correction, Event, Retraction, Source
from timeline.log import EventLog, Recorded
from timeline.projections.resolution import apply_changes
from timeline.text import headline
from timeline.time import isoformat, local_span, local_text, parse_utc

__all__ = ["SCHEMA", "Builder", "build", "merge", "safe_url"]

#: The version of the data contract; a change that breaks a reader raises it.
SCHEMA: Final = 2

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


def micros(value: dt.datetime) -> int:
    """An aware instant as whole microseconds since the epoch (exact in JavaScript).

    The float timestamp only gives the whole seconds (its error, under 1e-6 s, never
    crosses a second); the microseconds come from the instant itself.

    >>> import pendulum
    >>> micros(pendulum.datetime(2025, 6, 1, 22, 30, 0, 123456))
    1748817000123456
    """
    return math.floor(dt.datetime.timestamp(value)) * 1_000_000 + value.microsecond


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


def _figure(stored: Mapping[str, Any]) -> float | None:
    for name in _FIGURES:
        value = stored.get(name)
        if value is not None and type(value) in (int, float):
            return value  # type: ignore[no-any-return]  # an int or a float, just checked
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


def _shown(event: Event, stored: Mapping[str, Any]) -> dict[str, Any]:
    """What depends on an event's (corrected) fields: text, dates, party, claimant, figure.

    A one-day ``local`` is one date; no claimant or figure, no key (the page fills them in).
    """
    first, last = local_span(event)
    shown: dict[str, Any] = {
        "headline": headline(event),
        "when": local_text(event.occurred_at, event.zone, event.time_precision),
        "local": first.isoformat() if first == last else [first.isoformat(), last.isoformat()],
        "party": party(event),
    }
    if event.claimed_by is not None:
        shown["claimed_by"] = event.claimed_by
    figure = _figure(stored)
    if figure is not None:
        shown["figure"] = figure
    return shown


def _field_names(kind: type[Event], known: dict[type[Event], tuple[str, ...]]) -> tuple[str, ...]:
    """The fields of an event type shown as its own (all but the common ones)."""
    names = known.get(kind)
    if names is None:
        names = known[kind] = tuple(a.name for a in attrs.fields(kind) if a.name not in _COMMON)
    return names


def plain(value: Any) -> Any:
    """A field's value as JSON: text, numbers, lists and objects (as the codec stores them).

    Nested attrs classes (a :class:`Location`, an ``ItemCount``) become objects, instants
    canonical UTC text, ids text, enums their value.
    """
    if isinstance(value, enum.Enum):
        value = value.value
    kind = type(value)
    if kind in (str, int, float, bool) or value is None:
        return value
    if kind in (tuple, list, set, frozenset):
        items = [plain(v) for v in value]
        return sorted(items, key=str) if kind in (set, frozenset) else items
    if attrs.has(kind):
        return {k: plain(v) for k, v in attrs.asdict(value, recurse=False).items()}
    if isinstance(value, dt.datetime):
        return isoformat(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)


def _fields(event: Event, known: dict[type[Event], tuple[str, ...]]) -> dict[str, Any]:
    """The event's own fields that have a value, as JSON (``known``: field names by type)."""
    found: dict[str, Any] = {}
    for name in _field_names(type(event), known):
        value = getattr(event, name)
        if value is not None and value != ():
            found[name] = plain(value)
    return found


#: The texts of an event that many events share, each given once in ``strings``.
_SHARED: Final = ("type", "stream", "zone", "party", "claimed_by")


class _SourceTable:
    """The sources of a page, each stored once; events name them by their number.

    Imported data cites the same few sources on every row: one table keeps the page small.
    So do the few types, streams, zones, parties and claimants (:data:`_SHARED`), in
    :attr:`strings`.
    """

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self._numbers: dict[Source, int] = {}
        self.strings: list[str] = []
        self._string_numbers: dict[str, int] = {}
        #: The fields shown per event type, found once per page.
        self.field_names: dict[type[Event], tuple[str, ...]] = {}

    def share(self, found: dict[str, Any]) -> dict[str, Any]:
        """``found`` (an event) with its :data:`_SHARED` texts as numbers into :attr:`strings`."""
        for key in _SHARED:
            text = found.get(key)
            if text is not None:
                number = self._string_numbers.get(text)
                if number is None:
                    number = self._string_numbers[text] = len(self.strings)
                    self.strings.append(text)
                found[key] = number
        return found

    def spelled(self, event: dict[str, Any]) -> dict[str, Any]:
        """An event as :meth:`share` stored it, with its texts and sources written out."""
        strings, rows = self.strings, self.rows
        return (
            event
            | {key: strings[event[key]] for key in _SHARED if event.get(key) is not None}
            | {"sources": [rows[n] for n in event["sources"]]}
        )

    def numbers(self, sources: Iterable[Source]) -> list[int]:
        found = []
        for source in sources:
            number = self._numbers.get(source)
            if number is None:
                number = self._numbers[source] = len(self.rows)
                self.rows.append(_source(source))
            found.append(number)
        return found


def _event(rec: Recorded, table: _SourceTable) -> dict[str, Any]:
    event = rec.event
    fields = _fields(event, table.field_names)
    until = event.occurred_until
    shown = _shown(event, fields)
    found: dict[str, Any] = {
        "id": str(event.event_id),
        "pos": rec.position,
        "type": event.TYPE,
        "stream": rec.stream,
        "rec_us": micros(rec.recorded_at),
        "at_us": micros(event.occurred_at),
    }
    if until is not None:
        found["until_us"] = micros(until)
    precision = event.time_precision.value
    if precision != "exact":
        found["precision"] = precision
    if event.zone is not None:
        found["zone"] = event.zone
    found |= shown
    found["fields"] = fields  # its actors among them: the page reads them there
    found["sources"] = table.numbers(event.sources)
    return table.share(found)


def _link(rec: Recorded) -> dict[str, Any]:
    link = rec.event
    assert isinstance(link, CausalLink)  # noqa: S101  # the caller sorted them
    return {
        "id": str(link.event_id),
        "pos": rec.position,
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
        "rec_us": micros(rec.recorded_at),
        "target": str(target),
        "kind": "retraction" if isinstance(event, Retraction) else "link-retraction",
        "reason": event.reason,  # type: ignore[attr-defined]  # both kinds have one
    }


def _correction(
    log: EventLog, rec: Recorded, merged: dict[uuid.UUID, dict[str, Any]]
) -> dict[str, Any]:
    """A correction, with its target as corrected by it and every earlier one.

    ``merged`` holds each target's changes so far (updated here). ``shown`` is what the page
    shows for the target while this is the latest correction in force (exact unless an
    earlier correction of the same event is retracted meanwhile, when the text, dates, party
    and claimant are those of all of them; the cut's instants are always exact).
    """
    fix = rec.event
    assert isinstance(fix, Correction)  # noqa: S101  # the caller sorted them
    changes = merged.setdefault(fix.corrects, {})
    changes.update(fix.changes)
    shown: dict[str, Any] | None
    try:
        target = log.get(fix.corrects)
        fixed = apply_changes(log.codec, target.event, changes)
    except (TimelineError, KeyError):
        shown = None  # a correction the guard would refuse, or of a meta event
    else:
        shown = _shown(fixed, _fields(fixed, {}))
    return {
        "id": str(fix.event_id),
        "pos": rec.position,
        "rec_us": micros(rec.recorded_at),
        "target": str(fix.corrects),
        "changes": dict(fix.changes),
        "changes_us": _changes_us(fix.changes),
        "reason": fix.reason,
        "shown": shown,
    }


def _version() -> str:
    try:
        return metadata.version("conflict-timeline")
    except metadata.PackageNotFoundError:
        return "unknown"


def _checked(log: object, zone: object) -> None:
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


#: The lists of the contract that grow as the log does, each in position order.
KINDS: Final = ("events", "corrections", "retractions", "links")


class Builder:
    """The page's data for a growing log, extended record by record (what ``serve`` keeps).

    :attr:`payload` is the data contract as of :attr:`head`; :meth:`extend` adds the records
    after it (a correction's ``shown`` needs only the records before it, so extending never
    changes what is there); :meth:`delta` gives the records after a position, for a page
    that has the data up to it (``/data.json?after=P``; docs/page.md, "Live updates").
    """

    def __init__(self, log: EventLog, *, title: str | None = None, zone: str | None = None) -> None:
        _checked(log, zone)
        self.log = log
        self._table = _SourceTable()
        self._merged: dict[uuid.UUID, dict[str, Any]] = {}
        self._zones: set[str] = set()
        self.payload: dict[str, Any] = {
            "schema": SCHEMA,
            "generator": f"conflict-timeline {_version()}",
            "title": title or "Timeline",
            "head": 0,
            "zone": zone,
            "zones": [],
            "sources": self._table.rows,
            "strings": self._table.strings,
        } | {kind: [] for kind in KINDS}

    @property
    def head(self) -> int:
        """The last position in :attr:`payload` (0 for none)."""
        return int(self.payload["head"])

    def extend(self, records: Iterable[Recorded]) -> int:
        """Add records that follow :attr:`head` to the payload; returns how many."""
        payload, table = self.payload, self._table
        events, links = payload["events"], payload["links"]
        retractions, corrections = payload["retractions"], payload["corrections"]
        count, zones = 0, len(self._zones)
        for rec in records:
            if rec.position <= payload["head"]:
                continue
            payload["head"] = rec.position
            count += 1
            event = rec.event
            if isinstance(event, Correction):
                corrections.append(_correction(self.log, rec, self._merged))
            elif isinstance(event, Retraction | CausalLinkRetracted):
                retractions.append(_retraction(rec))
            elif isinstance(event, CausalLink):
                links.append(_link(rec))
            else:
                events.append(_event(rec, table))
                if event.zone:
                    self._zones.add(event.zone)
        if len(self._zones) != zones:
            payload["zones"] = sorted(self._zones)
        return count

    def update(self) -> int:
        """Read what the log has after :attr:`head` into the payload; returns how many."""
        return self.extend(self.log.read(after=self.head))

    def delta(self, after: int) -> dict[str, Any]:
        """The records after position ``after``: what a page with the data up to it merges.

        The contract's lists hold only those records, each event's sources as objects and its
        shared texts as text (not numbers); ``after`` and ``head`` say which span it is. See
        :func:`merge`.
        """
        payload, table = self.payload, self._table
        delta: dict[str, Any] = {
            "schema": SCHEMA,
            "after": after,
            "head": payload["head"],
            "zones": payload["zones"],
        }
        for kind in KINDS:
            items = payload[kind]
            tail = items[bisect.bisect_right(items, after, key=lambda x: x["pos"]) :]
            if kind == "events":
                tail = [table.spelled(e) for e in tail]
            delta[kind] = tail
        return delta


def merge(payload: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    """``payload`` (the data up to ``delta["after"]``) with ``delta`` merged in, in place.

    What the page does with ``/data.json?after=P`` (``static/controls.js``, ``mergeData``).

    Raises:
        InvalidArgument: the delta does not follow the payload.
    """
    if delta.get("after") != payload["head"]:
        raise InvalidArgument(
            f"the delta follows position {delta.get('after')!r}, the data ends at "
            f"{payload['head']!r}",
            argument="delta",
            value=delta.get("after"),
        )
    for kind in KINDS:
        payload[kind].extend(delta[kind])
    payload["head"], payload["zones"] = delta["head"], delta["zones"]
    return payload


def build(log: EventLog, *, title: str | None = None, zone: str | None = None) -> dict[str, Any]:
    """The data contract of a log's page (see :func:`timeline.page.data`).

    Raises:
        InvalidArgument: ``log`` is not an event log, or ``zone`` is not text.
    """
    builder = Builder(log, title=title, zone=zone)
    builder.update()
    return builder.payload
