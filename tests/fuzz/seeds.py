"""The seed corpus the fuzzer mutates: the shipped example scenarios and sweeps, and a small valid
TLE/OMM set with the scenario that reads it.

Everything here is valid: each seed, unmutated, must validate and run (the campaign checks that first,
so that a broken seed is never mistaken for a finding).
"""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
SWEEPS = EXAMPLES / "sweeps"


def tle_checksum(line: str) -> int:
    """Modulo-10 checksum of columns 1-68 of a TLE line (digits count their value, '-' counts 1)."""
    return sum(int(c) if c.isdigit() else c == "-" for c in line[:68]) % 10


def _with_checksum(line68: str) -> str:
    assert len(line68) == 68, line68
    return line68 + str(tle_checksum(line68))


# Public element sets: the ISS of the python-sgp4 README and VANGUARD 1 of Vallado's SGP4-VER.TLE, plus a
# Starlink-like shell satellite written here (53 deg, 550 km; its checksums computed, not copied).
TLE_SETS: tuple[tuple[str, str, str], ...] = (
    (
        "ISS (ZARYA)",
        "1 25544U 98067A   19343.69339541  .00001764  00000-0  38792-4 0  9991",
        "2 25544  51.6439 211.2001 0007417  17.6667  85.6398 15.50103472202482",
    ),
    (
        "VANGUARD 1",
        "1 00005U 58002B   00179.78495062  .00000023  00000-0  28098-4 0  4753",
        "2 00005  34.2682 348.7242 1859667 331.7664  19.3264 10.82419157413667",
    ),
    (
        "STARLINK-LIKE 1",
        _with_checksum("1 44713U 19074A   19343.50000000  .00000500  00000-0  35000-4 0  999"),
        _with_checksum("2 44713  53.0000 120.0000 0001400  90.0000 270.0000 15.0550000001000"),
    ),
)

# The scenario a TLE/OMM seed sits under: one ICBM and a space sensor layer read from the file.
SPACE_SCENARIO = """\
[scenario]
name = "fuzz-space"
epoch_utc = "2019-12-10T00:00:00Z"
duration_s = 3000.0

[[threat]]
class = "icbm_solid"
launch_region = "north_korea"
aim_asset = "seattle"

[[asset]]
id = "seattle"

[[constellation]]
name = "tle-layer"
sensor = "leo_wide_field"
tle_file = "sats.tle"

[montecarlo]
trials = 2
seed = 1
"""


def tle_text(three_line: bool = True) -> str:
    rows = [row for sat in TLE_SETS for row in (sat if three_line else sat[1:])]
    return "\n".join(rows) + "\n"


@cache
def omm_records() -> tuple[dict[str, str], ...]:
    """The TLE set as OMM records (python-sgp4's own exporter)."""
    from sgp4.api import WGS72, Satrec
    from sgp4.exporter import export_omm

    return tuple(
        {k: str(v) for k, v in export_omm(Satrec.twoline2rv(l1, l2, WGS72), name).items()}
        for name, l1, l2 in TLE_SETS
    )


_XML_GROUPS = {  # the OMM XML groups of CCSDS 502.0-B-3 and the keywords each holds
    "metadata": "OBJECT_NAME OBJECT_ID CENTER_NAME REF_FRAME TIME_SYSTEM MEAN_ELEMENT_THEORY",
    "meanElements": "EPOCH MEAN_MOTION ECCENTRICITY INCLINATION RA_OF_ASC_NODE ARG_OF_PERICENTER "
    "MEAN_ANOMALY",
    "tleParameters": "EPHEMERIS_TYPE CLASSIFICATION_TYPE NORAD_CAT_ID ELEMENT_SET_NO REV_AT_EPOCH BSTAR "
    "MEAN_MOTION_DOT MEAN_MOTION_DDOT",
}


def omm_text(fmt: str, records: list[dict[str, object]] | None = None) -> str:
    """The OMM records as ``csv`` (header row), ``json`` (a list) or ``xml`` (ndm/omm/body/segment)."""
    rows = list(records if records is not None else omm_records())
    if fmt == "json":
        return json.dumps(rows, indent=1)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["OBJECT_NAME"])
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    segments = []
    for row in rows:
        part = {
            group: "".join(f"<{k}>{row[k]}</{k}>" for k in keys.split() if k in row)
            for group, keys in _XML_GROUPS.items()
        }
        segments.append(
            f"<segment><metadata>{part['metadata']}</metadata><data><meanElements>{part['meanElements']}"
            f"</meanElements><tleParameters>{part['tleParameters']}</tleParameters></data></segment>"
        )
    body = "\n".join(segments)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<ndm><omm><body>\n{body}\n</body></omm></ndm>\n'


def scenario_seeds() -> dict[str, str]:
    """File name -> text of every shipped example scenario."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.toml"))}


def sweep_seeds() -> dict[str, str]:
    """File name -> text of every shipped example sweep (each names its base scenario as ../<example>)."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SWEEPS.glob("*.toml"))}
