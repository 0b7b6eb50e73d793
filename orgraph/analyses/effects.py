"""Which conditions raise exits, each adjusted for the others: one Poisson regression on person-months.

The audit's org-level claims -- people whose supervisor just left, people under
an overloaded supervisor, people carrying sustained high caseloads, people
documenting at least as long as they see clients -- come from one model, so
the same exits are never explained twice: a Poisson regression of exits on the
four exposures together, with each person-month's days at risk as exposure and
role kind, tenure band and calendar year as adjustments, and intervals robust
to the repeated months of one person (clustered by person).

Each exposure's **attributable exits** are the exits among the exposed that
the model puts down to it: an exit exposed to conditions with adjusted rate
ratios ``RR_1 .. RR_k`` (above 1) has ``1 - 1/(RR_1 ... RR_k)`` of it
attributable, shared among them in proportion to ``log RR``; so no exit is
attributed more than once and the total never exceeds the exits observed.

The person-months are those of :func:`orgraph.analyses.panel.person_months`:
inside the export window, complete months before ``as_of``.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..plain import plural
from ..result import Result
from ..settings import analysis_cut, as_of_text, resolve
from . import shared
from .coverage import MISSING
from .departures import in_ids, monthly_factors, sorted_levels
from .panel import DAYS_PER_YEAR, month_index, rounded

__all__ = ["exit_effects", "EXPOSURES"]

#: The exposures of the joint model, with what they mean in a sentence.
EXPOSURES = {
    "supervisor_left": "whose supervisor left in the previous window",
    "overloaded_supervisor": "reporting to an overloaded supervisor",
    "sustained_high_caseload": "carrying a sustained high caseload",
    "high_doc_burden": "documenting at least as long as their sessions",
}
_Z = 1.959963984540054
_MIN_EXPOSED_EXITS = 2
#: The table an exposure is measured from: without it nobody can be exposed, and the model says why.
_NEEDS = {"sustained_high_caseload": "caseload", "high_doc_burden": "documentation"}


def exit_effects(org, *, as_of=None, window_days=None, min_exits=None) -> Result:
    """Adjusted exit rate ratios of the four org-level exposures, and the exits attributable to each.

    Parameters
    ----------
    org : OrgGraph
    as_of : date, optional
        Fit on complete months before this day (default: all data).
    window_days : int, optional
        "Supervisor left" window; default ``[cascades] window_days``.
    min_exits : int, optional
        Exits before ``as_of`` needed to fit; default ``[risk] min_exits`` (10).

    Returns
    -------
    Result
        ``table``: one record per exposure: ``exposure``, ``description``,
        ``exits`` (exits among the exposed), ``person_years`` (exposed),
        ``rate_ratio`` (adjusted), ``ci_low``, ``ci_high`` (95%,
        person-clustered robust), ``p_value``, ``attributable_exits``,
        ``fitted`` and ``reason`` (why not, when not fitted). ``extras``:
        ``exits``, ``person_years``, ``people``, ``method`` and
        ``adjusted_for``.

    Notes
    -----
    Fitted with ``statsmodels`` (``GLM(..., family=Poisson(), exposure=days)``
    with ``cov_type="cluster"`` by person) on cells of identical covariates per
    person (:func:`_cluster_fit`). An exposure with fewer than two exits among
    the exposed, or that nobody or everybody had, is not fitted.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> res = exit_effects(example_org(), min_exits=1)
    >>> [r["exposure"] for r in res.table]
    ['supervisor_left', 'overloaded_supervisor', 'sustained_high_caseload', 'high_doc_burden']
    >>> res.extras["exits"]
    2
    """
    from .overload import flagged_supervisors

    cut = analysis_cut(org, as_of)
    day = as_of_text(cut)
    window = int(resolve(org, "cascades", window_days=window_days)["window_days"])
    need = int(resolve(org, "risk", min_exits=min_exits)["min_exits"])
    k = int(resolve(org, "caseload")["consecutive_months"])
    thr = float(resolve(org, "docburden")["threshold"])
    settings = {"window_days": window, "min_exits": need, "consecutive_months": k, "doc_threshold": thr}
    f = monthly_factors(org)
    shared.done_with(org, "person_months")     # in an audit nothing after this reads the person-month panel
    keep_rows = f["days"].to_numpy() > 0
    if as_of is not None:                # complete months before as_of: nothing after it is seen
        keep_rows = keep_rows & (f["mi"].to_numpy() < int(month_index([cut])[0]))
    over = flagged_supervisors(org, as_of=day)
    X = {"supervisor_left": f["sup_left_days"].to_numpy()[keep_rows] < window,
         "overloaded_supervisor": in_ids(f["supervisor_id"], over)[keep_rows],
         "sustained_high_caseload": f["caseload_run"].to_numpy()[keep_rows] >= k,
         "high_doc_burden": f["doc_ratio"].to_numpy()[keep_rows] >= thr}
    events = f["exit"].to_numpy()[keep_rows].astype(float)
    days = f["days"].to_numpy()[keep_rows].astype(float)
    person = f["sc"].to_numpy()[keep_rows]
    total = {"exits": int(events.sum()), "person_years": rounded(days.sum() / DAYS_PER_YEAR, 2),
             "people": _distinct_count(person),
             "method": "Poisson regression on person-months, exposure = days at risk, person-clustered robust "
                       "intervals (statsmodels GLM)",
             "adjusted_for": ["role kind", "tenure band", "calendar year", "the other exposures"]}
    rows = {n: {"exposure": n, "description": EXPOSURES[n], "exits": int(events[X[n]].sum()),
                "person_years": rounded(days[X[n]].sum() / DAYS_PER_YEAR, 2), "rate_ratio": None,
                "ci_low": None, "ci_high": None, "p_value": None, "attributable_exits": 0.0, "fitted": False,
                "reason": None} for n in EXPOSURES}
    if events.sum() < need:
        for r in rows.values():
            r["reason"] = f"only {int(events.sum())} exits before {day} (at least {need} needed)"
        return Result("effects", day, settings, list(rows.values()), "Too few exits to fit the joint model.", total,
                      [f"Only {plural(int(events.sum()), 'exit')} before {day} (at least {need} needed), so the "
                       "joint model could not be fitted."])
    usable = []
    for n in EXPOSURES:
        x = X[n]
        if x.sum() == 0 and n in _NEEDS and not len(getattr(org.data, _NEEDS[n])):
            rows[n]["reason"] = f"the bundle has no {_NEEDS[n]} data"
        elif x.sum() == 0 or x.sum() == len(x):
            rows[n]["reason"] = "nobody was exposed" if x.sum() == 0 else "everybody was exposed"
        elif rows[n]["exits"] < _MIN_EXPOSED_EXITS:
            rows[n]["reason"] = f"fewer than {_MIN_EXPOSED_EXITS} exits among the exposed"
        else:
            usable.append(n)
    years = np.floor_divide(f["mi"].to_numpy()[keep_rows], 12) + 1970     # the year of ref (a day of month mi)
    adj = [("role", *_codes(f["role_kind"].array[keep_rows])), ("tenure", *_codes(f["tenure_band"].array[keep_rows])),
           ("year", *_codes(years))]
    cells = _cells([X[n] for n in usable], [(c, len(names)) for _, c, names in adj], person, events, days)
    exited = events > 0                 # what is left to read of the person-month rows: those with an exit
    X = {n: x[exited] for n, x in X.items()}
    events = events[exited]
    adj = [(name, None, levels) for name, _, levels in adj]
    del person, days, years, keep_rows, exited
    names, exog = _design(cells, usable, adj)
    new = np.diff(cells["pattern"], prepend=-1) != 0      # the first cell of each covariate pattern
    first, pattern = np.flatnonzero(new), np.cumsum(new) - 1
    for col in reversed([c for c in names[1:] if c not in usable]):     # drop adjustments the data cannot separate
        if np.linalg.matrix_rank(exog[first]) == exog.shape[1]:   # the rank of the distinct rows
            break
        j = names.index(col)
        exog = np.delete(exog, j, axis=1)
        del names[j]
    try:
        fit = _cluster_fit(exog, names, cells["e"], cells["d"], cells["person"], pattern)
    except (np.linalg.LinAlgError, ValueError) as exc:
        for n in usable:
            rows[n]["reason"] = f"the model could not be fitted ({exc})"
        usable = []
        fit = None
    log_rr = {}
    for n in usable:
        b, se = float(fit.params[n]), float(fit.bse[n])
        if not (np.isfinite(b) and np.isfinite(se)):
            rows[n]["reason"] = "the model could not estimate it"
            continue
        log_rr[n] = b
        rows[n].update(rate_ratio=rounded(np.exp(b), 4), ci_low=rounded(np.exp(b - _Z * se), 4),
                       ci_high=rounded(np.exp(b + _Z * se), 4), p_value=rounded(float(fit.pvalues[n]), 8),
                       fitted=True)
    # attributable exits: each exit's share 1 - 1/prod(RR) over its harmful exposures, split by log RR
    harmful = {n: b for n, b in log_rr.items() if b > 0}
    if harmful:
        ex = np.column_stack([X[n] for n in harmful]) * np.array(list(harmful.values()))
        w = events
        tot = ex.sum(axis=1)
        share = np.where(tot > 0, (1 - np.exp(-tot)) / np.where(tot > 0, tot, 1), 0.0)
        for j, n in enumerate(harmful):
            rows[n]["attributable_exits"] = rounded(float((ex[:, j] * share * w).sum()), 3)
    fitted = [r for r in rows.values() if r["fitted"]]
    summary = (f"Fitted on {total['exits']} exits in {total['person_years']:,.0f} person-years; "
               + ("; ".join(f"{r['exposure'].replace('_', ' ')} {r['rate_ratio']:.2f}x" for r in fitted)
                  or "no exposure could be estimated") + ".")
    untested = [MISSING[_NEEDS[n]] if r["reason"] == f"the bundle has no {_NEEDS.get(n)} data" else
                f"The joint model could not test people {r['description']}: {r['reason']}."
                for n, r in rows.items() if not r["fitted"] and r["reason"]]
    return Result("effects", day, settings, list(rows.values()), summary, total, untested)


def _codes(values) -> tuple[np.ndarray, list]:
    """Codes of ``values`` (categorical or integer) into their used levels sorted as text, and those levels
    as text: the order ``pd.get_dummies`` gives the columns of text values."""
    if isinstance(values, pd.Categorical):
        codes, names = np.asarray(values.codes, dtype=np.int64), [str(x) for x in values.categories]
        if (codes < 0).any():                   # missing: the text "nan", as astype(str) gives
            codes, names = np.where(codes < 0, len(names), codes), names + ["nan"]
    else:
        uniq, codes = _unique_integers(values)
        names = [str(x) for x in uniq]
    return sorted_levels(codes, names)


#: Widest range of integers :func:`_unique_integers` and :func:`_distinct_count` count instead of sorting.
_RANGE_MAX = 1 << 24


def _unique_integers(values) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)``, by counting when the values are integers of a small range
    (years, staff codes) instead of sorting them.

    Examples
    --------
    >>> [x.tolist() for x in _unique_integers(np.array([2021, 2019, 2021, 2024]))]
    [[2019, 2021, 2024], [1, 0, 1, 2]]
    """
    v = np.asarray(values)
    if v.dtype.kind not in "iu" or not len(v) or int(v.max()) - int(v.min()) >= _RANGE_MAX:
        return np.unique(v, return_inverse=True)
    lo = v.min()
    off = v - lo
    present = np.bincount(off) > 0
    rank = np.cumsum(present) - 1
    return (np.flatnonzero(present) + lo).astype(v.dtype), rank[off]


def _distinct_count(values) -> int:
    """``len(np.unique(values))``, by counting for integers of a small range.

    Examples
    --------
    >>> _distinct_count(np.array([5, 3, 5, -1])), _distinct_count(np.array([0.5, 0.5]))
    (3, 1)
    """
    v = np.asarray(values)
    if v.dtype.kind not in "iu" or not len(v) or int(v.max()) - int(v.min()) >= _RANGE_MAX:
        return int(len(np.unique(v)))
    return int(np.count_nonzero(np.bincount(v - v.min())))


def _design(cells: dict, usable: list, adj: list) -> tuple[list, np.ndarray]:
    """Column names and the float design matrix of the cells: ``const`` (1.0), the exposures ``usable``, then the
    dummies of each adjustment as ``pd.get_dummies(drop_first=True)`` names them (``role_nurse``), leaving out
    dummies that are the same on every cell: what ``sm.add_constant(design, has_constant="add")`` gives on
    the frame of those columns.

    Examples
    --------
    >>> cells = {"x": np.array([[True], [False], [True]]), "adj": [np.array([0, 1, 1]), np.array([1, 1, 1])]}
    >>> names, X = _design(cells, ["a"], [("role", None, ["x", "y"]), ("year", None, [2020, 2021])])
    >>> names, X.tolist()
    (['const', 'a', 'role_y'], [[1.0, 1.0, 0.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
    """
    cols = [(n, cells["x"][:, i]) for i, n in enumerate(usable)]
    for (name, _, levels), c in zip(adj, cells["adj"]):
        for j in range(1, len(levels)):
            d = c == j
            if len(d) and (d != d[0]).any():         # a dummy that varies
                cols.append((f"{name}_{levels[j]}", d))
    X = np.empty((len(cells["x"]), len(cols) + 1))
    X[:, 0] = 1.0
    for i, (_, v) in enumerate(cols, start=1):
        X[:, i] = v
    return ["const"] + [n for n, _ in cols], X


def _cells(xs: list, adj: list, person, events, days) -> dict:
    """Sum ``events`` and ``days`` over cells of identical covariates per person, in the order of a pandas
    ``groupby`` on the exposures, the dummy columns of each adjustment (``drop_first``) and the person.

    ``xs`` are bool arrays; ``adj`` are ``(codes, number of levels)``. A categorical's dummy columns sort
    its first level first, then the others from the last to the second (``(0, 0) < (0, 1) < (1, 0)``).
    Returns ``x`` (cells x exposures, bool), ``adj`` (one code array per adjustment), ``person``, ``e``, ``d``
    and ``pattern`` (a number per covariate pattern, ascending: cells differing only in the person share it).
    """
    key = np.zeros(len(events), dtype=np.int64)
    for x in xs:
        key = key * 2 + x
    for codes, m in adj:
        key = key * m + np.where(codes == 0, 0, m - codes)
    base = int(person.max()) + 1 if len(person) else 1
    key = key * base + person
    cell, first, inv = np.unique(key, return_index=True, return_inverse=True)
    return {"x": np.column_stack([x[first] for x in xs]) if xs else np.zeros((len(cell), 0), dtype=bool),
            "adj": [codes[first] for codes, _ in adj], "person": person[first], "pattern": cell // base,
            "e": np.bincount(inv, weights=events, minlength=len(cell)),
            "d": np.bincount(inv, weights=days, minlength=len(cell))}


def _score_and_inverse_hessian(family, X: np.ndarray, y: np.ndarray, mu: np.ndarray):
    """Each row's score factor and the inverse Hessian of a GLM (no weights, scale 1) at the means ``mu``: the
    steps of statsmodels' ``GLM.score_obs`` (whose rows are ``score[:, None] * X``) and ``GLM.hessian``
    (observed), without building a model of every row."""
    deriv = family.link.deriv(mu)
    score = (y - mu) / deriv
    score /= family.variance(mu)
    eim = 1 / (deriv ** 2 * family.variance(mu))
    tmp = family.variance(mu) * family.link.deriv2(mu)
    tmp += family.variance.deriv(mu) * deriv
    oim = eim * (1 + score * tmp)
    prod = np.empty_like(X)
    np.multiply(X.T, oim, out=prod.T)
    inverse_hessian = np.linalg.inv(-prod.T.dot(X))
    return score, inverse_hessian


def _cluster_covariance(score: np.ndarray, X: np.ndarray, inverse_hessian: np.ndarray, groups) -> np.ndarray:
    """statsmodels' ``cov_cluster((score[:, None] * X, inverse_hessian), groups)``, number for number, without
    the rows x columns score matrix: each column's scores are summed per cluster one column at a time.

    Examples
    --------
    >>> from statsmodels.stats.sandwich_covariance import cov_cluster
    >>> rng = np.random.default_rng(0)
    >>> X = np.column_stack([np.ones(50), rng.normal(size=(50, 2))])
    >>> score, h = rng.normal(size=50), np.linalg.inv(X.T @ X)
    >>> g = rng.integers(0, 9, size=50)
    >>> np.array_equal(_cluster_covariance(score, X, h, g), cov_cluster((score[:, None] * X, h), g))
    True
    """
    group = groups
    if not hasattr(group, "dtype") or group.dtype != np.dtype("int"):
        clusters, group = np.unique(group, return_inverse=True)
    else:
        clusters = np.unique(group)
    nobs, k_params = X.shape
    n_groups = len(clusters)
    group = np.asarray(group).squeeze()
    if np.max(group) > 2 * nobs:
        group = pd.factorize(group)[0]
    bins = int(np.max(group)) + 1
    sums = np.empty((k_params, bins))
    for col in range(k_params):
        sums[col] = np.bincount(group, weights=score * X[:, col])
    x = sums.T
    cov = np.dot(np.dot(inverse_hessian, np.dot(x.T, x)), inverse_hessian.T)
    cov *= n_groups / (n_groups - 1.0) * ((nobs - 1.0) / float(nobs - k_params))
    return cov


class _Fit:
    """The numbers read off a fit: ``params``, ``bse`` and ``pvalues`` (Series by column)."""

    def __init__(self, params, bse, pvalues):
        self.params, self.bse, self.pvalues = params, bse, pvalues


def _cluster_fit(X: np.ndarray, names: list, events, days, groups, pattern) -> _Fit:
    """What ``GLM(events, exog, family=Poisson(), exposure=days).fit(cov_type="cluster", cov_kwds={"groups":
    groups})`` gives on the design ``X`` (columns ``names``), with the coefficients fitted on the distinct rows
    of ``X`` instead of every row.

    A Poisson likelihood with a log-exposure offset depends on the rows of one covariate pattern only through
    their summed events and exposure, so the fit on the patterns has the same maximum (to the last digits of
    the iterations); the person-clustered covariance is then statsmodels' own (``cov_cluster``, computed
    column by column in :func:`_cluster_covariance`: the scores and
    Hessian of the full model at those coefficients, the small-sample correction counting every row).
    ``pattern`` numbers the rows ``0 .. k-1`` so that rows of one number have the same ``exog`` (rows of
    different numbers may too).
    """
    from scipy import stats
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    inv = np.asarray(pattern)
    if len(inv) and (inv[1:] >= inv[:-1]).all():      # in pattern order (as exit_effects gives): where each starts
        first = np.flatnonzero(np.diff(inv, prepend=inv[0] - 1))
    else:
        _, first = np.unique(inv, return_index=True)
    patterns = X[first]
    pe = np.bincount(inv, weights=events, minlength=len(first))
    pd_ = np.bincount(inv, weights=days, minlength=len(first))
    family = families.Poisson()
    with warnings.catch_warnings():     # summed patterns can be fitted exactly where the rows are not
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        params = GLM(pe, patterns, family=family, exposure=pd_).fit().params
    y = np.asarray(events, dtype=float)
    mu = family.fitted(np.dot(X, params) + 0.0 + np.log(np.asarray(days, dtype=float)))
    if np.allclose(mu - y, 0):                                 # the warning a fit on every row gives
        warnings.warn("Perfect separation or prediction detected, parameter may not be identified",
                      PerfectSeparationWarning, stacklevel=2)
    score, inverse_hessian = _score_and_inverse_hessian(family, X, y, mu)
    del mu, y
    cov = _cluster_covariance(score, X, inverse_hessian, np.asarray(groups))
    with np.errstate(divide="ignore", invalid="ignore"):
        bse = np.sqrt(np.diag(cov))
        p = stats.norm.sf(np.abs(params / bse)) * 2
    cols = pd.Index(names)
    return _Fit(pd.Series(params, index=cols), pd.Series(bse, index=cols), pd.Series(p, index=cols))
