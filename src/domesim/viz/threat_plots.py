"""Threat trajectories a person can check at a glance: altitude versus ground range, and ground tracks.

:func:`plot_threats` flies the truth of a scenario's raid (:func:`~domesim.engine.simulate.fly_truth`)
and writes two PNG files:

- ``altitude_vs_range.png``: altitude (km) against the great-circle ground range from each object's
  launch point (km), coloured by threat class; lethal objects (RVs) solid, the others (buses,
  decoys) thin and dashed; markers at burnout, at the start of re-entry (first step below 100 km on
  the way down) and at impact.
- ``ground_tracks.png``: the sub-object points (geodetic latitude and longitude) on an
  equirectangular map centred on the raid, with coastlines, launch points, aim points, defended
  assets, radars and interceptor sites. Tracks that cross the map's edge meridian are split there.

Coastlines come from the GLOBE 30-arc-second land mask (NOAA NGDC, public domain) shipped inside the
``global-land-mask`` package (MIT licence), averaged into 0.1 degree cells and contoured at one half:
nothing is downloaded. Without that package the map is drawn as a bare latitude/longitude graticule.

Figures are drawn on :class:`matplotlib.figure.Figure` objects with the Agg canvas, never through
pyplot, so rendering touches no global state.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MultipleLocator
from matplotlib.transforms import offset_copy

from domesim.core import frames
from domesim.core.ballistic import PHASE_BOOST, PHASE_REENTRY
from domesim.core.landmask import land_mask
from domesim.engine.simulate import fly_truth
from domesim.engine.world import World
from domesim.errors import DomesimError

DPI = 150
ALTITUDE_FILE = "altitude_vs_range.png"
GROUND_TRACK_FILE = "ground_tracks.png"
MAX_IMPACT_LABELS = 12  # more aims than this: no labels at the impacts
REENTRY_LINE_KM = 100.0  # conventional top of the sensible atmosphere (Karman line)

LAND_COLOUR = "#e9e4d6"
OCEAN_COLOUR = "#eef4fa"
COAST_COLOUR = "#8a8a8a"
CLASS_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
SITE_STYLES = {  # what is marked on the map: marker, face colour, size (points), legend label
    "launch": ("^", "black", 9, "launch point"),
    "aim": ("X", "#d62728", 9, "aim point"),
    "asset": ("*", "#1f4e9c", 13, "defended asset"),
    "radar": ("D", "#2ca02c", 7, "radar"),
    "battery": ("s", "#7b2c9e", 7, "interceptor site"),
}
PHASE_MARKERS = {  # phase events on the trajectories: marker, size, legend label
    "burnout": ("^", 6, "burnout"),
    "reentry": ("o", 5, "re-entry start (100 km)"),
    "impact": ("v", 6, "impact"),
}


def plot_threats(world: World, out_dir: str | Path, trials: int = 1, seed: int | None = None) -> list[Path]:
    """Fly the raid's truth and write ``altitude_vs_range.png`` and ``ground_tracks.png`` to ``out_dir``.

    Parameters
    ----------
    world : the built scenario.
    out_dir : folder for the figures (created if needed).
    trials : trials to overlay (each a dispersed flight when ``seed`` is given).
    seed : root seed of the dispersions; ``None`` flies the nominal trajectories.

    Returns
    -------
    The paths written, altitude plot first.

    >>> from domesim.scenario.loader import load_scenario  # doctest: +SKIP
    >>> plot_threats(load_scenario("examples/nk-1.toml").world, "out/plots")  # doctest: +SKIP
    [PosixPath('out/plots/altitude_vs_range.png'), PosixPath('out/plots/ground_tracks.png')]
    """
    objects = world.objects
    if not objects:
        raise DomesimError(f"scenario {world.name!r} has no threat objects to plot: add a [[threat]]")
    if trials < 1:
        raise DomesimError(f"trials must be at least 1, got {trials}")
    batch = fly_truth(world, trials, seed)
    if batch.r_ecef.shape[1] != len(objects):
        raise RuntimeError(f"{batch.r_ecef.shape[1]} flown objects for {len(objects)} described objects")
    tracks = _Tracks.from_batch(world, batch.r_ecef, batch.alt_m, batch.phase)
    subtitle = _subtitle(world, trials, seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / ALTITUDE_FILE, out / GROUND_TRACK_FILE]
    _save(_altitude_figure(world, tracks, subtitle), paths[0])
    _save(_ground_track_figure(world, tracks, subtitle), paths[1])
    return paths


# --- data ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tracks:
    """Geodetic tracks and phase events of every object, arrays over (R trials, N objects, T steps)."""

    lat_deg: np.ndarray  # (R, N, T) geodetic latitude; NaN where the object is not flying
    lon_deg: np.ndarray  # (R, N, T)
    alt_km: np.ndarray  # (R, N, T) height above the WGS84 ellipsoid
    range_km: np.ndarray  # (R, N, T) ground distance flown from the launch point
    events: dict[str, tuple[np.ndarray, np.ndarray]]  # name -> (step index (R, N), happened (R, N))
    classes: list[str]  # (N,) threat class id
    colours: dict[str, str]  # class id -> colour, in order of first appearance
    lethal: list[bool]  # (N,)
    launch_deg: np.ndarray  # (N, 2) launch latitude, longitude

    @classmethod
    def from_batch(cls, world: World, r_ecef: np.ndarray, alt_m: np.ndarray, phase: np.ndarray) -> _Tracks:
        objects = world.objects
        with np.errstate(invalid="ignore"):
            lat, lon, _ = frames.ecef_to_geodetic(r_ecef)
        launch_lat = np.array([_attr(o.threat, "launch_lat_rad") for o in objects])
        launch_lon = np.array([_attr(o.threat, "launch_lon_rad") for o in objects])
        first = _first_true(np.isfinite(lat))  # (R, N); fall back to the first flown point
        missing = np.isnan(launch_lat) | np.isnan(launch_lon)
        if missing.any():
            lat0 = np.take_along_axis(lat, first[..., None], -1)[..., 0]
            lon0 = np.take_along_axis(lon, first[..., None], -1)[..., 0]
            launch_lat = np.where(missing, lat0, launch_lat)
            launch_lon = np.where(missing, lon0, launch_lon)
        finite = np.isfinite(lat) & np.isfinite(alt_m)
        range_m = _along_track_m(lat, lon, launch_lat, launch_lon, first)
        boost = phase == PHASE_BOOST
        reentry = (phase == PHASE_REENTRY) & finite
        last_boost = _last_true(boost & finite)
        events = {
            "burnout": (last_boost, (boost & finite).any(-1)),
            "reentry": (_first_true(reentry), reentry.any(-1)),
            "impact": (_last_true(finite), finite.any(-1)),
        }
        classes = [_class_of(o) for o in objects]
        order = list(dict.fromkeys(classes))
        return cls(
            lat_deg=np.degrees(lat),
            lon_deg=np.degrees(lon),
            alt_km=np.where(finite, alt_m / 1e3, np.nan),
            range_km=np.where(finite, range_m / 1e3, np.nan),
            events=events,
            classes=classes,
            colours={c: CLASS_COLOURS[i % len(CLASS_COLOURS)] for i, c in enumerate(order)},
            lethal=[bool(o.lethal) for o in objects],
            launch_deg=np.degrees(np.stack([launch_lat, launch_lon], -1)).reshape(-1, 2),
        )

    def event_points(self, name: str, x: np.ndarray, y: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``x`` and ``y`` (R, N, T) at event ``name`` of object ``n``, in the trials where it happens."""
        index, happened = self.events[name]
        k = index[:, n]
        rows = np.arange(x.shape[0])
        ok = happened[:, n]
        return x[rows, n, k][ok], y[rows, n, k][ok]


def _along_track_m(
    lat: np.ndarray, lon: np.ndarray, launch_lat: np.ndarray, launch_lon: np.ndarray, first: np.ndarray
) -> np.ndarray:
    """Ground distance flown (R, N, T), m: launch point to the first flown point, then step by step.

    For a ballistic missile this is the great-circle distance from the launch point (to a few tenths
    of a percent); unlike that distance it keeps growing past the antipode (fractional orbits) and
    along a curved route (cruise missiles, glide vehicles).
    """
    lat0 = np.take_along_axis(lat, first[..., None], -1)
    lon0 = np.take_along_axis(lon, first[..., None], -1)
    to_first = frames.great_circle_distance_m(launch_lat[..., None], launch_lon[..., None], lat0, lon0)
    steps = frames.great_circle_distance_m(lat[..., :-1], lon[..., :-1], lat[..., 1:], lon[..., 1:])
    flown = np.concatenate([np.zeros_like(lat[..., :1]), np.cumsum(np.nan_to_num(steps), axis=-1)], axis=-1)
    return to_first + flown


def _attr(obj: Any, name: str) -> float:
    value = getattr(obj, name, None)
    return float(value) if value is not None else float("nan")


def _class_of(info: Any) -> str:
    """The threat class id of an object (``threat.missile.name``, or the generator's equivalent)."""
    for attr in ("missile", "vehicle", "spec", "threat_class"):
        name = getattr(getattr(info.threat, attr, None), "name", None)
        if isinstance(name, str):
            return name
    return type(info.threat).__name__


def _first_true(mask: np.ndarray) -> np.ndarray:
    return np.argmax(mask, axis=-1)


def _last_true(mask: np.ndarray) -> np.ndarray:
    return mask.shape[-1] - 1 - np.argmax(mask[..., ::-1], axis=-1)


def _subtitle(world: World, trials: int, seed: int | None) -> str:
    n = len(world.objects)
    lethal = sum(o.lethal for o in world.objects)
    flights = "nominal flights (no dispersions)" if seed is None else f"dispersed flights, seed {seed}"
    objects = f"{n} object{'s' if n != 1 else ''} ({lethal} lethal)"
    return f"{objects}, {trials} trial{'s' if trials != 1 else ''}: {flights}"


def _save(fig: Figure, path: Path) -> None:
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=DPI, facecolor="white", bbox_inches="tight", pad_inches=0.15)


# --- altitude versus ground range ------------------------------------------------------------------


def _line_style(lethal: bool) -> dict[str, Any]:
    return {"linestyle": "-", "linewidth": 1.3} if lethal else {"linestyle": "--", "linewidth": 0.8}


def _nan_joined(values: np.ndarray) -> np.ndarray:
    """(R, T) rows joined into one line with NaN breaks between trials."""
    padded = np.concatenate([values, np.full((values.shape[0], 1), np.nan)], axis=1)
    return padded.ravel()


def _style_handles(tracks: _Tracks) -> list[Line2D]:
    """Legend entries: one colour per threat class, then the line styles of lethal and other objects."""
    handles = []
    for cls, colour in tracks.colours.items():
        members = [i for i, c in enumerate(tracks.classes) if c == cls]
        lethal = sum(tracks.lethal[i] for i in members)
        others = len(members) - lethal
        label = f"{cls}: {lethal} RV" + (f", {others} bus/decoy" if others else "")
        handles.append(Line2D([], [], color=colour, linewidth=2.5, label=label))
    if not all(tracks.lethal):
        handles.append(Line2D([], [], color="0.3", **_line_style(True), label="lethal (RV)"))
        handles.append(Line2D([], [], color="0.3", **_line_style(False), label="non-lethal (bus, decoy)"))
    return handles


def _phase_handles() -> list[Line2D]:
    return [
        Line2D([], [], linestyle="", marker=m, markersize=s, color="white", mec="black", label=label)
        for m, s, label in PHASE_MARKERS.values()
    ]


def _aim_label(world: World, info: Any) -> str:
    """The defended asset an object is aimed at (within 100 km), else its missile's name."""
    if world.assets and np.isfinite(info.aim_lat_rad):
        lat = np.array([a.lat_rad for a in world.assets])
        lon = np.array([a.lon_rad for a in world.assets])
        d = frames.great_circle_distance_m(info.aim_lat_rad, info.aim_lon_rad, lat, lon)
        if d.min() < 100e3:
            return world.assets[int(np.argmin(d))].name.replace("_", " ")
    return re.sub(r"\s*#\d+", "", info.name)


def _label_impacts(fig: Figure, ax: Axes, world: World, tracks: _Tracks) -> None:
    """Name the aim of each group of lethal objects beside its impacts (when there are few groups).

    Labels are vertical, at the median impact range of their group, pushed right where they would
    touch the label before them.
    """
    groups: dict[str, list[float]] = {}
    for n, info in enumerate(world.objects):
        if info.lethal:
            x, _ = tracks.event_points("impact", tracks.range_km, tracks.alt_km, n)
            if x.size:
                groups.setdefault(_aim_label(world, info), []).extend(x.tolist())
    if not groups or len(groups) > MAX_IMPACT_LABELS:
        return
    FigureCanvasAgg(fig)
    fig.canvas.draw()  # fixes the layout, so data -> display is known
    to_points = 72.0 / fig.dpi
    fontsize, spacing = 8.0, 11.0
    placed = sorted((float(np.median(r)), label) for label, r in groups.items())
    last = -np.inf
    for x_km, label in placed:
        x_pt = ax.transData.transform((x_km, 0.0))[0] * to_points
        shift = max(4.0, last + spacing - x_pt)
        last = x_pt + shift
        ax.annotate(
            label,
            (x_km, 0.0),
            xytext=(shift, 10),
            textcoords="offset points",
            rotation=90,
            ha="left",
            va="bottom",
            fontsize=fontsize,
            color="0.2",
            annotation_clip=False,
        )


def _altitude_figure(world: World, tracks: _Tracks, subtitle: str) -> Figure:
    fig = Figure(figsize=(10, 6), layout="constrained")
    ax = fig.add_subplot()
    trials = tracks.alt_km.shape[0]
    alpha = 0.9 if trials == 1 else max(0.25, 1.0 / np.sqrt(trials))
    for n, cls in enumerate(tracks.classes):
        colour = tracks.colours[cls]
        ax.plot(
            _nan_joined(tracks.range_km[:, n]),
            _nan_joined(tracks.alt_km[:, n]),
            color=colour,
            alpha=alpha,
            **_line_style(tracks.lethal[n]),
        )
        for event, (marker, size, _) in PHASE_MARKERS.items():
            x, y = tracks.event_points(event, tracks.range_km, tracks.alt_km, n)
            ax.plot(x, y, linestyle="", marker=marker, markersize=size, color=colour, mec="black", mew=0.6)
    reentry: dict[str, Any] = {"color": "0.5", "linestyle": ":", "linewidth": 1.0}
    ax.axhline(REENTRY_LINE_KM, **reentry)
    top = np.nanmax(tracks.alt_km) if np.isfinite(tracks.alt_km).any() else 1.0
    right = np.nanmax(tracks.range_km) if np.isfinite(tracks.range_km).any() else 1.0
    ax.set_xlim(0.0, max(right, 1.0) * 1.05)
    ax.set_ylim(0.0, max(top, REENTRY_LINE_KM) * 1.1)
    ax.set_xlabel("ground range flown from the launch point (km, along the ground track)")
    ax.set_ylabel("altitude above the WGS84 ellipsoid (km)")
    ax.grid(True, color="0.88", linewidth=0.6)
    ax.set_title(f"{world.name}: altitude versus ground range\n{subtitle}", fontsize=11)
    _label_impacts(fig, ax, world, tracks)
    ax.legend(
        handles=_style_handles(tracks)
        + _phase_handles()
        + [Line2D([], [], **reentry, label=f"{REENTRY_LINE_KM:.0f} km: top of the atmosphere")],
        loc="upper right",
        fontsize=8,
        framealpha=0.9,
    )
    return fig


# --- ground tracks ---------------------------------------------------------------------------------


def wrap_lon_deg(lon_deg: np.ndarray | float, central_lon_deg: float = 0.0) -> np.ndarray:
    """Longitudes (deg) wrapped into ``[central - 180, central + 180)``."""
    return (np.asarray(lon_deg, dtype=np.float64) - central_lon_deg + 180.0) % 360.0 - 180.0 + central_lon_deg


def split_antimeridian(
    lon_deg: np.ndarray, lat_deg: np.ndarray, central_lon_deg: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """A track (T,) ready to draw on a map centred on ``central_lon_deg``: wrapped, split at the edges.

    Longitudes are wrapped into ``[central - 180, central + 180)``; where a step jumps by more than
    180 degrees (the track crosses the map's edge meridian), the crossing latitude is interpolated and
    the line is ended on one edge and restarted on the other, with a NaN point between them (a break
    in a matplotlib line). NaN points of the input (before launch, after impact) stay breaks.

    Returns
    -------
    lon_deg, lat_deg : (T + 3 C,) for C crossings; no two consecutive finite points are more than
        180 degrees of longitude apart.

    >>> lon, lat = split_antimeridian(np.array([170.0, -170.0]), np.array([10.0, 20.0]))
    >>> lon.tolist(), lat.tolist()
    ([170.0, 180.0, nan, -180.0, -170.0], [10.0, 15.0, nan, 15.0, 20.0])
    """
    lon = wrap_lon_deg(lon_deg, central_lon_deg)
    lat = np.asarray(lat_deg, dtype=np.float64)
    step = np.diff(lon)
    cross = np.flatnonzero(np.abs(step) > 180.0)  # NaN steps compare False
    if cross.size == 0:
        return lon, lat
    east = step[cross] < 0.0  # eastward across the right edge: e.g. 179 -> -179 on a 0-centred map
    edge = np.where(east, central_lon_deg + 180.0, central_lon_deg - 180.0)
    lon_next = lon[cross + 1] + np.where(east, 360.0, -360.0)  # the next point unwrapped
    frac = (edge - lon[cross]) / (lon_next - lon[cross])
    lat_edge = lat[cross] + frac * (lat[cross + 1] - lat[cross])
    other = np.where(east, edge - 360.0, edge + 360.0)
    where = np.repeat(cross + 1, 3)
    nan = np.full_like(edge, np.nan)
    new_lon = np.stack([edge, nan, other], axis=1).ravel()
    new_lat = np.stack([lat_edge, nan, lat_edge], axis=1).ravel()
    return np.insert(lon, where, new_lon), np.insert(lat, where, new_lat)


def central_lon_deg(lon_deg: np.ndarray) -> float:
    """Map centre (deg) that keeps the data away from the map's edge meridian where it can.

    The edge goes in the middle of the widest band of longitude holding no point when that band is
    at least 30 degrees wide (the centre is then opposite it); otherwise the centre is the circular
    mean of the longitudes. Rounded to 5 degrees.

    >>> central_lon_deg(np.array([127.0, 150.0, -170.0, -122.0]))  # North Korea to the US West Coast
    -180.0
    """
    lon = np.sort(wrap_lon_deg(np.asarray(lon_deg, dtype=np.float64).ravel()))
    lon = lon[np.isfinite(lon)]
    if lon.size == 0:
        return 0.0
    gaps = np.diff(np.append(lon, lon[0] + 360.0))
    widest = int(np.argmax(gaps))
    if gaps[widest] >= 30.0:
        centre = lon[widest] + 0.5 * gaps[widest] + 180.0
    else:
        rad = np.radians(lon)
        centre = np.degrees(np.arctan2(np.sin(rad).mean(), np.cos(rad).mean()))
    return float(wrap_lon_deg(5.0 * np.round(centre / 5.0)))


def _draw_land(ax: Axes, central: float, lon_lim: tuple[float, float], lat_lim: tuple[float, float]) -> bool:
    mask = land_mask()
    if mask is None:
        return False
    lat, lon, ocean = mask
    lon_w = wrap_lon_deg(lon, central)
    order = np.argsort(lon_w, kind="stable")
    keep_cols = order[(lon_w[order] >= lon_lim[0] - 1.0) & (lon_w[order] <= lon_lim[1] + 1.0)]
    keep_rows = np.flatnonzero((lat >= lat_lim[0] - 1.0) & (lat <= lat_lim[1] + 1.0))
    sub = ocean[np.ix_(keep_rows, keep_cols)]
    x, y = lon_w[keep_cols], lat[keep_rows]
    ax.contourf(x, y, sub, levels=[-1.0, 0.5], colors=[LAND_COLOUR], zorder=0.5)
    ax.contour(x, y, sub, levels=[0.5], colors=[COAST_COLOUR], linewidths=0.5, zorder=0.6)
    return True


def _degree_formatter(hemispheres: str) -> FuncFormatter:
    def fmt(value: float, _pos: int) -> str:
        if hemispheres == "EW":
            value = float(wrap_lon_deg(value))
            if np.isclose(abs(value), 180.0) or np.isclose(value, 0.0):
                return f"{abs(value):.0f}°"
        if np.isclose(value, 0.0):
            return "0°"
        return f"{abs(value):.0f}°{hemispheres[0] if value > 0 else hemispheres[1]}"

    return FuncFormatter(fmt)


def _tick_step(span_deg: float) -> float:
    for step in (5.0, 10.0, 15.0, 20.0, 30.0):
        if span_deg / step <= 12:
            return step
    return 60.0


def _sites(world: World, tracks: _Tracks) -> dict[str, list[tuple[float, float, str]]]:
    """(lat_deg, lon_deg, label) of each kind of site to mark, duplicates removed."""
    aims = {
        (round(np.degrees(o.aim_lat_rad), 4), round(np.degrees(o.aim_lon_rad), 4))
        for o in world.objects
        if o.lethal and np.isfinite(o.aim_lat_rad)
    }
    launches = {(round(float(a), 4), round(float(b), 4)) for a, b in tracks.launch_deg if np.isfinite(a)}

    def points(items: Sequence[Any]) -> list[tuple[float, float, str]]:
        return [(np.degrees(s.lat_rad), np.degrees(s.lon_rad), s.name.replace("_", " ")) for s in items]

    return {
        "launch": [(a, b, "") for a, b in sorted(launches)],
        "aim": [(a, b, "") for a, b in sorted(aims)],
        "asset": points(world.assets),
        "radar": points(world.radars),
        "battery": points(world.ground_batteries),
    }


def _extent(
    lons: np.ndarray, lats: np.ndarray, central: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    lo, hi = float(np.nanmin(lons)), float(np.nanmax(lons))
    margin = max(8.0, 0.08 * (hi - lo))
    lo, hi = lo - margin, hi + margin
    if hi - lo < 50.0:
        mid = 0.5 * (lo + hi)
        lo, hi = mid - 25.0, mid + 25.0
    lo, hi = max(lo, central - 180.0), min(hi, central + 180.0)
    south, north = float(np.nanmin(lats)), float(np.nanmax(lats))
    margin = max(6.0, 0.1 * (north - south))
    south, north = south - margin, north + margin
    if north - south < 30.0:
        mid = 0.5 * (south + north)
        south, north = mid - 15.0, mid + 15.0
    return (lo, hi), (max(south, -90.0), min(north, 90.0))


def _place_labels(fig: Figure, ax: Axes, labels: list[tuple[float, float, str, float]]) -> None:
    """Greedy label placement: for each (lon, lat, text, marker size), the first free offset around it."""
    if not labels:
        return
    FigureCanvasAgg(fig)
    fig.canvas.draw()  # fixes the layout, so data -> display is known
    to_points = 72.0 / fig.dpi
    fontsize = 7.0
    taken: list[tuple[float, float, float, float]] = []
    frame = np.asarray(ax.get_window_extent().extents) * to_points  # x0, y0, x1, y1 of the map
    anchors = np.asarray(ax.transData.transform([(x, y) for x, y, _, _ in labels])) * to_points
    for (x, y), (_, _, _, size) in zip(anchors, labels, strict=True):
        half = 0.5 * size
        taken.append((x - half, y - half, x + half, y + half))
    for (x, y), (lon, lat, text, size) in zip(anchors, labels, strict=True):
        if not text:
            continue
        width, height = 0.55 * fontsize * len(text), 1.2 * fontsize
        gap = 0.5 * size + 2.0
        candidates = [
            (gap, -0.5 * height, "left", "bottom"),
            (-gap - width, -0.5 * height, "right", "bottom"),
            (-0.5 * width, gap, "center", "bottom"),
            (-0.5 * width, -gap - height, "center", "bottom"),
            (gap, gap - 2.0, "left", "bottom"),
            (gap, -gap - height + 2.0, "left", "bottom"),
            (-gap - width, gap - 2.0, "right", "bottom"),
            (-gap - width, -gap - height + 2.0, "right", "bottom"),
        ]
        chosen = candidates[0]
        for dx, dy, ha, va in candidates:
            box = (x + dx, y + dy, x + dx + width, y + dy + height)
            inside = frame[0] <= box[0] and box[2] <= frame[2] and frame[1] <= box[1] and box[3] <= frame[3]
            if inside and not any(
                box[0] < t[2] and t[0] < box[2] and box[1] < t[3] and t[1] < box[3] for t in taken
            ):
                chosen = (dx, dy, ha, va)
                break
        dx, dy, ha, _ = chosen
        taken.append((x + dx, y + dy, x + dx + width, y + dy + height))
        anchor_x = dx if ha == "left" else dx + width if ha == "right" else dx + 0.5 * width
        ax.annotate(
            text,
            (lon, lat),
            xytext=(anchor_x, dy),
            textcoords="offset points",
            ha=ha,
            va="bottom",
            fontsize=fontsize,
            color="0.15",
            zorder=6,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.6},
        )


def _ground_track_figure(world: World, tracks: _Tracks, subtitle: str) -> Figure:
    sites = _sites(world, tracks)
    site_lat = np.array([p[0] for kind in sites.values() for p in kind], dtype=np.float64)
    site_lon = np.array([p[1] for kind in sites.values() for p in kind], dtype=np.float64)
    all_lon = np.concatenate([tracks.lon_deg.ravel(), site_lon])
    all_lat = np.concatenate([tracks.lat_deg.ravel(), site_lat])
    central = central_lon_deg(all_lon)
    lon_lim, lat_lim = _extent(wrap_lon_deg(all_lon, central), all_lat, central)
    mid_lat = float(np.clip(0.5 * (lat_lim[0] + lat_lim[1]), -60.0, 60.0))
    aspect = 1.0 / np.cos(np.radians(mid_lat))  # true scale along the middle parallel
    width = 11.0
    height = float(
        np.clip(width * aspect * (lat_lim[1] - lat_lim[0]) / (lon_lim[1] - lon_lim[0]) + 2.4, 4.5, 10)
    )
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    ax.set_facecolor(OCEAN_COLOUR)
    has_coast = _draw_land(ax, central, lon_lim, lat_lim)

    trials = tracks.lat_deg.shape[0]
    alpha = 0.9 if trials == 1 else max(0.25, 1.0 / np.sqrt(trials))
    for n, cls in enumerate(tracks.classes):
        colour = tracks.colours[cls]
        lon, lat = split_antimeridian(
            _nan_joined(tracks.lon_deg[:, n]), _nan_joined(tracks.lat_deg[:, n]), central
        )
        ax.plot(lon, lat, color=colour, alpha=alpha, zorder=3, **_line_style(tracks.lethal[n]))
        for event, (marker, size, _) in PHASE_MARKERS.items():
            x, y = tracks.event_points(event, tracks.lon_deg, tracks.lat_deg, n)
            ax.plot(
                wrap_lon_deg(x, central),
                y,
                linestyle="",
                marker=marker,
                markersize=size - 1,
                color=colour,
                mec="black",
                mew=0.5,
                zorder=4,
            )

    labels: list[tuple[float, float, str, float]] = []
    site_handles = []
    for kind, points in sites.items():
        if not points:
            continue
        marker, colour, size, label = SITE_STYLES[kind]
        lat = np.array([p[0] for p in points])
        lon = wrap_lon_deg(np.array([p[1] for p in points]), central)
        ax.plot(
            lon,
            lat,
            linestyle="",
            marker=marker,
            markersize=size,
            color=colour,
            mec="white",
            mew=0.8,
            zorder=5,
        )
        labels += [(x, y, p[2], size) for x, y, p in zip(lon, lat, points, strict=True)]
        site_handles.append(
            Line2D(
                [], [], linestyle="", marker=marker, markersize=size, color=colour, mec="white", label=label
            )
        )

    ax.set_xlim(*lon_lim)
    ax.set_ylim(*lat_lim)
    ax.set_aspect(aspect)
    step = _tick_step(max(lon_lim[1] - lon_lim[0], lat_lim[1] - lat_lim[0]))
    ax.xaxis.set_major_locator(MultipleLocator(step))
    ax.yaxis.set_major_locator(MultipleLocator(step))
    ax.xaxis.set_major_formatter(_degree_formatter("EW"))
    ax.yaxis.set_major_formatter(_degree_formatter("NS"))
    ax.grid(True, color="white" if has_coast else "0.8", linewidth=0.6, zorder=1)
    ax.set_axisbelow(True)
    ax.set_xlabel("longitude (deg)")
    ax.set_ylabel("geodetic latitude (deg)")
    projection = (
        f"equirectangular projection, true scale at {abs(mid_lat):.0f}°{'N' if mid_lat >= 0 else 'S'}"
    )
    coast = (
        "coastlines: GLOBE land mask (NOAA)" if has_coast else "no coastline data (global-land-mask missing)"
    )
    ax.set_title(f"{world.name}: ground tracks\n{subtitle}\n{projection}; {coast}", fontsize=10)

    class_handles = _style_handles(tracks)
    phase_handles = _phase_handles()
    ax.legend(
        handles=class_handles + site_handles + phase_handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=offset_copy(ax.transAxes, fig=fig, y=-40.0, units="points"),
        ncols=min(5, len(class_handles) + len(site_handles) + len(phase_handles)),
        fontsize=8,
        frameon=False,
    )
    _place_labels(fig, ax, labels)
    return fig
