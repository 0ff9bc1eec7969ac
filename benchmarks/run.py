"""Run every ``benchmarks/bench_*.py`` (its ``main(quick)``) in one process, in name order.

Usage, from the repository root: ``python benchmarks/run.py [--quick]``. ``--quick`` is a smoke test
(fewer, shorter samples); quote only the figures of a full run.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
from pathlib import Path

import numba
import numpy as np
import scipy

import harness

HERE = Path(__file__).resolve().parent


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown"


def print_header(quick: bool) -> None:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"domesim benchmarks, {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, quick={quick}")
    print(f"CPU: {cpu_model()}; nproc {usable} (of {os.cpu_count()})")
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"numba {numba.__version__} ({numba.get_num_threads()} threads, layer {numba.config.THREADING_LAYER})"
    )
    psi = harness.cpu_psi()
    print(f"CPU PSI some at start: {psi if psi else 'not readable'}")
    print()


def main(quick: bool) -> None:
    sys.path.insert(0, str(HERE))  # bench modules import the harness by its plain name
    print_header(quick)
    for path in sorted(HERE.glob("bench_*.py")):
        importlib.import_module(path.stem).main(quick)
        print()


if __name__ == "__main__":
    main(harness.parse_quick("Run all domesim benchmarks."))
