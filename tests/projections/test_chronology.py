"""The chronology: each event once, in valid-time order, with dates at their precision."""

from __future__ import annotations

import functools
import uuid

import cattrs
import pendulum
from hypothesis import given
from hypothesis import strategies as st
from pendulum import DateTime

from timeline.events import (
    CausalLink,
    DroneBarrage,
    Source,
    Statement,
    TalkRoundHeld,
)
from timeline.projections.chronology import Chronology, ChronologyState
from timeline.time import instant

P = Chronology()
MERGING = Chronology(merge_identical=True)


def fold(events, projection=P):
    return projection.fold(projection.initial(), events)


def reduce(events, projection=P):
    return functools.reduce(projection.apply, events, projection.initial())


def test_the_seed_in_valid_time_order(example, seed_events):
    state = fold(seed_events)
    assert state == reduce(seed_events)
    assert len(state.entries) == len(seed_events)
    times = [e.occurred_at for e in state.entries]
    assert times == sorted(times)
    first, *_, last = state.entries
    assert first.event_id == example.eid("ceasefire-demanded")
    assert first.date == "2025-05-10"
    assert last.event_id == example.eid("losses-2025-06-03")
    held = next(e for e in state.entries if e.event_id == example.eid("round-2025-06-02"))
    assert held.date == "2025-06-02"  # a day-precision date, as it was recorded in Istanbul
    assert held.type == "diplomacy.talk_round_held"
    assert held.headline == "Talks resume at Ciragan Palace; the mood is tense yet hopeful"
    night = next(e for e in state.entries if e.event_id == example.eid("barrage-472"))
    # the Air Force's window, in Kyiv time as it reported it (typed from the example's source)
    assert night.when == "2025-05-31 19:30 Kyiv to 2025-06-01 13:30 Kyiv"
    assert night.claimed_by == "Ukrainian Air Force"
    assert night.sources == (example.ARTICLE.name, example.AIR_FORCE.name)
    awaited = next(e for e in state.entries if e.event_id == example.eid("memorandum-awaited"))
    assert awaited.when == "2025-05-31 to 2025-06-01"  # the weekend
    assert [e.event_id for e in state.on("2025-06-02")] == [
        example.eid("round-2025-06-02"),
        example.eid("delegation-ukraine"),
        example.eid("delegation-russia"),
    ]
    assert len(state.on("2025-05")) == 12  # the night of 31 May included


def test_lines_are_readable(seed_events):
    lines = fold(seed_events).lines()
    assert lines[0].startswith("2025-05-10 ")
    assert lines[0].endswith("Ukraine demands an immediate ceasefire (backed by European allies)")
    assert "472 drones overnight" in lines[11]
    assert lines[11].endswith("[claimed by Ukrainian Air Force]")
    assert lines[-2].endswith(
        "Russia's delegation headed by Vladimir Medinsky (composition unclear)"
    )
    assert lines[-1].endswith(
        "384 aircraft  [claimed by General Staff of the Armed Forces of Ukraine]"
    )
    # The headlines line up after the widest date, the Air Force's reporting window.
    width = len("2025-05-31 19:30 Kyiv to 2025-06-01 13:30 Kyiv")
    assert all(line[width : width + 2] == "  " and line[width + 2] != " " for line in lines)
    assert fold([]).lines() == []


T = pendulum.datetime(2025, 6, 1, 6)


def report(source, **kw):
    kw.setdefault("launched", 472)
    return DroneBarrage(
        occurred_at=T,
        time_precision="hour",
        attacker="Russia",
        claimed_by="Ukrainian Air Force",
        sources=[Source(name=source)],
        **kw,
    )


def test_an_event_folded_twice_appears_once():
    a = report("AP")
    assert fold([a, a]) == fold([a])


def test_identical_facts_merge_when_asked_and_list_every_source():
    ap, reuters, other = (
        report("AP"),
        report("Reuters", summary="different words"),
        report("AFP", launched=479),
    )
    plain = fold([ap, reuters, other])
    assert len(plain.entries) == 3
    merged = fold([ap, reuters, other], MERGING)
    assert merged == reduce([ap, reuters, other], MERGING)
    first, second = merged.entries
    assert first.event_ids == (ap.event_id, reuters.event_id)
    assert first.sources == ("AP", "Reuters")
    assert first.date == "2025-06-01T06Z"
    assert second.event_ids == (other.event_id,)


def test_dates_at_each_precision():
    at = pendulum.datetime(2025, 6, 1, tz="Europe/Kyiv")
    labels = [
        Chronology()
        .apply(
            ChronologyState(), Statement(occurred_at=at, time_precision=p, speaker="s", text="t")
        )
        .entries[0]
        .date
        for p in ("month", "day", "hour", "minute", "exact")
    ]
    assert labels == [  # local, in the zone the time was given in
        "2025-06",
        "2025-06-01",
        "2025-06-01 00h Kyiv",
        "2025-06-01 00:00 Kyiv",
        "2025-06-01 00:00:00 Kyiv",
    ]


def test_causal_links_are_not_entries_and_between_filters_by_time():
    a = Statement(occurred_at=T, speaker="a", text="one")
    b = TalkRoundHeld(occurred_at=T.add(days=1), parties=["A", "B"])
    link = CausalLink(
        occurred_at=T.add(days=1), cause=a.event_id, effect=b.event_id, relation="prompted"
    )
    state = fold([b, link, a])
    assert [e.event_id for e in state.entries] == [a.event_id, b.event_id]
    assert [e.event_id for e in state.between(T.add(hours=1), T.add(days=2))] == [b.event_id]


def test_the_state_round_trips_through_a_plain_cattrs_converter(seed_events):
    c = cattrs.Converter()
    c.register_unstructure_hook(DateTime, lambda d: d.isoformat())
    c.register_structure_hook(DateTime, lambda v, _: instant(v))
    c.register_unstructure_hook(uuid.UUID, str)
    c.register_structure_hook(uuid.UUID, lambda v, _: uuid.UUID(v))
    for state in (fold(seed_events), fold([report("AP"), report("AFP")], MERGING)):
        assert c.structure(c.unstructure(state), ChronologyState) == state


statements = st.builds(
    lambda day, speaker, event_id: Statement(
        event_id=uuid.UUID(int=event_id), occurred_at=T.add(days=day), speaker=speaker, text="t"
    ),
    st.integers(0, 3),
    st.sampled_from(["a", "b"]),
    st.integers(1, 8),
)


@given(st.lists(statements, max_size=20), st.booleans())
def test_fold_equals_reduce_of_apply(events, merge):
    projection = Chronology(merge_identical=merge)
    state = fold(events, projection)
    assert state == reduce(events, projection)
    ids = [i for e in state.entries for i in e.event_ids]
    assert len(ids) == len(set(ids))
    times = [e.occurred_at for e in state.entries]
    assert times == sorted(times)
