"""The page's live client: served over http it follows ``./updates`` (Server-Sent Events) and
redraws from ``./data.json``, keeping the view. A small stand-in server plays the part of
``timeline serve`` here; the real one has its own tests (test_serve*.py)."""

import http.server
import queue
import threading

import orjson
import pendulum
import pytest

import timeline as tl

AT = pendulum.datetime(2025, 6, 1, 12)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, log):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.log = log
        self.heads: queue.Queue[int] = queue.Queue()
        self.data_requests = 0


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args):  # quiet
        pass

    def _send(self, body, kind):
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path in ("/", "/index.html") or self.path.startswith("/#"):
            self._send(tl.page.render(self.server.log).encode(), "text/html; charset=utf-8")
        elif self.path.startswith("/data.json"):
            self.server.data_requests += 1
            self._send(orjson.dumps(tl.page.data(self.server.log)), "application/json")
        elif self.path.startswith("/updates"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            while True:
                try:
                    head = self.server.heads.get(timeout=5)
                except queue.Empty:
                    return
                self.wfile.write(b"data: " + orjson.dumps({"head": head}) + b"\n\n")
                self.wfile.flush()
        else:
            self.send_error(404)


@pytest.fixture
def served():
    log = tl.open_log("memory:")
    first = tl.Strike(
        occurred_at=AT, attacker="Ukraine", target_party="Russia", summary="first strike"
    )
    log.append([first], stream="s")
    server = _Server(log)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, first
    server.shutdown()
    server.server_close()


def test_served_the_page_redraws_an_appended_event_keeping_the_view(browser, served):
    server, first = served
    host, port = server.server_address[:2]
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"http://{host}:{port}/#q=strike&event={first.event_id}&lanes=claimant")
    page.wait_for_selector("body[data-ready=true]", state="attached")
    assert page.locator("g.event").count() == 1
    later = tl.Strike(
        occurred_at=AT.add(hours=3),
        attacker="Russia",
        target_party="Ukraine",
        summary="second strike",
    )
    note = tl.Statement(
        occurred_at=AT.add(hours=4), party="Russia", speaker="x", text="y", summary="a statement"
    )
    server.log.append([later, note], stream="s")
    server.heads.put(len(server.log))
    page.wait_for_function("() => document.body.dataset.head === '3'", timeout=2000)
    ids = set(page.eval_on_selector_all("g.event", "gs => gs.map(g => g.dataset.eventId)"))
    assert ids == {str(first.event_id), str(later.event_id)}  # the search still holds
    assert page.get_attribute("#panel", "data-event-id") == str(first.event_id)
    assert page.input_value("#lanes") == "claimant"
    server.heads.put(len(server.log))  # the same head again: nothing to fetch
    server.log.append([tl.Strike(occurred_at=AT, attacker="X", summary="third strike")], stream="s")
    server.heads.put(len(server.log))
    page.wait_for_function("() => document.body.dataset.head === '4'", timeout=2000)
    assert server.data_requests == 2
    assert page.locator("g.event").count() == 3
    page.close()
    assert errors == []


def test_from_disk_the_page_does_not_listen(open_page):
    page = open_page(tl.page.render(tl.open_log("memory:")))
    assert page.evaluate("() => location.protocol") == "file:"
    assert page.evaluate("() => performance.getEntriesByType('resource').length") == 0
