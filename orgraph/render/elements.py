"""What the supervision map shows: its people, supervision links and statuses on one date, as plain dicts.

:func:`map_elements` decides who is on the map on a date (everyone employed,
people who left recently, and the supervisors whose exit started a flagged
cascade, kept as "ghosts"), the status of each person, the links between them
and the text of their tooltip. :func:`aggregate_elements` folds that map into
one node per supervisor's team or per program. Nothing here knows about
vis-network or HTML (see :mod:`orgraph.render.page`).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..graph import OrgGraph, as_date
from ..privacy import Pseudonymizer, coarsen_dates, expand_refs, month, suppress, tenure_band
from ..report.flags import MapFlags
from ..settings import resolve

__all__ = ["map_elements", "aggregate_elements", "count_text", "VIEWS", "STATUS_STYLES", "DEFAULT_LOOKBACK_DAYS"]

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


def _years(days: int) -> str:
    return f"{days / 365.25:.1f} years" if days >= 365 else f"{days} days"


def _latest_caseload(org: OrgGraph, day: dt.date) -> dict[str, int]:
    """Each person's active clients in their latest caseload month up to ``day``'s month (the last such row of
    the table when a month is there twice); a row without a person is no one's caseload.

    The ids are coded once over the whole table and the rows are picked by masks: a table of millions of
    person-months is not copied, only the rows kept at the end are read as Python values.
    """
    cl = org.data.caseload
    if not len(cl):
        return {}
    month = np.datetime64(dt.date(day.year, day.month, 1), "M").astype(np.int64)
    m = cl["month"].to_numpy(dtype="datetime64[ns]").astype("datetime64[M]").astype(np.int64)
    ids = cl["staff_id"]
    code = np.asarray(ids.cat.codes if isinstance(ids.dtype, pd.CategoricalDtype) else pd.factorize(ids)[0])
    rows = np.flatnonzero((m <= month) & (code >= 0))
    if len(rows) < len(m):
        code, m = code[rows], m[rows]
    latest = np.full(int(code.max()) + 1 if len(code) else 0, np.iinfo(np.int64).min)
    np.maximum.at(latest, code, m)
    rows = rows[m == latest[code]]                    # each person's latest month
    return dict(zip(ids.iloc[rows].astype(str), cl["active_clients"].iloc[rows].astype(int)))


def map_elements(org: OrgGraph, *, as_of=None, flags: MapFlags | None = None,
                 lookback_days: int = DEFAULT_LOOKBACK_DAYS, window_days: int | None = None,
                 program: str | None = None, supervisor: str | None = None, flagged_only: bool = False,
                 anonymize: bool = False, key: str | None = None, min_cell: int | None = None) -> dict:
    """The nodes and edges of the map on ``as_of`` as plain dicts (before layout).

    Parameters
    ----------
    org : OrgGraph
    as_of : date or str, optional
        The map date; default the last day of data.
    flags : MapFlags, optional
        What the analyses flagged (:func:`orgraph.registry.flags_as_of`); default nothing.
    lookback_days : int
        People who left in this many days before ``as_of`` stay on the map.
    window_days : int, optional
        How long after a supervisor's exit their team counts as "in the window after their supervisor left";
        default ``[cascades] window_days`` (180).
    program : str, optional
        Only people in this program (id or name).
    supervisor : str, optional
        Only this person and everyone below them.
    flagged_only : bool
        Only people with a status other than ``active``, in a churn seat, or in a flagged cascade.
    anonymize : bool
        Show people and seats as pseudonyms keyed by ``key`` (:class:`orgraph.privacy.Pseudonymizer`); node ids
        become pseudonyms too. Tooltips then show dates as months, tenure as a band
        (:func:`orgraph.privacy.tenure_band`) and never how a person left.
    key : str, optional
        The pseudonym key.
    min_cell : int, optional
        Anonymized, counts of 1 to ``min_cell - 1`` people are shown as ``"<min_cell"``
        (:func:`orgraph.privacy.suppress`); default ``[privacy] min_cell``.

    Returns
    -------
    dict
        ``as_of``, ``nodes`` (``id, label, title, status, program, role, flagged, churn_seat, cascade, left,
        caseload, span, _raw``; ``role`` is the role kind of their seat), ``edges`` (``from, to, kind`` in
        ``current``, ``former``, ``cascade``),
        ``programs`` (id -> display name), ``counts`` (people by status, in churn seats and in cascades),
        ``totals`` (``people``, ``employed``, ``left``), ``notes``, ``parents`` (node id -> its
        supervisor's node id, for the layout) and ``min_cell`` (``None`` unless anonymized). Anonymized,
        ``counts`` and ``totals`` are suppressed.

    Raises
    ------
    AnalysisError
        When ``as_of`` is outside the data, or ``program`` or ``supervisor`` is not on the map.
    ConfigError
        When anonymizing without a key.
    """
    day = as_date(as_of) if as_of is not None else org.data_end
    if day > org.data_end or day < org.data_start:
        raise AnalysisError(f"--as-of {day.isoformat()} is outside the data ({org.data_start.isoformat()} to "
                            f"{org.data_end.isoformat()})")
    if flags is None:
        flags = MapFlags()
    if window_days is None:
        window_days = resolve(org, "cascades")["window_days"]
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
    # who is in the window after a supervisor left (the cascade cohort rule, computed by the report layer)
    post_exit: dict[str, tuple[str, dt.date]] = {
        s: (sup, dt.date.fromisoformat(e)) for s, (sup, e) in flags.post_exit.items() if s in active_ids}

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
        exit_at = exit_of.get           # a link's anchor is the exit of a ghost: theirs looked up once
        if exit_of.index.is_unique:
            listed = list(ghosts)
            exits = exit_of.array
            exit_at = {x: exits[i] for x, i in zip(listed, exit_of.index.get_indexer(listed).tolist())
                       if i >= 0}.get
        for s, sup, start, end in zip(g["staff_id"], g["supervisor_id"], g["start"], g["end"]):
            if s == sup or s not in people or sup not in people:
                continue
            anchor = exit_at(sup) if sup in ghosts else exit_at(s)
            if s in ghosts and sup in ghosts:
                anchor = min(exit_at(s), exit_at(sup))
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
    unseated = [s for s in people if s not in seat]
    if unseated:                        # their last seat, from the staff frame (one lookup for all of them)
        last = sf.loc[unseated, ["position_id", "program_id", "role_kind"]]
        seat.update(zip(unseated, zip(last["position_id"], last["program_id"], last["role_kind"])))
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
    seat_of = pseudo.seat if pseudo else str
    programs = {p: rec.name for p, rec in data.programs.items()}

    staff_name, hired, term = org.by_id("staff", "name"), org.by_id("staff", "hire_date"), \
        org.by_id("staff", "termination_date")
    term_type, external, titles = org.by_id("staff", "termination_type"), org.by_id("staff", "external"), \
        org.by_id("positions", "title")

    def name_of(sid: str) -> str:
        if anonymize:
            return nid(sid)
        return f"{staff_name[sid]} ({sid})" if sid in staff_name else sid

    def reason(text: str) -> str:
        text = expand_refs(text, name_of, seat_of)
        return coarsen_dates(text) if anonymize else text

    nodes = []
    for s in sorted(keep):
        rec_name, hire_date, termination_date = staff_name[s], hired[s], term[s]
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
        name = nid(s) if anonymize else rec_name
        lines = [name if anonymize else f"{rec_name} ({s})"]
        seated = isinstance(pos_id, str) and pos_id in titles
        lines.append(f"Role: {titles[pos_id]} ({rk})" if seated else f"Role: {rk}")
        if isinstance(prog, str):
            lines.append(f"Program: {programs.get(prog, prog)}")
        end_day = termination_date if ghost else day
        tenure = (end_day - hire_date).days
        lines.append(f"Tenure: {tenure_band(tenure)}" if anonymize
                     else f"Tenure: {_years(tenure)} (hired {hire_date.isoformat()})")
        if s in caseload:
            lines.append(f"Caseload: {caseload[s]} active clients")
        if span.get(s):
            lines.append(f"Span: {span[s]} direct supervisees")
        why = []
        if ghost and anonymize:
            why.append(f"Left in {month(termination_date)}")
        elif ghost:
            why.append(f"Left on {termination_date.isoformat()}"
                       + (f" ({term_type[s]})" if term_type[s] else ""))
        if s in post_exit:
            sup, e = post_exit[s]
            why.append(f"Their supervisor {name_of(sup)} left in {month(e)}" if anonymize else
                       f"Their supervisor {name_of(sup)} left on {e.isoformat()} ({(day - e).days} days before "
                       f"this date)")
        given = [reason(r) for r in flags.reasons.get(s, ())]
        if s in flags.overloaded and not any(r.startswith("Overloaded") for r in given):
            why.append("Overloaded supervisor (flagged by the overload analysis)")
        why += given
        if churn:
            why.append(reason(flags.seat_reasons.get(pos_id, f"Holds churn seat {seat_of(pos_id)}")))
        if why:
            lines.append("Why flagged:" if flagged else "Notes:")
            lines += [f"- {w}" for w in why]
        nodes.append({"id": nid(s), "label": name, "title": "\n".join(lines), "status": status,
                      "program": prog if isinstance(prog, str) else "", "role": rk if isinstance(rk, str) else "",
                      "flagged": flagged, "churn_seat": churn,
                      "cascade": cascade, "left": ghost, "caseload": caseload.get(s), "span": span.get(s, 0),
                      "_raw": s})
    kept = {n["_raw"] for n in nodes}
    edge_list = [{"from": nid(s), "to": nid(sup), "kind": kind} for (s, sup), kind in sorted(edges.items())
                 if s in kept and sup in kept]
    by_kind: dict[str, list] = {"current": [], "cascade": [], "former": []}
    for (s, sup), kind in edges.items():
        if s in kept and sup in kept and kind in by_kind:
            by_kind[kind].append((s, sup))
    parents: dict[str, str] = {}
    for rank in ("current", "cascade", "former"):     # a person's first current link, else cascade, else former
        for s, sup in by_kind[rank]:
            parents.setdefault(nid(s), nid(sup))
    # external managers (named in an export, not employed by the org) are drawn with their team but never counted
    staff_nodes = [n for n in nodes if not external[n["_raw"]]]
    counts = {k: sum(1 for n in staff_nodes if n["status"] == k) for k in STATUS_STYLES}
    counts["churn_seat"] = sum(1 for n in staff_nodes if n["churn_seat"])
    counts["cascade"] = sum(1 for n in staff_nodes if n["cascade"])
    totals = {"people": len(staff_nodes), "employed": len(staff_nodes) - counts["left"], "left": counts["left"]}
    if anonymize:
        if min_cell is None:
            min_cell = resolve(org, "privacy")["min_cell"]
        counts = {k: suppress(v, min_cell) for k, v in counts.items()}
        totals = {k: suppress(v, min_cell) for k, v in totals.items()}
    return {"as_of": day.isoformat(), "nodes": nodes, "edges": edge_list, "programs": programs, "counts": counts,
            "totals": totals, "notes": list(flags.notes), "parents": parents,
            "min_cell": min_cell if anonymize else None}


#: The ways to draw a map: one node per person, per supervisor's team, or per program.
VIEWS = ("people", "teams", "programs")


def count_text(members: list[dict], min_cell: int | None) -> str:
    """What a group of people on the map holds, by status, e.g. ``"5 active, 1 left, 1 in churn seats"``.

    Counts under ``min_cell`` are suppressed (:func:`orgraph.privacy.suppress`) unless ``min_cell`` is ``None``.
    """
    shown = (lambda k: k) if min_cell is None else (lambda k: suppress(k, min_cell))
    parts = []
    for key, word in (("active", "active"), ("post_exit", "in the window after a supervisor left"),
                      ("overloaded", "overloaded supervisor"), ("left", "left")):
        k = sum(1 for m in members if m["status"] == key)
        if k:
            parts.append(f"{shown(k)} {word}")
    churn = sum(1 for m in members if m["churn_seat"])
    cascade = sum(1 for m in members if m["cascade"])
    if churn:
        parts.append(f"{shown(churn)} in churn seats")
    if cascade:
        parts.append(f"{shown(cascade)} in flagged cascades")
    return ", ".join(parts)


def aggregate_elements(el: dict, *, by: str) -> dict:
    """Fold a people map (:func:`map_elements`) into one node per supervisor's team or per program.

    ``teams``: a node per person who supervises anyone on the map, holding
    them and their direct supervisees who supervise no one; arrows run to the
    supervisor's own supervisor. ``programs``: a node per program; an arrow
    from program A to B counts people in A supervised from B. Nodes carry a
    ``weight`` (people) used for their size. When ``el`` is anonymized (its
    ``min_cell`` is set), the counts in labels and tooltips are suppressed.

    Parameters
    ----------
    el : dict
        A people map from :func:`map_elements`.
    by : {"people", "teams", "programs"}
        ``people`` returns ``el`` as it is.

    Returns
    -------
    dict
        A map in the shape of ``el``, with ``view`` set to ``by``.

    Raises
    ------
    AnalysisError
        For an unknown ``by``.

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
    min_cell = el.get("min_cell")
    size = (lambda ms: len(ms)) if min_cell is None else (lambda ms: suppress(len(ms), min_cell))
    out_nodes = []
    for g, ms in sorted(members.items()):
        text = count_text(ms, min_cell)
        cascade = any(m["cascade"] for m in ms)
        if g.startswith("program:"):
            pid = g.partition(":")[2]
            name = el["programs"].get(pid, pid) or "No program"
            label = f"{name} ({size(ms)})" if by == "programs" else f"No supervisor on the map, {name} ({size(ms)})"
            status, program, role = "active", ("" if by == "programs" else pid), ""
        else:
            lead = nodes[g]
            label = f"{lead['label']} team ({size(ms)})"
            status, program, role = lead["status"], lead["program"], lead.get("role", "")
            text = lead["title"] + "\n\nTeam: " + text
        if by == "programs" or g.startswith("program:"):
            text = f"{label}\n{text}"
        out_nodes.append({"id": g, "label": label, "title": text, "status": status, "program": program, "role": role,
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
        out_edges.append({"from": a, "to": b, "kind": kind, "count": len(kinds),
                          "count_shown": size(kinds)})
    parents_out = {}
    for e in out_edges:
        if e["kind"] == "current":
            parents_out.setdefault(e["from"], e["to"])
    counts = dict(el["counts"])
    return {**el, "nodes": out_nodes, "edges": out_edges, "parents": parents_out if by == "teams" else {},
            "counts": counts, "view": by}
