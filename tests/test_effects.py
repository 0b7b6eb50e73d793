"""The joint model of the org-level exposures (orgraph.analyses.effects)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from orgraph.analyses.departures import monthly_factors
from orgraph.analyses.panel import person_months
from orgraph.analyses.effects import EXPOSURES, exit_effects
from orgraph.analyses.overload import overloaded_supervisors


def test_attributable_exits_never_exceed_the_exits(riverbend):
    res = exit_effects(riverbend)
    total = sum(r["attributable_exits"] for r in res.table)
    assert 0 < total <= res.extras["exits"]
    for r in res.table:
        assert r["attributable_exits"] <= r["exits"]
        if r["fitted"] and r["rate_ratio"] <= 1:
            assert r["attributable_exits"] == 0


def test_the_fit_matches_statsmodels_on_person_months(riverbend):
    """Cells of identical covariates per person give the coefficients of a fit on every person-month."""
    res = exit_effects(riverbend)
    f = monthly_factors(riverbend)
    f = f[f["days"] > 0]
    over = {s["supervisor_id"] for s in overloaded_supervisors(riverbend).table if s["overloaded"]}
    X = pd.DataFrame({
        "supervisor_left": (f["sup_left_days"] < 180).to_numpy(),
        "overloaded_supervisor": f["supervisor_id"].isin(list(over)).to_numpy(),
        "sustained_high_caseload": (f["caseload_run"] >= 3).to_numpy(),
        "high_doc_burden": (f["doc_ratio"] >= 1.0).to_numpy(),
    }).astype(float)
    adj = pd.get_dummies(pd.DataFrame({"role": f["role_kind"].astype(str).to_numpy(),
                                       "tenure": f["tenure_band"].astype(str).to_numpy(),
                                       "year": person_months(riverbend)["ref"].dt.year.astype(str)
                                       .to_numpy()[f.index]}),      # the table's rows are the panel's
                         drop_first=True, dtype=float)
    exog = sm.add_constant(pd.concat([X, adj], axis=1))
    exog = exog.loc[:, exog.nunique() > 1].assign(const=1.0)
    fit = sm.GLM(f["exit"].to_numpy().astype(float), exog, family=sm.families.Poisson(),
                 exposure=f["days"].to_numpy().astype(float)).fit(
        cov_type="cluster", cov_kwds={"groups": f["sc"].to_numpy()})
    for r in res.table:
        assert r["rate_ratio"] == pytest.approx(float(np.exp(fit.params[r["exposure"]])), rel=1e-3)
        lo = float(np.exp(fit.params[r["exposure"]] - 1.959963984540054 * fit.bse[r["exposure"]]))
        assert r["ci_low"] == pytest.approx(lo, rel=0.02)      # small-sample corrections count cells, not months


@pytest.mark.slow
def test_planted_overload_is_found_and_null_orgs_are_quiet(synth_org):
    _, org, truth = synth_org(staff=400, years=5, seed=1)
    row = {r["exposure"]: r for r in exit_effects(org).table}
    assert truth["overloaded_supervisors"]
    assert row["overloaded_supervisor"]["ci_low"] > 1
    quiet = 0
    for seed in (1, 2, 3, 4, 5):
        _, org, _ = synth_org(staff=150, years=5, seed=seed, null=True, tenure_shape=0.6, export_from="2023-01-01")
        rows = exit_effects(org).table
        quiet += all(not r["fitted"] or r["ci_low"] <= 1 for r in rows)
    assert quiet >= 4


def test_too_few_exits_is_said():
    from orgraph.analyses._demo import example_org

    res = exit_effects(example_org())
    assert [r["exposure"] for r in res.table] == list(EXPOSURES)
    assert not any(r["fitted"] for r in res.table)
    assert res.table[0]["reason"].startswith("only 2 exits before 2022-06-30")


def test_cells_match_a_pandas_groupby_on_dummies():
    """Cells summed from codes come in the order, and with the sums, of a pandas groupby on the exposures, the
    get_dummies(drop_first=True) columns of the adjustments and the person."""
    from orgraph.analyses.effects import _cells, _codes

    rng = np.random.default_rng(7)
    n = 3000
    xs = [rng.random(n) < 0.3, rng.random(n) < 0.6]
    role = pd.Categorical(rng.choice(["other", "clinician", "supervisor", "admin"], n))
    year = rng.integers(2018, 2023, n)
    person = rng.integers(0, 40, n).astype(np.int32)
    events, days = (rng.random(n) < 0.05).astype(float), rng.integers(1, 32, n).astype(float)
    adj = [_codes(role), _codes(year)]
    got = _cells(xs, [(c, len(names)) for c, names in adj], person, events, days)
    dummies = pd.get_dummies(pd.DataFrame({"role": role.astype(str), "year": year.astype(str)}), drop_first=True,
                             dtype=float)
    design = pd.concat([pd.DataFrame({"a": xs[0].astype(int), "b": xs[1].astype(int)}), dummies], axis=1)
    want = design.assign(_person=person, _e=events, _d=days).groupby(list(design.columns) + ["_person"],
                                                                     as_index=False)[["_e", "_d"]].sum()
    assert got["x"].astype(int).tolist() == want[["a", "b"]].to_numpy().tolist()
    for (codes, names), c in zip(adj, got["adj"]):
        prefix = "role" if names[0] == "admin" else "year"
        cols = [f"{prefix}_{x}" for x in names[1:]]
        assert cols == [c for c in dummies.columns if c.startswith(prefix)]
        assert np.eye(len(names))[c][:, 1:].tolist() == want[cols].to_numpy().tolist()
    assert got["person"].tolist() == want["_person"].tolist()
    assert got["e"].tolist() == want["_e"].tolist() and got["d"].tolist() == want["_d"].tolist()


def test_cluster_fit_on_patterns_is_statsmodels_fit_on_every_row():
    """Coefficients fitted on the distinct covariate patterns, with the clustered covariance of the full model,
    are what GLM(...).fit(cov_type="cluster") gives on every row."""
    from orgraph.analyses.effects import _cluster_fit

    rng = np.random.default_rng(2)
    n = 4000
    exog = pd.DataFrame({"const": 1.0, "a": (rng.random(n) < 0.3).astype(float),
                         "b": (rng.random(n) < 0.5).astype(float), "y": rng.integers(0, 3, n).astype(float)})
    days = rng.integers(1, 32, n).astype(float)
    rate = 0.002 * np.exp(0.7 * exog["a"] - 0.3 * exog["b"] + 0.1 * exog["y"])
    events = rng.poisson(rate * days).astype(float)
    person = rng.integers(0, 300, n)
    want = sm.GLM(events, exog, family=sm.families.Poisson(), exposure=days).fit(
        cov_type="cluster", cov_kwds={"groups": person})
    pattern = pd.factorize(pd.MultiIndex.from_frame(exog))[0]
    got = _cluster_fit(exog.to_numpy(), list(exog.columns), events, days, person, pattern)
    for name in ("params", "bse", "pvalues"):
        np.testing.assert_allclose(getattr(got, name).to_numpy(), getattr(want, name).to_numpy(), rtol=1e-8,
                                   atol=1e-14)
    assert list(got.params.index) == list(exog.columns)
    # rows in pattern order (as exit_effects passes them): each pattern's first row is read off where it starts
    o = np.argsort(pattern, kind="stable")
    want = sm.GLM(events[o], exog.iloc[o], family=sm.families.Poisson(), exposure=days[o]).fit(
        cov_type="cluster", cov_kwds={"groups": person[o]})
    got = _cluster_fit(exog.to_numpy()[o], list(exog.columns), events[o], days[o], person[o], pattern[o])
    for name in ("params", "bse", "pvalues"):
        np.testing.assert_allclose(getattr(got, name).to_numpy(), getattr(want, name).to_numpy(), rtol=1e-8,
                                   atol=1e-14)


def test_design_is_add_constant_on_the_varying_dummies():
    """The design matrix is what sm.add_constant(has_constant="add") gives on a frame of the exposures and the
    get_dummies(drop_first=True) columns of each adjustment that vary over the cells."""
    from orgraph.analyses.effects import _design

    rng = np.random.default_rng(5)
    n = 300
    x = rng.random((n, 2)) < 0.4
    role = rng.integers(0, 3, n)
    year = np.full(n, 1)                        # one year only: its dummies never vary
    tenure = rng.integers(0, 4, n)
    adj = [("role", role, ["a", "b", "c"]), ("tenure", tenure, ["t0", "t1", "t2", "t3"]),
           ("year", year, ["2020", "2021"])]
    names, X = _design({"x": x, "adj": [role, tenure, year]}, ["u", "v"], adj)
    cols = {"u": x[:, 0].astype(float), "v": x[:, 1].astype(float)}
    for name, c, levels in adj:
        for j in range(1, len(levels)):
            cols[f"{name}_{levels[j]}"] = (c == j).astype(float)
    design = pd.DataFrame(cols)
    keep = [c for c in design.columns if c in ("u", "v") or design[c].nunique() > 1]
    want = sm.add_constant(design[keep], has_constant="add")
    assert names == list(want.columns) and "year_2021" not in names
    assert np.array_equal(X, want.to_numpy())


def test_scores_and_hessian_are_statsmodels():
    from orgraph.analyses.effects import _score_and_inverse_hessian

    rng = np.random.default_rng(4)
    X = np.column_stack([np.ones(500), rng.random(500) < 0.4, rng.random(500) < 0.2]).astype(float)
    days = rng.integers(1, 32, 500).astype(float)
    y = rng.poisson(0.01 * days).astype(float)
    model = sm.GLM(y, X, family=sm.families.Poisson(), exposure=days)
    params = np.array([-4.5, 0.3, -0.2])
    score, hinv = _score_and_inverse_hessian(model.family, X, y, model.predict(params))
    assert np.array_equal(score[:, None] * X, model.score_obs(params))
    assert np.array_equal(hinv, np.linalg.inv(model.hessian(params)))


def test_statsmodels_and_scipy_are_imported_only_when_a_fit_runs():
    import subprocess
    import sys

    code = ("import sys, orgraph, orgraph.cli, orgraph.analyses.effects, orgraph.analyses.risk; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'statsmodels', 'scipy'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_unique_integers_and_distinct_count_match_numpy_unique(monkeypatch):
    from orgraph.analyses import effects as ef

    rng = np.random.default_rng(3)
    for values in (rng.integers(2015, 2026, 500).astype(np.int32), rng.integers(-3, 40_000, 500),
                   np.array([7], dtype=np.int64), rng.random(20)):
        for limit in (1 << 24, 0):                              # counting, and past the limit numpy's sort
            monkeypatch.setattr(ef, "_RANGE_MAX", limit)
            uniq, inv = ef._unique_integers(values)
            want_u, want_inv = np.unique(values, return_inverse=True)
            assert uniq.tolist() == want_u.tolist() and inv.tolist() == want_inv.tolist()
            assert ef._distinct_count(values) == len(want_u)


def test_the_cluster_covariance_is_statsmodels_cov_cluster_number_for_number():
    """Column-by-column cluster sums give exactly statsmodels' matrix, for int64 person codes (used as they
    are), int32 codes and text ids (which statsmodels numbers with np.unique first)."""
    import numpy as np
    from statsmodels.stats.sandwich_covariance import cov_cluster

    from orgraph.analyses.effects import _cluster_covariance

    rng = np.random.default_rng(3)
    n = 4000
    X = np.column_stack([np.ones(n), rng.integers(0, 2, size=(n, 3)), rng.normal(size=n)]).astype(float)
    score = rng.normal(size=n)
    h = np.linalg.inv(X.T @ X)
    people = rng.integers(0, 700, size=n)
    for groups in (people, people.astype(np.int32) * 3, np.array([f"P{g}" for g in people])):
        ours = _cluster_covariance(score, X, h, groups)
        theirs = cov_cluster((score[:, None] * X, h), groups)
        assert np.array_equal(ours, theirs)
