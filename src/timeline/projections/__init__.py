"""Projections: pure folds over the log, replayed bitemporally.

========================  =============================================================
module                    what
========================  =============================================================
:mod:`.base`              the :class:`Projection` protocol and :func:`fold`
:mod:`.resolution`        :class:`Resolution`: the corrections and retractions in force,
                          and the one per-log cache of them
:mod:`.resolved`          :func:`replay_events`, :func:`replay_records`: the log as a
                          projection sees it, resolved, cut and ordered
:mod:`.replay`            :func:`replay`: bitemporal replay (from a snapshot, if given)
:mod:`.history`           :func:`history`: an event's versions, step by step
:mod:`.guards`            :class:`CorrectionGuard`: corrections checked at append time
:mod:`.negotiations`      :class:`Negotiations`: rounds, delegations, proposals, memoranda,
                          answers owed, the ceasefire
:mod:`.exchanges`         :class:`PrisonerExchanges`: agreed versus carried out, per side
:mod:`.escalation`        :class:`Escalation`: barrages per day and window, records, intensity
:mod:`.claims`            :class:`Claims`: conflicting figures for the same fact
:mod:`.chronology`        :class:`Chronology`: each event once, in valid-time order
:mod:`.snapshots`         :func:`take_snapshot`, :func:`snapshot_store`: states kept at a
                          point of the log, so replay folds only the events after it
                          (validity in :mod:`.snapshot_validity`, replay from one in
                          :mod:`.snapshot_replay`, stores under :mod:`timeline.log`)
:mod:`.live`              :class:`LiveProjection`, :class:`ReadModel`: a state, or your
                          own SQLite tables, kept current as the log grows
========================  =============================================================
"""

from timeline.projections.base import BatchProjection, Projection, fold
from timeline.projections.chronology import Chronology, ChronologyState
from timeline.projections.claims import Claims, ClaimsState
from timeline.projections.escalation import Escalation, EscalationState
from timeline.projections.exchanges import ExchangesState, PrisonerExchanges
from timeline.projections.guards import CorrectionGuard, check_correction
from timeline.projections.history import History, Revision, history
from timeline.projections.live import LiveProjection, ReadModel
from timeline.projections.negotiations import Negotiations, NegotiationsState
from timeline.projections.replay import replay
from timeline.projections.resolution import META_TYPES, Resolution, apply_changes, target_of
from timeline.projections.resolved import replay_events, replay_records
from timeline.projections.snapshots import (
    MemorySnapshotStore,
    PostgresSnapshotStore,
    Snapshot,
    SnapshotStore,
    SQLiteSnapshotStore,
    StateCodec,
    snapshot_store,
    take_snapshot,
)

__all__ = [
    "META_TYPES",
    "BatchProjection",
    "Chronology",
    "ChronologyState",
    "Claims",
    "ClaimsState",
    "CorrectionGuard",
    "Escalation",
    "EscalationState",
    "ExchangesState",
    "History",
    "LiveProjection",
    "MemorySnapshotStore",
    "Negotiations",
    "NegotiationsState",
    "PostgresSnapshotStore",
    "PrisonerExchanges",
    "Projection",
    "ReadModel",
    "Resolution",
    "Revision",
    "SQLiteSnapshotStore",
    "Snapshot",
    "SnapshotStore",
    "StateCodec",
    "apply_changes",
    "check_correction",
    "fold",
    "history",
    "replay",
    "replay_events",
    "replay_records",
    "snapshot_store",
    "take_snapshot",
    "target_of",
]
