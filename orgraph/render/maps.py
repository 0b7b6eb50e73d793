"""Interactive supervision maps: one self-contained, offline HTML file.

A map shows the supervision network on one date. People are dots sized by
caseload and coloured by status; arrows run from supervisee to supervisor;
programs are drawn as labelled regions; people who left recently, and the
supervisors whose exit started a flagged cascade, stay on the map as "ghosts"
so a leader sees a departed supervisor and the departures that followed.

pyvis (0.3.2) assembles the nodes, edges and options (its ``Network``), but
orgraph writes the page itself: pyvis's template links CDNs and Bootstrap,
and has no autoescape. Here every value reaches the browser only as JSON
inside a ``<script type="application/json">`` block (``<``, ``>`` and ``&``
escaped) and is shown with ``textContent`` or drawn on the canvas; vis-network
shows a string ``title`` as plain text. vis-network itself is inlined from the
copy pyvis ships, so the page loads nothing from the network.

Above :data:`PHYSICS_MAX_NODES` people the physics simulation is off and the
precomputed layout (one radial tree per supervision line, packed by program)
is used as is, so a 5,000-person org opens in a few seconds.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import html
import json
import math
import re
from dataclasses import dataclass, field
from importlib import resources

import pandas as pd
from pyvis.network import Network

from ..errors import AnalysisError, ConfigError
from ..graph import OrgGraph, as_date

__all__ = [
    "MapFlags",
    "compute_flags",
    "run_analyses",
    "flags_from_results",
    "map_elements",
    "aggregate_elements",
    "VIEWS",
    "build_map",
    "page_html",
    "script_json",
    "staff_ref",
    "Pseudonymizer",
    "radial_layout",
    "vis_network",
    "STATUS_STYLES",
    "PHYSICS_MAX_NODES",
    "DEFAULT_LOOKBACK_DAYS",
]

#: Above this many nodes the physics simulation is switched off and the
#: precomputed layout is shown as is (vis-network's physics gets sluggish
#: beyond a few hundred nodes on an ordinary laptop).
PHYSICS_MAX_NODES = 400

#: Default for ``--lookback-days``: people who left in this many days before
#: the map date stay on the map, greyed out.
DEFAULT_LOOKBACK_DAYS = 90

#: Colour and meaning of each status, in legend order.
STATUS_STYLES: dict[str, dict[str, str]] = {
    "active": {"color": "#4e79a7", "label": "Active, nothing flagged"},
    "post_exit": {"color": "#f28e2b", "label": "Active, in the window after their supervisor left"},
    "overloaded": {"color": "#8e44ad", "label": "Overloaded supervisor"},
    "left": {"color": "#c9c9c9", "label": "Left (recently, or part of a cascade shown)"},
}
CASCADE_COLOR = "#d62728"
EDGE_COLOR = "#8c8c8c"
FORMER_EDGE_COLOR = "#b5b5b5"


# --------------------------------------------------------------- pseudonyms
class Pseudonymizer:
    """Stable keyed pseudonyms: the same id and key always give the same name.

    Examples
    --------
    >>> p = Pseudonymizer("secret")
    >>> p("S-1") == Pseudonymizer("secret")("S-1"), p("S-1") == Pseudonymizer("other")("S-1")
    (True, False)
    >>> p("S-1").startswith("P-"), len(p("S-1"))
    (True, 12)
    """

    def __init__(self, key: str | bytes):
        if not key:
            raise ConfigError("anonymizing needs a key (--key or ORGRAPH_ANON_KEY): the same key gives the same "
                              "pseudonyms across runs")
        self.key = key.encode("utf-8") if isinstance(key, str) else key
        self._cache: dict[str, str] = {}

    def __call__(self, staff_id: str) -> str:
        out = self._cache.get(staff_id)
        if out is None:
            digest = hmac.new(self.key, str(staff_id).encode("utf-8"), hashlib.sha256).hexdigest()
            out = self._cache[staff_id] = "P-" + digest[:10].upper()
        return out


# ------------------------------------------------------------------- flags
_STAFF_REF = re.compile("\u27e8staff:([^\u27e9]*)\u27e9")


def staff_ref(staff_id: str) -> str:
    """A reference to a person inside a reason text, shown as their name, or pseudonym when anonymized.

    Examples
    --------
    >>> staff_ref("S-3")
    '\u27e8staff:S-3\u27e9'
    """
    return f"\u27e8staff:{staff_id}\u27e9"


@dataclass(frozen=True)
class MapFlags:
    """What the analyses flagged, as sets of ids (passed in, or made by :func:`compute_flags`).

    ``reasons`` maps a staff id to plain-language reasons shown in its
    tooltip; ``seat_reasons`` does the same for position ids. ``notes`` says
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
    notes: tuple = ()

    def any_for(self, staff_id: str) -> bool:
        return (staff_id in self.overloaded or staff_id in self.cascade_supervisors
                or staff_id in self.cascade_departures)


def _table(result, key: str) -> list[dict]:
    if isinstance(result, dict):
        for k in (key, "records", "rows"):
            if isinstance(result.get(k), list):
                return result[k]
        for v in result.values():
            if isinstance(v, list) and v and isinstance(v[0], dict):
                return v
        return []
    return list(result or [])


def _flatten_cascades(records):
    for c in records:
        yield c
        yield from _flatten_cascades(c.get("children") or [])


_ANALYSES = {"cascades": "supervisor_cascades", "overload": "overloaded_supervisors", "churn": "churn_seats"}


def run_analyses(org: OrgGraph, *, as_of) -> dict:
    """Run the cascade, overload and churn analyses as of ``as_of``.

    Returns ``{"cascades": ..., "overload": ..., "churn": ..., "notes": [...]}``
    with each analysis's result, or ``None`` (and a note) when it is not
    available or cannot run on this data (an :class:`~orgraph.errors.AnalysisError`).
    """
    from .. import analyses  # a later stage may import an earlier one

    day = as_date(as_of)
    out: dict = {"notes": []}
    for key, name in _ANALYSES.items():
        fn = getattr(analyses, name, None)
        if fn is None:
            out["notes"].append(f"{name} is not available in this version")
            out[key] = None
            continue
        try:
            out[key] = fn(org, as_of=day)
        except AnalysisError as exc:
            out["notes"].append(f"{name} could not run: {exc}")
            out[key] = None
    return out


def compute_flags(org: OrgGraph, *, as_of) -> MapFlags:
    """The flags of the cascade, overload and churn analyses as of ``as_of`` (see :func:`flags_from_results`)."""
    return flags_from_results(run_analyses(org, as_of=as_of), as_of=as_of)


def flags_from_results(results: dict, *, as_of) -> MapFlags:
    """Collect flagged supervisors, seats and cascades from :func:`run_analyses` results.

    Examples
    --------
    >>> f = flags_from_results({"overload": {"supervisors": [{"supervisor_id": "S2", "overloaded": True,
    ...     "reasons": ["span 12 > 8"]}]}, "notes": []}, as_of="2024-06-30")
    >>> sorted(f.overloaded), f.reasons["S2"]
    (['S2'], ('Overloaded supervisor: span 12 > 8',))
    """
    day = as_date(as_of)
    notes = list(results.get("notes") or [])
    reasons: dict[str, list[str]] = {}
    seat_reasons: dict[str, str] = {}

    def run(name: str, key: str):
        return _table(results.get(name) or [], key)

    overloaded = set()
    for r in run("overload", "supervisors"):
        if r.get("overloaded"):
            sid = str(r["supervisor_id"])
            overloaded.add(sid)
            why = r.get("reasons") or []
            why = [why] if isinstance(why, str) else list(why)
            text = "Overloaded supervisor" + (": " + "; ".join(map(str, why)) if why else "")
            reasons.setdefault(sid, []).append(text)
    churn = set()
    for r in run("churn", "seats"):
        if r.get("flagged"):
            pid = str(r["position_id"])
            churn.add(pid)
            seat_reasons[pid] = (f"Holds churn seat {pid}" + (f" ({r['title']})" if r.get("title") else "")
                                 + f": {r.get('holders', '?')} holders, {r.get('exits', '?')} exits"
                                 + (f", {r['expected']:.1f} expected" if isinstance(r.get("expected"), float) else "")
                                 + (f" (adjusted p = {r['p_adjusted']:.2g})" if isinstance(r.get("p_adjusted"), float)
                                    else ""))
    sups, deps, links, exits = set(), set(), [], {}
    for c in _flatten_cascades(run("cascades", "cascades")):
        if not c.get("flagged"):
            continue
        exit_date = as_date(c["exit_date"])
        if exit_date >= day:
            continue
        sid = str(c["supervisor_id"])
        sups.add(sid)
        exits[sid] = exit_date.isoformat()
        reasons.setdefault(sid, []).append(
            f"Their exit on {exit_date.isoformat()} was followed by {c.get('observed', '?')} departures from their "
            f"team (about {float(c.get('expected') or 0):.1f} expected)")
        for d in c.get("departures") or []:
            if as_date(d["exit_date"]) < day:
                deps.add(str(d["staff_id"]))
                links.append((str(d["staff_id"]), sid))
                reasons.setdefault(str(d["staff_id"]), []).append(
                    f"Left {d.get('days_after', '?')} days after their supervisor {staff_ref(sid)} left "
                    f"(flagged cascade)")
    return MapFlags(overloaded=frozenset(overloaded), churn_seats=frozenset(churn), cascade_supervisors=frozenset(sups),
                    cascade_departures=frozenset(deps), cascade_links=tuple(links), cascade_exit=exits,
                    reasons={k: tuple(v) for k, v in reasons.items()}, seat_reasons=seat_reasons, notes=tuple(notes))


# ------------------------------------------------------------------ layout
def _pack(items: list[tuple[object, float, float]], gap: float) -> tuple[dict, float, float]:
    """Shelf-pack boxes ``(key, width, height)``; returns offsets and the total size."""
    if not items:
        return {}, 0.0, 0.0
    items = sorted(items, key=lambda t: (-t[2], str(t[0])))
    area = sum((w + gap) * (h + gap) for _, w, h in items)
    row_w = max(math.sqrt(area) * 1.3, max(w for _, w, _ in items))
    out, x, y, row_h, width = {}, 0.0, 0.0, 0.0, 0.0
    for key, w, h in items:
        if x > 0 and x + w > row_w:
            y += row_h + gap
            x, row_h = 0.0, 0.0
        out[key] = (x, y)
        x += w + gap
        row_h = max(row_h, h)
        width = max(width, x - gap)
    return out, width, y + row_h


def radial_layout(nodes: dict[str, str], parent: dict[str, str], *, spacing: float = 42.0,
                  ring_gap: float = 95.0, gap: float = 120.0) -> tuple[dict[str, tuple[float, float]], dict]:
    """Positions for a supervision forest: one radial tree per line of supervision, packed by program.

    Parameters
    ----------
    nodes : dict
        Node id -> program id (the group it is drawn in).
    parent : dict
        Node id -> its supervisor's node id (ignored unless both are in the same program).

    Returns
    -------
    positions : dict
        Node id -> (x, y).
    boxes : dict
        Program id -> (x0, y0, x1, y1), the region its people occupy.

    Examples
    --------
    >>> pos, boxes = radial_layout({"a": "P", "b": "P", "c": "P"}, {"b": "a", "c": "a"})
    >>> round(math.dist(pos["a"], pos["b"])), round(math.dist(pos["a"], pos["c"]))
    (95, 95)
    """
    by_prog: dict[str, list[str]] = {}
    for n, p in nodes.items():
        by_prog.setdefault(p, []).append(n)
    prog_trees: dict[str, tuple[dict, float, float]] = {}
    for prog, members in by_prog.items():
        members.sort()
        mset = set(members)
        children: dict[str, list[str]] = {}
        has_parent = set()
        for n in members:
            p = parent.get(n)
            if p is not None and p in mset and p != n:
                children.setdefault(p, []).append(n)
                has_parent.add(n)
        seen: set[str] = set()
        trees = []
        roots = [n for n in members if n not in has_parent] + members  # cycles: any unseen node becomes a root
        for root in roots:
            if root in seen:
                continue
            order, stack = [], [(root, 0)]
            depth = {}
            seen.add(root)
            while stack:
                n, d = stack.pop()
                order.append(n)
                depth[n] = d
                for c in sorted(children.get(n, ()), reverse=True):
                    if c not in seen:
                        seen.add(c)
                        stack.append((c, d + 1))
            kids = {n: [c for c in children.get(n, ()) if depth.get(c) == depth[n] + 1] for n in order}
            weight = {}
            for n in reversed(order):
                weight[n] = sum(weight[c] for c in kids[n]) or 1
            per_depth: dict[int, int] = {}
            for n in order:
                per_depth[depth[n]] = per_depth.get(depth[n], 0) + 1
            radius = {0: 0.0}
            for d in range(1, max(per_depth) + 1):
                radius[d] = max(radius[d - 1] + ring_gap, per_depth[d] * spacing / (2 * math.pi))
            pos = {root: (0.0, 0.0)}
            span = {root: (0.0, 2 * math.pi)}
            for n in order:
                a0, a1 = span[n]
                a = a0
                for c in kids[n]:
                    share = (a1 - a0) * weight[c] / weight[n]
                    span[c] = (a, a + share)
                    mid = a + share / 2
                    r = radius[depth[c]]
                    pos[c] = (r * math.cos(mid), r * math.sin(mid))
                    a += share
            trees.append((root, pos, radius[max(per_depth)] + spacing / 2))
        offsets, w, h = _pack([(t[0], 2 * t[2], 2 * t[2]) for t in trees], spacing)
        placed = {}
        for root, pos, R in trees:
            ox, oy = offsets[root]
            for n, (x, y) in pos.items():
                placed[n] = (ox + R + x, oy + R + y)
        prog_trees[prog] = (placed, w, h)
    offsets, _, _ = _pack([(p, t[1], t[2]) for p, t in prog_trees.items()], gap)
    positions, boxes = {}, {}
    for prog, (placed, w, h) in prog_trees.items():
        ox, oy = offsets[prog]
        for n, (x, y) in placed.items():
            positions[n] = (round(ox + x, 1), round(oy + y, 1))
        boxes[prog] = (ox, oy, ox + w, oy + h)
    if len(positions) == 1:
        positions = {n: (0.0, 0.0) for n in positions}
    return positions, boxes


# ---------------------------------------------------------------- elements
def _years(days: int) -> str:
    return f"{days / 365.25:.1f} years" if days >= 365 else f"{days} days"


def _latest_caseload(org: OrgGraph, day: dt.date) -> dict[str, int]:
    cl = org.data.caseload
    if not len(cl):
        return {}
    month = pd.Timestamp(day.year, day.month, 1)
    sub = cl[cl["month"] <= month].sort_values("month")
    last = sub.groupby("staff_id").tail(1)
    return dict(zip(last["staff_id"].astype(str), last["active_clients"].astype(int)))


def map_elements(org: OrgGraph, *, as_of=None, flags: MapFlags | None = None,
                 lookback_days: int = DEFAULT_LOOKBACK_DAYS, window_days: int | None = None,
                 program: str | None = None, supervisor: str | None = None, flagged_only: bool = False,
                 anonymize: bool = False, key: str | None = None) -> dict:
    """The nodes and edges of the map on ``as_of`` as plain dicts (before layout).

    Returns a dict with ``as_of``, ``nodes`` (``id, label, title, status,
    program, flagged, churn_seat, cascade, left, caseload, span``), ``edges``
    (``from, to, kind`` in ``current``, ``former``, ``cascade``), ``programs``
    (id -> display name) and ``counts``.
    """
    day = as_date(as_of) if as_of is not None else org.data_end
    if day > org.data_end or day < org.data_start:
        raise AnalysisError(f"--as-of {day.isoformat()} is outside the data ({org.data_start.isoformat()} to "
                            f"{org.data_end.isoformat()})")
    flags = flags or MapFlags()
    cfg = org.config
    if window_days is None:
        window_days = cfg.get("cascades", "window_days") if cfg is not None else 180
    cohort_days = cfg.get("cascades", "lookback_days") if cfg is not None else 30
    data = org.data
    sf = org.staff_frame
    ts = pd.Timestamp(day)
    active = sf[(sf["hire"] <= ts) & (sf["exit"].isna() | (sf["exit"] >= ts))]
    active_ids = set(active.index.astype(str))
    left_recent = set(sf[(sf["exit"] < ts) & (sf["exit"] >= ts - pd.Timedelta(days=lookback_days))].index)

    # supervision on the day, and around each person's exit
    sv = org.supervision_frame
    on_day = sv[(sv["start"] <= ts) & (sv["end"] > ts)]
    exit_of = sf["exit"]
    # supervisors who left in the window before the day, and their cohort (supervised in the days before the exit)
    sup_exit = sv.assign(sup_exit=sv["supervisor_id"].map(exit_of))
    recent = sup_exit[(sup_exit["sup_exit"] < ts) & (sup_exit["sup_exit"] >= ts - pd.Timedelta(days=window_days))]
    cohort = recent[(recent["start"] <= recent["sup_exit"])
                    & (recent["end"] > recent["sup_exit"] - pd.Timedelta(days=cohort_days))]
    post_exit: dict[str, tuple[str, dt.date]] = {}
    for s, sup, e in zip(cohort["staff_id"], cohort["supervisor_id"], cohort["sup_exit"]):
        if s in active_ids and (s not in post_exit or e.date() > post_exit[s][1]):
            post_exit[s] = (sup, e.date())

    ghosts = set(left_recent) | {sup for sup, _ in post_exit.values()}
    ghosts |= {s for s in flags.cascade_supervisors if s in sf.index and sf.at[s, "exited"]
               and sf.at[s, "exit"] < ts and sf.at[s, "exit"] >= ts - pd.Timedelta(days=window_days)}
    cascade_shown = {s for s in flags.cascade_supervisors if s in ghosts}
    cascade_deps = {d for d, s in flags.cascade_links if s in cascade_shown and d in sf.index}
    ghosts |= cascade_deps
    ghosts -= active_ids
    people = active_ids | ghosts

    # edges: current supervision among active people; former links for ghosts (around their exit)
    edges: dict[tuple[str, str], str] = {}
    for s, sup in zip(on_day["staff_id"], on_day["supervisor_id"]):
        if s in active_ids and sup in active_ids and s != sup:
            edges[(s, sup)] = "current"
    if ghosts:
        g = sv[sv["staff_id"].isin(ghosts) | sv["supervisor_id"].isin(ghosts)]
        for s, sup, start, end in zip(g["staff_id"], g["supervisor_id"], g["start"], g["end"]):
            if s == sup or s not in people or sup not in people:
                continue
            anchor = exit_of.get(sup) if sup in ghosts else exit_of.get(s)
            if s in ghosts and sup in ghosts:
                anchor = min(exit_of.get(s), exit_of.get(sup))
            if pd.isna(anchor) or not (start <= anchor < end):
                continue
            edges.setdefault((s, sup), "former")
    for d, s in flags.cascade_links:
        if d in people and s in people:
            edges[(d, s)] = "cascade"

    # seat, program and role on the day (their last seat for people who left)
    af = org.assignment_frame
    seat_now = af[(af["start"] <= ts) & (af["end"] > ts)].drop_duplicates("staff_id", keep="last")
    seat = {s: (p, prog, rk) for s, p, prog, rk in zip(seat_now["staff_id"], seat_now["position_id"],
                                                        seat_now["program_id"], seat_now["role_kind"])}
    for s in people:
        if s not in seat:
            row = sf.loc[s]
            seat[s] = (row["position_id"], row["program_id"], row["role_kind"])
    caseload = _latest_caseload(org, day)
    span: dict[str, int] = {}
    for (s, sup), kind in edges.items():
        if kind == "current":
            span[sup] = span.get(sup, 0) + 1

    # filters
    keep = set(people)
    if program is not None:
        match = {p for p, rec in data.programs.items() if program in (p, rec.name)}
        if not match:
            names = ", ".join(sorted(data.programs)) or "none"
            raise AnalysisError(f"no program {program!r} in the data; programs are: {names}")
        keep = {s for s in keep if seat[s][1] in match}
    if supervisor is not None:
        if supervisor not in people:
            raise AnalysisError(f"supervisor {supervisor!r} is not on the map on {day.isoformat()} (not employed "
                                f"then and not a recent leaver)")
        below: dict[str, list[str]] = {}
        for (s, sup) in edges:
            below.setdefault(sup, []).append(s)
        sub, stack = {supervisor}, [supervisor]
        while stack:
            for s in below.get(stack.pop(), ()):
                if s not in sub:
                    sub.add(s)
                    stack.append(s)
        keep &= sub

    pseudo = Pseudonymizer(key) if anonymize else None
    nid = pseudo if pseudo else (lambda s: s)
    programs = {p: rec.name for p, rec in data.programs.items()}

    def name_of(sid: str) -> str:
        if anonymize:
            return nid(sid)
        rec = data.staff.get(sid)
        return f"{rec.name} ({sid})" if rec else sid

    def who(m: re.Match) -> str:
        return name_of(m.group(1))

    nodes = []
    for s in sorted(keep):
        rec = data.staff[s]
        pos_id, prog, rk = seat[s]
        ghost = s in ghosts
        if ghost:
            status = "left"
        elif s in flags.overloaded:
            status = "overloaded"
        elif s in post_exit:
            status = "post_exit"
        else:
            status = "active"
        churn = pos_id in flags.churn_seats
        cascade = s in cascade_shown or s in cascade_deps
        flagged = status != "active" or churn or cascade
        if flagged_only and not flagged:
            continue
        name = nid(s) if anonymize else rec.name
        lines = [name if anonymize else f"{rec.name} ({s})"]
        pos = data.positions.get(pos_id) if isinstance(pos_id, str) else None
        lines.append(f"Role: {pos.title} ({rk})" if pos else f"Role: {rk}")
        if isinstance(prog, str):
            lines.append(f"Program: {programs.get(prog, prog)}")
        end_day = rec.termination_date if ghost else day
        lines.append(f"Tenure: {_years((end_day - rec.hire_date).days)}"
                     + ("" if anonymize else f" (hired {rec.hire_date.isoformat()})"))
        if s in caseload:
            lines.append(f"Caseload: {caseload[s]} active clients")
        if span.get(s):
            lines.append(f"Span: {span[s]} direct supervisees")
        why = []
        if ghost:
            why.append(f"Left on {rec.termination_date.isoformat()}"
                       + (f" ({rec.termination_type})" if rec.termination_type else ""))
        if s in post_exit:
            sup, e = post_exit[s]
            why.append(f"Their supervisor {name_of(sup)} left on {e.isoformat()} ({(day - e).days} days before "
                       f"this date)")
        given = [_STAFF_REF.sub(who, r) for r in flags.reasons.get(s, ())]
        if s in flags.overloaded and not any(r.startswith("Overloaded") for r in given):
            why.append("Overloaded supervisor (flagged by the overload analysis)")
        why += given
        if churn:
            why.append(flags.seat_reasons.get(pos_id, f"Holds churn seat {pos_id}"))
        if why:
            lines.append("Why flagged:" if flagged else "Notes:")
            lines += [f"- {w}" for w in why]
        nodes.append({"id": nid(s), "label": name, "title": "\n".join(lines), "status": status,
                      "program": prog if isinstance(prog, str) else "", "flagged": flagged, "churn_seat": churn,
                      "cascade": cascade, "left": ghost, "caseload": caseload.get(s), "span": span.get(s, 0),
                      "_raw": s})
    kept = {n["_raw"] for n in nodes}
    edge_list = [{"from": nid(s), "to": nid(sup), "kind": kind} for (s, sup), kind in sorted(edges.items())
                 if s in kept and sup in kept]
    parents: dict[str, str] = {}
    for rank in ("current", "cascade", "former"):
        for (s, sup), kind in edges.items():
            if kind == rank and s in kept and sup in kept:
                parents.setdefault(nid(s), nid(sup))
    counts = {k: sum(1 for n in nodes if n["status"] == k) for k in STATUS_STYLES}
    counts["churn_seat"] = sum(1 for n in nodes if n["churn_seat"])
    counts["cascade"] = sum(1 for n in nodes if n["cascade"])
    return {"as_of": day.isoformat(), "nodes": nodes, "edges": edge_list, "programs": programs, "counts": counts,
            "notes": list(flags.notes), "parents": parents}


VIEWS = ("people", "teams", "programs")


def _count_text(members: list[dict]) -> str:
    parts = []
    for key, word in (("active", "active"), ("post_exit", "in the window after a supervisor left"),
                      ("overloaded", "overloaded supervisor"), ("left", "left")):
        k = sum(1 for m in members if m["status"] == key)
        if k:
            parts.append(f"{k} {word}")
    churn = sum(1 for m in members if m["churn_seat"])
    cascade = sum(1 for m in members if m["cascade"])
    if churn:
        parts.append(f"{churn} in churn seats")
    if cascade:
        parts.append(f"{cascade} in flagged cascades")
    return ", ".join(parts)


def aggregate_elements(el: dict, *, by: str) -> dict:
    """Fold a people map (:func:`map_elements`) into one node per supervisor's team or per program.

    ``teams``: a node per person who supervises anyone on the map, holding
    them and their direct supervisees who supervise no one; arrows run to the
    supervisor's own supervisor. ``programs``: a node per program; an arrow
    from program A to B counts people in A supervised from B. Nodes carry a
    ``weight`` (people) used for their size.

    Examples
    --------
    >>> el = {"nodes": [dict(id=i, label=i, status="active", program="P", churn_seat=False, cascade=False,
    ...                      left=False, flagged=False, title=i) for i in "abc"],
    ...       "edges": [{"from": "b", "to": "a", "kind": "current"}, {"from": "c", "to": "a", "kind": "current"}],
    ...       "parents": {"b": "a", "c": "a"}, "programs": {"P": "Prog"}, "counts": {}, "notes": [], "as_of": "x"}
    >>> [(n["id"], n["weight"]) for n in aggregate_elements(el, by="teams")["nodes"]]
    [('a', 3)]
    >>> [(n["label"], n["weight"]) for n in aggregate_elements(el, by="programs")["nodes"]]
    [('Prog (3)', 3)]
    """
    if by not in VIEWS:
        raise AnalysisError(f"unknown map view {by!r}; expected one of {', '.join(VIEWS)}")
    if by == "people":
        return el
    nodes = {n["id"]: n for n in el["nodes"]}
    parents = el.get("parents", {})
    if by == "programs":
        group_of = {i: f"program:{n['program']}" for i, n in nodes.items()}
    else:
        leaders = {e["to"] for e in el["edges"]}
        group_of = {}
        for i, n in nodes.items():
            if i in leaders:
                group_of[i] = i
            elif parents.get(i) in leaders:
                group_of[i] = parents[i]
            else:
                group_of[i] = f"program:{n['program']}"  # no supervisor on the map: grouped by program
    members: dict[str, list[dict]] = {}
    for i, g in group_of.items():
        members.setdefault(g, []).append(nodes[i])
    out_nodes = []
    for g, ms in sorted(members.items()):
        text = _count_text(ms)
        cascade = any(m["cascade"] for m in ms)
        if g.startswith("program:"):
            pid = g.partition(":")[2]
            name = el["programs"].get(pid, pid) or "No program"
            label = f"{name} ({len(ms)})" if by == "programs" else f"No supervisor on the map, {name} ({len(ms)})"
            status, program = "active", ("" if by == "programs" else pid)
        else:
            lead = nodes[g]
            label = f"{lead['label']} team ({len(ms)})"
            status, program = lead["status"], lead["program"]
            text = lead["title"] + "\n\nTeam: " + text
        if by == "programs" or g.startswith("program:"):
            text = f"{label}\n{text}"
        out_nodes.append({"id": g, "label": label, "title": text, "status": status, "program": program,
                          "flagged": any(m["flagged"] for m in ms), "churn_seat": False, "cascade": cascade,
                          "left": status == "left", "caseload": None, "span": 0, "weight": len(ms), "_raw": g})
    links: dict[tuple[str, str], list[str]] = {}
    for e in el["edges"]:
        a, b = group_of.get(e["from"]), group_of.get(e["to"])
        if a is None or b is None or a == b:
            continue
        links.setdefault((a, b), []).append(e["kind"])
    out_edges = []
    for (a, b), kinds in sorted(links.items()):
        kind = "cascade" if "cascade" in kinds else ("current" if "current" in kinds else "former")
        out_edges.append({"from": a, "to": b, "kind": kind, "count": len(kinds)})
    parents_out = {}
    for e in out_edges:
        if e["kind"] == "current":
            parents_out.setdefault(e["from"], e["to"])
    counts = dict(el["counts"])
    return {**el, "nodes": out_nodes, "edges": out_edges, "parents": parents_out if by == "teams" else {},
            "counts": counts, "view": by}


# -------------------------------------------------------------- vis / page
def _vis_node(n: dict, xy: tuple[float, float] | None) -> dict:
    style = STATUS_STYLES[n["status"]]
    size = 10.0
    if n.get("weight"):
        size = min(8 + 3.0 * math.sqrt(n["weight"]), 70)
    elif n.get("caseload"):
        size = min(10 + 2.2 * math.sqrt(n["caseload"]), 40)
    border = CASCADE_COLOR if n["cascade"] else ("#7f7f7f" if n["left"] else "#2b2b2b")
    out = {"label": n["label"], "title": n["title"], "size": round(size, 1),
           "shape": "diamond" if n["churn_seat"] else "dot",
           "color": {"background": style["color"], "border": border,
                     "highlight": {"background": style["color"], "border": "#000000"}},
           "borderWidth": 4 if n["cascade"] else (2 if n["churn_seat"] else 1),
           "status": n["status"], "program": n["program"], "flagged": n["flagged"]}
    if n["left"]:
        out["shapeProperties"] = {"borderDashes": [4, 3]}
        out["font"] = {"color": "#7f7f7f"}
    if xy is not None:
        out["x"], out["y"] = xy
    return out


_EDGE_STYLE = {
    "current": {"color": EDGE_COLOR, "width": 1},
    "former": {"color": FORMER_EDGE_COLOR, "width": 1, "dashes": True},
    "cascade": {"color": CASCADE_COLOR, "width": 3, "dashes": [8, 4]},
}


class _Network(Network):
    """pyvis ``Network`` with constant-time node and edge adds (pyvis scans lists: quadratic)."""

    def __init__(self):
        super().__init__(directed=True, cdn_resources="remote")  # resources are never used: we write the page
        self._ids: set = set()

    def add_node(self, n_id, label=None, shape="dot", color="#97c2fc", **options):
        if n_id in self._ids:
            return
        from pyvis.node import Node
        n = Node(n_id, shape, label=label if label is not None else n_id, color=color, **options)
        self._ids.add(n_id)
        self.nodes.append(n.options)
        self.node_ids.append(n_id)
        self.node_map[n_id] = n.options

    def add_edge(self, source, to, **options):
        from pyvis.edge import Edge
        if source not in self._ids or to not in self._ids:
            raise AnalysisError(f"map edge {source!r} -> {to!r} refers to a node not on the map")
        self.edges.append(Edge(source, to, True, **options).options)


def vis_network(elements: dict, *, physics: bool | None = None,
                positions: dict | None = None) -> tuple[list, list, dict, dict]:
    """Assemble vis-network nodes, edges and options with pyvis; also returns program regions.

    ``positions`` (node id -> (x, y)) replaces the computed layout (the timeline shares one layout).
    """
    nodes = elements["nodes"]
    boxes: dict = {}
    if positions is None:
        positions, boxes = radial_layout({n["id"]: n["program"] for n in nodes}, elements.get("parents", {}))
    if physics is None:
        physics = len(nodes) <= PHYSICS_MAX_NODES
    net = _Network()
    for n in nodes:
        opts = _vis_node(n, positions.get(n["id"]))
        net.add_node(n["id"], **{k: v for k, v in opts.items() if k not in ("color",)}, color=opts["color"])
    prog = {n["id"]: n["program"] for n in nodes}
    for e in elements["edges"]:
        extra = {} if prog.get(e["from"]) == prog.get(e["to"]) else {"physics": False}  # keep programs apart
        style = dict(_EDGE_STYLE[e["kind"]])
        if e.get("count"):
            style["width"] = round(min(style["width"] + math.log2(e["count"]), 10), 1)
            extra["title"] = f"{e['count']} supervision link{'s' if e['count'] != 1 else ''}"
        net.add_edge(e["from"], e["to"], kind=e["kind"], arrows={"to": {"enabled": True, "scaleFactor": 0.5}},
                     **style, **extra)
    large = not physics
    net.options = {
        "autoResize": True,
        "nodes": {"font": {"size": 13, "face": "Helvetica, Arial, sans-serif"}},
        "edges": {"smooth": False if large else {"enabled": True, "type": "continuous"}, "selectionWidth": 2},
        "physics": {"enabled": bool(physics), "solver": "barnesHut",
                    "barnesHut": {"gravitationalConstant": -2500, "springLength": 90, "springConstant": 0.02,
                                  "avoidOverlap": 0.2},
                    "stabilization": {"enabled": True, "iterations": 100, "fit": True}},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": large, "hideEdgesOnZoom": large,
                        "navigationButtons": False, "keyboard": False, "multiselect": False},
        "layout": {"improvedLayout": False, "randomSeed": 7},
    }
    vis_nodes, vis_edges, _heading, _h, _w, options_json = net.get_network_data()
    return vis_nodes, vis_edges, json.loads(options_json), boxes


def script_json(value) -> str:
    """JSON safe to place inside a ``<script>`` element: ``<``, ``>``, ``&`` and line separators escaped.

    Examples
    --------
    >>> script_json({"name": "</script><script>alert(1)</script>"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ealert(1)\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    for a, b in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                 ("\u2029", "\\u2029")):
        text = text.replace(a, b)
    return text


def _asset(name: str) -> str:
    return resources.files("orgraph.render").joinpath("assets", name).read_text(encoding="utf-8")


def _vis_js() -> str:
    try:
        text = resources.files("pyvis").joinpath("templates/lib/vis-9.1.2/vis-network.min.js").read_text("utf-8")
    except (FileNotFoundError, ModuleNotFoundError) as exc:  # pragma: no cover - pyvis is a dependency
        raise AnalysisError(f"vis-network was not found in the pyvis package ({exc}); reinstall pyvis==0.3.2") \
            from None
    text = re.sub(r"//# sourceMappingURL=[^\r\n]*\s*$", "", text)  # never fetched, but no URL at all is cleaner
    if re.search(r"</script|<!--", text, re.IGNORECASE):  # pragma: no cover - checked for vis-network 9.1.2
        raise AnalysisError("this vis-network build cannot be inlined safely (it contains '</script' or '<!--')")
    return text


def page_html(title: str, subtitle: str, data: dict) -> str:
    """A self-contained map page around ``data`` (vis-network and orgraph's map script inlined)."""
    legend = [{"key": k, "color": v["color"], "label": v["label"]} for k, v in STATUS_STYLES.items()]
    data = {**data, "legend": legend, "cascadeColor": CASCADE_COLOR}
    parts = {"TITLE": html.escape(title), "SUBTITLE": html.escape(subtitle), "CSS": _asset("map.css"),
             "VIS_JS": _vis_js(), "DATA": script_json(data), "MAP_JS": _asset("map.js")}
    # one pass: text put in (a name like "{{MAP_JS}}") is never substituted again
    return re.sub(r"\{\{(TITLE|SUBTITLE|CSS|VIS_JS|DATA|MAP_JS)\}\}", lambda m: parts[m.group(1)],
                  _asset("map.html"))


def build_map(org: OrgGraph, *, as_of=None, flags: MapFlags | None = None, lookback_days: int = DEFAULT_LOOKBACK_DAYS,
              program: str | None = None, supervisor: str | None = None, flagged_only: bool = False,
              anonymize: bool = False, key: str | None = None, physics: bool | None = None,
              title: str | None = None, view: str = "people") -> str:
    """The supervision map on ``as_of`` as one self-contained HTML page.

    ``flags`` defaults to :func:`compute_flags` (the cascade, overload and
    churn analyses as of that date). ``physics`` defaults to on up to
    :data:`PHYSICS_MAX_NODES` nodes. ``view`` is ``people`` (one node per
    person), ``teams`` (one per supervisor's team) or ``programs`` (one per
    program); see :func:`aggregate_elements`.
    """
    if view not in VIEWS:
        raise AnalysisError(f"unknown map view {view!r}; expected one of {', '.join(VIEWS)}")
    day = as_date(as_of) if as_of is not None else org.data_end
    if flags is None:
        flags = compute_flags(org, as_of=day)
    el = map_elements(org, as_of=day, flags=flags, lookback_days=lookback_days, program=program,
                      supervisor=supervisor, flagged_only=flagged_only, anonymize=anonymize, key=key)
    n_people = len(el["nodes"])
    el = aggregate_elements(el, by=view)
    vis_nodes, vis_edges, options, boxes = vis_network(el, physics=physics)
    c = el["counts"]
    subtitle = (f"As of {el['as_of']}: {n_people} people on the map ({c['active'] + c['post_exit'] + c['overloaded']} "
                f"employed, {c['left']} who left)")
    if view == "people":
        subtitle += f", {len(vis_edges)} supervision links."
    else:
        subtitle += (f", shown as {len(vis_nodes)} {'teams' if view == 'teams' else 'programs'}: each circle is "
                     + ("a supervisor's team (colour: the supervisor's status)" if view == "teams" else "a program")
                     + ", sized by headcount. Hover for the counts.")
    filters = [f for f in (program and f"program {program}", supervisor and f"under {supervisor}",
                           flagged_only and "flagged people only") if f]
    if filters:
        subtitle += " Showing " + ", ".join(filters) + "."
    data = {"nodes": vis_nodes, "edges": vis_edges, "options": options, "programs": el["programs"],
            "counts": c, "notes": el["notes"], "physics": bool(options["physics"]["enabled"])}
    if view != "people":
        data["sizeLegend"] = "Size: people in the " + ("team" if view == "teams" else "program") + \
            "; line width: supervision links"
    return page_html(title or "Supervision map", subtitle, data)
