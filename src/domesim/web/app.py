"""``domesim serve``: the architecture builder, a web app over the scenario loader, the Monte Carlo run
and the lifecycle cost.

A page (``static/builder.html``) starts from an example or an uploaded scenario, turns its form's values
into key-path edits of that base (:mod:`domesim.web.form`), runs a quick Monte Carlo in the background and
shows P(no leak) with its interval, why leakers leaked, the 20-year cost by layer and a cost-effectiveness
plot of every run of the visit.

Safety, in one place:

- the server serves its own three static files, the globe viewer that :func:`mount_globe` mounts, and the
  files of its run directory that it wrote itself, found by ids that match :data:`ID_PATTERN` and are
  looked up in memory, never joined from request text;
- a session is an unguessable id in an HttpOnly, SameSite=Strict cookie; every run belongs to the session
  that started it and is readable by another only with the run's share token;
- request bodies are capped (413), trials are capped by the request schema, runs in flight are capped
  (429), scenario sizes are capped by :mod:`domesim.limits` with the default policy (uploads are loaded
  from a folder of their own and may name no file);
- a scenario or edit error is a 422 naming the key; nothing from a request runs but a validated scenario.
"""

import json
import logging
import secrets
import shutil
import tempfile
import threading
import time
import tomllib
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

import domesim
from domesim.errors import DomesimError, ScenarioError
from domesim.limits import DEFAULT_POLICY, MAX_SCENARIO_FILE_BYTES, MAX_SEED, quote
from domesim.scenario.toml_writer import dumps
from domesim.web.form import GROUPS, Control, EditError, controls, edits_for
from domesim.web.globe import mount_globe

log = logging.getLogger("domesim.web")

MAX_BODY_BYTES = 2**20  # a request body (an uploaded scenario is a few kB)
MAX_TRIALS = 2_000  # trials of one run: a quick look; `domesim run` for more
MAX_CONCURRENT_RUNS = 2  # runs loading or running at once, over the whole server
MAX_UPLOADS_PER_SESSION = 20
MAX_RUNS_PER_SESSION = 200
MAX_SESSIONS = 10_000
MAX_VALUES = 500  # control values in one request
COOKIE = "domesim_session"
ID_PATTERN = r"^[A-Za-z0-9_-]{22,64}$"  # session, run, upload ids and share tokens: secrets.token_urlsafe
BASE_PATTERN = r"^(example:[a-z0-9][a-z0-9._-]{0,63}|upload:[A-Za-z0-9_-]{22,64})$"
STATIC = {"builder.js": "text/javascript", "builder.css": "text/css"}

EXAMPLE_UPLOAD = """[scenario]
name = "one-icbm"
duration_s = 2700.0

[[threat]]
class = "icbm_solid"
launch_region = "north_korea"
aim_asset = "seattle"

[[interceptor_site]]
deployment = "gbi_fort_greely"

[[sensor]]
deployment = "uewr_clear"

[[asset]]
id = "seattle"
"""  # the OpenAPI schema's example of an upload (and the fuzzer's valid one)

RunId = Annotated[str, PathParam(pattern=ID_PATTERN, description="a run id (from POST /api/runs)")]
Token = Annotated[str | None, Query(pattern=ID_PATTERN, description="the run's share token")]
ControlKey = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class Cancelled(Exception):
    """A run cancelled between two chunks."""


def examples_folder() -> Path | None:
    """The repository's ``examples/`` beside the package (a source checkout), or None (installed
    without them)."""
    folder = Path(domesim.__file__).resolve().parents[2] / "examples"
    return folder if folder.is_dir() else None


@dataclass
class Base:
    """A scenario a run starts from: an example or an upload."""

    id: str
    name: str
    description: str
    path: Path
    data: dict[str, Any]
    form: list[Control]


@dataclass
class Run:
    id: str
    session: str
    folder: Path
    base: str
    values: dict[str, Any]
    trials: int
    seed: int
    created: float = field(default_factory=time.time)
    status: str = "queued"  # queued, running, done, failed, cancelled
    done_trials: int = 0
    error: str | None = None
    result: dict[str, Any] | None = None
    share_token: str | None = None
    timings: dict[str, float] = field(default_factory=dict)  # load_s (validate and build), run_s, cost_s
    cancel: threading.Event = field(default_factory=threading.Event)

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "base": self.base,
            "values": self.values,
            "trials": self.trials,
            "seed": self.seed,
            "status": self.status,
            "done_trials": self.done_trials,
            "error": self.error,
            "result": self.result,
            "shared": self.share_token is not None,
            "has_scene": (self.folder / "scene.czml").is_file(),
            "timings": self.timings,
        }


@dataclass
class Session:
    id: str
    folder: Path
    uploads: dict[str, Base] = field(default_factory=dict)
    runs: list[str] = field(default_factory=list)
    last_seen: float = field(default_factory=time.time)


def _problems(exc: ScenarioError, label: str) -> list[dict[str, Any]]:
    """A scenario error's problems, the server's file paths replaced by the base's label."""
    return [{"file": label, "key": p.key, "line": p.line, "message": p.message} for p in exc.problems]


def _error(status: int, message: str, problems: list[dict[str, Any]] | None = None) -> HTTPException:
    return HTTPException(status, {"message": message, "problems": problems or []})


class Server:
    """What one ``domesim serve`` holds: sessions, runs, the run pool and the examples."""

    def __init__(self, runs_dir: Path, max_trials: int, max_concurrent: int, examples: Path | None):
        self.runs_dir = runs_dir
        self.max_trials = max_trials
        self.max_concurrent = max_concurrent
        self.lock = threading.Lock()
        self.sessions: dict[str, Session] = {}
        self.runs: dict[str, Run] = {}
        self.active = 0
        self.pool: ThreadPoolExecutor | None = None  # made when the app starts (its lifespan)
        self.examples: dict[str, Base] = {}
        self.example_errors: dict[str, str] = {}
        for path in sorted(examples.glob("*.toml")) if examples else []:
            self._add_example(path)

    def _add_example(self, path: Path) -> None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            form = controls(data)
        except (OSError, ValueError, DomesimError) as exc:
            self.example_errors[path.stem] = str(exc)
            return
        scenario = data.get("scenario", {})
        self.examples[path.stem] = Base(
            f"example:{path.stem}",
            str(scenario.get("name", path.stem)),
            str(scenario.get("description", "")),
            path,
            data,
            form,
        )

    # ---- sessions ---------------------------------------------------------------------------------
    def session(self, sid: str | None) -> tuple[Session, bool]:
        """The session of a cookie's id, or a new one (True) when it is missing or not one of ours."""
        with self.lock:
            found = self.sessions.get(sid) if sid else None
            if found is not None:
                found.last_seen = time.time()
                return found, False
            if len(self.sessions) >= MAX_SESSIONS:  # forget the longest idle sessions that hold nothing
                idle = sorted(
                    (s for s in self.sessions.values() if not s.runs and not s.uploads),
                    key=lambda s: s.last_seen,
                )
                for s in idle[: max(1, len(idle) // 2)]:
                    del self.sessions[s.id]
            new_id = secrets.token_urlsafe(24)
            made = Session(new_id, self.runs_dir / new_id)
            self.sessions[new_id] = made
            return made, True

    def base(self, session: Session, base_id: str) -> Base:
        kind, _, name = base_id.partition(":")
        found = self.examples.get(name) if kind == "example" else session.uploads.get(name)
        if found is None:
            raise _error(404, f"no scenario {base_id!r} (GET /api/examples lists the examples)")
        return found

    # ---- runs -------------------------------------------------------------------------------------
    def readable(self, run_id: str, session: Session, token: str | None) -> Run:
        run = self.runs.get(run_id)
        if run is not None and run.session == session.id:
            return run
        if run is not None and token and run.share_token and secrets.compare_digest(token, run.share_token):
            return run
        raise _error(404, "no such run in this session (a shared run needs its token)")

    def owned(self, run_id: str, session: Session) -> Run:
        run = self.runs.get(run_id)
        if run is None or run.session != session.id:
            raise _error(404, "no such run in this session")
        return run

    def reserve(self) -> None:
        with self.lock:
            if self.active >= self.max_concurrent:
                raise _error(
                    429,
                    f"{self.active} runs are in flight, the most this server runs at once; try again soon",
                )
            self.active += 1

    def release(self) -> None:
        with self.lock:
            self.active -= 1

    def execute(self, run: Run, loaded: Any) -> None:
        """Run in the pool: the Monte Carlo, the cost, the run's files; never raises."""
        from domesim.results.run import run_scenario
        from domesim.scenario.costing import scenario_cost
        from domesim.viz.czml import write_scene

        def on_chunk(n: int) -> None:
            run.done_trials += n
            if run.cancel.is_set():
                raise Cancelled

        try:
            if run.cancel.is_set():
                raise Cancelled
            run.status = "running"
            started = time.perf_counter()
            out = run_scenario(loaded, trials=run.trials, seed=run.seed, on_chunk=on_chunk)
            run.timings["run_s"] = time.perf_counter() - started
            started = time.perf_counter()
            cost = scenario_cost(loaded)
            run.timings["cost_s"] = time.perf_counter() - started
            summary = out.summary
            (run.folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
            started = time.perf_counter()
            write_scene(run.folder / "scene.czml", loaded.world, summary, out.tables)  # the globe's
            run.timings["scene_s"] = time.perf_counter() - started
            (run.folder / "cost.json").write_text(
                json.dumps(cost.to_dict(), indent=2) + "\n", encoding="utf-8"
            )
            p = summary["p_no_leak"]
            run.result = {
                "scenario": summary.get("scenario"),
                "p_no_leak": p["mean"],
                "ci95": list(p["ci95"]),
                "expected_leakers": summary.get("expected_leakers"),
                "leak_causes": summary.get("leak_causes", {}),
                "cost": {
                    "total_usd": cost.total_usd,
                    "complete": cost.complete,
                    "dollar_year": cost.dollar_year,
                    "horizon_years": cost.horizon_years,
                    "by_layer": {k: v["total_usd"] for k, v in cost.by_layer().items()},
                },
                "wall_s": summary.get("wall_s"),
            }
            run.status = "done"
        except Cancelled:
            run.status = "cancelled"
        except DomesimError as exc:
            run.status, run.error = "failed", quote(str(exc), 2000)
        except Exception:  # a bug: logged, the server keeps serving
            log.exception("run %s failed", run.id)
            run.status, run.error = "failed", "internal error (logged by the server)"
        finally:
            self.release()

    def start(self) -> None:
        with self.lock:
            if self.pool is None:
                self.pool = ThreadPoolExecutor(self.max_concurrent, thread_name_prefix="domesim-run")

    def submit(self, run: Run, loaded: Any) -> None:
        with self.lock:
            pool = self.pool
        if pool is None:
            raise _error(503, "the server is not running runs (starting or shutting down); try again soon")
        try:
            future = pool.submit(self.execute, run, loaded)
        except RuntimeError:  # shut down between the check and the submit
            raise _error(503, "the server is shutting down") from None
        future.add_done_callback(lambda f: self._dropped(run) if f.cancelled() else None)

    def _dropped(self, run: Run) -> None:
        """A run cancelled before it began (the server shut down): its slot back, its status said."""
        run.status = "cancelled"
        self.release()

    def shutdown(self) -> None:
        """Cancel the runs in flight (each stops after its current chunk) and wait for them."""
        with self.lock:
            pool, self.pool = self.pool, None
        for run in list(self.runs.values()):
            if run.status in ("queued", "running"):
                run.cancel.set()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


class Guard:
    """ASGI middleware: the body cap (413) and the session cookie."""

    def __init__(self, app: Any, server: Server, max_body: int):
        self.app, self.server, self.max_body = app, server, max_body

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
        send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def refuse(status: int, message: str) -> None:
            body = json.dumps({"detail": {"message": message, "problems": []}}).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        too_big = f"request body over {self.max_body:,} bytes, the most this server reads"
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                if int(length) > self.max_body:
                    await refuse(413, too_big)
                    return
            except ValueError:
                await refuse(400, "malformed content-length")
                return
        # read the whole body (within the cap) before the app sees it, then hand it on
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left before sending its request: nothing to do
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await refuse(413, too_big)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> MutableMapping[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        cookies = headers.get(b"cookie", b"").decode("latin-1")
        sid = None
        for part in cookies.split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE:
                sid = value
        session, new = self.server.session(sid)
        scope.setdefault("state", {})["session"] = session

        async def send_with_cookie(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
                if new:
                    cookie = f"{COOKIE}={session.id}; Path=/; HttpOnly; SameSite=Strict"
                    extra.append((b"set-cookie", cookie.encode()))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, replay, send_with_cookie)


def create_app(
    *,
    runs_dir: str | Path | None = None,
    max_trials: int = MAX_TRIALS,
    max_concurrent: int = MAX_CONCURRENT_RUNS,
    max_body_bytes: int = MAX_BODY_BYTES,
    examples_dir: str | Path | None | Literal["auto"] = "auto",
) -> FastAPI:
    """The builder's FastAPI app.

    Parameters
    ----------
    runs_dir : folder of the runs (one folder per session, one per run inside); default a new temporary
        folder (``app.state.server.runs_dir``: the caller removes it).
    max_trials : the most trials one run may ask for (the request schema's bound).
    max_concurrent : runs in flight at once over the whole server (429 past it).
    max_body_bytes : the largest request body read (413 past it).
    examples_dir : the examples offered ("auto": the repository's ``examples/``; None: none).
    """
    folder = Path(tempfile.mkdtemp(prefix="domesim-serve-")) if runs_dir is None else Path(runs_dir)
    folder.mkdir(parents=True, exist_ok=True)
    examples = examples_folder() if examples_dir == "auto" else (Path(examples_dir) if examples_dir else None)
    server = Server(folder, max_trials, max_concurrent, examples)

    class RunRequest(BaseModel):
        """A run: a base scenario, the values of its form's controls, trials and seed."""

        model_config = ConfigDict(extra="forbid")
        base: str = Field(
            pattern=BASE_PATTERN,
            description="example:<name> or upload:<id>",
            examples=[b.id for b in server.examples.values()][:3],
        )
        values: dict[ControlKey, StrictInt | StrictBool] = Field(
            default_factory=dict,
            max_length=MAX_VALUES,
            description="control key -> value (the form: GET /api/scenarios/{base}/form)",
            examples=[{"interceptor_site[gbi_fort_greely].inventory": 10}],
        )
        trials: int = Field(default=min(200, max_trials), ge=1, le=max_trials)
        seed: int = Field(default=1, ge=0, le=MAX_SEED)

    class UploadRequest(BaseModel):
        """A scenario file's text (TOML), validated like a file given to `domesim validate`."""

        model_config = ConfigDict(extra="forbid")
        toml: str = Field(
            min_length=1, max_length=min(MAX_SCENARIO_FILE_BYTES, max_body_bytes), examples=[EXAMPLE_UPLOAD]
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        server.start()
        yield
        server.shutdown()

    app = FastAPI(
        title="domesim builder",
        version=domesim.__version__,
        description="Change a notional architecture's counts, run a quick Monte Carlo, see P(no leak), cost.",
        lifespan=lifespan,
    )
    app.state.server = server

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"file": "request", "key": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": {"message": "invalid request", "problems": problems}}, status_code=422)

    def session_of(request: Request) -> Session:
        session: Session = request.state.session
        return session

    def form_view(base: Base) -> dict[str, Any]:
        return {
            "base": base.id,
            "name": base.name,
            "description": base.description,
            "groups": [{"id": g, "title": t} for g, t in GROUPS],
            "controls": [c.to_dict() for c in base.form],
        }

    def static_text(name: str) -> str:
        return (resources.files("domesim.web") / "static" / name).read_text(encoding="utf-8")

    # ---- pages and static files ------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        policy = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
        headers = {"cache-control": "no-store", "content-security-policy": policy}
        return HTMLResponse(static_text("builder.html"), headers=headers)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in STATIC:
            raise _error(404, "no such file")
        return Response(static_text(name), media_type=STATIC[name])

    # ---- scenarios --------------------------------------------------------------------------------
    @app.get("/api/limits", summary="The server's caps")
    def limits() -> dict[str, Any]:
        return {
            "max_trials": server.max_trials,
            "max_concurrent_runs": server.max_concurrent,
            "max_body_bytes": max_body_bytes,
        }

    @app.get("/api/examples", summary="The example scenarios a build may start from")
    def list_examples() -> dict[str, Any]:
        return {
            "examples": [
                {"base": b.id, "name": b.name, "description": b.description} for b in server.examples.values()
            ],
            "note": "" if server.examples else "no examples: this domesim was installed without examples/",
        }

    @app.get("/api/scenarios/{base}/form", summary="The form of a base scenario: its controls")
    def get_form(
        request: Request,
        base: Annotated[
            str, PathParam(pattern=BASE_PATTERN, examples=[b.id for b in server.examples.values()][:2])
        ],
    ) -> dict[str, Any]:
        return form_view(server.base(session_of(request), base))

    @app.post("/api/uploads", status_code=201, summary="Upload a scenario (TOML text) to start from")
    def upload(request: Request, body: UploadRequest) -> dict[str, Any]:
        from domesim.scenario.loader import load_spec

        session = session_of(request)
        if len(session.uploads) >= MAX_UPLOADS_PER_SESSION:
            raise _error(429, f"{MAX_UPLOADS_PER_SESSION} uploads is the most one session keeps")
        upload_id = secrets.token_urlsafe(18)
        where = session.folder / "uploads" / upload_id  # a folder of its own: it may name no other file
        where.mkdir(parents=True)
        path = where / "scenario.toml"
        path.write_text(body.toml, encoding="utf-8")
        label = "uploaded scenario"
        try:
            read = load_spec(path, policy=DEFAULT_POLICY)
            data = tomllib.loads(read.text)
            named = [
                {
                    "file": label,
                    "key": f"constellation#{i + 1}.tle_file",
                    "line": None,
                    "message": "an uploaded scenario may not name files (give walker or elements_deg)",
                }
                for i, c in enumerate(read.spec.constellation)
                if c.tle_file is not None
            ]
            if named:
                raise _error(422, "the scenario names files", named)
            form = controls(data)
        except ScenarioError as exc:
            shutil.rmtree(where, ignore_errors=True)
            raise _error(422, "the scenario is not valid", _problems(exc, label)) from None
        except HTTPException:
            shutil.rmtree(where, ignore_errors=True)
            raise
        except DomesimError as exc:
            shutil.rmtree(where, ignore_errors=True)
            raise _error(
                422, "the scenario is not valid", [{"file": label, "key": "", "message": str(exc)}]
            ) from None
        spec = read.spec.scenario
        base = Base(f"upload:{upload_id}", spec.name, spec.description, path, data, form)
        session.uploads[upload_id] = base
        return form_view(base)

    # ---- runs -------------------------------------------------------------------------------------
    @app.post("/api/runs", status_code=202, summary="Start a run of a base scenario with the form's values")
    def start_run(request: Request, body: RunRequest) -> dict[str, Any]:
        from domesim.scenario.edits import apply_edits
        from domesim.scenario.loader import load_scenario

        session = session_of(request)
        base = server.base(session, body.base)
        label = base.name
        try:
            edits = edits_for(base.form, body.values)
        except EditError as exc:
            raise _error(
                422, "an edit is not valid", [{"file": label, "key": exc.key, "message": str(exc)}]
            ) from None
        if len(session.runs) >= MAX_RUNS_PER_SESSION:
            raise _error(429, f"{MAX_RUNS_PER_SESSION} runs is the most one session keeps")
        server.reserve()
        try:
            started = time.perf_counter()
            try:
                loaded = load_scenario(base.path, body.trials, body.seed, None, edits, policy=DEFAULT_POLICY)
                edited = apply_edits(base.data, edits)
            except ScenarioError as exc:
                raise _error(422, "the edited scenario is not valid", _problems(exc, label)) from None
            except DomesimError as exc:
                raise _error(
                    422, "an edit is not valid", [{"file": label, "key": "", "message": str(exc)}]
                ) from None
            run_id = secrets.token_urlsafe(18)
            run = Run(
                run_id,
                session.id,
                session.folder / run_id,
                body.base,
                dict(body.values),
                body.trials,
                body.seed,
            )
            run.timings["load_s"] = time.perf_counter() - started
            run.folder.mkdir(parents=True)
            header = f"{base.name}: made with the domesim builder from {body.base}\n" + "".join(
                f"edit: {k} = {json.dumps(v)}\n" for k, v in edits.items()
            )
            (run.folder / "scenario.toml").write_text(dumps(edited, header), encoding="utf-8")
            server.submit(run, loaded)  # from here the run releases its slot itself
        except BaseException:
            server.release()
            raise
        with server.lock:
            server.runs[run_id] = run
            session.runs.append(run_id)
        return {"id": run_id, "status": run.status}

    @app.get("/api/runs", summary="This session's runs")
    def list_runs(request: Request) -> dict[str, Any]:
        session = session_of(request)
        return {"runs": [server.runs[r].view() for r in session.runs if r in server.runs]}

    @app.get("/api/runs/{run_id}", summary="A run: status, progress and result")
    def get_run(request: Request, run_id: RunId, token: Token = None) -> dict[str, Any]:
        return server.readable(run_id, session_of(request), token).view()

    @app.delete("/api/runs/{run_id}", summary="Cancel a run (it stops after its current chunk)")
    def cancel_run(request: Request, run_id: RunId) -> dict[str, Any]:
        run = server.owned(run_id, session_of(request))
        run.cancel.set()
        return run.view()

    @app.post("/api/runs/{run_id}/share", summary="Make a run readable by others: its share token")
    def share_run(request: Request, run_id: RunId) -> dict[str, Any]:
        run = server.owned(run_id, session_of(request))
        with server.lock:
            if run.share_token is None:
                run.share_token = secrets.token_urlsafe(18)
        return {"token": run.share_token, "url": f"/api/runs/{run.id}?token={run.share_token}"}

    def run_file(run: Run, name: str, media_type: str, download: str | None = None) -> Response:
        path = run.folder / name  # name is one of this module's constants, never request text
        if not path.is_file():
            raise _error(404, f"the run has no {name} (yet)")
        headers = {"content-disposition": f'attachment; filename="{download}"'} if download else None
        return Response(path.read_bytes(), media_type=media_type, headers=headers)

    @app.get("/api/runs/{run_id}/summary.json", summary="The run's summary.json")
    def run_summary(request: Request, run_id: RunId, token: Token = None) -> Response:
        return run_file(
            server.readable(run_id, session_of(request), token), "summary.json", "application/json"
        )

    @app.get(
        "/api/runs/{run_id}/scenario.toml", summary="The run's scenario (the base with the edits) as TOML"
    )
    def run_scenario_toml(request: Request, run_id: RunId, token: Token = None) -> Response:
        run = server.readable(run_id, session_of(request), token)
        base = run.base.partition(":")[2] if run.base.startswith("example:") else "uploaded"
        return run_file(run, "scenario.toml", "application/toml", f"{base}-built.toml")

    @app.get("/api/runs/{run_id}/scene.czml", summary="The run's scene for the globe (when it has one)")
    def run_scene(request: Request, run_id: RunId, token: Token = None) -> Response:
        return run_file(server.readable(run_id, session_of(request), token), "scene.czml", "application/json")

    mount_globe(app)
    app.add_middleware(Guard, server=server, max_body=max_body_bytes)
    return app
