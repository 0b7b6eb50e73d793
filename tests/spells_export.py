"""A spell-style job history written from a synthetic bundle, as an HRIS or data warehouse exports it.

For the round trip through real-export shapes (tests/test_roundtrip.py). A warehouse keeps one row per person
per job spell and starts a new row whenever anything on it changes: the seat (position number, and with it
the title and department) or the manager. So each person's days from hire to exit are cut wherever their
``assignments.csv`` seat or their ``supervision.csv`` supervisor changes, and each piece with one seat and one
supervisor (or none: the days a synthetic clinician has nobody above them) is one row. Start and end dates are
inclusive, the end is empty while the spell is current (or, with ``open_end``, a far-future placeholder such
as ``9999-12-31``), and the last spell of someone who left carries the termination date, type (as a warehouse
label: ``Voluntary``, ``Involuntary``, ...) and reason. Name, discipline, FTE, salary and licence repeat on
every row, as warehouse dimensions do. Rows are written in a shuffled order: an export is not sorted the way
orgraph needs.

:func:`write_spells` returns the export's path and the mapping (a dict, the TOML a user would write) that
reads it back.
"""
from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import numpy as np

HEADER = ["EMPLOYEE_ID", "EMPLOYEE_NAME", "SPELL_START", "SPELL_END", "DEPARTMENT", "DEPT_CODE", "JOB_TITLE",
          "POSITION_NUMBER", "MANAGER_ID", "DISCIPLINE", "FTE", "ANNUAL_SALARY", "LICENSE", "TERMINATION_DATE",
          "TERMINATION_TYPE", "TERMINATION_REASON"]
#: The warehouse labels of orgraph's termination types.
TERMINATION_LABELS = {"voluntary": "Voluntary Resignation", "involuntary": "Involuntary Termination",
                      "retirement": "Retirement", "other": "Other Separation"}
ONE_DAY = dt.timedelta(days=1)


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _pieces(hire: dt.date, term: dt.date | None, seats: list, managers: list) -> list[tuple]:
    """``(start, end, seat, manager)`` pieces of one employment, cut wherever the seat or the manager changes.

    ``seats`` and ``managers`` are ``(start, end, value)`` intervals (inclusive, ``None`` = open). Touching
    pieces with the same seat and manager are one piece.
    """
    cuts = {hire}
    for start, end, _ in (*seats, *managers):
        cuts.add(start)
        if end is not None:
            cuts.add(end + ONE_DAY)
    cuts = sorted(c for c in cuts if c >= hire and (term is None or c <= term))

    def holder(intervals, day):
        found = [v for s, e, v in intervals if s <= day and (e is None or day <= e)]
        if len(found) > 1:
            raise ValueError(f"two values at once on {day}: {found}")
        return found[0] if found else ""

    out: list[list] = []
    for k, start in enumerate(cuts):
        end = cuts[k + 1] - ONE_DAY if k + 1 < len(cuts) else term
        seat, mgr = holder(seats, start), holder(managers, start)
        if out and (out[-1][2], out[-1][3]) == (seat, mgr):
            out[-1][1] = end
        else:
            out.append([start, end, seat, mgr])
    return [tuple(p) for p in out]


def write_spells(bundle: Path, path: Path, *, seed: int = 1, date_format: str = "%Y-%m-%d",
                 open_end: str = "") -> tuple[Path, dict]:
    """Write ``bundle``'s staff, assignments and supervision as one row per job spell; returns the path and
    the mapping that imports it (``kind = "job_spells"``, position numbers as seats)."""
    rng = np.random.default_rng(seed)
    staff = _rows(bundle / "staff.csv")
    programs = {p["program_id"]: p for p in _rows(bundle / "programs.csv")}
    positions = {p["position_id"]: p for p in _rows(bundle / "positions.csv")}
    seats, managers = defaultdict(list), defaultdict(list)
    for a in _rows(bundle / "assignments.csv"):
        seats[a["staff_id"]].append((_day(a["start_date"]), _day(a["end_date"]), a["position_id"]))
    for s in _rows(bundle / "supervision.csv"):
        managers[s["staff_id"]].append((_day(s["start_date"]), _day(s["end_date"]), s["supervisor_id"]))
    fmt = lambda d: d.strftime(date_format) if d is not None else open_end  # noqa: E731
    out = []
    for p in staff:
        hire, term = _day(p["hire_date"]), _day(p["termination_date"])
        pieces = _pieces(hire, term, seats[p["staff_id"]], managers[p["staff_id"]])
        for k, (start, end, seat, mgr) in enumerate(pieces):
            pos = positions.get(seat, {})
            prog = programs.get(pos.get("program_id", ""), {})
            last = k == len(pieces) - 1 and term is not None
            out.append([p["staff_id"], p["name"], fmt(start), fmt(end), prog.get("name", ""),
                        pos.get("program_id", ""), pos.get("title", ""), seat, mgr, p["discipline"], p["fte"],
                        p["annual_salary"], p["license"], fmt(term) if last else "",
                        TERMINATION_LABELS[p["termination_type"]] if last else "",
                        p["termination_reason"] if last else ""])
    order = rng.permutation(len(out))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(out[i] for i in order)
    role_kind = {p["title"]: p["role_kind"] for p in positions.values()}
    mapping = {
        "kind": "job_spells", "date_format": date_format,
        "columns": {"staff_id": "EMPLOYEE_ID", "name": "EMPLOYEE_NAME", "start_date": "SPELL_START",
                    "end_date": "SPELL_END", "department": "DEPARTMENT", "program_id": "DEPT_CODE",
                    "title": "JOB_TITLE", "position_id": "POSITION_NUMBER", "manager_id": "MANAGER_ID",
                    "discipline": "DISCIPLINE", "fte": "FTE", "annual_salary": "ANNUAL_SALARY",
                    "license": "LICENSE", "termination_date": "TERMINATION_DATE",
                    "termination_type": "TERMINATION_TYPE", "termination_reason": "TERMINATION_REASON"},
        "maps": {"termination_type": {v: k for k, v in TERMINATION_LABELS.items()},
                 "role_kind": role_kind,
                 "service_line": {pid: p["service_line"] for pid, p in programs.items()}},
    }
    return path, mapping


def mapping_toml(mapping: dict) -> str:
    """The mapping as the TOML file a user would write (tables of strings, whole numbers and booleans)."""
    def q(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"{k} = {q(v)}" for k, v in mapping.items() if not isinstance(v, dict)]

    def table(name, d):
        flat = {k: v for k, v in d.items() if not isinstance(v, dict)}
        if flat:
            lines.extend(["", f"[{name}]", *(f"{q(k)} = {q(v)}" for k, v in flat.items())])
        for k, v in d.items():
            if isinstance(v, dict):
                table(f"{name}.{k}", v)

    for k, v in mapping.items():
        if isinstance(v, dict):
            table(k, v)
    return "\n".join(lines) + "\n"
