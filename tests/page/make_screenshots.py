"""Make the page's screenshots in docs/img (run by hand after changing how the page looks).

    PYTHONPATH=src python tests/page/make_screenshots.py

Uses the same Chromium, started the same way, as the browser tests
(``timeline.page._browser``: ``TIMELINE_CHROMIUM``, else ``chromium`` on the PATH).
"""

import importlib.util
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMG = ROOT / "docs" / "img"
MISSILES = (
    ROOT.parent
    / "shared"
    / "data"
    / "missile-attacks"
    / "missile_attacks_daily_2025-05_2025-06.csv"
)


def _istanbul(tl):
    spec = importlib.util.spec_from_file_location(
        "istanbul_2025", ROOT / "examples" / "istanbul_2025.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["istanbul_2025"] = module
    spec.loader.exec_module(module)
    log = tl.open_log("memory:")
    module.record(log)
    return log


def main():
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    import timeline as tl  # noqa: PLC0415  # only when run, never when collected
    from timeline.page._browser import CHROMIUM_ARGS, chromium_executable  # noqa: PLC0415

    out = Path(tempfile.mkdtemp())
    istanbul = tl.page.write(
        _istanbul(tl), out / "istanbul.html", title="Istanbul, 2 June 2025: the record"
    )
    air = tl.open_log("memory:")
    tl.io.import_file(air, "missile-attacks", MISSILES, strict=False)
    missiles = tl.page.write(
        air,
        out / "missiles.html",
        title="Missile and drone attacks on Ukraine, May–June 2025 (Ukrainian Air Force)",
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable(), args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1500, "height": 860})
        page.goto(istanbul.as_uri())
        page.wait_for_selector("body[data-ready=true]", state="attached")
        found = page.eval_on_selector_all(
            "g.event", "gs => gs.map(g => [g.dataset.eventId, g.getAttribute('aria-label')])"
        )
        barrage = next(i for i, label in found if "472" in label)
        page.click(f'g.event[data-event-id="{barrage}"] > :is(circle, rect)')
        page.screenshot(path=IMG / "page-istanbul.png")
        page.set_viewport_size({"width": 1500, "height": 560})
        page.goto(
            istanbul.as_uri()
            + "#from=2025-05-30T12:00:00Z&to=2025-06-03T06:00:00Z&zone=Europe%2FKyiv"
        )
        page.reload()
        page.wait_for_selector("body[data-ready=true]", state="attached")
        page.screenshot(path=IMG / "page-istanbul-days.png")
        page.set_viewport_size({"width": 1500, "height": 860})
        page.goto(missiles.as_uri())
        page.wait_for_selector("body[data-ready=true]", state="attached")
        page.screenshot(path=IMG / "page-missile-attacks.png")
        browser.close()


if __name__ == "__main__":
    main()
