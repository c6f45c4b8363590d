"""Importer for the GDELT events table: versions 1.0 and 2.0, plain or zipped.

GDELT (the Global Database of Events, Language, and Tone, https://www.gdeltproject.org)
codes news reports into events: who did what to whom (a CAMEO code), where, on what day,
and how widely it was reported. Its files are tab-separated, without a header line, and the
version is told from the number of columns:

======================================  =========  ==========================================
layout                                  columns    files
======================================  =========  ==========================================
GDELT 1.0 historical back file          57         ``1979.zip`` … ``201303.zip``, no
                                                   ``SOURCEURL``
GDELT 1.0 daily file                    58         ``20130401.export.CSV.zip`` onwards
GDELT 2.0 15-minute file                61         ``20150218230000.export.CSV.zip``
                                                   onwards; each geography gains
                                                   ``ADM2Code``, ``DATEADDED`` is
                                                   ``YYYYMMDDHHMMSS`` (UTC)
======================================  =========  ==========================================

A file is read as it is (``.CSV``, ``.csv``, ``.txt``) or from a ``.zip`` holding one file,
one line at a time: memory stays flat whatever its size. Each row becomes one event, with
``claimed_by="GDELT"`` (the columns as the GDELT Event Codebook, V1.03 and V2.0, defines them):

==========================================  ================================================
column                                      field
==========================================  ================================================
``GLOBALEVENTID``                           the stable event id: ``uuid5`` of "gdelt", the
                                            version ("1" or "2": the two versions number
                                            their events apart) and the id
``SQLDATE``                                 ``occurred_at``: that day's first moment in the
                                            zone of the action's country (``zone``; see
                                            :func:`~timeline.io.zones.country_zone`;
                                            ``zone=`` forces one; UTC without a place),
                                            ``time_precision="day"``: its local date is
                                            ``SQLDATE``
``EventCode``, ``EventRootCode``            the type (the table below); ``code``, ``root``
                                            of a :class:`~timeline.events.coded.CodedEvent`,
                                            else the tag ``cameo:<code>``
``GoldsteinScale``, ``QuadClass``           ``goldstein``, ``quad_class``; else the tags
                                            ``goldstein:<score>``, ``quad:<n>``
``NumMentions``, ``NumSources``,            ``mentions``, ``source_count``, ``articles``,
``NumArticles``, ``AvgTone``                ``tone``; else the tags ``mentions:``,
                                            ``sources:``, ``articles:``, ``tone:``
``IsRootEvent``                             ``root_event`` (coded events only)
``Actor1*``, ``Actor2*``: ``Code``,         ``source_actor``, ``target_actor``
``Name``, ``CountryCode``,                  (:class:`~timeline.events.coded.CodedActor`:
``KnownGroupCode``, ``Type1Code`` …         ``code``, ``name``, ``country``, ``group``,
``Type3Code``                               ``types``); ``actors``: their names (else
                                            codes), Actor1 first; the catalog types' own
                                            parties (below)
``ActionGeo_FullName``, ``_ADM1Code``,      ``location``: ``name`` the full name,
``_Lat``, ``_Long``                         ``country`` its last part ("Ukraine"),
                                            ``admin1`` the ADM1 code ("UP12")
``DATEADDED``                               ``sources[0]``: GDELT, ``published_at`` when
                                            GDELT published the row (1.0: the day)
``SOURCEURL``                               ``sources[1]``: the article, named by its site
==========================================  ================================================

Dropped: ``MonthYear``, ``Year``, ``FractionDate`` (``SQLDATE`` again), ``EventBaseCode``
(the code's first three digits), the actors' ethnic and religion codes, ``ActionGeo_Type``,
``ActionGeo_CountryCode`` (FIPS; the country's name is kept), ``ADM2Code``, ``FeatureID``,
and the actors' own geographies (``Actor1Geo_*``, ``Actor2Geo_*``).

CAMEO codes whose meaning is one of the catalog's types become that type
(:data:`CATALOG_CODES`); the code itself, not only its root, decides: "041 Discuss by
telephone" is not a round of talks.

=========================================  =================================================
CAMEO code                                 event
=========================================  =================================================
036 Express intent to meet or negotiate    :class:`~timeline.TalksProposed` (``proposed_by``
                                           Actor1, ``parties`` both)
046 Engage in negotiation                  :class:`~timeline.TalkRoundHeld` (``parties``
                                           both)
107 Demand ceasefire                       :class:`~timeline.CeasefireDemanded` (``party``
                                           Actor1, ``addressed_to`` Actor2)
190 Use conventional military force,       :class:`~timeline.Strike` (``attacker`` Actor1,
193 small arms, 194 artillery and tanks,   ``target_party`` Actor2, ``weapon`` the weapon
195 aerial weapons, 196 violate ceasefire  the code names; 196 is tagged "ceasefire
(tagged), 200, 202 mass killings, 203      violated")
ethnic cleansing, 204/2041/2042 weapons
of mass destruction
any other code, or a row without Actor1    :class:`~timeline.events.coded.CodedEvent`
=========================================  =================================================

Not mapped, on purpose: 037 (intent to *settle* a dispute is not a proposal of talks), 041-045
(calls, visits, meetings and mediation are not rounds of negotiation), 108 (a demand for talks
is not a proposal), 1246 (refusing de-escalation is not refusing a ceasefire), 0841 (a
release is not an exchange of prisoners), 191 blockade, 192 occupation and 201 expulsion (not
strikes), 18x assaults and bombings (GDELT does not say by whom on whose side).

Goldstein series: :meth:`Cameo.intensity <timeline.io.cameo.Cameo.intensity>` scores each
:class:`~timeline.events.coded.CodedEvent` with its own ``goldstein``, and each mapped event
with the score of its ``cameo:`` code, per acting party (Actor1) per day; an
:class:`~timeline.Escalation` counts the strikes, and
:meth:`Cameo.escalation_intensity <timeline.io.cameo.Cameo.escalation_intensity>` scores them
as code 190 (−10; the mapped codes score −9.5 to −10).

Filters (options of :func:`timeline.io.import_file`): ``countries=`` (CAMEO country codes:
keep a row if either actor's ``CountryCode`` is one; with ``dyad=True``, if both are),
``roots=`` (CAMEO root codes: ``["19", "20"]``), ``since=`` and ``until=`` (the first and
last ``SQLDATE`` kept: dates or ``"YYYY-MM-DD"``). Rows left out are counted in the report's
rows and in one warning.

Citation (GDELT's terms ask for it when its data is used or redistributed): Leetaru, Kalev,
and Philip A. Schrodt. "GDELT: Global Data on Events, Location and Tone, 1979-2012."
International Studies Association Annual Conference, April 2013, San Francisco.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from timeline.errors import InvalidArgument
from timeline.io._files import file_error
from timeline.io._gdelt_rows import (
    CATALOG_CODES,
    COLUMNS_V1,
    COLUMNS_V2,
    LAYOUTS,
    Filters,
    Layout,
    RowBuilder,
    day_key,
    layout_of,
    normalise_roots,
)
from timeline.io._pipeline import Progress, Reconciler, Row, run_rows
from timeline.io.report import Issue, ReportBuilder
from timeline.time import is_zone

if TYPE_CHECKING:
    from timeline.log import EventLog

__all__ = [
    "CATALOG_CODES",
    "COLUMNS_V1",
    "COLUMNS_V2",
    "FORMAT",
    "GdeltSource",
    "gdelt_source",
    "import_gdelt",
]

FORMAT: Final = "gdelt"
TAG: Final = f"import:{FORMAT}"
_SNIFF_LINES: Final = 200
_NOT_UTF8: Final = "is not UTF-8 (GDELT writes UTF-8): the row is skipped"


def _open(path: str) -> tuple[IO[bytes], int]:
    """The file's bytes (the one member of a zip), and its size (for progress)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:  # the member's stream keeps the file open
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                names = ", ".join(m.filename for m in members) or "nothing"
                raise file_error(
                    path, names, f"a GDELT zip holds one events file; this one holds {names}"
                )
            return archive.open(members[0]), members[0].file_size
    file = Path(path)
    return file.open("rb"), file.stat().st_size


def _header(fields: list[str]) -> bool:
    return bool(fields) and fields[0].strip().upper() == "GLOBALEVENTID"


class GdeltSource:
    """A GDELT events file, as rows of events (a row source for the pipeline).

    Args:
        path: the file (``.CSV`` or ``.zip`` of one).
        filters: what to keep.

    Attributes:
        layout: the layout found (:data:`~timeline.io._gdelt_rows.LAYOUTS`).
        total: the rows, estimated from the file's size.
        file_warnings: notes about the whole file.
        filtered: how many rows the filters left out (after a pass).

    Raises:
        InvalidData: for a file whose rows are not GDELT's (no tabs, or a number of columns
            no version has), or an empty one.
        OSError: if the file cannot be opened.
    """

    def __init__(self, path: str, filters: Filters, zone: str | None = None) -> None:
        self.path = path
        self.filters = filters
        self.zone = zone
        self.filtered = 0
        self.has_header = False
        self.file_warnings: list[Issue] = []
        stream, size = _open(path)
        with stream:
            sample = [line for line in (stream.readline() for _ in range(_SNIFF_LINES)) if line]
        lines = [s for s in sample if s.strip()]
        if not lines:
            raise file_error(path, "", "the file is empty: no GDELT rows")
        first = lines[0].decode("utf-8", "replace").rstrip("\r\n").split("\t")
        if _header(first):
            self.has_header = True
            lines = lines[1:]
            if not lines:
                raise file_error(path, "", "the file holds a header line and no GDELT rows")
            first = lines[0].decode("utf-8", "replace").rstrip("\r\n").split("\t")
        found = layout_of(len(first))
        if found is None:
            known = ", ".join(f"{n} ({layout.name})" for n, layout in LAYOUTS.items())
            raise file_error(
                path,
                len(first),
                f"not a GDELT events file: its first row has {len(first)} tab-separated "
                f"fields; GDELT's rows have {known}",
            )
        self.layout: Layout = found
        mean = sum(map(len, lines)) / len(lines)
        self.total: int | None = max(round(size / mean), 1)
        self.file_warnings.append(
            Issue(row=None, column=None, value=len(first), reason=f"read as {found.name}")
        )

    def rows(self) -> Iterator[Row]:
        """Every row, read from the start of the file."""
        builder = RowBuilder(self.layout, self.filters, self.zone)
        width = len(self.layout.columns)
        stream, _ = _open(self.path)
        skip_header = self.has_header
        number = 0
        with stream:
            for raw in stream:
                if skip_header:
                    skip_header = False
                    continue
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError:
                    if not raw.strip():
                        continue
                    number += 1
                    yield Row.refuse(number, None, raw[:120].decode("utf-8", "replace"), _NOT_UTF8)
                    continue
                line = line.rstrip("\r\n")
                if not line.strip():
                    continue
                number += 1
                cells = line.split("\t")
                if len(cells) != width:
                    cut = "cut short? " if len(cells) < width else ""
                    yield Row.refuse(
                        number,
                        None,
                        line[:200],
                        f"{cut}the row has {len(cells)} fields; {self.layout.name} rows have "
                        f"{width}",
                    )
                    continue
                yield builder.build(number, cells)
        self.filtered = builder.filtered


def gdelt_source(
    path: str,
    *,
    countries: Collection[str] | None = None,
    dyad: bool = False,
    roots: Collection[str | int] | None = None,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    zone: str | None = None,
) -> GdeltSource:
    """The rows of a GDELT events file as events (a row source for the pipeline).

    :func:`timeline.io.import_file` (``"gdelt"``) imports them, with these options.

    Args:
        path: the file.
        countries: CAMEO country codes ("UKR", "RUS"): keep the rows where either actor's
            country is one of them.
        dyad: keep only the rows where both actors' countries are among ``countries``.
        roots: CAMEO root codes ("19", "20", or 19, 20): keep the rows of these roots.
        since: the first day kept (``SQLDATE``), a date or ``"YYYY-MM-DD"``.
        until: the last day kept.
        zone: the zone every row's day is read in; by default the zone of the country of
            the action's place (:func:`timeline.io.zones.country_zone`), else UTC.

    Raises:
        InvalidArgument: for an option that is not what it should be.
        InvalidData: for a file that is not a GDELT events file.
    """
    if isinstance(countries, str):
        countries = (countries,)
    if isinstance(roots, (str, int)):
        roots = (roots,)
    try:
        first, last = day_key(since), day_key(until)
    except (ValueError, TypeError, AttributeError) as e:
        value = until if since is None else since
        raise InvalidArgument(
            f"since and until are dates or 'YYYY-MM-DD', got {value!r}: {e}",
            argument="since" if since is not None else "until",
            value=value,
        ) from None
    bad = next((r for r in roots or () if not str(r).isdigit() or not 1 <= int(r) <= 20), None)  # noqa: PLR2004  # CAMEO roots are 01-20
    if bad is not None:
        raise InvalidArgument(
            f"roots are CAMEO root codes 01-20, got {bad!r}", argument="roots", value=bad
        )
    if dyad and not countries:
        raise InvalidArgument(
            "dyad=True needs countries=: the two actors' countries", argument="dyad", value=dyad
        )
    filters = Filters(
        countries=frozenset(c.strip().upper() for c in countries) if countries else None,
        dyad=dyad,
        roots=normalise_roots(roots),
        since=first,
        until=last,
    )
    if zone is not None and not is_zone(zone):
        raise InvalidArgument(
            f"zone must be an IANA zone name, UTC or a fixed offset, got {zone!r}",
            argument="zone",
            value=zone,
        )
    return GdeltSource(path, filters, zone)


def import_gdelt(
    log: EventLog, report: ReportBuilder, *, progress: Progress | None, **options: Any
) -> None:
    """Import a GDELT events file: :func:`timeline.io.import_file` (``"gdelt"``) calls it.

    ``options`` are those of :func:`gdelt_source`.
    """
    source = gdelt_source(report.path, **options)
    run_rows(
        log,
        source,
        report=report,
        reconciler=Reconciler(log, tag=TAG),
        why=f"changed in {Path(source.path).name}",
        progress=progress,
    )
    if source.filtered:
        source.file_warnings.append(
            Issue(
                row=None,
                column=None,
                value=source.filtered,
                reason=f"{source.filtered} rows left out by the filters ({_describe(source)})",
            )
        )
    report.warnings[:0] = source.file_warnings
    report.read_as = source.layout.name


def _describe(source: GdeltSource) -> str:
    f = source.filters
    parts = []
    if f.countries:
        which = "both actors" if f.dyad else "either actor"
        parts.append(f"{which} of {', '.join(sorted(f.countries))}")
    if f.roots:
        parts.append(f"CAMEO roots {', '.join(sorted(f.roots))}")
    if f.since or f.until:
        parts.append(f"days {f.since or '…'} to {f.until or '…'}")
    return "; ".join(parts)
