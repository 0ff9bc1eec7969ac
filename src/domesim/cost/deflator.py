"""Constant-dollar conversion with an annual price-index table.

Public cost figures come in the dollars of many years (a 2011 order, a 2018 contract, CBO's 2026
estimate); adding them is only meaningful after converting each to the dollars of one year. With an
annual price index ``P(y)`` (any base), an amount ``A`` in dollars of year ``y0`` is worth

    A_y1 = A * P(y1) / P(y0)

in dollars of year ``y1``. The table shipped with domesim is the BEA GDP implicit price deflator
(catalogue ``[deflator.gdp_price_index]``, source S69); CBO states its estimates in constant dollars
converted the same way. A year outside the table is an error, never an extrapolation made silently:
the catalogue marks any projected years, and :attr:`DeflatorTable.projected_from` says where they begin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from domesim.errors import ParameterError


@dataclass(frozen=True)
class DeflatorTable:
    """An annual price index by calendar year.

    Parameters
    ----------
    name : what the index is (for messages).
    first_year : calendar year of ``index[0]``.
    index : (Y,) index values for ``first_year .. first_year + Y - 1``, any base, all > 0.
    projected_from : first year whose value is a projection rather than a published figure (None: all
        published); conversions from or to such years are allowed, and :meth:`is_projected` tells.
    """

    name: str
    first_year: int
    index: np.ndarray = field(repr=False)
    projected_from: int | None = None

    def __post_init__(self) -> None:
        values = np.asarray(self.index, dtype=np.float64)
        if values.ndim != 1 or values.size == 0:
            raise ParameterError(f"deflator {self.name!r}: index must be a non-empty 1-D list of values")
        if not np.all(np.isfinite(values)) or np.any(values <= 0.0):
            raise ParameterError(f"deflator {self.name!r}: every index value must be finite and > 0")
        object.__setattr__(self, "index", values)

    @property
    def last_year(self) -> int:
        return self.first_year + int(self.index.size) - 1

    @property
    def years(self) -> np.ndarray:
        """(Y,) calendar years of the table."""
        return np.arange(self.first_year, self.last_year + 1)

    def has(self, year: int) -> bool:
        return self.first_year <= int(year) <= self.last_year

    def is_projected(self, year: int) -> bool:
        return self.projected_from is not None and int(year) >= self.projected_from

    def value(self, year: int, key: str = "dollar_year") -> float:
        """The index of ``year``; :class:`ParameterError` naming ``key`` outside the table."""
        if isinstance(year, bool) or not float(year).is_integer():
            raise ParameterError(f"{key}: a dollar year is a whole calendar year (got {year!r})")
        if not self.has(int(year)):
            raise ParameterError(
                f"{key}: dollar year {int(year)} is outside the deflator table {self.name!r} "
                f"({self.first_year}-{self.last_year}); give a year in that range"
            )
        return float(self.index[int(year) - self.first_year])

    def factor(self, from_year: int, to_year: int, key: str = "dollar_year") -> float:
        """Multiplier turning dollars of ``from_year`` into dollars of ``to_year``: ``P(to) / P(from)``.

        >>> table = DeflatorTable("test", 2020, np.array([100.0, 110.0]))
        >>> round(table.factor(2020, 2021), 6)
        1.1
        """
        return self.value(to_year, key) / self.value(from_year, key)


def to_constant_dollars(
    amount_usd: float | np.ndarray,
    from_year: int,
    to_year: int,
    table: DeflatorTable,
    key: str = "dollar_year",
) -> float | np.ndarray:
    """Convert an amount (scalar or array, US dollars of ``from_year``) to dollars of ``to_year``.

    ``key`` names the input the year came from, for the error raised when a year is outside the table.

    >>> table = DeflatorTable("test", 2020, np.array([100.0, 110.0]))
    >>> round(to_constant_dollars(1000.0, 2020, 2021, table), 6)
    1100.0
    """
    amount = np.asarray(amount_usd, dtype=np.float64)
    if not np.all(np.isfinite(amount)):
        raise ParameterError(f"{key}: the amount to convert must be finite (got {amount_usd!r})")
    out = amount * table.factor(from_year, to_year, key)
    return float(out) if out.ndim == 0 else out


def annual_rate(table: DeflatorTable, from_year: int, to_year: int) -> float:
    """Average annual inflation between two years of the table: ``(P(to)/P(from))^(1/n) - 1``."""
    if to_year == from_year:
        return 0.0
    return math.pow(table.factor(from_year, to_year), 1.0 / (to_year - from_year)) - 1.0
