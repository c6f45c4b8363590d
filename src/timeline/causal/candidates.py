"""What a rule is and what it proposes: :class:`Rule`, :class:`Candidate`, :class:`Scene`.

A rule looks for one kind of event (the effect) following another (the cause) within a time
window, and proposes a :class:`Candidate` link with a score between 0 and 1 and the features
it used. The rules that ship are in :mod:`timeline.causal.rules`, with :func:`propose`; the
search that pairs causes with effects is in :mod:`timeline.causal._search`.
"""

from __future__ import annotations

import abc
import bisect
import datetime as dt
import operator
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, ClassVar, Final
from uuid import UUID

import attrs

from timeline.causal.timing import EPOCH, offset
from timeline.events import CausalLink, Event, Statement

__all__ = ["RETALIATION_WORDS", "Candidate", "Feature", "Rule", "Scene"]

#: A feature's value: a number, a flag, or a name.
Feature = float | int | bool | str | None

_HOUR: Final = 3_600_000_000
_TWO_DAYS: Final = dt.timedelta(hours=48)
_TWO_DAYS_MICROS: Final = 48 * _HOUR
_since: Final = dt.datetime.__sub__
_STARTED: Final = operator.attrgetter("occurred_at")
_TEXT: Final = operator.attrgetter("text")
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
    def pair(self) -> tuple[UUID, UUID]:
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

    Built once per :func:`~timeline.causal.propose` call. Only statements that name a retaliation are kept,
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
    def _of_sorted(cls, starts: Iterable[dt.timedelta], statements: Iterable[Event]) -> Scene:
        """A scene from statements already in time order, their :func:`offset` starts beside them."""
        scene = cls()
        scene._add(starts, statements)
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
    a ``window`` and a ``relation``. A subclass may file causes under keys and look only under
    some keys for each effect (``cause_key`` and ``effect_key``, or :meth:`cause_keys` and
    :meth:`effect_keys`), so that each effect meets only the causes that could fit it.

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

    #: The field a cause is filed under and the field of an effect that names where to look
    #: (both or neither): e.g. proposals filed under the party that tabled them, looked up by
    #: the party a document came from. ``None``: every cause under one key. A rule with keys
    #: of its own overrides :meth:`cause_keys` and :meth:`effect_keys` instead.
    cause_key: ClassVar[str | None] = None
    effect_key: ClassVar[str | None] = None

    def cause_keys(self, cause: Event) -> Iterable[Hashable]:
        """The keys a cause is filed under (by default its :attr:`cause_key` field)."""
        return (None,) if self.cause_key is None else (getattr(cause, self.cause_key),)

    def effect_keys(self, effect: Event) -> Iterable[Hashable]:
        """The keys under which causes of this effect are looked for (its :attr:`effect_key`)."""
        return (None,) if self.effect_key is None else (getattr(effect, self.effect_key),)

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
