"""Measuring helpers: medians of repeats, spreads, and the results table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Sample:
    """Per-operation timings (seconds) from several repeats."""

    values: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def spread(self) -> float:
        """Half the range between the fastest and slowest repeat, relative to the median."""
        return (max(self.values) - min(self.values)) / 2 / self.median if self.median else 0.0


def per_op(run: Callable[[int], float], number: int, repeats: int) -> Sample:
    """``run(number)`` returns elapsed seconds for ``number`` operations; repeat it."""
    return Sample([run(number) / number for _ in range(repeats)])


def interleaved(
    runs: dict[str, tuple[Callable[[int], float], int]], repeats: int
) -> dict[str, Sample]:
    """Per-operation timings of several cases, taking turns within each repeat.

    ``runs`` maps a name to ``(run, number)`` as for :func:`per_op`.  On a
    shared machine the load changes from second to second; running the cases
    of one comparison back to back in every repeat lets :func:`ratio` compare
    figures taken under the same load.
    """
    values: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, (run, number) in runs.items():
            values[name].append(run(number) / number)
    return {name: Sample(v) for name, v in values.items()}


def ratio(numerator: Sample, denominator: Sample) -> float:
    """The median of the per-repeat ratios of two interleaved samples."""
    return statistics.median(
        a / b for a, b in zip(numerator.values, denominator.values, strict=True)
    )


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@dataclass
class Row:
    """One line of the results table."""

    case: str
    ours: str
    comparison: str
    ratio: str
    target: str
    met: bool | None
    notes: list[str] = field(default_factory=list)


def fmt_time(seconds: float) -> str:
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def fmt_sample(sample: Sample) -> str:
    return f"{fmt_time(sample.median)} ±{sample.spread * 100:.0f}%"


def render(rows: list[Row], *, title: str) -> str:
    headers = ["case", "ours", "comparison", "ratio", "target", "met"]
    table = [
        [
            r.case,
            r.ours,
            r.comparison,
            r.ratio,
            r.target,
            {True: "yes", False: "NO", None: "-"}[r.met],
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(line[i]) for line in table)) for i, h in enumerate(headers)]
    out = [title, ""]
    out.append(" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    out.append("-|-".join("-" * w for w in widths))
    for line in table:
        out.append(" | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)))
    return "\n".join(out)
