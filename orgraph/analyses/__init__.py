"""Analyses: plain functions taking an :class:`~orgraph.graph.OrgGraph` first, returning plain data."""
from .cascades import flatten_cascades, supervisor_cascades
from .churn import churn_seats
from .overload import overloaded_supervisors

__all__ = [
    "supervisor_cascades",
    "flatten_cascades",
    "overloaded_supervisors",
    "churn_seats",
]
