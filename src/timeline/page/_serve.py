"""``timeline serve``: the timeline page of a live log, over HTTP, updated as events arrive.

A small server on the standard library's :class:`~http.server.ThreadingHTTPServer` (the page
is one document and its data; nothing here needs a framework). It answers three paths:

- ``/``: the page (:func:`timeline.page.render`), the same self-contained HTML file that
  ``timeline page OUT.html`` writes;
- ``/data.json``: the page's data (:func:`timeline.page.data`, the same versioned contract
  the page embeds), which the page fetches again when the log grows;
- ``/updates``: `Server-Sent Events
  <https://html.spec.whatwg.org/multipage/server-sent-events.html>`_, one message
  ``{"head": <position>}`` at once and then whenever the log grows.

The log is followed through its subscription (:meth:`~timeline.log.EventLog.subscribe_batches`):
appends made through the same log object arrive at once; other writers' appends (another
process on a SQLite or JSON-lines log) at the next poll of the head, every ``poll`` seconds;
a PostgreSQL log's own ``LISTEN``/``NOTIFY`` (:meth:`~timeline.log.PostgresLog.wait`) wakes
the server as soon as another writer commits.

Safety: the server binds to the loopback address unless told otherwise, and answers only
requests whose ``Host`` header names it (the bound host, ``localhost``, ``127.0.0.1`` or
``[::1]``, or a name given in ``allowed_hosts``, each with the port): any other gets ``400``. So a
web page elsewhere cannot reach the log by pointing a name of its own at 127.0.0.1 (DNS
rebinding). Only ``GET`` and ``HEAD`` are answered; nothing the server does writes to the log.
"""

from __future__ import annotations

import contextlib
import http.server
import ipaddress
import socket
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, TextIO

import orjson

from timeline.errors import InvalidArgument
from timeline.page._data import Builder
from timeline.page._html import page_html
from timeline.time import is_zone

if TYPE_CHECKING:
    from typing import Self

    from timeline.log import EventLog, Recorded, Subscription

__all__ = ["PageServer", "serve", "start"]

#: Seconds between polls of the head for other writers' appends.
POLL: Final = 0.2
#: Seconds the follow thread lets go of the log between waits on a PostgreSQL channel.
_YIELD: Final = 0.01
#: Seconds between the comments that keep an idle event stream open through proxies.
KEEP_ALIVE: Final = 15.0
_LOOPBACK_NAMES: Final = ("localhost", "127.0.0.1", "[::1]")

Data = Callable[..., dict[str, Any]]
Html = Callable[[dict[str, Any]], str]


class _Head:
    """The log's last position as the server knows it, and a way to wait for it to move."""

    def __init__(self, position: int) -> None:
        self.position = position
        self.stopped = False
        self._changed = threading.Condition()

    def advance(self, records: list[Recorded]) -> None:
        """The subscription's callback: the head is the last record delivered."""
        with self._changed:
            if records and records[-1].position > self.position:
                self.position = records[-1].position
                self._changed.notify_all()

    def wait_past(self, seen: int, timeout: float) -> int:
        """The head once it is past ``seen``, or as it is after ``timeout`` or a stop."""
        with self._changed:
            self._changed.wait_for(lambda: self.stopped or self.position > seen, timeout)
            return self.position

    def stop(self) -> None:
        with self._changed:
            self.stopped = True
            self._changed.notify_all()


class _Handler(http.server.BaseHTTPRequestHandler):
    """One request: the Host check, then the page, its data or the event stream."""

    server: PageServer
    server_version = "timeline"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _answer(self, *, body: bool) -> None:
        if not self.server.host_allowed(self.headers.get("Host")):
            self._send(400, b"Bad Request: unknown Host header\n", "text/plain; charset=utf-8")
            return
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        try:
            if path in {"/", "/index.html"}:
                self._send(200, self.server.page(), "text/html; charset=utf-8", body=body)
            elif path == "/data.json":
                content = self.server.data(_after(self.path))
                self._send(200, content, "application/json", body=body)
            elif path == "/updates":
                self._stream(body=body)
            else:
                self._send(404, b"Not Found\n", "text/plain; charset=utf-8", body=body)
        except (BrokenPipeError, ConnectionResetError):  # the browser went away
            return
        except Exception as e:  # noqa: BLE001  # the log cannot be read (damaged, server gone)
            self.log_error("cannot read the log: %r", e)
            message = f"The log cannot be read: {e}\n".encode()
            self._send(500, message, "text/plain; charset=utf-8", body=body)

    def _headers(self, status: int, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "SAMEORIGIN")

    def _send(self, status: int, content: bytes, content_type: str, *, body: bool = True) -> None:
        self._headers(status, content_type)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if body:
            self.wfile.write(content)

    def _stream(self, *, body: bool) -> None:
        """Server-Sent Events: the head now, then each time it moves, until the server stops."""
        self._headers(200, "text/event-stream; charset=utf-8")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        if not body:
            return
        head = self.server.head
        self.wfile.write(b"retry: 1000\n\n")
        seen = -1
        while not head.stopped:
            position = head.wait_past(seen, self.server.keep_alive)
            if head.stopped:
                break
            if position > seen:
                message = orjson.dumps({"head": position})
                self.wfile.write(b"id: %d\ndata: %s\n\n" % (position, message))
                seen = position
            else:
                self.wfile.write(b": keep-alive\n\n")
            self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  # the base's name
        if self.server.quiet:
            return
        super().log_message(format, *args)


class PageServer(http.server.ThreadingHTTPServer):
    """The page of a live log over HTTP (see the module). Made by :func:`start`.

    Use it as a context manager, or call :meth:`stop`: it stops answering, ends the open
    event streams, and stops following the log (the log itself stays open: it is the
    caller's).
    """

    daemon_threads = True
    #: Whether to leave the requests out of the server's log on standard error.
    quiet: bool

    def __init__(
        self,
        log: EventLog,
        host: str,
        port: int,
        *,
        data: Data | None,
        html: Html,
        options: Mapping[str, Any],
        poll: float,
        allowed_hosts: Iterable[str],
        quiet: bool,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            super().__init__((host, port), _Handler)
        except OSError as e:
            raise InvalidArgument(
                f"cannot listen on {host} port {port}: {e.strerror or e}",
                argument="port",
                value=port,
            ) from e
        self.log = log
        self.quiet = quiet
        self.keep_alive = KEEP_ALIVE
        self._data = data
        #: The data kept and extended as the log grows (the default data only).
        self._builder = Builder(log, **options) if data is None else None
        self._html = html
        self._options = dict(options)
        self._poll = poll
        #: Held while the log is read, so one request's read never runs beside another's.
        self._reading = threading.RLock()
        self._cache: dict[str, tuple[int, Any]] = {}
        self._stopping = threading.Event()
        self._workers: list[threading.Thread] = []
        self.host = host
        self.port = int(self.server_address[1])
        self._hosts = _host_names(host, self.port, allowed_hosts)
        with self._reading:
            self.head = _Head(len(log))
            self._subscription: Subscription = log.subscribe_batches(
                self.head.advance, after=self.head.position, size=10_000
            )

    @property
    def url(self) -> str:
        """The address to open in a browser (a wildcard host is shown as ``127.0.0.1``)."""
        name = self.host
        if name in {"", "0.0.0.0"}:  # noqa: S104  # naming it, not binding to it
            name = "127.0.0.1"
        elif name == "::":
            name = "::1"
        if ":" in name:
            name = f"[{name}]"
        return f"http://{name}:{self.port}/"

    def host_allowed(self, header: str | None) -> bool:
        """Whether a request's ``Host`` header names this server (see the module)."""
        return header is not None and header.strip().lower() in self._hosts

    def page(self) -> bytes:
        """The page as it is at the log's head (its data read once per head)."""
        return self._cached("page", lambda: self._html(self._payload()).encode())  # type: ignore[no-any-return]

    def data(self, after: int | None = None) -> bytes:
        """The page's data as JSON at the log's head (read once per head).

        With ``after`` (``/data.json?after=P``), only the records after position ``P``
        (:meth:`timeline.page.Builder.delta`) when the server keeps its data as the log
        grows (the default data), else the whole data.
        """
        if after is not None and self._builder is not None:
            with self._reading:
                self._payload()
                return orjson.dumps(self._builder.delta(after))
        return self._cached("json", lambda: orjson.dumps(self._payload()))  # type: ignore[no-any-return]

    def _payload(self) -> dict[str, Any]:
        builder = self._builder
        if builder is None:
            return self._cached("data", lambda: self._data(self.log, **self._options))  # type: ignore[misc, no-any-return]
        with self._reading:  # only what the log has beyond what is kept is read
            builder.update()
            return builder.payload

    def _cached(self, kind: str, make: Callable[[], Any]) -> Any:
        """What ``make`` gives, made again only once the head has moved."""
        with self._reading:
            position = self.head.position
            found = self._cache.get(kind)
            if found is not None and found[0] == position:
                return found[1]
            made = make()
            self._cache[kind] = (position, made)
            return made

    def _follow(self) -> None:
        """The thread that moves the head for other writers' appends.

        It first makes the page, so a large log's page is ready (or under way) by the time
        the browser asks for it; an error is answered to the request that asks.
        """
        with contextlib.suppress(Exception):  # the request that asks is answered the error
            self.page()
        wait = getattr(self.log, "wait", None)  # a PostgreSQL log: LISTEN/NOTIFY
        while not self._stopping.is_set():
            pause = self._poll
            try:
                with self._reading:
                    if callable(wait):  # returns as soon as another writer commits
                        wait(timeout=self._poll)
                        pause = _YIELD
                    else:
                        self._subscription.poll()
            except Exception as e:  # noqa: BLE001  # keep serving; say why the page is stale
                if not self.quiet:
                    sys.stderr.write(f"timeline serve: cannot follow the log: {e}\n")
                pause = self._poll
            self._stopping.wait(pause)  # the lock let go of, a request waiting gets its turn

    def start(self) -> Self:
        """Answer requests and follow the log, each in a daemon thread. Returns the server."""
        for target in (lambda: self.serve_forever(poll_interval=0.05), self._follow):
            thread = threading.Thread(target=target, name=f"timeline serve {self.port}")
            thread.daemon = True
            thread.start()
            self._workers.append(thread)
        return self

    def stop(self) -> None:
        """Stop answering and following; the open event streams end. Idempotent."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self.head.stop()
        if self._workers:
            self.shutdown()
        for thread in self._workers:
            thread.join(timeout=5)
        self._subscription.close()
        self.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _after(target: str) -> int | None:
    """The ``after`` of a request's query (``/data.json?after=120``), if a whole number."""
    query = urllib.parse.urlsplit(target).query
    values = urllib.parse.parse_qs(query).get("after")
    if not values or not values[-1].isdigit():
        return None
    return int(values[-1])


def _host_names(host: str, port: int, allowed: Iterable[str]) -> frozenset[str]:
    names = {*_LOOPBACK_NAMES, *(a.strip().lower() for a in allowed)}
    if host not in {"", "0.0.0.0", "::"}:  # noqa: S104  # a wildcard is no name
        names.add(f"[{host}]" if ":" in host else host.lower())
    out = {f"{name}:{port}" for name in names}
    if port == 80:  # noqa: PLR2004  # HTTP's own port: a browser leaves it out
        out |= names
    return frozenset(out)


def _checked(host: object, port: object, poll: object) -> None:
    if not isinstance(host, str):
        raise InvalidArgument(f"host must be text, got {host!r}", argument="host", value=host)
    if type(port) is not int or not 0 <= port <= 65535:  # noqa: PLR2004  # the last port
        raise InvalidArgument(
            f"port must be a whole number from 0 to 65535, got {port!r}",
            argument="port",
            value=port,
        )
    if type(poll) not in {int, float} or not 0 < poll <= 60:  # type: ignore[operator]  # noqa: PLR2004
        raise InvalidArgument(
            f"poll must be a number of seconds above 0 and at most 60, got {poll!r}",
            argument="poll",
            value=poll,
        )


def _page_options(options: Mapping[str, Any]) -> None:
    """Refuse at once what the page's data would refuse at the first request."""
    for name, value in options.items():
        if name not in {"title", "zone"}:
            raise InvalidArgument(
                f"the page takes title= and zone=, not {name}=", argument=name, value=value
            )
    title, zone = options.get("title"), options.get("zone")
    if title is not None and not isinstance(title, str):
        raise InvalidArgument(f"title must be text, got {title!r}", argument="title", value=title)
    if zone is not None and not is_zone(zone):
        raise InvalidArgument(f"unknown time zone {zone!r}", argument="zone", value=zone)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names only this machine (``localhost``, ``127.0.0.1``, ``::1``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def start(
    log: EventLog,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    data: Data | None = None,
    html: Html | None = None,
    poll: float = POLL,
    allowed_hosts: Iterable[str] = (),
    quiet: bool = True,
    **options: Any,
) -> PageServer:
    """Serve a log's page in background threads; returns the running :class:`PageServer`.

    For tests and notebooks: ``with start(log, port=0) as server: ...`` (port 0 takes a free
    port; :attr:`PageServer.url` says which). :func:`serve` is the command's form.

    Args:
        log: the log (left open when the server stops).
        host: the address to bind to: loopback unless told otherwise.
        port: the port (0: any free one).
        data: makes the page's data, ``data(log, **options) -> dict``
            (default: :func:`timeline.page.data`'s).
        html: makes the page from its data, ``html(data) -> str`` (default: the page
            :func:`timeline.page.render` makes).
        poll: seconds between polls of the head for other writers' appends.
        allowed_hosts: more names to accept in the ``Host`` header (``"newsroom.lan"``;
            with the port, as the others), for a server bound beyond loopback.
        quiet: leave requests out of the server's log on standard error.
        **options: passed on to ``data`` (a title, a zone: see :func:`timeline.page.data`).

    Raises:
        InvalidArgument: for a host, port or poll that is not one, or an address the
            server cannot listen on (the port is taken).
    """
    _checked(host, port, poll)
    if data is None:
        _page_options(options)
    server = PageServer(
        log,
        host,
        port,
        data=data,
        html=html if html is not None else page_html,
        options=options,
        poll=poll,
        allowed_hosts=allowed_hosts,
        quiet=quiet,
    )
    return server.start()


def serve(
    log: EventLog,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    out: TextIO | None = None,
    **options: Any,
) -> None:
    """Serve a log's page until interrupted (Ctrl-C): ``timeline serve``.

    Prints the address to open, then answers until interrupted, and stops cleanly (open
    event streams end; the log stays open). Takes what :func:`start` takes.
    """
    out = out if out is not None else sys.stdout
    options.setdefault("quiet", False)
    server = start(log, host, port, **options)
    try:
        print(f"Serving the timeline page at {server.url} (Ctrl-C stops)", file=out, flush=True)
        if not is_loopback(server.host):
            print(
                f"Listening on {server.host or 'every address'}, beyond this machine",
                file=out,
                flush=True,
            )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    finally:
        server.stop()
