"""The table of countries' zones (timeline.io.zones), as ACLED and UCDP GED name countries."""

import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline.io import zones
from timeline.io._zone_table import TABLE

ROWS = [line.split("\t") for line in TABLE.splitlines()]
CODES = [row[0] for row in ROWS]

#: Country names as ACLED (current and older files) and UCDP GED write them.
NAMES = {
    "Ukraine": "Europe/Kyiv",
    "Russia": "Europe/Moscow",
    "Russia (Soviet Union)": "Europe/Moscow",
    "Syria": "Asia/Damascus",
    "Israel": "Asia/Jerusalem",
    "Palestine": "Asia/Hebron",
    "Sudan": "Africa/Khartoum",
    "South Sudan": "Africa/Juba",
    "Democratic Republic of Congo": "Africa/Kinshasa",
    "DR Congo (Zaire)": "Africa/Kinshasa",
    "Republic of Congo": "Africa/Brazzaville",
    "Ivory Coast": "Africa/Abidjan",
    "eSwatini": "Africa/Mbabane",
    "Kingdom of eSwatini (Swaziland)": "Africa/Mbabane",
    "Bosnia-Herzegovina": "Europe/Sarajevo",
    "Bosnia and Herzegovina": "Europe/Sarajevo",
    "Yemen (North Yemen)": "Asia/Aden",
    "Myanmar (Burma)": "Asia/Yangon",
    "Cambodia (Kampuchea)": "Asia/Phnom_Penh",
    "Serbia (Yugoslavia)": "Europe/Belgrade",
    "Macedonia, FYR": "Europe/Skopje",
    "Turkey": "Europe/Istanbul",
    "Iran": "Asia/Tehran",
    "Kosovo": "Europe/Belgrade",
    "United States": "America/New_York",
    "Côte d'Ivoire": "Africa/Abidjan",
}


def test_every_zone_in_the_table_exists():
    for _, _, _, _, places in ROWS:
        for place in places.split(";"):
            zoneinfo.ZoneInfo(place.split(" ")[0])


def test_capital_zones_are_their_countries():
    for code, zone in zones.CAPITAL_ZONES.items():
        assert zone in zones._tables()[2][code].zones, code


@pytest.mark.parametrize(("name", "zone"), NAMES.items())
def test_names_from_the_data_sets(name, zone):
    assert zones.country_zone(name) == zone


def test_codes():
    assert zones.country_zone(iso="804") == zones.country_zone(iso="UKR") == "Europe/Kyiv"
    assert zones.country_zone(iso="760.0") == "Asia/Damascus"  # a number saved as a float
    assert zones.country_zone("Nowhere", iso="") is None


def test_a_country_of_several_zones_by_coordinates():
    assert zones.country_zone("Russia", latitude=50.6, longitude=36.6) == "Europe/Moscow"
    assert zones.country_zone("Russia", latitude=56.0, longitude=92.9) == "Asia/Krasnoyarsk"
    assert zones.country_zone("United States", latitude=34.05, longitude=-118.24) == (
        "America/Los_Angeles"
    )
    # Ukraine is one zone, Crimea included
    assert zones.country_zone("Ukraine", latitude=44.95, longitude=34.1) == "Europe/Kyiv"


@given(code=st.sampled_from(CODES), latitude=st.floats(-90, 90), longitude=st.floats(-180, 180))
def test_a_zone_is_always_one_of_the_countrys(code, latitude, longitude):
    found = zones.country_zone(iso=code, latitude=latitude, longitude=longitude)
    assert found in zones._tables()[2][code].zones or found in zones.FIXED_ZONES.values()
