"""The run report's figures (domesim.viz.report_figures): the leaker map's absolute bubble scale, the
altitude figure's cap for large raids."""

from __future__ import annotations

import numpy as np

from domesim.viz.report_figures import (
    BUBBLE_AREA_PT2_AT_1,
    MAX_ALTITUDE_LINES,
    altitude_selection,
    bubble_area_pt2,
    leaker_bubbles,
    leaker_map_figure,
    probability_text,
)


def _assets(p_hit: list[float]) -> dict[str, np.ndarray]:
    n = len(p_hit)
    return {
        "asset": np.array([f"a{i}" for i in range(n)]),
        "country": np.full(n, "US"),
        "lat_deg": np.linspace(30.0, 50.0, n),
        "lon_deg": np.linspace(-120.0, -80.0, n),
        "priority": np.ones(n, dtype=np.int32),
        "warheads_aimed": np.ones(n),
        "mean_leakers": np.array(p_hit),
        "p_hit": np.array(p_hit),
    }


def test_bubble_area_is_proportional_to_probability_on_a_fixed_scale():
    p = np.array([0.0, 0.011, 0.1, 0.63, 1.0])
    assert np.allclose(bubble_area_pt2(p), BUBBLE_AREA_PT2_AT_1 * p)
    assert bubble_area_pt2(1.5) == BUBBLE_AREA_PT2_AT_1  # clipped to the scale


def test_equal_probabilities_give_equal_bubbles_in_different_reports():
    """0.011 next to 0.02 and 0.011 next to 0.9: the same bubble (the old map scaled to each report's max)."""
    one, other = _assets([0.011, 0.02]), _assets([0.9, 0.011])
    b1, b2 = leaker_bubbles(one), leaker_bubbles(other)
    assert b1[0]["area_pt2"] == b2[1]["area_pt2"]
    # the drawn scatter uses those areas
    for assets, bubbles in ((one, b1), (other, b2)):
        fig = leaker_map_figure(assets)
        sizes = next(c.get_sizes() for c in fig.axes[0].collections if c.get_gid() == "leaker-bubbles")
        assert np.allclose(sorted(sizes), sorted(b["area_pt2"] for b in bubbles if b["p_hit"] > 0))


def test_labels_round_sensibly_and_name_the_asset():
    bubbles = leaker_bubbles(_assets([0.011, 0.0, 0.63]), {"a0": "Seattle"})
    assert bubbles[0]["label"] == "Seattle 1.1 %"
    assert bubbles[1]["label"] == ""  # no label on an asset no warhead reached
    assert bubbles[2]["label"] == "a2 63 %"
    assert probability_text(0.004) == "0.4 %"  # never "0.00" beside a bubble


def test_altitude_figure_draws_a_capped_spread_of_objects():
    classes = np.array(["icbm"] * 4000 + ["decoy"] * 990 + ["hgv"] * 10)
    keep = altitude_selection(classes)
    assert len(keep) == MAX_ALTITUDE_LINES
    assert set(classes[keep]) == {"icbm", "decoy", "hgv"}  # every class keeps lines
    assert np.all(np.diff(keep) > 0)
