"""The event model: the :class:`Event` base and the conflict catalog, one module per family.

========================  =====================================================
module                    types
========================  =====================================================
:mod:`.diplomacy`         talks proposed and held, delegations, proposals,
                          memoranda, documents and answers, ceasefires, statements
:mod:`.military`          drone barrages, missile strikes, strikes, loss tallies
:mod:`.humanitarian`      prisoner exchanges agreed and carried out, casualties
:mod:`.meta`              corrections, retractions, causal links
========================  =====================================================

:mod:`.base` holds the :class:`Event` base and its parts, :mod:`.fields` the validators and
converters every type shares, and :mod:`.registry` the :class:`Registry` of types by tag,
:func:`event_type`, and :data:`DECLARED`, the one process-wide registry it fills.
"""

from timeline.events.base import Event, Location, Source, new_event_id
from timeline.events.coded import CodedActor, CodedEvent  # noqa: F401  # registers coded.event (timeline.io.gdelt)
from timeline.events.diplomacy import (
    CeasefireDemanded,
    CeasefireRejected,
    DelegationAnnounced,
    DocumentReceived,
    MemorandumAwaited,
    MemorandumDelivered,
    MemorandumPromised,
    ProposalTabled,
    ResponsePromised,
    Statement,
    TalkRoundHeld,
    TalksProposed,
)
from timeline.events.humanitarian import (
    CasualtyReport,
    PartyCount,
    PrisonerExchangeAgreed,
    PrisonerExchangeCarriedOut,
)
from timeline.events.meta import CausalLink, CausalLinkRetracted, Correction, Relation, Retraction
from timeline.events.military import (
    Attack,
    DroneBarrage,
    ItemCount,
    LossReport,
    MissileStrike,
    Strike,
)
from timeline.events.registry import DECLARED, Registry, declared_types, event_type

__all__ = [
    "DECLARED",
    "Attack",
    "CasualtyReport",
    "CausalLink",
    "CausalLinkRetracted",
    "CeasefireDemanded",
    "CeasefireRejected",
    "Correction",
    "DelegationAnnounced",
    "DocumentReceived",
    "DroneBarrage",
    "Event",
    "ItemCount",
    "Location",
    "LossReport",
    "MemorandumAwaited",
    "MemorandumDelivered",
    "MemorandumPromised",
    "MissileStrike",
    "PartyCount",
    "PrisonerExchangeAgreed",
    "PrisonerExchangeCarriedOut",
    "ProposalTabled",
    "Registry",
    "Relation",
    "ResponsePromised",
    "Retraction",
    "Source",
    "Statement",
    "Strike",
    "TalkRoundHeld",
    "TalksProposed",
    "declared_types",
    "event_type",
    "new_event_id",
]

#: The catalog's types, in a stable order.
CATALOG: tuple[type[Event], ...] = (
    TalksProposed,
    TalkRoundHeld,
    DelegationAnnounced,
    ProposalTabled,
    MemorandumPromised,
    MemorandumDelivered,
    MemorandumAwaited,
    DocumentReceived,
    ResponsePromised,
    CeasefireDemanded,
    CeasefireRejected,
    Statement,
    DroneBarrage,
    MissileStrike,
    Strike,
    LossReport,
    PrisonerExchangeAgreed,
    PrisonerExchangeCarriedOut,
    CasualtyReport,
    Correction,
    Retraction,
    CausalLink,
    CausalLinkRetracted,
)
