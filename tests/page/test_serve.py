"""``timeline serve`` over HTTP: the Host check, the page's data, the event stream, shutdown.

These tests give the server a stand-in page (``data`` and ``html`` of their own), so they
test the server alone; ``test_serve_browser.py`` drives the real page in a browser.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import orjson
import pendulum
import pytest

import timeline as tl
from timeline.page._serve import PageServer, start

AT = pendulum.datetime(2025, 6, 1, 12)
SRC = Path(__file__).resolve().parents[2] / "src"


def statement(text: str) -> tl.Statement:
    return tl.Statement(occurred_at=AT, speaker="Someone", text=text)


def fake_data(log: tl.EventLog, **options: object) -> dict[str, object]:
    """A stand-in for the page's data: the head and each event's id and text."""
    return {
        "schema": 2,
        "options": options,
        "events": [
            {"id": str(r.event.event_id), "text": getattr(r.event, "text", None)}
            for r in log.read()
        ],
    }


def fake_html(data: dict) -> str:
    return f"<!doctype html><title>{len(data['events'])} events</title>"


@pytest.fixture
def log():
    with tl.open_log("memory:") as log:
        log.append([statement("first")], stream="s")
        yield log


@pytest.fixture
def server(log):
    with start(log, port=0, data=fake_data, html=fake_html, title="T") as server:
        yield server


def get(server: PageServer, path: str, host: str | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.putrequest("GET", path, skip_host=True)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_the_page_and_its_data(server, log):
    host = f"127.0.0.1:{server.port}"
    assert server.url == f"http://127.0.0.1:{server.port}/"
    status, headers, body = get(server, "/", host)
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert body == b"<!doctype html><title>1 events</title>"
    status, headers, body = get(server, "/data.json", host)
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "no-store"
    assert json.loads(body) == orjson.loads(orjson.dumps(fake_data(log, title="T")))
    assert get(server, "/nothing", host)[0] == 404


def test_the_log_is_read_once_per_head_and_before_the_first_request(log):
    calls: list[int] = []

    def counted(log: tl.EventLog, **options: object) -> dict:
        calls.append(len(log))
        return fake_data(log, **options)

    with start(log, port=0, data=counted, html=fake_html) as server:
        deadline = time.monotonic() + 5
        while not calls and time.monotonic() < deadline:
            time.sleep(0.01)
        assert calls == [1]  # made at start, before anyone asked
        host = f"localhost:{server.port}"
        for path in ("/", "/data.json", "/", "/data.json"):
            assert get(server, path, host)[0] == 200
        assert calls == [1]
        log.append([statement("second")], stream="s")
        for path in ("/data.json", "/", "/data.json"):
            assert get(server, path, host)[0] == 200
        assert calls == [1, 2]


def test_the_data_follows_the_log(server, log):
    host = f"localhost:{server.port}"
    log.append([statement("second")], stream="s")
    texts = [e["text"] for e in json.loads(get(server, "/data.json", host)[2])["events"]]
    assert texts == ["first", "second"]
    assert get(server, "/", host)[2] == b"<!doctype html><title>2 events</title>"


@pytest.mark.parametrize(
    "host",
    [
        None,  # no Host header at all
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1.evil.example:{port}",
        "127.0.0.1",  # without the port
        "127.0.0.1:1{port}",  # another port
        "localhost:{port}@evil.example",
        "",
    ],
)
def test_a_request_naming_another_host_is_refused(server, host):
    status, _, body = get(
        server, "/data.json", None if host is None else host.format(port=server.port)
    )
    assert status == 400
    assert b"Host" in body
    assert b"first" not in body


@pytest.mark.parametrize("name", ["localhost", "LOCALHOST", "127.0.0.1", "[::1]"])
def test_the_loopback_names_are_accepted(server, name):
    assert get(server, "/data.json", f"{name}:{server.port}")[0] == 200


def test_more_host_names_can_be_allowed(log):
    with start(
        log, port=0, data=fake_data, html=fake_html, allowed_hosts=["Newsroom.lan"]
    ) as server:
        assert get(server, "/", f"newsroom.lan:{server.port}")[0] == 200
        assert get(server, "/", f"newsroom.lan:{server.port + 1}")[0] == 400
        assert get(server, "/", "newsroom.lan")[0] == 400


class Stream:
    """An open ``/updates`` event stream, read message by message."""

    def __init__(self, server: PageServer) -> None:
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        request = f"GET /updates HTTP/1.1\r\nHost: localhost:{server.port}\r\n\r\n"
        self.sock.sendall(request.encode())
        self.buffer = b""
        head = self._until(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.0 200"), head
        assert b"Content-Type: text/event-stream" in head

    def _until(self, end: bytes) -> bytes:
        while end not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError
            self.buffer += chunk
        out, _, self.buffer = self.buffer.partition(end)
        return out

    def message(self) -> dict:
        """The next message's data (comments and the retry field skipped)."""
        while True:
            lines = self._until(b"\n\n").split(b"\n")
            data = [line[len(b"data: ") :] for line in lines if line.startswith(b"data: ")]
            if data:
                return json.loads(b"\n".join(data))

    def close(self) -> None:
        self.sock.close()


def test_the_stream_says_the_head_then_each_append(server, log):
    stream = Stream(server)
    try:
        assert stream.message() == {"head": 1}
        started = time.monotonic()
        log.append([statement("second"), statement("third")], stream="s")
        assert stream.message() == {"head": 3}
        assert time.monotonic() - started < 1
    finally:
        stream.close()


@pytest.mark.parametrize("suffix", [".db", ".jsonl"])
def test_another_writers_append_reaches_the_stream_within_a_second(tmp_path, suffix):
    path = tmp_path / f"log{suffix}"
    with tl.open_log(path) as reader, tl.open_log(path) as writer:
        writer.append([statement("first")], stream="s")
        with start(reader, port=0, data=fake_data, html=fake_html) as server:
            stream = Stream(server)
            try:
                assert stream.message() == {"head": 1}
                started = time.monotonic()
                writer.append([statement("second")], stream="s")
                assert stream.message() == {"head": 2}
                assert time.monotonic() - started < 1
                texts = [
                    e["text"]
                    for e in json.loads(get(server, "/data.json", f"localhost:{server.port}")[2])[
                        "events"
                    ]
                ]
                assert texts == ["first", "second"]
            finally:
                stream.close()


@pytest.mark.postgres
def test_a_postgres_append_reaches_the_stream_through_notify(pg_url):
    with tl.open_log(pg_url) as reader, tl.open_log(pg_url) as writer:
        writer.append([statement("first")], stream="s")
        with start(reader, port=0, data=fake_data, html=fake_html, poll=0.5) as server:
            stream = Stream(server)
            try:
                assert stream.message() == {"head": 1}
                time.sleep(0.6)  # the server is waiting on its LISTEN connection
                started = time.monotonic()
                writer.append([statement("second")], stream="s")
                assert stream.message() == {"head": 2}
                assert time.monotonic() - started < 1
                # Requests get their turn while the server waits on the channel.
                for _ in range(5):
                    started = time.monotonic()
                    assert get(server, "/data.json", f"localhost:{server.port}")[0] == 200
                    assert time.monotonic() - started < 1
            finally:
                stream.close()


def test_stopping_ends_open_streams_and_frees_the_port(log):
    server = start(log, port=0, data=fake_data, html=fake_html)
    stream = Stream(server)
    assert stream.message() == {"head": 1}
    started = time.monotonic()
    server.stop()
    server.stop()  # idempotent
    with pytest.raises(EOFError):
        stream.message()
    assert time.monotonic() - started < 2
    stream.close()
    with start(log, port=server.port, data=fake_data, html=fake_html):
        pass  # the port is free again
    log.append([statement("after")], stream="s")  # the log is the caller's, still open
    assert len(log) == 2


def test_a_log_that_cannot_be_read_is_a_server_error(log):
    def broken(_log: tl.EventLog, **_options: object) -> dict:
        raise tl.CorruptLog("record 3 was changed", position=3, reason="hash")

    with start(log, port=0, data=broken, html=fake_html) as server:
        status, _, body = get(server, "/data.json", f"localhost:{server.port}")
        assert status == 500
        assert b"record 3 was changed" in body
        assert get(server, "/", f"localhost:{server.port}")[0] == 500


def test_head_and_other_methods(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request("HEAD", "/data.json")
        response = conn.getresponse()
        assert response.status == 200
        assert response.read() == b""
        conn.close()
        conn.request("POST", "/data.json", body=b"{}")
        assert conn.getresponse().status == 501
    finally:
        conn.close()


def test_many_readers_at_once(server, log):
    results: list[int] = []

    def fetch() -> None:
        results.append(
            len(json.loads(get(server, "/data.json", f"localhost:{server.port}")[2])["events"])
        )

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for t in threads:
        t.start()
    log.append([statement("second")], stream="s")
    for t in threads:
        t.join()
    assert set(results) <= {1, 2}
    assert len(results) == 8


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"port": -1}, "port"),
        ({"port": 70000}, "port"),
        ({"port": "8000"}, "port"),
        ({"host": 127}, "host"),
        ({"poll": 0}, "poll"),
        ({"poll": "fast"}, "poll"),
    ],
)
def test_bad_arguments(log, kwargs, argument):
    with pytest.raises(tl.InvalidArgument) as caught:
        start(log, data=fake_data, html=fake_html, **kwargs)
    assert caught.value.argument == argument


@pytest.mark.parametrize(
    ("options", "argument"),
    [({"titel": "x"}, "titel"), ({"zone": "Mars/Olympus"}, "zone"), ({"title": 3}, "title")],
)
def test_the_page_options_are_checked_at_start(log, options, argument):
    with pytest.raises(tl.InvalidArgument) as caught:
        start(log, port=0, **options)
    assert caught.value.argument == argument


def test_a_failing_page_is_a_server_error_and_the_server_goes_on(log):
    def broken(_log: tl.EventLog, **_options: object) -> dict:
        raise RuntimeError("a bug")

    with start(log, port=0, data=broken, html=fake_html) as server:
        stream = Stream(server)
        try:
            assert stream.message() == {"head": 1}
            assert get(server, "/data.json", f"localhost:{server.port}")[0] == 500
            log.append([statement("second")], stream="s")
            assert stream.message() == {"head": 2}  # still following the log
        finally:
            stream.close()


def test_a_taken_port_is_an_error_naming_it(server, log):
    with pytest.raises(tl.InvalidArgument, match=f"port {server.port}") as caught:
        start(log, port=server.port, data=fake_data, html=fake_html)
    assert caught.value.value == server.port


def test_serve_prints_its_url_and_stops_on_interrupt(tmp_path):
    path = tmp_path / "log.db"
    with tl.open_log(path) as log:
        log.append([statement("first")], stream="s")
    script = textwrap.dedent(
        f"""
        import timeline as tl
        from timeline.page._serve import serve
        with tl.open_log({str(path)!r}) as log:
            serve(log, port=0, data=lambda log, **o: {{"schema": 1}},
                  html=lambda data: "<p>page</p>")
        print("stopped", flush=True)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    child = subprocess.Popen(  # noqa: S603  # this interpreter running the fixed script above
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline().decode()
        assert line.startswith("Serving the timeline page at http://127.0.0.1:"), line
        url = line.split(" at ", 1)[1].split()[0]
        port = int(url.rsplit(":", 1)[1].strip("/"))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/")
        response = conn.getresponse()
        assert (response.status, response.read()) == (200, b"<p>page</p>")
        conn.close()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=10)
        assert child.returncode == 0, err
        assert out.decode().strip() == "stopped"
        assert b"GET / HTTP/1.1" in err  # the request log, on standard error
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="this machine has no IPv6 loopback")
def test_an_ipv6_loopback_server(log):
    with start(log, host="::1", port=0, data=fake_data, html=fake_html) as server:
        assert server.url == f"http://[::1]:{server.port}/"
        conn = http.client.HTTPConnection("::1", server.port, timeout=5)
        try:
            conn.request("GET", "/data.json")  # Host: [::1]:port
            assert conn.getresponse().status == 200
        finally:
            conn.close()
