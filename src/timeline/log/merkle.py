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
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Final

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MerkleTree",
    "leaf_hash",
    "node_hash",
    "verify_consistency",
    "verify_inclusion",
]

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

    __slots__ = ("_levels",)

    def __init__(self, leaves: Iterable[bytes] = (), *, levels: Sequence[bytes] = ()) -> None:
        self._levels: list[bytearray] = [bytearray(level) for level in levels] or [bytearray()]
        for leaf in leaves:
            self.append(leaf)

    def __len__(self) -> int:
        """The number of leaves."""
        return len(self._levels[0]) // HASH_SIZE

    def levels_of(self) -> list[bytes]:
        """Every level's packed hashes, leaves first: what a backend stores."""
        return [bytes(level) for level in self._levels]

    def append(self, leaf: bytes) -> None:
        """Add a leaf hash, and the hash of every subtree it completes."""
        if len(leaf) != HASH_SIZE:
            raise ValueError(f"a leaf hash has {HASH_SIZE} bytes, got {len(leaf)}")
        node, index, level = leaf, len(self), 0
        while True:
            if level == len(self._levels):
                self._levels.append(bytearray())
            self._levels[level] += node
            if index % 2 == 0:
                return
            left = self._node(level, index - 1)
            node, index, level = node_hash(left, node), index // 2, level + 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Add leaf hashes in order."""
        for leaf in leaves:
            self.append(leaf)

    def _node(self, level: int, index: int) -> bytes:
        start = index * HASH_SIZE
        return bytes(self._levels[level][start : start + HASH_SIZE])

    def _hash(self, start: int, end: int) -> bytes:
        """The root of the leaves ``start`` .. ``end - 1`` (a range RFC 9162 splitting makes)."""
        n = end - start
        if n & (n - 1) == 0:  # a complete subtree (RFC 9162's splits keep its start aligned)
            level = n.bit_length() - 1
            return self._node(level, start >> level)
        k = _split(n)
        return node_hash(self._hash(start, start + k), self._hash(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        """The root hash of the first ``size`` leaves (all of them by default)."""
        size = len(self) if size is None else size
        _check_sizes(size, len(self), first_name="size", second_name="tree size")
        return EMPTY_ROOT if size == 0 else self._hash(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> tuple[bytes, ...]:
        """The audit path of leaf ``index`` (0-based) in the tree of the first ``size`` leaves.

        RFC 9162, section 2.1.3.1: the hashes of the siblings on the way from the leaf to
        the root, the nearest first.
        """
        size = len(self) if size is None else size
        _check_sizes(size, len(self), first_name="size", second_name="tree size")
        if type(index) is not int or not 0 <= index < size:
            raise ValueError(f"leaf index must be in 0..{size - 1}, got {index!r}")
        path: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = _split(end - start)
            if index - start < k:
                path.append(self._hash(start + k, end))
                end = start + k
            else:
                path.append(self._hash(start, start + k))
                start += k
        path.reverse()
        return tuple(path)

    def consistency_proof(self, old_size: int, size: int | None = None) -> tuple[bytes, ...]:
        """The proof that the tree of ``size`` leaves extends the tree of ``old_size``.

        RFC 9162, section 2.1.4.1 (``PROOF(m, D[n])``); empty where ``old_size`` is 0 or
        equal to ``size``.
        """
        size = len(self) if size is None else size
        _check_sizes(size, len(self), first_name="size", second_name="tree size")
        _check_sizes(old_size, size, first_name="old size", second_name="size")
        if old_size in {0, size}:
            return ()
        proof: list[bytes] = []
        m, start, end, whole = old_size, 0, size, True
        while m != end - start:
            k = _split(end - start)
            if m <= k:
                proof.append(self._hash(start + k, end))
                end = start + k
            else:
                proof.append(self._hash(start, start + k))
                m, start, whole = m - k, start + k, False
        if not whole:
            proof.append(self._hash(start, end))
        proof.reverse()
        return tuple(proof)


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
