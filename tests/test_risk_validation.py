"""The risk list proves itself: the check on past exits, the tenure adjustment and fits that never fail."""
from __future__ import annotations

import inspect
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import mannwhitneyu

import orgraph.analyses.risk as risk
from orgraph.analyses.risk import concordance, risk_list, risk_validation
from test_caseload import build

# --------------------------------------------------------------------------- helpers


def _months(first: str, last: str) -> list[str]:
    """``YYYY-MM`` from ``first`` to ``last`` inclusive."""
    y, m = map(int, first.split("-"))
    out = []
    while f"{y}-{m:02d}" <= last:
        out.append(f"{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _brute_c(score, left) -> float:
    """Harrell's C pair by pair: the leaver scores higher 1, a tie 1/2."""
    s, y = np.asarray(score, float), np.asarray(left, bool)
    pairs = [(a, b) for a in s[y] for b in s[~y]]
    return sum(1.0 if a > b else 0.5 if a == b else 0.0 for a, b in pairs) / len(pairs)


# H30 clinicians document 1.5 h per session hour, L30 0.5 h; all hired 2020-01-01, data end 2022-12-31.
# Before the training day 2022-10-02 (90 days before the end) 8 H and 3 L leave; after it 4 H and 2 L.
HISTORY = {**{f"H{i:02d}": d for i, d in enumerate(
    ["2020-05-31", "2020-09-30", "2021-01-31", "2021-04-30", "2021-07-31", "2021-11-30", "2022-03-31",
     "2022-07-31"], start=1)},
    "L01": "2020-08-31", "L02": "2021-06-30", "L03": "2022-05-31"}
HORIZON = {"H09": "2022-10-20", "H10": "2022-11-15", "H11": "2022-12-05", "H12": "2022-12-31",
           "L04": "2022-11-01", "L05": "2022-12-20"}


def two_group_org():
    exits = {**HISTORY, **HORIZON}
    ids = [f"H{i:02d}" for i in range(1, 31)] + [f"L{i:02d}" for i in range(1, 31)]
    staff = [(s, "2020-01-01", exits.get(s)) for s in ids]
    seats = [(s, f"P-{s}", "A", "clinician", "2020-01-01", exits.get(s)) for s in ids]
    doc = {(s, m): (10.0, 15.0 if s[0] == "H" else 5.0) for s in ids for m in _months("2020-01", "2022-12")
           if exits.get(s) is None or m <= exits[s][:7]}
    return build(staff, seats, documentation=doc, data_end="2022-12-31")


# --------------------------------------------------------------------------- (a) the concordance


def test_concordance_is_the_mann_whitney_u_over_pairs():
    rng = np.random.default_rng(3)
    score = rng.integers(0, 6, size=80).astype(float)       # many ties
    left = rng.random(80) < 0.3
    n1, n0 = int(left.sum()), int((~left).sum())
    c, lo, hi = concordance(score, left)
    u = mannwhitneyu(score[left], score[~left], alternative="two-sided", method="asymptotic").statistic
    assert c == pytest.approx(u / (n1 * n0), abs=1e-12)
    assert c == pytest.approx(_brute_c(score, left), abs=1e-12)
    # Hanley & McNeil (1982): se^2 = [A(1-A) + (n1-1)(Q1-A^2) + (n0-1)(Q2-A^2)] / (n1 n0)
    q1, q2 = c / (2 - c), 2 * c * c / (1 + c)
    se = math.sqrt((c * (1 - c) + (n1 - 1) * (q1 - c * c) + (n0 - 1) * (q2 - c * c)) / (n1 * n0))
    assert (lo, hi) == (pytest.approx(max(0, c - 1.959964 * se)), pytest.approx(min(1, c + 1.959964 * se)))
    assert concordance([1.0, 2.0], [False, False]) == (None, None, None)
    assert concordance([1.0, 2.0, 3.0], [False, False, True])[0] == 1.0


def test_validation_on_a_constructed_org():
    org = two_group_org()
    v = risk_validation(org, as_of="2022-12-31")
    assert v["t0"] == "2022-10-02" and v["trained_until"] == "2022-09-30" and v["horizon_days"] == 90
    # scored on 2022-10-02: 22 H (score w > 0) and 27 L (score 0), all in the same tenure band (2 years or more).
    # Leavers: 4 H, 2 L. Pairs: 6 x 43 = 258. H leaver vs L stayer (4 x 25) wins; H leaver vs H stayer (4 x 18)
    # and L leaver vs L stayer (2 x 25) tie; L leaver vs H stayer loses. C = (100 + 36 + 25) / 258.
    assert (v["people"], v["exits"]) == (49, 6)
    assert v["concordance"] == pytest.approx(161 / 258, abs=1e-4)
    score = np.array([1.0] * 22 + [0.0] * 27)
    left = np.array([True] * 4 + [False] * 18 + [True] * 2 + [False] * 25)
    u = mannwhitneyu(score[left], score[~left]).statistic
    assert v["concordance"] == pytest.approx(u / (6 * 43), abs=1e-4)
    lo, hi = concordance(score, left)[1:]
    assert (v["ci_low"], v["ci_high"]) == (pytest.approx(lo, abs=1e-4), pytest.approx(hi, abs=1e-4))
    assert v["ci_low"] <= 0.5 and v["withheld"]
    assert v["reason"] == (f"Checked on the 6 exits after 2022-10-02, the list ranked leavers above stayers 62% of "
                           f"the time (95% interval {100 * lo:.0f}%–{100 * hi:.0f}%): no better than chance, so it "
                           f"is not shown.")
    # deciles of 5 people (the last 4), ranked as in the list (ties by id): H09-H13, H14-H18, ...; predicted = the
    # sum of the probabilities the list of 2022-10-02 gives
    assert sum(d["people"] for d in v["deciles"]) == 49 and sum(d["observed"] for d in v["deciles"]) == 6
    on_t0 = risk_list(org, as_of="2022-10-02")
    assert on_t0.extras["fit"]["exits"] == 11
    assert sum(d["predicted"] for d in v["deciles"]) == pytest.approx(
        sum(r["exit_probability"] for r in on_t0.table), abs=0.05)
    assert [d["people"] for d in v["deciles"]] == [5] * 9 + [4]
    assert [d["observed"] for d in v["deciles"]] == [4, 0, 0, 0, 2, 0, 0, 0, 0, 0]   # H29 H30 L04 L05 L06 in 5
    # the list for 2022-12-31 carries this check and says why it is withheld
    res = risk_list(org)
    assert res.extras["validation"] == v
    assert res.summary.endswith("The ranked list is withheld. " + v["reason"])


def test_too_few_exits_and_too_little_history():
    org = two_group_org()
    v = risk_validation(org, as_of="2022-11-30")          # t0 2022-09-01: only H09, H10 and L04 leave by 11-30
    assert (v["exits"], v["withheld"]) == (3, True)
    assert v["reason"] == "Too few exits (3) after 2022-09-01 to check the list; it is not shown."
    assert v["concordance"] is not None
    v = risk_validation(org, as_of="2020-12-31", min_exits=5)   # months before 2020-10: H01, H02 and L01
    assert v["withheld"] and v["concordance"] is None and v["people"] == 0
    assert v["reason"] == ("Too little history to check the list: only 3 exits before 2020-10-02 to fit the weights "
                           "on (at least 5 needed); it is not shown.")
    v = risk_validation(org, as_of="2020-02-15")
    assert v["withheld"] and "before the first day of data (2020-01-01)" in v["reason"]
    with pytest.raises(TypeError, match="unexpected setting"):
        risk_validation(org, windw_days=30)


# --------------------------------------------------------------------------- (b) a synthetic org


def test_validation_on_a_synthetic_org(synth_org):
    _, org, _ = synth_org(staff=400, years=5, seed=1)
    v = risk_validation(org)
    assert v["exits"] > 0 and v["people"] > 300
    assert 0 <= v["ci_low"] <= v["concordance"] <= v["ci_high"] <= 1
    assert v["trained_until"] < v["t0"] and isinstance(v["withheld"], bool)
    assert len(v["deciles"]) == 10 and sum(d["observed"] for d in v["deciles"]) == v["exits"]
    assert all(d["predicted"] >= 0 for d in v["deciles"])
    assert v["deciles"][0]["predicted"] >= v["deciles"][-1]["predicted"]
    # independent check: the list as of the training day, its scores against who left by the end
    on_t0 = risk_list(org, as_of=v["t0"])
    sf = org.staff_frame
    last = sf["exit"].reindex([r["staff_id"] for r in on_t0.table])
    keep = ~(last <= v["t0"]).to_numpy()
    score = np.array([r["score"] for r in on_t0.table])[keep]
    left = (last <= pd.Timestamp(org.data_end)).to_numpy()[keep]
    assert (int(keep.sum()), int(left.sum())) == (v["people"], v["exits"])
    u = mannwhitneyu(score[left], score[~left]).statistic
    assert v["concordance"] == pytest.approx(u / (left.sum() * (~left).sum()), abs=2e-3)
    res = risk_list(org)
    assert res.extras["validation"] == v
    if v["withheld"]:
        assert res.summary.endswith(v["reason"])
    else:
        assert "Checked on past exits, the list ranked leavers above stayers" in res.summary


# --------------------------------------------------------------------------- (c) exits independent of the factors


def test_a_list_that_cannot_tell_leavers_is_withheld(synth_org):
    from orgraph.synth import generate

    if "null" not in inspect.signature(generate).parameters:
        pytest.skip("synth --null not available yet")
    checks = []
    for seed in (1, 2, 3):
        _, org, truth = synth_org(staff=400, years=5, seed=seed, null=True)
        assert truth.get("null") or truth["generator"].get("null")
        for as_of in ("2024-06-30", "2024-12-31", "2025-06-30", "2025-12-31"):
            v = risk_validation(org, as_of=as_of)
            assert v["exits"] >= 5
            checks.append(v["withheld"])
    assert sum(checks) >= 9, checks                        # withheld in at least 9 of the 12 checks


# --------------------------------------------------------------------------- rare factors never break the fit


def test_a_factor_with_two_person_days_no_longer_crashes():
    # burden_org plus supervisor S (leaves 2022-05-30) over X, who leaves 2022-06-02: "supervisor left" covers
    # X's two days of June 2022 and X's exit -- the old fit gave a hazard ratio of e^(huge) and overflowed.
    from test_risk import HIGH_EXITS, MONTHS

    exits = dict(HIGH_EXITS, L1="2022-06-30", X="2022-06-02", S="2022-05-30")
    ids = [f"H{i}" for i in range(1, 11)] + [f"L{i}" for i in range(1, 11)] + ["X", "S"]
    staff = [(s, "2021-01-01", exits.get(s)) for s in ids]
    seats = [(s, f"P-{s}", "A" if s[0] == "H" else "B", "clinician", "2021-01-01", exits.get(s)) for s in ids]
    doc = {(s, m): (10.0, 15.0 if s[0] == "H" else 5.0) for s in ids for m in MONTHS
           if exits.get(s) is None or m <= exits[s][:7]}
    org = build(staff, seats, [("X", "S", "2021-01-01", "2022-05-30")], documentation=doc, data_end="2022-12-31")
    res = risk_list(org, min_exits=5)
    w = {x["factor"]: x for x in res.extras["weights"]}
    assert w["supervisor_left"]["exits_exposed"] == 1
    assert w["supervisor_left"]["person_years_exposed"] == round(2 / 365.25, 2)
    assert not w["supervisor_left"]["fitted"] and w["supervisor_left"]["weight"] == 0.0
    assert w["supervisor_left"]["hazard_ratio"] is None
    assert {"term": "supervisor_left", "reason": "fewer than 2 exits among the people exposed"} in res.extras["dropped"]
    assert w["high_doc_burden"]["fitted"] and w["high_doc_burden"]["hazard_ratio"] > 1


def test_a_singular_fit_is_refitted_without_the_offending_terms(monkeypatch):
    from test_risk import burden_org

    real = risk.poisson_regression

    def singular_beyond_one_term(X, *args, **kwargs):
        if X.shape[1] > 2:
            raise np.linalg.LinAlgError("Singular matrix")
        return real(X, *args, **kwargs)

    monkeypatch.setattr(risk, "poisson_regression", singular_beyond_one_term)
    res = risk_list(burden_org(), as_of="2022-12-31", min_exits=5)
    # high_doc_burden (5617 person-days) outlasts the tenure bands 6-12 months (2907) and under 6 months (4209),
    # dropped least exposed first; alone it gives the crude rate ratio (4 / 5617) / (1 / 7426)
    w = {x["factor"]: x for x in res.extras["weights"]}
    assert w["high_doc_burden"]["hazard_ratio"] == pytest.approx((4 / 5617) / (1 / 7426), rel=1e-3)
    t = {x["band"]: x for x in res.extras["tenure_weights"]}
    assert not t["under 6 months"]["fitted"] and t["6-12 months"]["folded"] == "the fit was singular with it"
    monkeypatch.setattr(risk, "poisson_regression",
                        lambda *a, **k: (_ for _ in ()).throw(np.linalg.LinAlgError("Singular matrix")))
    res = risk_list(burden_org(), as_of="2022-12-31", min_exits=5)   # nothing can be fitted: still a list
    assert not any(x["fitted"] for x in res.extras["weights"]) and len(res.table) == 15
    assert res.extras["baseline_exit_rate_per_year"] == pytest.approx(5 / (5617 + 7426) * 365.25, rel=1e-3)


# --------------------------------------------------------------------------- tenure


def test_a_new_hire_with_no_factor_outranks_a_veteran():
    # 20 veterans hired 2019-01-01, 2 of whom leave; every two months from 2021-01 two people are hired and one of
    # them leaves three months later. Nobody has a risk factor.
    staff = [(f"V{i:02d}", "2019-01-01", {1: "2021-06-30", 2: "2022-06-30"}.get(i)) for i in range(1, 21)]
    for k, m in enumerate(_months("2021-01", "2022-12")[::2]):
        hire = pd.Timestamp(f"{m}-01")
        gone = (hire + pd.DateOffset(months=3) - pd.Timedelta(days=1)).date().isoformat()   # 1 Jan -> 31 Mar
        staff += [(f"N{k:02d}a", f"{m}-01", gone if gone <= "2022-12-31" else None), (f"N{k:02d}b", f"{m}-01", None)]
    seats = [(s, f"P-{s}", "A", "clinician", h, e) for s, h, e in staff]
    org = build(staff, seats, data_end="2022-12-31")
    res = risk_list(org, min_exits=5)
    t = {x["band"]: x for x in res.extras["tenure_weights"]}
    assert t["2 years or more"]["reference"]
    new = t["under 6 months"]
    assert new["fitted"] and new["exits"] >= 10
    # 6-12 months and 1-2 years have no exits: folded into the reference. With no factor fitted the band's hazard
    # ratio is its crude rate ratio against the reference and the folded bands together.
    assert t["6-12 months"]["folded"] == "no exits" and t["1-2 years"]["folded"] == "no exits"
    pooled = [t[b] for b in ("6-12 months", "1-2 years", "2 years or more")]
    ref_rate = sum(b["exits"] for b in pooled) / sum(b["person_years"] for b in pooled)
    crude = (new["exits"] / new["person_years"]) / ref_rate
    assert new["hazard_ratio"] == pytest.approx(crude, rel=1e-2)
    assert not any(x["fitted"] for x in res.extras["weights"])
    top = res.table[0]
    assert top["factors"] == [] and top["tenure_band"] == "under 6 months" and top["staff_id"].startswith("N")
    assert top["relative_hazard"] == pytest.approx(new["hazard_ratio"], rel=1e-3)
    veteran = next(r for r in res.table if r["staff_id"].startswith("V"))
    assert veteran["rank"] > top["rank"] and veteran["relative_hazard"] == 1.0


def test_a_band_without_exits_is_folded_into_the_reference():
    from test_risk import burden_org

    res = risk_list(burden_org(), as_of="2022-12-31", min_exits=5)
    t = {x["band"]: x for x in res.extras["tenure_weights"]}
    assert t["2 years or more"]["folded"] == "no person-time" and t["2 years or more"]["weight"] == 0.0
    # as of 2021-12-31 the reference is under 6 months (4209 person-days); 1-2 years has no person-time yet
    res = risk_list(burden_org(), as_of="2021-12-31", min_exits=2)
    t = {x["band"]: x for x in res.extras["tenure_weights"]}
    assert t["under 6 months"]["reference"] and t["6-12 months"]["fitted"]
