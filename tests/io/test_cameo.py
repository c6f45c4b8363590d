"""CAMEO codes and the Goldstein scale, from GDELT's tables (both copies), and intensity.

Facts asserted here were read by hand from ``../shared/data/cameo/`` and its README.
"""

import collections

import pendulum
import pytest

import timeline as tl
from timeline.io import cameo


@pytest.fixture
def tables(cameo_dir):
    return cameo.load(cameo_dir)


@pytest.fixture
def tables_2013(cameo_dir):
    return cameo.load(cameo_dir / "variant-2013")


def test_codes_are_text_with_their_leading_zeros(tables):
    assert "01" in tables.descriptions
    assert "010" in tables.descriptions
    assert "0841" in tables.descriptions
    assert all(isinstance(code, str) for code in tables.scores)
    sizes = collections.Counter(len(code) for code in tables.descriptions)
    # README fact 1: 20 two-digit, 146 three-digit, 144 four-digit codes, and 106 restored.
    assert sizes == {2: 20, 3: 147, 4: 144}
    assert tables.descriptions.keys() == tables.scores.keys()


def test_the_codes_this_project_uses(tables):
    # README fact 3.
    expected = {
        "036": ("Express intent to meet or negotiate", 4.0),
        "046": ("Engage in negotiation", 7.0),
        "057": ("Sign formal agreement", 8.0),
        "0841": ("Return, release person(s)", 7.0),
        "0871": ("Declare truce, ceasefire", 9.0),
        "108": ("Demand meeting, negotiation", -5.0),
        "138": ("Threaten to use military force, not specified below", -7.0),
        "163": ("Impose embargo, boycott, or sanctions", -8.0),
        "195": ("Employ aerial weapons", -10.0),
    }
    for code, (text, score) in expected.items():
        assert (cameo.describe(code, tables), cameo.goldstein(code, tables)) == (text, score)


def test_the_range_of_the_scale(tables):
    # README fact 2, and the inheritance note: 18 is -9.0, 182 is -9.5, 1821 is -9.0.
    assert min(tables.scores.values()) == -10.0
    assert max(tables.scores.values()) == 10.0
    assert [c for c, s in tables.scores.items() if s == 10.0] == ["0874"]
    assert sum(s == -10.0 for s in tables.scores.values()) == 18
    assert (tables.goldstein("18"), tables.goldstein("182"), tables.goldstein("1821")) == (
        -9.0,
        -9.5,
        -9.0,
    )


def test_the_merged_line_1056_is_split_back(tables):
    # README fact 4: "1056<TAB>Demand de-escalation of military engagement106:[-5.0] Demand
    # withdrawal", and no 106 in the Goldstein table.
    assert tables.describe("1056") == "Demand de-escalation of military engagement"
    assert tables.describe("106") == "Demand withdrawal"
    assert (tables.goldstein("1056"), tables.goldstein("106")) == (-5.0, -5.0)
    assert any("106" in r and "merged" in r for r in tables.repairs)


def test_the_mac_roman_quotes_are_repaired(tables):
    # README fact 5: "Meet at a ÒhirdÓlocation" in both copies.
    assert tables.describe("044") == "Meet at a “third” location"
    assert tables.goldstein("044") == 2.5
    assert any("044" in r for r in tables.repairs)


def test_both_copies_load_into_the_same_tables(tables, tables_2013):
    assert dict(tables.descriptions) == dict(tables_2013.descriptions)
    assert dict(tables.scores) == dict(tables_2013.scores)
    assert len(tables_2013.descriptions) == 311
    assert not any("merged" in r for r in tables_2013.repairs)  # the 2013 copy has no defect


def test_unknown_codes_are_refused(tables):
    with pytest.raises(tl.InvalidArgument) as caught:
        tables.goldstein("841")  # "0841" without its leading zero
    assert caught.value.argument == "code"
    with pytest.raises(tl.InvalidArgument):
        tables.describe(841)


def test_damaged_tables_are_refused(tmp_path):
    (tmp_path / "CAMEO.eventcodes.txt").write_text(
        "CODE\tTEXT\n01\tMAKE PUBLIC STATEMENT\n", encoding="utf-8"
    )
    (tmp_path / "CAMEO.goldsteinscale.txt").write_text(
        "CAMEOEVENTCODE\tGOLDSTEINSCALE\n01\tzero\n", encoding="utf-8"
    )
    with pytest.raises(tl.InvalidData, match="header"):
        cameo.load(tmp_path)
    (tmp_path / "CAMEO.eventcodes.txt").write_text(
        "CAMEOEVENTCODE\tEVENTDESCRIPTION\n01\tMAKE PUBLIC STATEMENT\n", encoding="utf-8"
    )
    with pytest.raises(tl.InvalidData, match="not a Goldstein score"):
        cameo.load(tmp_path)
    (tmp_path / "CAMEO.goldsteinscale.txt").write_bytes(
        "CAMEOEVENTCODE\tGOLDSTEINSCALE\n01\t0.0\n".encode("utf-16")
    )
    with pytest.raises(tl.InvalidData, match="UTF-16"):
        cameo.load(tmp_path)


def test_every_catalog_type_maps_to_a_known_code(tables):
    for tag, code in cameo.EVENT_CODES.items():
        assert tag in tl.default_registry()
        tables.goldstein(code)
    assert cameo.code_for(tl.TalkRoundHeld) == "046"
    assert cameo.code_for(tl.DroneBarrage) == "195"
    assert cameo.code_for(tl.CeasefireDemanded) == "107"  # "Demand ceasefire"
    assert cameo.code_for(tl.PrisonerExchangeCarriedOut) == "0841"
    assert cameo.code_for(tl.LossReport) is None
    assert tables.score(tl.TalkRoundHeld) == 7.0


def test_intensity_per_party_per_day(tables):
    day = pendulum.datetime(2025, 6, 2, 10)
    events = [
        tl.TalkRoundHeld(occurred_at=day, parties=("Ukraine", "Russia"), city="Istanbul"),
        tl.DroneBarrage(occurred_at=day.subtract(hours=12), attacker="Russia", launched=472),
        tl.MissileStrike(occurred_at=day.subtract(hours=12), attacker="Russia", launched=None),
        tl.CeasefireDemanded(occurred_at=day, party="Ukraine", immediate=True),
        tl.LossReport(occurred_at=day, party="Russia", cumulative=True),
        tl.Statement(occurred_at=day, speaker="Hakan Fidan", text="Welcome."),
    ]
    series = tables.intensity(events)
    assert series.of("Russia") == {"2025-06-01": -20.0, "2025-06-02": 7.0}
    assert series.of("Ukraine") == {"2025-06-02": 2.0}
    assert series.of("Hakan Fidan") == {"2025-06-02": 0.0}
    assert series.parties == ("Ukraine", "Russia", "Hakan Fidan")
    weighted = tables.intensity(events, weight="launched")
    assert weighted.of("Russia")["2025-06-01"] == -10.0 * 472 - 10.0  # an unknown count weighs 1


def test_escalation_intensity_from_the_missile_import(tables, missiles, memlog):
    tl.io.import_file(memlog, "missile-attacks", missiles)
    state = tl.replay(memlog, tl.Escalation())
    series = tables.escalation_intensity(state)
    assert series.parties == ("Russia",)
    per_day = series.of("Russia")
    reports_on = collections.Counter(
        d.day for d in state.days for _ in range(d.drones.reports + d.missiles.reports)
    )
    assert per_day == {day: -10.0 * n for day, n in reports_on.items()}
    # The same series from the events themselves.
    assert tables.intensity(tl.replay_events(memlog)).of("Russia") == per_day
    launched = tables.escalation_intensity(state, weight="launched").of("Russia")
    night = state.day("2025-05-31")
    assert launched["2025-05-31"] == -10.0 * (night.drones.launched + night.missiles.launched)


def test_whose_action_an_event_is():
    at = tl.instant("2025-06-02T10:00:00+00:00")
    cases = [
        (tl.Strike(occurred_at=at, attacker="Russia", actors=("X",)), ("Russia",)),
        (tl.DelegationAnnounced(occurred_at=at, party="Ukraine", head="A"), ("Ukraine",)),
        (
            tl.TalksProposed(occurred_at=at, proposed_by="Türkiye", parties=("Ukraine", "Russia")),
            ("Türkiye",),
        ),
        (tl.TalkRoundHeld(occurred_at=at, parties=("Ukraine", "Russia")), ("Ukraine", "Russia")),
        (
            tl.PrisonerExchangeCarriedOut(occurred_at=at, released={"Ukraine": 84, "Russia": 84}),
            ("Ukraine", "Russia"),
        ),
        (tl.Statement(occurred_at=at, speaker="Fidan", text="x"), ("Fidan",)),
        (tl.Statement(occurred_at=at, speaker="Fidan", party="Türkiye", text="x"), ("Türkiye",)),
        (tl.CasualtyReport(occurred_at=at, actors=("A", "B"), killed=1), ("A", "B")),
        (tl.CasualtyReport(occurred_at=at, killed=1), (None,)),
    ]
    for event, parties in cases:
        assert cameo.parties_of(event) == parties, event
