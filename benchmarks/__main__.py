"""``python -m benchmarks [--quick]``: run every benchmark and print one table."""

from __future__ import annotations

import argparse
import platform
import sys
import time

from . import bulk, core, growth, hosts, storage, views
from ._harness import Row, render

#: In the order of the issue's rows: 1, 2, 3, 4, 5, 6.
CASES = [
    core.bench_apply,
    storage.bench_round_trip,
    storage.bench_orders_tab,
    views.bench_pages,
    views.bench_classify,
    core.bench_memory,
    core.bench_cattrs,
    core.bench_growth,
    growth.bench_service_growth,
    bulk.bench_bulk,
    hosts.bench_hosts,
    hosts.bench_sqlite_capacity,
]


def _loop_ns() -> float:
    """How fast this machine runs plain Python now, to read the absolute figures by."""
    best = float("inf")
    for _ in range(5):
        x = 0
        start = time.perf_counter()
        for i in range(1_000_000):
            x += i
        best = min(best, time.perf_counter() - start)
    return best * 1e3  # seconds for a million steps -> nanoseconds per step


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks")
    parser.add_argument("--quick", action="store_true", help="a ~30 s smoke run")
    parser.add_argument("--only", help="run only cases whose function name contains this")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    speed_before = _loop_ns()
    rows: list[Row] = []
    for case in CASES:
        if args.only and args.only not in case.__name__:
            continue
        began = time.perf_counter()
        rows.extend(case(args.quick))
        print(f"{case.__name__}: {time.perf_counter() - began:.0f} s", file=sys.stderr)
    title = (
        f"tnorder benchmarks ({'quick' if args.quick else 'full'}) - Python "
        f"{platform.python_version()} on {platform.machine()}, "
        f"{time.perf_counter() - started:.0f} s; machine speed (ns per `x += i` loop step, "
        f"lower is faster): {speed_before:.0f} at the start, {_loop_ns():.0f} at the end"
    )
    print(render(rows, title=title))
    return 0


if __name__ == "__main__":
    sys.exit(main())
