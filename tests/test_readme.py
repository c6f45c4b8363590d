"""The README's tour runs as written (all but the block of refused calls, which are shown
with placeholders)."""

import re
from pathlib import Path

import timeline as tl
from timeline.projections.negotiations import MemorandumStatus

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_tour_runs(example, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with tl.open_log(tmp_path / "istanbul.db") as demo:
        example.record(demo)
    blocks = [b for b in python_blocks() if "InvalidEvent" not in b]
    assert len(blocks) >= 3
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102  # the README's own code
    with tl.open_log(tmp_path / "tour.db") as tour:
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
