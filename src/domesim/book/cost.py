"""Chapter "cost": CBO's 2025 launch-cost update and CBO's 2026 space-based-interceptor layer, reproduced
from the inputs CBO states through domesim's lifecycle model (:mod:`domesim.cost.lifecycle`).

Every domesim value here is computed by :func:`~domesim.cost.lifecycle.lifecycle_cost`: units bought over
20 years from the service life (replacement), launch as units launched x mass x price per kg, procurement
as units x unit cost, operations per unit-year. The launch prices are the catalogue's named ones
(``costs.toml`` ``[launch_price.<id>]``). Where CBO's input is not retrievable (the SBI masses of both
studies, the service lives of the earlier designs, development), the case says which public stand-in it
uses; a case that takes one of CBO's published answers as an input is marked ``validates=False``.
"""

from __future__ import annotations

import functools

from domesim.book import CHAPTERS, REPRODUCTIONS, Chapter, Computed, Reproduction
from domesim.cost.lifecycle import ElementSpec, lifecycle_cost
from domesim.scenario.costing import deflator_table, launch_prices

HORIZON_YEARS = 20  # both CBO estimates cover 20 years [S44, S45]

# CBO 2025 letter (S44; launch prices as summarised in S75): 20-year cost of each alternative, 2025 dollars
CBO25 = {1300: (264e9, 161e9), 2000: (831e9, 542e9)}  # SBIs: (earlier estimate, after lower launch costs)

# Stand-ins for inputs CBO does not state in retrievable text
APS_2003_SBI_KG = 1250.0  # APS 2003: 2,000 t on orbit for 1,600 SBIs (D from V2, S49, S75)
SBI_LIFE_YEARS = 5.0  # CBO 2026's SBI service life (V2, S45), for the earlier designs too

# CBO 2026 (S45, osintsights summary): the SBI layer, 2026 dollars
CBO26_SBIS = 7800
CBO26_UNIT_USD = 22e6
CBO26_LIFE_YEARS = 5.0
CBO26_OPS_USD_PER_YEAR = 1e9
CBO26_ACQUISITION_USD = 723e9
CBO26_LAYER_USD = 743e9


def _price(price_id: str, dollar_year: int) -> float:
    """A named launch price of the catalogue, dollars per kg of ``dollar_year``."""
    usd_per_kg, year, _ = launch_prices()[price_id]
    return usd_per_kg * deflator_table().factor(year, dollar_year)


def _launch_bill_usd(n: int, mass_kg: float, usd_per_kg: float, life_years: float = SBI_LIFE_YEARS) -> float:
    """Launch cost of keeping ``n`` SBIs on orbit for 20 years, from the lifecycle model."""
    spec = ElementSpec(
        name="sbi",
        layer="boost",
        units=n,
        unit_cost_usd=0.0,
        start_year=2025,
        service_life_years=life_years,
        mass_kg=mass_kg,
        launch_usd_per_kg=usd_per_kg,
    )
    return lifecycle_cost(spec, 2025, HORIZON_YEARS).launch_usd


@functools.cache
def _cbo25(n: int) -> dict[str, float]:
    """The launch saving of alternative ``n`` at APS 2003's mass, and the mass that would give CBO's."""
    earlier, current = _price("cbo_2025_earlier", 2025), _price("cbo_2025_current", 2025)
    before_bill = _launch_bill_usd(n, APS_2003_SBI_KG, earlier)
    after_bill = _launch_bill_usd(n, APS_2003_SBI_KG, current)
    saving = before_bill - after_bill
    before, after = CBO25[n]
    implied_kg = APS_2003_SBI_KG * (before - after) / saving  # the launch bill is linear in the mass
    return {
        "before_bill": before_bill,
        "after_bill": after_bill,
        "saving": saving,
        "implied_kg": implied_kg,
        "earlier": earlier,
        "current": current,
    }


def _detail25(n: int) -> str:
    c = _cbo25(n)
    return (
        f"launch bill of {n:,} SBIs of {APS_2003_SBI_KG:,.0f} kg kept 20 years with a 5-year life "
        f"({4 * n:,} launched): ${c['before_bill'] / 1e9:,.1f} B at ${c['earlier']:,.0f}/kg, "
        f"${c['after_bill'] / 1e9:,.1f} B at ${c['current']:,.0f}/kg, "
        f"a saving of ${c['saving'] / 1e9:,.1f} B; "
        f"CBO's figures imply {c['implied_kg']:,.0f} kg per SBI"
    )


def _after(n: int) -> Computed:
    before, _ = CBO25[n]
    return Computed((before - _cbo25(n)["saving"]) / 1e9, _detail25(n))


def _before(n: int) -> Computed:
    _, after = CBO25[n]
    return Computed((after + _cbo25(n)["saving"]) / 1e9, _detail25(n))


def _move(n: int) -> Computed:
    before, _ = CBO25[n]
    return Computed(100.0 * _cbo25(n)["saving"] / before, _detail25(n))


@functools.cache
def _cbo26() -> tuple[float, float, float]:
    """CBO 2026's SBI layer from its stated inputs, APS 2003's mass for the unstated one: (acquisition,
    layer total, launch), dollars of 2026."""
    spec = ElementSpec(
        name="sbi",
        layer="boost",
        units=CBO26_SBIS,
        unit_cost_usd=CBO26_UNIT_USD,
        start_year=2026,
        service_life_years=CBO26_LIFE_YEARS,
        mass_kg=APS_2003_SBI_KG,
        launch_usd_per_kg=_price("cbo_2026", 2026),
        ops_usd_per_unit_year=CBO26_OPS_USD_PER_YEAR / CBO26_SBIS,
    )
    cost = lifecycle_cost(spec, 2026, HORIZON_YEARS)
    acquisition = cost.development_usd + cost.acquisition_usd + cost.launch_usd
    return acquisition, cost.total_usd, cost.launch_usd


def _detail26() -> str:
    acquisition, total, launch = _cbo26()
    bought = CBO26_SBIS * HORIZON_YEARS / CBO26_LIFE_YEARS
    return (
        f"{bought:,.0f} SBIs bought in 20 years (7,800 x 20 / 5) x $22 M "
        f"= ${bought * CBO26_UNIT_USD / 1e9:,.1f} B; "
        f"launch {bought:,.0f} x {APS_2003_SBI_KG:,.0f} kg x $500/kg = ${launch / 1e9:,.1f} B; "
        f"O&S $1 B a year = $20.0 B; development not stated, taken as 0"
    )


CHAPTERS.register(
    Chapter(
        name="cost",
        title="Cost: CBO 2025 and 2026",
        order=50,
        intro="""
Two public estimates of space-based interceptor (SBI) constellations, reproduced through domesim's lifecycle
model (`src/domesim/cost/lifecycle.py`): units bought over 20 years follow from the service life
(replacement), launch is units launched x mass x price per kg, procurement units x unit cost, operations
and support a cost per unit-year. The launch prices are the catalogue's named ones (`costs.toml`,
`[launch_price.<id>]`; `domesim cost --launch-price <id>`).

**CBO's letter of 5 May 2025** [S44] re-prices the 20-year costs of two SBI constellations of earlier
studies (CBO 2004, NRC 2012) with today's launch prices and nothing else: 1,300 SBIs from $264 B to $161 B,
2,000 SBIs from $831 B to $542 B (2025 dollars), "30 percent to 40 percent" less. Its method is
new = old - (mass launched in 20 years) x (old price - new price). Retrievable inputs: the earlier totals,
the sizes, and the launch prices as a summary of the letter gives them, $9,800-$10,600 per pound in the
earlier studies and about $1,200 per pound today [S75] (the letter's own text is cut after "$9,800" [S44];
the per-pound reading agrees with the ~$22,000/kg launch cost of the early 2000s [S75]). Not retrievable:
the SBI masses and service lives of the two designs, hence the mass launched. domesim exposes them as
parameters and uses public stand-ins: APS 2003's average SBI, 1.25 t [S49, S75], for both designs, and
CBO 2026's 5-year life [S45]. Each case also gives the mass per SBI that would reproduce CBO exactly.

**CBO's report of 12 May 2026** [S45] prices a notional national missile defence at about $1.2 trillion
($1.191 T) over 20 years in 2026 dollars, in four interceptor layers plus sensors and battle management.
Only the SBI layer's inputs are retrievable: 7,800 SBIs, $22 M per SBI, a 5-year life, $500/kg launch,
about $1 B a year to operate; acquisition $723 B, layer $743 B. The SBI mass and the development cost are
not stated in retrievable text: APS 2003's mass stands in, development is taken as zero (so domesim's
acquisition is a lower bound of CBO's). The inputs of the other layers (the upper and lower wide-area
layers, the regional sector layer, the sensors, communications and battle management: about $450 B
together) are not retrievable, so no case reproduces them; domesim's `golden-dome` example prices its own
notional elements from public unit costs and is not a reproduction of CBO's total. Keeping 7,800 SBIs of a
5-year life needs 1,560 built and launched a year; the catalogue's default production rate, 1,440 a year
(the largest satellite line reported in 2020 [S79]), cannot sustain it.
""",
    )
)

_SOURCE25 = (
    'CBO, "Effects of Lower Launch Costs on Previous Estimates for Space-Based, Boost-Phase Missile '
    'Defense", letter, 5 May 2025 [S44]; launch prices as summarised in [S75]'
)
_INPUTS25 = (
    "{n:,} SBIs, 20 years, 2025 dollars; earlier 20-year estimate ${before:,.0f} B; launch price "
    "$9,800-$10,600 per pound in the earlier studies, about $1,200 per pound now [S75]; only the launch "
    "price changes. Not stated in retrievable text: SBI mass and life (stand-ins: APS 2003's 1.25 t [S49], "
    "CBO 2026's 5 years [S45])"
)
_WHY25 = {
    1300: (
        "The mass launched is not retrievable. With APS 2003's average SBI (1.25 t) and a 5-year life the "
        "model's saving is larger than CBO's; CBO's figure implies about 1.0 t per SBI on that life (or a "
        "longer life). The tolerance is what a launch mass known to about +-25 % supports for this "
        "alternative, whose launch bill is about half its earlier total."
    ),
    2000: (
        "The mass launched is not retrievable. With APS 2003's average SBI (1.25 t) and a 5-year life the "
        "model's saving is smaller than CBO's; CBO's figure implies about 1.8 t per SBI on that life, a "
        "heavier SBI than APS's average. The tolerance is the one of the 1,300-SBI case, the same stand-in."
    ),
}

_ORDER = {1300: 10, 2000: 20}
for _n in CBO25:
    _before_b, _after_b = (v / 1e9 for v in CBO25[_n])
    _published_move = 100.0 * (1.0 - _after_b / _before_b)
    REPRODUCTIONS.register(
        Reproduction(
            name=f"cost/cbo2025-{_n}-after",
            chapter="cost",
            title=f"CBO 2025: {_n:,} SBIs after lower launch costs",
            source=_SOURCE25,
            published_inputs=_INPUTS25.format(n=_n, before=_before_b),
            published=_after_b,
            published_text=f"${_after_b:,.0f} B (2025 $, 20 years)",
            unit="billion dollars",
            compute=functools.partial(_after, _n),
            tolerance=0.20,
            explanation=_WHY25[_n],
            order=_ORDER[_n],
        )
    )
    REPRODUCTIONS.register(
        Reproduction(
            name=f"cost/cbo2025-{_n}-before",
            chapter="cost",
            title=f"CBO 2025: {_n:,} SBIs before, from the after-figure and the launch saving",
            source=_SOURCE25,
            published_inputs=(
                f"{_n:,} SBIs, 20 years, 2025 dollars; CBO's after-figure ${_after_b:,.0f} B (its answer, "
                "used as an input); the launch prices and stand-ins of the after-case"
            ),
            published=_before_b,
            published_text=f"${_before_b:,.0f} B (2025 $, 20 years)",
            unit="billion dollars",
            compute=functools.partial(_before, _n),
            tolerance=0.20,
            explanation=(
                "The after-case run backwards: the earlier estimate as CBO's answer plus the model's launch "
                "saving. It takes CBO's answer as an input, so it checks the arithmetic of the saving, not "
                "the model; the difference is the after-case's, the other way."
            ),
            validates=False,
            order=_ORDER[_n] + 1,
        )
    )
    REPRODUCTIONS.register(
        Reproduction(
            name=f"cost/cbo2025-{_n}-move",
            chapter="cost",
            title=f"CBO 2025: {_n:,} SBIs, share of the cost the launch price moves",
            source=_SOURCE25,
            published_inputs=_INPUTS25.format(n=_n, before=_before_b),
            published=_published_move,
            published_text=(
                f"{_published_move:.1f} % (${_before_b:,.0f} B to ${_after_b:,.0f} B; "
                '"30 percent to 40 percent")'
            ),
            unit="%",
            compute=functools.partial(_move, _n),
            tolerance=12.0,
            relative=False,
            explanation=(
                "The saving over CBO's earlier total, in percentage points. CBO's two alternatives move "
                "39 % and 35 %; one stand-in mass for both designs spreads them wider (49 % and 24 %), "
                "because the two designs' masses differ (CBO's figures imply about 1.0 t and 1.8 t per "
                "SBI). A launch mass known to +-25 % moves the 1,300-SBI share by about 12 points: the "
                "tolerance."
            ),
            order=_ORDER[_n] + 2,
        )
    )

_SOURCE26 = (
    'CBO, "Potential Costs of a National Missile Defense System", 12 May 2026 [S45] (inputs as quoted by '
    "the osintsights and Payload summaries)"
)
_INPUTS26 = (
    "7,800 SBIs on orbit, average cost $22 M per SBI, 5-year service life, launch $500/kg, about $1 B a year "
    "to operate and maintain, 20 years, 2026 dollars. Not stated in retrievable text: SBI mass (stand-in "
    "APS 2003's 1.25 t [S49]), development (taken as 0)"
)
_WHY26 = (
    "Procurement (31,200 x $22 M = $686.4 B) and O&S are CBO's own inputs through the replacement model; "
    "the rest is launch mass and development, which CBO does not state in retrievable text. At APS's "
    "1.25 t the launch adds $19.5 B; a 45-kg SBI would add $0.7 B (-5 %), and the catalogue's development "
    "range ($5.8-21.3 B in 2026 dollars) would close the gap. The tolerance: CBO's $22 M is rounded to the "
    "million (+-2.3 %) and the mass and development are unknown."
)


def _acquisition() -> Computed:
    return Computed(_cbo26()[0] / 1e9, _detail26())


def _layer() -> Computed:
    return Computed(_cbo26()[1] / 1e9, _detail26())


REPRODUCTIONS.register(
    Reproduction(
        name="cost/cbo2026-sbi-acquisition",
        chapter="cost",
        title="CBO 2026: acquisition of the SBI layer",
        source=_SOURCE26,
        published_inputs=_INPUTS26,
        published=CBO26_ACQUISITION_USD / 1e9,
        published_text="$723 B (2026 $, 20 years)",
        unit="billion dollars",
        compute=_acquisition,
        tolerance=0.05,
        explanation=_WHY26,
        order=30,
    )
)
REPRODUCTIONS.register(
    Reproduction(
        name="cost/cbo2026-sbi-layer",
        chapter="cost",
        title="CBO 2026: the SBI layer (acquisition and 20 years of operation)",
        source=_SOURCE26,
        published_inputs=_INPUTS26,
        published=CBO26_LAYER_USD / 1e9,
        published_text="$743 B (2026 $, 20 years)",
        unit="billion dollars",
        compute=_layer,
        tolerance=0.05,
        explanation=_WHY26 + " O&S: $1 B a year for 20 years, CBO's figure, $20 B.",
        order=31,
    )
)
