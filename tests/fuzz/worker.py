"""A campaign worker: a persistent process that runs one mutant at a time through ``domesim.cli.main``
in-process and reports what happened as one JSON line.

Started by :mod:`tests.fuzz.campaign` as ``python -m tests.fuzz.worker ROOT``. It reads requests
``{"id": n, "recipe": {...}}`` on stdin, writes the recipe's files into ``ROOT/<n>/``, runs the command
there and answers on the file descriptor that was its stdout (the command's own output is captured, and
anything written below Python to fd 1 or 2 goes to the worker's log, so it can never garble an answer):

``{"id", "code", "traceback", "stderr", "escapes", "peak_kb", "wall_s"}``

``code`` is the exit status (``None`` when an exception escaped main, ``traceback`` then holds it);
``escapes`` lists the files the command opened outside the input's folder and the installation (the audit
hook below); ``peak_kb`` is the process's peak resident memory during this input (VmHWM, reset before each
input through /proc/self/clear_refs).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import site
import sys
import sysconfig
import tempfile
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

from tests.fuzz.mutate import materialize

SMALL_SWEEP = 4  # points x trials up to which a sweep mutant is run for real by `domesim sweep`
STDERR_KEPT = 20_000  # characters of a failing input's stderr kept in its report


class Confinement:
    """An audit hook (event "open") that notes every file a command opens outside the folders it may
    use: the input's folder, the Python installation and virtual environment, domesim itself, the numba
    cache, matplotlib's configuration and a few system files every process reads.

    Python's own ``open``/``os.open`` raise the event; files opened by compiled libraries (DuckDB's
    catalogue, Parquet writers) do not, so this checks what domesim reads through Python, which is where
    a path from a scenario file goes."""

    SYSTEM = (
        "/proc/cpuinfo", "/proc/meminfo", "/sys/fs/cgroup/", "/sys/devices/system/cpu/", "/dev/null",
        "/dev/urandom", "/dev/shm/",
        "/etc/localtime", "/etc/ld.so.cache", "/etc/fonts/", "/etc/mime.types", "/etc/matplotlibrc",
        "/usr/share/zoneinfo/", "/usr/share/fonts/", "/usr/local/share/fonts/", "/usr/lib/", "/lib/",
    )  # fmt: skip

    def __init__(self) -> None:
        import domesim

        roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sysconfig.get_paths()["stdlib"]}
        roots |= set(site.getsitepackages()) | {site.getusersitepackages()}
        roots.add(str(Path(domesim.__file__).parent))
        for var in ("NUMBA_CACHE_DIR", "MPLCONFIGDIR", "DOMESIM_DATA_DIR"):
            if os.environ.get(var):
                roots.add(os.environ[var])
        self.allowed = tuple(os.path.realpath(r) + os.sep for r in roots if r) + self.SYSTEM
        self.folder = ""
        self.escapes: list[str] = []
        self.active = False
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event != "open" or not self.active or isinstance(args[0], int) or args[0] is None:
            return
        self.active = False  # realpath below must not come back here
        try:
            where = os.path.realpath(os.fsdecode(args[0]))
            if not (where + os.sep).startswith((self.folder, *self.allowed)):
                self.escapes.append(f"{os.fsdecode(args[0])!r} -> {where} (mode {args[1]!r})")
        except Exception as exc:  # a path realpath cannot take (a NUL byte): say so, never raise here
            self.escapes.append(f"{args[0]!r}: unresolvable ({exc})")
        finally:
            self.active = True


def _peak_reset() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current resident size (Linux >= 4.0)
    except OSError:
        pass


def _peak_kb() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _exit_code(exc: BaseException) -> int:
    code = getattr(exc, "exit_code", getattr(exc, "code", 1))  # click's Exit carries exit_code
    return 0 if code is None else code if isinstance(code, int) else 1


def _sweep_check(recipe: dict[str, Any], argv: list[str]) -> None:
    """A sweep mutant: read it as ``domesim sweep`` does; run it through the real command when it is
    small (a few points of a few trials), else load its first point's scenario (what each point does
    before it simulates), so a valid sweep of 50 points x 200 trials is checked, not simulated."""
    from domesim.cli import load_scenario, main, user_errors
    from domesim.studies.sweep import load_sweep

    with user_errors():
        sweep = load_sweep(argv[1])
        s = sweep.spec.sweep
        if recipe["command"] == "run" and len(sweep.points) * s.trials <= SMALL_SWEEP:
            sys.argv = ["domesim", *argv]
            main()
            return
        load_scenario(sweep.scenario_path, trials=s.trials, seed=s.seed, edits={**s.set, **sweep.points[0]})


def run_one(recipe: dict[str, Any], folder: Path, confinement: Confinement) -> dict[str, Any]:
    from domesim.cli import main

    try:
        argv = materialize(recipe, folder)
    except Exception:  # the fuzzer's own bug, not domesim's: reported apart
        return {"harness_error": traceback.format_exc()}
    out, err = io.StringIO(), io.StringIO()
    code: int | None = 0
    trace = None
    _peak_reset()
    started = time.perf_counter()
    os.chdir(folder)  # a default output folder (out/<name>) lands in the input's folder
    (folder / "tmp").mkdir()
    tempfile.tempdir = str(folder / "tmp")  # so do temporary files (the report's figures)
    confinement.folder, confinement.escapes = os.path.realpath(folder) + os.sep, []
    confinement.active = True
    try:
        with redirect_stdout(out), redirect_stderr(err):
            if recipe["kind"] == "sweep":
                _sweep_check(recipe, argv)
            else:
                sys.argv = ["domesim", *argv]
                main()
    except BaseException as exc:  # noqa: B036 - SystemExit and click's or typer's Exit are the expected ends
        confinement.active = False  # formatting the traceback reads source files
        if isinstance(exc, SystemExit) or hasattr(exc, "exit_code"):
            code = _exit_code(exc)
        else:
            code, trace = None, traceback.format_exc()
    finally:
        confinement.active = False
        tempfile.tempdir = None
        os.chdir(folder.parent)
    stderr = err.getvalue()
    return {
        "argv": argv,
        "code": code,
        "traceback": trace,
        "stderr": stderr[:STDERR_KEPT],
        "escapes": confinement.escapes[:20],
        "peak_kb": _peak_kb(),
        "wall_s": time.perf_counter() - started,
    }


def main() -> None:
    root = Path(sys.argv[1])
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # fd 1 (C libraries, numba) joins the log on fd 2
    confinement = Confinement()
    import domesim.cli  # noqa: F401 - imported before the first input, not during it

    answers.write(json.dumps({"ready": os.getpid()}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        folder = root / str(request["id"])
        shutil.rmtree(folder, ignore_errors=True)  # left by a worker killed on this input (a retry)
        folder.mkdir(parents=True)
        try:
            result = run_one(request["recipe"], folder, confinement)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        answers.write(json.dumps({"id": request["id"], **result}) + "\n")


if __name__ == "__main__":
    main()
