"""Stable event ids: the same content in the same stream is one id, whatever id it came with."""

from __future__ import annotations

import uuid

import attrs
import pendulum
from hypothesis import given
from hypothesis import strategies as st

import timeline as tl
from timeline.identity import IDENTITY_NAMESPACE, canonical_content, with_stable_id
from timeline.testing.strategies import events, names


@given(events(), names())
def test_the_id_depends_on_the_content_and_the_stream_not_the_given_id(event, stream):
    other = attrs.evolve(event, event_id=uuid.uuid4())
    stable = tl.stable_event_id(event, stream)
    assert stable == tl.stable_event_id(other, stream)
    assert stable.version == 5
    assert tl.stable_event_id(event, stream + "x") != stable
    assert with_stable_id(other, stream).event_id == stable
    again = with_stable_id(with_stable_id(event, stream), stream)
    assert again.event_id == stable  # deriving twice changes nothing


@given(events(), names(), st.integers(min_value=0, max_value=10**6))
def test_a_changed_figure_is_another_event(event, stream, launched):
    barrage = tl.DroneBarrage(occurred_at=pendulum.datetime(2025, 5, 31, 16, 30), launched=launched)
    more = attrs.evolve(barrage, launched=launched + 1)
    assert tl.stable_event_id(barrage, stream) != tl.stable_event_id(more, stream)
    assert tl.stable_event_id(event, stream) != tl.stable_event_id(barrage, stream) or (
        canonical_content(event) == canonical_content(barrage)
    )


def test_the_derivation_is_uuid5_of_the_stream_and_the_canonical_content():
    said = tl.Statement(occurred_at=pendulum.datetime(2025, 6, 2, 7), speaker="A", text="b")
    content = canonical_content(said)
    assert b"event_id" not in content
    assert b'"version"' not in content
    assert b"null" not in content  # unset fields do not count
    assert content.startswith(b'{"occurred_at":"2025-06-02T07:00:00')
    expected = uuid.uuid5(IDENTITY_NAMESPACE, "talks\x1f" + content.decode())
    assert tl.stable_event_id(said, "talks") == expected
    # pinned: a change here would make every file appended before it append again
    assert str(expected) == "35dffad1-3088-5436-80a1-b9c54553c4f6"
