"""Properties of replay, against a naive model of corrections, retractions and the time cuts.

A script is a random sequence of barrages, statements, links, corrections (valid or not) and
retractions (of anything earlier, corrections and retractions included). It is appended one
event at a time to a reference log; what the guard refuses is dropped. The model then
resolves the accepted events the slow, obvious way (a recursive "is it withdrawn?"), and
replay must agree with it at every ``known_at`` and at several ``as_of``, in both orders,
for any split into batches and on every backend.
"""

import datetime as dt
import functools
import itertools
import tempfile
from collections import defaultdict
from pathlib import Path

import attrs
import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st

import timeline as tl
from timeline.log import SQLiteLog
from timeline.projections import replay, replay_events
from timeline.store import standard_guards
from timeline.time import instant

T0 = pendulum.datetime(2025, 6, 1)
R0 = pendulum.datetime(2025, 6, 10)
META = (tl.Correction, tl.Retraction, tl.CausalLinkRetracted)


class Seen:
    name, version = "seen", 1

    def initial(self):
        return ()

    def apply(self, state, event):
        return (*state, event)


def hours(n: int) -> pendulum.DateTime:
    return T0 + dt.timedelta(hours=n)


def clock() -> tl.FixedClock:
    return tl.FixedClock(R0, tick=dt.timedelta(minutes=1))


# -- scripts --------------------------------------------------------------------------------

counts = st.none() | st.integers(0, 60)


@st.composite
def barrages(draw):
    launched = draw(counts)
    top = 60 if launched is None else launched
    return tl.DroneBarrage(
        occurred_at=hours(draw(st.integers(0, 48))),
        occurred_until=None,
        attacker="Russia",
        launched=launched,
        destroyed=draw(st.none() | st.integers(0, top)),
    )


@st.composite
def statements(draw):
    return tl.Statement(
        occurred_at=hours(draw(st.integers(0, 48))),
        speaker=draw(st.sampled_from(["Fidan", "Umerov", "Medinsky"])),
        text=draw(st.sampled_from(["yes", "no", "later"])),
    )


changes = st.fixed_dictionaries(
    {},
    optional={
        "launched": counts,
        "destroyed": counts,
        "occurred_at": st.integers(-5, 60).map(lambda n: hours(n).isoformat()),
        "summary": st.none() | st.sampled_from(["revised", "per the morning report"]),
    },
).filter(bool)


@st.composite
def corrections(draw, plain, events):
    # Mostly of plain events; now and then of a meta event, which the guard refuses.
    target = draw(st.sampled_from(plain) | st.sampled_from(events))
    fields = draw(changes)
    if isinstance(target, tl.Statement):
        fields = {k: v for k, v in fields.items() if k in ("occurred_at", "summary")}
        fields = fields or {"text": "corrected"}
    return tl.Correction(occurred_at=hours(50), corrects=target.event_id, changes=fields)


@st.composite
def links(draw, plain):
    cause, effect = draw(st.lists(st.sampled_from(plain), min_size=2, max_size=2, unique=True))
    return tl.CausalLink(
        occurred_at=hours(draw(st.integers(0, 60))),
        cause=cause.event_id,
        effect=effect.event_id,
        relation="response",
    )


@st.composite
def scripts(draw) -> list[tl.Event]:
    events: list[tl.Event] = []
    for _ in range(draw(st.integers(1, 24))):
        plain = [e for e in events if not isinstance(e, (*META, tl.CausalLink))]
        made = [e for e in events if isinstance(e, tl.CausalLink)]
        options = [barrages(), statements()]
        if plain:
            retraction = st.builds(
                tl.Retraction,
                occurred_at=st.integers(0, 60).map(hours),
                retracts=st.sampled_from(events).map(lambda e: e.event_id),
            )
            options += [corrections(plain, events), corrections(plain, events), retraction]
        if len(plain) > 1:
            options.append(links(plain))
        if made:
            options.append(
                st.builds(
                    tl.CausalLinkRetracted,
                    occurred_at=st.just(hours(55)),
                    link=st.sampled_from(made).map(lambda e: e.event_id),
                )
            )
        events.append(draw(st.one_of(options)))
    return events


def accepted_log(script):
    """Append one event at a time to a reference log; keep what the guard accepts."""
    log = tl.open_log("memory:", clock=clock())
    kept = []
    for event in script:
        try:
            log.append([event], stream="s")
        except (tl.InvalidEvent, tl.UnknownEvent, tl.CausalityError):
            continue
        kept.append(event)
    return log, kept


def append_in_batches(log, events, cuts):
    bounds = sorted({0, len(events), *(c % (len(events) + 1) for c in cuts)})
    for lo, hi in itertools.pairwise(bounds):
        log.append(events[lo:hi], stream=f"batch-{lo}")
    return log


# -- the model ------------------------------------------------------------------------------


def decoded(changes):
    return {k: instant(v) if k == "occurred_at" else v for k, v in changes.items()}


def target(meta) -> object:
    return getattr(meta, "corrects", None) or getattr(meta, "retracts", None) or meta.link


def model(records, *, as_of=None, known_at=None, order="occurred"):
    known = [r for r in records if known_at is None or r.recorded_at <= known_at]
    metas = {r.event.event_id: r.event for r in known if isinstance(r.event, META)}
    retractors = defaultdict(list)
    corrections = defaultdict(list)
    for meta in metas.values():  # in position order
        kind = corrections if isinstance(meta, tl.Correction) else retractors
        kind[target(meta)].append(meta)

    @functools.cache
    def withdrawn(event_id) -> bool:
        return any(not withdrawn(r.event_id) for r in retractors[event_id])

    out = []
    for r in known:
        event = r.event
        if event.event_id in metas or withdrawn(event.event_id):
            continue
        for c in corrections[event.event_id]:
            if not withdrawn(c.event_id):
                event = attrs.evolve(event, **decoded(c.changes))
        if as_of is None or event.occurred_at <= as_of:
            out.append(((event.occurred_at, r.position), event))
    if order == "occurred":
        out.sort(key=lambda pair: pair[0])
    return tuple(event for _, event in out)


# -- properties -----------------------------------------------------------------------------

cuts = st.lists(st.integers(0, 30), max_size=6)
as_ofs = st.lists(st.integers(-6, 62).map(hours), min_size=1, max_size=3)


@given(script=scripts(), as_of=as_ofs)
def test_replay_agrees_with_the_model_at_every_known_at(script, as_of):
    log, _ = accepted_log(script)
    records = list(log.read())
    times = [None, R0 - dt.timedelta(minutes=1), *(r.recorded_at for r in records)]
    for known_at in times:
        for order in ("occurred", "recorded"):
            for cut in (None, *as_of):
                expected = model(records, as_of=cut, known_at=known_at, order=order)
                got = replay(log, Seen(), as_of=cut, known_at=known_at, order=order)
                assert got == expected, (known_at, cut, order)


@given(script=scripts(), first=cuts, second=cuts, as_of=as_ofs)
def test_any_batch_split_gives_the_same_state(script, first, second, as_of):
    _, kept = accepted_log(script)
    one = append_in_batches(tl.open_log("memory:", clock=clock()), kept, first)
    two = append_in_batches(tl.open_log("memory:", clock=clock()), kept, second)
    for cut in (None, *as_of):
        for order in ("occurred", "recorded"):
            assert replay(one, Seen(), as_of=cut, order=order) == replay(
                two, Seen(), as_of=cut, order=order
            )


@given(script=scripts(), as_of=as_ofs)
def test_replay_is_deterministic(script, as_of):
    log, _ = accepted_log(script)
    for cut in (None, *as_of):
        first = replay(log, Seen(), as_of=cut)
        assert replay(log, Seen(), as_of=cut) == first
        assert tuple(replay_events(log, as_of=cut)) == first


@given(script=scripts(), as_of=as_ofs)
def test_every_accepted_log_replays_without_error_at_every_known_at(script, as_of):
    """The guard's promise: whatever it let in, replay can resolve at any point."""
    log, kept = accepted_log(script)
    for r in log.read():
        for cut in (None, *as_of):
            replay(log, Seen(), as_of=cut, known_at=r.recorded_at)
    assert len(log) == len(kept)


@settings(max_examples=15)
@given(script=scripts(), split=cuts)
def test_backends_agree(script, split):
    reference, kept = accepted_log(script)
    with tempfile.TemporaryDirectory() as tmp:
        for url in ("t.jsonl", "t.db"):
            path = Path(tmp) / url
            if url.endswith(".db"):
                log = SQLiteLog(path, clock=clock(), guards=standard_guards(), synchronous="normal")
            else:
                log = tl.open_log(path, clock=clock())
            with log:
                append_in_batches(log, kept, split)
                for order in ("occurred", "recorded"):
                    assert replay(log, Seen(), order=order) == replay(
                        reference, Seen(), order=order
                    )
