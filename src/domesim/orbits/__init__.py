"""Constellations (Walker patterns, element sets, TLE/OMM catalogues): propagation, coverage and
interceptor reach."""
