"""The mutation engine: hypothesis strategies that draw *recipes* (small JSON-able descriptions of a
mutant), and :func:`materialize`, which turns a recipe into files in a folder and the command line to
run on them.

A recipe, not the mutant's text, is what hypothesis draws and what the campaign sends to its workers and
saves with a failure: a mutant can be megabytes (1,000 duplicated blocks, a TLE file of 20,000 lines, an
array nested 100,000 deep), its recipe a few hundred bytes, and the same recipe always gives the same
files. Three kinds of seed are mutated (:mod:`tests.fuzz.seeds`):

- ``scenario``: a shipped example, parsed, its tree edited (values replaced by edge values and wrong
  types, keys deleted or added, blocks duplicated, values nested deep), written back as TOML, then its text
  edited (truncated, raw bytes inserted);
- ``sweep``: a shipped sweep (or a small variant of it) edited the same way, its base scenarios beside it;
- ``tle``: a valid TLE/OMM set under a small space scenario, edited line by line (garbage, long,
  truncated lines, bad checksums, columns changed, duplicated up to a bounded size) and as bytes.

Path values (``../../etc/passwd``, ``/etc/passwd``, a symlink in the folder that points outside it) go
where a file is named (``tle_file``, a sweep's ``scenario``), and anywhere else a string goes.
"""

from __future__ import annotations

import copy
import json
import os
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as fixed_seed
from hypothesis import strategies as st
from tests.fuzz import seeds, tomlwrite
from tests.fuzz.tomlwrite import Nested, Raw, dumps

MAX_TLE_LINES = 20_000  # a "huge" TLE file stays a few MB: the campaign's disk use stays small
MAX_FILE_BYTES = 8_000_000  # nor does any mutant (1,000 duplicated blocks of a 200,000-character name)
OUTSIDE_FILE = "/etc/passwd"  # what the folder's symlink points at: a file the user did not name

# ---------------------------------------------------------------------------------------------------------
# Edge values

EDGE_INTS = [0, 1, -1, 2, 3, 7, 100, 10_000, 2**31 - 1, 2**31, 2**53 + 1, 2**63 - 1, -(2**63), 2**64, 10**40]
EDGE_FLOATS = [
    0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, 1e-9, 1e-3, 0.5, 1.5, -1.5, 90.0, 180.0,
    360.0, 1e6, 1e9, 1e300, 1.7976931348623157e308, float("nan"), float("inf"), float("-inf"),
]  # fmt: skip
PATHS = [
    "../../etc/passwd", "/etc/passwd", "link-out", "link-dir", "/dev/zero", "/proc/self/environ", ".", "",
    "missing.tle", "sats.tle\x00.toml", "~/.ssh/id_rsa", "a" * 5000, "C:\\Windows\\win.ini", "../nk-1.toml",
    "../golden-dome.toml", "sats.tle",
]  # fmt: skip
MARKUP = [
    "[bold red]boom[/bold red]", "[/]", "[link=file:///etc/passwd]x[/link]", "[red", ":rocket: :smile:",
    "\U0001f680\U0001f4a5", "\u202eevil", "\x1b[31mred\x1b[0m", "\x00", "%s%n%x", "{0} {__class__}",
    "${HOME}", "'; DROP TABLE runs; --", "north_korea", "icbm_solid", "seattle", "gbi_fort_greely",
    "2026-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2026-02-30T00:00:00Z",
    "full", "screening", "ideal", "sample", "grid", " ", "\n",
]  # fmt: skip
DATES = ["1979-05-27T07:32:00Z", "2026-01-01", "07:32:00", "1979-05-27T00:32:00.999999-07:00"]


def _marker(name: str, **fields: Any) -> dict[str, Any]:
    return {"__fz__": name, **fields}


def edge_values() -> st.SearchStrategy[Any]:
    """A value for any key: an edge number, a wrong type, a long or hostile string, a container, a
    deep nesting."""
    scalar = st.one_of(
        st.sampled_from(EDGE_INTS),
        st.integers(-1000, 1000),
        st.sampled_from(EDGE_FLOATS),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(MARKUP),
        st.sampled_from(PATHS),
        st.text(max_size=20),
        st.booleans(),
        st.builds(lambda s, n: _marker("repeat", s=s, n=n), st.sampled_from(["A", "[b]", "\u00e9"]),
                  st.sampled_from([300, 10_000, 200_000])),
        st.builds(lambda d: _marker("raw", text=d), st.sampled_from(DATES)),
    )  # fmt: skip
    nested = st.builds(
        lambda kind, depth: _marker("nest", kind=kind, depth=depth),
        st.sampled_from(["array", "table"]),
        st.sampled_from([2, 50, 500, 5_000, 100_000]),
    )
    containers = st.one_of(
        st.just([]),
        st.just({}),
        st.lists(scalar, max_size=6),
        st.dictionaries(st.text(max_size=8), scalar, max_size=3),
    )
    return st.one_of(scalar, scalar, scalar, containers, nested)


# ---------------------------------------------------------------------------------------------------------
# Recipes

INDEX = st.integers(0, 10_000)  # a node is picked as index % (number of candidates): any index is valid
# Keys worth hitting on purpose (a random node rarely is ``step_s``), and the table each belongs to when a
# seed does not have it yet ("threat" etc.: the first block of that array).
SECTION_OF = {
    "step_s": "scenario", "duration_s": "scenario", "epoch_utc": "scenario", "name": "scenario",
    "sensing": "scenario", "description": "scenario", "seed": "montecarlo", "trials": "montecarlo",
    "chunk_trials": "montecarlo", "count": "threat", "launch_time_s": "threat", "launch_interval_s": "threat",
    "loft_deg": "threat", "apogee_km": "threat", "flight_time_min": "threat", "class": "threat",
    "aim_asset": "threat", "launch_region": "threat", "inventory": "interceptor_site",
    "deployment": "sensor", "tle_file": "constellation", "per_plane": "walker", "samples": "sweep",
    "method": "sweep", "scenario": "sweep", "values": "parameter", "key": "parameter", "low": "parameter",
    "high": "parameter", "wave": "threat", "start_h": "wave", "strike_before_s": "asat",
    "countermeasures": "threat", "aim_site": "threat", "attack_goal": "sweep",
}  # fmt: skip
KNOWN_KEYS = [
    "count", "step_s", "duration_s", "seed", "trials", "chunk_trials", "launch_time_s", "launch_interval_s",
    "loft_deg", "apogee_km", "inventory", "tle_file", "per_plane", "planes", "alt_km", "class", "name",
    "sensing", "epoch_utc", "aim_asset", "launch_region", "deployment", "constellation", "override",
    "walker", "elements_deg", "geo_lon_deg", "discrimination", "samples", "method", "scenario", "values",
    "wave", "start_h", "asat", "strike_before_s", "countermeasures", "aim_site", "site_kill_radius_km",
]  # fmt: skip


BLOCKS = ["threat", "sensor", "interceptor_site", "asset", "constellation", "parameter", "wave", "asat"]
NEW_KEY = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=10))


def _tree_ops() -> st.SearchStrategy[list[Any]]:
    return st.one_of(
        st.tuples(st.just("set"), INDEX, edge_values()),
        st.tuples(st.just("set"), INDEX, edge_values()),
        st.tuples(st.just("scale"), INDEX, st.sampled_from([0, -1, 0.5, 2, 10, 1000, 1e6, 1e-6])),
        st.tuples(st.just("del"), INDEX),
        st.tuples(st.just("add"), INDEX, NEW_KEY, edge_values()),
        st.tuples(st.just("dup"), INDEX, st.sampled_from([2, 10, 100, 1000])),
        st.tuples(st.just("file"), st.sampled_from(PATHS)),
        st.tuples(st.just("key"), st.sampled_from(sorted(SECTION_OF)), edge_values()),
        st.tuples(st.just("key"), st.sampled_from(sorted(SECTION_OF)), edge_values()),
        st.tuples(st.just("key"), st.sampled_from(sorted(SECTION_OF)), edge_values()),
        st.tuples(st.just("block"), st.sampled_from(BLOCKS), st.sampled_from([2, 10, 100, 1000])),
    ).map(list)  # fmt: skip


def _text_ops() -> st.SearchStrategy[list[Any]]:
    return st.one_of(
        st.tuples(st.just("trunc"), st.integers(0, 1000)),
        st.tuples(st.just("bytes"), st.integers(0, 1000), st.binary(min_size=1, max_size=8).map(bytes.hex)),
        st.tuples(st.just("repeat"), st.sampled_from([2, 50])),
    ).map(list)


def _tle_ops() -> st.SearchStrategy[list[Any]]:
    text = st.one_of(st.sampled_from(MARKUP), st.text(max_size=80), st.just("1 " + "9" * 67))
    return st.one_of(
        st.tuples(st.just("line_set"), INDEX, text),
        st.tuples(st.just("line_ins"), INDEX, text),
        st.tuples(st.just("line_long"), INDEX, st.sampled_from([70, 200, 10_000, 1_000_000])),
        st.tuples(st.just("line_cut"), INDEX, st.integers(0, 1000)),
        st.tuples(st.just("line_del"), INDEX),
        st.tuples(st.just("checksum"), INDEX),
        st.tuples(st.just("char"), INDEX, st.integers(0, 80), st.sampled_from(list("0 9-+.AZx\t\u00e9"))),
        st.tuples(st.just("dup"), st.sampled_from([2, 100, 5_000])),
        st.tuples(st.just("omm_set"), INDEX, st.sampled_from(list(seeds.omm_records()[0])), edge_values()),
    ).map(list)  # fmt: skip


def _cli_ops() -> st.SearchStrategy[list[Any]]:
    return st.one_of(
        st.tuples(st.just("out"), st.sampled_from(["file", "under-file", "existing-dir"])),
        st.tuples(st.just("data_dir"), st.sampled_from(["file", "under-file"])),
        st.tuples(st.just("seed"), st.sampled_from([0, 1, 2**32, 2**64, 2**200])),
        st.tuples(st.just("sensing"), st.sampled_from(["full", "screening", "ideal", "[bold]x", ""])),
    ).map(list)


SWEEP_BASES = ["nk-10-frontier.toml", "small-grid", "small-sample"]


def recipes(command: str) -> st.SearchStrategy[dict[str, Any]]:
    """Recipes for ``command`` ("validate" or "run"); run recipes also vary the run's options."""
    cli = st.lists(_cli_ops(), max_size=2) if command == "run" else st.just([])
    scenario = st.fixed_dictionaries({
        "kind": st.just("scenario"),
        "base": st.sampled_from(list(seeds.scenario_seeds())),
        "ops": st.lists(_tree_ops(), min_size=1, max_size=4),
        "text_ops": st.lists(_text_ops(), max_size=1),
        "cli": cli,
    })  # fmt: skip
    sweep = st.fixed_dictionaries({
        "kind": st.just("sweep"),
        "base": st.sampled_from(SWEEP_BASES),
        "ops": st.lists(_tree_ops(), min_size=1, max_size=3),
        "text_ops": st.lists(_text_ops(), max_size=1),
        "cli": st.just([]),
    })  # fmt: skip
    tle = st.fixed_dictionaries({
        "kind": st.just("tle"),
        "base": st.sampled_from(["tle", "3le", "csv", "json", "xml"]),
        "ops": st.lists(_tle_ops(), min_size=1, max_size=3),
        "text_ops": st.lists(_text_ops(), max_size=1),
        "cli": cli,
    })  # fmt: skip
    kind = st.sampled_from(["scenario"] * 6 + ["sweep"] * 2 + ["tle"] * 2)
    return kind.flatmap(lambda k: {"scenario": scenario, "sweep": sweep, "tle": tle}[k]).map(
        lambda r: {**r, "command": command}
    )


def draw(command: str, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` recipes for ``command``, the same ones for the same ``seed`` (hypothesis, generation only:
    no shrinking, no example database)."""
    found: list[dict[str, Any]] = []

    @settings(
        max_examples=n,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @fixed_seed(seed)
    @given(recipes(command))
    def collect(recipe: dict[str, Any]) -> None:
        found.append(json.loads(json.dumps(recipe)))  # a plain copy: what a worker will receive

    while len(found) < n:  # hypothesis may stop short of max_examples; draw again with the next seed
        before = len(found)
        collect()
        if len(found) == before:
            break
        seed += 1
        collect = fixed_seed(seed)(collect)
    return found[:n]


# ---------------------------------------------------------------------------------------------------------
# Materializing a recipe


def decode(v: Any) -> Any:
    """A recipe value as a TOML value (markers become :class:`Nested`, :class:`Raw` or long strings)."""
    if isinstance(v, dict) and "__fz__" in v:
        if v["__fz__"] == "nest":
            return Nested(v["kind"], v["depth"])
        if v["__fz__"] == "raw":
            return Raw(v["text"])
        return v["s"] * v["n"]
    if isinstance(v, dict):
        return {str(k): decode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [decode(x) for x in v]
    return v


def _nodes(data: Any, path: tuple = ()) -> list[tuple]:
    """Every node below ``data`` as a path of keys and indices, depth first, in document order."""
    out = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for k, v in items:
        out.append(path + (k,))
        out.extend(_nodes(v, path + (k,)))
    return out


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def _pick(candidates: list[tuple], index: int) -> tuple | None:
    return candidates[index % len(candidates)] if candidates else None


def _edit_tree(data: dict[str, Any], op: list[Any], file_key: tuple) -> None:
    nodes = _nodes(data)
    name = op[0]
    if name == "set" and (path := _pick(nodes, op[1])):
        _get(data, path[:-1])[path[-1]] = decode(op[2])
    elif name == "scale":
        numbers = [p for p in nodes if type(_get(data, p)) in (int, float)]
        if path := _pick(numbers, op[1]):
            old = _get(data, path)
            new = old * op[2]
            _get(data, path[:-1])[path[-1]] = int(new) if isinstance(old, int) and new == new else new
    elif name == "del" and (path := _pick(nodes, op[1])):
        parent = _get(data, path[:-1])
        del parent[path[-1]]
    elif name == "add":
        tables = [()] + [p for p in nodes if isinstance(_get(data, p), dict)]
        path = _pick(tables, op[1])
        _get(data, path or ())[str(op[2])] = decode(op[3])
    elif name == "dup":
        arrays = [p for p in nodes if isinstance(_get(data, p), list) and _get(data, p)]
        if path := _pick(arrays, op[1]):
            items = _get(data, path)
            items.extend(copy.deepcopy(items[0]) for _ in range(op[2]))
    elif name == "key":  # the key where the seed has it, else added to the table it belongs to
        found = [p for p in nodes if p[-1] == op[1]]
        if found:
            _get(data, found[0][:-1])[op[1]] = decode(op[2])
            return
        table = data.get(SECTION_OF[op[1]])
        table = table[0] if isinstance(table, list) and table else table
        if isinstance(table, dict):
            table[op[1]] = decode(op[2])
    elif name == "block":  # a [[block]] of the seed repeated: thousands of threats, sensors, sites
        blocks = data.get(op[1])
        if isinstance(blocks, list) and blocks:
            blocks.extend(copy.deepcopy(blocks[-1]) for _ in range(op[2]))
    elif name == "file":  # name a file: the sweep's base scenario, or a constellation's TLE file
        if file_key == ("sweep", "scenario"):
            if isinstance(data.get("sweep"), dict):
                data["sweep"]["scenario"] = op[1]
            return
        layers = data.setdefault("constellation", [])
        if isinstance(layers, list) and layers and isinstance(layers[0], dict) and "tle_file" in layers[0]:
            layers[0]["tle_file"] = op[1]
        elif isinstance(layers, list):
            layers.append({"name": "fuzz-tle", "sensor": "leo_wide_field", "tle_file": op[1]})


def _edit_text(raw: bytes, op: list[Any]) -> bytes:
    at = lambda permille: len(raw) * permille // 1000  # noqa: E731
    if op[0] == "trunc":
        return raw[: at(op[1])]
    if op[0] == "bytes":
        return raw[: at(op[1])] + bytes.fromhex(op[2]) + raw[at(op[1]) :]
    return raw * min(op[1], MAX_FILE_BYTES // max(len(raw), 1) + 1)  # no bigger than the cap needs


def _edit_lines(lines: list[str], op: list[Any], records: list[dict[str, Any]] | None) -> list[str]:
    i = op[1] % len(lines) if lines and isinstance(op[1], int) and op[0] != "dup" else 0
    name = op[0]
    if name == "line_set" and lines:
        lines[i] = op[2]
    elif name == "line_ins":
        lines.insert(i, op[2])
    elif name == "line_long" and lines:
        lines[i] = (lines[i] + "9" * op[2])[: op[2]]
    elif name == "line_cut" and lines:
        lines[i] = lines[i][: len(lines[i]) * op[2] // 1000]
    elif name == "line_del" and lines:
        del lines[i]
    elif name == "checksum" and lines and lines[i][-1:].isdigit():
        lines[i] = lines[i][:-1] + str((int(lines[i][-1]) + 1) % 10)
    elif name == "char" and lines:
        col = op[2] % (len(lines[i]) + 1)
        lines[i] = lines[i][:col] + op[3] + lines[i][col + 1 :]
    elif name == "dup":
        lines = (lines * op[1])[:MAX_TLE_LINES]
    return lines


def _json_text(v: Any) -> str:
    """A decoded value as JSON text (nesting written without recursion, as the TOML writer does)."""
    if isinstance(v, Nested):
        opening, closing = ("[", "]") if v.kind == "array" else ('{"x": ', "}")
        return opening * v.depth + "1" + closing * v.depth
    if isinstance(v, Raw):
        return json.dumps(v.text)
    return json.dumps(v, default=str)


def _tle_file(recipe: dict[str, Any]) -> bytes:
    fmt = recipe["base"]
    records = [dict(r) for r in seeds.omm_records()] if fmt in ("csv", "json", "xml") else None
    raw_json: dict[str, str] = {}  # JSON OMM: placeholder -> the value's JSON text, put in after dumping
    for op in recipe["ops"]:  # structured OMM edits first: they change what the text is written from
        if op[0] == "omm_set" and records and fmt in ("csv", "json"):
            value = decode(op[3])
            if fmt == "csv":
                records[op[1] % len(records)][op[2]] = tomlwrite.value(value).strip('"')
            else:
                token = f"__fz{len(raw_json)}__"
                raw_json[f'"{token}"'] = _json_text(value)
                records[op[1] % len(records)][op[2]] = token
    text = seeds.omm_text(fmt, records) if records else seeds.tle_text(three_line=fmt == "3le")
    for token, json_text in raw_json.items():
        text = text.replace(token, json_text)
    lines = text.splitlines()
    for op in recipe["ops"]:
        if op[0] != "omm_set":
            lines = _edit_lines(lines, op, records)
    kept, size = [], 0
    for line in lines:  # bounded before joining: 20,000 copies of a 1,000,000-character line are 20 GB
        kept.append(line[: MAX_FILE_BYTES - size])
        size += len(kept[-1]) + 1
        if size >= MAX_FILE_BYTES:
            break
    return ("\n".join(kept) + "\n").encode("utf-8", "surrogatepass")


def _sweep_seed(base: str) -> str:
    """The shipped sweep, or a one- or two-point variant of it that ``domesim sweep`` runs in seconds."""
    # written beside its base scenario (a sweep may name files under its own folder only)
    text = seeds.sweep_seeds()["nk-10-frontier.toml"].replace('scenario = "../', 'scenario = "')
    if base == "nk-10-frontier.toml":
        return text
    data = tomllib.loads(text)
    data["sweep"]["trials"] = 2
    for p in data["parameter"]:
        if base == "small-grid":
            p["values"] = p["values"][:1]
        else:
            values = p.pop("values")
            p["low"], p["high"], p["integer"] = values[0], values[1], True
    if base == "small-sample":
        data["sweep"]["method"], data["sweep"]["samples"] = "sample", 2
    return dumps(data)


def materialize(recipe: dict[str, Any], folder: Path) -> list[str]:
    """Write the recipe's files into ``folder`` (which must exist) and return the domesim command line
    to run on them (without the program name)."""
    # what the hostile path values point at: a file and a folder outside ``folder``
    os.symlink(OUTSIDE_FILE, folder / "link-out")
    os.symlink("/", folder / "link-dir")
    kind = recipe["kind"]
    if kind == "tle":
        (folder / "sats.tle").write_bytes(_apply_text_ops(_tle_file(recipe), recipe))
        text, file_key = seeds.SPACE_SCENARIO, ("constellation", 0, "tle_file")
        tree_ops: list[Any] = []
        target = folder / "space.toml"
    elif kind == "sweep":
        for name, base_text in seeds.scenario_seeds().items():  # the sweep's bases, beside it
            (folder / name).write_text(base_text, encoding="utf-8")
        text, file_key, tree_ops = _sweep_seed(recipe["base"]), ("sweep", "scenario"), recipe["ops"]
        target = folder / "sweep.toml"
    else:
        text, file_key = seeds.scenario_seeds()[recipe["base"]], ("constellation", "tle_file")
        tree_ops = recipe["ops"]
        (folder / "sats.tle").write_text(seeds.tle_text(), encoding="utf-8")
        target = folder / "scenario.toml"
    data = tomllib.loads(text)
    for op in tree_ops:
        _edit_tree(data, op, file_key)
    raw = dumps(data).encode("utf-8", "surrogatepass") if tree_ops else text.encode()
    if kind != "tle":
        raw = _apply_text_ops(raw, recipe)
    target.write_bytes(raw)
    return _command_line(recipe, target, folder)


def _apply_text_ops(raw: bytes, recipe: dict[str, Any]) -> bytes:
    for op in recipe["text_ops"]:
        raw = _edit_text(raw, op)
    return raw[:MAX_FILE_BYTES]  # a long cut off is one more truncated file


def _command_line(recipe: dict[str, Any], target: Path, folder: Path) -> list[str]:
    if recipe["kind"] == "sweep":  # the worker decides how far a sweep goes (see worker.run_sweep)
        return ["sweep", str(target), "--out", str(folder / "out"), "--data-dir", str(folder / "data")]
    if recipe["command"] == "validate":
        return ["validate", str(target)]
    options = {"--out": str(folder / "out"), "--data-dir": str(folder / "data")}
    (folder / "a-file").write_text("not a folder\n")
    (folder / "existing").mkdir()
    (folder / "existing" / "keep.txt").write_text("a user's file\n")
    places = {
        "file": str(folder / "a-file"),
        "under-file": str(folder / "a-file" / "sub"),
        "existing-dir": str(folder / "existing"),
    }
    for op in recipe["cli"]:
        if op[0] in ("out", "data_dir"):
            options["--" + op[0].replace("_", "-")] = places[op[1]]
        else:
            options["--" + op[0]] = str(op[1])
    return ["run", str(target), "--trials", "2", *[x for kv in options.items() for x in kv]]
