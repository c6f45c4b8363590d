"""The causal graph: which events led to which, as analysts (and rules) claim it.

========================  =============================================================
module                    what
========================  =============================================================
:mod:`.timing`            the one time rule: a cause may not come after its effect
:mod:`.graph`             :class:`CausalGraph`, :func:`causal_graph`: views and queries
:mod:`.results`           what the queries return (:class:`Cause`, :class:`Chain`, ...)
:mod:`.guard`             :class:`CausalityGuard`: links checked at append time
:mod:`.candidates`        what a rule is (:class:`Rule`) and proposes (:class:`Candidate`)
:mod:`.rules`             the inference rules that ship, :func:`propose`
:mod:`._search`           the candidate search: a plain reference and the bulk engine
:mod:`._build`            the graph's columns: a plain reference build and the bulk engine
:mod:`._paths`            most confident paths and alternating strikes
:mod:`.evaluation`        :func:`evaluate`: the rules' precision and recall
:mod:`.export`            node-link JSON (lossless), GraphML and DOT
========================  =============================================================
"""

from timeline.causal.evaluation import Evaluation, RuleScore, evaluate
from timeline.causal.export import (
    from_node_link,
    read_json,
    to_dot,
    to_node_link,
    write_dot,
    write_graphml,
    write_json,
)
from timeline.causal.graph import (
    DIPLOMATIC_TYPES,
    ESCALATION_TYPES,
    CausalGraph,
    causal_graph,
)
from timeline.causal.guard import CausalityGuard
from timeline.causal.results import Cause, Chain, Consequence, Edge, Nearby, Spiral
from timeline.causal.rules import (
    AnswerPromised,
    BarrageAfterStrike,
    Candidate,
    ExchangeAgreedAtTalks,
    ExchangeCarriedOut,
    ProposalReceived,
    Rule,
    TalksAfterCeasefireDemand,
    default_rules,
    propose,
)
from timeline.causal.timing import bounds, latest, may_cause, time_conflict

__all__ = [
    "DIPLOMATIC_TYPES",
    "ESCALATION_TYPES",
    "AnswerPromised",
    "BarrageAfterStrike",
    "Candidate",
    "CausalGraph",
    "CausalityGuard",
    "Cause",
    "Chain",
    "Consequence",
    "Edge",
    "Evaluation",
    "ExchangeAgreedAtTalks",
    "ExchangeCarriedOut",
    "Nearby",
    "ProposalReceived",
    "Rule",
    "RuleScore",
    "Spiral",
    "TalksAfterCeasefireDemand",
    "bounds",
    "causal_graph",
    "default_rules",
    "evaluate",
    "from_node_link",
    "latest",
    "may_cause",
    "propose",
    "read_json",
    "time_conflict",
    "to_dot",
    "to_node_link",
    "write_dot",
    "write_graphml",
    "write_json",
]
