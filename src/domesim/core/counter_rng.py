"""Counter-based random numbers for compiled loops: the same draw for the same (key, counter), on any thread.

A fused sensing loop draws per (trial, step, sensor, object); drawing all of those up front would take
gigabytes, and numba's own generator depends on which thread runs a trial. Instead each trial gets a
64-bit key from its named ``numpy.random.Generator`` stream, and every draw is a hash of (key, counter):
SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014),
whose output passes BigCrush when fed a counter. Results are therefore identical for any worker count
or thread schedule, and adding a sensor (a new counter range) does not shift the others.

Counters are allocated in one place, :func:`draw_counter`: a draw is addressed by (step, sensor, slot,
draw) packed into disjoint bit fields, so two draws of a run share a counter only if they are the same
draw. Normal draws take their uniforms from a separate key domain, so a normal's two uniforms never
coincide with a uniform draw (before, ``normal(c)`` used the uniforms of counters ``2c`` and ``2c + 1``,
which other draws also used).
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


# Explicit signatures: a counter is always a uint64 (a call with a Python int converts it), so a first
# call with a small int cannot fix an int64 signature that a later 64-bit counter would overflow.
@nb.njit("float64(uint64, uint64)", cache=True)
def uniform(key, counter):
    """A uniform number in [0, 1) from a 64-bit ``key`` and an integer ``counter``.

    >>> a = uniform(np.uint64(7), 3)
    >>> a == uniform(np.uint64(7), 3), 0.0 <= a < 1.0
    (True, True)
    """
    # all in uint64: mixing a uint64 with an int64 literal would promote to float64 and lose bits
    z = _mix(np.uint64(key) + _GOLDEN * (np.uint64(counter) + np.uint64(1)))
    return float(z >> _S11) * _TO_UNIT


_NORMAL_DOMAIN = np.uint64(0xD1B54A32D192ED03)  # the key of normal draws: key ^ this


@nb.njit("float64(uint64, uint64)", cache=True)
def normal(key, counter):
    """A standard normal number: Box-Muller on the uniforms of counters 2c and 2c + 1 of the key's normal
    domain (disjoint from its uniform draws)."""
    nkey = np.uint64(key) ^ _NORMAL_DOMAIN
    c = np.uint64(2) * np.uint64(counter)
    u1 = uniform(nkey, c)
    u2 = uniform(nkey, c + np.uint64(1))
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)


# The bit fields of a draw's counter (64 bits in all): what a run may hold of each.
STEP_BITS, SENSOR_BITS, SLOT_BITS, DRAW_BITS = 22, 10, 16, 16
MAX_STEPS, MAX_SENSORS, MAX_SLOTS, MAX_DRAWS = (
    1 << b for b in (STEP_BITS, SENSOR_BITS, SLOT_BITS, DRAW_BITS)
)
_SHIFT_DRAW = np.uint64(0)
_SHIFT_SLOT = np.uint64(DRAW_BITS)
_SHIFT_SENSOR = np.uint64(DRAW_BITS + SLOT_BITS)
_SHIFT_STEP = np.uint64(DRAW_BITS + SLOT_BITS + SENSOR_BITS)


@nb.njit(cache=True, inline="always")
def draw_counter(step, sensor, slot, draw):
    """The counter of one draw: time step, sensor, slot (an object, or a false alarm) and the draw's
    index within the slot, each in its own bit field (``< MAX_STEPS``, ``MAX_SENSORS``, ``MAX_SLOTS``,
    ``MAX_DRAWS``: :func:`check_counter_bounds` checks a run fits before it starts).

    >>> int(draw_counter(1, 0, 0, 0)) == 1 << 42, int(draw_counter(0, 0, 1, 2))
    (True, 65538)
    """
    return (
        (np.uint64(step) << _SHIFT_STEP)
        | (np.uint64(sensor) << _SHIFT_SENSOR)
        | (np.uint64(slot) << _SHIFT_SLOT)
        | (np.uint64(draw) << _SHIFT_DRAW)
    )


def check_counter_bounds(steps: int, sensors: int, slots: int, draws: int) -> None:
    """Raise :class:`~domesim.errors.ParameterError` unless every draw of a run has its own counter."""
    from domesim.errors import ParameterError

    for what, n, limit in (
        ("time steps", steps, MAX_STEPS),
        ("sensors and sensor layers", sensors, MAX_SENSORS),
        ("objects and false-alarm slots", slots, MAX_SLOTS),
        ("draws per object and look (satellites of a layer)", draws, MAX_DRAWS),
    ):
        if n > limit:
            raise ParameterError(
                f"the tracked-sensing random numbers allow at most {limit:,} {what} per run (got {n:,}): "
                "reduce it (a longer step_s, fewer objects or satellites)"
            )


def trial_keys(rng: np.random.Generator, n_trials: int) -> np.ndarray:
    """One 64-bit key per trial from a named stream."""
    return rng.integers(0, np.iinfo(np.uint64).max, size=n_trials, dtype=np.uint64, endpoint=True)
