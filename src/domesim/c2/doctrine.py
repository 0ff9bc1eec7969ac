"""Engagement decisions: which battery engages a threat object, and when its salvo arrives.

The rule: engage each ready object as soon as possible, with the battery (that still has interceptors
and that doctrine allows) giving the earliest intercept, so that a miss leaves time to look and shoot
again, by the same layer or the next. Doctrine limits which batteries are allowed: a number of
engagements per layer and per object (1 makes the layers independent shots in series), and reserves:
a battery keeps its last interceptors for objects that threaten first-priority assets.
"""

from __future__ import annotations

import numba as nb


@nb.njit(cache=True)
def earliest_intercept(latest_launch, suffix_max, inventory, unreachable, allowed, r, n, k, t):
    """Best (battery, intercept step) for object ``n`` of trial ``r`` if it is launched at step ``k``.

    Parameters
    ----------
    latest_launch : (S, R, N, T) latest launch time for an intercept at each step, -inf if infeasible.
    suffix_max : (S, R, N, T) running maximum of ``latest_launch`` from the end: if it is below the
        current time, no later launch can intercept either, so the battery is marked unreachable.
    inventory : (S,) interceptors left at each battery in this trial.
    unreachable : (S, N) bool, updated in place.
    allowed : (S,) bool, the batteries doctrine lets engage this object now (layer use, reserves).

    Returns (battery, step), or (-1, -1) when no battery can engage.
    """
    n_batteries, _, _, n_steps = latest_launch.shape
    best_s, best_j = -1, n_steps
    for s in range(n_batteries):
        if inventory[s] <= 0 or unreachable[s, n] or not allowed[s]:
            continue
        if k + 1 >= n_steps or suffix_max[s, r, n, k + 1] < t:
            unreachable[s, n] = True
            continue
        j = k + 1  # an intercept is resolved at a later step than its launch
        while latest_launch[s, r, n, j] < t:
            j += 1
        if j < best_j:
            best_s, best_j = s, j
    return best_s, best_j
