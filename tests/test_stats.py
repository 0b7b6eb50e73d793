"""Statistics helpers checked against values computed by hand (closed forms); the Poisson regression and
the BH adjustment are also cross-checked against statsmodels and scipy."""
import math

import numpy as np
import pytest

from orgraph.stats import (bh_adjust, binom_test, gini, percentile_rank, poisson_ci, poisson_regression, poisson_sf,
                           rate_ratio, rate_ratios, relative_risk)


def test_poisson_ci_zero_is_closed_form():
    # k = 0: low = 0, high solves e^-mu = 0.025  ->  mu = -ln 0.025 = 3.688879...
    low, high = poisson_ci(0)
    assert low == 0.0
    assert high == pytest.approx(-math.log(0.025), rel=1e-9)


def test_poisson_ci_one_is_closed_form():
    # k = 1: low solves P(X >= 1) = 1 - e^-mu = 0.025  ->  mu = -ln 0.975 = 0.025318
    # high solves P(X <= 1) = e^-mu (1 + mu) = 0.025 -> 5.571643 (Garwood tables)
    low, high = poisson_ci(1)
    assert low == pytest.approx(-math.log(0.975), rel=1e-9)
    assert math.exp(-high) * (1 + high) == pytest.approx(0.025, rel=1e-9)
    assert high == pytest.approx(5.5716, abs=1e-4)


def test_poisson_ci_three_matches_table_and_tail_identities():
    # Garwood table for k = 3: (0.6187, 8.7673)
    low, high = poisson_ci(3)
    assert (round(low, 4), round(high, 4)) == (0.6187, 8.7673)
    # defining identities: P(X >= 3 | low) = 0.025 and P(X <= 3 | high) = 0.025
    tail_low = 1 - math.exp(-low) * (1 + low + low**2 / 2)
    tail_high = math.exp(-high) * (1 + high + high**2 / 2 + high**3 / 6)
    assert tail_low == pytest.approx(0.025, rel=1e-8)
    assert tail_high == pytest.approx(0.025, rel=1e-8)


def test_poisson_ci_rejects_negative_count():
    with pytest.raises(ValueError, match="cannot be negative"):
        poisson_ci(-1)


def test_poisson_sf_by_hand():
    # P(X >= 3 | 0.5) = 1 - e^-0.5 (1 + 0.5 + 0.125) = 0.0143877
    assert poisson_sf(3, 0.5) == pytest.approx(1 - math.exp(-0.5) * 1.625, rel=1e-9)
    # P(X >= 1 | 2) = 1 - e^-2
    assert poisson_sf(1, 2.0) == pytest.approx(1 - math.exp(-2), rel=1e-12)
    assert poisson_sf(0, 5.0) == 1.0
    assert poisson_sf(2, 0.0) == 0.0


def test_relative_risk_by_hand():
    r = relative_risk(3, 0.5)
    assert r["relative_risk"] == 6.0
    assert r["ci_low"] == pytest.approx(0.6186721 / 0.5, rel=1e-6)
    assert r["ci_high"] == pytest.approx(8.7672731 / 0.5, rel=1e-6)
    assert r["p_value"] == pytest.approx(0.0143877, rel=1e-5)
    none = relative_risk(1, 0.0)
    assert none["relative_risk"] is None and none["p_value"] == 0.0


def test_bh_by_hand():
    # sorted p: 0.01, 0.03, 0.04, 0.20 (m = 4) -> p*m/rank: 0.04, 0.06, 0.05333, 0.20
    # step-up minimum from the right: 0.04, 0.05333, 0.05333, 0.20
    adj = bh_adjust([0.04, 0.01, 0.20, 0.03])
    assert adj == pytest.approx([0.16 / 3, 0.04, 0.20, 0.16 / 3])


def test_bh_ties_cap_empty_and_missing():
    assert bh_adjust([]) == []
    assert bh_adjust([0.5, 0.5, 0.5]) == [0.5, 0.5, 0.5]
    assert bh_adjust([0.9, 0.95]) == [0.95, 0.95]
    # 0.6*3/1 = 1.8, 0.7*3/2 = 1.05, 1.0*3/3 = 1 -> all capped at 1
    assert bh_adjust([0.6, 0.7, 1.0]) == [1.0, 1.0, 1.0]
    assert bh_adjust([0.8, 1.0]) == [1.0, 1.0]  # 0.8*2 = 1.6 capped at 1
    assert bh_adjust([None, 0.01, float("nan")]) == [None, 0.01, None]


def test_bh_is_monotone():
    raw = [0.001, 0.2, 0.03, 0.03, 0.5, 0.049, 0.9]
    adj = bh_adjust(raw)
    pairs = sorted(zip(raw, adj))
    assert all(a2 >= a1 for (_, a1), (_, a2) in zip(pairs, pairs[1:]))
    assert all(a >= r for r, a in zip(raw, adj))


def test_rate_ratio_log_by_hand():
    # 10 events / 1000 days vs 10 / 2000: RR = 2; se = sqrt(1/10 + 1/10) = 0.447214
    # CI = 2 exp(-+1.959964 * 0.447214) = 2 exp(-+0.876523) = 2 * (0.41623, 2.40253) = (0.8325, 4.8051)
    r = rate_ratio(10, 1000, 10, 2000)
    assert r["rate_ratio"] == 2.0
    assert r["ci_low"] == pytest.approx(0.8325, abs=1e-4)
    assert r["ci_high"] == pytest.approx(4.8051, abs=1e-4)
    assert r["method"] == "log (Wald)"
    # conditional binomial test: X ~ Bin(20, 1/3); observed 10 -> two-sided p around 0.1
    assert 0.05 < r["p_value"] < 0.2


def test_rate_ratio_zero_events_uses_exact_interval():
    # 0 of 8 events in group A (500 days) vs group B (1000 days).
    # Clopper-Pearson upper for 0/8: 1 - 0.025^(1/8); odds factor t_b/t_a = 2
    r = rate_ratio(0, 500, 8, 1000)
    p_hi = 1 - 0.025 ** (1 / 8)
    assert r["rate_ratio"] == 0.0 and r["ci_low"] == 0.0
    assert r["ci_high"] == pytest.approx(p_hi / (1 - p_hi) * 2, rel=1e-9)
    assert "exact" in r["method"]
    # all events in group A: ratio and upper end infinite, lower end finite
    r = rate_ratio(5, 100, 0, 100)
    p_lo = 0.025 ** (1 / 5)  # Clopper-Pearson lower for 5/5
    assert math.isinf(r["rate_ratio"]) and math.isinf(r["ci_high"])
    assert r["ci_low"] == pytest.approx(p_lo / (1 - p_lo), rel=1e-9)


def test_rate_ratio_undefined_cases():
    assert rate_ratio(0, 100, 0, 100)["rate_ratio"] is None
    assert rate_ratio(3, 0, 1, 100)["rate_ratio"] is None
    with pytest.raises(ValueError, match="method"):
        rate_ratio(1, 1, 1, 1, method="wald")


def test_gini_and_percentile():
    assert gini([1, 1, 1]) == 0.0
    # [0, 0, 0, 4]: mean abs difference / (2 mean) = (2*3*4/16) / (2*1) = 0.75
    assert gini([4, 0, 0, 0]) == pytest.approx(0.75)
    # [1, 2, 3]: sum |xi - xj| over ordered pairs = 8; / (2 n^2 mean) = 8 / 36
    assert gini([1, 2, 3]) == pytest.approx(8 / 36)
    assert percentile_rank([1, 2, 3, 4, 5], 2) == 40.0
    assert math.isnan(percentile_rank([], 1))


def test_poisson_regression_matches_statsmodels():
    import statsmodels.api as sm

    rng = np.random.default_rng(20240611)
    n = 200
    X = np.column_stack([np.ones(n), rng.normal(0.0, 1.0, n), rng.integers(0, 2, n).astype(float)])
    t = rng.uniform(10.0, 100.0, n)
    y = rng.poisson(t * np.exp(X @ np.array([-3.0, 0.5, 0.3]))).astype(float)
    coef, cov = poisson_regression(X, y, t)
    ref = sm.GLM(y, X, family=sm.families.Poisson(), exposure=t).fit()
    np.testing.assert_allclose(coef, ref.params, rtol=0, atol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), ref.bse, rtol=0, atol=1e-6)


def test_bh_matches_scipy():
    from scipy.stats import false_discovery_control

    p = np.random.default_rng(7).uniform(0.0, 1.0, 50) ** 2     # squared: a few small p-values as well
    np.testing.assert_allclose(bh_adjust(list(p)), false_discovery_control(p, method="bh"), rtol=0, atol=1e-12)


def _rate_ratio_one_by_one(ea, ta, eb, tb):
    """The rate ratio as scipy computes it, one comparison at a time (binomtest, beta.ppf, norm.ppf)."""
    from scipy import stats

    n, a = ea + eb, 1.0 - 0.95
    if ta <= 0 or tb <= 0 or n == 0:
        return None, None, None, None
    rr = math.inf if eb == 0 else (ea / ta) / (eb / tb)
    p = stats.binomtest(ea, n, ta / (ta + tb)).pvalue
    if ea > 0 and eb > 0:
        z = float(stats.norm.ppf(1 - a / 2))
        se = math.sqrt(1.0 / ea + 1.0 / eb)
        return rr, rr * math.exp(-z * se), rr * math.exp(z * se), p
    odds = tb / ta
    lo = 0.0 if ea == 0 else float(stats.beta.ppf(a / 2, ea, eb + 1))
    hi = 1.0 if eb == 0 else float(stats.beta.ppf(1 - a / 2, ea + 1, eb))
    return rr, lo / (1 - lo) * odds, (math.inf if hi >= 1.0 else hi / (1 - hi) * odds), p


def test_binom_test_is_scipy_binomtest_bit_for_bit():
    from scipy import stats

    rng = np.random.default_rng(7)
    n = rng.integers(1, 400, size=600)
    k = (rng.random(600) * (n + 1)).astype(int).clip(0, n)
    p = rng.random(600).clip(1e-4, 1 - 1e-4)
    # edges: k at the mode exactly (p * n == k), k = 0, k = n, tiny and near-one p, large n
    k = np.r_[k, 5, 0, 7, 0, 30, 1, 3000]
    n = np.r_[n, 10, 12, 7, 1, 30, 1, 10000]
    p = np.r_[p, 0.5, 0.3, 0.9, 0.5, 0.01, 0.999, 0.31]
    got = binom_test(k, n, p)
    want = np.array([stats.binomtest(int(a), int(b), float(c)).pvalue for a, b, c in zip(k, n, p)])
    assert np.array_equal(got, want)
    assert got[600] == 1.0                                 # k == p * n


def test_rate_ratios_equal_one_comparison_at_a_time():
    rng = np.random.default_rng(3)
    ea = rng.integers(0, 15, size=300).tolist() + [0, 0, 4, 3]
    eb = rng.integers(0, 60, size=300).tolist() + [0, 9, 0, 2]
    ta = (rng.random(300) * 5000).tolist() + [100.0, 200.0, 300.0, 0.0]
    tb = (rng.random(300) * 50000).tolist() + [100.0, 2000.0, 3000.0, 10.0]
    got = rate_ratios(ea, ta, eb, tb)
    for g, args in zip(got, zip(ea, ta, eb, tb)):
        assert (g["rate_ratio"], g["ci_low"], g["ci_high"], g["p_value"]) == _rate_ratio_one_by_one(*args)
        assert g == rate_ratio(*args)


def test_poisson_ci_many_equals_the_chi2_quantiles_of_every_count():
    from scipy import stats

    from orgraph.stats import poisson_ci_many

    k = np.array([0, 3, 3, 7, 0, 120, 3, 1], dtype=float)
    lo, hi = poisson_ci_many(k)
    a = 1.0 - 0.95
    want_lo = np.where(k > 0, stats.chi2.ppf(a / 2, np.maximum(2 * k, 1e-300)) / 2, 0.0)
    want_hi = stats.chi2.ppf(1 - a / 2, 2 * k + 2) / 2
    assert np.array_equal(lo, want_lo) and np.array_equal(hi, want_hi) and lo.shape == hi.shape == k.shape
    assert [float(x) for x in poisson_ci_many(np.array(3))] == [float(want_lo[1]), float(want_hi[1])]
    assert [v.tolist() for v in poisson_ci_many([])] == [[], []]
