"""The Istanbul round of 2 June 2025, recorded from the article this project grew from.

Records every fact that the seed article (``shared/seed/istanbul-2025-06-02.txt``) states
into an SQLite event log (``istanbul.db`` by default), each event citing the article, then
prints the chronology.

    python examples/istanbul_2025.py [path/to/log.db]

Running it again adds nothing: every event has a stable id (a UUIDv5 of a key naming the
fact), and events the log already holds are skipped.

Where the article gives no date, the date comes from the public record of those days and the
event is tagged ``date-from-context``; where it gives a figure from another source (the
exchange's stages, the Air Force's reporting window), that source is cited beside it.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterable
from pathlib import Path

import pendulum

import timeline as tl

#: Stable ids: the same fact always gets the same event id.
NAMESPACE = uuid.UUID("5b0d1d6c-6c1e-4d55-9a57-0f0c6e1d2b00")

ARTICLE = tl.Source(
    name="Ukraine and Russia Resume Peace Talks in Istanbul to Seek Diplomatic Resolution",
    published_at=pendulum.datetime(2025, 6, 2, tz="Europe/Istanbul"),
)
AIR_FORCE = tl.Source(name="Ukrainian Air Force (kpszsu), report of 1 June 2025")
EXCHANGE_STATEMENTS = tl.Source(
    name="Official statements on the 1,000-for-1,000 exchange, 23-25 May 2025"
)
CONTEXT = "date-from-context"  # the article gives no date; the date is from the public record

UKRAINE, RUSSIA = "Ukraine", "Russia"


def eid(key: str) -> uuid.UUID:
    """The stable event id of a fact."""
    return uuid.uuid5(NAMESPACE, f"istanbul-2025/{key}")


def day(y: int, m: int, d: int) -> pendulum.DateTime:
    """Midnight in Istanbul (UTC+3) of a date: the start of a day-precision event."""
    return pendulum.datetime(y, m, d, tz="Europe/Istanbul")


def ceasefire() -> list[tl.Event]:
    """Ukraine's demand, with European backing, and Moscow's rejection."""
    return [
        tl.CeasefireDemanded(
            event_id=eid("ceasefire-demanded"),
            occurred_at=day(2025, 5, 10),
            time_precision="day",
            party=UKRAINE,
            addressed_to=RUSSIA,
            backed_by=["European allies"],
            immediate=True,
            actors=[UKRAINE],
            sources=[ARTICLE],
            tags=[CONTEXT],
        ),
        tl.CeasefireRejected(
            event_id=eid("ceasefire-rejected"),
            occurred_at=day(2025, 5, 11),
            time_precision="day",
            party=RUSSIA,
            demand=eid("ceasefire-demanded"),
            reason="ceasefire discussions would follow only after preliminary matters were addressed",
            actors=[RUSSIA],
            sources=[ARTICLE],
            tags=[CONTEXT],
        ),
    ]


def talks() -> list[tl.Event]:
    """Putin's proposal of direct talks, his memorandum, the 16 May round, the documents."""
    return [
        tl.TalksProposed(
            event_id=eid("talks-proposed"),
            occurred_at=day(2025, 5, 11),
            time_precision="day",
            proposed_by="Vladimir Putin",
            parties=[RUSSIA, UKRAINE],
            city="Istanbul",
            conditions=["direct talks, without a prior ceasefire"],
            actors=["Vladimir Putin", RUSSIA],
            sources=[ARTICLE],
            tags=[CONTEXT],
        ),
        tl.TalkRoundHeld(
            event_id=eid("round-2025-05-16"),
            occurred_at=day(2025, 5, 16),
            time_precision="day",
            parties=[UKRAINE, RUSSIA],
            city="Istanbul",
            round_number=1,
            outcome=(
                "the largest prisoner exchange thus far; no significant movement toward a "
                "broader peace deal or a temporary ceasefire"
            ),
            location=tl.Location(name="Istanbul", country="Türkiye"),
            actors=[UKRAINE, RUSSIA],
            sources=[ARTICLE],
        ),
        tl.MemorandumPromised(
            event_id=eid("memorandum-promised"),
            occurred_at=day(2025, 5, 19),
            time_precision="day",
            party=RUSSIA,
            to_party=UKRAINE,
            subject="the general framework for a possible peace agreement",
            actors=["Vladimir Putin"],
            sources=[ARTICLE],
            tags=[CONTEXT],
        ),
        tl.Statement(
            event_id=eid("putin-ceasefire-after-preliminaries"),
            occurred_at=day(2025, 5, 19),
            time_precision="day",
            speaker="Vladimir Putin",
            party=RUSSIA,
            text="Ceasefire discussions would follow only after preliminary matters are addressed.",
            sources=[ARTICLE],
            tags=[CONTEXT],
        ),
        tl.MemorandumAwaited(
            event_id=eid("memorandum-awaited"),
            occurred_at=day(2025, 5, 31),
            occurred_until=day(2025, 6, 1).end_of("day"),
            time_precision="day",
            party=UKRAINE,
            from_party=RUSSIA,
            promise=eid("memorandum-promised"),
            summary="Ukraine says over the weekend it is still awaiting the Russian draft memorandum",
            sources=[ARTICLE],
        ),
        tl.ProposalTabled(
            event_id=eid("ukraine-roadmap"),
            occurred_at=day(2025, 6, 1),
            time_precision="day",
            party=UKRAINE,
            to_party=RUSSIA,
            title="roadmap for a durable peace settlement",
            terms=[
                "no restrictions on Ukraine's future military capacity",
                "no international recognition of territories occupied by Russian forces",
                "Moscow pays reparations for war damages",
                "the current front lines as the initial basis for territorial negotiations",
            ],
            actors=["Rustem Umerov"],
            summary="Ukraine's peace proposal, shared ahead of the 2 June meeting",
            sources=[ARTICLE],
        ),
        tl.DocumentReceived(
            event_id=eid("roadmap-received"),
            occurred_at=day(2025, 6, 1),
            time_precision="day",
            party=RUSSIA,
            from_party=UKRAINE,
            title="peace proposal",
            document=eid("ukraine-roadmap"),
            actors=["Vladimir Medinsky"],
            summary="Medinsky confirms on Sunday that Russia has received Ukraine's proposal",
            sources=[ARTICLE],
        ),
        tl.ResponsePromised(
            event_id=eid("response-promised"),
            occurred_at=day(2025, 6, 1),
            time_precision="day",
            party=RUSSIA,
            to_party=UKRAINE,
            regarding=eid("ukraine-roadmap"),
            due_at=day(2025, 6, 2).end_of("day"),
            actors=["Vladimir Medinsky"],
            summary="Medinsky: a formal response will be offered during Monday's session",
            sources=[ARTICLE],
        ),
    ]


def exchanges() -> list[tl.Event]:
    """The 1,000-for-1,000 exchange agreed on 16 May, carried out in three stages."""
    agreed = tl.PrisonerExchangeAgreed(
        event_id=eid("exchange-agreed"),
        occurred_at=day(2025, 5, 16),
        time_precision="day",
        released={UKRAINE: 1000, RUSSIA: 1000},
        talks=eid("round-2025-05-16"),
        summary="1,000 for 1,000: the largest prisoner exchange of the war so far",
        sources=[ARTICLE, EXCHANGE_STATEMENTS],
    )
    stages = [
        tl.PrisonerExchangeCarriedOut(
            event_id=eid(f"exchange-stage-{stage}"),
            occurred_at=day(2025, 5, date),
            time_precision="day",
            agreement=agreed.event_id,
            stage=stage,
            stages_total=3,
            released={UKRAINE: count, RUSSIA: count},
            sources=[EXCHANGE_STATEMENTS, ARTICLE],
        )
        for stage, date, count in ((1, 23, 390), (2, 24, 307), (3, 25, 303))
    ]
    return [agreed, *stages]


def escalation() -> list[tl.Event]:
    """The strike on the bombers and the 472-drone night, on the eve of the talks."""
    return [
        tl.DroneBarrage(
            event_id=eid("barrage-472"),
            # The Air Force's reporting window, Kyiv time (UTC+3).
            occurred_at=pendulum.datetime(2025, 5, 31, 19, 30, tz="Europe/Kyiv"),
            occurred_until=pendulum.datetime(2025, 6, 1, 13, 30, tz="Europe/Kyiv"),
            time_precision="minute",
            attacker=RUSSIA,
            target=UKRAINE,
            weapon="Shahed-136/131",
            launched=472,
            claimed_by="Ukrainian Air Force",
            actors=[RUSSIA],
            summary=(
                "472 drones overnight, the highest number in a single night since the war "
                "began, targeting cities across Ukraine"
            ),
            tags=["record: largest single night"],
            sources=[ARTICLE, AIR_FORCE],
        ),
        tl.Strike(
            event_id=eid("strike-bombers"),
            occurred_at=day(2025, 6, 1),
            time_precision="day",
            attacker=UKRAINE,
            target_party=RUSSIA,
            targets=[
                "Russian nuclear-capable bombers stationed in Siberia",
                "other strategic military facilities",
            ],
            operation="Spiderweb",
            actors=[UKRAINE],
            summary="One of Ukraine's most ambitious strikes so far, on bombers in Siberia",
            sources=[ARTICLE],
        ),
    ]


def round_of_2_june() -> list[tl.Event]:
    """The round at Ciragan Palace, its host and opening remarks, and the two delegations."""
    round_id = eid("round-2025-06-02")
    return [
        tl.TalkRoundHeld(
            event_id=round_id,
            occurred_at=day(2025, 6, 2),
            time_precision="day",
            parties=[UKRAINE, RUSSIA],
            venue="Ciragan Palace",
            city="Istanbul",
            host="Türkiye",
            mediator="Hakan Fidan",
            opening_remarks=(
                "Turkish Foreign Minister Hakan Fidan emphasised the importance of diplomacy "
                "in resolving one of the most pressing crises facing the region and the world"
            ),
            round_number=2,
            location=tl.Location(
                name="Ciragan Palace, European bank of the Bosphorus",
                admin1="Istanbul",
                country="Türkiye",
            ),
            actors=[UKRAINE, RUSSIA, "Hakan Fidan"],
            summary="Talks resume at Ciragan Palace; the mood is tense yet hopeful",
            sources=[ARTICLE],
        ),
        tl.DelegationAnnounced(
            event_id=eid("delegation-ukraine"),
            occurred_at=day(2025, 6, 2),
            time_precision="day",
            party=UKRAINE,
            head="Rustem Umerov",
            head_title="Defense Minister",
            talks=round_id,
            sources=[ARTICLE],
        ),
        tl.DelegationAnnounced(
            event_id=eid("delegation-russia"),
            occurred_at=day(2025, 6, 2),
            time_precision="day",
            party=RUSSIA,
            head="Vladimir Medinsky",
            head_title="Kremlin adviser",
            composition_known=False,
            talks=round_id,
            sources=[ARTICLE],
        ),
    ]


#: Each stream and the facts recorded in it, in the order they are appended.
STREAMS = {
    "istanbul/ceasefire": ceasefire,
    "istanbul/talks": talks,
    "istanbul/exchanges": exchanges,
    "istanbul/escalation": escalation,
    "istanbul/round-2025-06-02": round_of_2_june,
}


def record(log: tl.EventLog) -> int:
    """Append every fact the log does not hold yet. Returns how many were added."""
    added = 0
    for stream, facts in STREAMS.items():
        new = [event for event in facts() if event.event_id not in log]
        if new:
            added += len(log.append(new, stream=stream))
    return added


def when(event: tl.Event) -> str:
    """The event's time, as precisely as it is known (in UTC)."""
    fmt = {
        tl.TimePrecision.MONTH: "YYYY-MM",
        tl.TimePrecision.DAY: "YYYY-MM-DD",
        tl.TimePrecision.HOUR: "YYYY-MM-DD HH[h]",
        tl.TimePrecision.MINUTE: "YYYY-MM-DD HH:mm",
        tl.TimePrecision.EXACT: "YYYY-MM-DD HH:mm:ss",
    }[event.time_precision]
    local = event.occurred_at
    if event.time_precision in (tl.TimePrecision.DAY, tl.TimePrecision.MONTH):
        local = local.in_timezone("Europe/Istanbul")  # a day-precision date is Istanbul's date
    text = local.format(fmt)
    if event.occurred_until is not None:
        until = event.occurred_until
        if event.time_precision in (tl.TimePrecision.DAY, tl.TimePrecision.MONTH):
            until = until.in_timezone("Europe/Istanbul")
        text += " to " + until.format(fmt)
    return text


def chronology(records: Iterable[tl.Recorded]) -> list[str]:
    """One readable line per event, in the order given."""
    lines = []
    for rec in records:
        event = rec.event
        claim = f"  [claimed by {event.claimed_by}]" if event.claimed_by else ""
        lines.append(f"{when(event):<36} {event.headline()}{claim}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Record the facts into the log named on the command line and print the chronology."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0] if args else "istanbul.db")
    with tl.open_log(path) as log:
        added = record(log)
        print(f"{path}: {added} new events, {len(log)} in all; verify: {log.verify().ok}")
        print()
        print("Chronology (valid time, UTC; day-precision dates in Istanbul time)")
        print("-" * 100)
        for line in chronology(log.read(order="occurred")):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
