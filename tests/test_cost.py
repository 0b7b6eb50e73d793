"""Turnover cost model: hand-computed numbers on tiny orgs."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from orgraph.analyses.cost import cost_model, cost_of_exit, turnover_cost, vacancy_days_by_role
from orgraph.config import Config
from orgraph.errors import AnalysisError
from orgraph.graph import OrgGraph
from orgraph.model import Assignment, OrgData, Position, Program, Staff
from orgraph.report.costs import cascade_cost, churn_seat_cost, excess_exit_cost, finance_headlines, rate_excess_cost

d = dt.date
END = d(2021, 12, 31)


def seats_org(gaps, still_empty_days=None, config=None, salary=None):
    """One clinician seat per gap: holder A_i leaves on 2021-06-30 + i days, B_i starts ``gap`` days later.

    ``still_empty_days``: one more seat whose holder left that many days before the data end
    and which was never refilled.
    """
    staff, pos, asg = {}, {}, []
    for i, g in enumerate(gaps):
        last = d(2021, 6, 30) + dt.timedelta(days=i)
        start = last + dt.timedelta(days=1 + g)
        staff[f"A{i}"] = Staff(f"A{i}", f"A{i}", "LPC", d(2020, 1, 1), last, "voluntary", annual_salary=salary)
        staff[f"B{i}"] = Staff(f"B{i}", f"B{i}", "LPC", start)
        pos[f"P{i}"] = Position(f"P{i}", "Therapist", "OP", "clinician")
        asg += [Assignment(f"A{i}", f"P{i}", d(2020, 1, 1), last), Assignment(f"B{i}", f"P{i}", start)]
    if still_empty_days is not None:
        last = END - dt.timedelta(days=still_empty_days)   # end (half-open) = cut - still_empty_days
        staff["Z"] = Staff("Z", "Z", "LPC", d(2020, 1, 1), last, "voluntary")
        pos["PZ"] = Position("PZ", "Therapist", "OP", "clinician")
        asg.append(Assignment("Z", "PZ", d(2020, 1, 1), last))
    data = OrgData(staff=staff, programs={"OP": Program("OP", "Outpatient", "outpatient")}, positions=pos,
                   assignments=asg, config=config)
    return OrgGraph(data, data_end=END)


def test_cost_of_exit_components_by_hand():
    m = cost_model()
    c = m["role_kinds"]["clinician"]
    revenue = 6 * 110 * 0.75 * 230                     # sessions/day x $/session x utilization x days
    assert c["annual_revenue"] == pytest.approx(revenue)
    assert c["recruiting"] == 4700
    assert c["onboarding"] == pytest.approx(58000 * 2 / 52 + 2000, abs=0.01)
    assert c["vacancy"] == pytest.approx((revenue - 58000) * 60 / 365, abs=0.01)
    assert c["ramp_up"] == pytest.approx(revenue * 4 / 12 * 0.5, abs=0.01)
    assert c["total"] == pytest.approx(c["recruiting"] + c["onboarding"] + c["vacancy"] + c["ramp_up"], abs=0.02)
    assert c["share_of_salary"] == pytest.approx(c["total"] / 58000, abs=0.001)
    # admin seats bill nothing: output is valued at salary, so the net vacancy loss is 0
    a = m["role_kinds"]["admin"]
    assert a["vacancy"] == 0.0 and a["ramp_up"] == pytest.approx(42000 * 4 / 12 * 0.5, abs=0.01)
    # leaders use the leader recruiting cost
    assert m["role_kinds"]["director"]["recruiting"] == 12000


def test_settings_from_config_change_the_model():
    cfg = Config.from_mapping({"cost": {"revenue_per_session": 100.0, "net_of_salary": False, "vacancy_days": 30,
                                        "ramp_months": 0.0}})
    org = seats_org([], config=cfg)
    m = cost_model(org)
    c = m["role_kinds"]["clinician"]
    revenue = 6 * 100 * 0.75 * 230
    assert c["vacancy"] == pytest.approx(revenue * 30 / 365, abs=0.01)   # gross, not net of salary
    assert c["ramp_up"] == 0.0
    changed = {a["key"]: a for a in m["assumptions"]}
    assert changed["revenue_per_session"]["set_in"] == "orgraph.toml"
    assert changed["utilization"]["set_in"] == "default"
    assert "no-show" in changed["utilization"]["source"]


def test_vacancy_days_kaplan_meier_with_a_still_empty_seat():
    # refills after 10..50 days, one seat empty for the last 25 days of data (censored)
    org = seats_org([10, 20, 30, 40, 50], still_empty_days=25)
    v = vacancy_days_by_role(org)["clinician"]
    assert v["source"] == "measured" and v["refills"] == 5 and v["still_empty"] == 1
    # KM: S drops at 10 (5/6), 20 (4/5), censored at 25, 30 (2/3), 40 (1/2), 50 (0)
    s, area, prev = 1.0, 0.0, 0
    for t, at_risk in ((10, 6), (20, 5), (30, 3), (40, 2), (50, 1)):
        area += s * (t - prev)
        s *= 1 - 1 / at_risk
        prev = t
    assert area == pytest.approx(31.667, abs=0.001)
    assert v["days"] == pytest.approx(area, abs=0.05)
    assert v["median_days"] == 30.0


def test_vacancy_falls_back_with_few_refills_and_caps_long_gaps():
    org = seats_org([10, 20])
    v = vacancy_days_by_role(org)["clinician"]
    assert (v["source"], v["days"], v["refills"]) == ("fallback", 60.0, 2)
    cfg = Config.from_mapping({"cost": {"min_vacancy_samples": 2, "max_vacancy_days": 15}})
    v = vacancy_days_by_role(seats_org([10, 20], config=cfg))["clinician"]
    assert v["days"] == pytest.approx(12.5)   # 10 and min(20, 15): KM mean = (10 + 15) / 2
    assert any("vacancy_days setting" in n for n in cost_model(org)["notes"])


def test_turnover_cost_per_period_uses_own_salary():
    org = seats_org([10, 20, 30, 40, 50], salary=60000.0)
    res = turnover_cost(org, period="quarter")
    m = res.extras["model"]
    one = cost_of_exit(m, "clinician", annual_salary=60000.0)["total"]
    vac = m["vacancy"]["clinician"]["days"]
    assert vac == pytest.approx(30.0)          # mean of 10..50, all refilled
    revenue = 6 * 110 * 0.75 * 230
    assert one == pytest.approx(4700 + 60000 * 2 / 52 + 2000 + (revenue - 60000) * 30 / 365 + revenue / 6, abs=0.02)
    q = {p["period"]: p for p in res.table}
    assert list(q)[0] == "2021-Q2" and list(q)[-1] == "2021-Q4"     # from the first exit to the data end
    # exits on 2021-06-30 .. 2021-07-04: one in Q2, four in Q3
    assert (q["2021-Q2"]["exits"], q["2021-Q3"]["exits"]) == (1, 4)
    assert q["2021-Q3"]["cost"] == pytest.approx(4 * one, abs=0.05)
    assert q["2021-Q3"]["exits_clinician"] == 4
    assert res.extras["total_exits"] == 5 and res.extras["total_cost"] == pytest.approx(5 * one, abs=0.05)
    json.dumps(res.to_dict())   # plain data


def test_turnover_cost_as_of_and_errors():
    org = seats_org([10, 20, 30, 40, 50])
    res = turnover_cost(org, as_of="2021-07-01", period="year")
    assert res.as_of == "2021-07-01" and res.extras["total_exits"] == 2
    assert res.table[-1]["partial"] is True
    with pytest.raises(AnalysisError, match="unknown period 'week'"):
        turnover_cost(org, period="week")


def test_finding_costs():
    m = cost_model()
    per = m["role_kinds"]["clinician"]["total"]
    assert excess_exit_cost(5, 2.0, "clinician", model=m) == pytest.approx(3 * per, abs=0.01)
    assert excess_exit_cost(1, 2.0, "clinician", model=m) == 0.0
    assert excess_exit_cost(2, 1.0, "nonsense", model=m) == m["role_kinds"]["other"]["total"]
    child = {"supervisor_id": "S2", "observed": 2, "expected": 1.0, "departures": [{"staff_id": "x"}] * 2}
    c = cascade_cost({"supervisor_id": "S1", "observed": 3, "expected": 1.0,
                      "departures": [{"staff_id": "a"}] * 3, "children": [child]}, model=m)
    assert c["excess_cost"] == pytest.approx(2 * per, abs=0.01)
    assert c["children_excess_cost"] == pytest.approx(per, abs=0.01)
    assert c["total_excess_cost"] == pytest.approx(3 * per, abs=0.02)
    assert c["supervisor_cost"] == m["role_kinds"]["supervisor"]["total"]
    s = churn_seat_cost({"position_id": "P1", "exits": 3}, model=m)
    assert s["excess_cost"] == s["exits_cost"] == pytest.approx(3 * per, abs=0.01)


def test_cascade_cost_uses_the_org_for_roles_and_salaries():
    org = seats_org([10, 20, 30, 40, 50], salary=90000.0)
    m = cost_model(org)
    c = cascade_cost({"observed": 2, "expected": 0.0, "departures": [{"staff_id": "A0"}, {"staff_id": "A1"}]},
                     model=m, org=org)
    one = cost_of_exit(m, "clinician", annual_salary=90000.0)["total"]
    assert c["departures_cost"] == pytest.approx(2 * one, abs=0.02)


def test_finance_headlines_sentences():
    org = seats_org([10, 20, 30, 40, 50])
    lines = finance_headlines(org)
    assert lines[0].startswith("The 5 staff exits in the 12 months to 2021-12-31 cost an estimated $")
    assert "(5 clinicians)" in lines[0]
    assert "this org's average 30 days of empty seat" in lines[1]


# ---------------------------------------------------------------- CLI
def test_cost_command(bundle):
    from click.testing import CliRunner

    from orgraph.cli import main

    folder = str(bundle())
    r = CliRunner().invoke(main, ["cost", folder])
    assert r.exit_code == 0, r.output
    assert "Total: 1 exit, $37,087." in r.output          # S2, a clinician at the default salary
    r = CliRunner().invoke(main, ["cost", folder, "--by", "role"])
    assert r.exit_code == 0, r.output
    assert "Cost of one exit, by role kind (as of 2021-06-30)" in r.output
    r = CliRunner().invoke(main, ["cost", folder, "--by", "assumptions"])
    assert r.exit_code == 0, r.output
    assert "SHRM Talent Acquisition Benchmarking 2022" in r.output
    r = CliRunner().invoke(main, ["cost", folder, "--format", "json"])
    data = json.loads(r.output)
    assert data["extras"]["total_exits"] == 1 and data["extras"]["exits"][0]["staff_id"] == "S2"
    r = CliRunner().invoke(main, ["cost", folder, "--format", "csv", "--period", "quarter"])
    lines = r.output.splitlines()
    assert lines[0].startswith("period,start,end,partial,exits,cost,exits_clinician")
    assert lines[1].startswith("2021-Q2,2021-04-01,2021-06-30,")
    assert any(line.startswith("2021-Q2,") and ",1,37086.59," in line for line in lines)
    r = CliRunner().invoke(main, ["cost", folder, "--as-of", "2021-05-01", "--format", "json"])
    assert json.loads(r.output)["extras"]["total_exits"] == 0


def test_cost_command_reads_orgraph_toml(bundle):
    from click.testing import CliRunner

    from orgraph.cli import main

    folder = str(bundle(orgraph_toml="[cost]\nrecruiting_cost = 9000.0\n"))
    data = json.loads(CliRunner().invoke(main, ["cost", folder, "--format", "json"]).output)
    rec = {a["key"]: a for a in data["extras"]["assumptions"]}["recruiting_cost"]
    assert rec["value"] == 9000.0 and rec["set_in"].endswith("orgraph.toml")
    assert data["extras"]["total_cost"] == pytest.approx(37086.59 + 4300, abs=0.01)
    bad = str(bundle(orgraph_toml="[cost]\nrecruting_cost = 9000.0\n"))
    r = CliRunner().invoke(main, ["cost", bad])
    assert r.exit_code == 1 and "did you mean 'recruiting_cost'" in r.output


def test_rate_excess_cost_and_churn_role_kind():
    m = cost_model()
    r = rate_excess_cost(12, 3650, 20, 14600, "clinician", model=m)   # rate_b = 1/730 per day
    assert r["expected"] == 5.0 and r["excess_exits"] == 7.0
    assert r["excess_cost"] == pytest.approx(7 * m["role_kinds"]["clinician"]["total"], abs=0.01)
    assert rate_excess_cost(2, 3650, 20, 14600, model=m)["excess_cost"] == 0.0
    s = churn_seat_cost({"position_id": "X", "role_kind": "admin", "exits": 3, "expected": 1.0}, model=m)
    assert s["excess_cost"] == pytest.approx(2 * m["role_kinds"]["admin"]["total"], abs=0.01)


def test_finance_headlines_name_the_costliest_program():
    org = seats_org([10, 20, 30, 40, 50])
    # move seats P0-P2 into a second program: three of the five exits happen there
    for pid in ("P0", "P1", "P2"):
        org.data.positions[pid] = Position(pid, "Therapist", "IOP", "clinician")
    org.data.programs["IOP"] = Program("IOP", "Intensive Outpatient", "intensive outpatient")
    org = OrgGraph(org.data, data_end=END)
    lines = finance_headlines(org)
    per = cost_model(org)["role_kinds"]["clinician"]["total"]
    assert lines[1] == (f"Intensive Outpatient carried the largest share: 3 exits, ${round(3 * per, -3):,.0f} "
                        f"(60% of the total).")
    exits = turnover_cost(org).extras["exits"]
    assert sorted(e["program_id"] for e in exits) == ["IOP", "IOP", "IOP", "OP", "OP"]


def test_floats_or_none_matches_a_loop_with_isna():
    import pandas as pd

    from orgraph.analyses.cost import _floats_or_none

    s = pd.Series([52000, None, 61000.5, float("nan")], dtype=object)
    want = [None if pd.isna(x) else float(x) for x in s]
    got = _floats_or_none(s)
    assert got == want == [52000.0, None, 61000.5, None]
    assert all(type(x) is float for x in got if x is not None)


def test_exit_records_built_from_rows_equal_the_frame_records(riverbend, monkeypatch):
    from orgraph.analyses import cost

    fast = turnover_cost(riverbend).extras["exits"]
    monkeypatch.setattr(cost, "_PLAIN", ())                          # force the records through the frame
    slow = turnover_cost(riverbend).extras["exits"]
    assert len(fast) > 10 and json.dumps(fast) == json.dumps(slow)
    assert [(r["exit_date"], r["staff_id"]) for r in fast] == sorted((r["exit_date"], r["staff_id"]) for r in fast)


def test_vacancy_days_measured_once_per_cut_and_copied_to_each_caller(monkeypatch):
    """The vacancy table is measured once per org, cut and settings; each caller gets its own copy (changing it
    changes nothing the next caller reads), and another cut is measured anew."""
    from orgraph.analyses import cost

    org = seats_org([10, 20, 30, 40, 50], still_empty_days=25)
    built = []
    real = cost._vacancy_days_by_role
    monkeypatch.setattr(cost, "_vacancy_days_by_role", lambda *a: built.append(a[2]) or real(*a))
    first = vacancy_days_by_role(org)
    want = json.loads(json.dumps(first))
    first["clinician"]["days"] = -1.0
    assert cost_model(org)["vacancy"] == want
    turnover_cost(org)
    assert vacancy_days_by_role(org) == want and len(built) == 1
    earlier = vacancy_days_by_role(org, as_of=d(2021, 7, 20))
    assert len(built) == 2 and earlier["clinician"]["refills"] < want["clinician"]["refills"]
    assert vacancy_days_by_role(seats_org([10, 20, 30, 40, 50], still_empty_days=25)) == want and len(built) == 3


def test_refill_gaps_match_merge_asof():
    """Each exit's next start in the same seat (binary search on sorted (seat, day) keys) equals merge_asof's
    forward match, on seats with several holders, exact-day refills and seats never refilled."""
    import numpy as np
    import pandas as pd

    from orgraph.analyses.cost import _refill_gaps

    rng = np.random.default_rng(3)
    base = pd.Timestamp("2018-01-01")
    af = pd.DataFrame({"position_id": rng.choice([f"P{i}" for i in range(40)], 400),
                       "start": base + pd.to_timedelta(rng.integers(0, 1500, 400), unit="D")})
    left = pd.DataFrame({"position_id": rng.choice([f"P{i}" for i in range(45)], 150),
                         "role_kind": rng.choice(["clinician", "admin", None], 150),
                         "end": base + pd.to_timedelta(rng.integers(0, 1600, 150), unit="D")})
    left.loc[:9, "end"] = af["start"].iloc[:10].to_numpy()              # refilled the same day
    left.loc[:9, "position_id"] = af["position_id"].iloc[:10].to_numpy()
    cut = base + pd.Timedelta(days=1700)
    kind, gap, refilled = _refill_gaps(af, left, cut)
    m = pd.merge_asof(left.reset_index().sort_values("end"), af.sort_values("start"), left_on="end",
                      right_on="start", by="position_id", direction="forward").set_index("index").sort_index()
    want = (m["start"].fillna(cut) - m["end"]).dt.days
    assert refilled.tolist() == m["start"].notna().tolist() and 0 < refilled.sum() < len(left)
    assert gap.tolist() == want.astype(float).tolist()
    assert kind.tolist() == left["role_kind"].fillna("other").tolist()
