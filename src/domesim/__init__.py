"""domesim: simulate and cost notional layered missile-defence architectures.

Everything comes from public physics and cited public parameters. The package root
imports nothing; the curated import surface is :mod:`domesim.api`.
"""

__version__ = "0.1.0"
