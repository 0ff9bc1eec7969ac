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

# Why a ready object got no salvo at a step (the last reason recorded stands): the links of the kill
# chain after tracking, in the order the leak-cause breakdown reads them.
ENGAGED_OR_NEVER_READY = 0
NO_BATTERY_IN_REACH = 1  # no battery can still intercept it (geometry or timeline)
INVENTORY_EXHAUSTED = 2  # those that can are empty
WITHHELD = 3  # those that can and have stock are withheld by reserves, layer limits or the assignment
NO_FIRE_CONTROL = 4  # those that can have no track yet of the accuracy their class commits on


@nb.njit(cache=True)
def intercept_step(latest_launch, suffix_max, unreachable, s, r, n, k, t):
    """Earliest step at which battery ``s`` can intercept object ``n`` of trial ``r`` if it launches at
    step ``k`` (time ``t``), or -1; marks the pair unreachable when no later launch can intercept.

    Parameters
    ----------
    latest_launch : (S, R, N, T) latest launch time for an intercept at each step, -inf if infeasible.
    suffix_max : (S, R, N, T) running maximum of ``latest_launch`` from the end: if it is below the
        current time, no later launch can intercept either, so the battery is marked unreachable.
    unreachable : (S, N) bool, updated in place.
    """
    n_steps = latest_launch.shape[3]
    if unreachable[s, n]:
        return -1
    if k + 1 >= n_steps or suffix_max[s, r, n, k + 1] < t:
        unreachable[s, n] = True
        return -1
    j = k + 1  # an intercept is resolved at a later step than its launch
    while latest_launch[s, r, n, j] < t:
        j += 1
    return j


@nb.njit(cache=True)
def why_not_engaged(latest_launch, suffix_max, inventory, ready, r, n, k, t):
    """Why no salvo goes to ready object ``n`` of trial ``r`` at step ``k`` (time ``t``), among the
    batteries that can still intercept it: some with a track good enough for them and interceptors left
    were withheld (:data:`WITHHELD`), those with the track were empty (:data:`INVENTORY_EXHAUSTED`),
    none had the track (:data:`NO_FIRE_CONTROL`); or none can intercept it (:data:`NO_BATTERY_IN_REACH`).
    ``ready`` (S, R, N) is when each battery may commit on the object."""
    reach = tracked = stock = False
    for s in range(latest_launch.shape[0]):
        if k + 1 < latest_launch.shape[3] and suffix_max[s, r, n, k + 1] >= t:
            reach = True
            if t >= ready[s, r, n]:
                tracked = True
                stock = stock or inventory[s] > 0
    if stock:
        return WITHHELD
    if tracked:
        return INVENTORY_EXHAUSTED
    return NO_FIRE_CONTROL if reach else NO_BATTERY_IN_REACH


@nb.njit(cache=True)
def earliest_intercept(latest_launch, suffix_max, inventory, unreachable, allowed, r, n, k, t):
    """Best (battery, intercept step) for object ``n`` of trial ``r`` if it is launched at step ``k``:
    the battery with stock, allowed by doctrine (``allowed`` (S,) bool), that intercepts first.

    Returns (battery, step), or (-1, -1) when no battery can engage.
    """
    best_s, best_j = -1, latest_launch.shape[3]
    for s in range(latest_launch.shape[0]):
        if inventory[s] <= 0 or not allowed[s]:
            continue
        j = intercept_step(latest_launch, suffix_max, unreachable, s, r, n, k, t)
        if 0 <= j < best_j:
            best_s, best_j = s, j
    return best_s, best_j


@nb.njit(cache=True)
def assign_by_value(
    latest_launch,
    suffix_max,
    inventory,
    unreachable,
    allowed,
    salvo,
    sspk,
    reliability,
    values,
    objects,
    r,
    k,
    t,
):
    """Share the batteries among the objects ready at step ``k`` by maximum marginal return.

    ``objects`` (C,) are the ready objects, ``allowed`` (C, S) what doctrine lets each engage, ``values``
    (C,) the value of the asset each threatens. The unit of assignment is one salvo (``salvo[s]``
    interceptors, fewer when stock is short), killing with ``reliability (1 - (1 - sspk)^shots)``; each
    object gets at most one salvo per step (shoot-look-shoot gives it more later), from any battery that
    can reach it. An object that loses the contention waits for the next step. Reserves and layer
    limits are applied through ``allowed``, on the stock at the start of the step.

    Returns (battery (C,), intercept step (C,)), -1 where an object is not engaged.
    """
    n_batteries = latest_launch.shape[0]
    n_ready = objects.size
    pk = np.zeros((n_ready, n_batteries))
    steps = np.full((n_ready, n_batteries), -1, dtype=np.int64)
    for c in range(n_ready):
        for s in range(n_batteries):
            if inventory[s] <= 0 or not allowed[c, s]:
                continue
            j = intercept_step(latest_launch, suffix_max, unreachable, s, r, objects[c], k, t)
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
