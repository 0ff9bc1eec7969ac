"""Why every leaker leaked: the first link of the kill chain that failed, for each warhead not killed.

The links, in the order they are read: the warhead was never detected; it was detected but never held
in a track (full chain); it was tracked but never to the accuracy a layer fires on (full
chain); no battery could still intercept it once the defence could act (geometry or timeline); the
batteries that could were empty; those with interceptors were withheld (reserves for first-priority
assets, per-layer limits, or the assignment gave them to other threats); or it was engaged, and every
salvo missed (counted against the layer of the last salvo). Exactly one cause per leaker, so the causes
add up to the expected number of leakers.
"""

from __future__ import annotations

import numpy as np

from domesim.c2.doctrine import INVENTORY_EXHAUSTED, NO_FIRE_CONTROL, WITHHELD
from domesim.engine.world import World

# (key, what it means in words) of the causes before an engagement, in the order they are read
CAUSES_BEFORE_ENGAGEMENT: tuple[tuple[str, str], ...] = (
    ("never_detected", "were never detected by any sensor"),
    ("no_track", "were detected but never held in a track"),
    ("no_fire_control_track", "were never tracked to the accuracy the layers in reach commit on"),
    ("no_battery_in_reach", "came within reach of no battery in time (geometry or timeline)"),
    ("inventory_exhausted", "found the batteries that could reach them empty"),
    ("withheld", "were not engaged by batteries held back by reserves, layer limits or the assignment"),
)


def missed_key(layer: str) -> str:
    return f"missed_{layer}"


def cause_names(world: World) -> list[str]:
    """Every cause key of this world's runs, in reading order (the missed causes one per layer)."""
    return [key for key, _ in CAUSES_BEFORE_ENGAGEMENT] + [missed_key(layer) for layer in world.layers]


def cause_words(key: str) -> str:
    """A cause in words, for the report: "were engaged by the midcourse layer, and every salvo missed"."""
    for k, words in CAUSES_BEFORE_ENGAGEMENT:
        if k == key:
            return words
    layer = key.removeprefix("missed_").replace("_", " ")
    return f"were engaged, last by the {layer} layer, and every salvo missed"


def classify_leakers(world: World, log: dict[str, np.ndarray]) -> np.ndarray:
    """Cause of every (trial, object): an index into :func:`cause_names`, -1 where nothing leaked (the
    object was killed, or is not a warhead). Shape (R, N)."""
    killed = log["killed"]
    n_trials, n_objects = killed.shape
    lethal = np.array([info.lethal for info in world.objects], dtype=bool)
    leaker = ~killed & lethal[None, :]
    # the layer of each object's last engagement (by intercept time), -1 if never engaged
    layers = world.layers
    battery_layer = np.array([layers.index(b.interceptor.layer) for b in world.batteries], dtype=np.int64)
    last_layer = np.full((n_trials, n_objects), -1, dtype=np.int64)
    if log["eng_trial"].size:
        key = log["eng_trial"].astype(np.int64) * n_objects + log["eng_object"].astype(np.int64)
        order = np.lexsort((log["eng_intercept_t_s"], key))
        key_sorted = key[order]
        last = order[np.r_[key_sorted[1:] != key_sorted[:-1], True]]
        last_layer[log["eng_trial"][last], log["eng_object"][last]] = battery_layer[log["eng_battery"][last]]
    tracked = "first_track_t_s" in log
    no_track = ~np.isfinite(log["first_track_t_s"]) if tracked else np.zeros_like(leaker)
    no_fire_control = ~np.isfinite(log["fire_control_t_s"]) if tracked else np.zeros_like(leaker)
    held = log.get("held", np.zeros((n_trials, n_objects), dtype=np.int8))
    before = len(CAUSES_BEFORE_ENGAGEMENT)
    cause = np.select(
        [
            last_layer >= 0,
            ~np.isfinite(log["detect_t_s"]),
            no_track,
            no_fire_control | (held == NO_FIRE_CONTROL),
            held == INVENTORY_EXHAUSTED,
            held == WITHHELD,
        ],
        [before + last_layer, 0, 1, 2, 4, 5],
        default=3,
    )
    return np.where(leaker, cause, -1)


def leak_causes(world: World, cause: np.ndarray) -> dict[str, float]:
    """Expected leakers per trial by cause (every cause, zeros included): they add up to the expected
    number of leakers."""
    counts = np.stack([(cause == i).sum(axis=1) for i in range(len(cause_names(world)))], axis=1)
    return {name: float(counts[:, i].mean()) for i, name in enumerate(cause_names(world))}
