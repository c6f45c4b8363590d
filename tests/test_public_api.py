import importlib
import importlib.resources
import re
import types

import pytest

import timeline
import timeline.errors


def _isort_key(name: str):
    """The order ruff's RUF022 keeps ``__all__`` in: CONSTANTS, Classes, functions; then
    case-sensitive, with runs of digits compared as numbers."""
    group = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    natural = [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
    return group, natural


#: Subpackages that are public names of ``timeline`` themselves (``tl.io.import_file``).
PUBLIC_MODULES = {"io"}


def public_names(module):
    return [
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (not isinstance(value, types.ModuleType) or name in PUBLIC_MODULES)
    ]


def test_all_lists_exactly_the_public_names_in_order():
    assert timeline.__all__ == sorted(public_names(timeline), key=_isort_key)


def test_all_has_no_duplicates():
    assert len(timeline.__all__) == len(set(timeline.__all__))


@pytest.mark.parametrize("name", timeline.__all__)
def test_every_name_in_all_imports(name):
    namespace: dict[str, object] = {}
    exec(f"from timeline import {name}", namespace)  # noqa: S102  # the import statement is what is tested
    assert namespace[name] is getattr(timeline, name)


@pytest.mark.parametrize("name", timeline.errors.__all__)
def test_every_error_imports_from_timeline_and_timeline_errors(name):
    assert getattr(timeline, name) is getattr(importlib.import_module("timeline.errors"), name)
    assert name in timeline.__all__


@pytest.mark.parametrize(
    "name",
    [
        "open_log",
        "Correction",
        "Retraction",
        "CausalLink",
        "FixedClock",
        "instant",
        "local_date",
        "local_span",
        "event_type",
        "Event",
        "Recorded",
    ],
)
def test_the_names_the_design_fixes_are_public(name):
    assert name in timeline.__all__


def test_the_package_is_typed():
    assert importlib.resources.files("timeline").joinpath("py.typed").is_file()


@pytest.mark.parametrize(
    "module", ["timeline.codec", "timeline.events", "timeline.events.registry"]
)
def test_every_name_of_the_codec_and_events_modules_imports(module):
    found = importlib.import_module(module)
    for name in found.__all__:
        assert getattr(found, name) is not None, name


def test_the_registry_is_one_class_and_one_process_wide_object():
    import timeline.codec  # noqa: PLC0415  # the module under test
    import timeline.events.registry  # noqa: PLC0415

    assert timeline.Registry is timeline.codec.Registry is timeline.events.Registry
    assert timeline.event_type is timeline.events.registry.event_type
    assert isinstance(timeline.events.DECLARED, timeline.Registry)
    assert timeline.default_registry() is not timeline.events.DECLARED
