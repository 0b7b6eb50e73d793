"""The map as a PNG drawn with matplotlib: for ``map.png`` when Chromium is not there to take a screenshot.

It draws what the map page shows when it opens (:func:`opening_view`: at team
level, the team circles), in the same places and colours: program regions
with their names, supervision links, people and teams, the labels that can be
read at the picture's size (at least :data:`MIN_LABEL_PT` points; the
others are left out, as the page leaves them out at that zoom), and a legend.
matplotlib's Agg canvas is used directly, so no display and no global
backend setting are needed; matplotlib is imported when a map is drawn (it
takes about a second), so commands that draw none never load it.
"""
from __future__ import annotations

import io
import textwrap

from .elements import STATUS_STYLES

__all__ = ["map_figure", "map_figure_png", "opening_view", "MIN_LABEL_PT"]

#: Labels smaller than this (in points, at 100 dots per inch) are not drawn.
MIN_LABEL_PT = 7.5

_EDGE_LOOK = {"current": ("#8c8c8c", "solid", 0.8), "former": ("#b5b5b5", (0, (4, 3)), 0.8),
              "cascade": ("#d62728", (0, (6, 3)), 2.0)}


def opening_view(data: dict) -> tuple[list[dict], list[dict]]:
    """The nodes and edges a map page shows when it opens: at team level, each team as its circle.

    Parameters
    ----------
    data : dict
        A map page's data (``nodes``, ``edges`` and, at team level, ``teams``; see
        :func:`orgraph.render.maps.map_data`).

    Returns
    -------
    nodes, edges : list of dict
        Links into or out of a folded team run from its circle; parallel links are merged, with a ``count``.

    Examples
    --------
    >>> data = {"nodes": [{"id": i} for i in "abcd"], "edges": [{"from": "b", "to": "a", "kind": "current"},
    ...         {"from": "c", "to": "a", "kind": "current"}, {"from": "a", "to": "d", "kind": "current"}],
    ...         "teams": [{"id": "team:a", "members": ["a", "b", "c"]}]}
    >>> nodes, edges = opening_view(data)
    >>> [n["id"] for n in nodes], [(e["from"], e["to"], e.get("count")) for e in edges]
    (['d', 'team:a'], [('team:a', 'd', 1)])
    """
    teams = data.get("teams") or []
    team_of = {m: t["id"] for t in teams for m in t["members"]}
    nodes = [n for n in data["nodes"] if n["id"] not in team_of] + [
        {k: v for k, v in t.items() if k != "members"} for t in teams]
    if not teams:
        return nodes, list(data["edges"])
    edges: list[dict] = []
    merged: dict[tuple, dict] = {}
    for e in data["edges"]:
        a, b = team_of.get(e["from"], e["from"]), team_of.get(e["to"], e["to"])
        if a == b:
            continue
        if (a, b) == (e["from"], e["to"]):
            edges.append(e)
            continue
        m = merged.get((a, b))
        if m is None:
            m = merged[(a, b)] = {**e, "from": a, "to": b, "count": 0}
            edges.append(m)
        m["count"] += 1
        if e["kind"] == "cascade" or (e["kind"] == "current" and m["kind"] == "former"):
            m["kind"] = e["kind"]
    return nodes, edges


def _legend_handles(team_level: bool) -> list:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    handles = [Line2D([], [], ls="", marker="o", ms=9, mfc=v["color"], mec="#2b2b2b", label=v["label"])
               for v in STATUS_STYLES.values()]
    handles += [
        Line2D([], [], ls="", marker="o", ms=9, mfc="#c9c9c9", mec="#d62728", mew=2.5,
               label="Red outline: a departed supervisor and the departures that followed"),
        Line2D([], [], ls="", marker="D", ms=8, mfc="#ffffff", mec="#2b2b2b",
               label="Diamond: holds a seat that keeps turning over"),
        Line2D([], [], color="#8c8c8c", label="Line: supervisee to supervisor"),
        Line2D([], [], color="#b5b5b5", ls=(0, (4, 3)), label="Dashed: supervision that ended when someone left"),
        Line2D([], [], color="#d62728", ls=(0, (6, 3)), lw=2, label="Red: a departure after a supervisor's exit"),
        Line2D([], [], ls="", marker="o", ms=14, mfc="#4e79a7", mec="#2b2b2b",
               label="Large: a team (by headcount)" if team_level else "Large: directors and supervisors"),
        Rectangle((0, 0), 1, 1, fc=(0.62, 0.70, 0.78, 0.15), ec=(0.47, 0.55, 0.65), label="Region: a program"),
    ]
    for h in handles:
        h.set_label(textwrap.fill(h.get_label(), 34))
    return handles


def map_figure_png(data: dict, *, title: str, subtitle: str = "", width: int = 1600, height: int = 1000) -> bytes:
    """:func:`map_figure` as a PNG file's bytes.

    Examples
    --------
    >>> data = {"nodes": [{"id": "a", "x": 0, "y": 0, "size": 16, "label": "Ana", "font": {"size": 28},
    ...                    "color": {"background": "#4e79a7", "border": "#2b2b2b"}, "shape": "dot"}], "edges": []}
    >>> map_figure_png(data, title="Supervision map", width=400, height=250)[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    out = io.BytesIO()
    map_figure(data, title=title, subtitle=subtitle, width=width, height=height).savefig(
        out, format="png", dpi=100, facecolor="white")
    return out.getvalue()


def map_figure(data: dict, *, title: str, subtitle: str = "", width: int = 1600,
               height: int = 1000) -> "matplotlib.figure.Figure":
    """Draw a map page's opening view: regions, links, people or teams, readable labels and a legend.

    Parameters
    ----------
    data : dict
        The map page's data (:func:`orgraph.render.maps.map_data`): placed vis-network ``nodes`` (``x``, ``y``,
        ``size``, ``color``, ``shape``, ``label``, ``font``), ``edges``, ``regions``, ``programs`` and, at team
        level, ``teams``.
    title, subtitle : str
        Printed above the map.
    width, height : int
        Pixels (at 100 dots per inch).

    Returns
    -------
    matplotlib.figure.Figure
        On an Agg canvas, ``width`` by ``height`` pixels at 100 dots per inch.

    Examples
    --------
    >>> data = {"nodes": [{"id": "a", "x": 0, "y": 0, "size": 16, "label": "Ana", "font": {"size": 28},
    ...                    "color": {"background": "#4e79a7", "border": "#2b2b2b"}, "shape": "dot"},
    ...                   {"id": "b", "x": 80, "y": 0, "size": 9, "label": "Bo", "font": {"size": 14},
    ...                    "color": {"background": "#f28e2b", "border": "#2b2b2b"}, "shape": "diamond"}],
    ...         "edges": [{"from": "b", "to": "a", "kind": "current"}], "regions": {"P": [-60, -80, 140, 60, 34]},
    ...         "programs": {"P": "Outpatient"}}
    >>> fig = map_figure(data, title="Supervision map", width=400, height=250)
    >>> sorted(t.get_text() for t in fig.axes[0].texts)
    ['Ana', 'Bo', 'Outpatient']
    """
    from matplotlib import patheffects
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    nodes, edges = opening_view(data)
    regions = data.get("regions") or {}
    fig = Figure(figsize=(width / 100, height / 100), dpi=100)
    FigureCanvasAgg(fig)
    fig.text(0.01, 0.985, title, fontsize=15, weight="bold", va="top")
    if subtitle:
        fig.text(0.01, 0.955, subtitle, fontsize=9.5, va="top", color="#444444")
    legend_w = 0.2
    ax = fig.add_axes((legend_w + 0.01, 0.01, 1 - legend_w - 0.02, 0.92))
    ax.set_axis_off()
    ax.invert_yaxis()
    xs = [n["x"] for n in nodes if "x" in n] + [b[0] for b in regions.values()] + [b[2] for b in regions.values()]
    ys = [n["y"] for n in nodes if "y" in n] + [b[1] for b in regions.values()] + [b[3] for b in regions.values()]
    if not xs:
        xs, ys = [0.0, 1.0], [0.0, 1.0]
    x0, x1, y0, y1 = min(xs) - 40, max(xs) + 40, min(ys) - 40, max(ys) + 60
    box_w, box_h = ax.get_position().width * width, ax.get_position().height * height
    px = min(box_w / (x1 - x0), box_h / (y1 - y0))  # pixels per map unit, the same on both axes
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    ax.set_xlim(cx - box_w / px / 2, cx + box_w / px / 2)
    ax.set_ylim(cy + box_h / px / 2, cy - box_h / px / 2)
    pt = px * 72 / 100  # points per map unit

    for pid, b in sorted(regions.items()):
        ax.add_patch(Rectangle((b[0], b[1]), b[2] - b[0], b[3] - b[1], fc=(0.62, 0.70, 0.78, 0.12),
                               ec=(0.47, 0.55, 0.65, 0.55), lw=1.2, zorder=0))
        name = str(data.get("programs", {}).get(pid, pid) or "No program")
        size = max(min(b[4] * 0.62 * pt, 14.0), 8.0)
        room = (b[2] - b[0] - 16) * pt
        size = min(size, room / (0.6 * max(len(name), 1)))
        if size >= 6:
            ax.text(b[0] + 8, b[1] + min(b[4], size / pt * 1.1) - 4, name, fontsize=size, weight="bold",
                    color="#3d5a80", va="baseline", zorder=1, clip_on=True)

    where = {n["id"]: (n["x"], n["y"]) for n in nodes if "x" in n}
    for kind, (color, style, lw) in _EDGE_LOOK.items():
        segs = [(where[e["from"]], where[e["to"]]) for e in edges
                if e.get("kind", "current") == kind and e["from"] in where and e["to"] in where]
        if segs:
            ax.add_collection(LineCollection(segs, colors=color, linestyles=style, linewidths=lw, zorder=2))

    for n in sorted(nodes, key=lambda n: n.get("size", 10)):
        if n["id"] not in where:
            continue
        x, y = where[n["id"]]
        color = n.get("color") if isinstance(n.get("color"), dict) else {"background": n.get("color", "#4e79a7")}
        r = float(n.get("size", 10)) * pt
        ax.plot([x], [y], ls="", marker="D" if n.get("shape") == "diamond" else "o", ms=max(2 * r, 2.0),
                mfc=color.get("background", "#4e79a7"), mec=color.get("border", "#2b2b2b"),
                mew=min(float(n.get("borderWidth", 1)), 4) * 0.7, zorder=3, alpha=0.85 if n.get("status") == "left"
                else 1.0)
        font = float((n.get("font") or {}).get("size", 14)) * pt
        if n.get("label") and font >= MIN_LABEL_PT:
            ax.text(x, y + float(n.get("size", 10)) + 3, str(n["label"]), fontsize=min(font, 20), ha="center",
                    va="top", color=(n.get("font") or {}).get("color", "#1a1a1a"), zorder=4, linespacing=1.0,
                    clip_on=True, path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")])

    fig.legend(handles=_legend_handles(bool(data.get("teams"))), loc="upper left", bbox_to_anchor=(0.005, 0.93),
               fontsize=8.5, frameon=False, title="Legend", title_fontsize=10, alignment="left",
               handlelength=2.2, labelspacing=0.9)
    return fig
