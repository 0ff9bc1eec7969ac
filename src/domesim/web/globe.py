"""The globe page and the CesiumJS build it runs on, mounted on a FastAPI app.

URL contract (``domesim view`` and ``domesim serve`` both rely on it): after :func:`mount_globe`,
``/globe/globe.html?czml=<url>&summary=<url>`` shows the CZML document at ``czml`` on a CesiumJS globe
and the headline numbers of the run's ``summary.json`` at ``summary`` beside it; both URLs must be on the
page's own origin (the page refuses others, so it never fetches from outside the machine). ``/cesium``
serves the CesiumJS build, ``/globe`` the page's own files.

CesiumJS is not vendored in the repository: ``make web`` installs it from npm at the version pinned in
``web/package-lock.json`` (``CESIUM_VERSION``), and this module finds its ``Build/Cesium`` folder there,
or at ``$DOMESIM_CESIUM_DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from domesim.errors import ParameterError

if TYPE_CHECKING:
    from fastapi import FastAPI

CESIUM_VERSION = "1.145.0"  # web/package.json pins the same (tests/web/test_view.py checks)
REPO = Path(__file__).resolve().parents[3]
STATIC = Path(__file__).resolve().parent / "static"


def cesium_dir() -> Path:
    """The CesiumJS build folder (``Build/Cesium``): ``$DOMESIM_CESIUM_DIR``, else the one ``make web``
    installs under ``web/node_modules``. A :class:`ParameterError` if it holds no ``Cesium.js``."""
    given = os.environ.get("DOMESIM_CESIUM_DIR")
    folder = Path(given) if given else REPO / "web" / "node_modules" / "cesium" / "Build" / "Cesium"
    if not (folder / "Cesium.js").is_file():
        where = f"$DOMESIM_CESIUM_DIR ({folder})" if given else str(folder)
        raise ParameterError(
            f"CesiumJS is not installed: {where} holds no Cesium.js. Run `make web` in the repository "
            f"(npm ci of web/package-lock.json, CesiumJS {CESIUM_VERSION}), or set DOMESIM_CESIUM_DIR to "
            "a CesiumJS Build/Cesium folder"
        )
    return folder


def mount_globe(app: FastAPI) -> None:
    """Serve the CesiumJS build at ``/cesium`` and the globe page's files at ``/globe`` of ``app``."""
    from fastapi.staticfiles import StaticFiles

    app.mount("/cesium", StaticFiles(directory=cesium_dir()), name="cesium")
    app.mount("/globe", StaticFiles(directory=STATIC), name="globe")
