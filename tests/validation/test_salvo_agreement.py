"""Acceptance: the simulated single-layer kill probability agrees with the analytic salvo models.

Source: design.md section 6 (analytic models), ``P_k = r (1 - (1 - p)^n)`` for a salvo of ``n``
independent shots with single-shot kill probability ``p`` and reliability ``r``, and shoot-look-shoot
``P_k = 1 - (1 - p)^(n1 + n2)`` with expected shots ``n1 + n2 (1 - p)^n1``; implemented in
:mod:`domesim.core.analytic` (Wilkening, Science & Global Security 8, 2000).

Set-up: one warhead (icbm_solid, North Korea -> Seattle), ideal sensing (known at launch), one GBI site
(Fort Greely) with an ample inventory of 1,000, fixed ``sspk``/``reliability`` set by override, no
dispersions. The simulation runs in-process (``load_scenario`` + ``run_trials``).

Tolerance: the analytic value must lie inside the Wilson score interval at 99 % confidence
(:func:`domesim.results.metrics.binomial_ci`) of the simulated no-leak fraction over ``TRIALS`` trials
(half-width about 0.02-0.03 here); means of shot counts inside the 99 % normal interval
(:func:`domesim.results.metrics.mean_ci`). Seeds are fixed, so the outcome is deterministic.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from domesim.core.analytic import salvo, shoot_look_shoot
from domesim.montecarlo.runner import run_trials
from domesim.results.metrics import binomial_ci, mean_ci
from domesim.scenario.loader import load_scenario

# Each case simulates thousands of trials: left out of `make check`.
pytestmark = pytest.mark.slow

TRIALS = 2000
LEVEL = 0.99

SCENARIO = """\
[scenario]
name = "salvo-check"
step_s = 2.0
duration_s = 2700.0
sensing = "ideal"

[[threat]]
class = "icbm_solid"
launch_region = "north_korea"
aim_asset = "seattle"

[[interceptor_site]]
deployment = "gbi_fort_greely"
inventory = {inventory}
override = {{sspk = {p}, reliability = {r}}}

[doctrine]
salvo_size = {n}
max_engagements = {engagements}

[montecarlo]
trials = {trials}
seed = {seed}
chunk_trials = 500
"""


def _simulate(
    tmp_path: Path,
    *,
    n: int,
    p: float,
    r: float,
    engagements: int = 1,
    inventory: int = 1000,
    seed: int = 20260101,
) -> dict[str, np.ndarray]:
    path = tmp_path / f"salvo-{n}-{p}-{r}-{engagements}-{inventory}.toml"
    path.write_text(
        SCENARIO.format(n=n, p=p, r=r, engagements=engagements, inventory=inventory, trials=TRIALS, seed=seed)
    )
    loaded = load_scenario(path)
    world, mc = loaded.world, loaded.montecarlo
    assert len(world.threats) == 1 and len(world.batteries) == 1
    assert world.threats[0].azimuth_sigma_rad == 0.0 and world.threats[0].thrust_sigma_frac == 0.0
    assert world.sensing == "ideal"
    battery = world.batteries[0]
    assert (battery.interceptor.sspk, battery.interceptor.reliability, battery.inventory) == (p, r, inventory)
    return run_trials(world, mc.trials, mc.seed, mc.chunk_trials)


def _no_leak(log: dict[str, np.ndarray]) -> tuple[int, int]:
    killed = log["killed"]
    return int(np.count_nonzero(killed.all(axis=1))), killed.shape[0]


@pytest.mark.parametrize(
    ("n", "p", "r"),
    [
        (1, 0.57, 1.0),  # the catalogue GBI sspk, one shot
        (2, 0.5, 1.0),
        (3, 0.3, 1.0),
        (1, 0.6, 0.8),  # reliability with one shot: r p either way
        (2, 0.6, 0.8),
        (4, 0.5, 0.7),
    ],
)
def test_single_layer_salvo_agrees_with_formula(tmp_path: Path, n: int, p: float, r: float) -> None:
    """Analytic ``salvo(p, n, r).p_kill`` inside the 99 % Wilson interval of the simulated P(no leak)."""
    log = _simulate(tmp_path, n=n, p=p, r=r)
    # the set-up is what the formula assumes: one salvo of exactly n shots in every trial
    assert np.all(log["shots_fired"].sum(axis=1) == n)
    assert np.all(log["eng_shots"] == n) and log["eng_trial"].size == TRIALS
    k, trials = _no_leak(log)
    lo, hi = binomial_ci(k, trials, LEVEL)
    expected = salvo(p, n, r).p_kill
    assert lo <= expected <= hi, (
        f"simulated {k / trials:.4f} [{lo:.4f}, {hi:.4f}], salvo formula {expected:.4f}"
    )


@pytest.mark.parametrize(("p", "seed"), [(0.6, 1), (0.4, 2)])
def test_shoot_look_shoot_agrees_with_formula(tmp_path: Path, p: float, seed: int) -> None:
    """Salvo 1, two engagements: ``shoot_look_shoot(p, 1, 1)`` kill probability and expected shots."""
    log = _simulate(tmp_path, n=1, p=p, r=1.0, engagements=2, seed=seed)
    shots = log["shots_fired"].sum(axis=1)
    assert set(np.unique(shots)) <= {1, 2}
    # a second shot exactly when the first missed: there is time for the look
    first = np.flatnonzero(np.r_[True, np.diff(log["eng_trial"]) != 0])
    assert first.size == TRIALS
    first_missed = ~log["eng_killed"][first]
    assert np.array_equal(shots == 2, first_missed)
    expected = shoot_look_shoot(p, 1, 1)
    k, trials = _no_leak(log)
    lo, hi = binomial_ci(k, trials, LEVEL)
    assert lo <= expected.p_kill <= hi, f"simulated {k / trials:.4f} [{lo:.4f}, {hi:.4f}]"
    s_lo, s_hi = mean_ci(shots, LEVEL)
    assert s_lo <= expected.expected_shots <= s_hi, (shots.mean(), expected.expected_shots)


def test_formula_disagrees_when_the_set_up_breaks_it(tmp_path: Path) -> None:
    """With no interceptors nothing is killed: P(no leak) = 0, and the salvo formula is outside the CI.

    This is the control showing the agreement above is not automatic.
    """
    log = _simulate(tmp_path, n=2, p=0.5, r=1.0, inventory=0)
    k, trials = _no_leak(log)
    assert k == 0 and log["shots_fired"].sum() == 0
    lo, hi = binomial_ci(k, trials, LEVEL)
    assert not lo <= salvo(0.5, 2, 1.0).p_kill <= hi


def test_one_shot_does_not_match_a_two_shot_formula(tmp_path: Path) -> None:
    """Control: a single shot (n = 1) is clearly below the two-shot prediction at this sample size."""
    log = _simulate(tmp_path, n=1, p=0.5, r=1.0)
    k, trials = _no_leak(log)
    lo, hi = binomial_ci(k, trials, LEVEL)
    assert lo <= salvo(0.5, 1).p_kill <= hi
    assert not lo <= salvo(0.5, 2).p_kill <= hi
