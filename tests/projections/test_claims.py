"""The claims ledger: one fact, several claimants, conflicting figures, graded sources."""

from __future__ import annotations

import functools
import uuid
from pathlib import Path

import cattrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pendulum import DateTime

import timeline as tl
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
from timeline.projections.claims import Claim, Claims, ClaimsState, FactKey
from timeline.time import TimePrecision, instant

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


# -- windows: consecutive reports are not a conflict, overlapping ones are ---------------------
# Typed from ../shared/data/missile-attacks (rows 201 and 202 of the May-June 2025 excerpt):
# the Air Force's window 2025-05-06 20:30 to 2025-05-07 14:30 (Kyiv), 187 Shahed launched,
# then 2025-05-07 14:30 to 20:30, 31 launched. Both end on 7 May.
KYIV = "Europe/Kyiv"
NIGHT_187 = {
    "occurred_at": pendulum.datetime(2025, 5, 6, 20, 30, tz=KYIV),
    "occurred_until": pendulum.datetime(2025, 5, 7, 14, 30, tz=KYIV),
}
DAY_31 = {
    "occurred_at": pendulum.datetime(2025, 5, 7, 14, 30, tz=KYIV),
    "occurred_until": pendulum.datetime(2025, 5, 7, 20, 30, tz=KYIV),
}


def test_consecutive_windows_of_one_claimant_are_not_a_conflict():
    night = barrage(NIGHT_187, UAF, launched=187, destroyed=81, claimed_by="Ukrainian Air Force")
    day = barrage(DAY_31, UAF, launched=31, destroyed=20, claimed_by="Ukrainian Air Force")
    state = fold([night, day])
    [launched] = state.about(date="2025-05-07", figure="launched")
    assert launched.values == (187, 31)  # filed together: both windows end on 7 May
    assert not launched.conflicting
    assert launched.disagreements() == ()
    assert state.conflicts() == ()


def test_overlapping_windows_that_disagree_are_a_conflict():
    night = barrage(NIGHT_187, UAF, launched=187, claimed_by="Ukrainian Air Force")
    # Another count of part of that night, 02:00 to 09:00 Kyiv time on 7 May.
    part = {
        "occurred_at": pendulum.datetime(2025, 5, 7, 2, tz=KYIV),
        "occurred_until": pendulum.datetime(2025, 5, 7, 9, tz=KYIV),
    }
    other = barrage(part, MOD, launched=150, claimed_by="Russian ministry of defence")
    day = barrage(DAY_31, UAF, launched=31, claimed_by="Ukrainian Air Force")
    [fact] = fold([night, other, day]).conflicts()
    assert fact.key.figure == "launched"
    assert [(a.value, b.value) for a, b in fact.disagreements()] == [(187, 150)]


def test_a_claim_without_a_window_is_about_its_whole_date():
    day = barrage(DAY_31, UAF, launched=31, claimed_by="Ukrainian Air Force")
    dated = barrage(
        {"occurred_at": pendulum.datetime(2025, 5, 7, tz=KYIV), "time_precision": "day"},
        MOD,
        launched=40,
    )
    [fact] = fold([day, dated]).conflicts()
    assert sorted(fact.values) == [31, 40]


def test_whole_day_windows_of_the_same_day_overlap():
    # Air Command South's day reports "2025-05-21,2025-05-21": midnight to midnight in Kyiv.
    whole = {
        "occurred_at": pendulum.datetime(2025, 5, 21, tz=KYIV),
        "occurred_until": pendulum.datetime(2025, 5, 22, tz=KYIV),
        "time_precision": "day",
    }
    south = Source(name="Air Command South", reliability="B", credibility=2)
    a = barrage(whole, south, weapon="Orlan-10", target="south", launched=1)
    b = barrage(whole, south, weapon="Orlan-10", target="south", launched=5)
    assert [f.key.figure for f in fold([a, b]).conflicts()] == ["launched"]


MISSILES = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "missile-attacks"
    / "missile_attacks_daily_2025-05_2025-06.csv"
)


def test_the_missile_data_has_no_conflict_on_7_may():
    if not MISSILES.exists():
        pytest.skip(f"the shared data set {MISSILES} is not here")
    log = tl.open_log("memory:", clock=tl.FixedClock(instant("2026-01-01T00:00:00+00:00")))
    tl.io.import_file(log, "missile-attacks", MISSILES, stream="air")
    state = tl.replay(log, Claims())
    [launched] = state.about(date="2025-05-07", figure="launched", weapon="Shahed-136/131")
    assert launched.values == (187, 31)
    assert not launched.conflicting
    # What is left: two posts of Air Command South for all of 21 May, Orlan-10 1 and 5.
    assert {(f.key.date, f.key.weapon, f.values) for f in state.conflicts()} == {
        ("2025-05-21", "Orlan-10", (5, 1)),
    }


def _claim(start: DateTime, end: DateTime | None, precision: str = "minute"):
    return Claim(
        value=1,
        claimant=None,
        sources=(),
        event_id=uuid.uuid4(),
        occurred_at=start,
        until=end,
        precision=TimePrecision(precision),
    )


MINUTES = st.integers(min_value=0, max_value=3 * 24 * 60)
BASE = pendulum.datetime(2025, 5, 6, 17, 30)


@given(MINUTES, MINUTES, MINUTES, MINUTES)
def test_overlap_is_symmetric_and_means_sharing_an_instant(a, b, c, d):
    (a, b), (c, d) = sorted((a, b)), sorted((c, d))
    one = _claim(BASE.add(minutes=a), BASE.add(minutes=b))
    two = _claim(BASE.add(minutes=c), BASE.add(minutes=d))
    assert one.overlaps(two) == two.overlaps(one)
    if a < b and c < d:  # two windows: half-open, so touching ends do not overlap
        assert one.overlaps(two) == (a < d and c < b)
    else:  # an instant overlaps what holds it, ends included
        assert one.overlaps(two) == (c <= b and a <= d)


@given(MINUTES, st.integers(min_value=1, max_value=600), st.integers(min_value=1, max_value=600))
def test_consecutive_windows_never_overlap_and_a_dateless_claim_overlaps_all(start, first, second):
    one = _claim(BASE.add(minutes=start), BASE.add(minutes=start + first))
    two = _claim(BASE.add(minutes=start + first), BASE.add(minutes=start + first + second))
    assert not one.overlaps(two)
    whole_day = _claim(BASE, None)
    assert whole_day.overlaps(one)
    assert whole_day.overlaps(two)
