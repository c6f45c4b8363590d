"""Logs for the page's tests: the Istanbul example, and a messy one (every kind of
correction and retraction, late reports, links and their retraction), and the Python answer
the page must match for a pair of cuts."""

import random

import pendulum
from page_helpers import figure

import timeline as tl
from timeline.errors import TimelineError
from timeline.time import isoformat

START = pendulum.datetime(2025, 5, 1, tz="UTC")
PARTIES = ("Ukraine", "Russia")


def istanbul_log(example):
    log = tl.open_log("memory:")
    example.record(log)
    return log


def _event(rng, i):
    at = START.add(hours=rng.randrange(0, 24 * 30), minutes=rng.randrange(60))
    party = rng.choice(PARTIES)
    other = PARTIES[1 - PARTIES.index(party)]
    source = tl.Source(
        name=f"source {i}",
        url=rng.choice(["https://example.org/r", None]),
        reliability=rng.choice("ABCDEF"),
        credibility=rng.randint(1, 6),
    )
    kind = rng.randrange(4)
    if kind == 0:
        launched = rng.randint(10, 500)
        return tl.DroneBarrage(
            occurred_at=at,
            occurred_until=at.add(hours=rng.randint(1, 9)) if rng.random() < 0.5 else None,
            attacker=party,
            target=other,
            launched=launched,
            destroyed=rng.randint(0, launched),
            sources=[source],
            claimed_by=rng.choice(["Ukrainian Air Force", "Russian MoD"]),
        )
    if kind == 1:
        return tl.Strike(occurred_at=at, attacker=party, target_party=other, sources=[source])
    if kind == 2:
        return tl.TalkRoundHeld(occurred_at=at, parties=PARTIES, city="Istanbul", sources=[source])
    return tl.Statement(
        occurred_at=at,
        party=party,
        speaker=f"{party} spokesman",
        text=f"thing {i}",
        summary=f"{party} says thing {i}",
        sources=[source],
    )


def messy_log(seed=7, n=60):
    """A log with late reports, corrections (of figures and of times), retractions of events,
    of corrections and of retractions, links and link retractions, recorded over days."""
    rng = random.Random(seed)
    log = tl.open_log("memory:")
    clock = START.add(days=3)
    events = []

    def put(new, stream):
        nonlocal clock
        clock = clock.add(hours=rng.randint(1, 20))
        try:
            log.append(new, stream=stream, recorded_at=clock)
        except TimelineError:
            return False
        return True

    for i in range(n):
        ev = _event(rng, i)
        if put([ev], f"s/{ev.TYPE.split('.')[0]}"):
            events.append(ev)
        if i < 6:
            continue
        roll = rng.random()
        target = rng.choice(events)
        if roll < 0.15 and isinstance(target, tl.DroneBarrage):
            put(
                [
                    tl.Correction(
                        occurred_at=clock,
                        corrects=target.event_id,
                        changes={
                            "launched": target.launched + rng.randint(1, 50),
                            "destroyed": None,
                        },
                    )
                ],
                "fixes",
            )
        elif roll < 0.3:
            moved = target.occurred_at.add(hours=rng.randint(-30, 30))
            changes = {"occurred_at": isoformat(moved)}
            if target.occurred_until is not None:
                changes["occurred_until"] = isoformat(moved.add(hours=2))
            put(
                [tl.Correction(occurred_at=clock, corrects=target.event_id, changes=changes)],
                "fixes",
            )
        elif roll < 0.4:
            put(
                [tl.Retraction(occurred_at=clock, retracts=target.event_id, reason="duplicate")],
                "fixes",
            )
        elif roll < 0.5:
            metas = [r.event for r in log.read(types=("meta.correction", "meta.retraction"))]
            if metas:
                put(
                    [tl.Retraction(occurred_at=clock, retracts=rng.choice(metas).event_id)], "fixes"
                )
        elif roll < 0.85:
            a, b = rng.sample(events, 2)
            cause, effect = sorted((a, b), key=lambda e: e.occurred_at)
            put(
                [
                    tl.CausalLink(
                        occurred_at=clock,
                        cause=cause.event_id,
                        effect=effect.event_id,
                        relation=rng.choice(["retaliation", "response", "prompted"]),
                        confidence=rng.choice([0.3, 0.6, 0.9]),
                        asserted_by="analyst",
                    )
                ],
                "links",
            )
        elif roll < 0.92:
            links = [r.event for r in log.read(types=("meta.causal_link",))]
            if links:
                put(
                    [tl.CausalLinkRetracted(occurred_at=clock, link=rng.choice(links).event_id)],
                    "links",
                )
    return log


def expected(log, as_of=None, known_at=None):
    """What the page must show for the cuts: {id: (occurred_at, figure)} and the edges."""
    shown = {}
    for event in tl.replay_events(log, as_of=as_of, known_at=known_at):
        if isinstance(event, tl.CausalLink):
            continue
        shown[str(event.event_id)] = (isoformat(event.occurred_at), figure(event))
    graph = tl.causal_graph(log, as_of=as_of, known_at=known_at)
    edges = {}
    for edge in graph.edges():
        best = max(edge.claims, key=lambda c: c.confidence)
        edges[(str(edge.cause.event_id), str(edge.effect.event_id))] = best.relation
    return shown, edges
