"""replay, why and consequences: the built-in projections and the causal graph, by command."""

from __future__ import annotations

import json

from cli.clitools import AIR_FORCE, BARRAGE_472, BARRAGE_479, EVENTS, LINK, REJECTION, jsonl


def test_escalation_as_of_a_date_takes_the_whole_day(recorded):
    done = recorded("replay", "Escalation", "--as-of", "2025-06-01")
    assert (done.returncode, done.stderr) == (0, "")
    lines = done.stdout.splitlines()
    assert lines[:7] == [
        "Escalation, as of 2025-06-01T23:59:59Z, as known now",
        "",
        "3 reports in 3 reporting windows on 1 day",
        (
            "drones:   launched 472 (and 2 reports without a figure), destroyed 522, "
            "lost 172 (and 2 reports without a figure)"
        ),
        "missiles: none reported",
        "strikes:  0",
        "",
    ]
    assert lines[7] == (
        "largest drone window so far: 472 drones on 2025-05-31 "
        f"(2025-05-31T16:30Z to 2025-06-01T10:30Z), claimed by {AIR_FORCE}"
    )
    assert lines[-2].split() == [
        "day",
        "drones",
        "destroyed",
        "lost",
        "missiles",
        "destroyed",
        "strikes",
    ]
    assert lines[-1].split() == ["2025-05-31", "472", "522", "172", "?", "?", "0"]
    assert "479" not in done.stdout

    now = recorded.quick("replay", "escalation").stdout
    assert (
        "largest drone window so far: 479 drones on 2025-06-08 "
        "(2025-06-08T17:00:00Z to 2025-06-09T07:30:00Z), claimed by Ukrainian Air Force; "
        "the record before it: 472"
    ) in now
    records = now.split("drone records (each beat every window before it):\n")[1].split("\n\n")[0]
    assert [line.split()[:3] for line in records.splitlines()[1:]] == [
        ["2025-05-31", "472", "-"],
        ["2025-06-08", "479", "472"],
    ]

    # A date means the end of that UTC day; a time means that instant.
    day = recorded.quick("replay", "ESCALATION", "--as-of", "2025-05-31").stdout
    assert "largest drone window so far: 472 drones" in day
    noon = recorded.quick("replay", "escalation", "--as-of", "2025-05-31T12:00Z").stdout
    assert "largest drone window so far: none reported" in noon
    known = recorded.quick("replay", "escalation", "--known-at", "2000-01-01").stdout
    assert (
        known.splitlines()[0] == "Escalation, all that happened, as known at 2000-01-01T23:59:59Z"
    )
    assert "0 reports in 0 reporting windows on 0 days" in known


def test_every_projection_summarises_in_text_and_json(recorded):
    negotiations = recorded.quick("replay", "Negotiations", "--as-of", "2025-06-02T23:00Z")
    assert negotiations.stdout.splitlines()[2:] == [
        "rounds: 1",
        "  2025-06-02  Ciragan Palace, Istanbul: Ukraine–Russia (host Türkiye; mediator Hakan Fidan)",
        "delegations: 2",
        "  Ukraine: Defense Minister Rustem Umerov",
        "  Russia: Vladimir Medinsky; composition unclear",
        "tabled: 1",
        "  2025-06-02T10:00:00Z  Ukraine: roadmap: no recognition of occupied territories",
        "memoranda: 1",
        "  Russia: a peace framework: promised (promised 2025-05-19)",
        "responses pending: 0",
        "ceasefire: rejected; demanded by Ukraine, backed by European allies; rejected by Russia",
    ]

    exchanges = recorded.quick("replay", "prisoner-exchanges").stdout.splitlines()
    assert [line.split() for line in exchanges[3:6]] == [
        ["party", "agreed", "carried", "out", "outstanding"],
        ["Ukraine", "1000", "390", "610"],
        ["Russia", "1000", "390", "610"],
    ]
    assert exchanges[-4:] == [
        (
            "  agreed 2025-05-16: 2000 (Ukraine 1000, Russia 1000); carried out 780 in 1 of 3 "
            "stage(s); outstanding Ukraine 610, Russia 610"
        ),
        "    stage 1 2025-05-23: Ukraine 390, Russia 390",
        "largest agreed: 2000 (Ukraine 1000, Russia 1000)",
        "largest carried out: 780 (Ukraine 390, Russia 390)",
    ]

    claims = recorded.quick("replay", "claims").stdout.splitlines()
    assert claims[2:] == [
        "facts: 6, with conflicting figures: 1",
        "  2025-06-01 military.drone_barrage Ukraine → Russia, UAV: destroyed",
        "         150  Reuters (B2)",
        "         162  Russian ministry of defence",
    ]

    chronology = recorded.quick("replay", "Chronology", "--as-of", "2025-05-12").stdout
    assert chronology.splitlines()[2:] == [
        "2025-05-10T12:00:00Z  Ukraine demands a ceasefire (backed by European allies)",
        "2025-05-11T09:00:00Z  Russia rejects the ceasefire demand",
    ]

    document = json.loads(recorded("replay", "Escalation", "--format", "json").stdout)
    assert (document["projection"], document["as_of"], document["known_at"]) == (
        "Escalation",
        None,
        None,
    )
    largest = document["derived"]["largest_drone_window"]
    assert (largest["launched"], largest["previous"], largest["claimant"]) == (479, 472, AIR_FORCE)
    assert largest["event_ids"] == [BARRAGE_479]
    assert largest["start"] == "2025-06-08T17:00:00.000000+00:00"
    assert [r["launched"] for r in document["derived"]["drone_records"]] == [472, 479]
    assert BARRAGE_472 in document["state"]["tallies"]["event_id"]
    for name in ("Negotiations", "PrisonerExchanges", "Claims", "Chronology"):
        done = recorded.quick(
            "replay", name, "--format", "json", "--as-of", "2025-06-01T03:00+03:00"
        )
        assert done.returncode == 0, done.stderr
        parsed = json.loads(done.stdout)
        assert (parsed["projection"], parsed["as_of"]) == (name, "2025-06-01T00:00:00.000000+00:00")
        assert isinstance(parsed["state"], dict)
    negotiations_json = json.loads(
        recorded.quick("replay", "negotiations", "--format", "json").stdout
    )
    assert negotiations_json["derived"]["ceasefire"]["status"] == "rejected"
    assert negotiations_json["derived"]["delegations"]["Ukraine"]["head"] == "Rustem Umerov"

    unknown = recorded("replay", "Escalaton")
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert unknown.stderr == (
        "timeline: error: argument PROJECTION: unknown projection 'Escalaton'; did you mean "
        "Escalation? (choose from Negotiations, PrisonerExchanges, Escalation, Claims, "
        "Chronology) (see 'timeline replay --help')\n"
    )


def test_why_and_consequences_follow_the_links(cli):
    assert cli.quick("append", "--stream", "record", input=jsonl(EVENTS)).returncode == 0
    assert cli.quick("append", "--stream", "links", input=json.dumps(LINK)).returncode == 0

    why = cli("why", BARRAGE_472)
    assert (why.returncode, why.stderr) == (0, "")
    lines = why.stdout.splitlines()
    assert lines[0] == (
        f"what led to {BARRAGE_472}, 2025-05-31 16:30 UTC: Russia: Shahed-136/131 472 "
        "launched, 210 destroyed"
    )
    assert lines[1] == "(all that happened, as known now)"
    assert lines[2].split() == ["confidence", "occurred", "event", "via", "event_id"]
    row = lines[3]
    assert row.split()[:4] == ["0.60", "2025-05-11", "09:00:00", "UTC"]
    assert "Russia rejects the ceasefire demand" in row
    assert "prompted (analyst)" in row
    assert row.endswith(REJECTION)

    follows = cli.quick("consequences", "#2", "--format", "json")
    assert follows.returncode == 0, follows.stderr
    document = json.loads(follows.stdout)
    assert document["event"]["event_id"] == REJECTION
    [found] = document["consequences"]
    assert (found["event"]["event_id"], found["confidence"]) == (BARRAGE_472, 0.6)
    assert [(p["type"], p["relation"]) for p in found["path"]] == [("meta.causal_link", "prompted")]

    # A view that leaves the event out (known in 2000; as of 20 May) is a one-line error.
    for args, missing in [
        (("consequences", REJECTION, "--known-at", "2000-01-01"), REJECTION),
        (("why", BARRAGE_472, "--as-of", "2025-05-20"), BARRAGE_472),
    ]:
        done = cli.quick(*args)
        assert (done.returncode, done.stdout) == (1, "")
        assert done.stderr == (
            f"timeline: error: event {missing} is not in this view of the causal graph\n"
        )
    alone = cli.quick("why", REJECTION)
    assert alone.stdout.splitlines()[-1] == "  nothing on record"
