"""Book chapter: minimum-energy trajectories and boost profiles of the catalogue's ballistic classes."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from domesim.book import CHAPTERS, REPRODUCTIONS, Chapter, Computed, Reproduction

LAUNCH_LAT_DEG, LAUNCH_LON_DEG = 40.0, 127.0  # the catalogue's calibration point; shots due north

CHAPTERS.register(
    Chapter(
        name="trajectories",
        title="Minimum-energy trajectories and boost profiles",
        order=5,
        intro="""
The minimum-energy trajectory (MET) of a ballistic missile has a closed form in vacuum over a
spherical, non-rotating Earth (Wheelon 1959; Bate, Mueller & White 1971, section 6.2; the parameter
catalogue's section 6.1 table): the burnout speed, flight-path angle and apogee that reach a range
angle from a burnout radius. domesim flies its catalogue classes instead: a staged boost with the
class's steering, then a coast under J2 gravity over the oblate, rotating Earth, with drag in
re-entry, aimed by the targeting solver at the minimum-energy burnout angle. Launched due north from
40 N 127 E, each flight's inertial burnout state and range angle go into the closed form, and the
flown burnout speed and apogee are compared with it: the difference is what J2, the ellipsoid and
the solver's tolerance add. The closed form is evaluated at the flown burnout altitude, because the
MET apogee grows with the burnout altitude (about 120 km of apogee for 200 km of burnout altitude
at these ranges: the catalogue's table has both rows), so a table row at another burnout altitude
is not the same trajectory.

The boost itself is checked against the public record: burn times (S40) and the burnout altitudes
of the ICBM flight phases (150 to 400 km, S41, a recalled range: the retrieved copy lost its
numbers). The classes' burn times are inputs taken from S40, so those cases check arithmetic only.
""",
    )
)


@dataclass(frozen=True)
class _Met:
    flown_speed_km_s: float
    flown_apogee_km: float
    burnout_alt_km: float
    boost_s: float
    closed_speed_km_s: float
    closed_apogee_km: float


@functools.cache
def _met(class_id: str, range_km: float) -> _Met:
    import numpy as np

    from domesim.build.catalogue import load_catalogue
    from domesim.build.threats.ballistic import catalogue_missile
    from domesim.core import analytic, frames
    from domesim.core.constants import R_EARTH_MEAN_M
    from domesim.threats.ballistic import fly_nominal, solve_launch

    missile = catalogue_missile(load_catalogue().entry("threat", class_id))
    lat, lon = math.radians(LAUNCH_LAT_DEG), math.radians(LAUNCH_LON_DEG)
    aim_lat = lat + range_km * 1e3 / R_EARTH_MEAN_M  # due north (ranges here stay short of the pole)
    solution = solve_launch(missile, lat, lon, aim_lat, lon)
    flight = fly_nominal(missile, lat, lon, solution.azimuth_rad, solution.theta_end_rad, solution.t_cut_s)
    r_bo, v_bo = flight["burnout"][:3], flight["burnout"][3:]
    r_imp = flight["r_impact_eci"]
    psi = math.acos(float(np.dot(r_bo, r_imp) / (np.linalg.norm(r_bo) * np.linalg.norm(r_imp))))
    radius_km = analytic.R_EARTH_MEAN_KM
    burnout_alt_km = float(np.linalg.norm(r_bo)) / 1e3 - radius_km  # above the sphere
    closed = analytic.minimum_energy_trajectory(psi * radius_km, burnout_alt_km)
    return _Met(
        flown_speed_km_s=float(np.linalg.norm(v_bo)) / 1e3,
        flown_apogee_km=solution.apogee_m / 1e3,
        burnout_alt_km=float(frames.geodetic_height(*r_bo)) / 1e3,
        boost_s=solution.t_cut_s,
        closed_speed_km_s=closed.burnout_speed_km_s,
        closed_apogee_km=closed.apogee_km,
    )


def _closed_form_case(class_id: str, range_km: float, what: str, order: int) -> Reproduction:
    speed = what == "speed"
    unit_text = "km/s" if speed else "km"

    def compute() -> Computed:
        m = _met(class_id, range_km)
        flown, closed = (
            (m.flown_speed_km_s, m.closed_speed_km_s) if speed else (m.flown_apogee_km, m.closed_apogee_km)
        )
        return Computed(
            100.0 * (flown / closed - 1.0),
            f"flown {flown:,.3f} {unit_text} against the closed form's {closed:,.3f} {unit_text}; burnout "
            f"{m.boost_s:.0f} s after launch at {m.burnout_alt_km:.0f} km",
        )

    return Reproduction(
        name=f"trajectories/met-{what}-{class_id}-{range_km:.0f}",
        chapter="trajectories",
        title=f"MET {'burnout speed' if speed else 'apogee'}, {class_id}, {range_km:,.0f} km",
        source=(
            "closed-form minimum-energy trajectory (Wheelon 1959; Bate, Mueller & White 1971, section "
            "6.2) as domesim.core.analytic.minimum_energy_trajectory; parameter catalogue section 6.1"
        ),
        published_inputs=(
            f"the flown trajectory's inertial range angle and burnout altitude ({class_id}, "
            f"{range_km:,.0f} km due north from {LAUNCH_LAT_DEG:g} N {LAUNCH_LON_DEG:g} E)"
        ),
        published=0.0,
        published_text=f"the closed form's {'speed' if speed else 'apogee'} (0 % difference)",
        unit="%",
        compute=compute,
        tolerance=1.0 if speed else 2.0,
        relative=False,
        explanation=(
            "The flight is integrated over the oblate Earth with J2 gravity; the closed form is a "
            "Kepler ellipse over a sphere of the mean radius. J2 and the ellipsoid move the burnout speed "
            "that reaches a given range angle by a few parts in a thousand and the apogee by about 1 %; "
            "the catalogue's table states its speeds to +/-0.2 km/s (3 %)."
        ),
        order=order,
    )


def _boost_case(class_id: str, burn_s: float, text: str, order: int) -> Reproduction:
    def compute() -> Computed:
        m = _met(class_id, 12000.0)
        return Computed(m.boost_s, f"burnout at {m.burnout_alt_km:.0f} km on the 12,000 km MET")

    return Reproduction(
        name=f"trajectories/burn-time-{class_id}",
        chapter="trajectories",
        title=f"Boost duration, {class_id}",
        source="boost durations of solid and liquid ICBMs [S40]",
        published_inputs="the class's stage burn times (catalogue, from S40)",
        published=burn_s,
        published_text=text,
        unit="s",
        compute=compute,
        tolerance=0.05,
        validates=False,
        explanation=(
            "The class's burn times are taken from the source, so this checks that the flown boost "
            "lasts as long (a minimum-energy shot to 12,000 km needs nearly the full burn; shorter "
            "shots terminate thrust earlier)."
        ),
        order=order,
    )


def _burnout_altitude_case(class_id: str, order: int) -> Reproduction:
    def compute() -> Computed:
        m = _met(class_id, 12000.0)
        return Computed(m.burnout_alt_km, f"burnout {m.boost_s:.0f} s after launch, 12,000 km MET")

    return Reproduction(
        name=f"trajectories/burnout-altitude-{class_id}",
        chapter="trajectories",
        title=f"Burnout altitude, {class_id}",
        source=(
            "ICBM flight phases, Wikipedia [S41] (recalled: the retrieved copy lost its numbers; the "
            "parameter catalogue tags the range R)"
        ),
        published_inputs="a generic ICBM's boost phase",
        published=275.0,
        published_text="150 to 400 km",
        unit="km",
        compute=compute,
        tolerance=125.0,
        relative=False,
        explanation=(
            "The catalogue classes' steering (the pitch-over exponent) is assumed, not public; the "
            "burnout altitude follows from it and from the burn time. The public range is wide and "
            "recalled, so this is a plausibility check, not a measurement."
        ),
        order=order,
    )


for _k, _case in enumerate(
    [
        _closed_form_case("icbm_solid", 8000.0, "speed", 0),
        _closed_form_case("icbm_solid", 8000.0, "apogee", 1),
        _closed_form_case("icbm_liquid", 10000.0, "speed", 2),
        _closed_form_case("icbm_liquid", 10000.0, "apogee", 3),
        _closed_form_case("irbm", 4000.0, "speed", 4),
        _boost_case("icbm_solid", 170.0, "170 s", 5),
        _boost_case("icbm_liquid", 250.0, "about 4 minutes (250 s)", 6),
        _burnout_altitude_case("icbm_solid", 7),
        _burnout_altitude_case("icbm_liquid", 8),
    ]
):
    REPRODUCTIONS.register(_case)
