"""TimelineJS 3: a log as the JSON a newsroom's timeline page loads.

`TimelineJS <https://timeline.knightlab.com>`_ (Knight Lab) draws a timeline from a JSON
object ``{"title": slide, "events": [slide, ...]}``. Each event of the log, as a projection
sees it (corrections applied, retracted events and the meta events left out: the current
view, or the view at ``as_of`` / ``known_at``), becomes one slide:

- ``unique_id``: the event's id;
- ``start_date`` / ``end_date``: ``occurred_at`` / ``occurred_until`` written at the event's
  precision (a day-precision event gives year, month and day only), on the wall clock of the
  event's own zone (:attr:`~timeline.Event.zone`; UTC for an event without one) or of
  ``zone`` when given, with a ``display_date`` that names it, such as "2025-05-31 19:30 Kyiv"
  (:func:`~timeline.time.local_text`); a day or month is the event's own local date
  (:func:`~timeline.local_span`) in any zone, "2025-06-02";
- ``text``: ``headline`` and an HTML ``text`` listing the event's own fields (a list of
  values as "a, b"), who claims it, and its sources (linked where they have a URL, with
  their Admiralty grade). The headline is :meth:`~timeline.Event.headline` (the summary,
  then not repeated in the body), unless the summary is a note (an ACLED record's ``notes``,
  or a long one): then a short line of what, where and who ("Air/drone strike in Kharkiv:
  Military Forces of Russia (2000-), Civilians (Ukraine); 3 killed"), the note in the body;
- ``group``: per ``group=``: the stream (default), the first party (``"actor"``: the
  attacker, party, proposer, first of the parties or speaker, else the first actor; see
  :func:`~timeline.io.cameo.parties_of`), the claimant, or the event type;
- ``media``: where a source's web address is an image (its path ends in ``.jpg``,
  ``.jpeg``, ``.png``, ``.gif``, ``.svg`` or ``.webp``, the image addresses TimelineJS draws
  as one, or it is on Imgur), that image, with the sources as its ``credit``; a web page (a
  data set's site, a post) is no image, and stays a link among the sources in the text.

TimelineJS puts the headline, the text, the group's label, the credit and the caption into
the page as HTML, so every one of them is HTML-escaped: a record quotes whatever its sources
said, and a source could say ``<script>``. Addresses are used only when they are web
addresses (``http`` or ``https``, with a host, and none of the characters that end an HTML
attribute): ``javascript:``, ``data:`` and the like are neither linked nor shown as media.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import urllib.parse
from typing import TYPE_CHECKING, Any, Final, Literal, TypedDict, Unpack

import attrs
import orjson

from timeline.errors import InvalidArgument
from timeline.events import Event
from timeline.io._files import display_path
from timeline.io._output import atomic_output
from timeline.io._pipeline import PROGRESS_EVERY, Progress
from timeline.io.acled import CLAIMANT as ACLED
from timeline.io.cameo import parties_of
from timeline.io.report import ExportReport
from timeline.log import EventLog, Recorded
from timeline.projections.replay import replay_records
from timeline.time import TimePrecision, is_zone, local_span, local_text, zone_info

if TYPE_CHECKING:
    from pendulum import DateTime

__all__ = [
    "FORMAT",
    "GROUPS",
    "TimelineJSOptions",
    "export_timelinejs",
    "headline",
    "image_address",
    "slide",
    "timeline_json",
    "web_address",
]

FORMAT: Final = "timelinejs"
Group = Literal["stream", "actor", "claimant", "type"]
GROUPS: Final = ("stream", "actor", "claimant", "type")
_SKIP: Final = frozenset({"meta.causal_link", "meta.causal_link_retracted"})
_BASE_FIELDS: Final = frozenset(
    {
        "event_id",
        "occurred_at",
        "occurred_until",
        "time_precision",
        "actors",
        "location",
        "sources",
        "claimed_by",
        "tags",
        "summary",
        "type",
        "version",
    }
)


def _day(day: dt.date, precision: TimePrecision) -> dict[str, Any]:
    out: dict[str, Any] = {"year": day.year, "month": day.month}
    if precision is TimePrecision.DAY:
        out["day"] = day.day
        out["display_date"] = day.isoformat()
    else:
        out["display_date"] = day.isoformat()[:7]
    return out


def _clock(at: dt.datetime, precision: TimePrecision, zone: str | None) -> dict[str, Any]:
    local = at.astimezone(zone_info(zone or "UTC"))
    out: dict[str, Any] = {"year": local.year, "month": local.month, "day": local.day}
    out["hour"] = local.hour
    if precision is not TimePrecision.HOUR:
        out["minute"] = local.minute
        if precision is TimePrecision.EXACT:
            out["second"] = local.second
            if local.microsecond:
                out["millisecond"] = local.microsecond // 1000
    out["display_date"] = local_text(at, zone or "UTC", precision)
    return out


def _dates(event: Event, zone: str | None) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``start_date`` and ``end_date`` (or ``None``) of an event.

    A day or month is the event's own local date wherever it is shown; a time is on the
    wall clock of ``zone``, else of the event's own zone.
    """
    precision = event.time_precision
    if precision in (TimePrecision.DAY, TimePrecision.MONTH):
        first, last = local_span(event)
        end = _day(last, precision) if event.occurred_until is not None else None
        return _day(first, precision), end
    shown = zone if zone is not None else event.zone
    until = event.occurred_until
    end = _clock(until, precision, shown) if until is not None else None
    return _clock(event.occurred_at, precision, shown), end


def _group(record: Recorded, group: Group | None) -> str | None:
    event = record.event
    if group is None:
        return None
    if group == "stream":
        return record.stream
    if group == "claimant":
        return event.claimed_by or (event.sources[0].name if event.sources else None)
    if group == "type":
        return event.TYPE
    return parties_of(event)[0]


_URL_BREAKERS: Final = frozenset("\"'<>`\\ \t\r\n")


def web_address(url: str | None) -> str | None:
    """``url`` if it is an ``http(s)`` address safe to put in a page, else ``None``.

    >>> web_address("https://t.me/kpszsu/1"), web_address("javascript:alert(1)")
    ('https://t.me/kpszsu/1', None)
    >>> web_address("data:text/html,<script>"), web_address('https://x.org/"onmouseover=')
    (None, None)
    """
    if not url or any(c in _URL_BREAKERS or ord(c) < 0x20 for c in url):  # noqa: PLR2004  # control characters
        return None
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # a malformed address (an unclosed [ in the host)
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return url


#: The endings of an address TimelineJS shows as an image (its media type "image").
_IMAGE_ENDINGS: Final = (".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp")
#: Hosts whose addresses TimelineJS shows as an image without such an ending (its "imgur").
_IMAGE_HOSTS: Final = frozenset({"imgur.com", "i.imgur.com"})


def image_address(url: str | None) -> str | None:
    """``url`` if it is a web address (:func:`web_address`) of an image, else ``None``.

    An image is what TimelineJS draws as one: a path ending in ``.jpg``, ``.jpeg``, ``.png``,
    ``.gif``, ``.svg`` or ``.webp`` (a query after it is fine), or an Imgur address. A web
    page is not one: TimelineJS would show a broken image for it.

    >>> image_address("https://upload.wikimedia.org/a/b/Kyiv.JPG?width=800")
    'https://upload.wikimedia.org/a/b/Kyiv.JPG?width=800'
    >>> image_address("https://acleddata.com"), image_address("https://t.me/kpszsu/1")
    (None, None)
    """
    address = web_address(url)
    if address is None:
        return None
    parts = urllib.parse.urlsplit(address)
    if parts.fragment:  # TimelineJS reads an address with a fragment as a web page
        return None
    host = (parts.hostname or "").lower()
    if parts.path.lower().endswith(_IMAGE_ENDINGS) or (
        host in _IMAGE_HOSTS and parts.path.strip("/")
    ):
        return address
    return None


#: The longest summary shown as the headline; a longer one is a note, kept for the body.
HEADLINE_MAX: Final = 90
_APPROXIMATE: Final = "date approximate"  # the tag ACLED's importer adds (time precision 2)


def _is_note(summary: str | None) -> bool:
    return summary is not None and (len(summary) > HEADLINE_MAX or "\n" in summary)


def headline(event: Event) -> str:
    """The slide's headline: :meth:`~timeline.Event.headline`, or a short one for a note.

    When the event's summary is a note (an ACLED record's ``notes``, or any summary longer
    than :data:`HEADLINE_MAX` characters or of more than one line), it belongs in the body,
    not in the headline: the headline is then what happened, where and who. What happened is the most specific of an ACLED record's
    event types (its first three tags: disorder, event, sub-event type) when the event is
    ACLED's, else the event type's own headline; its figures follow when any is not 0.
    """
    acled = event.claimed_by == ACLED
    if not event.summary or not (acled or _is_note(event.summary)):
        return event.headline()
    own = attrs.evolve(event, summary=None).headline()  # the type's own line, with its figures
    what, _, figures = own.partition(": ")
    kinds = [t for t in event.tags[:3] if t != _APPROXIMATE]
    if kinds and acled:
        what = kinds[-1]
    else:
        what, figures = own, ""
    line = what
    if event.location is not None and event.location.name:
        line += f" in {event.location.name}"
    if event.actors:
        shown = ", ".join(event.actors[:3])
        more = len(event.actors) - 3
        line += f": {shown}" + (f" and {more} more" if more > 0 else "")
    if any(c in "123456789" for c in figures):  # "3 killed"; not "0 killed", "unknown"
        line += f"; {figures}"
    return line


def _value(value: Any) -> str:
    """A field's value for people: a list (stored as a tuple or a list) as "a, b"."""
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        if "count" in value:  # a party's or an item's count: "Ukraine 390"
            named = [str(v) for k, v in value.items() if k != "count" and v is not None]
            return " ".join([*named[:1], str(value["count"])])
        return orjson.dumps(value).decode()
    return str(value)


def _text(event: Event, data: dict[str, Any], title: str) -> str:
    e = html.escape
    parts = []
    if event.summary and event.summary != title:  # a summary shown as the headline: once
        parts.append(f"<p>{e(event.summary)}</p>")
    details = [
        f"<li><b>{e(name.replace('_', ' '))}</b>: {e(_value(value))}</li>"
        for name, value in data.items()
        if name not in _BASE_FIELDS and value not in (None, [], {}, "")
    ]
    if details:
        parts.append("<ul>" + "".join(details) + "</ul>")
    if event.location is not None and event.location.name:
        where = ", ".join(
            p for p in (event.location.name, event.location.admin1, event.location.country) if p
        )
        parts.append(f"<p>Where: {e(where)}</p>")
    if event.actors:
        parts.append(f"<p>Actors: {e(', '.join(event.actors))}</p>")
    if event.claimed_by:
        parts.append(f"<p>Claimed by: {e(event.claimed_by)}</p>")
    if event.sources:
        cited = []
        for source in event.sources:
            name = e(source.name) + (f" ({e(source.grade)})" if source.grade else "")
            url = web_address(source.url)
            cited.append(f'<a href="{e(url, quote=True)}">{name}</a>' if url else name)
        parts.append(f"<p>Sources: {'; '.join(cited)}</p>")
    return "".join(parts)


def slide(
    record: Recorded,
    data: dict[str, Any],
    *,
    zone: str | None = None,
    group: Group | None = "stream",
) -> dict[str, Any]:
    """One record as a TimelineJS slide (a JSON-ready mapping).

    Args:
        record: the record (its event as it should be shown).
        data: the event as the codec's mapping.
        zone: the zone to show times in ("Europe/Kyiv"); ``None``: each event's own.
        group: what the slide is grouped by (see the module), or ``None``.
    """
    event = record.event
    start, end = _dates(event, zone)
    out: dict[str, Any] = {"unique_id": str(event.event_id), "start_date": start}
    if end is not None:
        out["end_date"] = end
    title = headline(event)
    out["text"] = {"headline": html.escape(title), "text": _text(event, data, title)}
    found = _group(record, group)
    if found:
        out["group"] = html.escape(found)  # TimelineJS shows the group's label as HTML
    images = [(s, url) for s in event.sources if (url := image_address(s.url)) is not None]
    if images:
        first, url = images[0]
        out["media"] = {
            "url": url,
            "credit": html.escape("; ".join(s.name for s in event.sources)),
            "caption": html.escape(event.claimed_by or first.name),
        }
    return out


def timeline_json(
    log: EventLog,
    *,
    title: str | None = None,
    text: str | None = None,
    group: Group | None = "stream",
    zone: str | None = None,
    as_of: DateTime | None = None,
    known_at: DateTime | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The TimelineJS JSON object of a log (see the module).

    Raises:
        InvalidArgument: for an unknown ``group`` or ``zone``.
    """
    if group is not None and group not in GROUPS:
        raise InvalidArgument(
            f"group must be one of {', '.join(GROUPS)} or None, got {group!r}",
            argument="group",
            value=group,
        )
    if zone is not None and not is_zone(zone):
        raise InvalidArgument(f"unknown time zone {zone!r}", argument="zone", value=zone)
    to_dict = log.codec.to_dict
    slides = []
    total = len(log)
    for done, record in enumerate(
        replay_records(log, as_of=as_of, known_at=known_at, order="occurred"), 1
    ):
        if record.event.TYPE not in _SKIP:
            slides.append(slide(record, to_dict(record.event), zone=zone, group=group))
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
    out: dict[str, Any] = {}
    if title is not None or text is not None:
        out["title"] = {
            "text": {"headline": html.escape(title or ""), "text": html.escape(text or "")}
        }
    out["events"] = slides
    out["scale"] = "human"
    return out


class TimelineJSOptions(TypedDict, total=False):
    """The options of :func:`timeline_json`, which :func:`export_timelinejs` passes on."""

    title: str | None
    text: str | None
    group: Group | None
    zone: str | None
    as_of: DateTime | None
    known_at: DateTime | None


def export_timelinejs(
    log: EventLog,
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    **options: Unpack[TimelineJSOptions],
) -> ExportReport:
    """Write the log as a TimelineJS 3 JSON file. Use :func:`timeline.io.export_file`.

    ``options`` are those of :func:`timeline_json`: ``title``, ``text``, ``group``, ``zone``,
    ``as_of``, ``known_at``.
    """
    target = display_path(path)
    body = timeline_json(log, progress=progress, **options)
    with atomic_output(target) as out:
        out.write(orjson.dumps(body, option=orjson.OPT_INDENT_2))
        if progress is not None:
            progress(len(body["events"]), len(body["events"]))
    return ExportReport(format=FORMAT, path=target, records=len(body["events"]))
