"""Exception types raised by orgraph.

Every error a user can cause is an :class:`OrgraphError`. The command line turns
these into one clear line on stderr and a non-zero exit code; it never shows a
traceback for them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from .plain import plural

__all__ = [
    "OrgraphError",
    "Issue",
    "BundleError",
    "ConfigError",
    "SourceError",
    "AnalysisError",
    "DependencyError",
    "ReleasedError",
]


class OrgraphError(Exception):
    """Base class for every error orgraph reports to a user."""


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in an input bundle.

    Parameters
    ----------
    severity : {"error", "warning"}
    file : str
        File name inside the bundle, for example ``"staff.csv"``.
    line : int or None
        Line number in the file as a text editor shows it (the header is line 1).
    column : str or None
        Column name.
    message : str
        What is wrong and what was expected.
    rule : str
        Short machine-readable name of the rule, for example ``"bad-date"``.

    Examples
    --------
    >>> str(Issue("error", "staff.csv", 4, "hire_date", "'2021-13-01' is not a date; expected YYYY-MM-DD", "bad-date"))
    "staff.csv:4 [hire_date] error: '2021-13-01' is not a date; expected YYYY-MM-DD"
    """

    severity: str
    file: str
    line: int | None
    column: str | None
    message: str
    rule: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f" [{self.column}]"
        return f"{where} {self.severity}: {self.message}"

    def as_dict(self) -> dict:
        return {
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "message": self.message,
        }


@dataclass
class BundleError(OrgraphError):
    """A bundle could not be loaded; ``issues`` lists every problem found."""

    issues: list[Issue] = field(default_factory=list)
    source: str = ""

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def __str__(self) -> str:
        n_e, n_w = len(self.errors), len(self.warnings)
        head = f"{self.source}: " if self.source else ""
        first = f"; first: {self.errors[0]}" if self.errors else ""
        return f"{head}{plural(n_e, 'error')}, {plural(n_w, 'warning')} in the bundle{first}"


class ConfigError(OrgraphError):
    """``orgraph.toml`` is malformed or names an unknown setting."""


class SourceError(OrgraphError):
    """A data source (folder, file or database) cannot be opened or read."""


class AnalysisError(OrgraphError):
    """An analysis cannot be run on this data (for example, a required file is missing)."""


class DependencyError(OrgraphError):
    """An optional dependency that a requested output needs is not installed (the message names the extra)."""


class ReleasedError(RuntimeError):
    """A bundle table was read after the audit let go of it to save memory (:meth:`orgraph.model.OrgData.release`).

    Not something a user can cause: the registry declares which analyses read each releasable table
    (:attr:`orgraph.registry.Analysis.tables`), and this error means a declaration is missing.
    """
