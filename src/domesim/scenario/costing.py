"""Lifecycle cost of a scenario's architecture: scenario + catalogue -> priced elements (``domesim cost``).

The scenario says what is fielded (interceptor sites and their inventories, SBI and sensor
constellations, radars); the catalogue (``costs.toml``, and the interceptor classes' ``unit_cost_musd``)
says what each costs, in the dollars of the year of its source; the optional ``[cost]`` table of the
scenario overrides the horizon, the dollar year, Canada's share and any element parameter. This module
gathers the elements, converts every figure to one dollar year (:mod:`domesim.cost.deflator`) and prices
them with :mod:`domesim.cost.lifecycle`.

Unknowns stay visible. A parameter tagged ``unknown`` with a public range (the SBI's mass, its
development cost) is costed at both ends: each element is priced at every corner of its unknowns and the
estimate reports ``total_low_usd``/``total_high_usd``; the central total uses the middle of each range and
says so. A parameter with neither value nor range, or a class with no cost entry at all, is not costed and
is listed in ``not_costed``: the total is then a lower bound, and the warnings say so.
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
from domesim.cost.lifecycle import CostBreakdown, ElementCost, ElementSpec, lifecycle_cost
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

# catalogue key -> ElementSpec field, factor to dollars (money) or 1
_MONEY_KEYS = {
    "unit_cost_musd": "unit_cost_usd",
    "development_musd": "development_usd",
    "ops_musd_per_unit_year": "ops_usd_per_unit_year",
    "ops_musd_per_year": "ops_usd_per_year",
    "launch_price_musd": "launch_price_usd",
}
_PLAIN_KEYS = {
    "service_life_years": "service_life_years",
    "learning_rate": "learning_rate",
    "prior_units": "prior_units",
    "mass_kg": "mass_kg",
    "units_per_launch": "units_per_launch",
    "launches_per_year": "launches_per_year",
    "production_per_year": "production_per_year",
    "existing_units": "existing_units",
}
_SPACE_KINDS = ("sbi", "space_sensor")


def _is_money(key: str) -> bool:
    """Millions of dollars (``unit_cost_musd``, ``ops_musd_per_unit_year``...)."""
    return "_musd" in key


def _show_money(usd: float) -> str:
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

    def by_layer(self) -> dict[str, dict[str, float]]:
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
                "operational_year": self.operational_year,
                "deflator": self.deflator,
            },
            "unknowns": [dict(u, element=e.cost.name) for e in self.estimates for u in e.unknowns],
            "not_costed": list(self.not_costed),
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

    def to_dollars(self, amount_musd: float, year: int, where: str) -> float:
        return amount_musd * 1e6 * self.table.factor(year, self.dollar_year, f"{where}.dollar_year")


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
    fielded = architecture(loaded.spec, catalogue, loaded.path.parent)
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
            return ctx.to_dollars(float(v), int(year), where)
        return float(v)

    if raw.get("value") is not None:
        return convert(raw["value"])
    if raw.get("low") is not None and raw.get("high") is not None:
        return (convert(raw["low"]), convert(raw["high"]))
    return None


def _parameters(
    ctx: _Context, holding: Holding, overrides: dict[str, Any], defaults: dict[str, Resolved]
) -> tuple[dict[str, Resolved], list[dict[str, str]]]:
    """Every cost parameter of one element: override > cost entry > interceptor unit cost > default."""
    cid = holding.element
    values: dict[str, Resolved] = {}  # by catalogue key; money already in dollars of the estimate's year
    missing: list[dict[str, str]] = []
    keys = list(_MONEY_KEYS) + list(_PLAIN_KEYS) + ["battery_cost_musd", "launch_usd_per_kg"]
    entry = ctx.catalogue.data.get("cost", {}).get(cid, {})
    for key in keys:
        if key in overrides and overrides[key] is not None:
            value = float(overrides[key])
            values[key] = value * 1e6 if _is_money(key) else value
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
            missing.append({"element": cid, "parameter": key, "reason": raw.get("note", "unknown")})
        values[key] = resolved
    if values.get("unit_cost_musd") is None and "unit_cost_musd" not in [m["parameter"] for m in missing]:
        missing.append(
            {"element": cid, "parameter": "unit_cost_musd", "reason": "no unit cost in the catalogue"}
        )
    if holding.kind in _SPACE_KINDS:
        by_mass = values.get("mass_kg") is not None
        by_launch = values.get("launch_price_musd") is not None
        if not (by_mass or by_launch) and not any(
            m["parameter"] in ("mass_kg", "launch_price_musd") for m in missing
        ):
            missing.append(
                {"element": cid, "parameter": "launch", "reason": "no mass or launch price in the catalogue"}
            )
    if not entry and not overrides:
        missing = [
            {"element": cid, "parameter": "*", "reason": f"no [cost.{cid}] entry: no public cost figure"}
        ]
    return values, missing


def _spec(holding: Holding, values: dict[str, float], settings: dict[str, Any]) -> ElementSpec:
    units = holding.units
    by_mass = holding.kind in _SPACE_KINDS and values.get("mass_kg") is not None
    canada = holding.canada_units
    if settings["norad_shared"]:
        canada += settings["canada_share"] * (units - holding.canada_units)
    return ElementSpec(
        name=holding.element,
        layer=holding.layer,
        units=units,
        unit_cost_usd=values.get("unit_cost_musd") or 0.0,
        start_year=settings["start_year"],
        learning_rate=values.get("learning_rate", 1.0),
        prior_units=int(values.get("prior_units") or 0),
        development_usd=values.get("development_musd") or 0.0,
        fixed_usd=(values.get("battery_cost_musd") or 0.0)
        * (holding.sites if holding.kind == "interceptor" else 0),
        service_life_years=values.get("service_life_years") or math.inf,
        mass_kg=(values.get("mass_kg") or 0.0) if by_mass else 0.0,
        launch_usd_per_kg=(values.get("launch_usd_per_kg") or 0.0) if by_mass else 0.0,
        launch_price_usd=(values.get("launch_price_musd") or 0.0) if not by_mass else 0.0,
        units_per_launch=int(values.get("units_per_launch") or 1),
        launches_per_year=values.get("launches_per_year") or math.inf,
        production_per_year=values.get("production_per_year") or math.inf,
        ops_usd_per_unit_year=values.get("ops_musd_per_unit_year") or 0.0,
        ops_usd_per_year=values.get("ops_musd_per_year") or 0.0,
        existing_units=int(values.get("existing_units") or 0),
        canada_fraction=(canada / units) if units else 0.0,
    )


def _price(
    holding: Holding, values: dict[str, Resolved], settings: dict[str, Any], first_year: int, horizon: int
) -> tuple[ElementCost, float, float, list[dict[str, Any]]]:
    """Central cost, low and high totals over the corners of the unknown ranges, and the unknowns used."""
    ranged = {k: v for k, v in values.items() if isinstance(v, tuple)}
    fixed = {k: v for k, v in values.items() if isinstance(v, float | int)}
    central = dict(fixed, **{k: 0.5 * (lo + hi) for k, (lo, hi) in ranged.items()})
    cost = lifecycle_cost(_spec(holding, central, settings), first_year, horizon)
    totals = [cost.total_usd]
    for corner in itertools.product(*[(lo, hi) for lo, hi in ranged.values()]):
        spec = _spec(holding, dict(fixed, **dict(zip(ranged, corner, strict=True))), settings)
        totals.append(lifecycle_cost(spec, first_year, horizon).total_usd)
    unknowns = [{"parameter": k, "low": lo, "high": hi, "used": central[k]} for k, (lo, hi) in ranged.items()]
    return cost, min(totals), max(totals), unknowns


# ------------------------------------------------------------------------------------------ the estimate
def scenario_cost(
    scenario: LoadedScenario | LoadedSpec | str | Path,
    horizon_years: int | None = None,
    dollar_year: int | None = None,
    catalogue: Catalogue | None = None,
) -> ScenarioCost:
    """Lifecycle cost of a scenario's architecture over ``horizon_years`` in dollars of ``dollar_year``.

    Parameters
    ----------
    scenario : a loaded scenario or file (:func:`~domesim.scenario.loader.load_spec`), or the path of a
        scenario file (read and validated here; its world is not built: costing needs no physics).
    horizon_years, dollar_year : replace the scenario's ``[cost]`` values (defaults: catalogue
        ``[cost_defaults.default]``: 20 years, 2025 dollars).
    catalogue : the data catalogue (default: the one shipped with domesim).

    Returns
    -------
    ScenarioCost
        ``total_usd``, ``total_low_usd``/``total_high_usd`` (over unknown ranges), ``dollar_year``,
        ``horizon_years``, ``first_year``; ``elements`` with ``units_bought``, ``development_usd``,
        ``acquisition_usd``, ``launch_usd``, ``ops_usd``, ``total_usd`` and ``shares()``; ``by_layer()``,
        ``by_country()``; the fielding schedule of each element; what was not costed; provenance.

    Raises
    ------
    ScenarioError
        A ``[cost]`` value of the file is unusable (names the file, key and line).
    ParameterError
        ``horizon_years`` or ``dollar_year`` given here is unusable (a year outside the deflator table).
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
    launch_raw = catalogue.data["cost_defaults"]["default"]["launch_usd_per_kg"]
    launch_per_kg = (
        float(spec.launch_usd_per_kg)
        if spec.launch_usd_per_kg is not None
        else float(launch_raw["value"])
        * table.factor(int(launch_raw["dollar_year"]), year, "launch_usd_per_kg")
    )
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
    for holding in holdings:
        override = spec.element.get(holding.element)
        overrides = override.model_dump(exclude_none=True) if override is not None else {}
        values, missing = _parameters(ctx, holding, overrides, default_values)
        not_costed.extend(missing)
        if any(m["parameter"] == "*" for m in missing) or holding.units == 0:
            continue
        entry_fields = catalogue.data.get("cost", {}).get(holding.element, {})
        norad = overrides.get("norad_shared", entry_fields.get("norad_shared", False))
        settings = {
            "norad_shared": bool(norad),
            "canada_share": canada_share,
            "start_year": int(overrides.get("start_year", first_year)),
        }
        try:
            cost, low, high, unknowns = _price(holding, values, settings, first_year, horizon)
        except ParameterError as exc:
            ctx.problem(("cost", "element", holding.element), str(exc))
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
            show = _show_money if _is_money(u["parameter"]) else _show_plain
            warnings.append(
                f"{e.cost.name}.{u['parameter']} is unknown (no public value): costed over its range "
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
        listed = ", ".join(f"{m['element']}.{m['parameter']}" for m in not_costed)
        warnings.append(
            f"not costed (no public figure in the catalogue): {listed}; the total is a lower bound"
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
    )
