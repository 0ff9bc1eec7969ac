"""Fielding schedule: units in service year by year under production and launch rates.

How fast an architecture can be fielded is a question of rates, not of money: a constellation of 7,800
satellites launched 100 at a time needs 78 launches, and units with a 5-year life must be replaced as
fast as they were fielded just to stay level. The model, one step per calendar year:

1. at the start of year ``y`` the units fielded in year ``y - L`` retire (life ``L`` in whole years;
   units in service when the schedule opens are taken as new that year);
2. during year ``y`` (from the start year on) the shortfall ``target - in_service`` is fielded, up to the
   year's capacity ``min(production, launches x units_per_launch)``; fielded units are bought that year;
3. ``in_service[y]`` is counted at the end of year ``y``.

Fractional rates (1.5 launches a year) are honoured on average: the capacity of the k-th year is
``floor((k+1) r) - floor(k r)``. Capacity not used in a year is lost (launch slots are not stored). The
largest fleet a life ``L`` can sustain is ``capacity x L`` (every year's output replaces the cohort that
retires): a target above it is never reached.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from domesim.errors import ParameterError


@dataclass(frozen=True)
class FieldingPlan:
    """How many units to keep in service, from when, and how fast they can be made and launched.

    Parameters
    ----------
    target_units : units to keep in service (on orbit, in inventory).
    start_year : calendar year fielding starts.
    service_life_years : life of one unit, years (> 0; ``inf``: never retires). Rounded to whole years
        (at least 1) because the schedule steps by year.
    production_per_year : units that can be made per year (``inf``: no limit).
    launches_per_year : launches available per year (``inf``: no limit, or not a space element).
    units_per_launch : units carried by one launch (>= 1).
    existing_units : units already in service when the schedule opens (counted, not bought).
    name : element name, for messages.
    launched : whether units go to orbit (launches are counted even without a cadence limit).
    """

    target_units: int
    start_year: int
    service_life_years: float = math.inf
    production_per_year: float = math.inf
    launches_per_year: float = math.inf
    units_per_launch: int = 1
    existing_units: int = 0
    name: str = "element"
    launched: bool = False

    def __post_init__(self) -> None:
        n = self.name
        for key in ("target_units", "existing_units"):
            value = getattr(self, key)
            if isinstance(value, bool) or not float(value).is_integer() or value < 0:
                raise ParameterError(f"{n}.{key} must be a whole number >= 0 (got {value!r})")
        if not float(self.start_year).is_integer():
            raise ParameterError(f"{n}.start_year must be a calendar year (got {self.start_year!r})")
        life = self.service_life_years
        if not (life > 0) or math.isnan(life):
            raise ParameterError(f"{n}.service_life_years must be > 0 (got {life!r})")
        for key in ("production_per_year", "launches_per_year"):
            value = getattr(self, key)
            if not (value > 0) or math.isnan(value):
                raise ParameterError(f"{n}.{key} must be > 0 (got {value!r}); use inf for no limit")
        if not float(self.units_per_launch).is_integer() or self.units_per_launch < 1:
            raise ParameterError(
                f"{n}.units_per_launch must be a whole number >= 1 (got {self.units_per_launch!r})"
            )

    @property
    def life_years(self) -> int | None:
        """Whole-year life used by the schedule (None: units never retire)."""
        if math.isinf(self.service_life_years):
            return None
        return max(1, int(math.floor(self.service_life_years + 0.5)))

    @property
    def capacity_per_year(self) -> float:
        """Units that can be fielded per year: the smaller of production and launch capacity."""
        return min(self.production_per_year, self.launches_per_year * self.units_per_launch)

    @property
    def sustainable_units(self) -> float:
        """Largest fleet the rates sustain against retirements: ``capacity x life`` (inf without either)."""
        life = self.life_years
        return math.inf if life is None else self.capacity_per_year * life


@dataclass(frozen=True)
class FieldingSchedule:
    """Units fielded, retired and in service, one row per calendar year (arrays of shape (Y,))."""

    years: np.ndarray
    fielded: np.ndarray  # units bought and fielded during the year (replacements included)
    retired: np.ndarray  # units reaching the end of their life at the start of the year
    in_service: np.ndarray  # units in service at the end of the year
    launches: np.ndarray  # launches needed for the year's fielding (0 for surface elements)
    target_units: int
    existing_units: int = 0
    space: bool = field(default=False)

    @property
    def units_bought(self) -> int:
        return int(self.fielded.sum())

    def year_reached(self, target_units: int | None = None) -> int | None:
        """First year whose end-of-year count reaches ``target_units`` (default the plan's), or None."""
        target = self.target_units if target_units is None else target_units
        hit = np.flatnonzero(self.in_service >= target)
        return int(self.years[hit[0]]) if hit.size else None

    def to_dict(self) -> dict[str, list[int]]:
        return {
            "years": [int(y) for y in self.years],
            "fielded": [int(v) for v in self.fielded],
            "retired": [int(v) for v in self.retired],
            "in_service": [int(v) for v in self.in_service],
            "launches": [int(v) for v in self.launches],
        }


def _capacity(rate: float, k: int) -> int:
    """Whole units available in the k-th year (k = 0 first) at a possibly fractional yearly ``rate``."""
    if math.isinf(rate):
        return np.iinfo(np.int64).max
    return int(math.floor((k + 1) * rate + 1e-9) - math.floor(k * rate + 1e-9))


def field_units(plan: FieldingPlan, first_year: int, years: int) -> FieldingSchedule:
    """Fielding schedule of ``plan`` for the calendar years ``first_year .. first_year + years - 1``.

    >>> s = field_units(FieldingPlan(6, 2026, service_life_years=2, production_per_year=4), 2026, 4)
    >>> s.in_service.tolist(), s.fielded.tolist(), s.retired.tolist()
    ([4, 6, 6, 6], [4, 2, 4, 2], [0, 0, 4, 2])
    """
    if isinstance(years, bool) or not float(years).is_integer() or years < 1:
        raise ParameterError(f"{plan.name}.horizon_years must be a whole number >= 1 (got {years!r})")
    if not float(first_year).is_integer():
        raise ParameterError(f"{plan.name}.first_year must be a calendar year (got {first_year!r})")
    years = int(years)
    life = plan.life_years
    fielded = np.zeros(years, dtype=np.int64)
    retired = np.zeros(years, dtype=np.int64)
    in_service = np.zeros(years, dtype=np.int64)
    launches = np.zeros(years, dtype=np.int64)
    count = int(plan.existing_units)
    space = plan.launched or not math.isinf(plan.launches_per_year)
    for i in range(years):
        year = first_year + i
        if life is not None and i >= life:
            retired[i] = fielded[i - life] + (plan.existing_units if i == life else 0)
        count -= int(retired[i])
        if year >= plan.start_year:
            k = year - plan.start_year
            capacity = min(_capacity(plan.production_per_year, k), _launch_capacity(plan, k))
            add = max(0, min(plan.target_units - count, capacity))
            fielded[i] = add
            count += add
            if space and add:
                launches[i] = -(-add // plan.units_per_launch)
        in_service[i] = count
    return FieldingSchedule(
        np.arange(first_year, first_year + years),
        fielded,
        retired,
        in_service,
        launches,
        int(plan.target_units),
        int(plan.existing_units),
        space,
    )


def _launch_capacity(plan: FieldingPlan, k: int) -> int:
    if math.isinf(plan.launches_per_year):
        return np.iinfo(np.int64).max
    return _capacity(plan.launches_per_year, k) * int(plan.units_per_launch)


def reach_year(plan: FieldingPlan, target_units: int | None = None) -> int | None:
    """First calendar year whose end-of-year count reaches ``target_units`` (default the plan's target).

    None when the rates can never reach it: the target is above the sustainable fleet
    ``capacity x life``, or above the plan's own target (the schedule never fields more).

    >>> reach_year(FieldingPlan(7800, 2026, 5, launches_per_year=20, units_per_launch=100))
    2029
    """
    target = plan.target_units if target_units is None else int(target_units)
    if target > plan.target_units or target > plan.sustainable_units:
        return None
    if target <= plan.existing_units:
        return int(plan.start_year)
    # enough years to field the whole target once, plus one life of replacements
    span = min(int(math.ceil(target / plan.capacity_per_year)) + (plan.life_years or 0) + 2, 100_000)
    schedule = field_units(plan, plan.start_year, span)
    return schedule.year_reached(target)


def is_reachable(
    plan: FieldingPlan, target_year: int, target_units: int | None = None
) -> tuple[bool, int | None]:
    """Whether ``target_units`` are in service by the end of ``target_year``, and the year they are.

    Answers "operational in three years": ``is_reachable(plan, start + 2)`` counts the start year as the
    first of the three.

    >>> is_reachable(FieldingPlan(7800, 2026, 5, launches_per_year=20, units_per_launch=100), 2028)
    (False, 2029)
    """
    year = reach_year(plan, target_units)
    return (year is not None and year <= target_year), year
