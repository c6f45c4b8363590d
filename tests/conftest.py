"""Shared test settings: the Hypothesis profiles.

``dev`` (the default) is quick; ``ci`` tries more examples and prints the blob to reproduce
a failure. Choose with ``HYPOTHESIS_PROFILE=ci``.
"""

import os

from hypothesis import settings

pytest_plugins = ["pytester"]

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("ci", max_examples=200, deadline=None, print_blob=True)
settings.load_profile(os.getenv("HYPOTHESIS_PROFILE", "dev"))
