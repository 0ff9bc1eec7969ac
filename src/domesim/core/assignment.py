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
    """Union-find: the root of ``a`` in the forest ``parent`` (path halving, in place)."""
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


@nb.njit(cache=True, error_model="numpy")
def pair_clusters(pair_a, pair_b, n_a, n_b):
    """The connected clusters of a set of pairs between items ``a`` (0..n_a-1) and ``b`` (0..n_b-1), by
    union-find: returns ``(order, bounds)``, with pairs ``order[bounds[c]:bounds[c + 1]]`` forming cluster
    ``c``. Each cluster's assignment problem is independent of the others'."""
    n_pairs = pair_a.size
    parent = np.arange(n_a + n_b)
    for p in range(n_pairs):
        ra, rb = find_root(parent, pair_a[p]), find_root(parent, n_a + pair_b[p])
        if ra != rb:
            parent[ra] = rb
    roots = np.empty(n_pairs, dtype=np.int64)
    for p in range(n_pairs):
        roots[p] = find_root(parent, pair_a[p])
    order = np.argsort(roots)
    bounds = np.empty(n_pairs + 1, dtype=np.int64)
    n_clusters = 0
    for i in range(n_pairs):
        if i == 0 or roots[order[i]] != roots[order[i - 1]]:
            bounds[n_clusters] = i
            n_clusters += 1
    bounds[n_clusters] = n_pairs
    return order, bounds[: n_clusters + 1]
