"""The page's two clocks against the library: for many (as_of, known_at) cuts the events
drawn (and their corrected times and figures) are what replay() yields, and the arcs are
causal_graph()'s edges, with the strongest claim's relation."""

import datetime as dt
import random

import pytest
from page_helpers import as_expected, cut_hash, dom_view, go
from page_logs import expected, istanbul_log, messy_log

import timeline as tl
from timeline.time import parse_utc


def _instant(us):
    """Microseconds since the epoch as an instant (exactly: no float on the way)."""
    seconds = dt.datetime.fromtimestamp(us // 1_000_000, tz=dt.UTC).isoformat()[:19]
    return parse_utc(f"{seconds}.{us % 1_000_000:06d}+00:00")


def _times(data):
    recs = sorted(
        {
            x["rec_us"]
            for kind in ("events", "links", "corrections", "retractions")
            for x in data[kind]
        }
    )
    ats = {e["at_us"] for e in data["events"]}
    ats |= {
        c["changes_us"]["occurred_at"]
        for c in data["corrections"]
        if c["changes_us"].get("occurred_at") is not None
    }
    return recs, sorted(ats)


def _cuts(data, rng, pairs):
    recs, ats = _times(data)
    cuts = [(None, None)]
    cuts += [(None, r) for r in recs]
    cuts += [(a, None) for a in ats]
    cuts += [(a - 1, None) for a in rng.sample(ats, min(10, len(ats)))]
    cuts += [
        (rng.choice(ats) + rng.choice([-1, 0, 1]), rng.choice(recs) + rng.choice([-1, 0]))
        for _ in range(pairs)
    ]
    return cuts


def _check(page, log, as_of_us, known_us):
    as_of = None if as_of_us is None else _instant(as_of_us)
    known_at = None if known_us is None else _instant(known_us)
    go(page, cut_hash(as_of, known_at))
    shown, edges = expected(log, as_of=as_of, known_at=known_at)
    events, arcs, _ = dom_view(page)
    assert events == as_expected(shown), (as_of, known_at)
    assert arcs == edges, (as_of, known_at)


@pytest.mark.parametrize("seed", [7, 8, 11])
def test_many_cuts_of_a_messy_log_match_replay_and_the_graph(open_page, seed):
    log = messy_log(seed)
    data = tl.page.data(log)
    page = open_page(tl.page.render(log))
    rng = random.Random(seed)  # noqa: S311  # test data, not secrets
    cuts = _cuts(data, rng, pairs=25)
    assert len(cuts) > 150
    for as_of_us, known_us in cuts:
        _check(page, log, as_of_us, known_us)


def test_cuts_of_the_istanbul_record_match_replay_and_the_graph(open_page, example):
    log = istanbul_log(example)
    data = tl.page.data(log)
    page = open_page(tl.page.render(log))
    cuts = _cuts(data, random.Random(1), pairs=30)  # noqa: S311  # test data, not secrets
    for as_of_us, known_us in cuts:
        _check(page, log, as_of_us, known_us)


def test_moving_each_slider_shows_the_cut_it_names(open_page):
    log = messy_log(5)
    data = tl.page.data(log)
    recs, ats = _times(data)
    page = open_page(tl.page.render(log))
    for i in range(0, len(ats) + 1, 3):
        page.locator("#as-of").fill(str(i))
        as_of = None if i == len(ats) else _instant(ats[i])
        shown, edges = expected(log, as_of=as_of)
        events, arcs, _ = dom_view(page)
        assert events == as_expected(shown)
        assert arcs == edges
    page.click("#now")
    for i in range(0, len(recs) + 1, 3):
        page.locator("#known-at").fill(str(i))
        known_at = None if i == len(recs) else _instant(recs[i])
        shown, edges = expected(log, known_at=known_at)
        events, arcs, _ = dom_view(page)
        assert events == as_expected(shown)
        assert arcs == edges
    assert "known_at=" in page.evaluate("() => location.hash")
    page.click("#now")
    assert page.evaluate("() => location.hash") in ("", "#")
