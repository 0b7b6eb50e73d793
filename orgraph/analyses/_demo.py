"""A tiny hand-made org used by the doctests of the analyses (not part of the API).

Two years, 2020-01-01 .. 2021-12-31. Supervisor S1 leaves on 2020-12-31; three
of the four clinicians S1 supervised (C1, C2, C3) leave 10, 40 and 90 days
later; C4 stays. S2 supervises C5..C8 throughout and takes over S1's team.
Seat CL1 turns over three times (C1, then C9, then C10).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..config import Config
from ..graph import OrgGraph
from ..model import Assignment, OrgData, Position, Program, Staff, Supervision

__all__ = ["demo_org", "example_org"]


def demo_org() -> OrgGraph:
    d = dt.date
    staff, assign, sup = {}, [], []

    def person(sid, seat, hire, term=None, kind="clinician"):
        staff[sid] = Staff(sid, sid, "LCSW", hire, term, "voluntary" if term else None)
        assign.append(Assignment(sid, seat, hire, term))

    person("S1", "SUP1", d(2020, 1, 1), d(2020, 12, 31))
    person("S2", "SUP2", d(2020, 1, 1))
    exits = {"C1": d(2021, 1, 10), "C2": d(2021, 2, 9), "C3": d(2021, 3, 31), "C4": None}
    for i, (cid, term) in enumerate(exits.items(), start=1):
        person(cid, f"CL{i}", d(2020, 1, 1), term)
        sup.append(Supervision(cid, "S1", d(2020, 1, 1), d(2020, 12, 31)))
        if term is None or term > d(2020, 12, 31):
            sup.append(Supervision(cid, "S2", d(2021, 1, 1), term))
    for i in range(5, 9):
        person(f"C{i}", f"CL{i}", d(2020, 1, 1), d(2021, 6, 30) if i == 5 else None)
        sup.append(Supervision(f"C{i}", "S2", d(2020, 1, 1), d(2021, 6, 30) if i == 5 else None))
    person("C9", "CL1", d(2021, 2, 1), d(2021, 5, 31))
    sup.append(Supervision("C9", "S2", d(2021, 2, 1), d(2021, 5, 31)))
    person("C10", "CL1", d(2021, 7, 1))
    sup.append(Supervision("C10", "S2", d(2021, 7, 1), None))
    positions = {"SUP1": Position("SUP1", "Clinical Supervisor", "OP", "supervisor"),
                 "SUP2": Position("SUP2", "Clinical Supervisor", "OP", "supervisor")}
    for i in range(1, 9):
        positions[f"CL{i}"] = Position(f"CL{i}", "Therapist", "OP", "clinician")
    data = OrgData(staff=staff, programs={"OP": Program("OP", "Outpatient", "outpatient")},
                   positions=positions, assignments=assign, supervision=sup)
    return OrgGraph(data, data_end=d(2021, 12, 31))


def example_org() -> OrgGraph:
    """A five-person org used in the doctests of the caseload-family analyses.

    Program A: supervisor S1 (leaves 2022-03-15) over clinicians C1, C2, C3; C1
    carries 40 clients a month (the others 20) and leaves 2022-05-20. Program B:
    clinician C4 (10 clients). Caseload and documentation cover January to
    April 2022; C1 documents 12 hours per 10 session hours, everyone else 5.
    Data end 2022-06-30; a complete history (``[data] start`` = 2021-01-01: exits
    are observable from the first day).

    Examples
    --------
    >>> org = example_org()
    >>> org.data_end.isoformat(), len(org.data.staff)
    ('2022-06-30', 5)
    """
    d = dt.date
    staff = {
        "S1": Staff("S1", "Sam", "LCSW", d(2021, 1, 1), d(2022, 3, 15), "voluntary"),
        "C1": Staff("C1", "Cy", "LPC", d(2021, 1, 1), d(2022, 5, 20), "voluntary"),
        "C2": Staff("C2", "Di", "LPC", d(2021, 1, 1)),
        "C3": Staff("C3", "Ed", "LPC", d(2021, 1, 1)),
        "C4": Staff("C4", "Flo", "LPC", d(2021, 1, 1)),
    }
    programs = {"A": Program("A", "Outpatient", "outpatient"), "B": Program("B", "Crisis", "crisis")}
    positions = {"PS": Position("PS", "Supervisor", "A", "supervisor")}
    for i, prog in ((1, "A"), (2, "A"), (3, "A"), (4, "B")):
        positions[f"P{i}"] = Position(f"P{i}", "Therapist", prog, "clinician")
    assignments = [Assignment("S1", "PS", d(2021, 1, 1), d(2022, 3, 15))]
    assignments += [Assignment(f"C{i}", f"P{i}", d(2021, 1, 1), staff[f"C{i}"].termination_date) for i in range(1, 5)]
    supervision = [Supervision(f"C{i}", "S1", d(2021, 1, 1), d(2022, 3, 15) if i > 1 else d(2022, 3, 15))
                   for i in range(1, 4)]
    months = pd.to_datetime(["2022-01-01", "2022-02-01", "2022-03-01", "2022-04-01"])
    load = {"C1": 40, "C2": 20, "C3": 20, "C4": 10}
    caseload = pd.DataFrame([(s, m, n) for m in months for s, n in load.items()],
                            columns=["staff_id", "month", "active_clients"])
    documentation = pd.DataFrame([(s, m, 10.0, 12.0 if s == "C1" else 5.0) for m in months for s in load],
                                 columns=["staff_id", "month", "session_hours", "documentation_hours"])
    clients = pd.DataFrame({
        "client_id": ["K1", "K2", "K3", "K4"], "staff_id": ["C1", "C1", "C1", "C2"],
        "start_date": pd.to_datetime(["2022-01-10", "2022-02-01", "2022-04-01", "2022-01-05"]),
        "end_date": pd.to_datetime([None, "2022-03-01", "2022-05-20", None]),
    })
    data = OrgData(staff=staff, programs=programs, positions=positions, assignments=assignments,
                   supervision=supervision, caseload=caseload, documentation=documentation,
                   client_assignments=clients, present={"caseload", "documentation", "client_assignments"},
                   config=Config.from_mapping({"data": {"start": "2021-01-01"}}, "example"))
    return OrgGraph(data, data_end=d(2022, 6, 30))
