"""Book chapter: North Korean lofted ICBM tests converted to a standard trajectory (``domesim calc loft``)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from domesim.book import CHAPTERS, REPRODUCTIONS, Chapter, Computed, Reproduction

THREAT_CLASS = "icbm_liquid"  # the Hwasong-14, -15 and -17 are liquid-propellant, two-stage missiles

CHAPTERS.register(
    Chapter(
        name="lofted",
        title="Lofted tests converted to a standard trajectory",
        order=20,
        intro=f"""
North Korea flew its ICBM tests on lofted trajectories: an apogee of thousands of kilometres and a
ground range of about 1,000 km, into the Sea of Japan. Analysts convert each test to the missile's
range on a standard (range-maximising) trajectory. `domesim calc loft` does it on domesim's physics
(`domesim.threats.lofted`): it fits the catalogue's `{THREAT_CLASS}` class to the observed apogee and
ground range (one scale on the stage delta-v values, full burn, the steepest pitch that lands at the
range, launched east from 39 N 125.7 E on the rotating oblate Earth), then flies the fitted missile
due north on its range-maximising pitch. A near-vertical boost loses more speed to gravity than a
range-maximising one, and by how much depends on the missile's steering and burn time, neither of
which is public for these missiles: the conversion is repeated with the pitch-over exponents 1
(linear) and 3 (early turn) and the class's burn time within 10 %, and that band is the conversion's
model uncertainty. The criterion is that the published figure lies inside the band; the difference
from domesim's central value (the catalogue's exponent, 2, and burn time, 250 s) is shown. The
standard range is flown over an Earth that does not turn, the published convention. Near orbital
burnout speed (about 7.8 km/s) the range becomes very sensitive to the burnout speed, so the band
widens for the highest tests; the published figures for those are stated as lower bounds or as
depending on the warhead's mass.
""",
    )
)


@dataclass(frozen=True)
class _Test:
    key: str
    title: str
    apogee_km: float
    range_km: float
    flight_time_min: float
    published_km: float
    published_text: str
    source: str
    explanation: str


def _convert(test: _Test) -> Computed:
    from domesim.build.catalogue import load_catalogue
    from domesim.build.threats.ballistic import catalogue_missile
    from domesim.threats.lofted import LoftedTest, convert_lofted_test

    missile = catalogue_missile(load_catalogue().entry("threat", THREAT_CLASS))
    c = convert_lofted_test(
        missile, LoftedTest(test.apogee_km * 1e3, test.range_km * 1e3, test.flight_time_min * 60.0)
    )
    return Computed(
        c.standard_range_m / 1e3,
        f"fitted delta-v scale {c.delta_v_scale:.3f}; test burnout {c.test_burnout.speed_m_s / 1e3:.2f} "
        f"km/s at {math.degrees(c.test_burnout.angle_rad):.0f} deg, modelled test flight "
        f"{c.test_flight_time_s / 60:.1f} min against {test.flight_time_min:g} min observed; standard "
        f"trajectory burnout {c.burnout.speed_m_s / 1e3:.2f} km/s at "
        f"{math.degrees(c.burnout.angle_rad):.0f} deg, {c.burnout.alt_m / 1e3:.0f} km",
        band=(c.standard_range_band_m[0] / 1e3, c.standard_range_band_m[1] / 1e3),
    )


_COMMON = (
    "The published conversion used its author's own missile model, which is not published; domesim's "
    "central value uses the catalogue class's steering and staging."
)
TESTS = [
    _Test(
        "hwasong-14-2017-07-04",
        "Hwasong-14, 4 July 2017 (CSIS)",
        2800.0,
        930.0,
        39.0,
        7000.0,
        "as much as 7,000 km",
        "CSIS Missile Threat, Jul 2017 [S90]",
        _COMMON + ' CSIS gives an upper figure ("as much as").',
    ),
    _Test(
        "hwasong-14-2017-07-28",
        "Hwasong-14, 28 July 2017 (UCS)",
        3724.9,
        998.0,
        47.2,
        10400.0,
        "10,400 km, not taking the Earth's rotation into account",
        "D. Wright, Union of Concerned Scientists, 28 Jul 2017; flight data KCNA via TASS [S91]",
        _COMMON + " Both leave the Earth's rotation out.",
    ),
    _Test(
        "hwasong-15-2017-11-28",
        "Hwasong-15, 28 November 2017 (UCS)",
        4475.0,
        950.0,
        53.0,
        13000.0,
        "more than 13,000 km",
        "D. Wright (UCS) via Wired, Nov 2017; KCNA flight data as reported [S92]",
        _COMMON + " The published figure is a lower bound.",
    ),
    _Test(
        "hwasong-17-2022-11-18",
        "Hwasong-17, 18 November 2022 (Japan MoD)",
        6040.9,
        999.2,
        4135.0 / 60.0,
        15000.0,
        "exceeding 15,000 km, depending on the warhead's weight",
        "Japanese Defence Minister via AP; KCNA flight data via TASS [S93]",
        _COMMON
        + " The fitted missile's standard-trajectory burnout speed is close to orbital, where a small change"
        " of speed (the warhead's mass) moves the range by thousands of km: hence the wide band.",
    ),
    _Test(
        "hwasong-15-2023-02-18",
        "Hwasong-15, 18 February 2023 (Japan MoD)",
        5768.0,
        989.0,
        66.0,
        14000.0,
        "could potentially travel 14,000 km",
        "Japanese officials; KCNA flight data via Sputnik/UrduPoint [S94]",
        _COMMON
        + " As for the Hwasong-17, the fitted burnout speed is close to orbital and the range is very "
        "sensitive to it.",
    ),
]

for _k, _t in enumerate(TESTS):
    REPRODUCTIONS.register(
        Reproduction(
            name=f"lofted/{_t.key}",
            chapter="lofted",
            title=_t.title,
            source=_t.source,
            published_inputs=(
                f"apogee {_t.apogee_km:,.1f} km, ground range {_t.range_km:,.1f} km, flight time "
                f"{_t.flight_time_min:.1f} min; `domesim calc loft --apogee-km {_t.apogee_km:g} "
                f"--range-km {_t.range_km:g} --flight-time-min {_t.flight_time_min:.1f}`"
            ),
            published=_t.published_km,
            published_text=_t.published_text,
            unit="km",
            compute=functools.partial(_convert, _t),
            tolerance=0.0,
            in_band=True,
            explanation=_t.explanation,
            order=_k,
        )
    )
