"""The backend written on the docs' page (docs/howto/backend.md) against the conformance suite.

The class is taken from the page itself: its examples are run, in order, up to the one that
defines ``DbmLog``, so the code a reader copies is the code that passes.
"""

import doctest
import itertools
import re
from pathlib import Path

import pytest

from timeline.testing import LogBackendContract

PAGE = Path(__file__).resolve().parents[2] / "docs" / "howto" / "backend.md"


def backend_from_the_page():
    """``DbmLog`` as the page defines it (its examples run up to the class's definition)."""
    namespace = {}
    for example in doctest.DocTestParser().get_examples(PAGE.read_text(encoding="utf-8")):
        exec(compile(example.source, str(PAGE), "single"), namespace)  # noqa: S102  # our own page
        if "DbmLog" in namespace:
            return namespace["DbmLog"]
    pytest.fail(f"{PAGE} defines no DbmLog")
    return None


DbmLog = backend_from_the_page()


class TestDbmLogFromTheDocs(LogBackendContract):
    @pytest.fixture
    def make_log(self, tmp_path):
        paths = (tmp_path / f"log{i}" for i in itertools.count())
        return lambda clock=None: DbmLog(next(paths), clock=clock)


def test_the_page_uses_public_names_only():
    source = "".join(
        example.source
        for example in doctest.DocTestParser().get_examples(PAGE.read_text(encoding="utf-8"))
    )
    imported = [line for line in source.splitlines() if line.startswith(("from ", "import "))]
    assert imported
    assert not [line for line in imported if "._" in line or "import _" in line]
    own = set(re.findall(r"def (_[a-z]\w*)\(", source))  # the page's own helpers
    used = set(re.findall(r"\.(_[a-z]\w*)", source))  # private names, not dunders
    assert used <= own, f"the page reaches into timeline's private names: {used - own}"
