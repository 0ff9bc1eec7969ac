"""Lifecycle cost of a scenario's architecture: scenario + catalogue -> priced elements (``domesim cost``).

The scenario says what is fielded (interceptor sites and their inventories, SBI and sensor
constellations, radars); the catalogue (``costs.toml``, and the interceptor classes' ``unit_cost_musd``)
says what each costs, in the dollars of the year of its source; the optional ``[cost]`` table of the
scenario overrides the horizon, the dollar year, Canada's share and any element parameter. This module
gathers the elements, converts every figure to one dollar year (:mod:`domesim.cost.deflator`) and prices
them with :mod:`domesim.cost.lifecycle`.

Cost-estimating relationships, not only published answers: the unit cost is a published figure or
``mass x dollars per kg of spacecraft`` (``unit_cost_basis = "mass"``); launch is ``mass x price per
kg`` (the price per kg named in ``[launch_price.<id>]``, or given); replacement follows from the service
life; units per launch from the launch's payload and the unit's mass; fielding from production rates
and launch cadence (catalogue defaults from public figures, so that units in service grow year by year).

Unknowns stay visible. A parameter tagged ``unknown`` with a public range (the SBI's mass, its
development cost) is costed at both ends: each element is priced at every corner of its unknowns and the
estimate reports ``total_low_usd``/``total_high_usd``; the central total uses the middle of each range and
says so. A parameter with neither value nor range makes the part it prices (development, acquisition,
launch, O&S) *not costed*: that part is reported as not costed (``None`` in the JSON, "not costed" in the
table), never as 0.0, and is left out of the totals, which the warnings and the table then call lower
bounds. A class with no cost entry at all is listed in ``not_costed_elements`` the same way.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from domesim.build.architecture import Holding, architecture
from domesim.build.catalogue import Catalogue, load_catalogue
from domesim.cost.deflator import DeflatorTable
from domesim.cost.lifecycle import (
    CostBreakdown,
    ElementCost,
    ElementSpec,
    lifecycle_cost,
    spacecraft_unit_cost_usd,
    units_per_launch_for,
)
from domesim.cost.schedule import is_reachable, reach_year
from domesim.errors import ParameterError, Problem, ScenarioError
from domesim.scenario.loader import (
    LoadedScenario,
    LoadedSpec,
    format_path,
    load_spec,
    scenario_problems,
)
from domesim.scenario.locate import locate_line

# catalogue keys of a cost entry (money: millions of dollars, or dollars per kg, of a stated year)
_MONEY_KEYS = (
    "unit_cost_musd",
    "development_musd",
    "battery_cost_musd",
    "ops_musd_per_unit_year",
    "ops_musd_per_year",
    "ops_musd_per_site_year",
    "launch_price_musd",
    "launch_usd_per_kg",
    "spacecraft_usd_per_kg",
)
_PLAIN_KEYS = (
    "service_life_years",
    "learning_rate",
    "prior_units",
    "mass_kg",
    "units_per_launch",
    "launch_payload_kg",
    "launches_per_year",
    "production_per_year",
    "existing_units",
    "start_year",
)
_SPACE_KINDS = ("sbi", "space_sensor")
_OPS_KEYS = ("ops_musd_per_unit_year", "ops_musd_per_year", "ops_musd_per_site_year")
UNIT_COST_BASES = ("unit_cost", "mass")

# the part of the estimate a missing parameter leaves not costed
_PART_OF = {
    "unit_cost_musd": "acquisition_usd",
    "battery_cost_musd": "acquisition_usd",
    "spacecraft_usd_per_kg": "acquisition_usd",
    "service_life_years": "acquisition_usd",  # replacements not costed
    "development_musd": "development_usd",
    "mass_kg": "launch_usd",
    "launch_price_musd": "launch_usd",
    "launch": "launch_usd",
    **dict.fromkeys(_OPS_KEYS, "ops_usd"),
}


def _is_money(key: str) -> bool:
    """A money key: millions of dollars (``unit_cost_musd``...) or dollars per kg (``launch_usd_per_kg``)."""
    return "_musd" in key or key.endswith("_usd_per_kg")


def _scale(key: str) -> float:
    """Dollars per unit of a money key's value (1e6 for ``_musd``, 1 for ``_usd_per_kg``)."""
    return 1e6 if "_musd" in key else 1.0


def _show_money(usd: float, key: str = "") -> str:
    if key.endswith("_usd_per_kg"):
        return f"${usd:,.0f}/kg"
    return f"${usd / 1e6:,.0f} M"


def _show_plain(value: float) -> str:
    return f"{value:,.4g}"


def _billions(usd: float) -> str:
    return f"${usd / 1e9:,.1f} B"


@dataclass(frozen=True)
class ElementEstimate:
    """One element priced at its central values, with its range over unknown parameters."""

    cost: ElementCost
    holding: Holding
    low_usd: float
    high_usd: float
    unknowns: tuple[dict[str, Any], ...] = ()
    not_costed: tuple[dict[str, str], ...] = ()
    year_reached: int | None = None  # first year the target is in service (None: never at these rates)
    operational: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = self.cost.to_dict()
        out.update(
            {
                "kind": self.holding.kind,
                "where": list(self.holding.where),
                "sites": self.holding.sites,
                "low_usd": self.low_usd,
                "high_usd": self.high_usd,
                "year_reached": self.year_reached,
                "operational": self.operational,
                "unknowns": list(self.unknowns),
                "not_costed": list(self.not_costed),
            }
        )
        return out


@dataclass(frozen=True)
class ScenarioCost:
    """Lifecycle cost of a scenario: ``total_usd`` in dollars of ``dollar_year`` over ``horizon_years``.

    ``elements`` are the priced :class:`~domesim.cost.lifecycle.ElementCost` (``units_bought``,
    ``development_usd``, ``acquisition_usd``, ``launch_usd``, ``ops_usd``, ``total_usd``, ``shares()``);
    ``estimates`` add each element's range over unknown parameters and what was not costed.
    """

    scenario: str
    breakdown: CostBreakdown
    estimates: tuple[ElementEstimate, ...]
    canada_share: float
    launch_usd_per_kg: float
    operational_year: int | None
    deflator: str
    not_costed: tuple[dict[str, str], ...] = ()
    provenance: tuple[dict[str, Any], ...] = ()
    warnings: tuple[str, ...] = ()
    launch_price: str | None = None  # the [launch_price.<id>] used (None: a price given in the file)
    not_costed_elements: tuple[dict[str, Any], ...] = ()  # fielded classes with no public cost figure

    @property
    def complete(self) -> bool:
        """Whether every part of every fielded element is costed (else the totals are lower bounds)."""
        return not self.not_costed_elements and not any(e.cost.not_costed for e in self.estimates)

    @property
    def total_usd(self) -> float:
        return self.breakdown.total_usd

    @property
    def total_low_usd(self) -> float:
        return float(sum(e.low_usd for e in self.estimates))

    @property
    def total_high_usd(self) -> float:
        return float(sum(e.high_usd for e in self.estimates))

    @property
    def dollar_year(self) -> int:
        return self.breakdown.dollar_year

    @property
    def horizon_years(self) -> int:
        return self.breakdown.horizon_years

    @property
    def first_year(self) -> int:
        return self.breakdown.first_year

    @property
    def elements(self) -> tuple[ElementCost, ...]:
        return self.breakdown.elements

    def by_layer(self) -> dict[str, dict[str, Any]]:
        return self.breakdown.by_layer()

    def by_country(self) -> dict[str, float]:
        return self.breakdown.by_country()

    def to_dict(self) -> dict[str, Any]:
        """Everything ``domesim cost --json`` prints (money in US dollars of ``dollar_year``)."""
        years = [int(y) for y in self.breakdown.years]
        return {
            "scenario": self.scenario,
            "dollar_year": self.dollar_year,
            "first_year": self.first_year,
            "horizon_years": self.horizon_years,
            "total_usd": self.total_usd,
            "total_low_usd": self.total_low_usd,
            "total_high_usd": self.total_high_usd,
            "elements": [e.to_dict() for e in self.estimates],
            "by_layer": self.by_layer(),
            "by_country": self.by_country(),
            "by_year_usd": [float(v) for v in self.breakdown.by_year_usd()],
            "fielding": {
                "years": years,
                "in_service": {e.name: [int(v) for v in e.schedule.in_service] for e in self.elements},
                "fielded": {e.name: [int(v) for v in e.schedule.fielded] for e in self.elements},
            },
            "settings": {
                "canada_share": self.canada_share,
                "launch_usd_per_kg": self.launch_usd_per_kg,
                "launch_price": self.launch_price,
                "operational_year": self.operational_year,
                "deflator": self.deflator,
            },
            "totals_are_lower_bounds": not self.complete,
            "unknowns": [dict(u, element=e.cost.name) for e in self.estimates for u in e.unknowns],
            "not_costed": list(self.not_costed),
            "not_costed_elements": list(self.not_costed_elements),
            "provenance": list(self.provenance),
            "warnings": list(self.warnings),
        }


# ------------------------------------------------------------------------------------------- helpers
@dataclass
class _Context:
    catalogue: Catalogue
    table: DeflatorTable
    dollar_year: int
    file: str
    text: str
    problems: list[Problem] = field(default_factory=list)
    provenance: list[dict[str, Any]] = field(default_factory=list)

    def problem(self, path: tuple, message: str) -> None:
        self.problems.append(Problem(self.file, format_path(path), message, locate_line(self.text, path)))

    def to_dollars(self, amount: float, year: int, where: str, scale: float = 1e6) -> float:
        """``amount`` (millions of dollars, or dollars with ``scale = 1``) of ``year`` in estimate dollars."""
        return amount * scale * self.table.factor(year, self.dollar_year, f"{where}.dollar_year")


def deflator_table(catalogue: Catalogue | None = None, table_id: str = "gdp_price_index") -> DeflatorTable:
    """The catalogue's deflator (``[deflator.<table_id>]``): published years, then projected ones."""
    catalogue = catalogue or load_catalogue()
    entry = catalogue.entry("deflator", table_id)
    published = list(entry.value("index_2017_100"))
    projected = (
        list(entry.params["projected_index_2017_100"].value or [])
        if ("projected_index_2017_100" in entry.params)
        else []
    )
    first = int(entry.fields["first_year"])
    return DeflatorTable(
        str(entry.fields.get("name", table_id)),
        first,
        np.asarray(published + projected, dtype=np.float64),
        first + len(published) if projected else None,
    )


def _holdings(loaded: LoadedScenario | LoadedSpec, catalogue: Catalogue) -> list[Holding]:
    """The scenario's elements, one per class, in a stable order: interceptors, SBIs, sensors, radars.

    From the file and the catalogue alone (:func:`domesim.build.architecture.architecture`): no world is
    built. A fault in what is fielded (an unknown id) is a :class:`ScenarioError`.
    """
    fielded = architecture(loaded.spec, catalogue, loaded.path.parent, policy=loaded.policy)
    if fielded.problems:
        raise scenario_problems(str(loaded.path), loaded.text, list(fielded.problems))
    return fielded.holdings()


def _record(ctx: _Context, element: str, key: str, raw: dict[str, Any], origin: str) -> None:
    ctx.provenance.append(
        {
            "element": element,
            "parameter": key,
            "value": raw.get("value", [raw.get("low"), raw.get("high")] if "low" in raw else None),
            "dollar_year": raw.get("dollar_year"),
            "tag": raw.get("tag", ""),
            "source": ", ".join(raw.get("source", ())),
            "note": raw.get("note", origin),
        }
    )


# value: float | (low, high) for an unknown with a range | None when not costed
Resolved = float | tuple[float, float] | None


def _raw_param(catalogue: Catalogue, section: str, entry_id: str, key: str) -> dict[str, Any] | None:
    raw = catalogue.data.get(section, {}).get(entry_id, {}).get(key)
    return raw if isinstance(raw, dict) and "tag" in raw else None


def _catalogue_value(
    ctx: _Context, element: str, key: str, raw: dict[str, Any], money_year: int | None
) -> Resolved:
    """A catalogue parameter in estimate units (money: dollars of the estimate's year)."""
    where = f"cost.{element}.{key}"

    def convert(v: float) -> float:
        if _is_money(key):
            year = money_year if money_year is not None else raw.get("dollar_year")
            if year is None:
                raise ParameterError(f"{where}: a money parameter needs its dollar_year in the catalogue")
            return ctx.to_dollars(float(v), int(year), where, _scale(key))
        return float(v)

    if raw.get("value") is not None:
        return convert(raw["value"])
    if raw.get("low") is not None and raw.get("high") is not None:
        return (convert(raw["low"]), convert(raw["high"]))
    return None


def _parameters(
    ctx: _Context, holding: Holding, overrides: dict[str, Any], defaults: dict[str, Resolved]
) -> tuple[dict[str, Resolved], list[dict[str, str]], str]:
    """Every cost parameter of one element: override > cost entry > interceptor unit cost > default.

    Returns the values (money in dollars of the estimate's year), what has no public figure (each with
    the part of the estimate it leaves not costed) and the unit-cost basis (``unit_cost`` or ``mass``).
    """
    cid = holding.element
    values: dict[str, Resolved] = {}  # by catalogue key; money already in dollars of the estimate's year
    missing: list[dict[str, str]] = []
    entry = ctx.catalogue.data.get("cost", {}).get(cid, {})
    basis = str(overrides.get("unit_cost_basis", entry.get("unit_cost_basis", "unit_cost")))
    if basis not in UNIT_COST_BASES:
        ctx.problem(
            ("cost", "element", cid, "unit_cost_basis"),
            f"unit_cost_basis must be one of {', '.join(map(repr, UNIT_COST_BASES))} (got {basis!r})",
        )
        basis = "unit_cost"
    if not entry and not overrides:
        return (
            values,
            [
                {
                    "element": cid,
                    "parameter": "*",
                    "part": "*",
                    "reason": f"no [cost.{cid}] entry: no public cost figure",
                }
            ],
            basis,
        )
    for key in _MONEY_KEYS + _PLAIN_KEYS:
        if (key == "unit_cost_musd" and basis == "mass") or (
            key == "spacecraft_usd_per_kg" and basis == "unit_cost"
        ):
            continue  # one basis of the unit cost: the published figure, or mass x dollars per kg
        if key in overrides and overrides[key] is not None:
            value = float(overrides[key])
            values[key] = value * _scale(key) if _is_money(key) else value
            _record(
                ctx,
                cid,
                key,
                {"value": overrides[key], "dollar_year": ctx.dollar_year, "tag": "scenario"},
                "set in the scenario's [cost.element] table",
            )
            continue
        raw = _raw_param(ctx.catalogue, "cost", cid, key)
        money_year = None
        if raw is None and key == "unit_cost_musd" and holding.kind in ("interceptor", "sbi"):
            raw = _raw_param(ctx.catalogue, "interceptor", cid, key)
            year_raw = _raw_param(ctx.catalogue, "cost", cid, "unit_cost_dollar_year")
            if raw is not None and year_raw is not None:
                money_year = int(year_raw["value"])
                _record(ctx, cid, "unit_cost_dollar_year", year_raw, "")
            elif raw is not None:
                raw = None  # a unit cost without its dollar year cannot be converted
        if raw is None:
            if key in defaults:
                values[key] = defaults[key]
            continue
        _record(ctx, cid, key, dict(raw, dollar_year=raw.get("dollar_year", money_year)), "")
        resolved = _catalogue_value(ctx, cid, key, raw, money_year)
        if resolved is None:
            missing.append(
                {
                    "element": cid,
                    "parameter": key,
                    "part": _PART_OF.get(key, ""),
                    "reason": raw.get("note", "unknown"),
                }
            )
        values[key] = resolved
    missing = [m for m in missing if m["part"]]  # a missing schedule figure leaves the rate unlimited

    def lacks(key: str) -> bool:
        return values.get(key) is None and not any(m["parameter"] == key for m in missing)

    if basis == "unit_cost" and lacks("unit_cost_musd"):
        missing.append(
            {
                "element": cid,
                "parameter": "unit_cost_musd",
                "part": "acquisition_usd",
                "reason": "no unit cost in the catalogue",
            }
        )
    if basis == "mass":
        for key in ("mass_kg", "spacecraft_usd_per_kg"):
            if lacks(key):
                ctx.problem(
                    ("cost", "element", cid, "unit_cost_basis"),
                    f"unit_cost_basis = 'mass' needs {key} for {cid!r}, which the catalogue does not give: "
                    f"set {key} in [cost.element.{cid}]",
                )
    # O&S is costed when any of its figures is: drop the others' "missing" then
    if any(values.get(k) is not None for k in _OPS_KEYS):
        missing = [m for m in missing if m["parameter"] not in _OPS_KEYS]
    if holding.kind in _SPACE_KINDS:
        by_mass = values.get("mass_kg") is not None
        by_launch = values.get("launch_price_musd") is not None
        if not (by_mass or by_launch) and not any(
            m["parameter"] in ("mass_kg", "launch_price_musd") for m in missing
        ):
            missing.append(
                {
                    "element": cid,
                    "parameter": "launch",
                    "part": "launch_usd",
                    "reason": "no mass or launch price in the catalogue",
                }
            )
    return values, missing, basis


def _spec(
    holding: Holding, values: dict[str, float], settings: dict[str, Any], not_costed: tuple[str, ...] = ()
) -> ElementSpec:
    units = holding.units
    mass = values.get("mass_kg")
    by_mass = holding.kind in _SPACE_KINDS and mass is not None
    canada = holding.canada_units
    if settings["norad_shared"]:
        canada += settings["canada_share"] * (units - holding.canada_units)
    if settings["basis"] == "mass":
        unit_cost = spacecraft_unit_cost_usd(mass or 0.0, values.get("spacecraft_usd_per_kg") or 0.0)
    else:
        unit_cost = values.get("unit_cost_musd") or 0.0
    per_launch = values.get("units_per_launch")
    if per_launch is None and values.get("launch_payload_kg") is not None and mass:
        per_launch = units_per_launch_for(
            mass, values["launch_payload_kg"], f"{holding.element}.launch_payload_kg"
        )
    sites = holding.sites if holding.kind == "interceptor" else 0
    return ElementSpec(
        name=holding.element,
        layer=holding.layer,
        units=units,
        unit_cost_usd=unit_cost,
        start_year=settings["start_year"],
        learning_rate=values.get("learning_rate", 1.0),
        prior_units=int(values.get("prior_units") or 0),
        development_usd=values.get("development_musd") or 0.0,
        fixed_usd=(values.get("battery_cost_musd") or 0.0) * sites,
        service_life_years=values.get("service_life_years") or math.inf,
        mass_kg=(mass or 0.0) if by_mass else 0.0,
        launch_usd_per_kg=(values.get("launch_usd_per_kg") or 0.0) if by_mass else 0.0,
        launch_price_usd=(values.get("launch_price_musd") or 0.0) if not by_mass else 0.0,
        units_per_launch=int(per_launch or 1),
        launches_per_year=values.get("launches_per_year") or math.inf,
        production_per_year=values.get("production_per_year") or math.inf,
        ops_usd_per_unit_year=values.get("ops_musd_per_unit_year") or 0.0,
        ops_usd_per_year=(values.get("ops_musd_per_year") or 0.0)
        + (values.get("ops_musd_per_site_year") or 0.0) * holding.sites,
        existing_units=int(values.get("existing_units") or 0),
        canada_fraction=(canada / units) if units else 0.0,
        not_costed=not_costed,
    )


def _price(
    holding: Holding,
    values: dict[str, Resolved],
    settings: dict[str, Any],
    first_year: int,
    horizon: int,
    not_costed: tuple[str, ...] = (),
) -> tuple[ElementCost, float, float, list[dict[str, Any]]]:
    """Central cost, low and high totals over the corners of the unknown ranges, and the unknowns used."""
    ranged = {k: v for k, v in values.items() if isinstance(v, tuple)}
    fixed = {k: v for k, v in values.items() if isinstance(v, float | int)}
    central = dict(fixed, **{k: 0.5 * (lo + hi) for k, (lo, hi) in ranged.items()})
    cost = lifecycle_cost(_spec(holding, central, settings, not_costed), first_year, horizon)
    totals = [cost.total_usd]
    for corner in itertools.product(*[(lo, hi) for lo, hi in ranged.values()]):
        spec = _spec(holding, dict(fixed, **dict(zip(ranged, corner, strict=True))), settings, not_costed)
        totals.append(lifecycle_cost(spec, first_year, horizon).total_usd)
    unknowns = [{"parameter": k, "low": lo, "high": hi, "used": central[k]} for k, (lo, hi) in ranged.items()]
    return cost, min(totals), max(totals), unknowns


def launch_prices(catalogue: Catalogue | None = None) -> dict[str, tuple[float, int, str]]:
    """The catalogue's named launch prices: ``{id: (dollars per kg, dollar year, name)}``."""
    catalogue = catalogue or load_catalogue()
    out = {}
    for pid in catalogue.ids("launch_price"):
        raw = catalogue.data["launch_price"][pid]["usd_per_kg"]
        out[pid] = (
            float(raw["value"]),
            int(raw["dollar_year"]),
            str(catalogue.data["launch_price"][pid].get("name", pid)),
        )
    return out


# ------------------------------------------------------------------------------------------ the estimate
def scenario_cost(
    scenario: LoadedScenario | LoadedSpec | str | Path,
    horizon_years: int | None = None,
    dollar_year: int | None = None,
    catalogue: Catalogue | None = None,
    launch_price: str | None = None,
) -> ScenarioCost:
    """Lifecycle cost of a scenario's architecture over ``horizon_years`` in dollars of ``dollar_year``.

    Parameters
    ----------
    scenario : a loaded scenario or file (:func:`~domesim.scenario.loader.load_spec`), or the path of a
        scenario file (read and validated here; its world is not built: costing needs no physics).
    horizon_years, dollar_year : replace the scenario's ``[cost]`` values (defaults: catalogue
        ``[cost_defaults.default]``: 20 years, 2025 dollars).
    catalogue : the data catalogue (default: the one shipped with domesim).
    launch_price : id of a ``[launch_price.<id>]`` of the catalogue (``cbo_2025_current``...): replaces
        the file's launch price per kg (default: the file's ``[cost]``, else the catalogue default).

    Returns
    -------
    ScenarioCost
        ``total_usd``, ``total_low_usd``/``total_high_usd`` (over unknown ranges), ``dollar_year``,
        ``horizon_years``, ``first_year``; ``elements`` with ``units_bought``, ``development_usd``,
        ``acquisition_usd``, ``launch_usd``, ``ops_usd``, ``total_usd`` and ``shares()``; ``by_layer()``,
        ``by_country()``; the fielding schedule of each element; what was not costed (parts of elements,
        ``not_costed``, and whole elements, ``not_costed_elements``: left out of every total); provenance.

    Raises
    ------
    ScenarioError
        A ``[cost]`` value of the file is unusable (names the file, key and line).
    ParameterError
        ``horizon_years``, ``dollar_year`` or ``launch_price`` given here is unusable (a year outside the
        deflator table, an unknown launch price id).
    """
    loaded = scenario if isinstance(scenario, LoadedScenario | LoadedSpec) else load_spec(scenario)
    catalogue = catalogue or load_catalogue()
    holdings = _holdings(loaded, catalogue)  # what is fielded: faults of the file's elements first
    spec = loaded.spec.cost
    defaults = catalogue.entry("cost_defaults", "default")
    table = deflator_table(catalogue)
    file, text = str(loaded.path), loaded.text

    if horizon_years is not None and (
        isinstance(horizon_years, bool) or int(horizon_years) != horizon_years or horizon_years < 1
    ):
        raise ParameterError(f"horizon_years must be a whole number >= 1 (got {horizon_years!r})")
    if dollar_year is not None:
        table.value(dollar_year, "dollar_year")
    elif spec.dollar_year is not None and not table.has(spec.dollar_year):
        path = ("cost", "dollar_year")
        raise ScenarioError(
            [
                Problem(
                    file,
                    format_path(path),
                    f"dollar year {spec.dollar_year} is outside the deflator table {table.name!r} "
                    f"({table.first_year}-{table.last_year}); give a year in that range",
                    locate_line(text, path),
                )
            ]
        )
    year = int(dollar_year or spec.dollar_year or defaults.value("dollar_year"))
    horizon = int(horizon_years or spec.horizon_years or defaults.value("horizon_years"))
    first_year = int(spec.first_year or int(loaded.spec.scenario.epoch_utc[:4]))
    canada_share = float(
        spec.canada_share if spec.canada_share is not None else defaults.value("canada_share")
    )
    ctx = _Context(catalogue, table, year, file, text)
    prices = launch_prices(catalogue)
    if launch_price is not None and launch_price not in prices:
        raise ParameterError(
            f"launch_price: unknown launch price {launch_price!r}"
            + catalogue.suggest("launch_price", launch_price)
        )
    if spec.launch_price is not None and spec.launch_usd_per_kg is not None:
        ctx.problem(
            ("cost", "launch_price"),
            "give a named launch price (launch_price) or a price per kg (launch_usd_per_kg), not both",
        )
    elif spec.launch_price is not None and spec.launch_price not in prices:
        ctx.problem(
            ("cost", "launch_price"),
            f"unknown launch price {spec.launch_price!r}"
            + catalogue.suggest("launch_price", spec.launch_price),
        )
    if ctx.problems:
        raise ScenarioError(ctx.problems)
    price_id: str | None
    if launch_price is not None or spec.launch_usd_per_kg is None:
        price_id = launch_price or spec.launch_price or str(defaults.fields["launch_price"])
        usd_per_kg, price_year, _ = prices[price_id]
        launch_per_kg = usd_per_kg * table.factor(price_year, year, f"launch_price.{price_id}.usd_per_kg")
        raw_price = catalogue.data["launch_price"][price_id]["usd_per_kg"]
        _record(ctx, "*", f"launch_price.{price_id}.usd_per_kg", raw_price, "")
    else:
        price_id, launch_per_kg = None, float(spec.launch_usd_per_kg)
    default_values: dict[str, Resolved] = {
        "learning_rate": float(defaults.value("learning_rate")),
        "launch_usd_per_kg": launch_per_kg,
    }

    present = {h.element for h in holdings}
    warnings: list[str] = []
    for cid in spec.element:
        if cid in present:
            continue
        known = any(catalogue.has(s, cid) for s in ("cost", "interceptor", "sensor"))
        if known:
            warnings.append(f"{file} [cost.element.{cid}]: no {cid!r} element in this scenario; ignored")
        else:
            suggestion = catalogue.suggest("cost", cid) if catalogue.ids("cost") else ""
            ctx.problem(("cost", "element", cid), f"unknown element {cid!r}{suggestion}")

    estimates: list[ElementEstimate] = []
    not_costed: list[dict[str, str]] = []
    whole: list[dict[str, Any]] = []
    for holding in holdings:
        override = spec.element.get(holding.element)
        overrides = override.model_dump(exclude_none=True) if override is not None else {}
        values, missing, basis = _parameters(ctx, holding, overrides, default_values)
        not_costed.extend(missing)
        if any(m["parameter"] == "*" for m in missing):
            whole.append(
                {
                    "element": holding.element,
                    "kind": holding.kind,
                    "layer": holding.layer,
                    "units": holding.units,
                    "where": list(holding.where),
                    "reason": missing[0]["reason"],
                }
            )
            continue
        if holding.units == 0:
            continue
        entry_fields = catalogue.data.get("cost", {}).get(holding.element, {})
        norad = overrides.get("norad_shared", entry_fields.get("norad_shared", False))
        start = values.get("start_year")
        settings = {
            "norad_shared": bool(norad),
            "canada_share": canada_share,
            "start_year": int(start) if isinstance(start, float | int) else first_year,
            "basis": basis,
        }
        parts = tuple(sorted({m["part"] for m in missing}))
        try:
            cost, low, high, unknowns = _price(holding, values, settings, first_year, horizon, parts)
        except ParameterError as exc:  # at the file's key the message names, if the file sets it
            key = next((k for k in overrides if f"{holding.element}.{k}" in str(exc)), None)
            ctx.problem(("cost", "element", holding.element, *((key,) if key else ())), str(exc))
            continue
        plan = cost.spec.plan()
        operational = None
        if spec.operational_year is not None:
            ok, reached = is_reachable(plan, spec.operational_year)
            operational = {"year": spec.operational_year, "reachable": ok, "year_reached": reached}
        estimates.append(
            ElementEstimate(
                cost,
                holding,
                low,
                high,
                tuple(unknowns),
                tuple(m for m in missing),
                reach_year(plan),
                operational,
            )
        )
    if ctx.problems:
        raise ScenarioError(ctx.problems)

    for e in estimates:
        for u in e.unknowns:
            key = u["parameter"]

            def show(v: float, key: str = key) -> str:
                return _show_money(v, key) if _is_money(key) else _show_plain(v)

            warnings.append(
                f"{e.cost.name}.{key} is unknown (no public value): costed over its range "
                f"{show(u['low'])} to {show(u['high'])}, central figure at the middle, {show(u['used'])} "
                f"(over all its unknowns the element spans {_billions(e.low_usd)} to {_billions(e.high_usd)})"
            )
        if e.year_reached is None:
            warnings.append(
                f"{e.cost.name}: the fielding rates never reach {e.cost.spec.units} units in service"
            )
        if e.operational and not e.operational["reachable"]:
            warnings.append(
                f"{e.cost.name}: {e.cost.spec.units} units are not in service by {e.operational['year']} "
                f"at the stated rates (reached: {e.operational['year_reached'] or 'never'})"
            )
    if not_costed:
        listed = ", ".join(
            f"{m['element']}.{m['parameter']}"
            + (f" ({m['part'].removesuffix('_usd').replace('ops', 'O&S')})" if m["part"] != "*" else "")
            for m in not_costed
        )
        warnings.append(
            f"not costed (no public figure in the catalogue): {listed}; left out of the totals, "
            "which are lower bounds"
        )
    if table.is_projected(year) or any(
        table.is_projected(int(p["dollar_year"])) for p in ctx.provenance if p.get("dollar_year")
    ):
        warnings.append(
            f"the deflator index from {table.projected_from} on is a projection (tag 'assumed'), "
            "not a published value"
        )
    breakdown = CostBreakdown(year, first_year, horizon, tuple(e.cost for e in estimates))
    return ScenarioCost(
        loaded.spec.scenario.name,
        breakdown,
        tuple(estimates),
        canada_share,
        launch_per_kg,
        spec.operational_year,
        table.name,
        tuple(not_costed),
        tuple(ctx.provenance),
        tuple(warnings),
        price_id,
        tuple(whole),
    )
