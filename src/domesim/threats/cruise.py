"""Cruise missiles: subsonic land-attack (LACM) and hypersonic cruise (HCM) classes flying planned routes.

A class is a :class:`CruiseMissile` (SI values, built once from the catalogue ``data/cruise.toml`` with
:meth:`CruiseMissile.from_params`). A launched missile is a :class:`CruiseObject`: launch point (and the
carrier's altitude and speed for an air launch), waypoints, aim point, launch time and dispersions.
:func:`plan_route` checks that a route can be flown within the class's turn and range limits and returns
its :class:`CruisePlan`; :func:`fly_cruise` flies every trial and object in one batch, returning a
:class:`~domesim.threats.batch.ThreatBatch`.

The kinematics are those of :mod:`domesim.core.route`: great-circle legs, turns filleted at the class's
lateral-acceleration limit, a launch segment (boost from the launch speed to the cruise speed, climb or
descent from the launch height to the cruise height), cruise at a constant height above the ellipsoid
(terrain is not modelled), and a terminal pop-up and dive onto the aim point. Phases: ``PHASE_BOOST`` for
the launch segment, ``PHASE_MIDCOURSE`` for cruise, ``PHASE_REENTRY`` for the terminal pop-up and dive.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from domesim.core import route as kernel
from domesim.core.ballistic import STATUS_DIVERGED, STATUS_FLYING, STATUS_IMPACTED
from domesim.core.constants import G0_M_S2
from domesim.core.frames import great_circle_distance_m
from domesim.core.timegrid import TimeGrid
from domesim.core.units import SUFFIXES, unit_suffix
from domesim.errors import ParameterError, TargetingError
from domesim.threats.ballistic import ObjectInfo
from domesim.threats.batch import ThreatBatch

_MAX_CRUISE_SPEED_M_S = 7800.0  # circular orbital speed near the ground: beyond it nothing "cruises"
_MAX_CRUISE_ALT_M = 100e3  # Karman line: cruise needs air
_MIN_SPEED_FACTOR = 0.05  # floor of a dispersed speed factor (a 20-sigma draw cannot stop a missile)

# Dataclass field -> accepted catalogue keys (the loader converts their values to SI and keeps the key), and
# whether the class must give it.
_PARAMS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("cruise_speed_m_s", ("cruise_speed_m_s", "cruise_speed_km_s"), True),
    ("cruise_alt_m", ("cruise_alt_m", "cruise_alt_km"), True),
    ("max_range_m", ("max_range_km", "max_range_m"), True),
    ("max_lateral_accel_m_s2", ("max_lateral_accel_g", "max_lateral_accel_m_s2"), True),
    ("dive_distance_m", ("dive_distance_km", "dive_distance_m"), True),
    ("launch_speed_m_s", ("launch_speed_m_s", "launch_speed_km_s"), False),
    ("boost_time_s", ("boost_time_s",), False),
    ("climb_distance_m", ("climb_distance_km", "climb_distance_m"), False),
    ("popup_alt_m", ("popup_alt_m", "popup_alt_km"), False),
    ("popup_distance_m", ("popup_distance_km", "popup_distance_m"), False),
)
_CANONICAL = {name: keys[0] for name, keys, _ in _PARAMS}


def _show(key: str, value_si: float) -> str:
    """A SI value in the unit of its key's suffix, e.g. ``_show('dive_distance_km', 1500.0) == '1.5 km'``."""
    suffix = unit_suffix(key)
    if suffix is None:
        return f"{value_si:g}"
    factor = SUFFIXES[suffix][0]
    unit = {"_m_s": "m/s", "_km_s": "km/s", "_m_s2": "m/s2"}.get(suffix, suffix[1:])
    return f"{value_si / factor:.4g} {unit}"


def _validate(name: str, v: dict[str, float], keys: dict[str, str]) -> None:
    """Raise ParameterError naming the key of the first bad value (values SI, by field name)."""

    def bad(field: str, why: str) -> ParameterError:
        return ParameterError(
            f"cruise class {name!r}: parameter {keys[field]!r} = {_show(keys[field], v[field])} {why}"
        )

    for field, value in v.items():
        if field in keys and (isinstance(value, bool) or not isinstance(value, int | float | np.number)):
            raise ParameterError(
                f"cruise class {name!r}: parameter {keys[field]!r} must be a number (got {value!r})"
            )
        if field in keys and not math.isfinite(value):
            raise ParameterError(
                f"cruise class {name!r}: parameter {keys[field]!r} must be finite (got {value})"
            )
    for field in (
        "cruise_speed_m_s",
        "cruise_alt_m",
        "max_range_m",
        "max_lateral_accel_m_s2",
        "dive_distance_m",
    ):
        if not v[field] > 0.0:
            raise bad(field, "must be > 0")
    for field in ("launch_speed_m_s", "boost_time_s", "climb_distance_m", "popup_distance_m"):
        if not v[field] >= 0.0:
            raise bad(field, "must be >= 0")
    if v["cruise_speed_m_s"] >= _MAX_CRUISE_SPEED_M_S:
        raise bad("cruise_speed_m_s", "is orbital speed or more: a cruise missile flies below 7.8 km/s")
    if v["cruise_alt_m"] >= _MAX_CRUISE_ALT_M:
        raise bad("cruise_alt_m", "is above 100 km, where there is no air to cruise in")
    apex = v["popup_alt_m"]
    if apex < v["cruise_alt_m"]:
        raise bad(
            "popup_alt_m", f"is below the cruise altitude ({_show(keys['cruise_alt_m'], v['cruise_alt_m'])})"
        )
    speed, a_max = v["cruise_speed_m_s"], v["max_lateral_accel_m_s2"]
    a_key = keys["max_lateral_accel_m_s2"]
    limit = f"at {speed:.0f} m/s within the {a_max / G0_M_S2:.3g} g manoeuvre limit ({a_key})"
    if apex > v["cruise_alt_m"]:
        need = math.sqrt(6.0 * (apex - v["cruise_alt_m"]) * speed**2 / a_max)
        if v["popup_distance_m"] < need * (1.0 - 1e-9):
            raise bad(
                "popup_distance_m",
                f"is too short: a pop-up of {apex - v['cruise_alt_m']:.0f} m {limit} needs at least "
                f"{_show(keys['popup_distance_m'], need)}",
            )
    need = math.sqrt(2.0 * apex * speed**2 / a_max)
    if v["dive_distance_m"] < need * (1.0 - 1e-9):
        raise bad(
            "dive_distance_m",
            f"is too short: a dive from {apex:.0f} m {limit} needs at least "
            f"{_show(keys['dive_distance_m'], need)}",
        )


@dataclass(frozen=True)
class CruiseMissile:
    """A cruise-missile class, SI units.

    Attributes
    ----------
    name : catalogue id.
    cruise_speed_m_s : speed in cruise (Earth-relative, no wind), m/s.
    cruise_alt_m : cruise height above the WGS84 ellipsoid (terrain is not modelled), m.
    max_range_m : longest flown path, m.
    max_lateral_accel_m_s2 : manoeuvre limit: sets the turn radius ``v^2 / a`` and bounds the vertical
        manoeuvres, m/s2.
    dive_distance_m : ground distance of the terminal dive, m (impact angle ``atan(2 h_apex / d)``).
    launch_speed_m_s : speed at launch (0 from a ship or the ground; an air launch sets the carrier's
        speed on the object), m/s.
    boost_time_s : time from the launch speed to the cruise speed (linear ramp), s.
    climb_distance_m : ground distance from launch to level cruise, m; lengthened when the manoeuvre limit
        needs more (a descent from a bomber's altitude, for instance).
    popup_alt_m : apex of the terminal pop-up, m; None: no pop-up, the dive starts at the cruise height.
    popup_distance_m : ground distance of the pop-up, m.
    """

    name: str
    cruise_speed_m_s: float
    cruise_alt_m: float
    max_range_m: float
    max_lateral_accel_m_s2: float
    dive_distance_m: float
    launch_speed_m_s: float = 0.0
    boost_time_s: float = 0.0
    climb_distance_m: float = 0.0
    popup_alt_m: float | None = None
    popup_distance_m: float = 0.0

    def __post_init__(self) -> None:
        values = {name: getattr(self, name) for name, _, _ in _PARAMS}
        values["popup_alt_m"] = self.apex_alt_m
        _validate(self.name, values, {name: name for name in values})

    @classmethod
    def from_params(cls, name: str, p: dict) -> CruiseMissile:
        """Build a class from catalogue parameters already converted to SI, under their catalogue keys.

        The project's loader converts by key suffix and keeps the key: ``p["cruise_alt_km"]`` holds metres,
        ``p["max_lateral_accel_g"]`` m/s2. Each quantity may come under either spelling listed in the
        module's ``_PARAMS`` (``cruise_speed_m_s`` or ``cruise_speed_km_s``, ...). Keys the class does not
        use are ignored.

        Raises
        ------
        ParameterError
            A parameter is missing, given twice, not a finite number, or out of range; the message names
            the key.

        >>> m = CruiseMissile.from_params("demo", {"cruise_speed_m_s": 245.0, "cruise_alt_m": 50.0,
        ...     "max_range_km": 2.0e6, "max_lateral_accel_g": 19.6133, "dive_distance_km": 1000.0})
        >>> round(m.turn_radius_m)
        3060
        """
        values: dict[str, float] = {}
        keys: dict[str, str] = {}
        for field, accepted, required in _PARAMS:
            present = [k for k in accepted if k in p]
            if len(present) > 1:
                raise ParameterError(
                    f"cruise class {name!r}: {' and '.join(map(repr, present))} give the same quantity: "
                    "keep one"
                )
            if not present:
                if required:
                    raise ParameterError(
                        f"cruise class {name!r}: missing parameter {accepted[0]!r}"
                        + (f" (or {', '.join(map(repr, accepted[1:]))})" if len(accepted) > 1 else "")
                    )
                continue
            keys[field] = present[0]
            values[field] = p[present[0]]
        full = {
            "launch_speed_m_s": 0.0,
            "boost_time_s": 0.0,
            "climb_distance_m": 0.0,
            "popup_distance_m": 0.0,
        }
        full.update(values)
        full.setdefault("popup_alt_m", full["cruise_alt_m"])
        for field in full:
            keys.setdefault(field, _CANONICAL[field])
        _validate(name, full, keys)
        popup = values.get("popup_alt_m")
        return cls(
            name=name,
            cruise_speed_m_s=float(full["cruise_speed_m_s"]),
            cruise_alt_m=float(full["cruise_alt_m"]),
            max_range_m=float(full["max_range_m"]),
            max_lateral_accel_m_s2=float(full["max_lateral_accel_m_s2"]),
            dive_distance_m=float(full["dive_distance_m"]),
            launch_speed_m_s=float(full["launch_speed_m_s"]),
            boost_time_s=float(full["boost_time_s"]),
            climb_distance_m=float(full["climb_distance_m"]),
            popup_alt_m=None if popup is None else float(popup),
            popup_distance_m=float(full["popup_distance_m"]),
        )

    @property
    def apex_alt_m(self) -> float:
        """Height from which the dive starts (the pop-up apex, or the cruise height), m."""
        return self.cruise_alt_m if self.popup_alt_m is None else float(self.popup_alt_m)

    @property
    def turn_radius_m(self) -> float:
        """Radius of a coordinated turn at the cruise speed and the lateral-acceleration limit, m."""
        return self.cruise_speed_m_s**2 / self.max_lateral_accel_m_s2

    @property
    def impact_angle_rad(self) -> float:
        """Dive angle below the horizontal at impact, ``atan(2 h_apex / d_dive)``, rad."""
        return math.atan2(2.0 * self.apex_alt_m, self.dive_distance_m)


@dataclass(frozen=True)
class CruisePlan:
    """A route checked against a class's limits (nominal speed, no dispersion).

    ``legs_m``: spherical great-circle length of each leg between the route's vertices (launch, waypoints,
    aim), mean Earth radius; ``turn_angles_rad``: heading change at each waypoint (positive to the right);
    ``path_length_m``: the flown 3-D path (corners cut by the turns, climb and dive included);
    times are after launch.
    """

    name: str
    path_length_m: float
    flight_time_s: float
    legs_m: tuple[float, ...]
    turn_angles_rad: tuple[float, ...]
    turn_radius_m: float
    climb_distance_m: float
    popup_distance_m: float
    dive_distance_m: float
    impact_angle_rad: float
    boost_end_s: float
    terminal_start_s: float


@dataclass(frozen=True)
class CruiseObject:
    """One launched cruise missile.

    Waypoints are geodetic latitudes/longitudes (rad) flown in order between the launch and the aim point.
    ``launch_alt_m`` and ``launch_speed_m_s`` (None: the class's) describe an air launch. Dispersions, drawn
    per trial: ``speed_sigma_frac`` (relative sigma of the cruise speed; the turn radius follows it),
    ``cross_track_sigma_m`` (a parallel offset of the route: every waypoint moves by the same signed
    distance to the side of the route, the launch and aim points stay, so a route without waypoints is not
    displaced) and ``launch_t_sigma_s``.
    """

    name: str
    missile: CruiseMissile
    launch_lat_rad: float
    launch_lon_rad: float
    aim_lat_rad: float
    aim_lon_rad: float
    launch_t_s: float = 0.0
    waypoints_lat_rad: Sequence[float] = ()
    waypoints_lon_rad: Sequence[float] = ()
    launch_alt_m: float = 0.0
    launch_speed_m_s: float | None = None
    speed_sigma_frac: float = 0.0
    cross_track_sigma_m: float = 0.0
    launch_t_sigma_s: float = 0.0

    def objects(self) -> list[ObjectInfo]:
        """The one simulated object of a cruise missile."""
        plan = self.plan()
        end = self.launch_t_s + plan.flight_time_s
        return [
            ObjectInfo(
                name=self.name,
                kind="cruise",
                lethal=True,
                threat=self,
                aim_lat_rad=self.aim_lat_rad,
                aim_lon_rad=self.aim_lon_rad,
                threat_class=self.missile.name,
                launch_t_s=self.launch_t_s,
                nominal_impact_t_s=end,
                range_m=plan.path_length_m,
                apogee_m=self.missile.cruise_alt_m,
            )
        ]

    def __post_init__(self) -> None:
        lat = tuple(float(x) for x in np.atleast_1d(self.waypoints_lat_rad))
        lon = tuple(float(x) for x in np.atleast_1d(self.waypoints_lon_rad))
        object.__setattr__(self, "waypoints_lat_rad", lat)
        object.__setattr__(self, "waypoints_lon_rad", lon)
        if len(lat) != len(lon):
            raise ParameterError(
                f"cruise object {self.name!r}: {len(lat)} waypoint latitudes but {len(lon)} longitudes"
            )
        for key in ("speed_sigma_frac", "cross_track_sigma_m", "launch_t_sigma_s", "launch_alt_m"):
            value = getattr(self, key)
            if not (math.isfinite(value) and value >= 0.0):
                raise ParameterError(
                    f"cruise object {self.name!r}: {key} must be a finite number >= 0 (got {value})"
                )
        if self.launch_speed_m_s is not None and not (
            math.isfinite(self.launch_speed_m_s) and self.launch_speed_m_s >= 0.0
        ):
            raise ParameterError(
                f"cruise object {self.name!r}: launch_speed_m_s must be >= 0 (got {self.launch_speed_m_s})"
            )

    def vertices_rad(self) -> tuple[np.ndarray, np.ndarray]:
        """Latitudes and longitudes (rad) of launch, waypoints and aim point, in flight order."""
        lat = np.array([self.launch_lat_rad, *self.waypoints_lat_rad, self.aim_lat_rad])
        lon = np.array([self.launch_lon_rad, *self.waypoints_lon_rad, self.aim_lon_rad])
        return lat, lon

    def plan(self) -> CruisePlan:
        """:func:`plan_route` of this object's route."""
        return plan_route(
            self.missile,
            (self.launch_lat_rad, self.launch_lon_rad),
            np.column_stack([self.waypoints_lat_rad, self.waypoints_lon_rad]).reshape(-1, 2),
            (self.aim_lat_rad, self.aim_lon_rad),
            self.launch_alt_m,
            self.launch_speed_m_s,
        )


def _route_params(missile: CruiseMissile, launch_alt_m: float, launch_speed_m_s: float | None) -> np.ndarray:
    p = np.zeros(kernel.N_ROUTE_PARAMS)
    p[kernel.RP_V_LAUNCH] = missile.launch_speed_m_s if launch_speed_m_s is None else launch_speed_m_s
    p[kernel.RP_V_CRUISE] = missile.cruise_speed_m_s
    p[kernel.RP_T_BOOST] = missile.boost_time_s
    p[kernel.RP_H_LAUNCH] = launch_alt_m
    p[kernel.RP_H_CRUISE] = missile.cruise_alt_m
    p[kernel.RP_H_APEX] = missile.apex_alt_m
    p[kernel.RP_D_CLIMB] = missile.climb_distance_m
    p[kernel.RP_D_POPUP] = missile.popup_distance_m
    p[kernel.RP_D_DIVE] = missile.dive_distance_m
    p[kernel.RP_A_MAX] = missile.max_lateral_accel_m_s2
    return p


def _where(index: int, n_vertices: int) -> str:
    if index <= 0:
        return "the launch point"
    if index >= n_vertices - 1:
        return "the aim point"
    return f"waypoint {index}"


def _route_error(label: str, missile: CruiseMissile, status: int, where: int, rt: np.ndarray, nv: int) -> str:
    """The message for a route the planner could not fly."""
    radius = f"{rt[kernel.RT_TURN_RADIUS] / 1e3:,.1f} km"
    if status == kernel.ROUTE_DEGENERATE_LEG:
        return (
            f"{label}: {_where(where, nv)} and {_where(where + 1, nv)} coincide (or are antipodal): "
            "remove the duplicate waypoint"
        )
    if status == kernel.ROUTE_TURN_TOO_TIGHT:
        return (
            f"{label}: the turn at {_where(where, nv)} cannot be flown with the {missile.name} class's turn "
            f"radius of {radius} (cruise speed^2 / max_lateral_accel): its corner needs more straight leg "
            "than the route gives; move the waypoints further apart or make the turn shallower"
        )
    if status == kernel.ROUTE_CLIMB_TOO_LONG:
        return (
            f"{label}: the launch segment (climb from {rt[kernel.RT_H_LAUNCH]:,.0f} m to "
            f"{rt[kernel.RT_H_CRUISE]:,.0f} m over {rt[kernel.RT_D_CLIMB] / 1e3:,.1f} km, climb_distance_km) "
            f"must end before the first turn, but only {rt[kernel.RT_FIRST_STRAIGHT] / 1e3:,.1f} km of "
            "straight flight precede it: move the first waypoint further from the launch point"
        )
    if status == kernel.ROUTE_TERMINAL_TOO_LONG:
        terminal = rt[kernel.RT_D_POPUP] + rt[kernel.RT_D_DIVE]
        return (
            f"{label}: the terminal pop-up and dive need {terminal / 1e3:,.1f} km of straight flight after "
            "the last turn (popup_distance_km + dive_distance_km), but only "
            f"{rt[kernel.RT_LAST_STRAIGHT] / 1e3:,.1f} km follow it: move the last waypoint further from the "
            "aim point"
        )
    if status == kernel.ROUTE_TOO_SHORT:
        terminal = rt[kernel.RT_D_POPUP] + rt[kernel.RT_D_DIVE]
        return (
            f"{label}: the route is shorter than the launch segment ({rt[kernel.RT_D_CLIMB] / 1e3:,.1f} km) "
            f"plus the terminal pop-up and dive ({terminal / 1e3:,.1f} km): the aim point is too close"
        )
    if status == kernel.ROUTE_BAD_PARAMS:
        return f"{label}: invalid route (fewer than two vertices, or non-finite coordinates or parameters)"
    return f"{label}: the route needs more pieces than the planner's table holds (status {status})"


def _range_error(label: str, missile: CruiseMissile, length_m: float, n_waypoints: int) -> str:
    return (
        f"{label}: the route (launch, {n_waypoints} waypoint(s), aim point) is {length_m / 1e3:,.0f} km "
        "long, "
        f"beyond the {missile.name} class's maximum range of {missile.max_range_m / 1e3:,.0f} km "
        "(max_range_km): launch closer to the aim point or use fewer, straighter waypoints"
    )


def _turn_angles(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Heading change at each interior vertex (spherical azimuths), rad, positive to the right."""

    def azimuth(la1, lo1, la2, lo2):
        dlon = lo2 - lo1
        y = np.sin(dlon) * np.cos(la2)
        x = np.cos(la1) * np.sin(la2) - np.sin(la1) * np.cos(la2) * np.cos(dlon)
        return np.arctan2(y, x)

    arrive = azimuth(lat[1:-1], lon[1:-1], lat[:-2], lon[:-2]) + np.pi  # heading on arrival at the vertex
    leave = azimuth(lat[1:-1], lon[1:-1], lat[2:], lon[2:])
    return (leave - arrive + np.pi) % (2.0 * np.pi) - np.pi


def plan_route(
    missile: CruiseMissile,
    launch: tuple[float, float],
    waypoints,
    aim: tuple[float, float],
    launch_alt_m: float = 0.0,
    launch_speed_m_s: float | None = None,
) -> CruisePlan:
    """Check a route against the class's limits and describe it (nominal speed, no dispersion).

    Parameters
    ----------
    missile : CruiseMissile
    launch, aim : (lat_rad, lon_rad)
        Geodetic launch and aim points, rad.
    waypoints : (K, 2) array_like
        Geodetic (lat_rad, lon_rad) of the waypoints in flight order (K may be 0).
    launch_alt_m, launch_speed_m_s : float
        Height above the ellipsoid and speed at launch (an air launch); speed None: the class's.

    Raises
    ------
    TargetingError
        The route is longer than the class's maximum range (the message gives both lengths), or it cannot
        be flown: a turn too tight for the turn radius, the launch segment or the terminal phase not
        fitting on the first or last leg.

    >>> m = CruiseMissile("demo", 245.0, 50.0, 2.0e6, 19.6, 1000.0)
    >>> plan = plan_route(m, (0.0, 0.0), [], (0.0, 0.01))  # doctest: +SKIP
    >>> round(plan.path_length_m), round(plan.flight_time_s)  # doctest: +SKIP
    (63785, 260)
    """
    wp = np.asarray(waypoints, dtype=np.float64).reshape(-1, 2)
    lat = np.concatenate([[launch[0]], wp[:, 0], [aim[0]]])
    lon = np.concatenate([[launch[1]], wp[:, 1], [aim[1]]])
    table = kernel.plan_routes(
        lat[None, :],
        lon[None, :],
        [lat.size],
        _route_params(missile, launch_alt_m, launch_speed_m_s)[None, :],
    )
    rt = table.route[0]
    label = f"cruise route of class {missile.name!r}"
    if table.status[0] != kernel.ROUTE_OK:
        raise TargetingError(
            _route_error(label, missile, int(table.status[0]), int(table.where[0]), rt, lat.size)
        )
    if rt[kernel.RT_LENGTH] > missile.max_range_m:
        raise TargetingError(_range_error(label, missile, float(rt[kernel.RT_LENGTH]), len(wp)))
    legs = great_circle_distance_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    return CruisePlan(
        name=missile.name,
        path_length_m=float(rt[kernel.RT_LENGTH]),
        flight_time_s=float(rt[kernel.RT_FLIGHT_S]),
        legs_m=tuple(float(x) for x in legs),
        turn_angles_rad=tuple(float(x) for x in _turn_angles(lat, lon)),
        turn_radius_m=float(rt[kernel.RT_TURN_RADIUS]),
        climb_distance_m=float(rt[kernel.RT_D_CLIMB]),
        popup_distance_m=float(rt[kernel.RT_D_POPUP]),
        dive_distance_m=float(rt[kernel.RT_D_DIVE]),
        impact_angle_rad=math.atan2(2.0 * rt[kernel.RT_H_APEX], rt[kernel.RT_D_DIVE]),
        boost_end_s=float(rt[kernel.RT_T_BOOST_END]),
        terminal_start_s=float(rt[kernel.RT_T_TERMINAL]),
    )


def _pack(objects: list[CruiseObject]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(N, V) vertex latitudes and longitudes, (N,) vertex counts, (N, N_ROUTE_PARAMS) nominal parameters."""
    n = len(objects)
    nv = np.array([len(o.waypoints_lat_rad) + 2 for o in objects], dtype=np.int64)
    width = int(nv.max())
    lat = np.zeros((n, width))
    lon = np.zeros((n, width))
    params = np.empty((n, kernel.N_ROUTE_PARAMS))
    for j, o in enumerate(objects):
        la, lo = o.vertices_rad()
        lat[j, : la.size] = la
        lon[j, : lo.size] = lo
        lat[j, la.size :] = la[-1]
        lon[j, lo.size :] = lo[-1]
        params[j] = _route_params(o.missile, o.launch_alt_m, o.launch_speed_m_s)
    return lat, lon, nv, params


def fly_cruise(
    objects: list[CruiseObject],
    grid: TimeGrid,
    rng: np.random.Generator | None,
    trials: int,
) -> ThreatBatch:
    """Fly every object of every trial on the grid, drawing dispersions from ``rng``.

    The draws are three (trials, objects) standard-normal arrays in this order: cruise speed, cross-track
    offset, launch time (``rng`` None or zero sigmas: the nominal flight in every trial). Every route is
    first checked at its nominal speed, so a route that cannot be flown, or is beyond the class's range,
    raises before any flight; a dispersed route that cannot be flown (a faster trial whose wider turn no
    longer fits between close waypoints) comes back with ``STATUS_DIVERGED`` and NaN rows.

    Returns
    -------
    ThreatBatch
        Arrays over (trials, objects, T). The impact point is the aim point (the terminal dive ends there);
        ``impact_t_s`` and the impact point are NaN when the impact comes after the grid's end.

    Raises
    ------
    TargetingError
        A nominal route cannot be flown or is beyond the class's maximum range (the message names the
        object).
    """
    t_s = grid.t_s
    n = len(objects)
    shape = (trials, n)
    if n == 0:
        empty = np.empty((trials, 0))
        return ThreatBatch(
            t_s=t_s,
            r_ecef=np.empty((trials, 0, t_s.size, 3)),
            v_ecef=np.empty((trials, 0, t_s.size, 3)),
            alt_m=np.empty((trials, 0, t_s.size)),
            phase=np.empty((trials, 0, t_s.size), dtype=np.int8),
            impact_t_s=empty,
            impact_lat_rad=empty.copy(),
            impact_lon_rad=empty.copy(),
            status=np.empty(shape, dtype=np.int8),
        )
    lat, lon, nv, base = _pack(objects)
    capacity = kernel.piece_capacity(lat, lon, nv)
    nominal = kernel.plan_routes(lat, lon, nv, base, capacity)
    bad = np.nonzero(nominal.status != kernel.ROUTE_OK)[0]
    if bad.size:
        j = int(bad[0])
        raise TargetingError(
            _route_error(
                f"cruise object {objects[j].name!r}",
                objects[j].missile,
                int(nominal.status[j]),
                int(nominal.where[j]),
                nominal.route[j],
                int(nv[j]),
            )
        )
    max_range = np.array([o.missile.max_range_m for o in objects])
    over = np.nonzero(nominal.length_m > max_range)[0]
    if over.size:
        j = int(over[0])
        raise TargetingError(
            _range_error(
                f"cruise object {objects[j].name!r}",
                objects[j].missile,
                float(nominal.length_m[j]),
                int(nv[j]) - 2,
            )
        )
    if rng is not None:
        z_speed, z_cross, z_time = (rng.standard_normal(shape) for _ in range(3))
    else:
        z_speed = z_cross = z_time = np.zeros(shape)
    sigma_v = np.array([o.speed_sigma_frac for o in objects])
    sigma_x = np.array([o.cross_track_sigma_m for o in objects])
    sigma_t = np.array([o.launch_t_sigma_s for o in objects])
    t0 = np.array([o.launch_t_s for o in objects]) + sigma_t * z_time
    if rng is not None and (np.any(sigma_v > 0.0) or np.any(sigma_x > 0.0)):
        params = np.repeat(base[None], trials, axis=0)
        params[..., kernel.RP_V_CRUISE] *= np.maximum(1.0 + sigma_v * z_speed, _MIN_SPEED_FACTOR)
        params[..., kernel.RP_CROSS_TRACK] = sigma_x * z_cross
        table = kernel.plan_routes(
            np.repeat(lat[None], trials, axis=0).reshape(trials * n, -1),
            np.repeat(lon[None], trials, axis=0).reshape(trials * n, -1),
            np.tile(nv, trials),
            params.reshape(trials * n, -1),
            capacity,
        )
        index = np.arange(trials * n)
    else:
        table = nominal
        index = np.tile(np.arange(n), trials)
    r, v, h, phase = kernel.evaluate_routes(table, t_s, t0.ravel(), index)
    planned = (table.status[index] == kernel.ROUTE_OK).reshape(shape)
    t_impact = t0 + table.flight_time_s[index].reshape(shape)
    impacted = planned & (t_impact <= t_s[-1])
    aim_lat = np.broadcast_to(np.array([o.aim_lat_rad for o in objects]), shape)
    aim_lon = np.broadcast_to(np.array([o.aim_lon_rad for o in objects]), shape)
    status = np.where(planned, np.where(impacted, STATUS_IMPACTED, STATUS_FLYING), STATUS_DIVERGED)
    return ThreatBatch(
        t_s=t_s,
        r_ecef=r.reshape(trials, n, t_s.size, 3),
        v_ecef=v.reshape(trials, n, t_s.size, 3),
        alt_m=h.reshape(trials, n, t_s.size),
        phase=phase.reshape(trials, n, t_s.size),
        impact_t_s=np.where(impacted, t_impact, np.nan),
        impact_lat_rad=np.where(impacted, aim_lat, np.nan),
        impact_lon_rad=np.where(impacted, aim_lon, np.nan),
        status=status.astype(np.int8),
    )
