"""The curated import surface of domesim: ``from domesim.api import load_scenario, run_trials, salvo``.

Everything here is stable for users; modules not re-exported here may change between versions.
"""

from domesim.build.catalogue import load_catalogue
from domesim.build.threats.ballistic import catalogue_missile
from domesim.core.analytic import (
    absentee,
    minimum_energy_trajectory,
    poisson_at_least,
    salvo,
    sbi_reach_km,
    shoot_look_shoot,
    shots_needed,
)
from domesim.core.frames import ecef_to_geodetic, geodetic_to_ecef
from domesim.core.kepler import propagate
from domesim.core.timegrid import TimeGrid
from domesim.cost.deflator import DeflatorTable, to_constant_dollars
from domesim.cost.lifecycle import ElementSpec, lifecycle_cost, roll_up
from domesim.cost.schedule import FieldingPlan, field_units, is_reachable, reach_year
from domesim.engine.simulate import fly_truth
from domesim.errors import DomesimError, ScenarioError, TargetingError
from domesim.interceptors.sbi import SbiKinematics, availability
from domesim.montecarlo.runner import run_trials
from domesim.orbits.constellation import Walker, element_set
from domesim.orbits.coverage import visible_counts
from domesim.orbits.tle import read_elements
from domesim.results.coverage import coverage
from domesim.results.metrics import binomial_ci
from domesim.results.store import RunCatalogue, read_table
from domesim.results.summary import build_summary, build_tables
from domesim.scenario.costing import scenario_cost
from domesim.scenario.loader import load_scenario
from domesim.studies.salvo import SalvoSpec, build_salvo
from domesim.studies.sizing import Requirement, Shell, analytic_size, estimate_size, size_constellation
from domesim.threats.ballistic import SHAPES, BallisticMissile, fly_threats, solve_launch
from domesim.threats.cruise import CruiseMissile, fly_cruise, plan_route
from domesim.threats.fobs import solve_fobs
from domesim.threats.glide import GlideVehicle, fly_gliders, solve_glide
from domesim.threats.lofted import LoftedTest, convert_lofted_test

__all__ = [
    "BallisticMissile",
    "CruiseMissile",
    "GlideVehicle",
    "DomesimError",
    "RunCatalogue",
    "ScenarioError",
    "TargetingError",
    "TimeGrid",
    "absentee",
    "binomial_ci",
    "build_summary",
    "build_tables",
    "ecef_to_geodetic",
    "fly_cruise",
    "fly_gliders",
    "fly_threats",
    "fly_truth",
    "geodetic_to_ecef",
    "load_catalogue",
    "load_scenario",
    "minimum_energy_trajectory",
    "plan_route",
    "poisson_at_least",
    "read_table",
    "run_trials",
    "salvo",
    "sbi_reach_km",
    "shoot_look_shoot",
    "shots_needed",
    "solve_fobs",
    "solve_glide",
    "solve_launch",
    "SHAPES",
    "LoftedTest",
    "convert_lofted_test",
    "catalogue_missile",
    "Walker",
    "element_set",
    "propagate",
    "visible_counts",
    "SbiKinematics",
    "availability",
    "analytic_size",
    "estimate_size",
    "size_constellation",
    "Requirement",
    "Shell",
    "read_elements",
    "coverage",
    "build_salvo",
    "SalvoSpec",
    "DeflatorTable",
    "to_constant_dollars",
    "ElementSpec",
    "lifecycle_cost",
    "roll_up",
    "FieldingPlan",
    "field_units",
    "is_reachable",
    "reach_year",
    "scenario_cost",
]
