"""Seats only where the data has them: inferred seats are marked, said, and never measured as vacancies or churn."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from importing_helpers import HR14, MAPS, by, read, roster
from orgraph.analyses import churn_seats
from orgraph.analyses.cost import INFERRED_SEATS_REASON, cost_model, vacancy_days_by_role
from orgraph.graph import OrgGraph
from orgraph.importing import import_file
from orgraph.model import Assignment, OrgData, Position, Program, Staff
from orgraph.validate import load_bundle
from orgraph.report.audit import untestable
from orgraph.report.costs import finance_headlines

D = dt.date


@pytest.fixture(scope="module")
def hr14(tmp_path_factory):
    if not HR14.exists():
        pytest.skip("shared HRDataset v14 not available")
    out = tmp_path_factory.mktemp("hr14") / "bundle"
    s = import_file(HR14, MAPS / "hrdataset_v14.toml", out)
    return s, out


def test_an_export_without_position_ids_gets_inferred_seats_and_the_summary_says_so(hr14):
    s, out = hr14
    positions = read(out, "positions")
    assert {p["inferred"] for p in positions} == {"true"}
    assert s["seats"] == {"position_ids": "none", "rule": "sequence", "seats_from_export": 0,
                          "seats_inferred": len(positions), "assignments_on_inferred": 311}
    assert any(n.startswith("The export has no position ids, so its 259 seats were inferred by the [seats] rule "
                            '"sequence"') for n in s["notes"])
    org = load_bundle(out)
    assert all(p.inferred for p in org.positions.values())


def test_export_position_numbers_are_seats_not_inferred(tmp_path):
    s = import_file(MAPS / "job_history_sample.csv", MAPS / "job_history.toml", tmp_path / "b")
    positions = read(tmp_path / "b", "positions")
    export = [p for p in positions if p["inferred"] == "false"]
    assert export and s["seats"]["seats_from_export"] == len(export)
    assert not any("no position ids" in n for n in s["notes"] if n.startswith("The export"))
    org = load_bundle(tmp_path / "b")
    assert {pid for pid, p in org.positions.items() if not p.inferred} == {p["position_id"] for p in export}


def test_a_bundle_without_the_column_has_no_inferred_seats(tmp_path):
    s, out = roster(tmp_path, "1,Ann Ng,2020-01-06,,,OP,Therapist,\n")
    text = (out / "positions.csv").read_text().splitlines()
    (out / "positions.csv").write_text("\n".join(",".join(line.split(",")[:5]) for line in text) + "\n")
    assert not any(p.inferred for p in load_bundle(out).positions.values())


def test_cost_vacancy_falls_back_on_inferred_seats_with_the_reason(hr14):
    """Measured before this rule: the sequence rule's seats gave clinician vacancies of 233.7 days (a Kaplan-Meier
    mean over 42 "refills" between unrelated people), so one exit cost 110% of salary. Now the vacancy is the
    [cost] vacancy_days default (60), and the model says why."""
    _, out = hr14
    org = OrgGraph(load_bundle(out))
    m = cost_model(org)
    v = m["vacancy"]["clinician"]
    assert (v["source"], v["days"], v["refills"]) == ("fallback", 60.0, 0)
    assert v["reason"] == INFERRED_SEATS_REASON
    assert v["inferred_exits"] == 91
    assert m["role_kinds"]["clinician"]["share_of_salary"] == pytest.approx(0.639, abs=1e-3)
    assert any(INFERRED_SEATS_REASON in n for n in m["notes"])
    assert any("The empty-seat days are assumed, not measured: the export has no position ids" in line
               for line in finance_headlines(org))


def _two_seat_org(inferred: bool) -> OrgGraph:
    """Seat R (from the export) is refilled after 10 days, five times; seat G is refilled after 200 days, five
    times. Measured on both: a mean of 105 days; with G inferred, only R's 10 days count."""
    staff, assign = {}, []
    for seat, gap in (("R", 10), ("G", 200)):
        day = D(2010, 1, 1)
        for i in range(6):
            sid = f"{seat}{i}"
            end = day + dt.timedelta(days=99) if i < 5 else None
            staff[sid] = Staff(sid, sid, "LPC", day, end, "voluntary" if end else None)
            assign.append(Assignment(sid, seat, day, end))
            if end:
                day = end + dt.timedelta(days=gap + 1)
    data = OrgData(staff=staff, programs={"OP": Program("OP", "OP", "op")},
                   positions={"R": Position("R", "Therapist", "OP", "clinician"),
                              "G": Position("G", "Therapist", "OP", "clinician", inferred=inferred)},
                   assignments=assign)
    return OrgGraph(data, data_end=D(2016, 12, 31))


def test_vacancy_is_measured_only_on_seats_the_export_has():
    both = vacancy_days_by_role(_two_seat_org(False))["clinician"]
    assert (both["refills"], both["days"], both["source"]) == (10, 105.0, "measured")
    real = vacancy_days_by_role(_two_seat_org(True))["clinician"]
    assert (real["refills"], real["days"], real["source"], real["inferred_exits"]) == (5, 10.0, "measured", 5)


def test_churn_does_not_claim_seats_it_inferred(hr14):
    _, out = hr14
    res = churn_seats(OrgGraph(load_bundle(out)))
    assert res.table == []
    assert res.extras["inferred_seats"] == 259
    assert res.summary.startswith("Churn seats could not be tested: the export has no position ids")
    assert len(res.untested) == 1 and res.untested[0].startswith("259 seats were not tested as churn seats")
    assert res.untested[0] in untestable({"churn": res})


def test_a_churn_seat_is_not_tested_when_inferred():
    from test_churn import churn_org

    org = churn_org()
    assert any(r["position_id"] == "H" for r in churn_seats(org).table)
    data = org.data
    data.positions["H"] = dataclasses.replace(data.positions["H"], inferred=True)
    res = churn_seats(OrgGraph(data, data_end=org.data_end))
    assert "H" not in {r["position_id"] for r in res.table}
    assert res.extras["inferred_seats"] == 1
    assert "1 seat was not tested as churn seats" in res.summary
    assert by(res.table, "position_id")["N1"]["flagged"] is False
