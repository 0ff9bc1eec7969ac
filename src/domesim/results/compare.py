"""Two runs side by side: every metric with its difference, whether the 95% intervals overlap, and the
scenario keys that differ.

A run is the folder ``domesim run --out`` writes: ``summary.json``, the Parquet tables and the scenario
(``scenario.json``, the validated scenario with every default filled in, and ``scenario.toml``, the file
as read). :func:`compare` reads two such folders; ``domesim compare RUN_A RUN_B`` prints its result.

Intervals: P(no leak) and the probability that an asset is hit are binomial (Wilson); the means of
per-trial counts (leakers, shots, kills, leakers by cause and by asset) use :func:`~.metrics.mean_ci`
over the per-trial values in ``trials.parquet`` and ``leakers.parquet``. Timings, sensor figures and the
tracking error have no interval. Two intervals that do not overlap indicate a real difference; two that
overlap do not prove there is none.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from domesim.errors import DomesimError
from domesim.results.metrics import binomial_ci, mean_ci

__all__ = ["Comparison", "KeyDiff", "MetricDiff", "RunInfo", "compare", "flatten_keys"]

SPEC_FILE = "scenario.json"  # the validated scenario, written by `domesim run`
TEXT_FILE = "scenario.toml"  # the scenario file as read
SUMMARY_FILE = "summary.json"
Interval = tuple[float, float]


@dataclass(frozen=True, kw_only=True)
class MetricDiff:
    """One metric of both runs; ``None`` where a run does not have it (a sensor only one run fields)."""

    section: str  # headline, interceptors fired, kills by layer, leak causes, assets, countries, ...
    metric: str
    a: float | None
    b: float | None
    a_ci: Interval | None = None
    b_ci: Interval | None = None

    @property
    def diff(self) -> float | None:
        """``b - a``, or ``None`` where either run lacks the metric."""
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def changed(self) -> bool:
        """Present in both runs with different values (NaN equals NaN: a timing neither run has)."""
        if self.a is None or self.b is None:
            return False
        both_nan = math.isnan(self.a) and math.isnan(self.b)
        return not both_nan and self.a != self.b

    @property
    def overlap(self) -> bool | None:
        """Whether the two 95% intervals overlap; ``None`` where the metric has none."""
        if self.a_ci is None or self.b_ci is None or any(map(math.isnan, (*self.a_ci, *self.b_ci))):
            return None
        return self.a_ci[0] <= self.b_ci[1] and self.b_ci[0] <= self.a_ci[1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "metric": self.metric,
            "a": _json_number(self.a),
            "b": _json_number(self.b),
            "diff": _json_number(self.diff),
            "a_ci95": None if self.a_ci is None else list(self.a_ci),
            "b_ci95": None if self.b_ci is None else list(self.b_ci),
            "ci_overlap": self.overlap,
        }


def _json_number(x: float | None) -> float | None:
    """NaN (a timing a run could not measure) as JSON null."""
    return None if x is None or math.isnan(x) else x


ABSENT = "(absent)"


@dataclass(frozen=True, kw_only=True)
class KeyDiff:
    """A scenario key whose value differs, ``ABSENT`` where one scenario does not have it."""

    key: str
    a: Any
    b: Any

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "a": self.a, "b": self.b}


@dataclass(frozen=True, kw_only=True)
class RunInfo:
    """What identifies a run: its folder, scenario, trials, seed and sensing."""

    path: str
    scenario: str
    trials: int
    seed: int
    sensing: str
    scenario_hash: str
    version: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """The result of :func:`compare` (``b`` against ``a``: ``diff = b - a``)."""

    a: RunInfo
    b: RunInfo
    metrics: list[MetricDiff]
    scenario_keys: list[KeyDiff] | None  # None: a run folder does not hold its scenario
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[MetricDiff]:
        return [m for m in self.metrics if m.changed]

    @property
    def identical(self) -> bool:
        """No metric that both runs have differs (metrics only one run has are listed apart)."""
        return not self.changed

    def only_in(self, side: str) -> list[MetricDiff]:
        """Metrics that only run ``side`` ("a" or "b") has."""
        return [m for m in self.metrics if (m.b if side == "a" else m.a) is None]

    @property
    def verdict(self) -> str:
        """The answer in one paragraph."""
        keys = self.scenario_keys
        if keys is None:
            same = self.a.scenario_hash == self.b.scenario_hash
            scenario = (
                "the run folders do not hold their scenarios (runs written before domesim run stored "
                f"{SPEC_FILE}); their scenario hashes {'agree' if same else 'differ'}"
            )
        elif keys:
            scenario = (
                f"{len(keys)} scenario {'key differs' if len(keys) == 1 else 'keys differ'}: "
                + ", ".join(k.key for k in keys)
            )
        else:
            scenario = "the scenarios are the same"
        if self.identical:
            text = f"no difference in any metric ({len(self.metrics)} compared); {scenario}"
            if keys:
                fielded = self._fielded()
                if not (self.only_in("a") or self.only_in("b")):
                    text += (
                        f". Both runs field the same {fielded}, so the change removed or added nothing "
                        "that was simulated"
                    )
                else:
                    text += (
                        ". The elements fielded differ (below), but at this seed and trial count none of "
                        "them changed a leaker, shot, kill, detection or tracking figure"
                    )
        else:
            apart = [m for m in self.changed if m.overlap is False]
            text = (
                f"{len(self.changed)} of {len(self.metrics)} metrics differ, {len(apart)} of them with "
                f"95% intervals that do not overlap; {scenario}"
            )
            headline = [m for m in self.metrics if m.section == "headline"]
            kept = [m.metric for m in headline if not m.changed and m.a is not None and m.b is not None]
            if kept:
                text += f"; unchanged: {' and '.join(kept)}"
        return "; ".join([text, *map(self._only_text, ("a", "b"))]).rstrip("; ") + "."

    def _only_text(self, side: str) -> str:
        """Elements one run lacks: "only in A: assets calgary, edmonton; sensors a_othr"."""
        names: dict[str, list[str]] = {}
        for m in self.only_in(side):
            element = m.metric.split(":")[0]
            if element not in names.setdefault(m.section, []):
                names[m.section].append(element)
        if not names:
            return ""
        text = f"only in {side.upper()}: " + "; ".join(f"{k} {', '.join(v)}" for k, v in names.items())
        aimed = [
            m.a if side == "a" else m.b
            for m in self.only_in(side)
            if m.section == "assets" and m.metric.endswith(": warheads aimed")
        ]
        if aimed:
            total = sum(x or 0.0 for x in aimed)
            text += f" (warheads aimed at the assets only in {side.upper()}: {total:.3g} a trial)"
        return text

    def _fielded(self) -> str:
        """What the runs field: "5 sensors, 2 interceptor sites and 1 defended asset"."""
        counts = []
        for section, one, many in (
            ("sensors", "sensor", "sensors"),
            ("interceptor sites", "interceptor site", "interceptor sites"),
            ("assets", "defended asset", "defended assets"),
        ):
            n = len({m.metric.split(":")[0] for m in self.metrics if m.section == section})
            counts.append(f"{n} {one if n == 1 else many}")
        return f"{counts[0]}, {counts[1]} and {counts[2]}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "identical": self.identical,
            "verdict": self.verdict,
            "metrics": [m.to_dict() for m in self.metrics],
            "changed": [f"{m.section}: {m.metric}" for m in self.changed],
            "scenario_keys": None
            if self.scenario_keys is None
            else [k.to_dict() for k in self.scenario_keys],
            "notes": list(self.notes),
        }


def flatten_keys(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Key paths and values of nested tables: ``threat#2.override.sspk`` (array elements count from 1).

    >>> dict(flatten_keys({"norad": {"canada_assets": False}, "threat": [{"class": "icbm"}]}))
    {'norad.canada_assets': False, 'threat#1.class': 'icbm'}
    """
    if isinstance(data, Mapping):
        for key, value in data.items():
            yield from flatten_keys(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list) and data and all(isinstance(x, Mapping) for x in data):
        for i, value in enumerate(data):
            yield from flatten_keys(value, f"{prefix}#{i + 1}")
    else:
        yield prefix, data


def _scenario(folder: Path) -> dict[str, Any] | None:
    """The run's validated scenario (``scenario.json``), else the file as read (``scenario.toml``)."""
    if (folder / SPEC_FILE).is_file():
        return json.loads((folder / SPEC_FILE).read_text(encoding="utf-8"))
    if (folder / TEXT_FILE).is_file():
        return tomllib.loads((folder / TEXT_FILE).read_text(encoding="utf-8"))
    return None


@dataclass(frozen=True, kw_only=True)
class _Run:
    info: RunInfo
    summary: dict[str, Any]
    tables: dict[str, dict[str, np.ndarray]]
    scenario: dict[str, Any] | None

    def per_trial(self, column: str) -> np.ndarray | None:
        return self.tables.get("trials", {}).get(column)

    def leakers_per_trial(self, mask_of: Any) -> np.ndarray | None:
        """Per-trial count of the leakers selected by ``mask_of(leakers_table)``."""
        leakers = self.tables.get("leakers")
        if leakers is None:
            return None
        trial = np.asarray(leakers["trial"], dtype=np.int64)
        chosen = trial[np.asarray(mask_of(leakers), dtype=bool)] if trial.size else trial
        n = max(self.info.trials, int(trial.max()) + 1 if trial.size else 0)
        return np.bincount(chosen, minlength=n).astype(np.float64)


def _load(path: str | Path) -> _Run:
    folder = Path(path)
    if not (folder / SUMMARY_FILE).is_file():
        what = "no such folder" if not folder.exists() else f"no {SUMMARY_FILE} in it"
        raise DomesimError(
            f"{folder}: not a run folder ({what}); give a folder written by `domesim run --out FOLDER`"
        )
    try:
        summary = json.loads((folder / SUMMARY_FILE).read_text(encoding="utf-8"))
        scenario = _scenario(folder)
    except (OSError, ValueError) as exc:  # json.JSONDecodeError and tomllib.TOMLDecodeError are ValueErrors
        raise DomesimError(f"{folder}: cannot read the run ({exc})") from None
    from domesim.results.store import read_table  # pyarrow: only when tables are read

    tables = {}
    for name in ("trials", "leakers", "objects", "assets"):
        if (folder / f"{name}.parquet").is_file():
            tables[name] = read_table(folder / f"{name}.parquet")
    info = RunInfo(
        path=str(folder),
        scenario=str(summary.get("scenario", "?")),
        trials=int(summary.get("trials", 0)),
        seed=int(summary.get("seed", -1)),
        sensing=str(summary.get("sensing", "?")),
        scenario_hash=str(summary.get("scenario_hash", "")),
        version=str(summary.get("version", "?")),
    )
    return _Run(info=info, summary=summary, tables=tables, scenario=scenario)


def _mean_interval(values: np.ndarray | None) -> Interval | None:
    if values is None or values.size == 0:
        return None
    lo, hi = mean_ci(values)
    return float(lo), float(hi)


def _probability_interval(p: float | None, trials: int) -> Interval | None:
    if p is None or trials < 1:
        return None
    lo, hi = binomial_ci(round(p * trials), trials)
    return float(lo), float(hi)


def _number(value: Any) -> float | None:
    if value is None:
        return math.nan  # a figure the run has but could not measure (no detection: no timing)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _aims(run: _Run) -> dict[int, str]:
    objects = run.tables.get("objects")
    if objects is None or "aim" not in objects:
        return {}
    return dict(zip(objects["object"].tolist(), objects["aim"].tolist(), strict=True))


def _rows(run: _Run) -> dict[tuple[str, str], tuple[float | None, Interval | None]]:
    """Every metric of one run with its 95% interval, keyed by (section, metric), in a stable order."""
    s, trials = run.summary, run.info.trials
    rows: dict[tuple[str, str], tuple[float | None, Interval | None]] = {}
    p = s.get("p_no_leak", {})
    if p:
        rows["headline", "P(no leaker)"] = (p["mean"], tuple(p["ci95"]))
    if "expected_leakers" in s:
        rows["headline", "expected leakers"] = (
            s["expected_leakers"],
            _mean_interval(run.per_trial("leakers")),
        )
    for name, mean in s.get("interceptors_fired", {}).items():
        rows["interceptors fired (mean)", name] = (mean, _mean_interval(run.per_trial(f"shots_{name}")))
    for layer, mean in s.get("kills_by_layer", {}).items():
        rows["kills by layer (mean)", layer] = (mean, _mean_interval(run.per_trial(f"kills_{layer}")))
    for cause, mean in s.get("leak_causes", {}).items():
        counts = run.leakers_per_trial(lambda t, c=cause: t["cause"] == c)
        rows["leakers by cause (mean)", cause] = (mean, _mean_interval(counts))
    aims = _aims(run)
    assets = run.tables.get("assets", {})
    aimed = dict(zip(assets.get("asset", []), assets.get("warheads_aimed", []), strict=True))
    aimed = {str(k): float(v) for k, v in aimed.items()}
    for asset, d in s.get("leakers_by_asset", {}).items():
        counts = None
        if aims:
            counts = run.leakers_per_trial(
                lambda t, a=asset: np.array([aims.get(int(o)) == a for o in t["object"]], dtype=bool)
            )
        rows["assets", f"{asset}: leakers (mean)"] = (d["mean_leakers"], _mean_interval(counts))
        rows["assets", f"{asset}: P(hit)"] = (d["p_hit"], _probability_interval(d["p_hit"], trials))
        if asset in aimed:
            rows["assets", f"{asset}: warheads aimed"] = (aimed[asset], None)
    for country, mean in s.get("leakers_by_country", {}).items():
        rows["leakers by country (mean)", country] = (mean, None)
    for key, value in s.get("timeline", {}).items():
        rows["timeline", key] = (_number(value), None)
    for sensor, d in s.get("sensors", {}).items():
        for key, value in d.items():
            rows["sensors", f"{sensor}: {key}"] = (_number(value), None)
    for key in ("mean_km", "peak_mean_km"):
        if key in s.get("gospa", {}):
            rows["tracking (GOSPA)", key] = (_number(s["gospa"][key]), None)
    for site, d in s.get("inventory", {}).items():
        rows["interceptor sites", f"{site}: fired (mean)"] = (d.get("mean_fired"), None)
        rows["interceptor sites", f"{site}: inventory"] = (d.get("inventory"), None)
    return rows


def _key_diffs(a: dict[str, Any], b: dict[str, Any]) -> list[KeyDiff]:
    flat_a, flat_b = dict(flatten_keys(a)), dict(flatten_keys(b))
    keys = list(flat_a) + [k for k in flat_b if k not in flat_a]
    return [
        KeyDiff(key=k, a=flat_a.get(k, ABSENT), b=flat_b.get(k, ABSENT))
        for k in keys
        if flat_a.get(k, ABSENT) != flat_b.get(k, ABSENT)
    ]


def compare(run_a: str | Path, run_b: str | Path) -> Comparison:
    """Compare two run folders written by ``domesim run --out`` (``diff = b - a``).

    Parameters
    ----------
    run_a, run_b : path-like
        Folders holding ``summary.json`` and the Parquet tables (and, since this version,
        ``scenario.json``, from which the differing scenario keys are listed).

    Returns
    -------
    Comparison
        Every metric of either run with both values, the difference and whether the 95% intervals
        overlap; the scenario keys that differ; notes on what the comparison can and cannot say.

    Raises
    ------
    DomesimError
        If a folder is not a run folder.
    """
    a, b = _load(run_a), _load(run_b)
    rows_a, rows_b = _rows(a), _rows(b)
    order = list(rows_a) + [k for k in rows_b if k not in rows_a]
    metrics = []
    for key in order:
        va, ca = rows_a.get(key, (None, None))
        vb, cb = rows_b.get(key, (None, None))
        metrics.append(MetricDiff(section=key[0], metric=key[1], a=va, b=vb, a_ci=ca, b_ci=cb))
    keys = None if a.scenario is None or b.scenario is None else _key_diffs(a.scenario, b.scenario)
    notes = []
    if a.info.seed == b.info.seed:
        notes.append(
            f"same seed ({a.info.seed}): each random effect draws from its own named stream, so where the "
            "two worlds agree the trials draw the same numbers and a difference comes from the scenarios "
            "rather than chance"
        )
    else:
        notes.append(
            f"different seeds ({a.info.seed}, {b.info.seed}): a difference within overlapping intervals "
            "may be chance"
        )
    if a.info.trials != b.info.trials:
        notes.append(f"different trial counts ({a.info.trials:,}, {b.info.trials:,})")
    if a.info.version != b.info.version:
        notes.append(f"different domesim versions ({a.info.version}, {b.info.version})")
    notes.append(
        "95% intervals that do not overlap indicate a real difference; intervals that overlap do not "
        "prove there is none"
    )
    return Comparison(a=a.info, b=b.info, metrics=metrics, scenario_keys=keys, notes=notes)
