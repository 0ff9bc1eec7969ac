"""Engagement decisions: which battery engages a threat object, and when its salvo arrives.

Two rules (doctrine ``assignment``). "earliest": engage each ready object as soon as possible, with the
battery (that still has interceptors and that doctrine allows) giving the earliest intercept, so that a
miss leaves time to look and shoot again, by the same layer or the next. "value": at each step, the
objects ready at once share the batteries by maximum marginal return (the weapon-target assignment
heuristic of :mod:`domesim.c2.wta`), so that scarce interceptors go to the threats to the most valuable
assets first; objects that threaten no defended asset are not engaged.

Doctrine limits which batteries are allowed: a number of engagements per layer and per object (1
makes the layers independent shots in series), and reserves: a battery keeps its last interceptors
for objects that threaten first-priority assets.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from domesim.c2.wta import mmr_fill
from domesim.interceptors.flyout import latest_launch_at

# Why a ready object got no salvo at a step (the last reason recorded stands): the links of the kill
# chain after tracking, in the order the leak-cause breakdown reads them.
ENGAGED_OR_NEVER_READY = 0
NO_BATTERY_IN_REACH = 1  # no battery can still intercept it (geometry or timeline)
INVENTORY_EXHAUSTED = 2  # those that can are empty
WITHHELD = 3  # those that can and have stock are withheld by reserves, layer limits or the assignment
NO_FIRE_CONTROL = 4  # those that can have no track yet of the accuracy their class commits on


@nb.njit(cache=True)
def intercept_step(windows, reach, s, r, n, k, t):
    """Earliest step at which battery ``s`` can intercept object ``n`` of trial ``r`` if it launches at
    step ``k`` (time ``t``), or -1 when no launch from now on can intercept it.

    ``windows`` holds the battery records (``batteries``), the truth (``r_ecef``, ``alt_m``) and the grid
    (``t_s``): the latest launch time for an intercept at step j
    (:func:`domesim.interceptors.flyout.latest_launch_at`) is computed here, where it is asked, never
    stored. ``reach`` is the trial's ``(cursor, unreachable)`` (S, N): ``cursor`` the step the last search
    ended on, where the next starts (the launch time only grows, so a step too early for one launch is
    too early for every later one: each pair's steps are read once per trial), and ``unreachable`` the
    pairs no later launch can intercept either, both updated in place.
    """
    cursor, unreachable = reach
    if unreachable[s, n]:
        return -1
    battery, r_ecef, alt_m, t_s = windows.batteries[s], windows.r_ecef, windows.alt_m, windows.t_s
    j = max(cursor[s, n], k + 1)  # an intercept is resolved at a later step than its launch
    while j < t_s.size and latest_launch_at(battery, r_ecef[r, n, j], alt_m[r, n, j], t_s[j]) < t:
        j += 1
    cursor[s, n] = j
    if j >= t_s.size:
        unreachable[s, n] = True
        return -1
    return j


@nb.njit(cache=True)
def why_not_engaged(windows, reach, inventory, r, n, k, t):
    """Why no salvo goes to ready object ``n`` of trial ``r`` at step ``k`` (time ``t``), among the
    batteries that can still intercept it: some with a track good enough for them and interceptors left
    were withheld (:data:`WITHHELD`), those with the track were empty (:data:`INVENTORY_EXHAUSTED`),
    none had the track (:data:`NO_FIRE_CONTROL`); or none can intercept it (:data:`NO_BATTERY_IN_REACH`).
    ``windows.battery_ready`` (S, R, N) is when each battery may commit on the object."""
    in_reach = tracked = stock = False
    for s in range(windows.batteries.shape[0]):
        if intercept_step(windows, reach, s, r, n, k, t) >= 0:
            in_reach = True
            if t >= windows.battery_ready[s, r, n]:
                tracked = True
                stock = stock or inventory[s] > 0
    if stock:
        return WITHHELD
    if tracked:
        return INVENTORY_EXHAUSTED
    return NO_FIRE_CONTROL if in_reach else NO_BATTERY_IN_REACH


@nb.njit(cache=True)
def earliest_intercept(windows, reach, inventory, allowed, r, n, k, t):
    """Best (battery, intercept step) for object ``n`` of trial ``r`` if it is launched at step ``k``:
    the battery with stock, allowed by doctrine (``allowed`` (S,) bool), that intercepts first.

    Returns (battery, step), or (-1, -1) when no battery can engage.
    """
    best_s, best_j = -1, windows.t_s.size
    for s in range(windows.batteries.shape[0]):
        if inventory[s] <= 0 or not allowed[s]:
            continue
        j = intercept_step(windows, reach, s, r, n, k, t)
        if 0 <= j < best_j:
            best_s, best_j = s, j
    return best_s, best_j


@nb.njit(cache=True)
def assign_by_value(windows, reach, stock, inventory, allowed, values, objects, r, k, t):
    """Share the batteries among the objects ready at step ``k`` by maximum marginal return.

    ``objects`` (C,) are the ready objects, ``allowed`` (C, S) what doctrine lets each engage, ``values``
    (C,) the value of the asset each threatens; ``windows`` and ``reach`` as in :func:`intercept_step`,
    ``stock`` the batteries' ``salvo``, ``sspk`` and ``reliability``. The unit of assignment is one salvo
    (``salvo[s]`` interceptors, fewer when stock is short), killing with
    ``reliability (1 - (1 - sspk)^shots)``; each object gets at most one salvo per step
    (shoot-look-shoot gives it more later), from any battery that can reach it. An object that loses
    the contention waits for the next step. Reserves and layer limits are applied through ``allowed``,
    on the stock at the start of the step.

    Returns (battery (C,), intercept step (C,)), -1 where an object is not engaged.
    """
    salvo, sspk, reliability = stock.salvo, stock.sspk, stock.reliability
    n_batteries = windows.batteries.shape[0]
    n_ready = objects.size
    pk = np.zeros((n_ready, n_batteries))
    steps = np.full((n_ready, n_batteries), -1, dtype=np.int64)
    for c in range(n_ready):
        for s in range(n_batteries):
            if inventory[s] <= 0 or not allowed[c, s]:
                continue
            j = intercept_step(windows, reach, s, r, objects[c], k, t)
            if j >= 0:
                steps[c, s] = j
                pk[c, s] = reliability[s] * (1.0 - (1.0 - sspk[s]) ** min(salvo[s], inventory[s]))
    order = np.empty((n_ready, n_batteries), dtype=np.int64)
    for c in range(n_ready):
        order[c] = np.argsort(-pk[c], kind="mergesort")
    salvos_left = (inventory + salvo - 1) // salvo
    shots = np.zeros((n_ready, n_batteries), dtype=np.int64)
    mmr_fill(values, pk, order, salvos_left, 1, shots, np.empty(n_ready))
    battery = np.full(n_ready, -1, dtype=np.int64)
    step = np.full(n_ready, -1, dtype=np.int64)
    for c in range(n_ready):
        for s in range(n_batteries):
            if shots[c, s] > 0:
                battery[c], step[c] = s, steps[c, s]
    return battery, step
