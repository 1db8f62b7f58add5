"""Shared test configuration: Hypothesis profiles.

Profiles: ``dev`` (default, quick), ``ci`` (more examples, no deadline: shared
2-core machines are noisy), ``thorough`` (for a long local run).  Pick one with
``HYPOTHESIS_PROFILE``; ``CI`` set in the environment selects ``ci``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=40, deadline=None)
settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)
