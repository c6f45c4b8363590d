"""The page's browser: one headless Chromium for the whole session, and pages opened in it.

The browser is Debian's ``chromium`` (``TIMELINE_CHROMIUM``, set by ``.ci/run``, or found on
the PATH), driven by Playwright. Without one the browser tests skip, saying why; under CI
(``CI`` or ``TIMELINE_CHROMIUM`` set) they fail instead, so CI cannot pass by skipping.

``open_page(html, hash="")`` writes a page to a file, opens it from disk (``file:``: no
server, no network) and waits until it has drawn; every console error or uncaught exception
fails the test at teardown.
"""

import os
from pathlib import Path

import pytest

from timeline.page._browser import CHROMIUM_ARGS, chromium_executable


def _chromium():
    given = os.getenv("TIMELINE_CHROMIUM")
    found = chromium_executable()
    if found and Path(found).exists():
        return found
    reason = f"no chromium to run the page's browser tests in (TIMELINE_CHROMIUM={given!r}, none on PATH); apt-get install chromium"
    if os.getenv("CI") or given:
        pytest.fail(reason)
    pytest.skip(reason)
    return None


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, tmp_path):
    """Open a page (HTML text) from disk, with an optional URL hash; console errors fail."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    problems = []
    opened = []

    def open_(html, hash_="", name="page.html", *, ready=True):
        path = tmp_path / name
        path.write_text(html, encoding="utf-8")
        page = context.new_page()
        page.on(
            "console",
            lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
        page.goto(path.as_uri() + (f"#{hash_}" if hash_ else ""))
        if ready:
            page.wait_for_selector("body[data-ready=true]", state="attached", timeout=10_000)
        opened.append(page)
        return page

    yield open_
    context.close()
    assert problems == []
