"""Census and supervisor scenarios: hand-computed arithmetic and planted caseload effects."""
from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from orgraph.analyses.cost import cost_model
from orgraph.analyses.hazards import caseload_hazard, exit_rates
from orgraph.config import Config
from orgraph.errors import AnalysisError
from orgraph.graph import OrgGraph
from orgraph.model import Assignment, OrgData, Position, Program, Staff, Supervision
from orgraph.report.scenarios import census_scenario, supervisor_leaves_scenario

d = dt.date


def tiny_org(config=None, docs=False):
    """Outpatient, 2020-2021: four 1.0-FTE clinicians with 25 clients each in 2021-12, one who left
    on 2021-06-30, and a supervisor S over everyone."""
    staff = {f"C{i}": Staff(f"C{i}", f"C{i}", "LPC", d(2020, 1, 1)) for i in range(1, 5)}
    staff["C5"] = Staff("C5", "C5", "LPC", d(2020, 1, 1), d(2021, 6, 30), "voluntary")
    staff["S"] = Staff("S", "Sam <b>", "LCSW", d(2020, 1, 1))
    pos = {f"P{i}": Position(f"P{i}", "Therapist", "OP", "clinician") for i in range(1, 6)}
    pos["PS"] = Position("PS", "Supervisor", "OP", "supervisor")
    asg = [Assignment(f"C{i}", f"P{i}", d(2020, 1, 1)) for i in range(1, 5)]
    asg += [Assignment("C5", "P5", d(2020, 1, 1), d(2021, 6, 30)), Assignment("S", "PS", d(2020, 1, 1))]
    sup = [Supervision(f"C{i}", "S", d(2020, 1, 1)) for i in range(1, 5)]
    sup.append(Supervision("C5", "S", d(2020, 1, 1), d(2021, 6, 30)))
    months = pd.date_range("2020-01-01", "2021-12-01", freq="MS")
    rows = [(f"C{i}", m, 25) for i in range(1, 5) for m in months]
    rows += [("C5", m, 30) for m in months if m <= pd.Timestamp("2021-06-01")]
    cl = pd.DataFrame(rows, columns=["staff_id", "month", "active_clients"])
    data = OrgData(staff=staff, programs={"OP": Program("OP", "Outpatient", "outpatient")}, positions=pos,
                   assignments=asg, supervision=sup, caseload=cl, present={"caseload"}, config=config)
    if docs:
        # 4 FTE x 6 sessions x 230/12 days = 460 sessions of capacity; 345 delivered of 0.9 h = 310.5 h
        data.documentation = pd.DataFrame({"staff_id": [f"C{i}" for i in range(1, 5)],
                                           "month": [pd.Timestamp("2021-12-01")] * 4,
                                           "session_hours": [310.5 / 4] * 4, "documentation_hours": [50.0] * 4})
        data.present.add("documentation")
    return OrgGraph(data, data_end=d(2021, 12, 31))


def test_exit_rates_by_hand():
    r = exit_rates(tiny_org(), months=24)["clinician"]
    days = 4 * 731 + (366 + 181)   # C1-C4 all of 2020-2021, C5 until 2021-06-30
    assert r["exits"] == 1
    assert r["person_years"] == pytest.approx(days / 365.25, abs=1e-4)


def test_census_scenario_arithmetic_with_fallback_relation():
    res = census_scenario(tiny_org(), program="OP", add_census=20)
    cur, sc = res["current"], res["scenario"]
    assert (cur["census"], cur["clinicians"], cur["clinical_fte"], cur["caseload_per_fte"]) == (100, 4, 4.0, 25.0)
    assert cur["utilization"] == 0.75 and cur["utilization_source"].startswith("assumed")
    # too few exits to fit: the documented default 1.10 per 10 clients is used, and said
    assert res["relation"]["fitted"] is False and "only 1 clinician exits" in res["relation"]["reason"]
    assert "documented default" in res["relation"]["used"]["source"]
    assert any("too thin" in n for n in res["notes"])
    r0 = 1 / ((4 * 731 + 547) / 365.25)         # program had 1 exit < 3: org clinician rate (same people)
    assert cur["exit_rate_per_year"] == pytest.approx(r0, abs=1e-4)
    hr = 1.10 ** ((30 - 25) / 10)
    extra = 4 * r0 * (hr - 1)
    per_exit = cost_model()["role_kinds"]["clinician"]["total"]
    assert sc["caseload_per_fte"] == 30.0
    assert sc["utilization"] == pytest.approx(0.9)
    assert sc["extra_exits"] == pytest.approx(extra, abs=1e-3)
    assert sc["turnover_cost"] == pytest.approx(extra * per_exit, abs=0.5)
    gain = 20 * (6 * 230 * 0.75 * 110 / 25)
    assert sc["revenue_gain"] == pytest.approx(gain)
    assert sc["offset_share"] == pytest.approx(extra * per_exit / gain, abs=1e-4)
    assert res["break_even_fte"] == 0.8                 # 20 clients / 25 per FTE
    assert res["break_even"]["extra_exits"] == pytest.approx(0.0, abs=1e-9)
    assert res["break_even"]["added_salary"] == pytest.approx(0.8 * 58000)
    assert res["break_even"]["net_gain"] == pytest.approx(gain - 0.8 * 58000, abs=0.01)
    assert res["sentence"].startswith("At current utilization (75%), adding 20 census to Outpatient without added "
                                      "FTE raises expected clinician exits by 0.02 a year, costing $")
    assert "documented default estimate" in res["sentence"]
    assert [o["add_fte"] for o in res["options"]] == [0.0, 0.5, 0.8, 1.0]
    json.dumps(res)


def test_program_can_be_named():
    a = census_scenario(tiny_org(), program="outpatient", add_census=20)
    assert a["current"]["program_id"] == "OP"
    assert a["scenario"] == census_scenario(tiny_org(), program="OP", add_census=20)["scenario"]


def test_enough_fte_means_no_extra_exits():
    res = census_scenario(tiny_org(), program="OP", add_census=20, add_fte=2)
    sc = res["scenario"]
    assert sc["caseload_per_fte"] == pytest.approx(20.0)
    assert sc["extra_exits"] < 0 and sc["turnover_cost"] < 0
    assert "lowers expected clinician exits" in res["sentence"]
    assert "with 2 added clinical FTE" in res["sentence"]


def test_measured_utilization_from_documentation():
    res = census_scenario(tiny_org(docs=True), program="OP", add_census=20)
    cur = res["current"]
    assert cur["utilization"] == pytest.approx(345 / 460, abs=1e-3)
    assert cur["utilization_source"] == "measured from documentation.csv for 2021-12"
    org = tiny_org(docs=True)
    org.data.documentation["session_hours"] = 150.0     # 600 h / 0.9 = 667 sessions against 460 scheduled
    res = census_scenario(org, program="OP", add_census=20)
    assert res["current"]["utilization"] == pytest.approx(600 / 0.9 / 460, abs=1e-3)
    assert any(n.startswith("Outpatient's clinicians already deliver 145% of the sessions") for n in res["notes"])
    org.data.documentation["session_hours"] = 300.0     # 196%: implausible, the assumption is used instead
    res = census_scenario(org, program="OP", add_census=20)
    assert res["current"]["utilization"] == 0.75


def test_census_scenario_errors():
    org = tiny_org()
    with pytest.raises(AnalysisError, match="unknown program 'XX'; programs in the data: OP"):
        census_scenario(org, program="XX", add_census=5)
    msg = "must be numbers from 0 up to 1,000,000 clients and 100,000 FTE"
    for census, fte in ((5, -1), (float("nan"), 0), (5, float("inf")), (1e308, 0)):
        with pytest.raises(AnalysisError, match=msg):
            census_scenario(org, program="OP", add_census=census, add_fte=fte)
    org.data.programs["RES"] = Program("RES", "Residential", "residential")
    with pytest.raises(AnalysisError, match="program 'RES' has no clinicians on 2021-12-31"):
        census_scenario(org, program="RES", add_census=5)
    bare = tiny_org()
    bare.data.caseload = bare.data.caseload.iloc[0:0]
    with pytest.raises(AnalysisError, match="census scenarios need caseload.csv"):
        census_scenario(bare, program="OP", add_census=5)


def test_supervisor_leaves_by_hand():
    cfg = Config.from_mapping({})
    org = tiny_org(config=cfg)
    res = supervisor_leaves_scenario(org, supervisor="S")
    assert [r["staff_id"] for r in res["supervisees"]] == ["C1", "C2", "C3", "C4"]
    hr = res["hazard_ratio"]["hazard_ratio"]
    rates = {r["staff_id"]: r["baseline_rate"] for r in res["supervisees"]}
    base = rates["C1"] * 180 / 365.25
    per_exit = cost_model(org)["role_kinds"]["clinician"]["total"]
    assert res["extra_exits"] == pytest.approx(4 * base * (hr - 1), abs=2e-3)
    assert res["extra_cost"] == pytest.approx(4 * base * (hr - 1) * per_exit, abs=5)
    assert res["supervisor_cost"] == cost_model(org)["role_kinds"]["supervisor"]["total"]
    assert res["sentence"].startswith("If S (Sam <b>) leaves, the 4 people they supervise")
    with pytest.raises(AnalysisError, match="C5 is not employed on 2021-12-31"):
        supervisor_leaves_scenario(org, supervisor="C5")
    with pytest.raises(AnalysisError, match="unknown staff id 'nobody'"):
        supervisor_leaves_scenario(org, supervisor="nobody")


# ---------------------------------------------------------------- planted effect
def planted_org(beta_per_client: float, *, seats=160, months=48, seed=7, base_monthly=0.02):
    """Clinicians whose monthly exit probability is base * exp(beta * (caseload - 30)); each seat is
    refilled 30 days after an exit. Caseloads differ between people (18..42) and drift month to month."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2019-01-01")
    staff, pos, asg, rows = {}, {}, [], []
    n = 0
    last_month = start + pd.DateOffset(months=months - 1)
    for s in range(seats):
        pid = f"P{s}"
        pos[pid] = Position(pid, "Therapist", "OP", "clinician")
        hire = start
        while hire <= last_month:
            sid = f"S{n}"
            n += 1
            level = rng.uniform(18, 42)
            m = hire
            exit_day = None
            while m <= last_month:
                x = max(0, int(round(level + rng.normal(0, 3))))
                rows.append((sid, m, x))
                p = base_monthly * math.exp(beta_per_client * (x - 30))
                if rng.random() < p:
                    exit_day = (m + pd.offsets.MonthBegin(1)) + pd.Timedelta(days=int(rng.integers(0, 27)))
                    break
                m = m + pd.offsets.MonthBegin(1)
            end = None if exit_day is None or exit_day > last_month + pd.offsets.MonthEnd(0) else exit_day.date()
            staff[sid] = Staff(sid, sid, "LPC", hire.date(), end, "voluntary" if end else None)
            asg.append(Assignment(sid, pid, hire.date(), end))
            if end is None:
                break
            hire = pd.Timestamp(end) + pd.Timedelta(days=31)
            hire = hire if hire.day == 1 else hire
    cl = pd.DataFrame(rows, columns=["staff_id", "month", "active_clients"])
    data = OrgData(staff=staff, programs={"OP": Program("OP", "Outpatient", "outpatient")}, positions=pos,
                   assignments=asg, caseload=cl, present={"caseload"})
    return OrgGraph(data, data_end=(last_month + pd.offsets.MonthEnd(0)).date())


def test_planted_caseload_effect_is_recovered():
    org = planted_org(0.04)          # planted: exp(0.4) = 1.49 times the hazard per 10 clients
    fit = caseload_hazard(org)
    assert fit["fitted"] is True, fit["reason"]
    assert fit["exits"] >= 50
    assert fit["ci_low"] > 1.0 and fit["ci_low"] <= math.exp(0.4) <= fit["ci_high"]
    assert "higher monthly exit hazard" in fit["sentence"]
    more = census_scenario(org, program="OP", add_census=400)
    assert more["scenario"]["extra_exits"] > 0 and more["scenario"]["turnover_cost"] > 0
    assert more["scenario"]["extra_exits_low"] > 0
    assert "raises expected clinician exits" in more["sentence"]
    assert "relation fitted on this org's history" in more["sentence"]
    enough = census_scenario(org, program="OP", add_census=400, add_fte=more["break_even_fte"] + 0.5)
    assert enough["scenario"]["extra_exits"] <= 0
    # a bigger increase costs more
    bigger = census_scenario(org, program="OP", add_census=800)
    assert bigger["scenario"]["turnover_cost"] > more["scenario"]["turnover_cost"]


def test_no_planted_effect_gives_an_interval_around_one():
    fit = caseload_hazard(planted_org(0.0, seed=11))
    assert fit["fitted"] is True, fit["reason"]
    assert fit["ci_low"] < 1.0 < fit["ci_high"]


def test_thin_history_and_wide_interval_fall_back():
    cfg = Config.from_mapping({"scenario": {"max_ci_ratio": 1.01}})
    org = planted_org(0.04, seats=40, months=24, seed=3)
    org.config = cfg
    org.data.config = cfg
    fit = caseload_hazard(org)
    assert fit["fitted"] is False and "too wide" in fit["reason"]
    assert fit["used"]["hazard_ratio_per_10"] == 1.10


# ---------------------------------------------------------------- CLI
def _caseload_bundle(bundle):
    rows = ["staff_id,month,active_clients"] + [f"{s},{y}-{m:02d},{n}" for s, n in (("S2", 30), ("S3", 22))
                                                for y in (2020, 2021) for m in range(1, 13)
                                                if not (s == "S2" and (y, m) > (2021, 6))]
    return str(bundle(caseload_csv="\n".join(rows) + "\n"))


def test_scenario_command(bundle):
    from click.testing import CliRunner

    from orgraph.cli import main

    folder = _caseload_bundle(bundle)
    run = CliRunner().invoke
    r = run(main, ["scenario", folder, "--program", "OP", "--add-census", "10"])
    assert r.exit_code == 0, r.output
    # S3 alone (0.8 FTE, 22 clients) on 2021-12-31: 27.5 per FTE, 40 after adding 10
    assert r.output.startswith("At current utilization (75%), adding 10 census to Outpatient without added FTE "
                               "raises expected clinician exits by")
    assert "census 22, 1 clinician on 0.8 FTE, 27.5 clients per FTE" in r.output
    assert "Break-even: add 0.36 clinical FTE" in r.output
    data = json.loads(run(main, ["scenario", folder, "--program", "OP", "--add-census", "10", "--add-fte", "1",
                                 "--format", "json"]).output)
    assert data["scenario"]["caseload_per_fte"] == pytest.approx(32 / 1.8, abs=0.01)
    r = run(main, ["scenario", folder, "--program", "OP", "--add-census", "10", "--format", "csv"])
    assert r.output.splitlines()[0] == ("add_fte,caseload_per_fte,utilization,extra_exits,turnover_cost,"
                                        "added_salary,revenue_gain,net_gain")
    r = run(main, ["scenario", folder, "--supervisor", "S1", "--leaves"])
    assert r.exit_code == 0 and r.output.startswith("If S1 (Ana Diaz) leaves, the person they supervise is expected")


def test_scenario_command_errors(bundle):
    from click.testing import CliRunner

    from orgraph.cli import main

    folder = _caseload_bundle(bundle)
    run = CliRunner().invoke
    r = run(main, ["scenario", folder])
    assert r.exit_code == 2 and "give either --program P --add-census N, or --supervisor S --leaves" in r.output
    r = run(main, ["scenario", folder, "--program", "OP"])
    assert r.exit_code == 2 and "needs both --program and --add-census" in r.output
    r = run(main, ["scenario", folder, "--supervisor", "S1"])
    assert r.exit_code == 2 and "needs both --supervisor S and --leaves" in r.output
    r = run(main, ["scenario", folder, "--program", "NOPE", "--add-census", "5"])
    assert r.exit_code == 1 and "Error: unknown program 'NOPE'; programs in the data: OP" in r.output
    r = run(main, ["scenario", folder, "--supervisor", "S2", "--leaves"])
    assert r.exit_code == 1 and "Error: S2 is not employed on 2021-12-31" in r.output


# ---------------------------------------------------------------- synthetic orgs (orgraph.synth)
@pytest.fixture(scope="module")
def synth_orgs(synth_org):
    orgs = []
    for seed in (1, 2, 3):
        folder, org, truth = synth_org(staff=400, years=5, seed=seed)
        orgs.append((org, truth))
    return orgs


def test_synthetic_orgs_fitted_relation_has_the_planted_sign(synth_orgs):
    for org, truth in synth_orgs:
        planted = truth["hazard_model"]["caseload"]
        assert planted["sign"] == "positive" and planted["hazard_multiplier_per_10_clients"] > 1
        fit = caseload_hazard(org)
        assert fit["fitted"], fit["reason"]
        assert fit["hazard_ratio_per_10"] > 1.0, fit


def test_synthetic_orgs_scenario_direction(synth_orgs):
    for org, truth in synth_orgs:
        prog = truth["caseload_program"]["program_id"]
        more = census_scenario(org, program=prog, add_census=60)
        sc = more["scenario"]
        assert sc["caseload_per_fte"] > more["current"]["caseload_per_fte"]
        assert sc["extra_exits"] > 0 and sc["turnover_cost"] > 0 and 0 < sc["offset_share"] < 1
        enough = census_scenario(org, program=prog, add_census=60, add_fte=more["break_even_fte"])
        # break_even_fte is rounded to 0.01 FTE, so "no extra exits" holds to about a thousandth of an exit
        assert enough["scenario"]["extra_exits"] == pytest.approx(0.0, abs=0.01)
        assert abs(enough["scenario"]["turnover_cost"]) < 0.01 * sc["turnover_cost"]
        # a supervisor on the last day: leaving costs at least their own replacement
        sups = org.staff_frame[(org.staff_frame["role_kind"] == "supervisor") & ~org.staff_frame["exited"]]
        res = supervisor_leaves_scenario(org, supervisor=sups.index[0])
        assert res["total_cost"] >= res["supervisor_cost"] > 0
        assert res["hazard_ratio"]["source"].startswith("this org"), res["hazard_ratio"]



def test_riverbend_finance(riverbend):
    from conftest import RIVERBEND

    from orgraph.report.costs import finance_headlines

    truth = json.loads((RIVERBEND / "truth.json").read_text(encoding="utf-8"))
    assert caseload_hazard(riverbend)["hazard_ratio_per_10"] > 1.0          # the planted sign
    prog = truth["caseload_program"]["program_id"]
    res = census_scenario(riverbend, program=prog, add_census=40)
    assert res["scenario"]["extra_exits"] > 0 and res["scenario"]["revenue_gain"] > 0
    assert res["sentence"].startswith("At current utilization (")
    lines = finance_headlines(riverbend)
    assert lines[0].startswith("The ") and "cost an estimated $" in lines[0]
