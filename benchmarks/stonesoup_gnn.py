"""The Stone Soup GNN comparison set-up shared by ``bench_tracking`` and the validation test
``tests/validation/test_tracking_stonesoup.py`` (peer-baselines section 3.3): one scenario generator,
the same detections for both trackers, and each tracker built the same way in both places.

- Scenario: K targets in a cube whose corner is 300 km above the equator (``ORIGIN_M``; domesim's tracker
  is inertial-frame and picks its motion model by altitude, Stone Soup is frame-free, and above the Earth
  both use the one constant-velocity model), 100-300 m/s in random directions, truth driven by the
  filter's own white-noise acceleration (q = 1 m^2/s^3); 1 s scans; position detections with sigma
  50 m per axis, probability of detection ``pd``; Poisson clutter uniform in the cube.
- Stone Soup (dstl, MIT): ``MultiTargetTracker`` with ``CombinedLinearGaussianTransitionModel`` of
  3 x ``ConstantVelocity(1)``, ``LinearGaussian`` (sigma 50 m), ``KalmanPredictor`` /
  ``KalmanUpdater``, ``DistanceHypothesiser(Mahalanobis, missed_distance = 3)``,
  ``GNNWith2DAssignment``, ``UpdateTimeStepsDeleter(10)``; the K tracks start from perturbed truth at
  scan 0, and no other track is started.
- domesim: ``Tracker(TrackerConfig(q_m2_s3=1, ballistic=False, gate_distance=3, delete_misses=10,
  initiate=False))`` seeded with the same states and covariances at scan 0.
"""

from __future__ import annotations

import datetime

import numpy as np
from stonesoup.base import Property
from stonesoup.dataassociator.neighbour import GNNWith2DAssignment
from stonesoup.deleter.time import UpdateTimeStepsDeleter
from stonesoup.hypothesiser.distance import DistanceHypothesiser
from stonesoup.initiator.base import Initiator
from stonesoup.measures import Mahalanobis
from stonesoup.models.measurement.linear import LinearGaussian
from stonesoup.models.transition.linear import CombinedLinearGaussianTransitionModel, ConstantVelocity
from stonesoup.predictor.kalman import KalmanPredictor
from stonesoup.tracker.simple import MultiTargetTracker
from stonesoup.types.array import CovarianceMatrix, StateVector
from stonesoup.types.detection import Detection
from stonesoup.types.state import GaussianState
from stonesoup.types.track import Track
from stonesoup.updater.kalman import KalmanUpdater

from domesim.core.constants import R_EARTH_EQ_M
from domesim.tracking.tracker import Tracker, TrackerConfig

Q_M2_S3, SIGMA_Z_M, GATE, DELETE_MISSES = 1.0, 50.0, 3.0, 10
SIGMA0_POS_M, SIGMA0_VEL_M_S = 100.0, 20.0  # spread of the seeded states about the truth (and their P)
EPOCH = datetime.datetime(2026, 1, 1)
ORIGIN_M = np.array([R_EARTH_EQ_M + 300e3, 0.0, 0.0])  # the scenario cube's corner, inertial frame
SS_FROM_DOM = np.array([0, 3, 1, 4, 2, 5])  # domesim [x, y, z, vx, vy, vz] -> Stone Soup [x, vx, y, vy, ...]
DOM_FROM_SS = np.argsort(SS_FROM_DOM)


def cv_matrices(dt: float, q: float) -> tuple[np.ndarray, np.ndarray]:
    """F and Q of the constant-velocity model in domesim's state order (Stone Soup's ``ConstantVelocity``)."""
    eye = np.eye(3)
    F = np.block([[eye, dt * eye], [0 * eye, eye]])
    Q = q * np.block([[dt**3 / 3 * eye, dt**2 / 2 * eye], [dt**2 / 2 * eye, dt * eye]])
    return F, Q


def make_scenario(
    k: int,
    n_scans: int,
    side_m: float,
    clutter_mean: float,
    pd: float,
    seed: int,
    formation_sigma_m_s: float | None = None,
) -> dict:
    """Truth, detections and seeded states of one deterministic scenario (domesim state order).

    With ``formation_sigma_m_s`` the targets share one velocity plus that spread, and the clutter cube
    moves with them (a dense raid). Returns ``truth`` (n_scans, k, 6); ``z``, ``R``, ``labels``: per
    scan, detections (D, 3) in m, their covariances (D, 3, 3) and target indices (-1: clutter); ``x0``
    (k, 6) and ``P0`` (k, 6, 6): the seeded states at scan 0.
    """
    rng = np.random.default_rng(seed)
    F, Q = cv_matrices(1.0, Q_M2_S3)
    Lq = np.linalg.cholesky(Q)
    n_dir = 1 if formation_sigma_m_s is not None else k
    u = rng.standard_normal((n_dir, 3))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    position = ORIGIN_M + rng.uniform(0.0, side_m, (k, 3))
    v = np.broadcast_to(rng.uniform(100.0, 300.0, (n_dir, 1)) * u, (k, 3))
    if formation_sigma_m_s is not None:
        v = v + formation_sigma_m_s * rng.standard_normal((k, 3))
    x = np.hstack([position, v])
    v_clutter = v[0] if formation_sigma_m_s is not None else np.zeros(3)
    truth = np.empty((n_scans, k, 6))
    zs, Rs, labels = [], [], []
    for s in range(n_scans):
        if s > 0:
            x = x @ F.T + rng.standard_normal((k, 6)) @ Lq.T
        truth[s] = x
        hit = np.flatnonzero(rng.random(k) < pd)
        clutter = ORIGIN_M + rng.uniform(0.0, side_m, (rng.poisson(clutter_mean), 3)) + s * v_clutter
        z = np.vstack([x[hit, :3] + SIGMA_Z_M * rng.standard_normal((hit.size, 3)), clutter])
        lab = np.concatenate([hit, np.full(len(clutter), -1)])
        order = rng.permutation(len(z))
        zs.append(z[order])
        labels.append(lab[order])
        Rs.append(np.broadcast_to(SIGMA_Z_M**2 * np.eye(3), (len(z), 3, 3)).copy())
    sig0 = np.array([SIGMA0_POS_M] * 3 + [SIGMA0_VEL_M_S] * 3)
    x0 = truth[0] + sig0 * rng.standard_normal((k, 6))
    P0 = np.broadcast_to(np.diag(sig0**2), (k, 6, 6)).copy()
    return {"truth": truth, "z": zs, "R": Rs, "labels": labels, "x0": x0, "P0": P0}


class SeededInitiator(Initiator):
    """Starts the given tracks at its first call and no track afterwards."""

    seeds: list = Property(doc="Tracks to start at the first scan")

    def initiate(self, detections, timestamp, **kwargs):
        tracks, self.seeds = set(self.seeds), []
        return tracks


def stonesoup_detections(sc: dict, n_scans: int | None = None) -> list:
    """(time, set of Detection) per scan: ``MultiTargetTracker``'s detector, made once and reused."""
    n = len(sc["z"]) if n_scans is None else n_scans
    out = []
    for s in range(n):
        t = EPOCH + datetime.timedelta(seconds=s)
        out.append((t, {Detection(StateVector(z), timestamp=t) for z in sc["z"][s]}))
    return out


def stonesoup_tracker(sc: dict, detections: list) -> tuple[MultiTargetTracker, list]:
    """Stone Soup's GNN tracker over ``detections``, and the tracks it is seeded with (one per target)."""
    transition = CombinedLinearGaussianTransitionModel([ConstantVelocity(Q_M2_S3)] * 3)
    measurement = LinearGaussian(ndim_state=6, mapping=(0, 2, 4), noise_covar=np.eye(3) * SIGMA_Z_M**2)
    predictor = KalmanPredictor(transition)
    updater = KalmanUpdater(measurement)
    hypothesiser = DistanceHypothesiser(predictor, updater, measure=Mahalanobis(), missed_distance=GATE)
    perm = np.ix_(SS_FROM_DOM, SS_FROM_DOM)
    seeds = [
        Track([GaussianState(StateVector(x[SS_FROM_DOM]), CovarianceMatrix(P[perm]), EPOCH)])
        for x, P in zip(sc["x0"], sc["P0"], strict=True)
    ]
    tracker = MultiTargetTracker(
        initiator=SeededInitiator(list(seeds)),
        deleter=UpdateTimeStepsDeleter(DELETE_MISSES),
        detector=detections,
        data_associator=GNNWith2DAssignment(hypothesiser),
        updater=updater,
    )
    return tracker, seeds


def domesim_tracker(sc: dict, spare: int = 64) -> tuple[Tracker, np.ndarray]:
    """domesim's tracker seeded at scan 0 with the scenario's states, and the store slot of each target."""
    k = len(sc["x0"])
    cfg = TrackerConfig(
        q_m2_s3=Q_M2_S3,
        ballistic=False,
        gate_distance=GATE,
        delete_misses=DELETE_MISSES,
        initiate=False,
        capacity=k + spare,
    )
    trk = Tracker(cfg)
    return trk, trk.seed(0.0, sc["x0"], sc["P0"])
