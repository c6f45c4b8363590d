"""Importer for UCDP Georeferenced Event Dataset (GED) CSV files.

The Uppsala Conflict Data Program's GED codes each event of organised violence with at least
one death: when (``date_start``, ``date_end`` and how precisely, ``date_prec``), where, who
(``side_a``, ``side_b``), and how many died (``best``, with ``low`` and ``high``). Each row
becomes one :class:`~timeline.events.CasualtyReport` (the columns as the GED codebook
defines them, versions 20.1 to 25.1):

=========================================  ======================================================
column                                     field
=========================================  ======================================================
``id``                                     the stable event id (UCDP's ids are stable across
                                           versions, so a newer version corrects older rows)
``date_start``, ``date_end``               ``occurred_at`` (midnight, in ``zone``: UTC unless
                                           given), ``occurred_until`` (the midnight ending
                                           ``date_end``, when it is a later day)
``date_prec``                              ``time_precision``: 1 (exact day), 2 (2–6 days) and 3
                                           (a week) give ``"day"``, the span being
                                           ``occurred_at``..``occurred_until``; 4 (8–30 days, or
                                           the month) and 5 (longer, or the year) give ``"month"``
``best``, ``low``, ``high``                ``killed``, ``killed_low``, ``killed_high``
``side_a``, ``side_b``                     ``actors``
``type_of_violence``                       a tag: "state-based conflict", "non-state conflict",
                                           "one-sided violence"
``conflict_name``                          a tag: "conflict: Russia - Ukraine"
``deaths_civilians``                       ``civilians``: true when all the dead were civilians,
                                           false when none was (and none unknown)
``where_coordinates``, ``adm_1``,          ``location``: name, admin1, country, latitude,
``country``, ``latitude``, ``longitude``   longitude
``source_office``                          ``sources``, after UCDP itself
=========================================  ======================================================

``claimed_by`` is "UCDP". Not mapped: ``relid``, ``year``, ``active_year``, ``code_status``,
the ``*_dset_id`` and ``*_new_id`` codes, ``dyad_name``, ``number_of_sources``,
``source_article``, ``source_date``, ``source_headline``, ``source_original``,
``where_prec``, ``where_description``, ``adm_2``, ``geom_wkt``, ``priogrid_gid``,
``country_id``, ``region``, ``event_clarity``, ``deaths_a``, ``deaths_b``,
``deaths_unknown``, ``gwnoa``, ``gwnob``.
"""

from __future__ import annotations

from typing import Final

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

__all__ = ["COLUMNS", "DATE_PRECISION", "FORMAT", "import_ucdp", "ucdp_source"]

FORMAT: Final = "ucdp-ged"
TAG: Final = f"import:{FORMAT}"
CLAIMANT: Final = "UCDP"
UCDP: Final = Source(
    name="UCDP Georeferenced Event Dataset",
    url="https://ucdp.uu.se/downloads/index.html#ged_global",
)

#: The columns of GED Global (version 25.1), in its order.
COLUMNS: Final = (
    "id",
    "relid",
    "year",
    "active_year",
    "code_status",
    "type_of_violence",
    "conflict_dset_id",
    "conflict_new_id",
    "conflict_name",
    "dyad_dset_id",
    "dyad_new_id",
    "dyad_name",
    "side_a_dset_id",
    "side_a_new_id",
    "side_a",
    "side_b_dset_id",
    "side_b_new_id",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "gwnoa",
    "gwnob",
)
_REQUIRED: Final = ("id", "date_start", "best")
_DATASET: Final = CsvDataset(FORMAT, TAG, name="UCDP GED", required=_REQUIRED, known=COLUMNS)

#: ``date_prec`` codes and the precision each gives.
DATE_PRECISION: Final = {
    "1": TimePrecision.DAY,
    "2": TimePrecision.DAY,
    "3": TimePrecision.DAY,
    "4": TimePrecision.MONTH,
    "5": TimePrecision.MONTH,
}
_VIOLENCE: Final = {
    "1": "state-based conflict",
    "2": "non-state conflict",
    "3": "one-sided violence",
}
_COLUMN_OF: Final = {
    "killed": "best",
    "killed_low": "low",
    "killed_high": "high",
    "latitude": "latitude",
    "longitude": "longitude",
}


def _date(times: LocalTimes, text: str) -> LocalTime:
    """A GED date: ``2022-02-24``, or ``2022-02-24 00:00:00.000`` as some exports write it."""
    head, _, rest = text.partition(" ")
    if rest and rest.strip("0:. ") == "":
        text = head
    return times.parse_date(text, expected="a date (YYYY-MM-DD)")


class _Builder(DatedRows):
    def __init__(self, index: dict[str, int], zone: str) -> None:
        super().__init__(index, zone)
        self.has_prec = "date_prec" in index

    def build(self, row: int, f: Fields) -> Row:  # noqa: C901, PLR0911, PLR0912, PLR0915  # one row, read column by column
        key = f["id"]
        if not key:
            return Row.refuse(row, "id", key, "no event id")
        try:
            start = _date(self.times, f["date_start"])
        except ValueError as e:
            return Row.refuse(row, "date_start", f["date_start"], f"unreadable date: {e}")
        end_text = f["date_end"]
        until = None
        if end_text:
            try:
                end = _date(self.times, end_text)
            except ValueError as e:
                return Row.refuse(row, "date_end", end_text, f"unreadable date: {e}")
            if end.local < start.local:
                return Row.refuse(
                    row, "date_end", end_text, f"ends before it starts ({f['date_start']})"
                )
            if end.local > start.local:
                until = self.times.end_of_day(end.local.date())
        warnings: list[Issue] = []
        precision = TimePrecision.DAY
        if self.has_prec:
            code = f["date_prec"].removesuffix(".0")
            found = DATE_PRECISION.get(code)
            if found is None:
                return Row.refuse(
                    row, "date_prec", f["date_prec"], "not a GED date precision (1-5)"
                )
            precision = found
        figures: dict[str, int | None] = {}
        for column, field in (("best", "killed"), ("low", "killed_low"), ("high", "killed_high")):
            text = f[column]
            try:
                figures[field] = parse_count(text, self.counts)
            except ValueError as e:
                return Row.refuse(row, column, text, str(e))
            if figures[field] is None and column in self.index:
                warnings.append(Issue(row, column, text, f"empty: {field} is unknown (None)"))
        dead: dict[str, int | None] = {}
        for column in ("deaths_civilians", "deaths_unknown"):
            try:
                dead[column] = parse_count(f[column], self.counts)
            except ValueError as e:
                return Row.refuse(row, column, f[column], str(e))
        civilians_dead, unknown_dead = dead["deaths_civilians"], dead["deaths_unknown"]
        best = figures["killed"]
        civilians = None
        if best and civilians_dead == best:
            civilians = True
        elif civilians_dead == 0 and not unknown_dead and best:
            civilians = False
        tags = []
        violence = f["type_of_violence"]
        if violence:
            label = _VIOLENCE.get(violence.removesuffix(".0"))
            if label is None:
                warnings.append(Issue(row, "type_of_violence", violence, "not 1, 2 or 3: no tag"))
            else:
                tags.append(label)
        if f["conflict_name"]:
            tags.append(f"conflict: {f['conflict_name']}")
        try:
            latitude = coordinate(f["latitude"])
            longitude = coordinate(f["longitude"])
        except ValueError as e:
            column = "latitude" if f["latitude"] else "longitude"
            return Row.refuse(row, column, f[column], f"not a coordinate: {e}")
        try:
            location = place(f["where_coordinates"], f["adm_1"], f["country"], latitude, longitude)
            event = CasualtyReport(
                event_id=stable_id(FORMAT, key),
                occurred_at=start.utc,
                occurred_until=until,
                time_precision=precision,
                actors=split_names(f"{f['side_a']};{f['side_b']}"),
                location=location,
                sources=(UCDP, *(Source(name=n) for n in split_names(f["source_office"]))),
                claimed_by=CLAIMANT,
                tags=tags,
                civilians=civilians,
                killed=figures["killed"],
                killed_low=figures["killed_low"],
                killed_high=figures["killed_high"],
            )
        except InvalidEvent as e:
            return refused(row, e, _COLUMN_OF)
        return Row(row, events=(event,), warnings=tuple(warnings))


def ucdp_source(path: str, *, zone: str = "UTC") -> CsvSource:
    """The rows of a GED CSV file as events (a row source for the pipeline).

    :func:`timeline.io.import_file` (``"ucdp-ged"``) imports them. ``zone`` is the zone in
    which the file's dates are read (GED dates are local calendar days and carry no zone):
    ``"Europe/Kyiv"`` for events in Ukraine.

    Raises:
        InvalidData: for a file that is not UTF-8 text, or lacks ``id``, ``date_start`` or
            ``best``.
    """
    return CsvSource(path, _DATASET, builder=lambda index: _Builder(index, zone))


#: Import the file's rows into a log: :func:`timeline.io.import_file` (``"ucdp-ged"``) calls it,
#: with the options of :func:`ucdp_source`.
import_ucdp: Final = csv_importer(ucdp_source)
