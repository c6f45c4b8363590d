"""GDELT event rows, one at a time: the columns of each version, and a row made into an event.

Private to :mod:`timeline.io` (:mod:`timeline.io.gdelt` documents the mapping). Built for
speed: a million-row file goes through :meth:`RowBuilder.build` a million times, so the
parts rows repeat (days, publication times, actors, places, the GDELT source) are made once
and shared (events are immutable), in caches emptied when full so that memory stays flat.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection, Mapping
from typing import Any, Final, NamedTuple

import pendulum
from pendulum import DateTime

from timeline.errors import InvalidEvent
from timeline.events import (
    CeasefireDemanded,
    Event,
    Location,
    Source,
    Strike,
    TalkRoundHeld,
    TalksProposed,
)
from timeline.events.coded import CodedActor, CodedEvent
from timeline.io._pipeline import Row, StableIds
from timeline.io.zones import country_zone
from timeline.time import TimePrecision, start_of_local_day

__all__ = [
    "COLUMNS_V1",
    "COLUMNS_V2",
    "Filters",
    "Layout",
    "RowBuilder",
    "layout_of",
]

_ACTOR: Final = (
    "Code",
    "Name",
    "CountryCode",
    "KnownGroupCode",
    "EthnicCode",
    "Religion1Code",
    "Religion2Code",
    "Type1Code",
    "Type2Code",
    "Type3Code",
)
_EVENT: Final = (
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
)
_GEO_V1: Final = ("Type", "FullName", "CountryCode", "ADM1Code", "Lat", "Long", "FeatureID")
_GEO_V2: Final = (
    "Type",
    "FullName",
    "CountryCode",
    "ADM1Code",
    "ADM2Code",
    "Lat",
    "Long",
    "FeatureID",
)


def _columns(geo: tuple[str, ...]) -> tuple[str, ...]:
    return (
        "GLOBALEVENTID",
        "SQLDATE",
        "MonthYear",
        "Year",
        "FractionDate",
        *(f"Actor1{c}" for c in _ACTOR),
        *(f"Actor2{c}" for c in _ACTOR),
        *_EVENT,
        *(f"Actor1Geo_{c}" for c in geo),
        *(f"Actor2Geo_{c}" for c in geo),
        *(f"ActionGeo_{c}" for c in geo),
        "DATEADDED",
        "SOURCEURL",
    )


#: GDELT 1.0's columns (the daily files since 1 April 2013: 58; the historical back file,
#: 1979 to March 2013, has the first 57, without ``SOURCEURL``).
COLUMNS_V1: Final = _columns(_GEO_V1)
#: GDELT 2.0's 61 columns (the 15-minute export files): each geography gains ``ADM2Code``.
COLUMNS_V2: Final = _columns(_GEO_V2)


class Layout(NamedTuple):
    """One published layout of the events table."""

    version: str  # "1.0" or "2.0"
    name: str  # for reports: "GDELT 2.0 (61 columns)"
    columns: tuple[str, ...]


#: The layouts, by their number of columns.
LAYOUTS: Final[Mapping[int, Layout]] = {
    57: Layout("1.0", "GDELT 1.0 historical back file (57 columns)", COLUMNS_V1[:57]),
    58: Layout("1.0", "GDELT 1.0 daily file (58 columns)", COLUMNS_V1),
    61: Layout("2.0", "GDELT 2.0 15-minute file (61 columns)", COLUMNS_V2),
}


def layout_of(width: int) -> Layout | None:
    """The layout of rows of ``width`` tab-separated fields, if GDELT publishes one."""
    return LAYOUTS.get(width)


class Filters(NamedTuple):
    """What to keep of a file (each ``None``: keep all).

    countries: CAMEO country codes; a row is kept if either actor's country is one
        (``dyad``: if both actors' countries are).
    roots: CAMEO root codes ("19", "20").
    since, until: the first and last ``SQLDATE`` kept, as ``"YYYYMMDD"``.
    """

    countries: frozenset[str] | None = None
    dyad: bool = False
    roots: frozenset[str] | None = None
    since: str | None = None
    until: str | None = None

    @property
    def active(self) -> bool:
        """Whether any row can be left out."""
        return bool(self.countries or self.roots or self.since or self.until)


#: The CAMEO codes of force that are strikes, and the weapon each names (``None``: none).
_STRIKE_WEAPONS: Final[Mapping[str, str | None]] = {
    "190": None,
    "193": "small arms and light weapons",
    "194": "artillery and tanks",
    "195": "aerial weapons",
    "196": None,
    "200": None,
    "202": None,
    "203": None,
    "204": "weapons of mass destruction",
    "2041": "chemical, biological or radiological weapons",
    "2042": "nuclear weapons",
}
#: CAMEO codes whose meaning is one of the catalog's types: (the type's tag, the weapon a
#: strike names). See the table in :mod:`timeline.io.gdelt`.
CATALOG_CODES: Final[Mapping[str, tuple[str, str | None]]] = {
    "036": ("diplomacy.talks_proposed", None),
    "046": ("diplomacy.talk_round_held", None),
    "107": ("diplomacy.ceasefire_demanded", None),
    **{code: ("military.strike", weapon) for code, weapon in _STRIKE_WEAPONS.items()},
}
_CEASEFIRE_VIOLATED: Final = "ceasefire violated"

_CACHE_LIMIT: Final = 50_000
_GDELT: Final = "GDELT"
_GDELT_URL: Final = "https://www.gdeltproject.org"
_UTC = pendulum.UTC
_DAY = TimePrecision.DAY


class _Bad(Exception):
    """A cell that cannot be read: its column, value and why."""

    def __init__(self, column: str, value: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.value = value
        self.reason = reason


def _count(column: str, text: str) -> int | None:
    if not text:
        return None
    if text.isdigit():
        return int(text)
    raise _Bad(column, text, "not a whole number ≥ 0")


def _number(column: str, text: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise _Bad(column, text, "not a number") from None
    if not math.isfinite(value):
        raise _Bad(column, text, "not a finite number")
    return value


def _code(column: str, text: str) -> str:
    if 2 <= len(text) <= 4 and text.isdigit():  # noqa: PLR2004  # CAMEO: two to four digits
        return text
    raise _Bad(column, text, "not a CAMEO event code (two to four digits)")


def _cached(cache: dict[Any, Any], key: Any, make: Callable[[], Any]) -> Any:
    found = cache.get(key)
    if found is None:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        found = cache[key] = make()
    return found


class RowBuilder:
    """Makes events of one file's rows (one builder per pass over the file).

    Args:
        layout: the file's layout.
        filters: what to keep.
        zone: the zone of every row's day; ``None``: the zone of the action's country.
    """

    def __init__(self, layout: Layout, filters: Filters, zone: str | None = None) -> None:
        self.layout = layout
        self.filters = filters
        self.zone = zone
        self.ids = StableIds("gdelt")
        self.key = layout.version[0]  # "1" or "2": the two versions number events apart
        self.at = {name: i for i, name in enumerate(layout.columns)}
        self.filtered = 0
        self._days: dict[tuple[str, str | None], DateTime] = {}
        self._zones: dict[tuple[str, float | None, float | None], str | None] = {}
        self._added: dict[str, Source] = {}
        self._actors: dict[tuple[str, ...], CodedActor | None] = {}
        self._places: dict[tuple[str, ...], Location | None] = {}

    # -- cells -----------------------------------------------------------------------------

    def _day(self, text: str, zone: str | None) -> DateTime:
        """The instant ``SQLDATE`` begins in ``zone`` (midnight UTC where none is known)."""
        found = self._days.get((text, zone))
        if found is None:
            bad = _Bad("SQLDATE", text, "not a date written YYYYMMDD")
            if len(text) != 8 or not text.isdigit():  # noqa: PLR2004  # YYYYMMDD
                raise bad
            try:
                day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                raise bad from None
            if zone is None:
                found = DateTime(day.year, day.month, day.day, tzinfo=_UTC)
            else:
                found = start_of_local_day(day, zone)
            if len(self._days) >= _CACHE_LIMIT:
                self._days.clear()
            self._days[text, zone] = found
        return found

    def _zone_of(self, place: Location | None) -> str | None:
        """The zone of the action's place: the given zone, else its country's (or ``None``)."""
        if self.zone is not None or place is None or place.country is None:
            return self.zone
        key = (place.country, place.latitude, place.longitude)
        if key not in self._zones:
            if len(self._zones) >= _CACHE_LIMIT:
                self._zones.clear()
            self._zones[key] = country_zone(
                place.country, latitude=place.latitude, longitude=place.longitude
            )
        return self._zones[key]

    def _gdelt(self, text: str) -> Source:
        found = self._added.get(text)
        if found is None:
            if not text.isdigit() or len(text) not in (8, 14):
                raise _Bad("DATEADDED", text, "not a time written YYYYMMDD or YYYYMMDDHHMMSS")
            try:
                parts = [int(text[i : i + 2]) for i in range(4, len(text), 2)]
                at = DateTime(int(text[:4]), *parts, tzinfo=_UTC)  # type: ignore[arg-type, misc]  # month, day, and hours for 14 digits
            except ValueError:
                raise _Bad(
                    "DATEADDED", text, "not a time written YYYYMMDD or YYYYMMDDHHMMSS"
                ) from None
            found = Source(name=_GDELT, url=_GDELT_URL, published_at=at)
            if len(self._added) >= _CACHE_LIMIT:
                self._added.clear()
            self._added[text] = found
        return found

    def _actor(self, cells: list[str], first: int) -> CodedActor | None:
        # Code, Name, CountryCode, KnownGroupCode, (ethnic, religions), Type1..3
        key = (*cells[first : first + 4], *cells[first + 7 : first + 10])
        return _cached(self._actors, key, lambda: _make_actor(key))  # type: ignore[no-any-return]

    def _place(self, cells: list[str], first: int) -> Location | None:
        name = cells[first + 1]
        adm1 = cells[first + 3]
        lat_i = first + (5 if self.key == "2" else 4)
        key = (name, adm1, cells[lat_i], cells[lat_i + 1])
        found = self._places.get(key)
        if found is None and key not in self._places:
            latitude = _number("ActionGeo_Lat", key[2])
            longitude = _number("ActionGeo_Long", key[3])
            if not name and not adm1 and latitude is None and longitude is None:
                found = None
            else:
                country = name.rpartition(", ")[2] if name else None
                try:
                    found = Location(
                        name=name or None,
                        country=country or None,
                        admin1=adm1 or None,
                        latitude=latitude,
                        longitude=longitude,
                    )
                except InvalidEvent as e:
                    column = "ActionGeo_Lat" if e.field == "latitude" else "ActionGeo_Long"
                    raise _Bad(column, str(e.value), str(e)) from None
            if len(self._places) >= _CACHE_LIMIT:
                self._places.clear()
            self._places[key] = found
        return found

    # -- rows ------------------------------------------------------------------------------

    def keep(self, cells: list[str]) -> bool:
        """Whether the filters keep a row (cells as split, of the right width)."""
        f = self.filters
        at = self.at
        if f.roots is not None and cells[at["EventRootCode"]].zfill(2) not in f.roots:
            return False
        if f.since is not None or f.until is not None:
            day = cells[1]
            if (f.since is not None and day < f.since) or (f.until is not None and day > f.until):
                return False
        if f.countries is not None:
            one = cells[at["Actor1CountryCode"]] in f.countries
            two = cells[at["Actor2CountryCode"]] in f.countries
            if not ((one and two) if f.dyad else (one or two)):
                return False
        return True

    def build(self, row: int, cells: list[str]) -> Row:
        """The row's event, or the problem that stops it (or no event: filtered out)."""
        if self.filters.active and not self.keep(cells):
            self.filtered += 1
            return Row(row, skipped=True)
        try:
            return Row(row, events=(self._event(cells),))
        except _Bad as e:
            return Row.refuse(row, e.column, e.value, e.reason)
        except InvalidEvent as e:
            return Row.refuse(row, _FIELD_COLUMNS.get(e.field, e.field), e.value, str(e))

    def _event(self, cells: list[str]) -> Event:
        at = self.at
        key = cells[0]
        if not key.isdigit():
            raise _Bad("GLOBALEVENTID", key, "not a GDELT event id (digits)")
        day_text = cells[1]
        i = at["IsRootEvent"]
        code = _code("EventCode", cells[i + 1])
        root = _code("EventRootCode", cells[i + 3].zfill(2))
        quad_text = cells[i + 4]
        if quad_text not in ("", "1", "2", "3", "4"):
            raise _Bad("QuadClass", quad_text, "not a CAMEO quad class (1-4)")
        goldstein = _number("GoldsteinScale", cells[i + 5])
        actor1 = self._actor(cells, 5)
        actor2 = self._actor(cells, 15)
        one = actor1.label if actor1 is not None else None
        two = actor2.label if actor2 is not None else None
        actors = tuple(dict.fromkeys(a for a in (one, two) if a))
        gdelt = self._gdelt(cells[at["DATEADDED"]])
        url = cells[at["SOURCEURL"]] if len(cells) > at["DATEADDED"] + 1 else ""
        sources = (gdelt, Source(name=_host(url), url=url)) if url else (gdelt,)
        location = self._place(cells, at["ActionGeo_Type"])
        zone = self._zone_of(location)
        day = self._day(day_text, zone)
        event_id = self.ids.make(self.key, key)
        mentions = _count("NumMentions", cells[i + 6])
        source_count = _count("NumSources", cells[i + 7])
        articles = _count("NumArticles", cells[i + 8])
        tone = _number("AvgTone", cells[i + 9])
        common: dict[str, Any] = {  # what every row's event has, whatever its type
            "event_id": event_id,
            "occurred_at": day,
            "zone": zone,
            "time_precision": _DAY,
            "actors": actors,
            "location": location,
            "sources": sources,
            "claimed_by": _GDELT,
        }
        mapped = CATALOG_CODES.get(code)
        if mapped is not None and one:
            made = _catalog(mapped, one, two, actors)
            tags = tuple(
                f"{name}:{text}"
                for name, text in (
                    ("cameo", code),
                    ("goldstein", cells[i + 5]),
                    ("quad", quad_text),
                    ("mentions", cells[i + 6]),
                    ("sources", cells[i + 7]),
                    ("articles", cells[i + 8]),
                    ("tone", cells[i + 9]),
                )
                if text
            )
            return made(**common, tags=(*tags, _CEASEFIRE_VIOLATED) if code == "196" else tags)
        return CodedEvent(
            **common,
            code=code,
            root=root,
            goldstein=goldstein,
            quad_class=int(quad_text) if quad_text else None,
            source_actor=actor1,
            target_actor=actor2,
            mentions=mentions,
            source_count=source_count,
            articles=articles,
            tone=tone,
            root_event=_root_event(cells[i]),
        )


_FIELD_COLUMNS: Final = {
    "goldstein": "GoldsteinScale",
    "quad_class": "QuadClass",
    "mentions": "NumMentions",
    "source_count": "NumSources",
    "articles": "NumArticles",
    "tone": "AvgTone",
    "code": "EventCode",
    "root": "EventRootCode",
    "occurred_at": "SQLDATE",
}


def _root_event(text: str) -> bool | None:
    if text == "1":
        return True
    if text == "0":
        return False
    if not text:
        return None
    raise _Bad("IsRootEvent", text, "not 0 or 1")


def _host(url: str) -> str:
    """The site a source URL is on ("www.bbc.co.uk"), or the URL itself."""
    rest = url.partition("://")[2] or url
    return rest.split("/", 1)[0].split("?", 1)[0] or url


def _make_actor(key: tuple[str, ...]) -> CodedActor | None:
    code, name, country, group, *types = key
    if not (code or name or country or group):
        return None
    return CodedActor(
        name=name or None,
        code=code or None,
        country=country or None,
        group=group or None,
        types=tuple(t for t in types if t),
    )


def _catalog(
    mapped: tuple[str, str | None], one: str, two: str | None, actors: tuple[str, ...]
) -> Callable[..., Event]:
    """A maker of the catalog event a code means (its own fields filled in), or ``None``."""
    tag, weapon = mapped
    if tag == "military.strike":
        return lambda **kw: Strike(attacker=one, target_party=two, weapon=weapon, **kw)
    if tag == "diplomacy.talk_round_held":
        return lambda **kw: TalkRoundHeld(parties=actors, **kw)
    if tag == "diplomacy.talks_proposed":
        return lambda **kw: TalksProposed(proposed_by=one, parties=actors, **kw)
    if tag == "diplomacy.ceasefire_demanded":
        return lambda **kw: CeasefireDemanded(party=one, addressed_to=two, **kw)
    raise AssertionError(tag)  # pragma: no cover  # every tag of CATALOG_CODES is above


def normalise_roots(roots: Collection[str | int] | None) -> frozenset[str] | None:
    """``{"19", "20"}`` from ``["19", 20]``; ``None`` for no filter."""
    if roots is None:
        return None
    return frozenset(str(r).zfill(2) for r in roots)


def day_key(value: dt.date | str | None) -> str | None:
    """``"20250602"`` from a date or ``"2025-06-02"``; ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return value.strftime("%Y%m%d")
