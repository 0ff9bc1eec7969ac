"""threats layer of domesim (see design.md section 2)."""
