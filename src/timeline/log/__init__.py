"""Event logs: the :class:`EventLog` interface and its backends.

========================  ==========================================================
backend                   for
========================  ==========================================================
:class:`MemoryLog`        tests, notebooks; the reference every backend agrees with
:class:`SQLiteLog`        one analyst: the embedded default (one file, WAL)
:class:`JsonlLog`         one append-only JSON-lines file, diffable and git-friendly
:class:`PostgresLog`      a team: many writers on one PostgreSQL schema (``postgres`` extra)
========================  ==========================================================

A backend of your own subclasses :class:`EventLog` and implements its storage protocol
(:mod:`timeline.log.base` lists it), with :class:`StoredRecord` rows and :class:`Query`
reads; ``docs/howto/backend.md`` writes one on :mod:`dbm`.
"""

from timeline.log.base import (
    GENESIS,
    EventLog,
    Guard,
    LogOptions,
    Order,
    Query,
    RawRecord,
    Recorded,
    StoredRecord,
    Subscription,
    VerifyReport,
    chain_hash,
    stored_recorded_at,
)
from timeline.log.jsonl import JsonlLog
from timeline.log.memory import MemoryLog
from timeline.log.postgres import PostgresLog
from timeline.log.query import keyset_pages
from timeline.log.salvage import SalvageReport, Skipped, salvage, salvage_file
from timeline.log.sqlite import SQLiteLog

__all__ = [
    "GENESIS",
    "EventLog",
    "Guard",
    "JsonlLog",
    "LogOptions",
    "MemoryLog",
    "Order",
    "PostgresLog",
    "Query",
    "RawRecord",
    "Recorded",
    "SQLiteLog",
    "SalvageReport",
    "Skipped",
    "StoredRecord",
    "Subscription",
    "VerifyReport",
    "chain_hash",
    "keyset_pages",
    "salvage",
    "salvage_file",
    "stored_recorded_at",
]
