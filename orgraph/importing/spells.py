"""Job spells: one row per person per job spell, with a start and an end date.

This is how data warehouses and many HR systems keep job history (Oracle's
``job_history``, AdventureWorks' ``EmployeeDepartmentHistory``): each row says
that a person held a job (department, title, optionally a position id and a
manager) from ``start_date`` to ``end_date`` (inclusive; empty = still current).

Each person's spells are taken in start-date order (file order on ties):

* **Contiguous** spells (the next starts the day after the previous ends) are
  one employment: a change of job is a transfer, a change of manager a new
  reporting line.
* An **overlap** (the next starts on or before the previous one's end) cuts the
  earlier spell to end the day before the later one starts; each cut is a
  warning naming both lines. Two spells starting on the same day cannot both
  hold: the later line is rejected (``overlapping-spell``) unless it repeats
  the earlier one exactly (merged, ``duplicate-row``).
* A **gap** (days with no spell) ends the employment on the last day of the
  spell before it and starts a new one, as a rehire: the bundle holds one
  employment spell per staff record, so the new one is staff record
  ``<id>-2`` (``-3``, ...), as for job histories. Each gap is a warning with
  the file and lines on both sides, and the exit before it gets the
  termination type of the spell's termination columns, else the default
  (``other``), with the reason ``"gap in the job spells"``.
* The **last** spell, when open, is current employment; when closed, the
  person left on its end date, with the termination columns of that row (a
  ``termination_date`` on a spell ends it on that day).

A roster of the same people (Oracle's ``employees`` beside ``job_history``)
can be combined with the spells (:func:`read_job_spells` ``roster=``): the
roster gives each person's name, hire and termination dates, pay and *current*
job and manager. The current job starts the day after the person's last spell
ends, or on the roster's hire date when that is later (a gap: a rehire). When
the roster's hire date is earlier than the first spell, the first spell is
taken back to the hire date (a warning: the job before the first spell is not
in the data); a hire date inside the spells is reported and the spells' dates
are used.

Rejection rules: ``blank-row``, ``malformed-row``, ``missing-staff-id``,
``missing-start-date``, ``bad-date``, ``implausible-date`` (a year before 1900
or after 2100 that is not a "no end" placeholder such as 9999-12-31),
``end-before-start``, ``overlapping-spell``. Merged: ``duplicate-row``.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

from ..schema import MAX_YEAR, MIN_YEAR
from .build import AStint, SStint
from .mapping import Mapping
from .rows import Fields, Ledger, Person, RowError
from .source import SourceTable

__all__ = ["read_job_spells", "Spell"]

ONE_DAY = dt.timedelta(days=1)
GAP_REASON = "gap in the job spells"


@dataclass
class Spell:
    """One job spell of one person: ``start`` to ``end`` (inclusive, ``None`` = current)."""

    start: dt.date
    end: dt.date | None
    program: str
    title: str
    position: str
    manager: tuple | None      # ("id" | "name", reference, name) or None
    line: int
    row: list | None = None    # the source row (None for a roster's current job)
    where: str = ""            # "file:line" for messages


def _manager(row: list, f: Fields) -> tuple | None:
    mid, mname = f.text(row, "manager_id"), f.text(row, "manager_name")
    if mid:
        return ("id", mid, mname)
    if mname:
        return ("name", mname, mname)
    return None


def _parse(table: SourceTable, mapping: Mapping, f: Fields, ledger: Ledger, name: str) -> dict[str, list[Spell]]:
    by_person: dict[str, list[Spell]] = defaultdict(list)
    seen: dict[tuple, int] = {}
    for row, line in zip(table.rows, table.lines):
        try:
            sid = f.required(row, "staff_id")
            start = f.required(row, "start_date", date=True)
            end = f.date(row, "end_date")
            term = f.date(row, "termination_date")
            _plausible(row, f, start=start, end_date=end, termination_date=term)
            if term is not None and term != end:
                if end is not None:
                    ledger.warn(f"{name}:{line}: staff {sid}'s spell ends on {end.isoformat()} but its termination "
                                f"date is {term.isoformat()}; the termination date is used")
                end = term
            if end is not None and end < start:
                raise RowError("end-before-start",
                               f"the spell ends on {end.isoformat()}, before it starts on {start.isoformat()}")
        except RowError as exc:
            ledger.rejected(line, exc.rule, str(exc), f.raw(row))
            continue
        key = (sid, *(str(x).strip() for x in row))
        if key in seen:
            ledger.merged(line, "duplicate-row", f"same values as line {seen[key]}")
            continue
        seen[key] = line
        title = f.title(row) or mapping.defaults["title"]
        program = f.program(row) or f.default_program()
        by_person[sid].append(Spell(start, end, program, title, f.text(row, "position_id"), _manager(row, f), line,
                                    row, f"{name}:{line}"))
    return by_person


def _plausible(row: list, f: Fields, **dates) -> None:
    """Reject a row whose date lies outside MIN_YEAR to MAX_YEAR (a slip or a placeholder: one such date would
    stretch the whole org's time line); "no end" placeholders (year OPEN_END_YEAR on) are already ``None``."""
    for fld, d in dates.items():
        if d is not None and not MIN_YEAR <= d.year <= MAX_YEAR:
            fld = "start_date" if fld == "start" else fld
            raise RowError("implausible-date", f"{fld} ({f.m.columns[fld]}): {f.text(row, fld)!r} is outside the "
                                               f"plausible range {MIN_YEAR}-{MAX_YEAR}")


def _order(sid: str, spells: list[Spell], f: Fields, ledger: Ledger) -> list[Spell]:
    """Sort, reject same-day starts, cut overlaps (each reported)."""
    spells.sort(key=lambda s: (s.start, s.line))
    kept: list[Spell] = []
    for s in spells:
        if kept and kept[-1].start == s.start:
            prev = kept[-1]
            ledger.rejected(s.line, "overlapping-spell",
                            f"staff {sid}: starts on {s.start.isoformat()}, the same day as the spell on line "
                            f"{prev.line}; one person holds one spell at a time", f.raw(s.row))
            continue
        if kept and (kept[-1].end is None or kept[-1].end >= s.start):
            prev = kept[-1]
            was = prev.end.isoformat() if prev.end else "open"
            prev.end = s.start - ONE_DAY
            ledger.warn(f"{prev.where}: staff {sid}'s spell ({prev.start.isoformat()} to {was}) overlaps the spell "
                        f"on line {s.line} (from {s.start.isoformat()}); it is taken to end on {prev.end.isoformat()}")
        kept.append(s)
        ledger.imported(s.line)
    return kept


def _with_roster(sid: str, spells: list[Spell], person: Person, stint: AStint, sup: SStint | None,
                 ledger: Ledger, rname: str) -> tuple[list[Spell], bool]:
    """Add the roster's current job after the spells; returns the spells and whether the roster's
    termination applies to the last one."""
    rwhere = f"{rname}:{person.line}"
    mgr = (sup.ref_kind, sup.ref, sup.ref_name) if sup is not None else None
    first, last = spells[0], spells[-1]
    if person.hire < first.start:
        ledger.warn(f"{rwhere}: staff {sid} was hired on {person.hire.isoformat()} but the first job spell "
                    f"({first.where}) starts on {first.start.isoformat()}; the job before it is not in the data, "
                    "so the first spell is taken back to the hire date")
        first.start = person.hire
    elif last.end is not None and first.start < person.hire <= last.end and all(
            s.start != person.hire for s in spells):
        ledger.warn(f"{rwhere}: staff {sid}'s hire date {person.hire.isoformat()} falls inside the job spells "
                    f"({first.start.isoformat()} to {last.end.isoformat()}); the spells' dates are used")
    if last.end is None:
        if (last.program, last.title) != (stint.program_id, stint.title):
            ledger.warn(f"{rwhere}: staff {sid}'s current job in the roster ({stint.title}, {stint.program_id}) "
                        f"differs from the open spell on {last.where} ({last.title}, {last.program}); the spell "
                        "is used")
        if last.manager is None and mgr is not None:
            last.manager = mgr
        return spells, True
    start = last.end + ONE_DAY
    if person.hire > start:
        start = person.hire
    if person.term is not None and person.term < start:
        ledger.warn(f"{rwhere}: staff {sid} left on {person.term.isoformat()}, before the day after their last job "
                    f"spell ({start.isoformat()}); the roster's current job is not used")
        return spells, False
    cur = Spell(start, person.term, stint.program_id, stint.title, stint.position_id, mgr, person.line, None, rwhere)
    return [*spells, cur], True


def _employments(spells: list[Spell]) -> list[list[Spell]]:
    out: list[list[Spell]] = [[spells[0]]]
    for s in spells[1:]:
        prev = out[-1][-1]
        if prev.end is not None and s.start > prev.end + ONE_DAY:
            out.append([s])
        else:
            out[-1].append(s)
    return out


def read_job_spells(table: SourceTable, mapping: Mapping, fields: Fields, ledger: Ledger, *, roster=None,
                    name: str = "spells"):
    """People (one per employment), job stints and reporting lines of a job-spell export.

    Parameters
    ----------
    table, mapping, fields, ledger
        The spells export, its mapping, field access and the ledger its rows are recorded in.
    roster : tuple, optional
        ``(people, stints, sups, file name)`` from :func:`~.roster.read_roster` on a roster of the same
        people: their names, hire and termination dates and current jobs (see the module notes).
    name : str
        The spells file's name, used in messages (``"job_history.csv:4"``).

    Returns
    -------
    tuple
        ``(people, stints, sups)`` as :func:`~.jobhistory.read_job_history` returns them.

    Examples
    --------
    >>> from orgraph.importing.source import SourceTable
    >>> t = SourceTable(["id", "from", "to", "dept", "title"], [
    ...     ["1", "2019-01-01", "2019-12-31", "OP", "Therapist"],
    ...     ["1", "2020-01-01", "", "IOP", "Therapist"],
    ...     ["2", "2019-01-01", "2019-06-30", "OP", "Therapist"],
    ...     ["2", "2020-01-01", "", "OP", "Therapist"]], [2, 3, 4, 5])
    >>> m = Mapping.from_dict({"kind": "job_spells", "date_format": "%Y-%m-%d", "columns": {
    ...     "staff_id": "id", "start_date": "from", "end_date": "to", "department": "dept", "title": "title"}})
    >>> lg = Ledger()
    >>> people, stints, _ = read_job_spells(t, m, Fields(t, m, lg), lg)
    >>> sorted((p.staff_id, str(p.hire), str(p.term)) for p in people.values())
    [('1', '2019-01-01', 'None'), ('2', '2019-01-01', '2019-06-30'), ('2-2', '2020-01-01', 'None')]
    >>> [(s.staff_id, s.program_id, str(s.start)) for s in stints if s.staff_id == "1"]
    [('1', 'op', '2019-01-01'), ('1', 'iop', '2020-01-01')]
    """
    f = fields
    by_person = _parse(table, mapping, f, ledger, name)
    r_people, r_stints, r_sups, rname = roster if roster is not None else ({}, [], [], "roster")
    r_stint = {s.staff_id: s for s in r_stints}
    r_sup = {s.staff_id: s for s in r_sups}
    people: dict[str, Person] = {}
    stints: list[AStint] = []
    sups: list[SStint] = []
    has_mgr = f.has("manager_id") or f.has("manager_name") or bool(r_sups)
    for sid, raw in by_person.items():
        spells = _order(sid, raw, f, ledger)
        if not spells:
            continue
        rp = r_people.get(sid)
        roster_term = False
        if rp is not None:
            spells, roster_term = _with_roster(sid, spells, rp, r_stint[sid], r_sup.get(sid), ledger, rname)
        jobs = _employments(spells)
        for k, emp in enumerate(jobs, start=1):
            pid = sid if k == 1 else f"{sid}-{k}"
            last = emp[-1]
            if rp is not None:
                p = replace(rp, staff_id=pid, hire=emp[0].start, term=None, term_type=None, term_reason=None,
                            line=emp[0].line)
            else:
                p = Person(staff_id=pid, name=sid, index_name="", hire=emp[0].start, base_id=sid, line=emp[0].line,
                           discipline=mapping.defaults["discipline"])
                _details(p, emp, f)
            p.base_id = sid
            if last.end is not None:
                p.term = last.end
                final = k == len(jobs)
                if final and roster_term and rp is not None and rp.term is not None:
                    p.term_type, p.term_reason = rp.term_type, rp.term_reason
                elif last.row is not None and (f.text(last.row, "termination_type")
                                               or f.text(last.row, "termination_reason") or final):
                    p.term_type, p.term_reason = f.termination(last.row)
                else:
                    p.term_type, p.term_reason = mapping.defaults["termination_type"], GAP_REASON
            if k > 1:
                before = jobs[k - 2][-1]
                ledger.warn(f"{before.where}: staff {sid} has no job spell from {(before.end + ONE_DAY).isoformat()} "
                            f"to {(emp[0].start - ONE_DAY).isoformat()} (next: {emp[0].where}); taken as an exit "
                            f"and a rehire, staff record {pid}")
                ledger.notes.append(f"staff {sid} was rehired on {emp[0].start.isoformat()} after a gap in the job "
                                    f"spells; the new employment is staff record {pid}")
            people[pid] = p
            _stints(p, emp, stints, sups, ledger, has_mgr)
    for sid, rp in r_people.items():
        if sid not in by_person or sid not in people:
            people[sid] = rp
            stints.append(r_stint[sid])
            if sid in r_sup:
                sups.append(r_sup[sid])
    return people, stints, sups


def _details(p: Person, emp: list[Spell], f: Fields) -> None:
    """Name, discipline, pay and licence from the spell rows (later rows win)."""
    for s in emp:
        row = s.row
        name, index_name = f.name(row)
        if name:
            p.name, p.index_name = name, index_name
        if f.has("discipline") and f.text(row, "discipline") or not f.has("discipline"):
            p.discipline = f.discipline(row, s.title)
        for fld, attr in (("fte", "fte"), ("annual_salary", "salary")):
            v = f.number(row, fld, s.line)
            if v is not None:
                setattr(p, attr, v)
        lic = f.text(row, "license")
        if lic:
            p.license = lic


def _stints(p: Person, emp: list[Spell], stints: list, sups: list, ledger: Ledger, has_mgr: bool) -> None:
    prev_a = prev_s = None
    missing = False
    for s in emp:
        key = (s.program, s.title, s.position)
        if prev_a is not None and prev_a[0] == key:
            prev_a[1].end = s.end
        else:
            a = AStint(p.staff_id, s.program, s.title, s.position, s.start, s.end, s.line)
            stints.append(a)
            prev_a = (key, a)
        if s.manager is None:
            prev_s = None
            if has_mgr and not missing:
                ledger.manager_case("missing", lambda: {"line": s.line, "staff_id": p.staff_id, "name": p.name})
                missing = True
            continue
        if prev_s is not None and prev_s[0] == s.manager:
            prev_s[1].end = s.end
        else:
            sup = SStint(p.staff_id, s.manager[0], s.manager[1], s.manager[2], s.start, s.end, s.line)
            sups.append(sup)
            prev_s = (s.manager, sup)
