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
>>> excess_exit_cost(5, 2.0, "clinician", model=m)
111259.77
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..config import DEFAULTS, Config
from ..errors import AnalysisError
from ..graph import OrgGraph
from .exposure import assignments, cutoff, iso, people

__all__ = [
    "ROLE_KINDS",
    "ASSUMPTION_SOURCES",
    "cost_settings",
    "vacancy_days_by_role",
    "cost_model",
    "cost_of_exit",
    "turnover_cost",
    "excess_exit_cost",
    "cascade_cost",
    "churn_seat_cost",
    "rate_excess_cost",
    "finance_headlines",
    "money",
]

ROLE_KINDS = ("clinician", "supervisor", "director", "admin", "other")
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


def money(x: float) -> str:
    """Dollars for a sentence: nearest $1,000 from $10,000 up, else nearest $100.

    Examples
    --------
    >>> money(212345.6), money(4730), money(-1500)
    ('$212,000', '$4,700', '-$1,500')
    """
    sign = "-" if x < 0 else ""
    x = abs(float(x))
    step = 1000 if x >= 10000 else 100
    return f"{sign}${round(x / step) * step:,.0f}"


def _config(org) -> Config:
    cfg = getattr(org, "config", None) if org is not None else None
    return cfg if isinstance(cfg, Config) else Config.from_mapping({}, "defaults")


def cost_settings(org: OrgGraph | None = None) -> dict:
    """The ``[cost]`` settings in force for ``org`` (defaults when ``org`` is None).

    Examples
    --------
    >>> cost_settings()["recruiting_cost"]
    4700.0
    """
    return _config(org).section("cost")


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

    Parameters
    ----------
    org : OrgGraph
    as_of : date, optional
        Use only history up to this day.

    Returns
    -------
    dict
        ``{role_kind: {"days", "median_days", "refills", "still_empty", "source"}}``
        for every role kind in :data:`ROLE_KINDS`.

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
    """
    s = cost_settings(org)
    cut = cutoff(org, as_of)
    af = assignments(org, cut)
    ppl = people(org, cut)
    tau = float(s["max_vacancy_days"])
    out = {}
    gaps = pd.DataFrame(columns=["role_kind", "gap", "refilled"])
    if len(af):
        left = af.join(ppl[["exited", "end"]].rename(columns={"end": "staff_end"}), on="staff_id")
        left = left[left["exited"].fillna(False).astype(bool) & (left["end"] == left["staff_end"])]
        left = left.sort_values("end")[["position_id", "role_kind", "end"]]
        starts = af[["position_id", "start"]].sort_values("start")
        if len(left):
            m = pd.merge_asof(left, starts, left_on="end", right_on="start", by="position_id",
                              direction="forward", allow_exact_matches=True)
            refilled = m["start"].notna()
            gap = (m["start"].where(refilled, cut) - m["end"]).dt.days.astype(float)
            gaps = pd.DataFrame({"role_kind": m["role_kind"].fillna("other"), "gap": gap, "refilled": refilled})
    for rk in ROLE_KINDS:
        g = gaps[gaps["role_kind"] == rk]
        n_ref = int(g["refilled"].sum())
        entry = {"refills": n_ref, "still_empty": int((~g["refilled"].astype(bool)).sum())}
        if n_ref >= int(s["min_vacancy_samples"]):
            days = g["gap"].to_numpy(float)
            obs = g["refilled"].to_numpy(bool)
            entry["days"] = round(_km_restricted_mean(days, obs, tau), 1)
            entry["median_days"] = float(np.median(np.minimum(days[obs], tau)))
            entry["source"] = "measured"
        else:
            entry["days"] = float(s["vacancy_days"])
            entry["median_days"] = None
            entry["source"] = "fallback"
        out[rk] = entry
    return out


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
    cfg = _config(org)
    out = []
    for key, value in s.items():
        changed = value != DEFAULTS["cost"].get(key)
        out.append({
            "key": key,
            "value": value,
            "set_in": cfg.source if changed else "default",
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
                    "source": "fallback"} for rk in ROLE_KINDS}
    model = {"settings": s, "vacancy": vac, "as_of": None}
    if org is not None:
        model["as_of"] = iso(cutoff(org, as_of) - pd.Timedelta(days=1))
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
        if v["source"] == "fallback":
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


def turnover_cost(org: OrgGraph, *, as_of=None, period: str = "year") -> dict:
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
    dict
        ``model`` (see :func:`cost_model`; ``cost_per_exit`` by role kind),
        ``assumptions``, ``periods`` (one row per period: ``period, start, end,
        partial, exits, cost`` and ``exits_<role_kind>``/``cost_<role_kind>``,
        from the period of the first exit to the last day),
        ``total_exits``, ``total_cost``, ``exits`` (each exit with its cost)
        and ``notes``.

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
    >>> [(p["period"], p["exits"], p["cost"]) for p in r["periods"]]
    [('2020', 1, 36834.75)]
    """
    if period not in _PERIODS:
        raise AnalysisError(f"unknown period {period!r}; expected year, quarter or month")
    model = cost_model(org, as_of=as_of)
    cut = cutoff(org, as_of)
    ppl = people(org, cut)
    af = assignments(org, cut)
    sf = org.staff_frame
    ex = ppl[ppl["exited"]].copy()
    # role kind and program of the seat held on the last day (latest seat otherwise)
    ex["program_id"] = sf["program_id"].reindex(ex.index) if "program_id" in sf else None
    if len(af) and len(ex):
        held = af.join(ex[["end"]].rename(columns={"end": "staff_end"}), on="staff_id", how="inner")
        held = held[held["end"] == held["staff_end"]].sort_values("start").groupby("staff_id").tail(1)
        held = held.set_index("staff_id")
        ex["role_kind"] = held["role_kind"].reindex(ex.index).fillna(ex["role_kind"])
        ex["program_id"] = held["program_id"].reindex(ex.index).fillna(ex["program_id"])
    rows = []
    cache: dict = {}
    sal = sf["annual_salary"].reindex(ex.index)
    fte = sf["fte"].reindex(ex.index)
    for sid, rk, prog, ex_day, ttype, s_, f_ in zip(ex.index, ex["role_kind"], ex["program_id"], ex["exit"],
                                                   ex["termination_type"], sal, fte):
        key = (rk, None if pd.isna(s_) else float(s_), None if pd.isna(f_) else float(f_))
        if key not in cache:
            cache[key] = cost_of_exit(model, rk, annual_salary=key[1], fte=key[2] or 1.0)
        c = cache[key]
        rows.append({"staff_id": sid, "exit_date": iso(ex_day), "role_kind": c["role_kind"],
                     "program_id": None if pd.isna(prog) else prog,
                     "termination_type": ttype, "cost": c["total"]})
    exits = pd.DataFrame(rows, columns=["staff_id", "exit_date", "role_kind", "program_id",
                                        "termination_type", "cost"])
    periods = []
    start = pd.Timestamp(org.data_start)
    last = cut - pd.Timedelta(days=1)
    first = last
    if len(exits):
        exits = exits.sort_values(["exit_date", "staff_id"]).reset_index(drop=True)
        pcol = pd.to_datetime(exits["exit_date"]).dt.to_period(_PERIODS[period])
        first = pd.Timestamp(exits["exit_date"].iloc[0])
    # periods run from the first exit (hire dates can reach decades before the export) to the last day
    for p in pd.period_range(first.to_period(_PERIODS[period]), last.to_period(_PERIODS[period])):
        row = {"period": _period_label(p, period), "start": iso(max(p.start_time, start)),
               "end": iso(min(p.end_time.normalize(), last)),
               "partial": bool(p.start_time < start or p.end_time.normalize() > last)}
        sel = exits[pcol == p] if len(exits) else exits
        row["exits"] = int(len(sel))
        row["cost"] = round(float(sel["cost"].sum()), 2)
        for rk in ROLE_KINDS:
            k = sel[sel["role_kind"] == rk]
            row[f"exits_{rk}"] = int(len(k))
            row[f"cost_{rk}"] = round(float(k["cost"].sum()), 2)
        periods.append(row)
    per_exit = [{"role_kind": rk, **{k: v for k, v in c.items() if k != "role_kind"}}
                for rk, c in model["role_kinds"].items()]
    return {
        "as_of": iso(last),
        "period": period,
        "cost_per_exit": per_exit,
        "model": model,
        "assumptions": model["assumptions"],
        "periods": periods,
        "total_exits": int(len(exits)),
        "total_cost": round(float(exits["cost"].sum()), 2) if len(exits) else 0.0,
        "exits": exits.to_dict("records"),
        "notes": model["notes"],
    }


def _model(model, org):
    return model if model is not None else cost_model(org)


def excess_exit_cost(observed: float, expected: float, role_kind: str = "clinician", *, model: dict | None = None,
                     org: OrgGraph | None = None) -> float:
    """Dollar cost of exits beyond those expected: ``max(observed - expected, 0)`` x cost of one exit.

    Parameters
    ----------
    observed, expected : float
        Exits seen, and exits expected from the org's baseline rate.
    role_kind : str, default "clinician"
    model : dict, optional
        A :func:`cost_model` result (pass it when costing many findings).
    org : OrgGraph, optional
        Used to build the model when ``model`` is not given.

    Returns
    -------
    float
        Dollars, rounded to cents; 0.0 when there is no excess.

    Examples
    --------
    >>> excess_exit_cost(1, 2.5, "clinician")
    0.0
    >>> excess_exit_cost(3, 1.0, "supervisor")
    57538.46
    """
    m = _model(model, org)
    excess = max(float(observed) - float(expected), 0.0)
    rk = role_kind if role_kind in ROLE_KINDS else "other"
    return round(excess * float(m["role_kinds"][rk]["total"]), 2)


def _role_of(org, staff_id):
    if org is None or staff_id not in getattr(org, "data").staff:
        return "clinician", None, 1.0
    sf = org.staff_frame
    return str(sf.at[staff_id, "role_kind"]), sf.at[staff_id, "annual_salary"], sf.at[staff_id, "fte"]


def cascade_cost(cascade: dict, *, model: dict | None = None, org: OrgGraph | None = None) -> dict:
    """Cost of a supervisor-exit cascade (one record of the cascade analysis).

    Parameters
    ----------
    cascade : dict
        Needs ``observed``, ``expected`` and ``departures`` (each with
        ``staff_id``); ``supervisor_id`` and ``children`` are used when present.
    model : dict, optional
        A :func:`cost_model` result.
    org : OrgGraph, optional
        Gives each departure's role kind and salary (else costed as clinicians).

    Returns
    -------
    dict
        ``departures_cost`` (every cohort exit), ``excess_cost`` (the exits
        beyond expected, at the cohort's average cost per exit),
        ``supervisor_cost`` (the supervisor's own exit), ``children_excess_cost``
        (nested cascades, recursively) and ``total_excess_cost`` (excess plus
        children): the figure findings are ranked by.

    Examples
    --------
    >>> c = {"supervisor_id": "S9", "observed": 3, "expected": 0.5,
    ...      "departures": [{"staff_id": "A"}, {"staff_id": "B"}, {"staff_id": "C"}], "children": []}
    >>> r = cascade_cost(c)
    >>> r["departures_cost"], r["excess_cost"], r["total_excess_cost"]
    (111259.77, 92716.47, 92716.47)
    """
    m = _model(model, org)
    costs = []
    for dep in cascade.get("departures") or []:
        rk, sal, fte = _role_of(org, dep.get("staff_id"))
        costs.append(cost_of_exit(m, rk, annual_salary=sal, fte=fte)["total"])
    observed = float(cascade.get("observed", len(costs)))
    expected = float(cascade.get("expected") or 0.0)
    avg = (sum(costs) / len(costs)) if costs else float(m["role_kinds"]["clinician"]["total"])
    excess = max(observed - expected, 0.0) * avg
    sup = cascade.get("supervisor_id")
    sup_cost = None
    if sup is not None:
        rk, sal, fte = _role_of(org, sup)
        rk = rk if org is not None else "supervisor"
        sup_cost = cost_of_exit(m, rk, annual_salary=sal, fte=fte)["total"]
    children = sum(cascade_cost(ch, model=m, org=org)["total_excess_cost"] for ch in cascade.get("children") or [])
    return {
        "departures_cost": round(sum(costs), 2),
        "excess_exits": round(max(observed - expected, 0.0), 3),
        "excess_cost": round(excess, 2),
        "supervisor_cost": sup_cost,
        "children_excess_cost": round(children, 2),
        "total_excess_cost": round(excess + children, 2),
    }


def churn_seat_cost(seat: dict, *, model: dict | None = None, org: OrgGraph | None = None,
                    role_kind: str | None = None) -> dict:
    """Cost of a churn seat (one record of the churn analysis).

    Parameters
    ----------
    seat : dict
        Needs ``exits``; ``expected`` (exits expected from the baseline rate),
        ``role_kind`` and ``position_id`` are used when present.
    model, org : optional
        As in :func:`cascade_cost`; ``org`` gives the seat's role kind.
    role_kind : str, optional
        Overrides the seat's role kind.

    Returns
    -------
    dict
        ``exits_cost`` (every exit from the seat), ``excess_cost`` (exits beyond
        ``expected``; equal to ``exits_cost`` when ``expected`` is missing) and
        ``cost_per_exit``.

    Examples
    --------
    >>> churn_seat_cost({"position_id": "P1", "exits": 4, "expected": 1.5})["excess_cost"]
    92716.47
    """
    m = _model(model, org)
    rk = role_kind or seat.get("role_kind")
    if rk is None:
        pid = seat.get("position_id")
        pos = org.data.positions.get(pid) if org is not None else None
        rk = pos.role_kind if pos is not None else "clinician"
    per = float(cost_of_exit(m, rk)["total"])
    exits = float(seat.get("exits") or 0)
    expected = seat.get("expected")
    excess = exits if expected is None else max(exits - float(expected), 0.0)
    return {"role_kind": rk, "cost_per_exit": round(per, 2), "exits_cost": round(exits * per, 2),
            "excess_cost": round(excess * per, 2)}


def rate_excess_cost(events_a: int, time_a: float, events_b: int, time_b: float, role_kind: str = "clinician", *,
                     model: dict | None = None, org: OrgGraph | None = None) -> dict:
    """Cost of the exits in an exposed group beyond what the comparison group's rate predicts.

    For rate-ratio findings (supervisees of overloaded supervisors, sustained
    high caseload, high documentation burden): expected exits in the exposed
    group are ``events_b / time_b x time_a``; the excess is costed with
    :func:`excess_exit_cost`.

    Parameters
    ----------
    events_a, time_a : int, float
        Exits and person-time in the exposed group.
    events_b, time_b : int, float
        Exits and person-time (same unit) in the comparison group.
    role_kind : str, default "clinician"
    model, org : optional
        As in :func:`excess_exit_cost`.

    Returns
    -------
    dict
        ``observed``, ``expected``, ``excess_exits``, ``excess_cost``.

    Examples
    --------
    >>> rate_excess_cost(12, 3650, 20, 14600)   # 12 exits where 5 were expected
    {'observed': 12, 'expected': 5.0, 'excess_exits': 7.0, 'excess_cost': 259606.13}
    """
    expected = (float(events_b) / float(time_b) * float(time_a)) if time_b and time_b > 0 else 0.0
    return {"observed": int(events_a), "expected": round(expected, 4),
            "excess_exits": round(max(float(events_a) - expected, 0.0), 4),
            "excess_cost": excess_exit_cost(events_a, expected, role_kind, model=model, org=org)}


def finance_headlines(org: OrgGraph, *, as_of=None) -> list[str]:
    """Plain-language sentences about what exits cost, for the audit report and snapshot pack.

    Parameters
    ----------
    org : OrgGraph
    as_of : date, optional

    Returns
    -------
    list of str
        The cost of exits over the last 12 months, the program that carried
        the largest share of it (when it carried at least 15%), what one
        clinician exit costs and why, and (when caseload data exists) how caseload relates to
        exits in this org.

    Examples
    --------
    >>> from orgraph.model import OrgData, Staff, Position, Program, Assignment
    >>> d = dt.date
    >>> data = OrgData(staff={"A": Staff("A", "A", "LPC", d(2020, 1, 1), d(2020, 3, 31), "voluntary")},
    ...     programs={"OP": Program("OP", "OP", "op")},
    ...     positions={"P": Position("P", "Therapist", "OP", "clinician")},
    ...     assignments=[Assignment("A", "P", d(2020, 1, 1), d(2020, 3, 31))])
    >>> print(finance_headlines(OrgGraph(data, data_end=d(2020, 12, 31)))[0])
    The 1 staff exit in the 12 months to 2020-12-31 cost an estimated $37,000 (1 clinician).
    """
    cut = cutoff(org, as_of)
    last = cut - pd.Timedelta(days=1)
    res = turnover_cost(org, as_of=as_of, period="month")
    first = (last - pd.DateOffset(years=1) + pd.Timedelta(days=1))
    recent = [e for e in res["exits"] if pd.Timestamp(e["exit_date"]) >= first]
    lines = []
    n = len(recent)
    total = sum(e["cost"] for e in recent)
    by_rk = {}
    for e in recent:
        by_rk[e["role_kind"]] = by_rk.get(e["role_kind"], 0) + 1
    parts = ", ".join(f"{k:,} {rk}{'s' if k != 1 else ''}" for rk, k in sorted(by_rk.items(), key=lambda t: -t[1]))
    word = "exit" if n == 1 else "exits"
    if not n:
        lines.append(f"No staff left in the 12 months to {iso(last)}.")
    else:
        lines.append(f"The {n:,} staff {word} in the 12 months to {iso(last)} cost an estimated {money(total)} "
                     f"({parts}).")
        progs: dict = {}
        for e in recent:
            k = e["program_id"]
            if k is not None:
                n_c = progs.setdefault(k, [0, 0.0])
                n_c[0] += 1
                n_c[1] += e["cost"]
        top, (k_n, k_cost) = max(progs.items(), key=lambda kv: kv[1][1]) if progs else (None, (0, 0.0))
        if len(progs) > 1 and total > 0 and k_cost / total >= 0.15:   # say it only when one program stands out
            pname = org.data.programs[top].name if top in org.data.programs else top
            lines.append(f"{pname} carried the largest share: {k_n} {'exit' if k_n == 1 else 'exits'}, "
                         f"{money(k_cost)} ({k_cost / total:.0%} of the total).")
    c = res["model"]["role_kinds"]["clinician"]
    v = res["model"]["vacancy"]["clinician"]
    vsrc = "this org's average" if v["source"] == "measured" else "an assumed"
    lines.append(
        f"One clinician exit costs about {money(c['total'])} ({c['share_of_salary']:.0%} of salary): recruiting "
        f"{money(c['recruiting'])}, onboarding {money(c['onboarding'])}, {vsrc} {v['days']:.0f} days of empty "
        f"seat {money(c['vacancy'])}, and {res['model']['settings']['ramp_months']:g} months of ramp-up "
        f"{money(c['ramp_up'])}.")
    if "caseload" in org.data.present or len(org.data.caseload):
        from .scenario import caseload_hazard

        try:
            fit = caseload_hazard(org, as_of=as_of)
        except AnalysisError:
            fit = None
        if fit is not None and fit["fitted"]:
            lines.append(fit["sentence"])
    return lines
