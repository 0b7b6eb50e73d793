"""Analyses: plain functions taking an :class:`~orgraph.graph.OrgGraph` first, returning a :class:`~orgraph.result.Result`.

>>> from orgraph.analyses import supervisor_cascades, risk_list, caseload_hazard
"""
from .cascades import flatten_cascades, supervisor_cascades
from .caseload import caseload_distribution
from .churn import churn_seats
from .continuity import continuity_of_care
from .cost import cost_model, turnover_cost
from .departures import departure_factors
from .docburden import documentation_burden
from .hazards import caseload_hazard, exit_rates
from .leading import supervisor_leading_indicator
from .overload import overloaded_supervisors
from .risk import risk_list

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
    "caseload_hazard",
    "exit_rates",
]
