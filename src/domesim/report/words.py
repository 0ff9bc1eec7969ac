"""Words and numbers for the run report's two readers: display names, shares, sensible rounding, glossary.

The run's tables name things by catalogue id (``washington_dc``, ``upper_tier``, ``pac3_mse``); a reader
wants "Washington, D.C.", "upper tier (THAAD class)" and "Patriot PAC-3 MSE". Names come from the
catalogue's ``name`` fields and, for layers, from :data:`LAYER_NAMES`. An id the catalogue does not know
is shown with its underscores as spaces.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from domesim.viz.report_figures import probability_text

__all__ = [
    "GLOSSARY",
    "LAYER_NAMES",
    "asset_name",
    "count_text",
    "element_name",
    "interceptor_name",
    "layer_name",
    "money_text",
    "probability_text",
    "share_text",
    "site_name",
]

#: Display names of the layers a run or a cost breakdown can name.
LAYER_NAMES: dict[str, str] = {
    "boost": "boost phase",
    "midcourse": "midcourse",
    "upper_tier": "upper tier (THAAD class)",
    "lower_tier": "lower tier (Patriot class)",
    "terminal": "terminal",
    "space_sensors": "space sensors",
    "ground_sensors": "ground sensors",
    "unassigned": "unassigned",
}

#: Terms the report uses, in the order a reader meets them.
GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "trial",
        "One simulated attack, with its own random draws (dispersions, detections, kills). The "
        "figures are averages or shares over the trials.",
    ),
    (
        "warhead",
        "A lethal object (re-entry vehicle, glide vehicle, cruise missile). Leakers, the chance "
        'of no leak and "warheads killed" count warheads only.',
    ),
    (
        "decoy, bus",
        "Non-lethal objects of a missile: penetration aids and the post-boost vehicle that "
        'carried the warheads. Interceptors spent on them are counted apart ("other '
        'objects killed").',
    ),
    (
        "leaker",
        "A warhead that reaches the ground unkilled. Each leaker gets one cause: the first link of "
        "the kill chain that failed for it.",
    ),
    (
        "P(no leak)",
        "The share of trials in which no warhead leaked, with its 95 % Wilson score interval "
        "(the trials are a finite sample).",
    ),
    (
        "layer",
        "Interceptors grouped by where they engage: boost phase (space-based interceptors on the "
        "rising missile), midcourse (outside the atmosphere), upper tier (THAAD class, high "
        "endo- and exo-atmospheric) and lower tier (Patriot class, low in the atmosphere).",
    ),
    (
        "salvo",
        "The interceptors fired together at one object; kills per salvo is the share of salvos "
        "that killed their object (any object, warhead or not).",
    ),
    (
        "fire-control track",
        "A track accurate enough for an interceptor class to commit on it (its fire-control accuracy).",
    ),
    (
        "inventory, share used",
        "Interceptors available at a site or in a constellation, and the mean "
        "number fired per trial as a share of them. A space-based layer's "
        "inventory is its whole constellation, most of it out of reach at any "
        "moment.",
    ),
    (
        "sensing fidelity",
        "How detection is modelled: full (radar looks, tracker, fire-control tracks), "
        "screening (coverage plus a delay: optimistic) or ideal (every object known "
        "at once: an upper bound).",
    ),
    (
        "lifecycle cost",
        "Development, acquisition, launch and operations and support over the horizon, "
        "in constant dollars. A part with no public figure is not costed: it is left "
        "out of the totals, which are then lower bounds.",
    ),
    (
        "provenance tag",
        "How each parameter is known (see the table at the end): verified, derived, "
        "recalled, assumed or set by the scenario.",
    ),
)


@lru_cache(maxsize=1)
def _catalogue() -> Any:
    try:
        from domesim.build.catalogue import load_catalogue

        return load_catalogue()
    except Exception:  # a report is still written, with ids for names
        return None


def _plain(entry_id: str) -> str:
    return entry_id.replace("_", " ")


def _field(section: str, entry_id: str, key: str = "name") -> str | None:
    cat = _catalogue()
    if cat is None or not cat.has(section, entry_id):
        return None
    value = cat.entry(section, entry_id).fields.get(key)
    return str(value) if value else None


def layer_name(layer: str) -> str:
    """Display name of a layer id.

    >>> layer_name("upper_tier"), layer_name("some_new_layer")
    ('upper tier (THAAD class)', 'some new layer')
    """
    return LAYER_NAMES.get(layer, _plain(layer))


def asset_name(asset: str) -> str:
    """The catalogue name of a defended asset id ("Washington, D.C." for ``washington_dc``)."""
    return _field("asset", asset) or _plain(asset)


def interceptor_name(interceptor: str) -> str:
    """A short display name of an interceptor class: its catalogue name without the parenthesis."""
    name = _field("interceptor", interceptor)
    return name.split(" (")[0] if name else _plain(interceptor)


def element_name(element: str) -> str:
    """A short display name of a costed element (an interceptor or sensor class): its catalogue name
    without the parenthesis ("Cobra Dane" for ``cobra_dane``)."""
    for section in ("interceptor", "sensor"):
        name = _field(section, element)
        if name:
            return name.split(" (")[0]
    return _plain(element)


def site_name(battery: str) -> str:
    """Display name of a battery or constellation: its deployment's site, else the id in words."""
    site = _field("deployment", battery, "site")
    name = _field("site", site) if site else None
    return name or _plain(battery)


def count_text(x: float | None) -> str:
    """A mean count per trial, rounded so that a small non-zero mean never reads 0.00.

    >>> count_text(13.73), count_text(0.458), count_text(0.008), count_text(0.0), count_text(None)
    ('13.7', '0.46', '0.008', '0', '—')
    """
    if x is None or not math.isfinite(x):
        return "—"
    if x == 0:
        return "0"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 0.1:
        return f"{x:.2f}"
    return f"{x:.2g}"


def share_text(part: float, whole: float) -> str:
    """``part`` as a percentage of ``whole``; never "0 %" for a non-zero part.

    >>> share_text(9.2, 7800), share_text(36.4, 40), share_text(0, 72), share_text(0.002, 7800)
    ('0.12 %', '91 %', '0 %', '<0.01 %')
    >>> share_text(1, 0)
    '—'

    """
    if not whole or not math.isfinite(whole) or not math.isfinite(part):
        return "—"
    pct = 100.0 * part / whole
    if part == 0:
        return "0 %"
    if pct < 0.01:
        return "<0.01 %"
    if pct < 1:
        return f"{pct:.2g} %"
    return f"{pct:.0f} %"


def money_text(usd: float | None) -> str:
    """US dollars in words-sized units; ``None`` (a part with no public figure) reads "not costed".

    >>> money_text(736.9e9), money_text(3.2e9), money_text(45e6), money_text(0.0), money_text(None)
    ('$737 billion', '$3.2 billion', '$45 million', '$0', 'not costed')
    """
    if usd is None or not math.isfinite(usd):
        return "not costed"
    if usd == 0:
        return "$0"
    for scale, unit in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(usd) >= scale:
            v = usd / scale
            return f"${v:.3g} {unit}" if v < 100 else f"${v:.0f} {unit}"
    return f"${usd:,.0f}"
