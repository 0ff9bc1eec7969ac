"""``domesim plot threats``: PNGs a person can check at a glance, and a clear error on bad input.

End to end through a real subprocess on ``examples/nk-10.toml`` (ten North Korean ICBMs at five US
cities: Pacific trajectories that cross the antimeridian), plus unit tests of the map helpers.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from domesim.viz import threat_plots
from domesim.viz.threat_plots import central_lon_deg, split_antimeridian, wrap_lon_deg

REPO = Path(__file__).resolve().parents[2]
NK10 = REPO / "examples" / "nk-10.toml"


def _plot(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "domesim.cli", "plot", "threats", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _strongly_coloured(image: np.ndarray) -> np.ndarray:
    """Pixels whose RGB channels differ a lot: tracks and site markers, not paper, land, sea or text."""
    rgb = image[..., :3]
    return (rgb.max(axis=-1) - rgb.min(axis=-1)) > 0.3


@pytest.fixture(scope="module")
def nk10_plots(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    work = tmp_path_factory.mktemp("plot-threats")
    return _plot(str(NK10), "--out", "plots", cwd=work), work / "plots"


@pytest.mark.slow
def test_writes_both_pngs_and_prints_their_paths(nk10_plots) -> None:
    result, out = nk10_plots
    assert result.returncode == 0, result.stderr
    printed = [Path(line) for line in result.stdout.split()]
    expected = [out / "altitude_vs_range.png", out / "ground_tracks.png"]
    assert [p.name for p in printed] == [p.name for p in expected]
    for path in expected:
        assert path.exists()
        assert 30_000 < path.stat().st_size < 5_000_000, path
        image = imread(path)
        height, width = image.shape[:2]
        assert 800 <= width <= 3000 and 500 <= height <= 3000, (path, image.shape)


@pytest.mark.slow
def test_ground_tracks_are_not_blank(nk10_plots) -> None:
    result, out = nk10_plots
    assert result.returncode == 0, result.stderr
    image = imread(out / "ground_tracks.png")
    pixels = image.shape[0] * image.shape[1]
    assert _strongly_coloured(image).sum() > 3_000  # ten tracks, launch, aim and site markers
    land = np.abs(image[..., :3] - np.array([0xE9, 0xE4, 0xD6]) / 255.0).max(axis=-1) < 0.02
    assert land.sum() > 0.05 * pixels  # coastlines drawn: Asia and North America are filled


@pytest.mark.slow
def test_altitude_plot_is_not_blank(nk10_plots) -> None:
    result, out = nk10_plots
    assert result.returncode == 0, result.stderr
    image = imread(out / "altitude_vs_range.png")
    assert _strongly_coloured(image).sum() > 3_000


@pytest.mark.slow
def test_bad_scenario_path_exits_2_with_a_message(tmp_path: Path) -> None:
    result = _plot(str(tmp_path / "missing.toml"), "--out", str(tmp_path / "plots"), cwd=tmp_path)
    assert result.returncode == 2
    assert "missing.toml" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "plots").exists()


@pytest.mark.slow
def test_unwritable_output_exits_2_with_a_message(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = _plot(str(REPO / "examples" / "nk-1.toml"), "--out", str(blocker / "plots"), cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot be made" in result.stderr and "give --out a folder you may write" in result.stderr
    assert "Traceback" not in result.stderr


# --- map helpers -----------------------------------------------------------------------------------


def _segments_dlon(lon: np.ndarray) -> np.ndarray:
    """Longitude steps between consecutive points that are both finite (drawn line segments)."""
    both = np.isfinite(lon[:-1]) & np.isfinite(lon[1:])
    return np.abs(np.diff(lon))[both]


@pytest.mark.parametrize("central", [0.0, -175.0, 120.0])
def test_antimeridian_split_leaves_no_segment_wider_than_180_deg(central: float) -> None:
    rng = np.random.default_rng(7)
    for _ in range(50):
        # A track drifting east or west across several map edges, with NaN gaps (before launch, after impact).
        steps = rng.normal(rng.choice([-3.0, 3.0]), 1.0, 400)
        lon = wrap_lon_deg(rng.uniform(-180, 180) + np.cumsum(steps))
        lat = np.clip(rng.uniform(-60, 60) + np.cumsum(rng.normal(0, 0.3, 400)), -89, 89)
        lon[:20] = np.nan
        lat[:20] = np.nan
        lon[-30:] = np.nan
        lat[-30:] = np.nan
        lon_s, lat_s = split_antimeridian(lon, lat, central)
        assert np.all(_segments_dlon(lon_s) <= 180.0)
        finite = lon_s[np.isfinite(lon_s)]
        assert np.all((finite >= central - 180.0) & (finite <= central + 180.0))
        crossings = int(np.sum(_segments_dlon(wrap_lon_deg(lon, central)) > 180.0))
        assert lon_s.size == lon.size + 3 * crossings
        assert np.array_equal(np.isnan(lon_s), np.isnan(lat_s))


def test_antimeridian_split_meets_both_edges_at_the_same_latitude() -> None:
    lon, lat = split_antimeridian(
        np.array([170.0, 178.0, -176.0, -170.0]), np.array([40.0, 42.0, 45.0, 46.0])
    )
    assert lon.tolist()[:3] == [170.0, 178.0, 180.0]
    assert np.isnan(lon[3])
    assert lon.tolist()[4:] == [-180.0, -176.0, -170.0]
    assert lat[2] == pytest.approx(42.0 + 3.0 * 2.0 / 6.0)
    assert lat[2] == lat[4]


def test_pacific_raid_map_is_centred_on_the_pacific() -> None:
    # North Korea (127 E) to the US West Coast (122 W): the map's edge meridian must avoid the tracks.
    lon = np.concatenate([np.linspace(127.0, 180.0, 50), np.linspace(-180.0, -122.0, 50)])
    central = central_lon_deg(lon)
    assert abs(wrap_lon_deg(central - 180.0)) <= 180.0
    lon_s, _ = split_antimeridian(lon, np.zeros_like(lon), central)
    assert not np.isnan(lon_s).any()  # not split: drawn as one line


def test_land_mask_is_read_offline_from_the_package() -> None:
    mask = threat_plots.land_mask()
    assert mask is not None, "global-land-mask (a runtime dependency) is not installed"
    lat, lon, ocean = mask
    assert ocean.shape == (lat.size, lon.size) == (1800, 3600)
    assert np.all(np.diff(lat) > 0)
    assert 0.65 < float(ocean.mean()) < 0.75  # ~71 % of the surface; cells not area-weighted
