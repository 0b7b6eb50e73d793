"""Small, exact statistics used by the analyses.

Counts of staff exits are small, so orgraph uses exact Poisson methods rather than
normal approximations: the Garwood interval for a count, the one-sided Poisson
tail for "at least this many", Benjamini–Hochberg to adjust many such tests, and
a person-time rate ratio for "how much faster do people leave under X".

Examples
--------
>>> lo, hi = poisson_ci(3)
>>> round(lo, 4), round(hi, 4)
(0.6187, 8.7673)
>>> round(poisson_sf(3, 0.5), 5)
0.01439
>>> bh_adjust([0.01, 0.02, 0.03, 0.20])
[0.04, 0.04, 0.04, 0.2]
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "poisson_ci",
    "poisson_sf",
    "poisson_ci_many",
    "poisson_sf_many",
    "relative_risk",
    "bh_adjust",
    "rate_ratio",
    "rate_ratios",
    "binom_test",
    "gini",
    "percentile_rank",
    "poisson_regression",
]


def _scipy_stats():
    """``scipy.stats``, imported on first use (it takes about a second: commands that never test pay nothing)."""
    from scipy import stats

    return stats


def poisson_ci(k: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) confidence interval for the mean of a Poisson count.

    Parameters
    ----------
    k : int
        Observed count, ``k >= 0``.
    level : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    (low, high) : tuple of float
        ``low = chi2.ppf(a/2, 2k) / 2`` (0 when ``k == 0``) and
        ``high = chi2.ppf(1 - a/2, 2k + 2) / 2`` with ``a = 1 - level``.

    Raises
    ------
    ValueError
        If ``k`` is negative or ``level`` is not in (0, 1).

    Notes
    -----
    Garwood (1936). The interval is conservative: its coverage is at least
    ``level`` for every mean.

    Examples
    --------
    >>> poisson_ci(0)[0], round(poisson_ci(0)[1], 4)
    (0.0, 3.6889)
    >>> [round(x, 4) for x in poisson_ci(10)]
    [4.7954, 18.3904]
    """
    if k < 0:
        raise ValueError(f"a count cannot be negative (got {k})")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1 (got {level})")
    a = 1.0 - level
    low = 0.0 if k == 0 else float(_scipy_stats().chi2.ppf(a / 2, 2 * k) / 2)
    high = float(_scipy_stats().chi2.ppf(1 - a / 2, 2 * k + 2) / 2)
    return low, high


def poisson_sf(k: int, mu: float) -> float:
    """One-sided p-value ``P(X >= k)`` for ``X ~ Poisson(mu)``.

    Parameters
    ----------
    k : int
        Observed count.
    mu : float
        Expected count under the null hypothesis, ``mu >= 0``.

    Returns
    -------
    float
        1.0 when ``k <= 0``; when ``mu == 0`` and ``k > 0``, 0.0.

    Examples
    --------
    >>> poisson_sf(0, 2.0)
    1.0
    >>> round(poisson_sf(2, 1.0), 6)   # 1 - e^-1 (1 + 1)
    0.264241
    >>> poisson_sf(1, 0.0)
    0.0
    """
    if k <= 0:
        return 1.0
    if mu < 0 or not math.isfinite(mu):
        raise ValueError(f"expected count must be a finite number >= 0 (got {mu})")
    if mu == 0:
        return 0.0
    return float(_scipy_stats().poisson.sf(k - 1, mu))


def poisson_ci_many(k, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """:func:`poisson_ci` for an array of counts (vectorised, same values).

    Examples
    --------
    >>> lo, hi = poisson_ci_many([0, 3])
    >>> lo.round(4).tolist(), hi.round(4).tolist()
    ([0.0, 0.6187], [3.6889, 8.7673])
    """
    k = np.asarray(k, dtype=float)
    if (k < 0).any():
        raise ValueError("a count cannot be negative")
    a = 1.0 - level
    k, inverse = np.unique(k, return_inverse=True)      # counts repeat: each distinct count worked out once
    with np.errstate(invalid="ignore"):
        low = np.where(k > 0, _scipy_stats().chi2.ppf(a / 2, np.maximum(2 * k, 1e-300)) / 2, 0.0)
    high = _scipy_stats().chi2.ppf(1 - a / 2, 2 * k + 2) / 2
    return low[inverse], high[inverse]


def poisson_sf_many(k, mu) -> np.ndarray:
    """:func:`poisson_sf` for arrays of counts and expected counts (vectorised, same values).

    Examples
    --------
    >>> poisson_sf_many([0, 3, 1], [2.0, 0.5, 0.0]).round(5).tolist()
    [1.0, 0.01439, 0.0]
    """
    k = np.asarray(k, dtype=float)
    mu = np.asarray(mu, dtype=float)
    out = _scipy_stats().poisson.sf(k - 1, np.where(mu > 0, mu, 1.0))
    out = np.where(mu > 0, out, 0.0)
    return np.where(k <= 0, 1.0, out)


def relative_risk(observed: int, expected: float, level: float = 0.95) -> dict:
    """Observed / expected count with an exact Poisson interval and p-value.

    Parameters
    ----------
    observed : int
        Events observed.
    expected : float
        Events expected under the baseline (treated as known, without error).
    level : float, default 0.95

    Returns
    -------
    dict
        ``observed``, ``expected``, ``relative_risk``, ``ci_low``, ``ci_high``
        (the Garwood interval of ``observed`` divided by ``expected``) and
        ``p_value`` = ``P(X >= observed | expected)``. Ratios are ``None`` when
        ``expected`` is 0 (nothing to compare against).

    Examples
    --------
    >>> r = relative_risk(3, 0.5)
    >>> r["relative_risk"], round(r["ci_low"], 3), round(r["ci_high"], 3), round(r["p_value"], 5)
    (6.0, 1.237, 17.535, 0.01439)
    >>> relative_risk(2, 0.0)["relative_risk"] is None
    True
    """
    low, high = poisson_ci(observed, level)
    if expected > 0:
        rr, lo, hi = observed / expected, low / expected, high / expected
    else:
        rr = lo = hi = None
    return {
        "observed": int(observed),
        "expected": float(expected),
        "relative_risk": rr,
        "ci_low": lo,
        "ci_high": hi,
        "p_value": poisson_sf(observed, expected),
    }


def bh_adjust(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (false discovery rate), in input order.

    Parameters
    ----------
    p_values : sequence of float
        Raw p-values. ``None`` or NaN entries are passed through as ``None`` and
        do not count as tests.

    Returns
    -------
    list of float
        ``p_adj[i] = min over j with rank(j) >= rank(i) of p[j] * m / rank(j)``,
        capped at 1, so adjusted values are monotone in the raw ones and tied raw
        values get the same adjusted value (computed by
        ``scipy.stats.false_discovery_control(..., method="bh")``).

    References
    ----------
    Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate.
    J R Stat Soc B 57:289-300.

    Examples
    --------
    >>> bh_adjust([])
    []
    >>> bh_adjust([0.02, 0.02, 0.5])
    [0.03, 0.03, 0.5]
    >>> bh_adjust([0.9, None, 0.8])
    [0.9, None, 0.9]
    """
    vals = [None if (p is None or (isinstance(p, float) and math.isnan(p))) else float(p) for p in p_values]
    idx = [i for i, p in enumerate(vals) if p is not None]
    out: list = [None] * len(vals)
    m = len(idx)
    if m == 0:
        return out
    res = _scipy_stats().false_discovery_control(np.array([vals[i] for i in idx]), method="bh")
    for i, r in zip(idx, np.round(res, 12).tolist()):  # the values round(res[j], 12) gives, all at once
        out[i] = r
    return out


def binom_test(k, n, p) -> np.ndarray:
    """Two-sided exact binomial test of ``k`` successes in ``n`` trials with success probability ``p``, for arrays.

    The same p-values as ``scipy.stats.binomtest(k, n, p).pvalue`` (bit for bit: the same steps, the
    same binomial functions, on arrays instead of one test at a time). Two-sided means "as or less likely
    than ``k``": the tail beyond ``k`` plus the terms on the other side of the mode whose probability is
    at most that of ``k`` (with scipy's relative tolerance of 1e-7).

    Parameters
    ----------
    k, n : array of int
        Successes and trials, ``0 <= k <= n``, ``n >= 1``.
    p : array of float
        Success probability, ``0 < p < 1``.

    Returns
    -------
    ndarray of float
        One p-value per test.

    Examples
    --------
    >>> [round(float(x), 6) for x in binom_test([3, 10, 0], [10, 10, 5], [0.5, 0.5, 0.1])]
    [0.34375, 0.001953, 1.0]
    """
    binom = _scipy_stats().binom
    k, n, p = np.broadcast_arrays(np.asarray(k, dtype=np.int64), np.asarray(n, dtype=np.int64),
                                  np.asarray(p, dtype=float))
    k, n, p = k.ravel(), n.ravel(), p.ravel()
    out = np.ones(len(k))
    if not len(k):
        return out
    d = binom.pmf(k, n, p)
    rerr = 1 + 1e-7
    below = k < p * n
    above = k > p * n
    if below.any():      # the terms from the mode up to n that are no more likely than k
        kb, nb, pb, db = k[below], n[below], p[below], d[below]
        ix = _search(lambda x, i: -binom.pmf(x, nb[i], pb[i]), -db * rerr, np.ceil(pb * nb), nb.astype(float))
        y = nb - ix + (db * rerr == binom.pmf(ix, nb, pb)).astype(np.int64)
        out[below] = binom.cdf(kb, nb, pb) + binom.sf(nb - y, nb, pb)
    if above.any():      # the terms from 0 up to the mode that are no more likely than k
        ka, na, pa, da = k[above], n[above], p[above], d[above]
        ix = _search(lambda x, i: binom.pmf(x, na[i], pa[i]), da * rerr, np.zeros(len(ka)), np.floor(pa * na))
        y = ix + 1
        out[above] = binom.cdf(y - 1, na, pa) + binom.sf(ka - 1, na, pa)
    return np.minimum(1.0, out)


def _search(a, d, lo, hi) -> np.ndarray:
    """Per element, the ``i`` in ``[lo - 1, hi]`` with ``a(i) <= d < a(i + 1)`` (``a`` ascending on the range):
    scipy's ``_binary_search_for_binom_tst``, every search stepped together. ``a(x, idx)`` evaluates at
    ``x`` for the elements ``idx``."""
    lo, hi = lo.astype(float).copy(), hi.astype(float).copy()
    found = np.full(len(lo), np.nan)
    active = np.flatnonzero(lo < hi)
    while len(active):
        mid = lo[active] + (hi[active] - lo[active]) // 2
        val = a(mid, active)
        less, more = val < d[active], val > d[active]
        lo[active[less]] = mid[less] + 1
        hi[active[more]] = mid[more] - 1
        hit = ~less & ~more
        found[active[hit]] = mid[hit]
        active = active[~hit]
        active = active[lo[active] < hi[active]]
    rest = np.flatnonzero(np.isnan(found))
    if len(rest):
        at = a(lo[rest], rest)
        found[rest] = np.where(at <= d[rest], lo[rest], lo[rest] - 1)
    return found


def rate_ratio(events_a: int, time_a: float, events_b: int, time_b: float, level: float = 0.95,
               method: str = "log") -> dict:
    """Ratio of two event rates (events per unit of person-time), group A over group B.

    Parameters
    ----------
    events_a, time_a : int, float
        Events and person-time (for example person-days) in the exposed group.
    events_b, time_b : int, float
        Events and person-time in the comparison group.
    level : float, default 0.95
    method : {"log", "exact"}, default "log"
        ``"log"``: ``exp(log RR +- z * sqrt(1/a + 1/b))``; when either group has no
        events it cannot be computed, so the exact interval is used instead (and
        ``method`` in the result says so). ``"exact"``: always the exact interval.

    Returns
    -------
    dict
        ``events_a``, ``time_a``, ``rate_a``, ``events_b``, ``time_b``, ``rate_b``,
        ``rate_ratio``, ``ci_low``, ``ci_high``, ``p_value`` and ``method`` (the
        interval actually used). Ratios are ``None`` when either person-time is 0
        or there are no events at all.

    Raises
    ------
    ValueError
        For an unknown ``method``.

    Notes
    -----
    The exact interval is conditional: given ``n = events_a + events_b``,
    ``events_a`` is binomial with ``p = RR*t_a / (RR*t_a + t_b)``; the
    Clopper-Pearson interval for ``p`` is turned into one for the ratio. It stays
    valid when a group has no events (the low end is then 0, or the high end
    infinite). ``p_value`` is always the two-sided exact conditional binomial test of
    ``RR = 1``.

    Examples
    --------
    >>> r = rate_ratio(10, 1000, 10, 2000)
    >>> r["rate_ratio"], round(r["ci_low"], 3), round(r["ci_high"], 3)
    (2.0, 0.832, 4.805)
    >>> r = rate_ratio(10, 1000, 10, 2000, method="exact")
    >>> round(r["ci_low"], 3), round(r["ci_high"], 3)
    (0.747, 5.354)
    >>> r = rate_ratio(0, 500, 8, 1000)
    >>> r["rate_ratio"], r["ci_low"], round(r["ci_high"], 3), r["method"]
    (0.0, 0.0, 1.172, 'exact conditional binomial (no events in one group)')
    """
    return rate_ratios([events_a], [time_a], [events_b], [time_b], level=level, method=method)[0]


def rate_ratios(events_a, time_a, events_b, time_b, level: float = 0.95, method: str = "log") -> list[dict]:
    """:func:`rate_ratio` for many comparisons at once (one dict each, the same numbers).

    The exact tests and exact intervals run on arrays (:func:`binom_test`), so thousands of comparisons
    cost about as much as a few.

    Examples
    --------
    >>> [r["rate_ratio"] for r in rate_ratios([10, 0], [1000, 500], [10, 8], [2000, 1000])]
    [2.0, 0.0]
    """
    if method not in ("log", "exact"):
        raise ValueError(f"method must be 'log' or 'exact' (got {method!r})")
    ea = [int(x) for x in events_a]
    eb = [int(x) for x in events_b]
    ta = [float(x) for x in time_a]
    tb = [float(x) for x in time_b]
    res = [{"events_a": a, "time_a": t_a, "rate_a": (a / t_a) if t_a > 0 else None,
            "events_b": b, "time_b": t_b, "rate_b": (b / t_b) if t_b > 0 else None,
            "rate_ratio": None, "ci_low": None, "ci_high": None, "p_value": None, "method": None}
           for a, t_a, b, t_b in zip(ea, ta, eb, tb)]
    tested = [i for i, r in enumerate(res) if r["time_a"] > 0 and r["time_b"] > 0 and r["events_a"] + r["events_b"]]
    if not tested:
        return res
    a = 1.0 - level
    k = np.array([ea[i] for i in tested], dtype=np.int64)
    m = np.array([eb[i] for i in tested], dtype=np.int64)
    p0 = np.array([ta[i] / (ta[i] + tb[i]) for i in tested])
    p_values = binom_test(k, k + m, p0)
    exact = [j for j, i in enumerate(tested) if not (method == "log" and ea[i] > 0 and eb[i] > 0)]
    beta = _scipy_stats().beta
    p_lo = beta.ppf(a / 2, k[exact], m[exact] + 1) if exact else []
    p_hi = beta.ppf(1 - a / 2, k[exact] + 1, m[exact]) if exact else []
    bounds = dict(zip(exact, zip(p_lo, p_hi)))
    z = float(_scipy_stats().norm.ppf(1 - a / 2)) if len(exact) < len(tested) else None
    for j, i in enumerate(tested):
        r, e_a, e_b = res[i], ea[i], eb[i]
        r["rate_ratio"] = math.inf if e_b == 0 else (e_a / ta[i]) / (e_b / tb[i])
        r["p_value"] = float(p_values[j])
        if j not in bounds:
            se = math.sqrt(1.0 / e_a + 1.0 / e_b)
            r["ci_low"] = r["rate_ratio"] * math.exp(-z * se)
            r["ci_high"] = r["rate_ratio"] * math.exp(z * se)
            r["method"] = "log (Wald)"
            continue
        odds = tb[i] / ta[i]
        lo = 0.0 if e_a == 0 else float(bounds[j][0])
        hi = 1.0 if e_b == 0 else float(bounds[j][1])
        r["ci_low"] = lo / (1 - lo) * odds
        r["ci_high"] = math.inf if hi >= 1.0 else hi / (1 - hi) * odds
        r["method"] = ("exact conditional binomial" if method == "exact"
                       else "exact conditional binomial (no events in one group)")
    return res


def gini(values: Sequence[float]) -> float:
    """Gini coefficient of non-negative values (0 = all equal, toward 1 = one holds all).

    Examples
    --------
    >>> gini([5, 5, 5, 5])
    0.0
    >>> gini([0, 0, 0, 4])
    0.75
    >>> gini([])
    0.0
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = x.size
    if n == 0 or x.sum() == 0:
        return 0.0
    if (x < 0).any():
        raise ValueError("gini needs non-negative values")
    i = np.arange(1, n + 1)
    return float(round((2 * (i * x).sum() / (n * x.sum())) - (n + 1) / n, 12))


def percentile_rank(values: Sequence[float], x: float) -> float:
    """Percent of ``values`` at or below ``x`` (0–100); NaN when ``values`` is empty.

    Examples
    --------
    >>> percentile_rank([10, 20, 30, 40], 30)
    75.0
    """
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return float("nan")
    return float(100.0 * (arr <= x).sum() / arr.size)


def poisson_regression(X: np.ndarray, events: np.ndarray, exposure: np.ndarray, *, ridge: float = 0.0,
                       max_iter: int = 100, tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """Poisson regression with a log-exposure offset, by Newton's method.

    Fits ``log E[events] = log(exposure) + X b``. The first column of ``X`` is
    the intercept; a small ``ridge`` penalty on the other coefficients keeps
    them finite when a covariate has no events.

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Design matrix, intercept column first.
    events, exposure : ndarray, shape (n,)
        Event counts and person-time (same unit for every row).
    ridge : float, default 0
    max_iter : int, default 100
    tol : float, default 1e-10
        Stop when no coefficient moves by more than this.

    Returns
    -------
    coef : ndarray, shape (p,)
    cov : ndarray, shape (p, p)
        Inverse of the (penalised) information matrix.

    Examples
    --------
    Two groups with 10 events in 1,000 days and 20 in 1,000: rate ratio 2 and
    standard error ``sqrt(1/10 + 1/20)``.

    >>> X = np.array([[1.0, 0.0], [1.0, 1.0]])
    >>> coef, cov = poisson_regression(X, np.array([10.0, 20.0]), np.array([1000.0, 1000.0]))
    >>> round(math.exp(coef[1]), 3), round(math.sqrt(cov[1, 1]), 3)
    (2.0, 0.387)
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(events, dtype=float)
    t = np.asarray(exposure, dtype=float)
    pen = np.full(X.shape[1], float(ridge))
    pen[0] = 0.0
    b = np.zeros(X.shape[1])
    b[0] = math.log(max(y.sum(), 0.5) / t.sum())
    weighted = np.empty_like(X)         # X * mu, row by row: one buffer for every iteration (no fresh pages)
    mu = np.empty_like(t)

    def information():
        np.multiply(t, np.exp(np.clip(X @ b, -50, 50)), out=mu)
        np.multiply(X, mu[:, None], out=weighted)
        return weighted.T @ X + np.diag(pen)

    for _ in range(max_iter):
        H = information()
        grad = X.T @ (y - mu) - pen * b
        step = np.linalg.solve(H, grad)
        b = b + step
        if np.max(np.abs(step)) < tol:
            break
    return b, np.linalg.inv(information())

