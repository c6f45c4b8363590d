"""``Subscription``: a callback fed every record after a position, each exactly once."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from timeline.log.base import EventLog

__all__ = ["Subscription"]


class Subscription:
    """Feeds a callback every record after a position, in position order, each exactly once.

    Made by :meth:`EventLog.subscribe`. Appends made through the same log object are
    delivered as soon as they are committed; records appended by other processes (or other
    log objects on the same store) arrive at the next :meth:`poll` (or the next append made
    through this object). Delivery always reads from the log, so nothing is skipped or
    repeated, whoever wrote it.

    If the callback raises while a record is delivered after an append, the append still
    stands: the subscription keeps the error in :attr:`error`, stops at that record, and
    stays paused until :meth:`poll` is called, which retries it (and raises if it fails
    again).

    Made by :meth:`EventLog.subscribe_batches` (``batch`` set), the callback receives lists
    of up to ``batch`` consecutive records instead, and :attr:`position` moves past a list
    only once the callback has returned for it: a list whose callback raised is delivered
    again, whole, by the next :meth:`poll`.
    """

    def __init__(
        self,
        log: EventLog,
        callback: Callable[[Any], object],
        after: int,
        *,
        batch: int | None = None,
    ) -> None:
        self.log = log
        #: Called with each record (or, with ``batch``, each list of records).
        self.callback = callback
        #: The most records per call of the callback, or ``None``: one record per call.
        self.batch = batch
        #: The position of the last record delivered.
        self.position = after
        #: The error that paused the subscription, if any.
        self.error: BaseException | None = None
        self.closed = False

    def poll(self) -> int:
        """Deliver every record after :attr:`position`. Returns how many were delivered."""
        if self.closed:
            return 0
        self.error = None
        delivered = 0
        records = self.log.read(after=self.position)
        if self.batch is not None:
            while chunk := list(itertools.islice(records, self.batch)):
                self.callback(chunk)
                self.position = chunk[-1].position
                delivered += len(chunk)
            return delivered
        for record in records:
            self.callback(record)
            self.position = record.position
            delivered += 1
        return delivered

    def notify(self) -> None:
        """Called by the log after each append: deliver, keeping any error in :attr:`error`."""
        if self.error is not None:
            return
        try:
            self.poll()
        except Exception as e:  # noqa: BLE001  # the append stands; the error is kept for poll()
            self.error = e

    def close(self) -> None:
        """Stop delivering."""
        self.closed = True
        with contextlib.suppress(ValueError):
            self.log._subscriptions.remove(self)  # noqa: SLF001  # the log's own registry
