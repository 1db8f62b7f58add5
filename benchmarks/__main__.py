"""``python -m benchmarks [--quick]``: run every benchmark and print one table."""

from __future__ import annotations

import argparse
import platform
import sys
import time

from . import core, storage, views
from ._harness import Row, render

#: In the order of the issue's rows: 1, 2, 3, 4, 5, 6.
CASES = [
    core.bench_apply,
    storage.bench_round_trip,
    storage.bench_orders_tab,
    views.bench_classify,
    core.bench_memory,
    core.bench_cattrs,
    core.bench_growth,
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks")
    parser.add_argument("--quick", action="store_true", help="a ~30 s smoke run")
    parser.add_argument("--only", help="run only cases whose function name contains this")
    args = parser.parse_args(argv)
    started = time.perf_counter()
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
        f"{time.perf_counter() - started:.0f} s"
    )
    print(render(rows, title=title))
    return 0


if __name__ == "__main__":
    sys.exit(main())
