"""The conformance suite's Merkle properties: every checkpoint and proof of any log checks out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline.events import Event
from timeline.integrity import SigningKey, verify_consistency, verify_inclusion
from timeline.log.merkle import MerkleTree, leaf_hash
from timeline.testing._contract_support import PROPERTY, T0, LogFactory, statement
from timeline.time import FixedClock

__all__ = ["ProofContract"]


class ProofContract:
    """The Merkle tree every backend keeps (or gets kept for it): checkpoints and proofs."""

    event_types: Sequence[type[Event]]

    def test_every_checkpoint_and_proof_of_any_log_verifies(self, make_log: LogFactory) -> None:
        pytest.importorskip("cryptography", reason="signed checkpoints need the integrity extra")
        key = SigningKey.generate()

        @PROPERTY
        @given(data=st.data())
        def run(data: st.DataObject) -> None:
            _proofs_verify(make_log, key, data)

        run()


def _proofs_verify(make_log: LogFactory, key: SigningKey, data: st.DataObject) -> None:
    """Checkpoints after each append have the reference root; every proof between them verifies."""
    sizes = data.draw(st.lists(st.integers(1, 21), min_size=1, max_size=5), label="batches")
    with make_log(clock=FixedClock(T0, tick=dt.timedelta(seconds=1))) as log:
        checkpoints = [log.checkpoint(key)]
        for n, size in enumerate(sizes):
            log.append([statement(100 * n + i) for i in range(size)], stream=f"s{n % 2}")
            checkpoints.append(log.checkpoint(key))
        read = list(log.read())
        reference = MerkleTree(leaf_hash(bytes.fromhex(r.hash)) for r in read)
        for cp in checkpoints:
            assert cp.root == reference.root(cp.size)
            assert log.verify(against=cp).ok
            if cp.size:
                positions = {1, cp.size, data.draw(st.integers(1, cp.size), label="position")}
                for position in positions:
                    included = log.prove_inclusion(position, cp.size)
                    record = read[position - 1]
                    assert included.record_hash == record.hash
                    assert verify_inclusion(included, cp, record.hash, public_key=key.public_key)
                    assert log.prove_inclusion(record.event.event_id, cp.size) == included
        old, new = sorted(data.draw(st.lists(st.sampled_from(checkpoints), min_size=2, max_size=2),
                                    label="pair"), key=lambda cp: cp.size)  # fmt: skip
        proof = log.prove_consistency(old.size, new.size)
        assert verify_consistency(proof, old, new, public_key=key.public_key)
        assert verify_consistency(
            log.prove_consistency(0), checkpoints[0], checkpoints[-1], public_key=None
        )
