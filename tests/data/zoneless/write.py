"""Write the zoneless logs: the Istanbul example as recorded by timeline before events kept
their zone (the code of commit 2e7633d, on main before issue 15).

Run once with that release's code, from the repository root of a checkout of it:

    PYTHONPATH=src python tests/data/zoneless/write.py tests/data/zoneless

It writes ``istanbul.db`` (SQLite), ``istanbul.jsonl`` (the same records, copied) and
``expected.json``: each record's position, hash and payload, and the built-in projections'
states replayed from it, as plain JSON (:func:`plain`: every attrs field, with the answers
derived on demand that the projections' summaries print). ``tests/test_zoneless_log.py`` opens these logs with
the current code and checks that they read, verify and replay identically.
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib.util
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import attrs

import timeline as tl
from timeline.codec import Codec

EXAMPLE = Path("examples") / "istanbul_2025.py"  # the old checkout's own example
PROJECTIONS = ("Negotiations", "PrisonerExchanges", "Escalation", "Chronology")


def example():
    spec = importlib.util.spec_from_file_location("istanbul_2025", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def plain(value: object) -> object:  # noqa: PLR0911  # one return per kind of value
    """A state as plain JSON: attrs classes by field (compared fields only), then the rest."""
    if attrs.has(type(value)):
        return {a.name: plain(getattr(value, a.name)) for a in attrs.fields(type(value)) if a.eq}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, bytes)):
        return value.hex if isinstance(value, uuid.UUID) else value.hex()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def answers(name: str, state: object) -> object:
    """What the projection answers when asked (derived on demand), as plain JSON."""
    if name == "Negotiations":
        return {
            "memoranda": plain(state.memoranda()),
            "responses": plain(state.responses()),
            "rounds": plain(state.rounds),
            "ceasefire": plain(state.ceasefire),
        }
    if name == "Escalation":
        return {"days": plain(state.days), "windows": plain(state.windows)}
    if name == "Chronology":
        return {"lines": state.lines()}
    return {}


def main(here: Path) -> None:
    for name in ("istanbul.db", "istanbul.jsonl"):
        (here / name).unlink(missing_ok=True)
    with tl.open_log(here / "istanbul.db") as log:
        example().record(log)
        with tl.open_log(here / "istanbul.jsonl") as copy:
            for rec in log.read():
                copy.append([rec.event], stream=rec.stream, recorded_at=rec.recorded_at)
        codec = Codec()
        expected: dict[str, Any]
        expected = {
            "records": [
                [
                    rec.position,
                    rec.hash.hex() if isinstance(rec.hash, bytes) else rec.hash,
                    codec.encode(rec.event).decode(),
                ]
                for rec in log.read()
            ],
            "states": {},
            "answers": {},
        }
        for name in PROJECTIONS:
            state = tl.replay(log, getattr(tl, name)())
            expected["states"][name] = plain(state)
            expected["answers"][name] = answers(name, state)
    (here / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
