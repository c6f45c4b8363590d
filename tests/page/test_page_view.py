"""The page in a browser: lanes, markers and arcs against the log, filters and search, the
event panel, the URL, the keyboard, density strips, zones, export, and escaping."""

from pathlib import Path

import pendulum

import timeline as tl
from page.page_helpers import as_expected, click_event, dom_view, go
from page.page_logs import expected, istanbul_log
from timeline.time import isoformat, local_text


def _spelled(event, strings):
    """A schema 2 event with its shared texts written out."""
    return event | {
        k: strings[event[k]]
        for k in ("type", "stream", "zone", "party", "claimed_by")
        if k in event
    }


def _data_by_id(log):
    data = tl.page.data(log)
    events = [_spelled(e, data["strings"]) for e in data["events"]]
    return {
        e["id"]: {
            "family": e["type"].partition(".")[0],
            "actors": e["fields"].get("actors", []),
            "claimed_by": None,
            **e,
            "sources": [data["sources"][n] for n in e["sources"]],
        }
        for e in events
    }


def _marker_ids(page):
    return set(page.eval_on_selector_all("g.event", "gs => gs.map(g => g.dataset.eventId)"))


def _istanbul(open_page, example, hash_=""):
    log = istanbul_log(example)
    return log, open_page(tl.page.render(log, title="Istanbul, 2 June 2025"), hash_)


def test_the_istanbul_record_draws_its_events_lanes_and_links(open_page, example):
    log, page = _istanbul(open_page, example)
    shown, edges = expected(log)
    events, arcs, found = dom_view(page)
    assert events == as_expected(shown)
    assert arcs == edges
    assert len(arcs) >= 10
    hover = page.eval_on_selector_all("path.arc title", "ts => ts.map(t => t.textContent)")
    assert len(hover) == len(arcs)
    assert all("confidence" in text and "asserted by" in text for text in hover)
    data = _data_by_id(log)
    lanes = {i: lane for i, _, _, lane in found["events"]}
    assert lanes == {i: data[i]["party"] for i in shown}
    names = set(page.eval_on_selector_all("g.lane", "gs => gs.map(g => g.dataset.laneName)"))
    assert set(lanes.values()) <= names
    assert {"Russia", "Ukraine"} <= names
    assert page.get_attribute("#chart", "data-mode") == "markers"
    # the seed's story at a glance: the Spiderweb strike, the 472-drone night, the round
    labels = " ".join(
        page.eval_on_selector_all("g.event", "gs => gs.map(g => g.getAttribute('aria-label'))")
    )
    assert "472" in labels
    assert "Istanbul" in labels
    page.select_option("#lanes", "stream")
    _, _, found = dom_view(page)
    assert {i: lane for i, _, _, lane in found["events"]} == {i: data[i]["stream"] for i in shown}


def test_filters_and_search_keep_only_matching_events(open_page, example):
    log, page = _istanbul(open_page, example)
    data = _data_by_id(log)
    everything = _marker_ids(page)
    page.select_option("#family", "diplomacy")
    kept = _marker_ids(page)
    assert kept
    assert kept < everything
    assert {data[i]["family"] for i in kept} == {"diplomacy"}
    assert "family=diplomacy" in page.evaluate("() => location.hash")
    page.select_option("#family", "")
    page.fill("#q", "drones")
    kept = _marker_ids(page)
    assert kept
    assert all("drones" in data[i]["headline"].lower() for i in kept)
    page.fill("#q", "")
    page.select_option("#rel", "B")
    kept = _marker_ids(page)
    assert kept
    assert kept < everything
    for i in kept:
        assert any(s["reliability"] in ("A", "B") for s in data[i]["sources"])
    page.select_option("#rel", "")
    page.fill("#actor", "Ukraine")
    kept = _marker_ids(page)
    assert kept
    assert all("Ukraine" in data[i]["actors"] or data[i]["party"] == "Ukraine" for i in kept)
    page.fill("#actor", "")
    claimant = next(e["claimed_by"] for e in data.values() if e["claimed_by"])
    page.select_option("#claimant", claimant)
    kept = _marker_ids(page)
    assert kept
    assert {data[i]["claimed_by"] for i in kept} == {claimant}


def test_the_event_panel_shows_fields_sources_history_and_chains(open_page, example):
    _, page = _istanbul(open_page, example)
    revised = str(example.eid("losses-2025-06-03"))
    click_event(page, revised)
    assert page.get_attribute("#panel", "data-event-id") == revised
    fields = page.inner_text("#panel-fields")
    assert "413" in fields
    deleted = page.inner_text("#panel-fields del")
    assert "384" in deleted
    history = page.inner_text("#panel .history")
    assert "in force" in history
    assert "384 → 413" in history or "384" in history
    assert "General Staff" in page.inner_text("#panel-sources")
    # a known-at before the revision: the first count, and the revision not yet known
    go(
        page,
        f"known_at={pendulum.datetime(2025, 6, 3, 22).isoformat().replace('+', '%2B')}&event={revised}",
    )
    assert "384" in page.inner_text("#panel-fields")
    assert "not yet known" in page.inner_text("#panel .history")
    # the why / consequences chains: each step opens its event
    go(page, "now")
    barrage = next(
        g
        for g in page.eval_on_selector_all(
            "g.event", "gs => gs.map(g => [g.dataset.eventId, g.getAttribute('aria-label')])"
        )
        if "472" in g[1]
    )[0]
    click_event(page, barrage)
    steps = page.locator("#panel-why button.step")
    assert steps.count() >= 1
    target = steps.first.get_attribute("data-goto")
    steps.first.click()
    assert page.get_attribute("#panel", "data-event-id") == target
    assert f"event={target}" in page.evaluate("() => location.hash")
    assert page.locator("#panel-consequences button.step").count() >= 1


def test_a_url_with_a_view_restores_it(open_page, example):
    log = istanbul_log(example)
    as_of = pendulum.datetime(2025, 6, 1, 23, tz="UTC")
    known_at = pendulum.datetime(2025, 6, 2, 5, tz="UTC")
    some = next(iter(expected(log, as_of=as_of, known_at=known_at)[0]))
    hash_ = (
        f"as_of={as_of.isoformat().replace('+', '%2B')}&known_at={known_at.isoformat().replace('+', '%2B')}"
        f"&family=military&zone=Europe%2FKyiv&event={some}&lanes=claimant"
    )
    page = open_page(tl.page.render(log), hash_)
    shown, _ = expected(log, as_of=as_of, known_at=known_at)
    data = _data_by_id(log)
    assert _marker_ids(page) == {i for i in shown if data[i]["family"] == "military"}
    assert page.input_value("#family") == "military"
    assert page.input_value("#lanes") == "claimant"
    assert page.input_value("#zone") == "Europe/Kyiv"
    assert "2025-06-02 02:00" in page.inner_text("#as-of-text")  # 23:00 UTC in Kyiv
    assert page.get_attribute("#panel", "data-event-id") == some
    assert "Europe/Kyiv" in page.text_content(".axis-name")
    assert page.get_attribute("#chart", "data-axis-zone") == "Europe/Kyiv"


def test_retracted_events_are_hidden_or_struck_through(open_page):
    log = tl.open_log("memory:")
    at = pendulum.datetime(2025, 6, 1, 12)
    kept = tl.Strike(occurred_at=at, attacker="Ukraine", target_party="Russia")
    gone = tl.Strike(occurred_at=at.add(hours=2), attacker="Russia", target_party="Ukraine")
    log.append([kept, gone], stream="s")
    log.append(
        [tl.Retraction(occurred_at=at, retracts=gone.event_id, reason="duplicate")], stream="s"
    )
    page = open_page(tl.page.render(log))
    assert _marker_ids(page) == {str(kept.event_id)}
    page.check("#retracted")
    assert _marker_ids(page) == {str(kept.event_id), str(gone.event_id)}
    assert (
        page.get_attribute(f'g.event[data-event-id="{gone.event_id}"]', "data-retracted") == "true"
    )
    assert dom_view(page)[0].keys() == {str(kept.event_id)}
    click_event(page, gone.event_id)
    assert "duplicate" in page.inner_text("#panel .history")


def test_the_keyboard_moves_between_events_in_time_order(open_page, example):
    log, page = _istanbul(open_page, example)
    order = [i for i, _ in sorted(expected(log)[0].items(), key=lambda kv: kv[1][0])]
    page.focus("#chart")
    assert page.evaluate("() => document.activeElement.id") == "chart"
    page.keyboard.press("Home")
    assert page.get_attribute("#panel", "data-event-id") == order[0]
    page.keyboard.press("ArrowRight")
    assert page.get_attribute("#panel", "data-event-id") == order[1]
    page.keyboard.press("End")
    assert page.get_attribute("#panel", "data-event-id") == order[-1]
    page.keyboard.press("Escape")
    assert page.is_hidden("#panel")
    page.keyboard.press("/")
    assert page.evaluate("() => document.activeElement.id") == "q"


def test_zoomed_out_a_large_log_is_density_strips_and_zoomed_in_single_events(open_page):
    log = tl.open_log("memory:")
    start = pendulum.datetime(2020, 1, 1)
    events = [
        tl.Strike(
            occurred_at=start.add(hours=7 * i),
            attacker=("Ukraine", "Russia")[i % 2],
            target_party="X",
        )
        for i in range(4000)
    ]
    log.append(events, stream="s")
    page = open_page(tl.page.render(log))
    assert page.get_attribute("#chart", "data-mode") == "density"
    assert page.locator("g.event").count() == 0
    counts = page.eval_on_selector_all(".density rect", "rs => rs.map(r => +r.dataset.count)")
    assert sum(counts) == 4000
    lanes = set(page.eval_on_selector_all(".density rect", "rs => rs.map(r => r.dataset.lane)"))
    assert lanes == {"Ukraine", "Russia"}
    for _ in range(6):
        page.evaluate("() => window.timelinePage.zoomBy(2)")
    assert page.get_attribute("#chart", "data-mode") == "markers"
    assert 0 < page.locator("g.event").count() < 4000


def test_text_from_the_log_stays_text(open_page):
    log = tl.open_log("memory:")
    evil = "</script><script>window.pwned = 1</script><img src=x onerror=window.pwned=2>"
    event = tl.Statement(
        occurred_at=pendulum.datetime(2025, 6, 1),
        party="Russia",
        speaker="x",
        text=evil,
        summary=evil,
        sources=[
            tl.Source(name="bad", url="javascript:window.pwned=3"),
            tl.Source(name="good", url="https://example.org/a"),
        ],
    )
    log.append([event], stream="s")
    page = open_page(tl.page.render(log))
    assert page.evaluate("() => window.pwned") is None
    assert page.get_attribute("g.event", "aria-label") == evil
    page.click("g.event > circle")
    assert page.inner_text("#panel-headline") == evil
    links = page.eval_on_selector_all("#panel a", "as => as.map(a => a.getAttribute('href'))")
    assert links == ["https://example.org/a"]
    assert "javascript:window.pwned=3" in page.inner_text("#panel-sources")
    assert page.evaluate("() => window.pwned") is None


def test_the_view_exports_as_svg_and_png(open_page, example):
    _, page = _istanbul(open_page, example)
    with page.expect_download() as info:
        page.click("#svg-out")
    svg = Path(info.value.path()).read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    assert "data-event-id" in svg
    assert "data-cause" in svg
    with page.expect_download() as info:
        page.click("#png-out")
    assert Path(info.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_jupyter_view_runs_the_page_in_its_iframe(open_page, example):
    log = istanbul_log(example)
    host = open_page(
        f"<!doctype html><body>{tl.page.show(log, height=700)._repr_html_()}</body>", ready=False
    )
    frame = host.frame_locator("iframe")
    frame.locator("body[data-ready=true]").wait_for(state="attached")
    assert frame.locator("g.event").count() == len(expected(log)[0])
    frame.locator("g.event > circle").first.click()
    assert frame.locator("#panel-headline").inner_text()


def test_times_read_as_the_library_writes_them(open_page):
    page = open_page(tl.page.render(tl.open_log("memory:")))
    instants = [
        pendulum.datetime(2025, 3, 30, 0, 59, 59, 999999),  # Kyiv: the spring change at 01:00 UTC
        pendulum.datetime(2025, 3, 30, 1, 0),
        pendulum.datetime(2025, 10, 26, 0, 30, 0, 5),
        pendulum.datetime(2025, 6, 1, 21, 0),
        pendulum.datetime(1969, 12, 31, 23, 59, 59, 1),
        pendulum.datetime(2024, 2, 29, 23, 30),
    ]
    zones = ["Europe/Kyiv", "America/New_York", "Asia/Kolkata", "UTC", "+03:00", "-04:30"]
    for at in instants:
        us = page.evaluate("t => window.timelinePage.parseUs(t)", isoformat(at))
        assert page.evaluate("u => window.timelinePage.isoUs(u)", us) == isoformat(at)
        for zone in zones:
            for precision in tl.TimePrecision:
                js = page.evaluate(
                    "([u, z, p]) => window.timelinePage.localText(u, z, p)",
                    [us, zone, str(precision)],
                )
                assert js == local_text(at, zone, precision), (at, zone, precision)


def test_the_window_in_view_is_kept_in_the_url(open_page, example):
    log = istanbul_log(example)
    start, end = pendulum.datetime(2025, 5, 31, tz="UTC"), pendulum.datetime(2025, 6, 3, tz="UTC")
    window = f"from={isoformat(start).replace('+', '%2B')}&to={isoformat(end).replace('+', '%2B')}"
    page = open_page(tl.page.render(log), window)
    inside = {i for i, (at, _) in expected(log)[0].items() if start <= pendulum.parse(at) <= end}
    drawn = _marker_ids(page)
    assert inside <= drawn
    assert len(drawn) < len(expected(log)[0])
    page.click("#fit")
    assert len(_marker_ids(page)) == len(expected(log)[0])
    assert "from=" not in page.evaluate("() => location.hash")


def test_a_hand_written_link_with_a_raw_plus_reads_as_an_offset(open_page, example):
    log = istanbul_log(example)
    as_of = pendulum.datetime(2025, 6, 1, 23, tz="UTC")
    page = open_page(tl.page.render(log), "as_of=2025-06-02T02:00:00+03:00")
    assert _marker_ids(page) == set(expected(log, as_of=as_of)[0])
    assert _marker_ids(page) < set(expected(log)[0])


def _story_log():
    day = pendulum.datetime(2025, 5, 1, 12)
    long = "a headline long enough to be cut short beside its marker, even when it is a key event"
    cause = tl.Strike(occurred_at=day, attacker="Ukraine", target_party="Russia", summary=long)
    effect = tl.DroneBarrage(occurred_at=day.add(days=20), attacker="Russia", launched=472)
    aside = tl.Statement(occurred_at=day.add(days=10), speaker="x", text="y", summary=long)
    log = tl.open_log("memory:")
    log.append([cause, effect, aside], stream="s")
    link = tl.CausalLink(
        occurred_at=day.add(days=21),
        cause=cause.event_id,
        effect=effect.event_id,
        relation="retaliation",
        confidence=0.8,
        asserted_by="analyst",
    )
    log.append([link], stream="links")
    return log, cause, effect, aside


def _labels(page):
    return dict(
        page.eval_on_selector_all(
            "g.event",
            "gs => gs.map(g => [g.dataset.eventId, [g.classList.contains('key'),"
            " g.querySelector('text')?.textContent ?? '', g.getBoundingClientRect().right,"
            " document.getElementById('chart').getBoundingClientRect().right]])",
        )
    )


def test_the_linked_events_are_the_key_ones_labelled_longer_and_the_last_labels_fit(open_page):
    log, cause, effect, aside = _story_log()
    page = open_page(tl.page.render(log))
    labels = _labels(page)
    keys = {i for i, (key, *_) in labels.items() if key}
    assert keys == {str(cause.event_id), str(effect.event_id)}
    assert 40 < len(labels[str(cause.event_id)][1]) <= 66
    assert len(labels[str(aside.event_id)][1]) <= 40
    _, _, right, chart = labels[str(effect.event_id)]
    assert right <= chart  # the whole span in view leaves room for the last label
    click_event(page, str(aside.event_id))  # the panel opens: the chart narrows and refits
    page.wait_for_selector("#panel:not([hidden])")
    page.wait_for_timeout(200)  # the resize observed, the chart redrawn
    _, _, right, chart = _labels(page)[str(effect.event_id)]
    assert right <= chart
