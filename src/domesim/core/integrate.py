"""The embedded Runge-Kutta pair of every integrated flight: Dormand-Prince 5(4). numba kernels.

Dormand & Prince, "A family of embedded Runge-Kutta formulae", J. Comput. Appl. Math. 6 (1980); the method
of ``scipy.integrate.solve_ivp(method='RK45')``, with its error norm, its step-size rule and its continuous
extension (Shampine, "Interpolation for Runge-Kutta methods", SIAM J. Numer. Anal. 22, 1985).

A family (a ballistic flight, a glide) supplies its compiled right-hand side with the convention
``derivative(t, y, args, out)``: fill ``out`` with dy/dt at ``(t, y)``, ``args`` a tuple of whatever else
it needs (its parameter record, its guidance mode, ...). :func:`make_dp5_step` turns it into a compiled
step; the family's own loop keeps its events (thrust cut-offs, mode changes, the ground) and calls
:func:`error_norm`, :func:`step_factor` and :func:`dense` around that step.

States have ``N_STATE = 6`` components (position and velocity): the loops run over that constant, so
the compiler unrolls them (a run-time length makes every kernel that links these larger and slower to
compile). Workspace convention: ``k`` is a (7, 6) array of the stage derivatives, ``k[0] = f(t, y)`` on
entry (first-same-as-last: after an accepted step ``k[6]`` is ``f`` at its end).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

# Dormand-Prince 5(4) tableau, error weights and continuous-extension coefficients (as in SciPy's RK45).
C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0])
A = np.array(
    [
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [1 / 5, 0.0, 0.0, 0.0, 0.0],
        [3 / 40, 9 / 40, 0.0, 0.0, 0.0],
        [44 / 45, -56 / 15, 32 / 9, 0.0, 0.0],
        [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0.0],
        [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    ]
)
B = np.array([35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84])
E = np.array([-71 / 57600, 0.0, 71 / 16695, -71 / 1920, 17253 / 339200, -22 / 525, 1 / 40])
P = np.array(
    [
        [1.0, -2.8535800653862835, 3.0717434641059005, -1.1270175653862835],
        [0.0, 0.0, 0.0, 0.0],
        [0.0, 4.023133379230305, -6.249321565289, 2.675424484351598],
        [0.0, -3.7324019615885042, 10.068970589843675, -5.685526961588504],
        [0.0, 2.5548038301849423, -6.399112377351017, 3.5219323679207912],
        [0.0, -1.3744241142186024, 3.272657752246729, -1.7672812570757455],
        [0.0, 1.3824689317781436, -3.764937863556287, 2.382468931778144],
    ]
)

N_STATE = 6  # components of a state: position and velocity
MAX_FACTOR = 10.0  # largest growth of the step after an accepted step
MIN_FACTOR = 0.2  # largest shrink after a rejected one
SAFETY = 0.9


def make_dp5_step(derivative):
    """Compiled Dormand-Prince step for a compiled ``derivative(t, y, args, out)``.

    The returned ``step(t, h, y, args, k, y_new, err)`` takes ``k[0] = f(t, y)``, fills ``k[1:7]``, the
    fifth-order solution ``y_new`` at ``t + h`` and the error estimate ``err`` (per component, not yet
    scaled by the tolerances: see :func:`error_norm`). Compiled with ``cache=True``: one cache entry per
    family's derivative.

    >>> import numba as nb
    >>> @nb.njit
    ... def decay(t, y, args, out):
    ...     out[:] = -args[0] * y
    >>> step = make_dp5_step(decay)
    >>> y, k = np.ones(6), np.empty((7, 6))
    >>> y_new, err = np.empty(6), np.empty(6)
    >>> decay(0.0, y, (2.0,), k[0])
    >>> step(0.0, 0.1, y, (2.0,), k, y_new, err)
    >>> round(float(y_new[0]), 6), round(math.exp(-0.2), 6)
    (0.818731, 0.818731)
    """

    @nb.njit(cache=True)
    def dp5_step(t, h, y, args, k, y_new, err):
        for i in range(1, 6):
            for j in range(N_STATE):
                acc = 0.0
                for m in range(i):
                    acc += A[i, m] * k[m, j]
                err[j] = y[j] + h * acc  # the stage state (err is scratch until the last loop)
            derivative(t + C[i] * h, err, args, k[i])
        for j in range(N_STATE):
            acc = 0.0
            for m in range(6):
                acc += B[m] * k[m, j]
            y_new[j] = y[j] + h * acc
        derivative(t + h, y_new, args, k[6])
        for j in range(N_STATE):
            acc = 0.0
            for m in range(7):
                acc += E[m] * k[m, j]
            err[j] = h * acc

    return dp5_step


@nb.njit(cache=True, inline="always")
def error_norm(y, y_new, err, rtol, atol):
    """RMS over the components of ``err / (atol + rtol max(|y|, |y_new|))`` (SciPy's norm); <= 1 accepts."""
    total = 0.0
    for j in range(N_STATE):
        scale = atol + rtol * max(abs(y[j]), abs(y_new[j]))
        total += (err[j] / scale) ** 2
    return math.sqrt(total / N_STATE)


@nb.njit(cache=True, inline="always")
def step_factor(err_norm):
    """Factor on the step just tried for the next one: shrink after a rejection (``err_norm > 1``), grow
    (at most ``MAX_FACTOR``) after an acceptance; the fifth-order rule ``SAFETY err^(-1/5)``."""
    if err_norm > 1.0:
        return max(MIN_FACTOR, SAFETY * err_norm**-0.2)
    if err_norm == 0.0:
        return MAX_FACTOR
    return min(MAX_FACTOR, SAFETY * err_norm**-0.2)


@nb.njit(cache=True)
def dense(y, h, k, theta, out):
    """Continuous extension: the state at ``t + theta h`` inside an accepted step from ``(t, y)``."""
    t2 = theta * theta
    t3 = t2 * theta
    t4 = t3 * theta
    for j in range(N_STATE):
        acc = 0.0
        for m in range(7):
            acc += k[m, j] * (P[m, 0] * theta + P[m, 1] * t2 + P[m, 2] * t3 + P[m, 3] * t4)
        out[j] = y[j] + h * acc


BISECT_ROUNDS = 48  # 2^-48 of a step: far below a millimetre


def make_locate(event):
    """Compiled event location for a compiled ``event(kind, t, y, args)`` (``kind`` numbers a family's
    events; each fires when its value becomes >= 0).

    The returned ``locate(kind, t, y, h, k, args, tmp)`` is the fraction of an accepted step from
    ``(t, y)`` (stages ``k``) where event ``kind`` first becomes >= 0, by bisection on the continuous
    extension (:func:`dense`; ``tmp`` is scratch); the event must be < 0 at the start and >= 0 at the end.
    """

    @nb.njit(cache=True)
    def locate(kind, t, y, h, k, args, tmp):
        lo, hi = 0.0, 1.0
        for _ in range(BISECT_ROUNDS):
            mid = 0.5 * (lo + hi)
            dense(y, h, k, mid, tmp)
            if event(kind, t + mid * h, tmp, args) < 0.0:
                lo = mid
            else:
                hi = mid
        return hi

    return locate
