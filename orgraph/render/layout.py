"""Positions for the supervision map: each supervisor's team as a tight cluster, clusters grouped by program.

A *team* is a person who supervises someone on the map (its *lead*) with the
direct supervisees who supervise no one. The lead sits in the middle of a
small grid and the team around it, one cell per person, each cell wide
enough for the name under the dot. A program is a block of such clusters in
rows, the most senior leads first (a program director's cluster, then the
teams of the supervisors who report to them), at the row width that makes
the block smallest and of a screen's shape; the programs are packed below a
band of the leadership programs (those whose people supervise leads in two or
more other programs). People with no supervisor on the map form one cluster
per program, without a lead, at its end.

The gaps are chosen so that every team member is closer to their own
supervisor than to any other person who supervises someone (checked in
``tests/test_maps.py`` on a 500-person org): within a row leads share a
baseline and stand more than twice their members' horizontal reach apart;
rows and programs are further apart than any member's distance to its lead
plus its vertical reach. Sizes and label sizes follow a person's level
(:func:`levels`): clinicians 0, the supervisors of clinicians 1, the people
above them 2 and more, and a director is at least 2.

Everything is computed once in Python, deterministically and in time about
linear in the number of people, so the map opens with the physics simulation
off and a timeline keeps every person in one place across its frames.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["team_layout", "levels", "node_style", "split_label", "label_size", "ROLE_LEVEL"]

#: The least level of a role kind: a director is drawn at least as large as a supervisor of supervisors.
ROLE_LEVEL = {"director": 2, "supervisor": 1}

#: Dot radius and label font size by level (the last entry for every higher level).
_STYLE = ((9.0, 14), (16.0, 28), (22.0, 30), (27.0, 34))

_CHAR = 0.52          # average width of a character in names, in font sizes (0.50 measured in Chromium)
_LINE = 1.2           # line height, in font sizes
_EPS = 2.0
#: The least width of a leader of leaders with no team of their own (an executive): room to name them large
#: on a map shown at team level.
_LONE_LEADER_WIDTH = 200.0
_ASPECT = 1.6         # width over height of the map on a laptop screen, beside the legend


def node_style(level: int) -> tuple[float, int]:
    """Dot radius and label font size for a person of ``level``.

    Examples
    --------
    >>> node_style(0), node_style(1), node_style(7)
    ((9.0, 14), (16.0, 28), (27.0, 34))
    """
    return _STYLE[max(0, min(level, len(_STYLE) - 1))]


def split_label(text: str, width: int = 9) -> str:
    """A name longer than ``width`` characters on two lines, split at the space nearest its middle.

    Examples
    --------
    >>> split_label("Muhammed Fischer"), split_label("Ana Lee"), split_label("Longname-without-space")
    ('Muhammed\\nFischer', 'Ana Lee', 'Longname-without-space')
    """
    text = str(text)
    if len(text) <= width or "\n" in text or " " not in text:
        return text
    cut = text.find(" ")
    if text.find(" ", cut + 1) >= 0:        # two spaces or more: the one nearest the middle (the first on a tie)
        mid = len(text) / 2
        spaces, i = [], cut
        while i >= 0:
            spaces.append(i)
            i = text.find(" ", i + 1)
        cut = min(spaces, key=lambda i: (abs(i - mid), i))
    return text[:cut] + "\n" + text[cut + 1:]


def label_size(text: str, font: float) -> tuple[float, float]:
    """Estimated width and height of a label (lines split at ``\\n``) in canvas units.

    Examples
    --------
    >>> [round(v) for v in label_size("Ana\\nLee", 14)]
    [22, 34]
    """
    lines = str(text).split("\n") or [""]
    return max(len(s) for s in lines) * font * _CHAR, len(lines) * font * _LINE


def levels(ids, parent: dict[str, str], roles: dict[str, str] | None = None) -> dict[str, int]:
    """Each person's level: at least their role's (:data:`ROLE_LEVEL`) and one more than anyone they supervise.

    Parameters
    ----------
    ids : iterable of str
        The people.
    parent : dict
        Person -> their supervisor (links to people not in ``ids`` are ignored; a cycle is cut).
    roles : dict, optional
        Person -> role kind.

    Returns
    -------
    dict
        Person -> level; a supervisor's level is always above each of their supervisees'.

    Examples
    --------
    >>> levels("abcd", {"b": "a", "c": "b", "d": "a"}, {"d": "director"})
    {'a': 3, 'b': 1, 'c': 0, 'd': 2}
    """
    ids = list(ids)
    idset = set(ids)
    roles = roles or {}
    kids: dict[str, list[str]] = {}
    for c, p in parent.items():
        if c in idset and p in idset and c != p:
            kids.setdefault(p, []).append(c)
    level: dict[str, int] = {}
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    for root in ids:
        if root in state:
            continue
        stack = [(root, iter(kids.get(root, ())))]
        state[root] = 1
        while stack:
            n, it = stack[-1]
            c = next(it, None)
            if c is None:
                stack.pop()
                below = [level[k] + 1 for k in kids.get(n, ()) if state.get(k) == 2 and k in level]
                level[n] = max([ROLE_LEVEL.get(roles.get(n, ""), 0)] + below)
                state[n] = 2
            elif c not in state:
                state[c] = 1
                stack.append((c, iter(kids.get(c, ()))))
    return {n: level[n] for n in ids}


# ---------------------------------------------------------------- clusters
@dataclass
class _Cluster:
    lead: str | None
    program: str
    level: int
    order: int
    offsets: dict = field(default_factory=dict)    # person -> (dx, dy) from the lead (or the grid centre)
    box: tuple = (0.0, 0.0, 0.0, 0.0)               # x0, y0, x1, y1 around the lead
    right: float = 0.0    # the next lead on the same baseline must be further right than this
    left: float = 0.0
    down: float = 0.0     # a lead in a row below must be further down than this
    up: float = 0.0


def _cell(label: str, level: int) -> tuple[float, float, float]:
    """Width and height of a person's cell, and the distance from the cell top to the dot's centre."""
    size, font = node_style(level)
    w, h = label_size(split_label(label), font)
    return max(2 * size, w) + 12.0, 2 * size + 4.0 + h + 10.0, size + 4.0


def _grid(n: int, wc: float, hc: float, cw: float, ch: float, centred: bool) -> tuple[int, int]:
    """Odd columns and rows of a grid holding ``n`` people (plus the lead in the centre when ``centred``)."""
    best, pick = None, (1, 1)
    need = n + (1 if centred else 0)
    for rows in range(1, 2 * int(math.sqrt(need)) + 4, 2):
        cols = max(1, math.ceil(need / rows))
        cols += 1 - cols % 2
        w, h = wc + (cols - 1) * cw, hc + (rows - 1) * ch
        score = w * h * (1 + 0.6 * abs(math.log((w / h) / 1.3)))
        if best is None or score < best - 1e-9:
            best, pick = score, (cols, rows)
    return pick


@lru_cache(maxsize=4096)
def _spots(cols: int, rows: int, wc: float, cw: float, ch: float, top: float, a_lead: float, b_lead: float,
           centred: bool) -> tuple[tuple[float, float], ...]:
    """The grid's cells (their dots' offsets from the centre), nearest the centre first, then by their angle
    (``atan2(x, -y)``); without the centre cell when ``centred`` (the lead's). Clusters of the same shape share
    them.

    Examples
    --------
    >>> _spots(3, 1, 20.0, 10.0, 30.0, 5.0, 8.0, 12.0, True)
    ((-15.0, 0.0), (15.0, 0.0))
    """
    def x_of(i: int) -> float:
        return 0.0 if i == 0 else math.copysign(wc / 2 + (abs(i) - 0.5) * cw, i)

    def y_of(j: int) -> float:
        if j == 0:
            return 0.0
        if j > 0:
            return b_lead + (j - 1) * ch + top
        return -a_lead - abs(j) * ch + top

    spots = [(x_of(i), y_of(j)) for i in range(-(cols // 2), cols // 2 + 1) for j in range(-(rows // 2), rows // 2 + 1)
             if not centred or (i, j) != (0, 0)]
    spots.sort(key=lambda p: (round(math.hypot(p[0], p[1]), 3), round(math.atan2(p[0], -p[1]), 6)))
    return tuple(spots)


def _build(cl: _Cluster, members: list[str], labels: dict, lv: dict) -> None:
    """Place a cluster's members on a grid around its lead (or around an empty centre)."""
    cells = {m: _cell(labels.get(m, m), lv.get(m, 0)) for m in members}
    cw = max((c[0] for c in cells.values()), default=40.0)
    ch = max((c[1] for c in cells.values()), default=40.0)
    top = max((c[2] for c in cells.values()), default=20.0)
    if cl.lead is not None:
        wc, hc, a_lead = _cell(labels.get(cl.lead, cl.lead), lv.get(cl.lead, 0))
        wc = max(wc, cw) if members else max(wc, _LONE_LEADER_WIDTH)
    else:
        wc, hc, a_lead = cw, ch, top
    cols, rows = _grid(len(members), wc, hc, cw, ch, cl.lead is not None)
    b_lead = hc - a_lead
    spots = _spots(cols, rows, wc, cw, ch, top, a_lead, b_lead, cl.lead is not None)
    x0, y0, x1, y1 = (-wc / 2, -a_lead, wc / 2, b_lead) if cl.lead is not None else (0.0, 0.0, 0.0, 0.0)
    first = True
    for m, (x, y) in zip(members, spots):
        cl.offsets[m] = (x, y)
        w, h, a = cw, ch, top
        if cl.lead is None and first:
            x0, y0, x1, y1 = x - w / 2, y - a, x + w / 2, y - a + h
            first = False
        x0, y0, x1, y1 = min(x0, x - w / 2), min(y0, y - a), max(x1, x + w / 2), max(y1, y - a + h)
        if cl.lead is not None:
            r = math.hypot(x, y)
            cl.right, cl.left = max(cl.right, 2 * x + _EPS), max(cl.left, -2 * x + _EPS)
            cl.down, cl.up = max(cl.down, y + r + _EPS), max(cl.up, r - y + _EPS)
    cl.box = (x0, y0, x1, y1)


# ---------------------------------------------------------------- blocks
def _block(clusters: list[_Cluster], gap: float) -> tuple[dict, tuple]:
    """Rows of clusters, the most senior first, at the row width giving the smallest block of a good shape."""
    steps = _steps(clusters, gap)
    widths = {max(c.box[2] - c.box[0] for c in clusters)}
    for k, first in enumerate(clusters):
        x = 0.0
        widths.add(first.box[2] - first.box[0])
        for i in range(k + 1, len(clusters)):
            x += steps[i]
            widths.add(x + clusters[i].box[2] - first.box[0])
    widths = sorted(widths)
    if len(widths) > 48:  # near-linear on very large programs: try a spread of widths
        widths = [widths[round(i * (len(widths) - 1) / 47)] for i in range(48)]
    best = None
    seen = set()
    for width in widths:
        starts = _row_starts(clusters, steps, width)
        if starts in seen:      # the same rows as a narrower width: the same block, scored the same
            continue
        seen.add(starts)
        box = _rows_box(clusters, gap, steps, starts)
        w, h = box[2] - box[0], box[3] - box[1]
        score = w * h * (1 + 0.5 * abs(math.log(w / h / _ASPECT)))
        if best is None or score < best[0] - 1e-9:
            best = (score, width)
    return _rows(clusters, gap, best[1], steps=steps)


def _rows_box(clusters: list[_Cluster], gap: float, steps: list[float], starts: tuple[int, ...]) -> tuple:
    """The box of :func:`_rows` for the rows starting at ``starts`` (:func:`_row_starts`), the same numbers
    computed the same way, without placing each cluster: what :func:`_block` scores each row width by."""
    bx0 = by0 = math.inf
    bx1 = by1 = -math.inf

    def rows():
        for a, b in zip(starts, starts[1:] + (len(clusters),)):
            xs, x = [0.0], 0.0
            for i in range(a + 1, b):
                x = x + steps[i]
                xs.append(x)
            yield clusters[a:b], xs

    for row, xs, y, shift in _stacked(rows(), gap):
        for c, x in zip(row, xs):
            cx = x + shift
            v = cx + c.box[0]
            if v < bx0:
                bx0 = v
            v = cx + c.box[2]
            if v > bx1:
                bx1 = v
            v = y + c.box[1]
            if v < by0:
                by0 = v
            v = y + c.box[3]
            if v > by1:
                by1 = v
    return bx0, by0, bx1, by1


def _stacked(rows, gap: float):
    """Each row of clusters (``(row, xs)``: the clusters and their leads' offsets from the first) with the
    ``y`` of its leads and the ``shift`` that centres it, each row below the one before as :func:`_rows`
    stacks them: apart by ``gap`` and far enough for the reach of either row's teams."""
    y = 0.0
    prev = None
    for row, xs in rows:
        top = max(-c.box[1] for c in row)
        bottom = max(c.box[3] for c in row)
        if prev is not None:
            p_bottom, p_down = prev
            y += max(p_bottom + gap + top, p_down, max(c.up for c in row))
        else:
            y = top
        yield row, xs, y, -(xs[0] + row[0].box[0] + xs[-1] + row[-1].box[2]) / 2
        prev = (bottom, max(c.down for c in row))


def _step(a: _Cluster, b: _Cluster, gap: float) -> float:
    """How far right of lead ``a`` the lead of ``b`` goes, next in a row: apart by ``gap``, and more than
    twice the horizontal reach of either team, so each member stays nearest its own lead."""
    return max(a.box[2] + gap - b.box[0], a.right, b.left)


def _steps(clusters: list[_Cluster], gap: float) -> list[float]:
    """``_step`` from each cluster to the next (``0.0`` before the first)."""
    return [0.0] + [_step(a, b, gap) for a, b in zip(clusters, clusters[1:])]


def _row_starts(clusters: list[_Cluster], steps: list[float], width: float) -> tuple[int, ...]:
    """Where each row of :func:`_rows` at ``width`` starts (indexes into ``clusters``)."""
    starts, x, left = [0], 0.0, clusters[0].box[0]
    for i in range(1, len(clusters)):
        c = clusters[i]
        x += steps[i]
        if x + c.box[2] - left <= width + 1e-6:
            continue
        starts.append(i)
        x, left = 0.0, c.box[0]
    return tuple(starts)


def _rows(clusters: list[_Cluster], gap: float, width: float, *,
          steps: list[float] | None = None) -> tuple[dict, tuple]:
    """Clusters in rows no wider than ``width``, in order; their centres by ``id`` and the box."""
    if steps is None:
        steps = _steps(clusters, gap)
    rows: list[tuple[list[_Cluster], list[float]]] = []
    for i, c in enumerate(clusters):
        row = rows[-1] if rows else None
        if row is not None:
            x = row[1][-1] + steps[i]
            if x + c.box[2] - row[0][0].box[0] <= width + 1e-6:
                row[0].append(c)
                row[1].append(x)
                continue
        rows.append(([c], [0.0]))
    centre: dict[int, tuple[float, float]] = {}
    for row, xs, y, shift in _stacked(rows, gap):
        for c, x in zip(row, xs):
            centre[id(c)] = (x + shift, y)
    bx0 = min(centre[id(c)][0] + c.box[0] for c in clusters)
    by0 = min(centre[id(c)][1] + c.box[1] for c in clusters)
    bx1 = max(centre[id(c)][0] + c.box[2] for c in clusters)
    by1 = max(centre[id(c)][1] + c.box[3] for c in clusters)
    return centre, (bx0, by0, bx1, by1)


#: Up to this many boxes, every row width that fits a run of boxes exactly is tried (quadratic in the boxes,
#: each try linear); beyond it, the widths of the first row's runs, at most ``_CANDIDATES`` of them.
_EXHAUSTIVE = 60
_CANDIDATES = 200


def _shelves(items: list[tuple[object, float, float]], gap: float, row_w: float) -> tuple[dict, float, float]:
    out, x, y, row_h, total_w = {}, 0.0, 0.0, 0.0, 0.0
    for key, w, h in items:
        if x > 0 and x + w > row_w + 1e-6:
            y += row_h + gap
            x, row_h = 0.0, 0.0
        out[key] = (x, y)
        x += w + gap
        row_h = max(row_h, h)
        total_w = max(total_w, x - gap)
    return out, total_w, y + row_h


def _pack(items: list[tuple[object, float, float]], gap: float, *, width: float = 0.0, above: float = 0.0,
          aspect: float = _ASPECT) -> tuple[dict, float, float]:
    """Shelf-pack boxes ``(key, width, height)``, tallest first, into the rows that best fill a window of
    ``aspect`` (width over height) under a band ``above`` high and ``width`` wide; offsets and the size."""
    if not items:
        return {}, 0.0, 0.0
    items = sorted(items, key=lambda t: (-t[2], str(t[0])))
    widest = max(w for _, w, _ in items)
    candidates = {max(widest, width)}
    if len(items) <= _EXHAUSTIVE:
        for k in range(len(items)):
            x = 0.0
            for _, w, _ in items[k:]:
                x += w
                candidates.add(max(x, widest))
                x += gap
    else:               # many boxes: the first row's widths, at most _CANDIDATES of them, evenly spread
        x, widths = 0.0, []
        for _, w, _ in items:
            x += w
            widths.append(max(x, widest))
            x += gap
        step = max(1, len(widths) // _CANDIDATES)
        candidates.update(widths[::step])
        candidates.add(widths[-1])
    best = None
    for row_w in sorted(candidates):
        out, w, h = _shelves(items, gap, row_w)
        w_all, h_all = max(w, width), h + above
        score = max(w_all / aspect, h_all)
        if best is None or score < best[0] - 1e-9:
            best = (score, out, w, h)
    return best[1], best[2], best[3]


# ---------------------------------------------------------------- the layout
def team_layout(nodes: dict[str, str], parent: dict[str, str], *, labels: dict[str, str] | None = None,
                roles: dict[str, str] | None = None, names: dict[str, str] | None = None, gap: float = 24.0,
                program_gap: float = 60.0, pad: float = 14.0) -> tuple[dict[str, tuple[float, float]], dict]:
    """Positions for a supervision forest: each team a cluster around its lead, clusters grouped by program.

    Parameters
    ----------
    nodes : dict
        Person -> program id (the block they are drawn in; a team member is drawn with their lead).
    parent : dict
        Person -> their supervisor (links to people not in ``nodes`` are ignored).
    labels : dict, optional
        Person -> the label under their dot (default the id); cells are sized to hold it.
    roles : dict, optional
        Person -> role kind, for :func:`levels`.
    gap : float
        The least gap between clusters.
    program_gap : float
        The least gap between programs (more when a large team needs it).
    names : dict, optional
        Program id -> name: a region is at least wide enough for its name in bold at 0.62 of its title height.
    pad : float
        Room around a program's clusters inside its region.

    Returns
    -------
    positions : dict
        Person -> (x, y).
    regions : dict
        Program id -> (x0, y0, x1, y1, title): the region drawn for it, whose top ``title`` units hold its name.

    Examples
    --------
    >>> pos, regions = team_layout({"a": "P", "b": "P", "c": "P", "d": "Q"}, {"b": "a", "c": "a", "d": "a"})
    >>> pos["a"] == ((pos["b"][0] + pos["c"][0]) / 2, pos["b"][1])   # the lead between its team
    True
    >>> sorted(regions)
    ['P']
    """
    positions, regions, _ = _team_layout(nodes, parent, labels=labels, roles=roles, names=names, gap=gap,
                                         program_gap=program_gap, pad=pad)
    return positions, regions


def _team_layout(nodes: dict[str, str], parent: dict[str, str], *, labels: dict[str, str] | None = None,
                 roles: dict[str, str] | None = None, names: dict[str, str] | None = None, gap: float = 24.0,
                 program_gap: float = 60.0, pad: float = 14.0) -> tuple[dict, dict, dict]:
    """:func:`team_layout`, and the level of each person (:func:`levels` of the people in sorted order)."""
    labels = labels or {}
    ids = sorted(nodes)
    idset = set(ids)
    par = {c: p for c, p in parent.items() if c in idset and p in idset and c != p}
    kids: dict[str, list[str]] = {}
    for c in ids:
        if c in par:
            kids.setdefault(par[c], []).append(c)
    lv = levels(ids, par, roles)
    leads = set(kids)

    order: dict[str, int] = {}
    roots = sorted((n for n in ids if n not in par), key=lambda n: (-lv[n], n)) + ids
    for root in roots:
        if root in order:
            continue
        stack = [root]
        while stack:
            n = stack.pop()
            if n in order:
                continue
            order[n] = len(order)
            stack.extend(sorted((c for c in kids.get(n, ()) if c not in order), key=lambda c: (lv[c], c),
                                reverse=True))

    clusters: list[_Cluster] = []
    for lead in sorted(leads, key=order.get):
        cl = _Cluster(lead, nodes[lead], lv[lead], order[lead])
        _build(cl, [c for c in kids[lead] if c not in leads], labels, lv)
        clusters.append(cl)
    loose: dict[str, list[str]] = {}
    for n in ids:
        if n not in leads and n not in par:
            loose.setdefault(nodes[n], []).append(n)
    for prog, members in sorted(loose.items()):
        cl = _Cluster(None, prog, -1, len(order))
        _build(cl, members, labels, lv)
        clusters.append(cl)

    by_prog: dict[str, list[_Cluster]] = {}
    for cl in clusters:
        by_prog.setdefault(cl.program, []).append(cl)
    band = set()
    for lead in leads:
        below = {nodes[c] for c in kids[lead] if c in leads} - {nodes[lead]}
        if len(below) >= 2:
            band.add(nodes[lead])

    blocks = {}
    for prog, cls in by_prog.items():
        cls.sort(key=lambda c: (-c.level, c.order))
        blocks[prog] = _block(cls, gap)
    total = sum((b[1][2] - b[1][0]) * (b[1][3] - b[1][1]) for b in blocks.values())
    title = max(34.0, 0.03 * math.sqrt(max(total, 1.0) * _ASPECT))

    # the gap between programs: a member's distance to its own lead must stay below its distance to any lead
    # in another program, which is at least its distance to its region's edge, the gap and that lead's inset
    need, inset = 0.0, math.inf
    for prog, cls in by_prog.items():
        centre, (bx0, by0, bx1, by1) = blocks[prog]
        bx0, by0, bx1, by1 = bx0 - pad, by0 - pad - title, bx1 + pad, by1 + pad
        for cl in cls:
            cx, cy = centre[id(cl)]
            if cl.lead is None:
                continue
            inset = min(inset, cx - bx0, bx1 - cx, cy - by0, by1 - cy)
            for dx, dy in cl.offsets.values():
                x, y = cx + dx, cy + dy
                need = max(need, math.hypot(dx, dy) - min(x - bx0, bx1 - x, y - by0, by1 - y))
    pgap = max(program_gap, need - (inset if inset < math.inf else 0.0) + _EPS)

    names = names or {}
    sizes = {p: (max(b[1][2] - b[1][0] + 2 * pad, len(str(names.get(p) or p or "No program")) * 0.62 * title * 0.62
                     + 16), b[1][3] - b[1][1] + 2 * pad + title) for p, b in blocks.items()}
    top = [p for p in sorted(sizes) if p in band]
    rest = [p for p in sorted(sizes) if p not in band]
    top_off, top_w, top_h = {}, 0.0, 0.0
    x = 0.0
    for p in top:
        top_off[p] = (x, 0.0)
        x += sizes[p][0] + pgap
        top_h = max(top_h, sizes[p][1])
    top_w = x - pgap if top else 0.0
    offsets, rest_w, _ = _pack([(p, *sizes[p]) for p in rest], pgap, width=top_w,
                               above=top_h + pgap if top else 0.0)
    width = max(top_w, rest_w)
    origin = {p: ((width - top_w) / 2 + ox, oy) for p, (ox, oy) in top_off.items()}
    dy = top_h + pgap if top else 0.0
    origin.update({p: (ox, oy + dy) for p, (ox, oy) in offsets.items()})

    positions: dict[str, tuple[float, float]] = {}
    regions = {}
    for prog, cls in by_prog.items():
        centre, (bx0, by0, bx1, by1) = blocks[prog]
        ox, oy = origin[prog]
        sx, sy = ox + (sizes[prog][0] - (bx1 - bx0)) / 2 - bx0, oy + pad + title - by0
        for cl in cls:
            cx, cy = centre[id(cl)]
            cx, cy = cx + sx, cy + sy
            if cl.lead is not None:
                positions[cl.lead] = (round(cx, 1), round(cy, 1))
            for m, (dx, dy_) in cl.offsets.items():
                positions[m] = (round(cx + dx, 1), round(cy + dy_, 1))
        w, h = sizes[prog]
        regions[prog] = (round(ox, 1), round(oy, 1), round(ox + w, 1), round(oy + h, 1), round(title, 1))
    return positions, regions, lv
