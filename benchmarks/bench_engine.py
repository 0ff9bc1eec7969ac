"""Engine: the full-chain Monte Carlo end to end, against Hiphex/ICBM_SIM, and its cost as the raid grows.

Three figures, each with its target (method of shared/peer-baselines.md section 2; the peer of section 8):

1. **golden-dome**: ``examples/golden-dome.toml``, 1,000 trials, full sensing chain, 2 workers, run
   exactly as a user runs it: ``python -m domesim.cli run ... --json`` in a subprocess, output to a
   temporary folder. A small run first warms the numba cache; its whole-process time is reported apart
   as the first-run (compile or cache load) time. Target: 1,000 trials within 60 s (whole command).
2. **Hiphex/ICBM_SIM** (pure-Python 2-D peer, no licence: run from a local copy named by the environment
   variable ``DOMESIM_ICBM_SIM``, never vendored). domesim runs ``icbm_sim_match.toml`` (one solid ICBM
   from the North Korea region to Honolulu against the GBI sites and THAAD in Hawaii), full chain.
   * Cached per-trial cost: ``python simulation.py --runs N --seed 1`` (one worker; it simulates one
     single engagement and then N Monte Carlo ones, so a call does N + 1 trials) interleaved with domesim's
     ``run_trials`` in this process (one worker, warm cache). Target: domesim >= 1,000x faster per trial.
   * Cold start: whole-process wall time of the peer's ``--runs K`` against domesim's CLI for K trials
     in a fresh process with an empty ``NUMBA_CACHE_DIR`` (so numba compiles everything), interleaved.
3. **Raid size**: golden-dome's defence against raids of about 10, 100, 1,000 and 5,000 objects (its
   [[threat]] counts scaled with the scenario's own key-path edits, launches squeezed into the same
   window), full chain, 100 trials. Each size runs in its own subprocess, one worker, so that its peak
   RSS (``resource.getrusage``) is that of one size alone. A size runs the trials that fit in about 3
   minutes, and is not run when one trial is estimated to take longer. Target: <= 1.5 GB at 5,000 objects.

The Stone Soup tracker ratio is in ``bench_tracking.py``. ``--quick`` (smoke test, figures not to be
quoted): 50 golden-dome trials, 100 domesim and 5 peer trials per call, one cold pair of 5 trials, raids
of 10 and 100 objects at 10 trials.
"""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import numba
import numpy as np

import harness
from domesim.montecarlo.runner import run_trials
from domesim.scenario.loader import load_scenario

# The sensing fidelity of the full chain (radars and space sensors, tracks built without truth), the
# default; named on every command so that a scenario's own setting cannot change what is measured.
FULL_CHAIN = "full"

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GOLDEN_DOME = REPO / "examples" / "golden-dome.toml"
MATCH = HERE / "icbm_sim_match.toml"
PEER_ENV = "DOMESIM_ICBM_SIM"

GD_TRIALS, QUICK_GD_TRIALS, GD_WORKERS, WARM_TRIALS, GD_TARGET_S = 1_000, 50, 2, 10, 60.0
MATCH_TRIALS, QUICK_MATCH_TRIALS = 2_000, 100  # domesim trials per timed call
PEER_RUNS, QUICK_PEER_RUNS = 40, 5  # the peer's --runs per timed call (~0.15 s per trial)
COLD_TRIALS, QUICK_COLD_TRIALS, COLD_PAIRS, QUICK_COLD_PAIRS = 20, 5, 3, 1
TARGET_RATIO = 1_000.0
RAID_OBJECTS, QUICK_RAID_OBJECTS = (10, 100, 1_000, 5_000), (10, 100)
RAID_TRIALS, QUICK_RAID_TRIALS = 100, 10
RAID_BUDGET_S = 180.0  # a raid runs the trials that fit; one whose single trial would not is not run
RAID_TIMEOUT_S = 3 * RAID_BUDGET_S + 300.0  # a raid process that overruns its estimate badly is killed
RAID_TARGET_MB, RAID_TARGET_OBJECTS = 1_500.0, 5_000


# ---- running domesim as a user does -----------------------------------------------------------------------


def domesim_env(numba_cache: str | None = None) -> dict[str, str]:
    """This process's environment for a domesim subprocess: this checkout's ``src`` first on the path, and
    optionally another numba cache folder (an empty one for a cold start)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    if numba_cache is not None:
        env["NUMBA_CACHE_DIR"] = numba_cache
    return env


def cli_run(
    scenario: Path, trials: int, workers: int, folder: Path, env: dict[str, str]
) -> tuple[float, dict]:
    """``domesim run`` in a fresh process, output and run catalogue in ``folder``.

    Returns the whole process's wall seconds and the run's summary (its ``wall_s`` is the Monte Carlo part,
    as the CLI reports it).
    """
    command = [sys.executable, "-m", "domesim.cli", "run", str(scenario), "--trials", str(trials)]
    command += ["--workers", str(workers), "--sensing", FULL_CHAIN, "--json"]
    command += ["--out", str(folder / "out"), "--data-dir", str(folder)]
    t0 = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    whole_s = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return whole_s, json.loads(done.stdout.strip().splitlines()[-1])


def psi_line(before: dict | None, after: dict | None, wall_s: float) -> str:
    """CPU pressure over a measurement: whether other processes competed for the cores meanwhile."""
    if not before or not after:
        return "CPU PSI: /proc/pressure/cpu not readable"
    stall = (after["total"] - before["total"]) / 1e6
    return f"CPU PSI some: stall {stall:.2f} s during the {wall_s:.1f} s measurement"


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


# ---- 1. golden-dome, end to end ---------------------------------------------------------------------------


def bench_golden_dome(quick: bool) -> None:
    """golden-dome's 1,000 trials on the full chain as a user runs them, after a warm-up run."""
    trials = QUICK_GD_TRIALS if quick else GD_TRIALS
    env = domesim_env()
    print(f"-- golden-dome, {trials:,} trials, sensing {FULL_CHAIN!r}, {GD_WORKERS} workers (domesim run) --")
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
        warm_s, _ = cli_run(GOLDEN_DOME, WARM_TRIALS, 1, Path(tmp) / "warm", env)
        print(
            f"first run ({WARM_TRIALS} trials, one process): {warm_s:.1f} s whole process "
            "(numba compile if the cache was cold, else cache load; not counted below)"
        )
        psi0 = harness.cpu_psi()
        whole_s, summary = cli_run(GOLDEN_DOME, trials, GD_WORKERS, Path(tmp) / "run", env)
        psi1 = harness.cpu_psi()
    p = summary["p_no_leak"]
    print(
        f"{trials:,} trials: {whole_s:.1f} s whole command (build, Monte Carlo, tables, report), of which "
        f"Monte Carlo {summary['wall_s']:.1f} s; P(no leak) {p['mean']:.3f} "
        f"[{p['ci95'][0]:.3f}, {p['ci95'][1]:.3f}]"
    )
    print(f"  {psi_line(psi0, psi1, whole_s)}")
    target = f"target <= {GD_TARGET_S:.0f} s for {GD_TRIALS:,} trials, whole command"
    if trials == GD_TRIALS:
        print(f"{target}: {verdict(whole_s <= GD_TARGET_S)} ({whole_s:.1f} s)")
    else:
        print(f"{target}: not judged (quick run of {trials} trials)")


# ---- 2. Hiphex/ICBM_SIM -----------------------------------------------------------------------------------


def peer_copy() -> Path | None:
    """The local copy of Hiphex/ICBM_SIM named by DOMESIM_ICBM_SIM, or None (the rows are skipped)."""
    folder = os.environ.get(PEER_ENV)
    if folder and (Path(folder) / "simulation.py").is_file():
        return Path(folder)
    return None


def run_peer(folder: Path, runs: int) -> float:
    """The peer's Monte Carlo in a fresh process (one worker); returns its whole wall seconds."""
    command = [sys.executable, "simulation.py", "--runs", str(runs), "--seed", "1"]
    t0 = time.perf_counter()
    subprocess.run(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def bench_cached(folder: Path, quick: bool) -> None:
    """Per-trial cost, warm cache: the peer's process against domesim's run_trials, interleaved."""
    trials = QUICK_MATCH_TRIALS if quick else MATCH_TRIALS
    runs = QUICK_PEER_RUNS if quick else PEER_RUNS
    world = load_scenario(MATCH, sensing=FULL_CHAIN).world
    bench = harness.Benchmark(
        [
            harness.Candidate(
                f"ICBM_SIM, --runs {runs} (+1 single run)", lambda: run_peer(folder, runs), runs + 1
            ),
            harness.Candidate(
                f"domesim run_trials, {trials:,} trials", lambda: run_trials(world, trials, 1), trials
            ),
        ],
        quick,
    )
    bench.run()
    bench.print_table("engagement MC", "trials/s")
    peer, dom = bench.candidates
    ratio = bench.ratios(1)
    print(
        f"ms per trial: ICBM_SIM {harness.spread(1e3 / np.array(peer.rates))}, domesim "
        f"{harness.spread(1e3 / np.array(dom.rates))}; speed-up {harness.spread(ratio)}x"
    )
    median = float(np.median(ratio))
    print(
        f"target >= {TARGET_RATIO:,.0f}x per trial, warm cache: "
        f"{verdict(median >= TARGET_RATIO)} (median {median:,.0f}x)"
    )


def bench_cold(folder: Path, quick: bool) -> None:
    """Whole-process time for a few trials when nothing is compiled yet, interleaved with the peer's."""
    trials = QUICK_COLD_TRIALS if quick else COLD_TRIALS
    pairs = QUICK_COLD_PAIRS if quick else COLD_PAIRS
    peer_s, dom_s = [], []
    for _ in range(pairs):
        time.sleep(harness.Settings.for_mode(quick).idle_s)
        peer_s.append(run_peer(folder, trials))
        with tempfile.TemporaryDirectory(prefix="bench-engine-cold-") as tmp:
            cache = Path(tmp) / "numba-cache"
            cache.mkdir()
            seconds, summary = cli_run(MATCH, trials, 1, Path(tmp), domesim_env(str(cache)))
        dom_s.append(seconds)
    ratio = np.array(peer_s) / np.array(dom_s)
    print(
        f"cold start, {trials} trials, whole process, n = {pairs} interleaved pair(s): "
        f"ICBM_SIM --runs {trials} ({trials + 1} engagements) {harness.spread(peer_s)} s; "
        f"domesim run, empty NUMBA_CACHE_DIR, {harness.spread(dom_s)} s "
        f"(P(no leak) {summary['p_no_leak']['mean']:.3f})"
    )
    median = float(np.median(ratio))
    slower = f" (domesim {1 / median:,.0f}x slower)" if median < 1 else ""
    print(f"cold-start speed ratio, whole process: {harness.spread(ratio)}x{slower}; no target")


def bench_icbm_sim(quick: bool) -> None:
    print("-- Hiphex/ICBM_SIM (peer-baselines section 8): one ICBM, GBI and THAAD layers --")
    folder = peer_copy()
    if folder is None:
        given = os.environ.get(PEER_ENV)
        why = f"{PEER_ENV}={given} holds no simulation.py" if given else f"{PEER_ENV} is not set"
        print(
            f"skipped ({why}): set {PEER_ENV} to a local copy of github.com/Hiphex/ICBM_SIM, the folder "
            "holding simulation.py (no licence, so it is never vendored here)"
        )
        return
    print(
        f"peer: {folder} with {sys.executable}, one process on one core; domesim: "
        f"{MATCH.relative_to(REPO)}, sensing {FULL_CHAIN!r}, one worker ({numba.get_num_threads()} numba "
        "threads over trials). The models differ: 3-D rotating oblate Earth with a sensing chain against "
        "2-D flat Earth"
    )
    bench_cached(folder, quick)
    bench_cold(folder, quick)


# ---- 3. raid size -----------------------------------------------------------------------------------------


def objects_per_missile(block: dict) -> int:
    """Objects the engine flies for one missile of a ballistic [[threat]] block: with a payload, the bus,
    its RVs and its decoys; without, the RV alone."""
    payload = block.get("payload")
    if payload is None:
        return 1
    return 2 + len(payload.get("rv_aim_assets", [])) + int(payload.get("decoys", 0))


def apportion(total: int, weights: list[int]) -> list[int]:
    """``total`` shared in proportion to ``weights``, at least one each (largest remainders).

    >>> apportion(33, [2, 2, 2, 4])
    [7, 7, 6, 13]
    """
    share = [total * w / sum(weights) for w in weights]
    counts = [max(1, math.floor(x)) for x in share]
    by_remainder = sorted(range(len(weights)), key=lambda i: counts[i] - share[i])
    for i in by_remainder[: max(0, total - sum(counts))]:
        counts[i] += 1
    return counts


def raid_edits(objects: int, scenario: Path = GOLDEN_DOME) -> tuple[dict[str, float], int]:
    """Key-path edits (``threat[i].count`` and ``.launch_interval_s``) that scale ``scenario``'s raid to
    about ``objects`` objects; returns them and the object count they give.

    Every [[threat]] block keeps its payload and at least one missile; the missiles are shared in the
    file's proportions. Each block's launches are squeezed into the span they had, so that the raid still
    flies within the scenario's duration.
    """
    with open(scenario, "rb") as f:
        blocks = tomllib.load(f)["threat"]
    per_missile = [objects_per_missile(b) for b in blocks]
    counts0 = [int(b.get("count", 1)) for b in blocks]
    mean_per_missile = sum(c * k for c, k in zip(counts0, per_missile, strict=True)) / sum(counts0)
    counts = apportion(max(len(blocks), round(objects / mean_per_missile)), counts0)
    edits: dict[str, float] = {}
    for i, (block, count0, count) in enumerate(zip(blocks, counts0, counts, strict=True)):
        span_s = float(block.get("launch_interval_s", 0.0)) * (count0 - 1)
        edits[f"threat[{i}].count"] = count
        edits[f"threat[{i}].launch_interval_s"] = span_s / (count - 1) if count > 1 else 0.0
    return edits, sum(c * k for c, k in zip(counts, per_missile, strict=True))


def raid_child(arguments: str) -> None:
    """In the subprocess of one raid size: build, warm the kernels on a small raid, then time one trial and
    as many more (up to the trials asked) as the time budget allows. Prints one JSON line.

    The warm-up runs a 10-object raid, not this one: the kernels (and their cache loads) are the same, and
    a trial of a large raid can take minutes.
    """
    a = json.loads(arguments)
    t0 = time.perf_counter()
    world = load_scenario(a["scenario"], sensing=FULL_CHAIN, edits=a["edits"]).world
    build_s = time.perf_counter() - t0
    small = load_scenario(a["scenario"], sensing=FULL_CHAIN, edits=raid_edits(10, Path(a["scenario"]))[0])
    run_trials(small.world, 1, 1)
    t0 = time.perf_counter()
    run_trials(world, 1, 1)
    first_s = time.perf_counter() - t0
    more = max(0, min(a["trials"] - 1, int((a["budget_s"] - first_s) / first_s)))
    if more:
        run_trials(world, more, 2)  # another seed: distinct trials
    run_s = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6  # Linux: KiB
    result = {"objects": len(world.objects), "missiles": len(world.threats), "build_s": build_s}
    print(json.dumps(result | {"trials": 1 + more, "first_s": first_s, "run_s": run_s, "peak_mb": peak_mb}))


def run_raid(objects: int, trials: int) -> dict:
    """One raid size in a fresh process (one worker); its timings and peak RSS."""
    edits, _ = raid_edits(objects)
    arguments = json.dumps(
        {"scenario": str(GOLDEN_DOME), "edits": edits, "trials": trials, "budget_s": RAID_BUDGET_S}
    )
    code = (
        f"import sys; sys.path.insert(0, {str(HERE)!r}); import bench_engine as b; b.raid_child(sys.argv[1])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, arguments],
        env=domesim_env(),
        capture_output=True,
        text=True,
        timeout=RAID_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"raid of {objects} objects failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def too_large(rows: list[dict], objects: int) -> str:
    """Why a raid of ``objects`` is not run (one trial over the time budget, as extrapolated from the first
    trials of the two largest raids run so far), or "" to run it.

    Memory is not extrapolated: a size's peak RSS depends on the trials per chunk (the engine sizes chunks
    by the objects), so rows run with different trial counts do not line up.
    """
    if len(rows) < 2:
        return ""
    a, b = rows[-2], rows[-1]
    p = math.log(b["first_s"] / a["first_s"]) / math.log(b["objects"] / a["objects"])
    trial_s = b["first_s"] * (objects / b["objects"]) ** p
    if trial_s <= RAID_BUDGET_S:
        return ""
    return (
        f"{objects:,} objects not run: one trial estimated at {trial_s:,.0f} s (a trial's cost ~ "
        f"objects^{p:.2f} from {a['objects']:,} to {b['objects']:,} objects), over the {RAID_BUDGET_S:.0f} s "
        "budget"
    )


def bench_raids(quick: bool) -> None:
    """Cost per object-trial and peak memory as golden-dome's raid grows, one fresh process per size."""
    sizes = QUICK_RAID_OBJECTS if quick else RAID_OBJECTS
    trials = QUICK_RAID_TRIALS if quick else RAID_TRIALS
    print(
        f"-- raid size: golden-dome's defence, sensing {FULL_CHAIN!r}, {trials} trials asked, one worker and "
        f"one process per size; at most about {RAID_BUDGET_S:.0f} s of trials per size --"
    )
    rows, notes = [], []
    for objects in sizes:
        note = too_large(rows, objects)
        if note:
            notes.append(note)
            continue
        rows.append(run_raid(objects, trials))
    table = [["objects", "missiles", "trials", "build s", "seconds", "us per object-trial", "peak RSS MB"]]
    for r in rows:
        table.append(
            [
                f"{r['objects']:,}",
                f"{r['missiles']:,}",
                str(r["trials"]),
                f"{r['build_s']:.1f}",
                f"{r['run_s']:.1f}",
                harness.fmt(r["run_s"] / (r["objects"] * r["trials"]) * 1e6),
                f"{r['peak_mb']:,.0f}",
            ]
        )
    print_rows(table)
    for r in rows:
        if r["trials"] < trials:
            print(
                f"  {r['objects']:,} objects capped at {r['trials']} trial(s) by the time budget: "
                f"the first took {r['first_s']:.1f} s"
            )
    for note in notes:
        print(f"  {note}")
    print(
        "  seconds: the trials alone (build and warm-up excluded); the trials of a chunk run in parallel on "
        "numba's threads, so a 1-trial run uses one. Peak RSS: the whole process, build included"
    )
    measured = [r for r in rows if r["objects"] >= RAID_TARGET_OBJECTS]
    target = f"target <= {RAID_TARGET_MB:,.0f} MB peak RSS at {RAID_TARGET_OBJECTS:,} objects"
    if measured:
        mb = measured[-1]["peak_mb"]
        print(f"{target}: {verdict(mb <= RAID_TARGET_MB)} ({mb:,.0f} MB)")
    else:
        print(f"{target}: not measured in this run")


def print_rows(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


def main(quick: bool = False) -> None:
    print("== engine: full-chain Monte Carlo (peer-baselines 2 and 8) ==")
    bench_golden_dome(quick)
    print()
    bench_icbm_sim(quick)
    print()
    bench_raids(quick)


if __name__ == "__main__":
    main(harness.parse_quick(__doc__.splitlines()[0]))
