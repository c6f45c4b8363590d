"""The causal graph: events as nodes, analysts' (and rules') link claims as edges.

:func:`causal_graph` replays a log bitemporally and builds a :class:`CausalGraph` from what
it yields; :meth:`CausalGraph.from_events` builds one from events already decoded. The graph
wraps a private :class:`networkx.DiGraph`; only :meth:`CausalGraph.to_networkx` (a copy)
hands networkx to the caller.

Views:

``known_at``
    as replay: links recorded by then, less those a :class:`~timeline.events.CausalLinkRetracted`
    (or a :class:`~timeline.events.Retraction`) recorded by then withdraws; events as corrected
    by then. A retracted link disappears from views known after its retraction only.
``as_of``
    the events whose (corrected) ``occurred_at`` is ``<= as_of``; a link is in the view iff
    both its ends are. A link's own ``occurred_at`` (when it was asserted) plays no part.

Queries return plain attrs objects holding the events (:mod:`timeline.causal.results`).
"""

from __future__ import annotations

import bisect
import collections
import datetime as dt
import heapq
import itertools
import operator
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final

import networkx as nx  # type: ignore[import-untyped]  # networkx has no inline types; its stubs (types-networkx) are not a dependency

from timeline.causal._collector import paused
from timeline.causal.results import Cause, Chain, Consequence, Edge, Nearby, Spiral
from timeline.causal.timing import bounds, time_conflict
from timeline.errors import CausalityError, DuplicateEvent, InvalidEvent, UnknownEvent
from timeline.events import (
    Attack,
    CausalLink,
    CausalLinkRetracted,
    CeasefireDemanded,
    CeasefireRejected,
    Correction,
    DelegationAnnounced,
    DocumentReceived,
    DroneBarrage,
    Event,
    MemorandumAwaited,
    MemorandumDelivered,
    MemorandumPromised,
    MissileStrike,
    PrisonerExchangeAgreed,
    ProposalTabled,
    Relation,
    ResponsePromised,
    Retraction,
    Statement,
    Strike,
    TalkRoundHeld,
    TalksProposed,
)
from timeline.log import EventLog
from timeline.projections.replay import replay_events
from timeline.time import to_utc

__all__ = [
    "DIPLOMATIC_TYPES",
    "ESCALATION_TYPES",
    "CausalGraph",
    "EventRef",
    "causal_graph",
]

#: What counts as an escalation for :meth:`CausalGraph.escalations_before` and spirals.
ESCALATION_TYPES: Final[tuple[type[Event], ...]] = (DroneBarrage, MissileStrike, Strike)

#: What counts as a diplomatic move for :meth:`CausalGraph.diplomatic_moves_after`.
DIPLOMATIC_TYPES: Final[tuple[type[Event], ...]] = (
    TalksProposed,
    TalkRoundHeld,
    DelegationAnnounced,
    ProposalTabled,
    MemorandumPromised,
    MemorandumDelivered,
    MemorandumAwaited,
    DocumentReceived,
    ResponsePromised,
    CeasefireDemanded,
    CeasefireRejected,
    Statement,
    PrisonerExchangeAgreed,
)

#: A reference to an event in queries: the event itself, its id, or its id as text.
EventRef = Event | uuid.UUID | str

_NODE, _LINK, _UNRESOLVED = 0, 1, 2
_RESPONSES: Final = (Relation.RESPONSE.value, Relation.RETALIATION.value)


def _strongest(claims: tuple[CausalLink, ...]) -> CausalLink:
    """The most confident claim (the first of equals): the one a path goes through."""
    if len(claims) == 1:
        return claims[0]
    return max(claims, key=_confidence)


def _confidence(link: CausalLink) -> float:
    return link.confidence


def _attacker(event: Event) -> str | None:
    return event.attacker if isinstance(event, (Attack, Strike)) else None


def _target(event: Event) -> str | None:
    if isinstance(event, Attack):
        return event.target
    if isinstance(event, Strike):
        return event.target_party
    return None


def _cut(value: Any, name: str) -> Any:
    return None if value is None else to_utc(value, field=name)


class CausalGraph:
    """Events and the claims that one led to another, with queries over them.

    Build it with :func:`causal_graph` (from a log) or :meth:`from_events`. It is read-only:
    new links go into the log, and a new view is built from there.

    Several claims about the same two events (different analysts, or an accepted rule
    candidate beside an analyst's link) make one edge holding all of them; a path through
    that edge counts its most confident claim.

    >>> import pendulum, timeline as tl
    >>> at = pendulum.datetime(2025, 6, 1, 12)
    >>> strike = tl.Strike(occurred_at=at, attacker="Ukraine", target_party="Russia")
    >>> barrage = tl.DroneBarrage(occurred_at=at.add(hours=10), attacker="Russia", launched=472)
    >>> link = tl.CausalLink(occurred_at=at.add(days=1), cause=strike.event_id,
    ...                      effect=barrage.event_id, relation="retaliation", confidence=0.8)
    >>> graph = CausalGraph.from_events([strike, barrage, link])
    >>> [(c.event.attacker, c.confidence) for c in graph.why(barrage)]
    [('Ukraine', 0.8)]
    """

    def __init__(self, *, as_of: Any = None, known_at: Any = None) -> None:
        """An empty graph; see :meth:`from_events` and :func:`causal_graph`."""
        self._graph = nx.DiGraph()
        self._events: list[Event] = []  # node number -> event (node n holds self._events[n])
        self._index: dict[int, int] = {}  # event id (as an int) -> node number
        self._as_of = _cut(as_of, "as_of")
        self._known_at = _cut(known_at, "known_at")
        self._starts: list[int] | None = None  # node numbers' starts, sorted (built on demand)
        self._by_start: list[int] = []
        self._extent = 0  # the longest span of any event, in microseconds

    # -- building -------------------------------------------------------------------------------

    @classmethod
    def from_events(
        cls,
        events: Iterable[Event],
        *,
        as_of: Any = None,
        known_at: Any = None,
        check: bool = True,
    ) -> CausalGraph:
        """Build a graph from resolved events: what :func:`~timeline.projections.replay_events` yields.

        Every :class:`~timeline.events.CausalLink` becomes a claim on the edge between its
        cause and effect; every other event becomes a node. A link whose cause or effect is
        not among the events (retracted, or after ``as_of``) is left out.

        Args:
            events: the events, corrections applied and retracted ones left out.
            as_of: keep only the events whose ``occurred_at`` is ``<= as_of``.
            known_at: only recorded as the view's ``known_at``: the events are taken as given.
            check: check that every link goes forward in time and that the links close no
                cycle (a log's guard checks both at append time, so :func:`causal_graph` skips
                it). Costs about a third more on a large graph.

        Raises:
            InvalidEvent: a correction or retraction among the events (resolve them first,
                with :func:`~timeline.projections.replay_events`).
            DuplicateEvent: the same event id twice.
            CausalityError: with ``check``, a link whose cause comes after its effect, or a
                cycle.
        """
        graph = cls(as_of=as_of, known_at=known_at)
        with paused():
            edges = graph._build(events)
            if check:
                graph._check(edges)
            del edges  # before the collector runs again: it need not walk the pairs
        return graph

    @classmethod
    def from_log(
        cls, log: EventLog, *, as_of: Any = None, known_at: Any = None, check: bool = False
    ) -> CausalGraph:
        """Replay a log and build its graph (the same as :func:`causal_graph`)."""
        graph = cls(as_of=as_of, known_at=known_at)
        with paused():
            edges = graph._build(replay_events(log, known_at=graph._known_at, order="recorded"))
            if check:
                graph._check(edges)
            del edges  # before the collector runs again: it need not walk the pairs
        return graph

    def _build(self, events: Iterable[Event]) -> tuple[list[int], list[tuple[CausalLink, ...]]]:
        """Add the events as nodes and their links as edges. Returns the edges and their claims.

        The edges come back as :func:`_grouped` gives them (``cause × len(self) + effect``,
        node numbers), their claims beside them. Every pass over the events, the links and
        the edges is a chain of ``map``, ``zip`` and ``compress`` that the interpreter runs in
        C, not a Python loop: on a million events and three million links each pass costs a
        few hundredths of a microsecond per item. Only the links that repeat a pair (a second
        analyst's claim) are grouped one by one, and only a bad input (an unresolved event, an
        id given twice) is read one by one, to report the first problem.
        """
        given = events if isinstance(events, list | tuple) else list(events)
        kinds = list(map(type, given))
        roles = {kind: _role(kind) for kind in set(kinds)}
        if _UNRESOLVED in roles.values():
            _refuse(given, self._as_of)
        link_kinds = {kind for kind, role in roles.items() if role == _LINK}
        links: list[CausalLink]
        if link_kinds:
            is_link = list(map(link_kinds.__contains__, kinds))
            links = list(itertools.compress(given, is_link))  # type: ignore[arg-type]  # their kinds say they are links
            nodes = list(itertools.compress(given, map(operator.not_, is_link)))
        else:
            links, nodes = [], list(given)
        del kinds
        cut = self._as_of
        if cut is not None:
            nodes = [event for event in nodes if not event.occurred_at > cut]
        count = len(nodes)
        index = dict(zip(map(_ID, nodes), range(count), strict=True))
        if len(index) != count:
            _refuse(nodes, None)
        self._events, self._index = nodes, index
        pairs, claims = _grouped(links, index)
        graph = self._graph
        graph.add_nodes_from(range(count))  # the fast form (plain nodes); attributes set after
        collections.deque(  # node n's attribute dict gets "event": nodes[n]
            map(
                operator.setitem,
                map(operator.itemgetter(1), graph.nodes(data=True)),
                itertools.repeat("event"),
                nodes,
            ),
            maxlen=0,
        )
        # Each edge's attributes as a one-pair sequence, (("claims", claims),): networkx
        # copies them into a dict of its own, so a dict of ours would be made for nothing.
        graph.add_edges_from(
            zip(
                map(operator.floordiv, pairs, itertools.repeat(count)),
                map(operator.mod, pairs, itertools.repeat(count)),
                zip(zip(itertools.repeat("claims", len(claims)), claims, strict=True)),
                strict=True,
            )
        )
        return pairs, claims

    def _check(self, edges: tuple[list[int], list[tuple[CausalLink, ...]]]) -> None:
        """Every edge goes forward in time, and the edges close no cycle.

        ``edges`` as :meth:`_build` returns them. Cheap when every edge also goes forward in
        the order (start, node number): that order is total, so no cycle is possible;
        otherwise the nodes are sorted topologically to look for one.
        """
        events = self._events
        count = len(events)
        spans = list(map(bounds, events))
        ordered = True
        for pair, claims in zip(*edges, strict=True):
            u, v = divmod(pair, count)
            start, (v_start, v_latest) = spans[u][0], spans[v]
            if start > v_latest:
                reason = time_conflict(events[u], events[v]) or ""
                raise CausalityError(
                    f"link {claims[0].event_id} refused: {reason}",
                    cause=events[u].event_id,
                    effect=events[v].event_id,
                    reason=reason,
                )
            if start > v_start or (start == v_start and u > v):
                ordered = False
        if not ordered:
            self._check_acyclic()

    def _check_acyclic(self) -> None:
        succ = self._graph.succ
        waiting = [0] * len(self._events)
        for _, v in self._graph.edges():
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
        events = self._events
        cycle = nx.find_cycle(self._graph.subgraph(stuck))
        first, second = cycle[0][:2]
        reason = "the links close a cycle: " + " → ".join(
            events[n].headline() for n in [*(edge[0] for edge in cycle), first]
        )
        raise CausalityError(
            reason, cause=events[first].event_id, effect=events[second].event_id, reason=reason
        )

    # -- what it holds --------------------------------------------------------------------------

    @property
    def as_of(self) -> Any:
        """The view's valid-time cut, or ``None``."""
        return self._as_of

    @property
    def known_at(self) -> Any:
        """The view's transaction-time cut, or ``None``."""
        return self._known_at

    def __len__(self) -> int:
        return len(self._events)

    def __contains__(self, ref: object) -> bool:
        key = _key(ref)
        return key is not None and key in self._index

    def __repr__(self) -> str:
        cuts = "".join(
            f", {name}={value.isoformat()}"
            for name, value in (("as_of", self._as_of), ("known_at", self._known_at))
            if value is not None
        )
        return (
            f"<CausalGraph: {len(self)} events, {self.number_of_edges()} edges, "
            f"{self.number_of_claims()} claims{cuts}>"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CausalGraph):
            return NotImplemented
        return (
            self._as_of == other._as_of
            and self._known_at == other._known_at
            and {e.event_id: e for e in self._events} == {e.event_id: e for e in other._events}
            and self._claims_by_pair() == other._claims_by_pair()
        )

    __hash__ = None  # type: ignore[assignment]  # mutable-looking container: not hashable, like networkx's

    def _claims_by_pair(
        self,
    ) -> dict[tuple[uuid.UUID, uuid.UUID], dict[uuid.UUID, CausalLink]]:
        """Each edge's claims by link id: equal graphs may hold them in another order."""
        events = self._events
        return {
            (events[u].event_id, events[v].event_id): {c.event_id: c for c in claims}
            for u, v, claims in self._graph.edges(data="claims")
        }

    def number_of_edges(self) -> int:
        """How many pairs of events are linked."""
        return int(self._graph.number_of_edges())

    def number_of_claims(self) -> int:
        """How many link claims the edges hold (one or more per edge)."""
        return sum(len(claims) for _, _, claims in self._graph.edges(data="claims"))

    def event(self, ref: EventRef) -> Event:
        """The event with this id.

        Raises:
            UnknownEvent: if it is not in this view.
        """
        return self._events[self._node(ref)]

    def events(self) -> Iterator[Event]:
        """Every event, in the order they were given (replay: recorded order)."""
        return iter(self._events)

    def edges(self) -> Iterator[Edge]:
        """Every edge, with its claims."""
        events = self._events
        for u, v, claims in self._graph.edges(data="claims"):
            yield Edge(events[u], events[v], claims)

    def links(self) -> Iterator[CausalLink]:
        """Every link claim."""
        for _, _, claims in self._graph.edges(data="claims"):
            yield from claims

    def claims(self, cause: EventRef, effect: EventRef) -> tuple[CausalLink, ...]:
        """The claims that ``cause`` led to ``effect`` (empty if none).

        Raises:
            UnknownEvent: if either event is not in this view.
        """
        data = self._graph.get_edge_data(self._node(cause), self._node(effect))
        return () if data is None else tuple(data["claims"])

    def _node(self, ref: EventRef) -> int:
        key = _key(ref)
        number = None if key is None else self._index.get(key)
        if number is None:
            event_id = ref.event_id if isinstance(ref, Event) else ref
            raise UnknownEvent(
                f"event {event_id} is not in this view of the causal graph",
                event_id=event_id if isinstance(event_id, uuid.UUID) else uuid.UUID(int=0),
            )
        return number

    # -- causes and consequences ----------------------------------------------------------------

    def why(
        self, event: EventRef, *, depth: int | None = None, min_confidence: float = 0.0
    ) -> list[Cause]:
        """What led to an event: its causes, transitively, each with a path.

        Each cause appears once, with its most confident path (the one whose weakest link is
        strongest), the shortest of equals. Nearest causes come first.

        Args:
            event: the event (or its id).
            depth: follow at most this many links back (``None``: all the way).
            min_confidence: ignore paths whose weakest link is below this.

        Raises:
            UnknownEvent: if the event is not in this view.
        """
        events = self._events
        return [
            Cause(events[n], path, confidence)
            for n, path, confidence in self._reach(
                self._node(event), forward=False, depth=depth, floor=min_confidence
            )
        ]

    def consequences(
        self, event: EventRef, *, depth: int | None = None, min_confidence: float = 0.0
    ) -> list[Consequence]:
        """What followed from an event: its effects, transitively, each with a path.

        The mirror of :meth:`why`.

        Raises:
            UnknownEvent: if the event is not in this view.
        """
        events = self._events
        return [
            Consequence(events[n], path, confidence)
            for n, path, confidence in self._reach(
                self._node(event), forward=True, depth=depth, floor=min_confidence
            )
        ]

    def responses_to(
        self, event: EventRef, *, relations: Iterable[str] = _RESPONSES
    ) -> list[Consequence]:
        """The events linked to this one as direct responses (``response``, ``retaliation``).

        Args:
            event: the event answered.
            relations: the relations that count as a response.

        Raises:
            UnknownEvent: if the event is not in this view.
        """
        wanted = {str(getattr(r, "value", r)) for r in relations}
        events = self._events
        found = []
        for v, data in self._graph.succ[self._node(event)].items():
            matching = tuple(c for c in data["claims"] if c.relation in wanted)
            if matching:
                link = _strongest(matching)
                found.append(Consequence(events[v], (link,), link.confidence))
        found.sort(key=lambda c: (c.event.occurred_at, c.event.event_id))
        return found

    def chain(
        self, cause: EventRef, effect: EventRef, *, max_hops: int | None = None
    ) -> list[Chain]:
        """Every path from one event to another, most confident first (then shortest).

        Args:
            cause: where the paths start.
            effect: where they end.
            max_hops: only paths of at most this many links.

        Raises:
            UnknownEvent: if either event is not in this view.
        """
        start, end = self._node(cause), self._node(effect)
        if start == end:
            return []
        events, succ = self._events, self._graph.succ
        chains = [
            Chain.of(
                tuple(events[n] for n in nodes),
                tuple(_strongest(succ[u][v]["claims"]) for u, v in itertools.pairwise(nodes)),
            )
            for nodes in nx.all_simple_paths(self._graph, start, end, cutoff=max_hops)
        ]
        chains.sort(key=lambda c: (-c.confidence, len(c.links)))
        return chains

    def _reach(
        self, start: int, *, forward: bool, depth: int | None, floor: float
    ) -> list[tuple[int, tuple[CausalLink, ...], float]]:
        """Every node reachable from ``start``, with its best path and that path's confidence."""
        if depth is not None and (type(depth) is not int or depth < 0):
            raise InvalidEvent(
                f"depth must be a whole number ≥ 0, got {depth!r}", field="depth", value=depth
            )
        adjacency = self._graph.succ if forward else self._graph.pred
        found = (
            _widest(adjacency, start, forward=forward, floor=floor)
            if depth is None
            else _levels(adjacency, start, forward=forward, depth=depth, floor=floor)
        )
        events = self._events
        result = [(n, path, confidence) for n, (confidence, path) in found.items()]
        result.sort(
            key=lambda r: (len(r[1]), -r[2], events[r[0]].occurred_at, events[r[0]].event_id)
        )
        return result

    # -- escalations and diplomacy --------------------------------------------------------------

    def escalation_spirals(
        self, *, min_strikes: int = 3, relations: Iterable[str] = (Relation.RETALIATION.value,)
    ) -> list[Spiral]:
        """Chains of strikes between two parties, each linked to the one before by retaliation.

        A spiral alternates its attackers (A, B, A, ...); where a strike names its target, it
        is the other party. Only the longest spirals are listed (not their tails), earliest
        first.

        Args:
            min_strikes: the fewest strikes that make a spiral (2 is a single tit-for-tat).
            relations: the relations that count as retaliation.
        """
        wanted = {str(getattr(r, "value", r)) for r in relations}
        events, succ = self._events, self._graph.succ
        strikes = {
            n: attacker
            for n, e in enumerate(events)
            if isinstance(e, ESCALATION_TYPES) and (attacker := _attacker(e)) is not None
        }
        steps: dict[int, list[tuple[int, CausalLink]]] = {}
        for u, attacker in strikes.items():
            for v, data in succ[u].items():
                other = strikes.get(v)
                if other is None or other == attacker:
                    continue
                if _target(events[u]) not in (None, other):
                    continue
                if _target(events[v]) not in (None, attacker):
                    continue
                matching = tuple(c for c in data["claims"] if c.relation in wanted)
                if matching:
                    steps.setdefault(u, []).append((v, _strongest(matching)))
        paths: list[tuple[tuple[int, ...], tuple[CausalLink, ...]]] = []
        for start in steps:
            _alternating(start, steps, strikes, paths)
        tails = {nodes[i:] for nodes, _ in paths for i in range(1, len(nodes))}
        spirals = [
            Spiral(
                (strikes[nodes[0]], strikes[nodes[1]]),
                tuple(events[n] for n in nodes),
                links,
            )
            for nodes, links in paths
            if len(nodes) >= min_strikes and nodes not in tails
        ]
        spirals.sort(key=lambda s: (s.start.occurred_at, s.start.event_id, -len(s.strikes)))
        return spirals

    def diplomatic_moves_after(
        self,
        escalation: EventRef,
        *,
        within: dt.timedelta = dt.timedelta(hours=72),
        types: Sequence[type[Event]] = DIPLOMATIC_TYPES,
    ) -> list[Nearby]:
        """Diplomatic moves that followed an escalation, whether or not anyone linked them.

        A move counts if it may come after the escalation (:func:`~timeline.causal.timing.may_cause`)
        and started at most ``within`` after the escalation's stated start.

        Args:
            escalation: the strike or barrage.
            within: how long after it to look.
            types: the event types that count as diplomatic moves.

        Raises:
            UnknownEvent: if the escalation is not in this view.
        """
        start = self._node(escalation)
        return self._nearby(start, within, tuple(types), after=True)

    def escalations_before(
        self,
        diplomatic_event: EventRef,
        *,
        within: dt.timedelta = dt.timedelta(hours=72),
        types: Sequence[type[Event]] = ESCALATION_TYPES,
    ) -> list[Nearby]:
        """Escalations in the time before a diplomatic move, whether or not anyone linked them.

        The mirror of :meth:`diplomatic_moves_after`.

        Raises:
            UnknownEvent: if the event is not in this view.
        """
        end = self._node(diplomatic_event)
        return self._nearby(end, within, tuple(types), after=False)

    def _nearby(
        self, anchor: int, within: dt.timedelta, types: tuple[type[Event], ...], *, after: bool
    ) -> list[Nearby]:
        if not isinstance(within, dt.timedelta) or within < dt.timedelta(0):
            raise InvalidEvent(
                f"within must be a timedelta ≥ 0, got {within!r}", field="within", value=within
            )
        starts, order = self._timeline()
        events = self._events
        width = within // dt.timedelta(microseconds=1)
        a_start, a_latest = bounds(events[anchor])
        if after:  # moves m: anchor.start <= latest(m) and m.start - anchor.start <= within
            low, high = a_start - self._extent, a_start + width
        else:  # escalations e: e.start <= latest(anchor) and anchor.start - e.start <= within
            low, high = a_start - width, a_latest
        found = []
        for i in range(bisect.bisect_left(starts, low), bisect.bisect_right(starts, high)):
            n = order[i]
            other = events[n]
            if n == anchor or not isinstance(other, types):
                continue
            cause, effect = (anchor, n) if after else (n, anchor)
            if time_conflict(events[cause], events[effect]) is not None:
                continue
            gap = dt.timedelta(microseconds=starts[i] - a_start)
            found.append(Nearby(other, gap if after else -gap, self._best_path(cause, effect)))
        found.sort(key=lambda x: (abs(x.gap), x.event.event_id))
        return found

    def _best_path(self, cause: int, effect: int) -> tuple[CausalLink, ...]:
        found = _widest(self._graph.succ, cause, forward=True, floor=0.0, target=effect)
        return found[effect][1] if effect in found else ()

    def _timeline(self) -> tuple[list[int], list[int]]:
        """The nodes sorted by start (built on first use), and the longest span."""
        if self._starts is None:
            spans = [bounds(e) for e in self._events]
            self._by_start = sorted(range(len(spans)), key=lambda n: spans[n][0])
            self._starts = [spans[n][0] for n in self._by_start]
            self._extent = max((hi - lo for lo, hi in spans), default=0)
        return self._starts, self._by_start

    # -- sub-graphs and networkx ------------------------------------------------------------------

    def around(self, event: EventRef, *, depth: int = 2) -> CausalGraph:
        """The sub-graph of an event's causes and consequences up to ``depth`` links away."""
        centre = self._node(event)
        keep = {centre}
        for forward in (True, False):
            keep.update(
                n for n, _, _ in self._reach(centre, forward=forward, depth=depth, floor=0.0)
            )
        return self._restricted(sorted(keep))

    def _restricted(self, nodes: Sequence[int]) -> CausalGraph:
        graph = CausalGraph(as_of=self._as_of, known_at=self._known_at)
        graph._build(self._events[n] for n in nodes)
        renumber = {n: i for i, n in enumerate(nodes)}
        graph._graph.add_edges_from(
            (renumber[u], renumber[v], {"claims": claims})
            for u, v, claims in self._graph.subgraph(nodes).edges(data="claims")
        )
        return graph

    def to_networkx(self) -> nx.DiGraph:
        """A copy as a :class:`networkx.DiGraph`: nodes are event ids.

        Node attribute ``event`` is the event; edge attributes are ``claims`` (the links, in
        recorded order) and ``confidence`` (the most confident claim's). The graph attributes
        ``as_of`` and ``known_at`` are the view's.
        """
        events = self._events
        copy = nx.DiGraph(as_of=self._as_of, known_at=self._known_at)
        copy.add_nodes_from((e.event_id, {"event": e}) for e in events)
        copy.add_edges_from(
            (
                events[u].event_id,
                events[v].event_id,
                {"claims": claims, "confidence": _strongest(claims).confidence},
            )
            for u, v, claims in self._graph.edges(data="claims")
        )
        return copy


def _role(kind: type[Event]) -> int:
    if issubclass(kind, CausalLink):
        return _LINK
    if issubclass(kind, (Correction, Retraction, CausalLinkRetracted)):
        return _UNRESOLVED
    return _NODE


def _key(ref: object) -> int | None:
    if isinstance(ref, Event):
        return ref.event_id.int
    if isinstance(ref, uuid.UUID):
        return ref.int
    if isinstance(ref, str):
        try:
            return uuid.UUID(ref).int
        except ValueError:
            return None
    return None


_ID: Final = operator.attrgetter("event_id.int")
_CAUSE: Final = operator.attrgetter("cause.int")
_EFFECT: Final = operator.attrgetter("effect.int")


def _refuse(events: Iterable[Event], cut: Any) -> None:
    """Read the events one by one and raise for the first that a graph cannot be built from.

    The careful path behind :meth:`CausalGraph._build`'s bulk one, taken once the bulk one has
    seen that something is wrong: a correction or retraction among the events, or the same
    event id twice among the nodes (up to ``cut``).

    Raises:
        InvalidEvent: an unresolved event (a correction or retraction).
        DuplicateEvent: the same event id twice.
    """
    seen: set[int] = set()
    for event in events:
        kind = type(event)
        role = _role(kind)
        if role == _UNRESOLVED:
            raise InvalidEvent(
                f"a causal graph is built from resolved events, got a {kind.__name__} "
                f"({event.event_id}); use causal_graph(log) or replay_events(log)",
                field="events",
                value=event,
                event_id=event.event_id,
            )
        if role != _NODE or (cut is not None and event.occurred_at > cut):
            continue
        key = event.event_id.int
        if key in seen:
            raise DuplicateEvent(f"event {event.event_id} is given twice", event_id=event.event_id)
        seen.add(key)


def _grouped(
    links: list[CausalLink], index: dict[int, int]
) -> tuple[list[int], list[tuple[CausalLink, ...]]]:
    """The pairs of nodes the links join, and each pair's claims.

    A pair is keyed ``cause × len(index) + effect`` (node numbers). Pairs come in the order
    of their first link, each pair's claims in the links' order. A link whose cause or effect
    is not a node is left out.
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
    claims: list[tuple[CausalLink, ...]] = list(
        zip(map(links.__getitem__, first.values()))
    )  # each pair's first link alone
    if len(pairs) < len(keys):  # some pairs have several claims: add the others to those
        fresh = list(map(operator.eq, firsts, positions))  # a link that is its pair's first
        rank = list(itertools.accumulate(fresh))  # how many pairs begin up to each position
        several: dict[int, list[CausalLink]] = {}
        for i in itertools.compress(positions, map(operator.not_, fresh)):
            at = firsts[i]
            found = several.get(at)
            if found is None:
                several[at] = [links[at], links[i]]
            else:
                found.append(links[i])
        for at, found in several.items():
            claims[rank[at] - 1] = tuple(found)
    return pairs, claims


Adjacency = Any  # networkx's adjacency view: node -> {neighbour: edge data}


def _step(
    path: tuple[CausalLink, ...], link: CausalLink, *, forward: bool
) -> tuple[CausalLink, ...]:
    return (*path, link) if forward else (link, *path)


def _levels(
    adjacency: Adjacency, start: int, *, forward: bool, depth: int, floor: float
) -> dict[int, tuple[float, tuple[CausalLink, ...]]]:
    """Best paths of at most ``depth`` links, level by level (each label keeps its path)."""
    best: dict[int, tuple[float, tuple[CausalLink, ...]]] = {}
    frontier: dict[int, tuple[float, tuple[CausalLink, ...]]] = {start: (1.0, ())}
    for _ in range(depth):
        reached: dict[int, tuple[float, tuple[CausalLink, ...]]] = {}
        for u, (confidence, path) in frontier.items():
            for v, data in adjacency[u].items():
                link = _strongest(data["claims"])
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


def _widest(
    adjacency: Adjacency, start: int, *, forward: bool, floor: float, target: int | None = None
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
            claim = _strongest(data["claims"])
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


def _alternating(
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


def causal_graph(
    log: EventLog, *, as_of: Any = None, known_at: Any = None, check: bool = False
) -> CausalGraph:
    """The causal graph of a log, as it was known at ``known_at``, up to ``as_of``.

    Args:
        log: the log.
        as_of: valid time: only events whose (corrected) ``occurred_at`` is ``<= as_of``, and
            the links between them (whenever the links were asserted).
        known_at: transaction time: only links (and events, corrections, retractions) recorded
            by then. A link retracted later is still in this view.
        check: re-check every link's time order and acyclicity (the log's guard already
            did, at append time; use it for a log written without the standard guards).

    Raises:
        InvalidEvent: for a naive ``as_of``/``known_at``.
        CausalityError: with ``check``, a link that goes back in time or closes a cycle.

    >>> import pendulum, timeline as tl
    >>> log = tl.open_log("memory:")
    >>> graph = causal_graph(log, known_at=pendulum.datetime(2025, 6, 3))
    >>> len(graph)
    0
    """
    return CausalGraph.from_log(log, as_of=as_of, known_at=known_at, check=check)
