"""Lifecycle cost of architecture elements over a horizon, in constant dollars of one year.

Per element (one class of interceptor, satellite or radar), over ``T`` years (default 20, as CBO's
estimates [S44, S45]):

- **development**: one-off, in the first year of the horizon;
- **procurement** with a learning curve, *unit theory* (Crawford; S71): the k-th unit ever made costs
  ``C_k = T1 k^b`` with ``b = log2(LR)``, so each doubling of the cumulative quantity multiplies the
  unit cost by the learning rate ``LR`` (``LR = 1``: every unit costs ``T1``). A lot of units
  ``k = a .. a+n-1`` costs ``T1 sum k^b``, evaluated in closed form (:func:`power_sum`). Units bought in
  the horizon continue the curve after ``prior_units`` already made;
- **fixed** one-off acquisition beside the units (a battery's radar and launchers, a ground segment);
- **launch**: ``mass x price per kg`` per unit, or ``launches x price per launch``
  (:func:`launch_price_change_usd`: a change of the price per kg moves the bill by units launched x mass x
  the change, CBO's 2025 method [S44]); the units a launch carries follow from its payload and the unit's
  mass (:func:`units_per_launch_for`);
- **replenishment**: units retire at the end of their service life and are bought and launched again;
  with no rate limits and ``T/L`` whole this reproduces design.md's formula
  ``N (T/L) (C + m c_launch)`` (:func:`replenishment_acquisition_usd`);
- **operations and support**: per unit in service per year, plus a fixed amount per year once the
  element is in service.

The unit cost is a published figure (CBO's $22 M per SBI [S45]) or comes from a cost-estimating
relationship, ``mass x dollars per kg of spacecraft`` (:func:`spacecraft_unit_cost_usd`).

A part that has no public figure is *not costed*: the element says which (``not_costed``), its
``to_dict`` gives ``None`` for that part (never 0.0), and its total, the sum of the parts that are
costed, is a lower bound.

Units bought, launched and in service come from the fielding schedule (:mod:`domesim.cost.schedule`).
Everything here is in dollars of one year: convert catalogue figures first (:mod:`domesim.cost.deflator`).
A share of each element can be borne by Canada (NORAD cost sharing, a parameter): :meth:`ElementCost.shares`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from domesim.cost.schedule import FieldingPlan, FieldingSchedule, field_units
from domesim.errors import ParameterError

_HEAD_TERMS = 16  # terms of a power sum added one by one before the Euler-Maclaurin tail


def learning_exponent(learning_rate: float, key: str = "learning_rate") -> float:
    """Unit-theory exponent ``b = log2(LR)`` for a learning rate ``LR`` in (0, 1].

    >>> learning_exponent(0.5)
    -1.0
    """
    if not (0.0 < learning_rate <= 1.0):
        raise ParameterError(f"{key} must be in (0, 1] (got {learning_rate!r}); 1 means no learning")
    return math.log2(learning_rate)


def unit_cost_usd(first_unit_usd: float, k: np.ndarray | int, learning_rate: float) -> np.ndarray:
    """Cost of the k-th unit ever made, ``T1 k^b`` (unit theory), for ``k >= 1`` (array or scalar).

    >>> float(unit_cost_usd(100.0, 4, 0.9))
    81.0
    """
    k_arr = np.asarray(k, dtype=np.float64)
    if np.any(k_arr < 1):
        raise ParameterError(f"unit numbers start at 1 (got {k!r})")
    return first_unit_usd * k_arr ** learning_exponent(learning_rate)


def power_sum(first_k: int, n: int, b: float) -> float:
    """``sum_{k=first_k}^{first_k+n-1} k^b`` for ``first_k >= 1``, ``b <= 0``, in closed form.

    The first terms are added one by one; the rest is the Euler-Maclaurin formula
    ``int_a^c x^b dx + (f(a) + f(c))/2 + sum_j B_2j/(2j)! (f^(2j-1)(c) - f^(2j-1)(a))`` to the 5th
    derivative, whose remainder is below 1e-12 of the sum once ``a > 16``. Cost: O(1) in ``n``.

    >>> power_sum(1, 4, 0.0)
    4.0
    >>> abs(power_sum(1, 1000, -0.5) / sum(k ** -0.5 for k in range(1, 1001)) - 1.0) < 1e-12
    True
    """
    if n <= 0:
        return 0.0
    if first_k < 1:
        raise ParameterError(f"unit numbers start at 1 (got first unit {first_k})")
    last = first_k + n - 1
    head_end = min(last, first_k + _HEAD_TERMS - 1)
    head = float(np.sum(np.arange(first_k, head_end + 1, dtype=np.float64) ** b))
    if head_end == last:
        return head
    a, c = float(head_end + 1), float(last)
    if abs(b + 1.0) < 1e-15:
        integral = math.log(c / a)
    else:
        integral = (c ** (b + 1.0) - a ** (b + 1.0)) / (b + 1.0)

    def derivative(order: int, x: float) -> float:
        coefficient = 1.0
        for j in range(order):
            coefficient *= b - j
        return coefficient * x ** (b - order)

    tail = integral + 0.5 * (a**b + c**b)
    tail += (derivative(1, c) - derivative(1, a)) / 12.0
    tail -= (derivative(3, c) - derivative(3, a)) / 720.0
    tail += (derivative(5, c) - derivative(5, a)) / 30240.0
    return head + tail


def lot_cost_usd(first_unit_usd: float, first_k: int, n: int, learning_rate: float) -> float:
    """Cost of units ``first_k .. first_k + n - 1`` on a unit-theory curve: ``T1 sum k^b``.

    >>> lot_cost_usd(10.0, 1, 3, 1.0)
    30.0
    """
    return first_unit_usd * power_sum(first_k, n, learning_exponent(learning_rate))


def replenishment_acquisition_usd(
    n_orbit: int,
    horizon_years: float,
    service_life_years: float,
    unit_cost_usd: float,
    mass_kg: float,
    launch_usd_per_kg: float,
) -> float:
    """design.md section 4: ``N_orbit (T / L) (C_sat + m c_launch)``, the steady-state acquisition of a
    constellation kept at ``N_orbit`` for ``T`` years with units of life ``L`` (development excluded).

    >>> replenishment_acquisition_usd(7800, 20, 5, 22e6, 1000.0, 500.0) / 1e9
    702.0
    """
    if not service_life_years > 0:
        raise ParameterError(f"service_life_years must be > 0 (got {service_life_years!r})")
    return n_orbit * (horizon_years / service_life_years) * (unit_cost_usd + mass_kg * launch_usd_per_kg)


KG_PER_LB = 0.45359237  # exact (international pound)


def usd_per_lb_to_usd_per_kg(usd_per_lb: float) -> float:
    """A price per pound as a price per kilogram (1 lb = 0.45359237 kg).

    >>> round(usd_per_lb_to_usd_per_kg(1200.0), 1)
    2645.5
    """
    return float(usd_per_lb) / KG_PER_LB


def spacecraft_unit_cost_usd(mass_kg: float, usd_per_kg: float, key: str = "spacecraft_usd_per_kg") -> float:
    """Cost-estimating relationship: a unit costs its mass times a price per kg of spacecraft.

    >>> spacecraft_unit_cost_usd(1250.0, 17600.0) / 1e6
    22.0
    """
    for name, value in (("mass_kg", mass_kg), (key, usd_per_kg)):
        if not math.isfinite(value) or value < 0:
            raise ParameterError(f"{name} must be a finite number >= 0 (got {value!r})")
    return float(mass_kg) * float(usd_per_kg)


def units_per_launch_for(mass_kg: float, payload_kg: float, key: str = "launch_payload_kg") -> int:
    """Units one launch carries: ``floor(payload / mass)``, at least one unit must fit.

    >>> units_per_launch_for(1250.0, 100_000.0)
    80
    """
    if not (payload_kg > 0) or not math.isfinite(payload_kg):
        raise ParameterError(f"{key} must be a finite number > 0 (got {payload_kg!r})")
    if not (mass_kg > 0) or not math.isfinite(mass_kg):
        raise ParameterError(f"mass_kg must be > 0 to fit units into a launch (got {mass_kg!r})")
    if mass_kg > payload_kg:
        raise ParameterError(
            f"a unit of {mass_kg:,.0f} kg does not fit a launch of {payload_kg:,.0f} kg ({key}): "
            "give a larger payload per launch or a smaller mass"
        )
    return int(math.floor(payload_kg / mass_kg + 1e-9))


def launch_price_change_usd(
    units_launched: int, mass_kg: float, before_usd_per_kg: float, after_usd_per_kg: float
) -> float:
    """CBO's 2025 method [S44]: a change of the launch price alone moves a constellation's cost by the
    mass it launches times the change, ``units x mass x (before - after)`` (positive: a saving).

    >>> launch_price_change_usd(31_200, 1000.0, 2645.5, 500.0) / 1e9
    66.9396
    """
    return float(units_launched) * float(mass_kg) * (float(before_usd_per_kg) - float(after_usd_per_kg))


PARTS = ("development_usd", "acquisition_usd", "launch_usd", "ops_usd")

_MONEY = (
    "unit_cost_usd",
    "development_usd",
    "fixed_usd",
    "launch_usd_per_kg",
    "launch_price_usd",
    "ops_usd_per_unit_year",
    "ops_usd_per_year",
)


@dataclass(frozen=True)
class ElementSpec:
    """One element class of an architecture, every amount in US dollars of the same year.

    Parameters
    ----------
    name, layer : element id and the layer it belongs to (boost, midcourse, ..., space_sensors).
    units : units to keep in service.
    unit_cost_usd : cost of the first unit bought in the horizon on the learning curve, ``T1`` (with
        ``learning_rate = 1``: the cost of every unit, e.g. a published average).
    start_year : calendar year fielding starts.
    learning_rate : cost multiplier per doubling of the cumulative quantity, (0, 1].
    prior_units : units made before the horizon; the horizon's buys are units ``prior+1 ...``.
    development_usd : one-off development, first year of the horizon.
    fixed_usd : one-off acquisition beside the units (battery equipment, ground segment).
    service_life_years : life of a unit (> 0; ``inf``: never replaced).
    mass_kg, launch_usd_per_kg : launch priced by mass (per unit).
    launch_price_usd, units_per_launch : launch priced per launch.
    launches_per_year, production_per_year : fielding rates (``inf``: no limit).
    ops_usd_per_unit_year : operations and support per unit in service per year.
    ops_usd_per_year : fixed operations and support per year while any unit is in service.
    existing_units : units in service when the horizon opens, already paid (sunk).
    canada_fraction : share of the element's cost borne by Canada, [0, 1].
    not_costed : parts (of :data:`PARTS`) with no public figure: priced at nothing, reported as not
        costed (``None``), never as a cost of 0.
    """

    name: str
    layer: str
    units: int
    unit_cost_usd: float
    start_year: int
    learning_rate: float = 1.0
    prior_units: int = 0
    development_usd: float = 0.0
    fixed_usd: float = 0.0
    service_life_years: float = math.inf
    mass_kg: float = 0.0
    launch_usd_per_kg: float = 0.0
    launch_price_usd: float = 0.0
    units_per_launch: int = 1
    launches_per_year: float = math.inf
    production_per_year: float = math.inf
    ops_usd_per_unit_year: float = 0.0
    ops_usd_per_year: float = 0.0
    existing_units: int = 0
    canada_fraction: float = 0.0
    not_costed: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n = self.name
        unknown_parts = sorted(set(self.not_costed) - set(PARTS))
        if unknown_parts:
            raise ParameterError(f"{n}.not_costed: unknown parts {unknown_parts}; parts are {list(PARTS)}")
        for key in _MONEY + ("mass_kg",):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ParameterError(f"{n}.{key} must be a finite number (got {value!r})")
            if value < 0:
                raise ParameterError(
                    f"{n}.{key} must be >= 0 (got {value!r}): costs and masses are not negative"
                )
        for key in ("units", "prior_units", "existing_units"):
            value = getattr(self, key)
            if isinstance(value, bool) or not float(value).is_integer() or value < 0:
                raise ParameterError(f"{n}.{key} must be a whole number >= 0 (got {value!r})")
        learning_exponent(self.learning_rate, f"{n}.learning_rate")
        if not 0.0 <= self.canada_fraction <= 1.0:
            raise ParameterError(
                f"{n}.canada_fraction must be between 0 and 1 (got {self.canada_fraction!r})"
            )
        if self.launch_price_usd > 0 and self.mass_kg * self.launch_usd_per_kg > 0:
            raise ParameterError(
                f"{n}: give launch by mass (mass_kg x launch_usd_per_kg) or by launch (launch_price_usd), "
                "not both"
            )
        self.plan()  # checks the schedule parameters (service life, rates, units per launch)

    @property
    def launched(self) -> bool:
        """Whether the units go to orbit (a launch cost or a launch cadence is given)."""
        return (
            self.mass_kg * self.launch_usd_per_kg > 0
            or self.launch_price_usd > 0
            or not math.isinf(self.launches_per_year)
        )

    def plan(self) -> FieldingPlan:
        return FieldingPlan(
            int(self.units),
            int(self.start_year),
            self.service_life_years,
            self.production_per_year,
            self.launches_per_year,
            int(self.units_per_launch),
            int(self.existing_units),
            self.name,
            self.launched,
        )


@dataclass(frozen=True)
class ElementCost:
    """The priced lifecycle of one element; amounts in US dollars of the breakdown's dollar year."""

    spec: ElementSpec
    schedule: FieldingSchedule
    development_usd: float
    procurement_usd: float
    fixed_usd: float
    launch_usd: float
    ops_usd: float
    by_year_usd: np.ndarray = field(repr=False)  # (Y,) all costs by calendar year of the horizon

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def layer(self) -> str:
        return self.spec.layer

    @property
    def units_bought(self) -> int:
        return self.schedule.units_bought

    @property
    def acquisition_usd(self) -> float:
        """Units bought (learning curve) plus one-off equipment; development and launch apart."""
        return self.procurement_usd + self.fixed_usd

    @property
    def total_usd(self) -> float:
        """The costed parts (a lower bound when :attr:`not_costed` is not empty)."""
        return self.development_usd + self.acquisition_usd + self.launch_usd + self.ops_usd

    @property
    def not_costed(self) -> tuple[str, ...]:
        """Parts with no public figure (not in the total)."""
        return tuple(p for p in PARTS if p in self.spec.not_costed)

    def part_usd(self, part: str) -> float | None:
        """A part's amount, None when it is not costed."""
        return None if part in self.spec.not_costed else float(getattr(self, part))

    def shares(self) -> dict[str, float]:
        """Cost borne by each country: ``{"US": ..., "CA": ...}``."""
        ca = self.total_usd * self.spec.canada_fraction
        return {"US": self.total_usd - ca, "CA": ca}

    def to_dict(self) -> dict:
        return {
            "element": self.name,
            "layer": self.layer,
            "units": int(self.spec.units),
            "units_bought": self.units_bought,
            "development_usd": self.part_usd("development_usd"),
            "acquisition_usd": self.part_usd("acquisition_usd"),
            "procurement_usd": None if "acquisition_usd" in self.not_costed else self.procurement_usd,
            "fixed_usd": None if "acquisition_usd" in self.not_costed else self.fixed_usd,
            "launch_usd": self.part_usd("launch_usd"),
            "ops_usd": self.part_usd("ops_usd"),
            "total_usd": self.total_usd,
            "not_costed_parts": list(self.not_costed),
            "canada_fraction": self.spec.canada_fraction,
            "shares_usd": self.shares(),
            "year_reached": self.schedule.year_reached(),
            "schedule": self.schedule.to_dict(),
        }


def lifecycle_cost(spec: ElementSpec, first_year: int, horizon_years: int) -> ElementCost:
    """Price one element over the calendar years ``first_year .. first_year + horizon_years - 1``.

    >>> sbi = ElementSpec("sbi", "boost", 7800, 22e6, 2026, service_life_years=5, mass_kg=1000.0,
    ...                   launch_usd_per_kg=500.0)
    >>> c = lifecycle_cost(sbi, 2026, 20)
    >>> c.units_bought, round((c.acquisition_usd + c.launch_usd) / 1e9, 1)
    (31200, 702.0)
    """
    schedule = field_units(spec.plan(), first_year, horizon_years)
    years = schedule.years.size
    b = learning_exponent(spec.learning_rate, f"{spec.name}.learning_rate")
    procurement = np.zeros(years)
    made = int(spec.prior_units)
    for i, n in enumerate(schedule.fielded):
        if n:
            procurement[i] = spec.unit_cost_usd * power_sum(made + 1, int(n), b)
            made += int(n)
    launch = (
        schedule.fielded * (spec.mass_kg * spec.launch_usd_per_kg) + schedule.launches * spec.launch_price_usd
    )
    ops = schedule.in_service * spec.ops_usd_per_unit_year + np.where(
        schedule.in_service > 0, spec.ops_usd_per_year, 0.0
    )
    by_year = procurement + launch + ops
    by_year[0] += spec.development_usd
    first_fielding = np.flatnonzero(schedule.fielded > 0)
    by_year[first_fielding[0] if first_fielding.size else 0] += spec.fixed_usd
    return ElementCost(
        spec,
        schedule,
        float(spec.development_usd),
        float(procurement.sum()),
        float(spec.fixed_usd),
        float(launch.sum()),
        float(ops.sum()),
        by_year,
    )


_PARTS = ("development_usd", "acquisition_usd", "launch_usd", "ops_usd", "total_usd")


@dataclass(frozen=True)
class CostBreakdown:
    """Elements priced over one horizon in dollars of one year, with roll-ups by layer and country."""

    dollar_year: int
    first_year: int
    horizon_years: int
    elements: tuple[ElementCost, ...]

    @property
    def total_usd(self) -> float:
        return float(sum(e.total_usd for e in self.elements))

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.first_year, self.first_year + self.horizon_years)

    def by_year_usd(self) -> np.ndarray:
        """(Y,) total cost by calendar year of the horizon."""
        out = np.zeros(self.horizon_years)
        for e in self.elements:
            out += e.by_year_usd
        return out

    def by_layer(self) -> dict[str, dict[str, Any]]:
        """``{layer: {development_usd, acquisition_usd, launch_usd, ops_usd, total_usd, not_costed}}``.

        A part is the sum over the layer's elements that cost it; ``None`` when none of them does;
        ``not_costed`` lists the parts that at least one element of the layer does not cost (the layer's
        figure for such a part, and its total, are lower bounds).
        """
        out: dict[str, dict[str, Any]] = {}
        for e in self.elements:
            row = out.setdefault(e.layer, {**dict.fromkeys(_PARTS, None), "not_costed": []})
            for part in _PARTS:
                amount = e.total_usd if part == "total_usd" else e.part_usd(part)
                if amount is not None:
                    row[part] = (row[part] or 0.0) + amount
            row["not_costed"] = sorted(set(row["not_costed"]) | set(e.not_costed))
        for row in out.values():
            row["total_usd"] = row["total_usd"] or 0.0
        return out

    def by_country(self) -> dict[str, float]:
        out = {"US": 0.0, "CA": 0.0}
        for e in self.elements:
            for country, amount in e.shares().items():
                out[country] += amount
        return out

    def to_dict(self) -> dict:
        return {
            "dollar_year": self.dollar_year,
            "first_year": self.first_year,
            "horizon_years": self.horizon_years,
            "total_usd": self.total_usd,
            "elements": [e.to_dict() for e in self.elements],
            "by_layer": self.by_layer(),
            "by_country": self.by_country(),
            "by_year_usd": [float(v) for v in self.by_year_usd()],
        }


def roll_up(
    elements: list[ElementSpec], dollar_year: int, first_year: int, horizon_years: int
) -> CostBreakdown:
    """Price every element over the same horizon and gather them in a :class:`CostBreakdown`."""
    names = [e.name for e in elements]
    if len(set(names)) != len(names):
        raise ParameterError(f"element names must be unique (got {names})")
    return CostBreakdown(
        int(dollar_year),
        int(first_year),
        int(horizon_years),
        tuple(lifecycle_cost(e, first_year, horizon_years) for e in elements),
    )
