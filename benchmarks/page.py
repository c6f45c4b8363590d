"""The timeline page at scale: 100,000 events, built in Python and drawn in a real browser.

Run it from the repository root (Debian's ``chromium`` and Playwright for Python needed for
the browser half; ``TIMELINE_CHROMIUM`` names another executable)::

    .venv/bin/python benchmarks/page.py                 # 100,000 records, 3 runs
    .venv/bin/python benchmarks/page.py --n 20000 --runs 1 --moves 20   # a quick look

What is generated (``--seed``, default 1; not timed): ``--n`` records in a memory log, a
seeded synthetic war in valid-time order, made by ``benchmarks/causal.py``'s generator (Russian
drone barrages with an overnight reporting window and missile strikes, Ukrainian strikes,
statements, talks proposed and held, ceasefire demands, proposals, documents, prisoner
exchanges), about one causal link for every ten events (a relation, a confidence, one of five
analysts), one correction for every 40 barrages and strikes (new figures, some a new time), one
retraction for every 200 events, each appended with a ``recorded_at`` a few hours after what it
records, and a graded source with a web address on one event in three.

What is timed:

- **build**: ``tl.page.render(log)``, the whole self-contained HTML page (the data read from the
  log, resolved, written as JSON and inlined with the script, styles and d3), ``--runs``
  times, wall time and the process's CPU time (on a shared machine the CPU time shows better
  what the work costs); the page's size.
- **first paint**, in headless Chromium (one fresh tab per run, the page opened from disk):
  the browser's ``first-contentful-paint``, and the time until the page says it has drawn
  (``body[data-ready=true]``: data parsed, view computed, lanes drawn); both from navigation
  start.
- **slider move**: ``--moves`` moves of the ``as_of`` slider to random positions (each an
  ``input`` event on the slider, as a hand on it makes), the time in the page's handler
  (view recomputed for the new cut and redrawn) and the time until the frame after it is
  painted (two ``requestAnimationFrame`` callbacks later); then the same for the
  ``known_at`` slider.
- **zoom**: ``--moves`` zoom steps (``d3.zoom``'s ``scaleBy`` by 2 in and out, alternately,
  from the whole span down to weeks), timed the same way.
- **memory**: the tab's JavaScript heap (CDP ``Performance.getMetrics``: ``JSHeapUsedSize``;
  ``JSHeapTotalSize`` beside it) after the moves, and the number of DOM nodes.
- **serve**: ``tl.page.start`` on the log (``timeline serve``): the seconds from start until
  ``/`` is answered, then from one more append until ``/data.json?after=P`` answers with it
  (the server extends the data it keeps), and, in a browser, from an append until the open
  page has merged the new records and drawn them (median of 5 appends; target under 1 s).

Targets (the issue's): build under 5 s, first paint under 2 s, a slider move or zoom redrawn
in under 100 ms (median of the moves), the tab's memory under 500 MB. PASS or MISS is
printed beside each median over the runs; the load average at start and end too (other
processes move the figures a lot).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import attrs
import pendulum

import timeline as tl
from timeline.page._browser import CHROMIUM_ARGS, chromium_executable

HERE = Path(__file__).resolve().parent
SOURCES = (
    ("Ukrainian Air Force", "https://t.me/kpszsu/{}", "B", 2),
    ("Ministry of Defence of Russia", "https://t.me/mod_russia/{}", "C", 3),
    ("Ukrinform", "https://www.ukrinform.net/rubric-ato/{}.html", "B", 2),
)


def load_causal() -> Any:
    """``benchmarks/causal.py`` as a module, for its generator."""
    spec = importlib.util.spec_from_file_location("bench_causal", HERE / "causal.py")
    if spec is None or spec.loader is None:
        raise SystemExit("cannot load benchmarks/causal.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_causal"] = module
    spec.loader.exec_module(module)
    return module


def _sourced(rnd: random.Random, event: tl.Event, i: int) -> tl.Event:
    """One event in three with a graded source and its web address."""
    if rnd.random() >= 1 / 3 or isinstance(event, tl.CausalLink):
        return event
    name, url, reliability, credibility = rnd.choice(SOURCES)
    source = tl.Source(
        name=name, url=url.format(i), reliability=reliability, credibility=credibility
    )
    return attrs.evolve(event, sources=(source,))


def _correction(rnd: random.Random, event: tl.Event, at: pendulum.DateTime) -> tl.Correction | None:
    if isinstance(event, (tl.DroneBarrage, tl.MissileStrike)):
        launched = max(1, (event.launched or 1) + rnd.randint(-20, 20))
        changes: dict[str, Any] = {"launched": launched}
        if event.destroyed is not None:
            changes["destroyed"] = min(launched, event.destroyed)
        if rnd.random() < 0.2:
            changes["occurred_at"] = event.occurred_at.add(minutes=rnd.randint(-90, 90)).isoformat()
        return tl.Correction(occurred_at=at, corrects=event.event_id, changes=changes)
    if isinstance(event, tl.Strike):
        return tl.Correction(
            occurred_at=at, corrects=event.event_id, changes={"targets": ["oil depot"]}
        )
    return None


def build_log(n: int, seed: int) -> tuple[tl.EventLog, dict[str, int]]:
    """A memory log of about ``n`` records (see the module); the counts of each kind."""
    causal = load_causal()
    rnd = random.Random(seed)
    events, links = causal.generate(int(n * 0.89), int(n * 0.09), seed)
    log = tl.open_log("memory:", guards=())
    counts = {"events": 0, "links": links, "corrections": 0, "retractions": 0}
    batch: list[tuple[pendulum.DateTime, tl.Event]] = []
    recorded: dict[uuid.UUID, pendulum.DateTime] = {}
    for i, made in enumerate(events):
        event = _sourced(rnd, made, i)
        if isinstance(event, tl.CausalLink):  # an analyst's, once both events are known
            at = max(recorded[event.cause], recorded[event.effect]).add(hours=1)
            batch.append((at, event))
            continue
        at = recorded[event.event_id] = event.occurred_at.add(hours=2 + rnd.randint(0, 10))
        batch.append((at, event))
        counts["events"] += 1
        if rnd.random() < 0.025:
            fix = _correction(rnd, event, event.occurred_at)
            if fix is not None:
                batch.append((at.add(days=rnd.randint(1, 5)), fix))
                counts["corrections"] += 1
        elif rnd.random() < 0.005:
            batch.append(
                (
                    at.add(days=1),
                    tl.Retraction(occurred_at=event.occurred_at, retracts=event.event_id),
                )
            )
            counts["retractions"] += 1
    batch.sort(key=lambda pair: pair[0])
    for start in range(0, len(batch), 50):  # appended 50 at a time, stamped with the last
        chunk = batch[start : start + 50]
        log.append([e for _, e in chunk], stream="war", recorded_at=chunk[-1][0])
    return log, counts


MOVES_JS = """
async ([slider, moves, seed]) => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  let s = seed;
  const rand = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  const input = document.getElementById(slider);
  const handler = [], painted = [];
  for (let i = 0; i < moves; i++) {
    const max = +input.max;
    input.value = String(Math.floor(rand() * (max + 1)));
    const t0 = performance.now();
    input.dispatchEvent(new Event("input", { bubbles: true }));
    const t1 = performance.now();
    await frame();
    handler.push(t1 - t0);
    painted.push(performance.now() - t0);
  }
  return { handler, painted };
}
"""

ZOOM_JS = """
async ([moves]) => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const handler = [], painted = [], modes = [];
  for (let i = 0; i < moves; i++) {
    const k = Math.floor(i / 8) % 2 === 0 ? 2 : 0.5;  // eight steps in, eight out
    const t0 = performance.now();
    window.timelinePage.zoomBy(k);
    const t1 = performance.now();
    await frame();
    handler.push(t1 - t0);
    painted.push(performance.now() - t0);
    modes.push(document.querySelector("[data-mode]")?.dataset.mode);
  }
  return { handler, painted, modes };
}
"""


def browser_run(path: Path, moves: int, seed: int) -> dict[str, Any]:
    """One fresh browser and tab: first paint, the moves, the zoom, memory."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  # the browser half only

    executable = chromium_executable()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(path.as_uri(), wait_until="commit")
            page.wait_for_selector("body[data-ready=true]", state="attached", timeout=120_000)
            ready = page.evaluate("performance.now()")
            fcp = page.evaluate(
                "(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime"
                " ?? null"
            )
            as_of = page.evaluate(MOVES_JS, ["as-of", moves, seed])
            known_at = page.evaluate(MOVES_JS, ["known-at", moves, seed + 1])
            zoom = page.evaluate(ZOOM_JS, [moves])
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            if errors:
                raise SystemExit(f"the page reported errors: {errors[:3]}")
        finally:
            browser.close()
    return {
        "ready_ms": ready,
        "fcp_ms": fcp,
        "as_of": as_of,
        "known_at": known_at,
        "zoom": zoom,
        "heap_mb": metrics["JSHeapUsedSize"] / 1e6,
        "heap_total_mb": metrics["JSHeapTotalSize"] / 1e6,
        "nodes": int(metrics["Nodes"]),
    }


def serve(log: tl.EventLog, browser: bool) -> None:
    """``timeline serve`` on the log: the first page, then one more append, as the page sees it.

    The server keeps the page's data and extends it as the log grows; the page asks only for
    the records after its head (``/data.json?after=P``) and merges them. Timed: from one more
    append until ``/data.json?after=P`` answers with it, and (with a browser) until the open
    page has merged and drawn it (``body[data-head]``).
    """
    import http.client  # noqa: PLC0415  # only here

    def get(server: Any, path: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
        try:
            conn.request("GET", path)
            answer = conn.getresponse()
            return len(answer.read())
        finally:
            conn.close()

    def append(day: int) -> int:
        news = tl.Statement(occurred_at=pendulum.datetime(2023, 1, day), speaker="x", text="new")
        log.append([news], stream="benchmark")
        return len(log)

    t0 = time.perf_counter()
    with tl.page.start(log, port=0) as server:
        get(server, "/")
        first = time.perf_counter() - t0
        head = len(log)
        append(1)
        t1 = time.perf_counter()
        size = get(server, f"/data.json?after={head}")
        again = time.perf_counter() - t1
        print(
            f"serve: the page answered {first:.1f} s after start; after one more append, "
            f"/data.json?after={head} ({size / 1e3:.1f} kB) answered in {again * 1000:.0f} ms"
        )
        executable = chromium_executable()
        if not browser or executable is None:
            return
        from playwright.sync_api import sync_playwright  # noqa: PLC0415  # the browser half only

        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                page = chromium.new_page(viewport={"width": 1400, "height": 900})
                page.goto(server.url, wait_until="commit")
                page.wait_for_selector("body[data-ready=true]", state="attached", timeout=120_000)
                page.wait_for_function(
                    "h => +document.body.dataset.head >= h", arg=len(log), timeout=60_000
                )
                shown = []
                for day in range(2, 7):
                    t2 = time.perf_counter()
                    new_head = append(day)
                    page.wait_for_function(
                        "h => +document.body.dataset.head >= h", arg=new_head, timeout=60_000
                    )
                    shown.append(time.perf_counter() - t2)
            finally:
                chromium.close()
        median = statistics.median(shown)
        print(
            f"serve: an append shown in the open page (merged, drawn): median "
            f"{median * 1000:.0f} ms over {len(shown)} appends "
            f"({', '.join(f'{s * 1000:.0f}' for s in shown)})   < 1 s {verdict(median, 1)}"
        )


def verdict(value: float, limit: float) -> str:
    return "PASS" if value < limit else "MISS"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="records in the log")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--moves", type=int, default=50, help="slider moves and zoom steps")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-browser", action="store_true", help="time the build only")
    args = parser.parse_args(argv)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    started = time.perf_counter()
    log, counts = build_log(args.n, args.seed)
    print(
        f"log: {len(log):,} records ({counts['events']:,} events, {counts['links']:,} links, "
        f"{counts['corrections']:,} corrections, {counts['retractions']:,} retractions), "
        f"generated in {time.perf_counter() - started:.1f} s (not timed)"
    )
    builds, cpu = [], []
    html = ""
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        html = tl.page.render(log, title="Synthetic war")
        builds.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    build = statistics.median(builds)
    print(
        f"build (tl.page.render): median {build:.2f} s over {args.runs} runs "
        f"({', '.join(f'{b:.2f}' for b in builds)}; CPU {statistics.median(cpu):.2f} s); "
        f"page {len(html.encode()) / 1e6:.1f} MB   < 5 s {verdict(build, 5)}"
    )
    serve(log, browser=not args.no_browser)
    if args.no_browser:
        return 0
    if chromium_executable() is None:
        print("no chromium found (TIMELINE_CHROMIUM, or chromium on PATH): browser half skipped")
        return 0
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.html"
        path.write_text(html, encoding="utf-8")
        for run in range(args.runs):
            runs.append(browser_run(path, args.moves, args.seed + run))
            r = runs[-1]
            print(
                f"  run {run + 1}: ready {r['ready_ms']:.0f} ms, first paint "
                f"{r['fcp_ms'] or float('nan'):.0f} ms; as_of move median "
                f"{statistics.median(r['as_of']['painted']):.1f} ms, known_at "
                f"{statistics.median(r['known_at']['painted']):.1f} ms, zoom "
                f"{statistics.median(r['zoom']['painted']):.1f} ms; heap {r['heap_mb']:.0f} MB"
            )

    def med(key: str, *inner: str) -> float:
        values = []
        for r in runs:
            v: Any = r[key]
            for k in inner:
                v = v[k]
            values.append(statistics.median(v) if isinstance(v, list) else v)
        return statistics.median(values)

    ready, fcp = med("ready_ms"), med("fcp_ms")
    print(f"first contentful paint: median {fcp:.0f} ms   < 2 s {verdict(fcp, 2000)}")
    print(f"drawn (data-ready):     median {ready:.0f} ms   < 2 s {verdict(ready, 2000)}")
    for name, label in (
        ("as_of", "as_of slider"),
        ("known_at", "known_at slider"),
        ("zoom", "zoom"),
    ):
        handler, painted = med(name, "handler"), med(name, "painted")
        p90 = statistics.median(statistics.quantiles(r[name]["painted"], n=10)[-1] for r in runs)
        print(
            f"{label + ':':17} median {handler:.1f} ms in the handler, {painted:.1f} ms to the "
            f"painted frame (p90 {p90:.1f} ms), {args.moves} moves   < 100 ms "
            f"{verdict(painted, 100)}"
        )
    modes = sorted(set(runs[0]["zoom"]["modes"]) - {None})
    print(f"zoom went through: {', '.join(modes)}")
    heap, total = med("heap_mb"), med("heap_total_mb")
    nodes = int(med("nodes"))
    print(
        f"tab memory: JS heap used median {heap:.0f} MB (allocated {total:.0f} MB), "
        f"{nodes:,} DOM nodes   < 500 MB {verdict(heap, 500)}"
    )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
