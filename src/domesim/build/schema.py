"""Scenario file schema (TOML -> pydantic). Human units, carried as key suffixes; validated here.

Unknown keys are errors (a key without its unit suffix is an unknown key, and the message suggests
the suffixed one). Numbers must be finite.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domesim.core.timegrid import parse_epoch_utc

Number = float | int


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, populate_by_name=True)


class ScenarioSection(StrictModel):
    name: str = Field(min_length=1)
    description: str = ""
    epoch_utc: str = "2026-01-01T00:00:00Z"
    step_s: float = Field(default=2.0, gt=0.0, le=60.0)
    duration_s: float = Field(gt=0.0, le=86400.0)
    sensing: Literal["cued", "tracked", "ideal"] = "cued"
    space_epoch: Literal["random", "fixed"] = (
        "random"  # constellation phase: random per trial, or the epoch's
    )

    @field_validator("epoch_utc")
    @classmethod
    def _epoch(cls, text: str) -> str:
        try:
            parse_epoch_utc(text)
        except ValueError as exc:
            raise ValueError(f"not an ISO-8601 UTC time such as 2026-01-01T00:00:00Z ({exc})") from None
        return text


class Dispersion(StrictModel):
    """Per-trial 1-sigma dispersions of the launch solution (0 = off)."""

    azimuth_sigma_deg: float = Field(default=0.0, ge=0.0, le=10.0)
    pitch_sigma_deg: float = Field(default=0.0, ge=0.0, le=10.0)
    thrust_sigma_frac: float = Field(default=0.0, ge=0.0, le=0.2)
    beta_sigma_frac: float = Field(default=0.0, ge=0.0, le=1.0)
    ld_sigma_frac: float = Field(default=0.0, ge=0.0, le=0.5)  # glide vehicles: lift-to-drag ratio
    aim_sigma_m: float = Field(default=0.0, ge=0.0, le=1e5)  # glide vehicles: guidance aim error per axis
    speed_sigma_frac: float = Field(default=0.0, ge=0.0, le=0.2)  # cruise missiles: cruise speed
    cross_track_sigma_m: float = Field(default=0.0, ge=0.0, le=1e5)  # cruise missiles: route offset
    launch_t_sigma_s: float = Field(default=0.0, ge=0.0, le=3600.0)  # cruise missiles: launch time


def _point_given(lat, lon) -> bool:
    if (lat is None) != (lon is None):
        raise ValueError("give both lat_deg and lon_deg (or neither)")
    return lat is not None and lon is not None


class PayloadSpec(StrictModel):
    """What the missile's post-boost vehicle carries beyond the RV aimed at the threat's aim point."""

    rv_aim_assets: list[str] = Field(default_factory=list, max_length=20)
    decoys: int = Field(default=0, ge=0, le=100)
    decoy_class: str = "light_decoy"
    bus: str = "generic"


class ThreatSpec(StrictModel):
    name: str | None = None
    threat_class: str = Field(alias="class", min_length=1)
    count: int = Field(default=1, ge=1, le=1000)
    launch_region: str | None = None
    launch_lat_deg: float | None = Field(default=None, ge=-90.0, le=90.0)
    launch_lon_deg: float | None = Field(default=None, ge=-180.0, le=360.0)
    aim_asset: str | None = None
    aim_assets: list[str] | None = Field(default=None, min_length=1)  # salvo members cycle through these
    aim_at_defended_assets: bool = False  # salvo members cycle through the scenario's [[asset]] list
    aim_lat_deg: float | None = Field(default=None, ge=-90.0, le=90.0)
    aim_lon_deg: float | None = Field(default=None, ge=-180.0, le=360.0)
    launch_time_s: float = Field(default=0.0, ge=0.0)
    launch_interval_s: float = Field(default=0.0, ge=0.0)
    loft_deg: float = Field(default=0.0, ge=-30.0, le=30.0)
    approach: Literal["short", "long"] = "short"  # fractional orbits: the short or the long way round
    waypoints_deg: list[tuple[float, float]] = Field(
        default_factory=list, max_length=50
    )  # cruise: (lat, lon)
    launch_alt_m: float = Field(default=0.0, ge=0.0, le=20000.0)  # cruise: air launch altitude
    override: dict[str, Number | list[Number]] = Field(default_factory=dict)
    dispersion: Dispersion = Field(default_factory=Dispersion)
    payload: PayloadSpec | None = None

    @model_validator(mode="after")
    def _places(self) -> ThreatSpec:
        if (self.launch_region is not None) == _point_given(self.launch_lat_deg, self.launch_lon_deg):
            raise ValueError("give either launch_region or both launch_lat_deg and launch_lon_deg")
        aims = [
            self.aim_asset is not None,
            self.aim_assets is not None,
            self.aim_at_defended_assets,
            _point_given(self.aim_lat_deg, self.aim_lon_deg),
        ]
        if sum(aims) != 1:
            raise ValueError(
                "give one of aim_asset, aim_assets, aim_at_defended_assets = true, "
                "or both aim_lat_deg and aim_lon_deg"
            )
        return self


class SensorSpec(StrictModel):
    name: str | None = None
    deployment: str | None = None
    sensor: str | None = None
    band: str | None = None  # replaces the radar class's band (tracked sensing)
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
    """Overrides of the tracker defaults (catalogue ``[tracking.default]``) for sensing = "tracked"."""

    override: dict[str, Number] = Field(default_factory=dict)


class DoctrineSpec(StrictModel):
    # none: every object seen is engaged; perfect: only warheads; sensors: decoys recognised with the
    # discrimination probability of the radars that tracked them in midcourse (tracked sensing)
    discrimination: Literal["none", "perfect", "sensors"] = "none"
    cue_delay_s: float | None = Field(default=None, ge=0.0)
    kill_assessment_s: float | None = Field(default=None, ge=0.0)
    salvo_size: int | None = Field(default=None, ge=1, le=16)
    max_engagements: int | None = Field(default=None, ge=1, le=8)
    engagements_per_layer: int = Field(default=0, ge=0, le=8)  # 0: no limit; 1: layers in series
    reserve_frac: dict[str, float] = Field(default_factory=dict)  # layer -> share kept for priority-1 threats
    threat_radius_km: float = Field(default=50.0, gt=0.0, le=2000.0)
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

    Money is in millions of dollars of the estimate's ``dollar_year`` (``launch_usd_per_kg``: dollars).
    """

    unit_cost_musd: float | None = Field(default=None, ge=0.0)
    development_musd: float | None = Field(default=None, ge=0.0)
    battery_cost_musd: float | None = Field(default=None, ge=0.0)  # one-off, per interceptor site
    ops_musd_per_unit_year: float | None = Field(default=None, ge=0.0)
    ops_musd_per_year: float | None = Field(default=None, ge=0.0)
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
    element: dict[str, CostElementSpec] = Field(default_factory=dict)


class MonteCarloSpec(StrictModel):
    trials: int = Field(default=1000, ge=1, le=10_000_000)
    seed: int = Field(default=0, ge=0)
    chunk_trials: int = Field(default=100, ge=1, le=100_000)


class ScenarioFile(StrictModel):
    scenario: ScenarioSection
    threat: list[ThreatSpec] = Field(min_length=1)
    sensor: list[SensorSpec] = Field(default_factory=list)
    interceptor_site: list[InterceptorSiteSpec] = Field(default_factory=list)
    asset: list[AssetSpec] = Field(default_factory=list)
    constellation: list[ConstellationSpec] = Field(default_factory=list)
    doctrine: DoctrineSpec = Field(default_factory=DoctrineSpec)
    tracking: TrackingSpec = Field(default_factory=TrackingSpec)
    norad: NoradSpec = Field(default_factory=NoradSpec)
    montecarlo: MonteCarloSpec = Field(default_factory=MonteCarloSpec)
    cost: CostSpec = Field(default_factory=CostSpec)
