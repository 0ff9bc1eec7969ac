"""The fuzz campaign: generated mutants through the real command line, in a pool of persistent workers
watched for tracebacks, hangs, memory and file-system escapes.

    python -m tests.fuzz.campaign --validate 10000 --run 500      # `make fuzz`
    python -m tests.fuzz.campaign --validate 300 --run 10 --seed 7 --out out/fuzz/try

Each input is a recipe drawn by :mod:`tests.fuzz.mutate` (hypothesis, fixed seed: the same inputs every
time) and run by a :mod:`tests.fuzz.worker` process in its own temporary folder: ``validate FILE`` or
``run FILE --trials 2 --out ...`` (sweep mutants: see :func:`tests.fuzz.worker._sweep_check`). The
parent is the watchdog. An input is a failure when

- a traceback: an exception other than SystemExit escaped main, the exit status is not 0 or 2, or
  "Traceback" is in its stderr;
- a hang: it ran longer than ``--limit-s`` (30 s), twice (the second time in a fresh worker, so that a
  first compilation of a kernel is not taken for a hang); the worker is killed and replaced;
- memory: the worker's resident memory passed ``--memory-mb`` (2,000 MB); killed and replaced;
- an escape: it opened a file outside its folder and the installation (worker.Confinement);
- died: the worker exited in the middle of it (a crash below Python).

Failing inputs are written again under ``OUT/failures/<class>-<id>/`` (the recipe, its files, the command
line, the traceback or stderr); ``OUT/summary.json`` holds the figures printed at the end. The exit status
is 1 when anything failed.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # `python tests/fuzz/campaign.py` as well as `python -m tests.fuzz.campaign`
    sys.path.insert(0, str(REPO))

from tests.fuzz.mutate import draw, materialize  # noqa: E402

LIMIT_S = 30.0
MEMORY_MB = 2000
READY_S = 120.0  # a fresh worker imports domesim before it answers
WARM_LIMIT_S = 600.0  # the unmutated seeds run first, with time to compile every kernel they use
RECYCLE = 300  # inputs per worker before it is replaced (memory a long-lived process accumulates)


def seed_recipes() -> list[dict[str, Any]]:
    """Every seed unmutated, once per command: they must all pass (exit 0); running them first also
    fills the numba cache, so that no input of the campaign waits for a first compilation."""
    from tests.fuzz import mutate, seeds

    bases = [("scenario", b) for b in seeds.scenario_seeds()]
    bases += [("sweep", b) for b in mutate.SWEEP_BASES] + [
        ("tle", b) for b in ("tle", "3le", "csv", "json", "xml")
    ]
    return [
        {"kind": k, "base": b, "ops": [], "text_ops": [], "cli": [], "command": c}
        for c in ("validate", "run")
        for k, b in bases
    ]


@dataclass
class Worker:
    root: Path
    log: Path
    env: dict[str, str]
    proc: subprocess.Popen = field(init=False)
    buffer: bytes = b""
    done: int = 0

    def __post_init__(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tests.fuzz.worker", str(self.root)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, cwd=REPO, env=self.env,
                start_new_session=True,  # Ctrl-C at the terminal reaches the campaign, which stops them
            )  # fmt: skip
        ready = self.answer(READY_S)
        if ready is None or "ready" not in ready:
            raise RuntimeError(f"a worker did not start; see {self.log}")

    def send(self, request: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        self.proc.stdin.flush()

    def answer(self, wait_s: float) -> dict[str, Any] | None:
        """The next answer if one arrives within ``wait_s``; ``{"died": ...}`` if the worker is gone."""
        assert self.proc.stdout is not None
        deadline = time.monotonic() + wait_s
        while b"\n" not in self.buffer:
            left = max(0.0, deadline - time.monotonic())
            if not select.select([self.proc.stdout], [], [], left)[0]:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
            if not chunk:
                return {"died": self.proc.wait()}
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def rss_mb(self) -> float:
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return 0.0
        found = re.search(r"VmRSS:\s+(\d+)", status)
        return int(found.group(1)) / 1024 if found else 0.0

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


@dataclass
class Campaign:
    out: Path
    workers: int = 2
    limit_s: float = LIMIT_S
    memory_mb: float = MEMORY_MB
    failures: list[dict[str, Any]] = field(default_factory=list)
    codes: collections.Counter = field(default_factory=collections.Counter)
    peak_mb: float = 0.0
    inputs: int = 0
    must_pass: bool = False  # the unmutated seeds: anything but exit status 0 is a failure

    def run(self, items: list[dict[str, Any]], limit_s: float | None = None) -> None:
        """Run ``items`` (``{"id", "recipe"}``) through the pool, recording each outcome."""
        limit_s = limit_s or self.limit_s
        self.out.mkdir(parents=True, exist_ok=True)
        work = tempfile.mkdtemp(prefix="domesim-fuzz-")
        pool = [self._worker(work, i) for i in range(self.workers)]
        queue = collections.deque((item, 0) for item in items)
        busy: dict[int, tuple[dict[str, Any], int, float]] = {}  # pool index -> (item, attempt, start)
        try:
            while queue or busy:
                for i, w in enumerate(pool):
                    if i not in busy and queue:
                        item, attempt = queue.popleft()
                        w.send(item)
                        busy[i] = (item, attempt, time.monotonic())
                ready = select.select([pool[i].proc.stdout for i in busy], [], [], 0.2)[0]
                for i in list(busy):
                    item, attempt, started = busy[i]
                    w = pool[i]
                    answer = w.answer(0) if w.proc.stdout in ready or b"\n" in w.buffer else None
                    if answer is not None:
                        del busy[i]
                        if "died" in answer:
                            self._record(item, "died", {"detail": f"worker exit status {answer['died']}"})
                            pool[i] = self._replace(w, work, i)
                            continue
                        self._finish(item, answer)
                        w.done += 1
                        if w.done >= RECYCLE:
                            pool[i] = self._replace(w, work, i)
                    elif time.monotonic() - started > limit_s:
                        del busy[i]
                        pool[i] = self._replace(w, work, i)
                        if attempt == 0:  # once more in a fresh worker before it counts as a hang
                            queue.appendleft((item, 1))
                        else:
                            self._record(item, "hang", {"detail": f"over {limit_s:g} s (twice)"})
                    elif (rss := w.rss_mb()) > self.memory_mb:
                        del busy[i]
                        self.peak_mb = max(self.peak_mb, rss)
                        pool[i] = self._replace(w, work, i)
                        self._record(item, "memory", {"detail": f"resident memory {rss:,.0f} MB"})
        finally:
            for w in pool:
                w.stop()
            shutil.rmtree(work, ignore_errors=True)

    def _worker(self, work: str, i: int) -> Worker:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
            "MPLCONFIGDIR": os.environ.get("MPLCONFIGDIR", str(self.out / "mplconfig")),
            "DOMESIM_DATA_DIR": os.environ.get("DOMESIM_DATA_DIR", str(self.out / "data")),
        }
        return Worker(Path(work), self.out / f"worker-{i}.log", env)

    def _replace(self, w: Worker, work: str, i: int) -> Worker:
        w.stop()
        return self._worker(work, i)

    def _progress(self) -> None:
        if self.inputs % 500 == 0:  # a line now and then on a long campaign, on stderr
            kinds = collections.Counter(f["kind"] for f in self.failures)
            print(f"{self.inputs} inputs: {dict(kinds) or 'no failures'}", file=sys.stderr, flush=True)

    def _finish(self, item: dict[str, Any], answer: dict[str, Any]) -> None:
        if "harness_error" in answer:
            self._record(item, "harness", {"detail": answer["harness_error"]})
            return
        self.peak_mb = max(self.peak_mb, answer["peak_kb"] / 1024)
        code = answer["code"]
        self.codes["exception" if code is None else str(code)] += 1
        if code not in (0, 2) or "Traceback" in answer["stderr"]:
            self._record(item, "traceback", answer)
        elif self.must_pass and code != 0:
            self._record(item, "seed-rejected", answer)
        elif answer["escapes"]:
            self._record(item, "escape", answer)
        elif answer["peak_kb"] / 1024 > self.memory_mb:
            self._record(item, "memory", answer)
        else:
            self.inputs += 1
            self._progress()

    def _record(self, item: dict[str, Any], kind: str, answer: dict[str, Any]) -> None:
        """Count a failure and write it again, with what came out, under failures/<kind>-<id>/."""
        self.inputs += 1
        self._progress()
        folder = self.out / "failures" / f"{kind}-{item['id']}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        try:
            argv = materialize(item["recipe"], folder)
        except Exception as exc:  # a harness bug: the recipe and the message are still written
            argv = [f"(not materialized: {exc!r})"]
        (folder / "recipe.json").write_text(json.dumps(item["recipe"], indent=1) + "\n")
        (folder / "command.txt").write_text(" ".join(["domesim", *map(repr, argv)]) + "\n")
        text = answer.get("traceback") or answer.get("stderr") or answer.get("detail") or ""
        (folder / "report.txt").write_text(
            text + "".join(f"\nescape: {e}" for e in answer.get("escapes", []))
        )
        self.failures.append({
            "kind": kind, "id": item["id"], "where": where(text, answer), "folder": str(folder),
            "size": len(json.dumps(item["recipe"])),  # the smallest recipe of a class is its example
        })  # fmt: skip

    def summary(self, wall_s: float) -> dict[str, Any]:
        kinds = collections.Counter(f["kind"] for f in self.failures)
        classes = collections.Counter(f"{f['kind']}: {f['where']}" for f in self.failures)
        smallest: dict[str, dict[str, Any]] = {}
        for f in self.failures:
            name = f"{f['kind']}: {f['where']}"
            if name not in smallest or f["size"] < smallest[name]["size"]:
                smallest[name] = f
        return {
            "inputs": self.inputs,
            "exit_codes": dict(self.codes),
            "tracebacks": kinds["traceback"] + kinds["died"],
            "hangs": kinds["hang"],
            "escapes": kinds["escape"],
            "memory": kinds["memory"],
            "harness_errors": kinds["harness"],
            "max_peak_mb": round(self.peak_mb, 1),
            "wall_s": round(wall_s, 1),
            "classes": {n: {"count": k, "example": smallest[n]["folder"]} for n, k in classes.most_common()},
        }


def where(text: str, answer: dict[str, Any]) -> str:
    """A failure's class: the exception and the last domesim frame of its traceback (or the first
    escape, or the detail)."""
    if answer.get("escapes"):
        opened = re.sub(r"^'.*?' -> ", "", answer["escapes"][0]).split(" (mode")[0]
        return re.sub(r"^/proc/\d+/", "/proc/<pid>/", opened)  # one class, whichever worker read it
    frames = re.findall(r'File "([^"]+)", line (\d+), in (\S+)', text)
    ours = [f for f in frames if "/domesim/" in f[0]] or frames
    last = text.strip().splitlines()[-1] if text.strip() else ""
    error = last.split(":")[0] if frames else answer.get("detail", last)[:80]
    if not ours:
        return error
    file, line, func = ours[-1]
    return f"{error} at {file.split('/src/')[-1]}:{line} ({func})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fuzz.campaign", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--validate", type=int, default=1000, help="inputs through `domesim validate`")
    parser.add_argument("--run", type=int, default=50, help="inputs through `domesim run --trials 2`")
    parser.add_argument(
        "--seed", type=int, default=17, help="hypothesis seed (the same seed, the same inputs)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit-s", type=float, default=LIMIT_S, help="wall-clock limit of one input")
    parser.add_argument(
        "--memory-mb", type=float, default=MEMORY_MB, help="resident memory limit of a worker"
    )
    parser.add_argument("--out", type=Path, default=REPO / "out" / "fuzz", help="failures and summary.json")
    args = parser.parse_args(argv)
    summary = run_campaign(
        args.validate, args.run, args.seed, args.out, args.workers, args.limit_s, args.memory_mb
    )
    print(json.dumps(summary, indent=1))
    failed = sum(summary[k] for k in ("tracebacks", "hangs", "escapes", "memory", "harness_errors"))
    return 1 if failed or summary["seeds_failed"] else 0


def run_campaign(
    validate: int, run: int, seed: int, out: Path, workers: int = 2, limit_s: float = LIMIT_S,
    memory_mb: float = MEMORY_MB, warm: bool = True,
) -> dict[str, Any]:  # fmt: skip
    started = time.perf_counter()
    shutil.rmtree(out / "failures", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    campaign = Campaign(out, workers, limit_s, memory_mb)
    seeds_failed: list[str] = []
    if warm:
        base = seed_recipes() if run else [r for r in seed_recipes() if r["command"] == "validate"]
        campaign.must_pass = True
        campaign.run([{"id": f"seed{i}", "recipe": r} for i, r in enumerate(base)], WARM_LIMIT_S)
        seeds_failed = [f"{f['kind']} {f['id']}: {f['where']}" for f in campaign.failures]
        campaign = Campaign(out, workers, limit_s, memory_mb)
    recipes = draw("validate", validate, seed) + draw("run", run, seed + 1)
    campaign.run([{"id": i, "recipe": r} for i, r in enumerate(recipes)])
    summary = {**campaign.summary(time.perf_counter() - started), "seeds_failed": seeds_failed}
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary


if __name__ == "__main__":
    sys.exit(main())
