"""External managers (named in an export, not employed in it) keep their teams but are never counted."""
from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from importing_helpers import HR14, MAPS, read, roster
from orgraph.analyses import departure_factors, risk_list, turnover_cost
from orgraph.analyses.exposure import people, supervisor_cohorts
from orgraph.analyses.persontime import person_time
from orgraph.cli import main
from orgraph.graph import OrgGraph
from orgraph.importing import import_file
from orgraph.model import Assignment, OrgData, Position, Program, Staff, Supervision
from orgraph.render.elements import map_elements
from orgraph.summary import org_summary
from orgraph.validate import load_bundle

D = dt.date


@pytest.fixture(scope="module")
def hr14():
    """HRDataset v14: 311 employees and 5 managers named but not employed (Michael Albert, Webster Butler, Alex
    Sweetwater, David Stanley, Board of Directors), added as external staff. Before external managers were left
    out, they made 316 people (213 employed at the end), 18,125 person-days in the panel (5 people on the risk
    list) and 226 people in the departures analysis."""
    if not HR14.exists():
        pytest.skip("shared HRDataset v14 not available")
    import tempfile
    from pathlib import Path

    out = Path(tempfile.mkdtemp()) / "bundle"
    s = import_file(HR14, MAPS / "hrdataset_v14.toml", out)
    assert s["written"]["external_staff"] == 5
    org = OrgGraph(load_bundle(out))
    return org, {sid for sid, r in org.data.staff.items() if r.external}, out


def test_headcounts_leave_external_managers_out(hr14):
    org, ext, out = hr14
    s = org_summary(org)
    assert (s["staff"], s["staff_active"], s["external_staff"]) == (311, 208, 5)
    text = CliRunner().invoke(main, ["info", str(out)]).output
    assert "people:        311 (208 employed on 2018-11-10; not counted: 5 external managers)" in text


def test_rates_risk_and_departures_leave_external_managers_out(hr14):
    org, ext, _ = hr14
    pt = person_time(org)
    assert not pt["staff_id"].isin(ext).any()
    assert not set(people(org, org.censor).index) & ext
    assert not {r["staff_id"] for r in risk_list(org).table} & ext
    assert departure_factors(org).extras["people"] == 221
    assert turnover_cost(org).extras["total_exits"] == 104


def test_maps_draw_external_managers_with_their_teams_but_do_not_count_them(hr14):
    org, ext, _ = hr14
    m = map_elements(org)
    assert {n["id"] for n in m["nodes"]} >= ext                      # drawn, with their reports
    assert sum(e["to"] in ext for e in m["edges"]) == 46
    assert m["totals"]["people"] == len(m["nodes"]) - len(ext)
    assert m["totals"]["employed"] == 208


def _org_whose_external_manager_leaves() -> OrgGraph:
    """X (external) supervises A, B and C until X's end on 2021-06-30; A leaves 2021-08-31 (in the window
    after X left). X's own end is not an exit of the org."""
    staff = {"X": Staff("X", "Ext", "external", D(2020, 1, 1), D(2021, 6, 30), "other", external=True),
             "A": Staff("A", "A", "LPC", D(2020, 1, 1), D(2021, 8, 31), "voluntary"),
             "B": Staff("B", "B", "LPC", D(2020, 1, 1)), "C": Staff("C", "C", "LPC", D(2020, 1, 1))}
    positions = {p: Position(p, "Therapist", "OP", "clinician") for p in "ABC"}
    data = OrgData(staff=staff, programs={"OP": Program("OP", "OP", "op")}, positions=positions,
                   assignments=[Assignment(p, p, D(2020, 1, 1), staff[p].termination_date) for p in "ABC"],
                   supervision=[Supervision(p, "X", D(2020, 1, 1), D(2021, 6, 30)) for p in "ABC"])
    return OrgGraph(data, data_end=D(2021, 12, 31))


def test_a_team_that_loses_an_external_manager_is_still_a_team():
    org = _org_whose_external_manager_leaves()
    team = supervisor_cohorts(org, org.censor, 90)
    assert sorted(team.loc[team["supervisor_id"] == "X", "staff_id"]) == ["A", "B", "C"]
    cost = turnover_cost(org)
    assert cost.extras["total_exits"] == 1                           # A; X's end is not an exit
    assert [e["staff_id"] for e in cost.extras["exits"]] == ["A"]
    s = org_summary(org)
    assert s["staff"] == 3 and sum(r["exits"] for r in s["exits_by_year"]) == 1


def test_an_imported_roster_marks_managers_not_in_it_external(tmp_path):
    s, out = roster(tmp_path, "1,Ann Ng,2020-01-06,,,OP,Therapist,Zed Far\n"
                              "2,Bo Li,2020-03-01,2021-05-31,Moved,OP,Therapist,Zed Far\n"
                              "3,Cy Do,2020-02-01,,,OP,Therapist,Ann Ng\n")
    staff = {r["staff_id"]: r for r in read(out, "staff")}
    assert staff["ext-zed-far"]["external"] == "true"
    org = OrgGraph(load_bundle(out))
    summary = org_summary(org)
    assert (summary["staff"], summary["external_staff"]) == (3, 1)
    assert {r["supervisor_id"] for r in read(out, "supervision")} == {"ext-zed-far", "1"}


def test_the_pack_headcounts_leave_external_managers_out(hr14):
    from orgraph.report.pack import headline_findings, pack_tables

    org, ext, _ = hr14
    day = org.data_end
    tables = pack_tables(org, as_of=day, results={})
    assert sum(r["employed"] for r in tables["headcount_by_program"]) == 208
    lines = headline_findings(org, as_of=day, results={}, tables=tables)
    assert lines[0].startswith(f"On {day.isoformat()}, 208 people worked in 6 programs")
