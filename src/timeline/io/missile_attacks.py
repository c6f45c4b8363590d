"""Importer for "Massive Missile Attacks on Ukraine" (``missile_attacks_daily.csv``).

The data set (Petro Ivaniuk, Kaggle ``piterfm``) compiles the Ukrainian Air Force's reports
of each reporting window: when it started and ended, which weapon model, how many were
launched, destroyed, lost to electronic warfare, and so on. Each row becomes one
:class:`~timeline.events.DroneBarrage` or :class:`~timeline.events.MissileStrike`.

What each column becomes (see ``docs/importers.md`` for the whole story):

===============================  ===============================================================
column                           field
===============================  ===============================================================
``time_start``, ``time_end``     ``occurred_at``, ``occurred_until`` (Kyiv time to UTC; a date
                                 alone is midnight in Kyiv, ``time_precision="day"``, and as an
                                 end, the midnight that ends that day); ``zone`` is the zone
                                 they are read in (``"Europe/Kyiv"``, or the ``zone=`` given)
``model``                        ``weapon``; it also decides the event type (:data:`WEAPONS`)
``launch_place``                 ``launch_sites`` (split on " and ")
``target``                       ``target``
``target_main``                  ``location`` (the place named as the main target)
``launched``                     ``launched``
``destroyed``                    ``destroyed``
``not_reach_goal``               ``lost``
``still_attacking``              ``still_attacking``
``num_hit_location``             ``hit_locations``
``num_fall_fragment_location``   ``debris_locations``
``carrier``                      ``carrier``
``source``                       ``sources`` (the post's URL) and ``claimed_by`` (its account)
===============================  ===============================================================

Not mapped: ``turbojet``, ``turbojet_destroyed``, ``is_shahed`` and the Python-literal columns
``border_crossing``, ``affected region``, ``destroyed_details``, ``launched_details``,
``launch_place_details``.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any, Final, Literal

from timeline.errors import InvalidArgument, InvalidEvent
from timeline.events import Attack, DroneBarrage, Location, MissileStrike, Source
from timeline.io._csvsource import CsvDataset, CsvSource, Fields, csv_importer, refused
from timeline.io._pipeline import CHUNK, Row, StableIds
from timeline.io._times import LocalTime, LocalTimes, parse_count
from timeline.io.report import Issue
from timeline.time import TimePrecision

__all__ = [
    "ACCOUNTS",
    "COLUMNS",
    "FORMAT",
    "WEAPONS",
    "ZONE",
    "import_missile_attacks",
    "missile_attacks_source",
    "weapon_kind",
]

FORMAT: Final = "missile-attacks"
TAG: Final = f"import:{FORMAT}"
#: The zone the file's times are written in.
ZONE: Final = "Europe/Kyiv"

#: The 22 columns of the data set, in its order.
COLUMNS: Final = (
    "time_start",
    "time_end",
    "model",
    "launch_place",
    "target",
    "target_main",
    "launched",
    "destroyed",
    "not_reach_goal",
    "still_attacking",
    "border_crossing",
    "is_shahed",
    "num_hit_location",
    "num_fall_fragment_location",
    "carrier",
    "turbojet",
    "turbojet_destroyed",
    "affected region",
    "destroyed_details",
    "launched_details",
    "launch_place_details",
    "source",
)
_REQUIRED: Final = ("time_start", "time_end", "model", "launched", "destroyed")
_DATASET: Final = CsvDataset(FORMAT, TAG, name=FORMAT, required=_REQUIRED, known=COLUMNS)

#: The Air Force accounts a ``source`` post comes from, and whose claim it is.
ACCOUNTS: Final[Mapping[str, str]] = {
    "kpszsu": "Ukrainian Air Force",
    "PvKPivden": "Air Command South",
}
_DEFAULT_CLAIMANT: Final = "Ukrainian Air Force"
_POST_URL: Final = "https://www.facebook.com/"

Kind = Literal["drone", "missile"]

#: Weapon models as written in the file, and whether they are drones or missiles.
WEAPONS: Final[Mapping[str, Kind]] = {
    # drones
    "Shahed-136/131": "drone",
    "Molniya": "drone",
    "Молнія": "drone",
    "Reconnaissance UAV": "drone",
    "Unknown UAV": "drone",
    "Supercam": "drone",
    "Orlan-10": "drone",
    "Orlan-30": "drone",
    "Lancet": "drone",
    "ZALA": "drone",
    "Merlin-VR": "drone",
    "Mohajer-6": "drone",
    "Forpost": "drone",
    "Orion": "drone",
    "Granat-4": "drone",
    "Eleron": "drone",
    "Kub": "drone",
    "Gerbera": "drone",
    "Geran-2": "drone",
    "Geran-3": "drone",
    "Italmas": "drone",
    "Privet-82": "drone",
    "Привет-82": "drone",
    # missiles
    "Iskander-M/KN-23": "missile",
    "Iskander-M": "missile",
    "Iskander-K": "missile",
    "KN-23": "missile",
    "X-59/X-69": "missile",
    "X-59": "missile",
    "X-69": "missile",
    "X-47 Kinzhal": "missile",
    "Kalibr": "missile",
    "X-31P": "missile",
    "X-101/X-555": "missile",
    "X-22": "missile",
    "X-32": "missile",
    "X-35": "missile",
    "X-58": "missile",
    "C-300": "missile",
    "C-400": "missile",
    "S-300": "missile",
    "S-400": "missile",
    "P-800 Oniks": "missile",
    "3M22 Zircon": "missile",
    "Zircon": "missile",
    "Ballistic Missile": "missile",
    "Unknown Missile": "missile",
}

_DRONE_WORDS: Final = ("uav", "drone", "shahed", "geran", "бпла", "дрон")
_MISSILE_WORDS: Final = ("missile", "iskander", "kalibr", "kinzhal", "ракета")
_MISSILE_PREFIXES: Final = ("x-", "х-", "kh-")  # Latin and Cyrillic "Kh-" missiles


def weapon_kind(model: str, known: Mapping[str, Kind] = WEAPONS) -> Kind | None:
    """Whether a model is a drone or a missile, or ``None`` if it cannot be told.

    Models joined with " and " ("X-101/X-555 and Iskander-K") are of one kind if each part
    is. A model not listed is told by its name: "UAV", "drone", "Shahed" make a drone;
    "missile", "Iskander", "Kalibr", "Kinzhal" or a leading "X-"/"Kh-" a missile.

    >>> weapon_kind("X-101/X-555 and Kalibr"), weapon_kind("Heavy UAV"), weapon_kind("KAB")
    ('missile', 'drone', None)
    """
    found = known.get(model)
    if found is not None:
        return found
    parts = [p.strip() for p in model.split(" and ") if p.strip()]
    if len(parts) > 1:
        kinds = {weapon_kind(p, known) for p in parts}
        return kinds.pop() if len(kinds) == 1 else None
    lower = model.lower()
    if any(w in lower for w in _DRONE_WORDS):
        return "drone"
    if any(w in lower for w in _MISSILE_WORDS) or lower.startswith(_MISSILE_PREFIXES):
        return "missile"
    return None


# Which column a refused field came from, for problem reports.
_COLUMN_OF: Final = {
    "occurred_at": "time_start",
    "occurred_until": "time_end",
    "weapon": "model",
    "launch_sites": "launch_place",
    "lost": "not_reach_goal",
    "hit_locations": "num_hit_location",
    "debris_locations": "num_fall_fragment_location",
}
_FIGURES: Final = (
    ("launched", "launched", True),
    ("destroyed", "destroyed", True),
    ("not_reach_goal", "lost", True),
    ("still_attacking", "still_attacking", False),
    ("num_hit_location", "hit_locations", False),
    ("num_fall_fragment_location", "debris_locations", False),
)


# The text columns a row is read from, in the order _RowBuilder.build unpacks them.
_TEXT_COLUMNS: Final = (
    "time_start",
    "time_end",
    "model",
    "source",
    "target",
    "target_main",
    "launch_place",
    "carrier",
)


def _names(text: str) -> tuple[str, ...]:
    """Split on " and ": ``"A and B and and C"`` gives ``("A", "B", "C")``, no repeats."""
    if not text:
        return ()
    return tuple(dict.fromkeys(p.strip() for p in text.split(" and ") if p.strip()))


def missile_attacks_source(
    path: str,
    *,
    zone: str = ZONE,
    kinds: Mapping[str, Kind] | None = None,
    attacker: str = "Russia",
) -> CsvSource:
    """The rows of a ``missile_attacks_daily.csv`` as events (a row source for the pipeline).

    :func:`timeline.io.import_file` (``"missile-attacks"``) imports them.

    Args:
        path: the CSV file.
        zone: the zone its times are written in.
        kinds: weapon models to add to (or override in) :data:`WEAPONS`.
        attacker: who launched them.

    Raises:
        InvalidData: for a file that is not UTF-8 text, or lacks a required column.
        InvalidArgument: for a ``kinds`` value other than "drone" or "missile".
    """
    known: dict[str, Kind] = {**WEAPONS, **(kinds or {})}
    for model, kind in known.items():
        if kind not in ("drone", "missile"):
            raise InvalidArgument(
                f"kinds[{model!r}] must be 'drone' or 'missile', got {kind!r}",
                argument=f"kinds[{model!r}]",
                value=kind,
            )
    return CsvSource(
        path,
        _DATASET,
        builder=lambda index: _RowBuilder(index, zone=zone, kinds=known, attacker=attacker),
    )


class _RowBuilder:
    """Turns the fields of one row into an event; holds the caches that make it fast."""

    def __init__(
        self, index: dict[str, int], *, zone: str, kinds: Mapping[str, Kind], attacker: str
    ) -> None:
        times = LocalTimes(zone)
        self.zone = times.zone_name  # every event keeps the zone its times were read in
        self.parse_time = times.parse
        self.end_of_day = times.end_of_day
        self.counts: dict[str, int] = {}
        self.sources: dict[str, tuple[tuple[Source, ...], str, bool]] = {}
        self.seen: set[int] = set()
        self.ids = StableIds(FORMAT)
        self.kinds = kinds
        self.classes: dict[str, tuple[type[Attack], Kind | None]] = {}
        self.attacker = attacker
        self.actors = (attacker, "Ukraine")
        self.figures = [(c, field, warn, index.get(c)) for c, field, warn in _FIGURES]
        # The text columns read below, all at once; a column the file lacks reads as empty.
        width = len(index)
        self.texts = operator.itemgetter(*(index.get(c, width) for c in _TEXT_COLUMNS))
        self.padded = any(c not in index for c in _TEXT_COLUMNS)
        self.places: dict[str, tuple[str, ...]] = {}

    def _sources(self, post: str) -> tuple[tuple[Source, ...], str, bool]:
        """The sources, the claimant, and whether the account is known, of a post."""
        found = self.sources.get(post)
        if found is None:
            claimant = ACCOUNTS.get(post.split("/", 1)[0])
            known = claimant is not None
            claimant = claimant or _DEFAULT_CLAIMANT
            sources = (Source(name=claimant, url=_POST_URL + post if post else None),)
            if len(self.sources) > CHUNK:
                self.sources.clear()
            found = self.sources[post] = (sources, claimant, known)
        return found

    def _places(self, text: str) -> tuple[str, ...]:
        """The launch sites of a ``launch_place`` (the same few texts recur: remembered)."""
        found = self.places.get(text)
        if found is None:
            if len(self.places) > CHUNK:
                self.places.clear()
            found = self.places[text] = _names(text)
        return found

    def _class(self, model: str) -> tuple[type[Attack], Kind | None]:
        """The event type of a weapon model, and its kind (``None``: it could not be told)."""
        found = self.classes.get(model)
        if found is None:
            kind = self.kinds.get(model) or weapon_kind(model, self.kinds)
            found = self.classes[model] = (
                MissileStrike if kind == "missile" else DroneBarrage,
                kind,
            )
        return found

    def _event_id(self, start: LocalTime, end: LocalTime, model: str, post: str) -> Any:
        make = self.ids.make
        event_id = make(start.key, end.key, model, post)
        n = 1
        while event_id.int in self.seen:  # the same key again: number the repeats
            n += 1
            event_id = make(start.key, end.key, model, post, str(n))
        self.seen.add(event_id.int)
        return event_id

    def _figures(
        self, row: int, fields: list[str], warnings: list[Issue]
    ) -> dict[str, int | None] | Issue:
        """The counts of a row by field name, or the problem with one of them."""
        figures: dict[str, int | None] = {}
        counts = self.counts
        for column, field, warn, i in self.figures:
            text = "" if i is None else fields[i]
            value = counts.get(text)
            if value is None:
                try:
                    value = parse_count(text, counts)
                except ValueError as e:
                    return Issue(row, column, text, str(e))
                if value is None and warn:
                    warnings.append(Issue(row, column, text, f"empty: {field} is unknown (None)"))
            figures[field] = value
        launched = figures["launched"]
        if launched is not None:
            for column, field in (("destroyed", "destroyed"), ("not_reach_goal", "lost")):
                value = figures[field]
                if value is not None and value > launched:
                    return Issue(
                        row, column, value, f"{field} ({value}) exceeds launched ({launched})"
                    )
        return figures

    def build(self, row: int, values: Fields) -> Row:  # one return per problem
        """The event of one row, or the problem that stops it."""
        fields = values.values
        texts = self.texts([*fields, ""] if self.padded else fields)
        start_text, end_text, model, post, target, target_main, place, carrier = [
            t.strip() for t in texts
        ]
        try:
            start = self.parse_time(start_text)
        except ValueError as e:
            return Row.refuse(row, "time_start", start_text, f"unreadable time: {e}")
        try:
            end = self.parse_time(end_text)
        except ValueError as e:
            return Row.refuse(row, "time_end", end_text, f"unreadable time: {e}")
        until = self.end_of_day(end.local.date()) if end.date_only else end.utc
        if until < start.utc:
            return Row.refuse(
                row, "time_end", end_text, f"the window ends before it starts ({start_text})"
            )
        warnings: list[Issue] = []
        figures = self._figures(row, fields, warnings)
        if isinstance(figures, Issue):
            return Row(row, problem=figures)
        cls, kind = self._class(model)
        if kind is None:
            reason = "no weapon model" if not model else "unknown weapon model"
            warnings.append(Issue(row, "model", model, f"{reason}: imported as a drone barrage"))
        sources, claimant, known = self._sources(post)
        if not known:
            warnings.append(
                Issue(row, "source", post, f"not a known Air Force account: claimed by {claimant}")
            )
        try:
            event = cls(
                event_id=self._event_id(start, end, model, post),
                zone=self.zone,
                occurred_at=start.utc,
                occurred_until=until,
                time_precision=start.precision
                if start.precision is end.precision
                else TimePrecision.coarser(start.precision, end.precision),
                actors=self.actors,
                location=Location(name=target_main, country="Ukraine") if target_main else None,
                sources=sources,
                claimed_by=claimant,
                attacker=self.attacker,
                target=target or None,
                weapon=model or None,
                launch_sites=self._places(place),
                carrier=carrier or None,
                launched=figures["launched"],
                destroyed=figures["destroyed"],
                lost=figures["lost"],
                still_attacking=figures["still_attacking"],
                hit_locations=figures["hit_locations"],
                debris_locations=figures["debris_locations"],
            )
        except InvalidEvent as e:
            return refused(row, e, _COLUMN_OF)
        return Row(row, (event,), tuple(warnings) if warnings else ())


#: Import the file's rows into a log: :func:`timeline.io.import_file` (``"missile-attacks"``) calls it,
#: with the options of :func:`missile_attacks_source`.
import_missile_attacks: Final = csv_importer(missile_attacks_source)
