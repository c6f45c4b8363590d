"""The dates the built-in projections give for the Istanbul example are the article's.

Every expected date here is typed from the seed article (``shared/seed/
istanbul-2025-06-02.txt``) or from the sources the example cites beside it, not computed by
the code under test:

- "The previous round of negotiations, held on May 16, succeeded in brokering the largest
  prisoner exchange": the exchange was agreed on 16 May;
- the exchange's three stages were carried out on 23, 24 and 25 May (the official
  statements the example cites);
- Putin's memorandum was promised on 19 May (the public record; tagged date-from-context);
- "Ukraine announced over the weekend that it was still awaiting the Russian draft
  memorandum": 31 May to 1 June;
- "Medinsky confirmed on Sunday that Russia had received Ukraine's proposal and indicated a
  formal response would be offered during Monday's session": 1 and 2 June;
- the round itself, in Istanbul, on Monday 2 June;
- "472 drones overnight", the Air Force's window from 19:30 on 31 May to 13:30 on 1 June,
  Kyiv time.
"""

import datetime as dt

import pytest

import timeline as tl
from timeline.projections import dates


@pytest.fixture(scope="module")
def log(example):
    log = tl.open_log("memory:")
    example.record(log)
    return log


def test_the_memorandum_was_promised_on_19_may_and_awaited_on_31_may(log):
    [memo] = tl.replay(log, tl.Negotiations()).memoranda()
    assert memo.promised_on == "2025-05-19"
    assert memo.awaited_on == "2025-05-31"
    assert memo.delivered_on is None


def test_the_proposal_was_received_on_sunday_and_the_answer_promised_for_monday(log):
    state = tl.replay(log, tl.Negotiations())
    [receipt] = state.received("Russia")
    assert receipt.date == "2025-06-01"
    assert dt.date.fromisoformat(receipt.date).strftime("%A") == "Sunday"
    [response] = state.responses()
    assert response.promise.date == "2025-06-01"
    due = tl.time.local_day(response.promise.due_at, tl.TimePrecision.DAY, response.promise.zone)
    assert due == dt.date(2025, 6, 2)


def test_the_rounds_are_on_istanbuls_calendar(log):
    state = tl.replay(log, tl.Negotiations())
    assert [r.date for r in state.rounds] == ["2025-05-16", "2025-06-02"]
    assert {r.zone for r in state.rounds} == {"Europe/Istanbul"}


def test_the_exchange_was_agreed_on_16_may_and_carried_out_on_23_to_25_may(log):
    exchanges = tl.replay(log, tl.PrisonerExchanges())
    [exchange] = exchanges.exchanges
    assert exchange.agreed_on == "2025-05-16"
    assert [s.date for s in exchange.stages] == ["2025-05-23", "2025-05-24", "2025-05-25"]
    assert [s.number for s in exchange.stages] == [1, 2, 3]


def test_the_record_barrage_spans_31_may_to_1_june_kyiv_time(log, example):
    night = log.get(example.eid("barrage-472")).event
    assert night.zone == "Europe/Kyiv"
    assert tl.local_span(night) == (dt.date(2025, 5, 31), dt.date(2025, 6, 1))
    assert dates.date_label(night) == "2025-05-31 19:30 Kyiv"
    assert dates.end_label(night) == "2025-06-01 13:30 Kyiv"
    record = tl.replay(log, tl.Escalation()).largest_drone_window
    assert record is not None
    assert (record.launched, record.day) == (472, "2025-05-31")


def test_the_memorandum_dates_in_any_zone_are_local_not_utc():
    # The failure: promised at Moscow's midnight on 19 May is 21:00Z on 18 May.
    import pendulum  # noqa: PLC0415

    log = tl.open_log("memory:")
    promise = tl.MemorandumPromised(
        occurred_at=pendulum.datetime(2025, 5, 19, tz="Europe/Moscow"),
        time_precision="day",
        party="Russia",
        to_party="Ukraine",
        subject="a memorandum",
    )
    waiting = tl.MemorandumAwaited(
        occurred_at=pendulum.datetime(2025, 5, 31, tz="Europe/Kyiv"),
        time_precision="day",
        party="Ukraine",
        from_party="Russia",
    )
    log.append([promise, waiting], stream="talks")
    assert promise.occurred_at.date() == dt.date(2025, 5, 18)  # UTC: the wrong day
    [memo] = tl.replay(log, tl.Negotiations()).memoranda()
    assert (memo.promised_on, memo.awaited_on) == ("2025-05-19", "2025-05-31")


def test_an_exchange_agreed_in_a_zone_far_from_utc_is_on_its_local_date():
    import pendulum  # noqa: PLC0415

    log = tl.open_log("memory:")
    deal = tl.PrisonerExchangeAgreed(
        occurred_at=pendulum.datetime(2025, 5, 16, 23, 30, tz="Pacific/Auckland"),  # 11:30Z
        time_precision="minute",
        released=[tl.PartyCount(party="A", count=1), tl.PartyCount(party="B", count=1)],
    )
    log.append([deal], stream="x")
    [exchange] = tl.replay(log, tl.PrisonerExchanges()).exchanges
    assert exchange.agreed_on == "2025-05-16 23:30 Auckland"
