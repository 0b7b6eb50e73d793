"""What the analyses flag on a map: ids to highlight and the reasons shown in tooltips.

Each analysis that marks people or seats on the map has a function here that
reads its :class:`~orgraph.result.Result` and returns a dict of
:class:`MapFlags` fields; :func:`merge` combines them. The words of every
tooltip reason live here, next to the other sentences about findings.

Examples
--------
>>> from orgraph.result import Result
>>> res = Result("overload", "2024-06-30", {}, [{"supervisor_id": "S2", "overloaded": True,
...              "reasons": ["span 12 > 8"]}])
>>> f = merge([overload_flags(res, None)])
>>> sorted(f.overloaded), f.reasons["S2"]
(['S2'], ('Overloaded supervisor: span 12 > 8',))
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..analyses.exposure import post_exit_window
from ..graph import as_date
from ..privacy import seat_ref, staff_ref
from ..settings import resolve

__all__ = ["MapFlags", "merge", "cascade_flags", "overload_flags", "churn_flags", "post_exit_flags",
           "flagged_cascades"]

@dataclass(frozen=True)
class MapFlags:
    """What the analyses flagged, as sets of ids.

    ``reasons`` maps a staff id to plain-language reasons shown in its
    tooltip; ``seat_reasons`` does the same for position ids. Reasons name
    people and seats with :func:`~orgraph.privacy.staff_ref` and
    :func:`~orgraph.privacy.seat_ref` (the renderer shows names or
    pseudonyms). ``notes`` says
    which analyses could not run.

    Examples
    --------
    >>> MapFlags(overloaded=frozenset({"S1"})).any_for("S1")
    True
    """

    overloaded: frozenset = frozenset()
    churn_seats: frozenset = frozenset()
    cascade_supervisors: frozenset = frozenset()
    cascade_departures: frozenset = frozenset()
    cascade_links: tuple = ()  # (departed staff id, supervisor id whose cascade it belongs to)
    cascade_exit: dict = field(default_factory=dict)  # supervisor id -> exit date (ISO)
    reasons: dict = field(default_factory=dict)
    seat_reasons: dict = field(default_factory=dict)
    post_exit: dict = field(default_factory=dict)  # staff id -> (supervisor id, supervisor's exit date ISO)
    notes: tuple = ()

    def any_for(self, staff_id: str) -> bool:
        return (staff_id in self.overloaded or staff_id in self.cascade_supervisors
                or staff_id in self.cascade_departures)


def flagged_cascades(result, day: dt.date | None = None) -> list[dict]:
    """The flagged cascades of a cascade result whose supervisor left before ``day`` (all when ``None``).

    Every cascade is a record of ``result.table`` (nested cascades are there
    too, so nothing is counted twice).
    """
    return [c for c in result.table
            if c.get("flagged") and (day is None or as_date(c["exit_date"]) < day)]


def cascade_flags(result, day: dt.date | None) -> dict:
    """Flagged cascades: their supervisors, who followed, and why."""
    sups, deps, links, exits, reasons = set(), set(), [], {}, {}
    for c in flagged_cascades(result, day):
        sid = str(c["supervisor_id"])
        sups.add(sid)
        exits[sid] = c["exit_date"]
        reasons.setdefault(sid, []).append(
            f"Their exit on {c['exit_date']} was followed by {c.get('observed', '?')} departures from their "
            f"team (about {float(c.get('expected') or 0):.1f} expected)")
        for d in c.get("departures") or []:
            if day is None or as_date(d["exit_date"]) < day:
                deps.add(str(d["staff_id"]))
                links.append((str(d["staff_id"]), sid))
                reasons.setdefault(str(d["staff_id"]), []).append(
                    f"Left {d.get('days_after', '?')} days after their supervisor {staff_ref(sid)} left "
                    f"(flagged cascade)")
    return {"cascade_supervisors": sups, "cascade_departures": deps, "cascade_links": links, "cascade_exit": exits,
            "reasons": reasons}


def overload_flags(result, day) -> dict:
    """Overloaded supervisors and the limits they exceed."""
    over, reasons = set(), {}
    for r in result.table:
        if r.get("overloaded"):
            sid = str(r["supervisor_id"])
            over.add(sid)
            why = r.get("reasons") or []
            why = [why] if isinstance(why, str) else list(why)
            reasons.setdefault(sid, []).append("Overloaded supervisor" + (": " + "; ".join(map(str, why))
                                                                         if why else ""))
    return {"overloaded": over, "reasons": reasons}


def churn_flags(result, day) -> dict:
    """Flagged churn seats and what they have seen."""
    seats, seat_reasons = set(), {}
    for r in result.table:
        if r.get("flagged"):
            pid = str(r["position_id"])
            seats.add(pid)
            seat_reasons[pid] = (f"Holds churn seat {seat_ref(pid)}" + (f" ({r['title']})" if r.get("title") else "")
                                 + f": {r.get('holders', '?')} holders, {r.get('exits', '?')} exits"
                                 + (f", {r['expected']:.1f} expected" if isinstance(r.get("expected"), float)
                                    else "")
                                 + (f" (adjusted p = {r['p_adjusted']:.2g})" if isinstance(r.get("p_adjusted"), float)
                                    else ""))
    return {"churn_seats": seats, "seat_reasons": seat_reasons}


def post_exit_flags(org, day) -> dict:
    """Who is in the window after a supervisor of theirs left on ``day`` (the cascade cohort rule,
    :func:`orgraph.analyses.exposure.post_exit_window`), with the latest such supervisor exit per person."""
    st = resolve(org, "cascades")
    w = post_exit_window(org, day, int(st["window_days"]), int(st["lookback_days"]))
    return {"post_exit": {s: (sup, e.date().isoformat()) for s, sup, e in
                          zip(w["staff_id"], w["supervisor_id"], w["sup_exit"])}}


def merge(parts, *, notes=()) -> MapFlags:
    """One :class:`MapFlags` from the dicts the flag functions return."""
    sets = {k: set() for k in ("overloaded", "churn_seats", "cascade_supervisors", "cascade_departures")}
    links, exits, reasons, seat_reasons, post_exit = [], {}, {}, {}, {}
    for p in parts:
        for k in sets:
            sets[k] |= set(p.get(k, ()))
        links += list(p.get("cascade_links", ()))
        exits.update(p.get("cascade_exit", {}))
        for sid, why in p.get("reasons", {}).items():
            reasons.setdefault(sid, []).extend(why)
        seat_reasons.update(p.get("seat_reasons", {}))
        post_exit.update(p.get("post_exit", {}))
    return MapFlags(**{k: frozenset(v) for k, v in sets.items()}, cascade_links=tuple(links), cascade_exit=exits,
                    reasons={k: tuple(v) for k, v in reasons.items()}, seat_reasons=seat_reasons,
                    post_exit=post_exit, notes=tuple(notes))
