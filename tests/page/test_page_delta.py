"""The page's data for a growing log: ``/data.json?after=P`` and the page merging it.

``timeline serve`` keeps the page's data and extends it as the log grows
(:class:`timeline.page.Builder`); a page that has the data up to position ``P`` asks only
for the records after it and merges them. The merged data must be the data a full rebuild
gives, for every ``P``; and the page, merging, must show what replay() and causal_graph()
give for the grown log.
"""

from __future__ import annotations

import http.client
import json
import random

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import timeline as tl
from page.page_helpers import as_expected, cut_hash, dom_view, go
from page.page_logs import expected, messy_log
from timeline.errors import InvalidArgument
from timeline.page import Builder, merge, start


def _copy(records, log):
    """Append records to ``log`` as they were recorded (position, stream, recorded_at)."""
    for rec in records:
        log.append([rec.event], stream=rec.stream, recorded_at=rec.recorded_at)


def _plain(payload):
    """The payload as JSON reads it back, each event's sources and shared texts written out."""
    data = orjson.loads(orjson.dumps(payload))
    for event in data["events"]:
        event["sources"] = [
            data["sources"][s] if isinstance(s, int) else s for s in event["sources"]
        ]
        for key in ("type", "stream", "zone", "party", "claimed_by"):
            if isinstance(event.get(key), int):
                event[key] = data["strings"][event[key]]
    data.pop("sources")
    data.pop("strings")
    return data


_LOGS = {seed: messy_log(seed) for seed in (3, 7)}


@settings(max_examples=60, deadline=None)
@given(seed=st.sampled_from(sorted(_LOGS)), cuts=st.lists(st.integers(0, 200), max_size=4))
def test_the_data_up_to_any_positions_merged_with_the_deltas_is_the_full_data(seed, cuts):
    log = _LOGS[seed]
    records = list(log.read())
    builder = Builder(log, title="T")
    page = None
    for cut in [*sorted({min(c, len(records)) for c in cuts}), len(records)]:
        builder.extend(records[:cut])
        if page is None:  # the page's first data: all up to the first cut
            page = orjson.loads(orjson.dumps(builder.payload))
        else:  # then each update: the records after what it has
            merge(page, orjson.loads(orjson.dumps(builder.delta(page["head"]))))
    assert _plain(page) == _plain(tl.page.data(log, title="T"))


def test_a_delta_holds_only_the_records_after_its_position():
    log = _LOGS[7]
    builder = Builder(log)
    builder.update()
    assert builder.head == len(log)
    delta = builder.delta(40)
    assert (delta["after"], delta["head"]) == (40, len(log))
    positions = [
        x["pos"] for k in ("events", "corrections", "retractions", "links") for x in delta[k]
    ]
    assert sorted(positions) == list(range(41, len(log) + 1))
    assert all(isinstance(s, dict) for e in delta["events"] for s in e["sources"])
    # a delta has no string table: its shared texts are written out, as in the log
    by_id = {str(r.event.event_id): r for r in log.read()}
    assert delta["events"]
    for e in delta["events"]:
        rec = by_id[e["id"]]
        assert (e["type"], e["stream"]) == (rec.event.TYPE, rec.stream)
        assert e.get("claimed_by") == rec.event.claimed_by
    assert isinstance(builder.payload["events"][-1]["type"], int)  # the page's data has one
    assert builder.delta(len(log))["events"] == []
    assert builder.update() == 0  # nothing new: nothing read twice


def test_a_delta_that_does_not_follow_the_data_is_refused():
    log = _LOGS[3]
    builder = Builder(log)
    builder.update()
    with pytest.raises(InvalidArgument, match="follows position 5"):
        merge(tl.page.data(log), builder.delta(5))


def _get(server, path):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_the_server_answers_the_records_after_a_position():
    records = list(_LOGS[7].read())
    with tl.open_log("memory:") as log:
        _copy(records[:30], log)
        with start(log, port=0, title="T") as server:
            whole = json.loads(_get(server, "/data.json")[1])
            assert whole["head"] == 30
            assert "after" not in whole
            _copy(records[30:], log)
            status, body = _get(server, "/data.json?after=30")
            assert status == 200
            delta = json.loads(body)
            assert (delta["after"], delta["head"]) == (30, len(records))
            assert _plain(merge(whole, delta)) == _plain(tl.page.data(log, title="T"))
            for bad in ("?after=x", "?after=-1", "?after="):  # not a position: all of it
                assert "after" not in json.loads(_get(server, f"/data.json{bad}")[1])


def test_a_served_page_merging_the_new_records_shows_the_grown_log(browser):
    """The page served, the log grown in steps of every kind of record: after each, the
    page (merging deltas) shows for many cuts what replay() and causal_graph() give."""
    source = messy_log(11)
    records = list(source.read())
    rng = random.Random(11)  # noqa: S311  # test data, not secrets
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    problems: list[str] = []
    with tl.open_log("memory:") as log:
        _copy(records[:20], log)
        with start(log, port=0, title="Live") as server:
            page = context.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
            asked: list[str] = []
            page.on("request", lambda r: asked.append(r.url.split("/")[-1]))
            page.goto(server.url)
            page.wait_for_selector("body[data-ready=true]", state="attached", timeout=10_000)
            page.wait_for_function("document.body.dataset.head === '20'", timeout=5_000)
            done = 20
            for end in (35, 36, 60, len(records)):
                _copy(records[done:end], log)
                done = end
                page.wait_for_function(
                    "h => document.body.dataset.head === h", arg=str(end), timeout=5_000
                )
                times = sorted({r.recorded_at for r in records[:end]})
                cuts = [(None, None), *((None, rng.choice(times)) for _ in range(3))]
                cuts += [(rng.choice(times), rng.choice(times)) for _ in range(3)]
                for as_of, known_at in cuts:
                    go(page, cut_hash(as_of, known_at))
                    shown, edges = expected(log, as_of=as_of, known_at=known_at)
                    events, arcs, _ = dom_view(page)
                    assert events == as_expected(shown), (end, as_of, known_at)
                    assert arcs == edges, (end, as_of, known_at)
            assert "data.json?after=20" in asked
            assert "data.json" not in asked  # never the whole data again
    context.close()
    assert problems == []
