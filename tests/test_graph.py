"""The temporal graph: half-open intervals, as-of helpers and snapshots, tested at the boundaries."""
from __future__ import annotations

import datetime as dt

import networkx as nx
import numpy as np
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


def _snapshot_from_multidigraph(org, day):
    """The snapshot as it was first written: filter the whole MultiDiGraph (the reference for on_day)."""
    def holds(a):
        return a["start"] <= day and (a.get("end") is None or day < a["end"])

    H = nx.DiGraph(as_of=day.isoformat())
    for n, a in org.G.nodes(data=True):
        if a["kind"] != "staff":
            H.add_node(n, **a)
        elif holds(a):
            H.add_node(n, **a, tenure_days=(day - a["start"]).days)
    for u, v, a in org.G.edges(data=True):
        if u in H and v in H and holds(a):
            H.add_edge(u, v, **a)
    for u, v, a in H.edges(data=True):
        if a["kind"] == "HOLDS":
            H.nodes[u].update(role_kind=H.nodes[v]["role_kind"], program_id=H.nodes[v]["program_id"],
                              position_id=H.nodes[v]["id"])
    return H


def _tangled(bundle):
    """Overlapping seats, a seat taken twice, a person's seats listed out of order, two rows for one
    supervision pair, supervisors who leave before their supervisees, a supervisor with no staff row's
    employment on the day, and S5 hired after everyone else."""
    pos = ("position_id,title,program_id,role_kind,capacity\nP1,Clinical Supervisor,OP,supervisor,2\n"
           "P2,Therapist,OP,clinician,2\nP3,Therapist,IOP,clinician,2\nP4,Director,OP,director,2\n"
           "P5,Peer,IOP,other,1\n")
    asg = add_rows("assignments.csv", "S3,P5,2020-06-01,2020-12-31", "S2,P3,2020-05-01,2020-08-31",
                   "S3,P2,2019-01-01,2019-06-30", "S2,P2,2020-09-01,2021-06-30", "S5,P4,2022-01-01,",
                   "S3,P3,2021-01-01,", "S5,P1,2022-03-01,2022-06-30")
    sup = add_rows("supervision.csv", "S3,S2,2020-06-01,2021-06-30", "S3,S1,2020-01-01,2020-02-28",
                   "S5,S1,2022-01-01,", "S3,S5,2022-02-01,", "S2,S4,2020-02-01,2020-02-01")
    staff = add_rows("staff.csv", "S5,Ed <b>&amp; Kim,LPC,2022-01-01,,,,0.5")
    programs = add_rows("programs.csv", "IOP,Intensive \"Outpatient\",iop")
    return load(bundle(positions_csv=pos, assignments_csv=asg, supervision_csv=sup, staff_csv=staff,
                       programs_csv=programs))


def test_on_day_gives_the_multidigraph_snapshot_node_for_node_and_edge_for_edge(bundle):
    org = _tangled(bundle)
    days = [D(2019, 12, 31), D(2020, 1, 1), D(2020, 2, 1), D(2020, 3, 1), D(2020, 6, 1), D(2020, 8, 31),
            D(2020, 9, 1), D(2020, 12, 31), D(2021, 1, 1), D(2021, 6, 30), D(2021, 7, 1), D(2022, 3, 1), D(2022, 7, 1)]
    for day in days:
        want = _snapshot_from_multidigraph(org, day)
        got = org.snapshot(day)
        assert got.graph == want.graph
        assert list(got.nodes(data=True)) == list(want.nodes(data=True)), day
        assert list(got.edges(data=True)) == list(want.edges(data=True)), day
    # on 2020-06-01 S3 holds P3 and P5 (the P3 row comes first in the file, so P3 is met first and P5 wins)
    H = org.snapshot(D(2020, 6, 1))
    assert H.nodes["staff:S3"]["position_id"] == "P5" and H.nodes["staff:S3"]["program_id"] == "IOP"
    assert [v for v in H.successors("staff:S3")] == ["position:P3", "position:P5", "staff:S1", "staff:S2"]


def test_on_day_is_computed_once_per_day_and_names_seats_and_spans(bundle):
    org = _tangled(bundle)
    snap = org.on_day("2020-06-01")
    assert org.on_day(D(2020, 6, 1)) is snap
    assert snap.programs().to_dict() == {"S1": "OP", "S2": "IOP", "S3": "IOP", "S4": "OP"}
    # direct supervisees that day: S1 has S2 and S3 (S3's second row from 2020-03-01), S4 has S1, S2 has S3
    assert snap.spans().to_dict() == {"S4": 1, "S1": 2, "S2": 1}
    assert "G" not in vars(org)


def test_holding_rows_keeps_each_pairs_last_holding_row_in_the_order_pairs_were_met():
    from orgraph.graph import holding_rows

    d = np.array(["2020-01-01", "2020-01-01", "2019-01-01", "2020-01-01", "2020-02-01", "2020-01-01"],
                 dtype="datetime64[D]")
    e = np.array(["NaT", "NaT", "NaT", "2019-12-31", "2020-06-01", "NaT"], dtype="datetime64[D]")
    u = np.array([1, 0, 1, 0, 1, 2])
    v = np.array([5, 6, 5, 7, 9, 1])
    keep = np.array([True, True, True, True, True, False])
    got = holding_rows(u, v, d, e, np.datetime64("2020-06-01"), keep).tolist()
    # by hand: u=0 has (0,6) row 1 (row 3 ended); u=1 has (1,5) rows 0 and 2 (last: 2, met at row 0) and
    # (1,9) row 4 (ends on the day itself, so it holds); u=2 is not kept
    assert got == [1, 2, 4]
    assert holding_rows(u, v, d, e, np.datetime64("2020-06-02"), keep).tolist() == [1, 2]
    assert holding_rows(u[:0], v[:0], d[:0], e[:0], np.datetime64("2020-06-02"), keep[:0]).tolist() == []


def test_by_id_is_what_the_records_hold_without_building_them():
    import pytest
    from conftest import RIVERBEND

    import orgraph

    if not (RIVERBEND / "staff.csv").exists():
        pytest.skip("examples/riverbend not generated yet")
    org = orgraph.load(str(RIVERBEND))
    cols = {"staff": ("name", "hire_date", "termination_date", "termination_type", "annual_salary", "external"),
            "positions": ("title", "role_kind", "budgeted_caseload"), "programs": ("name",)}
    got = {(t, c): org.by_id(t, c) for t, cs in cols.items() for c in cs}
    assert not org.data.__dict__.get("_records", {}).get("staff")
    assert any(v is None for v in got[("staff", "termination_date")].values())
    for (t, c), by in got.items():
        recs = getattr(org.data, t)
        want = {k: getattr(r, c) for k, r in recs.items()}
        assert list(by) == list(want) and repr(by) == repr(want), (t, c)


def test_loading_leaves_no_row_number_array_cached_on_the_big_tables(synth_org):
    folder, _, _ = synth_org()
    org = load(folder)
    data = org.data
    for name in ("caseload", "documentation", "supervision_sessions", "client_assignments"):
        frame = getattr(data, name)
        assert len(frame), name
        # a filtered copy (.dropna(), frame[mask]) makes pandas keep np.arange(len) on the index
        assert "_data" not in getattr(frame.index, "_cache", {}), name
    ends = data.client_assignments["end_date"]
    expected = max(data.client_assignments["start_date"].max(), ends[ends.notna()].max(),
                   (data.caseload["month"].max() + pd.offsets.MonthEnd(0)),
                   (data.documentation["month"].max() + pd.offsets.MonthEnd(0)),
                   data.supervision_sessions["date"].max(),
                   data.table("staff")["termination_date"].fillna(data.table("staff")["hire_date"]).max(),
                   *(t["end"].fillna(t["start"]).max() for t in (data.table("assignments"),
                                                                   data.table("supervision"))))
    assert org.data_end == expected.date()


def test_data_end_ignores_client_assignments_that_never_ended(synth_org, tmp_path):
    import shutil
    folder, _, _ = synth_org()
    copy = tmp_path / "org"
    shutil.copytree(folder, copy)
    path = copy / "client_assignments.csv"
    ca = pd.read_csv(path, dtype=str)
    ca["end_date"] = ""
    ca["start_date"] = "2000-01-01"
    ca.to_csv(path, index=False)
    org = load(copy)
    assert org.data.client_assignments["end_date"].isna().all()
    assert org.data_end == load(folder).data_end
