"""The boost trajectories of a salvo from a launch region, for sizing space-based interceptors.

``n`` missiles of one class are launched together from points drawn uniformly over the land of the
region's box (GLOBE land mask), all aimed at one defended asset, and flown without dispersions by the
threat generators. What a sizing study needs is their real boost trajectories: positions, the steps
at which they can be intercepted (still boosting, above the SBI's floor) and when each can be
committed on (the plume clears ``detect_alt_m``, then the commit delay).
"""

from __future__ import annotations

import math
from dataclasses import replace

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
from domesim.studies.sizing import Salvo


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


def build_salvo(
    threat: str,
    region: str,
    n: int,
    aim_asset: str,
    kin: SbiKinematics,
    detect_alt_m: float,
    burn_s: float | None = None,
    seed: int = 0,
) -> Salvo:
    """Fly a salvo of ``n`` missiles of class ``threat`` from ``region`` and cut out their boost phase."""
    catalogue = load_catalogue()
    if not catalogue.has("threat", threat):
        raise ParameterError(
            f"--threat: unknown threat class {threat!r}{catalogue.suggest('threat', threat)}"
        )
    entry = catalogue.entry("threat", threat)
    if "stage_burn_s" not in entry.params:
        raise ParameterError(
            f"--threat: {threat!r} is not a ballistic missile class (it has no boost stages)"
        )
    override: dict = {}
    stages = list(entry.params["stage_burn_s"].value)
    if burn_s is not None:
        if not burn_s > 0:
            raise ParameterError(f"--burn-s must be > 0 (got {burn_s:g})")
        override["stage_burn_s"] = [b * burn_s / sum(stages) for b in stages]
    boost = burn_s if burn_s is not None else sum(stages)
    points = launch_points(region, n, seed)
    data = {
        "scenario": {"name": "sbi-sizing", "step_s": 2.0, "duration_s": 86400.0, "sensing": "ideal"},
        "threat": [
            {
                "class": threat,
                "launch_lat_deg": lat,
                "launch_lon_deg": lon,
                "aim_asset": aim_asset,
                "override": override,
            }
            for lat, lon in points
        ],
    }
    spec = scenario_model().model_validate(data)
    world, _, problems, _ = build_world(spec, catalogue)
    if problems:
        raise ScenarioError([Problem("size sbi", format_path(p), m) for p, m in problems])
    end = max(info.launch_t_s for info in world.objects) + boost + 60.0
    world = replace(world, grid=TimeGrid(world.grid.epoch_utc, 2.0, end))  # the boost phase only
    truth = fly_truth(world, 1)
    boosting = truth.phase[0] == phases.PHASE_BOOST
    alt = np.nan_to_num(truth.alt_m[0], nan=-1.0)
    usable = boosting & (alt >= kin.min_intercept_alt_m)
    seen = boosting & (alt >= detect_alt_m)
    if not seen.any(axis=1).all():
        raise ParameterError("the plume never climbs above the detection altitude during boost")
    t_s = truth.t_s
    detect = t_s[np.argmax(seen, axis=1)]
    return Salvo(
        r_ecef=truth.r_ecef[0],
        usable=usable,
        t_s=t_s,
        t_commit_s=detect + kin.commit_delay_s,
        theta0_rad=float(earth_rotation_angle(0.0, world.grid.epoch_jd)),
        launch_lat_rad=math.radians(float(np.mean([p[0] for p in points]))),
        burn_s=boost,
        detect_s=float(np.mean(detect)),
    )
