"""The Earth's land mask, read offline from the ``global-land-mask`` package and block-averaged to 0.1 deg.

Coastlines come from the GLOBE 30-arc-second land mask (NOAA NGDC, public domain) shipped inside the
``global-land-mask`` package (MIT licence). The package's own module loads the whole 21,600 x 43,200
array (about 1 GB); this module streams it out of its compressed file and averages 12 x 12 cells on the
way, so memory stays small. Used for coastlines on maps and to draw launch points on land.
"""

from __future__ import annotations

import functools
import importlib.util
import zipfile
from pathlib import Path

import numpy as np
from numpy.lib import format as npy_format

MASK_PACKAGE = "global_land_mask"
MASK_FILE = "globe_combined_mask_compressed.npz"
MASK_BLOCK = 12  # 30-arc-second cells averaged per side: 0.1 degree coastlines


@functools.lru_cache(maxsize=1)
def land_mask() -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The ocean fraction of 0.1 degree cells, from the land mask shipped in ``global-land-mask``.

    The package's array (21,600 x 43,200 booleans, ``True`` over the ocean) is streamed out of its
    compressed file and block-averaged on the way, so memory stays small; the package's own module
    (which loads the whole array, ~1 GB) is not imported.

    Returns
    -------
    ``(lat_deg (I,), lon_deg (J,), ocean_fraction (I, J))`` with latitude ascending, or ``None`` when
    the package or its file is missing or unreadable.
    """
    try:
        spec = importlib.util.find_spec(MASK_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / MASK_FILE
    b = MASK_BLOCK
    try:
        with zipfile.ZipFile(path) as archive:
            with archive.open("lat.npy") as f:
                lat = npy_format.read_array(f)
            with archive.open("lon.npy") as f:
                lon = npy_format.read_array(f)
            with archive.open("mask.npy") as f:
                version = npy_format.read_magic(f)
                read_header = (
                    npy_format.read_array_header_1_0
                    if version == (1, 0)
                    else npy_format.read_array_header_2_0
                )
                shape, fortran, dtype = read_header(f)
                rows, cols = shape
                if (
                    fortran
                    or dtype != np.bool_
                    or rows % b
                    or cols % b
                    or lat.size != rows
                    or lon.size != cols
                ):
                    return None
                ocean = np.empty((rows // b, cols // b), dtype=np.float32)
                row_sum = np.empty(cols, dtype=np.uint16)
                starts = np.arange(0, cols, b)
                for i in range(rows // b):
                    block = np.frombuffer(f.read(cols * b), dtype=np.uint8).reshape(b, cols)
                    np.sum(block, axis=0, dtype=np.uint16, out=row_sum)
                    ocean[i] = np.add.reduceat(row_sum, starts)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    ocean /= b * b
    lat_c = lat.reshape(-1, b).mean(axis=1)
    lon_c = lon.reshape(-1, b).mean(axis=1)
    order = np.argsort(lat_c)
    return lat_c[order], lon_c, ocean[order]


def is_land(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Whether each point is on land (its 0.1 deg cell is mostly land); raises if the mask is missing.

    >>> is_land(np.array([40.0, 40.0]), np.array([-100.0, -40.0])).tolist()  # Kansas, mid-Atlantic
    [True, False]
    """
    mask = land_mask()
    if mask is None:
        raise RuntimeError(f"the land mask of the {MASK_PACKAGE!r} package cannot be read: reinstall it")
    lat, lon, ocean = mask
    i = np.clip(np.searchsorted(lat, np.asarray(lat_deg, dtype=np.float64)), 0, lat.size - 1)
    j = np.clip(np.searchsorted(lon, np.asarray(lon_deg, dtype=np.float64)), 0, lon.size - 1)
    return ocean[i, j] < 0.5
