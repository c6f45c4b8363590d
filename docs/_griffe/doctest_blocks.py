"""A griffe extension: show the docstrings' doctest examples as code in the API reference.

timeline's docstrings end with ``>>>`` examples in their description (pytest runs them), not
under a Google ``Examples:`` section. Markdown would read ``>>>`` as nested quotes and a
``[1]`` in an output as a link. This wraps each run of example lines (from a ``>>>`` line to
the next blank line) that starts at the docstring's left margin in a ``pycon`` code fence.
"""

# ruff: noqa: INP001  # loaded by mkdocstrings from its path (mkdocs.yml), not imported as a package

from __future__ import annotations

from typing import Any

from griffe import Extension, Object

FENCE = "```"


def fence_examples(text: str) -> str:
    r"""Wrap each doctest example at the left margin of ``text`` in a ``pycon`` fence.

    >>> fence_examples("Counts.\n\n>>> 1 + 1\n2\n\nMore.").splitlines()
    ['Counts.', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'More.']
    """
    out: list[str] = []
    in_example = in_fence = False
    for line in text.splitlines():
        if line.startswith(FENCE):
            in_fence = not in_fence
        elif not in_fence and not in_example and line.startswith(">>>"):
            out.append(FENCE + "pycon")
            in_example = True
        elif in_example and not line.strip():
            out.append(FENCE)
            in_example = False
        out.append(line)
    if in_example:
        out.append(FENCE)
    return "\n".join(out)


class DoctestBlocks(Extension):
    """Fence the doctest examples of every docstring griffe loads."""

    def on_object(self, *, obj: Object, **kwargs: Any) -> None:  # noqa: ARG002  # griffe's hook signature
        """Rewrite ``obj``'s docstring, if it has examples outside a fence."""
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_examples(obj.docstring.value)
