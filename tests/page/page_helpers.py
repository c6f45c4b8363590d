"""Reading the page's view back from its DOM, and moving its clocks."""

from timeline.time import isoformat, parse_utc

FIGURES = ("launched", "killed", "count", "people", "total", "destroyed")

DOM_VIEW = """() => ({
  events: [...document.querySelectorAll('g.event[data-event-id]:not([data-retracted])')]
    .map(g => [g.dataset.eventId, g.dataset.at, g.dataset.figure ?? null, g.dataset.lane]),
  retracted: [...document.querySelectorAll('g.event[data-retracted]')].map(g => g.dataset.eventId),
  arcs: [...document.querySelectorAll('[data-cause]')]
    .map(a => [a.dataset.cause, a.dataset.effect, a.dataset.relation]),
})"""


def figure(event):
    for name in FIGURES:
        value = getattr(event, name, None)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
    return None


def dom_view(page):
    """{id: (occurred_at, figure)} of the drawn events, and {(cause, effect): relation}."""
    found = page.evaluate(DOM_VIEW)
    events = {
        i: (isoformat(parse_utc(at)), None if f is None else float(f))
        for i, at, f, _ in found["events"]
    }
    assert len(events) == len(found["events"]), "an event drawn twice"
    arcs = {(c, e): r for c, e, r in found["arcs"]}
    assert len(arcs) == len(found["arcs"]), "an arc drawn twice"
    return events, arcs, found


def draws(page):
    return int(page.evaluate("() => +document.body.dataset.draws || 0"))


def go(page, hash_):
    """Set the URL hash and wait until the page has drawn the view it names.

    A nonce (a key the page ignores) makes every call a change of the hash.
    """
    before = draws(page)
    page.evaluate("h => { location.hash = h }", f"{hash_}&nonce={before}")
    page.wait_for_function("n => (+document.body.dataset.draws || 0) > n", arg=before)


def cut_hash(as_of, known_at, extra=""):
    parts = []
    if as_of is not None:
        parts.append(f"as_of={isoformat(as_of).replace('+', '%2B')}")
    if known_at is not None:
        parts.append(f"known_at={isoformat(known_at).replace('+', '%2B')}")
    if extra:
        parts.append(extra)
    return "&".join(parts) or "now"


def as_expected(shown):
    return {i: (at, None if f is None else float(f)) for i, (at, f) in shown.items()}


def click_event(page, event_id):
    """Click an event's marker (its circle or bar, not the label beside it)."""
    page.click(f'g.event[data-event-id="{event_id}"] > :is(circle, rect)')
