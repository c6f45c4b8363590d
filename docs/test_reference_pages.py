"""The API reference keeps up with the code: a page per public module, every public name listed."""

# ruff: noqa: S101  # assert is how pytest checks

import re
from pathlib import Path

import timeline

REFERENCE = Path(__file__).resolve().parent / "reference"

#: The public modules, each with a page of its own.
MODULES = (
    "timeline",
    "timeline.events",
    "timeline.time",
    "timeline.codec",
    "timeline.log",
    "timeline.store",
    "timeline.projections",
    "timeline.causal",
    "timeline.io",
    "timeline.plot",
    "timeline.testing",
    "timeline.errors",
    "timeline.redaction",
)


def test_every_public_module_has_a_page() -> None:
    """Each public module is rendered (``::: module``) on some reference page."""
    documented = {
        name
        for page in REFERENCE.glob("*.md")
        for name in re.findall(
            r"^::: (timeline[\w.]*)$", page.read_text(encoding="utf-8"), re.MULTILINE
        )
    }
    assert set(MODULES) <= documented


def test_the_package_page_lists_exactly_the_public_names() -> None:
    """The table of ``timeline``'s names on its page is ``timeline.__all__``, no more, no less."""
    page = (REFERENCE / "timeline.md").read_text(encoding="utf-8")
    table = page.split("## The public names", 1)[1]
    listed = {
        name
        for row in table.splitlines()
        if row.startswith("| `")
        for name in re.findall(r"`(\w+)`", row.split(" | ")[0])
    }
    assert listed == set(timeline.__all__)


def test_attrs_classes_get_the_init_attrs_generates() -> None:
    """The griffe extension gives the reference the signatures attrs writes, fields in order."""
    import griffe  # noqa: PLC0415  # the docs extra: only this test needs it

    extensions = griffe.load_extensions(str(Path(__file__).parent / "_griffe" / "attrs_init.py"))
    src = Path(__file__).resolve().parents[1] / "src"
    package = griffe.load("timeline", search_paths=[src], extensions=extensions)

    def signature(path: str) -> list[tuple[str, str, str | None]]:
        init = package[path].members["__init__"]
        return [
            (p.name, p.kind.value, None if p.default is None else str(p.default))
            for p in init.parameters
        ][1:]

    barrage = signature("events.military.DroneBarrage")
    assert barrage[:3] == [
        ("event_id", "keyword-only", "new_event_id()"),
        ("zone", "keyword-only", "None"),
        ("occurred_at", "keyword-only", None),
    ]
    assert ("launched", "keyword-only", "None") in barrage
    assert [name for name, _, _ in barrage][-1] == "carrier"  # the subclass's fields come last
    assert signature("time.FixedClock") == [
        ("at", "positional or keyword", None),
        ("tick", "positional or keyword", "None"),
    ]
