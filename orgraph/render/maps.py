"""Interactive supervision maps: one self-contained, offline HTML file (:func:`build_map`).

A map shows the supervision network on one date. People are dots sized by
caseload and coloured by status; arrows run from supervisee to supervisor;
programs are drawn as labelled regions; people who left recently, and the
supervisors whose exit started a flagged cascade, stay on the map as "ghosts"
so a leader sees a departed supervisor and the departures that followed.

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

__all__ = ["build_map"]


def build_map(org: OrgGraph, *, as_of=None, flags: MapFlags | None = None, lookback_days: int = DEFAULT_LOOKBACK_DAYS,
              program: str | None = None, supervisor: str | None = None, flagged_only: bool = False,
              anonymize: bool = False, key: str | None = None, min_cell: int | None = None,
              physics: bool | None = None, title: str | None = None, view: str = "people") -> str:
    """The supervision map on ``as_of`` as one self-contained HTML page.

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
        flags = MapFlags()
    el = map_elements(org, as_of=day, flags=flags, lookback_days=lookback_days, program=program,
                      supervisor=supervisor, flagged_only=flagged_only, anonymize=anonymize, key=key,
                      min_cell=min_cell)
    el = aggregate_elements(el, by=view)
    vis_nodes, vis_edges, options, boxes = vis_network(el, physics=physics)
    c, t = el["counts"], el["totals"]
    subtitle = f"As of {el['as_of']}: {t['people']} people on the map ({t['employed']} employed, {t['left']} who left)"
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
