"""The README's tour runs as written (all but the block of refused calls, which are shown
with placeholders)."""

import re
import tempfile
from pathlib import Path

import timeline as tl
from timeline.projections.negotiations import MemorandumStatus

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)


def run_the_tour() -> dict[str, object]:
    blocks = [b for b in python_blocks() if "InvalidEvent" not in b]
    assert len(blocks) >= 3
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102  # the README's own code
    return namespace


def test_the_tour_runs_again_and_again(example, tmp_path, monkeypatch):
    # The first tour wrote tour.db in the current folder, so a second run met a stale
    # expected_version (ConcurrencyError). Each run now starts its own log.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the tour's fresh folders
    with tl.open_log(tmp_path / "istanbul.db") as demo:
        example.record(demo)
    tours = [run_the_tour()["tour"] for _ in range(3)]
    assert len(set(tours)) == 3
    for path in tours:
        with tl.open_log(path) as tour:
            assert len(tour) == 3


def test_the_tour_runs(example, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the tour's fresh folders
    with tl.open_log(tmp_path / "istanbul.db") as demo:
        example.record(demo)
    namespace = run_the_tour()
    with tl.open_log(namespace["tour"]) as tour:
        assert len(tour) == 3
        assert tour.verify().ok
    talks = namespace["talks"]
    assert talks.delegation_heads() == {}
    now = tl.replay(tl.open_log(tmp_path / "istanbul.db"), tl.Negotiations())
    assert now.delegation_heads() == {"Ukraine": "Rustem Umerov", "Russia": "Vladimir Medinsky"}
    assert talks.memorandum_status("Russia") is MemorandumStatus.AWAITED
    assert [p.party for p in talks.responses_pending(namespace["morning"])] == ["Russia"]
    record = namespace["night"].largest_drone_window
    assert (record.launched, record.claimant) == (472, "Ukrainian Air Force")


def test_the_two_commands_open_the_readme():
    head = README.read_text(encoding="utf-8").split("## A short tour")[0]
    assert "python3 dev.py demo" in head
    assert "python3 dev.py test" in head
