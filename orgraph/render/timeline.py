"""A timeline page: the supervision map at a series of dates, with a date slider.

Every frame is the map of :func:`orgraph.render.elements.map_elements` on one date,
with the flags the analyses give *as of that date*. Everyone who appears in any
frame gets one position (a shared layout), so people stay put while the
slider moves and a leader can watch a supervisor leave and the exits follow.
Physics is off: positions are precomputed (:func:`orgraph.render.layout.team_layout`), and so are the
program regions.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from ..errors import AnalysisError
from ..graph import OrgGraph, as_date
from .elements import DEFAULT_LOOKBACK_DAYS, map_elements
from .layout import team_layout
from ..report.flags import MapFlags
from .page import page_html, vis_network

__all__ = ["timeline_dates", "build_timeline", "MAX_FRAMES"]

#: More frames than this make a page too heavy to be useful; ask for a coarser step.
MAX_FRAMES = 80

_STEPS = {"quarter": 3, "month": 1}


def timeline_dates(start, end, every: str = "quarter") -> list[dt.date]:
    """Dates from ``start`` to ``end`` stepping by calendar months or quarters; ``end`` is always the last.

    Examples
    --------
    >>> [d.isoformat() for d in timeline_dates("2024-01-31", "2024-08-15", "quarter")]
    ['2024-01-31', '2024-04-30', '2024-07-31', '2024-08-15']
    """
    if every not in _STEPS:
        raise AnalysisError(f"--every must be one of {', '.join(_STEPS)}, not {every!r}")
    start, end = as_date(start), as_date(end)
    if end < start:
        raise AnalysisError(f"--to {end.isoformat()} is before --from {start.isoformat()}")
    months = _STEPS[every]
    out, k = [], 0
    while True:
        d = (pd.Timestamp(start) + pd.DateOffset(months=months * k)).date()
        if start.day == pd.Timestamp(start).days_in_month:  # month ends stay month ends
            d = (pd.Timestamp(d) + pd.offsets.MonthEnd(0)).date()
        if d > end:
            break
        out.append(d)
        k += 1
    if not out or out[-1] != end:
        out.append(end)
    return out


def _summary(day: dt.date, counts: dict, totals: dict, n_edges: int) -> str:
    parts = [f"{totals['employed']} employed", f"{totals['left']} who left shown",
             f"{counts['post_exit']} in the window after their supervisor left",
             f"{counts['overloaded']} overloaded supervisor{'s' if counts['overloaded'] != 1 else ''}"]
    if counts.get("cascade"):
        parts.append(f"{counts['cascade']} in flagged cascades")
    return f"{day.isoformat()}: " + ", ".join(parts) + f"; {n_edges} supervision links."


def _share(frames: list[dict]) -> tuple[dict, list]:
    """Store what frames share once: in place, each frame keeps only a node's attributes that change
    between frames (the rest is in ``nodeBase[id]``) and edge indexes into ``edgeBase``.

    Examples
    --------
    >>> fr = [{"nodes": [{"id": "a", "x": 1, "title": "t1"}], "edges": [{"from": "a", "to": "b", "kind": "current"}]},
    ...       {"nodes": [{"id": "a", "x": 1, "title": "t2"}], "edges": [{"from": "a", "to": "b", "kind": "current"}]}]
    >>> base, edges = _share(fr)
    >>> base, [f["nodes"] for f in fr], [f["edges"] for f in fr]
    ({'a': {'x': 1}}, [[{'id': 'a', 'title': 't1'}], [{'id': 'a', 'title': 't2'}]], [[0], [0]])
    """
    seen: dict = {}
    for f in frames:
        for n in f["nodes"]:
            seen.setdefault(n["id"], []).append(n)
    base = {}
    for nid, versions in seen.items():
        first = versions[0]
        base[nid] = {k: v for k, v in first.items() if k != "id" and all(k in o and o[k] == v for o in versions)}
    for f in frames:
        f["nodes"] = [{"id": n["id"], **{k: v for k, v in n.items() if k not in base[n["id"]]}} for n in f["nodes"]]
    index: dict[str, int] = {}
    edge_base: list[dict] = []
    for f in frames:
        refs = []
        for e in f["edges"]:
            key = json.dumps(e, sort_keys=True)
            if key not in index:
                index[key] = len(edge_base)
                edge_base.append(e)
            refs.append(index[key])
        f["edges"] = refs
    return base, edge_base


def build_timeline(org: OrgGraph, *, start=None, end=None, every: str = "quarter", flags_for=None,
                   lookback_days: int = DEFAULT_LOOKBACK_DAYS, program: str | None = None,
                   supervisor: str | None = None, flagged_only: bool = False, anonymize: bool = False,
                   key: str | None = None, min_cell: int | None = None, title: str | None = None) -> str:
    """One self-contained HTML page with the map at each date from ``start`` to ``end``.

    ``flags_for(day) -> MapFlags`` supplies the flags per date
    (:func:`orgraph.registry.flags_as_of`); by default nothing is flagged.
    ``anonymize``, ``key`` and ``min_cell`` are as in :func:`orgraph.render.elements.map_elements`.
    """
    start = as_date(start) if start is not None else max(org.data_start, org.data_end - dt.timedelta(days=730))
    end = as_date(end) if end is not None else org.data_end
    dates = timeline_dates(start, end, every)
    if len(dates) > MAX_FRAMES:
        raise AnalysisError(f"{len(dates)} dates from {start.isoformat()} to {end.isoformat()} is too many for one "
                            f"page (at most {MAX_FRAMES}); use --every quarter or a shorter range")
    if supervisor is not None and supervisor not in org.data.staff:
        raise AnalysisError(f"no staff member {supervisor!r} in the data")
    if flags_for is None:
        def flags_for(day):
            return MapFlags()
    frames_el = []
    for day in dates:
        try:
            el = map_elements(org, as_of=day, flags=flags_for(day) or MapFlags(), lookback_days=lookback_days,
                              program=program, supervisor=supervisor, flagged_only=flagged_only,
                              anonymize=anonymize, key=key, min_cell=min_cell)
        except AnalysisError:
            if supervisor is None:
                raise
            el = {"as_of": day.isoformat(), "nodes": [], "edges": [], "parents": {}, "notes": [],
                  "programs": {p: r.name for p, r in org.data.programs.items()},
                  "counts": {"active": 0, "post_exit": 0, "overloaded": 0, "left": 0, "churn_seat": 0,
                             "cascade": 0}, "totals": {"people": 0, "employed": 0, "left": 0}}
        frames_el.append(el)
    # one layout for everyone who ever appears: latest program, label and role, first supervisor seen
    program_of: dict[str, str] = {}
    parent: dict[str, str] = {}
    labels: dict[str, str] = {}
    roles: dict[str, str] = {}
    for el in frames_el:
        for n in el["nodes"]:
            program_of[n["id"]] = n["program"]
            labels[n["id"]] = n["label"]
            roles[n["id"]] = n.get("role", "")
        for c, p in el["parents"].items():
            parent.setdefault(c, p)
    positions, regions = team_layout(program_of, parent, labels=labels, roles=roles,
                                     names=frames_el[0]["programs"])
    frames, options, notes = [], None, []
    for day, el in zip(dates, frames_el):
        vis_nodes, vis_edges, options, _ = vis_network(el, positions=positions, regions=regions)
        frames.append({"date": day.isoformat(), "nodes": vis_nodes, "edges": vis_edges, "counts": el["counts"],
                       "summary": _summary(day, el["counts"], el["totals"], len(vis_edges))})
        notes += [n for n in el["notes"] if n not in notes]
    node_base, edge_base = _share(frames)
    subtitle = (f"{len(dates)} snapshots from {dates[0].isoformat()} to {dates[-1].isoformat()}, every {every}. "
                f"Move the slider or press Play; people keep their place.")
    data = {"frames": frames, "nodeBase": node_base, "edgeBase": edge_base, "options": options,
            "programs": frames_el[0]["programs"], "notes": notes, "physics": False, "regions": regions}
    return page_html(title or "Supervision map over time", subtitle, data)
