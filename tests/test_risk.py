"""Risk list: weights fitted on the past (Poisson person-month model), factors, ranking, filters, CLI."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from orgraph.analyses.risk import RISK_FACTORS, _poisson_fit, risk_list
from orgraph.errors import AnalysisError
from test_caseload import build

MONTHS = [f"{y}-{m:02d}" for y in (2021, 2022) for m in range(1, 13)]
HIGH_EXITS = {"H1": "2021-06-30", "H2": "2021-12-31", "H3": "2022-03-31", "H4": "2022-06-30"}


def burden_org():
    """Ten clinicians document 1.5 h per session hour (H*), ten 0.5 h (L*); H1-H4 and L1 leave. 2021-2022."""
    exits = dict(HIGH_EXITS, L1="2022-06-30")
    ids = [f"H{i}" for i in range(1, 11)] + [f"L{i}" for i in range(1, 11)]
    staff = [(s, "2021-01-01", exits.get(s)) for s in ids]
    seats = [(s, f"P-{s}", "A" if s[0] == "H" else "B", "clinician", "2021-01-01", exits.get(s)) for s in ids]
    doc = {(s, m): (10.0, 15.0 if s[0] == "H" else 5.0) for s in ids for m in MONTHS
           if exits.get(s) is None or m <= exits[s][:7]}
    return build(staff, seats, documentation=doc, data_end="2022-12-31")


def test_poisson_fit_matches_the_rate_ratio():
    coef, se = _poisson_fit(np.array([[0.0], [1.0]]), np.array([3.0, 12.0]), np.array([600.0, 800.0]))
    assert math.exp(coef[1]) == pytest.approx((12 / 800) / (3 / 600), rel=1e-4)
    assert math.exp(coef[0]) == pytest.approx(3 / 600, rel=1e-4)
    assert float(se[1]) == pytest.approx(math.sqrt(1 / 3 + 1 / 12), rel=1e-3)


def burden_glm():
    """statsmodels' Poisson GLM on burden_org's person-time, cut by hand into cells (factor x tenure band).

    Everyone was hired 2021-01-01; a month's tenure band is read on its first day: under 6 months for
    January-July 2021 (181 days on 1 July), 6-12 months for August-December 2021, 1-2 years for 2022.
    Exposed to high documentation burden (ratio >= 1 the month before) is every H month but January 2021.

    ====================  ======================================================  =====  =====
    cell                  person-days                                             days   exits
    ====================  ======================================================  =====  =====
    burden, <6 months     H1 Feb-Jun 150, H2-H10 Feb-Jul 181 each                 1779   1 (H1)
    no burden, <6 months  H Jan 31 x 10 = 310, L Jan-Jul 212 x 10                 2430   0
    burden, 6-12 months   H2-H10 Aug-Dec 153 each                                 1377   1 (H2)
    no burden, 6-12       L Aug-Dec 153 x 10                                      1530   0
    burden, 1-2 years     H3 90, H4 181, H5-H10 365 each                          2461   2 (H3, H4)
    no burden, 1-2 years  L1 181, L2-L10 365 each                                 3466   1 (L1)
    ====================  ======================================================  =====  =====

    Exposed 5617 days with 4 exits, unexposed 7426 with 1, as before the tenure adjustment. The reference band
    is 1-2 years (5927 person-days, the most); the two other bands have one exit each.
    """
    import statsmodels.api as sm

    cells = np.array([  # burden, under 6 months, 6-12 months, exits, days
        [1, 1, 0, 1, 1779], [0, 1, 0, 0, 2430], [1, 0, 1, 1, 1377], [0, 0, 1, 0, 1530],
        [1, 0, 0, 2, 2461], [0, 0, 0, 1, 3466]], dtype=float)
    X = sm.add_constant(cells[:, :3])
    return sm.GLM(cells[:, 3], X, family=sm.families.Poisson(), exposure=cells[:, 4]).fit()


def test_weights_are_the_history_hazard_ratio():
    res = risk_list(burden_org(), as_of="2022-12-31", min_exits=5)
    w = {x["factor"]: x for x in res.extras["weights"]}
    glm = burden_glm()
    hr = math.exp(glm.params[1])   # ~5.35: the crude (4 / 5617) / (1 / 7426) = 5.29, adjusted for tenure
    assert w["high_doc_burden"]["hazard_ratio"] == pytest.approx(hr, rel=1e-3)
    assert w["high_doc_burden"]["exits_exposed"] == 4
    assert w["high_doc_burden"]["person_years_exposed"] == round(5617 / 365.25, 2)
    assert w["high_doc_burden"]["ci_low"] == pytest.approx(math.exp(glm.params[1] - 1.959964 * glm.bse[1]), rel=1e-3)
    assert w["high_doc_burden"]["weight"] == pytest.approx(math.log(hr), rel=1e-3)
    for f in ("supervisor_left", "overloaded_supervisor", "churn_seat", "sustained_high_caseload",
              "supervisor_high_risk"):
        assert not w[f]["fitted"] and w[f]["weight"] == 0.0
    assert res.extras["fit"] == {"exits": 5, "person_years": round((5617 + 7426) / 365.25, 1), "months": 24}
    assert res.extras["baseline_exit_rate_per_year"] == pytest.approx(math.exp(glm.params[0]) * 365.25, rel=1e-3)
    t = {x["band"]: x for x in res.extras["tenure_weights"]}
    assert t["1-2 years"]["reference"] and t["1-2 years"]["hazard_ratio"] == 1.0 and t["1-2 years"]["weight"] == 0
    assert t["under 6 months"]["hazard_ratio"] == pytest.approx(math.exp(glm.params[2]), rel=1e-3)
    assert t["6-12 months"]["hazard_ratio"] == pytest.approx(math.exp(glm.params[3]), rel=1e-3)
    assert (t["under 6 months"]["person_years"], t["under 6 months"]["exits"]) == (round(4209 / 365.25, 2), 1)
    assert not t["2 years or more"]["fitted"] and t["2 years or more"]["folded"] == "no person-time"
    json.dumps(res.to_dict())


def test_ranking_scores_and_probability():
    res = risk_list(burden_org(), as_of="2022-12-31", min_exits=5)
    assert res.extras["employed"] == 15 and res.extras["with_factors"] == 6
    top = res.table[:6]
    assert [r["staff_id"] for r in top] == ["H10", "H5", "H6", "H7", "H8", "H9"]
    glm = burden_glm()
    hr, base = math.exp(glm.params[1]), math.exp(glm.params[0])     # everyone is in the reference band (1-2 years)
    r = top[0]
    assert r["factors"] == ["high_doc_burden"] and r["rank"] == 1 and r["tenure_band"] == "1-2 years"
    assert r["details"] == ["documentation 1.50 hours per session hour last month"]
    assert r["relative_hazard"] == pytest.approx(hr, rel=1e-3)
    assert r["exit_probability"] == pytest.approx(1 - math.exp(-hr * base * 90), rel=1e-3)
    assert res.table[6]["factors"] == [] and res.table[6]["relative_hazard"] == 1.0
    assert f"the strongest was high doc burden: {hr:.1f} times the exit rate" in res.summary
    # nobody left in the 90 days before 2022-12-31, so the list cannot be checked
    assert res.extras["validation"]["withheld"] and res.extras["validation"]["exits"] == 0
    assert res.summary.endswith("The ranked list is withheld. Too few exits (0) after 2022-10-02 to check the list; "
                                "it is not shown.")


def test_filters_and_top():
    org = burden_org()
    assert [r["staff_id"] for r in risk_list(org, min_exits=5, top=2).table] == ["H10", "H5"]
    only_b = risk_list(org, min_exits=5, program="B").table
    assert {r["program_id"] for r in only_b} == {"B"} and len(only_b) == 9 and only_b[0]["rank"] == 7
    assert risk_list(org, min_exits=5, supervisor="nobody").table == []


def test_weights_use_only_the_past():
    # on 2021-12-31 only H1 and H2 had left (both high burden): too few exits for the default 10
    with pytest.raises(AnalysisError, match=r"only 2 exits in the history before 2021-12-31; the risk weights "
                                            r"need at least 10 \(set \[risk\] min_exits to lower this\)"):
        risk_list(burden_org(), as_of="2021-12-31")
    res = risk_list(burden_org(), as_of="2021-12-31", min_exits=2)
    assert res.extras["fit"]["exits"] == 2 and res.extras["fit"]["months"] == 12
    with pytest.raises(AnalysisError, match="after the last day of data"):
        risk_list(burden_org(), as_of="2023-02-01", min_exits=1)


def test_as_of_before_the_data_is_an_error():
    from orgraph.analyses._demo import example_org       # data 2021-01-01 .. 2022-06-30

    with pytest.raises(AnalysisError, match="before the first day of data"):
        risk_list(example_org(), as_of="2020-06-30")


def test_supervisor_factors_on_the_example_org():
    from orgraph.analyses._demo import example_org

    res = risk_list(example_org(), as_of="2022-04-30", min_exits=1)
    by_id = {r["staff_id"]: r for r in res.table}
    assert by_id["C1"]["factors"] == ["supervisor_left", "sustained_high_caseload", "high_doc_burden"]
    assert by_id["C1"]["details"][0] == "a supervisor left 45 days ago"
    assert by_id["C4"]["factors"] == []
    assert set(RISK_FACTORS) == {w["factor"] for w in res.extras["weights"]}


def test_overloaded_supervisor_and_high_risk_supervisor_flags():
    # B supervises 9 people (more than [overload] max_span 8, so `orgraph overload` flags B); B's own supervisor
    # left 10 days before as_of.
    team = [f"T{i}" for i in range(9)]
    staff = [("TOP", "2020-01-01", "2022-06-20"), ("B", "2020-01-01", None)] + [(t, "2020-01-01", None) for t in team]
    staff += [("X1", "2020-01-01", "2021-03-31"), ("X2", "2020-01-01", "2021-09-30")]
    seats = [(s, f"P-{s}", "A", "supervisor" if s in ("TOP", "B") else "clinician", h, e) for s, h, e in staff]
    sup = [("B", "TOP", "2020-01-01", "2022-06-20")] + [(t, "B", "2020-01-01", None) for t in team]
    org = build(staff, seats, sup, data_end="2022-06-30")
    res = risk_list(org, as_of="2022-06-30", min_exits=1, supervisor_high_hr=1.0)
    by_id = {r["staff_id"]: r for r in res.table}
    assert by_id["B"]["factors"] == ["supervisor_left"]
    assert by_id["T0"]["factors"] == ["overloaded_supervisor", "supervisor_high_risk"]
    b = f"{org.data.staff['B'].name} (B)"                 # by name, with the id
    assert by_id["T0"]["details"] == [f"supervisor {b} is overloaded (direct span averaged 9.0 supervisees (limit 8))",
                                      f"supervisor {b} is at high risk of leaving"]


def test_cli_risk(monkeypatch):
    import orgraph.cli.analyses as cli
    from orgraph.cli import main

    monkeypatch.setattr(cli, "open_source", lambda source: burden_org())
    r = CliRunner().invoke(main, ["risk", "bundle", "--as-of", "2022-12-31", "--min-exits", "5", "--top", "3"])
    assert r.exit_code == 0, r.output
    assert "Risk of leaving as of 2022-12-31: 6 of 15 employed people have at least one risk factor" in r.output
    assert f"high doc burden x{math.exp(burden_glm().params[1]):.2f}" in r.output
    r = CliRunner().invoke(main, ["risk", "bundle", "--min-exits", "5", "--format", "csv"])
    assert r.output.splitlines()[1].startswith("1,H10,Name H10,clinician,A,P-H10,,729,1-2 years,high_doc_burden,")
    r = CliRunner().invoke(main, ["risk", "bundle"])
    assert r.exit_code == 1 and "Error: only 5 exits in the history" in r.output


def test_risk_reads_the_overload_result_of_its_day(monkeypatch):
    # the audit runs `overload` and then `risk` on the same day: the overload analysis runs once for that day
    # and never again for the list; the check of the list, on its own training day, computes only the flags
    import orgraph.analyses.overload as overload

    team = [f"T{i}" for i in range(9)]
    staff = [("TOP", "2020-01-01", "2022-06-20"), ("B", "2020-01-01", None)] + [(t, "2020-01-01", None) for t in team]
    staff += [("X1", "2020-01-01", "2021-03-31"), ("X2", "2020-01-01", "2021-09-30")]
    seats = [(s, f"P-{s}", "A", "supervisor" if s in ("TOP", "B") else "clinician", h, e) for s, h, e in staff]
    sup = [("B", "TOP", "2020-01-01", "2022-06-20")] + [(t, "B", "2020-01-01", None) for t in team]
    org = build(staff, seats, sup, data_end="2022-06-30")
    days, flag_days = [], []
    real, real_flags = overload._overloaded_supervisors, overload._flagged
    monkeypatch.setattr(overload, "_overloaded_supervisors", lambda o, st, cut: days.append(cut) or real(o, st, cut))
    monkeypatch.setattr(overload, "_flagged", lambda o, st, cut: flag_days.append(cut) or real_flags(o, st, cut))
    over = overload.overloaded_supervisors(org, as_of="2022-06-30")
    assert [s["supervisor_id"] for s in over.table if s["overloaded"]] == ["B"]
    over.table[0]["reasons"].append("changed by a caller")        # a caller's copy: nothing shared changes
    res = risk_list(org, as_of="2022-06-30", min_exits=1, supervisor_high_hr=1.0)
    assert "overloaded_supervisor" in {r["staff_id"]: r for r in res.table}["T0"]["factors"]
    assert overload.flagged_supervisors(org, as_of="2022-06-30") == {
        "B": ["direct span averaged 9.0 supervisees (limit 8)"]}
    assert [d.date().isoformat() for d in days] == ["2022-07-01"]             # the list's day: the full table
    assert [d.date().isoformat() for d in flag_days] == ["2022-04-02"]        # the check's: the flags only


def test_risk_reads_the_shared_monthly_table_and_its_band_lookups(riverbend, monkeypatch):
    # the list's history is the shared monthly factor table itself when every month is history (no copy), and
    # banding the people employed on the day reuses the caseload bands built for that table
    from orgraph.analyses import departures, risk

    table = departures.monthly_factors(riverbend)
    hist, _ = risk._history(riverbend, riverbend.data_end)
    for col in ("exit", "days", "sup_left_days", "doc_ratio", "sc"):      # views of the shared table
        assert np.shares_memory(hist[col], table[col].to_numpy()), col
    earlier, _ = risk._history(riverbend, "2024-06-30")
    assert earlier["mi"].max() < table["mi"].max() and len(earlier["exit"]) < len(table)
    assert len(earlier["exit"]) == (table["mi"] < np.datetime64("2024-07", "M").astype(int)).sum()
    assert np.shares_memory(earlier["days"], table["days"].to_numpy())     # the first rows: still views
    assert len(earlier["supervisor_id"]) == len(earlier["exit"])
    from orgraph.analyses import panel

    rebuilt, banded = [], []
    real_runs, real_bands = panel._caseload_runs, departures._caseload_bands
    monkeypatch.setattr(panel, "_caseload_runs", lambda *a, **k: rebuilt.append(1) or real_runs(*a, **k))
    monkeypatch.setattr(departures, "_caseload_bands",
                        lambda org, months=None: banded.append(months) or real_bands(org, months))
    res = risk_list(riverbend)
    # the caseload runs are the shared ones, and the people employed on a day band one month's records only
    assert rebuilt == [] and res.table
    assert banded and all(m is not None and len(m) == 1 for m in banded)


def test_risk_cells_match_a_pandas_groupby():
    from orgraph.analyses.risk import _cells

    rng = np.random.default_rng(11)
    n = 2000
    cols = [rng.random(n) < 0.2, rng.random(n) < 0.5, rng.random(n) < 0.01]
    events = (rng.random(n) < 0.05).astype(float)
    days = np.where(rng.random(n) < 0.1, 0, rng.integers(1, 32, n)).astype(float)
    cols[2][days == 0] = True
    frame = pd.DataFrame({str(i): c for i, c in enumerate(cols)}).assign(_e=events, _d=days)
    want = frame.groupby([str(i) for i in range(3)], as_index=False)[["_e", "_d"]].sum()
    want = want[want["_d"] > 0]
    x, e, d = _cells(cols, events, days)
    assert x.tolist() == want[["0", "1", "2"]].to_numpy(float).tolist()
    assert e.tolist() == want["_e"].tolist() and d.tolist() == want["_d"].tolist()


def test_fit_on_the_combination_table_is_the_fit_on_every_row(monkeypatch):
    """With whole days and 0/1 exits the fit reads one table of sums per combination of factors and band: the
    cells, exposures and every number of the result are those the rows give."""
    from orgraph.analyses import risk

    rng = np.random.default_rng(8)
    n = 20000
    flags = {"a": rng.random(n) < 0.3, "b": rng.random(n) < 0.1, "c": rng.random(n) < 0.002}
    band = rng.integers(0, 4, n)
    days = np.where(rng.random(n) < 0.05, 0, rng.integers(1, 32, n)).astype(float)
    rate = 0.0005 * np.exp(0.8 * flags["a"] + 0.4 * flags["b"])
    events = (rng.random(n) < rate * days).astype(float)
    e, d, b, m = risk._combinations(list(flags.values()), band, 4, events, days, list(flags))
    cols = lambda mk, bd: [mk["a"], mk["c"], bd == 2]                          # noqa: E731
    for got, want in zip(risk._cells(cols(m, b), e, d), risk._cells(cols(flags, band), events, days)):
        assert np.array_equal(got, want)
    fit = risk._fit(flags, band, events, days, ["a", "b", "c"])
    monkeypatch.setattr(risk, "_whole", lambda values: False)                 # the rows themselves
    assert _same(fit, risk._fit(flags, band, events, days, ["a", "b", "c"]))
    assert fit["factors"]["a"]["fitted"] and not fit["factors"]["c"]["fitted"]


def _same(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    return a == b


def test_supervisor_rows_of_a_history_are_its_own_lookup(riverbend):
    """The supervisor rows found once on the shared monthly table serve every history that is its first rows:
    they are what a lookup on the history alone gives."""
    from orgraph.analyses import risk
    from orgraph.analyses.departures import grid_lookup

    for day in ("2024-06-30", riverbend.data_end):
        hist, _ = risk._history(riverbend, day)
        want = grid_lookup(hist["sup_sc"], hist["prev_mi"], hist["sc"], hist["prev_mi"])
        assert hist["sup_row"].tolist() == want.tolist() and (want >= 0).any()


def test_person_names_equal_the_staff_records(riverbend):
    from dataclasses import replace

    from orgraph.analyses.risk import _person
    from orgraph.graph import OrgGraph

    def by_records(org, sid):
        s = org.data.staff.get(sid)
        return f"{s.name} ({sid})" if s is not None and s.name else str(sid)

    ids = list(riverbend.staff_frame.index[:60]) + ["nobody"]
    assert [_person(riverbend, sid) for sid in ids] == [by_records(riverbend, sid) for sid in ids]
    staff = [("A", "2020-01-01", None), ("B", "2020-01-01", None)]
    org = build(staff, [(s, f"P-{s}", "A", "clinician", h, e) for s, h, e in staff], [], data_end="2022-06-30")
    org.data.staff["A"] = replace(org.data.staff["A"], name="")
    org.data.staff["B"] = replace(org.data.staff["B"], name=None)
    org = OrgGraph(org.data, data_end=org.data_end)
    assert [_person(org, s) for s in ("A", "B")] == ["A", "B"] == [by_records(org, s) for s in ("A", "B")]


def test_own_score_by_combination_equals_the_row_product():
    from orgraph.analyses.risk import _OWN, _own_score

    rng = np.random.default_rng(5)
    for n in (0, 1, 7, 5000, 50_001):
        flags = {f: rng.random(n) < 0.3 for f in _OWN}
        for w in (np.array([0.31, 0.0, 1.7, 0.05, 0.9]), rng.random(5) * 3, np.zeros(5)):
            want = np.column_stack([flags[f] for f in _OWN]).astype(float) @ w if n else np.zeros(0)
            assert _own_score(flags, w).tolist() == want.tolist()


def test_supervisor_high_a_chunk_at_a_time_equals_the_row_by_row_rule(monkeypatch):
    import orgraph.analyses.risk as rk

    rng = np.random.default_rng(4)
    score = rng.normal(0.3, 1.0, 400)
    score[::17] = np.nan
    j = rng.integers(-1, 400, 1000).astype(np.int32)
    want = [j_ >= 0 and not math.isnan(score[j_]) and score[j_] >= 0.4 for j_ in j.tolist()]
    monkeypatch.setattr(rk, "_CHUNK", 64)
    got = rk._supervisor_high(None, {"sup_row": j}, score, 0.4)
    assert got.dtype == bool and got.tolist() == want and 0 < sum(want) < len(want)


def test_combinations_a_chunk_at_a_time_equal_a_groupby(monkeypatch):
    import orgraph.analyses.risk as rk

    rng = np.random.default_rng(8)
    n = 900
    masks = [rng.random(n) < p for p in (0.2, 0.5, 0.7)]
    band = rng.integers(0, 4, n)
    events, days = rng.random(n) < 0.05, rng.integers(0, 31, n).astype(np.int32)
    monkeypatch.setattr(rk, "_CHUNK", 100)
    e, d, b, m = rk._combinations(masks, band, 4, events, days, ["a", "b", "c"])
    frame = pd.DataFrame({"a": masks[0], "b": masks[1], "c": masks[2], "band": band, "e": events, "d": days})
    want = frame.groupby(["a", "b", "c", "band"])[["e", "d"]].sum()
    got = pd.DataFrame({"a": m["a"], "b": m["b"], "c": m["c"], "band": b, "e": e, "d": d})
    got = got[got["d"] > 0].set_index(["a", "b", "c", "band"])
    want = want[want["d"] > 0].astype(float)
    pd.testing.assert_frame_equal(got, want)
    assert rk._counts(days) is days and rk._counts(days / 2.0).dtype.kind == "f"


def test_round_and_months_match_rounded_and_numpy_unique():
    from orgraph.analyses.panel import rounded
    from orgraph.analyses.risk import _months, _round

    rng = np.random.default_rng(8)
    values = np.r_[rng.normal(0, 3, 2000), np.exp(rng.normal(0, 3, 2000)), np.nan, 0.12345, 2.5e-5]
    for nd in (3, 4):
        assert [_round(x, nd) for x in values.tolist()] == [rounded(x, nd) for x in values]
    mi = rng.integers(600, 720, 5000).astype(np.int32)
    assert _months(mi) == len(np.unique(mi)) and _months(mi[:0]) == 0
