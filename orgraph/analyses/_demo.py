"""A tiny hand-made org used by the doctests of the analyses (not part of the API).

Two years, 2020-01-01 .. 2021-12-31. Supervisor S1 leaves on 2020-12-31; three
of the four clinicians S1 supervised (C1, C2, C3) leave 10, 40 and 90 days
later; C4 stays. S2 supervises C5..C8 throughout and takes over S1's team.
Seat CL1 turns over three times (C1, then C9, then C10).
"""
from __future__ import annotations

import datetime as dt

from ..graph import OrgGraph
from ..model import Assignment, OrgData, Position, Program, Staff, Supervision

__all__ = ["demo_org"]


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
