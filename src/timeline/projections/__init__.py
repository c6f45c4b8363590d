"""Projections: pure folds over the log, replayed bitemporally.

========================  =============================================================
module                    what
========================  =============================================================
:mod:`.base`              the :class:`Projection` protocol and :func:`fold`
:mod:`.replay`            :func:`replay`, :func:`replay_events`: bitemporal replay, with
                          corrections and retractions resolved before folding
:mod:`.history`           :func:`history`: an event's versions, step by step
:mod:`.guards`            :class:`CorrectionGuard`: corrections checked at append time
========================  =============================================================
"""

from timeline.projections.base import BatchProjection, Projection, fold
from timeline.projections.guards import CorrectionGuard, check_correction
from timeline.projections.history import History, Revision, history
from timeline.projections.replay import (
    META_TYPES,
    Resolution,
    apply_changes,
    replay,
    replay_events,
    replay_records,
    target_of,
)

__all__ = [
    "META_TYPES",
    "BatchProjection",
    "CorrectionGuard",
    "History",
    "Projection",
    "Resolution",
    "Revision",
    "apply_changes",
    "check_correction",
    "fold",
    "history",
    "replay",
    "replay_events",
    "replay_records",
    "target_of",
]
