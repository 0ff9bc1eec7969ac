"""Display names, shares and rounding of the run report (domesim.report.words)."""

from __future__ import annotations

import pytest

from domesim.report.words import (
    GLOSSARY,
    asset_name,
    count_text,
    element_name,
    interceptor_name,
    layer_name,
    money_text,
    share_text,
    site_name,
)


def test_layer_display_names():
    assert layer_name("boost") == "boost phase"
    assert layer_name("midcourse") == "midcourse"
    assert layer_name("upper_tier") == "upper tier (THAAD class)"
    assert layer_name("lower_tier") == "lower tier (Patriot class)"
    assert layer_name("a_new_layer") == "a new layer"  # an id with no display name reads as words


def test_catalogue_display_names():
    assert asset_name("washington_dc") == "Washington, D.C."
    assert asset_name("not_an_asset") == "not an asset"
    assert interceptor_name("pac3_mse") == "Patriot PAC-3 MSE"
    assert interceptor_name("gbi") == "Ground-Based Interceptor"
    assert site_name("gbi_fort_greely").startswith("Fort Greely")
    assert site_name("sbi_cbo_2026") == "sbi cbo 2026"  # a constellation: its id in words
    assert element_name("cobra_dane") == "Cobra Dane" and element_name("gbi") == "Ground-Based Interceptor"


@pytest.mark.parametrize(
    ("used", "of", "text"),
    [
        (9.216, 7800, "0.12 %"),  # an SBI constellation: non-zero use is never "0 %"
        (0.002, 72, "<0.01 %"),
        (0.008, 8, "0.1 %"),
        (36.42, 40, "91 %"),
        (0.0, 72, "0 %"),
        (3.0, 0, "—"),
    ],
)
def test_share_never_reads_zero_for_nonzero_use(used, of, text):
    assert share_text(used, of) == text
    if used > 0:
        assert share_text(used, of) != "0 %"


def test_counts_keep_small_means_visible():
    assert count_text(0.008) == "0.008"  # was "0.00" for a PAC-3 fired 8 times in 1,000 trials
    assert count_text(13.73) == "13.7"
    assert count_text(0.0) == "0"
    assert count_text(float("nan")) == "—"


def test_money_not_costed_is_never_zero():
    assert money_text(None) == "not costed"
    assert money_text(0.0) == "$0"
    assert money_text(736.9e9) == "$737 billion"
    assert money_text(1.2e12) == "$1.2 trillion"


def test_glossary_defines_the_report_terms():
    terms = {term for term, _ in GLOSSARY}
    assert {"warhead", "leaker", "salvo", "layer", "lifecycle cost", "inventory, share used"} <= terms
