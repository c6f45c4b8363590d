"""How well inference rules find the links analysts drew: precision and recall.

The analysts' links are the :class:`~timeline.events.CausalLink` events in the view that no
rule proposed (``rule`` is ``None``); accepted candidates (links carrying a ``rule``) are not
counted as truth, which would only measure the rules against themselves. A candidate matches
an analyst link with the same cause and effect, whatever the relations (an analyst's
"response" found by a rule as "retaliation" still counts).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

import attrs

from timeline.causal.graph import causal_graph
from timeline.causal.rules import Candidate, Rule, propose
from timeline.events import CausalLink
from timeline.log import EventLog

__all__ = ["Evaluation", "RuleScore", "evaluate"]

Pair = tuple[uuid.UUID, uuid.UUID]


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@attrs.frozen
class RuleScore:
    """One rule's figures.

    Attributes:
        rule: the rule's name.
        proposed: how many candidates it proposed.
        correct: how many of them an analyst had linked.
        in_scope: how many analyst links join a cause and an effect of the rule's types.
        found: how many of those it proposed.
    """

    rule: str
    proposed: int
    correct: int
    in_scope: int
    found: int

    @property
    def precision(self) -> float | None:
        """Correct / proposed (``None`` if it proposed nothing)."""
        return _ratio(self.correct, self.proposed)

    @property
    def recall(self) -> float | None:
        """Found / in scope (``None`` if no analyst link is in its scope)."""
        return _ratio(self.found, self.in_scope)


@attrs.frozen
class Evaluation:
    """The rules' candidates measured against the analysts' links.

    Attributes:
        candidates: every candidate, as :func:`~timeline.causal.rules.propose` gave them.
        correct: the candidates an analyst had linked.
        wrong: the candidates no analyst had linked.
        missed: the analyst links no candidate found.
        truth: every analyst link considered.
        rules: each rule's figures, by name.
    """

    candidates: tuple[Candidate, ...]
    correct: tuple[Candidate, ...]
    wrong: tuple[Candidate, ...]
    missed: tuple[CausalLink, ...]
    truth: tuple[CausalLink, ...]
    rules: dict[str, RuleScore]

    @property
    def precision(self) -> float | None:
        """The share of distinct proposed pairs that an analyst had linked."""
        pairs = {c.pair for c in self.candidates}
        return _ratio(len(pairs & {c.pair for c in self.correct}), len(pairs))

    @property
    def recall(self) -> float | None:
        """The share of distinct analyst-linked pairs that some rule proposed."""
        pairs = {(link.cause, link.effect) for link in self.truth}
        return _ratio(len(pairs) - len({(m.cause, m.effect) for m in self.missed}), len(pairs))


def evaluate(
    rules: Iterable[Rule],
    log: EventLog,
    *,
    as_of: dt.datetime | None = None,
    known_at: dt.datetime | None = None,
) -> Evaluation:
    """Run the rules over a log's events and compare their candidates with the analysts' links.

    Args:
        rules: the rules.
        log: the log (replayed as :func:`~timeline.causal.causal_graph` does).
        as_of: valid time, as for the graph.
        known_at: transaction time, as for the graph.

    Raises:
        InvalidArgument: ``log`` is not an event log.
    """
    rules = tuple(rules)
    graph = causal_graph(log, as_of=as_of, known_at=known_at)
    truth = tuple(link for link in graph.links() if link.rule is None)
    linked: set[Pair] = {(link.cause, link.effect) for link in truth}
    candidates = tuple(propose(rules, graph.events()))
    correct = tuple(c for c in candidates if c.pair in linked)
    wrong = tuple(c for c in candidates if c.pair not in linked)
    proposed: set[Pair] = {c.pair for c in candidates}
    missed = tuple(link for link in truth if (link.cause, link.effect) not in proposed)
    scores = {}
    for rule in rules:
        mine = [c for c in candidates if c.rule == rule.name]
        mine_pairs = {c.pair for c in mine}
        scope = {
            (link.cause, link.effect)
            for link in truth
            if isinstance(graph.event(link.cause), rule.causes)
            and isinstance(graph.event(link.effect), rule.effects)
        }
        scores[rule.name] = RuleScore(
            rule=rule.name,
            proposed=len(mine),
            correct=sum(c.pair in linked for c in mine),
            in_scope=len(scope),
            found=len(scope & mine_pairs),
        )
    return Evaluation(candidates, correct, wrong, missed, truth, scores)
