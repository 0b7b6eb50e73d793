"""supervisor_cascades on tiny hand-built orgs: every number computed by hand below."""
import datetime as dt
import json
import math

import pandas as pd
import pytest

from orgraph.analyses import supervisor_cascades
from orgraph.graph import OrgGraph
from orgraph.model import Assignment, OrgData, Position, Program, Staff, Supervision

D = dt.date


def build(people, sups, data_end):
    """people: (id, role_kind, hire, exit); sups: (staff, supervisor, start, end)."""
    staff, assign, positions = {}, [], {}
    for sid, kind, hire, exit_ in people:
        staff[sid] = Staff(sid, sid, "LCSW", hire, exit_, "voluntary" if exit_ else None)
        positions[f"P-{sid}"] = Position(f"P-{sid}", kind.title(), "OP", kind)
        assign.append(Assignment(sid, f"P-{sid}", hire, exit_))
    data = OrgData(staff=staff, programs={"OP": Program("OP", "Outpatient", "outpatient")}, positions=positions,
                   assignments=assign, supervision=[Supervision(*s) for s in sups])
    return OrgGraph(data, data_end=data_end)


def year_org():
    """2022. S1 leaves 2022-03-31. Window 100 days = 2022-04-01 .. 2022-07-09.

    Cohort (supervised by S1 on any of 2022-03-02 .. 2022-03-31):
      A1 leaves 04-10 (day 10)        -> counted, 10 days at risk
      A2 leaves 07-09 (day 100, last) -> counted, 100 days at risk
      A3 leaves 07-10 (day 101)       -> not counted, 100 days at risk
      A4 moved to S2 on 03-20 (inside the lookback) -> in cohort, stays, 100 days
      A5 moved to S2 on 02-15 (before the lookback) -> not in cohort
    """
    people = [
        ("D1", "director", D(2022, 1, 1), None),
        ("S1", "supervisor", D(2022, 1, 1), D(2022, 3, 31)),
        ("S2", "supervisor", D(2022, 1, 1), None),
        ("A1", "clinician", D(2022, 1, 1), D(2022, 4, 10)),
        ("A2", "clinician", D(2022, 1, 1), D(2022, 7, 9)),
        ("A3", "clinician", D(2022, 1, 1), D(2022, 7, 10)),
        ("A4", "clinician", D(2022, 1, 1), None),
        ("A5", "clinician", D(2022, 1, 1), D(2022, 5, 1)),
        ("B1", "clinician", D(2022, 1, 1), None),
        ("B2", "clinician", D(2022, 1, 1), None),
        ("B3", "clinician", D(2022, 1, 1), None),
        ("B4", "clinician", D(2022, 1, 1), None),
        ("B5", "clinician", D(2022, 1, 1), D(2022, 6, 30)),
    ]
    sups = [("S1", "D1", D(2022, 1, 1), D(2022, 3, 31)), ("S2", "D1", D(2022, 1, 1), None)]
    for a, end in (("A1", D(2022, 4, 10)), ("A2", D(2022, 7, 9)), ("A3", D(2022, 7, 10))):
        sups += [(a, "S1", D(2022, 1, 1), D(2022, 3, 31)), (a, "S2", D(2022, 4, 1), end)]
    sups += [("A4", "S1", D(2022, 1, 1), D(2022, 3, 19)), ("A4", "S2", D(2022, 3, 20), None)]
    sups += [("A5", "S1", D(2022, 1, 1), D(2022, 2, 14)), ("A5", "S2", D(2022, 2, 15), D(2022, 5, 1))]
    sups += [(b, "S2", D(2022, 1, 1), D(2022, 6, 30) if b == "B5" else None) for b in ("B1", "B2", "B3", "B4", "B5")]
    return build(people, sups, D(2022, 12, 31))


# Clinician person-days in 2022: A1 100, A2 190, A3 191, A4 365, A5 121, B1-B4 1460, B5 181 = 2608.
# Exposed (in S1's window): 10 + 100 + 100 + 100 = 310, with 2 exits (A1, A2).
# Baseline clinicians: 2608 - 310 = 2298 days, 3 exits (A3, A5, B5): hazard 3/2298 per day.
MU = 310 * 3 / 2298  # expected = 0.404700...


def test_cascade_counts_expected_and_boundaries():
    res = supervisor_cascades(year_org(), window_days=100)
    assert [c["supervisor_id"] for c in res.table] == ["S1"]
    c = res.table[0]
    assert c["exit_date"] == "2022-03-31"
    assert c["cohort_size"] == 4                      # A1..A4; not A5 (moved before the lookback)
    assert c["observed"] == 2                         # A1 (day 10) and A2 (day 100, last day of window)
    assert [(d["staff_id"], d["days_after"]) for d in c["departures"]] == [("A1", 10), ("A2", 100)]
    assert c["expected"] == pytest.approx(MU, abs=1e-6)
    assert c["expected"] == pytest.approx(0.404700, abs=1e-6)
    assert c["relative_risk"] == pytest.approx(2 / MU, abs=1e-5)  # 4.9419
    # Garwood 95% for k=2: (0.242209, 7.224688) -> divided by MU
    assert c["ci_low"] == pytest.approx(0.242209 / MU, abs=1e-5)
    assert c["ci_high"] == pytest.approx(7.224688 / MU, abs=1e-4)
    # P(X >= 2 | MU) = 1 - e^-MU (1 + MU) = 0.062826
    p = 1 - math.exp(-MU) * (1 + MU)
    assert c["p_value"] == pytest.approx(p, abs=1e-7)
    assert round(p, 4) == 0.0628
    assert c["p_adjusted"] == pytest.approx(p, abs=1e-7)  # one test: BH changes nothing
    assert c["flagged"] is False                          # 0.0628 >= 0.05
    assert c["window_complete"] is True
    assert supervisor_cascades(year_org(), window_days=100, alpha=0.1).table[0]["flagged"] is True
    assert supervisor_cascades(year_org(), window_days=100, alpha=0.1, min_observed=3).table[0]["flagged"] \
        is False


def test_window_one_day_longer_takes_the_exit_on_day_101():
    c = supervisor_cascades(year_org(), window_days=101).table[0]
    assert [d["staff_id"] for d in c["departures"]] == ["A1", "A2", "A3"]


def test_lookback_shorter_drops_the_supervisee_who_moved():
    # lookback 12 days = 03-20 .. 03-31: A4 left S1 on 03-19, so is out
    c = supervisor_cascades(year_org(), window_days=100, lookback_days=12).table[0]
    assert c["cohort_size"] == 3
    c = supervisor_cascades(year_org(), window_days=100, lookback_days=13).table[0]
    assert c["cohort_size"] == 4


def test_org_level_rate_ratio_by_hand():
    o = supervisor_cascades(year_org(), window_days=100).extras["org"]
    # exposed: 2 exits / 310 days. Baseline: clinicians 3 / 2298, supervisors S1 1 / (90 + 365), director 0 / 365
    assert (o["exposed_exits"], o["exposed_person_days"]) == (2, 310)
    assert (o["baseline_exits"], o["baseline_person_days"]) == (4, 2298 + 455 + 365)
    rr = (2 / 310) / (4 / 3118)                              # 5.02903
    se = math.sqrt(1 / 2 + 1 / 4)
    assert o["hazard_ratio"] == pytest.approx(rr, abs=1e-5)
    assert o["ci_low"] == pytest.approx(rr * math.exp(-1.959964 * se), abs=1e-4)
    assert o["ci_high"] == pytest.approx(rr * math.exp(1.959964 * se), abs=1e-3)
    # role-kind standardised: all exposed time is clinician time, so it equals the cascade's own ratio
    assert o["standardized_ratio"] == pytest.approx(2 / MU, abs=1e-5)
    assert o["baseline_hazard_per_year"]["clinician"] == pytest.approx(3 / 2298 * 365.25, abs=1e-5)
    assert o["days_after"]["count"] == 2 and o["days_after"]["median"] == 55.0
    json.dumps(vars(supervisor_cascades(year_org())))  # plain, JSON-serialisable data


def test_as_of_cuts_the_window():
    # as of 2022-05-31: days 1..61 seen; A1 counted, A2's exit has not happened
    c = supervisor_cascades(year_org(), window_days=100, as_of="2022-05-31").table[0]
    assert c["observed"] == 1 and c["cohort_size"] == 4
    assert c["window_complete"] is False
    # baseline as of 05-31: clinician days A1 100, A2..A4 151 each, A5 121, B1..B5 151 each
    # = 100 + 453 + 121 + 755 = 1429; exposed 10 + 61*3 = 193; baseline 1236 days with one exit (A5)
    assert c["expected"] == pytest.approx(193 / 1236, abs=1e-6)  # 0.156149


def test_same_day_exit_is_not_in_the_cohort():
    people = [("S", "supervisor", D(2022, 1, 1), D(2022, 6, 30)),
              ("X", "clinician", D(2022, 1, 1), D(2022, 6, 30)),
              ("Y", "clinician", D(2022, 1, 1), None)]
    sups = [("X", "S", D(2022, 1, 1), D(2022, 6, 30)), ("Y", "S", D(2022, 1, 1), D(2022, 6, 30))]
    c = supervisor_cascades(build(people, sups, D(2022, 12, 31))).table[0]
    assert c["cohort_size"] == 1 and c["observed"] == 0
    assert c["p_value"] == 1.0


def test_nested_cascade_is_a_child():
    # D leaves 03-31; S (supervised by D) leaves 04-15 (day 15); S's clinicians leave after that.
    people = [("D", "director", D(2022, 1, 1), D(2022, 3, 31)),
              ("S", "supervisor", D(2022, 1, 1), D(2022, 4, 15)),
              ("C1", "clinician", D(2022, 1, 1), D(2022, 5, 1)),
              ("C2", "clinician", D(2022, 1, 1), D(2022, 5, 20)),
              ("C3", "clinician", D(2022, 1, 1), None)]
    sups = [("S", "D", D(2022, 1, 1), D(2022, 3, 31)),
            ("C1", "S", D(2022, 1, 1), D(2022, 4, 15)), ("C2", "S", D(2022, 1, 1), D(2022, 4, 15)),
            ("C3", "S", D(2022, 1, 1), D(2022, 4, 15))]
    res = supervisor_cascades(build(people, sups, D(2022, 12, 31)))
    by = {c["supervisor_id"]: c for c in res.table}
    assert [(ch["supervisor_id"], ch["exit_date"]) for ch in by["D"]["children"]] == [("S", "2022-04-15")]
    assert by["D"]["children"][0] is by["S"]  # the full child record, not a stub
    assert by["S"]["parent"] == "D" and by["S"]["depth"] == 1 and by["D"]["depth"] == 0
    assert [d["days_after"] for d in by["S"]["departures"]] == [16, 35]


def test_nested_cascades_carry_full_records_and_cost_their_exits(riverbend):
    from orgraph.analyses.cost import cost_model
    from orgraph.report.costs import cascade_cost

    res = supervisor_cascades(riverbend)
    parents = [c for c in res.table if c["children"]]
    assert parents, "riverbend has no nested cascade"
    for parent in parents:
        for child in parent["children"]:
            # a full record that is also in the table, not a {supervisor_id, exit_date} stub
            assert any(child is c for c in res.table), child["supervisor_id"]
            assert {"departures", "observed", "expected", "cohort_size"} <= set(child)
            assert child["parent"] == parent["supervisor_id"] and child["depth"] == parent["depth"] + 1
            assert child["observed"] == len(child["departures"])
    model = cost_model(riverbend)
    children_cost = 0.0
    for parent in parents:
        got = cascade_cost(parent, model=model, org=riverbend)
        own = cascade_cost({**parent, "children": []}, model=model, org=riverbend)["excess_cost"]
        kids = sum(cascade_cost(child, model=model, org=riverbend)["total_excess_cost"]
                   for child in parent["children"])
        assert got["excess_cost"] == own
        assert got["children_excess_cost"] == pytest.approx(kids, abs=0.01)
        assert got["total_excess_cost"] == pytest.approx(own + kids, abs=0.01)
        children_cost += kids
    assert children_cost > 0  # nested cascades cost their exits (stubs used to cost nothing)


def test_no_supervisor_exits_gives_empty_result():
    people = [("S", "supervisor", D(2022, 1, 1), None), ("X", "clinician", D(2022, 1, 1), D(2022, 3, 1))]
    res = supervisor_cascades(build(people, [("X", "S", D(2022, 1, 1), D(2022, 3, 1))], D(2022, 12, 31)))
    assert res.table == []
    assert res.extras["org"]["hazard_ratio"] is None and res.extras["org"]["supervisor_exits"] == 0


def write_csv_bundle(org, folder):
    """Write an in-memory org as a bundle folder (the required files)."""
    d = org.data
    st = d.records_frame("staff").rename(columns={"hire_date": "hire_date"})
    st[["staff_id", "name", "discipline", "hire_date", "termination_date", "termination_type",
        "termination_reason"]].to_csv(folder / "staff.csv", index=False)
    d.records_frame("programs").to_csv(folder / "programs.csv", index=False)
    d.records_frame("positions")[["position_id", "title", "program_id", "role_kind"]].to_csv(
        folder / "positions.csv", index=False)
    for name in ("assignments", "supervision"):
        d.records_frame(name).rename(columns={"start": "start_date", "end": "end_date"}).to_csv(
            folder / f"{name}.csv", index=False)
    (folder / "orgraph.toml").write_text(f'[data]\nend = "{org.data_end.isoformat()}"\n')
    return folder


def test_cli_cascades_json_and_table(tmp_path):
    from click.testing import CliRunner

    from orgraph.cli import main

    folder = write_csv_bundle(year_org(), tmp_path)
    r = CliRunner().invoke(main, ["cascades", str(folder), "--window-days", "100", "--format", "json"])
    assert r.exit_code == 0, r.output
    c = json.loads(r.output)["table"][0]
    assert (c["supervisor_id"], c["observed"], c["cohort_size"]) == ("S1", 2, 4)
    assert c["p_value"] == pytest.approx(1 - math.exp(-MU) * (1 + MU), abs=1e-7)
    r = CliRunner().invoke(main, ["cascades", str(folder), "--window-days", "100", "--alpha", "0.1"])
    assert r.exit_code == 0, r.output
    assert "1 flagged cascade)" in r.output and "A1 (+10d); A2 (+100d)" in r.output
    assert "left at 5.03 times the usual rate" in r.output
    r = CliRunner().invoke(main, ["cascades", str(folder), "--format", "csv"])
    assert r.output.splitlines()[0].startswith("supervisor_id,exit_date,cohort_size,observed")
    r = CliRunner().invoke(main, ["cascades", str(folder), "--as-of", "2019-01-01"])
    assert r.exit_code == 1 and "before the first day of data" in r.output


def test_years_before_the_export_window_do_not_dilute_the_baseline():
    """20 veterans hired in 2000 and still there: 22 years with no exit recorded is survivor time.

    The export is taken to start at the first exit (S1, 2022-03-31). Clinician days from then:
    A1 11, A2 101, A3 102, A4 276, A5 32, B1-B4 4 * 276, B5 92, V1-V20 20 * 276 = 7238;
    minus the 310 exposed = 6928 baseline days with 3 exits (A3, A5, B5).
    """
    from orgraph.analyses.exposure import observed_from

    base = year_org()
    assert observed_from(base) == pd.Timestamp("2022-01-01")  # everyone visible from day one: no truncation
    people = [(s.staff_id, base.G.nodes[f"position:P-{s.staff_id}"]["role_kind"], s.hire_date, s.termination_date)
              for s in base.data.staff.values()]
    people += [(f"V{i}", "clinician", D(2000, 1, 1), None) for i in range(1, 21)]
    sups = [(r.staff_id, r.supervisor_id, r.start, r.end) for r in base.data.supervision]
    sups += [(f"V{i}", "S2", D(2022, 1, 1), None) for i in range(1, 21)]
    org = build(people, sups, D(2022, 12, 31))
    assert observed_from(org) == pd.Timestamp("2022-03-31")
    res = supervisor_cascades(org, window_days=100)
    assert res.settings["observed_from"] == "2022-03-31"
    assert res.table[0]["expected"] == pytest.approx(310 * 3 / 6928, abs=1e-6)  # 0.134238


# ---------------------------------------------------------------- planted truth on synthetic orgs
SYNTH_SEEDS = (1, 2, 3, 4, 5)
SYNTH_SIZE = {"staff": 400, "years": 5}


@pytest.mark.slow
def test_planted_cascades_are_flagged(synth_org):
    # measured (400 staff x 5 years, seeds 1-5), expected exits by role kind x tenure band: recall 44/45, 4
    # unplanted cascades flagged in all (at most 2 per org). The miss (seed 4, S0723) is the weakest kind of
    # plant: 3 of a 4-person cohort left, p = 0.0086, BH-adjusted 0.058 over 68 supervisor exits. Counting
    # tenure makes a cohort of new hires expected to lose more people, so such a plant is borderline.
    missed = []
    for seed in SYNTH_SEEDS:
        _, org, truth = synth_org(**SYNTH_SIZE, seed=seed)
        res = supervisor_cascades(org)
        flagged = {c["supervisor_id"] for c in res.table if c["flagged"]}
        planted = {c["supervisor_id"] for c in truth["cascades"]}
        assert planted, f"seed {seed}: nothing planted"
        missed += [c for c in truth["cascades"] if c["supervisor_id"] not in flagged]
        assert len(flagged - planted) <= 3, f"seed {seed}: unplanted cascades flagged: {sorted(flagged - planted)}"
        # nested planted cascades come out as children of their parent
        by = {c["supervisor_id"]: c for c in res.table}
        for c in truth["cascades"]:
            if c["parent"]:
                assert by[c["supervisor_id"]]["parent"] == c["parent"], f"seed {seed}: {c['supervisor_id']}"
    assert len(missed) <= 1, [c["supervisor_id"] for c in missed]
    assert all(len(c["departures"]) <= 3 for c in missed), [c["supervisor_id"] for c in missed]


def test_days_and_exits_by_role_equal_the_groupby(riverbend):
    import numpy as np

    from orgraph.analyses.cascades import _by_role
    from orgraph.analyses.persontime import person_time

    pt = person_time(riverbend)
    at_risk_exit = (pt["exit"] & (pt["days"] > 0)).to_numpy()
    outside = np.arange(len(pt)) % 3 > 0
    want = pd.DataFrame({"days": pt["days"].astype(float), "exits": at_risk_exit.astype(int),
                         "b_exits": (at_risk_exit & outside).astype(int)}).groupby(pt["role_kind"]).sum()
    got = _by_role(pt, at_risk_exit, outside)
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_index_type=False)   # object or str labels
    assert want["exits"].sum() > want["b_exits"].sum() > 0
