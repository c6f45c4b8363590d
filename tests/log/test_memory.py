"""MemoryLog, the reference backend, against the conformance suite."""

import pytest

from timeline.log import MemoryLog
from timeline.testing import LogBackendContract


class TestMemoryContract(LogBackendContract):
    @pytest.fixture
    def make_log(self):
        return lambda clock=None: MemoryLog(clock=clock)
