"""Positions for the supervision map: one radial tree per line of supervision, packed by program.

The layout is computed once in Python, so a large map can be shown with the
physics simulation off (see :data:`orgraph.render.page.PHYSICS_MAX_NODES`),
and a timeline can keep every person in one place across its frames.
"""
from __future__ import annotations

import math

__all__ = ["radial_layout"]


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
    spacing : float
        Room for one node along a ring, and the gap between the trees of one program.
    ring_gap : float
        The least distance between consecutive rings of a tree.
    gap : float
        The gap between programs.

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
