"""Interactive supervision maps: one self-contained, offline HTML file (:func:`build_map`).

A map shows the supervision network on one date. Each supervisor sits in
the middle of their team, teams are grouped by program (drawn as labelled
regions) with the leadership above; people are coloured by status, and
supervisors and directors are drawn larger than the people they supervise;
arrows run from supervisee to supervisor. People who left recently, and the
supervisors whose exit started a flagged cascade, stay on the map as "ghosts"
so a leader sees a departed supervisor and the departures that followed.
Above :data:`~orgraph.render.teams.TEAM_LEVEL_ABOVE` people the map opens at
team level: one circle per team, which shows its people when clicked.

The work is done in three modules, one per step: :mod:`orgraph.render.elements`
(who is on the map, with what status and tooltip), :mod:`orgraph.render.layout`
(where) and :mod:`orgraph.render.page` (vis-network data and the HTML page).
This module puts the steps together; what the analyses flagged comes in as
:class:`~orgraph.report.flags.MapFlags` (made by :func:`orgraph.registry.flags_as_of`).
"""
from __future__ import annotations

from ..errors import AnalysisError
from ..graph import OrgGraph, as_date
from ..report.flags import MapFlags
from .elements import DEFAULT_LOOKBACK_DAYS, VIEWS, aggregate_elements, map_elements
from .page import page_html, vis_network
from .teams import LABEL_MAX_PX, TEAM_LEVEL_ABOVE, readable_font, team_groups

__all__ = ["build_map", "map_data"]


def build_map(org: OrgGraph, **kwargs) -> str:
    """The supervision map on ``as_of`` as one self-contained HTML page.

    Takes the keyword arguments of :func:`map_data`.

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
    return page_html(*map_data(org, **kwargs))


def map_data(org: OrgGraph, *, as_of=None, flags: MapFlags | None = None, lookback_days: int = DEFAULT_LOOKBACK_DAYS,
             program: str | None = None, supervisor: str | None = None, flagged_only: bool = False,
             anonymize: bool = False, key: str | None = None, min_cell: int | None = None,
             physics: bool = False, title: str | None = None, view: str = "people",
             team_level: bool | None = None, elements: dict | None = None) -> tuple[str, str, dict]:
    """The title, subtitle and data of the supervision map page on ``as_of`` (:func:`build_map` draws them).

    Parameters
    ----------
    org : OrgGraph
    as_of : date or str, optional
        The map date; default the last day of data.
    flags : MapFlags, optional
        What the analyses flagged (:func:`orgraph.registry.flags_as_of`); default: nothing flagged.
    lookback_days, program, supervisor, flagged_only, anonymize, key, min_cell
        Who is on the map, how they are named and which counts are suppressed; see
        :func:`orgraph.render.elements.map_elements`.
    physics : bool
        Start vis-network's physics simulation from the computed layout; default off (the layout as is).
    title : str, optional
        Default "Supervision map".
    view : {"people", "teams", "programs"}
        One node per person, per supervisor's team or per program; see
        :func:`orgraph.render.elements.aggregate_elements`.
    team_level : bool, optional
        Open a people map at team level (:func:`orgraph.render.teams.team_groups`); default: when more than
        :data:`~orgraph.render.teams.TEAM_LEVEL_ABOVE` people are on it.
    elements : dict, optional
        The people map of :func:`orgraph.render.elements.map_elements` for these same arguments, when the
        caller has built it already (the snapshot pack does); read, not changed.

    Returns
    -------
    title, subtitle : str
    data : dict
        What the page draws (:func:`orgraph.render.page.page_html`): placed vis-network ``nodes`` and ``edges``,
        ``options``, program ``regions`` and names, ``counts``, ``notes`` and, at team level, ``teams``
        (:func:`orgraph.render.teams.team_groups`).

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
        flags = MapFlags()
    el = elements if elements is not None else map_elements(
        org, as_of=day, flags=flags, lookback_days=lookback_days, program=program, supervisor=supervisor,
        flagged_only=flagged_only, anonymize=anonymize, key=key, min_cell=min_cell)
    el = aggregate_elements(el, by=view)
    vis_nodes, vis_edges, options, regions = vis_network(el, physics=physics)
    if team_level is None:
        team_level = view == "people" and len(vis_nodes) > TEAM_LEVEL_ABOVE
    teams = team_groups(el, vis_nodes) if team_level and view == "people" else []
    if teams:  # leaders of leads stay people, named so that they read when the whole map fits the screen
        in_team = {m for t in teams for m in t["members"]}
        font = min(readable_font(vis_nodes), 60)
        for n in vis_nodes:
            if n["id"] not in in_team and n.get("rank", 0) > 0:
                n["font"] = {**n.get("font", {}), "size": max(n.get("font", {}).get("size", 14), font)}
                n["labelCap"], n["fontBase"] = LABEL_MAX_PX, n["font"]["size"]
    c, t = el["counts"], el["totals"]
    subtitle = f"As of {el['as_of']}: {t['people']} people on the map ({t['employed']} employed, {t['left']} who left)"
    if teams:
        subtitle += (f", {len(vis_edges)} supervision links, shown as {len(teams)} teams: click a team to see its "
                     f"people.")
    elif view == "people":
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
            "counts": c, "notes": el["notes"], "physics": bool(options["physics"]["enabled"]), "regions": regions}
    if teams:
        data["teams"] = teams
        data["sizeLegend"] = ("Size: a team circle by its headcount; a person by role: directors and supervisors "
                              "larger than the people they supervise")
    elif view != "people":
        data["sizeLegend"] = "Size: people in the " + ("team" if view == "teams" else "program") + \
            "; line width: supervision links"
    return title or "Supervision map", subtitle, data
