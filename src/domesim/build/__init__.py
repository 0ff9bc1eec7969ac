"""Scenario specs + catalogue -> the built World: one builder per kind of component, the catalogue."""
