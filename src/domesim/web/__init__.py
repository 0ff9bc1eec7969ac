"""Web pages served from this machine: the CesiumJS globe of a run (``globe.py``, ``static/``) and
``domesim view`` (``view.py``). FastAPI and uvicorn are imported only here, never by ``--help``."""
