"""A causal graph's columns, built from events: a plain reference and a bulk engine.

A :class:`~timeline.causal.CausalGraph` holds its events and edges as :class:`Columns`:
parallel lists of node numbers and claims, rather than an object per edge. Two functions build
them with the same result, held to each other by a property test
(``tests/causal/test_bulk.py``) on random inputs:

:func:`build_plainly`, the reference
    one event at a time: a link is kept aside, any other event becomes the next node (up to
    ``as_of``); then each link whose two ends are nodes adds its claim to the edge between
    them (an edge per pair, in the order of its first link; its claims in the links' order).
    Read it to know what a graph holds.
:func:`build`, the engine that :meth:`~timeline.causal.CausalGraph.from_events` runs
    the same in chains of ``map``, ``zip`` and ``compress`` that the interpreter runs in C,
    not a Python loop per event or link: only the links that repeat a pair (a second
    analyst's claim) are grouped one by one. On a bad input (an unresolved correction, an id
    given twice) it hands over to the reference, which reports the first problem.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable
from typing import Final

import attrs
import networkx as nx  # type: ignore[import-untyped]  # networkx has no inline types; its stubs (types-networkx) are not a dependency
from pendulum import DateTime

from timeline.causal.timing import bounds, time_conflict
from timeline.errors import CausalityError, DuplicateEvent, InvalidEvent
from timeline.events import CausalLink, CausalLinkRetracted, Correction, Event, Retraction

__all__ = ["Columns", "build", "build_plainly", "check_links", "strongest"]


@attrs.frozen
class Columns:
    """A graph's events and edges as parallel lists (edge ``i`` joins ``causes[i]`` to ``effects[i]``).

    Attributes:
        events: node ``n`` is ``events[n]``, in the order given.
        index: each node's number by its event id (as an int).
        causes: each edge's cause (a node number).
        effects: each edge's effect (a node number).
        strongest: each edge's most confident claim (the first of equals): what a path
            through the edge counts.
        several: the claims of each edge that has more than one, in the links' order, by
            edge number (an edge with one claim holds just ``strongest[i]``).
    """

    events: list[Event]
    index: dict[int, int]
    causes: list[int]
    effects: list[int]
    strongest: list[CausalLink]
    several: dict[int, tuple[CausalLink, ...]]

    def claims(self, edge: int) -> tuple[CausalLink, ...]:
        """Edge ``edge``'s claims, in the order they were given."""
        found = self.several.get(edge)
        return (self.strongest[edge],) if found is None else found


def strongest(claims: Iterable[CausalLink]) -> CausalLink:
    """The most confident claim (the first of equals)."""
    return max(claims, key=_CONFIDENCE)


_CONFIDENCE: Final = operator.attrgetter("confidence")
_UNRESOLVED: Final = (Correction, Retraction, CausalLinkRetracted)


# -- the reference -------------------------------------------------------------------------------


def build_plainly(events: Iterable[Event], *, as_of: DateTime | None) -> Columns:
    """The graph's columns, one event and one link at a time.

    Raises:
        InvalidEvent: an unresolved event (a correction or retraction).
        DuplicateEvent: the same event id twice among the nodes.
    """
    nodes: list[Event] = []
    index: dict[int, int] = {}
    links: list[CausalLink] = []
    for event in events:
        if isinstance(event, _UNRESOLVED):
            raise InvalidEvent(
                f"a causal graph is built from resolved events, got a {type(event).__name__} "
                f"({event.event_id}); use causal_graph(log) or replay_events(log)",
                field="events",
                value=event,
                event_id=event.event_id,
            )
        if isinstance(event, CausalLink):
            links.append(event)
        elif as_of is None or not event.occurred_at > as_of:
            if event.event_id.int in index:
                raise DuplicateEvent(
                    f"event {event.event_id} is given twice", event_id=event.event_id
                )
            index[event.event_id.int] = len(nodes)
            nodes.append(event)
    edges: dict[tuple[int, int], list[CausalLink]] = {}
    for link in links:
        cause, effect = index.get(link.cause.int), index.get(link.effect.int)
        if cause is not None and effect is not None:
            edges.setdefault((cause, effect), []).append(link)
    return Columns(
        events=nodes,
        index=index,
        causes=[cause for cause, _ in edges],
        effects=[effect for _, effect in edges],
        strongest=[strongest(claims) for claims in edges.values()],
        several={i: tuple(claims) for i, claims in enumerate(edges.values()) if len(claims) > 1},
    )


# -- the engine ----------------------------------------------------------------------------------

_ID: Final = operator.attrgetter("event_id.int")
_CAUSE: Final = operator.attrgetter("cause.int")
_EFFECT: Final = operator.attrgetter("effect.int")


def build(events: Iterable[Event], *, as_of: DateTime | None) -> Columns:
    """:func:`build_plainly`'s columns, built in bulk."""
    given = events if isinstance(events, list | tuple) else list(events)
    kinds = list(map(type, given))
    distinct = set(kinds)
    if any(issubclass(kind, _UNRESOLVED) for kind in distinct):
        return build_plainly(given, as_of=as_of)  # raises for the first
    link_kinds = {kind for kind in distinct if issubclass(kind, CausalLink)}
    links: list[CausalLink]
    if link_kinds:
        is_link = list(map(link_kinds.__contains__, kinds))
        links = list(itertools.compress(given, is_link))  # type: ignore[arg-type]  # their kinds say they are links
        nodes = list(itertools.compress(given, map(operator.not_, is_link)))
    else:
        links, nodes = [], list(given)
    del kinds
    if as_of is not None:
        nodes = [event for event in nodes if not event.occurred_at > as_of]
    index = dict(zip(map(_ID, nodes), range(len(nodes)), strict=True))
    if len(index) != len(nodes):
        return build_plainly(given, as_of=as_of)  # raises for the first id given twice
    causes, effects, strongest, several = _edges(links, index)
    return Columns(nodes, index, causes, effects, strongest, several)


def _edges(
    links: list[CausalLink], index: dict[int, int]
) -> tuple[list[int], list[int], list[CausalLink], dict[int, tuple[CausalLink, ...]]]:
    """The edges the links make between the nodes: :class:`Columns`' last four columns.

    A pair of nodes is keyed ``cause × len(index) + effect``; a dict of the keys gives each
    pair's first link in one pass. A link whose cause or effect is not a node is left out.
    """
    count = len(index)
    try:
        causes = list(map(index.__getitem__, map(_CAUSE, links)))
        effects = list(map(index.__getitem__, map(_EFFECT, links)))
    except KeyError:  # some end is not in this view (after as_of, retracted): leave those out
        known = index.__contains__
        links = list(
            itertools.compress(
                links,
                map(operator.and_, map(known, map(_CAUSE, links)), map(known, map(_EFFECT, links))),
            )
        )
        causes = list(map(index.__getitem__, map(_CAUSE, links)))
        effects = list(map(index.__getitem__, map(_EFFECT, links)))
    keys = list(map(operator.add, map(operator.mul, causes, itertools.repeat(count)), effects))
    del causes, effects
    positions = range(len(keys))
    first: dict[int, int] = {}  # pair -> the position of its first link
    firsts = list(map(first.setdefault, keys, positions))  # each link's pair's first position
    pairs = list(first)
    best = list(map(links.__getitem__, first.values()))  # each pair's first link, for now
    several: dict[int, tuple[CausalLink, ...]] = {}
    if len(pairs) < len(keys):  # some pairs have several claims: gather those one by one
        fresh = list(map(operator.eq, firsts, positions))  # a link that is its pair's first
        rank = list(itertools.accumulate(fresh))  # how many pairs begin up to each position
        grouped: dict[int, list[CausalLink]] = {}
        for i in itertools.compress(positions, map(operator.not_, fresh)):
            at = firsts[i]
            found = grouped.get(at)
            if found is None:
                grouped[at] = [links[at], links[i]]
            else:
                found.append(links[i])
        for at, claims in grouped.items():
            edge = rank[at] - 1
            several[edge] = tuple(claims)
            best[edge] = strongest(claims)
    return (
        list(map(operator.floordiv, pairs, itertools.repeat(count))),
        list(map(operator.mod, pairs, itertools.repeat(count))),
        best,
        several,
    )


# -- the check -----------------------------------------------------------------------------------


def check_links(columns: Columns, graph: nx.DiGraph) -> None:
    """Every edge goes forward in time, and the edges close no cycle.

    ``graph`` holds the columns' nodes and edges. Cheap when every edge also goes forward in
    the order (start, node number): that order is total, so no cycle is possible; otherwise
    the nodes are sorted topologically to look for one.

    Raises:
        CausalityError: a link whose cause comes after its effect, or a cycle.
    """
    events = columns.events
    spans = list(map(bounds, events))
    ordered = True
    for edge, (u, v) in enumerate(zip(columns.causes, columns.effects, strict=True)):
        start, (v_start, v_latest) = spans[u][0], spans[v]
        if start > v_latest:
            reason = time_conflict(events[u], events[v]) or ""
            raise CausalityError(
                f"link {columns.claims(edge)[0].event_id} refused: {reason}",
                cause=events[u].event_id,
                effect=events[v].event_id,
                reason=reason,
            )
        if start > v_start or (start == v_start and u > v):
            ordered = False
    if not ordered:
        _check_acyclic(events, graph)


def _check_acyclic(events: list[Event], graph: nx.DiGraph) -> None:
    succ = graph.succ
    waiting = [0] * len(events)
    for _, v in graph.edges():
        waiting[v] += 1
    ready = [n for n, w in enumerate(waiting) if not w]
    while ready:
        for v in succ[ready.pop()]:
            waiting[v] -= 1
            if not waiting[v]:
                ready.append(v)
    stuck = [n for n, w in enumerate(waiting) if w]
    if not stuck:
        return
    cycle = nx.find_cycle(graph.subgraph(stuck))
    first, second = cycle[0][:2]
    reason = "the links close a cycle: " + " → ".join(
        events[n].headline() for n in [*(edge[0] for edge in cycle), first]
    )
    raise CausalityError(
        reason, cause=events[first].event_id, effect=events[second].event_id, reason=reason
    )
