"""CloudEvents 1.0: a log as a JSON batch of structured-mode events, and back.

The file is a JSON array (media type ``application/cloudevents-batch+json``), one event per
line, each a CloudEvent in structured JSON mode:

=====================  ========================================================================
attribute              value
=====================  ========================================================================
``specversion``        ``"1.0"``
``id``                 the event's ``event_id``
``source``             ``timeline:/<stream>``: a URI reference naming the stream
                       (``timeline:/talks/istanbul``; characters outside
                       ``A-Za-z0-9-._~/`` percent-encoded)
``type``               the event type's tag (``military.drone_barrage``)
``subject``            the stream (``talks/istanbul``)
``time``               ``occurred_at``, RFC 3339 in UTC (``2025-05-31T16:30:00Z``)
``datacontenttype``    ``application/json``
``data``               the event as the codec writes it (every field, its ``type`` and
                       ``version``): lossless
``recordedat``         transaction time: the record's ``recorded_at``
``timelineposition``   the record's position in the log
``timelineversion``    its version within its stream
``timelinezone``       the event's zone (``Europe/Kyiv``), where it has one (also in ``data``)
``timelinelocaldate``  the event's date: its local date in its zone (``2025-06-02``;
                       :func:`timeline.time.local_date`), whatever ``time``'s UTC date
``causationid``        the first event it refers to (a correction's target, a causal link's
                       cause, an exchange's agreement), if any
``correlationid``      the root of that chain of references: following ``causationid`` back
                       to an event that refers to none (the event's own id if it refers to
                       none)
=====================  ========================================================================

Extension attribute names are lower-case letters and digits only, as the specification
requires. Reading a batch back (:func:`import_cloudevents`) rebuilds each event from
``data`` and appends it to the stream named by ``subject`` (or ``source``) with its
``recordedat`` as transaction time: exporting a log and importing the file into an empty log
gives the same records (positions, streams, versions, ``recorded_at``, events, hashes). The
derived extensions (``timelineposition``, ``causationid``...) are not read back.
"""

from __future__ import annotations

import datetime as dt
import os
import urllib.parse
from collections.abc import Callable
from typing import Any, Final

import attrs
import orjson

from timeline.errors import DecodeError, InvalidEvent, UnknownEventType
from timeline.io._files import display_path, json_element_lines, read_text
from timeline.io._json_stream import json_elements
from timeline.io._output import atomic_output
from timeline.io._pipeline import PROGRESS_EVERY, Progress
from timeline.io._records import Item, append_records
from timeline.io.report import ExportReport, Issue, ReportBuilder
from timeline.log import EventLog, Recorded
from timeline.time import isoformat, local_date, parse_utc

__all__ = [
    "FORMAT",
    "MEDIA_TYPE",
    "SPECVERSION",
    "export_cloudevents",
    "from_cloudevent",
    "import_cloudevents",
    "source_uri",
    "stream_of",
    "to_cloudevent",
]

FORMAT: Final = "cloudevents"
SPECVERSION: Final = "1.0"
#: The media type of a batch.
MEDIA_TYPE: Final = "application/cloudevents-batch+json"
_SCHEME: Final = "timeline:/"
_REQUIRED: Final = ("specversion", "id", "source", "type")


def source_uri(stream: str) -> str:
    """The CloudEvents ``source`` of a stream.

    >>> source_uri("talks/istanbul"), source_uri("air raids")
    ('timeline:/talks/istanbul', 'timeline:/air%20raids')
    """
    return _SCHEME + urllib.parse.quote(stream, safe="/-._~")


def stream_of(source: str) -> str | None:
    """The stream a ``timeline:/`` source names, or ``None`` for another kind of source."""
    if not source.startswith(_SCHEME):
        return None
    return urllib.parse.unquote(source.removeprefix(_SCHEME)) or None


def _rfc3339(value: dt.datetime) -> str:
    return isoformat(value).replace(".000000+00:00", "Z").replace("+00:00", "Z")


def to_cloudevent(
    record: Recorded,
    data: dict[str, Any],
    *,
    causation: str | None = None,
    correlation: str | None = None,
) -> dict[str, Any]:
    """One record as a structured-mode CloudEvent (a JSON-ready mapping).

    Args:
        record: the record.
        data: its event as the codec's mapping (:meth:`~timeline.Codec.to_dict`).
        causation: the ``causationid``, if any.
        correlation: the ``correlationid``, if any.
    """
    event = record.event
    out: dict[str, Any] = {
        "specversion": SPECVERSION,
        "id": str(event.event_id),
        "source": source_uri(record.stream),
        "type": event.TYPE,
        "subject": record.stream,
        "time": _rfc3339(event.occurred_at),
        "datacontenttype": "application/json",
        "recordedat": _rfc3339(record.recorded_at),
        "timelineposition": record.position,
        "timelineversion": record.version,
    }
    if event.zone is not None:
        out["timelinezone"] = event.zone
    out["timelinelocaldate"] = local_date(event).isoformat()
    if causation is not None:
        out["causationid"] = causation
    if correlation is not None:
        out["correlationid"] = correlation
    out["data"] = data
    return out


def export_cloudevents(
    log: EventLog, path: str | os.PathLike[str], *, progress: Progress | None = None
) -> ExportReport:
    """Write the whole log as a CloudEvents JSON batch. Use :func:`timeline.io.export_file`."""
    text = display_path(path)
    to_dict = log.codec.to_dict
    total = len(log)
    roots: dict[int, str] = {}  # event id -> the root of its chain of references
    written = 0
    with atomic_output(text) as out:
        out.write(b"[")
        for record in log.read():
            event = record.event
            own = str(event.event_id)
            refs = event.references()
            causation = correlation = None
            if refs:
                causation = str(refs[0])
                correlation = roots.get(refs[0].int, causation)
            roots[event.event_id.int] = correlation or own
            body = to_cloudevent(
                record, to_dict(event), causation=causation, correlation=correlation or own
            )
            out.write(b"\n" if not written else b",\n")
            out.write(orjson.dumps(body))
            written += 1
            if progress is not None and written % PROGRESS_EVERY == 0:
                progress(written, total)
        out.write(b"\n]\n")
        if progress is not None:
            progress(written, written)
    return ExportReport(format=FORMAT, path=text, records=written)


def from_cloudevent(  # noqa: C901, PLR0911  # each way a CloudEvent can be refused
    value: Any, row: int, from_dict: Callable[[Any], Any], stream: str | None = None
) -> Item | Issue:
    """A structured-mode CloudEvent read back into a record to append, or the problem."""
    if not isinstance(value, dict):
        return Issue(row, None, value, "not a JSON object (a CloudEvent)")
    for name in _REQUIRED:
        if not isinstance(value.get(name), str) or not value[name]:
            return Issue(row, name, value.get(name), "a CloudEvent needs this attribute (text)")
    if value["specversion"] != SPECVERSION:
        return Issue(row, "specversion", value["specversion"], "only CloudEvents 1.0 is read")
    data = value.get("data")
    if not isinstance(data, dict):
        return Issue(row, "data", data, "not a timeline event (data must be a JSON object)")
    data = {"type": value["type"], **data}
    try:
        event = from_dict(data)
    except InvalidEvent as e:
        return Issue(row, f"data.{e.field}", e.value, f"not a timeline event: {e}")
    except (DecodeError, UnknownEventType) as e:
        return Issue(row, "data", value["id"], f"not a timeline event: {e}")
    if str(event.event_id) != value["id"]:
        return Issue(row, "id", value["id"], f"differs from the event's id {event.event_id}")
    target = stream or value.get("subject") or stream_of(value["source"])
    if not isinstance(target, str) or not target.strip():
        return Issue(row, "subject", value.get("subject"), "no stream: no subject, and the "
                     "source is not a timeline:/ URI")  # fmt: skip
    recorded = value.get("recordedat")
    at = None
    if recorded is not None:
        try:
            at = parse_utc(recorded, field="recordedat")
        except InvalidEvent as e:
            return Issue(row, "recordedat", recorded, str(e))
    return Item(row=row, stream=target, recorded_at=at, event=event)


def import_cloudevents(log: EventLog, report: ReportBuilder, *, progress: Progress | None) -> None:
    """Read a CloudEvents JSON batch (or a single event) back into a log, filling ``report``.

    Use :func:`timeline.io.import_file` (``format="cloudevents"``). Every event goes to its
    own stream (``subject``), or all to ``report.stream`` where one was asked for.

    Each event's ``data`` is read strictly (see :meth:`timeline.Codec.from_dict`): a value
    of the wrong JSON type is a problem naming the element, its line, the field
    (``data.<field>``) and the value.

    Raises:
        InvalidData: for a file that is not UTF-8; in strict mode, for the first event that
            cannot be read (nothing is appended then).
    """
    text, stream = report.path, report.stream or None
    items: list[Item] = []
    from_dict = log.codec.from_dict
    lines: list[int] | None = None  # each event's line, found once there is a problem
    for row, value in json_elements(text, "event"):
        report.rows = row
        found = (
            value if isinstance(value, Issue) else from_cloudevent(value, row, from_dict, stream)
        )
        if isinstance(found, Issue):
            if found.line is None and found.row is not None:
                lines = json_element_lines(read_text(text)) if lines is None else lines
                if found.row <= len(lines):
                    found = attrs.evolve(found, line=lines[found.row - 1])
            report.problem(found)
        else:
            items.append(found)
    append_records(log, items, report=report, total=len(items), progress=progress)
