"""Following other writers of a PostgreSQL log: ``LISTEN``/``NOTIFY`` and delivery.

Every append of a :class:`~timeline.log.PostgresLog` sends ``NOTIFY`` on the log's channel
inside its transaction, so the notification goes out exactly when the records become
visible. A :class:`Follower` holds a second connection that listens on that channel; on
each notification it delivers new records to the log's subscriptions, which read them from
the log, so nothing is skipped or repeated whoever wrote it. :meth:`PostgresLog.wait` and
:meth:`PostgresLog.follow` are its public face.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from timeline.errors import TimelineError

if TYPE_CHECKING:
    import psycopg

    from timeline.log.postgres import PostgresLog

__all__ = ["Follower"]


class Follower:
    """The listening connection, the follow thread and delivery of one log's subscriptions."""

    def __init__(self, log: PostgresLog) -> None:
        self.log = log
        #: The last error the follow thread met (it keeps trying), if any.
        self.error: TimelineError | None = None
        #: The follow thread, while it runs.
        self.thread: threading.Thread | None = None
        self._listen_lock = threading.Lock()
        self._listener: psycopg.Connection[Any] | None = None
        self._stop = threading.Event()

    def _listening(self) -> psycopg.Connection[Any]:
        """The listening connection (under ``_listen_lock``), opened and ``LISTEN``-ing."""
        log = self.log
        if log._conn is None:  # noqa: SLF001  # the log's own connection, in its package
            raise TimelineError(f"PostgreSQL log {log.where} is closed")
        if self._listener is not None and self._listener.broken:
            # Lost: listen again; what was appended meanwhile is delivered by the catch-up.
            self._listener.close()
            self._listener = None
        if self._listener is None:
            pg = log._pg  # noqa: SLF001  # same
            listener = log._connect(listening=True)  # noqa: SLF001  # same
            try:
                listener.execute(pg.sql.SQL("LISTEN {}").format(pg.sql.Identifier(log.channel)))
            except pg.Error as e:
                listener.close()
                raise log._error(e) from e  # noqa: SLF001  # same
            self._listener = listener
        return self._listener

    def _deliver(self) -> int:
        """Deliver new records to every subscription; how many positions they moved on.

        As after an append, a callback that raises pauses its subscription (its error is in
        ``subscription.error`` until ``poll()`` retries it) without stopping the others.
        """
        moved = 0
        with self.log._delivery:  # noqa: SLF001  # the log's own lock, in its package
            for subscription in tuple(self.log._subscriptions):  # noqa: SLF001  # same
                before = subscription.position
                subscription.notify()
                moved += subscription.position - before
        return moved

    def wait(self, timeout: float | None) -> int:
        """:meth:`PostgresLog.wait`, its argument checked."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._listen_lock:
            self._drain(0)
            moved = self._deliver()
            while not moved:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return 0
                if self._drain(left):
                    moved = self._deliver()
        return moved

    def _drain(self, timeout: float | None) -> int:
        """Wait up to ``timeout`` for a notification, then take all those pending.

        A listening connection found lost is replaced (listening again) and counts as a
        notification, so that the caller catches up with what it may have missed.
        """
        log = self.log
        pg = log._pg  # noqa: SLF001  # the log's driver, in its package
        listener = self._listening()
        try:
            got = sum(1 for _ in listener.notifies(timeout=timeout, stop_after=1))
            if got:
                got += sum(1 for _ in listener.notifies(timeout=0))
        except pg.OperationalError as e:
            if not listener.broken:
                raise log._error(e) from e  # noqa: SLF001  # same
            self._listening()  # raises if the server cannot be reached
            return 1
        except pg.Error as e:
            raise log._error(e) from e  # noqa: SLF001  # same
        return got

    def follow(self, interval: float) -> None:
        """:meth:`PostgresLog.follow`: start the thread, listening first. Idempotent."""
        if self.thread is not None:
            return
        with self._listen_lock:
            self._listening()  # listen now: nothing appended from here on is missed
        self._stop.clear()
        thread = threading.Thread(
            target=self._follow,
            args=(interval,),
            name=f"timeline-follow-{self.log.schema}",
            daemon=True,
        )
        self.thread = thread
        thread.start()

    def _follow(self, interval: float) -> None:
        while not self._stop.is_set():
            try:
                self.log.wait(interval)
            except TimelineError as e:  # the server is away: try again after a pause
                if self._stop.is_set():  # closed meanwhile
                    return
                self.error = e
                self._stop.wait(interval)

    def close(self) -> None:
        """Stop the thread and close the listening connection. Idempotent."""
        self._stop.set()
        thread, self.thread = self.thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        with self._listen_lock:
            listener, self._listener = self._listener, None
            if listener is not None:
                listener.close()
