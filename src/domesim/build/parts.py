"""What the builders of the site-placed and orbiting components add to the World, gathered in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from domesim.interceptors.flyout import Battery
    from domesim.interceptors.sbi import SbiLayer
    from domesim.sensors.radar import Radar
    from domesim.sensors.space_ir import SpaceSensorLayer


@dataclass
class WorldParts:
    """The sensors and weapons built so far; each kind's builder appends what it builds."""

    radars: list[Radar] = field(default_factory=list)  # the [[sensor]] radars
    ground_batteries: list[Battery] = field(default_factory=list)
    space_sensors: list[SpaceSensorLayer] = field(default_factory=list)
    sbi_layers: list[SbiLayer] = field(default_factory=list)
    sbi_batteries: list[Battery] = field(default_factory=list)  # one per SBI layer, in the same order
