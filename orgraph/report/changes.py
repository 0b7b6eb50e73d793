"""What changed since the last meeting: exits since an earlier date, what became flagged or stopped being, and how
the bottom line moved.

:func:`changes_since` compares the same analyses run on two dates (the
cascade, overload and churn results a snapshot pack runs; ``snapshot --since
DATE``). Every pack also keeps what it flagged and its bottom line in
``state.json`` (:func:`pack_state`), so a later pack can compare itself with
the pack actually shown at the last meeting (``snapshot --compare DIR``,
:func:`read_state` and :func:`compare_states`). The changes are said in the
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

import json
from pathlib import Path

import pandas as pd

from ..analyses.cost import turnover_cost
from ..errors import AnalysisError, SourceError
from ..graph import OrgGraph, as_date
from ..model import values
from ..privacy import Pseudonymizer, suppress
from ..summary import counted_staff
from .findings import Names
from .flags import cascade_flags, churn_flags, overload_flags
from .words import money, plural

__all__ = ["changes_since", "compare_states", "pack_state", "read_state", "flagged_on", "exits_between"]


def exits_between(org: OrgGraph, since, as_of) -> pd.DataFrame:
    """The staff rows of everyone whose exit is dated after ``since`` and on or before ``as_of``.

    Examples
    --------
    >>> from orgraph.analyses._demo import demo_org
    >>> sorted(exits_between(demo_org(), "2020-12-31", "2021-03-31").index)   # S1 left on 2020-12-31 itself
    ['C1', 'C2', 'C3']
    """
    sf = counted_staff(org)
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
    snap = org.on_day(day)
    prog_of = snap.programs()
    programs: dict[str, str] = {}
    pos = snap.positions
    seat_program = dict(zip(values(pos["position_id"]), values(pos["program_id"]))) if seats else {}
    for pid in seats:
        if seat_program.get(pid):
            programs.setdefault(seat_program[pid], "holds a seat that keeps turning over")
    for sid in over:
        if prog_of.get(sid):
            programs.setdefault(prog_of[sid], "has an overloaded supervisor")
    return {"supervisors": sups, "seats": seats, "programs": programs}


def _year_of_exits(org: OrgGraph, day, cost=None) -> tuple[int, float]:
    last = pd.Timestamp(as_date(day))
    res = cost if cost is not None and cost.as_of == last.date().isoformat() else turnover_cost(org, as_of=day)
    first = (last - pd.DateOffset(years=1) + pd.Timedelta(days=1)).date().isoformat()
    recent = [e for e in res.extras["exits"] if first <= e["exit_date"] <= last.date().isoformat()]
    return len(recent), round(float(sum(e["cost"] for e in recent)), 2)


def _employed(org: OrgGraph, day) -> int:
    ts = pd.Timestamp(as_date(day))
    sf = counted_staff(org)
    return int(((sf["hire"] <= ts) & (sf["exit"].isna() | (sf["exit"] >= ts))).sum())


def _shown(anonymize: bool, min_cell: int):
    """The count helpers of a pack: small counts hidden and totals rounded when anonymized."""
    def cnt(n: int):
        return f"fewer than {min_cell}" if anonymize and 0 < n < min_cell else n

    def total(n: int):
        return f"about {int(round(n, -1)):,}" if anonymize and n >= min_cell else cnt(n)

    return cnt, total


def pack_state(org: OrgGraph, results: dict, day, *, anonymize: bool = False, key: str | None = None,
               min_cell: int = 5) -> dict:
    """What a pack on ``day`` flags and its bottom line, as the pack shows them: what ``state.json`` holds.

    A later pack compares itself with it (``orgraph snapshot --compare DIR``, :func:`compare_states`).
    Anonymized, supervisors and seats are their pseudonyms, totals are rounded and small counts hidden, and
    ``key_check`` (the pseudonym of a fixed word) tells whether a later pack uses the same key.

    Returns
    -------
    dict
        ``orgraph_state`` (1), ``as_of``, ``anonymized``, ``key_check``, ``flagged`` (``supervisors``,
        ``seats``, ``programs``: shown name -> why), ``bottom_line`` (``employed``, ``exits_12_months``,
        ``cost_12_months``) and ``headcount_by_program`` (program id -> people).
    """
    day = as_date(day)
    names = Names(org, anonymize, key)
    _, total = _shown(anonymize, min_cell)
    shown = {"supervisors": names.staff, "seats": names.seat, "programs": names.program}
    flagged = flagged_on(org, results, day)
    n, cost = _year_of_exits(org, day, results.get("cost"))
    heads = _headcount_by_program(org, day)
    return {"orgraph_state": 1, "as_of": day.isoformat(), "anonymized": bool(anonymize),
            "key_check": Pseudonymizer(key)(_KEY_CHECK) if anonymize else None,
            "flagged": {k: {shown[k](x): why for x, why in sorted(v.items())} for k, v in flagged.items()},
            "bottom_line": {"employed": total(_employed(org, day)), "exits_12_months": total(n),
                            "cost_12_months": cost},
            "headcount_by_program": {pid: (suppress(heads.get(pid, 0), min_cell) if anonymize else heads.get(pid, 0))
                                     for pid in sorted(org.data.programs)}}


#: The word whose pseudonym ``state.json`` keeps, to tell whether two anonymized packs used the same key.
_KEY_CHECK = "orgraph state key check"


def read_state(folder) -> dict:
    """The ``state.json`` of an earlier pack folder (an audit or a snapshot pack).

    Raises
    ------
    SourceError
        When the folder holds no ``state.json`` or it cannot be read.
    """
    path = Path(folder) / "state.json"
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError(f"{folder} holds no state.json: --compare reads a folder written by orgraph snapshot or "
                          "orgraph audit (packs made before state.json existed cannot be compared; use --since)"
                          ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"cannot read {path}: {exc}") from None
    if not isinstance(state, dict) or state.get("orgraph_state") != 1:
        raise SourceError(f"{path} is not a state.json written by orgraph")
    return state


def compare_states(org: OrgGraph, then: dict, now: dict, *, anonymize: bool = False, min_cell: int = 5) -> dict:
    """What changed from the pack state ``then`` to ``now`` (both from :func:`pack_state`); see
    :func:`changes_since` for what it returns. Exits since are counted in ``org``'s data.

    Raises
    ------
    SourceError
        When one state is anonymized and the other is not, or they were anonymized with different keys (their
        names could not be matched).
    AnalysisError
        When ``then`` is not before ``now``, or lies before the first day of data.
    """
    a, b = as_date(then["as_of"]), as_date(now["as_of"])
    if a >= b:
        raise AnalysisError(f"the earlier date {a.isoformat()} is not before the pack's date {b.isoformat()}")
    if a < org.data_start:
        raise AnalysisError(f"the earlier date {a.isoformat()} is before the first day of data "
                            f"({org.data_start.isoformat()})")
    if bool(then.get("anonymized")) != bool(now.get("anonymized")):
        made = "anonymized" if then.get("anonymized") else "with names"
        raise SourceError(f"the earlier pack was made {made} and this one is not; compare packs made the same way")
    if then.get("key_check") != now.get("key_check"):
        raise SourceError("the earlier pack was anonymized with a different key, so its pseudonyms cannot be matched; "
                          "use the same --key")
    cnt, total = _shown(anonymize, min_cell)

    def said(n) -> str:
        return f"{n:,}" if isinstance(n, int) else n

    def exits(n) -> str:
        return f"{said(n)} exit" + ("" if n == 1 else "s")

    left = exits_between(org, a, b)
    flags = {}
    for kind in ("supervisors", "seats", "programs"):
        f0, f1 = then["flagged"].get(kind, {}), now["flagged"].get(kind, {})
        flags[kind] = {"new": [f"{x}: {f1[x]}" for x in sorted(set(f1) - set(f0))],
                       "cleared": sorted(set(f0) - set(f1))}
    b0, b1 = then["bottom_line"], now["bottom_line"]
    bottom = {k: [b0[k], b1[k]] for k in ("employed", "exits_12_months", "cost_12_months")}
    bottom.update({f"flagged_{k}": [len(then["flagged"].get(k, {})), len(now["flagged"].get(k, {}))]
                   for k in ("supervisors", "seats", "programs")})
    c0, c1 = bottom["cost_12_months"]

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
    h0, h1 = then.get("headcount_by_program") or {}, now["headcount_by_program"]
    for pid, p in sorted(org.data.programs.items()):
        n_since = int((left["program_id"] == pid).sum())
        rows.append({"program_id": pid, "program": p.name,
                     "exits_since": suppress(n_since, min_cell) if anonymize else n_since,
                     "employed_then": h0.get(pid), "employed_now": h1.get(pid)})
    return {"since": a.isoformat(), "as_of": b.isoformat(), "exits": total(n_left), "flags": flags,
            "bottom_line": bottom, "sentences": sentences, "numbers": numbers, "table": rows}


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
    kw = dict(anonymize=anonymize, key=key, min_cell=min_cell)
    return compare_states(org, pack_state(org, then, since, **kw), pack_state(org, now, as_of, **kw),
                          anonymize=anonymize, min_cell=min_cell)


def _headcount_by_program(org: OrgGraph, day) -> dict:
    """People employed on ``day`` by the program of their seat (the rule of the pack's headcount table)."""
    ts = pd.Timestamp(as_date(day))
    sf = counted_staff(org)
    employed = sf.index[(sf["hire"] <= ts) & (sf["exit"].isna() | (sf["exit"] >= ts))]
    prog_of = org.on_day(as_date(day)).programs()
    counts = employed.to_series().map(prog_of).value_counts(dropna=False)
    return {(None if k != k else k): int(n) for k, n in counts.items()}
