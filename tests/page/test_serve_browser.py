"""``timeline serve`` in a real browser: an event appended to the log appears within a second.

The browser is the session's headless Chromium (``conftest.py``); the log is a SQLite file
written by another log object, as another process would write it, so the server learns of
the append by following the log, not by being told.
"""

from __future__ import annotations

import time

import pendulum
import pytest

import timeline as tl
from timeline.page import start

DAY = pendulum.datetime(2025, 6, 1, 12)


@pytest.fixture
def served(tmp_path):
    path = tmp_path / "live.db"
    with tl.open_log(path) as reader, tl.open_log(path) as writer:
        writer.append(
            [
                tl.Statement(occurred_at=DAY, speaker="Kyiv", text="first"),
                tl.Statement(occurred_at=DAY.add(days=2), speaker="Moscow", text="last"),
            ],
            stream="s",
        )
        with start(reader, port=0, title="Live") as server:
            yield server, writer


@pytest.fixture
def live_page(browser, served):
    server, writer = served
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    problems: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
    page.goto(server.url)
    page.wait_for_selector("body[data-ready=true]", state="attached", timeout=10_000)
    yield page, writer
    context.close()
    assert problems == []


def test_an_appended_event_appears_within_a_second(live_page):
    page, writer = live_page
    assert page.locator("[data-event-id]").count() == 2
    # Wait for the event stream to be open: its first message names the head the page has.
    page.wait_for_function("document.body.dataset.head === '2'", timeout=5_000)
    time.sleep(0.3)
    news = tl.Statement(occurred_at=DAY.add(days=1), speaker="Ankara", text="appended")
    started = time.monotonic()
    writer.append([news], stream="s")
    page.wait_for_selector(f'[data-event-id="{news.event_id}"]', state="attached", timeout=1_000)
    took = time.monotonic() - started
    assert took < 1, took
    assert page.locator("[data-event-id]").count() == 3
    assert page.evaluate("document.body.dataset.head") == "3"


def test_the_page_is_the_same_page_as_from_disk(live_page):
    page, _ = live_page
    assert page.title() == "Live"
    data = page.evaluate(
        "fetch('./data.json').then((r) => r.json()).then((d) => [d.schema, d.events.length])"
    )
    assert data == [tl.page.SCHEMA, 2]
