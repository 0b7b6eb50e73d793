"""The Cypher query files, loaded by name.

Queries live one per file in the top-level ``cypher/`` folder of the source
tree, which the wheel ships as ``orgraph/cypher``. Code asks for a query by
name (``query("load_staff")``) and never holds query text of its own; values
always travel as ``$parameters``.

Examples
--------
>>> "UNWIND $rows AS row" in query("load_staff")
True
>>> statements("schema")[0].startswith("CREATE CONSTRAINT")
True
>>> query("no_such_query")
Traceback (most recent call last):
...
orgraph.errors.SourceError: no Cypher query named 'no_such_query'; known: cascade_risk, churn_positions, ...
"""
from __future__ import annotations

import importlib.resources
import re
from functools import cache
from pathlib import Path

from ..errors import SourceError

__all__ = ["query", "statements", "names", "cypher_dir"]

_SUFFIX = ".cypher"


@cache
def cypher_dir():
    """Where the ``.cypher`` files are: ``orgraph/cypher`` when installed, else the repo's ``cypher/``."""
    packaged = importlib.resources.files("orgraph").joinpath("cypher")
    if packaged.is_dir():
        return packaged
    source_tree = Path(__file__).resolve().parents[2] / "cypher"
    if source_tree.is_dir():
        return source_tree
    raise SourceError("the Cypher query files are missing from this orgraph installation (orgraph/cypher)")


@cache
def names() -> tuple[str, ...]:
    """Names of all query files, sorted (without the ``.cypher`` suffix)."""
    return tuple(sorted(p.name[: -len(_SUFFIX)] for p in cypher_dir().iterdir() if p.name.endswith(_SUFFIX)))


@cache
def query(name: str) -> str:
    """The text of ``cypher/<name>.cypher``."""
    if name not in names():
        known = names()
        listed = ", ".join(known[:2]) + (", ..." if len(known) > 2 else "")
        raise SourceError(f"no Cypher query named {name!r}; known: {listed}")
    return cypher_dir().joinpath(name + _SUFFIX).read_text(encoding="utf-8")


@cache
def statements(name: str) -> tuple[str, ...]:
    """The statements of a multi-statement file (split on ``;`` at line ends), comments dropped."""
    body = "\n".join(line for line in query(name).splitlines() if not line.lstrip().startswith("//"))
    return tuple(s.strip() for s in re.split(r";[ \t]*(?:\n|$)", body) if s.strip())
