"""Counter-based random numbers for compiled loops: the same draw for the same (key, counter), on any thread.

A fused sensing loop draws per (trial, step, sensor, object); drawing all of those up front would take
gigabytes, and numba's own generator depends on which thread runs a trial. Instead each trial gets a
64-bit key from its named ``numpy.random.Generator`` stream, and every draw is a hash of (key, counter):
SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014),
whose output passes BigCrush when fed a counter. Results are therefore identical for any worker count
or thread schedule, and adding a sensor (a new counter range) does not shift the others.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2^-53


@nb.njit(cache=True, inline="always")
def _mix(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@nb.njit(cache=True)
def uniform(key, counter):
    """A uniform number in [0, 1) from a 64-bit ``key`` and an integer ``counter``.

    >>> a = uniform(np.uint64(7), 3)
    >>> a == uniform(np.uint64(7), 3), 0.0 <= a < 1.0
    (True, True)
    """
    z = _mix(np.uint64(key) + _GOLDEN * np.uint64(counter + 1))
    return float(z >> _S11) * _TO_UNIT


@nb.njit(cache=True)
def normal(key, counter):
    """A standard normal number (Box-Muller on two uniforms of counters 2c and 2c + 1)."""
    u1 = uniform(key, 2 * counter)
    u2 = uniform(key, 2 * counter + 1)
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)


def trial_keys(rng: np.random.Generator, n_trials: int) -> np.ndarray:
    """One 64-bit key per trial from a named stream."""
    return rng.integers(0, np.iinfo(np.uint64).max, size=n_trials, dtype=np.uint64, endpoint=True)
