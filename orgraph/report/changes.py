"""What changed since the last meeting: exits since an earlier date, what became flagged or stopped being, and how
the bottom line moved.

:func:`changes_since` compares the same analyses run on two dates (the
cascade, overload and churn results a snapshot pack runs). It is said in the
pack's ``index.html`` and, with ``--pptx``, on a slide.

The rules, in one place:

* an exit *since* the earlier date ``since`` is one dated after ``since`` and
  on or before ``as_of`` (the rule of the audit's cost of exits, so the two
  dates' periods never overlap);
* a supervisor is *flagged* on a day when they are an overloaded supervisor,
  or their exit was followed by a flagged cascade (:mod:`orgraph.report.flags`);
  a seat when it is a flagged churn seat; a program when it holds a flagged
  seat or an overloaded supervisor on that day;
* the bottom line is the headcount on the day, the exits of the 12 months to
  the day and what they cost (:func:`orgraph.analyses.cost.turnover_cost`).

Anonymized, supervisors and seats appear as the same keyed pseudonyms as in
the rest of the pack, counts of 1 to ``min_cell - 1`` read "fewer than
``min_cell``", org totals are rounded to tens, and the program table's cells
are suppressed (:func:`orgraph.privacy.suppress`).
"""
from __future__ import annotations

import pandas as pd

from ..analyses.cost import turnover_cost
from ..graph import OrgGraph, as_date
from ..privacy import suppress
from .findings import Names
from .flags import cascade_flags, churn_flags, overload_flags
from .words import money, plural

__all__ = ["changes_since", "flagged_on", "exits_between"]


def exits_between(org: OrgGraph, since, as_of) -> pd.DataFrame:
    """The staff rows of everyone whose exit is dated after ``since`` and on or before ``as_of``.

    Examples
    --------
    >>> from orgraph.analyses._demo import demo_org
    >>> sorted(exits_between(demo_org(), "2020-12-31", "2021-03-31").index)   # S1 left on 2020-12-31 itself
    ['C1', 'C2', 'C3']
    """
    sf = org.staff_frame
    a, b = pd.Timestamp(as_date(since)), pd.Timestamp(as_date(as_of))
    return sf[sf["exited"] & (sf["exit"] > a) & (sf["exit"] <= b)]


def flagged_on(org: OrgGraph, results: dict, day) -> dict[str, dict[str, str]]:
    """What is flagged on ``day``: ``{"supervisors": {id: why}, "seats": {id: why}, "programs": {id: why}}``."""
    day = as_date(day)
    sups: dict[str, str] = {}
    if results.get("cascades") is not None:
        for sid in cascade_flags(results["cascades"], day)["cascade_supervisors"]:
            sups[sid] = "their exit was followed by unusually many departures"
    over = overload_flags(results["overload"], day)["overloaded"] if results.get("overload") is not None else set()
    for sid in over:
        sups[sid] = "overloaded"
    seats = {pid: "turning over" for pid in
             (churn_flags(results["churn"], day)["churn_seats"] if results.get("churn") is not None else ())}
    H = org.snapshot(day)
    prog_of = {a["id"]: a.get("program_id") for _, a in H.nodes(data=True) if a.get("kind") == "staff"}
    programs: dict[str, str] = {}
    for pid in seats:
        pos = org.data.positions.get(pid)
        if pos is not None and pos.program_id:
            programs.setdefault(pos.program_id, "holds a seat that keeps turning over")
    for sid in over:
        if prog_of.get(sid):
            programs.setdefault(prog_of[sid], "has an overloaded supervisor")
    return {"supervisors": sups, "seats": seats, "programs": programs}


def _year_of_exits(org: OrgGraph, day) -> tuple[int, float]:
    res = turnover_cost(org, as_of=day, period="year")
    last = pd.Timestamp(as_date(day))
    first = (last - pd.DateOffset(years=1) + pd.Timedelta(days=1)).date().isoformat()
    recent = [e for e in res.extras["exits"] if first <= e["exit_date"] <= last.date().isoformat()]
    return len(recent), round(float(sum(e["cost"] for e in recent)), 2)


def _employed(org: OrgGraph, day) -> int:
    ts = pd.Timestamp(as_date(day))
    sf = org.staff_frame
    return int(((sf["hire"] <= ts) & (sf["exit"].isna() | (sf["exit"] >= ts))).sum())


def changes_since(org: OrgGraph, *, since, as_of, then: dict, now: dict, anonymize: bool = False,
                  key: str | None = None, min_cell: int = 5) -> dict:
    """Compare the analyses on ``since`` (``then``) with those on ``as_of`` (``now``).

    Parameters
    ----------
    org : OrgGraph
    since, as_of : date
        The earlier date (the last meeting) and the pack's date.
    then, now : dict
        ``{name: Result or None}`` for ``cascades``, ``overload`` and ``churn`` on each date
        (:func:`orgraph.registry.run_analyses`).
    anonymize, key, min_cell
        Pseudonyms and suppression as in the rest of the pack.

    Returns
    -------
    dict
        ``since``, ``as_of``, ``exits`` (how many exits since, as said), ``flags`` (for ``supervisors``,
        ``seats`` and ``programs``: ``new`` and ``cleared``, lists of names as shown), ``bottom_line``
        (``employed``, ``exits_12_months``, ``cost_12_months``, ``flagged_supervisors``, ``flagged_seats``,
        ``flagged_programs``: each ``[then, now]`` as shown), ``sentences``, ``numbers`` (the slide's
        callouts) and ``table`` (exits since and headcount on both days, by program).
    """
    a, b = as_date(since), as_date(as_of)
    names = Names(org, anonymize, key)

    def cnt(n: int):
        return f"fewer than {min_cell}" if anonymize and 0 < n < min_cell else n

    def total(n: int):
        return f"about {int(round(n, -1)):,}" if anonymize and n >= min_cell else cnt(n)

    def said(n) -> str:
        return f"{n:,}" if isinstance(n, int) else n

    def exits(n) -> str:
        return f"{said(n)} exit" + ("" if n == 1 else "s")

    left = exits_between(org, a, b)
    f0, f1 = flagged_on(org, then, a), flagged_on(org, now, b)
    shown = {"supervisors": names.staff, "seats": names.seat,
             "programs": lambda pid: names.program(pid)}
    flags = {}
    for kind in ("supervisors", "seats", "programs"):
        new = sorted(set(f1[kind]) - set(f0[kind]))
        cleared = sorted(set(f0[kind]) - set(f1[kind]))
        flags[kind] = {"new": [f"{shown[kind](x)}: {f1[kind][x]}" for x in new],
                       "cleared": [shown[kind](x) for x in cleared]}
    n0, c0 = _year_of_exits(org, a)
    n1, c1 = _year_of_exits(org, b)
    e0, e1 = _employed(org, a), _employed(org, b)
    bottom = {"employed": [total(e0), total(e1)], "exits_12_months": [total(n0), total(n1)],
              "cost_12_months": [c0, c1],
              **{f"flagged_{k}": [len(f0[k]), len(f1[k])] for k in ("supervisors", "seats", "programs")}}

    n_left = len(left)
    by_kind = left["role_kind"].value_counts()
    kinds = ", ".join(f"{said(cnt(int(k)))} {rk}{'s' if k != 1 else ''}" for rk, k in by_kind.items())
    sentences = [f"From {a.isoformat()} to {b.isoformat()}, {said(total(n_left))} "
                 f"{'person' if n_left == 1 else 'people'} left" + (f" ({kinds})." if n_left and not anonymize
                                                                    else ".")]
    for kind, word in (("supervisors", "supervisor"), ("seats", "seat"), ("programs", "program")):
        new, cleared = flags[kind]["new"], flags[kind]["cleared"]
        if new:
            sentences.append(f"Newly flagged {word}{'s' if len(new) != 1 else ''}: {'; '.join(new)}.")
        if cleared:
            many = "s" if len(cleared) != 1 else ""
            sentences.append(f"{word.capitalize()}{many} no longer flagged: {'; '.join(cleared)}.")
        if not new and not cleared:
            sentences.append(f"No {word} became flagged or stopped being flagged.")
    sentences.append(
        f"The bottom line moved from {exits(bottom['exits_12_months'][0])} costing {money(c0)} in the 12 months "
        f"to {a.isoformat()} to {exits(bottom['exits_12_months'][1])} costing {money(c1)} in the 12 months to "
        f"{b.isoformat()}; headcount went from {said(bottom['employed'][0])} to {said(bottom['employed'][1])}.")
    new_n = sum(len(flags[k]["new"]) for k in flags)
    cleared_n = sum(len(flags[k]["cleared"]) for k in flags)
    diff = c1 - c0
    numbers = [{"value": said(total(n_left)), "label": f"{'exit' if n_left == 1 else 'exits'} since {a.isoformat()}"},
               {"value": str(new_n), "label": "newly flagged supervisors, seats and programs"},
               {"value": str(cleared_n), "label": "no longer flagged"},
               {"value": ("+" if diff >= 0 else "") + money(diff), "label": "change in what a year of exits costs"}]

    rows = []
    h0, h1 = _headcount_by_program(org, a), _headcount_by_program(org, b)
    for pid, p in sorted(org.data.programs.items()):
        rows.append({"program_id": pid, "program": p.name, "exits_since": int((left["program_id"] == pid).sum()),
                     "employed_then": h0.get(pid, 0), "employed_now": h1.get(pid, 0)})
    if anonymize:
        rows = [{k: suppress(v, min_cell) if isinstance(v, int) else v for k, v in r.items()} for r in rows]
    return {"since": a.isoformat(), "as_of": b.isoformat(), "exits": total(n_left), "flags": flags,
            "bottom_line": bottom, "sentences": sentences, "numbers": numbers, "table": rows}



def _headcount_by_program(org: OrgGraph, day) -> dict:
    """People employed on ``day`` by the program of their seat (the rule of the pack's headcount table)."""
    ts = pd.Timestamp(as_date(day))
    sf = org.staff_frame
    employed = sf.index[(sf["hire"] <= ts) & (sf["exit"].isna() | (sf["exit"] >= ts))]
    prog_of = {x["id"]: x.get("program_id") for _, x in org.snapshot(as_date(day)).nodes(data=True)
               if x.get("kind") == "staff"}
    out: dict = {}
    for s in employed:
        out[prog_of.get(s)] = out.get(prog_of.get(s), 0) + 1
    return out
