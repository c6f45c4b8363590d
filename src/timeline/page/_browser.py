"""The headless Chromium the page is checked in: where it is, and the switches it starts with.

The page's browser tests (``tests/page/conftest.py``) and its benchmark
(``benchmarks/page.py``) drive Debian's ``chromium`` through Playwright, and start it the same
way, from here. The library itself never starts a browser.
"""

from __future__ import annotations

import os
import shutil
from typing import Final

__all__ = ["CHROMIUM_ARGS", "chromium_executable"]

#: Headless; no sandbox (a CI container runs it as root) and no GPU; and no traffic of its
#: own (QUIC, first-run pages, background networking, component updates, sync), so that the
#: page, opened from disk or from the loopback server, is all it loads.
CHROMIUM_ARGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_executable() -> str | None:
    """``TIMELINE_CHROMIUM`` if set, else ``chromium`` or ``chromium-browser`` on the PATH.

    ``None`` when there is none (the path given is not checked: a caller says why it fails).
    """
    given = os.getenv("TIMELINE_CHROMIUM")
    return given or shutil.which("chromium") or shutil.which("chromium-browser")
