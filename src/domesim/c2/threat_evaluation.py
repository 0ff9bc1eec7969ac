"""Threat evaluation: which defended asset each threat object threatens, from its predicted impact point."""

from __future__ import annotations

import numpy as np

from domesim.core.frames import great_circle_distance_m


def threatened_assets(
    impact_lat_rad: np.ndarray,
    impact_lon_rad: np.ndarray,
    asset_lat_rad: np.ndarray,
    asset_lon_rad: np.ndarray,
    radius_m: float,
) -> np.ndarray:
    """Index of the nearest asset within ``radius_m`` of each impact point, or -1.

    Parameters
    ----------
    impact_lat_rad, impact_lon_rad : (...) predicted impact points, rad.
    asset_lat_rad, asset_lon_rad : (A,) defended assets, rad.
    radius_m : an impact farther than this from every asset threatens none (great-circle distance).

    >>> lat, lon = np.array([0.0, 1.0]), np.array([0.0, 0.0])
    >>> threatened_assets(lat, lon, np.array([0.0]), np.array([0.001]), 50e3).tolist()
    [0, -1]
    """
    lat = np.asarray(impact_lat_rad, dtype=np.float64)
    if np.size(asset_lat_rad) == 0:
        return np.full(lat.shape, -1, dtype=np.int64)
    d = great_circle_distance_m(
        lat[..., None],
        np.asarray(impact_lon_rad)[..., None],
        np.asarray(asset_lat_rad),
        np.asarray(asset_lon_rad),
    )
    d = np.where(np.isfinite(d), d, np.inf)
    nearest = np.argmin(d, axis=-1)
    near = np.take_along_axis(d, nearest[..., None], axis=-1)[..., 0] <= radius_m
    return np.where(near, nearest, -1).astype(np.int64)
