"""Exports of a causal graph: node-link JSON (lossless), GraphML and DOT (flattened).

Node-link JSON keeps everything: each node holds its event and each edge its claims, both in
the codec's canonical form, so :func:`from_node_link` rebuilds an equal graph (same events,
same claims, same ``as_of`` and ``known_at``). Its shape is networkx's node-link format
(``directed``, ``graph``, ``nodes`` with ``id``, ``edges`` with ``source`` and ``target``), so
:func:`networkx.node_link_graph` reads it too (with the events as plain mappings).

GraphML and DOT are for other tools (Gephi, yEd, Graphviz): every attribute is a scalar.
Nested values (actors, sources, counts per party) become JSON text, and an attribute that
holds different kinds of value on different nodes becomes text throughout, so
:func:`networkx.read_graphml` reads the file back with the same values on every node. Nodes
carry the event's fields, ``label`` (its headline) and ``type``; edges carry ``label``,
``relation`` (several claims' relations joined by ``"; "``), ``confidence`` (the most
confident claim's), ``claims`` (how many), ``asserted_by``, ``evidence``, ``rule``, ``score``
and ``link_ids`` (joined the same way). Missing values are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import networkx as nx  # type: ignore[import-untyped]  # networkx has no inline types; its stubs (types-networkx) are not a dependency
import orjson

from timeline.causal.graph import CausalGraph
from timeline.codec import Codec
from timeline.errors import DecodeError, InvalidArgument
from timeline.events import CausalLink, Event
from timeline.time import instant, isoformat

__all__ = [
    "FORMAT",
    "flat_networkx",
    "from_node_link",
    "read_json",
    "to_dot",
    "to_node_link",
    "write_dot",
    "write_graphml",
    "write_json",
]

#: The ``format`` recorded in a node-link document's graph attributes.
FORMAT: Final = "timeline.causal_graph/1"

Scalar = str | int | float | bool


def _iso(value: Any) -> str | None:
    return None if value is None else isoformat(value)


def to_node_link(graph: CausalGraph, *, codec: Codec | None = None) -> dict[str, Any]:
    """The graph as a node-link document (JSON-ready), losing nothing.

    Args:
        graph: the graph.
        codec: the codec that knows the events' types (default: every declared type).
    """
    codec = codec if codec is not None else Codec()
    return {
        "directed": True,
        "multigraph": False,
        "graph": {
            "format": FORMAT,
            "as_of": _iso(graph.as_of),
            "known_at": _iso(graph.known_at),
        },
        "nodes": [{"id": str(e.event_id), "event": codec.to_dict(e)} for e in graph.events()],
        "edges": [
            {
                "source": str(edge.cause.event_id),
                "target": str(edge.effect.event_id),
                "claims": [codec.to_dict(c) for c in edge.claims],
            }
            for edge in graph.edges()
        ],
    }


def from_node_link(
    data: Mapping[str, Any], *, codec: Codec | None = None, check: bool = True
) -> CausalGraph:
    """Rebuild a graph from :func:`to_node_link`'s document.

    Args:
        data: the document.
        codec: the codec that knows the events' types.
        check: check the links' time order and acyclicity (see
            :meth:`~timeline.causal.CausalGraph.from_events`).

    Raises:
        InvalidArgument: a document of another shape.
        DecodeError: an event that cannot be read.
        CausalityError: with ``check``, a link back in time or a cycle.
    """
    codec = codec if codec is not None else Codec()
    try:
        meta = data["graph"]
        if meta.get("format") != FORMAT:
            raise InvalidArgument(
                f"not a timeline causal graph document: format {meta.get('format')!r}",
                argument="data",
                value=meta.get("format"),
            )
        events: list[Event] = [codec.from_dict(node["event"]) for node in data["nodes"]]
        events.extend(codec.from_dict(claim) for edge in data["edges"] for claim in edge["claims"])
        as_of, known_at = meta.get("as_of"), meta.get("known_at")
    except (KeyError, TypeError, AttributeError) as e:
        raise InvalidArgument(
            f"not a node-link document of a causal graph: {e!r}", argument="data", value=type(data)
        ) from e
    return CausalGraph.from_events(
        events,
        as_of=None if as_of is None else instant(as_of, field="as_of"),
        known_at=None if known_at is None else instant(known_at, field="known_at"),
        check=check,
    )


def write_json(graph: CausalGraph, path: str | Path, *, codec: Codec | None = None) -> Path:
    """Write :func:`to_node_link`'s document to a file. Returns the path."""
    target = Path(path)
    target.write_bytes(orjson.dumps(to_node_link(graph, codec=codec), option=orjson.OPT_INDENT_2))
    return target


def read_json(path: str | Path, *, codec: Codec | None = None, check: bool = True) -> CausalGraph:
    """Read a graph written by :func:`write_json`.

    Raises:
        DecodeError: a file that is not JSON.
    """
    try:
        data = orjson.loads(Path(path).read_bytes())
    except orjson.JSONDecodeError as e:
        raise DecodeError(f"{path} is not JSON: {e}", reason=str(e)) from e
    return from_node_link(data, codec=codec, check=check)


# -- flattened ------------------------------------------------------------------------------


def _scalar(value: Any) -> Scalar | None:
    if isinstance(value, str):
        return str(value)  # plain text, also for the codec's enums (StrEnum)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (list, tuple)) and not value:
        return None
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _joined(values: Iterable[Any]) -> str | None:
    kept = [str(v) for v in dict.fromkeys(values) if v is not None]
    return "; ".join(kept) if kept else None


def _node_attributes(event: Event, codec: Codec) -> dict[str, Scalar]:
    data = codec.to_dict(event)
    data.pop("event_id", None)
    attributes = {key: _scalar(value) for key, value in data.items()}
    attributes["label"] = event.headline()
    return {key: value for key, value in attributes.items() if value is not None}


def _edge_attributes(claims: tuple[CausalLink, ...]) -> dict[str, Scalar]:
    best = max(claims, key=lambda c: c.confidence)
    attributes: dict[str, Scalar | None] = {
        "label": f"{_joined(c.relation for c in claims)} ({best.confidence:g})",
        "relation": _joined(c.relation for c in claims),
        "confidence": best.confidence,
        "claims": len(claims),
        "asserted_by": _joined(c.asserted_by for c in claims),
        "evidence": _joined(c.evidence for c in claims),
        "rule": _joined(c.rule for c in claims),
        "score": _joined(c.score for c in claims),
        "link_ids": _joined(c.event_id for c in claims),
    }
    return {key: value for key, value in attributes.items() if value is not None}


def _uniform(items: Iterable[dict[str, Scalar]]) -> None:
    """Make each attribute hold one kind of value everywhere (text where kinds differ)."""
    items = list(items)
    kinds: dict[str, set[type]] = {}
    for attributes in items:
        for key, value in attributes.items():
            kinds.setdefault(key, set()).add(type(value))
    mixed = {key for key, seen in kinds.items() if len(seen) > 1}
    for attributes in items:
        for key in mixed & attributes.keys():
            value = attributes[key]
            attributes[key] = orjson.dumps(value).decode() if not isinstance(value, str) else value


def flat_networkx(graph: CausalGraph, *, codec: Codec | None = None) -> nx.DiGraph:
    """A copy whose nodes are event ids as text and whose attributes are all scalars."""
    codec = codec if codec is not None else Codec()
    flat = nx.DiGraph()
    for name, value in (("as_of", graph.as_of), ("known_at", graph.known_at)):
        if value is not None:
            flat.graph[name] = isoformat(value)
    nodes = [(str(e.event_id), _node_attributes(e, codec)) for e in graph.events()]
    edges = [
        (str(edge.cause.event_id), str(edge.effect.event_id), _edge_attributes(edge.claims))
        for edge in graph.edges()
    ]
    _uniform(attributes for _, attributes in nodes)
    _uniform(attributes for _, _, attributes in edges)
    flat.add_nodes_from(nodes)
    flat.add_edges_from(edges)
    return flat


def write_graphml(graph: CausalGraph, path: str | Path, *, codec: Codec | None = None) -> Path:
    """Write the graph as GraphML (flattened: see the module's notes). Returns the path."""
    target = Path(path)
    nx.write_graphml(flat_networkx(graph, codec=codec), target)
    return target


_BARE: Final = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")


def _dot_value(value: Scalar) -> str:
    if isinstance(value, bool):
        return '"true"' if value else '"false"'
    if isinstance(value, (int, float)) and _BARE.fullmatch(repr(value)):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def _dot_attributes(attributes: Mapping[str, Scalar]) -> str:
    if not attributes:
        return ""
    return " [" + ", ".join(f"{key}={_dot_value(v)}" for key, v in attributes.items()) + "]"


def to_dot(graph: CausalGraph, *, codec: Codec | None = None) -> str:
    r"""The graph in Graphviz's DOT language (flattened: see the module's notes).

    Every identifier and text value is double-quoted (quotes and backslashes escaped,
    newlines as ``\\n``); numbers are bare.
    """
    flat = flat_networkx(graph, codec=codec)
    lines = ["digraph causal {", "  graph" + _dot_attributes({"rankdir": "LR", **flat.graph}) + ";"]
    lines.append('  node [shape="box"];')
    lines.extend(f"  {_dot_value(n)}{_dot_attributes(a)};" for n, a in flat.nodes(data=True))
    lines.extend(
        f"  {_dot_value(u)} -> {_dot_value(v)}{_dot_attributes(a)};"
        for u, v, a in flat.edges(data=True)
    )
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_dot(graph: CausalGraph, path: str | Path, *, codec: Codec | None = None) -> Path:
    """Write :func:`to_dot`'s text to a file. Returns the path."""
    target = Path(path)
    target.write_text(to_dot(graph, codec=codec), encoding="utf-8")
    return target
