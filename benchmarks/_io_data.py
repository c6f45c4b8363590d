"""Synthetic files for ``io.py``: GDELT 2.0 events and ACLED's current export, N rows each.

Imported by ``io.py`` as ``import _io_data`` (``benchmarks`` is not a package). Each file is
written once (seeded, so the same N gives the same bytes) and kept in ``benchmarks/out/``.

GDELT: 61 tab-separated columns, a 15-minute file's worth (1,100 rows) per ``DATEADDED``,
one row in five about the day before; each actor is Ukrainian or Russian one time in twenty,
so ``countries=["UKR", "RUS"]`` keeps about 10% of the rows; CAMEO codes drawn from a list
that holds the mapped ones (talks, strikes, ceasefire demands) among common others.
ACLED: the 31 columns of the current export, shelling and air strikes in Ukraine.
"""

from __future__ import annotations

import csv
import random
import time
from pathlib import Path

from timeline.io.acled import COLUMNS as ACLED_COLUMNS
from timeline.io.gdelt import COLUMNS_V2

COUNTRIES = ("USA", "GBR", "FRA", "DEU", "CHN", "IND", "ISR", "PSE", "IRN", "SYR")
COUNTRIES += ("TUR", "NGA", "ZAF", "BRA", "MEX", "JPN", "KOR", "PAK", "AFG", "EGY")
CODES = ("010", "010", "012", "020", "036", "040", "041", "042", "043", "046", "051", "057")
CODES += ("061", "111", "112", "120", "130", "141", "173", "190", "193", "194", "195", "036")
CODES += ("046", "0841", "107", "1056", "180")
TYPES = ("GOV", "MIL", "COP", "REB", "BUS", "MED", "CVL", "")
FOCUS = 0.05  # each actor's chance of being Ukrainian or Russian
GDELT_START = 1_424_300_400  # 2015-02-18 23:00 UTC, GDELT 2.0's first file
ROWS_PER_FILE = 1_100


def _places() -> list[tuple[str, str, str, str]]:
    return [
        (
            f"Place {i}, Region {i % 27}, Country {i % 19}",
            f"C{i % 19:02d}{i % 27:02d}",
            f"{(i * 7) % 180 - 90:.4f}",
            f"{(i * 13) % 360 - 180:.4f}",
        )
        for i in range(400)
    ]


def _actor(rng: random.Random) -> list[str]:
    if rng.random() < 0.08:  # some rows have one actor only
        return [""] * 10
    country = rng.choice(("UKR", "RUS")) if rng.random() < FOCUS else rng.choice(COUNTRIES)
    kind = rng.choice(TYPES)
    name = {"UKR": "UKRAINE", "RUS": "RUSSIA"}.get(country, f"{country} NAME")
    label = f"{name} {kind}" if kind else name
    return [country + kind, label, country, "", "", "", "", kind, "", ""]


def write_gdelt(path: Path, n: int, seed: int = 20150218) -> None:
    """N rows of the GDELT 2.0 events table."""
    rng = random.Random(seed)
    places = _places()
    with path.open("w", encoding="utf-8", newline="") as out:
        for row in range(n):
            added = GDELT_START + (row // ROWS_PER_FILE) * 900
            day = time.strftime("%Y%m%d", time.gmtime(added - 86_400 * (rng.random() < 0.2)))
            code = rng.choice(CODES)
            name, adm1, lat, lon = rng.choice(places)
            geo = ["4", name, adm1[:2], adm1, "", lat, lon, "-123456"]
            cells = [
                str(410_000_000 + row),
                day,
                day[:6],
                day[:4],
                f"{day[:4]}.1342",
                *_actor(rng),
                *_actor(rng),
                rng.choice("01"),
                code,
                code[:3],
                code[:2],
                str(rng.randint(1, 4)),
                f"{rng.uniform(-10, 10):.1f}",
                str(rng.randint(1, 40)),
                str(rng.randint(1, 5)),
                str(rng.randint(1, 40)),
                f"{rng.uniform(-12, 8):.14f}",
                *geo,
                *geo,
                *geo,
                time.strftime("%Y%m%d%H%M%S", time.gmtime(added)),
                f"https://news{row % 500}.example.com/2015/02/story-{row // 3}.html",
            ]
            if len(cells) != len(COLUMNS_V2):
                raise SystemExit("the synthetic GDELT row is not 61 columns wide")
            out.write("\t".join(cells) + "\n")


ACLED_KINDS = (
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Battles", "Armed clash"),
    ("Violence against civilians", "Attack"),
)
OBLASTS = ("Donetsk", "Kharkiv", "Zaporizhia", "Kherson", "Sumy", "Dnipropetrovsk")


def write_acled(path: Path, n: int, seed: int = 20220224) -> None:
    """N rows of ACLED's current export (Ukraine, from 24 February 2022)."""
    rng = random.Random(seed)
    start = 1_645_660_800  # 2022-02-24
    with path.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file, lineterminator="\n")
        out.writerow(ACLED_COLUMNS)
        for row in range(n):
            when = time.gmtime(start + (row // 400) * 86_400)
            event_type, sub = rng.choice(ACLED_KINDS)
            oblast = rng.choice(OBLASTS)
            killed = rng.choice(("0", "0", "1", "2", "5", ""))
            cells = dict.fromkeys(ACLED_COLUMNS, "")
            cells.update(
                event_id_cnty=f"UKR{row + 1}",
                event_date=time.strftime("%Y-%m-%d", when),
                year=time.strftime("%Y", when),
                time_precision=rng.choice("112"),
                disorder_type="Political violence",
                event_type=event_type,
                sub_event_type=sub,
                actor1="Military Forces of Russia (2000-)",
                inter1="8",
                actor2="Civilians (Ukraine)" if event_type.startswith("Viol") else "",
                assoc_actor_2="",
                interaction="80",
                civilian_targeting="Civilian targeting" if rng.random() < 0.2 else "",
                iso="804",
                region="Europe",
                country="Ukraine",
                admin1=oblast,
                admin2=f"{oblast} raion",
                location=f"{oblast} {row % 97}",
                latitude=f"{47 + rng.random() * 3:.4f}",
                longitude=f"{33 + rng.random() * 5:.4f}",
                geo_precision="1",
                source="Ukrainska Pravda; Suspilne Media",
                source_scale="National",
                notes=f"On {time.strftime('%d %B %Y', when)}, Russian forces shelled {oblast}.",
                fatalities=killed,
                timestamp=str(1_700_000_000 + row),
            )
            out.writerow(cells.values())
