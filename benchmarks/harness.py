"""Timing harness shared by the benchmarks: the method of shared/peer-baselines.md section 2.

1. Warm-up: every candidate is called once; that call (JIT compile or numba cache load included)
   is timed and reported apart, never counted in a rate.
2. Each timed sample repeats the call enough times to last >= 0.5 s: shorter samples measured
   vCPU wake-up on the 2-vCPU project machine.
3. Candidates run interleaved (A B A B ...), with 0.3 s idle before each sample so that the
   OpenMP/OpenBLAS workers of the previous sample stop spinning and do not steal a core.
4. Rates are work units per second, reported as median [min - max] over n samples. Ratios are taken
   sample by sample between interleaved neighbours, which cancels most of the machine's drift.

CPU pressure (Linux PSI, "some" line) is logged before and after, as in the baselines, to show
whether other processes competed for the cores during the measurement.

Usage::

    bench = Benchmark([Candidate("peer", f, 50), Candidate("domesim", g, 10_000)], quick)
    outputs = bench.warm_up()  # first results, for the accuracy checks
    bench.run()
    bench.print_table("kernel", "traj/s")
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Candidate:
    name: str
    fn: Callable[[], object]
    work: float  # work units done by one call of fn
    first_call_s: float = math.nan
    call_s: float = math.nan  # one steady call, measured to choose the repeat count
    repeat: int = 1
    rates: list[float] = field(default_factory=list)


@dataclass
class Settings:
    n_samples: int = 5
    min_sample_s: float = 0.5
    idle_s: float = 0.3

    @classmethod
    def for_mode(cls, quick: bool) -> Settings:
        # Quick mode is a smoke test of the plumbing: its figures are not meant to be quoted.
        return cls(n_samples=2, min_sample_s=0.1, idle_s=0.05) if quick else cls()


def parse_quick(description: str = "") -> bool:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="fewer, shorter samples (smoke test)")
    return parser.parse_args().quick


def cpu_psi() -> dict[str, float] | None:
    """The "some" line of /proc/pressure/cpu as numbers (total in microseconds), or None if unreadable."""
    try:
        with open("/proc/pressure/cpu") as f:
            line = next(x for x in f if x.startswith("some"))
    except (OSError, StopIteration):
        return None
    return {k: float(v) for k, v in (item.split("=") for item in line.split()[1:])}


def fmt(x: float) -> str:
    """Three significant figures, thousands separated: 19,200 / 416 / 46.5 / 0.172."""
    if not math.isfinite(x):
        return str(x)
    if abs(x) >= 100:
        return f"{float(f'{x:.3g}'):,.0f}"
    return f"{x:.3g}"


def spread(values) -> str:
    v = np.asarray(values, dtype=float)
    return f"{fmt(np.median(v))} [{fmt(v.min())} - {fmt(v.max())}]"


class Benchmark:
    """Candidates of one kernel, timed interleaved; the first candidate is the baseline of the ratios."""

    def __init__(self, candidates: list[Candidate], quick: bool = False, settings: Settings | None = None):
        self.candidates = candidates
        self.settings = settings or Settings.for_mode(quick)
        self.psi_before: dict[str, float] | None = None
        self.psi_after: dict[str, float] | None = None
        self.wall_s = math.nan

    def warm_up(self) -> list[object]:
        """Call every candidate once (compiling what is JIT-compiled); return their outputs."""
        outputs = []
        for c in self.candidates:
            t0 = time.perf_counter()
            outputs.append(c.fn())
            c.first_call_s = time.perf_counter() - t0
        return outputs

    def run(self) -> None:
        s = self.settings
        if any(math.isnan(c.first_call_s) for c in self.candidates):
            self.warm_up()
        self.psi_before = cpu_psi()
        t_start = time.perf_counter()
        for c in self.candidates:
            t0 = time.perf_counter()
            c.fn()
            c.call_s = time.perf_counter() - t0
            c.repeat = max(1, math.ceil(s.min_sample_s / c.call_s))
            c.rates = []
        for _ in range(s.n_samples):
            for c in self.candidates:
                time.sleep(s.idle_s)
                t0 = time.perf_counter()
                for _ in range(c.repeat):
                    c.fn()
                c.rates.append(c.work * c.repeat / (time.perf_counter() - t0))
        self.wall_s = time.perf_counter() - t_start
        self.psi_after = cpu_psi()

    def ratios(self, i: int) -> np.ndarray:
        """Rate of candidate i over the baseline's, sample by sample."""
        return np.array(self.candidates[i].rates) / np.array(self.candidates[0].rates)

    def print_table(self, kernel: str, unit: str) -> None:
        rows = [("kernel", "implementation", f"{unit} median [min - max]", "ratio median [min - max]")]
        for i, c in enumerate(self.candidates):
            ratio = "1 (baseline)" if i == 0 else spread(self.ratios(i))
            rows.append((kernel, c.name, spread(c.rates), ratio))
        widths = [max(len(r[k]) for r in rows) for k in range(4)]
        for r in rows:
            print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
        s = self.settings
        print(
            f"n = {s.n_samples} interleaved samples of >= {s.min_sample_s} s, {s.idle_s} s idle before each; "
            f"measured over {self.wall_s:.1f} s"
        )
        for c in self.candidates:
            print(
                f"  {c.name}: first call {c.first_call_s:.3f} s (JIT compile / cache load included), "
                f"steady call {c.call_s:.3f} s, {c.repeat} call(s) per sample"
            )
        if self.psi_before and self.psi_after:
            stall = (self.psi_after["total"] - self.psi_before["total"]) / 1e6
            print(
                f"  CPU PSI some: avg10 {self.psi_before['avg10']:.2f} -> {self.psi_after['avg10']:.2f} %, "
                f"stall {stall:.2f} s during the {self.wall_s:.1f} s measurement"
            )
        else:
            print("  CPU PSI: /proc/pressure/cpu not readable")
