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

The graph holds its events and edges as columns (:class:`~timeline.causal._build.Columns`:
parallel lists of node numbers, with each edge's claims beside them), built by
:mod:`timeline.causal._build` (a plain reference and a bulk engine that agree); the private
networkx graph holds the nodes and the edges, each edge's data its number in the columns.
Paths are searched by :mod:`timeline.causal._paths`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Final, TypeVar

import networkx as nx  # type: ignore[import-untyped]  # networkx has no inline types; its stubs (types-networkx) are not a dependency
from pendulum import DateTime

from timeline.causal._build import Columns, build, check_links, strongest
from timeline.causal._paths import alternating, levels, widest
from timeline.causal.results import Cause, Chain, Consequence, Edge, Nearby, Spiral
from timeline.causal.timing import bounds, time_conflict
from timeline.errors import InvalidArgument, UnknownEvent, check_whole
from timeline.events import (
    CATALOG,
    Attack,
    CausalLink,
    DroneBarrage,
    Event,
    MissileStrike,
    PrisonerExchangeAgreed,
    Relation,
    Strike,
)
from timeline.events import diplomacy as _diplomacy
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

#: What counts as a diplomatic move for :meth:`CausalGraph.diplomatic_moves_after`: the
#: catalog's diplomatic types (talks, documents, ceasefires, statements) and an agreed exchange.
DIPLOMATIC_TYPES: Final[tuple[type[Event], ...]] = (
    *(kind for kind in CATALOG if kind.__module__ == _diplomacy.__name__),
    PrisonerExchangeAgreed,
)

#: What a query of causes or consequences returns, one per event reached.
_Reached = TypeVar("_Reached", Cause, Consequence)

#: A reference to an event in queries: the event itself, its id, or its id as text.
EventRef = Event | uuid.UUID | str

_RESPONSES: Final = (Relation.RESPONSE.value, Relation.RETALIATION.value)


def _attacker(event: Event) -> str | None:
    return event.attacker if isinstance(event, (Attack, Strike)) else None


def _target(event: Event) -> str | None:
    if isinstance(event, Attack):
        return event.target
    if isinstance(event, Strike):
        return event.target_party
    return None


def _cut(value: dt.datetime | None, name: str) -> DateTime | None:
    return None if value is None else to_utc(value, field=name)


def causal_graph(
    log: EventLog,
    *,
    as_of: dt.datetime | None = None,
    known_at: dt.datetime | None = None,
    check: bool = False,
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
        InvalidArgument: ``log`` is not an event log.
        CausalityError: with ``check``, a link that goes back in time or closes a cycle.

    >>> import pendulum, timeline as tl
    >>> log = tl.open_log("memory:")
    >>> graph = causal_graph(log, known_at=pendulum.datetime(2025, 6, 3))
    >>> len(graph)
    0
    """
    if not isinstance(log, EventLog):
        raise InvalidArgument(
            f"a causal graph is built from an event log, not {type(log).__name__}",
            argument="log",
            value=log,
        )
    events = replay_events(log, known_at=_cut(known_at, "known_at"), order="recorded")
    return CausalGraph.from_events(events, as_of=as_of, known_at=known_at, check=check)


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

    def __init__(
        self, *, as_of: dt.datetime | None = None, known_at: dt.datetime | None = None
    ) -> None:
        """An empty graph; see :meth:`from_events` and :func:`causal_graph`."""
        self._graph = nx.DiGraph()  # nodes: numbers; each edge's data: {"edge": its number}
        self._columns = Columns([], {}, [], [], [], {})
        self._events: list[Event] = []  # node n is self._events[n] (the columns' events)
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
        as_of: dt.datetime | None = None,
        known_at: dt.datetime | None = None,
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
                it).

        Raises:
            InvalidEvent: a correction or retraction among the events (resolve them first,
                with :func:`~timeline.projections.replay_events`).
            DuplicateEvent: the same event id twice.
            CausalityError: with ``check``, a link whose cause comes after its effect, or a
                cycle.
        """
        graph = cls(as_of=as_of, known_at=known_at)
        columns = build(events, as_of=graph._as_of)
        graph._hold(columns)
        if check:
            check_links(columns, graph._graph)
        return graph

    #: Replay a log and build its graph: :func:`causal_graph`, under the name the other
    #: constructor's suggests.
    from_log = staticmethod(causal_graph)

    def _hold(self, columns: Columns) -> None:
        """Hold the columns, and give networkx the nodes and the edges (data: ``{"edge": i}``)."""
        self._columns, self._events, self._index = columns, columns.events, columns.index
        self._graph.add_nodes_from(range(len(columns.events)))
        self._graph.add_edges_from(
            zip(
                columns.causes,
                columns.effects,
                zip(zip(itertools.repeat("edge"), range(len(columns.causes)))),
                strict=True,
            )
        )

    # -- what it holds --------------------------------------------------------------------------

    @property
    def as_of(self) -> DateTime | None:
        """The view's valid-time cut, or ``None``."""
        return self._as_of

    @property
    def known_at(self) -> DateTime | None:
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
            for u, v, claims in self._edge_claims()
        }

    def _edge_claims(self) -> Iterator[tuple[int, int, tuple[CausalLink, ...]]]:
        """Each edge's two nodes and its claims, in networkx's order of the edges."""
        claims = self._columns.claims
        for u, v, edge in self._graph.edges(data="edge"):
            yield u, v, claims(edge)

    def number_of_edges(self) -> int:
        """How many pairs of events are linked."""
        return int(self._graph.number_of_edges())

    def number_of_claims(self) -> int:
        """How many link claims the edges hold (one or more per edge)."""
        columns = self._columns
        return len(columns.strongest) + sum(len(c) - 1 for c in columns.several.values())

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
        for u, v, claims in self._edge_claims():
            yield Edge(events[u], events[v], claims)

    def links(self) -> Iterator[CausalLink]:
        """Every link claim."""
        for _, _, claims in self._edge_claims():
            yield from claims

    def claims(self, cause: EventRef, effect: EventRef) -> tuple[CausalLink, ...]:
        """The claims that ``cause`` led to ``effect`` (empty if none).

        Raises:
            UnknownEvent: if either event is not in this view.
        """
        data = self._graph.get_edge_data(self._node(cause), self._node(effect))
        return () if data is None else self._columns.claims(data["edge"])

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
        return self._reached(Cause, event, forward=False, depth=depth, floor=min_confidence)

    def consequences(
        self, event: EventRef, *, depth: int | None = None, min_confidence: float = 0.0
    ) -> list[Consequence]:
        """What followed from an event: its effects, transitively, each with a path.

        The mirror of :meth:`why`.

        Raises:
            UnknownEvent: if the event is not in this view.
        """
        return self._reached(Consequence, event, forward=True, depth=depth, floor=min_confidence)

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
        wanted = _relation_names(relations)
        events = self._events
        found = []
        for v, data in self._graph.succ[self._node(event)].items():
            matching = [c for c in self._columns.claims(data["edge"]) if c.relation in wanted]
            if matching:
                link = strongest(matching)
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
        events, succ, claims = self._events, self._graph.succ, self._columns.strongest
        chains = [
            Chain.of(
                tuple(events[n] for n in nodes),
                tuple(claims[succ[u][v]["edge"]] for u, v in itertools.pairwise(nodes)),
            )
            for nodes in nx.all_simple_paths(self._graph, start, end, cutoff=max_hops)
        ]
        chains.sort(key=lambda c: (-c.confidence, len(c.links)))
        return chains

    def _reached(
        self,
        kind: type[_Reached],
        event: EventRef,
        *,
        forward: bool,
        depth: int | None,
        floor: float,
    ) -> list[_Reached]:
        """Every event reachable from ``event``, as ``kind``, with its best path."""
        events = self._events
        return [
            kind(events[n], path, confidence)
            for n, path, confidence in self._reach(
                self._node(event), forward=forward, depth=depth, floor=floor
            )
        ]

    def _reach(
        self, start: int, *, forward: bool, depth: int | None, floor: float
    ) -> list[tuple[int, tuple[CausalLink, ...], float]]:
        """Every node reachable from ``start``, with its best path and that path's confidence."""
        if depth is not None:
            check_whole(depth, "depth")
        adjacency = self._graph.succ if forward else self._graph.pred
        claims = self._columns.strongest
        found = (
            widest(adjacency, claims, start, forward=forward, floor=floor)
            if depth is None
            else levels(adjacency, claims, start, forward=forward, depth=depth, floor=floor)
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
        wanted = _relation_names(relations)
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
                claims = self._columns.claims(data["edge"])
                matching = [c for c in claims if c.relation in wanted]
                if matching:
                    steps.setdefault(u, []).append((v, strongest(matching)))
        paths: list[tuple[tuple[int, ...], tuple[CausalLink, ...]]] = []
        for start in steps:
            alternating(start, steps, strikes, paths)
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
            raise InvalidArgument(
                f"within must be a timedelta ≥ 0, got {within!r}", argument="within", value=within
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
        succ, claims = self._graph.succ, self._columns.strongest
        found = widest(succ, claims, cause, forward=True, floor=0.0, target=effect)
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
        """The sub-graph of these nodes (in this order) and the edges among them."""
        columns = self._columns
        renumber = {n: i for i, n in enumerate(nodes)}
        kept = [
            (renumber[u], renumber[v], edge)
            for u, v, edge in self._graph.subgraph(nodes).edges(data="edge")
        ]
        events = [self._events[n] for n in nodes]
        graph = CausalGraph(as_of=self._as_of, known_at=self._known_at)
        graph._hold(  # a graph of the same class
            Columns(
                events=events,
                index={event.event_id.int: i for i, event in enumerate(events)},
                causes=[u for u, _, _ in kept],
                effects=[v for _, v, _ in kept],
                strongest=[columns.strongest[edge] for _, _, edge in kept],
                several={
                    i: columns.several[edge]
                    for i, (_, _, edge) in enumerate(kept)
                    if edge in columns.several
                },
            )
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
                {"claims": claims, "confidence": strongest(claims).confidence},
            )
            for u, v, claims in self._edge_claims()
        )
        return copy


def _relation_names(relations: Iterable[str]) -> set[str]:
    """The names of the relations (members of :class:`~timeline.events.Relation` or names).

    Raises:
        InvalidArgument: one name rather than a collection of them (its letters would be
            taken as relations), or something that is not a collection.
    """
    if isinstance(relations, str) or not isinstance(relations, Iterable):
        raise InvalidArgument(
            f"relations must be a collection of relation names, got {relations!r}",
            argument="relations",
            value=relations,
        )
    return {str(getattr(r, "value", r)) for r in relations}


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
