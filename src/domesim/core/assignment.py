"""Assignment: rows to columns of least total cost. numba kernel.

The Hungarian algorithm (Kuhn 1955; Munkres 1957) in its shortest-augmenting-path form with row and column
potentials (Jonker & Volgenant 1987), O(n^2 m); on any matrix it gives the optimum of SciPy's
``scipy.optimize.linear_sum_assignment``. Used by the tracker's data association and the GOSPA metric.
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True, error_model="numpy")
def hungarian(cost):
    """Rows-to-columns assignment of least total cost for an (n, m) matrix, n <= m; returns (n,) columns.

    Kuhn-Munkres with potentials, O(n^2 m).

    >>> hungarian(np.array([[4.0, 1.0, 3.0], [2.0, 3.0, 5.0]])).tolist()
    [1, 0]
    """
    n, m = cost.shape
    inf = np.inf
    u = np.zeros(n + 1)
    v = np.zeros(m + 1)
    p = np.zeros(m + 1, dtype=np.int64)  # p[j]: row (1-based) matched to column j
    way = np.zeros(m + 1, dtype=np.int64)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = np.full(m + 1, inf)
        used = np.zeros(m + 1, dtype=np.bool_)
        while True:
            used[j0] = True
            i0 = p[j0]
            delta = inf
            j1 = 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = cost[i0 - 1, j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j] = cur
                        way[j] = j0
                    if minv[j] < delta:
                        delta = minv[j]
                        j1 = j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    out = np.full(n, -1, dtype=np.int64)
    for j in range(1, m + 1):
        if p[j] > 0:
            out[p[j] - 1] = j - 1
    return out


@nb.njit(cache=True, error_model="numpy")
def find_root(parent, a):
    """Union-find: the root of ``a`` in the forest ``parent`` (path halving, in place). Clusters of
    gated pairs are solved apart, each by :func:`hungarian`."""
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a
