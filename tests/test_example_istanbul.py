"""The main job: the Istanbul example records the seed article's facts, idempotently."""

from __future__ import annotations

import timeline as tl


def events_of(log, cls):
    return [rec.event for rec in log.read(types=[cls])]


def test_running_twice_adds_nothing(example, tmp_path, capsys):
    path = tmp_path / "istanbul.db"
    assert example.main([str(path)]) == 0
    first = capsys.readouterr().out
    assert example.main([str(path)]) == 0
    second = capsys.readouterr().out
    with tl.open_log(path) as log:
        n = len(log)
        assert log.verify().ok
    # Every fact of every stream, and the one correction.
    assert n == sum(len(facts()) for facts in example.STREAMS.values()) + 1
    assert f": {n} new events, {n} in all" in first
    assert f": 0 new events, {n} in all" in second
    # The chronology is printed in valid-time order, as corrected: one line per event (the
    # correction is applied, not listed; causal links are claims about events, not events),
    # the ceasefire demand first, the losses tally last.
    lines = [line for line in second.splitlines() if line[:4] == "2025"]
    assert len(lines) == n - 1 - len(example.links())
    assert "demands an immediate ceasefire" in lines[0]
    assert "Ciragan Palace" in lines[-4]
    assert "413 aircraft" not in second.split("Answers")[0]  # the headline is the summary


def test_every_fact_cites_the_article(example):
    log = tl.open_log("memory:")
    example.record(log)
    for rec in log.read():
        if isinstance(rec.event, tl.Correction):
            assert rec.event.sources == (example.GENERAL_STAFF,)
        else:
            assert example.ARTICLE in rec.event.sources, rec.event.headline()


def test_the_log_is_back_filled_in_the_order_facts_became_known(example):
    log = tl.open_log("memory:")
    example.record(log)
    stamps = [rec.recorded_at for rec in log.read()]
    assert stamps == sorted(stamps)
    assert stamps[0] == tl.instant("2025-05-10T20:00:00+03:00")  # the ceasefire demand
    assert stamps[-1] == tl.instant("2025-06-04T10:50:52+03:00")  # the General Staff's rewrite


def test_the_answers(example, tmp_path):
    log = tl.open_log(
        tmp_path / "x.db", clock=tl.FixedClock(tl.instant("2025-05-01T00:00:00+00:00"))
    )
    example.record(log)
    text = "\n".join(example.answers(log))
    assert "Ukraine: Defense Minister Rustem Umerov (composition not stated)" in text
    assert "Russia: Kremlin adviser Vladimir Medinsky (composition unclear)" in text
    assert "    - Moscow pays reparations for war damages" in text
    assert "promised 19 May, awaited 31 May: not delivered (awaited)" in text
    assert "Russia received Ukraine's peace proposal (Sunday 1 June)" in text
    assert "answer promised by Russia for Monday 2 June: pending, not overdue" in text
    assert "472 drones (2025-05-31), claimed by Ukrainian Air Force" in text
    assert "Ukraine: carried out 1,000 = 390 + 307 + 303, outstanding 0" in text
    assert "rejected: demanded by Ukraine (backed by European allies), rejected by Russia" in text
    assert "(before the rewrite): 384 aircraft" in text
    assert "(after it): 413 aircraft" in text


def test_the_seed_facts_are_recorded(example):
    log = tl.open_log("memory:")
    example.record(log)

    (barrage,) = events_of(log, tl.DroneBarrage)
    assert barrage.launched == 472
    assert barrage.claimed_by == "Ukrainian Air Force"
    assert barrage.occurred_at == tl.instant("2025-05-31T16:30:00+00:00")

    (strike,) = events_of(log, tl.Strike)
    assert strike.attacker == "Ukraine"
    assert any("nuclear-capable bombers" in t for t in strike.targets)

    (agreed,) = events_of(log, tl.PrisonerExchangeAgreed)
    assert {(c.party, c.count) for c in agreed.released} == {("Ukraine", 1000), ("Russia", 1000)}
    stages = events_of(log, tl.PrisonerExchangeCarriedOut)
    assert [s.stage for s in stages] == [1, 2, 3]
    assert [s.released[0].count for s in stages] == [390, 307, 303]
    assert [s.occurred_at.in_timezone("Europe/Istanbul").day for s in stages] == [23, 24, 25]

    demand, rejection = events_of(log, tl.CeasefireDemanded), events_of(log, tl.CeasefireRejected)
    assert demand[0].party == "Ukraine"
    assert demand[0].backed_by == ("European allies",)
    assert rejection[0].party == "Russia"
    assert rejection[0].demand == demand[0].event_id

    (proposed,) = events_of(log, tl.TalksProposed)
    assert proposed.proposed_by == "Vladimir Putin"
    (promised,) = events_of(log, tl.MemorandumPromised)
    (awaited,) = events_of(log, tl.MemorandumAwaited)
    assert awaited.party == "Ukraine"
    assert awaited.promise == promised.event_id

    (roadmap,) = events_of(log, tl.ProposalTabled)
    assert roadmap.party == "Ukraine"
    assert len(roadmap.terms) == 4
    (received,) = events_of(log, tl.DocumentReceived)
    assert (received.party, received.document) == ("Russia", roadmap.event_id)
    (response,) = events_of(log, tl.ResponsePromised)
    assert response.due_at.in_timezone("Europe/Istanbul").date().isoformat() == "2025-06-02"

    rounds = events_of(log, tl.TalkRoundHeld)
    assert [r.occurred_at.in_timezone("Europe/Istanbul").date().isoformat() for r in rounds] == [
        "2025-05-16",
        "2025-06-02",
    ]
    assert (rounds[1].venue, rounds[1].mediator) == ("Ciragan Palace", "Hakan Fidan")
    assert rounds[1].opening_remarks

    heads = {d.party: (d.head, d.composition_known) for d in events_of(log, tl.DelegationAnnounced)}
    assert heads == {"Ukraine": ("Rustem Umerov", None), "Russia": ("Vladimir Medinsky", False)}
