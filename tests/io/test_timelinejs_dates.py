"""TimelineJS dates across Kyiv's clock changes: local times, and a date that stays its own."""

import pendulum

import timeline as tl
from timeline.io.timelinejs import timeline_json

KYIV = "Europe/Kyiv"


def barrage(at: str, precision: str, launched: int) -> tl.DroneBarrage:
    return tl.DroneBarrage(
        occurred_at=pendulum.parse(at), time_precision=precision, zone=KYIV, launched=launched
    )


def starts(zone=None):
    log = tl.open_log("memory:")
    log.append(
        [
            barrage("2025-03-29T22:00:00Z", "day", 1),  # 30 March in Kyiv, a date
            barrage("2025-10-26T00:30:00Z", "minute", 2),  # 03:30 Kyiv, summer time
            barrage("2025-10-26T01:30:00Z", "minute", 3),  # 03:30 Kyiv again, winter time
        ],
        stream="air",
    )
    slides = timeline_json(log, zone=zone)["events"]
    return [(s["start_date"]["display_date"], s["start_date"].get("hour")) for s in slides]


def test_display_dates_read_kyivs_clock_on_both_transition_days():
    assert starts() == [
        ("2025-03-30", None),
        ("2025-10-26 03:30 Kyiv", 3),
        ("2025-10-26 03:30 Kyiv", 3),
    ]


def test_a_chosen_zone_moves_the_times_and_keeps_the_date():
    assert starts("UTC") == [
        ("2025-03-30", None),
        ("2025-10-26 00:30 UTC", 0),
        ("2025-10-26 01:30 UTC", 1),
    ]
