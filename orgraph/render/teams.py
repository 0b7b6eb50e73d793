"""The team level of a large map: one circle per supervisor's team, which opens into its people when clicked.

Above :data:`TEAM_LEVEL_ABOVE` people a map opens at team level: each team
(a supervisor and the direct supervisees who supervise no one, as laid out by
:func:`orgraph.render.layout.team_layout`) is one circle, sized by headcount
and labelled with the supervisor, the program and the headcount, drawn where
the team's cluster is. The people who lead leads (directors, executives) stay as people, named
as large as the teams.
Clicking a circle shows the team's people in their places; the map's page
(``map.js``) does that from the groups made here.
"""
from __future__ import annotations

import math

from ..privacy import suppress
from .elements import STATUS_STYLES, count_text
from .layout import label_size, split_label

__all__ = ["team_groups", "readable_font", "TEAM_LEVEL_ABOVE", "LABEL_MAX_PX"]

#: A map of more people than this opens at team level (one circle per team; click one to see its people).
TEAM_LEVEL_ABOVE = 400

#: The largest a team's or leader's label gets on screen, in pixels, when the reader zooms in on a team.
LABEL_MAX_PX = 20

_PLURAL = {True: "person", False: "people"}

#: The map's canvas on a 1400-pixel-wide laptop screen beside the legend, in pixels, and vis-network's margin
#: when it fits the map to it.
_CANVAS = (1120.0, 700.0)
_FIT_MARGIN = 1.1


def readable_font(vis_nodes: list[dict]) -> float:
    """The label font size (canvas units) that reads at 12.5 pixels when the whole map fits a laptop screen.

    Examples
    --------
    >>> readable_font([{"x": 0, "y": 0}, {"x": 4000, "y": 2000}])
    51.6
    """
    xs = [n["x"] for n in vis_nodes if "x" in n]
    ys = [n["y"] for n in vis_nodes if "y" in n]
    if not xs:
        return 14.0
    scale = min(_CANVAS[0] / (_FIT_MARGIN * (max(xs) - min(xs) + 200)),
                _CANVAS[1] / (_FIT_MARGIN * (max(ys) - min(ys) + 200)))
    return round(max(14.0, 12.5 / scale), 1)


def _font(lines: list[str], width: float, height: float, target: float) -> int:
    """The largest font up to ``target`` (and 72) at which ``lines`` fit ``width`` by ``height``; at least 14."""
    w, h = label_size("\n".join(lines), 1.0)
    return int(max(14, min(target, 72, width / w, height / h)))


def team_groups(elements: dict, vis_nodes: list[dict]) -> list[dict]:
    """The team circles of a people map: vis-network nodes, each with the ids of its ``members``.

    Parameters
    ----------
    elements : dict
        A people map from :func:`orgraph.render.elements.map_elements`.
    vis_nodes : list of dict
        Its vis-network nodes, placed (``x``, ``y``), from :func:`orgraph.render.page.vis_network`.

    Returns
    -------
    list of dict
        One node per team of two or more people led by a supervisor of people who supervise no one (``id``
        ``team:<lead id>``; its lead first in ``members``), and per program for the people with no supervisor
        on the map (``id`` ``loose:<program id>``). ``font`` is the largest that fits the team's place and
        reads at 12.5 pixels when the whole map fits a laptop screen (also in ``fontBase``); ``labelCap``
        (:data:`LABEL_MAX_PX`) is the most pixels the page lets it grow to when zooming in. Anonymized maps
        (``min_cell`` set) show headcounts under ``min_cell`` as ``<min_cell``.

    Examples
    --------
    >>> el = {"nodes": [dict(id=i, label=i.upper(), status="active", program="P", churn_seat=False, cascade=False,
    ...                      left=False, flagged=False, title=i) for i in "abc"],
    ...       "parents": {"b": "a", "c": "a"}, "programs": {"P": "Prog"}}
    >>> vis = [{"id": i, "x": x, "y": 0, "size": 9} for i, x in zip("abc", (0, -60, 60))]
    >>> [(t["id"], t["label"], t["members"]) for t in team_groups(el, vis)]
    [('team:a', 'A\\n3 people\\nProg', ['a', 'b', 'c'])]
    """
    nodes = {n["id"]: n for n in elements["nodes"]}
    placed = {n["id"]: n for n in vis_nodes}
    parents = {c: p for c, p in elements.get("parents", {}).items() if c in nodes and p in nodes and c != p}
    leads = set(parents.values())
    groups: dict[str, list[str]] = {}
    for i in sorted(nodes):
        if i in leads:
            groups.setdefault(f"team:{i}", []).insert(0, i)
        elif i in parents:
            groups.setdefault(f"team:{parents[i]}", []).append(i)
        else:
            groups.setdefault(f"loose:{nodes[i]['program']}", []).append(i)
    min_cell = elements.get("min_cell")
    programs = elements.get("programs", {})
    target = readable_font(vis_nodes)
    out = []
    for gid, members in sorted(groups.items()):
        if len(members) < 2 or placed[members[0]].get("rank", 0) > 1 and gid.startswith("team:"):
            continue  # one person, or a leader of leads (a director with their assistant): shown as people
        ms = [nodes[m] for m in members]
        kind, _, key = gid.partition(":")
        shown = len(ms) if min_cell is None else suppress(len(ms), min_cell)
        lead = nodes[key] if kind == "team" else None
        program = lead["program"] if lead else key
        where = programs.get(program, program) or "No program"
        head = lead["label"] if lead else "No supervisor on the map"
        xs = [placed[m]["x"] for m in members]
        ys = [placed[m]["y"] for m in members]
        size = min(14 + 3.5 * math.sqrt(len(ms)), 48)
        room_w, room_h = max(xs) - min(xs) + 110, max(ys) - min(ys) + 120 - 2 * size
        lines = [split_label(head), f"{shown} {_PLURAL[shown == 1]}"]
        font = _font(lines, room_w, room_h, target)
        with_program = lines + [split_label(where, 10)]
        if _font(with_program, room_w, room_h, target) >= max(font, min(target, 15)):
            lines = with_program  # the program too, when it fits as large (it is also the region's title)
        label = "\n".join(lines)
        status = lead["status"] if lead else "active"
        color = STATUS_STYLES[status]["color"]
        cascade = any(m["cascade"] for m in ms)
        title = f"{lead['title']}\n\nTeam: " if lead else f"{head}, {where}\n"
        title += count_text(ms, min_cell) + "\nClick to show the people."
        cx = xs[members.index(key)] if lead else sum(xs) / len(xs)
        out.append({"id": gid, "label": label, "name": head, "title": title, "members": members, "shape": "dot",
                    "size": round(size, 1), "x": round(cx, 1), "y": round(min(ys) - 20 + size, 1),
                    "color": {"background": color, "border": "#d62728" if cascade else "#2b2b2b",
                              "highlight": {"background": color, "border": "#000000"}},
                    "borderWidth": 4 if cascade else 2, "font": {"size": font, "color": "#1a1a1a"},
                    "labelCap": LABEL_MAX_PX, "fontBase": font,
                    "status": status, "program": program, "flagged": any(m["flagged"] for m in ms), "team": True})
    return out
