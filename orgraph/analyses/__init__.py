"""Analyses: plain functions taking an :class:`~orgraph.graph.OrgGraph` first, returning plain data.

>>> from orgraph.analyses import supervisor_cascades, risk_list, census_scenario
"""
from .cascades import flatten_cascades, supervisor_cascades
from .caseload import caseload_distribution
from .churn import churn_seats
from .common import departure_factors
from .continuity import continuity_of_care
from .cost import cost_model, finance_headlines, turnover_cost
from .docburden import documentation_burden
from .leading import supervisor_leading_indicator
from .overload import overloaded_supervisors
from .risk import risk_list
from .scenario import caseload_hazard, census_scenario, supervisor_leaves_scenario

__all__ = [
    "supervisor_cascades",
    "flatten_cascades",
    "overloaded_supervisors",
    "churn_seats",
    "caseload_distribution",
    "documentation_burden",
    "supervisor_leading_indicator",
    "departure_factors",
    "continuity_of_care",
    "risk_list",
    "cost_model",
    "turnover_cost",
    "finance_headlines",
    "caseload_hazard",
    "census_scenario",
    "supervisor_leaves_scenario",
]
