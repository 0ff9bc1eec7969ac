"""``domesim view RUN_DIR``: the globe of one run on http://127.0.0.1.

The app serves the globe page and CesiumJS (:func:`~domesim.web.globe.mount_globe`) and exactly two files
of the run folder, ``scene.czml`` and ``summary.json``, at fixed routes: no route takes a path, so no other
file of the run folder or of the machine can be asked for. It listens on the loopback interface only.
"""

from __future__ import annotations

import socket
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from domesim.errors import ParameterError
from domesim.web.globe import mount_globe

if TYPE_CHECKING:
    from fastapi import FastAPI

HOST = "127.0.0.1"  # never 0.0.0.0: the viewer is for the person at this machine
DEFAULT_PORT = 8765
SCENE, SUMMARY = "scene.czml", "summary.json"
PAGE = "/globe/globe.html?" + urlencode({"czml": f"/run/{SCENE}", "summary": f"/run/{SUMMARY}"}, safe="/")


def run_files(run_dir: Path) -> tuple[Path, Path]:
    """The run's ``scene.czml`` and ``summary.json``; a :class:`ParameterError` naming what is missing."""
    scene, summary = run_dir / SCENE, run_dir / SUMMARY
    if not run_dir.is_dir():
        raise ParameterError(f"{run_dir} is not a folder: give the output folder of a `domesim run`")
    if not summary.is_file():
        raise ParameterError(f"{summary} is missing: {run_dir} is not the output folder of a `domesim run`")
    if not scene.is_file():
        raise ParameterError(f"{scene} is missing: write it with `domesim export czml {run_dir}`")
    return scene, summary


def view_app(run_dir: Path) -> FastAPI:
    """The viewer of ``run_dir``: ``/`` redirects to the globe page of its two files."""
    from fastapi import FastAPI
    from fastapi.responses import FileResponse, RedirectResponse

    scene, summary = run_files(Path(run_dir))
    app = FastAPI(title="domesim view", docs_url=None, redoc_url=None, openapi_url=None)
    mount_globe(app)

    @app.get("/")
    def index() -> RedirectResponse:
        return RedirectResponse(PAGE)

    # CZML is JSON; served as such so that the browser never guesses at it.
    @app.get(f"/run/{SCENE}")
    def scene_file() -> FileResponse:
        return FileResponse(scene, media_type="application/json")

    @app.get(f"/run/{SUMMARY}")
    def summary_file() -> FileResponse:
        return FileResponse(summary, media_type="application/json")

    return app


def listen(port: int) -> socket.socket:
    """A socket listening on 127.0.0.1:``port`` (0: any free port); a :class:`ParameterError` if taken.

    Bound before the server starts, so that the URL printed and opened is already accepting connections
    (they wait in the backlog until uvicorn serves them) and a taken port is reported before anything else.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise ParameterError(
            f"port {port} on {HOST} cannot be used ({exc.strerror}): give --port another"
        ) from None
    sock.listen(128)
    return sock


def serve_view(run_dir: Path, port: int = DEFAULT_PORT, open_browser: bool = False) -> None:
    """Serve the viewer of ``run_dir`` on 127.0.0.1:``port`` until Ctrl-C; print its URL and open it in
    the default browser only when ``open_browser``."""
    import uvicorn

    app = view_app(run_dir)
    sock = listen(port)
    url = f"http://{HOST}:{sock.getsockname()[1]}/"
    print(f"domesim view: {url} (Ctrl-C to stop)", flush=True)
    if open_browser:
        webbrowser.open(url)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[sock])
