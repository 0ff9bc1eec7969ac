"""The boost trajectories of a salvo, for sizing space-based interceptors.

``n`` missiles of one class are launched together, all aimed at one defended asset, and flown without
dispersions by the threat generators; the set-up is a :class:`SalvoSpec`:

- ``salvo_from = "one-site"`` (the published studies' set-up: "simultaneous launches from a small
  region", the constellation growing in proportion to their number): every missile leaves the same point
  at the same time, so they fly one trajectory, and the sizing asks for ``n k`` SBIs in reach of it;
- ``salvo_from = "spread"``: each missile from its own point, drawn uniformly over the land of the
  region's box (GLOBE land mask), so the missiles can draw on different SBIs.

The first point drawn is the one site, so a salvo of one is the same in both set-ups. What a sizing study
needs is the real boost trajectories: positions, the steps at which they can be intercepted (still
boosting, above the SBI's floor) and when each can be committed on: the commit delay counted from launch,
or from detection (the plume clears ``detect_alt_m``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from domesim.build.catalogue import load_catalogue
from domesim.build.schema import scenario_model
from domesim.build.world import build_world
from domesim.core import ballistic as phases
from domesim.core.frames import earth_rotation_angle
from domesim.core.landmask import is_land
from domesim.core.timegrid import TimeGrid
from domesim.engine.simulate import fly_truth
from domesim.errors import ParameterError, Problem, ScenarioError
from domesim.interceptors.sbi import SbiKinematics
from domesim.scenario.loader import format_path
from domesim.studies.sizing import DELAY_FROM, SALVO_FROM, Salvo


@dataclass(frozen=True, kw_only=True)
class SalvoSpec:
    """What is launched, from where, and from when the commit delay counts (module docstring)."""

    threat: str = "icbm_solid"  # catalogue threat id (a ballistic missile class)
    region: str = "north_korea"  # catalogue region id with a longitude box
    missiles: int = 1
    salvo_from: str = "one-site"  # SALVO_FROM
    aim_asset: str = "seattle"  # catalogue asset id
    burn_s: float | None = None  # boost duration (None: the class's stages)
    detect_alt_m: float = 12e3  # plume altitude at first detection
    delay_from: str = "detection"  # DELAY_FROM: the commit delay counts from detection or from launch
    seed: int = 0  # of the launch points

    def __post_init__(self) -> None:
        for name, value, allowed in (
            ("--salvo-from", self.salvo_from, SALVO_FROM),
            ("--delay-from", self.delay_from, DELAY_FROM),
        ):
            if value not in allowed:
                raise ParameterError(f"{name} must be one of {', '.join(allowed)} (got {value!r})")
        if self.missiles < 1:
            raise ParameterError(f"--salvo must be >= 1 (got {self.missiles})")
        if self.burn_s is not None and not self.burn_s > 0:
            raise ParameterError(f"--burn-s must be > 0 (got {self.burn_s:g})")


def launch_points(region: str, n: int, seed: int) -> list[tuple[float, float]]:
    """``n`` (lat_deg, lon_deg) points on land inside the region's box, drawn with ``seed``."""
    catalogue = load_catalogue()
    if not catalogue.has("region", region):
        raise ParameterError(f"--region: unknown region {region!r}{catalogue.suggest('region', region)}")
    entry = catalogue.entry("region", region)
    keys = ("lat_min_deg", "lat_max_deg", "lon_min_deg", "lon_max_deg")
    if any(key not in entry.params for key in keys):
        raise ParameterError(
            f"--region: region {region!r} has no longitude box in the catalogue; use another"
        )
    lat0, lat1, lon0, lon1 = (float(entry.value(key)) for key in keys)
    rng = np.random.default_rng(seed)
    points: list[tuple[float, float]] = []
    for _ in range(1000):
        lat = rng.uniform(lat0, lat1, 64)
        lon = rng.uniform(lon0, lon1, 64)
        land = is_land(lat, lon)
        points += list(zip(lat[land].tolist(), lon[land].tolist(), strict=True))
        if len(points) >= n:
            return points[:n]
    raise ParameterError(f"--region: region {region!r} has too little land in its box")


def build_salvo(spec: SalvoSpec, kin: SbiKinematics) -> Salvo:
    """Fly the salvo of ``spec`` and cut out its boost phase; commit ``kin.commit_delay_s`` after launch or
    detection (``spec.delay_from``)."""
    catalogue = load_catalogue()
    if not catalogue.has("threat", spec.threat):
        raise ParameterError(
            f"--threat: unknown threat class {spec.threat!r}{catalogue.suggest('threat', spec.threat)}"
        )
    entry = catalogue.entry("threat", spec.threat)
    if "stage_burn_s" not in entry.params:
        raise ParameterError(
            f"--threat: {spec.threat!r} is not a ballistic missile class (it has no boost stages)"
        )
    override: dict = {}
    stages = list(entry.params["stage_burn_s"].value)
    if spec.burn_s is not None:
        override["stage_burn_s"] = [b * spec.burn_s / sum(stages) for b in stages]
    boost = spec.burn_s if spec.burn_s is not None else sum(stages)
    one_site = spec.salvo_from == "one-site"
    points = launch_points(spec.region, 1 if one_site else spec.missiles, spec.seed)
    data = {
        "scenario": {"name": "sbi-sizing", "step_s": 2.0, "duration_s": 86400.0, "sensing": "ideal"},
        "threat": [
            {
                "class": spec.threat,
                "launch_lat_deg": lat,
                "launch_lon_deg": lon,
                "aim_asset": spec.aim_asset,
                "override": override,
            }
            for lat, lon in points
        ],
    }
    model = scenario_model().model_validate(data)
    world, _, problems, _ = build_world(model, catalogue)
    if problems:
        raise ScenarioError([Problem("size sbi", format_path(p), m) for p, m in problems])
    end = max(info.launch_t_s for info in world.objects) + boost + 60.0
    world = replace(world, grid=TimeGrid(world.grid.epoch_utc, 2.0, end))  # the boost phase only
    truth = fly_truth(world, 1)
    boosting = truth.phase[0] == phases.PHASE_BOOST
    alt = np.nan_to_num(truth.alt_m[0], nan=-1.0)
    usable = boosting & (alt >= kin.min_intercept_alt_m)
    seen = boosting & (alt >= spec.detect_alt_m)
    if not seen.any(axis=1).all():
        raise ParameterError("the plume never climbs above the detection altitude during boost")
    t_s = truth.t_s
    launch = np.array([info.launch_t_s for info in world.objects], dtype=np.float64)
    detect = t_s[np.argmax(seen, axis=1)]
    burnout = t_s[boosting.shape[1] - 1 - np.argmax(boosting[:, ::-1], axis=1)]
    origin = detect if spec.delay_from == "detection" else launch
    n = truth.r_ecef.shape[1]
    return Salvo(
        r_ecef=truth.r_ecef[0],
        usable=usable,
        t_s=t_s,
        t_launch_s=launch,
        t_detect_s=detect,
        t_commit_s=origin + kin.commit_delay_s,
        t_burnout_s=burnout,
        copies=np.full(n, spec.missiles if one_site else 1, dtype=np.int64),
        theta0_rad=float(earth_rotation_angle(0.0, world.grid.epoch_jd)),
        launch_lat_rad=math.radians(float(np.mean([p[0] for p in points]))),
        burn_s=boost,
        delay_s=kin.commit_delay_s,
        delay_from=spec.delay_from,
        salvo_from=spec.salvo_from,
        label=f"{spec.threat} from {spec.region}",
    )
