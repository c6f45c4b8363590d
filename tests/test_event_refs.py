"""The optional reference fields of the catalog (``f.ref_or_none()``): one behaviour for all."""

import uuid

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

import timeline as tl
from timeline.errors import InvalidEvent

T = pendulum.datetime(2025, 6, 2)

#: Each event type with an optional reference, that field, and what else it needs.
REFS = [
    (tl.DelegationAnnounced, "talks", {"party": "Ukraine", "head": "Rustem Umerov"}),
    (tl.MemorandumDelivered, "promise", {"party": "Russia"}),
    (tl.MemorandumAwaited, "promise", {"party": "Ukraine", "from_party": "Russia"}),
    (tl.DocumentReceived, "document", {"party": "Russia", "from_party": "Ukraine"}),
    (tl.ResponsePromised, "regarding", {"party": "Russia"}),
    (tl.CeasefireRejected, "demand", {"party": "Russia"}),
    (tl.PrisonerExchangeAgreed, "talks", {"released": {"Ukraine": 1000, "Russia": 1000}}),
    (tl.PrisonerExchangeCarriedOut, "agreement", {"released": {"Ukraine": 390}}),
]


@pytest.mark.parametrize(("cls", "field", "needs"), REFS, ids=[c.__name__ for c, _, _ in REFS])
@given(target=st.uuids())
def test_a_reference_is_none_by_default_and_read_from_its_text(cls, field, needs, target):
    assert getattr(cls(occurred_at=T, **needs), field) is None
    made = cls(occurred_at=T, **needs, **{field: str(target)})
    assert getattr(made, field) == target
    assert made.references() == (target,)
    assert attrs.fields_dict(cls)[field].default is None


@pytest.mark.parametrize(("cls", "field", "needs"), REFS, ids=[c.__name__ for c, _, _ in REFS])
@pytest.mark.parametrize("bad", ["not-a-uuid", 42])
def test_a_reference_that_is_not_an_id_is_refused_naming_the_field(cls, field, needs, bad):
    with pytest.raises(InvalidEvent) as caught:
        cls(occurred_at=T, **needs, **{field: bad})
    assert field in str(caught.value)


def test_the_reference_fields_are_uuids_or_none():
    for cls, field, _ in REFS:
        assert attrs.fields_dict(cls)[field].type in ("uuid.UUID | None", uuid.UUID | None)
