"""Threat families: the registry, the record every family registers, and what families share.

Each module of this package is one family and registers itself when imported (all of them are, by
:func:`threat_families`): its ``[[threat]]`` block (a :class:`~domesim.build.blocks.ThreatBlock` with
its own keys and dispersions), how to build its threats from a block and the catalogue, the compiled
generator that flies them and the name of the random stream of its dispersions. The scenario schema
is a union over the registered families (discriminated by the catalogue ``family`` of the block's
class), and the engine flies the families in the registry's order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from domesim.build.blocks import ThreatBlock
from domesim.build.builder import Builder, Path
from domesim.build.catalogue import Entry
from domesim.build.registry import Registry, import_submodules

if TYPE_CHECKING:
    from domesim.threats.batch import ThreatBatch


@dataclass(frozen=True, kw_only=True)
class ThreatContext:
    """What a family's builder gets for one ``[[threat]]`` block."""

    builder: Builder
    block: Any  # the family's ThreatBlock subclass, validated
    path: Path  # ("threat", i): key path of the block, for problems
    entry: Entry  # the catalogue entry of the block's class
    scenario: Any  # the whole ScenarioFile (the [[asset]] list that aims may refer to)

    def label(self, aim_label: str) -> str:
        """The name of the block's threats aimed at ``aim_label`` (before numbering)."""
        return self.block.name or f"{self.block.threat_class}->{aim_label}"

    def member_name(self, j: int, aim_label: str) -> str:
        """Name of member ``j`` of the block: numbered when the block launches more than one."""
        base = self.label(aim_label)
        return base if self.block.count == 1 else f"{base} #{j + 1}"

    def launch_time_s(self, j: int) -> float:
        return self.block.launch_time_s + j * self.block.launch_interval_s

    def vehicle_and_places(self, from_params: Callable[[str, dict[str, Any]], Any]):
        """(vehicle, launch point, aim points) of the block: the class built by ``from_params(class id,
        SI parameters)`` (a :class:`~domesim.errors.ParameterError` becomes a problem on ``override``),
        or None when a problem was recorded."""
        from domesim.errors import ParameterError

        p = self.builder.params(self.entry, self.block.override, self.path, f"threat {self.entry.id}")
        launch, aims = launch_point(self), aim_points(self)
        if p is None or launch is None or aims is None:
            return None
        try:
            return from_params(self.entry.id, p), launch, aims
        except ParameterError as exc:
            self.builder.problem(self.path + ("override",), str(exc))
            return None

    def targeting_key(self) -> Path:
        """The key a failed targeting solution is reported on."""
        return self.path + ("aim_lat_deg" if self.block.aim_lat_deg is not None else "aim_asset",)


# The generator of a family: (threats, grid, rng or None, trials, rtol, atol) -> truth on the grid. A
# family's module imports its physics inside the generator and the build function, so that reading and
# validating a scenario (and costing it) imports no compiled kernel.
Generator = Callable[..., "ThreatBatch"]


@dataclass(frozen=True, kw_only=True)
class ThreatFamily:
    """One registered threat family."""

    name: str  # the family's name ("ballistic", "glide", "cruise")
    catalogue_families: tuple[str, ...]  # catalogue ``family`` values it builds ("ballistic", "fobs")
    display_name: str  # for reports: "ballistic missiles and fractional orbits"
    block: type[ThreatBlock]  # its [[threat]] block
    build: Callable[[ThreatContext], Sequence[Any]]  # block -> threats (problems go to the builder)
    fly: Generator  # the compiled generator (threats/)
    stream: str  # the named random stream of its dispersions (core.rng.stream)
    order: int = 100  # position on the engine's object axis (built-in families: 10, 20, 30)


THREAT_FAMILIES: Registry[ThreatFamily] = Registry("threat family")
_discovered = False


def threat_families() -> Registry[ThreatFamily]:
    """The registry, with every family of this package registered."""
    global _discovered
    if not _discovered:
        _discovered = True
        import_submodules(__name__)
    return THREAT_FAMILIES


def launch_point(ctx: ThreatContext) -> tuple[float, float, float] | None:
    """(lat_rad, lon_rad, alt_m) of the block's launch region or point (None: problem recorded)."""
    t = ctx.block
    return ctx.builder.place(
        "region", t.launch_region, t.launch_lat_deg, t.launch_lon_deg, ctx.path + ("launch_region",)
    )


def aim_points(ctx: ThreatContext) -> list[tuple[str, tuple[float, float]]] | None:
    """The aim points that a block's members cycle through, each with a label (None: problem recorded)."""
    b, t, spec, path = ctx.builder, ctx.block, ctx.scenario, ctx.path
    if t.aim_assets is not None:
        named = [(asset, ("aim_assets", k)) for k, asset in enumerate(t.aim_assets)]
    elif t.aim_at_defended_assets:
        if not spec.asset:
            b.problem(path + ("aim_at_defended_assets",), "the scenario lists no [[asset]] to aim at")
            return None
        aims = []
        for k, a in enumerate(spec.asset):
            place = b.place("asset", a.id, a.lat_deg, a.lon_deg, ("asset", k, "id"))
            if place is None:
                return None
            aims.append((a.name or a.id or f"asset {k + 1}", place[:2]))
        return aims
    elif t.aim_site is not None:  # a site of the defence: a leaker there destroys its batteries
        place = b.place("site", t.aim_site, None, None, path + ("aim_site",))
        return None if place is None else [(t.aim_site, place[:2])]
    else:
        place = b.place("asset", t.aim_asset, t.aim_lat_deg, t.aim_lon_deg, path + ("aim_asset",))
        return None if place is None else [(t.aim_asset or "aim point", place[:2])]
    aims = []
    for asset, where in named:
        place = b.place("asset", asset, None, None, path + where)
        if place is None:
            return None
        aims.append((asset, place[:2]))
    return aims
