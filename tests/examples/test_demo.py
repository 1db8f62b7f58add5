"""``tnorder demo`` and the other commands, run as a user runs them (a subprocess)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tnorder import ItemStatus, __version__
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.demo import run_demo, runner
from tnorder.demo.scenarios import SCENARIOS, Scenario
from tnorder.errors import OrderNotFound

TIMEOUT = 120


def tnorder(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m tnorder ARGS`` and capture its output."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("FORCE_COLOR", None)
    # The output is checked as a wide terminal shows it (pytest-xdist workers set COLUMNS).
    env.pop("COLUMNS", None)
    return subprocess.run(
        [sys.executable, "-m", "tnorder", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
        cwd=cwd,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def demo() -> subprocess.CompletedProcess[str]:
    return tnorder("demo", "--plain")


def sections(output: str) -> dict[int, str]:
    """The demo's output split at its scenario headings ("3. Porting a number in ---")."""
    parts = re.split(r"^(\d)\. .*$", output, flags=re.MULTILINE)
    return {int(number): text for number, text in zip(parts[1::2], parts[2::2], strict=True)}


# Facts each scenario must show, as a customer or an operator would read them.
FACTS = {
    1: [
        "Lookup and Select DIDs",
        "released",
        "the two unselected numbers were returned to the carrier",
        "Cancelled",
        "The carrier can no longer supply this number.",
        "nothing is asked of the customer: the order is In Progress",
        "the multi-item gate keeps the order on the Orders tab",
        "Order History: acme",
        "Partially Completed",
        "Fully Active",
    ],
    2: [
        "Lookup and Order DIDs",
        "pending",
        "RECEIVED",
        "COMPLETE",
        "available",
        "assigned",
        "support-line",
        "Fully Active",
    ],
    3: [
        "Port Rejected",
        "Account number does not match",  # the carrier's reason, as the note
        "Unavailable",
        "Port Approved",
        "business days",
        "Port Date Received",
        "Newly Ported",
        "green check-circle",
        "Timeline of ORD-",
    ],
    4: [
        "TrueLocal",
        "Information Required",
        "Unavailable",
        "Not Active",
        "greyed out, orange hourglass",
        "awaiting local regulatory approval",
        "Under Review",
        "Number testing is not available",
        "Approved Document Library",
        "Fully Active",
        "the approved document was reused, not uploaded",
    ],
    5: [
        "Please contact your account manager",
        "Cancelled",
        "a finished single-item order stays on the Orders tab for 7 days",
        "(no orders)",
        "Order History: hooli",
    ],
    6: [
        "Select and Disconnect DIDs",
        "Disconnect",
        "carrier 'sim-basic' does not support disconnecting numbers",
        "nothing was sent to that carrier",
    ],
}


def test_the_demo_tells_every_story_and_exits_0(demo: subprocess.CompletedProcess[str]) -> None:
    """``tnorder demo --plain`` runs all six scenarios to their expected end and exits 0."""
    assert 0 == demo.returncode, demo.stderr
    assert "" == demo.stderr
    assert "Demo OK: all 6 scenarios reached their expected end" in demo.stdout
    assert "FAILED" not in demo.stdout
    assert "\x1b[" not in demo.stdout  # --plain: no colour or styling codes


@pytest.mark.parametrize("number", sorted(FACTS))
def test_each_scenario_shows_its_key_facts(
    demo: subprocess.CompletedProcess[str], number: int
) -> None:
    """Each scenario's section shows what the customer or operator would see at each step."""
    text = sections(demo.stdout)[number]
    missing = [fact for fact in FACTS[number] if fact not in text]
    assert [] == missing
    assert re.search(r"^\s+ok\s", text, flags=re.MULTILINE)
    assert "FAILED" not in text


def test_the_port_delivery_column_switches_to_the_committed_date(
    demo: subprocess.CompletedProcess[str],
) -> None:
    """Before the FOC the port shows a business-day range; after it, the ISO 8601 date."""
    text = sections(demo.stdout)[3]
    approved = re.search(r"Port Approved\s+\|\s+(\S.*?)\s+\|", text)
    dated = re.search(r"Port Date Received\s+\|\s+(\S.*?)\s+\|", text)
    assert approved is not None
    assert dated is not None
    assert re.fullmatch(r"\d+\u2013\d+ business days", approved.group(1))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", dated.group(1))


def test_db_keeps_the_sqlite_file_with_the_demo_orders(tmp_path: Path) -> None:
    """With ``--db PATH`` the database stays behind and holds the orders the demo placed."""
    path = tmp_path / "demo.db"
    done = tnorder("demo", "--plain", "--db", str(path))
    assert 0 == done.returncode, done.stderr
    assert f"The SQLite database is kept at {path}" in done.stdout
    with SqliteStorage(path) as storage, storage.unit_of_work() as uow:
        ported = uow.orders.for_account("initech")
    assert [ItemStatus.COMPLETED] == [item.status for order in ported for item in order.items]


def test_db_refuses_an_existing_file_in_one_line(tmp_path: Path) -> None:
    """A TnorderError (here: --db names a file that exists) prints one line, no traceback."""
    path = tmp_path / "mine.db"
    path.write_bytes(b"precious")
    done = tnorder("demo", "--db", str(path))
    assert 1 == done.returncode
    assert 1 == len(done.stderr.splitlines()), done.stderr
    assert done.stderr.startswith("tnorder: ValidationError: ")
    assert "already exists" in done.stderr
    assert b"precious" == path.read_bytes()


@pytest.mark.parametrize("args", [("frobnicate",), ("demo", "--colour"), ()])
def test_a_bad_invocation_prints_one_line(args: tuple[str, ...]) -> None:
    """Usage errors print one line naming the problem and exit 2, without a traceback."""
    done = tnorder(*args)
    assert 2 == done.returncode
    assert 1 == len(done.stderr.splitlines()), done.stderr
    assert done.stderr.startswith("tnorder: error: ")
    assert "Traceback" not in done.stderr


def test_statuses_prints_every_status() -> None:
    """``tnorder statuses`` lists the twelve statuses with their labels."""
    done = tnorder("statuses", "--plain")
    assert 0 == done.returncode, done.stderr
    assert [] == [s.label for s in ItemStatus if s.label not in done.stdout]


def test_diagram_prints_the_mermaid_lifecycle() -> None:
    """``tnorder diagram`` prints a Mermaid state diagram with every status."""
    done = tnorder("diagram")
    assert 0 == done.returncode, done.stderr
    assert "stateDiagram-v2" in done.stdout
    assert [] == [s.value for s in ItemStatus if s.value not in done.stdout]


def test_version() -> None:
    """``tnorder --version`` prints the package version."""
    done = tnorder("--version")
    assert 0 == done.returncode
    assert f"tnorder {__version__}" == done.stdout.strip()


# -- the exit code, in process --------------------------------------------------------------


def test_a_failed_check_makes_the_exit_code_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One check that does not hold fails its scenario and the demo (exit code 1)."""
    broken = Scenario("Broken", "A check that does not hold.", lambda w, s, c: c.expect("x", 1, 2))
    monkeypatch.setattr(runner, "SCENARIOS", (SCENARIOS[4], broken))
    assert 1 == run_demo(plain=True)
    out = capsys.readouterr().out
    assert "FAILED  x: expected 1, got 2" in out
    assert "Demo FAILED: scenario 2 of 2 did not reach its expected end." in out


def test_an_unexpected_tnorder_error_fails_only_its_scenario(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scenario that raises a TnorderError fails; the scenarios after it still run."""

    def explode(*_: object) -> None:
        raise OrderNotFound("ORD-404")

    monkeypatch.setattr(
        runner, "SCENARIOS", (Scenario("Explodes", "It raises.", explode), SCENARIOS[4])
    )
    assert 1 == run_demo(plain=True)
    out = capsys.readouterr().out
    assert "OrderNotFound: order 'ORD-404' not found" in out
    assert "| 2 | Cancelling an order" in out
    assert "Demo FAILED: scenario 1 of 2" in out


def test_a_scenario_without_checks_does_not_count_as_reached(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scenario that checked nothing proved nothing: the demo fails."""
    monkeypatch.setattr(runner, "SCENARIOS", (Scenario("Silent", "No checks.", lambda *_: None),))
    assert 1 == run_demo(plain=True)
    assert "Demo FAILED" in capsys.readouterr().out
