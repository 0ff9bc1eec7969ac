"""Lofted test flights converted to a missile's standard range: the public method, on domesim's physics.

A missile tested on a lofted trajectory (near-vertical, apogee thousands of km, ground range about
1,000 km) would fly much farther on its range-maximising trajectory. The published conversions (book,
"Lofted tests") take the test's apogee and ground range, infer the missile's performance, and fly the
same missile on a standard trajectory. domesim does that with its own boost and coast physics:

1. **Fit.** The class's stage delta-v values are scaled by one factor (a heavier or lighter payload,
   more or less propellant: the class's staging and burn times are kept) and its end-of-boost pitch is
   set, with a full burn (tests burn to depletion), so that the flight from the test's launch point,
   along the test's azimuth, on the rotating oblate Earth, lands at the observed ground range with the
   observed apogee. The lofted branch is taken: the steepest pitch that reaches the range.
2. **Convert.** The fitted missile, full burn, is flown at the pitch that maximises its ground range.
   Boost gravity losses are part of the flight (a near-vertical boost loses more speed to gravity
   than a range-maximising one). The standard range is flown over an Earth that does not turn (the pad
   does not move, the impact is where the flight meets the ellipsoid in inertial space), the
   convention of published conversions "not taking into account the Earth's rotation"; the maxima
   due north, east and west on the rotating Earth are reported too (the rotation lengthens eastward
   shots and shortens westward ones; near orbital burnout speed an eastward shot runs to the
   antipode).

The steering and the burn time of a tested missile are not public, and a near-vertical boost and a
range-maximising one depend on them differently (a longer burn, or a steering that turns earlier,
widens the gap in gravity losses), so the conversion is also made at the corners of
:data:`STEERING_BAND` (pitch-over exponents 1 to 3) and :data:`BURN_TIME_BAND` (the class's burn time
within 10 %): their spread is the conversion's model uncertainty.

The observed flight time, when given, is not fitted: the modelled test's flight time is reported next
to it, as a check of the fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from domesim.core import frames
from domesim.errors import TargetingError
from domesim.threats.ballistic import BallisticMissile, burnout_angle, fly_nominal, initial_azimuths

_SCALE_BRACKET = (0.6, 1.4)  # delta-v scales searched: far beyond any payload change of one class
_STEEP_PITCHES = np.radians(np.arange(89.5, 20.0, -0.5))  # lofted branch first
# What the conversion depends on and the public record does not give for a tested missile: its steering
# (pitch-over exponents from linear to early-turning) and its burn time (the class's, within 10 %).
STEERING_BAND = (1.0, 3.0)
BURN_TIME_BAND = (0.9, 1.1)


@dataclass(frozen=True)
class LoftedTest:
    """An observed lofted test: what was published, and where it was launched (SI)."""

    apogee_m: float
    range_m: float
    flight_time_s: float | None = None
    launch_lat_rad: float = math.radians(39.0)  # the Pyongyang area, firing east into the Sea of Japan
    launch_lon_rad: float = math.radians(125.7)
    azimuth_rad: float = math.radians(90.0)


@dataclass(frozen=True)
class Burnout:
    """A flight's state at thrust termination: inertial speed and flight-path angle, geodetic height."""

    speed_m_s: float
    angle_rad: float
    alt_m: float


@dataclass(frozen=True)
class Conversion:
    """A lofted test converted to the fitted missile's range-maximising trajectory."""

    standard_range_m: float  # the maximum over an Earth that does not turn (published conventions)
    # the lowest and highest standard range over the steering and burn times of STEERING_BAND and
    # BURN_TIME_BAND (not public for a tested missile, and the conversion depends on them)
    standard_range_band_m: tuple[float, float]
    range_north_m: float  # maxima on the rotating Earth, launched due north, east and west
    range_east_m: float
    range_west_m: float
    burnout: Burnout  # of the range-maximising trajectory over the non-rotating Earth
    delta_v_scale: float  # fitted factor on the class's stage delta-v values
    delta_v_m_s: float  # the fitted missile's total ideal delta-v
    test_pitch_rad: float  # end-of-boost pitch of the fitted test flight
    test_burnout: Burnout
    test_flight_time_s: float  # the fitted test flight's time (compare with the observed one)
    observed_flight_time_s: float | None

    def to_dict(self) -> dict[str, object]:
        return {
            "method": (
                "one scale on the class's stage delta-v fitted to the test (full burn, lofted pitch, "
                "rotating Earth); standard range range-maximising over a non-rotating Earth; band over "
                f"pitch-over exponents {STEERING_BAND[0]:g}-{STEERING_BAND[1]:g} and burn time x "
                f"{BURN_TIME_BAND[0]:g}-{BURN_TIME_BAND[1]:g} (not public for a tested missile)"
            ),
            "standard_range_km": self.standard_range_m / 1e3,
            "standard_range_band_km": [x / 1e3 for x in self.standard_range_band_m],
            "burnout_speed_km_s": self.burnout.speed_m_s / 1e3,
            "burnout_angle_deg": math.degrees(self.burnout.angle_rad),
            "burnout_alt_km": self.burnout.alt_m / 1e3,
            "range_due_north_km": self.range_north_m / 1e3,
            "range_due_east_km": self.range_east_m / 1e3,
            "range_due_west_km": self.range_west_m / 1e3,
            "fitted": {
                "delta_v_scale": self.delta_v_scale,
                "delta_v_km_s": self.delta_v_m_s / 1e3,
                "test_pitch_deg": math.degrees(self.test_pitch_rad),
                "test_burnout_speed_km_s": self.test_burnout.speed_m_s / 1e3,
                "test_burnout_angle_deg": math.degrees(self.test_burnout.angle_rad),
                "test_burnout_alt_km": self.test_burnout.alt_m / 1e3,
                "test_flight_time_min": self.test_flight_time_s / 60.0,
                "observed_flight_time_min": (
                    None if self.observed_flight_time_s is None else self.observed_flight_time_s / 60.0
                ),
            },
        }


def scaled(missile: BallisticMissile, scale: float) -> BallisticMissile:
    """``missile`` with every stage's ideal delta-v times ``scale`` (same staging and burn times)."""
    return replace(missile, stage_delta_v_m_s=tuple(dv * scale for dv in missile.stage_delta_v_m_s))


def _full_burn(
    missile: BallisticMissile, test: LoftedTest, azimuth_rad: float, pitch_rad, rotating: bool = True
):
    """Full-burn flights at ``pitch_rad`` (array): the flight record and the downrange ground range, m
    (0 where the flight falls behind the pad or does not come down)."""
    pitch = np.atleast_1d(np.asarray(pitch_rad, dtype=np.float64))
    flight = fly_nominal(
        missile,
        test.launch_lat_rad,
        test.launch_lon_rad,
        azimuth_rad,
        pitch,
        missile.boost_time_s,
        rotating=rotating,
    )
    ground = frames.great_circle_distance_m(
        test.launch_lat_rad, test.launch_lon_rad, flight["lat"], flight["lon"]
    )
    heading = initial_azimuths(test.launch_lat_rad, test.launch_lon_rad, flight["lat"], flight["lon"])
    ground = np.where(np.isfinite(ground) & (np.cos(heading - azimuth_rad) > 0.0), ground, 0.0)
    return flight, ground


def _lofted_pitch(missile: BallisticMissile, test: LoftedTest) -> float | None:
    """The steepest full-burn pitch that lands at the test's range (None: the missile cannot)."""
    _, ground = _full_burn(missile, test, test.azimuth_rad, _STEEP_PITCHES)
    reached = np.nonzero(ground >= test.range_m)[0]
    if reached.size == 0 or reached[0] == 0:
        return None
    i = reached[0]  # first pitch, from the vertical down, that reaches the range

    def excess(pitch: float) -> float:
        return float(_full_burn(missile, test, test.azimuth_rad, pitch)[1][0]) - test.range_m

    return brentq(excess, _STEEP_PITCHES[i], _STEEP_PITCHES[i - 1], xtol=1e-7)


def _burnout(flight) -> Burnout:
    r, v = flight["burnout"][0, :3], flight["burnout"][0, 3:]
    return Burnout(
        speed_m_s=float(np.linalg.norm(v)),
        angle_rad=float(burnout_angle(flight)[0]),
        alt_m=float(frames.geodetic_height(*r)),
    )


def _longest_shot(missile: BallisticMissile, test: LoftedTest, azimuth_rad: float, rotating: bool = True):
    """(range, pitch) of the full-burn pitch that maximises the ground range along ``azimuth_rad``."""
    pitches = np.radians(np.arange(-20.0, 70.0, 1.0))
    _, ground = _full_burn(missile, test, azimuth_rad, pitches, rotating)
    k = int(np.argmax(ground))
    lo, hi = pitches[max(k - 1, 0)], pitches[min(k + 1, pitches.size - 1)]
    best = minimize_scalar(
        lambda p: -float(_full_burn(missile, test, azimuth_rad, p, rotating)[1][0]),
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-6},
    )
    return -float(best.fun), float(best.x)


def convert_lofted_test(missile: BallisticMissile, test: LoftedTest) -> Conversion:
    """Fit ``missile`` to a lofted test and fly it on its range-maximising trajectory (module docstring),
    with the class's steering and burn time, and with the corners of :data:`STEERING_BAND` x
    :data:`BURN_TIME_BAND` (the band of the result).

    Raises
    ------
    TargetingError
        No scale of the class's delta-v in the searched bracket flies the observed test.
    """
    conversion = _convert(missile, test)
    ranges = [conversion.standard_range_m] + [
        _convert(
            replace(
                missile,
                pitch_exponent=n,
                stage_burn_s=tuple(t * factor for t in missile.stage_burn_s),
            ),
            test,
        ).standard_range_m
        for n in STEERING_BAND
        for factor in BURN_TIME_BAND
    ]
    return replace(conversion, standard_range_band_m=(min(ranges), max(ranges)))


def _convert(missile: BallisticMissile, test: LoftedTest) -> Conversion:
    """:func:`convert_lofted_test` with the class's steering only (the band is that one range)."""

    def apogee_excess(scale: float) -> float:
        """Fitted test apogee minus the observed one; NaN where no full burn lands at the range."""
        fitted = scaled(missile, scale)
        pitch = _lofted_pitch(fitted, test)
        if pitch is None:
            return math.nan
        flight, _ = _full_burn(fitted, test, test.azimuth_rad, pitch)
        return float(flight["apogee_m"][0]) - test.apogee_m

    scales = np.arange(_SCALE_BRACKET[0], _SCALE_BRACKET[1] + 1e-9, 0.05)
    excess = np.array([apogee_excess(x) for x in scales])
    change = np.nonzero((excess[:-1] < 0) & (excess[1:] > 0))[0]  # NaN compares False: both sides fly
    if change.size == 0:
        flown = excess[np.isfinite(excess)] + test.apogee_m
        reach = (
            f"; at {test.range_m / 1e3:,.0f} km its fitted apogees span {flown.min() / 1e3:,.0f} to "
            f"{flown.max() / 1e3:,.0f} km"
            if flown.size
            else ""
        )
        raise TargetingError(
            f"{missile.name}: no scale between {scales[0]:g} and {scales[-1]:g} of the class's delta-v "
            f"flies a {test.range_m / 1e3:,.0f} km test to an apogee of {test.apogee_m / 1e3:,.0f} km"
            f"{reach}: is this class the tested missile?"
        )
    scale = brentq(apogee_excess, scales[change[0]], scales[change[0] + 1], xtol=1e-6)
    fitted = scaled(missile, scale)
    pitch = _lofted_pitch(fitted, test)
    if pitch is None:  # the root lies between two scales that both fly the test: not expected
        raise TargetingError(f"{missile.name}: the fit of the lofted test did not converge")
    test_flight, _ = _full_burn(fitted, test, test.azimuth_rad, pitch)
    standard, pitch_standard = _longest_shot(fitted, test, test.azimuth_rad, rotating=False)
    north, _ = _longest_shot(fitted, test, 0.0)
    east, _ = _longest_shot(fitted, test, math.radians(90.0))
    west, _ = _longest_shot(fitted, test, math.radians(270.0))
    best_flight, _ = _full_burn(fitted, test, test.azimuth_rad, pitch_standard, rotating=False)
    return Conversion(
        standard_range_m=standard,
        standard_range_band_m=(standard, standard),
        range_north_m=north,
        range_east_m=east,
        range_west_m=west,
        burnout=_burnout(best_flight),
        delta_v_scale=scale,
        delta_v_m_s=float(sum(fitted.stage_delta_v_m_s)),
        test_pitch_rad=pitch,
        test_burnout=_burnout(test_flight),
        test_flight_time_s=float(test_flight["t_impact"][0]),
        observed_flight_time_s=test.flight_time_s,
    )
