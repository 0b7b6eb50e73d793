"""What a snapshot pack says: its tables and its headline sentences, from the analyses' results.

:func:`pack_content` gathers everything :func:`orgraph.render.pack.write_pack`
draws: the map flags, the tables (headcount by program, exits per quarter,
span bands, caseload distribution and, when not anonymized, the flagged
cascades, overloaded supervisors and churn seats) and the headline sentences.
Anonymized, people appear only as pseudonyms and counts under ``min_cell``
are suppressed (:func:`orgraph.privacy.suppress`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..analyses.overload import SPAN_BANDS, span_band
from ..graph import OrgGraph, as_date
from ..model import values
from ..privacy import Pseudonymizer, month, suppress
from ..summary import counted_staff
from .flags import MapFlags
from .kinds import HOW_TO_READ, KIND_TITLES, action
from .words import chance, interval, money, plural

__all__ = ["pack_content", "pack_tables", "headline_findings", "finding_cards", "risk_rows", "risk_check", "FACTOR_WORDS", "CASELOAD_BINS"]

#: Bins of active clients in the pack's caseload distribution.
CASELOAD_BINS = ((0, 9), (10, 19), (20, 29), (30, 39), (40, 49), (50, 59), (60, None))


def _money_word(f: dict) -> str:
    return f"about {money(f['estimated_cost'])} in the period, {f['certainty']} certainty"


def _table(results: dict, name: str) -> list[dict]:
    res = results.get(name)
    return res.table if res is not None else []


def pack_content(org: OrgGraph, *, as_of, results: dict, notes=(), findings=None, own_findings: bool | None = None,
                 bottom_line=(), anonymize: bool = False, key: str | None = None, min_cell: int = 5, period=None,
                 at_risk=None, risk_validation=None, cannot=(),
                 changes: dict | None = None) -> dict:
    """Flags, tables and headline sentences for a pack on ``as_of``.

    Parameters
    ----------
    results : dict
        ``{name: Result or None}`` from :func:`orgraph.registry.run_analyses`.
    notes : sequence of str
        Analyses that could not run (shown in the pack).
    findings : list of dict, optional
        Ranked findings from the audit; their headlines (with their dollars
        and certainty) follow the pack's opening sentence and ``bottom_line``.
    bottom_line : sequence of str
        What exits cost in the period and what the findings explain of it
        (:func:`orgraph.report.audit.bottom_line`).
    own_findings : bool, optional
        Also say the pack's own sentences about cascades, overload and churn
        (default: only when ``findings`` is not given, so nothing is said twice).
    changes : dict, optional
        What changed since an earlier date (:func:`orgraph.report.changes.changes_since`): kept as
        ``changes``, its table added as ``changes_by_program``.

    Returns
    -------
    dict
        ``flags`` (:class:`~orgraph.report.flags.MapFlags`), ``tables``,
        ``findings`` (sentences), ``notes`` and ``changes`` (or ``None``).
    """
    from ..registry import map_flags

    day = as_date(as_of)
    flags: MapFlags = map_flags(results, as_of=day, notes=notes, org=org)
    tables = pack_tables(org, as_of=day, results=results, anonymize=anonymize, key=key, min_cell=min_cell)
    said = headline_findings(org, as_of=day, results=results, tables=tables, anonymize=anonymize, key=key,
                             min_cell=min_cell)
    if own_findings is None:
        own_findings = findings is None
    if not own_findings:
        said = said[:1]
    said += list(bottom_line)
    opening = list(said)
    said += [f["headline"] + (f" ({_money_word(f)})" if f.get("estimated_cost") else "") for f in (findings or [])]
    if changes is not None:
        tables["changes_by_program"] = changes["table"]
    cards = finding_cards(org, findings or [], period=period, anonymize=anonymize)
    table_notes = {}
    if at_risk is not None:
        tables["at_risk"] = risk_rows(at_risk, risk_validation,
                                      programs={pid: p.name for pid, p in org.data.programs.items()})
        table_notes["at_risk"] = risk_check(risk_validation)
    return {"flags": flags, "tables": tables, "findings": said, "notes": list(notes), "changes": changes,
            "opening": opening, "cards": cards, "how_to_read": list(HOW_TO_READ) if cards else [],
            "table_notes": table_notes, "cannot": list(cannot)}


#: The risk list's factors in words.
FACTOR_WORDS = {"supervisor_left": "their supervisor left recently",
                "overloaded_supervisor": "their supervisor is overloaded",
                "churn_seat": "their seat keeps turning over", "sustained_high_caseload": "a high caseload for months",
                "high_doc_burden": "documentation as long as their sessions",
                "supervisor_high_risk": "their supervisor is at high risk of leaving"}


def risk_check(v: dict | None) -> str:
    """How well the risk list ranked past exits, in one sentence (or why it is withheld).

    Examples
    --------
    >>> risk_check({"concordance": 0.783, "ci_low": 0.6017, "ci_high": 0.9644, "exits": 9, "horizon_days": 90,
    ...             "trained_until": "2025-09-30", "withheld": False})
    'How well it predicts: fitted on the history before 2025-09-30, it ranked the 9 people who left in the next 90 days above those who stayed 78% of the time (likely range 60%–96%; 50% is a coin toss).'
    """
    if not v:
        return "The list has not been checked against past exits."
    if v.get("withheld"):
        return f"Withheld: {v.get('reason') or 'it did not rank past exits better than chance'}"
    return (f"How well it predicts: fitted on the history before {v['trained_until']}, it ranked the "
            f"{plural(v['exits'], 'person who left', 'people who left')} in the next {v['horizon_days']} days above "
            f"those who stayed {v['concordance']:.0%} of the time (likely range {v['ci_low']:.0%}–{v['ci_high']:.0%}; "
            f"50% is a coin toss).")


def risk_rows(at_risk: list[dict], validation: dict | None, programs: dict | None = None) -> list[dict]:
    """Who is at risk now, for the pack: each person, their chance of leaving in words and the reasons in words.

    Examples
    --------
    >>> risk_rows([{"rank": 1, "name": "Ann", "staff_id": "S1", "role_kind": "clinician", "program_id": "OP",
    ...             "factors": ["churn_seat"], "exit_probability": 0.29}], {"horizon_days": 90})[0]["chance"]
    'about 3 in 10 within 90 days'
    """
    days = (validation or {}).get("horizon_days") or 90
    rows = []
    for r in at_risk:
        who = f"{r['name']} ({r['staff_id']})" if r.get("name") else r["staff_id"]
        reasons = r.get("details") or [FACTOR_WORDS.get(f, f.replace("_", " ")) for f in r.get("factors") or []]
        rows.append({"rank": r.get("rank"), "person": who, "role": r.get("role_kind"),
                     "program": (programs or {}).get(r.get("program_id"), r.get("program_id")),
                     "chance": f"{chance(r.get('exit_probability'))} within {days} days",
                     "why": "; ".join(reasons)})
    return rows


def _who(org: OrgGraph, f: dict, anonymize: bool, most: int = 4) -> str:
    """What a finding names, in words: people by name, seats by title, programs by name (pseudonyms as given
    when anonymized)."""
    out = []
    for sid in f.get("subjects") or []:
        if anonymize:
            out.append(str(sid))
        elif sid in org.by_id("staff", "name"):
            out.append(f"{org.by_id('staff', 'name')[sid]} ({sid})")
        elif sid in org.by_id("positions", "title"):
            out.append(f"{org.by_id('positions', 'title')[sid]} ({sid})")
        elif sid in org.data.programs:
            out.append(org.data.programs[sid].name)
        else:
            out.append(str(sid))
    if f["kind"] == "cascade":
        out = out[:1]                        # the supervisor; who followed is in the sentence
    more = len(out) - most
    return ", ".join(out[:most]) + (f" and {more} more" if more > 0 else "")


def finding_cards(org: OrgGraph, findings: list[dict], *, period=None, anonymize: bool = False) -> list[dict]:
    """One card per finding for the pack: its sentence, its dollars with their period, how sure in words (the
    interval as a tooltip), what it names and, for a claim, the one action it suggests.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> f = {"rank": 1, "kind": "churn-seat", "headline": "A seat turned over.", "claim": True, "certainty": "high",
    ...      "estimated_cost": 263000.0, "ratio": 5.4, "ci_low": 2.5, "ci_high": 11.0, "subjects": ["X1"]}
    >>> c = finding_cards(example_org(), [f], period=("2022-01-01", "2025-12-31"))[0]
    >>> c["dollars"], c["sure"], c["range"]
    ('about $263,000 from 2022-01-01 to 2025-12-31', 'high certainty', '5.4 times the usual rate; likely range 2.5–11.0')
    """
    cards = []
    for f in findings:
        claim = bool(f.get("claim"))
        cost = f.get("estimated_cost") or 0
        when = f" from {period[0]} to {period[1]}" if period else " in the period analysed"
        tested = f.get("ratio") is not None
        if cost:
            dollars = f"about {money(cost)}{when}"
        elif claim and f["kind"] == "common-factors":
            dollars = "no dollar figure: it says who leaves, not why"
        elif claim and f["kind"] == "caseload-per-fte":
            dollars = "priced in the what-if scenarios (orgraph scenario), not here"
        elif claim:
            dollars = "no dollar figure of its own (counted in a larger finding above)"
        else:
            dollars = "no dollar figure: not a claim"
        sure = (f"{f['certainty']} certainty" if claim else "could be chance (descriptive)" if tested
                else "descriptive: a count, not a test")
        rng = None
        if tested:
            digits = 2 if f["ratio"] < 2 else 1
            rng = f"{f['ratio']:.{digits}f} times the usual rate"
            if f.get("ci_low") is not None:
                rng += f"; likely range {interval(f['ci_low'], f.get('ci_high'), digits)}"
        who = _who(org, f, anonymize)
        cards.append({"rank": f.get("rank"), "title": KIND_TITLES.get(f["kind"], f["kind"]), "sentence": f["headline"],
                      "dollars": dollars, "sure": sure, "range": rng, "who": who, "claim": claim,
                      "action": action(f["kind"], who) if claim else None})
    return cards


def pack_tables(org: OrgGraph, *, as_of, results: dict, anonymize: bool = False, key: str | None = None,
                min_cell: int = 5, quarters: int = 8) -> dict[str, list[dict]]:
    """The pack's tables as lists of records, suppressed when anonymized."""
    day = as_date(as_of)
    ts = pd.Timestamp(day)
    sf = counted_staff(org)          # external managers are in no headcount
    employed = sf[(sf["hire"] <= ts) & (sf["exit"].isna() | (sf["exit"] >= ts))]
    snap = org.on_day(day)
    prog_of = snap.programs()                       # staff id -> program of their seat that day (or None)
    year_ago = ts - pd.DateOffset(years=1)
    left_year = sf[(sf["exit"] < ts) & (sf["exit"] >= year_ago)]
    tables: dict[str, list[dict]] = {}

    emp_prog = employed.index.to_series().map(prog_of)
    n_emp_of = emp_prog.value_counts(dropna=True).to_dict()
    n_left_of = left_year["program_id"].value_counts(dropna=True).to_dict()
    rows = []
    for pid, p in sorted(org.data.programs.items()):
        rows.append({"program_id": pid, "program": p.name, "employed": int(n_emp_of.get(pid, 0)),
                     "left_last_12_months": int(n_left_of.get(pid, 0))})
    n_emp = int((~emp_prog.isin(list(org.data.programs))).sum())
    n_left = int((~left_year["program_id"].isin(list(org.data.programs))).sum())
    if n_emp or n_left:
        rows.append({"program_id": "", "program": "(no seat in a program)", "employed": n_emp,
                     "left_last_12_months": n_left})
    tables["headcount_by_program"] = rows

    # exits per quarter by role kind (the last `quarters` quarters up to as_of)
    q_end = pd.Period(ts, "Q")
    periods = [q_end - i for i in range(quarters - 1, -1, -1)]
    ex = sf[sf["exited"] & (sf["exit"] <= ts)]
    ex = ex[ex["exit"] >= periods[0].start_time]
    kinds = sorted(set(ex["role_kind"])) or ["clinician"]
    rows = []
    for per in periods:
        in_q = ex[(ex["exit"] >= per.start_time) & (ex["exit"] <= per.end_time)]
        row = {"quarter": str(per).replace("Q", "-Q")}
        for k in kinds:
            row[k] = int((in_q["role_kind"] == k).sum())
        row["total"] = int(len(in_q))
        row["complete"] = bool(per.end_time.normalize() <= ts)
        rows.append(row)
    tables["exits_by_quarter"] = rows

    # span bands on the day (direct supervisees)
    span = snap.spans().to_dict()
    counts = {b[0]: 0 for b in SPAN_BANDS}
    for n in span.values():
        b = span_band(n)
        if b:
            counts[b] += 1
    total = sum(counts.values())
    tables["span_bands"] = [{"band": b, "supervisors": c, "share": round(c / total, 3) if total else 0.0}
                            for b, c in counts.items()]

    # caseload distribution in the month of the day
    cl = org.data.caseload
    month = pd.Timestamp(day.year, day.month, 1)
    cur = cl[(cl["month"] == month).to_numpy()] if len(cl) else cl
    cur = cur[cur["staff_id"].isin(employed.index).to_numpy()] if len(cur) else cur
    rows = []
    for lo, hi in CASELOAD_BINS:
        sel = cur["active_clients"] >= lo
        if hi is not None:
            sel &= cur["active_clients"] <= hi
        rows.append({"active_clients": f"{lo}-{hi}" if hi is not None else f"{lo}+", "people": int(sel.sum())})
    tables["caseload_distribution"] = rows

    # the same two distributions by program (long form: drawn as bars stacked by program)
    pname = {pid: p.name for pid, p in org.data.programs.items()}
    by_prog: dict = {}
    for sup, n in span.items():
        b = span_band(n)
        if b:
            key = (pname.get(prog_of.get(sup), "(no program)"), b)
            by_prog[key] = by_prog.get(key, 0) + 1
    tables["span_by_program"] = [{"program": prog, "band": b, "supervisors": by_prog.get((prog, b), 0)}
                                 for prog in sorted({k[0] for k in by_prog}) for b, *_ in SPAN_BANDS]
    rows = []
    if len(cur):
        name_of = {s: pname.get(p, "(no program)") for s, p in prog_of.items()}
        progs = np.asarray(cur["staff_id"].map(name_of), dtype=object)
        order = sorted(set(progs))
        code = pd.Index(order).get_indexer(progs)
        n = cur["active_clients"].to_numpy()
        counts = []
        for lo, hi in CASELOAD_BINS:
            sel = (n >= lo) & (n <= hi) if hi is not None else n >= lo
            counts.append(np.bincount(code[sel], minlength=len(order)))
        for i, prog in enumerate(order):
            for (lo, hi), c in zip(CASELOAD_BINS, counts):
                rows.append({"program": prog, "active_clients": f"{lo}-{hi}" if hi is not None else f"{lo}+",
                             "people": int(c[i])})
    tables["caseload_by_program"] = rows

    if not anonymize:
        everyone = org.staff_frame                              # external managers have names too
        person = dict(zip(everyone.index, values(everyone["name"])))
        cas = [c for c in _table(results, "cascades") if c.get("flagged")]
        tables["flagged_cascades"] = [{
            "supervisor": person.get(c["supervisor_id"], ""), "supervisor_id": c["supervisor_id"],
            "left_on": c["exit_date"], "team_size": c["cohort_size"], "team_members_who_left": c["observed"],
            "expected_if_usual": _round(c["expected"], 1), "times_the_usual_rate": _round(c["relative_risk"], 1),
            "likely_range": interval(c["ci_low"], c["ci_high"]),
            "who_followed": "; ".join(f"{person.get(d['staff_id'], '')} (+{plural(d['days_after'], 'day')})"
                                      for d in c["departures"])}
            for c in cas]
        sup = [r for r in _table(results, "overload") if r.get("overloaded")]
        tables["overloaded_supervisors"] = [{
            "supervisor": person.get(r["supervisor_id"], ""), "supervisor_id": r["supervisor_id"],
            "average_direct_supervisees": _round(r.get("mean_span"), 1), "direct_supervisees_now": r.get("span_now"),
            "everyone_under_them": r.get("total_span"), "clients_of_their_supervisees": r.get("supervisee_caseload"),
            "why": "; ".join(r.get("reasons") or [])}
            for r in sup]
        seats = [r for r in _table(results, "churn") if r.get("flagged") or r.get("watch")]
        tables["churn_seats"] = [{
            "seat": r.get("title") or r["position_id"], "seat_id": r["position_id"],
            "program": _program(org, r.get("program_id")), "holders": r.get("holders"), "exits": r.get("exits"),
            "expected_if_usual": _round(r.get("expected"), 1),
            "times_the_usual_rate": _round(r["exits"] / r["expected"], 1) if r.get("expected") else None,
            "status": "flagged" if r.get("flagged") else "to watch",
            "what_the_leavers_shared": "; ".join(r.get("shared_factors") or [])} for r in seats]
    else:
        # totals and shares would give suppressed cells back: leave them out
        for r in tables["exits_by_quarter"]:
            r.pop("total")
        for r in tables["span_bands"]:
            r.pop("share")
        for name in tables:
            tables[name] = [{k: (v if k == "complete" else suppress(v, min_cell)) for k, v in r.items()}
                            for r in tables[name]]
    tables["retention"] = _retention_rows(results, anonymize=anonymize, min_cell=min_cell)
    return tables


def _round(x, digits: int):
    return None if x is None else round(float(x), digits)


def _program(org: OrgGraph, pid) -> str | None:
    return None if pid is None else (org.data.programs[pid].name if pid in org.data.programs else str(pid))


def _retention_rows(results: dict, *, anonymize: bool, min_cell: int) -> list[dict]:
    """The retention curves in long form (curve, group, month, share still here, people at risk); anonymized, a
    point with fewer than ``min_cell`` people at risk is not shown."""
    rows = []
    for r in _table(results, "retention"):
        for p in r["points"]:
            thin = anonymize and p["at_risk"] < min_cell
            rows.append({"curve": r["curve"], "group": r["group"], "month": p["month"],
                         "share_still_here": None if thin else p["share"],
                         "people_at_risk": suppress(p["at_risk"], min_cell) if anonymize else p["at_risk"]})
    return rows


def headline_findings(org: OrgGraph, *, as_of, results: dict, tables: dict, anonymize: bool = False,
                      key: str | None = None, min_cell: int = 5) -> list[str]:
    """A few plain-language sentences from the analyses.

    Anonymized, people and seats appear as pseudonyms, dates about people as
    months, counts of 1 to ``min_cell - 1`` people read "fewer than
    ``min_cell``", org totals are rounded to tens, and a cascade is described
    by its rate, not by how many of whom left.
    """
    day = as_date(as_of)
    pseudo = Pseudonymizer(key) if anonymize else None

    def cnt(n) -> str:
        if anonymize and isinstance(n, int) and 0 < n < min_cell:
            return f"fewer than {min_cell}"
        return str(n)

    def total(n: int) -> str:
        return f"about {int(round(n, -1))}" if anonymize and n >= min_cell else cnt(n)

    def who(sid: str) -> str:
        if pseudo:
            return pseudo(sid)
        names = org.by_id("staff", "name")
        return f"{names[sid]} ({sid})" if sid in names else sid

    out = []
    ts = pd.Timestamp(day)
    sf = counted_staff(org)
    emp = int(((sf["hire"] <= ts) & (sf["exit"].isna() | (sf["exit"] >= ts))).sum())
    left = int(((sf["exit"] < ts) & (sf["exit"] >= ts - pd.DateOffset(years=1))).sum())
    n_prog = len(org.data.programs)
    out.append(f"On {day.isoformat()}, {total(emp)} people worked in {n_prog} program{'s' if n_prog != 1 else ''}; "
               f"{total(left)} left in the 12 months before.")
    cas = results.get("cascades")
    flagged = [c for c in _table(results, "cascades") if c.get("flagged") and as_date(c["exit_date"]) < day]
    org_hr = cas.extras.get("org") or {} if cas is not None else {}
    window = cas.settings.get("window_days") if cas is not None else None
    within = f"within {window} days" if window else "within the follow-up window"
    if org_hr.get("hazard_ratio") is not None and org_hr.get("ci_low") is not None:
        out.append(f"People left at {org_hr['hazard_ratio']:.1f} times the usual rate in the "
                   f"{f'{window} days' if window else 'months'} after their supervisor left (95% interval "
                   f"{org_hr['ci_low']:.1f} to {org_hr['ci_high']:.1f}).")
    for c in sorted(flagged, key=lambda c: -(c.get("relative_risk") or 0))[:3]:
        if anonymize:
            out.append(f"After {who(c['supervisor_id'])} left in {month(c['exit_date'])}, the people they supervised "
                       f"left {within} at {c.get('relative_risk') or 0:.1f} times the usual rate.")
            continue
        out.append(f"After {who(c['supervisor_id'])} left on {c['exit_date']}, {c['observed']} of the "
                   f"{c['cohort_size']} people they supervised left {within}; about "
                   f"{c['expected']:.1f} would be expected.")
    if len(flagged) > 3:
        more = len(flagged) - 3
        out.append(f"{more} more supervisor exit{'s were' if more != 1 else ' was'} followed by unusually many "
                   f"departures.")
    ov = results.get("overload")
    sup = [r for r in _table(results, "overload") if r.get("overloaded")]
    if sup:
        n_all = len(ov.table)
        if anonymize and len(sup) < min_cell:
            sent = f"Fewer than {min_cell} supervisors are overloaded"
        else:
            sent = f"{total(len(sup))} of {total(n_all)} supervisors {'is' if len(sup) == 1 else 'are'} overloaded"
        sent += " (span, supervisees' caseloads or missing supervision)."
        rr = ov.extras.get("rate_ratio") or {}
        if rr.get("rate_ratio") is not None and rr.get("ci_low") is not None:
            sent += (f" Their supervisees left at {rr['rate_ratio']:.1f} times the rate of others (95% interval "
                     f"{rr['ci_low']:.1f} to {rr['ci_high']:.1f}).")
        out.append(sent)
    seats = [r for r in _table(results, "churn") if r.get("flagged")]
    if seats:
        top = seats[0]
        out.append(f"{len(seats)} seat{'s keep' if len(seats) != 1 else ' keeps'} turning over; the clearest is "
                   f"{pseudo.seat(top['position_id']) if pseudo else top['position_id']} "
                   f"({top.get('title') or 'seat'}): {cnt(top.get('holders'))} holders and "
                   f"{cnt(top.get('exits'))} exits, about {top.get('expected') or 0:.1f} expected.")
    if not (flagged or sup or seats):
        out.append("No supervisor-exit cascade, overloaded supervisor or churn seat stands out on this date.")
    return out
