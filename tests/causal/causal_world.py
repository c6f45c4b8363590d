"""Small hand-built worlds for the causal tests: events, links, logs."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

import timeline as tl

T0 = pendulum.datetime(2025, 6, 1)
R0 = pendulum.datetime(2025, 6, 10)


def at(hours: float) -> pendulum.DateTime:
    return T0 + dt.timedelta(hours=hours)


def rec(minutes: float) -> pendulum.DateTime:
    """The recorded_at of the n-th append of a log made by :func:`new_log` (one per minute)."""
    return R0 + dt.timedelta(minutes=minutes)


def new_log(url="memory:"):
    return tl.open_log(url, clock=tl.FixedClock(R0, tick=dt.timedelta(minutes=1)))


def said(text="x", hours=1.0, **fields):
    return tl.Statement(
        occurred_at=at(hours), speaker=fields.pop("speaker", "Fidan"), text=text, **fields
    )


def strike(by="Ukraine", on="Russia", hours=1.0, **fields):
    return tl.Strike(occurred_at=at(hours), attacker=by, target_party=on, actors=[by], **fields)


def barrage(by="Russia", on="Ukraine", hours=1.0, **fields):
    return tl.DroneBarrage(occurred_at=at(hours), attacker=by, target=on, actors=[by], **fields)


def talks(hours=1.0, **fields):
    return tl.TalkRoundHeld(occurred_at=at(hours), parties=["Ukraine", "Russia"], **fields)


def link(cause, effect, relation="response", confidence=0.8, **fields):
    return tl.CausalLink(
        occurred_at=fields.pop("occurred_at", at(100)),
        cause=cause.event_id,
        effect=effect.event_id,
        relation=relation,
        confidence=confidence,
        asserted_by=fields.pop("asserted_by", "analyst"),
        **fields,
    )


def snapshot(log):
    head = log.head()
    return len(log), None if head is None else head.hash


def assert_refused(log, batch, error):
    """Append ``batch``, expect ``error``, and check that the log is exactly as it was."""
    before = snapshot(log)
    with pytest.raises(error) as caught:
        log.append(batch, stream="links")
    assert snapshot(log) == before
    return caught.value


def heads(results):
    return [r.event.headline() for r in results]
