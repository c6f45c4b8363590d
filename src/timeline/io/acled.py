"""Importer for ACLED (Armed Conflict Location & Event Data), in every layout it was published in.

ACLED codes political violence and demonstration events from reports: a date and how
precisely it is known, an event type and sub-type, the actors, a place, the fatalities, the
sources and a note. Each row becomes one :class:`~timeline.events.CasualtyReport`, with the
event type in its tags.

Every layout is the one format ``"acled"``: the current API and export files (with
``disorder_type``, ``civilian_targeting``, ``tags``, ``timestamp``), the 2019–2023 files,
and the regional files of 1997–2017 (upper-case headers, ``GWNO``, ``EVENT_ID_NO_CNTY``,
``ALLY_ACTOR_1``, ``GEO_PRECIS``...). Column names are matched without regard to case, and
through :data:`ALIASES` (the older names). Files are read as found: comma-, semicolon- or
tab-separated, UTF-8 (with or without a byte-order mark) or Windows-1252/Latin-1,
``.xlsx`` workbooks (the ``xlsx`` extra), ``.zip`` archives of one CSV file, with a pandas
index column or an HXL hashtag row (HDX's copies), which are left out.

=================================================  ==============================================
column (older names)                               field
=================================================  ==============================================
``event_id_cnty``                                  the stable event id
``event_date``                                     ``occurred_at``: midnight starting the day, in
                                                   the zone of the country (see ``zone``); in
                                                   any form ACLED's files use: ``2015-01-18``,
                                                   ``18/01/2015``, ``18-January-2015``,
                                                   ``18 January 2015``, ``18-Jan-15``, a
                                                   spreadsheet's day number; ``dd/mm`` or
                                                   ``mm/dd`` decided for the whole file
``time_precision``                                 ``time_precision``: 1 (the day) gives "day";
                                                   2 (a week or part of a month: ACLED codes its
                                                   middle day) gives "day" and the tag "date
                                                   approximate"; 3 (the month) gives "month"
``disorder_type``, ``event_type``,                 tags ("Political violence", "Explosions/Remote
``sub_event_type``                                 violence", "Air/drone strike")
``actor1``, ``assoc_actor_1`` (``ally_actor_1``),  ``actors`` (associated actors split on ";")
``actor2``, ``assoc_actor_2`` (``ally_actor_2``)
``inter1``, ``inter2``                             tags "inter1: State forces" (the codes 1–8 of
                                                   older files named as the codebook names them)
``fatalities``                                     ``killed`` (see below)
``civilian_targeting``, ``event_type``             ``civilians``: true for "Violence against
                                                   civilians" or "Civilian targeting"
``country``, ``admin1``, ``location``,             ``location``
``latitude``, ``longitude``
``iso``, ``country``, coordinates                  ``zone`` (:func:`~timeline.io.zones.country_zone`)
``geo_precision`` (``geo_precis``)                 a tag "geo_precision: 1" (1 the place itself,
                                                   2 near it, 3 the region)
``source``                                         ``sources`` (split on ";"), after ACLED itself,
                                                   whose ``published_at`` is ``timestamp`` (a
                                                   Unix time; another value is ignored, with a
                                                   warning)
``source_scale``                                   a tag "source_scale: National"
``notes``                                          ``summary``
``tags``                                           tags (split on ";")
=================================================  ==============================================

``claimed_by`` is "ACLED". Not mapped (read, then dropped): ``year`` (the date's),
``interaction`` (``inter1`` and ``inter2`` together), ``gwno``, ``data_id``,
``event_id_no_cnty``, ``iso3``, ``region``, ``admin2``, ``admin3``, the ``population_*``
columns.

**Fatalities.** ACLED writes 0 both where no death was reported and where the number is
unknown; its notes tell them apart ("Casualties unknown.", "fatalities unknown", "an unknown
number of casualties"). The rule: a 0 whose notes say the number of dead or casualties is
unknown is imported as ``killed=None`` (unknown) with a warning naming the row; any other 0
is a figure (no death reported); an empty cell is unknown (``None``, with a warning); a
positive figure is kept as it is.
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping
from typing import Final

import attrs
import pendulum

from timeline.events import Source
from timeline.io._csvsource import (
    CsvDataset,
    CsvSource,
    DatedRows,
    Fields,
    csv_importer,
    dated_source,
    named_sources,
    split_names,
)
from timeline.io._pipeline import Row
from timeline.io._times import parse_count
from timeline.io.report import Issue
from timeline.time import TimePrecision

__all__ = [
    "ALIASES",
    "COLUMNS",
    "FORMAT",
    "INTER",
    "UNKNOWN_FATALITIES",
    "acled_source",
    "import_acled",
]

FORMAT: Final = "acled"
TAG: Final = f"import:{FORMAT}"
CLAIMANT: Final = "ACLED"
#: ACLED itself, a source of each of its events (with the time the row was last changed).
_ACLED: Final = Source(name="ACLED", url="https://acleddata.com")

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
#: Columns of other layouts, read and dropped.
OLDER_COLUMNS: Final = (
    "gwno",
    "data_id",
    "event_id_no_cnty",
    "iso3",
    "population_1km",
    "population_2km",
    "population_5km",
    "population_best",
)
#: Older (or other) names of columns, lower-case, and the current name each stands for.
ALIASES: Final = types.MappingProxyType(
    {
        "ally_actor_1": "assoc_actor_1",
        "ally_actor_2": "assoc_actor_2",
        "geo_precis": "geo_precision",
        "event_id": "event_id_cnty",
        "event_id_country": "event_id_cnty",
        "date": "event_date",
        "fatality": "fatalities",
        "lat": "latitude",
        "lon": "longitude",
        "long": "longitude",
        "note": "notes",
        "sources": "source",
    }
)
#: The actor type codes of ``inter1`` and ``inter2`` in older files (newer ones name them).
INTER: Final = types.MappingProxyType(
    {
        "0": "No actor",
        "1": "State forces",
        "2": "Rebel groups",
        "3": "Political militias",
        "4": "Identity militias",
        "5": "Rioters",
        "6": "Protesters",
        "7": "Civilians",
        "8": "External/Other forces",
    }
)
#: Notes saying the number of dead is unknown (a 0 in ``fatalities`` then means unknown).
UNKNOWN_FATALITIES: Final = re.compile(
    r"\b(?:casualties|fatalities|deaths|death toll|dead|killed)\s*(?:[:\-]\s*|are\s+|were\s+"
    r"|is\s+|remains?\s+)?(?:unknown|not known|unclear)"
    r"|\bunknown\s+(?:number\s+of\s+)?(?:casualties|fatalities|deaths|people\s+killed)",
    re.IGNORECASE,
)
_REQUIRED: Final = ("event_id_cnty", "event_date", "event_type", "fatalities")
_DATASET: Final = CsvDataset(
    FORMAT,
    TAG,
    name="ACLED",
    required=_REQUIRED,
    known=(*COLUMNS, *OLDER_COLUMNS),
    aliases=ALIASES,
    sniff=True,
)

#: ``time_precision`` codes and the precision each gives.
TIME_PRECISION: Final = {"1": TimePrecision.DAY, "2": TimePrecision.DAY, "3": TimePrecision.MONTH}
_APPROXIMATE: Final = "date approximate"
_COLUMN_OF: Final = {"killed": "fatalities", "summary": "notes"}
_UNKNOWN_NOTE: Final = (
    "ACLED writes 0 where the number is unknown, and the notes say it is: killed is unknown (None)"
)


def _kept(column: str, value: str, labels: Mapping[str, str] | None = None) -> str:
    """A column kept as a tag: ``"geo_precision: 1"``."""
    code = value.removesuffix(".0")
    return f"{column}: {labels.get(code, value) if labels else value}"


def _tags(f: Fields, *, approximate: bool) -> list[str]:
    """A row's tags: its types, "date approximate", the columns kept, its own tags."""
    tags = [t for t in (f["disorder_type"], f["event_type"], f["sub_event_type"]) if t]
    if approximate:
        tags.append(_APPROXIMATE)
    tags.extend(
        _kept(column, f[column], INTER)
        for column in ("inter1", "inter2")
        if f[column] and f[column] not in {"0", "0.0"}
    )
    tags.extend(
        _kept(column, f[column]) for column in ("geo_precision", "source_scale") if f[column]
    )
    tags.extend(split_names(f["tags"]))
    return tags


class _Builder(DatedRows):
    def _acled(self, stamp: str) -> Source:
        if not stamp:
            return _ACLED
        try:
            seconds = int(float(stamp))
        except ValueError:
            raise ValueError(f"not a Unix time: {stamp!r}") from None
        return attrs.evolve(_ACLED, published_at=pendulum.from_timestamp(seconds))

    def build(self, row: int, f: Fields) -> Row:
        start = self.begin(row, f, key="event_id_cnty", iso=f["iso"], date="event_date")
        if isinstance(start, Row):
            return start
        warnings = start.warnings
        precision = TimePrecision.DAY
        code = f["time_precision"].removesuffix(".0")
        if code:
            found = TIME_PRECISION.get(code)
            if found is None:
                return Row.refuse(row, "time_precision", code, "not an ACLED time precision (1-3)")
            precision = found
        tags = _tags(f, approximate=code == "2")
        text = f["fatalities"]
        try:
            killed = parse_count(text, self.counts)
        except ValueError as e:
            return Row.refuse(row, "fatalities", text, str(e))
        if killed is None:
            warnings.append(Issue(row, "fatalities", text, "empty: killed is unknown (None)"))
        elif killed == 0 and UNKNOWN_FATALITIES.search(f["notes"]):
            killed = None
            warnings.append(Issue(row, "fatalities", text, _UNKNOWN_NOTE))
        civilians = (
            True
            if f["event_type"] == "Violence against civilians"
            or f["civilian_targeting"] == "Civilian targeting"
            else None
        )
        try:
            acled = self._acled(f["timestamp"])
        except ValueError as e:  # ACLED's own metadata: not a reason to lose the event
            acled = self._acled("")
            warnings.append(Issue(row, "timestamp", f["timestamp"], f"{e}: ignored"))
        actors = split_names(
            ";".join((f["actor1"], f["assoc_actor_1"], f["actor2"], f["assoc_actor_2"]))
        )
        return self.casualty_row(
            row,
            start,
            FORMAT,
            (f["location"], f["admin1"], f["country"]),
            _COLUMN_OF,
            time_precision=precision,
            actors=actors,
            sources=(acled, *named_sources(f["source"])),
            claimed_by=CLAIMANT,
            tags=tuple(dict.fromkeys(tags)),
            summary=f["notes"] or None,
            killed=killed,
            civilians=civilians,
        )


def acled_source(path: str, *, zone: str | None = None) -> CsvSource:
    """The rows of an ACLED file (any layout: see the module) as events (a row source).

    :func:`timeline.io.import_file` (``"acled"``) imports them. ACLED's dates are local
    calendar days: each is read in the zone of its row's country
    (:func:`~timeline.io.zones.country_zone`: ``"Europe/Kyiv"`` for Ukraine), unless
    ``zone`` forces one zone for the whole file.

    Raises:
        InvalidData: for a file that cannot be read as text or a workbook, or lacks a
            required column.
        InvalidArgument: for an unknown ``zone``.
        MissingExtra: for an ``.xlsx`` file without the ``xlsx`` extra.
    """
    return dated_source(path, _DATASET, _Builder, "event_date", zone)


#: Import the file's rows into a log: :func:`timeline.io.import_file` (``"acled"``) calls it,
#: with the options of :func:`acled_source`.
import_acled: Final = csv_importer(acled_source)
