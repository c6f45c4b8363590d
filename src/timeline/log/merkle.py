"""A Merkle tree over a log's records, in the manner of RFC 9162 (Certificate Transparency v2).

The hash chain proves that a log is intact to someone who kept an earlier head; a Merkle tree
lets a third party who kept nothing but a published *tree head* (a size and a root hash) check
two things without the log:

- **inclusion**: that a given record is the *i*-th of the first *size* records, with a proof of
  about log2(size) hashes;
- **consistency**: that the log of today extends the log the tree head was taken of, record for
  record, with a proof of about log2(size) hashes.

The hashes are those of RFC 9162, section 2.1, so any implementation of it can check our
proofs: a leaf is ``SHA-256(0x00 ‖ leaf data)``, an interior node ``SHA-256(0x01 ‖ left ‖
right)``, the root of *n* > 1 leaves splits them at the largest power of two below *n*, and the
root of no leaves is ``SHA-256("")``. A record's leaf data is the 32 bytes of its chain hash
(:attr:`timeline.log.Recorded.hash`, which covers its position, stream, version, recorded_at
and the event's canonical bytes).

:class:`MerkleTree` keeps every *complete* subtree's hash, level by level (level 0: the
leaves; level *l*, index *j*: the leaves ``j·2^l`` to ``(j+1)·2^l − 1``), so appending a
leaf costs one hash per completed level (two on average), and a root, an inclusion proof or a
consistency proof at any size reads O(log n) stored hashes and computes O(log n) more.

>>> tree = MerkleTree()
>>> for n in range(5):
...     tree.append(leaf_hash(bytes([n]) * 32))
>>> root = tree.root()
>>> proof = tree.inclusion_proof(3, 5)
>>> verify_inclusion(leaf_hash(bytes([3]) * 32), 3, 5, proof, root)
True
>>> old = tree.root(2)
>>> verify_consistency(2, 5, old, root, tree.consistency_proof(2, 5))
True

A store that keeps the nodes elsewhere (a table of a database: :mod:`timeline.log.merkle_store`)
shares the same arithmetic: :class:`Frontier` keeps only the right edge (the nodes the next
append needs) and says which nodes an appended leaf completes,
:func:`inclusion_ranges` and :func:`consistency_ranges` say which subtree hashes a proof is
made of, and :func:`subtrees` which stored nodes make up each of them, so a proof reads its
O(log n) nodes in one query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Final

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Frontier",
    "Key",
    "MerkleTree",
    "Node",
    "consistency_ranges",
    "frontier",
    "hashes_of",
    "inclusion_ranges",
    "leaf_hash",
    "node_hash",
    "range_hash",
    "subtrees",
    "verify_consistency",
    "verify_inclusion",
]

#: A node of the tree: ``(level, index)``; level 0 are the leaves, and node ``(l, j)`` is the
#: root of the complete subtree of the leaves ``j·2^l`` to ``(j+1)·2^l − 1``.
Key = tuple[int, int]
#: A node and its hash: ``(level, index, hash)``, as a store keeps it.
Node = tuple[int, int, bytes]

#: Bytes in a hash (SHA-256).
HASH_SIZE: Final = 32
#: The root of a tree of no leaves: SHA-256 of nothing.
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()

_LEAF: Final = b"\x00"
_NODE: Final = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """The hash of a leaf: ``SHA-256(0x00 ‖ data)``.

    >>> leaf_hash(b"").hex()[:16]
    '6e340b9cffb37a98'
    """
    return hashlib.sha256(_LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: ``SHA-256(0x01 ‖ left ‖ right)``."""
    return hashlib.sha256(_NODE + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n`` ≥ 2): where RFC 9162 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


def frontier(size: int) -> list[Key]:
    """The right edge of the tree of ``size`` leaves: its complete subtrees, largest first.

    One per bit set in ``size``; an append needs no other node (:func:`completed`), and the
    root is their hashes folded from the right.

    >>> frontier(6)
    [(2, 0), (1, 2)]
    """
    levels = reversed(range(size.bit_length()))
    return [(level, (size >> level) - 1) for level in levels if size >> level & 1]


def subtrees(start: int, end: int) -> list[Key]:
    """The complete subtrees whose hashes make the hash of the leaves ``start`` .. ``end - 1``.

    For the ranges RFC 9162's splits make (those of :func:`inclusion_ranges` and
    :func:`consistency_ranges`, and ``(0, size)``): the range split at the largest power of
    two below its length, until each part is a complete, aligned subtree.
    """
    keys: list[Key] = []
    while True:
        n = end - start
        if n & (n - 1) == 0:
            level = n.bit_length() - 1
            keys.append((level, start >> level))
            return keys
        k = _split(n)
        level = k.bit_length() - 1
        keys.append((level, start >> level))
        start += k


def range_hash(start: int, end: int, node: Callable[[int, int], bytes]) -> bytes:
    """The hash of the leaves ``start`` .. ``end - 1``, from the hashes of its :func:`subtrees`.

    ``node(level, index)`` gives a complete subtree's hash. The root of no leaves is
    :data:`EMPTY_ROOT`.
    """
    if start == end:
        return EMPTY_ROOT
    hashes = [node(level, index) for level, index in subtrees(start, end)]
    result = hashes.pop()
    while hashes:
        result = node_hash(hashes.pop(), result)
    return result


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes are the audit path of leaf ``index`` in a tree of ``size``.

    RFC 9162, section 2.1.3.1: the siblings on the way from the leaf to the root, the
    nearest first.
    """
    _check_sizes(size, size, first_name="size", second_name="size")
    if type(index) is not int or not 0 <= index < size:
        raise ValueError(f"leaf index must be in 0..{size - 1}, got {index!r}")
    ranges: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index - start < k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    ranges.reverse()
    return ranges


def consistency_ranges(old_size: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes prove that the tree of ``size`` extends that of ``old_size``.

    RFC 9162, section 2.1.4.1 (``PROOF(m, D[n])``); none where ``old_size`` is 0 or equal to
    ``size``.
    """
    _check_sizes(old_size, size, first_name="old size", second_name="size")
    if old_size in {0, size}:
        return []
    ranges: list[tuple[int, int]] = []
    m, start, end, whole = old_size, 0, size, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            m, start, whole = m - k, start + k, False
    if not whole:
        ranges.append((start, end))
    ranges.reverse()
    return ranges


def hashes_of(
    ranges: Sequence[tuple[int, int]], fetch: Callable[[Collection[Key]], Mapping[Key, bytes]]
) -> list[bytes]:
    """The hashes of leaf ranges, from the nodes ``fetch`` gives for a set of keys, in one call.

    For a store where each read costs a round trip: a proof's O(log n) nodes are read at
    once. A node ``fetch`` leaves out raises :class:`KeyError`.
    """
    keys = {key for start, end in ranges if start != end for key in subtrees(start, end)}
    nodes = fetch(keys)
    return [
        range_hash(start, end, lambda level, index: nodes[level, index]) for start, end in ranges
    ]


class Frontier:
    """The right edge of a tree: enough to append leaves and to compute the root, nothing more.

    Args:
        size: the number of leaves so far.
        nodes: the hashes of :func:`frontier` ``(size)`` (more are ignored).

    :meth:`extend` is the one place that says what an append adds to a tree; every store of
    nodes (:class:`MerkleTree`, a backend's table through :mod:`timeline.log.merkle_store`)
    goes through it. O(log n) memory: what a store that keeps its nodes elsewhere reads
    before an append, and what checks a log against a tree head as it streams by.

    >>> edge = Frontier()
    >>> [(level, index) for level, index, _ in edge.extend([leaf_hash(b"a"), leaf_hash(b"b")])]
    [(1, 0)]
    >>> edge.root() == MerkleTree([leaf_hash(b"a"), leaf_hash(b"b")]).root()
    True
    """

    __slots__ = ("_edge", "size")

    def __init__(self, size: int = 0, nodes: Mapping[Key, bytes] | None = None) -> None:
        self.size = size
        # The edge's node at each level (one per bit set in size), None where there is none.
        self._edge: list[bytes | None] = [None] * (size.bit_length() + 1)
        for level, index in frontier(size):
            self._edge[level] = (nodes or {})[level, index]

    def copy(self) -> Frontier:
        """Another frontier with the same edge, to extend without changing this one."""
        made = Frontier()
        made.size, made._edge = self.size, list(self._edge)
        return made

    def extend(self, leaves: Iterable[bytes], *, lowest: int = 1) -> list[Node]:
        """Add leaf hashes; return the interior nodes they complete from level ``lowest`` up.

        Leaf *i* completes a node at each level where it is a right child (an odd index):
        its parent is ``node_hash(left sibling, node)``, the left sibling being the edge's
        node at that level. One hash per completed level: one per leaf on average. The
        nodes below ``lowest`` are computed all the same (the upper ones are made of them),
        but not returned: for a store that keeps only the upper levels.
        """
        edge, size, sha256 = self._edge, self.size, hashlib.sha256
        interior: list[Node] = []
        for leaf in leaves:
            if len(leaf) != HASH_SIZE:
                raise ValueError(f"a leaf hash has {HASH_SIZE} bytes, got {len(leaf)}")
            node, index, level = leaf, size, 0
            while index & 1:
                node = sha256(_NODE + edge[level] + node).digest()  # type: ignore[operator]  # bit set: the edge has a node there
                edge[level] = None
                index, level = index >> 1, level + 1
                if level >= lowest:
                    interior.append((level, index, node))
            if level == len(edge):
                edge.append(None)
            edge[level] = node
            size += 1
        self.size = size
        return interior

    def root(self) -> bytes:
        """The root hash of the leaves so far."""
        edge = self._edge
        return range_hash(0, self.size, lambda level, _: edge[level] or b"")


def _check_sizes(first: int, second: int, *, first_name: str, second_name: str) -> None:
    for name, value in ((first_name, first), (second_name, second)):
        if type(value) is not int or value < 0:
            raise ValueError(f"{name} must be a whole number ≥ 0, got {value!r}")
    if first > second:
        raise ValueError(f"{first_name} {first} is larger than {second_name} {second}")


class MerkleTree:
    """The hashes of every complete subtree of a list of leaves, grown by appending.

    Args:
        leaves: leaf hashes (:func:`leaf_hash`) to start with, in order.

    ``levels[l]`` holds, packed 32 bytes apiece, the hashes of the complete subtrees of
    ``2^l`` leaves; :meth:`levels_of` and the constructor's ``levels`` argument let a backend
    store and restore them as they are.
    """

    __slots__ = ("_edge", "_levels")

    def __init__(self, leaves: Iterable[bytes] = (), *, levels: Sequence[bytes] = ()) -> None:
        self._levels: list[bytearray] = [bytearray(level) for level in levels] or [bytearray()]
        self._edge = Frontier(len(self), self.nodes(frontier(len(self))))
        self.extend(leaves)

    def __len__(self) -> int:
        """The number of leaves."""
        return len(self._levels[0]) // HASH_SIZE

    def levels_of(self) -> list[bytes]:
        """Every level's packed hashes, leaves first: what a backend stores."""
        return [bytes(level) for level in self._levels]

    def append(self, leaf: bytes) -> None:
        """Add a leaf hash, and the hash of every subtree it completes (:class:`Frontier`)."""
        self.extend((leaf,))

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Add leaf hashes in order."""
        levels = self._levels
        for leaf in leaves:
            for level, _, node in self._edge.extend((leaf,)):
                if level == len(levels):
                    levels.append(bytearray())
                levels[level] += node
            levels[0] += leaf

    def node(self, level: int, index: int) -> bytes:
        """The hash of the complete subtree ``(level, index)`` (:data:`Key`)."""
        start = index * HASH_SIZE
        found = (
            bytes(self._levels[level][start : start + HASH_SIZE])
            if level < len(self._levels)
            else b""
        )
        if len(found) != HASH_SIZE:
            raise KeyError((level, index))
        return found

    def nodes(self, keys: Collection[Key]) -> dict[Key, bytes]:
        """The hashes of complete subtrees, by key (what a store's lookup answers)."""
        return {key: self.node(*key) for key in keys}

    def root(self, size: int | None = None) -> bytes:
        """The root hash of the first ``size`` leaves (all of them by default)."""
        size = len(self) if size is None else size
        _check_sizes(size, len(self), first_name="size", second_name="tree size")
        return range_hash(0, size, self.node)

    def inclusion_proof(self, index: int, size: int | None = None) -> tuple[bytes, ...]:
        """The audit path of leaf ``index`` (0-based) in the tree of the first ``size`` leaves.

        RFC 9162, section 2.1.3.1: the hashes of the siblings on the way from the leaf to
        the root, the nearest first.
        """
        size = len(self) if size is None else size
        _check_sizes(size, len(self), first_name="size", second_name="tree size")
        return tuple(range_hash(s, e, self.node) for s, e in inclusion_ranges(index, size))

    def consistency_proof(self, old_size: int, size: int | None = None) -> tuple[bytes, ...]:
        """The proof that the tree of ``size`` leaves extends the tree of ``old_size``.

        RFC 9162, section 2.1.4.1 (``PROOF(m, D[n])``); empty where ``old_size`` is 0 or
        equal to ``size``.
        """
        size = len(self) if size is None else size
        _check_sizes(size, len(self), first_name="size", second_name="tree size")
        return tuple(range_hash(s, e, self.node) for s, e in consistency_ranges(old_size, size))


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows leaf hash ``leaf`` at ``index`` in the tree of ``size`` and ``root``.

    RFC 9162, section 2.1.3.2. Needs no log: only the leaf hash, the proof and a tree head.
    """
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, size: int, old_root: bytes, root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree ``(size, root)`` extends the tree ``(old_size, old_root)``.

    RFC 9162, section 2.1.4.2. Needs no log: only the two tree heads and the proof. Every
    tree extends the empty one; a tree is consistent with itself only if the roots agree.
    """
    if old_size < 0 or old_size > size:
        return False
    if old_size in {0, size}:
        return not proof and (old_size == 0 or old_root == root)
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # an exact power of two: the old root is a node
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == root and sn == 0
