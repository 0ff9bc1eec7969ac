"""Read a scenario file: TOML -> validated schema (:func:`load_spec`) -> World (:func:`load_scenario`),
with one clear message per problem.

:func:`load_spec` stops at the validated file: what costing and other questions about the architecture
need, without the physics (no launch solutions, no compiled kernels imported).

Every fault becomes a :class:`~domesim.errors.Problem` naming the file, the key path (1-based
``threat#2.launch_time_s``), the line where it can be found, and what is expected.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import pickle
import re
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from domesim.build.catalogue import Catalogue, load_catalogue
from domesim.build.schema import (
    UNKNOWN_FAMILY,
    MonteCarloSpec,
    ScenarioFile,
    catalogue_for_validation,
    scenario_model,
)
from domesim.build.threats import threat_families
from domesim.errors import ParameterError, Problem, ScenarioError
from domesim.limits import (
    DEFAULT_POLICY,
    MAX_ASAT_BLOCKS,
    MAX_INTERCEPTOR_SITES,
    MAX_SATELLITES,
    MAX_SCENARIO_FILE_BYTES,
    MAX_SENSORS,
    MAX_STEPS_PER_TRIAL,
    MAX_THREAT_BLOCKS,
    MAX_THREAT_MISSILES,
    MAX_TOML_DEPTH,
    MAX_WAVES,
    InputPolicy,
    quote,
)
from domesim.scenario.edits import apply_edits
from domesim.scenario.locate import locate_line

if TYPE_CHECKING:
    from domesim.engine.world import World


@dataclass(frozen=True)
class LoadedSpec:
    """A read and validated scenario file, before anything is built (:func:`load_spec`)."""

    path: Path
    text: str
    spec: ScenarioFile
    scenario_hash: str  # sha256 of the validated scenario without its [montecarlo] and [cost] tables
    policy: InputPolicy = DEFAULT_POLICY  # what the load was allowed (files it names, sizes)

    @property
    def montecarlo(self) -> MonteCarloSpec:
        return self.spec.montecarlo


@dataclass(frozen=True)
class LoadedScenario:
    """A validated, built scenario and what a run records about it."""

    path: Path
    text: str
    spec: ScenarioFile
    world: World
    provenance: list[dict]
    scenario_hash: str  # everything that decides a run's results besides trials and seed: built_hash()
    warnings: list[str]  # things a user should know that do not stop a run
    policy: InputPolicy = DEFAULT_POLICY  # what the load was allowed (files it names, sizes)

    @property
    def montecarlo(self) -> MonteCarloSpec:
        return self.spec.montecarlo


def format_path(path: tuple) -> str:
    """``("threat", 1, "override", "sspk")`` -> ``threat#2.override.sspk`` (array elements count from 1)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"#{part + 1}"
        else:
            out += ("." if out else "") + quote(str(part))
    return out


def _threat_blocks() -> dict[str, type[BaseModel]]:
    """The [[threat]] block of each union tag (the family's name) that validation errors carry."""
    return {family.name: family.block for family in threat_families()}


def _model_at(path: tuple) -> type[BaseModel] | None:
    """The schema model that holds the last key of ``path`` (for listing the keys it accepts); ``path``
    is a validation error's location, with the threat family's tag after ``threat#n``."""
    model: type[BaseModel] = scenario_model()
    blocks = _threat_blocks()
    mapping_key = False  # the part after a dict[str, Model] field is a key of that mapping
    for part in path[:-1]:
        if isinstance(part, int) or mapping_key:
            mapping_key = False
            continue
        if part in blocks:  # the union member a [[threat]] block was validated as
            model = blocks[part]
            continue
        fields = {f.alias or name: f for name, f in model.model_fields.items()}
        if part not in fields:
            return None
        annotation = fields[part].annotation
        candidates = [annotation, *typing.get_args(annotation)]
        found = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not found:
            return None if part != "threat" else model
        model = found[0]
        mapping_key = typing.get_origin(annotation) is dict
    return model


def _message(error: Any) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden":
        key = quote(str(loc[-1]))
        model = _model_at(loc)
        allowed = [f.alias or name for name, f in model.model_fields.items()] if model else []
        with_unit = [k for k in allowed if k.startswith(key + "_")]
        if with_unit:
            return f"unknown key {key!r}: keys carry their unit as a suffix; did you mean {with_unit[0]!r}?"
        close = difflib.get_close_matches(key, allowed, n=2)
        hint = (
            f"did you mean {', '.join(map(repr, close))}?" if close else f"allowed keys: {', '.join(allowed)}"
        )
        return f"unknown key {key!r}; {hint}"
    if kind == "missing":
        return "missing required key"
    message = error["msg"]
    message = re.sub(r"^Value error, ", "", message)
    if "input" in error and not isinstance(error["input"], dict | list):
        message += f" (got {quote(repr(error['input']))})"
    return message


def _untagged(loc: tuple, tags: set[str]) -> tuple:
    """A validation error's location without the union tag pydantic puts after ``threat#n``."""
    for k in range(len(loc) - 2):
        if loc[k] == "threat" and isinstance(loc[k + 1], int) and loc[k + 2] in tags:
            return loc[: k + 2] + loc[k + 3 :]
    return loc


def _problems_from_validation(exc: ValidationError, file: str, text: str) -> list[Problem]:
    tags = set(_threat_blocks()) | {UNKNOWN_FAMILY}
    problems = []
    for error in exc.errors():
        loc = tuple(
            p
            for p in _untagged(error["loc"], tags)
            if not (
                isinstance(p, str) and p.startswith(("function-", "list[", "float", "int", "constrained"))
            )
        )
        problems.append(Problem(file, format_path(loc), _message(error), locate_line(text, loc)))
    return problems


def scenario_hash(spec: ScenarioFile) -> str:
    # [cost] prices the architecture and does not change what is simulated: not part of the hash
    data = spec.model_dump(mode="json", by_alias=True, exclude={"montecarlo", "cost"})
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _depth(data: Any) -> int:
    """How deeply tables and arrays nest in parsed TOML (counted without recursion)."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        item, depth = todo.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                deepest = max(deepest, depth)
                todo.append((child, depth + 1))
    return deepest


def _check_size(file: str, size: int, text: str | None, policy: InputPolicy) -> None:
    if found := policy.oversized(size, MAX_SCENARIO_FILE_BYTES, text):
        raise ScenarioError([Problem(file, "", *found)])


def read_toml(path: Path, policy: InputPolicy = DEFAULT_POLICY) -> tuple[str, dict[str, Any]]:
    """Text and parsed content of a TOML file, or :class:`ScenarioError` (missing file, too large,
    syntax, nested too deeply)."""
    file = str(path)
    if not path.is_file():
        raise ScenarioError([Problem(file, "", "file not found" if not path.exists() else "not a file")])
    _check_size(file, path.stat().st_size, None, policy)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(file, "", f"cannot be read as UTF-8 text ({exc})")]) from None
    _check_size(file, len(text.encode()), text, policy)
    too_deep = f"tables and arrays nest more than {MAX_TOML_DEPTH} deep; a scenario needs a few levels"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(found.group(1)) if found else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ScenarioError([Problem(file, "", f"malformed TOML: {reason}", line)]) from None
    except RecursionError:  # tomllib reads nested arrays and inline tables recursively
        raise ScenarioError([Problem(file, "", too_deep)]) from None
    if _depth(data) > MAX_TOML_DEPTH:  # validation and hashing recurse over the data too
        raise ScenarioError([Problem(file, "", too_deep)])
    return text, data


def load_spec(
    path: str | Path,
    trials: int | None = None,
    seed: int | None = None,
    sensing: str | None = None,
    edits: Mapping[str, Any] | None = None,
    catalogue: Catalogue | None = None,
    policy: InputPolicy = DEFAULT_POLICY,
) -> LoadedSpec:
    """Read and validate a scenario file without building its world (the arguments of
    :func:`load_scenario`; ``catalogue`` decides the family of each [[threat]] block's class). The bounds
    of :mod:`domesim.limits` that the file alone shows are checked here, unless ``policy`` lifts them.

    Raises
    ------
    ScenarioError
        With every problem of the file's syntax and schema, each naming file, key and line. Problems
        that only building finds (unknown catalogue ids, unreachable aim points) are not looked for.
    """
    path = Path(path)
    file = str(path)
    text, data = read_toml(path, policy)
    if edits:
        try:
            data = apply_edits(data, edits)
        except ParameterError as exc:
            raise ScenarioError([Problem(file, "", str(exc))]) from None
    if isinstance(data.get("montecarlo"), dict):
        data["montecarlo"] = dict(data["montecarlo"])
        for key, value in (("trials", trials), ("seed", seed)):
            if value is not None:
                data["montecarlo"][key] = value
    elif trials is not None or seed is not None:
        data["montecarlo"] = {k: v for k, v in (("trials", trials), ("seed", seed)) if v is not None}
    if sensing is not None and isinstance(data.get("scenario"), dict):
        data["scenario"] = {**data["scenario"], "sensing": sensing}
    try:
        with catalogue_for_validation(catalogue):
            spec = scenario_model().model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems_from_validation(exc, file, text)) from None
    if problems := size_problems(spec, policy):
        raise scenario_problems(file, text, problems)
    return LoadedSpec(path, text, spec, scenario_hash(spec), policy)


def size_problems(spec: ScenarioFile, policy: InputPolicy) -> list[tuple[tuple, str]]:
    """The bounds of :mod:`domesim.limits` that a validated file goes past, as ``(key path, message)``,
    checked before anything is built: what can be counted from the file alone (the objects missiles
    release and the satellites of catalogue constellations and TLE files are counted when built)."""
    s = spec.scenario
    walker = [c.walker.planes * c.walker.per_plane for c in spec.constellation if c.walker is not None]
    listed = [len(c.elements_deg or c.geo_lon_deg or ()) for c in spec.constellation]
    checks = (
        (("scenario", "step_s"), "steps per trial (duration_s / step_s)", s.duration_s / s.step_s + 1,
         MAX_STEPS_PER_TRIAL),
        (("threat",), "the missiles of every [[threat]] block (their count summed)",
         sum(t.count for t in spec.threat), MAX_THREAT_MISSILES),
        (("threat",), "the number of [[threat]] blocks", len(spec.threat), MAX_THREAT_BLOCKS),
        (("wave",), "the number of [[wave]] blocks", len(spec.wave), MAX_WAVES),
        (("asat",), "the number of [[asat]] blocks", len(spec.asat), MAX_ASAT_BLOCKS),
        (("interceptor_site",), "the number of [[interceptor_site]] blocks", len(spec.interceptor_site),
         MAX_INTERCEPTOR_SITES),
        (("sensor",), "the number of [[sensor]] blocks", len(spec.sensor), MAX_SENSORS),
        (("constellation",), "the satellites of every [[constellation]]", sum(walker) + sum(listed),
         MAX_SATELLITES),
    )  # fmt: skip
    return [(key, m) for key, what, count, limit in checks if (m := policy.over(what, count, limit))]


def scenario_problems(file: str, text: str, problems: list[tuple[tuple, str]]) -> ScenarioError:
    """The error of a file's build problems ``(key path, message)``, each with its key and line."""
    return ScenarioError([Problem(file, format_path(p), m, locate_line(text, p)) for p, m in problems])


def load_scenario(
    path: str | Path,
    trials: int | None = None,
    seed: int | None = None,
    sensing: str | None = None,
    edits: Mapping[str, Any] | None = None,
    catalogue: Catalogue | None = None,
    policy: InputPolicy = DEFAULT_POLICY,
) -> LoadedScenario:
    """Read, validate and build a scenario; ``trials``/``seed`` replace those of ``[montecarlo]``, and
    ``sensing`` that of ``[scenario]`` (e.g. to compare "full" and "screening" on the same file).

    ``edits`` set values by key path before validation (:func:`domesim.scenario.edits.apply_edits`:
    a sweep's architecture point), and ``catalogue`` replaces the shipped catalogue (a sensitivity
    study's low or high value of one input).

    ``policy`` (:class:`~domesim.limits.InputPolicy`) is what the load may go past: the bounds on input
    sizes (``allow_large``) and the folders other than the scenario's from which it may name files
    (``allowed_dirs``). It is passed down as an argument, not held globally, so that what a call may read
    shows in its signature; the loaded scenario keeps it for what reads the file again (costing).

    Raises
    ------
    ScenarioError
        With every problem found, each naming file, key and line.
    """
    from domesim.build.world import build_world  # the physics: launch solutions, compiled kernels

    read = load_spec(path, trials, seed, sensing, edits, catalogue, policy)
    world, provenance, problems, warnings = build_world(
        read.spec, catalogue or load_catalogue(), read.path.parent, policy
    )
    if problems:
        raise scenario_problems(str(read.path), read.text, problems)
    return LoadedScenario(
        read.path, read.text, read.spec, world, provenance, built_hash(read, world), warnings, policy
    )


def built_hash(read: LoadedSpec, world: World) -> str:
    """sha256 of everything that decides a run's results besides its trials and seed: the validated
    scenario (:func:`scenario_hash`), every value of the built world (the catalogue values it used, the
    element files it read, the launch solutions) and the chunk size (each chunk draws its own random
    streams, so two chunk sizes give two equally valid but different samples)."""
    from domesim.engine.simulate import trials_per_chunk

    chunk_trials = trials_per_chunk(world, read.montecarlo.chunk_trials)
    world_hash = hashlib.sha256(pickle.dumps(world)).hexdigest()
    return hashlib.sha256(f"{read.scenario_hash} {world_hash} {chunk_trials}".encode()).hexdigest()
