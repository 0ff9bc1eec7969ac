"""Storage of run results: column tables as Parquet files and a DuckDB catalogue of runs.

A run directory holds one ``<name>.parquet`` per table (``trials``, ``engagements``, ``objects``); the
catalogue, one DuckDB file shared by all runs of a user, holds one row per run so that runs can be listed
and compared with SQL, including SQL over the Parquet files themselves::

    SELECT layer, avg(killed::INT) FROM 'runs/abc/engagements.parquet' GROUP BY layer
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from domesim.errors import DomesimError, ParameterError

__all__ = ["CATALOGUE_NAME", "RunCatalogue", "default_data_dir", "read_table", "write_tables"]

CATALOGUE_NAME = "runs.duckdb"
_UMASK = os.umask(0)
os.umask(_UMASK)

_TABLE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")

# One column per key of add_run; the order is the order of the CREATE TABLE.
_RUN_COLUMNS: dict[str, str] = {
    "run_id": "VARCHAR PRIMARY KEY",
    "created_utc": "TIMESTAMP",
    "scenario": "VARCHAR",
    "scenario_hash": "VARCHAR",
    "seed": "BIGINT",
    "trials": "BIGINT",
    "version": "VARCHAR",
    "git_hash": "VARCHAR",
    "p_no_leak": "DOUBLE",
    "p_no_leak_lo": "DOUBLE",
    "p_no_leak_hi": "DOUBLE",
    "expected_leakers": "DOUBLE",
    "wall_s": "DOUBLE",
    "out_dir": "VARCHAR",
}

# DuckDB lets one process at a time hold a file for writing; a second one waits this long for it.
_LOCK_WAIT_S = 10.0


def default_data_dir() -> Path:
    """Directory for domesim's per-user data (the run catalogue ``runs.duckdb``).

    ``$DOMESIM_DATA_DIR`` if set, else ``$XDG_DATA_HOME/domesim`` (XDG Base Directory specification),
    else ``~/.local/share/domesim``. The directory is not created here.

    Returns
    -------
    pathlib.Path
        The data directory.

    Examples
    --------
    >>> isinstance(default_data_dir(), Path)
    True
    """
    if env := os.environ.get("DOMESIM_DATA_DIR"):
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME", "")
    # The XDG specification says a relative path is invalid and must be ignored.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "domesim"


def _to_arrow(name: str, columns: Mapping[str, np.ndarray]) -> pa.Table:
    lengths = {key: np.shape(col) for key, col in columns.items()}
    if any(len(shape) != 1 for shape in lengths.values()) or len({s[0] for s in lengths.values()}) > 1:
        raise ParameterError(
            f"table {name!r}: columns must be 1-D arrays of equal length, got shapes {lengths}"
        )
    return pa.table({key: pa.array(np.asarray(col)) for key, col in columns.items()})


def write_tables(
    out_dir: str | os.PathLike[str], tables: Mapping[str, Mapping[str, np.ndarray]]
) -> dict[str, Path]:
    """Write each column table to ``<out_dir>/<name>.parquet``.

    Each file is written to a temporary file in ``out_dir`` and moved into place with :func:`os.replace`,
    which is atomic on one file system: an interrupted run leaves the old file or the new one, never half
    of one.

    Parameters
    ----------
    out_dir : path-like
        Run directory, created if missing.
    tables : mapping of str to mapping of str to ndarray
        Table name to columns; each column a 1-D array, all of one table the same length.

    Returns
    -------
    dict of str to pathlib.Path
        Table name to the Parquet file written.

    Raises
    ------
    ParameterError
        If a table name is not a plain file name or a table's columns are not 1-D of equal length.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> paths = write_tables(d, {"trials": {"trial": np.arange(3), "leakers": np.zeros(3, np.int32)}})
    >>> read_table(paths["trials"])["trial"].tolist()
    [0, 1, 2]
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # Convert everything first so a bad table fails before any file is touched.
    arrow = {}
    for name, columns in tables.items():
        if not _TABLE_NAME.match(name):
            raise ParameterError(f"table name {name!r} is not a plain file name (letters, digits, _ . -)")
        arrow[name] = _to_arrow(name, columns)
    paths = {}
    for name, table in arrow.items():
        path = out / f"{name}.parquet"
        fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{name}.", suffix=".parquet.tmp")
        os.close(fd)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600 files; results are ordinary files
        try:
            pq.write_table(table, tmp)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        paths[name] = path
    return paths


def read_table(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Read a Parquet file written by :func:`write_tables` back into column arrays.

    Parameters
    ----------
    path : path-like
        The Parquet file.

    Returns
    -------
    dict of str to ndarray
        Column name to 1-D array; string columns come back as numpy ``str`` arrays.
    """
    table = pq.read_table(path)
    out = {}
    for name, col in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            out[name] = np.asarray(col.to_pylist(), dtype=str)
        else:
            out[name] = col.to_numpy()
    return out


class RunCatalogue:
    """Catalogue of runs in one DuckDB file: table ``runs``, one row per run.

    Every method connects, does its work and closes, so that two processes (a run finishing while a user
    lists runs) can use the file one after the other; a writer that finds the file locked waits up to
    10 s for it.

    Parameters
    ----------
    path : path-like, optional
        The DuckDB file; default ``default_data_dir() / "runs.duckdb"``. Created with its directory and the
        ``runs`` table if missing.

    Examples
    --------
    >>> import tempfile
    >>> cat = RunCatalogue(Path(tempfile.mkdtemp()) / "runs.duckdb")
    >>> cat.add_run({"run_id": "r1", "scenario": "demo", "p_no_leak": 0.9})
    >>> [r["run_id"] for r in cat.list_runs()]
    ['r1']
    """

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = Path(path) if path is not None else default_data_dir() / CATALOGUE_NAME
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # the folder is a file, or cannot be made
            raise DomesimError(
                f"cannot use {self.path.parent} as the folder of the run catalogue ({exc.strerror}): "
                f"give --data-dir (or DOMESIM_DATA_DIR) a folder domesim may write"
            ) from None
        columns = ", ".join(f"{name} {kind}" for name, kind in _RUN_COLUMNS.items())
        with self.connect() as con:
            con.execute(f"CREATE TABLE IF NOT EXISTS runs ({columns})")

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the catalogue file, closed on exit (waits for another process's lock)."""
        deadline, pause = time.monotonic() + _LOCK_WAIT_S, 0.02
        while True:
            try:
                con = duckdb.connect(str(self.path), read_only=read_only)
                break
            except duckdb.Error as exc:
                locked = "lock" in str(exc).lower()
                if not locked or time.monotonic() > deadline:
                    raise DomesimError(self._cannot_open(exc, locked)) from None
                time.sleep(pause)
                pause = min(2 * pause, 0.5)
        try:
            yield con
        finally:
            con.close()

    def _cannot_open(self, exc: duckdb.Error, locked: bool) -> str:
        """What went wrong opening the file, and what to do: each cause its own advice."""
        elsewhere = "or give --data-dir (or DOMESIM_DATA_DIR) another folder"
        if locked:
            pid = re.search(r"PID (\d+)", str(exc))
            holder = f"another process (PID {pid.group(1)})" if pid else "another process"
            return (
                f"the run catalogue {self.path} is in use by {holder}, still after {_LOCK_WAIT_S:g} s: "
                f"wait for it to finish, {elsewhere}"
            )
        if "not a valid DuckDB database" in str(exc):
            return (
                f"the run catalogue {self.path} is not a DuckDB database (corrupt, or another kind of file): "
                f"move it away (domesim then starts a new one), {elsewhere}"
            )
        return f"cannot open the run catalogue {self.path}: {exc}; {elsewhere}"

    def add_run(self, row: Mapping[str, Any]) -> None:
        """Insert one run.

        Parameters
        ----------
        row : mapping
            Values for the columns ``run_id`` (required, unique), ``created_utc`` (a UTC
            :class:`datetime.datetime` or ISO string; default now), ``scenario``, ``scenario_hash``, ``seed``,
            ``trials``, ``version``, ``git_hash``, ``p_no_leak``, ``p_no_leak_lo``, ``p_no_leak_hi``,
            ``expected_leakers``, ``wall_s``, ``out_dir``; missing ones are stored as NULL.

        Raises
        ------
        ParameterError
            If a key is not a column, ``run_id`` is missing or already in the catalogue.
        """
        unknown = sorted(set(row) - set(_RUN_COLUMNS))
        if unknown:
            raise ParameterError(f"add_run: unknown column(s) {unknown}; known: {list(_RUN_COLUMNS)}")
        if not row.get("run_id"):
            raise ParameterError("add_run: the row needs a run_id")
        # numpy scalars (summary values) are not all bindable as DuckDB parameters.
        values = {k: v.item() if isinstance(v, np.generic) else v for k, v in row.items()}
        created = values.get("created_utc") or datetime.now(UTC)
        if isinstance(created, str):
            created = datetime.fromisoformat(created)
        if created.tzinfo is not None:
            # TIMESTAMP has no zone: store naive UTC so rows from any machine sort together.
            created = created.astimezone(UTC).replace(tzinfo=None)
        values["created_utc"] = created
        if isinstance(values.get("out_dir"), os.PathLike):
            values["out_dir"] = os.fspath(values["out_dir"])
        names = list(values)
        sql = f"INSERT INTO runs ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        with self.connect() as con:
            try:
                con.execute(sql, [values[n] for n in names])
            except duckdb.ConstraintException as exc:
                raise ParameterError(
                    f"add_run: run_id {values['run_id']!r} is already in {self.path}"
                ) from exc

    def list_runs(self, limit: int = 50) -> list[dict[str, Any]]:
        """The most recent runs, newest first.

        Parameters
        ----------
        limit : int, optional
            Most rows to return, default 50.

        Returns
        -------
        list of dict
            One dict per run, keyed by column name.
        """
        # rowid breaks ties between runs added within one clock tick, in insertion order.
        return self.query(f"SELECT * FROM runs ORDER BY created_utc DESC, rowid DESC LIMIT {int(limit)}")

    def query(self, sql: str) -> list[dict[str, Any]]:
        """Run a read-only SQL query on the catalogue (and any Parquet files it names).

        Parameters
        ----------
        sql : str
            A DuckDB query, e.g. ``SELECT scenario, avg(p_no_leak) FROM runs GROUP BY scenario``.

        Returns
        -------
        list of dict
            One dict per result row, keyed by column name.
        """
        with self.connect(read_only=True) as con:
            cur = con.execute(sql)
            names = [d[0] for d in cur.description or []]
            return [dict(zip(names, rec, strict=True)) for rec in cur.fetchall()]
