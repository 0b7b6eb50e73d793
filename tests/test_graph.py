"""The temporal graph: half-open intervals, as-of helpers and snapshots, tested at the boundaries."""
from __future__ import annotations

import datetime as dt

import networkx as nx
import pandas as pd

from bundles import add_rows
from orgraph import load

D = dt.date


def test_person_whose_end_date_is_d_is_active_on_d_not_d_plus_1(bundle):
    org = load(bundle())
    assert org.is_employed("S2", D(2021, 6, 30))
    assert not org.is_employed("S2", D(2021, 7, 1))
    assert "S2" in org.active_staff(D(2021, 6, 30)) and "S2" not in org.active_staff(D(2021, 7, 1))
    assert org.supervisees("S1", D(2021, 6, 30)) == ["S2", "S3"]
    assert org.supervisees("S1", D(2021, 7, 1)) == ["S3"]
    assert org.holders("P2", D(2021, 6, 30)) == ["S2"] and org.holders("P2", D(2021, 7, 1)) == []


def test_start_day_is_included_and_day_before_is_not(bundle):
    org = load(bundle())
    assert org.supervisors_of("S3", D(2020, 2, 29)) == []
    assert org.supervisors_of("S3", D(2020, 3, 1)) == ["S1"]
    assert org.tenure_days("S3", D(2020, 3, 1)) == 0
    assert org.tenure_days("S3", D(2021, 3, 1)) == 365
    assert org.tenure_days("S3", D(2020, 2, 1)) is None


def test_positions_programs_and_role_kind(bundle):
    org = load(bundle())
    assert org.positions_of("S1", D(2021, 1, 1)) == ["P1"]
    assert org.programs_of("S1", D(2021, 1, 1)) == ["OP"]
    assert org.role_kind_of("S1") == "supervisor" and org.role_kind_of("S3", D(2021, 1, 1)) == "clinician"


def test_transfer_between_seats(bundle):
    asg = add_rows("assignments.csv", "S2,P3,2099-01-01,").replace("S2,P2,2020-02-01,2021-06-30",
                                                                    "S2,P2,2020-02-01,2020-09-30\nS2,P4,2020-10-01,2021-06-30")
    # P4 is the director seat held by S4: give S2 a job share on it by raising capacity
    pos = ("position_id,title,program_id,role_kind,capacity\nP1,Clinical Supervisor,OP,supervisor,1\n"
           "P2,Therapist,OP,clinician,1\nP3,Therapist,OP,clinician,1\nP4,Director,OP,director,2\n")
    org = load(bundle(assignments_csv=asg.replace("S2,P3,2099-01-01,\n", ""), positions_csv=pos))
    assert org.positions_of("S2", D(2020, 9, 30)) == ["P2"]
    assert org.positions_of("S2", D(2020, 10, 1)) == ["P4"]
    assert org.staff_frame.loc["S2", "position_id"] == "P4"


def test_snapshot_is_a_plain_digraph_of_what_held(bundle):
    org = load(bundle())
    H = org.snapshot("2021-07-01")
    assert type(H) is nx.DiGraph
    staff = sorted(n for n, a in H.nodes(data=True) if a["kind"] == "staff")
    assert staff == ["staff:S1", "staff:S3", "staff:S4"]
    kinds = sorted(a["kind"] for _, _, a in H.edges(data=True))
    assert kinds == ["HOLDS"] * 3 + ["IN_PROGRAM"] * 4 + ["SUPERVISED_BY"] * 2
    assert H.nodes["staff:S3"]["role_kind"] == "clinician" and H.nodes["staff:S3"]["program_id"] == "OP"
    assert H.nodes["position:P2"]["kind"] == "position"  # vacant seats stay in the snapshot
    assert H.in_degree("position:P2") == 0


def test_frames_are_half_open_and_censored(bundle):
    org = load(bundle())
    assert org.data_end == D(2021, 6, 30)
    sf = org.supervision_frame
    row = sf[(sf.staff_id == "S2")].iloc[0]
    assert row["end"] == pd.Timestamp("2021-07-01") and not row["open"]
    open_row = sf[(sf.staff_id == "S3")].iloc[0]
    assert open_row["end"] == org.censor == pd.Timestamp("2021-07-01") and open_row["open"]
    st = org.staff_frame
    assert bool(st.loc["S2", "exited"]) and not bool(st.loc["S1", "exited"])
    assert list(org.assignment_frame["start"]) == sorted(org.assignment_frame["start"])


def test_multidigraph_edges_carry_kind_and_dates(bundle):
    org = load(bundle())
    edges = [(u, v, a) for u, v, a in org.G.edges(data=True) if a["kind"] == "SUPERVISED_BY"]
    assert ("staff:S2", "staff:S1") in {(u, v) for u, v, _ in edges}
    a = next(a for u, v, a in edges if u == "staff:S2")
    assert a["start"] == D(2020, 2, 1) and a["end"] == D(2021, 7, 1)


def test_graph_is_built_only_when_asked_for(bundle):
    org = load(bundle())
    org.staff_frame, org.assignment_frame, org.supervision_frame  # frames come from the tables
    assert org.active_staff(D(2021, 7, 1)) == ["S1", "S3", "S4"]
    assert org.is_employed("S2", D(2021, 6, 30)) and not org.is_employed("S2", D(2021, 7, 1))
    assert not org.is_employed("S9", D(2021, 6, 30))
    assert "G" not in vars(org)
    assert org.supervisees("S1", D(2021, 6, 30)) == ["S2", "S3"]
    assert "G" in vars(org) and org.G.number_of_nodes() == 4 + 4 + 1


def test_tables_and_records_agree_and_records_are_built_on_first_use(bundle):
    data = load(bundle()).data
    t = data.table("assignments")
    assert list(t.columns) == ["staff_id", "position_id", "start", "end"]
    assert str(t["start"].dtype) == "datetime64[ns]" and t["end"].isna().sum() == 3
    assert data.count("assignments") == 4 and "assignments" not in data._records
    first = data.assignments[1]
    assert (first.staff_id, first.start, first.end) == ("S2", D(2020, 2, 1), D(2021, 6, 30))
    staff = data.staff["S3"]
    assert (staff.fte, staff.annual_salary, staff.external, staff.termination_date) == (0.8, None, False, None)


def test_changed_records_change_the_table_and_the_graph(bundle):
    import dataclasses

    from orgraph.graph import OrgGraph

    data = load(bundle()).data
    data.staff["S3"] = dataclasses.replace(data.staff["S3"], name="Renamed")
    assert data.table("staff").set_index("staff_id").at["S3", "name"] == "Renamed"
    assert OrgGraph(data).G.nodes["staff:S3"]["name"] == "Renamed"
