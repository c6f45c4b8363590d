"""The importers this package owns keep each event's zone, and a zone alone changes nothing.

The Air Force's rows are Kyiv time (or the ``zone=`` given), the General Staff's days are
Kyiv's. Stable ids do not include the zone, and a stored event that differs from a row only
by its zone (imported before events kept theirs) is unchanged on re-import.
"""

import collections
import datetime as dt

import attrs

import timeline as tl
from timeline.io._pipeline import stable_id

KYIV = "Europe/Kyiv"


def strip_zones(log):
    """A copy of ``log`` as the release before issue 15 imported it: every zone ``None``."""
    old = tl.open_log("memory:")
    for rec in log.read():
        event = attrs.evolve(rec.event, zone=None)
        assert event.zone is None
        old.append([event], stream=rec.stream)
    return old


def test_missile_attacks_are_in_kyiv_time(memlog, missiles):
    tl.io.import_file(memlog, "missile-attacks", missiles)
    events = [r.event for r in memlog.read()]
    assert {e.zone for e in events} == {KYIV}
    # README: 223 data rows, 102 in May and 121 in June (by time_start's date part): the
    # local dates are the file's own.
    months = collections.Counter(tl.local_date(e).month for e in events)
    assert months == {5: 102, 6: 121}


def test_the_zone_option_names_the_events_zone(memlog, missiles):
    tl.io.import_file(memlog, "missile-attacks", missiles, zone="+03:00")
    assert {r.event.zone for r in memlog.read()} == {"+03:00"}


def test_re_importing_missile_attacks_after_zones_changes_nothing(memlog, missiles):
    tl.io.import_file(memlog, "missile-attacks", missiles)
    old = strip_zones(memlog)
    report = tl.io.import_file(old, "missile-attacks", missiles)
    assert (report.added, report.unchanged, report.corrected) == (0, 223, 0)
    assert len(old) == 223


def test_loss_tallies_are_kyivs_days(memlog, losses):
    tl.io.import_file(memlog, "ru-losses", losses)
    events = [r.event for r in memlog.read() if r.event.TYPE == tl.LossReport.TYPE]
    assert events
    assert {e.zone for e in events} == {KYIV}
    for event in events:  # midnight in Kyiv: the day the file gives
        assert event.occurred_at.in_timezone(KYIV).time() == dt.time(0)
        assert tl.local_date(event) == event.occurred_at.in_timezone(KYIV).date()
        assert event.event_id == stable_id("ru-losses", tl.local_date(event).isoformat())


def test_re_importing_losses_after_zones_changes_nothing(memlog, losses):
    first = tl.io.import_file(memlog, "ru-losses", losses)
    old = strip_zones(memlog)
    report = tl.io.import_file(old, "ru-losses", losses)
    assert report.added == 0
    assert report.corrected == 0
    assert report.unchanged == first.added


def test_a_real_change_still_corrects_and_the_zone_comes_with_it(memlog, missiles):
    tl.io.import_file(memlog, "missile-attacks", missiles)
    old = tl.open_log("memory:")
    changed = None
    for rec in memlog.read():
        event = attrs.evolve(rec.event, zone=None)
        if changed is None and event.launched:
            event = changed = attrs.evolve(event, launched=event.launched + 1)
        old.append([event], stream=rec.stream)
    assert changed is not None
    report = tl.io.import_file(old, "missile-attacks", missiles)
    assert (report.corrected, report.unchanged) == (1, 222)
    *_, fix = old.read()
    assert fix.event.corrects == changed.event_id
    assert fix.event.changes == {"launched": changed.launched - 1, "zone": KYIV}
