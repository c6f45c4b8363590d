"""TimelineJS 3 export: slides with dates at their precision, headlines, groups and credits."""

import json

import pendulum
import pytest

import timeline as tl

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
        "display_date": "31 May 2025, 19:30 (Europe/Kyiv)",
    }
    assert (first["end_date"]["day"], first["end_date"]["hour"]) == (1, 13)
    assert first["text"]["headline"] == "Russia: Shahed-136/131 479 launched, 210 destroyed"
    assert "<b>launched</b>: 479" in first["text"]["text"]
    assert first["group"] == "air"
    assert first["media"] == {
        "url": "https://t.me/kpszsu/1",
        "credit": "Ukrainian Air Force; Kyiv Independent",
        "caption": "Ukrainian Air Force",
    }
    assert '<a href="https://t.me/kpszsu/1">Ukrainian Air Force (B2)</a>' in first["text"]["text"]
    # A day-precision event gives its date only: 2 June, Istanbul's date.
    assert second["start_date"] == {
        "year": 2025,
        "month": 6,
        "day": 2,
        "display_date": "2 June 2025",
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
    event = tl.Statement(
        occurred_at=AT, speaker="A", text="t", sources=[tl.Source(name="S", url=url)]
    )
    memlog.append([event], stream="s")
    [one] = tl.io.timelinejs.timeline_json(memlog)["events"]
    assert one["media"]["url"] == url
    assert '<a href="https://t.me/kpszsu/1?a=1&amp;b=2">S</a>' in one["text"]["text"]


@pytest.mark.parametrize("group", ["stream", "actor", "claimant", "type"])
def test_every_text_shown_as_html_is_escaped(memlog, group):
    event = tl.Statement(
        occurred_at=AT,
        speaker=SCRIPT,
        text=SCRIPT,
        summary=SCRIPT,
        actors=(SCRIPT,),
        claimed_by=SCRIPT,
        sources=[tl.Source(name=SCRIPT, url="https://x.org/")],
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
