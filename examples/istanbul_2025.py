"""The Istanbul round of 2 June 2025, recorded from the article this project grew from.

Records every fact that the seed article (``shared/seed/istanbul-2025-06-02.txt``) states
into an SQLite event log (``istanbul.db`` by default), each event citing the article, then
prints the chronology.

    python examples/istanbul_2025.py [path/to/log.db]

Running it again adds nothing: every event has a stable id (a UUIDv5 of a key naming the
fact), and events the log already holds are skipped.

The log is back-filled as if it had been kept day by day: each fact is recorded (its
``recorded_at``, given to ``append``) at 20:00 Istanbul time on the day it ended, or when
its source published it. So ``known_at`` can ask what the record held on a given morning. The example then
answers the seed's questions, and shows one real correction: the Ukrainian General Staff's
tally for 3 June first gave 384 Russian aircraft, rewritten to 413 the next day.

Where the article gives no date, the date comes from the public record of those days and the
event is tagged ``date-from-context``; where it gives a figure from another source (the
exchange's stages, the Air Force's reporting window), that source is cited beside it.
"""

from __future__ import annotations

import datetime as dt
import sys
import uuid
from pathlib import Path

import pendulum

import timeline as tl

#: Stable ids: the same fact always gets the same event id.
NAMESPACE = uuid.UUID("5b0d1d6c-6c1e-4d55-9a57-0f0c6e1d2b00")

# Admiralty grades are this example's judgement: a news report repeating official claims
# (C3: fairly reliable, possibly true) and a party's own military reporting (B3).
ARTICLE = tl.Source(
    name="Ukraine and Russia Resume Peace Talks in Istanbul to Seek Diplomatic Resolution",
    published_at=pendulum.datetime(2025, 6, 2, tz="Europe/Istanbul"),
    reliability="C",
    credibility=3,
)
AIR_FORCE = tl.Source(
    name="Ukrainian Air Force (kpszsu), report of 1 June 2025", reliability="B", credibility=3
)
GENERAL_STAFF = tl.Source(
    name="General Staff of the Armed Forces of Ukraine, daily losses tally "
    "(PetroIvaniuk/2022-Ukraine-Russia-War-Dataset)",
    reliability="B",
    credibility=3,
)
EXCHANGE_STATEMENTS = tl.Source(
    name="Official statements on the 1,000-for-1,000 exchange, 23-25 May 2025"
)
CONTEXT = "date-from-context"  # the article gives no date; the date is from the public record

UKRAINE, RUSSIA = "Ukraine", "Russia"


def eid(key: str) -> uuid.UUID:
    """The stable event id of a fact."""
    return uuid.uuid5(NAMESPACE, f"istanbul-2025/{key}")


ISTANBUL, KYIV, MOSCOW = "Europe/Istanbul", "Europe/Kyiv", "Europe/Moscow"


def day(y: int, m: int, d: int, zone: str = ISTANBUL) -> pendulum.DateTime:
    """Local midnight of a date where it was reported: the start of a day-precision event.

    The zone it is given in becomes the event's zone (``Event.zone``): what was said in
    Moscow is dated on Moscow's calendar, the talks on Istanbul's, the Air Force's reports
    on Kyiv's. All three were at UTC+3 in May and June 2025.
    """
    return pendulum.datetime(y, m, d, tz=zone)


def ceasefire() -> list[tl.Event]:
    """Ukraine's demand, with European backing, and Moscow's rejection."""
    return [
        tl.CeasefireDemanded(
            event_id=eid("ceasefire-demanded"),
            occurred_at=day(2025, 5, 10, KYIV),
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
            occurred_at=day(2025, 5, 11, MOSCOW),
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
            occurred_at=day(2025, 5, 11, MOSCOW),
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
            occurred_at=day(2025, 5, 19, MOSCOW),
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
            occurred_at=day(2025, 5, 19, MOSCOW),
            time_precision="day",
            speaker="Vladimir Putin",
            party=RUSSIA,
            text="Ceasefire discussions would follow only after preliminary matters are addressed.",
            sources=[ARTICLE],
            tags=[CONTEXT],
        ),
        tl.MemorandumAwaited(
            event_id=eid("memorandum-awaited"),
            occurred_at=day(2025, 5, 31, KYIV),
            occurred_until=day(2025, 6, 1, KYIV).end_of("day"),
            time_precision="day",
            party=UKRAINE,
            from_party=RUSSIA,
            promise=eid("memorandum-promised"),
            summary="Ukraine says over the weekend it is still awaiting the Russian draft memorandum",
            sources=[ARTICLE],
        ),
        tl.ProposalTabled(
            event_id=eid("ukraine-roadmap"),
            occurred_at=day(2025, 6, 1, KYIV),
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
            occurred_at=day(2025, 6, 1, MOSCOW),
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
            occurred_at=day(2025, 6, 1, MOSCOW),
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
            occurred_at=day(2025, 5, date, KYIV),
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


def losses() -> list[tl.Event]:
    """The General Staff's cumulative tally for 3 June, as first published (384 aircraft).

    The rewrite to 413 a day later is :func:`aircraft_revision`: a correction, recorded when
    it was published, that keeps the original.
    """
    return [
        tl.LossReport(
            event_id=eid("losses-2025-06-03"),
            occurred_at=pendulum.datetime(2025, 6, 3, tz="Europe/Kyiv"),
            time_precision="day",
            party=RUSSIA,
            cumulative=True,
            personnel=990800,
            equipment={"aircraft": 384, "helicopter": 336, "tank": 10881},
            claimed_by="General Staff of the Armed Forces of Ukraine",
            summary="Russian losses to date as tallied on 3 June: 384 aircraft",
            sources=[GENERAL_STAFF, ARTICLE],
        )
    ]


def aircraft_revision() -> tl.Correction:
    """The tally for 3 June rewritten a day later: 413 aircraft (the 1 June strike's +41)."""
    return tl.Correction(
        event_id=eid("losses-2025-06-03-revised"),
        occurred_at=pendulum.datetime(2025, 6, 4, 10, 50, 52, tz="Europe/Kyiv"),
        corrects=eid("losses-2025-06-03"),
        changes={
            "equipment": [
                {"item": "aircraft", "count": 413},
                {"item": "helicopter", "count": 336},
                {"item": "tank", "count": 10881},
            ]
        },
        reason="the General Staff rewrote the 3 June tally the next day: aircraft 384 → 413",
        sources=[GENERAL_STAFF],
    )


#: Who asserts the links below: this example, reading the article.
ANALYST = "timeline example, from the article"


def links() -> list[tl.Event]:
    """The causal links the article states or implies, each quoting the words behind it.

    They are asserted when the article appeared (2 June), so they are recorded that evening,
    after the facts they join.
    """

    def link(  # noqa: PLR0917  # one argument per part of the claim
        key: str,
        cause: str,
        effect: str,
        relation: str,
        confidence: float,
        evidence: str,
        **fields: object,
    ) -> tl.CausalLink:
        return tl.CausalLink(
            event_id=eid(f"link/{key}"),
            occurred_at=day(2025, 6, 2),
            time_precision="day",
            cause=eid(cause),
            effect=eid(effect),
            relation=relation,
            confidence=confidence,
            asserted_by=ANALYST,
            evidence=evidence,
            sources=fields.pop("sources", [ARTICLE]),
            **fields,  # type: ignore[arg-type]  # summary, claimed_by: text
        )

    stages = [
        link(
            f"exchange-stage-{n}",
            "exchange-agreed",
            f"exchange-stage-{n}",
            tl.Relation.PRECONDITION,
            0.95,
            "The previous round of negotiations, held on May 16, succeeded in brokering the "
            "largest prisoner exchange thus far in the conflict. (Its three stages, 23-25 May, "
            "are from the official statements.)",
            sources=[ARTICLE, EXCHANGE_STATEMENTS],
        )
        for n in (1, 2, 3)
    ]
    return [
        link(
            "demand-rejected",
            "ceasefire-demanded",
            "ceasefire-rejected",
            tl.Relation.RESPONSE,
            0.95,
            "Ukraine, with backing from European allies, insisted on an immediate ceasefire "
            "— a demand that Moscow dismissed.",
        ),
        link(
            "demand-talks",
            "ceasefire-demanded",
            "talks-proposed",
            tl.Relation.RESPONSE,
            0.8,
            "The resumption of direct talks was initially proposed by Russian President "
            "Vladimir Putin after Ukraine, with backing from European allies, insisted on an "
            "immediate ceasefire",
        ),
        link(
            "talks-round",
            "talks-proposed",
            "round-2025-05-16",
            tl.Relation.OUTCOME,
            0.9,
            "The resumption of direct talks was initially proposed by Russian President "
            "Vladimir Putin ... The previous round of negotiations, held on May 16",
        ),
        link(
            "round-exchange",
            "round-2025-05-16",
            "exchange-agreed",
            tl.Relation.OUTCOME,
            0.95,
            "The previous round of negotiations, held on May 16, succeeded in brokering the "
            "largest prisoner exchange thus far in the conflict.",
        ),
        *stages,
        link(
            "memorandum-awaited",
            "memorandum-promised",
            "memorandum-awaited",
            tl.Relation.PROMPTED,
            0.9,
            "President Putin stated that Russia intended to prepare a memorandum ... Ukraine "
            "announced over the weekend that it was still awaiting the Russian draft memorandum.",
        ),
        link(
            "roadmap-received",
            "ukraine-roadmap",
            "roadmap-received",
            tl.Relation.RESPONSE,
            0.95,
            "Medinsky confirmed on Sunday that Russia had received Ukraine's proposal",
        ),
        link(
            "response-promised",
            "roadmap-received",
            "response-promised",
            tl.Relation.RESPONSE,
            0.9,
            "... and indicated a formal response would be offered during Monday's session.",
        ),
        link(
            "strike-barrage",
            "strike-bombers",
            "barrage-472",
            tl.Relation.RETALIATION,
            0.7,
            "In retaliation, Russian forces unleashed 472 drones overnight ... according to "
            "Kyiv's air force.",
            claimed_by="the article, in its own words",
            summary=(
                "The article calls the barrage a retaliation for the strike on the bombers; "
                "the count of 472 is the Ukrainian Air Force's"
            ),
            sources=[ARTICLE, AIR_FORCE],
        ),
        link(
            "barrage-round",
            "barrage-472",
            "round-2025-06-02",
            "held-despite",
            0.5,
            "On the eve of the talks, the conflict saw a dramatic surge in military action. ... "
            "Ukrainian and Russian delegations convened in Istanbul on Monday",
            summary="The round was held on 2 June regardless of the night of drones before it",
        ),
    ]


#: Each stream and the facts recorded in it.
STREAMS = {
    "istanbul/ceasefire": ceasefire,
    "istanbul/talks": talks,
    "istanbul/exchanges": exchanges,
    "istanbul/escalation": escalation,
    "istanbul/round-2025-06-02": round_of_2_june,
    "losses/general-staff": losses,
    "istanbul/links": links,
}

#: When the General Staff published the tally and its rewrite (commit times of the data set).
PUBLISHED = {
    eid("losses-2025-06-03"): pendulum.datetime(2025, 6, 3, 10, 31, 5, tz="Europe/Kyiv"),
    eid("losses-2025-06-03-revised"): pendulum.datetime(2025, 6, 4, 10, 50, 52, tz="Europe/Kyiv"),
}


def recorded_at(event: tl.Event) -> pendulum.DateTime:
    """When the back-filled log records a fact: when it was published, if we know, else at
    20:00 Istanbul time on the day it ended."""
    if event.event_id in PUBLISHED:
        return PUBLISHED[event.event_id]
    end = (event.occurred_until or event.occurred_at).in_timezone("Europe/Istanbul")
    return end.start_of("day").add(hours=20)


def record(log: tl.EventLog) -> int:
    """Append every fact the log does not hold yet, in the order it became known.

    Each fact is appended with its :func:`recorded_at` as the transaction time (facts of one
    stream known at the same moment go in one append). Returns how many were added.
    """
    facts = [
        (recorded_at(event), order, stream, event)
        for order, (stream, make) in enumerate(STREAMS.items())
        for event in make()
    ]
    facts.append(
        (
            recorded_at(aircraft_revision()),
            len(STREAMS),
            "losses/general-staff",
            aircraft_revision(),
        )
    )
    facts.sort(key=lambda fact: (fact[0], fact[1]))
    added = 0
    batch: list[tl.Event] = []
    for i, (at, _, stream, event) in enumerate(facts):
        if event.event_id not in log:
            batch.append(event)
        following = facts[i + 1] if i + 1 < len(facts) else None
        if batch and (following is None or following[0] != at or following[2] != stream):
            added += len(log.append(batch, stream=stream, recorded_at=at))
            batch = []
    return added


#: The morning of the second round: what did the record hold then, about what had happened?
MORNING_OF_2_JUNE = pendulum.datetime(2025, 6, 2, 8, tz="Europe/Istanbul")
END_OF_1_JUNE = pendulum.datetime(2025, 6, 1, tz="Europe/Istanbul").end_of("day")


def spoken(date: str | dt.date, form: str = "D MMMM") -> str:
    """A local date as the article writes it: ``"19 May"``, ``"Sunday 1 June"``."""
    day_ = dt.date.fromisoformat(date) if isinstance(date, str) else date
    return pendulum.date(day_.year, day_.month, day_.day).format(form)


def answers(log: tl.EventLog) -> list[str]:
    """The seed's questions, answered from the log by the built-in projections."""
    return [*negotiation_answers(log), *escalation_answers(log), *correction_answers(log)]


def negotiation_answers(log: tl.EventLog) -> list[str]:
    """Delegations, what was tabled, the memorandum, the answer owed, the ceasefire."""
    now = tl.replay(log, tl.Negotiations())
    morning = tl.replay(log, tl.Negotiations(), as_of=MORNING_OF_2_JUNE, known_at=MORNING_OF_2_JUNE)
    lines = ["Who leads each delegation on 2 June, and is Russia's composition known?"]
    for party, d in now.delegations(round=eid("round-2025-06-02")).items():
        known = {None: "not stated", True: "known", False: "unclear"}[d.composition_known]
        lines.append(f"  {party}: {d.head_with_title} (composition {known})")

    lines.append("What has Ukraine tabled?")
    for proposal in now.tabled(UKRAINE):
        lines.append(f"  {proposal.title}:")
        lines.extend(f"    - {term}" for term in proposal.terms)

    lines.append("As of 08:00 on 2 June, is Russia's memorandum delivered?")
    for memo in morning.memoranda(RUSSIA, at=MORNING_OF_2_JUNE):
        steps = [  # the local dates: the promise was Moscow's, the waiting Kyiv's
            f"{label} {spoken(on)}"
            for label, on in (("promised", memo.promised_on), ("awaited", memo.awaited_on))
            if on is not None
        ]
        verdict = "delivered" if memo.delivered else "not delivered"
        lines.append(f"  {memo.subject}: {', '.join(steps)}: {verdict} ({memo.status.value})")

    lines.append("Has Russia answered Ukraine's proposal (as of 08:00 on 2 June)?")
    for receipt in morning.received(RUSSIA):
        when = spoken(receipt.date, "dddd D MMMM")
        lines.append(f"  {receipt.party} received {receipt.from_party}'s {receipt.title} ({when})")
    for promise in morning.responses_pending(MORNING_OF_2_JUNE):
        due = (
            spoken(
                tl.time.local_day(promise.due_at, tl.TimePrecision.DAY, promise.zone), "dddd D MMMM"
            )
            if promise.due_at
            else "no date"
        )
        overdue = "overdue" if morning.is_overdue(promise, MORNING_OF_2_JUNE) else "not overdue"
        lines.append(f"  answer promised by {promise.party} for {due}: pending, {overdue}")

    ceasefire = now.ceasefire
    lines.append("The ceasefire's status?")
    lines.append(
        f"  {ceasefire.status.value}: demanded by {', '.join(ceasefire.demanded_by)} "
        f"(backed by {', '.join(ceasefire.backed_by)}), rejected by {', '.join(ceasefire.rejected_by)}"
    )
    return lines


def escalation_answers(log: tl.EventLog) -> list[str]:
    """The record night of drones as of 1 June; the largest prisoner exchange."""
    lines = []
    record_ = tl.replay(log, tl.Escalation(), as_of=END_OF_1_JUNE).largest_drone_window
    lines.append("The largest single-night drone barrage as of 1 June, and who claims it?")
    if record_ is not None:
        lines.append(f"  {record_.launched} drones ({record_.day}), claimed by {record_.claimant}")

    exchanges = tl.replay(log, tl.PrisonerExchanges())
    largest = exchanges.largest_agreed
    lines.append("The largest prisoner exchange so far, and its totals per side?")
    if largest is not None:
        agreed = " for ".join(f"{c.count:,}" for c in largest.released)
        lines.append(f"  {agreed} agreed ({largest.size:,} people in all)")
        exchange = exchanges.exchange(largest.agreement) if largest.agreement else None
        for side in exchanges.sides:
            stages = ""
            if exchange is not None:
                counts = [
                    next(c.count for c in st.released if c.party == side.party)
                    for st in exchange.stages
                ]
                stages = " = " + " + ".join(str(c) for c in counts)
            lines.append(
                f"  {side.party}: carried out {side.carried_out:,}{stages}, outstanding {side.outstanding}"
            )
    return lines


def correction_answers(log: tl.EventLog) -> list[str]:
    """The General Staff's 3 June tally, as known before and after its rewrite."""
    fix = log.get(eid("losses-2025-06-03-revised"))
    before = fix.recorded_at.subtract(microseconds=1)
    lines = ["A correction: Russian aircraft lost by 3 June, in the General Staff's tally"]
    for label, known_at in (("before the rewrite", before), ("after it", fix.recorded_at)):
        report = next(
            e
            for e in tl.replay_events(log, known_at=known_at)
            if e.event_id == eid("losses-2025-06-03")
        )
        aircraft = report.figure("aircraft") if isinstance(report, tl.LossReport) else None
        stamp = known_at.in_timezone("Europe/Kyiv").format("YYYY-MM-DD HH:mm:ss")
        lines.append(f"  known at {stamp} Kyiv ({label}): {aircraft} aircraft")
    return lines


def causal_answers(log: tl.EventLog) -> list[str]:
    """What led to the 2 June round, what followed the strike, and what the rules infer."""
    graph = tl.causal_graph(log)

    def reached(found: list[tl.causal.Cause] | list[tl.causal.Consequence]) -> list[str]:
        return [
            f"  {r.event.headline()}  [{' → '.join(link.relation for link in r.path)}; "
            f"confidence {r.confidence:g}]"
            for r in found
        ]

    lines = ["Why was the round of 2 June held as it was? (causes, nearest first)"]
    lines.extend(reached(graph.why(eid("round-2025-06-02"))))
    lines.append("What followed the strike on the bombers of 1 June?")
    lines.extend(reached(graph.consequences(eid("strike-bombers"))))
    lines.extend(
        f"  (the retaliation is claimed by {link.claimed_by}: {link.evidence})"
        for link in graph.claims(eid("strike-bombers"), eid("barrage-472"))
    )

    report = tl.causal.evaluate(tl.causal.default_rules(), log)
    analyst = {(link.cause, link.effect) for link in report.truth}
    mark = {True: "= an analyst's link", False: "new"}
    lines.append("Links the inference rules propose from the events alone, with their scores")
    lines.extend(
        f"  {c.score:.2f} {c.rule}: {c.cause.headline()[:45]} → {c.effect.headline()[:45]} "
        f"({mark[c.pair in analyst]})"
        for c in report.candidates
    )
    precision = "n/a" if report.precision is None else f"{report.precision:.2f}"
    recall = "n/a" if report.recall is None else f"{report.recall:.2f}"
    lines.append(
        f"  against the {len(report.truth)} links above: precision {precision}, recall {recall}; "
        f"not found by any rule: {', '.join(sorted(link.relation for link in report.missed))}"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Record the facts into the log named on the command line and print the chronology."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0] if args else "istanbul.db")
    with tl.open_log(path) as log:
        added = record(log)
        print(f"{path}: {added} new events, {len(log)} in all; verify: {log.verify().ok}")
        print()
        print("Chronology, as corrected (valid time; dates at the precision known)")
        print("-" * 100)
        for line in tl.replay(log, tl.Chronology()).lines():
            print(line)
        print()
        print("Answers")
        print("-" * 100)
        for line in answers(log):
            print(line)
        print()
        print("Causal links")
        print("-" * 100)
        for line in causal_answers(log):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
