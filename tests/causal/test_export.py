"""Exports: node-link JSON round trips; GraphML and DOT read back with flat attributes."""

import re

import networkx as nx
import orjson
import pytest
from causal_world import at, barrage, link, new_log, rec, said, strike, talks

import timeline as tl
from timeline.causal import (
    causal_graph,
    from_node_link,
    read_json,
    to_dot,
    to_node_link,
    write_dot,
    write_graphml,
    write_json,
)
from timeline.causal.export import flat_networkx


@pytest.fixture
def graph():
    log = new_log()
    hit = strike(
        hours=1,
        time_precision="day",
        targets=["bombers", "airfields"],
        sources=[tl.Source(name="Kyiv Independent", reliability="B", credibility=2)],
    )
    night = barrage(
        hours=-5,
        occurred_until=at(9),
        time_precision="minute",
        launched=472,
        destroyed=None,
        summary='472 drones, "the most"',
    )
    round_ = talks(hours=30, venue="Ciragan Palace")
    agreed = tl.PrisonerExchangeAgreed(
        occurred_at=at(31), released={"Ukraine": 1000, "Russia": 1000}, talks=round_.event_id
    )
    log.append([hit, night, round_, agreed], stream="s")
    log.append(
        [
            link(
                hit,
                night,
                "retaliation",
                0.7,
                evidence="In retaliation, Russian forces unleashed 472 drones\nper the article",
            ),
            link(hit, night, "response", 0.9, asserted_by="second analyst"),
            link(night, round_, "held-despite", 0.5),
            link(round_, agreed, "outcome", 1.0, rule="exchange-agreed-at-talks", score=0.95),
        ],
        stream="links",
    )
    return causal_graph(log, known_at=rec(5), as_of=at(100))


def test_node_link_round_trip_is_the_identity(graph):
    data = to_node_link(graph)
    assert data["directed"] is True
    assert data["graph"]["known_at"] == "2025-06-10T00:05:00.000000+00:00"
    assert from_node_link(data) == graph
    assert from_node_link(orjson.loads(orjson.dumps(data))) == graph
    assert to_node_link(from_node_link(data)) == data


def test_node_link_files_round_trip(graph, tmp_path):
    path = write_json(graph, tmp_path / "g.json")
    assert read_json(path) == graph
    assert nx.node_link_graph(orjson.loads(path.read_bytes()), edges="edges").number_of_edges() == 3


def test_a_document_of_another_shape_is_refused(tmp_path):
    with pytest.raises(tl.InvalidArgument):
        from_node_link({"graph": {"format": "something else"}, "nodes": [], "edges": []})
    with pytest.raises(tl.InvalidArgument):
        from_node_link({"nodes": []})
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(tl.DecodeError):
        read_json(tmp_path / "bad.json")


def test_graphml_reads_back_with_scalar_attributes(graph, tmp_path):
    path = write_graphml(graph, tmp_path / "g.graphml")
    back = nx.read_graphml(path)
    assert set(back.nodes) == {str(e.event_id) for e in graph.events()}
    hit = next(e for e in graph.events() if isinstance(e, tl.Strike))
    node = back.nodes[str(hit.event_id)]
    assert node["type"] == "military.strike"
    assert node["time_precision"] == "day"
    assert orjson.loads(node["targets"]) == ["bombers", "airfields"]
    assert orjson.loads(node["sources"])[0]["reliability"] == "B"
    assert node["label"] == hit.headline()
    barrage_node = next(
        a for n, a in back.nodes(data=True) if a["type"] == "military.drone_barrage"
    )
    assert barrage_node["launched"] == 472
    assert "destroyed" not in barrage_node  # unknown is left out, not zero
    edge = back.edges[
        str(hit.event_id),
        next(str(e.event_id) for e in graph.events() if isinstance(e, tl.DroneBarrage)),
    ]
    assert edge["relation"] == "retaliation; response"
    assert edge["confidence"] == 0.9
    assert edge["claims"] == 2
    assert edge["asserted_by"] == "analyst; second analyst"
    for _, attributes in [*back.nodes(data=True), *((None, a) for *_, a in back.edges(data=True))]:
        assert all(isinstance(v, (str, int, float, bool)) for v in attributes.values())


def test_flattening_keeps_one_kind_of_value_per_attribute():
    a = said(hours=1, summary="plain")
    b = tl.Statement(occurred_at=at(2), speaker="B", text="y", party="Russia")
    flat = flat_networkx(tl.causal.CausalGraph.from_events([a, b, link(a, b)]))
    assert {type(v) for _, v in flat.nodes(data="version")} == {int}
    assert flat.nodes[str(b.event_id)]["party"] == "Russia"


# -- DOT, read back with a small reader (pydot and Graphviz are not installed here) --------------

_ID = r'"(?:[^"\\]|\\.)*"|[-\w.]+'
_STATEMENT = re.compile(
    rf"^\s*(?P<a>{_ID})(?:\s*->\s*(?P<b>{_ID}))?\s*(?:\[(?P<attrs>.*)\])?\s*;\s*$"
)
_PAIR = re.compile(rf"(?P<key>[\w.]+)=(?P<value>{_ID})\s*(?:,\s*|$)")


def _unquote(token):
    if token.startswith('"'):
        return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), token[1:-1])
    return float(token) if "." in token else int(token)


def read_dot(text):
    """A reader for the DOT we write: one statement a line, quoted ids, key=value lists."""
    lines = text.strip().splitlines()
    assert lines[0] == "digraph causal {"
    assert lines[-1] == "}"
    graph = nx.DiGraph()
    for line in lines[1:-1]:
        found = _STATEMENT.match(line)
        assert found, line
        attrs_text = found["attrs"] or ""
        pairs = list(_PAIR.finditer(attrs_text))
        assert "".join(p.group(0) for p in pairs).strip().rstrip(",") == attrs_text.strip(), line
        attrs = {p["key"]: _unquote(p["value"]) for p in pairs}
        if found["a"] in ("graph", "node"):
            continue
        a = _unquote(found["a"])
        if found["b"]:
            graph.add_edge(a, _unquote(found["b"]), **attrs)
        else:
            graph.add_node(a, **attrs)
    return graph


def test_dot_parses_back_to_the_flat_graph(graph, tmp_path):
    text = write_dot(graph, tmp_path / "g.dot").read_text(encoding="utf-8")
    assert text == to_dot(graph)
    back = read_dot(text)
    flat = flat_networkx(graph)
    assert dict(back.nodes(data=True)) == dict(flat.nodes(data=True))
    assert {(u, v): a for u, v, a in back.edges(data=True)} == {
        (u, v): a for u, v, a in flat.edges(data=True)
    }
    evidence = [a["evidence"] for *_, a in back.edges(data=True) if "evidence" in a]
    assert evidence == ["In retaliation, Russian forces unleashed 472 drones\nper the article"]
    assert any(a.get("label") == '472 drones, "the most"' for _, a in back.nodes(data=True))
    assert 'graph [rankdir="LR", as_of="2025-06-05T04:00:00.000000+00:00"' in text
