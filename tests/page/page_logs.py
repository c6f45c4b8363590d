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


class _Writer:
    """Appends to a log, each append recorded some hours after the last."""

    def __init__(self, rng):
        self.rng, self.log, self.clock = rng, tl.open_log("memory:"), START.add(days=3)

    def put(self, event, stream):
        self.clock = self.clock.add(hours=self.rng.randint(1, 20))
        try:
            self.log.append([event], stream=stream, recorded_at=self.clock)
        except TimelineError:
            return False  # refused by a guard (a link back in time, ...): the log is unchanged
        return True

    def of(self, *types):
        return [r.event for r in self.log.read(types=types)]

    def amend(self, events):
        """One correction, retraction, link or link retraction, by a roll of the dice."""
        rng, at = self.rng, self.clock
        roll, target = rng.random(), rng.choice(events)
        if roll < 0.15 and isinstance(target, tl.DroneBarrage):
            changes = {"launched": target.launched + rng.randint(1, 50), "destroyed": None}
            self.put(
                tl.Correction(occurred_at=at, corrects=target.event_id, changes=changes), "fixes"
            )
        elif roll < 0.3:
            moved = target.occurred_at.add(hours=rng.randint(-30, 30))
            changes = {"occurred_at": isoformat(moved)}
            if target.occurred_until is not None:
                changes["occurred_until"] = isoformat(moved.add(hours=2))
            self.put(
                tl.Correction(occurred_at=at, corrects=target.event_id, changes=changes), "fixes"
            )
        elif roll < 0.4:
            self.put(
                tl.Retraction(occurred_at=at, retracts=target.event_id, reason="duplicate"), "fixes"
            )
        elif roll < 0.5:
            metas = self.of("meta.correction", "meta.retraction")
            if metas:
                self.put(
                    tl.Retraction(occurred_at=at, retracts=rng.choice(metas).event_id), "fixes"
                )
        elif roll < 0.85:
            cause, effect = sorted(rng.sample(events, 2), key=lambda e: e.occurred_at)
            link = tl.CausalLink(
                occurred_at=at,
                cause=cause.event_id,
                effect=effect.event_id,
                relation=rng.choice(["retaliation", "response", "prompted"]),
                confidence=rng.choice([0.3, 0.6, 0.9]),
                asserted_by="analyst",
            )
            self.put(link, "links")
        elif roll < 0.92:
            links = self.of("meta.causal_link")
            if links:
                gone = tl.CausalLinkRetracted(occurred_at=at, link=rng.choice(links).event_id)
                self.put(gone, "links")


def messy_log(seed=7, n=60):
    """A log with late reports, corrections (of figures and of times), retractions of events,
    of corrections and of retractions, links and link retractions, recorded over days."""
    rng = random.Random(seed)  # noqa: S311  # test data, not secrets
    writer = _Writer(rng)
    events = []
    for i in range(n):
        event = _event(rng, i)
        if writer.put(event, f"s/{event.TYPE.split('.')[0]}"):
            events.append(event)
        if i >= 6:
            writer.amend(events)
    return writer.log


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
