"""Property: whatever a scenario file holds, ``load_scenario`` loads it or raises ScenarioError.

A valid scenario (``examples/nk-1.toml`` plus overrides and a [doctrine] table, so that more of the
schema is exercised) is parsed to a dict and mutated at random: a key deleted, a node replaced by a
random value of any TOML type (str, int, float including nan and inf, bool, array, table), a random
extra key added. It is written back with the small TOML writer below and loaded. The loader must
either succeed or raise :class:`domesim.errors.ScenarioError` whose every problem has a non-empty
message, names the file and points at a line of the file (or none) -- never any other exception.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domesim.errors import ScenarioError
from domesim.scenario.loader import load_scenario
from domesim.scenario.toml_writer import dumps

REPO = Path(__file__).resolve().parents[2]
_EXTRA = """
[doctrine]
salvo_size = 2
max_engagements = 2
cue_delay_s = 30.0
"""


def _base() -> dict[str, Any]:
    data = tomllib.loads((REPO / "examples" / "nk-1.toml").read_text(encoding="utf-8") + _EXTRA)
    data["threat"][0]["override"] = {"reentry_beta_kg_m2": 6000.0, "stage_burn_s": [60.0, 60.0, 50.0]}
    data["interceptor_site"][0]["override"] = {"sspk": 0.6}
    data["interceptor_site"][1]["inventory"] = 3
    data["sensor"].append({"sensor": "uewr", "site": "clear", "override": {"max_range_km": 4000.0}})
    return data


BASE = _base()


def _same(a: Any, b: Any) -> bool:
    """Equality that takes nan == nan and tells bools from ints."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def test_writer_round_trips_the_base_scenario() -> None:
    assert _same(tomllib.loads(dumps(BASE)), BASE)


# ------------------------------------------------------------------------------------- mutations

KNOWN_KEYS = [
    "scenario", "threat", "sensor", "interceptor_site", "asset", "doctrine", "montecarlo", "name", "class",
    "count", "step_s", "duration_s", "step", "launch_region", "aim_asset", "aim_lat_deg", "aim_lon_deg",
    "launch_lat_deg", "launch_lon_deg", "loft_deg", "override", "dispersion", "sspk", "reliability",
    "deployment", "inventory", "site", "lat_deg", "lon_deg", "alt_m", "trials", "seed", "chunk_trials",
    "max_range_km", "stage_burn_s", "salvo_size", "epoch_utc", "sensing", "id",
]  # fmt: skip
keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=8))
scalars = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["icbm_solid", "north_korea", "seattle", "gbi_fort_greely", "ideal", "screening", ""]),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=-3, max_value=3),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 0.0, 1e308, -1e-300, 0.5, 90.0, 361.0]),
    st.booleans(),
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=3),
    max_leaves=6,
)


def _nodes(node: Any, path: tuple = ()) -> list[tuple]:
    """Paths of every key of a table and every element of an array below ``node``."""
    found = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, child in items:
        found.append(path + (k,))
        found += _nodes(child, path + (k,))
    return found


def _tables(node: Any, path: tuple = ()) -> list[tuple]:
    found = [path] if isinstance(node, dict) else []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, child in items:
        found += _tables(child, path + (k,))
    return found


def _parent(data: Any, path: tuple) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    data = tomllib.loads(dumps(BASE))  # a deep copy
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        action = draw(st.sampled_from(["delete", "replace", "add"]))
        if action in ("delete", "replace"):
            nodes = _nodes(data)
            if not nodes:
                continue
            path = draw(st.sampled_from(nodes))
            parent = _parent(data, path)
            if action == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = draw(values)
        else:
            table = _parent(data, draw(st.sampled_from(_tables(data))) + (None,))
            table[draw(keys)] = draw(values)
    return data


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=mutated_scenarios())
def test_loader_accepts_or_raises_scenario_error_only(tmp_path: Path, data: dict[str, Any]) -> None:
    text = dumps(data)
    assert _same(tomllib.loads(text), data), "the test's TOML writer did not round-trip"
    path = tmp_path / "mutated.toml"
    path.write_text(text, encoding="utf-8")
    try:
        loaded = load_scenario(path)
    except ScenarioError as exc:
        assert exc.problems, "ScenarioError without problems"
        n_lines = len(text.splitlines())
        for problem in exc.problems:
            assert isinstance(problem.message, str) and problem.message.strip(), problem
            assert problem.file == str(path)
            assert problem.line is None or 1 <= problem.line <= n_lines, problem
    else:
        assert loaded.world.threats, "a valid scenario has at least one threat object"


def _aim_at_launch_point(d: dict) -> None:
    threat = d["threat"][0]
    del threat["aim_asset"]
    threat.update(aim_lat_deg=40.45, aim_lon_deg=127.35)


def _both_launch_places(d: dict) -> None:
    d["threat"][0].update(launch_lat_deg=40.0, launch_lon_deg=127.0)


def _zero_stages(d: dict) -> None:
    d["threat"][0]["override"] = {"stage_burn_s": [], "stage_delta_v_km_s": [], "exhaust_velocity_km_s": []}


TARGETED = {
    "no-scenario": lambda d: d.pop("scenario"),
    "no-threat": lambda d: d.pop("threat"),
    "empty-threat-list": lambda d: d.update(threat=[]),
    "threat-as-table": lambda d: d.update(threat={"class": "icbm_solid"}),
    "zero-stages": _zero_stages,
    "scalar-for-list": lambda d: d["threat"][0].update(override={"stage_burn_s": 60.0}),
    "no-launch-place": lambda d: d["threat"][0].pop("launch_region"),
    "both-launch-places": _both_launch_places,
    "aim-at-launch-point": _aim_at_launch_point,
    "min-above-max-alt": lambda d: d["interceptor_site"][0].update(override={"min_intercept_alt_km": 5000.0}),
    "empty-sensor": lambda d: d["sensor"].append({}),
    "asset-without-place": lambda d: d["asset"].append({"name": "x"}),
    "zero-chunk": lambda d: d["montecarlo"].update(chunk_trials=0),
    "bad-epoch": lambda d: d["scenario"].update(epoch_utc="yesterday"),
}


@pytest.mark.parametrize("name", list(TARGETED))
def test_targeted_mutations_raise_scenario_error(tmp_path: Path, name: str) -> None:
    """Hand-picked edits that must each be reported as a ScenarioError with messages."""
    data = tomllib.loads(dumps(BASE))
    TARGETED[name](data)
    path = tmp_path / "edited.toml"
    path.write_text(dumps(data), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.problems and all(p.message.strip() for p in info.value.problems)
