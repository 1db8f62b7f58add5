"""``tnorder demo --carrier telnyx-fake``, run as a user runs it (a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tnorder.demo import run_demo
from tnorder.errors import ValidationError


def test_the_telnyx_story_runs_against_the_fake(tmp_path: Path) -> None:
    """The story reaches its end through the Telnyx adapter over HTTP: numbers held at
    the fake, the order completed by a signed webhook, a replay refused, a disconnect done."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("COLUMNS", None)  # checked as a wide terminal shows it
    result = subprocess.run(
        [sys.executable, "-m", "tnorder", "demo", "--carrier", "telnyx-fake", "--plain"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert 0 == result.returncode, result.stdout + result.stderr
    for fact in (
        "loopback fake Telnyx",
        "Telnyx holds the three numbers",
        "the request id is the order's customer_reference at Telnyx",
        "refused: CallbackNotVerified: webhook delivery replayed",
        "the number is Disconnected in inventory",
        "10/10",
    ):
        assert fact in result.stdout


def test_an_unknown_demo_carrier_is_refused() -> None:
    """``run_demo`` names the carriers it knows."""
    with pytest.raises(ValidationError, match="telnyx-fake"):
        run_demo(carrier="bandwidth-live")
