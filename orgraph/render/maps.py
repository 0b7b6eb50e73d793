"""Interactive supervision maps: one self-contained, offline HTML file (:func:`build_map`).

A map shows the supervision network on one date. People are dots sized by
caseload and coloured by status; arrows run from supervisee to supervisor;
programs are drawn as labelled regions; people who left recently, and the
supervisors whose exit started a flagged cascade, stay on the map as "ghosts"
so a leader sees a departed supervisor and the departures that followed.

The work is done in three modules, one per step: :mod:`orgraph.render.elements`
(who is on the map, with what status and tooltip), :mod:`orgraph.render.layout`
(where) and :mod:`orgraph.render.page` (vis-network data and the HTML page).
This module runs the analyses whose flags the map shows (:func:`compute_flags`)
and puts the steps together.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import AnalysisError
from ..graph import OrgGraph, as_date
from ..privacy import staff_ref
# DEFAULT_LOOKBACK_DAYS is also imported from here by orgraph/cli/maps.py; it lives in orgraph.render.elements.
from .elements import DEFAULT_LOOKBACK_DAYS, VIEWS, aggregate_elements, map_elements
# PHYSICS_MAX_NODES is imported from here by benchmarks/bench_maps.py; it lives in orgraph.render.page.
from .page import PHYSICS_MAX_NODES, page_html, vis_network

__all__ = [
    "build_map",
    "MapFlags",
    "compute_flags",
    "run_analyses",
    "flags_from_results",
    # re-exported for modules that still import them from here
    "DEFAULT_LOOKBACK_DAYS",
    "PHYSICS_MAX_NODES",
]


# ------------------------------------------------------------------- flags
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


# -------------------------------------------------------------------- map
def build_map(org: OrgGraph, *, as_of=None, flags: MapFlags | None = None, lookback_days: int = DEFAULT_LOOKBACK_DAYS,
              program: str | None = None, supervisor: str | None = None, flagged_only: bool = False,
              anonymize: bool = False, key: str | None = None, physics: bool | None = None,
              title: str | None = None, view: str = "people") -> str:
    """The supervision map on ``as_of`` as one self-contained HTML page.

    Parameters
    ----------
    org : OrgGraph
    as_of : date or str, optional
        The map date; default the last day of data.
    flags : MapFlags, optional
        Default :func:`compute_flags` (the cascade, overload and churn analyses as of that date).
    lookback_days, program, supervisor, flagged_only, anonymize, key
        Who is on the map and how they are named; see :func:`orgraph.render.elements.map_elements`.
    physics : bool, optional
        Default on up to :data:`orgraph.render.page.PHYSICS_MAX_NODES` nodes.
    title : str, optional
        Default "Supervision map".
    view : {"people", "teams", "programs"}
        One node per person, per supervisor's team or per program; see
        :func:`orgraph.render.elements.aggregate_elements`.

    Returns
    -------
    str
        The HTML page.

    Raises
    ------
    AnalysisError
        For an unknown ``view``, a date outside the data, or a ``program`` or ``supervisor`` not on the map.
    ConfigError
        When anonymizing without a key.
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
