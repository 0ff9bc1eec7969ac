"""``domesim view`` without a browser: what the app serves and refuses, where it listens, its errors.

The app serves the globe page, CesiumJS and exactly two files of the run folder at fixed routes; every
other path, traversals and encoded traversals included, is a 404.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from domesim import cli
from domesim.errors import ParameterError
from domesim.web import globe, view
from domesim.web.view import PAGE, view_app

from .conftest import copy_run

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def client(run_dir: Path) -> TestClient:
    return TestClient(view_app(run_dir))


def test_the_two_run_files_are_served(client: TestClient, run_dir: Path) -> None:
    for name in ("scene.czml", "summary.json"):
        response = client.get(f"/run/{name}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        assert response.json() == json.loads((run_dir / name).read_text())


def test_root_redirects_to_the_globe_of_the_run(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (302, 307)
    assert response.headers["location"] == PAGE
    assert PAGE == "/globe/globe.html?czml=/run/scene.czml&summary=/run/summary.json"  # the URL contract


def test_globe_and_cesium_files_are_served(client: TestClient) -> None:
    tiles = "/cesium/Assets/Textures/NaturalEarthII/tilemapresource.xml"
    for path in ("/globe/globe.html", "/globe/globe.js", "/globe/globe.css", "/cesium/Cesium.js", tiles):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize(
    "path",
    [
        "/run/report.html",
        "/run/secret.txt",
        "/run/",
        "/run",
        "/summary.json",
        "/scene.czml",
        "/run/../summary.json",
        "/run/%2e%2e/summary.json",
        "/run/..%2fsummary.json",
        "/run/%2e%2e%2fsecret.txt",
        "/run/scene.czml/../secret.txt",
        "/run/scene.czml%2f..%2fsecret.txt",
        "/globe/../../errors.py",
        "/globe/%2e%2e/%2e%2e/errors.py",
        "/globe/..%2f..%2f__init__.py",
        "/globe/%2e%2e%2fview.py",
        "/cesium/../../package.json",
        "/cesium/%2e%2e/%2e%2e/package.json",
        "/cesium/..%2f..%2f..%2fpackage.json",
        "/etc/passwd",
        "/globe/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/docs",
        "/openapi.json",
    ],
)
def test_nothing_else_is_served(view_url: str, path: str) -> None:
    # To the real server (uvicorn) through http.client, which sends the path exactly as written (httpx
    # would resolve ".." before sending), as a hand-made request could.
    connection = http.client.HTTPConnection(urlsplit(view_url).netloc, timeout=30)
    try:
        connection.request("GET", path)
        status = connection.getresponse().status
    finally:
        connection.close()
    assert status == 404, (path, status)


def test_no_route_takes_a_path(run_dir: Path) -> None:
    """Only the mounts (static folders, which refuse traversal) take a path: no route has a parameter."""
    app = view_app(run_dir)
    paths = [getattr(r, "path", "") for r in app.routes]
    assert not [p for p in paths if "{" in p], paths
    assert sorted(paths) == ["/", "/cesium", "/globe", "/run/scene.czml", "/run/summary.json"]


def test_a_run_without_scene_names_the_export_command(tmp_path: Path) -> None:
    run = copy_run(tmp_path / "run")
    (run / "scene.czml").unlink()
    with pytest.raises(ParameterError, match=re.escape(f"domesim export czml {run}")):
        view_app(run)
    result = CliRunner().invoke(cli.app, ["view", str(run)])
    assert result.exit_code == 2
    assert "scene.czml is missing" in result.output and "domesim export czml" in result.output


def test_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="summary.json is missing"):
        view_app(tmp_path)
    with pytest.raises(ParameterError, match="not a folder"):
        view_app(tmp_path / "absent")


def test_missing_cesium_says_to_run_make_web(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOMESIM_CESIUM_DIR", str(tmp_path))
    with pytest.raises(ParameterError, match="make web"):
        globe.cesium_dir()


def test_cesium_version_is_the_one_pinned() -> None:
    package = json.loads((REPO / "web" / "package.json").read_text())
    lock = json.loads((REPO / "web" / "package-lock.json").read_text())
    assert package["dependencies"]["cesium"] == globe.CESIUM_VERSION  # exact, no range
    assert lock["packages"]["node_modules/cesium"]["version"] == globe.CESIUM_VERSION
    assert cli.VIEW_PORT == view.DEFAULT_PORT


def test_listens_on_loopback_only() -> None:
    sock = view.listen(0)
    try:
        assert sock.getsockname()[0] == "127.0.0.1"
        with pytest.raises(ParameterError, match="give --port another"):
            view.listen(sock.getsockname()[1])
    finally:
        sock.close()


def test_domesim_view_serves_until_stopped(run_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real command in a subprocess: prints its URL, serves the summary there, opens no browser."""
    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, BROWSER="false")  # were a browser opened, it would be this no-op
    proc = subprocess.Popen(
        [sys.executable, "-m", "domesim.cli", "view", str(run_dir), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"domesim view: http://127.0.0.1:{port}/"), (line, proc.stderr)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/run/summary.json", timeout=30) as response:
            assert json.load(response)["trials"] == 1000
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.returncode in (0, 130, -15)


def test_open_asks_the_browser_only_when_told(run_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(view.webbrowser, "open", opened.append)
    import uvicorn

    # the server itself is not started: only what happens before it is checked
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: [s.close() for s in sockets or []])
    view.serve_view(run_dir, port=0, open_browser=False)
    assert opened == []
    view.serve_view(run_dir, port=0, open_browser=True)
    assert len(opened) == 1 and opened[0].startswith("http://127.0.0.1:")
