"""Analyses: plain functions taking an :class:`~orgraph.graph.OrgGraph` first, returning plain data."""
from .cascades import flatten_cascades, supervisor_cascades

__all__ = [
    "supervisor_cascades",
    "flatten_cascades",
]
