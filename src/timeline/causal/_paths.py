"""Paths through a causal graph's edges: the most confident ones, and alternating strikes.

The functions walk networkx's adjacency (``node -> {neighbour: {"edge": number}}``) of a
:class:`~timeline.causal.CausalGraph`, with each edge's most confident claim beside it
(``strongest[number]``): a path's confidence is the weakest of its steps' strongest claims.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence
from typing import Any

from timeline.events import CausalLink

__all__ = ["alternating", "levels", "widest"]

Adjacency = Any  # networkx's adjacency view: node -> {neighbour: edge data}


def _step(
    path: tuple[CausalLink, ...], link: CausalLink, *, forward: bool
) -> tuple[CausalLink, ...]:
    return (*path, link) if forward else (link, *path)


def levels(
    adjacency: Adjacency,
    strongest: Sequence[CausalLink],
    start: int,
    *,
    forward: bool,
    depth: int,
    floor: float,
) -> dict[int, tuple[float, tuple[CausalLink, ...]]]:
    """Best paths of at most ``depth`` links, level by level (each label keeps its path)."""
    best: dict[int, tuple[float, tuple[CausalLink, ...]]] = {}
    frontier: dict[int, tuple[float, tuple[CausalLink, ...]]] = {start: (1.0, ())}
    for _ in range(depth):
        reached: dict[int, tuple[float, tuple[CausalLink, ...]]] = {}
        for u, (confidence, path) in frontier.items():
            for v, data in adjacency[u].items():
                link = strongest[data["edge"]]
                weakest = min(confidence, link.confidence)
                if weakest < floor or v == start:
                    continue
                old = best.get(v)
                if old is None or weakest > old[0]:
                    best[v] = reached[v] = (weakest, _step(path, link, forward=forward))
        if not reached:
            break
        frontier = reached
    return best


def widest(
    adjacency: Adjacency,
    strongest: Sequence[CausalLink],
    start: int,
    *,
    forward: bool,
    floor: float,
    target: int | None = None,
) -> dict[int, tuple[float, tuple[CausalLink, ...]]]:
    """Most confident paths (shortest of equals), Dijkstra-style on (-confidence, hops)."""
    settled: dict[int, tuple[float, int, CausalLink | None]] = {}
    counter = itertools.count()
    heap: list[tuple[float, int, int, int, int, CausalLink | None]] = [
        (-1.0, 0, next(counter), start, -1, None)
    ]
    while heap:
        negative, hops, _, node, parent, link = heapq.heappop(heap)
        if node in settled:
            continue
        settled[node] = (-negative, parent, link)
        if node == target:
            break
        for v, data in adjacency[node].items():
            if v in settled:
                continue
            claim = strongest[data["edge"]]
            weakest = min(-negative, claim.confidence)
            if weakest >= floor:
                heapq.heappush(heap, (-weakest, hops + 1, next(counter), v, node, claim))
    found: dict[int, tuple[float, tuple[CausalLink, ...]]] = {}
    for node, (confidence, first_parent, first_link) in settled.items():
        if node == start:
            continue
        path: list[CausalLink] = []
        parent, link = first_parent, first_link
        while link is not None:
            path.append(link)
            _, parent, link = settled[parent]
        found[node] = (confidence, tuple(path) if not forward else tuple(reversed(path)))
    return found


def alternating(
    start: int,
    steps: dict[int, list[tuple[int, CausalLink]]],
    strikes: dict[int, str],
    paths: list[tuple[tuple[int, ...], tuple[CausalLink, ...]]],
) -> None:
    """Every maximal alternating path from ``start`` (depth-first, iteratively)."""
    stack: list[tuple[tuple[int, ...], tuple[CausalLink, ...]]] = [((start,), ())]
    while stack:
        nodes, links = stack.pop()
        last = nodes[-1]
        expected = strikes[nodes[-2]] if len(nodes) > 1 else None
        extended = False
        for v, link in steps.get(last, ()):
            if v in nodes or (expected is not None and strikes[v] != expected):
                continue
            stack.append(((*nodes, v), (*links, link)))
            extended = True
        if not extended and len(nodes) > 1:
            paths.append((nodes, links))
