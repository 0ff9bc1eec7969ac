"""``domesim serve``: the architecture builder web app (FastAPI; :func:`domesim.web.app.create_app`)."""
