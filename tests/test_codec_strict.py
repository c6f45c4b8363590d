"""Strict decoding of untrusted JSON: a value of the wrong JSON type is refused, never coerced.

The rules (``docs/decisions.md``): a boolean field takes a JSON boolean; an integer field a
JSON integer, or a float without a fraction within ±2**53 (``12.0`` is read as 12, ``307.9``
is refused, never truncated); a number field an integer or a float; text, ids, instants and
precisions a JSON string; a list field a JSON array; a part (a source, a location, a count)
and a free-form value a JSON object; ``null`` only where the field is optional. The refusal
is an :class:`~timeline.errors.InvalidEvent` naming the field and the value, and where the
JSON came from a file, the line. The property tests hand every field of every catalog type a
value of every wrong JSON type, through ``from_dict`` (what ``append`` is given), the
CloudEvents and JSONL importers, and a JSONL log, and check that nothing is stored.
"""

from __future__ import annotations

import json
import tempfile
import typing
import uuid
from pathlib import Path
from typing import Any

import attrs
import orjson
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pendulum import DateTime

import timeline as tl
from timeline.codec import Codec
from timeline.errors import InvalidEvent
from timeline.events import CATALOG
from timeline.events.fields import shown
from timeline.log.jsonl import JsonlLog
from timeline.log.records import GENESIS, chain_hash
from timeline.testing.strategies import strategy_for

CODEC = Codec()
T0 = "2025-06-01T22:00:00.000000+00:00"
RECORDED = "2025-06-02T08:00:00.000000+00:00"

# -- the JSON kinds, and which a field's type takes -------------------------------------------

_EXACT = 2**53
KINDS: dict[str, st.SearchStrategy[Any]] = {
    "null": st.none(),
    "boolean": st.booleans(),
    "integer": st.integers(-(2**63), 2**63 - 1),
    "whole float": st.integers(-_EXACT, _EXACT).map(float),
    "huge whole float": st.floats(min_value=2.0**53 + 2, max_value=1e300).flatmap(
        lambda x: st.sampled_from([x, -x])
    ),
    "fraction": st.floats(allow_nan=False, allow_infinity=False).filter(
        lambda x: not x.is_integer()
    ),
    "string": st.text(st.characters(codec="utf-8"), max_size=8),
    "array": st.lists(st.integers(0, 9), max_size=2),
    "object": st.dictionaries(st.text("abc", max_size=3), st.integers(0, 9), max_size=2),
}
NUMBERS = {"integer", "whole float", "huge whole float", "fraction"}


#: The JSON kinds each plain field type takes.
TAKES: dict[Any, set[str]] = {
    bool: {"boolean"},
    int: {"integer", "whole float"},
    float: NUMBERS,
    str: {"string"},
    uuid.UUID: {"string"},
    DateTime: {"string"},
    tl.TimePrecision: {"string"},
}


def accepted(tp: Any) -> set[str]:
    """The JSON kinds a field of type ``tp`` takes (its values may still be refused)."""
    args = typing.get_args(tp)
    if type(None) in args:
        (inner,) = (a for a in args if a is not type(None))
        return {"null"} | accepted(inner)
    if tp in TAKES:
        return TAKES[tp]
    if typing.get_origin(tp) is tuple:
        return {"array"}
    assert typing.get_origin(tp) is dict or attrs.has(tp), f"no rule for {tp!r}"
    return {"object"}


def fields_of(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {a.name: hints[a.name] for a in attrs.fields(cls)}


def same(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b


@st.composite
def wrong_payloads(draw: st.DrawFn) -> tuple[dict[str, Any], str, object]:
    """A valid payload of a catalog type with one field given a value of a wrong JSON kind."""
    cls = draw(st.sampled_from(CATALOG), label="type")
    payload = CODEC.to_dict(draw(strategy_for(cls)))
    name, tp = draw(st.sampled_from(sorted(fields_of(cls).items())), label="field")
    kind = draw(st.sampled_from(sorted(set(KINDS) - accepted(tp))), label="kind")
    value = draw(KINDS[kind], label="value")
    payload[name] = value
    return payload, name, value


def refused(error: InvalidEvent, name: str, value: object) -> None:
    assert error.field == name, error
    assert same(error.value, value), error
    assert shown(value) in str(error)


# -- through from_dict and append -------------------------------------------------------------


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wrong_payloads())
def test_any_value_of_a_wrong_json_type_is_refused_by_from_dict(case):
    payload, name, value = case
    log = tl.open_log("memory:")
    with pytest.raises(InvalidEvent) as caught:
        log.append([CODEC.from_dict(payload)], stream="s")
    refused(caught.value, name, value)
    assert len(log) == 0
    with pytest.raises(InvalidEvent) as caught:  # and from the bytes
        CODEC.decode(orjson.dumps(payload))
    refused(caught.value, name, value)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_list_item_of_a_wrong_json_type_is_refused_naming_its_index(data):
    cls = data.draw(st.sampled_from(LISTED), label="type")
    payload = CODEC.to_dict(data.draw(strategy_for(cls)))
    name, tp = data.draw(st.sampled_from(sorted(lists_of(cls).items())), label="field")
    (item,) = typing.get_args(tp)[:1]
    kind = data.draw(st.sampled_from(sorted(set(KINDS) - accepted(item))), label="kind")
    bad = data.draw(KINDS[kind], label="item")
    good = payload[name]
    at = data.draw(st.integers(0, len(good)), label="at")
    payload[name] = [*good[:at], bad, *good[at:]]
    with pytest.raises(InvalidEvent) as caught:
        CODEC.from_dict(payload)
    refused(caught.value, f"{name}[{at}]", bad)


def lists_of(cls: type) -> dict[str, Any]:
    return {n: tp for n, tp in fields_of(cls).items() if typing.get_origin(tp) is tuple}


LISTED = [cls for cls in CATALOG if lists_of(cls)]


# -- the rules, one by one --------------------------------------------------------------------


def demand(**fields: Any) -> dict[str, Any]:
    return {"type": "diplomacy.ceasefire_demanded", "version": 1, "occurred_at": T0,
            "party": "Ukraine", **fields}  # fmt: skip


def barrage(**fields: Any) -> dict[str, Any]:
    return {"type": "military.drone_barrage", "version": 1, "occurred_at": T0, **fields}


def losses(**fields: Any) -> dict[str, Any]:
    return {"type": "military.loss_report", "version": 1, "occurred_at": T0, "party": "Russia",
            **fields}  # fmt: skip


@pytest.mark.parametrize("value", ["false", "true", 0, 1, None, [], {}, 0.0])
def test_a_boolean_is_a_json_boolean(value):
    with pytest.raises(InvalidEvent) as caught:
        CODEC.from_dict(demand(immediate=value))
    refused(caught.value, "immediate", value)
    assert "CeasefireDemanded.immediate" in str(caught.value)
    with pytest.raises(InvalidEvent) as caught:
        CODEC.from_dict(losses(cumulative=value))
    refused(caught.value, "cumulative", value)


@pytest.mark.parametrize("value", [True, False])
def test_json_booleans_are_read_as_they_are(value):
    assert CODEC.from_dict(demand(immediate=value)).immediate is value


@pytest.mark.parametrize(
    "value", [307.9, 0.5, -0.5, "12", "", True, False, [12], {"n": 12}, 2.0**53 + 2, 1e300]
)
def test_an_integer_is_a_json_integer_never_truncated(value):
    with pytest.raises(InvalidEvent) as caught:
        CODEC.from_dict(barrage(launched=value))
    refused(caught.value, "launched", value)
    with pytest.raises(InvalidEvent) as caught:
        CODEC.from_dict(losses(equipment=[{"item": "tanks", "count": value}]))
    refused(caught.value, "equipment[0].count", value)


@pytest.mark.parametrize(("value", "read"), [(12, 12), (12.0, 12), (0.0, 0), (2.0**53, 2**53)])
def test_a_float_without_a_fraction_is_read_as_the_integer(value, read):
    assert same(CODEC.from_dict(barrage(launched=value)).launched, read)
    report = CODEC.from_dict(losses(equipment=[{"item": "tanks", "count": value}]))
    assert same(report.equipment[0].count, read)


def test_null_is_taken_only_where_the_field_is_optional():
    assert CODEC.from_dict(barrage(launched=None)).launched is None
    with pytest.raises(InvalidEvent) as caught:
        CODEC.from_dict(demand(immediate=None))
    refused(caught.value, "immediate", None)
    with pytest.raises(InvalidEvent) as caught:
        CODEC.from_dict(demand(party=None))
    refused(caught.value, "party", None)
    with pytest.raises(InvalidEvent) as caught:
        CODEC.from_dict(demand(backed_by=None))
    refused(caught.value, "backed_by", None)


@pytest.mark.parametrize("value", ["0.5", True, None, [0.5]])
def test_a_number_is_a_json_number(value):
    link = {"type": "meta.causal_link", "version": 1, "occurred_at": T0, "relation": "prompted",
            "cause": str(uuid.UUID(int=1)), "effect": str(uuid.UUID(int=2))}  # fmt: skip
    assert CODEC.from_dict({**link, "confidence": 1}).confidence == 1.0
    with pytest.raises(InvalidEvent) as caught:
        CODEC.from_dict({**link, "confidence": value})
    refused(caught.value, "confidence", value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("event_id", 7),
        ("event_id", "not a uuid"),
        ("occurred_at", 1748815200),
        ("time_precision", 3),
        ("location", "Istanbul"),
        ("location", ["Istanbul"]),
        ("sources", "Ukrainian Air Force"),
        ("actors", "Ukraine"),
        ("summary", 5),
    ],
)
def test_ids_times_parts_and_lists_refuse_the_wrong_json_type(field, value):
    with pytest.raises(InvalidEvent) as caught:
        CODEC.from_dict(demand(**{field: value}))
    refused(caught.value, field, value)


def test_a_part_of_the_wrong_json_type_is_named_by_its_path():
    with pytest.raises(InvalidEvent) as caught:
        CODEC.from_dict(demand(sources=[{"name": "ISW"}, {"name": "UAF", "credibility": "2"}]))
    refused(caught.value, "sources[1].credibility", "2")
    with pytest.raises(InvalidEvent) as caught:
        CODEC.from_dict(demand(location={"name": "Kyiv", "latitude": "50.45"}))
    refused(caught.value, "location.latitude", "50.45")


def test_missing_and_extra_fields_are_still_decode_errors():
    with pytest.raises(tl.DecodeError, match="KeyError: 'party'"):
        CODEC.from_dict({k: v for k, v in demand().items() if k != "party"})
    with pytest.raises(tl.DecodeError, match="mood"):
        CODEC.from_dict(demand(mood="tense"))


# -- through the importers and a JSONL log ----------------------------------------------------


def jsonl_line(
    payload: dict[str, Any], position: int = 1, previous: str = GENESIS
) -> tuple[bytes, str]:
    """A JSONL log line holding ``payload``, hashed as the log would hash it."""
    canonical = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    digest = chain_hash(previous, position, "s", position, RECORDED, canonical)
    line = {"position": position, "stream": "s", "version": position, "recorded_at": RECORDED,
            "hash": digest, "event": orjson.Fragment(canonical), "commit": True}  # fmt: skip
    return orjson.dumps(line) + b"\n", digest


def cloudevent(payload: dict[str, Any]) -> dict[str, Any]:
    return {"specversion": "1.0", "id": str(payload.get("event_id")), "source": "timeline:/s",
            "type": payload["type"], "subject": "s", "time": "2025-06-01T22:00:00Z",
            "data": payload}  # fmt: skip


#: The fields a JSONL log indexes when it opens: a line whose are not text is damage.
INDEXED = {"event_id", "occurred_at"}

FILES = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))


@FILES
@given(wrong_payloads())
def test_a_jsonl_log_holding_a_value_of_a_wrong_json_type_refuses_to_serve_it(case):
    payload, name, value = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.jsonl"
        path.write_bytes(jsonl_line(payload)[0])
        with JsonlLog(path) as log:
            with pytest.raises(tl.CorruptLog) as caught:
                list(log.read())
            assert caught.value.position == 1  # the line
            assert name in caught.value.reason
            if name in INDEXED:  # the log's index refuses the line when it opens
                assert len(log) == 0
                stored = orjson.loads(orjson.dumps(value, option=orjson.OPT_SORT_KEYS))
                assert repr(stored) in caught.value.reason  # as the line holds it
                return
            assert len(log) == 1  # the line is intact: its hash is right
            assert isinstance(caught.value.__cause__, InvalidEvent)
            refused(caught.value.__cause__, name, value)
            with pytest.raises(tl.CorruptLog):
                log.get(uuid.UUID(payload["event_id"]))


@FILES
@given(wrong_payloads())
def test_the_jsonl_importer_refuses_a_value_of_a_wrong_json_type(case):
    payload, name, value = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.jsonl"
        good = CODEC.to_dict(tl.Statement(occurred_at=pendulum.parse(T0), speaker="a", text="b"))
        first, digest = jsonl_line(good)
        path.write_bytes(first + jsonl_line(payload, 2, digest)[0])
        log = tl.open_log("memory:")
        report = tl.io.import_file(log, "jsonl", path)
        assert len(log) == 1  # the good line before it, and nothing of the bad one
        (problem,) = report.problems
        assert problem.row == 2  # the line
        assert name in problem.reason
        if name not in INDEXED:
            assert problem.column == name
            assert same(problem.value, value)
        with pytest.raises(tl.InvalidData):
            tl.io.import_file(tl.open_log("memory:"), "jsonl", path, strict=True)


@FILES
@given(wrong_payloads())
def test_the_cloudevents_importer_refuses_a_value_of_a_wrong_json_type(case):
    payload, name, value = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "batch.json"
        path.write_text("[\n" + json.dumps(cloudevent(payload)) + "\n]\n")
        log = tl.open_log("memory:")
        report = tl.io.import_file(log, "cloudevents", path)
        assert len(log) == 0
        (problem,) = report.problems
        assert problem.row == 1
        assert problem.line == 2
        assert problem.column == f"data.{name}"
        assert same(problem.value, value)
        with pytest.raises(tl.InvalidData) as caught:
            tl.io.import_file(log, "cloudevents", path, strict=True)
        assert "line 2" in str(caught.value)
        assert len(log) == 0
