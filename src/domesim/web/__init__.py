"""Web pages served from this machine: ``domesim serve``, the architecture builder
(:func:`domesim.web.app.create_app`), and the CesiumJS globe of a run (``globe.py``, ``static/``) shown by
``domesim view`` (``view.py``) and inside the builder. FastAPI and uvicorn are imported only here, never
by ``--help``."""
