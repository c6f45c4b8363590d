"""The documentation's examples run as doctests, from the repository's root.

Paths in the pages are relative to a checkout (``tests/data/...``) and to the shared data
sets read in place beside it (``../shared/data/...``, never copied into the repository). A
page that reads the shared data skips, saying so, where they are not there.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"

#: docs/notebooks links to examples/notebooks (for the site): they are tested there, once.
collect_ignore = ["notebooks"]

#: The pages whose examples read ``../shared/data``.
NEEDS_SHARED_DATA = frozenset({"import.md"})


@pytest.fixture(autouse=True)
def _from_the_repository_root(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run each page's examples from the root; skip those needing absent shared data."""
    monkeypatch.chdir(ROOT)
    if request.node.name in NEEDS_SHARED_DATA and not SHARED.is_dir():
        pytest.skip(f"the shared data sets are not at {SHARED} (they are read in place)")
