"""orgraph: find what staff departures have in common.

orgraph turns staff, supervisors, positions (seats) and programs into a
temporal graph and finds the structural patterns behind exits.

>>> import orgraph
>>> callable(orgraph.load)
True
"""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import AnalysisError, BundleError, ConfigError, Issue, OrgraphError, SourceError  # noqa: E402

__all__ = ["load", "load_data", "OrgGraph", "OrgData", "OrgraphError", "BundleError", "ConfigError",
           "SourceError", "AnalysisError", "Issue", "is_neo4j_uri", "__version__"]

_NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def is_neo4j_uri(source) -> bool:
    """Whether ``source`` names a Neo4j database rather than a folder.

    Examples
    --------
    >>> is_neo4j_uri("neo4j://localhost:7687"), is_neo4j_uri("examples/riverbend")
    (True, False)
    """
    return isinstance(source, str) and source.lower().startswith(_NEO4J_SCHEMES)


def load_data(source, *, strict: bool = False, user: str | None = None, password: str | None = None,
              database: str | None = None, progress=None):
    """Read a source into a validated :class:`~orgraph.model.OrgData`.

    ``source`` is a bundle folder or a Neo4j URI. For Neo4j, ``user`` defaults to
    ``$ORGRAPH_NEO4J_USER`` (else ``neo4j``) and ``password`` to ``$NEO4J_PASSWORD``.
    For a folder, ``progress`` is called after each file (see :func:`orgraph.validate.validate_bundle`).
    """
    if is_neo4j_uri(source):
        from .store.neo4j import read_org

        return read_org(source, user=user, password=password, database=database)
    from .validate import load_bundle

    return load_bundle(source, strict=strict, progress=progress)


def load(source, *, strict: bool = False, data_end=None, **kwargs):
    """Open a bundle folder or Neo4j URI as an :class:`~orgraph.graph.OrgGraph`.

    Raises :class:`BundleError` (with every issue) when the bundle has errors.
    """
    from .graph import OrgGraph

    return OrgGraph(load_data(source, strict=strict, **kwargs), data_end=data_end)


def __getattr__(name):
    if name == "OrgGraph":
        from .graph import OrgGraph

        return OrgGraph
    if name == "OrgData":
        from .model import OrgData

        return OrgData
    raise AttributeError(name)
