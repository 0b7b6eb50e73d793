"""The one shape every analysis returns.

An analysis answers one question about an org and returns a :class:`Result`:
its registry ``name``, the ``as_of`` day it describes, the ``settings`` it used,
its main ``table`` (a list of records with documented columns), a one-line
plain ``summary`` and ``extras`` (named secondary tables and org-level numbers).
Everything downstream -- JSON, CSV and table output, findings, maps, packs and
the Neo4j differential tests -- reads this one shape.

Examples
--------
>>> r = Result("demo", "2024-06-30", {"window_days": 90}, [{"staff_id": "S1", "exits": 2}],
...            "One person.", {"by_program": [{"program_id": "OP", "exits": 2}], "org": {"ratio": 1.5}})
>>> r.rows(), r.rows("by_program")
([{'staff_id': 'S1', 'exits': 2}], [{'program_id': 'OP', 'exits': 2}])
>>> sorted(r.to_dict())
['as_of', 'extras', 'name', 'settings', 'summary', 'table', 'untested']
>>> r.frame().shape
(1, 2)
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from .plain import jsonable

__all__ = ["Result"]


@dataclass(frozen=True)
class Result:
    """What an analysis found.

    Parameters
    ----------
    name : str
        The analysis's name in :data:`orgraph.registry.ANALYSES` (``"cascades"``).
    as_of : str or None
        The last day analysed, ``YYYY-MM-DD``.
    settings : dict
        Every setting the analysis used, after defaults and overrides.
    table : list of dict
        The main table: one record per supervisor exit, seat, program, person...
        Its columns are documented in the analysis's docstring.
    summary : str
        One plain sentence about what the table shows (no claim of cause).
    extras : dict
        Named secondary tables (lists of records) and org-level numbers.
    untested : list of str
        What this data could not answer, one plain sentence each ("No supervisor left in the window, so ...").
        Said in the CLI, the memo and the pack; never dressed as a finding.
    """

    name: str
    as_of: str | None
    settings: dict
    table: list[dict]
    summary: str = ""
    extras: dict = field(default_factory=dict)
    untested: list[str] = field(default_factory=list)

    def rows(self, view: str | None = None) -> list[dict]:
        """The main table, or the secondary table ``view`` from :attr:`extras`.

        Raises
        ------
        KeyError
            If ``view`` names no table of this result.
        """
        if view is None or view == "table":
            return self.table
        value = self.extras.get(view)
        if not isinstance(value, list):
            raise KeyError(f"{self.name} has no table {view!r}; it has "
                           f"{', '.join(k for k, v in self.extras.items() if isinstance(v, list)) or 'none'}")
        return value

    def frame(self, view: str | None = None) -> pd.DataFrame:
        """A table as a pandas DataFrame (for notebooks)."""
        return pd.DataFrame([jsonable(r) for r in self.rows(view)])

    def to_dict(self) -> dict:
        """The result as JSON-ready plain data."""
        return jsonable({"name": self.name, "as_of": self.as_of, "settings": self.settings,
                         "summary": self.summary, "table": self.table, "extras": self.extras,
                         "untested": list(self.untested)})

    def with_table(self, table: list[dict]) -> "Result":
        """A copy with another main table (a filtered view, say)."""
        return replace(self, table=list(table))
