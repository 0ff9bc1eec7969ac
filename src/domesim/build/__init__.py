"""Scenario specs + catalogue -> the built World: the schema, the catalogue, the registries of component
kinds with one builder module per kind, and the fielded architecture (what costing prices).
"""
