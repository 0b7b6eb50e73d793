"""What staff exits cost: a turnover cost model in finance language.

The cost of one exit, by role kind, is the sum of four parts:

* **recruiting** -- advertising, recruiter time, screening, background checks
  (``[cost] recruiting_cost``; ``recruiting_cost_leader`` for supervisors and
  directors);
* **onboarding and training** -- paid orientation weeks before the new hire
  works (``onboarding_weeks`` x weekly salary) plus ``training_cost``;
* **vacancy** -- the days the seat stays empty, *measured from the org's own
  assignment history* (how long seats of that role kind took to refill), times
  what the seat produces per day. A clinician seat produces
  ``sessions_per_day x revenue_per_session x utilization x billable_days``
  a year (a supervisor ``supervisor_clinical_share`` of that); seats without
  billable output (or billing less than their salary) are valued at their
  salary. With ``net_of_salary`` (the
  default) the salary not paid while the seat is empty is subtracted;
* **ramp-up** -- the new hire works at ``ramp_productivity`` of full output for
  ``ramp_months``.

Every assumption comes from the ``[cost]`` section of ``orgraph.toml``; each
default and its published source is in ``docs/cost-model.md``. Results are
plain, JSON-serializable dicts.

Examples
--------
>>> m = cost_model()                      # defaults only, no org history
>>> c = m["role_kinds"]["clinician"]
>>> c["recruiting"], c["onboarding"], c["vacancy"], c["ramp_up"], c["total"]
(4700.0, 4230.77, 9180.82, 18975.0, 37086.59)
"""
from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pandas as pd

from ..config import DEFAULTS, Config
from ..errors import AnalysisError
from ..graph import OrgGraph
from ..model import ROLE_KINDS
from ..result import Result
from ..settings import analysis_cut, resolve
from .exposure import assignments, iso, people
from .persontime import cached

__all__ = [
    "INFERRED_SEATS_REASON",
    "inferred_seats",
    "ROLE_KINDS",
    "ASSUMPTION_SOURCES",
    "cost_settings",
    "vacancy_days_by_role",
    "cost_model",
    "cost_of_exit",
    "turnover_cost",
]

_LEADER = ("supervisor", "director")

#: Where each default comes from (shown next to every assumption the model uses).
ASSUMPTION_SOURCES: dict[str, str] = {
    "salary_clinician": "BLS OEWS May 2023: mental health counselors median about $53,700; "
                        "mental health and substance abuse social workers about $57,000",
    "salary_supervisor": "orgraph assumption: licensed clinician salary plus about 25% supervisory differential",
    "salary_director": "BLS OEWS May 2023: medical and health services managers median about $110,700",
    "salary_admin": "BLS OEWS May 2023: medical secretaries and administrative assistants median about $42,000",
    "salary_other": "orgraph assumption",
    "recruiting_cost": "SHRM Talent Acquisition Benchmarking 2022: average cost per hire about $4,700",
    "recruiting_cost_leader": "orgraph assumption between SHRM 2022 non-executive (~$4,700) and executive "
                              "(~$28,300) cost per hire",
    "onboarding_weeks": "orgraph assumption: paid orientation before a new hire sees clients",
    "training_cost": "orgraph assumption: trainings, EHR set-up, certifications",
    "ramp_months": "payer credentialing commonly takes 60-120 days, plus caseload build-up (orgraph assumption)",
    "ramp_productivity": "orgraph assumption: average share of full output during ramp-up",
    "sessions_per_day": "community mental health productivity standards of about 5-6 billable hours a day",
    "supervisor_clinical_share": "orgraph assumption: supervisors carry a reduced caseload",
    "revenue_per_session": "orgraph assumption: blended payer rate between Medicaid and Medicare fees for "
                           "CPT 90834/90837 psychotherapy",
    "utilization": "outpatient behavioral health no-show and late-cancellation rates of about 20-30%",
    "billable_days": "260 weekdays less holidays, paid leave and training days",
    "vacancy_days": "orgraph fallback when the org's history has too few refilled seats",
    "min_vacancy_samples": "orgraph rule",
    "max_vacancy_days": "orgraph rule: a seat empty longer than this was cut, not vacant",
    "net_of_salary": "conservative: salary not paid while a seat is empty is subtracted from lost revenue",
}

#: Published range of replacement cost as a share of salary (Boushey & Glynn 2012, Center for American Progress).
PUBLISHED_RANGE = (0.16, 2.13)


def cost_settings(org: OrgGraph | None = None) -> dict:
    """The ``[cost]`` settings in force for ``org`` (defaults when ``org`` is None).

    Examples
    --------
    >>> cost_settings()["recruiting_cost"]
    4700.0
    """
    return resolve(org, "cost")


def _r(x, digits=2):
    return None if x is None else round(float(x), digits)


def _km_restricted_mean(days: np.ndarray, observed: np.ndarray, tau: float) -> float:
    """Area under the Kaplan-Meier curve up to ``tau``: the mean time to refill, counting
    still-empty seats as censored and capping each gap at ``tau``."""
    d = np.minimum(days.astype(float), tau)
    e = observed & (days <= tau)
    order = np.sort(d)
    n = d.size
    s, area, prev = 1.0, 0.0, 0.0
    for t in np.unique(d[e]):
        area += s * (t - prev)
        at_risk = n - np.searchsorted(order, t, side="left")
        deaths = int(((d == t) & e).sum())
        s *= 1.0 - deaths / at_risk
        prev = t
    return float(area + s * (tau - prev))


def vacancy_days_by_role(org: OrgGraph, *, as_of=None) -> dict:
    """How long seats stayed empty after their holder left the org, by role kind.

    For every exit, the gap runs from the day after the holder's last day to the
    next start of a holder in the same seat. Seats still empty at ``as_of`` count
    as censored; gaps are capped at ``[cost] max_vacancy_days``. The mean is the
    Kaplan-Meier restricted mean. With fewer than ``min_vacancy_samples`` refills,
    ``[cost] vacancy_days`` is used and ``source`` says so.

    Seats marked ``inferred`` (made by an import's ``[seats] rule`` because the
    export has no position ids) are left out: the "next holder" of such a seat is
    just the next person hired to the same program and title, so a gap measured
    there would be a vacancy invented between two unrelated people. Their exits
    are counted in ``inferred_exits``, and when they leave too few refills the
    fallback's ``reason`` says why (:data:`INFERRED_SEATS_REASON`).

    Parameters
    ----------
    org : OrgGraph
    as_of : date, optional
        Use only history up to this day.

    Returns
    -------
    dict
        ``{role_kind: {"days", "median_days", "refills", "still_empty", "inferred_exits", "source",
        "reason"}}`` for every role kind in :data:`ROLE_KINDS`; ``source`` is ``"measured"`` or
        ``"fallback"`` and ``reason`` says why in words.

    Examples
    --------
    >>> from orgraph.model import OrgData, Staff, Position, Program, Assignment
    >>> d = dt.date
    >>> data = OrgData(staff={"A": Staff("A", "A", "LPC", d(2020, 1, 1), d(2020, 3, 31), "voluntary"),
    ...                       "B": Staff("B", "B", "LPC", d(2020, 5, 1))},
    ...     programs={"OP": Program("OP", "OP", "op")},
    ...     positions={"P": Position("P", "Therapist", "OP", "clinician")},
    ...     assignments=[Assignment("A", "P", d(2020, 1, 1), d(2020, 3, 31)), Assignment("B", "P", d(2020, 5, 1))])
    >>> v = vacancy_days_by_role(OrgGraph(data))["clinician"]
    >>> v["refills"], v["source"], v["days"]
    (1, 'fallback', 60.0)
    >>> from dataclasses import replace
    >>> data.positions["P"] = replace(data.positions["P"], inferred=True)
    >>> v = vacancy_days_by_role(OrgGraph(data))["clinician"]
    >>> v["refills"], v["inferred_exits"], v["days"], v["reason"] == INFERRED_SEATS_REASON
    (0, 1, 60.0, True)
    """
    return copy.deepcopy(_vacancy_table(org, analysis_cut(org, as_of)))


def _vacancy_table(org: OrgGraph, cut: pd.Timestamp, af: pd.DataFrame | None = None,
                   ppl: pd.DataFrame | None = None) -> dict:
    """:func:`vacancy_days_by_role` as stored: measured once per org, cut and settings (the audit, the cost
    analysis and the report each ask; ``af`` and ``ppl``, when given, are the cut's assignments and people);
    callers must copy it before changing it."""
    s = cost_settings(org)
    key = f"vacancy_days_by_role:{cut!r}:{sorted(s.items())!r}"
    return cached(org, key, lambda: _vacancy_days_by_role(org, s, cut, af, ppl), copy=False)


def _vacancy_days_by_role(org: OrgGraph, s: dict, cut: pd.Timestamp, af: pd.DataFrame | None = None,
                          ppl: pd.DataFrame | None = None) -> dict:
    af = assignments(org, cut) if af is None else af
    ppl = people(org, cut) if ppl is None else ppl
    tau = float(s["max_vacancy_days"])
    out = {}
    kind, gap, refilled = np.zeros(0, dtype=object), np.zeros(0), np.zeros(0, dtype=bool)
    inferred_exits: dict[str, int] = {}
    if len(af):
        # the seats people left the org from: each assignment's person hashed once
        pos = ppl.index.get_indexer(af["staff_id"])
        rows = np.flatnonzero(pos >= 0)
        p = pos[rows]
        gone = ppl["exited"].fillna(False).astype(bool).to_numpy()[p] & \
            (af["end"].to_numpy()[rows] == ppl["end"].to_numpy()[p])
        left = af.iloc[rows[gone]][["position_id", "role_kind", "end"]]
        guessed = left["position_id"].isin(inferred_seats(org))
        inferred_exits = left.loc[guessed, "role_kind"].fillna("other").value_counts().to_dict()
        left = left[~guessed]
        if len(left):
            kind, gap, refilled = _refill_gaps(af, left, cut)
    for rk in ROLE_KINDS:
        g = kind == rk
        g_gap, g_ref = gap[g], refilled[g]
        n_ref = int(g_ref.sum())
        n_inf = int(inferred_exits.get(rk, 0))
        entry = {"refills": n_ref, "still_empty": int((~g_ref).sum()), "inferred_exits": n_inf}
        if n_ref >= int(s["min_vacancy_samples"]):
            days = g_gap
            obs = g_ref
            entry["days"] = round(_km_restricted_mean(days, obs, tau), 1)
            entry["median_days"] = float(np.median(np.minimum(days[obs], tau)))
            entry["source"] = "measured"
            entry["reason"] = (f"measured on {n_ref} refilled seat{'' if n_ref == 1 else 's'} of the org's own "
                               "history")
        else:
            entry["days"] = float(s["vacancy_days"])
            entry["median_days"] = None
            entry["source"] = "fallback"
            entry["reason"] = _too_few_reason(n_ref, s)
            if n_inf:
                entry["reason"] = INFERRED_SEATS_REASON + ("" if not g.any() else f"; of the other seats "
                                                           f"{entry['reason']}")
        out[rk] = entry
    return out


def _refill_gaps(af: pd.DataFrame, left: pd.DataFrame, cut: pd.Timestamp) -> tuple[np.ndarray, ...]:
    """For each seat ``left`` (``position_id, role_kind, end``) was left on: its role kind (``"other"`` when
    missing), the days from ``end`` to the first start of an assignment of ``af`` in the same seat on or after
    ``end`` (to ``cut`` when there is none) and whether there is one. The seats' starts are sorted once as
    (seat, day) keys and each exit's next start found by binary search.

    Examples
    --------
    >>> ts = pd.to_datetime
    >>> af = pd.DataFrame({"position_id": ["P", "P", "Q"], "start": ts(["2020-01-01", "2020-03-01", "2020-01-01"])})
    >>> left = pd.DataFrame({"position_id": ["P", "Q"], "role_kind": ["clinician", None],
    ...                      "end": ts(["2020-02-01", "2020-02-01"])})
    >>> kind, gap, refilled = _refill_gaps(af, left, ts("2020-12-31"))
    >>> kind.tolist(), gap.tolist(), refilled.tolist()
    (['clinician', 'other'], [29.0, 334.0], [True, False])
    """
    code, seats = pd.factorize(pd.concat([af["position_id"], left["position_id"]], ignore_index=True))
    a_code, l_code = code[:len(af)].astype(np.int64), code[len(af):].astype(np.int64)
    kind = left["role_kind"].fillna("other").to_numpy(dtype=object)
    day = np.timedelta64(1, "D")
    a_day = (af["start"].to_numpy() - np.datetime64(cut)) // day       # days before the cut (<= 0 mostly)
    l_day = (left["end"].to_numpy() - np.datetime64(cut)) // day
    if (a_code < 0).any() or (l_code < 0).any():                      # seats without an id: merge_asof's way
        m = pd.merge_asof(left.sort_values("end"), af[["position_id", "start"]].sort_values("start"),
                          left_on="end", right_on="start", by="position_id", direction="forward",
                          allow_exact_matches=True)
        ref = m["start"].notna()
        gap = (m["start"].where(ref, cut) - m["end"]).dt.days.astype(float)
        return m["role_kind"].fillna("other").to_numpy(dtype=object), gap.to_numpy(), ref.to_numpy()
    lo = int(min(a_day.min(), l_day.min()))
    span = int(max(a_day.max(), l_day.max())) - lo + 1
    keys = np.sort(a_code * span + (a_day - lo))
    q = l_code * span + (l_day - lo)
    j = np.minimum(np.searchsorted(keys, q, side="left"), len(keys) - 1)
    refilled = (keys[j] >= q) & (keys[j] // span == l_code)
    nxt = np.where(refilled, keys[j] - l_code * span + lo, 0)         # the next start, in days before the cut
    return kind, (nxt - l_day).astype(float), refilled


#: Why a vacancy is not measured on seats an import inferred.
INFERRED_SEATS_REASON = ("the export has no position ids; seats were inferred, so a vacancy between two unrelated "
                         "people would be invented")


def inferred_seats(org) -> set[str]:
    """Ids of the seats marked ``inferred`` (made by an import's seat rule, not in the source data)."""
    return {pid for pid, p in org.data.positions.items() if getattr(p, "inferred", False)}


def _too_few_reason(n: int, s: dict) -> str:
    seats = "no seat was" if n == 0 else f"only {n} seat{' was' if n == 1 else 's were'}"
    return f"{seats} refilled in the data (at least {s['min_vacancy_samples']} needed)"


def _salary(s: dict, role_kind: str) -> float:
    return float(s.get(f"salary_{role_kind}", s["salary_other"]))


def _annual_output(s: dict, role_kind: str, fte: float, salary: float) -> tuple[float, float]:
    """(billable revenue a year, value of output a year) for one seat: output is worth the larger of
    the seat's billable revenue and its salary (a seat is worth at least what the org pays for it)."""
    share = {"clinician": 1.0, "supervisor": float(s["supervisor_clinical_share"])}.get(role_kind, 0.0)
    revenue = (float(s["sessions_per_day"]) * share * float(s["revenue_per_session"]) * float(s["utilization"])
               * float(s["billable_days"]) * fte)
    return revenue, max(revenue, salary)


def cost_of_exit(model: dict, role_kind: str, *, annual_salary: float | None = None, fte: float = 1.0) -> dict:
    """Cost of one exit from a seat of ``role_kind``, by component.

    Parameters
    ----------
    model : dict
        A result of :func:`cost_model` (it carries the settings and vacancy days).
    role_kind : str
        Unknown role kinds are costed as ``"other"``.
    annual_salary : float, optional
        The person's salary; default ``[cost] salary_<role_kind>`` x ``fte``.
    fte : float, default 1.0

    Returns
    -------
    dict
        ``annual_salary, annual_revenue, vacancy_days, recruiting, onboarding,
        vacancy, ramp_up, total, share_of_salary`` (dollars rounded to cents).

    Examples
    --------
    >>> m = cost_model()
    >>> c = cost_of_exit(m, "admin", annual_salary=52000)
    >>> c["recruiting"], c["onboarding"], c["vacancy"], c["ramp_up"], c["total"]
    (4700.0, 4000.0, 0.0, 8666.67, 17366.67)
    """
    s = model["settings"]
    rk = role_kind if role_kind in ROLE_KINDS else "other"
    fte = float(fte) if fte and fte > 0 else 1.0
    salary = float(annual_salary) if annual_salary is not None and annual_salary == annual_salary \
        and annual_salary > 0 else _salary(s, rk) * fte
    revenue, output = _annual_output(s, rk, fte, salary)
    vdays = float(model["vacancy"][rk]["days"])
    recruiting = float(s["recruiting_cost_leader"] if rk in _LEADER else s["recruiting_cost"])
    onboarding = salary * float(s["onboarding_weeks"]) / 52.0 + float(s["training_cost"])
    per_year = (output - salary) if s["net_of_salary"] else output
    vacancy = max(per_year, 0.0) * vdays / 365.0
    ramp = output * float(s["ramp_months"]) / 12.0 * (1.0 - float(s["ramp_productivity"]))
    total = recruiting + onboarding + vacancy + ramp
    return {
        "role_kind": rk,
        "annual_salary": _r(salary),
        "annual_revenue": _r(revenue),
        "vacancy_days": vdays,
        "recruiting": _r(recruiting),
        "onboarding": _r(onboarding),
        "vacancy": _r(vacancy),
        "ramp_up": _r(ramp),
        "total": _r(total),
        "share_of_salary": _r(total / salary, 3) if salary > 0 else None,
    }


def _assumptions(org, s: dict) -> list[dict]:
    cfg = getattr(org, "config", None)
    where = cfg.source if isinstance(cfg, Config) else "defaults"
    out = []
    for key, value in s.items():
        changed = value != DEFAULTS["cost"].get(key)
        out.append({
            "key": key,
            "value": value,
            "set_in": where if changed else "default",
            "source": ASSUMPTION_SOURCES.get(key, ""),
        })
    return out


def cost_model(org: OrgGraph | None = None, *, as_of=None) -> dict:
    """The turnover cost model for an org: cost of one exit by role kind.

    Parameters
    ----------
    org : OrgGraph, optional
        Supplies the ``[cost]`` settings and the measured vacancy days. Without
        an org, defaults and the fallback vacancy days are used.
    as_of : date, optional
        Measure vacancy days from history up to this day.

    Returns
    -------
    dict
        ``settings`` (the ``[cost]`` values), ``vacancy`` (see
        :func:`vacancy_days_by_role`), ``role_kinds`` (``{role_kind: cost_of_exit}``
        at the default salary), ``assumptions`` (``key, value, set_in, source``)
        and ``notes`` (plain sentences, e.g. a cost outside the published range).

    Examples
    --------
    >>> m = cost_model()
    >>> m["role_kinds"]["supervisor"]["total"], m["role_kinds"]["director"]["total"]
    (28769.23, 36564.1)
    >>> m["assumptions"][0]["key"], m["assumptions"][0]["set_in"]
    ('salary_clinician', 'default')
    """
    s = cost_settings(org)
    if org is not None:
        vac = vacancy_days_by_role(org, as_of=as_of)
    else:
        vac = {rk: {"days": float(s["vacancy_days"]), "median_days": None, "refills": 0, "still_empty": 0,
                    "inferred_exits": 0, "source": "fallback", "reason": "no org history was given"}
               for rk in ROLE_KINDS}
    model = {"settings": s, "vacancy": vac, "as_of": None}
    if org is not None:
        model["as_of"] = iso(analysis_cut(org, as_of) - pd.Timedelta(days=1))
    model["role_kinds"] = {rk: cost_of_exit(model, rk) for rk in ROLE_KINDS}
    notes = []
    lo, hi = PUBLISHED_RANGE
    for rk, c in model["role_kinds"].items():
        share = c["share_of_salary"]
        if share is not None and not lo <= share <= hi:
            notes.append(f"A {rk} exit costs {share:.0%} of salary, outside the published range of "
                         f"{lo:.0%}-{hi:.0%} (Boushey & Glynn 2012); check the [cost] settings.")
    for rk in ("clinician", "supervisor"):
        v = vac[rk]
        if v["source"] == "fallback" and v["inferred_exits"]:
            notes.append(f"The vacancy of a {rk} seat uses the [cost] vacancy_days setting ({s['vacancy_days']} "
                         f"days), not the org's own history: {v['reason']} ({v['inferred_exits']} {rk} exits were "
                         f"from inferred seats).")
        elif v["source"] == "fallback":
            n = v["refills"]
            seats = "No" if n == 0 else f"Only {n}"
            notes.append(f"{seats} {rk} seat{'' if n == 1 else 's'} {'was' if n == 1 else 'were'} refilled in the "
                         f"data, so the vacancy uses the [cost] vacancy_days setting ({s['vacancy_days']} days), "
                         f"not the org's own history.")
    model["assumptions"] = _assumptions(org, s)
    model["notes"] = notes
    return model


_PERIODS = {"year": "Y", "quarter": "Q", "month": "M"}


def _period_label(p: pd.Period, period: str) -> str:
    if period == "year":
        return str(p.year)
    if period == "quarter":
        return f"{p.year}-Q{p.quarter}"
    return f"{p.year}-{p.month:02d}"


def _floats_or_none(values: pd.Series) -> list:
    """Python floats, ``None`` where missing.

    Examples
    --------
    >>> _floats_or_none(pd.Series([1, None, 2.5]))
    [1.0, None, 2.5]
    """
    v = values.astype(float)
    return [None if m else x for x, m in zip(v.tolist(), v.isna().tolist())]


_PLAIN = (str, float, type(None))


def turnover_cost(org: OrgGraph, *, as_of=None, period: str = "year") -> Result:
    """The cost model and the cost of the org's exits in each period.

    Each exit is costed with the person's own ``annual_salary`` and ``fte``
    when staff.csv has them, else with the default salary for the role kind of
    the seat they left.

    Parameters
    ----------
    org : OrgGraph
    as_of : date, optional
        Count exits up to this day (default: the last day of data).
    period : {"year", "quarter", "month"}, default "year"

    Returns
    -------
    Result
        ``table``: one row per period (``period, start, end, partial, exits,
        cost`` and ``exits_<role_kind>``/``cost_<role_kind>``, from the period
        of the first exit to the last day). ``extras``: ``model`` (see
        :func:`cost_model`), ``cost_per_exit`` (by role kind),
        ``assumptions``, ``total_exits``, ``total_cost``, ``exits`` (each exit
        with its cost) and ``notes``.

    Raises
    ------
    AnalysisError
        For an unknown ``period``.

    Examples
    --------
    >>> from orgraph.model import OrgData, Staff, Position, Program, Assignment
    >>> d = dt.date
    >>> data = OrgData(staff={"A": Staff("A", "A", "LPC", d(2020, 1, 1), d(2020, 3, 31), "voluntary",
    ...                                  annual_salary=60000.0),
    ...                       "B": Staff("B", "B", "LPC", d(2020, 5, 1))},
    ...     programs={"OP": Program("OP", "OP", "op")},
    ...     positions={"P": Position("P", "Therapist", "OP", "clinician")},
    ...     assignments=[Assignment("A", "P", d(2020, 1, 1), d(2020, 3, 31)), Assignment("B", "P", d(2020, 5, 1))])
    >>> r = turnover_cost(OrgGraph(data, data_end=d(2020, 12, 31)))
    >>> [(p["period"], p["exits"], p["cost"]) for p in r.table]
    [('2020', 1, 36834.75)]
    """
    if period not in _PERIODS:
        raise AnalysisError(f"unknown period {period!r}; expected year, quarter or month")
    cut = analysis_cut(org, as_of)
    ppl = people(org, cut)
    af = assignments(org, cut)
    _vacancy_table(org, cut, af, ppl)                   # the cost model's vacancy days, from the same tables
    model = cost_model(org, as_of=as_of)
    sf = org.staff_frame
    ex = ppl[ppl["exited"]]
    n = len(ex)
    # each exit's row of staff_frame, hashed once (-1: not in it) for its program, salary and fte
    srow = sf.index.get_indexer(ex.index)
    found = srow >= 0
    sr = np.maximum(srow, 0)

    def staff_column(col: str, missing):
        if col not in sf or not n:
            return np.full(n, missing, dtype=object)
        v = sf[col].to_numpy()[sr] if len(sf) else np.full(n, missing, dtype=object)
        return np.where(found, v, missing) if not found.all() else v

    prog = staff_column("program_id", np.nan).astype(object)
    role = ex["role_kind"].to_numpy(dtype=object).copy()
    # role kind and program of the seat held on the last day (latest seat otherwise): the last of those seats
    # in start order (the order sort_values gives), per person
    if len(af) and n:
        arow = ex.index.get_indexer(af["staff_id"])
        held = np.flatnonzero(arow >= 0)
        held = held[af["end"].to_numpy()[held] == ex["end"].to_numpy()[arow[held]]]
        held = held[np.argsort(af["start"].to_numpy()[held].view(np.int64), kind="quicksort")]
        who, last = np.unique(arow[held][::-1], return_index=True)       # the last held row of each person
        last = held[::-1][last]
        for col, out in (("role_kind", role), ("program_id", prog)):
            v = af[col].to_numpy(dtype=object)[last]
            ok = ~pd.isna(v)
            out[who[ok]] = v[ok]
    rows = []
    cache: dict = {}
    # missing values as None a column at a time (no pd.isna per exit)
    sal = _floats_or_none(pd.Series(staff_column("annual_salary", np.nan), dtype=float)) if "annual_salary" in sf \
        else [None] * n
    fte = _floats_or_none(pd.Series(staff_column("fte", np.nan), dtype=float)) if "fte" in sf else [None] * n
    progs = [None if m else v for v, m in zip(prog.tolist(), pd.isna(prog).tolist())]
    days = [iso(d) for d in ex["exit"]] if ex["exit"].isna().any() else \
        ex["exit"].to_numpy().astype("datetime64[D]").astype(str).tolist()
    sids = ex.index.tolist()
    ttypes = ex["termination_type"].tolist()
    for sid, rk, prog_, day, ttype, s_, f_ in zip(sids, role.tolist(), progs, days, ttypes, sal, fte):
        key = (rk, s_, f_)
        if key not in cache:
            cache[key] = cost_of_exit(model, rk, annual_salary=key[1], fte=key[2] or 1.0)
        c = cache[key]
        rows.append({"staff_id": sid, "exit_date": day, "role_kind": c["role_kind"], "program_id": prog_,
                     "termination_type": ttype, "cost": c["total"]})
    periods = []
    start = pd.Timestamp(org.data_start)
    last_day = cut - pd.Timedelta(days=1)
    first = last_day
    # the records as the frame would give them: its own rows, sorted, when every value is a plain str, None or
    # float (the frame keeps those as they are); otherwise through the frame
    plain = all(set(map(type, col)) <= set(_PLAIN) for col in (sids, days, progs, ttypes)) and \
        all(type(r["role_kind"]) is str and type(r["cost"]) is float for r in rows)
    if rows and plain and set(map(type, days)) == set(map(type, sids)) == {str}:
        # as sort_values: by day, then staff id (both str, compared by code point; ids are unique)
        by_id = np.argsort(np.array(sids, dtype=str), kind="stable")
        order = by_id[np.argsort(np.array(days, dtype=str)[by_id], kind="stable")]
        records = [rows[i] for i in order.tolist()]
        r_day = np.array(days, dtype=object)[order]
        r_cost = np.array([r["cost"] for r in rows], dtype=float)[order]
        r_kind = np.array([r["role_kind"] for r in rows], dtype=object)[order]
    else:
        exits = pd.DataFrame(rows, columns=["staff_id", "exit_date", "role_kind", "program_id",
                                            "termination_type", "cost"])
        exits = exits.sort_values(["exit_date", "staff_id"]).reset_index(drop=True)
        records = exits.to_dict("records")
        r_day = exits["exit_date"].to_numpy()
        r_cost = exits["cost"].to_numpy(dtype=float)
        r_kind = exits["role_kind"].to_numpy(dtype=object)
    if rows:
        pcol = pd.to_datetime(pd.Series(r_day)).dt.to_period(_PERIODS[period])
        first = pd.Timestamp(r_day[0])
        pcode = pcol.array.asi8             # period ordinals
    # periods run from the first exit (hire dates can reach decades before the export) to the last day
    for p in pd.period_range(first.to_period(_PERIODS[period]), last_day.to_period(_PERIODS[period])):
        row = {"period": _period_label(p, period), "start": iso(max(p.start_time, start)),
               "end": iso(min(p.end_time.normalize(), last_day)),
               "partial": bool(p.start_time < start or p.end_time.normalize() > last_day)}
        sel = pcode == p.ordinal if rows else np.zeros(0, dtype=bool)
        cost, kind = r_cost[sel], r_kind[sel]
        row["exits"] = int(len(cost))
        row["cost"] = round(float(pd.Series(cost, dtype=float).sum()), 2)
        for rk in ROLE_KINDS:
            k = cost[kind == rk]
            row[f"exits_{rk}"] = int(len(k))
            row[f"cost_{rk}"] = round(float(pd.Series(k, dtype=float).sum()), 2)
        periods.append(row)
    per_exit = [{"role_kind": rk, **{k: v for k, v in c.items() if k != "role_kind"}}
                for rk, c in model["role_kinds"].items()]
    total = round(float(pd.Series(r_cost, dtype=float).sum()), 2) if rows else 0.0
    summary = f"{len(rows)} exits up to {iso(last_day)}, costing an estimated ${total:,.0f} in all."
    return Result("cost", iso(last_day), {"period": period, **model["settings"]}, periods, summary, {
        "period": period, "cost_per_exit": per_exit, "model": model, "assumptions": model["assumptions"],
        "total_exits": len(rows), "total_cost": total, "exits": records,
        "notes": model["notes"]})
