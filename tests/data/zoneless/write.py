"""Write the zoneless logs: the Istanbul example as recorded by timeline before events kept
their zone (the code of commit 2e7633d, on main before issue 15).

Run once with that release's code, from the repository root of a checkout of it:

    PYTHONPATH=src python tests/data/zoneless/write.py tests/data/zoneless

It writes ``istanbul.db`` (SQLite), ``istanbul.jsonl`` (the same records, copied) and
``expected.json``: each record's position, hash and payload, and the ``repr`` of the built-in
projections' states replayed from it. ``tests/test_zoneless_log.py`` opens these logs with
the current code and checks that they read, verify and replay identically.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import timeline as tl
from timeline.codec import Codec

HERE = Path(sys.argv[1])
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "istanbul_2025.py"
PROJECTIONS = ("Negotiations", "PrisonerExchanges", "Escalation", "Chronology")


def example():
    spec = importlib.util.spec_from_file_location("istanbul_2025", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    for name in ("istanbul.db", "istanbul.jsonl"):
        (HERE / name).unlink(missing_ok=True)
    with tl.open_log(HERE / "istanbul.db") as log:
        example().record(log)
        with tl.open_log(HERE / "istanbul.jsonl") as copy:
            for rec in log.read():
                copy.append([rec.event], stream=rec.stream, recorded_at=rec.recorded_at)
        codec = Codec()
        expected = {
            "records": [
                [
                    rec.position,
                    rec.hash.hex() if isinstance(rec.hash, bytes) else rec.hash,
                    codec.encode(rec.event).decode(),
                ]
                for rec in log.read()
            ],
            "states": {name: repr(tl.replay(log, getattr(tl, name)())) for name in PROJECTIONS},
        }
    (HERE / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
