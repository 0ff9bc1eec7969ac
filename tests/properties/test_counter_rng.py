"""Counter-based random numbers (core/counter_rng.py): every draw of a run has its own counter.

The full sensing chain addresses each draw as (step, sensor, slot, draw) through ``draw_counter``;
the packing is injective within the bounds ``check_counter_bounds`` enforces, and the layout of the
looks (sensors/radar.py, sensors/space_ir.py, driven by engine/sensing.py) gives distinct addresses to
distinct draws. Before, ``normal(c)`` reused the uniforms
of counters 2c and 2c + 1, so one object's range noise was the same number as a false alarm's azimuth.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domesim.core import counter_rng as crng
from domesim.errors import ParameterError
from domesim.sensors import radar

fields = st.tuples(
    st.integers(0, crng.MAX_STEPS - 1),
    st.integers(0, crng.MAX_SENSORS - 1),
    st.integers(0, crng.MAX_SLOTS - 1),
    st.integers(0, crng.MAX_DRAWS - 1),
)


@given(fields, fields)
@settings(max_examples=500, deadline=None)
def test_draw_counter_is_injective(a, b):
    ca, cb = int(crng.draw_counter(*a)), int(crng.draw_counter(*b))
    assert (ca == cb) == (a == b)
    assert 0 <= ca < 2**64


def _kernel_draws(steps, n_radars, n_layers, n_objects, n_satellites, false_alarms):
    """Every (domain, counter) the full chain's layout draws in one trial (uniforms, and the pairs
    of uniforms behind each normal), with every look, object and false-alarm slot in use."""
    uniforms, normals = [], []
    for k in range(steps):
        for m in range(n_radars):
            for n in range(n_objects):
                uniforms.append(crng.draw_counter(k, m, n, radar.DRAW_DETECT))
                c = int(crng.draw_counter(k, m, n, radar.DRAW_NOISE))
                normals += [c, c + 1, c + 2]
            uniforms.append(crng.draw_counter(k, m, n_objects, radar.FA_COUNT))
            for f in range(false_alarms):
                slot = n_objects + f
                for draw in (radar.FA_FACE, radar.FA_AZ, radar.FA_EL, radar.FA_RANGE):
                    uniforms.append(crng.draw_counter(k, m, slot, draw))
        for layer in range(n_layers):
            m = n_radars + layer
            for n in range(n_objects):
                uniforms += [crng.draw_counter(k, m, n, j) for j in range(n_satellites)]
                c = int(crng.draw_counter(k, m, n, n_satellites))
                normals += [c, c + 1, c + 2, c + 3]
    uniform_counters = [int(c) for c in uniforms]
    normal_uniforms = [u for c in normals for u in (2 * c, 2 * c + 1)]  # in the normal key domain
    return uniform_counters, normal_uniforms


@given(
    st.integers(1, 4),
    st.integers(0, 3),
    st.integers(0, 2),
    st.integers(1, 5),
    st.integers(0, 6),
    st.integers(0, radar.FALSE_ALARM_SLOTS),
)
@settings(max_examples=60, deadline=None)
def test_no_two_draws_of_a_run_share_a_counter(
    steps, n_radars, n_layers, n_objects, n_satellites, false_alarms
):
    uniforms, normal_uniforms = _kernel_draws(
        steps, n_radars, n_layers, n_objects, n_satellites, false_alarms
    )
    assert len(set(uniforms)) == len(uniforms)
    assert len(set(normal_uniforms)) == len(normal_uniforms)


def test_high_counter_bits_are_not_lost():
    """Counters use all 64 bits: two adjacent large counters give different numbers (a uint64 mixed
    with an int64 would round through float64 and give the same)."""
    key = np.uint64(12345)
    big = crng.draw_counter(crng.MAX_STEPS - 1, 3, 7, 0)
    assert crng.uniform(key, big) != crng.uniform(key, big + np.uint64(1))
    assert crng.normal(key, big) != crng.normal(key, big + np.uint64(1))


def test_normal_draws_do_not_reuse_uniform_draws():
    key = np.uint64(99)
    assert crng.uniform(key, 2) != crng.uniform(key ^ crng._NORMAL_DOMAIN, 2)
    u = [crng.uniform(key, c) for c in range(2000)]
    z = [crng.normal(key, c) for c in range(1000)]
    assert abs(np.mean(u) - 0.5) < 0.03 and abs(np.mean(z)) < 0.1 and abs(np.std(z) - 1.0) < 0.1


@pytest.mark.parametrize(
    "bounds",
    [(crng.MAX_STEPS + 1, 1, 1, 1), (1, crng.MAX_SENSORS + 1, 1, 1), (1, 1, crng.MAX_SLOTS + 1, 1),
     (1, 1, 1, crng.MAX_DRAWS + 1)],
)  # fmt: skip
def test_a_run_too_large_for_its_counters_is_refused(bounds):
    with pytest.raises(ParameterError, match="at most"):
        crng.check_counter_bounds(*bounds)
    limits = (crng.MAX_STEPS, crng.MAX_SENSORS, crng.MAX_SLOTS, crng.MAX_DRAWS)
    crng.check_counter_bounds(*(min(b, limit) for b, limit in zip(bounds, limits, strict=True)))
