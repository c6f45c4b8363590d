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
import datetime as dt
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Final

import attrs

from timeline.causal._collector import paused
from timeline.causal.timing import latest_micros, micros
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


class Scene:
    """What a rule may consult besides the two events: the statements around them.

    Built once per :func:`propose` call. Only statements that name a retaliation are kept,
    filed under each name they carry (party, speaker, actors) in time order.
    """

    def __init__(self, events: Iterable[Event] = ()) -> None:
        self._by_name: dict[str, list[int]] = {}
        self._focus: tuple[Event | None, int] = (None, 0)  # the effect being looked at, its start
        self._add(sorted((micros(e.occurred_at), i, e) for i, e in enumerate(events)))

    @classmethod
    def of_sorted(cls, statements: Iterable[tuple[int, int, Event]]) -> Scene:
        """A scene from ``(start, place, event)`` triples already in time order."""
        scene = cls()
        scene._add(statements)
        return scene

    def _add(self, items: Iterable[tuple[int, int, Event]]) -> None:
        for start, _, event in items:
            if isinstance(event, Statement) and RETALIATION_WORDS.search(event.text):
                for name in {event.party, event.speaker, *event.actors} - {None}:
                    self._by_name.setdefault(name, []).append(start)  # type: ignore[arg-type]  # None was taken out

    def retaliation_named(
        self, effect: Event, party: str | None, *, within: int = 48 * _HOUR
    ) -> bool:
        """Whether a statement by ``party`` (or the effect's own summary) names a retaliation.

        Statements count from ``within`` microseconds before the effect's start to ``within``
        after it.
        """
        if effect.summary and RETALIATION_WORDS.search(effect.summary):
            return True
        starts = None if party is None else self._by_name.get(party)
        if not starts:
            return False
        focus, start = self._focus
        if focus is not effect:
            start = micros(effect.occurred_at)
        i = bisect.bisect_left(starts, start - within)
        return i < len(starts) and starts[i] <= start + within


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
        width = self.window.total_seconds() * 1_000_000
        nearness = (1.0 - gap / width if gap > 0 else 1.0) if width else 1.0
        total = self.base + self.time_weight * nearness
        for name, weight in self.weights.items():
            if features.get(name):
                total += weight
        return round(1.0 if total > 1.0 else max(total, 0.0), 6)


def _names(*groups: Iterable[str | None]) -> set[str]:
    return {name for group in groups for name in group if name}


def _attacker(event: Event) -> str | None:
    return event.attacker if isinstance(event, (Attack, Strike)) else None


def _target(event: Event) -> str | None:
    if isinstance(event, Attack):
        return event.target
    if isinstance(event, Strike):
        return event.target_party
    return None


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
        return (_target(cause),)

    def effect_keys(self, effect: Event) -> Iterable[Hashable]:
        """Strikes on the attacker, and strikes on no stated target."""
        attacker = _attacker(effect)
        return () if attacker is None else (attacker, None)

    def features(self, cause: Event, effect: Event, scene: Scene) -> dict[str, Feature] | None:
        """Refuses strikes by the barrage's own side."""
        if not (isinstance(effect, Attack) and isinstance(cause, (Attack, Strike))):
            return None
        attacker, striker = effect.attacker, cause.attacker
        if striker is None or striker == attacker:
            return None
        target = cause.target_party if isinstance(cause, Strike) else cause.target
        return {
            "answering": target == attacker,
            "statement": scene.retaliation_named(effect, attacker),
            "shared_actors": len(set(cause.actors).intersection(effect.actors)),
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
        proposers = _names([effect.proposed_by], effect.actors)
        shared = _names([cause.party, cause.addressed_to], cause.actors) & _names(
            effect.parties, proposers
        )
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
        if effect.talks is not None and effect.talks != cause.event_id:
            return None
        shared = {c.party for c in effect.released} & set(cause.parties)
        if not shared:
            return None
        return {"reference": effect.talks == cause.event_id, "shared_actors": len(shared)}


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
        if effect.agreement is not None and effect.agreement != cause.event_id:
            return None
        agreed = {c.party: c.count for c in cause.released}
        released = {c.party: c.count for c in effect.released}
        if not released.keys() <= agreed.keys():
            return None
        return {
            "reference": effect.agreement == cause.event_id,
            "shared_actors": len(released),
            "within_agreed": all(n <= agreed[p] for p, n in released.items()),
        }


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
        if effect.document is not None and effect.document != cause.event_id:
            return None
        return {
            "reference": effect.document == cause.event_id,
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
        about = {cause.event_id, cause.document} - {None}
        if effect.regarding is not None and effect.regarding not in about:
            return None
        return {
            "reference": effect.regarding in about,
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

Timed = tuple[int, int, Event]  # (start in microseconds, place in the input, event)


class _Table:
    """The events of the rules' types, grouped by type, each group in time order.

    One pass over the input: causal links are skipped, statements kept for the
    :class:`Scene`, starts computed once (latest instants only for effects, when needed).
    """

    def __init__(self, events: Iterable[Event], types: set[type[Event]]) -> None:
        groups: dict[type[Event], list[Timed]] = {}
        statements: list[Timed] = []
        roles: dict[type[Event], tuple[bool, bool]] = {}  # kind -> (wanted, a statement)
        for place, event in enumerate(events):
            kind = type(event)
            role = roles.get(kind)
            if role is None:
                role = roles[kind] = (
                    not issubclass(kind, CausalLink) and any(issubclass(kind, t) for t in types),
                    issubclass(kind, Statement),
                )
            wanted, statement = role
            if wanted or statement:
                item = (micros(event.occurred_at), place, event)
                if wanted:
                    groups.setdefault(kind, []).append(item)
                if statement:
                    statements.append(item)
        for items in groups.values():
            items.sort()
        statements.sort()
        self.groups = groups
        self.statements = statements

    def of(self, types: Sequence[type[Event]]) -> list[Timed]:
        """The events of these types (subclasses included), in time order."""
        lists = [
            items for kind, items in self.groups.items() if any(issubclass(kind, t) for t in types)
        ]
        if len(lists) == 1:
            return lists[0]
        return sorted(item for items in lists for item in items)


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
        scene = Scene.of_sorted(table.statements)
        found: list[Candidate] = []
        for rule in rules:
            found.extend(_candidates(rule, table, scene))
    return found


def _candidates(rule: Rule, table: _Table, scene: Scene) -> list[Candidate]:  # noqa: C901  # the hot loop stays in one function: a call per effect would cost a tenth more
    index = _filed(rule, table)
    if not index:
        return []
    width = rule.window // dt.timedelta(microseconds=1)
    limit = rule.per_effect
    relation, name, features_of, score = rule.relation, rule.name, rule.features, rule.score
    found: list[Candidate] = []
    for start, _, effect in table.of(rule.effects):
        scene._focus = (effect, start)  # noqa: SLF001  # the engine tells its own scene
        latest = latest_micros(effect, start)
        picked: list[tuple[int, Event, dict[str, Feature]]] = []
        searched = 0
        for key in rule.effect_keys(effect):
            entry = index.get(key)
            if entry is None:
                continue
            searched += 1
            starts, causes = entry
            low = bisect.bisect_left(starts, start - width)
            taken = 0
            for i in range(bisect.bisect_right(starts, latest) - 1, low - 1, -1):
                cause = causes[i]
                if cause is effect:
                    continue
                features = features_of(cause, effect, scene)
                if features is not None:
                    picked.append((start - starts[i], cause, features))
                    taken += 1
                    if taken >= limit:
                        break
        if searched > 1 and picked:
            picked = _nearest(picked, limit)
        for gap, cause, features in picked:
            features["gap_hours"] = gap / _HOUR
            found.append(Candidate(cause, effect, relation, score(gap, features), name, features))
    return found


def _filed(rule: Rule, table: _Table) -> dict[Hashable, tuple[list[int], list[Event]]]:
    """The rule's causes under their keys, each key's in time order (starts beside them)."""
    index: dict[Hashable, tuple[list[int], list[Event]]] = {}
    keys_of = rule.cause_keys
    for start, _, cause in table.of(rule.causes):
        for key in keys_of(cause):
            entry = index.get(key)
            if entry is None:
                entry = index[key] = ([], [])
            entry[0].append(start)
            entry[1].append(cause)
    return index


def _nearest(
    picked: list[tuple[int, Event, dict[str, Feature]]], limit: int
) -> list[tuple[int, Event, dict[str, Feature]]]:
    """The ``limit`` nearest (latest-starting) distinct causes found under several keys."""
    picked.sort(key=lambda p: p[0])
    seen: set[int] = set()
    kept = []
    for item in picked:
        if id(item[1]) not in seen:
            seen.add(id(item[1]))
            kept.append(item)
    return kept[:limit]
