"""Readable text: headlines with their figures, per-field changes, cards; never a repr.

The expected strings are typed from the Istanbul example and from the shared data sets
(../shared/data, their READMEs and files), not computed by the code under test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pendulum
import pytest

import timeline as tl
from timeline.cli._summaries import history_lines, show_lines  # the text the command prints
from timeline.text import (
    Headlines,
    card_lines,
    field_changes,
    short_name,
    value_text,
    when_text,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
LOSSES = SHARED / "ru-losses"
MISSILES = SHARED / "missile-attacks" / "missile_attacks_daily_2025-05_2025-06.csv"
NOW = tl.instant("2026-01-01T00:00:00+00:00")
REPR = re.compile(r"object at 0x|<built-in|<bound|\bNone\b|\(\)|\[\]|\{'")


@pytest.fixture
def istanbul(example):
    log = tl.open_log("memory:", clock=tl.FixedClock(NOW))
    example.record(log)
    return log


def headline_of(log, event_id) -> str:
    events = [r.event for r in log.read()]
    headlines = Headlines(events, codec=log.codec)
    [event] = [e for e in events if e.event_id == event_id]
    return headlines.text(event)


def test_values_are_read_as_text_never_as_repr():
    assert value_text(("Ukraine", "Russia")) == "Ukraine, Russia"
    assert value_text(990800) == "990,800"
    assert value_text(str.count) == "?"
    assert value_text(object()) == "object"
    assert value_text(()) == "–"
    assert value_text([{"party": "Ukraine", "count": 390}]) == "Ukraine 390"


def test_a_correction_reads_as_what_it_changed():
    assert field_changes({"destroyed": 210}, {"destroyed": 211}) == ["destroyed 210 → 211"]
    assert field_changes({"personnel": None, "tags": []}, {"personnel": 2800, "tags": []}) == [
        "personnel – → 2,800"
    ]


def test_the_istanbul_causal_link_names_its_events(istanbul):
    links = [r.event for r in istanbul.read(types=[tl.CausalLink])]
    headlines = Headlines([r.event for r in istanbul.read()], codec=istanbul.codec)
    texts = [headlines.text(link) for link in links]
    assert "Spiderweb strike → 472-drone night (retaliation, 0.7)" in texts
    assert "472-drone night → round 2 of talks in Istanbul (held-despite, 0.5)" in texts
    assert not any(re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", t) for t in texts)


def test_the_istanbul_correction_of_the_3_june_tally(istanbul, example):
    text = headline_of(istanbul, example.eid("losses-2025-06-03-revised"))
    assert text.startswith("aircraft 384 → 413 (")
    assert text.endswith(") in Russia losses to 3 Jun 2025")


def test_the_readme_correction_reads_as_destroyed_210_to_211():
    log = tl.open_log("memory:", clock=tl.FixedClock(NOW))
    barrage = tl.DroneBarrage(
        occurred_at=pendulum.datetime(2025, 5, 31, 19, 30, tz="Europe/Kyiv"),
        occurred_until=pendulum.datetime(2025, 6, 1, 13, 30, tz="Europe/Kyiv"),
        attacker="Russia",
        target="Ukraine",
        weapon="Shahed-136/131",
        launched=472,
        destroyed=210,
        lost=172,
    )
    fix = tl.Correction(
        occurred_at=pendulum.datetime(2025, 6, 2, tz="UTC"),
        corrects=barrage.event_id,
        changes={"destroyed": 211},
        reason="revised report",
    )
    log.append([barrage], stream="escalation")
    log.append([fix], stream="escalation")
    assert headline_of(log, fix.event_id) == (
        "destroyed 210 → 211 (revised report) in 472-drone night"
    )
    card = card_lines(log.codec, barrage, tl.history(log, barrage.event_id))
    assert "destroyed: 211" in card
    assert card[-1].endswith("  destroyed 210 → 211 (revised report)")


def test_short_names():
    assert short_name(tl.Strike(occurred_at=NOW, attacker="Ukraine")) == "Ukraine's strike"
    day_barrage = tl.DroneBarrage(
        occurred_at=pendulum.datetime(2025, 5, 7, 14, 30, tz="Europe/Kyiv"),
        occurred_until=pendulum.datetime(2025, 5, 7, 20, 30, tz="Europe/Kyiv"),
        launched=31,
    )
    assert short_name(day_barrage) == "31-drone barrage"


# -- the shared data ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def losses_log():
    for path in (LOSSES, MISSILES):
        if not path.exists():
            pytest.skip(f"the shared data set {path} is not here (it is read in place)")
    log = tl.open_log("memory:", clock=tl.FixedClock(NOW))
    tl.io.import_file(log, "ru-losses", LOSSES / "revisions.jsonl.gz")
    tl.io.import_file(log, "ru-losses", LOSSES)
    tl.io.import_file(log, "missile-attacks", MISSILES)
    return log


def tally(log, date: str) -> tl.LossReport:
    [found] = [
        r.event
        for r in log.read(types=[tl.LossReport])
        if tl.projections.dates.date_label(r.event) == date
    ]
    return found


def test_the_3_june_2025_tally_carries_its_figures_and_their_change(losses_log):
    # russia_losses_equipment.json and russia_losses_personnel.json, 2 and 3 June 2025:
    # personnel 989700 → 990800, aircraft 372 → 413, tank 10874 → 10881, APC 22663 → 22671,
    # field artillery 28575 → 28623; also MRL, anti-aircraft warfare, drone and vehicles
    # and fuel tanks changed; helicopter 336, naval ship 28 and the rest did not.
    headlines = Headlines([r.event for r in losses_log.read()], codec=losses_log.codec)
    now = tl.history(losses_log, tally(losses_log, "2025-06-03").event_id).current
    assert headlines.text(now) == (
        "Russia losses to 3 Jun 2025: personnel 990,800 (+1,100), aircraft 413 (+41), "
        "tank 10,881 (+7), APC 22,671 (+8), field artillery 28,623 (+48) and 4 more"
    )


def test_the_history_of_the_3_june_tally_is_a_per_field_diff(losses_log):
    hist = tl.history(losses_log, tally(losses_log, "2025-06-03").event_id)
    steps = [line.split(maxsplit=3)[2:] for line in history_lines(losses_log.codec, hist)[1:-1]]
    assert [s[0] for s in steps] == ["recorded", "corrected", "corrected"]
    # README fact 2: commit 4990556 rewrote the 3 June record, aircraft 384 → 413 only.
    assert steps[1][1].startswith("aircraft 384 → 413  (")
    # The personnel file adds what the equipment file lacks: 990800 on 3 June.
    assert steps[2][1].startswith("tags – → personnel approximate, personnel – → 990,800  (")


def test_every_headline_of_the_shared_data_reads_without_a_repr(losses_log):
    events = [r.event for r in losses_log.read()]
    headlines = Headlines(events, codec=losses_log.codec)
    for event in events:
        text = headlines.text(event)
        if isinstance(event, tl.Correction):
            text = text.split(" (")[0]  # the importer's reason is its own text
        assert not REPR.search(text), text


def test_show_is_a_card_of_the_event_as_corrected(istanbul, example):
    [record] = [r for r in istanbul.read() if r.event.event_id == example.eid("losses-2025-06-03")]
    card = show_lines(istanbul.codec, record, tl.history(istanbul, record.event.event_id))
    assert card[0].endswith("(corrected since: see its history)")
    assert card[1].startswith("position 32, stream 'losses/general-staff'")
    assert "when: 2025-06-03 (day precision)" in card  # the tally of 3 June, Kyiv
    # The seed article's tally, as the General Staff corrected it the next day.
    assert "equipment:  aircraft 413, helicopter 336, tank 10,881" in card
    assert "personnel:  990,800" in card
    assert "sources:" in card
    assert any(
        line.startswith("  B3  General Staff of the Armed Forces of Ukraine") for line in card
    )
    assert card[-2] == "history:"
    assert card[-1].startswith("  2025-06-04T07:50Z  aircraft 384 → 413 (")
    assert not any(REPR.search(line) for line in card)


def test_when_is_read_on_the_reporting_clock(istanbul, example):
    [night] = [r.event for r in istanbul.read() if r.event.event_id == example.eid("barrage-472")]
    # The seed article: from 19:30 on 31 May to 13:30 on 1 June, Kyiv time.
    assert when_text(night) == "2025-05-31 19:30 Kyiv to 2025-06-01 13:30 Kyiv"
    days = tl.DroneBarrage(
        occurred_at=pendulum.datetime(2025, 5, 21, tz="Europe/Kyiv"),
        occurred_until=pendulum.datetime(2025, 5, 22, tz="Europe/Kyiv"),
        time_precision="day",
        launched=5,
    )
    assert when_text(days) == "2025-05-21"
