"""Static figures of a scenario a person can check at a glance (matplotlib Agg, written as PNG files).

Top layer (design.md section 2): nothing else of domesim imports this package.
"""
