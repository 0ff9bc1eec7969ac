"""Studies above single runs: sweeps, sensitivity, capability by year, SBI sizing and salvos."""
