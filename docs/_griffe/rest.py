"""A griffe extension: the reStructuredText in timeline's docstrings, as Markdown.

The docstrings are Google style, but they name other objects the Sphinx way
(``:class:`~timeline.log.MemoryLog```, ``:func:`replay```) and a few lay out a table as a
reST simple table (``====  ====`` borders), which Markdown would show as literal text. This
rewrites

- each simple table as a Markdown table;
- each role as the object's name in code, linked to its entry in the reference when the
  reference has one (an *optional* cross-reference: a name outside the reference,
  ``pendulum.DateTime`` say, stays plain code instead of failing the strict build). A
  leading ``~`` shows only the last part of the name, as in Sphinx.
"""

# ruff: noqa: INP001  # loaded by mkdocstrings from its path (mkdocs.yml), not imported as a package

from __future__ import annotations

import html
import re
from typing import Any

from griffe import Extension, Object

BORDER = re.compile(r"^=+(?: +=+)+ *$")
ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|data|attr|exc|obj|const):`(~?)([^`<>]+)`")


def target(obj: Object, name: str) -> str:
    """The canonical path ``name`` stands for in ``obj``'s docstring (``name`` if unknown)."""
    path = name
    if "." not in name:
        try:
            path = obj.resolve(name)
        except Exception:  # noqa: BLE001  # griffe's NameResolutionError and friends: keep the name
            return name
    try:
        return str(obj.modules_collection[path].canonical_path)
    except Exception:  # noqa: BLE001  # not in the loaded packages (pendulum, the stdlib)
        return path


def _cells(line: str, starts: list[int]) -> list[str]:
    bounds = [*starts[1:], None]
    return [line[a:b].strip() for a, b in zip(starts, bounds, strict=True)]


def _markdown_table(header: list[list[str]], body: list[list[str]], width: int) -> list[str]:
    def row(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    top = header[0] if header else [""] * width
    return [row(top), "|" + "---|" * width, *(row(r) for r in body)]


def simple_tables(text: str) -> str:
    r"""Rewrite the reST simple tables in ``text`` as Markdown tables.

    >>> print(simple_tables("Formats:\n\n===  =====\nfmt  what\n===  =====\nA    one\n     more\nB    two\n===  =====\n"))
    Formats:
    <BLANKLINE>
    | fmt | what |
    |---|---|
    | A | one more |
    | B | two |
    <BLANKLINE>
    >>> print(simple_tables("===  =====\nA    one\n===  =====\n\nText."))
    |  |  |
    |---|---|
    | A | one |
    <BLANKLINE>
    Text.
    """
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not BORDER.match(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        starts = [m.start() for m in re.finditer(r"=+", lines[i])]
        segments: list[list[list[str]]] = [[]]
        i += 1
        while i < len(lines) and len(segments) < 3:  # noqa: PLR2004  # header, body: two segments at most
            if BORDER.match(lines[i]):
                following = lines[i + 1] if i + 1 < len(lines) else ""
                if not following.strip():  # the bottom border: no header row above it
                    i += 1
                    break
                segments.append([])
            elif lines[i].strip():
                cells = _cells(lines[i], starts)
                if not cells[0] and segments[-1] and segments[-1][-1]:
                    previous = segments[-1][-1]
                    for k, cell in enumerate(cells):
                        if cell:
                            previous[k] = f"{previous[k]} {cell}".strip()
                else:
                    segments[-1].append(cells)
            i += 1
        segments = [s for s in segments if s]
        header, body = (
            (segments[0], segments[1])
            if len(segments) > 1
            else ([], segments[0] if segments else [])
        )
        out.extend(_markdown_table(header, body, len(starts)))
    return "\n".join(out)


def link_roles(obj: Object, text: str) -> str:
    """Replace every Sphinx role in ``text`` by an optional cross-reference."""

    def replace(match: re.Match[str]) -> str:
        short, name = match.group(1), match.group(2).strip().removesuffix("()")
        shown = name.rsplit(".", 1)[-1] if short else name
        identifier = html.escape(target(obj, name), quote=True)
        return f'<autoref identifier="{identifier}" optional><code>{html.escape(shown)}</code></autoref>'

    return ROLE.sub(replace, text)


class RestMarkup(Extension):
    """Rewrite the simple tables and Sphinx roles of every docstring griffe loads."""

    def on_package(self, *, pkg: Object, **kwargs: Any) -> None:  # noqa: ARG002  # griffe's hook signature
        """Visit every object of the package once it is loaded (names resolve then)."""
        _visit(pkg, set())


def _visit(obj: Object, seen: set[str]) -> None:
    if obj.path in seen:
        return
    seen.add(obj.path)
    if obj.docstring is not None:
        text = obj.docstring.value
        if "==" in text:
            text = simple_tables(text)
        if ":`" in text:
            text = link_roles(obj, text)
        obj.docstring.value = text
    for member in obj.members.values():
        if not member.is_alias:
            _visit(member, seen)  # type: ignore[arg-type]  # a real object, just checked
