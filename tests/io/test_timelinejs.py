"""TimelineJS 3 export: slides with dates at their precision, headlines, groups and credits."""

import html
import json
import uuid
from pathlib import Path

import pendulum
import pytest

import timeline as tl

FIXTURES = Path(__file__).resolve().parents[1] / "data"

AT = pendulum.datetime(2025, 5, 31, 16, 30)


@pytest.fixture
def story(memlog):
    night = tl.DroneBarrage(
        occurred_at=AT,
        occurred_until=AT.add(hours=18),
        time_precision="minute",
        attacker="Russia",
        weapon="Shahed-136/131",
        launched=472,
        destroyed=210,
        claimed_by="Ukrainian Air Force",
        sources=[
            tl.Source(
                name="Ukrainian Air Force",
                url="https://t.me/kpszsu/1",
                reliability="B",
                credibility=2,
            ),
            tl.Source(name="Kyiv Independent"),
        ],
    )
    talk = tl.TalkRoundHeld(
        occurred_at=pendulum.datetime(2025, 6, 2, tz="Europe/Istanbul"),
        time_precision="day",
        parties=("Ukraine", "Russia"),
        city="Istanbul",
        summary="Second round <in Istanbul> & no ceasefire",
    )
    rumour = tl.Statement(occurred_at=AT, speaker="Someone", text="A rumour.")
    memlog.append([night, rumour], stream="air")
    memlog.append([talk], stream="talks/istanbul")
    memlog.append(
        [tl.Correction(occurred_at=AT, corrects=night.event_id, changes={"launched": 479})],
        stream="air",
    )
    memlog.append([tl.Retraction(occurred_at=AT, retracts=rumour.event_id)], stream="air")
    memlog.append(
        [
            tl.CausalLink(
                occurred_at=AT, cause=night.event_id, effect=talk.event_id, relation="prompted"
            )
        ],
        stream="analysis",
    )
    return memlog, night, talk


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_each_current_event_is_a_slide(story, tmp_path):
    log, night, _ = story
    path = tmp_path / "timeline.json"
    report = tl.io.export_file(
        log, "timelinejs", path, title="Istanbul, June 2025", zone="Europe/Kyiv"
    )
    doc = load(path)
    assert report.records == 2  # the retracted rumour, the meta events and the link are left out
    assert doc["title"]["text"]["headline"] == "Istanbul, June 2025"
    assert doc["scale"] == "human"
    first, second = doc["events"]
    assert first["unique_id"] == str(night.event_id)
    # 16:30 UTC is 19:30 in Kyiv; the correction (479) is applied.
    assert first["start_date"] == {
        "year": 2025,
        "month": 5,
        "day": 31,
        "hour": 19,
        "minute": 30,
        "display_date": "2025-05-31 19:30 Kyiv",
    }
    assert (first["end_date"]["day"], first["end_date"]["hour"]) == (1, 13)
    assert first["text"]["headline"] == "Russia: Shahed-136/131 479 launched, 210 destroyed"
    assert "<b>launched</b>: 479" in first["text"]["text"]
    assert first["group"] == "air"
    assert "media" not in first  # a Telegram post is a web page, no image: a link in the text
    assert '<a href="https://t.me/kpszsu/1">Ukrainian Air Force (B2)</a>' in first["text"]["text"]
    # A day-precision event gives its date only: 2 June, Istanbul's date.
    assert second["start_date"] == {
        "year": 2025,
        "month": 6,
        "day": 2,
        "display_date": "2025-06-02",
    }
    assert second["group"] == "talks/istanbul"
    assert "media" not in second
    assert second["text"]["headline"] == "Second round &lt;in Istanbul&gt; &amp; no ceasefire"


def test_groups_and_cuts(story, tmp_path):
    log = story[0]
    path = tmp_path / "t.json"
    tl.io.export_file(log, "timelinejs", path, group="actor")
    assert [e.get("group") for e in load(path)["events"]] == ["Russia", "Ukraine"]
    tl.io.export_file(
        log, "timelinejs", path, group=None, known_at=tl.instant("2000-01-01T00:00:00+00:00")
    )
    assert load(path)["events"] == []
    with pytest.raises(tl.InvalidArgument):
        tl.io.export_file(log, "timelinejs", path, group="colour")
    with pytest.raises(tl.InvalidArgument):
        tl.io.export_file(log, "timelinejs", path, zone="Mars/Olympus")


SCRIPT = "<script>alert(1)</script>"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        'https://x.org/"onmouseover="alert(1)',
        "https://x.org/\nx",
        "http:///no-host",
    ],
)
def test_only_web_addresses_become_media_or_links(memlog, url):
    event = tl.Statement(
        occurred_at=AT, speaker="A", text="t", sources=[tl.Source(name="S", url=url)]
    )
    memlog.append([event], stream="s")
    [one] = tl.io.timelinejs.timeline_json(memlog)["events"]
    assert "media" not in one
    assert "href" not in one["text"]["text"]
    assert "Sources: S" in one["text"]["text"]


def test_a_web_address_is_kept_as_it_is(memlog):
    url = "https://t.me/kpszsu/1?a=1&b=2"
    image = "https://x.org/map.png?a=1&b=2"
    event = tl.Statement(
        occurred_at=AT,
        speaker="A",
        text="t",
        claimed_by="C",
        sources=[tl.Source(name="S", url=url), tl.Source(name="Map", url=image)],
    )
    memlog.append([event], stream="s")
    [one] = tl.io.timelinejs.timeline_json(memlog)["events"]
    assert one["media"] == {"url": image, "credit": "S; Map", "caption": "C"}
    assert '<a href="https://t.me/kpszsu/1?a=1&amp;b=2">S</a>' in one["text"]["text"]
    assert '<a href="https://x.org/map.png?a=1&amp;b=2">Map</a>' in one["text"]["text"]


@pytest.mark.parametrize("group", ["stream", "actor", "claimant", "type"])
def test_every_text_shown_as_html_is_escaped(memlog, group):
    event = tl.Statement(
        occurred_at=AT,
        speaker=SCRIPT,
        text=SCRIPT,
        summary=SCRIPT,
        actors=(SCRIPT,),
        claimed_by=SCRIPT,
        sources=[tl.Source(name=SCRIPT, url="https://x.org/a.jpg")],
    )
    memlog.append([event], stream=SCRIPT)
    document = tl.io.timelinejs.timeline_json(memlog, group=group, title=SCRIPT, text=SCRIPT)
    [one] = document["events"]
    shown = [
        one["text"]["headline"],
        one["text"]["text"],
        one["media"]["credit"],
        one["media"]["caption"],
        document["title"]["text"]["headline"],
        document["title"]["text"]["text"],
    ]
    if group != "type":
        shown.append(one["group"])
        assert one["group"] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    for text in shown:
        assert "<script" not in text, text


@pytest.mark.parametrize(
    ("url", "image"),
    [
        ("https://upload.wikimedia.org/wikipedia/commons/a/ab/Kyiv.jpg", True),
        ("https://x.org/photo.JPEG", True),
        ("https://x.org/p.png?width=800", True),
        ("https://x.org/p.gif", True),
        ("https://x.org/map.svg", True),
        ("https://x.org/p.webp", True),
        ("https://i.imgur.com/abc123", True),
        ("https://acleddata.com", False),
        ("https://acleddata.com/", False),
        ("https://ucdp.uu.se/downloads/", False),
        ("https://t.me/kpszsu/1", False),
        ("https://x.com/someone/status/1", False),
        ("https://x.org/report.pdf", False),
        ("https://x.org/jpg", False),  # an ending without its dot
        ("https://x.org/p.png#part", False),  # TimelineJS reads it as a page
        ("https://imgur.com/", False),
        ("javascript:alert('.png')", False),
    ],
)
def test_only_an_image_becomes_media(memlog, url, image):
    event = tl.Statement(
        occurred_at=AT, speaker="A", text="t", sources=[tl.Source(name="S", url=url)]
    )
    memlog.append([event], stream="s")
    [one] = tl.io.timelinejs.timeline_json(memlog)["events"]
    assert ("media" in one) is image
    assert tl.io.timelinejs.image_address(url) == (url if image else None)


def test_a_list_reads_as_a_list(memlog):
    night = tl.DroneBarrage(
        occurred_at=AT,
        attacker="Russia",
        launched=90,
        launch_sites=("Kursk oblast", "Bryansk oblast"),
    )
    memlog.append([night], stream="air")
    [one] = tl.io.timelinejs.timeline_json(memlog)["events"]
    assert "<b>launch sites</b>: Kursk oblast, Bryansk oblast</li>" in one["text"]["text"]
    assert "(" not in one["text"]["text"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (("a", "b"), "a, b"),
        (["a", "b"], "a, b"),
        ((), ""),
        (
            [{"party": "Ukraine", "count": 390}, {"party": "Russia", "count": 390}],
            "Ukraine 390, Russia 390",
        ),
        ((("x", "y"), "z"), "x, y, z"),
        ({"a": 1}, '{"a":1}'),
        (3, "3"),
    ],
)
def test_values_for_people(value, shown):
    assert tl.io.timelinejs._value(value) == shown


def test_an_acled_note_is_the_body_not_the_headline(memlog):
    tl.io.import_file(memlog, "acled", FIXTURES / "acled_sample.csv")
    slides = tl.io.timelinejs.timeline_json(memlog)["events"]
    notes = {r.event.event_id: r.event.summary for r in memlog.read()}
    first = next(s for s in slides if "Kharkiv city" in s["text"]["text"])
    assert first["text"]["headline"] == (
        "Air/drone strike in Kharkiv: Military Forces of Russia (2000-), Civilians (Ukraine);"
        " 3 killed"
    )
    for one in slides:
        note = notes[uuid.UUID(one["unique_id"])]
        headline = one["text"]["headline"]
        assert len(headline) < 150, headline
        assert html.unescape(headline) != note
        assert html.escape(note) in one["text"]["text"]  # the note, once, in the body
        assert one["text"]["text"].count(html.escape(note)) == 1
    approximate = next(s for s in slides if "Pokrovsk" in s["text"]["headline"])
    assert approximate["text"]["headline"].startswith("Shelling/artillery/missile attack in ")


def test_a_short_summary_stays_the_headline_and_a_long_one_becomes_a_line(memlog):
    short = tl.Statement(occurred_at=AT, speaker="Kyiv", text="t", summary="Kyiv speaks")
    note = "A long note. " * 10
    long = tl.CasualtyReport(
        occurred_at=AT,
        killed=2,
        summary=note,
        actors=("A", "B", "C", "D", "E"),
        location=tl.Location(name="Sumy", country="Ukraine"),
    )
    memlog.append([short, long], stream="s")
    first, second = tl.io.timelinejs.timeline_json(memlog)["events"]
    assert first["text"]["headline"] == "Kyiv speaks"
    assert "Kyiv speaks" not in first["text"]["text"]  # not repeated in the body
    assert second["text"]["headline"] == "Casualties: 2 killed in Sumy: A, B, C and 2 more"
    assert html.escape(note) in second["text"]["text"]


def test_each_event_is_shown_in_its_own_zone_unless_told(memlog):
    kyiv = tl.DroneBarrage(
        occurred_at=pendulum.datetime(2025, 5, 31, 19, 30, tz="Europe/Kyiv"),
        occurred_until=pendulum.datetime(2025, 6, 1, 13, 30, tz="Europe/Kyiv"),
        time_precision="minute",
        attacker="Russia",
        launched=472,
    )
    istanbul = tl.TalkRoundHeld(
        occurred_at=pendulum.datetime(2025, 6, 2, 13, tz="Europe/Istanbul"),
        time_precision="hour",
        parties=("Ukraine", "Russia"),
    )
    fixed = tl.Statement(
        occurred_at=pendulum.parse("2025-06-02T09:15:00+03:00"),
        time_precision="minute",
        speaker="A",
        text="t",
    )
    zoneless = tl.Statement(occurred_at=AT, time_precision="minute", speaker="B", text="t")
    # A day in June, given in Istanbul: its own date in every zone.
    day = tl.TalkRoundHeld(
        occurred_at=pendulum.datetime(2025, 6, 2, tz="Europe/Istanbul"),
        occurred_until=pendulum.datetime(2025, 6, 3, tz="Europe/Istanbul"),
        time_precision="day",
        parties=("Ukraine", "Russia"),
    )
    memlog.append([kyiv, istanbul, fixed, zoneless, day], stream="s")

    def shown(**options):
        slides = tl.io.timelinejs.timeline_json(memlog, group=None, **options)["events"]
        return {
            s["unique_id"]: (
                s["start_date"]["display_date"],
                s.get("end_date", {}).get("display_date"),
                s["start_date"].get("hour"),
            )
            for s in slides
        }

    own = shown()
    assert own[str(kyiv.event_id)] == ("2025-05-31 19:30 Kyiv", "2025-06-01 13:30 Kyiv", 19)
    assert own[str(istanbul.event_id)] == ("2025-06-02 13h Istanbul", None, 13)
    assert own[str(fixed.event_id)] == ("2025-06-02 09:15 +03:00", None, 9)
    assert own[str(zoneless.event_id)] == ("2025-05-31 16:30 UTC", None, 16)
    assert own[str(day.event_id)] == ("2025-06-02", "2025-06-02", None)
    utc = shown(zone="UTC")
    assert utc[str(kyiv.event_id)] == ("2025-05-31 16:30 UTC", "2025-06-01 10:30 UTC", 16)
    assert utc[str(istanbul.event_id)] == ("2025-06-02 10h UTC", None, 10)
    assert utc[str(day.event_id)] == ("2025-06-02", "2025-06-02", None)
    tokyo = shown(zone="Asia/Tokyo")
    assert tokyo[str(fixed.event_id)] == ("2025-06-02 15:15 Tokyo", None, 15)
    assert tokyo[str(day.event_id)] == ("2025-06-02", "2025-06-02", None)
    assert shown(zone="+05:30")[str(zoneless.event_id)] == ("2025-05-31 22:00 +05:30", None, 22)
