"""Key-path edits: the value None removes the block a path names (the builder's on/off switches)."""

from __future__ import annotations

import pytest

from domesim.errors import ParameterError
from domesim.scenario.edits import apply_edits


def test_none_removes_the_named_block_and_leaves_the_base_alone() -> None:
    base = {"sensor": [{"deployment": "a"}, {"deployment": "b"}, {"deployment": "c"}]}
    out = apply_edits(base, {"sensor[b]": None, "sensor[0]": None})
    assert out == {"sensor": [{"deployment": "c"}]}
    assert len(base["sensor"]) == 3


def test_a_value_at_a_block_path_is_still_an_error() -> None:
    with pytest.raises(ParameterError, match="name a key inside the block"):
        apply_edits({"sensor": [{"deployment": "a"}]}, {"sensor[a]": 3})
