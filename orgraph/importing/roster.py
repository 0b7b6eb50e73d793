"""Rosters: one row per employee (hire and termination dates, department, title, manager).

Each row gives one staff record, one assignment from hire to termination (or
open) and, when a manager is named, one reporting line. A roster is a single
snapshot, so it knows only the *current or last* manager of each person. The
reporting line is dated from the later of the two hires to the earlier of the
two exits (open if neither left); when that span is empty (the employee left
before the manager was hired) no line is made and the case is reported. Blank
managers are reported as missing reporting lines, never filled in.

Rejection rules (``rejected.csv``): ``blank-row``, ``malformed-row``,
``missing-staff-id``, ``missing-hire-date``, ``bad-date``,
``termination-before-hire``, ``duplicate-staff-id`` (same id, different
values). A row identical to an earlier one is ``merged`` (``duplicate-row``).
"""
from __future__ import annotations

from .build import AStint, SStint
from .mapping import Mapping
from .rows import Fields, Ledger, Person, RowError
from .source import SourceTable

__all__ = ["read_roster"]


def _row_person(row: list, line: int, f: Fields) -> tuple[Person, AStint, SStint | None]:
    sid = f.required(row, "staff_id")
    hire = f.required(row, "hire_date", date=True)
    term = f.date(row, "termination_date")
    if term is not None and term < hire:
        raise RowError("termination-before-hire",
                       f"termination date {term.isoformat()} is before the hire date {hire.isoformat()}")
    name, index_name = f.name(row)
    title = f.title(row) or f.m.defaults["title"]
    person = Person(staff_id=sid, name=name or sid, index_name=index_name, hire=hire, term=term,
                    discipline=f.discipline(row, title), fte=f.number(row, "fte", line),
                    salary=f.number(row, "annual_salary", line), license=f.text(row, "license") or None,
                    line=line, base_id=sid)
    if term is not None:
        person.term_type, person.term_reason = f.termination(row)
    program = f.program(row) or f.default_program()
    stint = AStint(sid, program, title, f.text(row, "position_id"), hire, term, line)
    sup = None
    mid = f.text(row, "manager_id")
    mname = f.text(row, "manager_name")
    if mid:
        sup = SStint(sid, "id", mid, mname, hire, term, line)
    elif mname:
        sup = SStint(sid, "name", mname, mname, hire, term, line)
    return person, stint, sup


def read_roster(table: SourceTable, mapping: Mapping, fields: Fields, ledger: Ledger):
    """People, job stints and reporting lines of a roster; every row recorded in ``ledger``."""
    people: dict[str, Person] = {}
    stints: list[AStint] = []
    sups: list[SStint] = []
    first_row: dict[str, tuple[int, list]] = {}
    missing = 0
    for row, line in zip(table.rows, table.lines):
        try:
            person, stint, sup = _row_person(row, line, fields)
        except RowError as exc:
            ledger.rejected(line, exc.rule, str(exc), fields.raw(row))
            continue
        sid = person.staff_id
        if sid in first_row:
            first_line, first = first_row[sid]
            if [str(x).strip() for x in first] == [str(x).strip() for x in row]:
                ledger.merged(line, "duplicate-row", f"same values as line {first_line}")
            else:
                ledger.rejected(line, "duplicate-staff-id",
                                f"staff id {sid!r} is already on line {first_line} with different values; "
                                "a roster has one row per employee", fields.raw(row))
            continue
        first_row[sid] = (line, row)
        people[sid] = person
        stints.append(stint)
        if sup is not None:
            sups.append(sup)
        elif fields.has("manager_name") or fields.has("manager_id"):
            missing += 1
            ledger.manager_case("missing", lambda: {"line": line, "staff_id": sid, "name": person.name})
        ledger.imported(line)
    if fields.has("manager_name") or fields.has("manager_id"):
        ledger.notes.append(
            "A roster names only each person's current (or last) manager, so every reporting line is dated "
            "from the later of the two hire dates to the earlier of the two exits; earlier managers are unknown.")
    else:
        ledger.notes.append("The mapping names no manager column, so supervision.csv is empty.")
    return people, stints, sups
