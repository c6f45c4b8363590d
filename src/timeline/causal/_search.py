"""The candidate search: which causes each rule pairs with which effects.

Two implementations of one meaning, held to each other by a property test
(``tests/causal/test_bulk.py``) on random worlds: the same candidates, in the same order, with
the same ids, relations, scores and features.

:func:`search_plainly`, the reference
    a loop over the events in time order: for each rule, its causes filed under their keys,
    then for each effect, the causes under its keys whose start lies in
    ``[effect start - window, latest(effect)]``, latest first, until ``per_effect`` are
    accepted by :meth:`~timeline.causal.Rule.features`. Read it to know what
    :func:`~timeline.causal.propose` proposes.
:func:`search`, the engine that :func:`~timeline.causal.propose` runs
    the same search in bulk: the events filed by type once and sorted once per set of types
    (:class:`_Table`), the effects grouped by their keys so that each group looks under one
    key, every effect's first try (the latest cause in its window) made in one tight pass
    (:func:`_first_tries`), only the effects it does not settle searched cause by cause, and
    the candidates made without a Python ``__init__`` call each (:func:`_made_candidates`).
"""

from __future__ import annotations

import array
import bisect
import collections
import datetime as dt
import itertools
import operator
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Final, Literal, cast

import attrs

from timeline.causal.candidates import (
    _HOUR,
    _STARTED,
    _TEXT,
    RETALIATION_WORDS,
    Candidate,
    Feature,
    Rule,
    Scene,
    _scoring,
    _since,
)
from timeline.causal.timing import EPOCH, latest_offset, offset
from timeline.events import CausalLink, Event, Statement

__all__ = ["search", "search_plainly"]

#: Longer than any two instants are apart: a longer window finds the same causes, and the
#: window's start (an effect's start less this) cannot overflow.
_WHOLE_RANGE: Final = dt.timedelta(days=dt.date.max.toordinal() + 1)
_MICROSECOND: Final = dt.timedelta(microseconds=1)


# -- the reference -------------------------------------------------------------------------------


def search_plainly(rules: Iterable[Rule], events: Iterable[Event]) -> list[Candidate]:
    """Every candidate the rules propose among the events, one effect at a time.

    Causal links are left out; the other events are put in time order (events that start at
    the same instant keep their order in the input), and each rule's candidates follow in the
    order of their effects.
    """
    world = [event for event in events if not isinstance(event, CausalLink)]
    world.sort(key=_offset_of)  # stable: ties keep their order in the input
    scene = Scene(world)
    found: list[Candidate] = []
    for rule in rules:
        found.extend(_plain_candidates(rule, world, scene))
    return found


def _offset_of(event: Event) -> dt.timedelta:
    """An event's start as an :func:`~timeline.causal.timing.offset`."""
    return offset(event.occurred_at)


def _plain_candidates(rule: Rule, world: list[Event], scene: Scene) -> list[Candidate]:
    """One rule's candidates among events in time order."""
    filed: dict[Hashable, list[Event]] = {}  # each key's causes, in time order
    for event in world:
        if isinstance(event, rule.causes):
            for key in rule.cause_keys(event):
                filed.setdefault(key, []).append(event)
    found = []
    for effect in world:
        if isinstance(effect, rule.effects):
            for gap, cause, features in _plain_picks(rule, effect, filed, scene):
                micros = gap // _MICROSECOND
                features["gap_hours"] = micros / _HOUR
                score = rule.score(micros, features)
                found.append(Candidate(cause, effect, rule.relation, score, rule.name, features))
    return found


_Found = tuple[dt.timedelta, Event, dict[str, Feature]]  # (gap, cause, features)


def _plain_picks(
    rule: Rule, effect: Event, filed: dict[Hashable, list[Event]], scene: Scene
) -> list[_Found]:
    """The causes one effect takes: the latest in its window that the rule accepts."""
    start, latest = _offset_of(effect), latest_offset(effect)
    earliest = start - min(rule.window, _WHOLE_RANGE)
    picked: list[_Found] = []
    searched = 0
    for key in rule.effect_keys(effect):
        causes = filed.get(key)
        if causes is None:
            continue
        searched += 1
        taken = 0
        for cause in reversed(causes):  # latest first
            cause_start = _offset_of(cause)
            if cause_start > latest or cause is effect:
                continue
            if cause_start < earliest or taken == rule.per_effect:
                break
            features = rule.features(cause, effect, scene)
            if features is not None:
                picked.append((start - cause_start, cause, features))
                taken += 1
    if searched > 1:  # under several keys: the nearest distinct causes of them all
        picked = _nearest_plainly(picked, rule.per_effect)
    return picked


def _nearest_plainly(picked: list[_Found], limit: int) -> list[_Found]:
    """The ``limit`` nearest picks, each cause once (the first found of equal gaps)."""
    kept: list[_Found] = []
    for pick in sorted(picked, key=lambda p: p[0]):
        if all(pick[1] is not other[1] for other in kept):
            kept.append(pick)
    return kept[:limit]


# -- the engine ----------------------------------------------------------------------------------

#: A set of events in time order, with their starts (:func:`~timeline.causal.timing.offset`).
_Entry = tuple[list[dt.timedelta], list[Event]]


def search(rules: Iterable[Rule], events: Iterable[Event]) -> list[Candidate]:
    """:func:`search_plainly`'s candidates, found in bulk."""
    rules = tuple(rules)
    table = _Table(events, {t for rule in rules for t in (*rule.causes, *rule.effects)})
    starts, statements = table.of((Statement,))
    # Most statements name nothing: their texts are searched in one C-level pass first.
    named = bytes(map(bool, map(RETALIATION_WORDS.search, map(_TEXT, statements))))
    scene = Scene._of_sorted(  # noqa: SLF001  # the engine builds its own scene
        itertools.compress(starts, named), itertools.compress(statements, named)
    )
    found: list[Candidate] = []
    for rule in rules:
        found.extend(_candidates(rule, table, scene))
    return found


def _keys_of(
    keys: Callable[[Event], Iterable[Hashable]], events: list[Event]
) -> list[Iterable[Hashable]]:
    """Each event's keys, equal tuples of keys kept once (most events share a few).

    Fewer objects kept alive, so fewer for the garbage collector to walk.
    """
    shared: dict[tuple[Hashable, ...], tuple[Hashable, ...]] = {}
    share = shared.setdefault
    return [share(found, found) if type(found) is tuple else found for found in map(keys, events)]


def _keyed(rule: Rule, side: Literal["cause", "effect"]) -> bool:
    """Whether the rule files causes (or looks for them) under keys, rather than one for all."""
    if getattr(rule, f"{side}_key") is not None:
        return True
    method = f"{side}_keys"
    return getattr(type(rule), method) is not getattr(Rule, method)


class _Table:
    """The events of the rules' types (and the statements), in time order, per set of types.

    The input is read in bulk: the events of the wanted types are kept in two C-level passes
    over it (causal links are skipped, whatever their number), and their places (positions
    among the kept) filed by type. Each set of types asked for (:meth:`of`) is put in time
    order once, with its starts as :func:`~timeline.causal.timing.offset` (exact, and cheap to
    compare and bisect), and kept for the next rule that asks.
    """

    def __init__(self, events: Iterable[Event], types: set[type[Event]]) -> None:
        given = events if isinstance(events, list | tuple) else list(events)
        wanted = frozenset(
            kind
            for kind in _kinds_of(Event)
            if issubclass(kind, Statement)
            or (not issubclass(kind, CausalLink) and any(issubclass(kind, t) for t in types))
        )
        self._given = kept = list(
            itertools.compress(given, map(wanted.__contains__, map(type, given)))
        )
        kinds: list[type[Event]] = list(map(type, kept))
        self._places: dict[type[Event], array.array[int]] = {
            kind: array.array("q") for kind in set(kinds)
        }
        file = {kind: found.append for kind, found in self._places.items()}
        collections.deque(  # each event's place goes on its type's array
            map(operator.call, map(file.__getitem__, kinds), itertools.count()), maxlen=0
        )
        self._sorted: dict[frozenset[type[Event]], _Entry] = {}

    def of(self, types: Sequence[type[Event]]) -> _Entry:
        """The events of these types (subclasses included) in time order, and their starts.

        Events that start at the same instant keep their order in the input.
        """
        kinds = frozenset(k for k in self._places if any(issubclass(k, t) for t in types))
        found = self._sorted.get(kinds)
        if found is None:
            wider = next((kept for held, kept in self._sorted.items() if kinds < held), None)
            found = self._sorted[kinds] = (
                self._sorted_of(kinds) if wider is None else _among(kinds, *wider)
            )
        return found

    def _sorted_of(self, kinds: frozenset[type[Event]]) -> _Entry:
        """The events of these types, gathered from the input and put in time order."""
        arrays = [self._places[kind] for kind in kinds]
        places = arrays[0] if len(arrays) == 1 else sorted(itertools.chain(*arrays))
        events = list(map(self._given.__getitem__, places))
        starts = list(map(_since, map(_STARTED, events), itertools.repeat(EPOCH)))  # offset()
        if not all(map(operator.le, starts, itertools.islice(starts, 1, None))):
            order = sorted(range(len(starts)), key=starts.__getitem__)  # stable
            events = list(map(events.__getitem__, order))
            starts = list(map(starts.__getitem__, order))
        return starts, events


def _among(
    kinds: frozenset[type[Event]], starts: list[dt.timedelta], events: list[Event]
) -> _Entry:
    """The events of these types among events of more types already in time order.

    Taken out in the order they are in, which is their own time order with ties in input
    order, as :meth:`_Table._sorted_of` would give: about half its cost (a rule's effects are
    often some of its causes' types, the barrages among the strikes and barrages), as no event
    is timed again.
    """
    mine = bytes(map(kinds.__contains__, map(type, events)))
    return list(itertools.compress(starts, mine)), list(itertools.compress(events, mine))


def _kinds_of(kind: type[Event]) -> set[type[Event]]:
    """The class and every class derived from it, however far down."""
    found = {kind}
    for sub in kind.__subclasses__():
        found |= _kinds_of(sub)
    return found


_Pick = tuple[dt.timedelta, Event, Event, dict[str, Feature]]  # (gap, cause, effect, features)

#: Above this many distinct key tuples, the engine files and searches one event at a time.
_FEW_KEYS: Final = 16


def _candidates(rule: Rule, table: _Table, scene: Scene) -> list[Candidate]:
    """The rule's candidates, effect by effect in time order.

    For each effect and each of its keys, the causes filed under the key whose start lies in
    ``[effect start - window, latest(effect)]`` are tried latest first, and the first
    ``per_effect`` that :meth:`Rule.features` accepts are kept (the nearest of them, if
    several keys found some). Most effects take the first cause they try: that first try is
    made in one tight pass over the effects (:func:`_first_tries`), and only the effects it
    does not settle are searched cause by cause (:func:`_one_by_one`), with the same result.
    """
    if not table.of(rule.causes)[1]:  # (the causes first: the effects are often among them)
        return []
    starts, effects = table.of(rule.effects)
    keys_of: list[Iterable[Hashable]] = (
        _keys_of(rule.effect_keys, effects) if _keyed(rule, "effect") else [(None,)] * len(effects)
    )
    groups = _grouped(keys_of) if rule.per_effect == 1 else None
    # With the effects' keys known, causes are filed only under the keys some effect asks for.
    index = _filed(rule, table, None if groups is None else set().union(*groups))
    if not index:
        return []
    picks = _Picks()
    # The effects searched one by one, with their keys: (position, keys) pairs.
    unsettled: Iterable[tuple[int, Iterable[Hashable]]]
    if groups is None:
        unsettled = enumerate(keys_of)
    else:
        del keys_of  # each group's keys stand for its effects' from here on
        left: list[Iterable[tuple[int, Iterable[Hashable]]]] = []
        for keys, positions in groups.items():
            present = [key for key in keys if key in index]
            if len(present) == 1:
                tried = _first_tries(
                    rule,
                    index[present[0]],
                    positions,
                    starts=starts,
                    effects=effects,
                    scene=scene,
                    picks=picks,
                )
                left.append(zip(tried, itertools.repeat(keys)))
            elif present:
                left.append(zip(positions, itertools.repeat(keys)))
        unsettled = itertools.chain.from_iterable(left)
    for place, under in unsettled:
        start, effect = starts[place], effects[place]
        found = _one_by_one(
            rule,
            index,
            start=start,
            latest=latest_offset(effect, start),
            effect=effect,
            keys=under,
            scene=scene,
        )
        picks.places += itertools.repeat(place, len(found))
        for gap, cause, _, features in found:
            picks.gaps.append(gap)
            picks.causes.append(cause)
            picks.effects.append(effect)
            picks.features.append(features)
    if not picks.places:
        return []
    picks.in_order()
    # The rest in bulk, candidate by candidate in C: the gaps in microseconds, the gap_hours
    # feature, the scores, the candidates.
    micros = list(map(operator.floordiv, picks.gaps, itertools.repeat(_MICROSECOND)))
    collections.deque(
        map(
            operator.setitem,
            picks.features,
            itertools.repeat("gap_hours"),
            map(operator.truediv, micros, itertools.repeat(_HOUR)),
        ),
        maxlen=0,
    )
    score = rule.score if type(rule).score is not Rule.score else _scoring(rule)
    return _made_candidates(
        len(micros),
        picks.causes,
        picks.effects,
        itertools.repeat(rule.relation),
        map(score, micros, picks.features),
        itertools.repeat(rule.name),
        picks.features,
    )


class _Picks:
    """The causes picked for a rule's effects, as parallel lists (no tuple per pick)."""

    def __init__(self) -> None:
        self.places: list[int] = []  # the effect's place in the rule's effects
        self.gaps: list[dt.timedelta] = []
        self.causes: list[Event] = []
        self.effects: list[Event] = []
        self.features: list[dict[str, Feature]] = []

    def in_order(self) -> None:
        """Put the picks in the order of their effects (stable: an effect's keep theirs)."""
        places = self.places
        if all(map(operator.le, places, itertools.islice(places, 1, None))):
            return
        order = sorted(range(len(places)), key=places.__getitem__)
        for name in ("places", "gaps", "causes", "effects", "features"):
            items = getattr(self, name)
            setattr(self, name, list(map(items.__getitem__, order)))


def _grouped(
    keys_of: Sequence[Iterable[Hashable]], wanted: set[Hashable] | None = None
) -> dict[tuple[Hashable, ...], Sequence[int]] | None:
    """The positions of the events with each tuple of keys, or ``None`` if that is no help.

    ``None`` when the keys are not all tuples, or when there are more than a few distinct
    tuples (then the events are better handled one by one). If ``wanted`` keys are given, the
    tuples holding none of them are left out.
    """
    if not keys_of or set(map(type, keys_of)) != {tuple}:
        return None
    tuples = cast("Sequence[tuple[Hashable, ...]]", keys_of)  # checked just above
    distinct = dict.fromkeys(tuples)
    if len(distinct) > _FEW_KEYS:
        return None
    kept = [keys for keys in distinct if wanted is None or not wanted.isdisjoint(keys)]
    # Positions as ranges and arrays, not lists of ints: nothing for the collector to walk.
    if len(distinct) == 1:
        return {keys: range(len(tuples)) for keys in kept}
    return {
        keys: _kept(range(len(tuples)), map(operator.eq, tuples, itertools.repeat(keys)))
        for keys in kept
    }


def _first_tries(
    rule: Rule,
    entry: _Entry,
    positions: Sequence[int],
    *,
    starts: list[dt.timedelta],
    effects: list[Event],
    scene: Scene,
    picks: _Picks,
) -> Sequence[int]:
    """Try, for each of these effects, the latest cause in its window.

    For a rule taking one cause per effect, whose effects at ``positions`` look under one
    key only (``entry``, its causes' starts and the causes). The effects whose first try the
    rule accepts get it in ``picks``; those with an empty window get nothing. Returns the
    others (the cause tried was the effect itself, or the rule refused it), to be searched one
    by one.

    One pass, each effect visited once: cheaper than passes over all the effects for each
    step (each pass walks every event again, scattered in memory), and nothing is kept but
    the picks.
    """
    cause_starts, causes = entry
    width = min(rule.window, _WHOLE_RANGE)
    features_of, find = rule.features, bisect.bisect_right
    take_place, take_gap = picks.places.append, picks.gaps.append
    take_cause, take_effect, take_features = (
        picks.causes.append,
        picks.effects.append,
        picks.features.append,
    )
    unsettled = array.array("q")
    for place in positions:
        effect, start = effects[place], starts[place]
        latest = find(cause_starts, latest_offset(effect, start)) - 1  # no cause: -1
        if latest < 0 or cause_starts[latest] < start - width:
            continue  # nothing in the window
        cause = causes[latest]
        features = None if cause is effect else features_of(cause, effect, scene)
        if features is None:
            unsettled.append(place)
            continue
        take_place(place)
        take_gap(start - cause_starts[latest])
        take_cause(cause)
        take_effect(effect)
        take_features(features)
    return unsettled


def _kept(positions: Iterable[int], flags: Iterable[object]) -> Sequence[int]:
    """The positions whose flag is true, as an array (nothing for the collector to walk)."""
    return array.array("q", itertools.compress(positions, flags))


def _one_by_one(
    rule: Rule,
    index: dict[Hashable, _Entry],
    *,
    start: dt.timedelta,
    latest: dt.timedelta,
    effect: Event,
    keys: Iterable[Hashable],
    scene: Scene,
) -> list[_Pick]:
    """One effect's picks, searched cause by cause (as :func:`search_plainly` does)."""
    limit = rule.per_effect
    picked: list[_Pick] = []
    searched = 0
    for key in keys:
        entry = index.get(key)
        if entry is None:
            continue
        searched += 1
        cause_starts, causes = entry
        low = bisect.bisect_left(cause_starts, start - min(rule.window, _WHOLE_RANGE))
        taken = 0
        for i in range(bisect.bisect_right(cause_starts, latest) - 1, low - 1, -1):
            cause = causes[i]
            if cause is effect:
                continue
            features = rule.features(cause, effect, scene)
            if features is not None:
                picked.append((start - cause_starts[i], cause, effect, features))
                taken += 1
                if taken >= limit:
                    break
    return _nearest(picked, limit) if searched > 1 and picked else picked


def _filed(
    rule: Rule, table: _Table, wanted: set[Hashable] | None = None
) -> dict[Hashable, _Entry]:
    """The rule's causes under their keys, each key's in time order (starts beside them).

    Under the ``wanted`` keys only, if given: the others are never looked under.
    """
    starts, causes = table.of(rule.causes)
    if not causes:
        return {}
    if not _keyed(rule, "cause"):
        return {None: (starts, causes)}
    keys_of = _keys_of(rule.cause_keys, causes)
    groups = _grouped(keys_of, wanted)
    if groups is None:  # many tuples of keys: one cause at a time
        return _filed_one_by_one(starts, causes, keys_of)
    # A few tuples of keys: each key's causes taken out in bulk.
    filed: dict[Hashable, list[Sequence[int]]] = {}
    for keys, positions in groups.items():
        for key in keys:
            if wanted is None or key in wanted:
                filed.setdefault(key, []).append(positions)
    index = {}
    for key, lists in filed.items():
        # in time order; a cause filed twice under one key (a repeated key) stays twice
        chosen = lists[0] if len(lists) == 1 else sorted(itertools.chain(*lists))
        index[key] = (list(map(starts.__getitem__, chosen)), list(map(causes.__getitem__, chosen)))
    return index


def _filed_one_by_one(
    starts: list[dt.timedelta], causes: list[Event], keys_of: list[Iterable[Hashable]]
) -> dict[Hashable, _Entry]:
    """:func:`_filed` for causes with many different tuples of keys."""
    index: dict[Hashable, _Entry] = {}
    for start, cause, cause_keys in zip(starts, causes, keys_of, strict=True):
        for key in cause_keys:
            entry = index.get(key)
            if entry is None:
                entry = index[key] = ([], [])
            entry[0].append(start)
            entry[1].append(cause)
    return index


def _nearest(
    picked: list[tuple[dt.timedelta, Event, Event, dict[str, Feature]]], limit: int
) -> list[tuple[dt.timedelta, Event, Event, dict[str, Feature]]]:
    """The ``limit`` nearest (latest-starting) distinct causes found under several keys."""
    picked.sort(key=lambda p: p[0])
    seen: set[int] = set()
    kept = []
    for item in picked:
        if id(item[1]) not in seen:
            seen.add(id(item[1]))
            kept.append(item)
    return kept[:limit]


def _made_candidates(count: int, *fields: Iterable[Any]) -> list[Candidate]:
    """``count`` candidates from their fields' values, given field by field in field order.

    The same objects as calling :class:`Candidate` on each row, made faster: the engine makes
    hundreds of thousands of candidates from values it already holds as they should be, and
    the class has no validators, converters or hooks to run (a test holds it to that), so
    ``object.__new__`` makes them without attrs' ``__init__`` and each field's slot is set for
    all of them in one C-level pass. This trick lives here only: :func:`search_plainly` (and
    any other code) calls :class:`Candidate` itself.
    """
    made = list(map(object.__new__, itertools.repeat(Candidate, count)))
    for name, values in zip(attrs.fields_dict(Candidate), fields, strict=True):
        slot = Candidate.__dict__[name]  # the slot's descriptor: sets it past the frozen class
        collections.deque(map(slot.__set__, made, values), maxlen=0)
    return made
