"""Coverage of a scenario's space sensor layers: the fraction of time each place is seen by >= 1 and >= 2
satellites (two lines of sight from different satellites give a stereo, range-resolved track).

Places: a latitude/longitude grid, the scenario's defended assets and the launch regions of the
catalogue. Each sensor constellation is taken with its class's range and field of regard
(:func:`domesim.orbits.coverage.visible_counts`); "all layers" adds their counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from domesim.build.catalogue import load_catalogue
from domesim.core.frames import earth_rotation_angle, geodetic_to_ecef
from domesim.core.units import DEG
from domesim.engine.world import World
from domesim.orbits.coverage import coverage_fraction, visible_counts


@dataclass(frozen=True)
class Coverage:
    """Coverage fractions per layer (and "all layers") on the grid and at named places."""

    lat_deg: np.ndarray  # (I,)
    lon_deg: np.ndarray  # (J,)
    grid: dict[str, dict[int, np.ndarray]]  # layer -> {1: (I, J), 2: (I, J)}
    places: dict[str, dict[str, dict[int, float]]]  # layer -> place -> {1: f, 2: f}
    hours: float
    step_s: float
    alt_km: float

    def uniform(self, layer: str, k: int) -> float | None:
        """The one fraction every grid point of ``layer`` has for ``k`` satellites, or None when the map
        varies: a uniform map (say, every place seen all the time) says so instead of showing one colour."""
        values = self.grid[layer][k]
        return float(values.flat[0]) if values.size and np.ptp(values) < 1e-9 else None

    def to_dict(self) -> dict:
        cos = np.cos(np.radians(self.lat_deg))[:, None]
        out: dict = {"hours": self.hours, "step_s": self.step_s, "alt_km": self.alt_km, "layers": {}}
        for layer, by_k in self.grid.items():
            out["layers"][layer] = {
                # area-weighted over the grid (cells shrink with cos(latitude))
                "global_at_least_1": round(float((by_k[1] * cos).sum() / (cos.sum() * by_k[1].shape[1])), 4),
                "global_at_least_2": round(float((by_k[2] * cos).sum() / (cos.sum() * by_k[2].shape[1])), 4),
                "uniform_at_least_1": self.uniform(layer, 1),
                "uniform_at_least_2": self.uniform(layer, 2),
                "places": {
                    place: {"at_least_1": round(f[1], 4), "at_least_2": round(f[2], 4)}
                    for place, f in self.places[layer].items()
                },
            }
        return out


def named_places(world: World) -> dict[str, tuple[float, float]]:
    """(lat_rad, lon_rad) of the scenario assets and of the catalogue launch regions (reference points)."""
    places = {asset.name: (asset.lat_rad, asset.lon_rad) for asset in world.assets}
    catalogue = load_catalogue()
    for region in catalogue.ids("region"):
        entry = catalogue.entry("region", region)
        if "ref_lat_deg" in entry.params and "ref_lon_deg" in entry.params:
            places[f"region {region}"] = (entry.value("ref_lat_deg") * DEG, entry.value("ref_lon_deg") * DEG)
    return places


def coverage(
    world: World, hours: float = 24.0, step_s: float = 60.0, grid_deg: float = 5.0, alt_km: float = 0.0
) -> Coverage:
    """Coverage of each space sensor layer of ``world`` over ``hours`` from the scenario epoch."""
    lat = np.arange(-90.0 + grid_deg / 2, 90.0, grid_deg)
    lon = np.arange(-180.0 + grid_deg / 2, 180.0, grid_deg)
    lat_g, lon_g = np.meshgrid(lat, lon, indexing="ij")
    places = named_places(world)
    names = list(places)
    place_lat = np.array([places[n][0] for n in names])
    place_lon = np.array([places[n][1] for n in names])
    points = np.concatenate(
        [
            geodetic_to_ecef(np.radians(lat_g.ravel()), np.radians(lon_g.ravel()), alt_km * 1e3),
            geodetic_to_ecef(place_lat, place_lon, alt_km * 1e3).reshape(-1, 3),
        ]
    )
    t_s = np.arange(0.0, hours * 3600.0 + 1e-9, step_s)
    theta0 = float(earth_rotation_angle(0.0, world.grid.epoch_jd))
    counts_by_layer: dict[str, np.ndarray] = {}
    for sensor_layer in world.space_sensors:
        counts_by_layer[sensor_layer.name] = visible_counts(
            sensor_layer.elements,
            points,
            t_s,
            theta0,
            sensor_layer.sensor.max_range_m,
            sensor_layer.sensor.field_of_regard_rad,
        )
    if len(counts_by_layer) > 1:
        counts_by_layer["all layers"] = np.sum(list(counts_by_layer.values()), axis=0)
    grid: dict[str, dict[int, np.ndarray]] = {}
    named: dict[str, dict[str, dict[int, float]]] = {}
    n_grid = lat_g.size
    for layer, counts in counts_by_layer.items():
        grid[layer] = {k: coverage_fraction(counts[:, :n_grid], k).reshape(lat_g.shape) for k in (1, 2)}
        named[layer] = {
            name: {k: float(coverage_fraction(counts[:, n_grid + i : n_grid + i + 1], k)[0]) for k in (1, 2)}
            for i, name in enumerate(names)
        }
    return Coverage(lat, lon, grid, named, hours, step_s, alt_km)


def lat_band_mean(cov: Coverage, layer: str, k: int, lat_lo: float, lat_hi: float) -> float:
    """Mean coverage fraction of a latitude band (for checks and summaries)."""
    rows = (cov.lat_deg >= lat_lo) & (cov.lat_deg <= lat_hi)
    return float(cov.grid[layer][k][rows].mean()) if rows.any() else math.nan
