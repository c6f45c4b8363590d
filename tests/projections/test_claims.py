"""The claims ledger: one fact, several claimants, conflicting figures, graded sources."""

from __future__ import annotations

import functools
import uuid

import cattrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pendulum import DateTime

from timeline.events import (
    CasualtyReport,
    DroneBarrage,
    Location,
    LossReport,
    MissileStrike,
    Source,
    Statement,
    Strike,
)
from timeline.projections.claims import Claims, ClaimsState, FactKey
from timeline.time import instant

P = Claims()

UAF = Source(name="Ukrainian Air Force", reliability="B", credibility=2)
MOD = Source(name="Russian ministry of defence", reliability="C", credibility=3)
# The same night as each side reports it: different windows, ending the same morning.
UA_NIGHT = {
    "occurred_at": pendulum.datetime(2025, 6, 1, 18, tz="Europe/Kyiv"),
    "occurred_until": pendulum.datetime(2025, 6, 2, 8, 30, tz="Europe/Kyiv"),
}
RU_NIGHT = {
    "occurred_at": pendulum.datetime(2025, 6, 1, 20, tz="Europe/Moscow"),
    "occurred_until": pendulum.datetime(2025, 6, 2, 7, tz="Europe/Moscow"),
}


def fold(events, state=None):
    return P.fold(P.initial() if state is None else state, events)


def reduce(events, state=None):
    return functools.reduce(P.apply, events, P.initial() if state is None else state)


def barrage(night, source, **kw):
    kw.setdefault("attacker", "Russia")
    kw.setdefault("target", "Ukraine")
    kw.setdefault("weapon", "Shahed-136/131")
    return DroneBarrage(sources=[source], **night, **kw)


def test_the_same_count_from_two_sides_is_one_fact_with_two_claims():
    ua = barrage(UA_NIGHT, UAF, launched=80, destroyed=52, claimed_by="Ukrainian Air Force")
    ru = barrage(RU_NIGHT, MOD, launched=None, destroyed=70)
    state = fold([ua, ru])
    assert state == reduce([ua, ru])
    [fact] = state.conflicts()
    assert fact.key == FactKey(
        type="military.drone_barrage",
        date="2025-06-02",
        figure="destroyed",
        party="Russia",
        target="Ukraine",
        weapon="Shahed-136/131",
    )
    assert fact.values == (52, 70)
    assert [(c.claimant, c.grade, c.value) for c in fact.claims] == [
        ("Ukrainian Air Force", "B2", 52),
        ("Russian ministry of defence", "C3", 70),  # no claimed_by: the first source
    ]
    assert fact.by_claimant() == {
        "Ukrainian Air Force": (52,),
        "Russian ministry of defence": (70,),
    }
    # Launched was claimed by one side only (the other's None is no claim): no conflict.
    [launched] = state.about(figure="launched")
    assert not launched.conflicting
    assert len(launched.claims) == 1


def test_agreeing_figures_are_not_a_conflict_and_other_days_are_other_facts():
    same = [barrage(UA_NIGHT, UAF, launched=80), barrage(RU_NIGHT, MOD, launched=80)]
    next_night = {k: v.add(days=1) for k, v in UA_NIGHT.items()}
    state = fold([*same, barrage(next_night, UAF, launched=10)])
    assert state.conflicts() == ()
    assert [f.key.date for f in state.facts] == ["2025-06-02", "2025-06-03"]
    assert state.fact(state.facts[0].key).values == (80,)
    with pytest.raises(KeyError):
        state.fact(FactKey(type="x", date="2025-06-02", figure="launched"))


def test_weapon_kind_and_attacker_are_part_of_the_fact():
    state = fold(
        [
            barrage(UA_NIGHT, UAF, launched=80),
            barrage(UA_NIGHT, UAF, launched=5, weapon="Gerbera"),
            MissileStrike(
                sources=[UAF], attacker="Russia", target="Ukraine", launched=3, **UA_NIGHT
            ),
        ]
    )
    assert len(state.facts) == 3
    assert state.conflicts() == ()


def test_loss_reports_per_party_date_and_item():
    day = pendulum.datetime(2025, 6, 3, tz="Europe/Kyiv")
    ua = LossReport(
        occurred_at=day,
        time_precision="day",
        party="Russia",
        cumulative=True,
        personnel=990800,
        equipment={"aircraft": 416},
        sources=[Source(name="General Staff of Ukraine")],
    )
    other = LossReport(
        occurred_at=day,
        time_precision="day",
        party="Russia",
        cumulative=True,
        equipment={"aircraft": 413},
        sources=[Source(name="another tally")],
    )
    state = fold([ua, other])
    [fact] = state.conflicts()
    assert (fact.key.item, fact.key.date, fact.key.cumulative) == ("aircraft", "2025-06-03", True)
    assert fact.values == (416, 413)
    assert fact.key.label == "2025-06-03 military.loss_report Russia: losses aircraft (cumulative)"
    assert [f.key.item for f in state.facts] == ["aircraft", "personnel"]


def test_casualty_reports_by_date_location_and_party():
    where = Location(name="Kharkiv")
    at = pendulum.datetime(2025, 6, 7, 3)
    a = CasualtyReport(occurred_at=at, location=where, killed=3, injured=21, sources=["mayor"])
    b = CasualtyReport(occurred_at=at.add(hours=5), location=where, killed=4, sources=["governor"])
    c = CasualtyReport(occurred_at=at, location=Location(name="Kyiv"), killed=9, sources=["x"])
    state = fold([a, b, c])
    [fact] = state.conflicts()
    assert (fact.key.figure, fact.key.location) == ("killed", "Kharkiv")
    assert fact.values == (3, 4)


def test_strikes_claim_what_they_hit():
    at = pendulum.datetime(2025, 6, 1, 12)
    ua = Strike(
        occurred_at=at,
        attacker="Ukraine",
        target_party="Russia",
        assets_hit={"aircraft": 41},
        sources=["SBU"],
    )
    ru = Strike(
        occurred_at=at,
        attacker="Ukraine",
        target_party="Russia",
        assets_hit={"aircraft": 3},
        sources=["MoD"],
    )
    [fact] = fold([ua, ru, Statement(occurred_at=at, speaker="s", text="t")]).conflicts()
    assert (fact.key.figure, fact.key.item) == ("hit", "aircraft")
    assert fact.by_claimant() == {"MoD": (3,), "SBU": (41,)}


def test_folding_an_event_again_replaces_its_claims():
    first = barrage(UA_NIGHT, UAF, launched=80)
    revised = DroneBarrage(
        event_id=first.event_id,
        sources=[UAF],
        attacker="Russia",
        target="Ukraine",
        weapon="Shahed-136/131",
        launched=81,
        **UA_NIGHT,
    )
    state = fold([first, revised])
    assert state == fold([revised])
    assert state.conflicts() == ()


def test_the_seed_has_claimed_figures_and_no_conflict(seed_events):
    state = fold(seed_events)
    assert state == reduce(seed_events)
    [fact] = [f for f in state.facts if f.key.type == "military.drone_barrage"]
    assert fact.key.date == "2025-06-01"  # the window ended on the morning of 1 June
    assert fact.values == (472,)
    assert fact.claims[0].claimant == "Ukrainian Air Force"
    assert state.conflicts() == ()


def test_the_state_round_trips_through_a_plain_cattrs_converter():
    c = cattrs.Converter()
    c.register_unstructure_hook(DateTime, lambda d: d.isoformat())
    c.register_structure_hook(DateTime, lambda v, _: instant(v))
    c.register_unstructure_hook(uuid.UUID, str)
    c.register_structure_hook(uuid.UUID, lambda v, _: uuid.UUID(v))
    state = fold([barrage(UA_NIGHT, UAF, launched=80), barrage(RU_NIGHT, MOD, launched=70)])
    assert c.structure(c.unstructure(state), ClaimsState) == state


figures = st.none() | st.integers(0, 5)
nights = st.sampled_from([UA_NIGHT, RU_NIGHT, {k: v.add(days=1) for k, v in UA_NIGHT.items()}])
reports = st.builds(
    lambda night, source, launched, destroyed, weapon: barrage(
        night, source, launched=launched, destroyed=min(destroyed, launched or 0), weapon=weapon
    ),
    nights,
    st.sampled_from([UAF, MOD]),
    figures,
    st.integers(0, 5),
    st.sampled_from(["Shahed-136/131", "Gerbera"]),
)


@given(st.lists(reports, max_size=15), st.randoms(use_true_random=False))
def test_fold_equals_reduce_of_apply_in_any_order(events, rng):
    state = fold(events)
    assert state == reduce(events)
    shuffled = events[:]
    rng.shuffle(shuffled)
    assert fold(shuffled) == state
    assert all(f.conflicting == (len(set(f.values)) > 1) for f in state.facts)
