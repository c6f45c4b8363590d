"""Importer for ACLED (Armed Conflict Location & Event Data) CSV exports.

ACLED codes political violence and demonstration events from reports: a date and how
precisely it is known, an event type and sub-type, the actors, a place, the fatalities, the
sources and a note. Each row becomes one :class:`~timeline.events.CasualtyReport` (the
fatalities are ACLED's estimate; 0 is a figure, an empty cell is unknown), with the event
type in its tags (the columns as ACLED's codebook defines them):

=================================================  ==============================================
column                                             field
=================================================  ==============================================
``event_id_cnty``                                  the stable event id
``event_date``                                     ``occurred_at`` (midnight, in ``zone``: UTC
                                                   unless given); ``2025-06-01``,
                                                   ``01 June 2025`` or ``01-June-2025``
``time_precision``                                 ``time_precision``: 1 (the day) gives "day";
                                                   2 (a week or part of a month: ACLED codes its
                                                   middle day) gives "day" and the tag "date
                                                   approximate"; 3 (the month) gives "month"
``disorder_type``, ``event_type``,                 tags ("Political violence", "Explosions/Remote
``sub_event_type``                                 violence", "Air/drone strike")
``actor1``, ``assoc_actor_1``, ``actor2``,         ``actors`` (associated actors split on ";")
``assoc_actor_2``
``fatalities``                                     ``killed``
``civilian_targeting``, ``event_type``             ``civilians``: true for "Violence against
                                                   civilians" or "Civilian targeting"
``country``, ``admin1``, ``location``,             ``location``
``latitude``, ``longitude``
``source``                                         ``sources`` (split on ";"), after ACLED itself,
                                                   whose ``published_at`` is ``timestamp``
``notes``                                          ``summary``
``tags``                                           tags (split on ";")
=================================================  ==============================================

``claimed_by`` is "ACLED". Not mapped: ``year``, ``inter1``, ``inter2``, ``interaction``,
``iso``, ``region``, ``admin2``, ``admin3``, ``geo_precision``, ``source_scale``.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import pendulum

from timeline.errors import InvalidEvent
from timeline.events import CasualtyReport, Source
from timeline.io._csvsource import (
    CsvDataset,
    CsvSource,
    DatedRows,
    Fields,
    coordinate,
    csv_importer,
    place,
    refused,
    split_names,
)
from timeline.io._pipeline import Row, stable_id
from timeline.io._times import LocalTime, LocalTimes, parse_count
from timeline.io.report import Issue
from timeline.time import TimePrecision

__all__ = ["COLUMNS", "FORMAT", "acled_source", "import_acled"]

FORMAT: Final = "acled"
TAG: Final = f"import:{FORMAT}"
CLAIMANT: Final = "ACLED"
_ACLED_NAME: Final = "ACLED"
_ACLED_URL: Final = "https://acleddata.com"

#: The columns of an ACLED export, in its order.
COLUMNS: Final = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
_REQUIRED: Final = ("event_id_cnty", "event_date", "event_type", "fatalities")
_DATASET: Final = CsvDataset(FORMAT, TAG, name="ACLED", required=_REQUIRED, known=COLUMNS)

#: ``time_precision`` codes and the precision each gives.
TIME_PRECISION: Final = {"1": TimePrecision.DAY, "2": TimePrecision.DAY, "3": TimePrecision.MONTH}
_APPROXIMATE: Final = "date approximate"
_COLUMN_OF: Final = {"killed": "fatalities", "summary": "notes"}
_MONTH_FORMATS: Final = ("%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y")


def _date(times: LocalTimes, text: str) -> LocalTime:
    """``2025-06-01``, or the ``01 June 2025`` form of ACLED's older exports."""
    if text[:1].isdigit() and text[4:5] != "-":
        for fmt in _MONTH_FORMATS:
            try:
                text = dt.datetime.strptime(text, fmt).date().isoformat()  # noqa: DTZ007  # a date alone, read in the zone below
                break
            except ValueError:
                continue
    return times.parse_date(text)


class _Builder(DatedRows):
    def _acled(self, stamp: str) -> Source:
        if not stamp:
            return Source(name=_ACLED_NAME, url=_ACLED_URL)
        try:
            seconds = int(float(stamp))
        except ValueError:
            raise ValueError(f"not a Unix time: {stamp!r}") from None
        return Source(
            name=_ACLED_NAME, url=_ACLED_URL, published_at=pendulum.from_timestamp(seconds)
        )

    def build(self, row: int, f: Fields) -> Row:  # noqa: C901, PLR0911  # one row, read column by column
        key = f["event_id_cnty"]
        if not key:
            return Row.refuse(row, "event_id_cnty", key, "no event id")
        try:
            day = _date(self.times, f["event_date"])
        except ValueError as e:
            return Row.refuse(row, "event_date", f["event_date"], f"unreadable date: {e}")
        warnings: list[Issue] = []
        tags = [t for t in (f["disorder_type"], f["event_type"], f["sub_event_type"]) if t]
        precision = TimePrecision.DAY
        code = f["time_precision"].removesuffix(".0")
        if code:
            found = TIME_PRECISION.get(code)
            if found is None:
                return Row.refuse(row, "time_precision", code, "not an ACLED time precision (1-3)")
            precision = found
            if code == "2":
                tags.append(_APPROXIMATE)
        tags.extend(split_names(f["tags"]))
        text = f["fatalities"]
        try:
            killed = parse_count(text, self.counts)
        except ValueError as e:
            return Row.refuse(row, "fatalities", text, str(e))
        if killed is None:
            warnings.append(Issue(row, "fatalities", text, "empty: killed is unknown (None)"))
        civilians = (
            True
            if f["event_type"] == "Violence against civilians"
            or f["civilian_targeting"] == "Civilian targeting"
            else None
        )
        try:
            latitude = coordinate(f["latitude"])
            longitude = coordinate(f["longitude"])
        except ValueError as e:
            column = "latitude" if f["latitude"] else "longitude"
            return Row.refuse(row, column, f[column], f"not a coordinate: {e}")
        try:
            acled = self._acled(f["timestamp"])
        except ValueError as e:
            return Row.refuse(row, "timestamp", f["timestamp"], str(e))
        actors = split_names(
            ";".join((f["actor1"], f["assoc_actor_1"], f["actor2"], f["assoc_actor_2"]))
        )
        try:
            location = place(f["location"], f["admin1"], f["country"], latitude, longitude)
            event = CasualtyReport(
                event_id=stable_id(FORMAT, key),
                occurred_at=day.utc,
                time_precision=precision,
                actors=actors,
                location=location,
                sources=(acled, *(Source(name=n) for n in split_names(f["source"]))),
                claimed_by=CLAIMANT,
                tags=tuple(dict.fromkeys(tags)),
                summary=f["notes"] or None,
                killed=killed,
                civilians=civilians,
            )
        except InvalidEvent as e:
            return refused(row, e, _COLUMN_OF)
        return Row(row, events=(event,), warnings=tuple(warnings))


def acled_source(path: str, *, zone: str = "UTC") -> CsvSource:
    """The rows of an ACLED CSV export as events (a row source for the pipeline).

    :func:`timeline.io.import_file` (``"acled"``) imports them. ``zone`` is the zone in which
    the file's dates are read (ACLED dates are local calendar days and carry no zone):
    ``"Europe/Kyiv"`` for events in Ukraine.

    Raises:
        InvalidData: for a file that is not UTF-8 text, or lacks a required column.
    """
    return CsvSource(path, _DATASET, builder=lambda index: _Builder(index, zone))


#: Import the file's rows into a log: :func:`timeline.io.import_file` (``"acled"``) calls it,
#: with the options of :func:`acled_source`.
import_acled: Final = csv_importer(acled_source)
