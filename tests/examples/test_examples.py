"""Every program in ``examples/`` runs as a user would run it, and does what it says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TIMEOUT = 180

# example file -> (command after the interpreter, lines its output must contain)
RUNS: dict[str, tuple[list[str], list[str]]] = {
    "wsgi_service.py": (
        [],
        [
            "POST orders: 201",
            "empty order: 422 ValidationError - an order has at least one line item",
            "GET orders-tab: 200",
            "item: +14045550123 Order Submitted |",
            "customer cancel: 403 Orders cannot be cancelled in the portal.",
            "manager cancel: 200 cancelled",
            "another account: 404",
        ],
    ),
    "outbox_consumer.py": (
        [],
        [
            "relay: delivering",
            "delivered 3, handled 3: {'OrderPlaced': 1, 'ItemStatusChanged': 2}",
            "duplicates dropped: ['ORD-",
        ],
    ),
    "carrier_adapter.py": (
        [],
        [
            "offered: ['+14045550101', '+14045550102', '+14045550103']",
            "selected: completed IH-",
            "holds left at the carrier: 0",
            "+14045550101: In Progress",
            "disconnect: completed",
            "refused: carrier 'in-house' cannot look numbers up by state",
        ],
    ),
    "property_test.py": (
        ["-m", "pytest", "-q", "-p", "no:cacheprovider"],
        ["3 passed"],
    ),
}


def run_example(name: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    prefix, _ = RUNS[name]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, *prefix, str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
        cwd=cwd,  # anything an example writes (Hypothesis' database) stays out of the repo
        env=env,
        check=False,
    )


@pytest.mark.heavy
@pytest.mark.parametrize("name", sorted(RUNS))
def test_the_example_runs_and_shows_what_it_promises(name: str, tmp_path: Path) -> None:
    """The example exits 0 and prints each line its docstring promises."""
    done = run_example(name, tmp_path)
    assert 0 == done.returncode, done.stdout + done.stderr
    missing = [line for line in RUNS[name][1] if line not in done.stdout]
    assert [] == missing, done.stdout
    assert "Traceback" not in done.stderr


def test_every_example_runs_in_the_suite() -> None:
    """Each file in examples/ is run here or by a test module of its own."""
    own_tests = {p.name.removeprefix("test_") for p in Path(__file__).parent.glob("test_*.py")}
    uncovered = [
        p.name for p in sorted(EXAMPLES.glob("*.py")) if p.name not in RUNS.keys() | own_tests
    ]
    assert [] == uncovered
