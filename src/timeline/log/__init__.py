"""Event logs: the :class:`EventLog` interface and its backends.

========================  ==========================================================
backend                   for
========================  ==========================================================
:class:`MemoryLog`        tests, notebooks; the reference every backend agrees with
:class:`SQLiteLog`        one analyst: the embedded default (one file, WAL)
:class:`JsonlLog`         one append-only JSON-lines file, diffable and git-friendly
:class:`PostgresLog`      a team: many writers on one PostgreSQL schema (``postgres`` extra)
========================  ==========================================================
"""

from timeline.log.base import (
    GENESIS,
    EventLog,
    Guard,
    RawRecord,
    Recorded,
    Subscription,
    VerifyReport,
    chain_hash,
)
from timeline.log.jsonl import JsonlLog
from timeline.log.memory import MemoryLog
from timeline.log.postgres import PostgresLog
from timeline.log.salvage import SalvageReport, salvage
from timeline.log.sqlite import SQLiteLog

__all__ = [
    "GENESIS",
    "EventLog",
    "Guard",
    "JsonlLog",
    "MemoryLog",
    "PostgresLog",
    "RawRecord",
    "Recorded",
    "SQLiteLog",
    "SalvageReport",
    "Subscription",
    "VerifyReport",
    "chain_hash",
    "salvage",
]
