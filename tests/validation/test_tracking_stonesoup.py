"""Acceptance: domesim's GNN tracker against Stone Soup's on the same detections.

Source: Stone Soup (dstl, https://github.com/dstl/Stone-Soup, MIT licence), version >= 1.9, set up as in
shared/peer-baselines.md section 3.3; the scenario generator and both trackers' set-up are those of the
benchmark (``benchmarks/stonesoup_gnn.py``), so the test at small size and the benchmark at large compare
the same thing. Scenario: K = 10 targets, 1 s scans, 100 scans, Pd 0.9, Poisson clutter with mean 10 per
scan, fixed seeds; the detections are generated once and fed to both trackers.

Tolerances:

- ``test_rms_matches_stonesoup[200km-cube]`` (the acceptance criterion): the RMS position error over every
  (scan, target) pair whose seeded track still exists is within ``RMS_REL_TOL`` = 10 % of Stone Soup's,
  and the numbers of live tracks at the end agree within ``LIVE_TOL`` = 1.
- ``test_rms_matches_stonesoup[1km-raid-dense]``: the same tolerances on a dense raid (the 10 targets start
  in a 1 km cube with one common velocity +- 5 m/s; the clutter cube moves with them), where gates overlap
  and clutter seduces tracks: association conflicts in about half the scans, solved by SciPy's global
  assignment in Stone Soup and per cluster by domesim's Hungarian solver. (Both agree to 1e-11 m here.)
- ``test_same_filter_math``: no clutter and Pd = 1, so association is unambiguous and both trackers run the
  same Kalman filter; at every scan each state component agrees to ``STATE_REL_TOL`` = 1e-6 of the filter's
  own standard deviation for it, and each covariance element P_ij to 1e-6 of sqrt(P_ii P_jj) (observed:
  about 1e-10 and 1e-15; Stone Soup updates P as ``P - K S K^T``, domesim as ``P - K H P``). A mismatch of
  motion model, noise, time step or state order shows up here first.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))  # the shared peer set-up

from domesim.tracking.tracker import FREE  # noqa: E402
from stonesoup_gnn import (  # noqa: E402
    DOM_FROM_SS,
    domesim_tracker,
    make_scenario,
    stonesoup_detections,
    stonesoup_tracker,
)

RMS_REL_TOL = 0.10
LIVE_TOL = 1
STATE_REL_TOL = 1e-6


def run_stonesoup(sc: dict, detections: list) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Stone Soup's GNN tracker: per scan and target, the state (domesim order), covariance, existence.

    Also returns the number of live tracks at the end.
    """
    tracker, seeds = stonesoup_tracker(sc, detections)
    n, k = len(detections), len(seeds)
    x = np.full((n, k, 6), np.nan)
    P = np.full((n, k, 6, 6), np.nan)
    back = np.ix_(DOM_FROM_SS, DOM_FROM_SS)
    for s, (_, tracks) in enumerate(tracker):
        for i, track in enumerate(seeds):
            if track in tracks:
                x[s, i] = np.asarray(track.state_vector, dtype=float).ravel()[DOM_FROM_SS]
                P[s, i] = np.asarray(track.covar, dtype=float)[back]
    return x, P, ~np.isnan(x[..., 0]), len(tracker.tracks)


# ---- domesim ----------------------------------------------------------------------------------------------


def run_domesim(sc: dict, n_scans: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """domesim's tracker, seeded at scan 0 and stepped on every later scan; returns as :func:`run_stonesoup`.

    Track identity: the store slot seeded for target i, recorded while its status is not FREE.
    """
    n = len(sc["z"]) if n_scans is None else n_scans
    k = len(sc["x0"])
    trk, slots = domesim_tracker(sc, spare=16)
    st = trk.store
    x = np.full((n, k, 6), np.nan)
    P = np.full((n, k, 6, 6), np.nan)
    for s in range(n):
        if s > 0:
            trk.step(float(s), sc["z"][s], sc["R"][s])
        live = st.status[slots] != FREE
        x[s, live] = st.x[slots[live]]
        P[s, live] = st.P[slots[live]]
    return x, P, ~np.isnan(x[..., 0]), int(np.count_nonzero(st.status != FREE))


def rms_position_error(x: np.ndarray, exists: np.ndarray, truth: np.ndarray) -> float:
    """RMS 3-D position error (m) over the (scan, target) pairs of scans >= 1 whose track exists."""
    err = x[1:, :, :3] - truth[1:, :, :3]
    return float(np.sqrt(np.mean(np.sum(err[exists[1:]] ** 2, axis=-1))))


def run_both(*args, **kwargs):
    sc = make_scenario(*args, **kwargs)
    return sc, run_stonesoup(sc, stonesoup_detections(sc)), run_domesim(sc)


@pytest.mark.parametrize(
    ("side_m", "formation_sigma_m_s", "seed"),
    [
        pytest.param(200e3, None, 20261122, id="200km-cube"),
        pytest.param(1e3, 5.0, 7, id="1km-raid-dense"),
    ],
)
def test_rms_matches_stonesoup(side_m: float, formation_sigma_m_s: float | None, seed: int):
    sc, ss, dom = run_both(10, 100, side_m, 10.0, 0.9, seed, formation_sigma_m_s)
    (x_ss, _, ex_ss, live_ss), (x_dom, _, ex_dom, live_dom) = ss, dom
    rms_ss = rms_position_error(x_ss, ex_ss, sc["truth"])
    rms_dom = rms_position_error(x_dom, ex_dom, sc["truth"])
    print(
        f"\ncube {side_m / 1e3:g} km: RMS position error domesim {rms_dom:.3f} m, Stone Soup {rms_ss:.3f} m "
        f"over {ex_dom[1:].sum()} / {ex_ss[1:].sum()} scan-target pairs; live tracks {live_dom} / {live_ss}"
    )
    assert abs(rms_dom - rms_ss) <= RMS_REL_TOL * rms_ss
    assert abs(live_dom - live_ss) <= LIVE_TOL


def test_same_filter_math():
    sc, ss, dom = run_both(10, 50, 200e3, 0.0, 1.0, 3)
    (x_ss, P_ss, ex_ss, live_ss), (x_dom, P_dom, ex_dom, live_dom) = ss, dom
    assert ex_ss.all() and ex_dom.all() and live_ss == live_dom == 10
    # relative to the filter's own uncertainty: sigma_i for x_i, sqrt(P_ii P_jj) for P_ij
    d = np.sqrt(np.einsum("...ii->...i", P_ss))
    x_rel = np.max(np.abs(x_dom - x_ss) / d)
    P_rel = np.max(np.abs(P_dom - P_ss) / (d[..., :, None] * d[..., None, :]))
    print(f"\nmax relative difference: states {x_rel:.2e}, covariances {P_rel:.2e}")
    assert x_rel <= STATE_REL_TOL
    assert P_rel <= STATE_REL_TOL
