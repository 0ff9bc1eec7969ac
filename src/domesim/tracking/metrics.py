"""Tracking performance metrics.

GOSPA, the generalised optimal sub-pattern assignment metric with ``alpha = 2`` (Rahmathullah, Garcia-
Fernandez and Svensson, "Generalized optimal sub-pattern assignment metric", FUSION 2017, eq. 2)::

    d = ( min over assignments  sum_assigned min(d(x, y), c)^p  +  c^p / 2 (missed + false) )^(1/p)

split into its localisation, missed-target and false-track parts, as Stone Soup's ``GOSPAMetric`` does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba as nb
import numpy as np
from scipy.optimize import linear_sum_assignment

from domesim.core.assignment import hungarian, pair_clusters


@dataclass(frozen=True)
class Gospa:
    distance: float
    localisation: float  # sum over assigned pairs of d^p
    missed: int  # truths without a track within c
    false: int  # tracks without a truth within c


def gospa(truth: np.ndarray, tracks: np.ndarray, c: float, p: float = 2.0) -> Gospa:
    """GOSPA (alpha = 2) between truth positions (N, 3) and track positions (J, 3), cut-off ``c``.

    >>> gospa(np.zeros((1, 3)), np.array([[3.0, 4.0, 0.0]]), c=10.0).distance
    5.0
    >>> gospa(np.zeros((2, 3)), np.zeros((0, 3)), c=10.0).distance  # two missed: sqrt(2 * 100 / 2)
    10.0
    """
    truth = np.asarray(truth, dtype=np.float64).reshape(-1, 3)
    tracks = np.asarray(tracks, dtype=np.float64).reshape(-1, 3)
    n, j = len(truth), len(tracks)
    loc, assigned = 0.0, 0
    if n and j:
        d = np.minimum(np.linalg.norm(truth[:, None] - tracks[None], axis=-1), c) ** p
        rows, cols = linear_sum_assignment(d)
        real = d[rows, cols] < c**p  # pairs at the cut-off count as a miss plus a false track
        loc = float(d[rows, cols][real].sum())
        assigned = int(real.sum())
    missed, false = n - assigned, j - assigned
    total = loc + c**p / 2.0 * (missed + false)
    return Gospa(total ** (1.0 / p), loc, missed, false)


@nb.njit(cache=True, error_model="numpy")
def gospa_distance(truth, tracks, c):
    """:func:`gospa` distance (``p = 2``) compiled, for the engine's loops over trials.

    Every truth and every track starts as missed or false (``c^2 / 2`` each); pairing a truth with a
    track changes that by ``min(d, c)^2 - c^2``, negative only for pairs closer than ``c``, and leaving a
    truth unpaired by 0. Only pairs closer than ``c`` can lower the total, so the truths and tracks fall
    into clusters linked by such pairs (union-find), and the pairing of least total change is solved
    exactly cluster by cluster with :func:`domesim.core.assignment.hungarian`: the same answer as one
    assignment over everything, at a cost that grows with the clusters, not with the raid (objects of
    different missiles are far apart).
    """
    n, j = truth.shape[0], tracks.shape[0]
    c2 = c * c
    close_a = np.empty(0, dtype=np.int64)
    close_b = np.empty(0, dtype=np.int64)
    close_cost = np.empty(0)
    n_close = 0
    for a in range(n):
        for b in range(j):
            d2 = (truth[a, 0] - tracks[b, 0]) ** 2 + (truth[a, 1] - tracks[b, 1]) ** 2
            d2 += (truth[a, 2] - tracks[b, 2]) ** 2
            if d2 >= c2:
                continue
            if n_close == close_a.size:  # grow the pair lists
                size = max(16, 2 * n_close)
                close_a, close_b, close_cost = (
                    np.resize(close_a, size), np.resize(close_b, size), np.resize(close_cost, size)
                )
            close_a[n_close], close_b[n_close], close_cost[n_close] = a, b, d2 - c2
            n_close += 1
    close_a, close_b, close_cost = close_a[:n_close], close_b[:n_close], close_cost[:n_close]
    change = 0.0
    order, bounds = pair_clusters(close_a, close_b, n, j)
    for cluster in range(bounds.size - 1):
        members = order[bounds[cluster] : bounds[cluster + 1]]
        if members.size == 1:
            change += close_cost[members[0]]
            continue
        rows = np.unique(close_a[members])
        cols = np.unique(close_b[members])
        cost = np.zeros((rows.size, cols.size + rows.size))  # columns cols.size.. leave a truth unpaired
        for q in members:
            cost[np.searchsorted(rows, close_a[q]), np.searchsorted(cols, close_b[q])] = close_cost[q]
        pick = hungarian(cost)
        for a in range(rows.size):
            change += cost[a, pick[a]]
    return math.sqrt(max(0.5 * c2 * (n + j) + change, 0.0))
