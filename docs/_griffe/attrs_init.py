"""A griffe extension: give attrs classes the ``__init__`` attrs generates, for the API reference.

griffe reads the source without running it, so it does not see the ``__init__`` that
``@attrs.frozen`` or ``@attrs.define`` writes: the reference would show no signature, and
could not check a class docstring's ``Args:`` against the real parameters. This builds that
``__init__`` from the annotated fields, as attrs does: the fields of attrs base classes
first, ``attrs.field(init=False)`` and ``ClassVar`` left out, a leading underscore dropped
(or the ``alias=`` given), ``default=``/``factory=`` shown as defaults, and keyword-only
where the class or the field says ``kw_only=True``.
"""

# ruff: noqa: INP001  # loaded by mkdocstrings from its path (mkdocs.yml), not imported as a package

from __future__ import annotations

from typing import Any

from griffe import (
    Attribute,
    Class,
    Decorator,
    Expr,
    ExprCall,
    Extension,
    Function,
    Module,
    Parameter,
    ParameterKind,
    Parameters,
)

#: The decorators that make a class an attrs class.
ATTRS_DECORATORS = frozenset(
    {
        "attrs.define",
        "attrs.frozen",
        "attrs.mutable",
        "attr.s",
        "attr.attrs",
        "attr.define",
        "attr.frozen",
        "attr.mutable",
    }
)
FIELD_FUNCTIONS = frozenset({"attrs.field", "attr.ib", "attr.attrib", "attr.field"})
#: The catalog's shared field definitions (``timeline.events.fields``), each an
#: ``attrs.field`` with the default shown here.
FIELD_HELPERS = {
    "timeline.events.fields.text_or_none": "None",
    "timeline.events.fields.count_or_none": "None",
    "timeline.events.fields.ref_or_none": "None",
}


def _keywords(call: ExprCall) -> dict[str, str | Expr]:
    """The keyword arguments of a call, by name (positional ones are left out)."""
    out: dict[str, str | Expr] = {}
    for argument in call.arguments:
        name = getattr(argument, "name", None)
        if name is not None:
            out[name] = argument.value  # type: ignore[union-attr]  # an ExprKeyword
    return out


def attrs_decorator(decorators: list[Decorator]) -> Expr | None:
    """The attrs decorator among ``decorators``, if any."""
    for decorator in decorators:
        value = decorator.value
        if isinstance(value, Expr) and value.canonical_path in ATTRS_DECORATORS:
            return value
    return None


def _field_call(attribute: Attribute) -> ExprCall | None:
    value = attribute.value
    if isinstance(value, ExprCall) and value.canonical_path in FIELD_FUNCTIONS:
        return value
    return None


def own_parameters(cls: Class) -> list[Parameter]:
    """The ``__init__`` parameters an attrs class's own fields give, in source order."""
    decorator = attrs_decorator(cls.decorators)
    class_kw_only = (
        isinstance(decorator, ExprCall) and str(_keywords(decorator).get("kw_only")) == "True"
    )
    parameters = []
    for member in cls.members.values():
        if not isinstance(member, Attribute) or member.annotation is None:
            continue
        if "property" in member.labels or (
            "class-attribute" in member.labels and "instance-attribute" not in member.labels
        ):
            continue  # a ClassVar (griffe unwraps the annotation, the labels remain)
        call = _field_call(member)
        options = _keywords(call) if call is not None else {}
        value = member.value
        if isinstance(value, ExprCall) and value.canonical_path in FIELD_HELPERS:
            call, options = value, {"default": FIELD_HELPERS[value.canonical_path]}
        if str(options.get("init")) == "False":
            continue
        if "default" in options:
            default: str | Expr | None = options["default"]
        elif "factory" in options:
            default = ExprCall(function=options["factory"], arguments=[])  # type: ignore[arg-type]  # an Expr naming the factory
        else:
            default = None if call is not None else member.value
        kw_only = class_kw_only or str(options.get("kw_only")) == "True"
        alias = options.get("alias")
        name = str(alias).strip("'\"") if alias is not None else member.name.lstrip("_")
        parameters.append(
            Parameter(
                name,
                annotation=member.annotation,
                kind=ParameterKind.keyword_only if kw_only else ParameterKind.positional_or_keyword,
                default=default,
                docstring=member.docstring,
            )
        )
    return parameters


def set_attrs_init(cls: Class) -> None:
    """Give an attrs class without an ``__init__`` of its own the one attrs generates."""
    if "__init__" in cls.members or attrs_decorator(cls.decorators) is None:
        return
    try:
        mro = cls.mro()
    except ValueError:
        mro = []
    by_name: dict[str, Parameter] = {}
    for parent in [*reversed(mro), cls]:
        if isinstance(parent, Class) and attrs_decorator(parent.decorators) is not None:
            for parameter in own_parameters(parent):
                by_name.pop(parameter.name, None)  # a redefined field moves to the end
                by_name[parameter.name] = parameter
    ordered = [p for p in by_name.values() if p.kind is not ParameterKind.keyword_only]
    ordered += [p for p in by_name.values() if p.kind is ParameterKind.keyword_only]
    self_ = Parameter("self", kind=ParameterKind.positional_or_keyword)
    init = Function("__init__", lineno=0, endlineno=0, parent=cls)
    init.parameters = Parameters(self_, *ordered)
    init.returns = "None"
    cls.set_member("__init__", init)


def _visit(obj: Module | Class, seen: set[str]) -> None:
    if obj.path in seen:
        return
    seen.add(obj.path)
    if isinstance(obj, Class):
        set_attrs_init(obj)
    for member in obj.members.values():
        if not member.is_alias and (member.is_module or member.is_class):
            _visit(member, seen)  # type: ignore[arg-type]  # a module or a class, just checked


class AttrsInit(Extension):
    """Build the ``__init__`` of every attrs class in the loaded packages."""

    def on_package(self, *, pkg: Module, **kwargs: Any) -> None:  # noqa: ARG002  # griffe's hook signature
        """Visit the package once it is loaded."""
        _visit(pkg, set())
