"""`domesim serve`'s API through FastAPI's TestClient: sessions, sharing, the caps, path traversal, errors as
422 with the problem, a client that leaves mid-run, and the downloaded TOML."""

from __future__ import annotations

import http.client
import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from domesim.scenario.loader import load_spec  # noqa: E402
from domesim.web.app import MAX_BODY_BYTES, create_app  # noqa: E402

GBI = "interceptor_site[gbi_fort_greely].inventory"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    made = create_app(runs_dir=tmp_path_factory.mktemp("runs"), max_trials=50, max_concurrent=2)
    with TestClient(made):  # the lifespan: the run pool shuts down with the module
        yield made


@pytest.fixture(scope="module")
def alice(app: Any) -> TestClient:
    return TestClient(app)


@pytest.fixture(scope="module")
def bob(app: Any) -> TestClient:
    return TestClient(app)


@pytest.fixture(scope="module")
def finished(alice: TestClient, wait_run: Any) -> dict[str, Any]:
    """A finished run of nk-1 in Alice's session: 7 GBIs at Fort Greely, Cobra Dane off."""
    values = {GBI: 7, "sensor[cobra_dane_shemya]": False}
    started = alice.post(
        "/api/runs", json={"base": "example:nk-1", "values": values, "trials": 20, "seed": 3}
    )
    assert started.status_code == 202, started.text
    view = wait_run(alice, started.json()["id"])
    assert view["status"] == "done", view
    return view


def test_the_session_cookie_is_httponly_and_strict(app: Any) -> None:
    response = TestClient(app).get("/api/examples")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "example:nk-10-space" in {e["base"] for e in response.json()["examples"]}


def test_a_run_shows_its_answer_cost_and_progress(finished: dict[str, Any]) -> None:
    result = finished["result"]
    assert finished["done_trials"] == finished["trials"] == 20
    lo, hi = result["ci95"]
    assert 0.0 <= lo <= result["p_no_leak"] <= hi <= 1.0
    assert abs(sum(result["leak_causes"].values()) - result["expected_leakers"]) < 1e-9
    assert result["cost"]["total_usd"] > 0 and result["cost"]["by_layer"]
    assert finished["has_scene"] is True  # the globe's scene of the run


def test_a_run_scene_is_served_to_its_owner_only(alice: TestClient, bob: TestClient, finished: dict) -> None:
    scene = f"/api/runs/{finished['id']}/scene.czml"
    document = alice.get(scene).json()
    assert document[0]["id"] == "document" and document[0]["clock"]
    assert bob.get(scene).status_code == 404


def test_sessions_are_isolated_until_a_run_is_shared(
    alice: TestClient, bob: TestClient, finished: dict[str, Any]
) -> None:
    run = f"/api/runs/{finished['id']}"
    for path in (run, f"{run}/summary.json", f"{run}/scenario.toml"):
        assert bob.get(path).status_code == 404
    assert bob.delete(run).status_code == 404
    assert bob.post(f"{run}/share").status_code == 404
    assert finished["id"] not in {r["id"] for r in bob.get("/api/runs").json()["runs"]}
    assert finished["id"] in {r["id"] for r in alice.get("/api/runs").json()["runs"]}

    shared = alice.post(f"{run}/share").json()
    assert bob.get(run, params={"token": shared["token"]}).status_code == 200
    assert bob.get(shared["url"]).json()["result"] == finished["result"]
    summary = bob.get(f"{run}/summary.json", params={"token": shared["token"]})
    assert summary.status_code == 200 and "p_no_leak" in summary.json()
    wrong = shared["token"][::-1] if shared["token"][::-1] != shared["token"] else "x" * 24
    assert bob.get(run, params={"token": wrong}).status_code == 404
    assert bob.delete(run).status_code == 404  # a token reads, it does not own


def test_the_downloaded_toml_validates_and_carries_the_edits(
    alice: TestClient, finished: dict[str, Any], tmp_path: Path
) -> None:
    response = alice.get(f"/api/runs/{finished['id']}/scenario.toml")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    path = tmp_path / "built.toml"
    path.write_bytes(response.content)
    spec = load_spec(path).spec
    sites = {s.deployment: s for s in spec.interceptor_site}
    assert sites["gbi_fort_greely"].inventory == 7
    assert "cobra_dane_shemya" not in {s.deployment for s in spec.sensor}


@pytest.mark.parametrize(
    "path",
    [
        "/api/runs/..%2F..%2F..%2Fetc%2Fpasswd",
        "/api/runs/%2e%2e/summary.json",
        "/api/runs/%2e%2e%2f%2e%2e%2fetc/summary.json",
        "/api/runs/../../etc/passwd",
        "/api/runs//etc/passwd/summary.json",
        "/api/runs/%2Fetc%2Fpasswd/scenario.toml",
        "/api/runs/aaaaaaaaaaaaaaaaaaaaaaaa%2F..%2F..%2Fx/summary.json",
        "/api/runs/aaaaaaaaaaaaaaaaaaaaaaaa/summary.json",
        "/static/..%2Fapp.py",
        "/static/%2e%2e%2fapp.py",
        "/static/../app.py",
        "/static/%2Fetc%2Fpasswd",
        "/api/scenarios/example:..%2F..%2Fpyproject/form",
        "/api/scenarios/example:%2e%2e/form",
        "/api/scenarios/example:%2Fetc%2Fpasswd/form",
        "/api/scenarios/upload:..%2F..%2F..%2F..%2Fetc%2Fpasswd/form",
        "/api/scenarios/example:nk-1.toml%2F..%2F..%2Fpyproject/form",
    ],
)
def test_path_traversal_is_refused(alice: TestClient, path: str) -> None:
    response = alice.get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code)
    assert "root:" not in response.text and "[project]" not in response.text


def test_an_oversized_body_is_413(alice: TestClient) -> None:
    big = "#" * (MAX_BODY_BYTES + 1)
    response = alice.post("/api/uploads", json={"toml": big})
    assert response.status_code == 413
    assert "bytes" in response.json()["detail"]["message"]

    def chunks() -> Any:  # no content-length: counted as it arrives
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"x" * 65536

    assert alice.post("/api/uploads", content=chunks()).status_code == 413


def test_trials_over_the_cap_are_422_naming_the_field_and_limit(alice: TestClient) -> None:
    response = alice.post("/api/runs", json={"base": "example:nk-1", "trials": 51})
    assert response.status_code == 422
    (problem,) = response.json()["detail"]["problems"]
    assert problem["key"].endswith("trials") and "50" in problem["message"]


def test_runs_in_flight_are_capped(app: Any, alice: TestClient) -> None:
    server = app.state.server
    server.active += server.max_concurrent  # as if the server were full
    try:
        response = alice.post("/api/runs", json={"base": "example:nk-1", "trials": 5})
    finally:
        server.active -= server.max_concurrent
    assert response.status_code == 429 and "in flight" in response.json()["detail"]["message"]


@pytest.mark.parametrize(
    ("values", "key", "words"),
    [
        ({"doctrine.salvo_size": 2}, "doctrine.salvo_size", "not a control"),
        ({"__import__('os')": 1}, "__import__('os')", "not a control"),
        ({GBI: -1}, GBI, "outside"),
        ({GBI: 10**9}, GBI, "outside"),
        ({GBI: True}, GBI, "whole number"),
        ({"sensor[cobra_dane_shemya]": 1}, "sensor[cobra_dane_shemya]", "true or false"),
    ],
)
def test_an_invalid_edit_is_422_with_the_problem(
    alice: TestClient, values: dict[str, Any], key: str, words: str
) -> None:
    response = alice.post("/api/runs", json={"base": "example:nk-1", "values": values, "trials": 5})
    assert response.status_code == 422, response.text
    (problem,) = response.json()["detail"]["problems"]
    assert problem["key"] == key and words in problem["message"]


def test_a_value_of_the_wrong_json_type_is_422(alice: TestClient) -> None:
    response = alice.post("/api/runs", json={"base": "example:nk-1", "values": {GBI: "7"}, "trials": 5})
    assert response.status_code == 422
    assert any("values" in p["key"] for p in response.json()["detail"]["problems"])


def test_an_edit_past_the_scenario_bounds_is_422_from_the_loader(alice: TestClient) -> None:
    values = {
        "constellation[sbi_cbo_2026].walker.per_plane": 10_000,
        "constellation[sbi_cbo_2026].walker.planes": 10_000,
    }
    response = alice.post("/api/runs", json={"base": "example:nk-10-space", "values": values, "trials": 5})
    assert response.status_code == 422, response.text
    problems = response.json()["detail"]["problems"]
    assert any("20,000" in p["message"] and "constellation" in p["key"] for p in problems), problems
    assert all("/" not in p["file"] for p in problems)  # the server's paths are not shown


UPLOAD = (Path(__file__).resolve().parents[2] / "examples" / "nk-1.toml").read_text(encoding="utf-8")


def test_an_uploaded_scenario_is_validated_like_a_file(alice: TestClient, bob: TestClient) -> None:
    bad = alice.post("/api/uploads", json={"toml": UPLOAD.replace("[scenario]", "[scenario]\nstep = 2")})
    assert bad.status_code == 422
    assert any(p["key"].startswith("scenario") for p in bad.json()["detail"]["problems"])
    syntax = alice.post("/api/uploads", json={"toml": "[scenario\nname = 1"})
    assert syntax.status_code == 422

    good = alice.post("/api/uploads", json={"toml": UPLOAD})
    assert good.status_code == 201, good.text
    base = good.json()["base"]
    assert alice.get(f"/api/scenarios/{base}/form").status_code == 200
    assert bob.get(f"/api/scenarios/{base}/form").status_code == 404  # another session's upload


def test_an_uploaded_scenario_may_name_no_file(alice: TestClient) -> None:
    named = UPLOAD + '\n[[constellation]]\nname = "x"\nsensor = "opir"\ntle_file = "../../../../etc/passwd"\n'
    response = alice.post("/api/uploads", json={"toml": named})
    assert response.status_code == 422
    text = json.dumps(response.json())
    assert "tle_file" in text and "root:" not in text


def _raw_request(port: int, body: bytes, *, send_body: bool) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        head = (
            "POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        s.sendall(head + (body if send_body else body[: len(body) // 2]))
    # closed at once: the client never reads the answer


def test_a_client_that_leaves_mid_run_leaves_the_server_serving(serve: Any, tmp_path: Path) -> None:
    made = create_app(runs_dir=tmp_path / "runs", max_trials=50, max_concurrent=2)
    server = made.state.server
    with serve(made) as url:
        port = int(url.rsplit(":", 1)[1])
        body = json.dumps({"base": "example:nk-1", "trials": 30}).encode()
        _raw_request(port, body, send_body=False)  # leaves while sending its request
        _raw_request(port, body, send_body=True)  # leaves while its run loads and runs
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not (
            server.runs and all(r.status not in ("queued", "running") for r in server.runs.values())
        ):
            time.sleep(0.1)
        (run,) = server.runs.values()
        assert run.status == "done" and run.done_trials == 30
        assert server.active == 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/api/examples")
        assert connection.getresponse().status == 200
        connection.close()


def test_a_cancelled_run_stops_cleanly(app: Any, alice: TestClient, wait_run: Any) -> None:
    started = alice.post("/api/runs", json={"base": "example:nk-1", "trials": 50, "seed": 9})
    assert started.status_code == 202
    run_id = started.json()["id"]
    assert alice.delete(f"/api/runs/{run_id}").status_code == 200
    view = wait_run(alice, run_id)
    assert view["status"] in ("cancelled", "done")  # done if it finished before the cancel arrived
    assert app.state.server.active == 0
    assert alice.get("/api/examples").status_code == 200


def test_without_examples_the_list_is_empty_and_says_so(tmp_path: Path) -> None:
    client = TestClient(create_app(runs_dir=tmp_path, examples_dir=None))
    listed = client.get("/api/examples").json()
    assert listed["examples"] == [] and "without examples" in listed["note"]
    assert client.get("/api/scenarios/example:nk-1/form").status_code == 404
    page = client.get("/")
    assert page.status_code == 200 and "frame-ancestors 'none'" in page.headers["content-security-policy"]
