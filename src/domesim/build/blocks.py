"""Building blocks of the scenario schema shared by every kind: the strict base model, places, and the
keys every ``[[threat]]`` block has whatever its family (each family adds its own: ``build/threats/``).

Unknown keys are errors (a key without its unit suffix is an unknown key, and the loader's message
suggests the suffixed one). Numbers must be finite.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

Number = float | int


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, populate_by_name=True)


def point_given(lat: float | None, lon: float | None) -> bool:
    """Whether a latitude/longitude pair is given (both or neither, else an error)."""
    if (lat is None) != (lon is None):
        raise ValueError("give both lat_deg and lon_deg (or neither)")
    return lat is not None and lon is not None


class NoDispersion(StrictModel):
    """A family without per-trial dispersions."""


class ThreatBlock(StrictModel):
    """The keys of a ``[[threat]]`` block common to every family: what, how many, from where, at what,
    when. A family's block subclasses this with its own keys and its own ``dispersion`` table."""

    name: str | None = None
    threat_class: str = Field(alias="class", min_length=1)
    count: int = Field(default=1, ge=1, le=1000)
    launch_region: str | None = None
    launch_lat_deg: float | None = Field(default=None, ge=-90.0, le=90.0)
    launch_lon_deg: float | None = Field(default=None, ge=-180.0, le=360.0)
    aim_asset: str | None = None
    aim_assets: list[str] | None = Field(default=None, min_length=1)  # salvo members cycle through these
    aim_at_defended_assets: bool = False  # salvo members cycle through the scenario's [[asset]] list
    aim_site: str | None = None  # a catalogue site (an interceptor or radar site) as the aim point
    aim_lat_deg: float | None = Field(default=None, ge=-90.0, le=90.0)
    aim_lon_deg: float | None = Field(default=None, ge=-180.0, le=360.0)
    launch_time_s: float = Field(default=0.0, ge=0.0)
    launch_interval_s: float = Field(default=0.0, ge=0.0)
    wave: str | None = None  # the [[wave]] it belongs to (a campaign); none: the first wave
    override: dict[str, Number | list[Number]] = Field(default_factory=dict)
    dispersion: NoDispersion = Field(default_factory=NoDispersion)

    @model_validator(mode="after")
    def _places(self) -> ThreatBlock:
        if (self.launch_region is not None) == point_given(self.launch_lat_deg, self.launch_lon_deg):
            raise ValueError("give either launch_region or both launch_lat_deg and launch_lon_deg")
        aims = [
            self.aim_asset is not None,
            self.aim_assets is not None,
            self.aim_at_defended_assets,
            self.aim_site is not None,
            point_given(self.aim_lat_deg, self.aim_lon_deg),
        ]
        if sum(aims) != 1:
            raise ValueError(
                "give one of aim_asset, aim_assets, aim_at_defended_assets = true, aim_site, "
                "or both aim_lat_deg and aim_lon_deg"
            )
        return self


class UnknownThreatBlock(ThreatBlock):
    """A block whose class no registered family builds: its own keys are not checked here, the builder
    reports the unknown class (with suggestions) instead."""

    model_config = ConfigDict(extra="allow")
    dispersion: dict[str, Any] = Field(default_factory=dict)  # type: ignore[assignment]
