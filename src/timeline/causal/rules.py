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
most ``per_effect`` of them (the latest-starting first). The window's upper end is the
effect's latest possible instant (:func:`~timeline.causal.timing.latest`), so a rule never
proposes a cause after its effect: every candidate is a link the log's guard accepts (cycles
aside: a rule proposes each link on its own).

This module says what each rule looks for; :mod:`timeline.causal.candidates` what a rule is
(:class:`Rule`, :class:`Candidate`, :class:`Scene`). The search itself is
:mod:`timeline.causal._search`: a plain loop over the events in time order, the reference,
and the engine :func:`propose` runs, which finds exactly the same candidates in bulk.

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

import datetime as dt
import operator
from collections.abc import Hashable, Iterable, Mapping
from typing import ClassVar, Final

import attrs

from timeline.causal import _search
from timeline.causal.candidates import RETALIATION_WORDS, Candidate, Feature, Rule, Scene
from timeline.errors import InvalidArgument
from timeline.events import (
    Attack,
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
    Strike,
    TalkRoundHeld,
    TalksProposed,
)

__all__ = [
    "RETALIATION_WORDS",
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

_PARTY: Final = operator.attrgetter("party")
_PARTY_AND_COUNT: Final = operator.attrgetter("party", "count")  # released prisoners, as pairs

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

    cause_key: ClassVar[str | None] = "party"  # filed under the party that tabled it
    effect_key: ClassVar[str | None] = "from_party"  # looked up by whom the document came from

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

    cause_key: ClassVar[str | None] = "party"  # filed under the receiving party
    effect_key: ClassVar[str | None] = "party"  # looked up by the party promising the answer

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


def propose(rules: Iterable[Rule], events: Iterable[Event]) -> list[Candidate]:
    """Every candidate link the rules propose among the events.

    Causal links among the events are ignored (pass them or not): candidates are proposed
    from the events of the world alone. Candidates come rule by rule, each rule's in the
    order of its effects in time (:func:`timeline.causal._search.search_plainly` says
    exactly which, one effect at a time).

    Args:
        rules: the rules (e.g. :func:`default_rules`).
        events: the events, in any order.

    Raises:
        InvalidArgument: a rule whose ``window`` is negative or whose ``per_effect`` is below 1.
    """
    rules = tuple(rules)
    for rule in rules:
        if rule.window < dt.timedelta(0) or rule.per_effect < 1:
            raise InvalidArgument(
                f"rule {rule.name!r} needs a window ≥ 0 and per_effect ≥ 1, got "
                f"{rule.window!r} and {rule.per_effect!r}",
                argument="rules",
                value=rule,
            )
    return _search.search(rules, events)
