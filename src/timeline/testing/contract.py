"""The conformance suite every event-log backend passes: :class:`LogBackendContract`.

The suite checks what :mod:`timeline.log` promises, through the public interface only:
positions, versions, transaction time and the hash chain; reading back (filters, orders,
laziness); optimistic concurrency; all-or-nothing appends that refuse duplicates, unknown
references, unregistered types and whatever a guard refuses; and, as Hypothesis properties,
that any log built by appends reads back exactly as appended and verifies, that every
checkpoint and proof of its Merkle tree checks out, and that reads never serve, nor
appends build on, a record changed behind the log's back. Its groups of
tests live in modules of their own (writes, reads, properties); this class puts them
together with the fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from timeline.log import EventLog
from timeline.testing._contract_damage import DamageContract
from timeline.testing._contract_proofs import ProofContract
from timeline.testing._contract_properties import PropertyContract
from timeline.testing._contract_reads import ReadContract
from timeline.testing._contract_support import T0, LogFactory
from timeline.testing._contract_writes import WriteContract
from timeline.time import FixedClock

__all__ = ["T0", "LogBackendContract", "LogFactory"]


class LogBackendContract(
    WriteContract, ReadContract, DamageContract, PropertyContract, ProofContract
):
    """The tests every :class:`~timeline.log.EventLog` backend must pass.

    Subclass it in a test module, name the subclass ``Test...`` and give it a ``make_log``
    fixture that returns a :class:`LogFactory`: a callable ``make(clock=None)`` that creates
    a *fresh, empty* log on every call (the property tests make one per example), with the
    given clock, the default codec (or one that knows :attr:`event_types`) and no guards.
    The suite closes the logs it makes.

    Example::

        import itertools
        import pytest
        from timeline.testing import LogBackendContract
        from mypackage import RedisLog

        class TestRedisLog(LogBackendContract):
            @pytest.fixture
            def make_log(self, redis_url):
                names = (f"contract-{i}" for i in itertools.count())
                return lambda clock=None: RedisLog(redis_url, name=next(names), clock=clock)

    The fixtures ``clock`` (a :class:`~timeline.time.FixedClock` at :data:`T0`) and ``log``
    (made with that clock) are there for your own tests in the subclass too.
    """

    # -- fixtures ---------------------------------------------------------------------------

    @pytest.fixture
    def make_log(self) -> LogFactory:
        """Override: return a callable making a fresh, empty log on each call."""
        pytest.fail(
            f"{type(self).__name__} must define a make_log fixture returning a callable "
            "make(clock=None) -> EventLog that makes a fresh, empty log on each call"
        )

    @pytest.fixture
    def clock(self) -> FixedClock:
        """A clock standing at :data:`T0` until a test moves it."""
        return FixedClock(T0)

    @pytest.fixture
    def log(self, make_log: LogFactory, clock: FixedClock) -> Iterator[EventLog]:
        """A fresh, empty log whose ``recorded_at`` comes from ``clock``."""
        with make_log(clock=clock) as log:
            yield log
