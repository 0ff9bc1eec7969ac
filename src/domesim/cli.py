"""Command-line interface: ``domesim run | validate | compare | catalogue | runs | calc ...``.

Every :class:`~domesim.errors.DomesimError` becomes one clear message on stderr and exit status 2,
never a traceback. ``--json`` prints exactly one JSON object on stdout.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console, ConsoleDimensions
from rich.table import Table

from domesim import __version__
from domesim.errors import DomesimError, ScenarioError
from domesim.limits import MAX_SEED, InputPolicy, slug

if TYPE_CHECKING:
    from domesim.montecarlo.executors import Executor
    from domesim.scenario.loader import LoadedScenario, LoadedSpec

# Everything heavier than typer and rich (numpy, the scenario schema, numba kernels, scipy, the run store) is
# imported inside the commands that need it, so that `domesim --help`, `calc` and `catalogue` start
# quickly (tests/cli/test_startup.py checks what `--help` imports).


def load_scenario(*args: Any, **kwargs: Any) -> LoadedScenario:
    """:func:`domesim.scenario.loader.load_scenario`, imported when a command first reads a scenario."""
    from domesim.scenario.loader import load_scenario as load

    return load(*args, **kwargs)


def load_spec(*args: Any, **kwargs: Any) -> LoadedSpec:
    """:func:`domesim.scenario.loader.load_spec`, imported when a command first reads a scenario."""
    from domesim.scenario.loader import load_spec as load

    return load(*args, **kwargs)


CATALOGUE_NAME = "runs.duckdb"  # domesim.results.store.CATALOGUE_NAME (for the options' help; tested)


def _show_flags_as_flags() -> None:
    """typer (0.2x) prints a flag's type in --help (``--json <bool>``), as if it took a value: print flags
    bare, as click does."""
    from typer.core import TyperOption

    shown = getattr(TyperOption, "display_type_rich", None)
    if shown is None or getattr(shown, "domesim_flags", False):
        return

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        return None if getattr(self, "is_flag", False) else shown(self, ctx)

    display_type_rich.domesim_flags = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_show_flags_as_flags()

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Simulate and cost notional layered missile-defence architectures.",
)
calc = typer.Typer(no_args_is_help=True, help="Analytic models (docs/design.md section 6, Analytic models).")
app.add_typer(calc, name="calc")
PIPED_WIDTH = 4096  # columns of standard output when it is not a terminal


class _Stdout(Console):
    """Standard output: the terminal's width on a terminal; piped or redirected, wide enough that no table
    cell or line is cut or wrapped (a table is only as wide as its content)."""

    @property
    def size(self) -> ConsoleDimensions:
        size = Console.size.fget(self)  # type: ignore[attr-defined]
        return size if self.is_terminal else ConsoleDimensions(PIPED_WIDTH, size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


def plain_console(**options: Any) -> Console:
    """A console that prints user text as written: scenario names, keys and file content quoted in
    messages may hold "[bold red]" or ":x:", which must not be read as markup or emoji codes (domesim's
    own styling is given as styles, never as markup in the text)."""
    return Console(markup=False, emoji=False, **options)


out_console = _Stdout(markup=False, emoji=False)
err_console = plain_console(stderr=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
AllowPaths = Annotated[
    list[Path] | None,
    typer.Option(
        "--allow-path",
        help="Let the scenario (or sweep) name files under this folder too (repeatable); by default they "
        "must lie under the file's own folder.",
    ),
]
AllowLarge = Annotated[
    bool,
    typer.Option("--allow-large", help="Lift the bounds on input sizes (domesim/limits.py)."),
]


def input_policy(allow_paths: list[Path] | None, allow_large: bool) -> InputPolicy:
    """What the command line allows a load: ``--allow-path`` folders and ``--allow-large``."""
    return InputPolicy.of(allow_large=allow_large, allow_paths=allow_paths or ())


def output_folder(folder: Path, given: bool) -> Path:
    """``folder``, made if missing; a :class:`DomesimError` now, before any work, if it cannot hold the
    output (``given``: it came from ``--out``, which the message then names)."""
    what = f"--out {folder}" if given else f"the output folder {folder}"
    if folder.exists() and not folder.is_dir():
        raise DomesimError(f"{what} is a file, not a folder: give --out a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DomesimError(
            f"{what} cannot be made ({exc.strerror}): give --out a folder you may write"
        ) from (None)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DomesimError(f"{what} is not writable: give --out a folder you may write")
    return folder


PROBLEMS_SHOWN = 50  # a file with thousands of faults is told its first ones and how many more


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn domesim errors into a clear message and exit status 2."""
    try:
        yield
    except ScenarioError as exc:
        for problem in exc.problems[:PROBLEMS_SHOWN]:
            err_console.print(f"error {problem}", markup=False, highlight=False, soft_wrap=True)
        if len(exc.problems) > PROBLEMS_SHOWN:
            err_console.print(f"and {len(exc.problems) - PROBLEMS_SHOWN} more problems", highlight=False)
        raise typer.Exit(2) from None
    except DomesimError as exc:
        err_console.print(f"error {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


ClusterOption = Annotated[
    str | None,
    typer.Option(
        help="Run the tasks on Dask: local:N (N worker processes on this machine, loopback only) or "
        "tcp://HOST:PORT (a running Dask scheduler). Results are identical to --workers 1.",
    ),
]


@contextmanager
def opened_executor(workers: int, cluster: str | None) -> Iterator[Executor]:
    """The executor of ``--workers``/``--cluster``; on a Dask cluster, says where its dashboard is."""
    from domesim.montecarlo.executors import open_executor

    with open_executor(workers, cluster) as executor:
        if executor.dashboard:
            err_console.print(
                f"{executor.description}; dashboard: {executor.dashboard}", markup=False, highlight=False
            )
        yield executor


def _sig(value: Any, digits: int = 4) -> str:
    """A figure for a table: ``digits`` significant digits (0.9625000000000001 -> 0.9625); JSON keeps all."""
    if isinstance(value, bool) or not isinstance(value, float):
        return str(value)
    if math.isnan(value):
        return "-"
    return f"{value:.{digits}g}" if abs(value) < 10**digits else f"{value:,.0f}"


def _emit(data: dict[str, Any], as_json: bool, title: str) -> None:
    if as_json:
        print(json.dumps(data))
        return
    table = Table(title=title, show_header=False)

    def text(value: Any) -> str:
        if isinstance(value, float):
            return _sig(value)  # 4 significant digits; --json keeps every digit
        if isinstance(value, list):
            return ", ".join(map(text, value))
        return str(value)

    for key, value in data.items():
        for name, item in value.items() if isinstance(value, dict) else [(None, value)]:
            table.add_row(f"{key}.{name}" if name else key, text(item))
    out_console.print(table)


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator[Callable[..., None]]:
    """A progress bar on stderr (drawn only in a terminal, so stdout's JSON and pipes stay clean) with
    the time elapsed and, where the total is known, the time left; yields ``advance(n, description)``
    (a new description replaces the first one)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    # the description holds the scenario's name: shown as written, never read as markup
    columns = [
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    if total is not None:
        columns.append(TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True, disable=not err_console.is_terminal) as bar:
        task = bar.add_task(description, total=total)

        def advance(n: int = 1, description: str | None = None) -> None:
            bar.update(task, advance=n, description=description or bar.tasks[0].description)

        yield advance


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        err_console.print(f"warning {warning}", markup=False, highlight=False, soft_wrap=True)


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    trials: Annotated[
        int | None, typer.Option(min=1, help="Monte Carlo trials (default: the file's).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, max=MAX_SEED, help="Root seed (default: the file's).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Output folder (default: out/<scenario name>).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Local worker processes.")] = 1,
    cluster: ClusterOption = None,
    sensing: Annotated[
        str | None, typer.Option(help='Replace the file\'s sensing: "full", "screening" or "ideal".')
    ] = None,
    data_dir: Annotated[Path | None, typer.Option(help=f"Folder of the {CATALOGUE_NAME} catalogue.")] = None,
    allow_path: AllowPaths = None,
    allow_large: AllowLarge = False,
    as_json: JsonFlag = False,
) -> None:
    """Run a scenario's Monte Carlo; write summary.json, Parquet tables, report.html and a catalogue row."""
    import uuid

    from domesim.results.run import run_scenario, write_run
    from domesim.results.store import RunCatalogue, default_data_dir
    from domesim.results.summary import nominal_altitudes

    with user_errors():
        loaded = load_scenario(scenario, trials, seed, sensing, policy=input_policy(allow_path, allow_large))
        _warn(loaded.warnings)
        world, mc = loaded.world, loaded.montecarlo
        # everything that can fail is checked before the simulation: the output folder, the catalogue
        named = world.name if sensing is None else f"{world.name}-{sensing}"
        out_dir = output_folder(out or Path("out") / slug(named), out is not None)
        catalogue = RunCatalogue((data_dir or default_data_dir()) / CATALOGUE_NAME)
        # numba compiles the kernels a scenario uses on their first call and caches them: on a fresh
        # machine the first chunk waits for that, so the bar says why it does not move
        first = (
            f"{world.name}: trials (first chunk: compiling this scenario's kernels if this machine has "
            "not run them yet, about a minute, once)"
        )
        with opened_executor(workers, cluster) as executor, progress_bar(first, mc.trials) as advance:
            try:
                result = run_scenario(
                    loaded,
                    executor=executor,
                    checkpoint_dir=out_dir / "chunks",
                    on_chunk=lambda n: advance(n, f"{world.name}: trials"),
                )
            except KeyboardInterrupt:
                err_console.print(
                    f"interrupted: finished chunks are kept in {out_dir / 'chunks'}; "
                    "run the same command again to resume"
                )
                raise typer.Exit(130) from None
        summary, tables, wall = result.summary, result.tables, result.wall_s
        write_run(out_dir, summary, tables, loaded)
        from domesim.report.html import render_report  # matplotlib: only when a report is written

        render_report(
            out_dir / "report.html", summary, tables, nominal_altitudes(world), loaded.text, loaded.provenance
        )
        from domesim.viz.czml import write_scene  # czml3: only when a scene is written

        write_scene(out_dir / "scene.czml", world, summary, tables)  # the first trial with a leaker, else 0
        catalogue.add_run(
            {
                "run_id": uuid.uuid4().hex[:12],
                "scenario": world.name,
                "scenario_hash": loaded.scenario_hash,
                "seed": mc.seed,
                "trials": mc.trials,
                "version": __version__,
                "git_hash": summary["git_hash"],
                "p_no_leak": summary["p_no_leak"]["mean"],
                "p_no_leak_lo": summary["p_no_leak"]["ci95"][0],
                "p_no_leak_hi": summary["p_no_leak"]["ci95"][1],
                "expected_leakers": summary["expected_leakers"],
                "wall_s": wall,
                "out_dir": str(out_dir.resolve()),
            }
        )
        if as_json:
            print(json.dumps(summary))
            return
        p = summary["p_no_leak"]
        table = Table(title=f"{world.name}: {mc.trials:,} trials, seed {mc.seed}, {world.sensing} sensing")
        table.add_column("metric")
        table.add_column("value", justify="right")
        table.add_row("P(no leaker)", f"{p['mean']:.4f}  [{p['ci95'][0]:.4f}, {p['ci95'][1]:.4f}] 95% CI")
        table.add_row("expected leakers", f"{summary['expected_leakers']:.4f} of {summary['threat_objects']}")
        for name, mean in summary["interceptors_fired"].items():
            table.add_row(f"{name} fired (mean)", f"{mean:.3f}")
        for layer, mean in summary["kills_by_layer"].items():
            table.add_row(f"kills, {layer} layer (mean)", f"{mean:.3f}")
        for cause, mean in summary["leak_causes"].items():
            if mean > 0:
                table.add_row(f"leakers: {cause.replace('_', ' ')} (mean)", f"{mean:.3f}")
        for wave in summary.get("waves", ()):  # a campaign: each wave's outcome
            w = wave["p_no_leak"]
            ci = f"{w['mean']:.4f}  [{w['ci95'][0]:.4f}, {w['ci95'][1]:.4f}]"
            table.add_row(f"wave {wave['name']}: P(no leaker)", ci)
        table.add_row("sensing", summary["sensing_note"].split(":")[0])
        table.add_row("wall time", f"{wall:.2f} s")
        out_console.print(table)
        out_console.print(
            f"results: {out_dir}/summary.json, report.html, scene.czml, trials/engagements/objects.parquet"
        )


@app.command()
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    allow_path: AllowPaths = None,
    allow_large: AllowLarge = False,
    as_json: JsonFlag = False,
) -> None:
    """Check a scenario (schema, catalogue ids, reachability, input bounds) without simulating."""
    with user_errors():
        loaded = load_scenario(scenario, policy=input_policy(allow_path, allow_large))
        _warn(loaded.warnings)
        info = {
            "scenario": loaded.world.name,
            "valid": True,
            "missiles": len(loaded.world.threats),
            "threat_objects": sum(obj.lethal for obj in loaded.world.objects),
            "objects_total": len(loaded.world.objects),
            "sensors": len(loaded.world.radars),
            "interceptor_sites": len(loaded.world.ground_batteries),
            "sensor_satellites": sum(len(c.elements) for c in loaded.world.space_sensors),
            "interceptor_satellites": sum(len(c.elements) for c in loaded.world.sbi_layers),
            "scenario_hash": loaded.scenario_hash,
        }
        _emit(info, as_json, f"{scenario}: valid")


def _billions(usd: float) -> str:
    """Billions, one decimal; two for a small non-zero amount (so that it does not read as 0.0)."""
    if 0 < abs(usd) < 0.05e9:
        return f"{usd / 1e9:,.2f}"
    return f"{usd / 1e9:,.1f}"


NOT_COSTED = "not costed"


def _part(amount: float | None, lower_bound: bool = False) -> str:
    """A cost cell: "not costed" when there is no figure (never 0.0), "≥x" for a lower bound."""
    if amount is None:
        return NOT_COSTED
    return ("≥" if lower_bound else "") + _billions(amount)


@app.command("cost")
def cost_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    horizon_years: Annotated[
        int | None,
        typer.Option(min=1, max=100, help="Years costed (default: the file's cost table, else 20)."),
    ] = None,
    dollar_year: Annotated[
        int | None,
        typer.Option(help="Constant dollars of this year (default: the file's cost table, else 2025)."),
    ] = None,
    launch_price: Annotated[
        str | None,
        typer.Option(
            help="Launch price per kg by catalogue id (costs.toml [launch_price.<id>]: cbo_2026, "
            "cbo_2025_current, cbo_2025_earlier, falcon9_2018, shuttle); default: the file's, else cbo_2026."
        ),
    ] = None,
    capability: Annotated[
        bool, typer.Option("--capability", help="Also simulate P(no leak) year by year as it is fielded.")
    ] = False,
    trials: Annotated[int, typer.Option(min=1, help="Monte Carlo trials per year (--capability).")] = 200,
    allow_path: AllowPaths = None,
    allow_large: AllowLarge = False,
    as_json: JsonFlag = False,
) -> None:
    """Lifecycle cost (development, procurement, launch, replenishment, O&S) and fielding schedule.

    A part with no public figure is shown as "not costed" and left out of the totals, which are then
    lower bounds (marked ≥)."""
    from rich import box

    from domesim.scenario.costing import scenario_cost

    with user_errors():
        policy = input_policy(allow_path, allow_large)
        by_year: list[dict[str, Any]] = []
        if capability:  # simulates: the world is built
            from domesim.studies.capability import capability_by_year

            loaded = load_scenario(scenario, policy=policy)
            result = scenario_cost(loaded, horizon_years, dollar_year, launch_price=launch_price)
            _warn(list(result.warnings))
            horizon = len(result.estimates[0].cost.schedule.years) if result.estimates else 0
            with progress_bar(f"{loaded.world.name}: capability year by year", horizon) as advance:
                by_year = capability_by_year(
                    loaded.world, result, trials, loaded.montecarlo.seed, on_year=lambda year: advance(1)
                )
        else:  # arithmetic on the file and the catalogue: no physics
            spec = load_spec(scenario, policy=policy)
            result = scenario_cost(spec, horizon_years, dollar_year, launch_price=launch_price)
            _warn(list(result.warnings))
        if as_json:
            print(json.dumps({**result.to_dict(), **({"capability_by_year": by_year} if capability else {})}))
            return
        last = result.first_year + result.horizon_years - 1
        price = f"{result.launch_price}, " if result.launch_price else ""
        table = Table(
            title=f"{result.scenario}: lifecycle cost {result.first_year}-{last}, "
            f"billions of {result.dollar_year} dollars (launch {price}${result.launch_usd_per_kg:,.0f}/kg)",
            box=box.SIMPLE_HEAD,
        )
        columns = ("element", "bought", "devel.", "acquis.", "launch", "O&S", "total", "low-high")
        for column in columns:
            table.add_column(column, justify="left" if column == "element" else "right", no_wrap=True)
        parts = ("development_usd", "acquisition_usd", "launch_usd", "ops_usd")
        for e in result.estimates:
            c = e.cost
            spread = f"{_billions(e.low_usd)}-{_billions(e.high_usd)}" if e.unknowns else ""
            cells = [
                "-"
                if p == "launch_usd" and e.holding.kind not in ("sbi", "space_sensor")
                else _part(c.part_usd(p))
                for p in parts
            ]
            table.add_row(
                c.name, f"{c.units_bought:,}", *cells, _part(c.total_usd, bool(c.not_costed)), spread
            )
        for w in result.not_costed_elements:
            table.add_row(w["element"], "", *([NOT_COSTED] * 5), "", style="dim")
        spread = f"{_billions(result.total_low_usd)}-{_billions(result.total_high_usd)}"
        lower = not result.complete
        table.add_row("total", "", "", "", "", "", _part(result.total_usd, lower), spread, style="bold")
        wide = out_console if out_console.is_terminal else plain_console(width=max(out_console.width, 110))
        wide.print(table)  # piped output: wide enough that no figure is truncated
        if lower:
            partial = sorted({(m["element"], m["part"]) for m in result.not_costed if m["part"] != "*"})
            names = {
                "development_usd": "development",
                "acquisition_usd": "acquisition",
                "launch_usd": "launch",
                "ops_usd": "O&S",
            }
            lines = [f"{names.get(part, part)} of {element}" for element, part in partial]
            lines += [
                f"{w['element']} ({w['units']} {'unit' if w['units'] == 1 else 'units'}, all of it)"
                for w in result.not_costed_elements
            ]
            wide.print(
                "not costed (no public figure): " + ", ".join(lines) + ". They are left out of every total, "
                "which are lower bounds (≥).",
                markup=False,
                highlight=False,
            )
        layers = Table(title="by layer, billions", box=box.SIMPLE_HEAD)
        for column in ("layer", "devel.", "acquis.", "launch", "O&S", "total"):
            layers.add_column(column, justify="left" if column == "layer" else "right", no_wrap=True)
        space_layers = {e.cost.layer for e in result.estimates if e.holding.kind in ("sbi", "space_sensor")}
        for layer, row in result.by_layer().items():
            incomplete = set(row["not_costed"])
            cells = [
                "-"
                if k == "launch_usd" and layer not in space_layers
                else _part(row[k], k in incomplete and row[k] is not None)
                for k in parts
            ]
            layers.add_row(layer, *cells, _part(row["total_usd"], bool(incomplete)))
        for w in result.not_costed_elements:
            if w["layer"] not in result.by_layer():
                layers.add_row(w["layer"], *([NOT_COSTED] * 5), style="dim")
        wide.print(layers)
        fielding = Table(title="fielding", box=box.SIMPLE_HEAD)
        for column in ("element", "layer", "units", "per year", "from", "in service by", "bought"):
            fielding.add_column(column, justify="left" if column in ("element", "layer") else "right")
        for e in result.estimates:
            c = e.cost
            rate = c.spec.plan().capacity_per_year
            fielding.add_row(
                c.name,
                c.layer,
                f"{c.spec.units:,}",
                "no limit" if math.isinf(rate) else f"{rate:,.0f}",
                str(c.spec.start_year),
                str(e.year_reached or "never"),
                f"{c.units_bought:,}",
            )
        wide.print(fielding)
        if by_year:
            years = Table(title=f"capability as fielded ({trials} trials a year)", box=box.SIMPLE_HEAD)
            for column in ("year", "fielded (elements below full size)", "P(no leak) [95% CI]"):
                years.add_column(column, justify="left" if column.startswith("fielded") else "right")
            for fielded in by_year:
                shares_below = sorted(fielded["fielded_share"].items())
                partial_share = ", ".join(f"{k} {v:.0%}" for k, v in shares_below if v < 1)
                years.add_row(
                    str(fielded["year"]),
                    partial_share or "all",
                    f"{fielded['p_no_leak']:.3f} "
                    f"[{fielded['p_no_leak_lo']:.3f}, {fielded['p_no_leak_hi']:.3f}]",
                )
            wide.print(years)
        shares = result.by_country()
        out_console.print(
            f"borne by the US {_billions(shares['US'])} B, by Canada {_billions(shares['CA'])} B "
            f"(elements sited in Canada, and canada_share = {result.canada_share:g} of NORAD-shared ones)"
        )


@app.command()
def runs(
    data_dir: Annotated[Path | None, typer.Option(help=f"Folder of the {CATALOGUE_NAME} catalogue.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 20,
    as_json: JsonFlag = False,
) -> None:
    """List the recorded runs, newest first."""
    from domesim.results.store import RunCatalogue, default_data_dir

    with user_errors():
        path = (data_dir or default_data_dir()) / CATALOGUE_NAME
        rows = RunCatalogue(path).list_runs(limit) if path.exists() else []
        if as_json:
            print(json.dumps({"catalogue": str(path), "runs": rows}, default=str))
            return
        columns = ("run_id", "created_utc", "scenario", "trials", "seed", "p_no_leak", "wall_s", "out_dir")
        table = Table(title=f"runs in {path}")
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*(f"{row[c]:.4g}" if isinstance(row[c], float) else str(row[c]) for c in columns))
        out_console.print(table)


@app.command("compare")
def compare_command(
    run_a: Annotated[Path, typer.Argument(help="Run folder A (written by `domesim run --out`).")],
    run_b: Annotated[Path, typer.Argument(help="Run folder B; differences are B - A.")],
    show_all: Annotated[
        bool, typer.Option("--all", help="List every metric, not only those that differ.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Compare two runs: every metric side by side with the difference and whether the 95% intervals
    overlap, per layer, asset and sensor, and the scenario keys that differ."""
    from rich import box

    from domesim.results.compare import ABSENT, compare

    with user_errors():
        result = compare(run_a, run_b)
        if as_json:
            print(json.dumps(result.to_dict()))
            return
        a, b = result.a, result.b
        runs = f"A {a.path} ({a.scenario}, {a.trials:,} trials, seed {a.seed}, {a.sensing})"
        runs += f"\nB {b.path} ({b.scenario}, {b.trials:,} trials, seed {b.seed}, {b.sensing})"
        out_console.print(runs, markup=False, highlight=False)
        rows = [m for m in result.metrics if show_all or m.changed or m.a is None or m.b is None]
        if rows:
            table = Table(
                title="metrics" + ("" if show_all else " that differ (--all: every metric)"),
                box=box.SIMPLE_HEAD,
            )
            for column in ("", "metric", "A", "B", "B - A", "95% CIs overlap"):
                table.add_column(column, justify="left" if column in ("", "metric") else "right")
            last = None
            for m in rows:
                ci = {None: "", True: "yes", False: "no"}[m.overlap]
                table.add_row(
                    m.section if m.section != last else "",
                    m.metric,
                    "absent" if m.a is None else _sig(m.a),
                    "absent" if m.b is None else _sig(m.b),
                    "" if m.diff is None else f"{'+' if m.diff > 0 else ''}{_sig(m.diff)}",
                    ci,
                )
                last = m.section
            out_console.print(table)
        if result.scenario_keys:
            keys = Table(title="scenario keys that differ", box=box.SIMPLE_HEAD)
            for column in ("key", "A", "B"):
                keys.add_column(column)
            for k in result.scenario_keys:
                keys.add_row(k.key, *(v if v == ABSENT else json.dumps(v) for v in (k.a, k.b)))
            out_console.print(keys)
        out_console.print(result.verdict, markup=False, highlight=False)
        for note in result.notes:
            out_console.print(f"note: {note}", markup=False, highlight=False)


def _catalogue_value_text(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, list):
        return ", ".join(map(_catalogue_value_text, value))
    return _sig(value, 6) if isinstance(value, float) else str(value)


@app.command("catalogue")
def catalogue_command(
    kind: Annotated[
        str | None,
        typer.Argument(
            metavar="KIND",
            help="threat, interceptor, sensor, constellation, deployment, site, asset, region, ...",
        ),
    ] = None,
    entry_id: Annotated[str | None, typer.Argument(metavar="ID", help="One entry of that kind.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the catalogue (src/domesim/data/*.toml): without KIND, its kinds; with KIND, every entry with
    its parameters (value, unit, public range, provenance tag) and the sources they cite."""
    from rich import box

    from domesim.build.catalogue import catalogue_listing

    with user_errors():
        data = catalogue_listing(kind, entry_id)
        if as_json:
            print(json.dumps(data))
            return
        if kind is None:
            table = Table(title="catalogue kinds (domesim catalogue KIND)", box=box.SIMPLE_HEAD)
            for column in ("kind", "entries", "what"):
                table.add_column(column, justify="right" if column == "entries" else "left")
            for row in data["kinds"]:
                table.add_row(row["kind"], str(row["entries"]), row["description"])
            out_console.print(table)
            return
        if data["kind"] == "source":  # long titles: one line each
            for entry in data["entries"]:
                out_console.print(
                    f"{entry['id']}: {entry['title']} ({entry['where']})", markup=False, highlight=False
                )
            return
        table = Table(title=f"{data['kind']}: {data['description']}", box=box.SIMPLE_HEAD)
        for column in ("id", "name / parameter", "value", "unit", "low-high", "tag", "sources"):
            table.add_column(column, justify="right" if column in ("value", "low-high") else "left")
        for entry in data["entries"]:
            fields = {k: v for k, v in entry.items() if k not in ("id", "name", "params", "note", "used_in")}
            label = entry.get("name", "")
            extra = ", ".join(f"{k} {v}" for k, v in fields.items())
            table.add_row(entry["id"], f"{label} ({extra})" if extra else str(label), style="bold")
            for key, p in entry["params"].items():
                spread = (
                    ""
                    if p["low"] is None and p["high"] is None
                    else f"{_catalogue_value_text(p['low'])}-{_catalogue_value_text(p['high'])}"
                )
                table.add_row(
                    "",
                    key,
                    _catalogue_value_text(p["value"]),
                    p["unit"],
                    spread,
                    p["tag"],
                    " ".join(p["source"]),
                )
        out_console.print(table, markup=False, highlight=False)
        for source, title in data["sources"].items():
            out_console.print(f"{source}: {title}", markup=False, highlight=False)


@calc.command("salvo")
def calc_salvo(
    pk: Annotated[float, typer.Option(help="Single-shot kill probability.")],
    shots: Annotated[int, typer.Option(help="Shots per warhead.")],
    reliability: Annotated[float, typer.Option()] = 1.0,
    warheads: Annotated[int, typer.Option()] = 1,
    as_json: JsonFlag = False,
) -> None:
    """Salvo of n independent shots: P_k = r (1 - (1 - p)^n), P_0 = P_k^W."""
    from domesim.core import analytic  # scipy: only for the analytic models

    with user_errors():
        _emit(analytic.salvo(pk, shots, reliability, warheads).to_dict(), as_json, "salvo")


@calc.command("sls")
def calc_sls(
    pk: Annotated[float, typer.Option()],
    first: Annotated[int, typer.Option()],
    second: Annotated[int, typer.Option()],
    as_json: JsonFlag = False,
) -> None:
    """Shoot-look-shoot: P_k = 1 - (1 - p)^(n1 + n2); expected shots n1 + n2 (1 - p)^n1."""
    from domesim.core import analytic  # scipy: only for the analytic models

    with user_errors():
        _emit(analytic.shoot_look_shoot(pk, first, second).to_dict(), as_json, "shoot-look-shoot")


@calc.command("shots-needed")
def calc_shots_needed(
    pk: Annotated[float, typer.Option()],
    warheads: Annotated[int, typer.Option()],
    p_zero_leak: Annotated[float, typer.Option("--p-zero-leak")],
    as_json: JsonFlag = False,
) -> None:
    """Shots per warhead for a target probability of zero leakers."""
    from domesim.core import analytic  # scipy: only for the analytic models

    with user_errors():
        _emit(
            {"shots_per_warhead": analytic.shots_needed(pk, warheads, p_zero_leak)}, as_json, "shots needed"
        )


@calc.command("met")
def calc_met(
    range_km: Annotated[float, typer.Option("--range-km")],
    burnout_alt_km: Annotated[float, typer.Option("--burnout-alt-km")] = 0.0,
    as_json: JsonFlag = False,
) -> None:
    """Minimum-energy ballistic trajectory (spherical non-rotating Earth, vacuum)."""
    from domesim.core import analytic  # scipy: only for the analytic models

    with user_errors():
        _emit(
            analytic.minimum_energy_trajectory(range_km, burnout_alt_km).to_dict(),
            as_json,
            "minimum-energy trajectory",
        )


@calc.command("loft")
def calc_loft(
    apogee_km: Annotated[float, typer.Option("--apogee-km", help="Observed apogee of the test, km.")],
    range_km: Annotated[float, typer.Option("--range-km", help="Observed ground range of the test, km.")],
    flight_time_min: Annotated[
        float | None, typer.Option("--flight-time-min", help="Observed flight time, min (a check).")
    ] = None,
    threat: Annotated[
        str, typer.Option("--threat", help="Missile class (catalogue threat id) fitted to the test.")
    ] = "icbm_liquid",
    launch_lat_deg: Annotated[float, typer.Option("--launch-lat-deg")] = 39.0,
    launch_lon_deg: Annotated[float, typer.Option("--launch-lon-deg")] = 125.7,
    azimuth_deg: Annotated[float, typer.Option("--azimuth-deg", help="Test's launch azimuth, deg.")] = 90.0,
    as_json: JsonFlag = False,
) -> None:
    """Convert a lofted test to the missile's standard range (fit the class, fly it range-maximising)."""
    from domesim.build.catalogue import load_catalogue
    from domesim.build.threats.ballistic import catalogue_missile
    from domesim.threats.lofted import LoftedTest, convert_lofted_test

    with user_errors():
        checks = (
            ("--apogee-km", apogee_km, 0.0 < apogee_km <= 40_000.0, "in (0, 40000]"),
            ("--range-km", range_km, 0.0 < range_km <= 5_000.0, "in (0, 5000] (a lofted test)"),
            ("--launch-lat-deg", launch_lat_deg, -90.0 <= launch_lat_deg <= 90.0, "in [-90, 90]"),
            ("--launch-lon-deg", launch_lon_deg, -180.0 <= launch_lon_deg <= 360.0, "in [-180, 360]"),
            ("--azimuth-deg", azimuth_deg, 0.0 <= azimuth_deg <= 360.0, "in [0, 360]"),
            ("--flight-time-min", flight_time_min, flight_time_min is None or flight_time_min > 0, "> 0"),
        )
        for name, value, ok, expected in checks:
            if not ok or (value is not None and not math.isfinite(value)):
                raise DomesimError(f"{name} = {value}: expected a number {expected}")
        catalogue = load_catalogue()
        if not catalogue.has("threat", threat) or catalogue.entry("threat", threat).fields.get(
            "family"
        ) not in ("ballistic",):
            raise DomesimError(
                f"--threat: {threat!r} is not a ballistic missile class of the catalogue"
                f"{catalogue.suggest('threat', threat)}"
            )
        test = LoftedTest(
            apogee_m=apogee_km * 1e3,
            range_m=range_km * 1e3,
            flight_time_s=None if flight_time_min is None else flight_time_min * 60.0,
            launch_lat_rad=math.radians(launch_lat_deg),
            launch_lon_rad=math.radians(launch_lon_deg),
            azimuth_rad=math.radians(azimuth_deg),
        )
        conversion = convert_lofted_test(catalogue_missile(catalogue.entry("threat", threat)), test)
        _emit(conversion.to_dict(), as_json, f"lofted test converted ({threat})")


@calc.command("absentee")
def calc_absentee(
    reach_km: Annotated[float, typer.Option("--reach-km")],
    k: Annotated[int, typer.Option()] = 1,
    lat_deg: Annotated[float | None, typer.Option("--lat-deg")] = None,
    inc_deg: Annotated[float | None, typer.Option("--inc-deg")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Absentee ratio: constellation size for k interceptors in reach on average."""
    from domesim.core import analytic  # scipy: only for the analytic models

    with user_errors():
        _emit(analytic.absentee(reach_km, k, lat_deg, inc_deg).to_dict(), as_json, "absentee ratio")


@app.command("validate-against")
def validate_against(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the book here (Markdown); default: standard output.")
    ] = None,
) -> None:
    """Reproduce the published analyses of the validation book and write it (docs/validation.md)."""
    from domesim import book

    with user_errors():
        text = book.render()
        outside = [c.case.name for c in map(book.compare, book.REPRODUCTIONS.names()) if not c.within]
        if out is None:
            sys.stdout.write(text)
        else:
            try:
                out.write_text(text)
            except OSError as exc:
                raise DomesimError(f"--out {out}: cannot write the book ({exc.strerror})") from None
            err_console.print(f"wrote {out}: {len(book.REPRODUCTIONS)} reproductions", highlight=False)
        if outside:
            err_console.print(f"outside their stated tolerance: {', '.join(outside)}", highlight=False)
            raise typer.Exit(1)


# ------------------------------------------------------------------------------ export: a stored run, re-used
export = typer.Typer(no_args_is_help=True, help="Export a stored run in other formats.")
app.add_typer(export, name="export")


@export.command("czml")
def export_czml(
    run_dir: Annotated[Path, typer.Argument(help="A run folder (what `domesim run --out FOLDER` wrote).")],
    trial: Annotated[
        int | None,
        typer.Option(min=0, help="The trial to draw (default: the first with a leaker, else 0)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="The CZML file (default: RUN_DIR/scene-<trial>.czml).")
    ] = None,
    allow_path: AllowPaths = None,
    allow_large: AllowLarge = False,
) -> None:
    """Write the CZML (CesiumJS) scene of one trial of a stored run: the raid as flown, the nominal raid,
    fly-outs, kills and misses, leakers, sites, radar fans, constellations (decimated)."""
    with user_errors():
        from domesim.viz.czml import load_run_scene, scene_document  # numba, czml3: only here

        world, summary, tables, chosen = load_run_scene(
            run_dir, trial, policy=input_policy(allow_path, allow_large)
        )
        target = out or run_dir / f"scene-{chosen}.czml"
        if target.is_dir():
            raise DomesimError(f"--out {target} is a folder: give --out a file name")
        document = scene_document(world, summary, tables, chosen)
        try:
            document.save(target, indent=None)
        except OSError as exc:
            raise DomesimError(f"cannot write {target}: {exc.strerror}") from None
        print(target)


plot = typer.Typer(no_args_is_help=True, help="Figures of a scenario, written as PNG files.")
app.add_typer(plot, name="plot")


@plot.command("threats")
def plot_threats_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default: out/<scenario name>/plots).")
    ] = None,
    trials: Annotated[int, typer.Option(min=1, max=1000, help="Trials to overlay.")] = 1,
    seed: Annotated[
        int | None,
        typer.Option(
            min=0, max=MAX_SEED, help="Dispersion seed (default: none for one trial, the file's for more)."
        ),
    ] = None,
    allow_path: AllowPaths = None,
    allow_large: AllowLarge = False,
) -> None:
    """Plot the raid's trajectories: altitude versus ground range, and ground tracks on a map."""
    with user_errors():
        loaded = load_scenario(scenario, policy=input_policy(allow_path, allow_large))
        _warn(loaded.warnings)
        world = loaded.world
        out_dir = output_folder(out or Path("out") / slug(world.name) / "plots", out is not None)
        if seed is None and trials > 1:
            seed = loaded.montecarlo.seed
        from domesim.viz.threat_plots import plot_threats  # matplotlib: only when plotting

        try:
            paths = plot_threats(world, out_dir, trials, seed)
        except OSError as exc:
            raise DomesimError(f"cannot write the plots to {out_dir}: {exc}") from None
        for path in paths:
            print(path)


@app.command("coverage")
def coverage_command(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario TOML file with sensor [[constellation]] blocks.")
    ],
    hours: Annotated[float, typer.Option(min=0.01, max=240.0, help="Time span from the epoch, h.")] = 24.0,
    step_s: Annotated[float, typer.Option(min=1.0, max=3600.0, help="Time step, s.")] = 60.0,
    grid_deg: Annotated[float, typer.Option(min=0.5, max=30.0, help="Map grid spacing, deg.")] = 5.0,
    alt_km: Annotated[
        float, typer.Option(min=0.0, max=1000.0, help="Altitude of the points seen, km.")
    ] = 0.0,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default: out/<scenario name>/plots).")
    ] = None,
    allow_path: AllowPaths = None,
    allow_large: AllowLarge = False,
    as_json: JsonFlag = False,
) -> None:
    """Fraction of time each place is seen by >= 1 and >= 2 space sensors; a PNG map per layer."""
    from domesim.results.coverage import coverage

    with user_errors():
        loaded = load_scenario(scenario, policy=input_policy(allow_path, allow_large))
        world = loaded.world
        if not world.space_sensors:
            raise DomesimError(f"{scenario}: no sensor [[constellation]] to compute coverage for")
        out_dir = output_folder(out or Path("out") / slug(world.name) / "plots", out is not None)
        cov = coverage(world, hours, step_s, grid_deg, alt_km)
        from domesim.viz.coverage_map import plot_coverage

        try:
            paths = plot_coverage(cov, out_dir, world.name)
        except OSError as exc:
            raise DomesimError(f"cannot write the coverage maps to {out_dir}: {exc}") from None
        data = {**cov.to_dict(), "plots": [str(p) for p in paths]}
        if as_json:
            print(json.dumps(data))
            return
        for layer, d in data["layers"].items():
            table = Table(title=f"{layer}: fraction of time seen ({hours:g} h, points at {alt_km:g} km)")
            for column in ("place", ">= 1", ">= 2 (stereo)"):
                table.add_column(column)
            table.add_row(
                "whole Earth (area-weighted)",
                f"{d['global_at_least_1']:.3f}",
                f"{d['global_at_least_2']:.3f}",
            )
            for place, f in d["places"].items():
                table.add_row(place, f"{f['at_least_1']:.3f}", f"{f['at_least_2']:.3f}")
            out_console.print(table)
            for k in (1, 2):
                if d[f"uniform_at_least_{k}"] is not None:
                    out_console.print(
                        f"{layer}: the >= {k} map is uniform (every place {d[f'uniform_at_least_{k}']:.3g} "
                        "of the time): it shows one colour"
                    )
        for path in paths:
            print(path)


size = typer.Typer(no_args_is_help=True, help="Size an architecture element by simulation.")
app.add_typer(size, name="size")


def _catalogue_value(section: str, entry_id: str, key: str) -> float:
    from domesim.build.catalogue import load_catalogue
    from domesim.core.units import to_si

    catalogue = load_catalogue()
    if not catalogue.has(section, entry_id):
        raise DomesimError(f"--{section}: unknown id {entry_id!r}{catalogue.suggest(section, entry_id)}")
    return to_si(key, catalogue.entry(section, entry_id).value(key))


def _sbi_kinematics(sbi: str, dv_km_s: float | None, accel_g: float | None, delay_s: float | None):
    """The fly-out of catalogue SBI class ``sbi``, with the values given on the command line instead."""
    from domesim.interceptors.sbi import SbiKinematics

    dv = dv_km_s * 1e3 if dv_km_s is not None else _catalogue_value("interceptor", sbi, "delta_v_km_s")
    accel = accel_g * 9.80665 if accel_g is not None else _catalogue_value("interceptor", sbi, "accel_g")
    divert = _catalogue_value("interceptor", sbi, "divert_dv_km_s")
    delay = delay_s if delay_s is not None else _catalogue_value("interceptor", sbi, "commit_delay_s")
    for name, value in (("--sbi-dv-km-s", dv - divert), ("--sbi-accel-g", accel)):
        if not value > 0:
            raise DomesimError(
                f"{name}: must leave a positive fly-out "
                f"(delta-v above the {divert / 1e3:g} km/s divert reserve)"
            )
    if delay < 0:
        raise DomesimError(f"--delay-s must be >= 0 (got {delay:g})")
    floor = _catalogue_value("interceptor", sbi, "min_intercept_alt_km")
    return SbiKinematics(
        accel_m_s2=accel, flyout_dv_m_s=dv - divert, commit_delay_s=delay, min_intercept_alt_m=floor
    )


class SalvoFrom(StrEnum):
    one_site = "one-site"
    spread = "spread"


class DelayFrom(StrEnum):
    detection = "detection"
    launch = "launch"


@size.command("sbi")
def size_sbi(
    threat: Annotated[str, typer.Option(help="Missile class (catalogue threat id).")] = "icbm_solid",
    burn_s: Annotated[float | None, typer.Option(help="Boost duration, s (default: the class's).")] = None,
    region: Annotated[str, typer.Option(help="Launch region (catalogue region id).")] = "north_korea",
    aim: Annotated[str, typer.Option(help="Aim point of the salvo (catalogue asset id).")] = "seattle",
    salvo: Annotated[int, typer.Option(min=1, max=100, help="Missiles launched together.")] = 1,
    salvo_from: Annotated[
        SalvoFrom,
        typer.Option(
            help="one-site: all from one point of the region at once (the published studies' set-up: the "
            "SBIs overhead are shared, n k must be in reach); spread: each from its own point on the "
            "region's land (they draw on different SBIs)."
        ),
    ] = SalvoFrom.one_site,
    k: Annotated[int, typer.Option(min=1, max=16, help="SBIs wanted in reach of each missile.")] = 1,
    p: Annotated[float, typer.Option(min=0.0, max=1.0, help="Probability over random epochs.")] = 0.9,
    alt_km: Annotated[float, typer.Option(help="Constellation altitude, km.")] = 400.0,
    inc_deg: Annotated[float, typer.Option(help="Constellation inclination, deg.")] = 50.0,
    sbi: Annotated[str, typer.Option(help="SBI class (catalogue interceptor id).")] = "sbi",
    sbi_dv_km_s: Annotated[
        float | None, typer.Option(help="SBI delta-v, km/s (default: the class's).")
    ] = None,
    sbi_accel_g: Annotated[
        float | None, typer.Option(help="SBI acceleration, g (default: the class's).")
    ] = None,
    delay_s: Annotated[
        float | None,
        typer.Option(help="Commit delay, s, counted from --delay-from (default: the class's)."),
    ] = None,
    delay_from: Annotated[
        DelayFrom,
        typer.Option(
            help="What the commit delay counts from: detection (the plume clears --detect-alt-km; the "
            "catalogue's commit_delay_s and the engine) or launch (an engagement window before burnout, "
            "as APS 2003's 'about 100 s')."
        ),
    ] = DelayFrom.detection,
    detect_alt_km: Annotated[float, typer.Option(help="Plume altitude at first detection, km.")] = 12.0,
    epochs: Annotated[int, typer.Option(min=10, max=100_000, help="Random epochs simulated.")] = 300,
    max_size: Annotated[
        int, typer.Option(min=1, help="Largest constellation searched; a case that needs more is an error.")
    ] = 200_000,
    seed: Annotated[int, typer.Option(min=0, max=MAX_SEED, help="Seed of the launch points and epochs.")] = 0,
    workers: Annotated[
        int, typer.Option(min=1, help="Local worker processes (each evaluation's epochs in parallel).")
    ] = 1,
    cluster: ClusterOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Smallest SBI constellation giving every missile of a salvo k SBIs in reach with probability p,
    next to the absentee-ratio estimate in the same setting. A case no SBI on the shell can reach is
    answered at once (exit status 2), with the reach the SBI has."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from domesim.studies.salvo import SalvoSpec, build_salvo
    from domesim.studies.sizing import Requirement, SearchStep, Shell, size_constellation

    with user_errors():
        shell = Shell(alt_m=alt_km * 1e3, inc_rad=math.radians(inc_deg))
        need = Requirement(k=k, p=p)
        kin = _sbi_kinematics(sbi, sbi_dv_km_s, sbi_accel_g, delay_s)
        spec = SalvoSpec(
            threat=threat,
            region=region,
            missiles=salvo,
            salvo_from=salvo_from.value,
            aim_asset=aim,
            burn_s=burn_s,
            detect_alt_m=detect_alt_km * 1e3,
            delay_from=delay_from.value,
            seed=seed,
        )
        started = time.perf_counter()
        columns = [TextColumn("{task.description}", markup=False), BarColumn(), TimeElapsedColumn()]
        # drawn on stderr where it is a terminal: stdout stays the result (one JSON object with --json)
        bar = Progress(*columns, console=err_console, transient=True, disable=not err_console.is_interactive)
        with opened_executor(workers, cluster) as executor, bar as progress:
            task = progress.add_task("flying the salvo", total=None)
            shots = build_salvo(spec, kin)
            progress.update(task, description="reach and the absentee-ratio estimate")

            def on_step(step: SearchStep) -> None:
                progress.update(
                    task,
                    total=step.plane_counts,
                    completed=step.plane_index,
                    description=f"Walker search: {step.planes} planes x {step.per_plane}, p = {step.p:.2f} "
                    f"({step.evaluations} constellations)",
                )

            result = size_constellation(
                shots, kin, shell, need, epochs=epochs, seed=seed, max_size=max_size, on_step=on_step,
                executor=None if workers == 1 and cluster is None else executor,
            )  # fmt: skip
        data = result.to_dict()
        if as_json:
            print(json.dumps(data))
            return
        est = result.estimate
        one_site = shots.salvo_from == "one-site"
        as_if = "" if one_site else "; as if from one site"
        reach = (
            "" if est.effective_reach_km is None else f"effective reach {est.effective_reach_km:,.0f} km; "
        )
        _emit(
            {
                "simulated (Walker)": f"{result.constellation_size:,} = {result.planes} planes x "
                f"{result.per_plane}, p = {result.p_achieved:.2f}",
                "absentee ratio": f"{est.absentee_size:,} ({est.in_reach} in reach on average{as_if})",
                "random phasing": f"{est.random_phasing_size:,} "
                f"(P(>= {est.in_reach} in reach) >= {p:g}{as_if})",
                "shell in reach": f"1 SBI in {1.0 / est.fraction:,.0f} ({reach}first-order "
                f"v (t_burn - t_commit) {est.first_order_reach_km:,.0f} km)",
                "SBIs fly out": shots.commit_text(),
                "burnout": f"{shots.after_launch(shots.t_burnout_s):.0f} s after launch",
                "search": f"{result.evaluations} constellations x {epochs} epochs, "
                f"{time.perf_counter() - started:.1f} s",
            },
            False,
            f"SBI sizing: {salvo} x {threat} from {region} ({shots.salvo_from}), k = {k}, p = {p:g}, "
            f"{shell.text()}",
        )
        if not one_site and salvo > 1:
            out_console.print(
                "launched from spread sites, the missiles draw on different SBIs: the absentee ratio, "
                "which assumes they share those overhead (one site), overstates the constellation"
            )


@app.command("sweep")
def sweep_command(
    sweep_file: Annotated[Path, typer.Argument(help="Sweep TOML file (see examples/sweeps/).")],
    out: Annotated[Path | None, typer.Option(help="Output folder (default: out/<sweep name>).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Local worker processes (points run in parallel).")] = 1,
    cluster: ClusterOption = None,
    data_dir: Annotated[Path | None, typer.Option(help=f"Folder of the {CATALOGUE_NAME} catalogue.")] = None,
    allow_path: AllowPaths = None,
    allow_large: AllowLarge = False,
    as_json: JsonFlag = False,
) -> None:
    """Cost and simulate every architecture point of a sweep; store each in the catalogue (resumable);
    write the cost-effectiveness frontier (frontier.png) and the table of points (points.csv)."""
    import numpy as np

    from domesim.results.store import RunCatalogue, default_data_dir
    from domesim.studies.sweep import SweepStore, load_sweep, run_sweep, sweep_table
    from domesim.viz.frontier import plot_attack_frontier, plot_frontier

    with user_errors():
        sweep = load_sweep(sweep_file, input_policy(allow_path, allow_large))
        out_dir = output_folder(out or Path("out") / slug(sweep.name), out is not None)
        store = SweepStore(RunCatalogue((data_dir or default_data_dir()) / CATALOGUE_NAME))
        total = len(sweep.points)
        reused = sum(1 for i in store.done(sweep.sweep_id) if i < total)
        if reused:
            err_console.print(f"{sweep.name}: {reused} of {total} points already stored; running the rest")

        def progress(i: int, row: dict[str, Any], was_stored: bool) -> None:
            if not was_stored:  # one line per finished point: a log a user (or a test) can follow
                err_console.print(
                    f"point {i + 1}/{total} stored: P(no leak) {row['p_no_leak']:.3f}, "
                    f"cost ${row['cost_usd'] / 1e9:,.1f} B, {row['wall_s']:.1f} s",
                    highlight=False,
                )

        started = time.perf_counter()
        try:
            with opened_executor(workers, cluster) as executor:
                rows = run_sweep(sweep, store, executor, on_point=progress)
        except KeyboardInterrupt:
            done = len(store.done(sweep.sweep_id))
            err_console.print(
                f"interrupted: {done} of {total} points are stored in the catalogue; "
                "run the same command again to run the rest"
            )
            raise typer.Exit(130) from None
        table = sweep_table(sweep, rows)
        names = list(table)
        lines = [",".join(names)] + [",".join(str(table[n][i].item()) for n in names) for i in range(total)]
        (out_dir / "points.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        dollar_year = int(rows[0]["dollar_year"])
        plot_frontier(
            table,
            out_dir / "frontier.png",
            f"{sweep.name}: {int(rows[0]['horizon_years'])}-year cost against protection, "
            f"{sweep.spec.sweep.trials} trials a point",
            dollar_year,
        )
        front = np.flatnonzero(table["pareto"])
        front = front[np.argsort(table["cost_usd"][front])]
        labels = list(sweep.labels().values())
        goal = sweep.spec.sweep.attack_goal
        attack_front: list[int] = []
        if goal:
            plot_attack_frontier(
                table, out_dir / "frontier-attack.png",
                f"{sweep.name}: defence cost against the attacker's cheapest answer", dollar_year, goal,
            )  # fmt: skip
            attack_front = [int(i) for i in np.flatnonzero(table["attack_pareto"])]
            err_console.print(f"the attacker's cheapest answer to {goal}: {out_dir}/frontier-attack.png")
        if as_json:
            print(json.dumps({
                "sweep": sweep.name, "sweep_id": sweep.sweep_id, "points": total, "reused": reused,
                "wall_s": time.perf_counter() - started, "dollar_year": dollar_year,
                "pareto": [{n: table[n][i].item() for n in names} for i in front],
                **({"attack_goal": goal,
                    "attack_pareto": [{n: table[n][i].item() for n in names} for i in attack_front]}
                   if goal else {}),
                "out_dir": str(out_dir),
            }))  # fmt: skip
            return
        result = Table(title=f"{sweep.name}: cost-effectiveness frontier ({len(front)} of {total} points)")
        for label in labels:
            result.add_column(label, justify="right")
        result.add_column(f"cost, $B ({dollar_year})", justify="right")
        result.add_column("P(no leak) [95% CI]", justify="right")
        for i in front:
            result.add_row(
                *(str(table[label][i].item()) for label in labels),
                f"{table['cost_usd'][i] / 1e9:,.1f}",
                f"{table['p_no_leak'][i]:.3f} "
                f"[{table['p_no_leak_lo'][i]:.3f}, {table['p_no_leak_hi'][i]:.3f}]",
            )
        out_console.print(result)
        out_console.print(f"results: {out_dir}/frontier.png, points.csv; catalogue table sweep_points")


@app.command("attack")
def attack_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file: the defence and a raid.")],
    goal: Annotated[str, typer.Option(help='The attack\'s goal: "p_leak>=0.5" or "expected_leakers>=1".')],
    trials: Annotated[int, typer.Option(min=1, max=1_000_000, help="Monte Carlo trials a candidate.")] = 200,
    seed: Annotated[int | None, typer.Option(min=0, max=MAX_SEED, help="Root seed (the file's).")] = None,
    budget: Annotated[int, typer.Option(min=1, max=10_000, help="Candidates simulated at most.")] = 40,
    out: Annotated[Path | None, typer.Option(help="Output folder (default: out/<scenario name>).")] = None,
    data_dir: Annotated[Path | None, typer.Option(help=f"Folder of the {CATALOGUE_NAME} catalogue.")] = None,
    allow_path: AllowPaths = None,
    allow_large: AllowLarge = False,
    as_json: JsonFlag = False,
) -> None:
    """Search the raid's size and countermeasures for the cheapest attack that meets the goal against the
    scenario's defence (bounded, seeded, resumable like a sweep); report it beside the plain salvo baseline,
    with its cost and the exchange ratio; write attack.json."""
    from domesim.results.store import RunCatalogue, default_data_dir
    from domesim.scenario.loader import load_spec
    from domesim.studies.attack import AttackSearch, Candidate, Goal, run_attack_search
    from domesim.studies.sweep import SweepStore

    with user_errors():
        target = Goal.parse(goal)
        policy = input_policy(allow_path, allow_large)
        spec = load_spec(scenario, policy=policy).spec
        out_dir = output_folder(out or Path("out") / slug(spec.scenario.name), out is not None)
        store = SweepStore(RunCatalogue((data_dir or default_data_dir()) / CATALOGUE_NAME))
        search = AttackSearch(
            scenario_path=scenario.resolve(),
            goal=target,
            trials=trials,
            seed=spec.montecarlo.seed if seed is None else seed,
            budget=budget,
            policy=policy,
        )

        def progress(candidate: Candidate, reused: bool) -> None:
            p_leak = 1.0 - (candidate.row or {}).get("p_no_leak", math.nan)
            err_console.print(
                f"candidate {len(search.evaluated)}/{budget}{' (stored)' if reused else ''}: "
                f"{candidate.missiles} missiles, {candidate.mix.label()}: "
                f"${candidate.cost_usd / 1e6:,.0f} M, p_leak {p_leak:.3f}",
                highlight=False,
                soft_wrap=True,
            )

        try:
            answer = run_attack_search(search, store, on_candidate=progress)
        except KeyboardInterrupt:
            err_console.print(
                f"interrupted: {len(search.evaluated)} candidates are stored in the catalogue; "
                "run the same command again to go on"
            )
            raise typer.Exit(130) from None
        (out_dir / "attack.json").write_text(json.dumps(answer, indent=2) + "\n", encoding="utf-8")
        if as_json:
            print(json.dumps({k: v for k, v in answer.items() if k != "candidates"}))
            return
        table = Table(title=f"{spec.scenario.name}: the attacker's cheapest answer to {answer['goal']}")
        table.add_column("attack")
        table.add_column("missiles", justify="right")
        table.add_column("countermeasures")
        for column in ("attacker $M", "p_leak [95% CI]", "defender $M spent"):
            table.add_column(column, justify="right")
        rows = (("cheapest found", answer["attack"]), ("plain salvo baseline", answer["baseline"]))
        for label, found in rows:
            if found is None:
                table.add_row(label, "-", "none meets the goal within the budget", "-", "-", "-")
                continue
            lo, hi = found["p_leak_ci95"]
            defender = found.get("defender_engagement_usd")
            table.add_row(
                label,
                str(found["missiles"]),
                found["countermeasure_mix"],
                f"{found['attacker_cost_usd'] / 1e6:,.0f}",
                f"{found['p_leak']:.3f} [{lo:.3f}, {hi:.3f}]",
                "-" if defender is None else f"{defender / 1e6:,.0f}",
            )
        out_console.print(table)
        ratio = answer["exchange_ratio"]
        out_console.print(
            f"{answer['evaluated']} candidates simulated ({answer['reused']} read back), "
            f"{trials} trials each, "
            f"seed {search.seed}; exchange ratio (the defender's engagement cost per attacker dollar): "
            + ("-" if ratio is None else f"{ratio:.2f}")
        )
        out_console.print(f"results: {out_dir}/attack.json; catalogue table sweep_points")


@app.command("sensitivity")
def sensitivity_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    trials: Annotated[int, typer.Option(min=1, help="Monte Carlo trials per case.")] = 200,
    seed: Annotated[int, typer.Option(min=0, max=MAX_SEED, help="Root seed, the same for every case.")] = 1,
    top: Annotated[int, typer.Option(min=1, help="Inputs drawn in each tornado chart.")] = 15,
    only: Annotated[
        str | None, typer.Option(help="Vary only the inputs whose name (id.parameter) contains this text.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Output folder (default: out/<scenario name>).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Local worker processes (cases run in parallel).")] = 1,
    cluster: ClusterOption = None,
    allow_path: AllowPaths = None,
    allow_large: AllowLarge = False,
    as_json: JsonFlag = False,
) -> None:
    """Tornado charts: P(no leak) and lifecycle cost with each uncertain catalogue input at its low and
    high value (all others at their catalogue values)."""
    import numpy as np

    from domesim.studies.sensitivity import run_sensitivity
    from domesim.viz.frontier import plot_tornado

    with user_errors():
        started = time.perf_counter()
        policy = input_policy(allow_path, allow_large)
        name = load_spec(scenario, seed=seed, policy=policy).spec.scenario.name
        out_dir = output_folder(out or Path("out") / slug(name), out is not None)
        with (
            opened_executor(workers, cluster) as executor,
            progress_bar("sensitivity: cases (base, then each input low and high)", None) as advance,
        ):
            result = run_sensitivity(
                scenario, trials, seed, on_case=lambda *case: advance(1), only=only, policy=policy,
                executor=executor,
            )  # fmt: skip
        labels = [item.label for item, _, _ in result.results]
        rows: list[dict[str, Any]] = [
            {
                "input": item.label, "tag": item.tag, "value": item.value, "low": item.low, "high": item.high,
                "p_no_leak_low": lo.p_no_leak, "p_no_leak_high": hi.p_no_leak,
                "cost_usd_low": lo.cost_usd, "cost_usd_high": hi.cost_usd,
            }
            for item, lo, hi in result.results
        ]  # fmt: skip
        charts = []
        for metric, key, scale, axis in (
            ("p_no_leak", "p_no_leak", 1.0, "probability that no warhead leaks"),
            ("cost", "cost_usd", 1e-9, "lifecycle cost, $ billions"),
        ):
            lo = np.array([r[f"{key}_low"] for r in rows]) * scale
            hi = np.array([r[f"{key}_high"] for r in rows]) * scale
            keep = np.argsort(-np.abs(hi - lo), kind="stable")[:top]
            charts.append(
                plot_tornado(
                    [labels[i] for i in keep],
                    lo[keep],
                    hi[keep],
                    getattr(result.base, key) * scale,
                    out_dir / f"tornado_{metric}.png",
                    f"{name}: {axis} (top {len(keep)})",
                    axis,
                )  # fmt: skip
            )
        data = {
            "scenario": name,
            "trials": trials,
            "seed": seed,
            "base": {"p_no_leak": result.base.p_no_leak, "cost_usd": result.base.cost_usd},
            "inputs": rows,
            "skipped": [{"input": i.label, "end": end, "why": why} for i, end, why in result.skipped],
            "unused": [{"input": i.label, "why": why} for i, why in result.unused],
            "charts": [str(c) for c in charts],
            "wall_s": time.perf_counter() - started,
        }
        (out_dir / "sensitivity.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        if as_json:
            print(json.dumps(data))
            return
        table = Table(title=f"{name}: sensitivity to {len(rows)} uncertain inputs ({trials} trials a case)")
        for col in ("input", "tag", "low .. high", "P(no leak) low .. high", "cost $B low .. high"):
            table.add_column(col, justify="left" if col in ("input", "tag") else "right", no_wrap=True)
        order = np.argsort([-abs(r["p_no_leak_high"] - r["p_no_leak_low"]) for r in rows], kind="stable")
        for i in order[:top]:
            r = rows[i]
            table.add_row(
                r["input"], r["tag"], f"{r['low']:g} .. {r['high']:g}",
                f"{r['p_no_leak_low']:.3f} .. {r['p_no_leak_high']:.3f}",
                f"{r['cost_usd_low'] / 1e9:,.1f} .. {r['cost_usd_high'] / 1e9:,.1f}",
            )  # fmt: skip
        wide = out_console if out_console.is_terminal else plain_console(width=max(out_console.width, 110))
        wide.print(table)  # piped output: wide enough that no name is cut
        out_console.print(
            f"base: P(no leak) {result.base.p_no_leak:.3f}, cost ${result.base.cost_usd / 1e9:,.1f} B; "
            f"charts: {', '.join(str(c) for c in charts)}"
        )
        for item, end, why in result.skipped:
            _warn([f"{item.label} at its {end} value was not run: {why}"])
        if result.unused:
            out_console.print(
                f"not varied, {result.unused[0][1]} (no effect in this mode, so no bar): "
                + ", ".join(item.label for item, _ in result.unused)
            )


# ------------------------------------------------------------------------------------------ domesim serve
# The architecture builder (domesim.web): FastAPI and uvicorn are imported only when the command runs.
LOOPBACK = ("127.0.0.1", "localhost", "::1")
SERVE_PORT = 8766  # beside domesim view's 8765


@app.command("serve")
def serve_command(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = SERVE_PORT,
    host: Annotated[
        str,
        typer.Option(
            help="Address to bind; another than 127.0.0.1 lets other machines reach it (a warning)."
        ),
    ] = "127.0.0.1",
    runs_dir: Annotated[
        Path | None, typer.Option(help="Folder of the runs (default: a temporary folder, removed on exit).")
    ] = None,
    max_trials: Annotated[
        int, typer.Option(min=1, max=100_000, help="Most trials one run may ask for.")
    ] = 2000,
    max_runs: Annotated[int, typer.Option(min=1, max=64, help="Runs in flight at once, over all users.")] = 2,
) -> None:
    """Serve the architecture builder: change an example's counts, run a quick Monte Carlo, see P(no leak),
    why leakers leaked and the 20-year cost; open http://127.0.0.1:PORT/ in a browser."""
    with user_errors():
        try:
            import uvicorn

            from domesim.web.app import create_app
        except ImportError as exc:
            raise DomesimError(
                f"domesim serve needs fastapi and uvicorn ({exc}): pip install fastapi uvicorn"
            ) from None
        if host not in LOOPBACK:
            err_console.print(
                f"warning: serving on {host}: any machine that reaches this address can use the builder "
                "and start runs (there is no login); bind 127.0.0.1 unless you mean it"
            )
        import tempfile

        with tempfile.TemporaryDirectory(prefix="domesim-serve-") as temporary:
            folder = runs_dir if runs_dir is not None else Path(temporary)
            web = create_app(runs_dir=folder, max_trials=max_trials, max_concurrent=max_runs)
            out_console.print(f"domesim builder on http://{host}:{port}/ (Ctrl-C stops it)")
            uvicorn.run(web, host=host, port=port, log_level="warning")


# --- domesim view: the globe viewer of a run (domesim/web/view.py) ----------------------------------------
# FastAPI and uvicorn are imported inside the command: `domesim --help` must not load them.

VIEW_PORT = 8765  # domesim.web.view.DEFAULT_PORT (tests/web/test_view.py checks they agree)


@app.command("view")
def view_command(
    run_dir: Annotated[
        Path, typer.Argument(help="Output folder of a run, holding scene.czml and summary.json.")
    ],
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1 (0: any free port).")
    ] = VIEW_PORT,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the viewer in the default browser.")
    ] = False,
) -> None:
    """Show a run on a 3-D globe in the browser (CesiumJS, served from this machine on 127.0.0.1 only):
    its scene.czml on a timeline beside its headline numbers. Ctrl-C stops the server."""
    with user_errors():
        from domesim.web.view import serve_view

        serve_view(run_dir, port=port, open_browser=open_browser)


# --- end of domesim view ------------------------------------------------------------------------------------


def _terminated(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # SIGTERM ends a run as Ctrl-C does: workers stopped, checkpoints kept


def main() -> None:
    """Console-script entry point."""
    import signal

    signal.signal(signal.SIGTERM, _terminated)
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
