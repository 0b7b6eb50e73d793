"""The files of an org bundle: names, columns and value types.

This is the single description of the input format; ``docs/data-format.md``
explains it for people and the reader uses it to check files.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["FileSpec", "FILES", "REQUIRED_FILES", "OPTIONAL_FILES", "MIN_YEAR", "MAX_YEAR", "OPEN_END_YEAR"]

#: Dates outside these years are errors: they are typing slips or placeholders, and one of them would move the
#: data's end (and so every "as of") silently.
MIN_YEAR, MAX_YEAR = 1900, 2100
#: An end date in this year or later is the usual HR placeholder for "no end" (9999-12-31): read as empty.
OPEN_END_YEAR = 2900


@dataclass(frozen=True)
class FileSpec:
    """One bundle file.

    ``types`` maps each known column to ``str``, ``date``, ``month``, ``int``,
    ``float`` or ``bool``; ``required`` lists the columns that must be present;
    ``not_empty`` the columns that must have a value in every row.
    """

    name: str
    table: str
    required: tuple[str, ...]
    types: dict[str, str]
    not_empty: tuple[str, ...] = ()
    optional_file: bool = False
    key: tuple[str, ...] = field(default_factory=tuple)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


FILES: dict[str, FileSpec] = {
    "staff": FileSpec(
        "staff", "staff",
        required=("staff_id", "name", "discipline", "hire_date", "termination_date", "termination_type",
                  "termination_reason"),
        types={"staff_id": "str", "name": "str", "discipline": "str", "hire_date": "date",
               "termination_date": "date", "termination_type": "str", "termination_reason": "str",
               "fte": "float", "annual_salary": "float", "license": "str", "external": "bool"},
        not_empty=("staff_id", "hire_date"), key=("staff_id",)),
    "programs": FileSpec(
        "programs", "programs", required=("program_id", "name", "service_line"),
        types={"program_id": "str", "name": "str", "service_line": "str"},
        not_empty=("program_id",), key=("program_id",)),
    "positions": FileSpec(
        "positions", "positions", required=("position_id", "title", "program_id", "role_kind"),
        types={"position_id": "str", "title": "str", "program_id": "str", "role_kind": "str",
               "budgeted_caseload": "float", "capacity": "int", "inferred": "bool"},
        not_empty=("position_id", "program_id", "role_kind"), key=("position_id",)),
    "assignments": FileSpec(
        "assignments", "assignments", required=("staff_id", "position_id", "start_date", "end_date"),
        types={"staff_id": "str", "position_id": "str", "start_date": "date", "end_date": "date"},
        not_empty=("staff_id", "position_id", "start_date")),
    "supervision": FileSpec(
        "supervision", "supervision", required=("staff_id", "supervisor_id", "start_date", "end_date"),
        types={"staff_id": "str", "supervisor_id": "str", "start_date": "date", "end_date": "date"},
        not_empty=("staff_id", "supervisor_id", "start_date")),
    "caseload": FileSpec(
        "caseload", "caseload", required=("staff_id", "month", "active_clients"),
        types={"staff_id": "str", "month": "month", "active_clients": "int"},
        not_empty=("staff_id", "month", "active_clients"), optional_file=True, key=("staff_id", "month")),
    "documentation": FileSpec(
        "documentation", "documentation", required=("staff_id", "month", "session_hours", "documentation_hours"),
        types={"staff_id": "str", "month": "month", "session_hours": "float", "documentation_hours": "float"},
        not_empty=("staff_id", "month", "session_hours", "documentation_hours"), optional_file=True,
        key=("staff_id", "month")),
    "supervision_sessions": FileSpec(
        "supervision_sessions", "supervision_sessions", required=("supervisor_id", "staff_id", "date", "minutes"),
        types={"supervisor_id": "str", "staff_id": "str", "date": "date", "minutes": "float"},
        not_empty=("supervisor_id", "staff_id", "date", "minutes"), optional_file=True),
    "client_assignments": FileSpec(
        "client_assignments", "client_assignments", required=("client_id", "staff_id", "start_date", "end_date"),
        types={"client_id": "str", "staff_id": "str", "start_date": "date", "end_date": "date"},
        not_empty=("client_id", "staff_id", "start_date"), optional_file=True),
}

REQUIRED_FILES = tuple(n for n, f in FILES.items() if not f.optional_file)
OPTIONAL_FILES = tuple(n for n, f in FILES.items() if f.optional_file)
