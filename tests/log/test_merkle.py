"""The Merkle tree of RFC 9162: known answers, a plain reference, and tampering that fails."""

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline.log.merkle import (
    EMPTY_ROOT,
    Frontier,
    MerkleTree,
    consistency_ranges,
    frontier,
    hashes_of,
    inclusion_ranges,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

# The reference inputs and answers of RFC 6962's tree (the hashes are RFC 9162's too), as
# the Certificate Transparency project's own merkle tree tests give them.
RFC_LEAVES = [
    bytes.fromhex(x)
    for x in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
RFC_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, 1-based as in the source, tree size, audit path)
RFC_INCLUSION = [
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        2,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (old size, new size, proof)
RFC_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]


def rfc_tree():
    return MerkleTree(leaf_hash(leaf) for leaf in RFC_LEAVES)


# -- a plain reference: RFC 9162's recursive definitions, word for word -----------------------


def split(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves):
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = split(len(leaves))
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m, leaves):
    if len(leaves) == 1:
        return []
    k = split(len(leaves))
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m, leaves, *, whole):
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = split(n)
    if m <= k:
        return [*subproof(m, leaves[:k], whole=whole), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], whole=False), mth(leaves[:k])]


# -- known answers ------------------------------------------------------------------------------


def test_roots_are_rfc_6962s_for_every_size():
    tree = rfc_tree()
    assert EMPTY_ROOT.hex() == RFC_ROOTS[0]
    assert [tree.root(n).hex() for n in range(9)] == RFC_ROOTS


@pytest.mark.parametrize(("leaf", "size", "expected"), RFC_INCLUSION)
def test_inclusion_proofs_are_rfc_6962s(leaf, size, expected):
    tree = rfc_tree()
    proof = tree.inclusion_proof(leaf - 1, size)
    assert [p.hex() for p in proof] == expected
    root = bytes.fromhex(RFC_ROOTS[size])
    assert verify_inclusion(leaf_hash(RFC_LEAVES[leaf - 1]), leaf - 1, size, proof, root)


@pytest.mark.parametrize(("old", "size", "expected"), RFC_CONSISTENCY)
def test_consistency_proofs_are_rfc_6962s(old, size, expected):
    tree = rfc_tree()
    proof = tree.consistency_proof(old, size)
    assert [p.hex() for p in proof] == expected
    old_root, root = bytes.fromhex(RFC_ROOTS[old]), bytes.fromhex(RFC_ROOTS[size])
    assert verify_consistency(old, size, old_root, root, proof)


# -- properties against the reference ---------------------------------------------------------

# Leaves are hashes of data, as a log's are (a raw 32-byte string could pose as an interior
# node, which the 0x00 / 0x01 prefixes rule out only for hashed leaves).
leaves_st = st.lists(st.binary(max_size=40).map(leaf_hash), min_size=1, max_size=70)


@given(leaves_st)
def test_the_kept_tree_agrees_with_the_definition(leaves):
    tree = MerkleTree(leaves)
    for n in range(len(leaves) + 1):
        assert tree.root(n) == mth(leaves[:n])
    again = MerkleTree(levels=tree.levels_of())
    assert again.root() == tree.root()
    assert len(again) == len(tree)


@given(leaves_st, st.data())
def test_every_inclusion_proof_verifies_and_any_change_fails(leaves, data):
    tree = MerkleTree(leaves)
    size = data.draw(st.integers(1, len(leaves)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    proof = tree.inclusion_proof(index, size)
    root = tree.root(size)
    assert list(proof) == path(index, leaves[:size])
    assert verify_inclusion(leaves[index], index, size, proof, root)
    other = data.draw(st.binary(max_size=40).map(leaf_hash).filter(lambda x: x != leaves[index]))
    assert not verify_inclusion(other, index, size, proof, root)
    assert not verify_inclusion(leaves[index], index, size, proof, mth([other, *leaves[:size]]))
    if size > 1:
        wrong = data.draw(st.integers(0, size - 1).filter(lambda i: i != index), label="wrong")
        if leaves[wrong] != leaves[index]:
            assert not verify_inclusion(leaves[index], wrong, size, proof, root)
        assert not verify_inclusion(leaves[index], index, size, proof[:-1], root)
        bad = list(proof)
        at = data.draw(st.integers(0, len(bad) - 1), label="at")
        bad[at] = bytes([bad[at][0] ^ 1]) + bad[at][1:]
        assert not verify_inclusion(leaves[index], index, size, bad, root)


@given(leaves_st, st.data())
def test_every_consistency_proof_verifies_and_a_rewrite_fails(leaves, data):
    tree = MerkleTree(leaves)
    size = data.draw(st.integers(1, len(leaves)), label="size")
    old = data.draw(st.integers(1, size), label="old")
    proof = tree.consistency_proof(old, size)
    assert list(proof) == (subproof(old, leaves[:size], whole=True) if old < size else [])
    assert verify_consistency(old, size, tree.root(old), tree.root(size), proof)
    # Any change to one of the first `old` leaves, any reordering or truncation: the new tree
    # no longer extends the old tree head.
    at = data.draw(st.integers(0, old - 1), label="changed leaf")
    changed = list(leaves[:size])
    changed[at] = bytes([changed[at][0] ^ 1]) + changed[at][1:]
    forged = MerkleTree(changed)
    assert not verify_consistency(
        old, size, tree.root(old), forged.root(), forged.consistency_proof(old, size)
    )
    # A log cut back below the old tree head cannot extend it.
    assert not verify_consistency(old, old - 1, tree.root(old), tree.root(old - 1), ())
    if size > old:
        shuffled = list(reversed(leaves[:size]))
        if shuffled[:old] != leaves[:old]:
            moved = MerkleTree(shuffled)
            assert not verify_consistency(
                old, size, tree.root(old), moved.root(), moved.consistency_proof(old, size)
            )


def test_arguments_out_of_range_are_refused():
    tree = rfc_tree()
    with pytest.raises(ValueError, match="leaf index"):
        tree.inclusion_proof(8, 8)
    with pytest.raises(ValueError, match="larger than tree size"):
        tree.root(9)
    with pytest.raises(ValueError, match="old size 5 is larger than size 3"):
        tree.consistency_proof(5, 3)
    with pytest.raises(ValueError, match="32 bytes"):
        tree.append(b"short")
    assert not verify_inclusion(leaf_hash(b""), 3, 3, [], EMPTY_ROOT)
    assert verify_consistency(0, 8, EMPTY_ROOT, bytes.fromhex(RFC_ROOTS[8]), [])
    assert not verify_consistency(3, 3, bytes.fromhex(RFC_ROOTS[3]), EMPTY_ROOT, [])


@given(leaves_st, st.data())
def test_the_right_edge_alone_grows_the_same_tree(leaves, data):
    """What a store of nodes does: read the edge, append, store what it returns."""
    tree = MerkleTree(leaves)
    cut = data.draw(st.integers(0, len(leaves)), label="cut")
    edge = Frontier(cut, MerkleTree(leaves[:cut]).nodes(frontier(cut)))
    assert edge.root() == tree.root(cut)
    nodes = edge.extend(leaves[cut:])
    assert edge.root() == tree.root()
    assert edge.size == len(leaves)
    assert all(tree.node(level, index) == hash_ for level, index, hash_ in nodes)
    # every node the appended leaves complete, each once
    keys = [(level, index) for level, index, _ in nodes]
    assert len(set(keys)) == len(keys)
    assert set(keys) == {
        (level, index)
        for level in range(1, len(leaves).bit_length())
        for index in range(cut >> level, len(leaves) >> level)
    }


@given(leaves_st, st.data())
def test_a_store_of_the_upper_levels_gets_exactly_those_nodes(leaves, data):
    """``extend(..., lowest=l)``, in batches, gives the nodes from level l up, each the subtree's root."""
    lowest = data.draw(st.integers(1, 5), label="lowest")
    cuts = sorted(data.draw(st.lists(st.integers(0, len(leaves)), max_size=4), label="cuts"))
    edge, nodes = Frontier(), []
    for start, end in zip([0, *cuts], [*cuts, len(leaves)], strict=True):
        nodes += edge.extend(leaves[start:end], lowest=lowest)
    assert edge.root() == mth(leaves)
    assert sorted((level, index) for level, index, _ in nodes) == [
        (level, index)
        for level in range(lowest, len(leaves).bit_length())
        for index in range(len(leaves) >> level)
    ]
    for level, index, hash_ in nodes:
        assert hash_ == mth(leaves[index << level : index + 1 << level])


@given(leaves_st, st.data())
def test_proofs_read_from_a_store_are_the_trees(leaves, data):
    tree = MerkleTree(leaves)
    size = data.draw(st.integers(1, len(leaves)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    old = data.draw(st.integers(0, size), label="old")
    calls = []

    def fetch(keys):
        calls.append(keys)
        return tree.nodes(keys)

    assert hashes_of(inclusion_ranges(index, size), fetch) == list(
        tree.inclusion_proof(index, size)
    )
    assert hashes_of(consistency_ranges(old, size), fetch) == list(
        tree.consistency_proof(old, size)
    )
    assert len(calls) == 2  # one read per proof


def test_a_node_the_store_lacks_is_a_key_error():
    tree = rfc_tree()
    with pytest.raises(KeyError):
        hashes_of([(0, 8)], lambda _: {})
    with pytest.raises(KeyError):
        tree.node(3, 1)
