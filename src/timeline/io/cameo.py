"""CAMEO event codes and the Goldstein scale: the event types on a standard scale.

GDELT publishes two lookup tables (tab-separated, one header line): the description of each
CAMEO (Conflict and Mediation Event Observations) code, and its score on the Goldstein
conflict–cooperation scale, from −10 (most conflictual) to +10 (most cooperative). Codes are
text, leading zeros included: ``"01"``, ``"010"`` and ``"0841"`` are different codes.
:func:`load` reads them (they are not shipped with timeline: pass the directory that holds
them) into a :class:`Cameo`, repairing two known defects of the published files:

- code ``106`` ("Demand withdrawal") merged into the line of ``1056``
  (``Demand de-escalation of military engagement106:[-5.0] Demand withdrawal``), and missing
  from the Goldstein table: the line is split back into its two codes, and ``106`` takes the
  score written inside it (−5.0);
- Mac Roman curly quotes read as Latin-1 (``Meet at a ÒhirdÓlocation``): known damaged
  descriptions are restored ("Meet at a “third” location"), other stray ``Ò``/``Ó`` become
  curly quotes.

Each repair is listed in :attr:`Cameo.repairs`. The older (2013) copy of the tables, without
the first defect, loads into the same codes and scores.

:data:`EVENT_CODES` maps the catalog's event types to CAMEO codes, so that
:meth:`Cameo.intensity` can sum the Goldstein scores of a log's events per party per day,
and :meth:`Cameo.escalation_intensity` those of an :class:`~timeline.Escalation` state.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import types
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

import attrs

from timeline.errors import InvalidArgument
from timeline.events import Attack, Event, PartyCount
from timeline.events.coded import CodedEvent
from timeline.io._files import file_error, read_text
from timeline.projections.escalation import DRONE, MISSILE, STRIKE, EscalationState
from timeline.time import TimePrecision, local_date, local_day

__all__ = [
    "CODES_FILE",
    "EVENT_CODES",
    "SCORES_FILE",
    "Cameo",
    "Intensity",
    "PartyDay",
    "code_for",
    "describe",
    "goldstein",
    "load",
    "parties_of",
]

CODES_FILE: Final = "CAMEO.eventcodes.txt"
SCORES_FILE: Final = "CAMEO.goldsteinscale.txt"

#: The catalog's event types (by tag) and the CAMEO code each is scored as. Types not
#: listed (loss and casualty reports, corrections, links) are reports about events, not
#: actions between parties, and are not scored.
EVENT_CODES: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "diplomacy.talks_proposed": "036",  # Express intent to meet or negotiate (4.0)
        "diplomacy.talk_round_held": "046",  # Engage in negotiation (7.0)
        "diplomacy.delegation_announced": "036",  # Express intent to meet or negotiate (4.0)
        "diplomacy.proposal_tabled": "037",  # Express intent to settle dispute (5.0)
        "diplomacy.memorandum_promised": "030",  # Express intent to cooperate (4.0)
        "diplomacy.memorandum_delivered": "050",  # Engage in diplomatic cooperation (3.5)
        "diplomacy.memorandum_awaited": "010",  # Make statement (0.0)
        "diplomacy.document_received": "040",  # Consult (1.0)
        "diplomacy.response_promised": "030",  # Express intent to cooperate (4.0)
        "diplomacy.ceasefire_demanded": "107",  # Demand ceasefire (-5.0)
        "diplomacy.ceasefire_rejected": "1246",  # Refuse to de-escalate military engagement (-4.0)
        "diplomacy.statement": "010",  # Make statement (0.0)
        "military.drone_barrage": "195",  # Employ aerial weapons (-10.0)
        "military.missile_strike": "195",  # Employ aerial weapons (-10.0)
        "military.strike": "190",  # Use conventional military force (-10.0)
        "humanitarian.prisoner_exchange_agreed": "0353",  # Express intent to release persons (7.0)
        "humanitarian.prisoner_exchange_carried_out": "0841",  # Return, release person(s) (7.0)
    }
)
_KIND_CODES: Final = {DRONE: "195", MISSILE: "195", STRIKE: "190"}

# Descriptions known to be damaged in the published tables, and what they should read.
_DAMAGED: Final = {"Meet at a ÒhirdÓlocation": "Meet at a “third” location"}
_MAC_ROMAN: Final = str.maketrans({"Ò": "“", "Ó": "”", "Ô": "‘", "Õ": "’"})
_MERGED: Final = re.compile(
    r"(?P<text>.*?)(?P<code>\d{2,4}):\[(?P<score>[-+]?\d+(?:\.\d+)?)\]\s*(?P<rest>.+)"
)
_CODE: Final = re.compile(r"\d{2,4}")
_NOON: Final = dt.timedelta(hours=12)

Weight = Literal["reports", "launched"]


def _lines(path: Path, header: str) -> list[tuple[int, str, str]]:
    text = read_text(str(path))
    rows = text.splitlines()
    if not rows or not rows[0].upper().startswith(header):
        raise file_error(str(path), rows[0][:40] if rows else "", f"no {header} header line")
    out = []
    for number, line in enumerate(rows[1:], 2):
        if not line.strip():
            continue
        code, sep, rest = line.partition("\t")
        if not sep:
            raise file_error(str(path), line[:40], f"line {number} has no tab")
        out.append((number, code.strip(), rest.strip()))
    return out


@attrs.frozen
class PartyDay:
    """One party's Goldstein-weighted intensity on one day.

    Attributes:
        party: the party (an attacker, a party to talks, ...), or ``None`` if unnamed.
        day: the date (``"2025-05-31"``), as the projections file it.
        score: the sum of the Goldstein scores of its events that day, each times its weight.
        events: how many events (reports) were counted.
    """

    party: str | None
    day: str
    score: float
    events: int


@attrs.frozen
class Intensity:
    """A Goldstein-weighted intensity series: one :class:`PartyDay` per party and day."""

    rows: tuple[PartyDay, ...]

    @property
    def parties(self) -> tuple[str | None, ...]:
        """The parties, in the order first seen."""
        return tuple(dict.fromkeys(r.party for r in self.rows))

    def of(self, party: str | None) -> dict[str, float]:
        """``{day: score}`` for one party, in date order."""
        return {r.day: r.score for r in self.rows if r.party == party}


#: The fields that say whose action an event is, in the order asked: the first that names
#: anyone answers (a name, a list of names, or counts per party).
_WHOSE: Final = ("attacker", "party", "proposed_by", "parties", "released", "speaker")


def parties_of(event: Event) -> tuple[str | None, ...]:
    """Whose action an event is: its attacker, party, proposer or speaker, else its actors.

    >>> import pendulum, timeline as tl
    >>> parties_of(tl.TalkRoundHeld(occurred_at=pendulum.datetime(2025, 6, 2),
    ...                             parties=("Ukraine", "Russia")))
    ('Ukraine', 'Russia')
    """
    if isinstance(event, CodedEvent):  # its source actor; without one, not its target
        actor = event.source_actor
        return (actor.label if actor is not None else None,)
    for name in _WHOSE:
        found = _names(getattr(event, name, None))
        if found:
            return found
    return event.actors or (None,)


def _names(value: Any) -> tuple[str, ...]:
    """The parties a field names: a name, a list of names, or a list of counts per party."""
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, (tuple, list)):
        return tuple(v.party if isinstance(v, PartyCount) else v for v in value)
    return ()


def _day(at: dt.datetime, precision: TimePrecision) -> str:
    """The date an event is filed under (as the built-in projections file it)."""
    if precision in (TimePrecision.DAY, TimePrecision.MONTH):
        at += _NOON
    return at.date().isoformat()


_TAG: Final = "cameo:"


def code_for(event: Event | type[Event] | str) -> str | None:
    """The CAMEO code an event (or event type, or type tag) is scored as, if any.

    An event coded by its source has its own code: a
    :class:`~timeline.events.coded.CodedEvent`'s ``code``, or an imported event's
    ``cameo:<code>`` tag (:mod:`timeline.io.gdelt`); other events, their type's code.

    >>> import timeline as tl
    >>> code_for(tl.TalkRoundHeld), code_for("diplomacy.ceasefire_demanded"), code_for(tl.LossReport)
    ('046', '107', None)
    """
    if isinstance(event, Event):
        own = _own_code(event)
        if own is not None:
            return own
    tag = event if isinstance(event, str) else event.TYPE
    return EVENT_CODES.get(tag)


def _own_code(event: Event) -> str | None:
    """The code an event's source gave it, if any."""
    if isinstance(event, CodedEvent):
        return event.code
    for tag in event.tags:
        if tag.startswith(_TAG):
            return tag[len(_TAG) :]
    return None


_T = TypeVar("_T")


def _look_up(table: Mapping[str, _T], code: str) -> _T:
    """``table[code]``, refusing a code the tables do not hold by name."""
    try:
        return table[code]
    except (KeyError, TypeError):
        raise InvalidArgument(
            f"{code!r} is not a CAMEO code of these tables (codes are text: '0841')",
            argument="code",
            value=code,
        ) from None


@attrs.frozen
class Cameo:
    """The CAMEO tables: each code's description and Goldstein score.

    Attributes:
        descriptions: code to description.
        scores: code to Goldstein score.
        repairs: what was repaired while loading the published files.
    """

    descriptions: Mapping[str, str]
    scores: Mapping[str, float]
    repairs: tuple[str, ...] = ()

    @classmethod
    def from_files(cls, codes: str | os.PathLike[str], scores: str | os.PathLike[str]) -> Cameo:  # noqa: C901  # one pass per table, with its repairs
        """Read the two tables.

        Raises:
            InvalidData: for a file that is not such a table (or not UTF-8).
        """
        repairs: list[str] = []
        descriptions: dict[str, str] = {}
        embedded: dict[str, float] = {}
        for number, code, line in _lines(Path(codes), "CAMEOEVENTCODE"):
            if not _CODE.fullmatch(code):
                raise file_error(os.fspath(codes), code, f"line {number}: not a CAMEO code")
            text = line
            merged = _MERGED.fullmatch(line)
            if merged is not None:
                extra = merged["code"]
                text = merged["text"].strip()
                descriptions[extra] = merged["rest"].strip()
                embedded[extra] = float(merged["score"])
                repairs.append(
                    f"{CODES_FILE} line {number}: code {extra} ({descriptions[extra]!r}) was "
                    f"merged into the description of {code}: split back"
                )
            fixed = _DAMAGED.get(text) or text.translate(_MAC_ROMAN)
            if fixed != text:
                repairs.append(
                    f"{CODES_FILE} line {number}: code {code} description {text!r} "
                    f"repaired to {fixed!r}"
                )
            descriptions[code] = fixed
        found: dict[str, float] = {}
        for number, code, text in _lines(Path(scores), "CAMEOEVENTCODE"):
            if not _CODE.fullmatch(code):
                raise file_error(os.fspath(scores), code, f"line {number}: not a CAMEO code")
            try:
                found[code] = float(text)
            except ValueError:
                raise file_error(
                    os.fspath(scores), text, f"line {number}: not a Goldstein score"
                ) from None
        for code, score in embedded.items():
            if code not in found:
                found[code] = score
                repairs.append(
                    f"{SCORES_FILE}: no score for {code}: {score} taken from its merged line"
                )
        for code in descriptions.keys() - found.keys():
            parent = next((code[:n] for n in (3, 2) if code[:n] in found and n < len(code)), None)
            if parent is not None:
                found[code] = found[parent]
                repairs.append(f"{SCORES_FILE}: no score for {code}: its parent {parent}'s")
        order = sorted(descriptions.keys() | found.keys())
        return cls(
            descriptions=types.MappingProxyType({c: descriptions.get(c, "") for c in order}),
            scores=types.MappingProxyType({c: found[c] for c in order if c in found}),
            repairs=tuple(repairs),
        )

    def goldstein(self, code: str) -> float:
        """The Goldstein score of a code (text, leading zeros kept: ``"0841"``).

        Raises:
            InvalidArgument: for a code the tables do not hold.
        """
        return _look_up(self.scores, code)

    def describe(self, code: str) -> str:
        """The description of a code.

        Raises:
            InvalidArgument: for a code the tables do not hold.
        """
        return _look_up(self.descriptions, code)

    def score(self, event: Event | type[Event] | str) -> float | None:
        """The Goldstein score of an event, or of its type (``None`` for a type not scored).

        A :class:`~timeline.events.coded.CodedEvent` scores its own ``goldstein`` (the
        source's score), else its code's; an event tagged ``cameo:<code>``, that code's.
        """
        if isinstance(event, CodedEvent) and event.goldstein is not None:
            return float(event.goldstein)
        code = code_for(event)
        if code is None:
            return None
        if isinstance(event, Event) and code not in self.scores and _own_code(event) == code:
            return self.score(type(event))  # a code these tables lack: its type's
        return self.goldstein(code)

    def intensity(self, events: Iterable[Event], *, weight: Weight = "reports") -> Intensity:
        """Sum the Goldstein scores of events per party per day.

        Args:
            events: the events (e.g. :func:`timeline.replay_events` of a log).
            weight: ``"reports"``: each event counts once; ``"launched"``: a drone barrage
                or missile strike counts once per drone or missile launched (once if the
                figure is unknown).

        Each event counts for each of its parties (:func:`parties_of`) on the day it is filed
        under, with its own score where its source coded it (:meth:`score`: GDELT's rows);
        events of types not scored are left out.
        """
        sums: dict[tuple[str | None, str], list[float]] = {}
        scores: dict[type[Event], float | None] = {}
        for event in events:
            cls = type(event)
            if cls is CodedEvent or (event.tags and _own_code(event) is not None):
                score = self.score(event)
            else:
                if cls not in scores:
                    scores[cls] = self.score(cls)
                score = scores[cls]
            if score is None:
                continue
            times = 1.0
            if weight == "launched" and isinstance(event, Attack) and event.launched:
                times = float(event.launched)
            day = local_date(event).isoformat()  # the local date (issue 15)
            for party in parties_of(event):
                acc = sums.setdefault((party, day), [0.0, 0])
                acc[0] += score * times
                acc[1] += 1
        return _series(sums)

    def escalation_intensity(
        self, state: EscalationState, *, weight: Weight = "reports"
    ) -> Intensity:
        """The same, from an :class:`~timeline.Escalation` state: per attacker per day.

        Drone barrages and missile strikes are scored as "Employ aerial weapons" (195),
        strikes as "Use conventional military force" (190); ``weight`` as for
        :meth:`intensity` (summed over the reports of each tally).
        """
        sums: dict[tuple[str | None, str], list[float]] = {}
        for tally in state.tallies:
            score = self.goldstein(_KIND_CODES[tally.kind])
            reports = tally.figures.reports
            times = float(reports)
            if weight == "launched" and tally.kind != STRIKE:
                known = tally.figures.launched or 0
                times = float(known + tally.figures.launched_unknown)
            day = local_day(tally.start, tally.precision, tally.zone).isoformat()
            acc = sums.setdefault((tally.attacker, day), [0.0, 0])
            acc[0] += score * times
            acc[1] += reports
        return _series(sums)


def _series(sums: dict[tuple[str | None, str], list[float]]) -> Intensity:
    rows = [
        PartyDay(party=party, day=day, score=round(acc[0], 6), events=int(acc[1]))
        for (party, day), acc in sums.items()
    ]
    first: dict[str | None, int] = {}
    for i, row in enumerate(rows):
        first.setdefault(row.party, i)
    rows.sort(key=lambda r: (first[r.party], r.day))
    return Intensity(rows=tuple(rows))


def load(directory: str | os.PathLike[str]) -> Cameo:
    """Read ``CAMEO.eventcodes.txt`` and ``CAMEO.goldsteinscale.txt`` from a directory.

    Raises:
        InvalidData: for files that are not the CAMEO tables.
        OSError: if they cannot be read.
    """
    folder = Path(directory)
    return Cameo.from_files(folder / CODES_FILE, folder / SCORES_FILE)


def goldstein(code: str, tables: Cameo) -> float:
    """The Goldstein score of a CAMEO code in ``tables`` (see :meth:`Cameo.goldstein`)."""
    return tables.goldstein(code)


def describe(code: str, tables: Cameo) -> str:
    """The description of a CAMEO code in ``tables`` (see :meth:`Cameo.describe`)."""
    return tables.describe(code)
