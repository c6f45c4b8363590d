"""The page's data contract and HTML, without a browser: what is in it, and what is escaped."""

import json
import re
from importlib import resources

import orjson
import pendulum
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import timeline as tl
from timeline.page._data import _COMMON, _fields, micros, safe_url
from timeline.page._html import SCRIPT_PARTS, json_block
from timeline.testing import strategies
from timeline.time import isoformat

AT = pendulum.datetime(2025, 6, 1, 22, 30, 0, 123456)
META = (tl.Correction, tl.Retraction, tl.CausalLink, tl.CausalLinkRetracted)


def _log():
    log = tl.open_log("memory:")
    barrage = tl.DroneBarrage(
        occurred_at=AT,
        occurred_until=AT.add(hours=8),
        attacker="Russia",
        launched=472,
        claimed_by="Ukrainian Air Force",
        summary="</script><script>window.pwned = 1</script> & <!-- more",
        sources=[
            tl.Source(
                name="Air Force", url="https://t.me/kpszsu/1", reliability="B", credibility=3
            ),
            tl.Source(name="bad", url="javascript:alert(1)"),
        ],
    )
    strike = tl.Strike(occurred_at=AT.subtract(hours=20), attacker="Ukraine", target_party="Russia")
    log.append([strike, barrage], stream="air", recorded_at=AT.add(hours=9))
    fix = tl.Correction(occurred_at=AT, corrects=barrage.event_id, changes={"launched": 479})
    link = tl.CausalLink(
        occurred_at=AT,
        cause=strike.event_id,
        effect=barrage.event_id,
        relation="retaliation",
        confidence=0.8,
        asserted_by="analyst",
    )
    log.append([fix, link], stream="fixes", recorded_at=AT.add(hours=30))
    gone = tl.Retraction(occurred_at=AT, retracts=fix.event_id, reason="the first count stands")
    log.append([gone], stream="fixes", recorded_at=AT.add(hours=40))
    return log, strike, barrage, fix, link, gone


def test_the_contract_holds_the_log_as_recorded():
    log, strike, barrage, fix, _, gone = _log()
    data = tl.page.data(log, title="Test", zone="Europe/Kyiv")
    assert data["schema"] == tl.page.SCHEMA == 2
    assert (data["title"], data["zone"], data["head"]) == ("Test", "Europe/Kyiv", 5)
    assert [e["id"] for e in data["events"]] == [str(strike.event_id), str(barrage.event_id)]
    e = data["events"][1]
    texts = data["strings"]  # schema 2: texts many events share, given once
    assert isinstance(e["type"], int)
    e |= {k: texts[e[k]] for k in ("type", "party", "claimed_by", "stream")}
    assert e["type"] == "military.drone_barrage"
    assert "family" not in e  # the page takes it from the type
    assert (e["party"], e["claimed_by"], e["stream"]) == ("Russia", "Ukrainian Air Force", "air")
    assert "zone" not in e  # none given: no key
    assert e["when"] == "2025-06-01 22:30:00.123456 UTC"  # exact precision
    assert not {"at", "until", "rec"} & e.keys()  # schema 2: instants as microseconds only
    assert e["at_us"] == micros(AT) == 1748817000123456
    assert e["until_us"] - e["at_us"] == 8 * 3600 * 1_000_000
    assert e["rec_us"] == micros(AT.add(hours=9))
    assert e["local"] == ["2025-06-01", "2025-06-02"]
    assert e["fields"]["launched"] == 472
    assert e["figure"] == 472
    good, bad = (data["sources"][n] for n in e["sources"])
    assert (good["url"], good["grade"]) == ("https://t.me/kpszsu/1", "B3")
    assert (bad["url"], bad["url_text"]) == (None, "javascript:alert(1)")
    [c] = data["corrections"]
    assert (c["target"], c["changes"], c["pos"]) == (str(barrage.event_id), {"launched": 479}, 3)
    assert c["shown"]["figure"] == 479
    assert "rec" not in c
    assert c["rec_us"] == micros(AT.add(hours=30))
    [r] = data["retractions"]
    assert (r["target"], r["kind"], r["reason"]) == (str(fix.event_id), "retraction", gone.reason)
    [ln] = data["links"]
    assert (ln["cause"], ln["effect"], ln["relation"], ln["confidence"], ln["asserted_by"]) == (
        str(strike.event_id),
        str(barrage.event_id),
        "retaliation",
        0.8,
        "analyst",
    )


def test_a_correction_of_the_time_carries_the_corrected_instant():
    log, _, barrage, *_ = _log()
    moved = AT.add(days=1, microseconds=7)
    log.append(
        [
            tl.Correction(
                occurred_at=AT,
                corrects=barrage.event_id,
                changes={"occurred_at": isoformat(moved), "occurred_until": None},
            )
        ],
        stream="fixes",
    )
    c = tl.page.data(log)["corrections"][-1]
    assert c["changes_us"] == {"occurred_at": micros(moved), "occurred_until": None}
    assert c["shown"]["local"] == "2025-06-02"  # one day: one date


def test_no_text_from_the_log_can_end_the_data_block():
    log, *_ = _log()
    page = tl.page.render(log)
    block = re.search(
        r'<script type="application/json" id="timeline-data">(.*?)</script>', page, re.DOTALL
    )
    assert block is not None
    assert "<" not in block.group(1)
    assert "&" not in block.group(1)
    assert json.loads(block.group(1)) == orjson.loads(orjson.dumps(tl.page.data(log)))
    assert page.count("<script") == 3  # the note opened none


@given(
    st.dictionaries(st.text(), st.text() | st.integers(-(2**63), 2**63 - 1) | st.lists(st.text()))
)
def test_the_data_block_reads_back_the_same(payload):
    text = json_block(payload)
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert json.loads(text) == payload


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://acleddata.com/x", True),
        ("HTTP://example.org", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html,<b>x</b>", False),
        ("//example.org/x", False),
        ("ftp://example.org", False),
        ("https://", False),
        (None, False),
    ],
)
def test_only_web_urls_become_links(url, kept):
    assert (safe_url(url) is not None) is kept


def test_the_page_is_one_self_contained_file(tmp_path):
    log, *_ = _log()
    path = tl.page.write(log, tmp_path / "out.html", title="A <b>title</b>")
    page = path.read_text(encoding="utf-8")
    assert page.count("<script") == 3  # the data, d3, the page's own module
    assert "<title>A &lt;b&gt;title&lt;/b&gt;</title>" in page
    assert "Content-Security-Policy" in page
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|https?://cdn", page)
    assert "d3js.org v7.9.2" in page


def test_bad_arguments_are_refused(tmp_path):
    log, *_ = _log()
    with pytest.raises(tl.InvalidArgument) as e:
        tl.page.data([])
    assert e.value.argument == "log"
    with pytest.raises(tl.InvalidArgument, match="zone"):
        tl.page.data(log, zone="")
    with pytest.raises(tl.InvalidArgument, match="directory"):
        tl.page.write(log, tmp_path)
    with pytest.raises(tl.InvalidArgument, match="height"):
        tl.page.show(log, height=0)


def test_show_is_an_iframe_holding_the_page():
    log, *_ = _log()
    html = tl.page.show(log, height=500)._repr_html_()
    assert html.startswith("<iframe srcdoc=")
    assert "height:500px" in html
    assert "</script>" not in html  # the whole page is an attribute value, escaped
    assert "&lt;/script&gt;" in html


def test_the_package_holds_the_page_files():
    # hatch's wheel takes every file under src/timeline; these are read with importlib
    root = resources.files("timeline.page")
    for name in (
        *(f"static/{part}" for part in SCRIPT_PARTS),
        "static/page.css",
        "static/body.html",
        "vendor/d3/d3.min.js",
        "vendor/d3/LICENSE",
        "vendor/README.md",
    ):
        assert root.joinpath(name).is_file(), name


@given(strategies.events())
def test_an_events_fields_are_its_stored_values(event):
    """The page reads fields from the event itself (no codec round trip): the same JSON."""
    assume(not isinstance(event, META))
    stored = orjson.loads(orjson.dumps(tl.Codec().to_dict(event)))
    fields = orjson.loads(orjson.dumps(_fields(event, {})))
    assert set(fields) <= set(stored)
    for name, value in fields.items():
        assert value == stored[name], name
    for name, value in stored.items():
        if name not in fields and name not in _COMMON:
            assert value in (None, []), name
