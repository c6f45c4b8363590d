"""Snapshots: a projection's state kept at a point of the log, so replay folds only the rest.

A :class:`Snapshot` is what ``replay(log, projection, as_of=a)`` gave over the first
``position`` records of the log: the state, under the projection's ``name`` and ``version``,
with the valid-time cut ``as_of`` and the transaction-time cut (the ``position`` and its
``recorded_at``, ``known_at``). :func:`~timeline.projections.replay` with
``snapshots=store`` starts from the best snapshot that is *valid* for the question asked and
folds only the *tail*: the events whose (corrected) ``occurred_at`` is after the snapshot's
``as_of`` and at or before the replay's. A snapshot never changes an answer, it only saves
work: when none is valid, the replay is a full one.

The snapshot layer, one module per job (this module gathers its public names):

=========================================  ==================================================
module                                     what
=========================================  ==================================================
:mod:`timeline.log.snapshots`              the :class:`Snapshot` model, the
                                           :class:`SnapshotStore` protocol, the memory store
:mod:`timeline.log.sqlite_snapshots`       :class:`SQLiteSnapshotStore` (beside a SQLite or
                                           JSON-lines log)
:mod:`timeline.log.postgres_snapshots`     :class:`PostgresSnapshotStore` (in the log's schema)
:mod:`timeline.log.state_codec`            :class:`StateCodec`: states to bytes and back
:mod:`.snapshot_validity`                  when a snapshot may be used; the best one
:mod:`.snapshot_replay`                    :func:`replay_at`, :func:`take_snapshot`,
                                           :func:`save_snapshot`
=========================================  ==================================================

Each log gives the store that fits it (:func:`snapshot_store` asks it): a table of its own
database for SQLite and PostgreSQL, a sidecar file beside a JSON-lines log, a new store in
memory for other logs.
"""

from __future__ import annotations

from timeline.errors import InvalidArgument
from timeline.log import EventLog
from timeline.log.postgres_snapshots import POSTGRES_SNAPSHOT_SCHEMA, PostgresSnapshotStore
from timeline.log.snapshots import MemorySnapshotStore, Snapshot, SnapshotStore
from timeline.log.sqlite_snapshots import SNAPSHOT_SCHEMA, SQLiteSnapshotStore
from timeline.log.state_codec import StateCodec
from timeline.projections.resolution import MetaIndex
from timeline.projections.snapshot_replay import (
    replay_at,
    replay_with_snapshots,
    save_snapshot,
    take_snapshot,
)
from timeline.projections.snapshot_validity import state_type_of

__all__ = [
    "POSTGRES_SNAPSHOT_SCHEMA",
    "SNAPSHOT_SCHEMA",
    "MemorySnapshotStore",
    "MetaCache",
    "PostgresSnapshotStore",
    "SQLiteSnapshotStore",
    "Snapshot",
    "SnapshotStore",
    "StateCodec",
    "replay_at",
    "replay_with_snapshots",
    "save_snapshot",
    "snapshot_store",
    "state_type_of",
    "take_snapshot",
]

#: The meta events of a log read so far (the name it had when each store kept one; one
#: index per log is now shared by every reader: see
#: :func:`~timeline.projections.resolution.meta_index`).
MetaCache = MetaIndex


def snapshot_store(log: EventLog) -> SnapshotStore:
    """The snapshot store that fits a log: the one the log gives (``log.snapshot_store()``).

    - :class:`~timeline.log.SQLiteLog`: a :class:`SQLiteSnapshotStore` in the log's own
      database (table ``timeline_snapshots``);
    - :class:`~timeline.log.PostgresLog`: a :class:`PostgresSnapshotStore` in the log's own
      schema (table ``timeline_snapshots``);
    - :class:`~timeline.log.JsonlLog`: a :class:`SQLiteSnapshotStore` in a sidecar file, the
      log's path plus ``.snapshots.db`` (derived data: safe to delete, keep it out of git);
    - any other log (:class:`~timeline.log.MemoryLog`): a new, empty
      :class:`MemorySnapshotStore`. Keep it: each call makes another.

    Raises:
        InvalidArgument: if ``log`` is not an event log.

    >>> import timeline as tl
    >>> log = tl.open_log("sqlite:///:memory:")
    >>> snapshot_store(log)
    SQLiteSnapshotStore(':memory:')
    """
    if not isinstance(log, EventLog):
        raise InvalidArgument(f"log must be an EventLog, got {log!r}", argument="log", value=log)
    return log.snapshot_store()
