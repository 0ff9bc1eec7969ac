"""Scenario file schema (TOML -> pydantic). Human units, carried as key suffixes; validated here.

Unknown keys are errors (a key without its unit suffix is an unknown key, and the message suggests
the suffixed one). Numbers must be finite. A ``[[threat]]`` block is validated against the block of
its class's family: the schema is a union over the registered threat families, discriminated by the
catalogue ``family`` of the block's ``class`` (:func:`scenario_model`).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag, create_model, field_validator, model_validator

from domesim.build.blocks import Number, StrictModel, ThreatBlock, UnknownThreatBlock
from domesim.build.blocks import point_given as _point_given
from domesim.build.catalogue import Catalogue, load_catalogue
from domesim.build.threats import threat_families
from domesim.core.timegrid import parse_epoch_utc
from domesim.limits import MAX_SEED, MIN_STEP_S

# the names the sensing fidelities had before the engine became one chain (a file using one is told the new)
RENAMED_SENSING = {"cued": "screening", "tracked": "full"}


def seed_in_range(value: int) -> int:
    """A root seed, checked to fit the run catalogue's signed 64-bit column before anything runs."""
    if not 0 <= value <= MAX_SEED:
        raise ValueError(f"seed must be from 0 to 2**63 - 1 = {MAX_SEED} (a signed 64-bit integer)")
    return value


class ScenarioSection(StrictModel):
    name: str = Field(min_length=1)
    description: str = ""
    epoch_utc: str = "2026-01-01T00:00:00Z"
    step_s: float = Field(default=2.0, ge=MIN_STEP_S, le=60.0)  # a floor: 5e-324 would overflow the grid
    duration_s: float = Field(gt=0.0, le=86400.0)
    # the sensing fidelity: "full" (the whole chain: sensors, tracks, fire-control quality), "screening"
    # (first detection plus the doctrine's delay: optimistic) or "ideal" (known from launch: a bound)
    sensing: Literal["full", "screening", "ideal"] = "full"
    space_epoch: Literal["random", "fixed"] = (
        "random"  # constellation phase: random per trial, or the epoch's
    )

    @field_validator("sensing", mode="before")
    @classmethod
    def _renamed_sensing(cls, value: Any) -> Any:
        if isinstance(value, str) and value in RENAMED_SENSING:
            raise ValueError(f"sensing {value!r} is now called {RENAMED_SENSING[value]!r}")
        return value

    @field_validator("epoch_utc")
    @classmethod
    def _epoch(cls, text: str) -> str:
        try:
            parse_epoch_utc(text)
        except ValueError as exc:
            raise ValueError(f"not an ISO-8601 UTC time such as 2026-01-01T00:00:00Z ({exc})") from None
        return text


class SensorSpec(StrictModel):
    name: str | None = None
    deployment: str | None = None
    sensor: str | None = None
    band: str | None = None  # replaces the radar class's band
    site: str | None = None
    lat_deg: float | None = Field(default=None, ge=-90.0, le=90.0)
    lon_deg: float | None = Field(default=None, ge=-180.0, le=360.0)
    alt_m: float | None = Field(default=None, ge=-500.0, le=10000.0)
    override: dict[str, Number | list[Number]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _where(self) -> SensorSpec:
        point = _point_given(self.lat_deg, self.lon_deg)
        if self.deployment is None and (self.sensor is None or (self.site is None and not point)):
            raise ValueError("give a deployment id, or a sensor class with a site (or lat_deg/lon_deg)")
        return self


class InterceptorSiteSpec(StrictModel):
    name: str | None = None
    deployment: str | None = None
    interceptor: str | None = None
    site: str | None = None
    lat_deg: float | None = Field(default=None, ge=-90.0, le=90.0)
    lon_deg: float | None = Field(default=None, ge=-180.0, le=360.0)
    alt_m: float | None = Field(default=None, ge=-500.0, le=10000.0)
    inventory: int | None = Field(default=None, ge=0, le=1_000_000)
    override: dict[str, Number] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _where(self) -> InterceptorSiteSpec:
        point = _point_given(self.lat_deg, self.lon_deg)
        if self.deployment is None and (self.interceptor is None or (self.site is None and not point)):
            raise ValueError("give a deployment id, or an interceptor class with a site (or lat_deg/lon_deg)")
        if self.deployment is None and self.inventory is None:
            raise ValueError("inventory is required when no deployment is named")
        return self


class WalkerSpec(StrictModel):
    """A Walker pattern ``inc: planes x per_plane / phasing`` of circular orbits."""

    alt_km: float = Field(ge=100.0, le=100_000.0)
    inc_deg: float = Field(ge=0.0, le=180.0)
    planes: int = Field(ge=1, le=10_000)
    per_plane: int = Field(ge=1, le=10_000)
    phasing: int = Field(default=1, ge=0)
    pattern: Literal["delta", "star"] = "delta"
    raan0_deg: float = Field(default=0.0, ge=0.0, lt=360.0)

    @model_validator(mode="after")
    def _phasing(self) -> WalkerSpec:
        if self.phasing >= self.planes:
            raise ValueError(
                f"phasing must be between 0 and planes - 1 = {self.planes - 1} (got {self.phasing})"
            )
        return self


class ConstellationSpec(StrictModel):
    """Satellites carrying one payload (a space sensor or an interceptor class)."""

    name: str | None = None
    constellation: str | None = None  # catalogue id: its orbit and payload, unless given here
    walker: WalkerSpec | None = None
    elements_deg: list[tuple[float, float, float, float, float, float]] | None = Field(
        default=None, min_length=1
    )  # rows [alt_km, e, inc_deg, raan_deg, argp_deg, mean_anomaly_deg]
    geo_lon_deg: list[float] | None = Field(default=None, min_length=1)
    tle_file: str | None = None  # TLE or OMM (.csv/.xml) file, relative to the scenario file
    sensor: str | None = None
    interceptor: str | None = None
    per_satellite: int | None = Field(default=None, ge=1, le=100)  # interceptors per satellite
    salvo_size: int | None = Field(default=None, ge=1, le=16)  # SBIs fired at one missile
    override: dict[str, Number] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _what(self) -> ConstellationSpec:
        orbits = [self.walker, self.elements_deg, self.geo_lon_deg, self.tle_file]
        given = sum(x is not None for x in orbits)
        if given > 1 or (given == 0 and self.constellation is None):
            raise ValueError(
                "give the orbits once: walker, elements_deg, geo_lon_deg or tle_file "
                "(or a catalogue constellation id)"
            )
        if self.sensor is not None and self.interceptor is not None:
            raise ValueError("a constellation carries a sensor or an interceptor, not both")
        if self.constellation is None and self.sensor is None and self.interceptor is None:
            raise ValueError("give the payload: sensor = <space sensor class> or interceptor = <SBI class>")
        return self


class AssetSpec(StrictModel):
    id: str | None = None
    name: str | None = None
    lat_deg: float | None = Field(default=None, ge=-90.0, le=90.0)
    lon_deg: float | None = Field(default=None, ge=-180.0, le=360.0)
    country: str | None = None  # "US", "CA" (catalogue assets carry theirs)
    value: float | None = Field(default=None, gt=0.0)  # default: the catalogue population, else 1
    priority: int = Field(default=2, ge=1, le=3)  # 1 highest: reserves are spent on its threats

    @model_validator(mode="after")
    def _what(self) -> AssetSpec:
        if self.id is None and not (self.name and _point_given(self.lat_deg, self.lon_deg)):
            raise ValueError("give a catalogue asset id, or a name with lat_deg and lon_deg")
        return self


class TrackingSpec(StrictModel):
    """Overrides of the tracker defaults (catalogue ``[tracking.default]``) of the full chain."""

    override: dict[str, Number] = Field(default_factory=dict)


class DoctrineSpec(StrictModel):
    # none: every object seen is engaged; perfect: only warheads; sensors: decoys recognised with the
    # discrimination probability of the radars that tracked them in midcourse (full chain)
    discrimination: Literal["none", "perfect", "sensors"] = "none"
    cue_delay_s: float | None = Field(default=None, ge=0.0)
    kill_assessment_s: float | None = Field(default=None, ge=0.0)
    salvo_size: int | None = Field(default=None, ge=1, le=16)
    max_engagements: int | None = Field(default=None, ge=1, le=8)
    engagements_per_layer: int = Field(default=0, ge=0, le=8)  # 0: no limit; 1: layers in series
    reserve_frac: dict[str, float] = Field(default_factory=dict)  # layer -> share kept for priority-1 threats
    threat_radius_km: float = Field(default=50.0, gt=0.0, le=2000.0)
    site_kill_radius_km: float | None = Field(default=None, ge=0.0, le=100.0)  # a leaker this close razes it
    # earliest: each ready object takes the battery that intercepts it first; value: the objects ready at
    # once share the batteries by maximum marginal return on the value of the assets they threaten
    assignment: Literal["earliest", "value"] = "earliest"

    @field_validator("reserve_frac")
    @classmethod
    def _fractions(cls, value: dict[str, float]) -> dict[str, float]:
        for layer, frac in value.items():
            if not 0.0 <= frac <= 1.0:
                raise ValueError(f"reserve_frac.{layer} must be between 0 and 1 (got {frac})")
        return value


class NoradSpec(StrictModel):
    """Bi-national switches: Canadian sensors and interceptor sites, Canadian cities as defended assets."""

    canada_sensors: bool = True
    canada_sites: bool = True
    canada_assets: bool = True
    defend_all_cities: bool = False  # every catalogue city of the countries included becomes an asset


class CostElementSpec(StrictModel):
    """Overrides of one element class's cost parameters (catalogue ``[cost.<id>]``, ``unit_cost_musd``).

    Money is in millions of dollars of the estimate's ``dollar_year`` (``launch_usd_per_kg`` and
    ``spacecraft_usd_per_kg``: dollars per kg).
    """

    unit_cost_musd: float | None = Field(default=None, ge=0.0)
    development_musd: float | None = Field(default=None, ge=0.0)
    battery_cost_musd: float | None = Field(default=None, ge=0.0)  # one-off, per interceptor site
    ops_musd_per_unit_year: float | None = Field(default=None, ge=0.0)
    ops_musd_per_year: float | None = Field(default=None, ge=0.0)
    ops_musd_per_site_year: float | None = Field(default=None, ge=0.0)  # per interceptor site or radar
    unit_cost_basis: Literal["unit_cost", "mass"] | None = None  # "mass": mass_kg x spacecraft_usd_per_kg
    spacecraft_usd_per_kg: float | None = Field(default=None, ge=0.0)
    launch_payload_kg: float | None = Field(default=None, gt=0.0)  # units per launch = payload // mass
    service_life_years: float | None = Field(default=None, gt=0.0, le=1000.0)
    learning_rate: float | None = Field(default=None, gt=0.0, le=1.0)
    prior_units: int | None = Field(default=None, ge=0)
    mass_kg: float | None = Field(default=None, ge=0.0)
    launch_usd_per_kg: float | None = Field(default=None, ge=0.0)
    launch_price_musd: float | None = Field(default=None, ge=0.0)
    units_per_launch: int | None = Field(default=None, ge=1, le=100_000)
    launches_per_year: float | None = Field(default=None, gt=0.0)
    production_per_year: float | None = Field(default=None, gt=0.0)
    start_year: int | None = Field(default=None, ge=1900, le=2200)
    existing_units: int | None = Field(default=None, ge=0)
    norad_shared: bool | None = None


class CostSpec(StrictModel):
    """The optional ``[cost]`` table: lifecycle-cost settings of ``domesim cost`` (defaults: catalogue
    ``[cost_defaults.default]``), and per-element overrides in ``[cost.element.<id>]``."""

    horizon_years: int | None = Field(default=None, ge=1, le=100)
    dollar_year: int | None = Field(default=None, ge=1900, le=2200)
    first_year: int | None = Field(default=None, ge=1900, le=2200)  # default: the epoch's year
    operational_year: int | None = Field(default=None, ge=1900, le=2200)  # "operational by" check
    canada_share: float | None = Field(default=None, ge=0.0, le=1.0)
    launch_usd_per_kg: float | None = Field(default=None, ge=0.0)
    launch_price: str | None = None  # a [launch_price.<id>] of the catalogue (costs.toml)
    element: dict[str, CostElementSpec] = Field(default_factory=dict)


class WaveSpec(StrictModel):
    """One raid of a campaign: its [[threat]] blocks name it (``wave = "<name>"``); their launch times
    count from its start."""

    name: str = Field(min_length=1, max_length=80)
    start_h: float = Field(default=0.0, ge=0.0, le=8766.0)  # hours after the scenario epoch (a year at most)
    description: str = ""


class AsatSpec(StrictModel):
    """Direct-ascent anti-satellite interceptors fired at the space-based interceptor layers before a wave
    (catalogue ``[asat.<id>]``: reach, kill probability)."""

    name: str | None = None
    asat: str = "da_asat"
    wave: str | None = None  # the wave it prepares; none: the first
    count: int = Field(ge=1, le=1000)  # interceptors fired, one per satellite
    launch_region: str | None = None
    launch_lat_deg: float | None = Field(default=None, ge=-90.0, le=90.0)
    launch_lon_deg: float | None = Field(default=None, ge=-180.0, le=360.0)
    target: list[str] | None = Field(default=None, min_length=1)  # SBI constellations (none: every one)
    strike_before_s: float = Field(default=0.0, ge=0.0, le=86400.0)  # before the wave's clock starts
    override: dict[str, Number] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _where(self) -> AsatSpec:
        if (self.launch_region is not None) == _point_given(self.launch_lat_deg, self.launch_lon_deg):
            raise ValueError("give either launch_region or both launch_lat_deg and launch_lon_deg")
        return self


class MonteCarloSpec(StrictModel):
    trials: int = Field(default=1000, ge=1, le=10_000_000)
    seed: int = Field(default=0, ge=0)
    chunk_trials: int = Field(default=100, ge=1, le=100_000)

    @field_validator("seed")
    @classmethod
    def _seed(cls, value: int) -> int:
        return seed_in_range(value)


class ScenarioBase(StrictModel):
    """Every table of a scenario file but the [[threat]] blocks (their union is added by
    :func:`scenario_model` from the registered families)."""

    scenario: ScenarioSection
    sensor: list[SensorSpec] = Field(default_factory=list)
    interceptor_site: list[InterceptorSiteSpec] = Field(default_factory=list)
    asset: list[AssetSpec] = Field(default_factory=list)
    constellation: list[ConstellationSpec] = Field(default_factory=list)
    doctrine: DoctrineSpec = Field(default_factory=DoctrineSpec)
    tracking: TrackingSpec = Field(default_factory=TrackingSpec)
    norad: NoradSpec = Field(default_factory=NoradSpec)
    montecarlo: MonteCarloSpec = Field(default_factory=MonteCarloSpec)
    cost: CostSpec = Field(default_factory=CostSpec)
    wave: list[WaveSpec] = Field(default_factory=list)  # a campaign's raids (none: one raid)
    asat: list[AsatSpec] = Field(default_factory=list)  # attacks on the space layer


# The catalogue whose ``family`` fields discriminate the threat blocks being validated (a sensitivity
# study validates against a modified catalogue; a plug-in family brings catalogue entries of its own).
_CATALOGUE: ContextVar[Catalogue | None] = ContextVar("domesim_schema_catalogue", default=None)
UNKNOWN_FAMILY = "unknown family"  # tag of a block whose class no registered family builds


@contextmanager
def catalogue_for_validation(catalogue: Catalogue | None):
    """Validate threat blocks against ``catalogue``'s families inside the ``with`` block."""
    token = _CATALOGUE.set(catalogue)
    try:
        yield
    finally:
        _CATALOGUE.reset(token)


def threat_family_tag(block: Any) -> str:
    """The registered family of a [[threat]] block (raw dict or model), from its class's catalogue entry."""
    for registered in threat_families():  # a validated block is of its family's type
        if type(block) is registered.block:
            return registered.name
    if isinstance(block, dict):
        threat_class = block.get("class", block.get("threat_class"))
    else:
        threat_class = getattr(block, "threat_class", None)
    catalogue = _CATALOGUE.get() or load_catalogue()
    if not isinstance(threat_class, str) or not catalogue.has("threat", threat_class):
        return UNKNOWN_FAMILY
    family = threat_families().for_family(catalogue.entry("threat", threat_class).fields.get("family"))
    return family.name if family is not None else UNKNOWN_FAMILY


def threat_block_type() -> Any:
    """``[[threat]]``: a union of the registered families' blocks, discriminated by the class's family."""
    members = [Annotated[family.block, Tag(family.name)] for family in threat_families()]
    members.append(Annotated[UnknownThreatBlock, Tag(UNKNOWN_FAMILY)])
    return Annotated[Union[tuple(members)], Discriminator(threat_family_tag)]  # noqa: UP007


class ScenarioFile(ScenarioBase):
    """A validated scenario file. This class types it; validate with :func:`scenario_model`, whose
    subclass of it takes each [[threat]] block as the block of its registered family."""

    threat: list[ThreatBlock] = Field(min_length=1)


_MODELS: dict[int, type[ScenarioFile]] = {}


def scenario_model() -> type[ScenarioFile]:
    """The scenario file's model for the threat families registered now (rebuilt when one is added)."""
    version = threat_families().version
    if version not in _MODELS:
        _MODELS.clear()
        blocks: Any = list[threat_block_type()]  # type: ignore[misc]
        _MODELS[version] = create_model(
            "ScenarioFile",
            __base__=ScenarioFile,
            __module__=__name__,
            threat=(blocks, Field(min_length=1)),
        )
    return _MODELS[version]
