"""Coverage maps: the fraction of time each place is seen by >= 1 and >= 2 satellites, one PNG per layer."""

from __future__ import annotations

import re
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from domesim.core.landmask import land_mask
from domesim.results.coverage import Coverage
from domesim.viz.threat_plots import COAST_COLOUR

DPI = 110


def plot_coverage(cov: Coverage, out_dir: str | Path, scenario: str) -> list[Path]:
    """Write ``coverage-<layer>.png`` for each layer; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    mask = land_mask()
    paths = []
    for layer, by_k in cov.grid.items():
        fig = Figure(figsize=(11, 9.0), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(2, 1)
        for ax, k in zip(axes, (1, 2), strict=True):
            image = ax.pcolormesh(
                cov.lon_deg, cov.lat_deg, by_k[k], vmin=0.0, vmax=1.0, cmap="viridis", shading="nearest"
            )
            if mask is not None:
                lat, lon, ocean = mask
                ax.contour(lon, lat, ocean, levels=[0.5], colors=[COAST_COLOUR], linewidths=0.4)
            ax.set_xlim(-180, 180)
            ax.set_ylim(-90, 90)
            ax.set_aspect("equal")
            ax.set_xlabel("longitude (deg)")
            ax.set_ylabel("latitude (deg)")
            seen = "at least one satellite" if k == 1 else "at least two satellites (stereo)"
            flat = cov.uniform(layer, k)
            note = "" if flat is None else f": uniform, every place {flat:.3g} of the time"
            ax.set_title(f"fraction of time seen by {seen}{note}", fontsize=10)
            fig.colorbar(image, ax=ax, shrink=0.8, label="fraction of time")
        fig.suptitle(
            f"{scenario}: {layer} coverage over {cov.hours:g} h (every {cov.step_s:g} s), "
            f"points at {cov.alt_km:g} km",
            fontsize=11,
        )
        path = out / f"coverage-{re.sub(r'[^A-Za-z0-9_.-]+', '-', layer)}.png"
        fig.savefig(path, dpi=DPI, facecolor="white", bbox_inches="tight")
        paths.append(path)
    return paths
