"""Importer for UCDP Georeferenced Event Dataset (GED) files, versions 19.1 to the current one.

The Uppsala Conflict Data Program's GED codes each event of organised violence with at least
one death: when (``date_start``, ``date_end`` and how precisely, ``date_prec``), where, who
(``side_a``, ``side_b``), and how many died (``best``, with ``low`` and ``high``). Each row
becomes one :class:`~timeline.events.CasualtyReport` (the columns as the GED codebook
defines them, versions 19.1 to 25.1, and the monthly Candidate releases, which share the
layout). Files are read as found (see :mod:`~timeline.io.acled`): column names in any case,
comma, semicolon or tab, UTF-8 or Windows-1252, ``.xlsx``, ``.zip``; HDX's per-country
files carry an HXL hashtag row (``#date+start``, ``#affected+killed``...) under the header,
which is skipped (counted in ``report.skipped``).

=========================================  ======================================================
column                                     field
=========================================  ======================================================
``id``                                     the stable event id (UCDP's ids are stable across
                                           versions, so a newer version corrects older rows)
``date_start``, ``date_end``               ``occurred_at`` (midnight, in the zone of the
                                           country, or ``zone`` when given),
                                           ``occurred_until`` (the midnight ending
                                           ``date_end``, when it is a later day)
``date_prec``                              ``time_precision``: 1 (exact day), 2 (2–6 days) and 3
                                           (a week) give ``"day"``, the span being
                                           ``occurred_at``..``occurred_until``; 4 (8–30 days, or
                                           the month) and 5 (longer, or the year) give ``"month"``
``best``, ``low``, ``high``                ``killed``, ``killed_low``, ``killed_high``; a
                                           bound on the wrong side of ``best`` (``low`` 0,
                                           ``best`` 3, ``high`` 0, as rows of GED 19.1 have)
                                           is dropped (``None``), with a warning naming the
                                           row; ``best`` is kept
``side_a``, ``side_b``                     ``actors``
``type_of_violence``                       a tag: "state-based conflict", "non-state conflict",
                                           "one-sided violence"
``conflict_name``                          a tag: "conflict: Russia - Ukraine"
``deaths_civilians``                       ``civilians``: true when all the dead were civilians,
                                           false when none was (and none unknown)
``where_coordinates``, ``adm_1``,          ``location``: name, admin1, country, latitude,
``country``, ``latitude``, ``longitude``   longitude
``country``, coordinates                   ``zone`` (:func:`~timeline.io.zones.country_zone`:
                                           GED's names, "Russia (Soviet Union)", are known)
``source_office``                          ``sources``, after UCDP itself
``where_prec``, ``event_clarity``,         tags, as ``"where_prec: 1"``: how precisely the
``code_status``                            place is known (1 exact ... 7), whether the event
                                           is clear (1) or not (2), a Candidate row's status
``conflict_new_id``, ``dyad_new_id``,      tags, as ``"side_a_new_id: 65"``: UCDP's ids of the
``side_a_new_id``, ``side_b_new_id``       conflict, the dyad and the sides (stable across
                                           versions, unlike their names)
=========================================  ======================================================

``claimed_by`` is "UCDP". Not mapped (read, then dropped): ``relid``, ``year``,
``active_year``, the ``*_dset_id`` codes, ``dyad_name``, ``number_of_sources``,
``source_article``, ``source_date``, ``source_headline``, ``source_original``,
``where_description``, ``adm_2``, ``geom_wkt``, ``priogrid_gid``, ``country_id`` (a
Gleditsch–Ward number), ``region``, ``deaths_a``, ``deaths_b``, ``gwnoa``, ``gwnob``.
"""

from __future__ import annotations

import functools
from typing import Final

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

__all__ = ["COLUMNS", "DATE_PRECISION", "FORMAT", "KEPT_AS_TAGS", "import_ucdp", "ucdp_source"]

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
_DATASET: Final = CsvDataset(
    FORMAT, TAG, name="UCDP GED", required=_REQUIRED, known=COLUMNS, sniff=True
)
#: Columns kept as tags (``"where_prec: 1"``).
KEPT_AS_TAGS: Final = (
    "where_prec",
    "event_clarity",
    "code_status",
    "conflict_new_id",
    "dyad_new_id",
    "side_a_new_id",
    "side_b_new_id",
)

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


def _consistent(row: int, figures: dict[str, int | None], warnings: list[Issue]) -> None:
    """Drop a bound on the wrong side of ``best`` (or of the other bound), with a warning.

    GED 19.1 has rows such as low 0, best 3, high 0: the best estimate is kept, the bound
    that contradicts it dropped (unknown).
    """
    low, best, high = figures["killed_low"], figures["killed"], figures["killed_high"]
    if best is not None:
        if low is not None and low > best:
            figures["killed_low"] = None
            warnings.append(Issue(row, "low", low, f"above best ({best}): low dropped (None)"))
        if high is not None and high < best:
            figures["killed_high"] = None
            warnings.append(Issue(row, "high", high, f"below best ({best}): high dropped (None)"))
    elif low is not None and high is not None and low > high:
        figures["killed_low"] = figures["killed_high"] = None
        warnings.append(
            Issue(row, "low", low, f"above high ({high}) and no best: both bounds dropped")
        )


class _Builder(DatedRows):
    @functools.cached_property
    def has_prec(self) -> bool:
        """Whether the file gives each date's precision (``date_prec``)."""
        return "date_prec" in self.index

    @functools.cached_property
    def kept(self) -> list[str]:
        """The columns of :data:`KEPT_AS_TAGS` the file has."""
        return [c for c in KEPT_AS_TAGS if c in self.index]

    def build(self, row: int, f: Fields) -> Row:  # noqa: C901, PLR0911, PLR0912  # one row, read column by column
        start = self.begin(row, f, key="id", iso="", date="date_start")
        if isinstance(start, Row):
            return start
        warnings, zone = start.warnings, start.spot.zone
        until = None
        if f["date_end"]:
            end = self.day_in(row, f, "date_end", zone)
            if isinstance(end, Row):
                return end
            if end.local < start.day.local:
                return Row.refuse(
                    row, "date_end", f["date_end"], f"ends before it starts ({f['date_start']})"
                )
            if end.local > start.day.local:
                until = self.times_in(zone).end_of_day(end.local.date())
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
        _consistent(row, figures, warnings)
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
        tags.extend(f"{c}: {f[c].removesuffix('.0')}" for c in self.kept if f[c])
        return self.casualty_row(
            row,
            start,
            FORMAT,
            (f["where_coordinates"], f["adm_1"], f["country"]),
            _COLUMN_OF,
            occurred_until=until,
            time_precision=precision,
            actors=split_names(f"{f['side_a']};{f['side_b']}"),
            sources=(UCDP, *named_sources(f["source_office"])),
            claimed_by=CLAIMANT,
            tags=tags,
            civilians=civilians,
            killed=figures["killed"],
            killed_low=figures["killed_low"],
            killed_high=figures["killed_high"],
        )


def ucdp_source(path: str, *, zone: str | None = None) -> CsvSource:
    """The rows of a GED file (19.1 to the current version, or a Candidate release) as events.

    :func:`timeline.io.import_file` (``"ucdp-ged"``, or ``"ucdp"``) imports them. GED
    dates are local calendar days: each is read in the zone of its row's country
    (:func:`~timeline.io.zones.country_zone`), unless ``zone`` forces one zone for the whole
    file.

    Raises:
        InvalidData: for a file that cannot be read as text or a workbook, or lacks ``id``,
            ``date_start`` or ``best``.
        InvalidArgument: for an unknown ``zone``.
        MissingExtra: for an ``.xlsx`` file without the ``xlsx`` extra.
    """
    return dated_source(path, _DATASET, _Builder, "date_start", zone)


#: Import the file's rows into a log: :func:`timeline.io.import_file` (``"ucdp-ged"``) calls it,
#: with the options of :func:`ucdp_source`.
import_ucdp: Final = csv_importer(ucdp_source)
