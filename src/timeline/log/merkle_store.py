"""The Merkle tree a log keeps over its records, and what it gives: checkpoints and proofs.

Every log keeps an RFC 9162 tree (:mod:`timeline.log.merkle`) over its records: leaf *i* is
``SHA-256(0x00 ‖ the 32 bytes of record i+1's chain hash)``. It is what
:meth:`~ProvableLog.checkpoint` signs and what :meth:`~ProvableLog.prove_inclusion` and
:meth:`~ProvableLog.prove_consistency` read their O(log n) hashes from.

**Kept incrementally.** Each append adds the nodes its records complete (:func:`grow_tree`,
called by :meth:`~timeline.log.EventLog.append` inside its transaction, after ``insert``):
it reads the tree's right edge (one node per bit of the size) and stores the new nodes. The
storage is the backend's, through four optional methods of the storage protocol:

=============================  ===============================================================
``merkle_count(level)``        how many nodes of a level are stored; ``None``: none stored
``merkle_nodes(keys)``         the stored hashes of these ``(level, index)`` nodes
``merkle_insert(nodes)``       store ``(level, index, hash)`` nodes (inside ``writing()``)
``record_hashes(positions)``   the records' chain hashes (a default reads them by ``scan``)
=============================  ===============================================================

Only the interior nodes from level :data:`STORED_LEVEL` (4) up are stored: the roots of
subtrees of 16 records or more, one row per 8 records. The leaves are the records' own
hashes, which the log holds already (:meth:`ProvableLog.record_hashes`), and a node below
level 4 is computed from its at most 16 leaves when a proof needs it (a proof needs at most
a few such subtrees, read in one query). Storing every level would cost an append a row per
record, a B-tree insert each; this costs one per 8 (``benchmarks/integrity.py`` measures
it). A tree of *n* records has ``n >> 4`` stored nodes at level 4: they and the last
``n % 16`` records make its right edge.

``MemoryLog`` keeps them in lists, ``SQLiteLog`` and ``PostgresLog`` in a table
``timeline_merkle (level, idx, hash)`` written in the append's own transaction. A backend
that implements none of them (``JsonlLog``, whose file holds every hash already; a backend of
your own) gets the plain fallback: the tree is built in memory on first use, from
:meth:`~timeline.log.EventLog.raw` with the hash chain checked, then grown by this object's
appends and caught up with other writers' through :meth:`~timeline.log.EventLog.scan`.

**Built on first use.** A log written before it kept a tree, or appended to by an older
version of timeline, has a stored tree that covers fewer records than it holds: appends
leave such a tree alone, and the first checkpoint or proof completes it (under the write
lock, in one transaction), reading the missing records' hashes from the log.

**Checked against the records.** The stored tree is derived data: a checkpoint signs it as
it is (reading O(log n) nodes, never the whole log), and
:func:`verify_against` never trusts it, but recomputes the root from the records themselves
as it walks the hash chain.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final, cast

import attrs

from timeline.errors import CorruptLog, InvalidArgument, TimelineError, UnknownEvent
from timeline.integrity import Checkpoint, ConsistencyProof, InclusionProof, SigningKey
from timeline.log.merkle import (
    _LEAF,
    EMPTY_ROOT,
    Frontier,
    Key,
    MerkleTree,
    Node,
    consistency_ranges,
    frontier,
    hashes_of,
    inclusion_ranges,
    leaf_hash,
    node_hash,
)
from timeline.log.query import Query
from timeline.log.records import GENESIS, StoredRecord, VerifyReport, verify_chain
from timeline.time import to_utc

if TYPE_CHECKING:
    from timeline.log.base import EventLog

__all__ = [
    "STORED_LEVEL",
    "ProvableLog",
    "TreeView",
    "grow_tree",
    "record_leaf",
    "tree_of",
    "verify_against",
]

#: The lowest level of interior nodes a backend stores (see the module).
STORED_LEVEL: Final = 4
#: Where the fallback tree lives in a log's :attr:`~timeline.log.EventLog.derived` data.
_KEPT: Final = "timeline.merkle"
#: Nodes stored per statement while a tree is built.
_BUILD_BATCH: Final = 50_000


def record_leaf(chain_hash: str) -> bytes:
    """The leaf hash of a record: ``SHA-256(0x00 ‖ the 32 bytes of its chain hash)``."""
    return leaf_hash(bytes.fromhex(chain_hash))


def _leaves(hashes: Mapping[int, object]) -> dict[Key, bytes]:
    """Leaf nodes from chain hashes by position.

    A hash that is not 64 hex digits (a damaged row) gives no leaf: the node is missing,
    and the tree reports it (:class:`~timeline.errors.CorruptLog`).
    """
    leaves: dict[Key, bytes] = {}
    for position, hash_ in hashes.items():
        if isinstance(hash_, str) and len(hash_) == 64:  # noqa: PLR2004  # hex SHA-256
            try:
                leaves[0, position - 1] = record_leaf(hash_)
            except ValueError:
                continue
    return leaves


@attrs.frozen
class TreeView:
    """The first ``size`` leaves of a log's tree, read through ``fetch`` (one call per answer).

    Attributes:
        size: the leaves it covers.
        fetch: gives the hashes of a collection of ``(level, index)`` nodes.
    """

    size: int
    fetch: Callable[[Collection[Key]], Mapping[Key, bytes]]

    def hashes(self, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        """The hashes of leaf ranges (:func:`~timeline.log.merkle.hashes_of`).

        Raises:
            CorruptLog: a node the tree should hold is missing.
        """
        try:
            return hashes_of(ranges, self.fetch)
        except KeyError as e:
            level, index = e.args[0]
            position = (index << level) + 1
            reason = f"the stored Merkle tree has no node ({level}, {index})"
            raise CorruptLog(
                f"{reason}: the tree is damaged from position {position}",
                position=position,
                reason=reason,
            ) from e

    def root(self, size: int | None = None) -> bytes:
        """The root hash of the first ``size`` leaves (all of them by default)."""
        return self.hashes([(0, self.size if size is None else size)])[0]


class _Kept:
    """The fallback tree of a log whose backend stores none, in its derived data."""

    def __init__(self) -> None:
        self.tree = MerkleTree()
        self.lock = threading.Lock()


def _feed(log: EventLog, after: int, consume: Callable[[str], object]) -> None:
    """Give ``consume`` the chain hash of every record after position ``after``, in order.

    From the start, through :meth:`~timeline.log.EventLog.raw` with the hash chain checked;
    from a later position, through :meth:`~timeline.log.EventLog.scan`.

    Raises:
        CorruptLog: at the first record that is not intact.
    """
    if after:
        expected = after + 1
        for record in log.scan(Query(after)):
            if record.position != expected:
                raise CorruptLog(
                    f"position {record.position} found where {expected} was expected",
                    position=expected,
                    reason="missing or reordered record",
                )
            consume(record.hash)
            expected += 1
        return

    def checked() -> Iterable[StoredRecord]:
        for record in log.raw():
            yield record  # verify_chain asks for the next only if this one is intact
            consume(record.hash)

    report = verify_chain(checked())
    if not report.ok:
        position = report.position or report.checked + 1
        raise CorruptLog(
            f"the Merkle tree cannot be built over a damaged log: position {position}: "
            f"{report.reason}",
            position=position,
            reason=str(report.reason),
        )


def _memory_tree(log: EventLog) -> TreeView:
    """The fallback tree, caught up with the log."""
    kept = log.derived.get(_KEPT)
    if not isinstance(kept, _Kept):
        kept = log.derived[_KEPT] = _Kept()
    with kept.lock:
        n = len(log)
        if len(kept.tree) > n:  # an append that grew it was rolled back: start again
            kept.tree = MerkleTree()
        tree = kept.tree
        _feed(log, len(tree), lambda hash_: tree.append(record_leaf(hash_)))
        return TreeView(len(tree), tree.nodes)


def _covered(log: EventLog, n: int) -> int | None:
    """How many of the log's ``n`` records the stored tree covers (``None``: none stored)."""
    count = log.merkle_count(STORED_LEVEL)
    if count is None:
        return None
    stored = count << STORED_LEVEL
    # The last n % 16 records complete no stored node: they are covered by being there.
    return n if 0 <= n - stored < 1 << STORED_LEVEL else stored


def _subtree_hash(leaves: list[bytes]) -> bytes:
    """The root of a complete subtree (2^l leaves), hashed pair by pair."""
    while len(leaves) > 1:
        leaves = [node_hash(leaves[i], leaves[i + 1]) for i in range(0, len(leaves), 2)]
    return leaves[0]


def _nodes(log: EventLog, keys: Collection[Key]) -> dict[Key, bytes]:
    """The hashes of any nodes: one call of ``merkle_nodes`` and one of ``record_hashes``.

    Stored levels come from the tree's store, leaves from the records' hashes, and the
    levels between are computed from their leaves. A node it cannot find or compute is left
    out.
    """
    low = [(level, index) for level, index in keys if 0 < level < STORED_LEVEL]
    stored = [key for key in keys if key[0] >= STORED_LEVEL]
    wanted = {index for level, index in keys if level == 0}
    wanted.update(j for level, index in low for j in range(index << level, index + 1 << level))
    found = log.merkle_nodes(stored) if stored else {}
    if wanted:
        found.update(_leaves(log.record_hashes([j + 1 for j in sorted(wanted)])))
    for level, index in low:
        leaves = [found.get((0, j)) for j in range(index << level, index + 1 << level)]
        if all(leaves):
            found[level, index] = _subtree_hash(leaves)  # type: ignore[arg-type]  # all found
    return found


def _build_stored(log: EventLog) -> None:
    """Complete a stored tree that covers fewer records than the log holds, in one transaction."""
    with log.writing():
        n = len(log)
        stored = _covered(log, n) or 0
        if stored >= n:
            return  # another process built it meanwhile
        edge = Frontier(stored, _fetch(log, frontier(stored), stored))
        pending: list[Node] = []

        def add(hash_: str) -> None:
            pending.extend(edge.extend((record_leaf(hash_),), lowest=STORED_LEVEL))
            if len(pending) >= _BUILD_BATCH:
                log.merkle_insert(pending)
                pending.clear()

        _feed(log, stored, add)
        if pending:
            log.merkle_insert(pending)


def _fetch(log: EventLog, keys: Collection[Key], size: int) -> Mapping[Key, bytes]:
    """Stored nodes, every one of them there, or :class:`CorruptLog`."""
    nodes = _nodes(log, keys)
    missing = sorted(set(keys) - set(nodes))
    if missing:
        level, index = missing[0]
        reason = f"the stored Merkle tree of {size} records has no node ({level}, {index})"
        raise CorruptLog(reason, position=(index << level) + 1, reason=reason)
    return nodes


def tree_of(log: EventLog) -> TreeView:
    """The log's tree over all its records, completed first where it is behind.

    Raises:
        CorruptLog: the stored tree covers more records than the log holds (records were
            removed from its end), or it cannot be completed because the log is damaged.
    """
    n = len(log)
    stored = _covered(log, n)
    if stored is None:
        return _memory_tree(log)
    if stored > n:
        reason = (
            f"the stored Merkle tree covers {stored} records but the log holds {n}: "
            "records were removed from its end"
        )
        raise CorruptLog(reason, position=n + 1, reason=reason)
    if stored < n:
        try:
            _build_stored(log)
        except TimelineError as e:
            if isinstance(e, CorruptLog):
                raise
            return _memory_tree(log)  # a read-only file or role: kept in memory instead
    return TreeView(n, lambda keys: _nodes(log, keys))


def grow_tree(
    log: EventLog, records: Sequence[StoredRecord], edge: Frontier | None = None
) -> Frontier | None:
    """Add the nodes an append's records complete (inside :meth:`~EventLog.writing`).

    ``edge`` is the stored tree's right edge over the records before these, where the caller
    knows it (its own last append, on the same tail); otherwise it is read from the store.
    Returns the edge over these records too, or ``None`` where no tree is stored.

    A stored tree that does not cover exactly the records before these (a log written
    before, or by an older version) is left for :func:`tree_of` to complete.
    """
    before = records[0].position - 1
    if edge is None or edge.size != before:
        stored = _covered(log, before)
        if stored is None:
            kept = log.derived.get(_KEPT)
            if isinstance(kept, _Kept):
                with kept.lock:
                    if len(kept.tree) == before:
                        kept.tree.extend(record_leaf(r.hash) for r in records)
            return None
        if stored != before:
            return None
        edge = Frontier(before, _fetch(log, frontier(before), before))
    else:
        edge = edge.copy()  # the caller's stays as it was if this transaction fails
    sha256, leaf, fromhex = hashlib.sha256, _LEAF, bytes.fromhex  # record_leaf, inline
    leaves = [sha256(leaf + fromhex(r.hash)).digest() for r in records]
    nodes = edge.extend(leaves, lowest=STORED_LEVEL)
    if nodes:  # most small appends complete no stored node
        log.merkle_insert(nodes)
    return edge


def verify_against(log: EventLog, checkpoint: Checkpoint) -> VerifyReport:
    """Walk the hash chain, and check that its first ``checkpoint.size`` records have its root.

    The root is computed from the records as they stream by (never from the stored tree),
    so any change to those records is found: one edited and the hashes after it recomputed,
    one inserted, removed or moved, the log cut short.
    """
    if not isinstance(checkpoint, Checkpoint):
        raise InvalidArgument(
            f"against must be a Checkpoint, got {checkpoint!r}",
            argument="against",
            value=checkpoint,
        )
    size = checkpoint.size
    edge = Frontier()
    differs = size == 0 and checkpoint.root != EMPTY_ROOT

    def checked() -> Iterable[StoredRecord]:
        nonlocal differs
        for record in log.raw():
            yield record  # verify_chain asks for the next only if this one is intact
            if edge.size < size:
                edge.extend((record_leaf(record.hash),))
                if edge.size == size and edge.root() != checkpoint.root:
                    differs = True
                    return

    report = verify_chain(checked()) if not differs else VerifyReport(ok=True, checked=0)
    if differs:
        return VerifyReport(
            ok=False,
            checked=0,
            position=None,
            reason=(
                f"the first {size} records do not have the checkpoint's Merkle root "
                f"{checkpoint.root.hex()[:16]}: at least one of them was changed, added, "
                "removed or moved since it was taken (and the hash chain recomputed)"
            ),
        )
    if not report.ok:
        return report
    if report.checked < size:
        return VerifyReport(
            ok=False,
            checked=report.checked,
            position=report.checked + 1,
            reason=(
                f"the log holds {report.checked} records but the checkpoint covers {size}: "
                "records were removed from its end"
            ),
        )
    return report


def _position_of(log: EventLog, record: int | uuid.UUID) -> int:
    if isinstance(record, uuid.UUID):
        found = log.find(record)
        if found is None:
            raise UnknownEvent(f"event {record} is not in the log", event_id=record)
        return found.position
    if type(record) is not int or record < 1:
        raise InvalidArgument(
            f"record must be a position ≥ 1 or an event id, got {record!r}",
            argument="record",
            value=record,
        )
    return record


def _check_size(size: int | None, least: int, most: int, name: str = "size") -> int:
    size = most if size is None else size
    if type(size) is not int or not least <= size <= most:
        raise InvalidArgument(
            f"{name} must be a whole number in {least}..{most}, got {size!r}",
            argument=name,
            value=size,
        )
    return size


class ProvableLog:
    """The Merkle tree's part of :class:`~timeline.log.EventLog`: checkpoints and proofs.

    Also the three optional methods of the storage protocol for the tree (see the module),
    here with the defaults of a backend that stores none.
    """

    # -- the storage protocol: optional, for a backend that stores the tree ------------------

    def merkle_count(self, level: int) -> int | None:  # noqa: ARG002  # the default: none stored
        """How many nodes of ``level`` are stored; ``None``: this backend stores no tree."""
        return None

    def merkle_nodes(self, keys: Collection[Key]) -> dict[Key, bytes]:  # noqa: ARG002  # the default: none stored
        """The stored hashes of the nodes ``keys`` (``(level, index)``); absent ones left out.

        Only nodes of the stored levels (:data:`STORED_LEVEL` and up) are asked for.
        """
        return {}

    def merkle_insert(self, nodes: Sequence[Node]) -> None:  # noqa: ARG002  # the default: none stored
        """Store ``(level, index, hash)`` nodes, inside :meth:`~timeline.log.EventLog.writing`.

        Only nodes from :data:`STORED_LEVEL` up are given, each level's in index order.
        """
        return

    def record_hashes(self, positions: Sequence[int]) -> dict[int, str]:
        """The chain hashes of the records at ``positions`` (absent ones left out).

        Part of the protocol, optional: this default reads each record through
        :meth:`~timeline.log.EventLog.scan`; a store with an index by position answers
        in one query.
        """
        log = cast("EventLog", self)
        found = {}
        for position in positions:
            record = next(iter(log.scan(Query(position - 1))), None)
            if record is not None and record.position == position:
                found[position] = record.hash
        return found

    # -- what the tree gives ------------------------------------------------------------------

    def checkpoint(self, key: SigningKey | None = None) -> Checkpoint:
        """A signed checkpoint (tree head) of the log as it is: its size and Merkle root, now.

        Args:
            key: the signing key; by default :meth:`SigningKey.default`, made on first use
                in :func:`~timeline.integrity.default_key_dir`.

        The time is the log's clock's. Publish the result (``to_json``) and the key's public
        half (:meth:`~timeline.integrity.SigningKey.public_pem`): anyone can then check a
        copy of the log against it (:meth:`~timeline.log.EventLog.verify` with ``against``)
        and the proofs of this log (:func:`~timeline.integrity.verify_inclusion`).

        Raises:
            MissingExtra: without the ``integrity`` extra (``cryptography``).
            CorruptLog: the stored tree is damaged, or cannot be completed over a damaged
                log.
        """
        log = cast("EventLog", self)
        signer = key if key is not None else SigningKey.default()
        if not isinstance(signer, SigningKey):
            raise InvalidArgument(
                f"key must be a SigningKey, got {key!r}", argument="key", value=key
            )
        view = tree_of(log)
        root = view.root()
        return signer.sign(size=view.size, root=root, time=to_utc(log.clock.now(), field="time"))

    def prove_inclusion(self, record: int | uuid.UUID, size: int | None = None) -> InclusionProof:
        """The proof that a record is among the first ``size`` records (all, by default).

        Args:
            record: its position, or its event's id.
            size: the size of the checkpoint to check the proof against.

        Raises:
            UnknownEvent: for an event id the log does not hold.
            InvalidArgument: for a position or size out of range.
            CorruptLog: the stored tree disagrees with the record.
        """
        log = cast("EventLog", self)
        position = _position_of(log, record)
        view = tree_of(log)
        _check_size(position, 1, view.size, "record")
        size = _check_size(size, position, view.size)
        hashes = log.record_hashes([position - 1, position] if position > 1 else [position])
        *path, leaf = view.hashes([*inclusion_ranges(position - 1, size), (position - 1, position)])
        mine = hashes.get(position)
        if mine is None or record_leaf(mine) != leaf:
            reason = "the stored Merkle tree's leaf is not the record's hash"
            raise CorruptLog(f"{reason} (position {position})", position=position, reason=reason)
        return InclusionProof(
            size=size,
            position=position,
            record_hash=mine,
            previous_hash=hashes.get(position - 1, GENESIS),
            path=tuple(path),
        )

    def prove_consistency(self, old_size: int, size: int | None = None) -> ConsistencyProof:
        """The proof that the first ``size`` records (all, by default) extend the first ``old_size``.

        What a reader who kept a checkpoint of ``old_size`` records checks a newer checkpoint
        against (:func:`~timeline.integrity.verify_consistency`).

        Raises:
            InvalidArgument: for sizes out of range (``0 ≤ old_size ≤ size ≤ len(log)``).
        """
        view = tree_of(cast("EventLog", self))
        size = _check_size(size, 0, view.size)
        old_size = _check_size(old_size, 0, size, "old_size")
        return ConsistencyProof(
            old_size=old_size,
            size=size,
            path=tuple(view.hashes(consistency_ranges(old_size, size))),
        )
