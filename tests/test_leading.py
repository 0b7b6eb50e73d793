"""Supervisor exits as a leading indicator: hand-computed program-quarter rates."""
from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from orgraph.analyses.leading import supervisor_exits, supervisor_leading_indicator
from orgraph.errors import AnalysisError
from test_caseload import build


def two_programs():
    """Program X: supervisor SX (leaves 2022-02-15, Q1) over X1 (leaves 2022-05-10, Q2) and X2.
    Program Y: Y1 (leaves 2022-08-01, Q3) and Y2, no supervisor exit. Data: 2022."""
    exits = {"SX": "2022-02-15", "X1": "2022-05-10", "Y1": "2022-08-01"}
    staff = [(s, "2022-01-01", exits.get(s)) for s in ("SX", "X1", "X2", "Y1", "Y2", "SY")]
    seats = [("SX", "PSX", "X", "supervisor", "2022-01-01", exits["SX"]),
             ("SY", "PSY", "Y", "supervisor", "2022-01-01", None)]
    seats += [(s, f"P{s}", s[0], "clinician", "2022-01-01", exits.get(s)) for s in ("X1", "X2", "Y1", "Y2")]
    sup = [("X1", "SX", "2022-01-01", "2022-02-15"), ("X2", "SX", "2022-01-01", "2022-02-15"),
           ("Y1", "SY", "2022-01-01", "2022-08-01"), ("Y2", "SY", "2022-01-01", None)]
    return build(staff, seats, sup, data_end="2022-12-31")


def test_supervisor_exits_need_recent_supervisees():
    se = supervisor_exits(two_programs())
    assert se[["staff_id", "program_id", "supervisees"]].values.tolist() == [["SX", "X", 2]]
    # supervision that ended more than lookback_days before the exit does not count
    assert supervisor_exits(two_programs(), lookback_days=1)["staff_id"].tolist() == ["SX"]


def test_window_rate_ratio_hand_computed():
    res = supervisor_leading_indicator(two_programs())
    w = res.extras["window"]
    # exposed program-quarters (supervisor exit 1-2 quarters before): X Q2 (X1 1 Apr-10 May = 40 + X2 91)
    # and X Q3 (X2 92): 223 days, 1 exit. The rest: X Q1 180, X Q4 92, Y 180 + 182 + (32 + 92) + 92: 850, 1 exit.
    assert (w["exits"], w["reference_exits"]) == (1, 1)
    assert w["rate_ratio"] == pytest.approx(850 / 223)
    z = 1.959963984540054
    assert w["ci_low"] == pytest.approx(850 / 223 * math.exp(-z * math.sqrt(2)))
    assert res.extras["change_pct"] == round(100 * (850 / 223 - 1), 1)
    assert res.summary.startswith("Programs that lost a supervisor saw clinician exits rise by 281% over the "
                                      "next two quarters (rate ratio 3.81, 95% CI")
    assert res.summary.endswith("The interval includes no change, so this may be chance.")
    lag0 = res.table[0]
    assert lag0["lag_quarters"] == 0 and lag0["exits"] == 0 and lag0["person_years"] == round(180 / 365.25, 2)
    json.dumps(res.to_dict())


def test_program_quarter_table():
    res = supervisor_leading_indicator(two_programs())
    q = {(r["program_id"], r["quarter"]): r for r in res.extras["program_quarters"]}
    assert q[("X", "2022-Q1")]["supervisor_exits"] == 1 and not q[("X", "2022-Q1")]["after_supervisor_exit"]
    assert q[("X", "2022-Q2")]["clinician_exits"] == 1 and q[("X", "2022-Q2")]["after_supervisor_exit"]
    assert q[("X", "2022-Q3")]["after_supervisor_exit"] and not q[("X", "2022-Q4")]["after_supervisor_exit"]
    assert q[("Y", "2022-Q3")]["clinician_person_years"] == round(124 / 365.25, 2)
    assert len(q) == 8
    by_p = {r["program_id"]: r for r in res.extras["by_program"]}
    assert by_p["X"]["supervisor_exits"] == 1 and by_p["Y"]["clinician_exits"] == 1


def test_as_of_cuts_the_data():
    res = supervisor_leading_indicator(two_programs(), as_of="2022-05-09")     # the day before X1 leaves
    assert res.extras["window"]["exits"] == 0
    q = {(r["program_id"], r["quarter"]): r for r in res.extras["program_quarters"]}
    assert q[("X", "2022-Q2")]["clinician_person_years"] == round((39 + 39) / 365.25, 2)   # 1 Apr - 9 May
    assert ("X", "2022-Q3") not in q


def test_lag_option_and_errors():
    res = supervisor_leading_indicator(two_programs(), lag_quarters=1)
    assert res.extras["window"]["exits"] == 1 and res.extras["window"]["person_years"] == round(131 / 365.25, 2)
    assert [r["lag_quarters"] for r in res.table] == [0, 1, 2]
    with pytest.raises(AnalysisError, match="lag_quarters must be at least 1"):
        supervisor_leading_indicator(two_programs(), lag_quarters=0)
    no_clin = build([("S", "2022-01-01", None)], [("S", "PS", "X", "supervisor", "2022-01-01", None)])
    with pytest.raises(AnalysisError, match="no clinician seats"):
        supervisor_leading_indicator(no_clin)


def test_cli_leading(monkeypatch):
    import orgraph.cli.analyses as cli
    from orgraph.cli import main

    monkeypatch.setattr(cli, "open_source", lambda source: two_programs())
    r = CliRunner().invoke(main, ["leading", "bundle"])
    assert r.exit_code == 0, r.output
    assert "saw clinician exits rise by 281%" in r.output
    r = CliRunner().invoke(main, ["leading", "bundle", "--by", "quarter", "--format", "csv"])
    assert r.output.splitlines()[0].startswith("program_id,quarter,quarter_start,supervisor_exits")


def test_as_of_outside_the_data_is_an_error():
    from orgraph.analyses._demo import example_org       # data 2021-01-01 .. 2022-06-30

    with pytest.raises(AnalysisError, match="is before the first day of data"):
        supervisor_leading_indicator(example_org(), as_of="2020-12-31")
    with pytest.raises(AnalysisError, match="is after the last day of data"):
        supervisor_leading_indicator(example_org(), as_of="2022-07-01")


def test_clinician_quarters_sum_the_clinician_pieces_of_the_panel(riverbend):
    import pandas as pd

    from orgraph.analyses.leading import _clinician_quarters
    from orgraph.analyses.persontime import person_time

    cut = riverbend.censor
    pt = person_time(riverbend, cut)
    c = pt[(pt["role_kind"] == "clinician") & (pt["days"] > 0)]
    want = pd.DataFrame({"program_id": c["program_id"], "qi": c["mi"] // 3, "person_days": c["days"].astype(float),
                         "clinician_exits": c["exit"].astype(int)}) \
        .groupby(["program_id", "qi"], as_index=False)[["person_days", "clinician_exits"]].sum()
    got = _clinician_quarters(riverbend, cut)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert len(got) > 10 and got["clinician_exits"].sum() > 0


def test_clinician_quarters_match_a_pandas_groupby_of_the_panel(riverbend):
    import numpy as np
    import pandas as pd

    from orgraph.analyses.leading import _clinician_quarters
    from orgraph.analyses.persontime import person_time
    from orgraph.settings import analysis_cut

    cut = analysis_cut(riverbend, None)
    pt = person_time(riverbend, cut)
    c = np.flatnonzero((pt["role_kind"] == "clinician").to_numpy() & (pt["days"].to_numpy() > 0))
    df = pd.DataFrame({"program_id": pt["program_id"].to_numpy(dtype=object)[c], "qi": pt["mi"].to_numpy()[c] // 3,
                       "person_days": pt["days"].to_numpy()[c].astype(float),
                       "clinician_exits": pt["exit"].to_numpy()[c].astype(int)})
    want = df.groupby(["program_id", "qi"], as_index=False)[["person_days", "clinician_exits"]].sum()
    got = _clinician_quarters(riverbend, cut)
    assert len(got) > 20 and got["clinician_exits"].sum() > 0
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_by_program_equals_the_groupby_loop_of_rate_records():
    """All programs' rate ratios at once equal a sorted groupby with one ``rate_record`` per program, value for
    value (fractional person-days summed in each program's own row order; a missing program is no group)."""
    import numpy as np
    import pandas as pd

    from orgraph.analyses.leading import _by_program
    from orgraph.analyses.panel import rate_record

    rng = np.random.default_rng(3)
    n = 600
    pq = pd.DataFrame({"program_id": rng.choice(np.array(["P10", "P2", "A", "Z", None], dtype=object), n),
                       "supervisor_exits": rng.integers(0, 2, n), "clinician_exits": rng.integers(0, 3, n),
                       "person_days": rng.random(n) * 900, "after_supervisor_exit": rng.random(n) < 0.3})
    pq.loc[pq["program_id"] == "Z", "clinician_exits"] = 0          # a program without exits: no ratio
    want = []
    for p, g in pq.groupby("program_id", sort=True):
        f = g["after_supervisor_exit"].to_numpy()
        e, d = g["clinician_exits"].to_numpy(), g["person_days"].to_numpy()
        r = rate_record(e[f].sum(), d[f].sum(), e[~f].sum(), d[~f].sum(), label_a="after", label_b="otherwise")
        want.append((p, int(g["supervisor_exits"].sum()), int(e.sum()), r))
    got = _by_program(pq)
    assert [w[0] for w in want] == ["A", "P10", "P2", "Z"]
    assert json.dumps(got) == json.dumps(want) and got == want
    assert want[0][3]["rate_ratio"] is not None and want[3][3]["rate_ratio"] is None
