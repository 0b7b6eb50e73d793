"""Retention curves: Kaplan-Meier inside the export window, checked against a product-limit by hand."""
from __future__ import annotations

from conftest import ANON_KEY

import numpy as np
import pytest

from orgraph.analyses.exposure import observed_from, people
from orgraph.analyses.retention import MONTH_DAYS, retention_curves


def _product_limit(dur, ev, entry, t):
    """S(t) = product over exit times u <= t of (1 - exits at u / people at risk at u); at risk at u means
    entered before u and not yet gone (entry < u <= duration)."""
    s = 1.0
    for u in np.unique(dur[ev & (dur <= t)]):
        n = ((entry < u) & (dur >= u)).sum()
        d = (ev & (dur == u)).sum()
        s *= 1 - d / n
    return s


def test_the_curve_from_hire_is_the_left_truncated_product_limit(riverbend):
    res = retention_curves(riverbend)
    head = res.table[0]
    cut = riverbend.censor
    obs0 = observed_from(riverbend, cut)
    P = people(riverbend, cut)
    P = P[P["end"] > obs0]
    entry = (P["hire"].clip(lower=obs0) - P["hire"]).dt.days.to_numpy()
    dur = (P["end"] - P["hire"]).dt.days.to_numpy()
    ev = (P["exited"] & (P["exit"] >= obs0)).to_numpy()
    assert head["curve"] == "hires" and head["people"] == len(P) and head["exits"] == 229
    for m in (3, 6, 12, 24):
        assert head["points"][m]["share"] == pytest.approx(_product_limit(dur, ev, entry, m * MONTH_DAYS), abs=1e-4)
    # people hired before the export window enter late: ignoring that would make retention look better
    naive = _product_limit(dur, ev, np.zeros_like(entry), 12 * MONTH_DAYS)
    assert naive > head["share_12m"] + 0.05


def test_after_a_supervisor_left_follows_the_cascade_cohorts(riverbend):
    from orgraph.analyses.cascades import supervisor_cascades

    res = retention_curves(riverbend)
    left = next(r for r in res.table if r["curve"] == "supervisor left")
    comp = next(r for r in res.table if r["curve"] == "comparison")
    cas = supervisor_cascades(riverbend)
    assert left["people"] == sum(c["cohort_size"] for c in cas.table)
    assert left["share_6m"] < comp["share_6m"]              # the example plants cascades
    assert all(p["ci_low"] <= p["share"] <= p["ci_high"] for p in left["points"])


def test_programs_with_too_few_people_get_no_curve(riverbend):
    res = retention_curves(riverbend)
    progs = [r for r in res.table if r["curve"] == "program"]
    assert progs and all(r["people"] >= 20 for r in progs)
    assert {r["program_id"] for r in progs} <= set(riverbend.data.programs)


def test_the_pack_draws_the_curves(riverbend):
    from orgraph.registry import run_analyses
    from orgraph.render.pack_page import _charts
    from orgraph.report.pack import pack_tables

    results, _ = run_analyses(riverbend, names={"retention"})
    tables = pack_tables(riverbend, as_of=riverbend.data_end, results=results)
    charts = "".join(_charts(tables, 5))
    assert "Share still here N months after hire" in charts and "Outpatient (" in charts
    anon = pack_tables(riverbend, as_of=riverbend.data_end, results=results, anonymize=True, key=ANON_KEY)
    assert all(r["share_still_here"] is None or isinstance(r["share_still_here"], float) for r in anon["retention"])
    assert any(r["people_at_risk"] == "<5" for r in anon["retention"]) or min(
        r["people_at_risk"] for r in tables["retention"]) >= 5


def test_a_curve_whose_risk_set_runs_out_is_still_drawn_without_an_interval():
    """lifelines refuses a left-truncated curve whose risk set empties (the only person followed early on leaves
    before the others enter); the curve is then the product-limit by hand, without an interval, and is not shown
    where it fell to 0 with people still to follow or where fewer than 5 people are followed."""
    from lifelines import KaplanMeierFitter
    from lifelines.exceptions import StatError

    from orgraph.analyses.retention import _km

    entry = np.array([0.0, 200, 200, 200, 200, 200, 200])
    dur = np.array([100.0, 300, 350, 360, 370, 380, 390])
    ev = np.array([True, True, False, True, False, False, False])
    with pytest.raises(StatError):
        KaplanMeierFitter().fit(dur, ev, entry=entry)
    row = _km(dur, ev, entry, 24, "late entrants", "hires")
    assert row["points"][1]["share"] is None and row["points"][1]["at_risk"] == 1      # one person followed
    # the product-limit falls to 0 on day 100 with six people still to enter: not a curve to show
    assert row["points"][7]["at_risk"] == 6 and row["points"][7]["share"] is None


def test_kaplan_meier_is_lifelines_to_the_last_bit():
    """The vectorised estimate equals KaplanMeierFitter's survival function and interval bit for bit, on data with
    ties, late entries and entries on an exit day; and it refuses the same risk sets lifelines refuses."""
    import numpy as np
    from lifelines import KaplanMeierFitter
    from lifelines.exceptions import StatError

    from orgraph.analyses.retention import RiskSetEmptied, kaplan_meier

    rng = np.random.default_rng(11)
    checked = refused = 0
    cases = [(np.array([1.0, 5, 6, 7]), np.array([0.0, 2, 2, 2]), np.array([True, False, True, True]))]
    for trial in range(60):
        n = int(rng.integers(1, 80))
        entry = np.where(rng.random(n) < 0.4, rng.integers(0, 300, n), 0).astype(float)
        d = entry + rng.integers(0 if trial % 3 else 1, 400, n)
        cases.append((d, entry, rng.random(n) < 0.6))
    for d, entry, e in cases:
        try:
            kmf = KaplanMeierFitter(alpha=0.05).fit(d, event_observed=e, entry=entry)
        except StatError:
            with pytest.raises(RiskSetEmptied):
                kaplan_meier(d, e, entry)
            refused += 1
            continue
        t, s, lo, hi = kaplan_meier(d, e, entry)
        ci = kmf.confidence_interval_survival_function_
        assert np.array_equal(t, kmf.survival_function_.index.to_numpy())
        assert np.array_equal(s, kmf.survival_function_.iloc[:, 0].to_numpy(), equal_nan=True)
        assert np.array_equal(lo, ci.iloc[:, 0].to_numpy(), equal_nan=True)
        assert np.array_equal(hi, ci.iloc[:, 1].to_numpy(), equal_nan=True)
        checked += 1
    assert checked > 30 and refused == 1


def test_first_program_matches_drop_duplicates_on_staff_ids():
    """The program of each person's first row with person-time equals the pandas drop_duplicates/map it replaces."""
    import numpy as np
    import pandas as pd

    from orgraph.analyses.retention import first_program

    rng = np.random.default_rng(6)
    n = 3000
    sc = np.sort(rng.integers(0, 400, n))
    pt = pd.DataFrame({"sc": sc, "staff_id": [f"S{c:04d}" for c in sc], "days": rng.integers(0, 3, n),
                       "program_id": np.array(["P1", "P2", None, "P3"], dtype=object)[rng.integers(0, 4, n)]})
    first = pt[pt["days"] > 0].drop_duplicates("staff_id").set_index("staff_id")["program_id"]
    people = np.arange(-1, 420)
    want = pd.Index([f"S{c:04d}" for c in people]).map(first).to_numpy(dtype=object)
    got = first_program(pt, people)
    assert [None if w is None or w != w else w for w in want] == [None if g is None or g != g else g for g in got]
    assert sum(g is not None for g in got) > 200


def test_event_table_counts_whole_days_as_the_sorted_table_does():
    """The counted event table (whole-number times) equals the one built from the sorted distinct times, and
    fractional times take the sorted way with the same answer."""
    import numpy as np

    from orgraph.analyses.retention import event_table

    rng = np.random.default_rng(5)
    for trial in range(40):
        n = int(rng.integers(1, 300))
        n0 = np.where(rng.random(n) < 0.3, rng.integers(-20, 200, n), 0).astype(float)
        d = n0 + rng.integers(0, 500, n)
        if trial % 4 == 0:
            d = d + 0.5
        e = rng.random(n) < 0.5
        t, removed, deaths, entrance = event_table(d, e, n0)
        want = np.unique(np.concatenate([d, n0]))
        assert np.array_equal(t, want)
        assert removed.tolist() == [int((d == x).sum()) for x in want]
        assert deaths.tolist() == [int(((d == x) & e).sum()) for x in want]
        assert entrance.tolist() == [int((n0 == x).sum()) for x in want]
