"""Inference rules: candidate causal links proposed from the events alone.

A rule looks for one kind of event (the effect) following another (the cause) within a time
window, and proposes a :class:`Candidate` link with a score between 0 and 1 and the features
it used: the time gap, shared actors, whether the effect's party answers the cause (the
attacked party striking back, the addressee of a demand proposing talks), whether one event
names the other (an exchange carried out under an agreement), and whether a statement names a
retaliation. An analyst accepts a candidate by appending it to the log as a
:class:`~timeline.events.CausalLink` (:meth:`Candidate.to_link`).

Candidates are found by a time window over events sorted by time, never by trying all pairs:
for each possible effect, the rule looks only at the possible causes whose start lies in
``[effect start - window, latest(effect)]`` (a binary search in a sorted list, per key: the
party a strike targeted, the party a document came from, ...), nearest first, and keeps at
most ``per_effect`` of them (the latest-starting first). The window's upper end is the effect's latest possible instant
(:func:`~timeline.causal.timing.latest`), so a rule never proposes a cause after its effect:
every candidate is a link the log's guard accepts (cycles aside: a rule proposes each link on
its own).

The rules that ship (:func:`default_rules`):

===============================  ============  ======================================
rule                             relation      cause → effect
===============================  ============  ======================================
``barrage-after-strike``         retaliation   a strike or barrage → a barrage by its
                                               target, within 48 h
``talks-after-ceasefire-demand`` response      a ceasefire demand → talks proposed by
                                               its addressee, within 7 days
``exchange-agreed-at-talks``     outcome       a talk round → a prisoner exchange agreed,
                                               within 3 days
``exchange-carried-out``         precondition  an agreed exchange → a stage carried out,
                                               within 30 days
``proposal-received``            response      a proposal tabled → its receipt by the
                                               other party, within 14 days
``answer-promised``              response      a document received → an answer promised
                                               by the receiver, within 7 days
===============================  ============  ======================================
"""

from __future__ import annotations

import abc
import bisect
import collections
import datetime as dt
import itertools
import operator
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Final, cast

import attrs

from timeline.causal._collector import paused
from timeline.causal.timing import EPOCH, latest_offset, offset
from timeline.errors import InvalidEvent
from timeline.events import (
    Attack,
    CausalLink,
    CeasefireDemanded,
    DocumentReceived,
    DroneBarrage,
    Event,
    MissileStrike,
    PrisonerExchangeAgreed,
    PrisonerExchangeCarriedOut,
    ProposalTabled,
    Relation,
    ResponsePromised,
    Statement,
    Strike,
    TalkRoundHeld,
    TalksProposed,
)

__all__ = [
    "AnswerPromised",
    "BarrageAfterStrike",
    "Candidate",
    "ExchangeAgreedAtTalks",
    "ExchangeCarriedOut",
    "Feature",
    "ProposalReceived",
    "Rule",
    "Scene",
    "TalksAfterCeasefireDemand",
    "default_rules",
    "propose",
]

#: A feature's value: a number, a flag, or a name.
Feature = float | int | bool | str | None

_HOUR: Final = 3_600_000_000
_TWO_DAYS: Final = dt.timedelta(hours=48)
_TWO_DAYS_MICROS: Final = 48 * _HOUR
_since: Final = dt.datetime.__sub__
#: Longer than any two instants are apart: a longer window finds the same causes, and the
#: window's start (an effect's start less this) cannot overflow.
_WHOLE_RANGE: Final = dt.timedelta(days=dt.date.max.toordinal() + 1)
#: Before every start (a placeholder in front of a list of starts).
_NEVER: Final = dt.timedelta.min
_MICROSECOND: Final = dt.timedelta(microseconds=1)
_STARTED: Final = operator.attrgetter("occurred_at")
_TEXT: Final = operator.attrgetter("text")
_PARTY: Final = operator.attrgetter("party")
_PARTY_AND_COUNT: Final = operator.attrgetter("party", "count")  # released prisoners, as pairs
#: Words that name a retaliation in a statement or a report's summary.
RETALIATION_WORDS: Final = re.compile(r"retaliat|in response to|revenge|aveng", re.IGNORECASE)


@attrs.frozen
class Candidate:
    """A link a rule proposes: the two events, how sure the rule is, and why.

    Attributes:
        cause: the earlier event.
        effect: the later event.
        relation: the relation the rule proposes ("retaliation", ...).
        score: the rule's score, 0 to 1.
        rule: the rule's name.
        features: what the score was made of (``gap_hours``, ``answering``, ...).
    """

    cause: Event
    effect: Event
    relation: str
    score: float
    rule: str
    features: Mapping[str, Feature] = attrs.field(factory=dict, eq=False)

    @property
    def pair(self) -> tuple[Any, Any]:
        """The cause's and the effect's ids."""
        return self.cause.event_id, self.effect.event_id

    def to_link(
        self,
        *,
        occurred_at: dt.datetime,
        asserted_by: str,
        confidence: float | None = None,
        evidence: str | None = None,
        **fields: Any,
    ) -> CausalLink:
        """The link an analyst appends to accept this candidate.

        Args:
            occurred_at: when the analyst asserts it.
            asserted_by: the analyst.
            confidence: the analyst's confidence (the rule's score if not given).
            evidence: what supports it (by default, the rule's features).
            fields: any other :class:`~timeline.events.CausalLink` fields (``sources``, ...).
        """
        if evidence is None:
            evidence = f"proposed by rule {self.rule}: " + ", ".join(
                f"{name}={value}" for name, value in self.features.items()
            )
        return CausalLink(
            occurred_at=occurred_at,
            cause=self.cause.event_id,
            effect=self.effect.event_id,
            relation=self.relation,
            confidence=self.score if confidence is None else confidence,
            asserted_by=asserted_by,
            evidence=evidence,
            rule=self.rule,
            score=self.score,
            **fields,
        )


def _made_candidates(count: int, *fields: Iterable[Any]) -> list[Candidate]:
    """``count`` candidates from their fields' values, given field by field in field order.

    The same objects as calling :class:`Candidate` on each row, for about two thirds of the
    time: the engine makes hundreds of thousands of candidates from values it already holds
    as they should be, and the class has no validators, converters or hooks to run (a test
    holds it to that), so each field's slot is set for all of them in one C-level pass,
    without a Python ``__init__`` call per candidate.
    """
    made = list(map(object.__new__, itertools.repeat(Candidate, count)))
    for name, values in zip(attrs.fields_dict(Candidate), fields, strict=True):
        slot = Candidate.__dict__[name]  # the slot's descriptor: sets it past the frozen class
        collections.deque(map(slot.__set__, made, values), maxlen=0)
    return made


class Scene:
    """What a rule may consult besides the two events: the statements around them.

    Built once per :func:`propose` call. Only statements that name a retaliation are kept,
    filed under each name they carry (party, speaker, actors) in time order.
    """

    def __init__(self, events: Iterable[Event] = ()) -> None:
        self._by_name: dict[str, list[dt.timedelta]] = {}
        self._covered: dict[int, dict[str, tuple[list[dt.timedelta], list[dt.timedelta]]]] = {}
        given = list(events)
        starts = list(map(offset, map(_STARTED, given)))
        order = sorted(range(len(given)), key=starts.__getitem__)  # stable: ties keep their place
        self._add(map(starts.__getitem__, order), map(given.__getitem__, order))

    @classmethod
    def _of_sorted(cls, starts: list[dt.timedelta], statements: list[Event]) -> Scene:
        """A scene from statements in time order, their :func:`offset` starts beside them.

        The texts are searched in one C-level pass first: most statements name nothing.
        """
        named = list(map(RETALIATION_WORDS.search, map(_TEXT, statements)))
        scene = cls()
        scene._add(itertools.compress(starts, named), itertools.compress(statements, named))
        return scene

    def _add(self, starts: Iterable[dt.timedelta], events: Iterable[Event]) -> None:
        for start, event in zip(starts, events, strict=True):
            if isinstance(event, Statement) and RETALIATION_WORDS.search(event.text):
                for name in {event.party, event.speaker, *event.actors} - {None}:
                    self._by_name.setdefault(name, []).append(start)  # type: ignore[arg-type]  # None was taken out
        self._covered.clear()

    def retaliation_named(
        self, effect: Event, party: str | None, *, within: int = _TWO_DAYS_MICROS
    ) -> bool:
        """Whether a statement by ``party`` (or the effect's own summary) names a retaliation.

        Statements count from ``within`` microseconds before the effect's start to ``within``
        after it.
        """
        summary = effect.summary
        if summary and RETALIATION_WORDS.search(summary):
            return True
        covered = self._covered.get(within)
        if covered is None:
            covered = self._covered[within] = self._cover(within)
        found = covered.get(party)  # type: ignore[arg-type]  # None is never a name: not found
        if found is None:
            return False
        lows, highs = found
        start = _since(effect.occurred_at, EPOCH)  # offset(), without the call
        i = bisect.bisect_right(lows, start)  # the last stretch beginning at or before it
        return i > 0 and start <= highs[i - 1]

    def _cover(self, within: int) -> dict[str, tuple[list[dt.timedelta], list[dt.timedelta]]]:
        """The stretches of time each name's statements cover, ``within`` either side of each.

        Overlapping stretches are merged, so that they are apart and in order: an instant is
        within ``within`` of a statement if and only if it lies in the last stretch beginning
        at or before it (one binary search in a list that is often far shorter than the
        statements').
        """
        span = _TWO_DAYS if within == _TWO_DAYS_MICROS else dt.timedelta(microseconds=within)
        covered = {}
        for name, starts in self._by_name.items():
            lows: list[dt.timedelta] = []
            highs: list[dt.timedelta] = []
            if span >= dt.timedelta(0):  # a negative span covers nothing
                for start in starts:  # in time order, so each stretch ends after the last
                    if highs and start - span <= highs[-1]:
                        highs[-1] = start + span
                    else:
                        lows.append(start - span)
                        highs.append(start + span)
            covered[name] = (lows, highs)
        return covered


@attrs.frozen(kw_only=True)
class Rule(abc.ABC):
    """A rule proposing links from events of some types to later events of others.

    Subclass it and implement :meth:`features`; give ``causes`` and ``effects`` (event types),
    a ``window`` and a ``relation``. A subclass may file causes under keys
    (:meth:`cause_keys`) and look only under some keys for each effect (:meth:`effect_keys`),
    so that each effect meets only the causes that could fit it.

    The score is ``base + nearness × time weight + the weights of the features that hold``
    (at most 1), where nearness falls from 1 (no gap) to 0 (a gap of the whole window).

    Attributes:
        name: the rule's name, recorded on the links it proposes.
        relation: the relation it proposes.
        window: how long after a cause's start an effect may start.
        per_effect: at most this many candidates per effect, the nearest in time.
        base: the score every candidate starts from.
        time_weight: how much nearness in time adds.
        weights: how much each feature adds when it holds (is true or a positive number).
    """

    causes: ClassVar[tuple[type[Event], ...]] = ()
    effects: ClassVar[tuple[type[Event], ...]] = ()

    name: str
    relation: str
    window: dt.timedelta
    per_effect: int = 1
    base: float = 0.2
    time_weight: float = 0.3
    weights: Mapping[str, float] = attrs.field(factory=dict)

    def cause_keys(self, cause: Event) -> Iterable[Hashable]:  # noqa: ARG002  # overridden by rules that file causes
        """The keys a cause is filed under (by default one key for all)."""
        return (None,)

    def effect_keys(self, effect: Event) -> Iterable[Hashable]:  # noqa: ARG002  # same
        """The keys under which causes of this effect are looked for."""
        return (None,)

    @abc.abstractmethod
    def features(self, cause: Event, effect: Event, scene: Scene) -> dict[str, Feature] | None:
        """What speaks for the link, or ``None`` if the pair does not fit the rule at all."""

    def score(self, gap: int, features: Mapping[str, Feature]) -> float:
        """The score for a gap (microseconds, start to start) and the features."""
        return _scoring(self)(gap, features)


def _scoring(rule: Rule) -> Callable[[int, Mapping[str, Feature]], float]:
    """:meth:`Rule.score` with the rule's settings read once (the engine scores many pairs)."""
    width = rule.window.total_seconds() * 1_000_000
    base, time_weight = rule.base, rule.time_weight
    weights = tuple(rule.weights.items())

    def score(gap: int, features: Mapping[str, Feature]) -> float:
        nearness = (1.0 - gap / width if gap > 0 else 1.0) if width else 1.0
        total = base + time_weight * nearness
        for name, weight in weights:
            if features.get(name):
                total += weight
        if total > 1.0:
            total = 1.0
        elif total < 0.0:  # as max(total, 0.0), without the call: -0.0 and nan stay as they are
            total = 0.0
        return round(total, 6)

    return score


#: What is no name in a set of names.
_NO_NAME: Final = frozenset({None, ""})


@attrs.frozen(kw_only=True)
class BarrageAfterStrike(Rule):
    """A barrage by a party within 48 h of a strike (or barrage) on that party: retaliation.

    Features: ``answering`` (the strike named the barrage's attacker as its target; a strike
    with no stated target is considered too, without it), ``statement`` (the attacker, or the
    barrage's report, names a retaliation), ``shared_actors``.
    """

    causes: ClassVar[tuple[type[Event], ...]] = (Strike, DroneBarrage, MissileStrike)
    effects: ClassVar[tuple[type[Event], ...]] = (DroneBarrage, MissileStrike)

    name: str = "barrage-after-strike"
    relation: str = Relation.RETALIATION.value
    window: dt.timedelta = dt.timedelta(hours=48)
    base: float = 0.1
    time_weight: float = 0.3
    weights: Mapping[str, float] = attrs.field(factory=lambda: {"answering": 0.3, "statement": 0.3})

    def cause_keys(self, cause: Event) -> Iterable[Hashable]:
        """Filed under the party it targeted."""
        if isinstance(cause, Strike):  # _target(), inlined: called once per cause
            return (cause.target_party,)
        return (cause.target if isinstance(cause, Attack) else None,)

    def effect_keys(self, effect: Event) -> Iterable[Hashable]:
        """Strikes on the attacker, and strikes on no stated target."""
        attacker = effect.attacker if isinstance(effect, (Attack, Strike)) else None
        return () if attacker is None else (attacker, None)

    def features(self, cause: Event, effect: Event, scene: Scene) -> dict[str, Feature] | None:
        """Refuses strikes by the barrage's own side."""
        if not (isinstance(effect, Attack) and isinstance(cause, (Attack, Strike))):
            return None
        attacker, striker = effect.attacker, cause.attacker
        if striker is None or striker == attacker:
            return None
        actors = cause.actors
        return {
            "answering": (cause.target_party if isinstance(cause, Strike) else cause.target)
            == attacker,
            "statement": scene.retaliation_named(effect, attacker),
            "shared_actors": (  # the one-actor case (most strikes) without making a set
                (1 if actors[0] in effect.actors else 0)
                if len(actors) == 1
                else len(set(actors).intersection(effect.actors))
            ),
        }


@attrs.frozen(kw_only=True)
class TalksAfterCeasefireDemand(Rule):
    """Talks proposed by the party a ceasefire demand was addressed to, within 7 days.

    Features: ``answering`` (the proposer, or one of its actors, is the addressee),
    ``shared_actors`` (parties of the demand among the parties to the talks).
    """

    causes: ClassVar[tuple[type[Event], ...]] = (CeasefireDemanded,)
    effects: ClassVar[tuple[type[Event], ...]] = (TalksProposed,)

    name: str = "talks-after-ceasefire-demand"
    relation: str = Relation.RESPONSE.value
    window: dt.timedelta = dt.timedelta(days=7)
    weights: Mapping[str, float] = attrs.field(
        factory=lambda: {"answering": 0.3, "shared_actors": 0.2}
    )

    def features(self, cause: Event, effect: Event, scene: Scene) -> dict[str, Feature] | None:  # noqa: ARG002  # the rule interface
        """Needs the demand and the proposal to share a party."""
        if not (isinstance(cause, CeasefireDemanded) and isinstance(effect, TalksProposed)):
            return None
        proposers = {effect.proposed_by, *effect.actors} - _NO_NAME
        shared = {cause.party, cause.addressed_to, *cause.actors} & {*effect.parties, *proposers}
        shared -= _NO_NAME
        if not shared:
            return None
        return {
            "answering": cause.addressed_to in proposers,
            "shared_actors": len(shared),
        }


@attrs.frozen(kw_only=True)
class ExchangeAgreedAtTalks(Rule):
    """A prisoner exchange agreed within 3 days of a talk round between the same parties.

    Features: ``reference`` (the agreement names the round), ``shared_actors`` (parties of the
    exchange at the talks). An agreement naming another round is not proposed.
    """

    causes: ClassVar[tuple[type[Event], ...]] = (TalkRoundHeld,)
    effects: ClassVar[tuple[type[Event], ...]] = (PrisonerExchangeAgreed,)

    name: str = "exchange-agreed-at-talks"
    relation: str = Relation.OUTCOME.value
    window: dt.timedelta = dt.timedelta(days=3)
    weights: Mapping[str, float] = attrs.field(
        factory=lambda: {"reference": 0.4, "shared_actors": 0.1}
    )

    def features(self, cause: Event, effect: Event, scene: Scene) -> dict[str, Feature] | None:  # noqa: ARG002  # the rule interface
        """Needs a party of the exchange at the talks."""
        if not (isinstance(cause, TalkRoundHeld) and isinstance(effect, PrisonerExchangeAgreed)):
            return None
        named = effect.talks is not None
        if named and effect.talks != cause.event_id:
            return None
        shared = set(map(_PARTY, effect.released)).intersection(cause.parties)
        if not shared:
            return None
        return {"reference": named, "shared_actors": len(shared)}


@attrs.frozen(kw_only=True)
class ExchangeCarriedOut(Rule):
    """A stage of a prisoner exchange carried out within 30 days of an agreed exchange.

    Features: ``reference`` (the stage names the agreement), ``shared_actors`` (the parties
    releasing), ``within_agreed`` (no party releases more than agreed). A stage naming another
    agreement is not proposed.
    """

    causes: ClassVar[tuple[type[Event], ...]] = (PrisonerExchangeAgreed,)
    effects: ClassVar[tuple[type[Event], ...]] = (PrisonerExchangeCarriedOut,)

    name: str = "exchange-carried-out"
    relation: str = Relation.PRECONDITION.value
    window: dt.timedelta = dt.timedelta(days=30)
    time_weight: float = 0.1
    weights: Mapping[str, float] = attrs.field(
        factory=lambda: {"reference": 0.4, "shared_actors": 0.1, "within_agreed": 0.2}
    )

    def features(self, cause: Event, effect: Event, scene: Scene) -> dict[str, Feature] | None:  # noqa: ARG002  # the rule interface
        """Needs the same parties on both sides."""
        if not (
            isinstance(cause, PrisonerExchangeAgreed)
            and isinstance(effect, PrisonerExchangeCarriedOut)
        ):
            return None
        named = effect.agreement is not None
        if named and effect.agreement != cause.event_id:
            return None
        agreed = dict(map(_PARTY_AND_COUNT, cause.released))
        released = dict(map(_PARTY_AND_COUNT, effect.released))
        if not released.keys() <= agreed.keys():
            return None
        within = True
        for party, count in released.items():
            if count > agreed[party]:
                within = False
                break
        return {"reference": named, "shared_actors": len(released), "within_agreed": within}


@attrs.frozen(kw_only=True)
class ProposalReceived(Rule):
    """A party confirms receipt of the other side's proposal within 14 days of it being tabled.

    Features: ``reference`` (the receipt names the proposal), ``answering`` (the receiver is
    the party the proposal was addressed to).
    """

    causes: ClassVar[tuple[type[Event], ...]] = (ProposalTabled,)
    effects: ClassVar[tuple[type[Event], ...]] = (DocumentReceived,)

    name: str = "proposal-received"
    relation: str = Relation.RESPONSE.value
    window: dt.timedelta = dt.timedelta(days=14)
    weights: Mapping[str, float] = attrs.field(factory=lambda: {"reference": 0.3, "answering": 0.2})

    def cause_keys(self, cause: Event) -> Iterable[Hashable]:
        """Filed under the party that tabled it."""
        return (cause.party,) if isinstance(cause, ProposalTabled) else ()

    def effect_keys(self, effect: Event) -> Iterable[Hashable]:
        """Proposals by the party the document came from."""
        return (effect.from_party,) if isinstance(effect, DocumentReceived) else ()

    def features(self, cause: Event, effect: Event, scene: Scene) -> dict[str, Feature] | None:  # noqa: ARG002  # the rule interface
        """A receipt naming another document is not proposed."""
        if not (isinstance(cause, ProposalTabled) and isinstance(effect, DocumentReceived)):
            return None
        named = effect.document is not None
        if named and effect.document != cause.event_id:
            return None
        return {
            "reference": named,
            "answering": cause.to_party == effect.party,
        }


@attrs.frozen(kw_only=True)
class AnswerPromised(Rule):
    """The receiver of a document promises an answer within 7 days of receiving it.

    Features: ``reference`` (the promise is about the received document), ``answering`` (it
    is promised to the party the document came from).
    """

    causes: ClassVar[tuple[type[Event], ...]] = (DocumentReceived,)
    effects: ClassVar[tuple[type[Event], ...]] = (ResponsePromised,)

    name: str = "answer-promised"
    relation: str = Relation.RESPONSE.value
    window: dt.timedelta = dt.timedelta(days=7)
    weights: Mapping[str, float] = attrs.field(factory=lambda: {"reference": 0.3, "answering": 0.2})

    def cause_keys(self, cause: Event) -> Iterable[Hashable]:
        """Filed under the receiving party."""
        return (cause.party,) if isinstance(cause, DocumentReceived) else ()

    def effect_keys(self, effect: Event) -> Iterable[Hashable]:
        """Receipts by the party promising the answer."""
        return (effect.party,) if isinstance(effect, ResponsePromised) else ()

    def features(self, cause: Event, effect: Event, scene: Scene) -> dict[str, Feature] | None:  # noqa: ARG002  # the rule interface
        """A promise about something else than the document (or the receipt) is not proposed."""
        if not (isinstance(cause, DocumentReceived) and isinstance(effect, ResponsePromised)):
            return None
        regarding = effect.regarding
        reference = regarding is not None and (
            regarding == cause.event_id
            or (cause.document is not None and regarding == cause.document)
        )
        if regarding is not None and not reference:
            return None
        return {
            "reference": reference,
            "answering": effect.to_party == cause.from_party,
        }


def default_rules() -> tuple[Rule, ...]:
    """The rules that ship, with their default windows and weights (new objects each call)."""
    return (
        BarrageAfterStrike(),
        TalksAfterCeasefireDemand(),
        ExchangeAgreedAtTalks(),
        ExchangeCarriedOut(),
        ProposalReceived(),
        AnswerPromised(),
    )


# -- the engine ----------------------------------------------------------------------------------


class _Table:
    """The events of the rules' types (and the statements), in time order, per set of types.

    The input is read in bulk: the events of the wanted types are kept in two C-level passes
    over it (causal links are skipped, whatever their number), then filed by type. Each set
    of types asked for (:meth:`of`) is put in time order once, with its starts as
    :func:`~timeline.causal.timing.offset` (exact, and cheap to compare and bisect).
    """

    def __init__(self, events: Iterable[Event], types: set[type[Event]]) -> None:
        given = events if isinstance(events, list | tuple) else list(events)
        wanted = frozenset(
            kind
            for kind in _kinds_of(Event)
            if issubclass(kind, Statement)
            or (not issubclass(kind, CausalLink) and any(issubclass(kind, t) for t in types))
        )
        kept = list(itertools.compress(given, map(wanted.__contains__, map(type, given))))
        kinds: list[type[Event]] = list(map(type, kept))
        places: dict[type[Event], list[int]] = {kind: [] for kind in set(kinds)}
        file = {kind: found.append for kind, found in places.items()}
        collections.deque(  # each event's place goes on its type's list
            map(operator.call, map(file.__getitem__, kinds), itertools.count()), maxlen=0
        )
        self._given = kept
        self._places = places
        self._sorted: dict[frozenset[type[Event]], tuple[list[dt.timedelta], list[Event]]] = {}

    def of(self, types: Sequence[type[Event]]) -> tuple[list[dt.timedelta], list[Event]]:
        """The events of these types (subclasses included) in time order, and their starts.

        Events that start at the same instant keep their order in the input.
        """
        kinds = frozenset(k for k in self._places if any(issubclass(k, t) for t in types))
        found = self._sorted.get(kinds)
        if found is None:
            wider = next((kept for held, kept in self._sorted.items() if kinds < held), None)
            found = self._sorted[kinds] = (
                self._sorted_of(kinds) if wider is None else _among(kinds, *wider)
            )
        return found

    def _sorted_of(self, kinds: frozenset[type[Event]]) -> tuple[list[dt.timedelta], list[Event]]:
        """The events of these types, gathered from the input and put in time order."""
        lists = [self._places[kind] for kind in kinds]
        places = lists[0] if len(lists) == 1 else sorted(itertools.chain(*lists))
        events = list(map(self._given.__getitem__, places))
        starts = list(map(_since, map(_STARTED, events), itertools.repeat(EPOCH)))  # offset()
        if not all(map(operator.le, starts, itertools.islice(starts, 1, None))):
            order = sorted(range(len(starts)), key=starts.__getitem__)  # stable
            events = list(map(events.__getitem__, order))
            starts = list(map(starts.__getitem__, order))
        return starts, events


def _kinds_of(kind: type[Event]) -> set[type[Event]]:
    """The class and every class derived from it, however far down."""
    found = {kind}
    for sub in kind.__subclasses__():
        found |= _kinds_of(sub)
    return found


def _among(
    kinds: frozenset[type[Event]], starts: list[dt.timedelta], events: list[Event]
) -> tuple[list[dt.timedelta], list[Event]]:
    """The events of these types among events of more types already in time order.

    Taken out in the order they are in, which is their own time order with ties in input
    order, as :meth:`_Table._sorted_of` would give: about half its cost (a rule's effects are
    often some of its causes' types, the barrages among the strikes and barrages), as no event
    is looked up or timed again.
    """
    mine = list(map(kinds.__contains__, map(type, events)))
    return list(itertools.compress(starts, mine)), list(itertools.compress(events, mine))


def propose(rules: Iterable[Rule], events: Iterable[Event]) -> list[Candidate]:
    """Every candidate link the rules propose among the events.

    Causal links among the events are ignored (pass them or not): candidates are proposed
    from the events of the world alone. Candidates come rule by rule, each rule's in the
    order of its effects in time.

    Args:
        rules: the rules (e.g. :func:`default_rules`).
        events: the events, in any order.

    Raises:
        InvalidEvent: a rule whose ``window`` is negative or whose ``per_effect`` is below 1.
    """
    rules = tuple(rules)
    for rule in rules:
        if rule.window < dt.timedelta(0) or rule.per_effect < 1:
            raise InvalidEvent(
                f"rule {rule.name!r} needs a window ≥ 0 and per_effect ≥ 1, got "
                f"{rule.window!r} and {rule.per_effect!r}",
                field="rule",
                value=rule,
            )
    with paused():
        table = _Table(events, {t for rule in rules for t in (*rule.causes, *rule.effects)})
        scene = Scene._of_sorted(*table.of((Statement,)))  # noqa: SLF001  # the engine builds its own scene
        found: list[Candidate] = []
        for rule in rules:
            found.extend(_candidates(rule, table, scene))
        del table, scene  # before the collector runs again: it need not walk their lists
    return found


Pick = tuple[dt.timedelta, Event, Event, dict[str, Feature]]  # (gap, cause, effect, features)

#: Above this many distinct key tuples, the engine files and searches one event at a time.
_FEW_KEYS: Final = 16


def _candidates(rule: Rule, table: _Table, scene: Scene) -> list[Candidate]:
    """The rule's candidates, effect by effect in time order.

    For each effect and each of its keys, the causes filed under the key whose start lies in
    ``[effect start - window, latest(effect)]`` are tried latest first, and the first
    ``per_effect`` that :meth:`Rule.features` accepts are kept (the nearest of them, if
    several keys found some). Most effects take the first cause they try: that first try is
    made for all effects at once (:func:`_first_tries`), and only the effects it does not
    settle are searched one by one (:func:`_search`), with the same result.
    """
    if not table.of(rule.causes)[1]:  # (the causes first: the effects are often among them)
        return []
    starts, effects = table.of(rule.effects)
    keys_of: list[Iterable[Hashable]] = (
        list(map(rule.effect_keys, effects))
        if type(rule).effect_keys is not Rule.effect_keys
        else [(None,)] * len(effects)
    )
    groups = _grouped(keys_of) if rule.per_effect == 1 else None
    # With the effects' keys known, causes are filed only under the keys some effect asks for.
    index = _filed(rule, table, None if groups is None else set().union(*groups))
    if not index:
        return []
    latests = list(map(latest_offset, effects, starts))
    picks = _Picks()
    if groups is None:
        unsettled: Iterable[int] = range(len(effects))
    else:
        unsettled = []
        for keys, positions in groups.items():
            present = [key for key in keys if key in index]
            if len(present) == 1:
                unsettled += _first_tries(
                    rule,
                    index[present[0]],
                    positions,
                    starts=starts,
                    latests=latests,
                    effects=effects,
                    scene=scene,
                    picks=picks,
                )
            elif present:
                unsettled += positions
    for place in unsettled:
        found = _search(
            rule,
            index,
            start=starts[place],
            latest=latests[place],
            effect=effects[place],
            keys=keys_of[place],
            scene=scene,
        )
        picks.places += itertools.repeat(place, len(found))
        for gap, cause, effect, features in found:
            picks.gaps.append(gap)
            picks.causes.append(cause)
            picks.effects.append(effect)
            picks.features.append(features)
    if not picks.places:
        return []
    picks.in_order()
    # The rest in bulk, candidate by candidate in C: the gaps in microseconds, the gap_hours
    # feature, the scores, the candidates.
    micros = list(map(operator.floordiv, picks.gaps, itertools.repeat(_MICROSECOND)))
    collections.deque(
        map(
            operator.setitem,
            picks.features,
            itertools.repeat("gap_hours"),
            map(operator.truediv, micros, itertools.repeat(_HOUR)),
        ),
        maxlen=0,
    )
    score = rule.score if type(rule).score is not Rule.score else _scoring(rule)
    return _made_candidates(
        len(micros),
        picks.causes,
        picks.effects,
        itertools.repeat(rule.relation),
        map(score, micros, picks.features),
        itertools.repeat(rule.name),
        picks.features,
    )


class _Picks:
    """The causes picked for a rule's effects, as parallel lists (no tuple per pick)."""

    def __init__(self) -> None:
        self.places: list[int] = []  # the effect's place in the rule's effects
        self.gaps: list[dt.timedelta] = []
        self.causes: list[Event] = []
        self.effects: list[Event] = []
        self.features: list[dict[str, Feature]] = []

    def in_order(self) -> None:
        """Put the picks in the order of their effects (stable: an effect's keep theirs)."""
        places = self.places
        if all(map(operator.le, places, itertools.islice(places, 1, None))):
            return
        order = sorted(range(len(places)), key=places.__getitem__)
        for name in ("places", "gaps", "causes", "effects", "features"):
            items = getattr(self, name)
            setattr(self, name, list(map(items.__getitem__, order)))


def _grouped(
    keys_of: Sequence[Iterable[Hashable]], wanted: set[Hashable] | None = None
) -> dict[tuple[Hashable, ...], list[int]] | None:
    """The positions of the events with each tuple of keys, or ``None`` if that is no help.

    ``None`` when the keys are not all tuples, or when there are more than a few distinct
    tuples (then the events are better handled one by one). If ``wanted`` keys are given, the
    tuples holding none of them are left out.
    """
    if not keys_of or set(map(type, keys_of)) != {tuple}:
        return None
    tuples = cast("Sequence[tuple[Hashable, ...]]", keys_of)  # checked just above
    distinct = dict.fromkeys(tuples)
    if len(distinct) > _FEW_KEYS:
        return None
    kept = [keys for keys in distinct if wanted is None or not wanted.isdisjoint(keys)]
    if len(distinct) == 1:
        return {keys: list(range(len(tuples))) for keys in kept}
    return {
        keys: list(
            itertools.compress(range(len(tuples)), map(operator.eq, tuples, itertools.repeat(keys)))
        )
        for keys in kept
    }


def _first_tries(
    rule: Rule,
    entry: tuple[list[dt.timedelta], list[Event]],
    positions: list[int],
    *,
    starts: list[dt.timedelta],
    latests: list[dt.timedelta],
    effects: list[Event],
    scene: Scene,
    picks: _Picks,
) -> list[int]:
    """Try, for all these effects at once, the latest cause in each one's window.

    For a rule taking one cause per effect, whose effects at ``positions`` look under one
    key only (``entry``, its causes' starts and the causes). The effects whose first try the
    rule accepts get it in ``picks``; those with an empty window get nothing. Returns the
    others (the cause tried was the effect itself, or the rule refused it), to be searched one
    by one.
    """
    cause_starts, causes = entry
    width = min(rule.window, _WHOLE_RANGE)
    if len(positions) == len(effects):  # all of them, in order (distinct, ascending)
        my_starts, my_latests, my_effects = starts, latests, effects
    else:
        my_starts = list(map(starts.__getitem__, positions))
        my_latests = list(map(latests.__getitem__, positions))
        my_effects = list(map(effects.__getitem__, positions))
    highs = list(map(bisect.bisect_right, itertools.repeat(cause_starts), my_latests))
    # The latest cause not after an effect's latest instant is cause ``high - 1``: the window
    # holds a cause iff that one starts at most ``width`` before the effect (no second bisect).
    # With a placeholder in front, ``high`` indexes it directly, and 0 (no cause) never fits.
    before = [_NEVER, *cause_starts]
    lows = map(operator.sub, my_starts, itertools.repeat(width))
    open_ = list(map(operator.ge, map(before.__getitem__, highs), lows))  # a cause in the window
    # From here on, the effects with a cause in their window only (compress: no index lookups).
    places = positions_open = list(itertools.compress(positions, open_))
    my_starts = list(itertools.compress(my_starts, open_))
    my_effects = list(itertools.compress(my_effects, open_))
    tried = list(map(operator.sub, itertools.compress(highs, open_), itertools.repeat(1)))
    my_causes = list(map(causes.__getitem__, tried))
    other = list(map(operator.is_not, my_causes, my_effects))  # never an effect and itself
    if not all(other):
        places, tried, my_causes, my_effects, my_starts = (
            list(itertools.compress(items, other))
            for items in (places, tried, my_causes, my_effects, my_starts)
        )
    features = list(map(rule.features, my_causes, my_effects, itertools.repeat(scene)))
    settled = list(map(operator.is_not, features, itertools.repeat(None)))
    if not all(settled):
        tried, my_causes, my_effects, features, my_starts = (
            list(itertools.compress(items, settled))
            for items in (tried, my_causes, my_effects, features, my_starts)
        )
    picks.places += itertools.compress(places, settled)
    picks.gaps += map(operator.sub, my_starts, map(cause_starts.__getitem__, tried))
    picks.causes += my_causes
    picks.effects += my_effects
    picks.features += features  # type: ignore[arg-type]  # the refused (None) were taken out
    unsettled = list(itertools.compress(places, map(operator.not_, settled)))
    if not all(other):
        unsettled += itertools.compress(positions_open, map(operator.not_, other))
    return unsettled


def _search(
    rule: Rule,
    index: dict[Hashable, tuple[list[dt.timedelta], list[Event]]],
    *,
    start: dt.timedelta,
    latest: dt.timedelta,
    effect: Event,
    keys: Iterable[Hashable],
    scene: Scene,
) -> list[Pick]:
    """One effect's picks, searched cause by cause (the reference for :func:`_first_tries`)."""
    limit = rule.per_effect
    picked: list[Pick] = []
    searched = 0
    for key in keys:
        entry = index.get(key)
        if entry is None:
            continue
        searched += 1
        cause_starts, causes = entry
        low = bisect.bisect_left(cause_starts, start - min(rule.window, _WHOLE_RANGE))
        taken = 0
        for i in range(bisect.bisect_right(cause_starts, latest) - 1, low - 1, -1):
            cause = causes[i]
            if cause is effect:
                continue
            features = rule.features(cause, effect, scene)
            if features is not None:
                picked.append((start - cause_starts[i], cause, effect, features))
                taken += 1
                if taken >= limit:
                    break
    return _nearest(picked, limit) if searched > 1 and picked else picked


def _filed(
    rule: Rule, table: _Table, wanted: set[Hashable] | None = None
) -> dict[Hashable, tuple[list[dt.timedelta], list[Event]]]:
    """The rule's causes under their keys, each key's in time order (starts beside them).

    Under the ``wanted`` keys only, if given: the others are never looked under.
    """
    starts, causes = table.of(rule.causes)
    if not causes:
        return {}
    if type(rule).cause_keys is Rule.cause_keys:
        return {None: (starts, causes)}
    keys_of = list(map(rule.cause_keys, causes))
    groups = _grouped(keys_of, wanted)
    if groups is None:  # many tuples of keys: one cause at a time
        return _filed_one_by_one(starts, causes, keys_of)
    # A few tuples of keys: each key's causes taken out in bulk.
    filed: dict[Hashable, list[list[int]]] = {}
    for keys, positions in groups.items():
        for key in keys:
            if wanted is None or key in wanted:
                filed.setdefault(key, []).append(positions)
    index = {}
    for key, lists in filed.items():
        # in time order; a cause filed twice under one key (a repeated key) stays twice
        places = lists[0] if len(lists) == 1 else sorted(itertools.chain(*lists))
        index[key] = (list(map(starts.__getitem__, places)), list(map(causes.__getitem__, places)))
    return index


def _filed_one_by_one(
    starts: list[dt.timedelta], causes: list[Event], keys_of: list[Iterable[Hashable]]
) -> dict[Hashable, tuple[list[dt.timedelta], list[Event]]]:
    """:func:`_filed` for causes with many different tuples of keys."""
    index: dict[Hashable, tuple[list[dt.timedelta], list[Event]]] = {}
    for start, cause, cause_keys in zip(starts, causes, keys_of, strict=True):
        for key in cause_keys:
            entry = index.get(key)
            if entry is None:
                entry = index[key] = ([], [])
            entry[0].append(start)
            entry[1].append(cause)
    return index


def _nearest(
    picked: list[tuple[dt.timedelta, Event, Event, dict[str, Feature]]], limit: int
) -> list[tuple[dt.timedelta, Event, Event, dict[str, Feature]]]:
    """The ``limit`` nearest (latest-starting) distinct causes found under several keys."""
    picked.sort(key=lambda p: p[0])
    seen: set[int] = set()
    kept = []
    for item in picked:
        if id(item[1]) not in seen:
            seen.add(id(item[1]))
            kept.append(item)
    return kept[:limit]
