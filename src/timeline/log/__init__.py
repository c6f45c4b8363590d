"""Event logs: the :class:`EventLog` interface and its backends.

========================  ==========================================================
backend                   for
========================  ==========================================================
:class:`MemoryLog`        tests, notebooks; the reference every backend agrees with
:class:`SQLiteLog`        one analyst: the embedded default (one file, WAL)
:class:`JsonlLog`         one append-only JSON-lines file, diffable and git-friendly
========================  ==========================================================
"""

from timeline.log.base import GENESIS, EventLog, Guard, RawRecord, Recorded, VerifyReport, chain_hash
from timeline.log.memory import MemoryLog

__all__ = [
    "GENESIS",
    "EventLog",
    "Guard",
    "MemoryLog",
    "RawRecord",
    "Recorded",
    "VerifyReport",
    "chain_hash",
]
