"""The escalation record: per day, per window, by weapon; unknowns; records; fold == apply."""

from __future__ import annotations

import copy
import functools
import pickle
import uuid

import attrs
import cattrs
import orjson
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pendulum import DateTime

from timeline.errors import DecodeError
from timeline.events import DroneBarrage, MissileStrike, Source, Statement, Strike
from timeline.projections.escalation import Escalation, EscalationState, Figures, Tallies
from timeline.time import instant

P = Escalation()


def fold(events, state=None):
    return P.fold(P.initial() if state is None else state, events)


def reduce(events, state=None):
    return functools.reduce(P.apply, events, P.initial() if state is None else state)


def converter():
    c = cattrs.Converter()
    c.register_unstructure_hook(DateTime, lambda d: d.isoformat())
    c.register_structure_hook(DateTime, lambda v, _: instant(v))
    c.register_unstructure_hook(uuid.UUID, str)
    c.register_structure_hook(uuid.UUID, lambda v, _: uuid.UUID(v))
    return c


NIGHT = pendulum.datetime(2025, 5, 31, 16, 30)


def barrage(start=NIGHT, hours=18, **kw):
    kw.setdefault("attacker", "Russia")
    kw.setdefault("weapon", "Shahed-136/131")
    kw.setdefault("claimed_by", "Ukrainian Air Force")
    return DroneBarrage(occurred_at=start, occurred_until=start.add(hours=hours), **kw)


# -- the seed's question -------------------------------------------------------------------


def test_largest_single_night_as_of_1_june_is_472_by_the_air_force(example, seed_events):
    state = fold(seed_events)
    assert state == reduce(seed_events)
    record = state.drone_record_as_of(pendulum.datetime(2025, 6, 1))
    assert record is not None
    assert record.launched == 472
    assert record.claimant == "Ukrainian Air Force"
    assert record.event_id == example.eid("barrage-472")
    assert record.day == "2025-05-31"  # 19:30 Kyiv time is 16:30 UTC on 31 May
    assert state.largest_drone_window == record
    assert state.drone_record_as_of(pendulum.datetime(2025, 5, 31)) is None


def test_seed_days_and_strikes(seed_events):
    state = fold(seed_events)
    assert [d.day for d in state.days] == ["2025-05-31", "2025-06-01"]
    # The strike on the bombers is dated 1 June in Istanbul: local midnight, 21:00 UTC on
    # 31 May, still counts on 1 June.
    assert state.day("2025-06-01").strikes == 1
    assert state.day("2025-05-31").drones.launched == 472
    assert state.day("2025-05-30") == state.day("2025-05-30")  # an empty day is all zeros
    assert state.day("2025-05-30").drones == Figures()
    assert state.launched_per_day("Russia") == {"2025-05-31": 472}


# -- unknown is not zero ---------------------------------------------------------------------


def test_unknown_figures_are_counted_as_unknown_not_zero():
    state = fold([barrage(launched=None, destroyed=None), barrage(NIGHT.add(days=1), launched=10)])
    assert state.drones.launched == 10
    assert state.drones.launched_unknown == 1
    assert state.drones.destroyed is None  # no report gave it
    assert state.drones.destroyed_unknown == 2
    first = state.day("2025-05-31").drones
    assert first.launched is None
    assert first.launched_unknown == 1
    assert first.reports == 1
    assert state.launched_per_day("Russia") == {"2025-05-31": 0, "2025-06-01": 10}
    assert state.intensity[0].days[0].unknown == 1


def test_a_window_with_no_known_count_sets_no_record():
    state = fold([barrage(launched=None), barrage(NIGHT.add(days=1), launched=5)])
    assert [r.launched for r in state.drone_records] == [5]


# -- windows, weapons and kinds ------------------------------------------------------------


def test_one_window_many_weapons_and_kinds():
    events = [
        barrage(launched=80, destroyed=52, lost=20),
        barrage(weapon="Gerbera", launched=20, destroyed=None),
        MissileStrike(
            occurred_at=NIGHT,
            occurred_until=NIGHT.add(hours=18),
            attacker="Russia",
            weapon="Iskander-M/KN-23",
            launched=3,
            destroyed=0,
            claimed_by="Ukrainian Air Force",
        ),
    ]
    state = fold(events)
    assert len(state.windows) == 1
    w = state.windows[0]
    assert w.drones.launched == 100
    assert w.drones.destroyed == 52
    assert w.drones.destroyed_unknown == 1
    assert w.missiles.launched == 3
    assert len(w.tallies) == 3
    assert set(w.event_ids) == {e.event_id for e in events}
    assert [(x.kind, x.weapon, x.figures.launched) for x in state.weapons] == [
        ("drone", "Gerbera", 20),
        ("drone", "Shahed-136/131", 80),
        ("missile", "Iskander-M/KN-23", 3),
    ]
    # The record is the window's drones, every drone weapon together.
    assert state.largest_drone_window.launched == 100
    assert set(state.largest_drone_window.event_ids) == {events[0].event_id, events[1].event_id}


def test_two_reports_of_the_same_tally_are_summed():
    state = fold([barrage(launched=40, destroyed=10), barrage(launched=2, destroyed=None)])
    assert len(state.tallies) == 1
    t = state.tallies[0]
    assert t.figures == Figures(
        launched=42, destroyed=10, lost=None, destroyed_unknown=1, lost_unknown=2, reports=2
    )
    assert len(t.event_ids) == 2


def test_claimants_keep_their_own_windows():
    ua = barrage(launched=472)
    ru = barrage(launched=None, destroyed=300, claimed_by=None, sources=[Source(name="MoD")])
    state = fold([ua, ru])
    assert [w.claimant for w in state.windows] == ["Ukrainian Air Force", "MoD"]


def test_strikes_are_counted_and_other_events_ignored():
    @attrs.frozen(kw_only=True)
    class Swarm(DroneBarrage):  # a user's own kind of barrage still counts as drones
        pass

    events = [
        Strike(occurred_at=NIGHT, attacker="Ukraine", targets=["airbase"]),
        Statement(occurred_at=NIGHT, speaker="someone", text="something"),
        Swarm(occurred_at=NIGHT.add(days=2), attacker="Russia", launched=7),
    ]
    state = fold(events)
    assert state.strikes == 1
    assert state.drones.launched == 7
    assert state.windows[0].strikes == 1
    assert state.drones.reports == 1
    assert len(state.tallies.event_id) == 2  # the statement is not counted


def test_a_day_precision_report_counts_on_its_local_date():
    kyiv_day = pendulum.datetime(2025, 6, 1, tz="Europe/Kyiv")  # 21:00 UTC on 31 May
    state = fold([DroneBarrage(occurred_at=kyiv_day, time_precision="day", launched=4)])
    assert [d.day for d in state.days] == ["2025-06-01"]
    exact = fold([DroneBarrage(occurred_at=kyiv_day, launched=4)])
    assert [d.day for d in exact.days] == ["2025-06-01"]  # local too: the zone is Kyiv's
    utc = fold([DroneBarrage(occurred_at=kyiv_day.in_timezone("UTC"), launched=4)])
    assert [d.day for d in utc.days] == ["2025-05-31"]  # no zone (an old log's): UTC date
    late = pendulum.datetime(2025, 6, 2, 1, 30, tz="Europe/Kyiv")  # 22:30 UTC on 1 June
    assert [d.day for d in fold([DroneBarrage(occurred_at=late, launched=4)]).days] == [
        "2025-06-02"
    ]


# -- records -----------------------------------------------------------------------------------


def test_records_are_the_record_breaking_windows_in_order():
    counts = [100, 50, 200, 200, 300, 10]
    events = [barrage(NIGHT.add(days=i), launched=n) for i, n in enumerate(counts)]
    state = fold(events)
    records = state.drone_records
    assert [(r.launched, r.previous) for r in records] == [(100, None), (200, 100), (300, 200)]
    assert [r.event_id for r in records] == [
        events[0].event_id,
        events[2].event_id,
        events[4].event_id,
    ]
    assert state.drone_record_as_of(NIGHT.add(days=3)).launched == 200
    assert state.drone_record_as_of(NIGHT.add(days=9)).launched == 300


# -- folding --------------------------------------------------------------------------------


def test_apply_leaves_the_state_it_was_given_alone():
    before = fold([barrage(launched=1)])
    copy = attrs.evolve(before)
    after = P.apply(before, barrage(launched=2))
    assert before == copy
    assert after != before
    assert after.drones.launched == 3


EVENTS = [barrage(NIGHT.add(hours=6 * (i % 5)), launched=i, weapon=f"w{i % 3}") for i in range(30)]


@given(st.permutations(EVENTS))
def test_out_of_order_folds_give_the_same_totals(shuffled):
    ordered, mixed = fold(EVENTS), fold(shuffled)
    assert mixed == reduce(shuffled)
    assert ordered.days == mixed.days
    assert ordered.weapons == mixed.weapons
    assert ordered.drones == mixed.drones
    assert sorted(len(w.tallies) for w in ordered.windows) == sorted(
        len(w.tallies) for w in mixed.windows
    )


def test_the_state_round_trips_through_a_plain_cattrs_converter(seed_events):
    c = converter()
    state = fold([*seed_events, barrage(launched=None)])
    assert c.structure(c.unstructure(state), EscalationState) == state


# -- properties --------------------------------------------------------------------------------

BASE = pendulum.datetime(2025, 5, 1)
starts = st.integers(0, 4).map(lambda h: BASE.add(hours=6 * h))
counts = st.none() | st.integers(0, 50)


@st.composite
def attacks(draw):
    start = draw(starts)
    end = draw(st.none() | st.just(start.add(hours=12)))
    kind = draw(st.sampled_from([DroneBarrage, MissileStrike, Strike, Statement]))
    common = {
        "occurred_at": start,
        "occurred_until": end,
        "time_precision": draw(st.sampled_from(["minute", "day"])),
        "claimed_by": draw(st.sampled_from([None, "UAF", "MoD"])),
        "sources": draw(st.sampled_from([(), ("Reuters",)])),
    }
    if kind is Statement:
        return Statement(speaker="s", text="t", **common)
    attacker = draw(st.sampled_from(["Russia", "Ukraine"]))
    weapon = draw(st.sampled_from([None, "Shahed", "Iskander"]))
    if kind is Strike:
        return Strike(attacker=attacker, weapon=weapon, **common)
    launched = draw(counts)
    cap = 50 if launched is None else launched
    return kind(
        attacker=attacker,
        weapon=weapon,
        launched=launched,
        destroyed=draw(st.none() | st.integers(0, cap)),
        lost=draw(st.none() | st.integers(0, cap)),
        **common,
    )


@given(st.lists(attacks(), max_size=25))
def test_fold_equals_reduce_of_apply(events):
    assert fold(events) == reduce(events)


@given(st.lists(attacks(), max_size=20), st.lists(attacks(), max_size=20))
def test_folding_on_from_a_state_equals_folding_at_once(head, tail):
    assert fold(tail, fold(head)) == fold(head + tail)


@given(st.lists(attacks(), max_size=25))
def test_totals_add_up(events):
    state = fold(events)
    known = [e.launched for e in events if isinstance(e, DroneBarrage) and e.launched is not None]
    unknown = [e for e in events if isinstance(e, DroneBarrage) and e.launched is None]
    assert state.drones.launched == (sum(known) if known else None)
    assert state.drones.launched_unknown == len(unknown)
    assert sum(d.drones.reports for d in state.days) == state.drones.reports
    assert sum(w.strikes for w in state.windows) == state.strikes
    records = [r.launched for r in state.drone_records]
    assert records == sorted(set(records))


# -- the packed ids ----------------------------------------------------------------------------


def test_event_ids_are_kept_packed_in_the_order_folded():
    events = [barrage(launched=1), barrage(launched=2, weapon="Geran-2"), barrage(launched=3)]
    t = fold(events).tallies
    assert t.folded == 3
    assert t.ids == b"".join(e.event_id.bytes for e in events)
    assert t.rows == b"".join(r.to_bytes(4, "little") for r in (0, 1, 0))
    assert t.event_id == tuple(e.event_id for e in events)
    assert t.event_tally == (0, 1, 0)
    assert [tally.event_ids for tally in t] == [
        (events[0].event_id, events[2].event_id),
        (events[1].event_id,),
    ]


@given(st.lists(attacks(), max_size=25), st.lists(attacks(), max_size=10))
def test_each_counted_event_is_in_the_tally_it_belongs_to(events, more):
    state = fold(more, fold(events))
    t = state.tallies
    counted = [e for e in events + more if not isinstance(e, Statement)]
    assert t.event_id == tuple(e.event_id for e in counted)
    assert len(t.event_tally) == t.folded == len(counted)
    for event, row in zip(counted, t.event_tally, strict=True):
        tally = t[row]
        claimant = event.claimed_by or (event.sources[0].name if event.sources else None)
        assert (tally.start, tally.end, tally.claimant) == (
            event.occurred_at,
            event.occurred_until,
            claimant,
        )
        assert (tally.attacker, tally.weapon) == (event.attacker, event.weapon)
        assert event.event_id in tally.event_ids
    for record in state.drone_records:
        assert set(record.event_ids) <= set(t.event_id)


# -- the packed tallies (what a snapshot stores) -------------------------------------------------


def packed(state):
    """The state as a snapshot reads it back: its tallies packed, and read back."""
    return EscalationState(tallies=Tallies.from_packed(state.tallies.to_packed()))


@given(st.lists(attacks(), max_size=25))
def test_packed_tallies_read_back_equal(events):
    state = fold(events)
    back = packed(state)
    assert (len(back.tallies), back.tallies.folded) == (len(state.tallies), state.tallies.folded)
    assert back == state
    assert all(type(s) is DateTime and s.tzinfo == pendulum.UTC for s in back.tallies.start)
    assert back.largest_drone_window == state.largest_drone_window
    assert back.days == state.days
    assert pickle.loads(pickle.dumps(packed(state))) == state  # noqa: S301  # our own bytes
    assert copy.deepcopy(packed(state)) == state


@given(st.lists(attacks(), max_size=25), st.lists(attacks(), max_size=15))
def test_folding_on_from_packed_tallies_equals_folding_at_once(head, tail):
    """Whether the tail falls into the old rows or after them."""
    assert fold(tail, packed(fold(head))) == fold(head + tail)


@given(st.lists(attacks(), min_size=1, max_size=10), st.lists(attacks(), max_size=20))
def test_applying_one_by_one_on_packed_tallies_equals_folding_at_once(head, tail):
    assert reduce(tail, packed(fold(head))) == fold(head + tail)


def test_packed_tallies_keep_a_figure_beyond_64_bits():
    state = fold([barrage(launched=2**70), barrage(NIGHT.add(hours=1), launched=None)])
    assert packed(state) == state
    assert packed(state).drones.launched == 2**70


def made(tallies, name):
    """Whether a column of the tallies was made (reaching into the column's slot)."""
    try:
        Tallies.__dict__[name].slot.__get__(tallies)
    except AttributeError:
        return False
    return True


ALL = [f.name for f in attrs.fields(Tallies) if f.init]


def test_the_packed_format_is_a_json_header_then_a_section_per_column_then_ids_and_rows():
    events = [barrage(launched=1), barrage(launched=2), barrage(NIGHT.add(hours=1))]
    data = fold(events).tallies.to_packed()
    assert data.startswith(b"timeline.tallies/3\n")
    size = int.from_bytes(data[19:27], "little")
    header = orjson.loads(data[27 : 27 + size])
    assert (header["rows"], header["folded"], header["windows"], header["block"]) == (2, 3, 2, [1])
    area = data[27 + size :]

    def section(name):
        at, length = header["sections"][name]
        return area[at : at + length]

    assert orjson.loads(section("launched")) == [3, None]
    assert orjson.loads(section("launched_unknown")) == [0, 1]
    assert orjson.loads(section("weapon")) == {"values": ["Shahed-136/131"], "codes": [0, 0]}
    assert section("ids") == b"".join(e.event_id.bytes for e in events)
    assert section("rows") == b"".join(r.to_bytes(4, "little") for r in (0, 0, 1))


def test_stored_columns_are_read_when_first_asked_for_and_a_tail_after_them_reads_none():
    head = [barrage(launched=10), barrage(NIGHT.add(hours=6), launched=20)]
    state = packed(fold(head))
    assert not any(made(state.tallies, name) for name in ALL)
    assert (len(state.tallies), state.tallies.folded) == (2, 2)
    later = [barrage(NIGHT.add(days=1), launched=472), barrage(NIGHT.add(days=1), weapon="x")]
    more = fold(later, state)
    assert not any(made(state.tallies, name) for name in ALL)  # shared, not read
    assert not any(made(more.tallies, name) for name in ALL)
    assert more.largest_drone_window.launched == 472
    assert made(more.tallies, "launched")
    assert more == fold(head + later)


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: b"timeline.tallies/1" + d[18:],  # the earlier format (snapshots of version 3)
        lambda d: d[:10],
        lambda d: d.replace(b'"folded":3', b'"folded":4'),  # the ids and rows shorter than said
        lambda d: d.replace(b'"block":[1]', b'"block":[7]'),
        lambda d: d.replace(b'"sections":{', b'"sectionz":{'),
        lambda d: d[:-1],  # the rows cut short
    ],
)
def test_damaged_packed_tallies_are_refused(damage):
    data = fold([barrage(launched=1), barrage(launched=2), barrage(NIGHT.add(hours=1))])
    data = data.tallies.to_packed()
    with pytest.raises(ValueError, match="tallies"):
        Tallies.from_packed(damage(data))


@pytest.mark.parametrize(
    ("column", "damage"),
    [
        ("window", lambda d: d.replace(b'"rows":2', b'"rows":3')),  # columns shorter than said
        (
            "weapon",
            lambda d: d.replace(
                b'"Shahed-136/131"],"codes":[0,0]', b'"Shahed-136/131"],"codes":[0,5]'
            ),
        ),  # beyond the values
        ("launched", lambda d: d.replace(b"[3,null]", b"[3,nulx]")),  # not JSON
    ],
)
def test_a_column_damaged_inside_is_a_decode_error_when_read(column, damage):
    data = fold([barrage(launched=1), barrage(launched=2), barrage(NIGHT.add(hours=1))])
    tallies = Tallies.from_packed(damage(data.tallies.to_packed()))
    with pytest.raises(DecodeError, match=column):
        _ = EscalationState(tallies=tallies) == data


def test_a_stale_packed_snapshot_is_a_decode_error_to_the_state_codec():
    """How a snapshot store sees an older format: a DecodeError, so it is not used."""
    from timeline.projections.snapshots import StateCodec  # noqa: PLC0415  # this test only

    codec = StateCodec()
    data = codec.dumps(fold([barrage(launched=1)]), EscalationState)
    with pytest.raises(DecodeError):
        codec.loads(data.replace(b"timeline.tallies/3", b"timeline.tallies/2"), EscalationState)
