"""What a scenario's attack costs its attacker: missiles launched, penetration aids released,
countermeasures fitted and anti-satellite interceptors fired, priced from the catalogue's
``[attacker_cost.<class>]`` entries (and each ``[countermeasure.<id>]``'s ``unit_cost_musd``) in dollars of
one year.

Public figures are few (KIDA's estimates of North Korean launch costs); the rest are assumptions with wide
ranges. Every price has a central value and a range: an unknown with a public range is costed at its
ends and its central value is the middle of the range, said so in ``assumed_midpoints``; an item with no
price at all is listed in ``not_costed`` and the totals are lower bounds (never a cost of 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domesim.build.catalogue import Catalogue, Param, load_catalogue
from domesim.build.schema import ScenarioFile
from domesim.cost.deflator import DeflatorTable

DEFAULT_DOLLAR_YEAR = 2025  # the cost catalogue's default ([cost_defaults.default])


@dataclass(frozen=True)
class AttackCost:
    """The attack's cost in US dollars of ``dollar_year``: central, low and high (over the price ranges)."""

    usd: float
    low_usd: float
    high_usd: float
    dollar_year: int
    items: tuple[dict[str, Any], ...] = ()  # one row per priced item: what, how many, unit price
    not_costed: tuple[str, ...] = ()  # items without any price
    assumed_midpoints: tuple[str, ...] = ()  # unknown prices costed at the middle of their range

    @property
    def complete(self) -> bool:
        return not self.not_costed

    def to_dict(self) -> dict[str, Any]:
        return {
            "usd": self.usd,
            "low_usd": self.low_usd,
            "high_usd": self.high_usd,
            "dollar_year": self.dollar_year,
            "items": list(self.items),
            "not_costed": list(self.not_costed),
            "assumed_midpoints": list(self.assumed_midpoints),
            "total_is_lower_bound": not self.complete,
        }


@dataclass
class _Tally:
    catalogue: Catalogue
    table: DeflatorTable
    dollar_year: int
    usd: float = 0.0
    low: float = 0.0
    high: float = 0.0
    items: list[dict[str, Any]] = field(default_factory=list)
    not_costed: list[str] = field(default_factory=list)
    midpoints: list[str] = field(default_factory=list)

    def add(self, what: str, count: float, section: str, entry_id: str) -> None:
        """``count`` units of ``[section.entry_id]``'s ``unit_cost_musd``."""
        if count <= 0:
            return
        raw = self.catalogue.data.get(section, {}).get(entry_id, {}).get("unit_cost_musd")
        param = self.catalogue.entry(section, entry_id).params.get("unit_cost_musd") if raw else None
        price = _price(param)
        if raw is None or param is None or price is None:
            self.not_costed.append(f"{what} ({section}.{entry_id}: no unit_cost_musd)")
            return
        value, low, high = price
        if param.value is None:
            self.midpoints.append(f"{section}.{entry_id}")
        year = int(raw.get("dollar_year", self.dollar_year))
        factor = 1e6 * self.table.factor(year, self.dollar_year, f"{section}.{entry_id}.dollar_year")
        self.usd += count * value * factor
        self.low += count * low * factor
        self.high += count * high * factor
        self.items.append(
            {
                "what": what,
                "count": count,
                "unit_usd": value * factor,
                "unit_low_usd": low * factor,
                "unit_high_usd": high * factor,
                "entry": f"{section}.{entry_id}",
                "tag": param.tag,
                "source": ", ".join(param.source),
            }
        )


def _price(param: Param | None) -> tuple[float, float, float] | None:
    """(central, low, high) millions of dollars; an unknown with a range: its middle and its ends."""
    if param is None:
        return None
    if param.value is not None:
        v = float(param.value)
        return (
            v,
            float(param.low if param.low is not None else v),
            float(param.high if param.high is not None else v),
        )
    if param.low is not None and param.high is not None:
        return (float(param.low) + float(param.high)) / 2.0, float(param.low), float(param.high)
    return None


def attack_cost(
    spec: ScenarioFile,
    catalogue: Catalogue | None = None,
    dollar_year: int | None = None,
    table: DeflatorTable | None = None,
) -> AttackCost:
    """The cost of every [[threat]] block's missiles (with their penetration aids and countermeasures) and
    every [[asat]] block's interceptors, in dollars of ``dollar_year`` (default: the scenario's [cost]
    dollar year, else the catalogue default)."""
    from domesim.scenario.costing import deflator_table

    catalogue = catalogue or load_catalogue()
    year = dollar_year or spec.cost.dollar_year or DEFAULT_DOLLAR_YEAR
    tally = _Tally(catalogue, table or deflator_table(catalogue), year)
    for block in spec.threat:
        name = block.name or block.threat_class
        tally.add(f"{name}: missiles", block.count, "attacker_cost", block.threat_class)
        payload = getattr(block, "payload", None)
        if payload is not None and payload.decoys:
            tally.add(f"{name}: {payload.decoy_class}", block.count * payload.decoys, "attacker_cost",
                      payload.decoy_class)  # fmt: skip
        for countermeasure in getattr(block, "countermeasures", None) or ():
            tally.add(f"{name}: {countermeasure}", block.count, "countermeasure", countermeasure)
    for i, a in enumerate(spec.asat):
        tally.add(f"{a.name or f'asat {i + 1}'}: interceptors", a.count, "attacker_cost", a.asat)
    return AttackCost(
        usd=tally.usd,
        low_usd=tally.low,
        high_usd=tally.high,
        dollar_year=year,
        items=tuple(tally.items),
        not_costed=tuple(tally.not_costed),
        assumed_midpoints=tuple(tally.midpoints),
    )
