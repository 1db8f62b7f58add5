"""``python -m benchmarks --quick`` runs and prints every row of the table.

Only that it runs: speed is measured by ``make bench``, never asserted in tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Every row of the issue's table, by the label it starts with.
ROWS = [
    "1a apply event vs Machine attached per item",
    "1b apply event vs Machine built per request",
    "1e apply event vs shared Machine, add_model/remove_model per request",
    "1c apply event vs floor",
    "1d apply event + build its event object",
    "2a load+apply+save, SQLite WAL sync=NORMAL",
    "2ah the same vs hand-written",
    "2ao the same vs SQLAlchemy ORM",
    "2b load+apply+save, SQLite WAL sync=FULL",
    "2c load+apply+save, MemoryStorage",
    "2d load+apply+save, PostgreSQL",
    "3a Orders tab, 1 account of 20,000 orders, SQLite, warm cache",
    "3a Orders tab, 1 account of 20,000 orders, SQLite, accounts never asked before",
    "3b  SQLite data set",
    "3c Orders tab, 1 account of 20,000 orders, PostgreSQL",
    "4a Orders tab, page 1, account of 2,000 numbers among 20,200 orders, SQLite, warm",
    "4b Orders tab, page N",
    "4c Order History, page 1",
    "4d Order History, page N",
    "4e Active Numbers, page 1",
    "4f Active Numbers, page N",
    "4g Active Numbers, filtered",
    "4h Order History, filtered",
    "4i  SQLite: big account added to the row-3 data set",
    "4z classify 10,000 orders",
    "4za split_orders",
    "4zb activation_stages",
    "4zc active_numbers_view",
    "5a memory per order loaded from SQLite",
    "5a  the same with every item's history read",
    "5b cattrs round trip, 10-item order",
    "6 apply event, items per order 1 -> 1,000",
    "6 apply event, history length 1 -> 1,000",
    "6 OrderService.fire, SQLite, items per order",
    "6 OrderService.fire, SQLite, history length",
    "6 OrderService.fire, PostgreSQL",
    "17.1 place_order, 1,000 port-in items, SQLite",
    "17.1 apply_carrier_updates, 1,000 per-number results",
    "17.1 place_order, 1,000 port-in items, PostgreSQL",
    "17.3 ",
    "17.4 SQLite, 1 process",
    "17.4 SQLite file size",
]


@pytest.mark.heavy
def test_quick_benchmarks_print_every_row() -> None:
    """The quick run exits cleanly and its table has every row with a figure and a verdict."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert 0 == done.returncode, done.stderr
    lines = done.stdout.splitlines()
    assert ["case", "ours", "comparison", "ratio", "target", "met"] == [
        cell.strip() for cell in lines[2].split("|")
    ]
    for label in ROWS:
        found = [line for line in lines if line.startswith(label)]
        assert 1 <= len(found), f"no row {label!r} in:\n{done.stdout}"
        for line in found:
            cells = [cell.strip() for cell in line.split("|")]
            assert 6 == len(cells), line
            assert cells[1], line  # a figure, or "not measured: <why>"
            assert cells[5] in ("yes", "NO", "-"), line
