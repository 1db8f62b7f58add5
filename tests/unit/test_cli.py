"""The ``tnorder`` command's machine-readable and pipe-friendly output, run as a process."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from tnorder.domain.statuses import ItemStatus


def tnorder(*args: str, columns: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [sys.executable, "-m", "tnorder", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_statuses_as_json() -> None:
    """``--format json`` lists the twelve statuses with value, labels, intent and triggers."""
    done = tnorder("statuses", "--format", "json")
    assert (0, "") == (done.returncode, done.stderr)
    rows = json.loads(done.stdout)
    assert [s.value for s in ItemStatus] == [r["value"] for r in rows]
    assert [s.label for s in ItemStatus] == [r["label"] for r in rows]
    completed = rows[[s.value for s in ItemStatus].index("completed")]
    assert ("final", "Final Milestone", []) == (
        completed["intent"],
        completed["intent_label"],
        completed["triggers"],
    )
    assert "review" in rows[0]["triggers"]


def test_statuses_as_csv() -> None:
    """``--format csv`` is one header and one row per status, readable by the csv module."""
    done = tnorder("statuses", "--format", "csv")
    assert 0 == done.returncode
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [s.value for s in ItemStatus] == [r["value"] for r in rows]
    assert {"true", "false"} == {r["porting_only"] for r in rows}
    assert "Port Approved" == rows[[s.value for s in ItemStatus].index("port_approved")]["label"]


def test_the_diagram_has_no_renderer_boilerplate() -> None:
    """``tnorder diagram`` is a titled stateDiagram with every transition and no styling
    lines; ``--boilerplate`` keeps what the renderer emitted."""
    done = tnorder("diagram")
    assert 0 == done.returncode
    lines = done.stdout.splitlines()
    assert ["---", "title: Line item", "---", "stateDiagram-v2"] == lines[:4]
    assert not [line for line in lines if "classDef" in line or line.strip().startswith("Class ")]
    assert "order_submitted --> under_review: review" in done.stdout
    for status in ItemStatus:
        assert status.value in done.stdout
    raw = tnorder("diagram", "--boilerplate")
    assert "classDef" in raw.stdout
    assert len(raw.stdout) > len(done.stdout)


@pytest.mark.parametrize("width", [60, 200])
def test_tables_follow_columns(width: int) -> None:
    """With COLUMNS set, the status table fits that width (plain output too)."""
    done = tnorder("statuses", "--plain", columns=width)
    assert 0 == done.returncode
    longest = max(len(line) for line in done.stdout.splitlines())
    assert longest <= width
    assert longest > 60 if width == 200 else longest == width


def test_the_demo_follows_columns() -> None:
    """The demo's tables fit COLUMNS when it is set."""
    done = tnorder("demo", "--plain", columns=72)
    assert 0 == done.returncode, done.stderr
    assert 72 >= max(len(line) for line in done.stdout.splitlines())


@pytest.mark.parametrize(
    "args",
    [("demo", "--plain"), ("statuses",), ("diagram",), ("schema", "--dialect", "postgres")],
    ids=lambda a: a[0],
)
def test_a_closed_pipe_ends_the_command_quietly(args: tuple[str, ...]) -> None:
    """``tnorder ... | head``: when the reader has gone (``true`` reads nothing and
    exits), tnorder stops with exit code 1 and nothing on stderr: no traceback, no
    "Exception ignored ... BrokenPipeError" at interpreter exit."""
    command = " ".join([sys.executable, "-m", "tnorder", *args])
    done = subprocess.run(
        ["bash", "-c", f'{command} | true; echo "${{PIPESTATUS[0]}}"'],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ("", "1") == (done.stderr, done.stdout.strip())
