"""Testing tools for timeline and for code built on it (the ``testing`` extra).

- :mod:`timeline.testing.strategies`: Hypothesis strategies for every event type (yours
  included), for whole logs, and for their parts;
- :class:`LogBackendContract`: the conformance suite every :class:`~timeline.log.EventLog`
  backend passes; subclass it to check your own;
- :class:`FixedClock`: a clock that moves only when told to.
"""

import pytest

# Plain asserts in the contract report their values, as in a test module.
pytest.register_assert_rewrite(
    "timeline.testing.contract",
    "timeline.testing._contract_properties",
    "timeline.testing._contract_proofs",
    "timeline.testing._contract_reads",
    "timeline.testing._contract_support",
    "timeline.testing._contract_writes",
)

from timeline.testing import strategies  # noqa: E402  # after the rewrite hook above
from timeline.testing.contract import LogBackendContract, LogFactory  # noqa: E402  # same
from timeline.time import FixedClock  # noqa: E402  # same

__all__ = ["FixedClock", "LogBackendContract", "LogFactory", "strategies"]
