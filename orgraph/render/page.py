"""The supervision map as a page: vis-network nodes, edges and options, and one self-contained HTML file.

The nodes, edges and options have the shape pyvis (0.3.2) gives them (its
``Network``), built here as plain dicts (pyvis keeps its nodes in lists and
scans them on every add), and orgraph writes the page itself from the Jinja
template ``map.html.j2``: pyvis's template links CDNs and Bootstrap, and has
no autoescape. Here every
value reaches the browser only as JSON inside a
``<script type="application/json">`` block (``<``, ``>`` and ``&`` escaped
by :func:`script_json`) and is shown with ``textContent`` or drawn on the
canvas; vis-network shows a string ``title`` as plain text. The title and
subtitle are escaped by the template. vis-network itself is inlined from the
copy pyvis ships, so the page loads nothing from the network, and a strict
Content-Security-Policy forbids it to.

The layout is computed in Python (:func:`orgraph.render.layout.team_layout`)
and shown as is, with the physics simulation off, so a 5,000-person org
opens in a few seconds and a person never moves between the frames of a
timeline.
"""
from __future__ import annotations

import importlib.util
import json
import math
import re
from pathlib import Path

from markupsafe import Markup

from ..errors import AnalysisError
from .elements import STATUS_STYLES
from .layout import _team_layout, levels, node_style, split_label
from .templating import asset, inline_code, render

__all__ = ["vis_network", "page_html", "script_json", "LABEL_MIN_PX", "CASCADE_COLOR", "EDGE_COLOR",
           "FORMER_EDGE_COLOR"]

#: The smallest label drawn, in screen pixels: a label that would be smaller at the current zoom is not drawn
#: (zoom in to see it), so every label on screen can be read.
LABEL_MIN_PX = 11

CASCADE_COLOR = "#d62728"
EDGE_COLOR = "#8c8c8c"
FORMER_EDGE_COLOR = "#b5b5b5"


def _vis_node(n: dict, xy: tuple[float, float] | None, level: int) -> dict:
    style = STATUS_STYLES[n["status"]]
    size, font = node_style(level)
    if n.get("weight"):
        size = min(8 + 3.0 * math.sqrt(n["weight"]), 70)
    border = CASCADE_COLOR if n["cascade"] else ("#7f7f7f" if n["left"] else "#2b2b2b")
    out = {"label": split_label(n["label"]), "name": n["label"], "title": n["title"], "size": size,
           "shape": "diamond" if n["churn_seat"] else "dot",
           "color": {"background": style["color"], "border": border,
                     "highlight": {"background": style["color"], "border": "#000000"}},
           "borderWidth": 4 if n["cascade"] else (2 if n["churn_seat"] else 1),
           "font": {"size": font, "color": "#7f7f7f" if n["left"] else "#1a1a1a"},
           "status": n["status"], "program": n["program"], "flagged": n["flagged"], "rank": level}
    if n["left"]:
        out["shapeProperties"] = {"borderDashes": [4, 3]}
    if xy is not None:
        out["x"], out["y"] = xy
    return out


_EDGE_STYLE = {
    "current": {"color": EDGE_COLOR, "width": 1},
    "former": {"color": FORMER_EDGE_COLOR, "width": 1, "dashes": True},
    "cascade": {"color": CASCADE_COLOR, "width": 3, "dashes": [8, 4]},
}


def _vis_node_options(n_id, opts: dict) -> dict:
    """A vis-network node as pyvis 0.3.2 writes it (``Network.add_node``): colour first, the other options,
    then ``id``, ``label`` and ``shape``."""
    out = {"color": opts["color"]}
    out.update(opts)                    # "color" keeps its first place
    label, shape = out.pop("label", None), out.pop("shape", "dot")
    out["id"], out["label"], out["shape"] = n_id, label if label is not None else n_id, shape
    return out


def _placed_node(n: dict, xy: tuple[float, float] | None, level: int) -> dict:
    """``_vis_node_options(n["id"], _vis_node(n, xy, level))`` built in one dict, in that order."""
    style = STATUS_STYLES[n["status"]]
    size, font = node_style(level)
    if n.get("weight"):
        size = min(8 + 3.0 * math.sqrt(n["weight"]), 70)
    left, cascade, churn = n["left"], n["cascade"], n["churn_seat"]
    out = {"color": {"background": style["color"], "border": CASCADE_COLOR if cascade else
                     ("#7f7f7f" if left else "#2b2b2b"),
                     "highlight": {"background": style["color"], "border": "#000000"}},
           "name": n["label"], "title": n["title"], "size": size,
           "borderWidth": 4 if cascade else (2 if churn else 1),
           "font": {"size": font, "color": "#7f7f7f" if left else "#1a1a1a"},
           "status": n["status"], "program": n["program"], "flagged": n["flagged"], "rank": level}
    if left:
        out["shapeProperties"] = {"borderDashes": [4, 3]}
    if xy is not None:
        out["x"], out["y"] = xy
    out["id"], out["label"], out["shape"] = n["id"], split_label(n["label"]), "diamond" if churn else "dot"
    return out


def vis_network(elements: dict, *, physics: bool = False,
                positions: dict | None = None, regions: dict | None = None) -> tuple[list, list, dict, dict]:
    """Assemble vis-network nodes, edges and options (in the shape pyvis gives them); also returns the program
    regions.

    People are placed by :func:`orgraph.render.layout.team_layout` and drawn by level
    (:func:`orgraph.render.layout.levels`): supervisors and directors larger, with larger labels, than the
    people they supervise. Long names are put on two lines; a label smaller than :data:`LABEL_MIN_PX` on
    screen is not drawn.

    Parameters
    ----------
    elements : dict
        A map from :func:`orgraph.render.elements.map_elements` or
        :func:`orgraph.render.elements.aggregate_elements`.
    physics : bool
        Start vis-network's physics simulation from the computed layout (off: the layout is shown as is).
    positions : dict, optional
        Node id -> (x, y), replacing the computed layout (the timeline shares one layout).
    regions : dict, optional
        Program id -> region, shown with ``positions``.

    Returns
    -------
    nodes, edges : list of dict
        vis-network nodes and edges.
    options : dict
        vis-network options.
    regions : dict
        Program id -> (x0, y0, x1, y1, title height) (see :func:`orgraph.render.layout.team_layout`).

    Raises
    ------
    AnalysisError
        When an edge refers to a node that is not in ``elements``.
    """
    nodes = elements["nodes"]
    parents = elements.get("parents", {})
    roles = {n["id"]: n.get("role", "") for n in nodes}
    ids = [n["id"] for n in nodes]
    lv = None
    if positions is None:
        positions, regions, sorted_lv = _team_layout({n["id"]: n["program"] for n in nodes}, parents,
                                                     labels={n["id"]: n["label"] for n in nodes}, roles=roles,
                                                     names=elements.get("programs"))
        if ids == sorted(ids):          # the layout's levels, found from the people in this same order
            lv = sorted_lv
    if lv is None:
        lv = levels(ids, parents, roles)
    vis_nodes: dict = {}                 # the shapes pyvis gave; built here (pyvis scans lists: quadratic)
    for n in nodes:
        if n["id"] not in vis_nodes:
            vis_nodes[n["id"]] = _placed_node(n, positions.get(n["id"]), lv[n["id"]])
    vis_edges = []
    for e in elements["edges"]:
        if e["from"] not in vis_nodes or e["to"] not in vis_nodes:
            raise AnalysisError(f"map edge {e['from']!r} -> {e['to']!r} refers to a node not on the map")
        style = dict(_EDGE_STYLE[e["kind"]])
        extra = {}
        if e.get("count"):
            style["width"] = round(min(style["width"] + math.log2(e["count"]), 10), 1)
            extra["title"] = f"{e.get('count_shown', e['count'])} supervision link{'s' if e['count'] != 1 else ''}"
        vis_edges.append({"kind": e["kind"], "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}, **style,
                          **extra, "from": e["from"], "to": e["to"]})
    options = {
        "autoResize": True,
        "nodes": {"font": {"size": 14, "face": "Helvetica, Arial, sans-serif", "strokeWidth": 3,
                           "strokeColor": "#ffffff"},
                  "scaling": {"label": {"drawThreshold": LABEL_MIN_PX + 1, "maxVisible": 40}}},
        "edges": {"smooth": False, "selectionWidth": 2},
        "physics": {"enabled": bool(physics), "solver": "barnesHut",
                    "barnesHut": {"gravitationalConstant": -2500, "springLength": 90, "springConstant": 0.02,
                                  "avoidOverlap": 0.2},
                    "stabilization": {"enabled": True, "iterations": 100, "fit": True}},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": len(nodes) > 1000,
                        "hideEdgesOnZoom": len(nodes) > 1000, "navigationButtons": False, "keyboard": False,
                        "multiselect": False},
        "layout": {"improvedLayout": False, "randomSeed": 7},
    }
    return list(vis_nodes.values()), vis_edges, json.loads(json.dumps(options)), dict(regions or {})


def script_json(value) -> str:
    """JSON safe to place inside a ``<script>`` element: ``<``, ``>``, ``&`` and line separators escaped.

    Parameters
    ----------
    value : object
        Anything :func:`json.dumps` takes (no NaN or infinity).

    Returns
    -------
    str
        JSON with no ``<``, ``>``, ``&``, U+2028 or U+2029 in it: it cannot end the element or open a comment,
        and reads back to ``value`` with ``JSON.parse``.

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


def _vis_js() -> str:
    # find_spec locates the pyvis package without running its __init__, which imports pyvis.network and so
    # IPython (over a hundred modules) that the page never uses: only this file shipped inside pyvis is read
    spec = importlib.util.find_spec("pyvis")
    try:
        if spec is None or not spec.submodule_search_locations:
            raise ModuleNotFoundError("No module named 'pyvis'")
        path = Path(next(iter(spec.submodule_search_locations)), "templates", "lib", "vis-9.1.2",
                    "vis-network.min.js")
        text = path.read_text("utf-8")
    except (FileNotFoundError, ModuleNotFoundError) as exc:  # pragma: no cover - pyvis is a dependency
        raise AnalysisError(f"vis-network was not found in the pyvis package ({exc}); reinstall pyvis==0.3.2") \
            from None
    text = re.sub(r"//# sourceMappingURL=[^\r\n]*\s*$", "", text)  # never fetched, but no URL at all is cleaner
    if re.search(r"</script|<!--", text, re.IGNORECASE):  # pragma: no cover - checked for vis-network 9.1.2
        raise AnalysisError("this vis-network build cannot be inlined safely (it contains '</script' or '<!--')")
    return text


def page_html(title: str, subtitle: str, data: dict) -> str:
    """A self-contained map page around ``data`` (vis-network and orgraph's map script inlined).

    Parameters
    ----------
    title, subtitle : str
        Shown at the top of the page (escaped).
    data : dict
        What ``map.js`` draws: ``nodes``, ``edges``, ``options`` and ``regions`` of :func:`vis_network`, and
        ``programs``, ``counts``, ``notes``, ``physics``; at team level ``teams``
        (:func:`orgraph.render.teams.team_groups`); a timeline adds ``frames``, ``nodeBase`` and ``edgeBase``.
        The legend is added here. It reaches the page only through :func:`script_json`.

    Returns
    -------
    str
        The HTML page, rendered from the template ``map.html.j2``.

    Examples
    --------
    >>> page = page_html("<Map>", "As of today", {"nodes": [{"label": "<img src=x onerror=alert(1)>"}]})
    >>> "<title>&lt;Map&gt;</title>" in page, "<img" in page, page.count("</script")
    (True, False, 3)
    """
    legend = [{"key": k, "color": v["color"], "label": v["label"]} for k, v in STATUS_STYLES.items()]
    data = {**data, "legend": legend, "cascadeColor": CASCADE_COLOR}
    return render("map.html.j2", title=title, subtitle=subtitle,
                  css=inline_code(asset("map.css"), element="style"),
                  vis_js=Markup(_vis_js()),  # checked by _vis_js: nothing in it can end the <script> element
                  data=Markup(script_json(data)),  # escaped for a <script> element by script_json
                  map_js=inline_code(asset("map.js"), element="script"))
