"""What input domesim accepts: the bounds on input sizes, and where files named by an input may lie.

Every bound is a named constant here, in one place, so a user who hits one (and a reviewer who wants to
change one) finds them all together. Each is far above what a real study needs and well below what
exhausts a workstation; ``--allow-large`` (CLI) or ``allow_large=True`` (API) lifts the bounds marked
"lifted by allow_large". Files that a scenario or sweep names (a TLE/OMM file, a sweep's base scenario)
must lie under the folder of the file that names them, symlinks resolved, unless a folder above them is
allowed with ``--allow-path DIR`` (CLI) or ``allow_paths=`` (API): a scenario from elsewhere cannot make
domesim read (and quote in its messages) any file on the machine.

The allowances travel as one :class:`InputPolicy` record, passed as an argument from the command line
through ``load_scenario`` / ``load_sweep`` / ``build_world`` to the readers that apply it, rather than as
a global or a context variable: what a call may read is then visible in its signature, and two loads in
one process (a test, a notebook) cannot leak allowances into each other.

Like ``errors.py``, this module imports nothing of domesim, so every layer may import it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# ---- sizes of input files (lifted by allow_large) -----------------------------------------------------
MAX_SCENARIO_FILE_BYTES = 8 * 2**20  # a scenario or sweep TOML file (real ones are a few kB)
MAX_ELEMENT_FILE_BYTES = 32 * 2**20  # a TLE/OMM file (the whole public catalogue as XML is about 30 MB)
MAX_LINE_CHARS = 10_000  # one line of a TOML, TLE or OMM CSV file (a TLE line has 69 characters)

# ---- sizes of the simulated world (lifted by allow_large) ---------------------------------------------
MAX_STEPS_PER_TRIAL = 100_000  # duration_s / step_s: a day at 1 s steps is 86,401
MAX_THREAT_MISSILES = 2_000  # summed over every [[threat]] block's count
MAX_THREAT_BLOCKS = 100  # [[threat]] blocks: each may need its own launch solution (tens of ms to 0.2 s)
MAX_WAVES = 20  # [[wave]] blocks of a campaign: each is a raid simulated in turn in every trial
MAX_ASAT_BLOCKS = 50  # [[asat]] blocks
MAX_THREAT_OBJECTS = 10_000  # missiles and what they release (RVs, decoys, buses), the whole raid
MAX_INTERCEPTOR_SITES = 200  # [[interceptor_site]] blocks
MAX_SENSORS = 200  # [[sensor]] blocks
MAX_SATELLITES = 20_000  # summed over every [[constellation]]
MAX_SWEEP_POINTS = 5_000  # points of a sweep (a grid's product of value counts, or its samples)
# one trial of the world (truth over objects x steps) must fit the engine's chunk memory budget,
# engine.simulate.CHUNK_MEMORY_BYTES, times this factor (a trial larger than the budget runs alone)
MAX_TRIAL_MEMORY_FACTOR = 4

# ---- floors and ranges (not lifted: below or beyond them the numbers mean nothing) ---------------------
MIN_STEP_S = 1e-3  # a time step below a millisecond resolves nothing the models hold
MAX_SEED = 2**63 - 1  # seeds are stored as signed 64-bit integers (the run catalogue's BIGINT)
MAX_TOML_DEPTH = 32  # nesting of tables and arrays in a TOML file (a scenario needs 4)

# ---- what messages quote --------------------------------------------------------------------------------
QUOTE_CHARS = 80  # a message quotes at most this much of a line or value from a file
PATH_CHARS = 300  # ... and this much of a path
MAX_FILE_PROBLEMS = 5  # per-line problems reported from one file before "and N more"

ALLOW_LARGE_HINT = "--allow-large (API: allow_large=True) lifts this bound"


@dataclass(frozen=True, kw_only=True)
class InputPolicy:
    """What a load may go past: the size bounds (``allow_large``) and the folders outside an input
    file's own from which it may name files (``allowed_dirs``, resolved when the policy is made)."""

    allow_large: bool = False
    allowed_dirs: tuple[Path, ...] = ()

    @classmethod
    def of(
        cls, *, allow_large: bool = False, allow_paths: Iterable[str | os.PathLike[str]] = ()
    ) -> InputPolicy:
        """A policy from the command line's ``--allow-large`` and ``--allow-path`` values."""
        return cls(allow_large=allow_large, allowed_dirs=tuple(Path(p).resolve() for p in allow_paths))

    def over(self, what: str, count: float, limit: float) -> str | None:
        """The message when ``count`` of ``what`` goes past ``limit`` and large inputs are not allowed."""
        if self.allow_large or count <= limit:
            return None
        shown = f"{count:,.0f}" if count < 1e15 else f"{count:.3g}"
        return f"{what} is {shown}, above the limit of {limit:,}; {ALLOW_LARGE_HINT}"

    def oversized(self, size: int, limit: int, text: str | None = None) -> tuple[str, int | None] | None:
        """(message, line) when a file of ``size`` bytes is above ``limit`` or, given its ``text``, holds
        a line longer than :data:`MAX_LINE_CHARS`; None when it is within bounds."""
        if message := self.over("the file's size in bytes", size, limit):
            return message, None
        if text is None or self.allow_large:
            return None
        for number, line in enumerate(text.splitlines(), start=1):
            if len(line) > MAX_LINE_CHARS:
                message = self.over(f"line {number}'s length in characters", len(line), MAX_LINE_CHARS)
                return f"{message} (the line starts {quote(line)!r})", number
        return None

    def outside(self, written: str | os.PathLike[str], base_dir: Path) -> str | None:
        """Why the file ``written`` (as the input names it) of an input in ``base_dir`` may not be read
        (None: it may). Symlinks are resolved first, so a link inside the folder to a file outside it is
        outside, and ``..`` cannot climb out."""
        if "\0" in str(written):  # no file system takes it (and resolve() would raise)
            return f"{quote(str(written), PATH_CHARS)!r} holds a NUL character: not a file name"
        try:
            target = (base_dir / written).resolve()
        except OSError as exc:  # a name too long, a link loop
            return f"{quote(str(written), PATH_CHARS)!r} cannot be resolved ({exc.strerror})"
        for folder in (base_dir.resolve(), *self.allowed_dirs):
            if target.is_relative_to(folder):
                return None
        return (
            f"{quote(str(written), PATH_CHARS)!r} resolves to {quote(str(target), PATH_CHARS)}, outside "
            f"{quote(str(base_dir.resolve()), PATH_CHARS)}, the folder of the file that names it: files a "
            "scenario or sweep names must lie under its folder; to read it anyway, give --allow-path DIR "
            "with a folder above it (API: allow_paths=[DIR])"
        )


DEFAULT_POLICY = InputPolicy()  # every bound, and files only under the folder of the file naming them


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` cut to ``limit`` characters (with a note of the length cut), for quoting file content."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


SLUG_CHARS = 64  # longest folder name made from a scenario's name


def slug(name: str) -> str:
    """A folder name made from a scenario's or sweep's name: lowercase ``[a-z0-9._-]``, no leading dot,
    at most :data:`SLUG_CHARS` characters; never a path (``"../../x"`` -> ``"x"``)."""
    text = re.sub(r"[^a-z0-9._-]+", "-", name.lower())
    text = re.sub(r"-{2,}", "-", text).lstrip(".-")[:SLUG_CHARS].rstrip(".-")
    return text or "scenario"
