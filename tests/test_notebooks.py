"""The notebooks in examples/notebooks are committed clean: no outputs, a title first.

CI executes them (pytest's ``--nbmake`` over ``examples/notebooks``); this checks what
executing cannot: that what is committed is the source, not a run's results.
"""

import json
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "examples" / "notebooks"
#: The notebooks issue 7 asks for, in reading order.
EXPECTED = (
    "01_istanbul_talks.ipynb",
    "02_escalation_and_diplomacy.ipynb",
    "03_real_data.ipynb",
    "04_your_own_events.ipynb",
)
#: Cell metadata a run leaves behind (nbclient's timings, Jupyter's scroll and collapse state).
RUN_METADATA = {"execution", "scrolled", "collapsed"}


def source(cell):
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def problems(notebook):
    """What keeps a notebook from being committed: outputs, counts, run metadata, no title."""
    found = []
    cells = notebook.get("cells", [])
    if not cells or cells[0].get("cell_type") != "markdown":
        found.append("the first cell is not a markdown cell")
    elif not source(cells[0]).lstrip().startswith("# "):
        found.append("the first cell does not open with a '# ' title")
    for number, cell in enumerate(cells, 1):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            found.append(f"cell {number} has outputs")
        if cell.get("execution_count") is not None:
            found.append(f"cell {number} has an execution count")
        left = RUN_METADATA & set(cell.get("metadata", {}))
        if left:
            found.append(f"cell {number} has run metadata {sorted(left)}")
        if not source(cell).strip():
            found.append(f"cell {number} is empty")
    return found


def notebooks():
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def test_the_four_notebooks_are_there():
    assert tuple(p.name for p in notebooks()) == EXPECTED


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_a_notebook_is_committed_without_outputs_and_with_a_title(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert problems(notebook) == []
    assert notebook["nbformat"] == 4
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_a_notebook_is_valid(path):
    nbformat = pytest.importorskip("nbformat")
    nbformat.validate(nbformat.read(path, as_version=4))


def test_the_check_finds_what_a_run_leaves():
    ran = {
        "cells": [
            {
                "cell_type": "code",
                "source": "1 + 1",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
            },
            {
                "cell_type": "code",
                "source": ["print(", "'hi')"],
                "metadata": {"execution": {"iopub.status.busy": "2025-06-02T08:00:00Z"}},
                "outputs": [{"output_type": "stream", "name": "stdout", "text": "hi\n"}],
                "execution_count": 3,
            },
            {
                "cell_type": "code",
                "source": "  ",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
            },
        ]
    }
    assert problems(ran) == [
        "the first cell is not a markdown cell",
        "cell 2 has outputs",
        "cell 2 has an execution count",
        "cell 2 has run metadata ['execution']",
        "cell 3 is empty",
    ]
    untitled = {"cells": [{"cell_type": "markdown", "source": "Some words", "metadata": {}}]}
    assert problems(untitled) == ["the first cell does not open with a '# ' title"]
    assert problems({"cells": []}) == ["the first cell is not a markdown cell"]


def test_the_site_runs_every_notebook_and_shows_its_outputs():
    """The docs site executes the notebooks at build (mkdocs-jupyter), from a clean kernel.

    ``mkdocs build --strict`` (CI's ``dev.py docs``) is what runs them; this checks the
    wiring: the docs folder reaches the notebooks themselves, the plugin executes them with
    errors failing the build, and each is in the navigation.
    """
    root = NOTEBOOKS.parents[1]
    linked = root / "docs" / "notebooks"
    assert linked.resolve() == NOTEBOOKS.resolve()
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    plugin = config.split("- mkdocs-jupyter:", 1)[1].split("\n  - ", 1)[0]
    for setting in ("execute: true", "allow_errors: false", "cache: false"):
        assert setting in plugin
    for name in EXPECTED:
        assert f"notebooks/{name}" in config
