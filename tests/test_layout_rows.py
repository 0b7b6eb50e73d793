"""The map layout's rows of clusters: the fast row breaks and block choice against a plain loop."""
from __future__ import annotations

import math
import random

from orgraph.render.layout import _ASPECT, _Cluster, _block, _row_starts, _rows, _step, _steps, split_label


def _clusters(seed: int, n: int) -> list[_Cluster]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        w, a, b = rng.uniform(40, 400), rng.uniform(20, 200), rng.uniform(20, 200)
        cl = _Cluster(f"L{i}", "P", rng.randint(0, 3), i, box=(-w / 2, -a, w / 2, b))
        cl.right, cl.left = rng.uniform(0, w * 1.5), rng.uniform(0, w * 1.5)
        cl.down, cl.up = rng.uniform(0, 300), rng.uniform(0, 300)
        out.append(cl)
    return out


def _plain_rows(clusters, gap, width):
    """Row breaks as a plain loop: each cluster joins the row when the row, with it, is no wider than width."""
    rows = []
    for c in clusters:
        if rows:
            row, xs = rows[-1]
            x = xs[-1] + _step(row[-1], c, gap)
            if x + c.box[2] - row[0].box[0] <= width + 1e-6:
                row.append(c)
                xs.append(x)
                continue
        rows.append(([c], [0.0]))
    return rows


def _plain_block(clusters, gap):
    """The block of the smallest score over every candidate width, each laid out in full."""
    widths = {max(c.box[2] - c.box[0] for c in clusters)}
    for k, first in enumerate(clusters):
        x, last = 0.0, first
        widths.add(first.box[2] - first.box[0])
        for c in clusters[k + 1:]:
            x += _step(last, c, gap)
            widths.add(x + c.box[2] - first.box[0])
            last = c
    widths = sorted(widths)
    if len(widths) > 48:
        widths = [widths[round(i * (len(widths) - 1) / 47)] for i in range(48)]
    best = None
    for width in widths:
        centre, box = _rows(clusters, gap, width)
        w, h = box[2] - box[0], box[3] - box[1]
        score = w * h * (1 + 0.5 * abs(math.log(w / h / _ASPECT)))
        if best is None or score < best[0] - 1e-9:
            best = (score, centre, box)
    return best[1], best[2]


def test_steps_are_the_step_between_neighbours():
    cls = _clusters(1, 6)
    assert _steps(cls, 24.0) == [0.0] + [_step(a, b, 24.0) for a, b in zip(cls, cls[1:])]


def test_row_starts_match_a_plain_loop():
    for seed in range(20):
        cls = _clusters(seed, 1 + seed % 9)
        steps = _steps(cls, 24.0)
        for width in (0.0, 150.0, 500.0, 1200.0, 5000.0, 1e9):
            rows = _plain_rows(cls, 24.0, width)
            starts, i = [], 0
            for row, _ in rows:
                starts.append(i)
                i += len(row)
            assert _row_starts(cls, steps, width) == tuple(starts)


def test_block_is_the_best_of_every_width():
    for seed in range(30):
        cls = _clusters(seed, 1 + seed % 12)
        centre, box = _block(cls, 24.0)
        want_centre, want_box = _plain_block(cls, 24.0)
        assert box == want_box
        assert centre == want_centre


def test_split_label_at_the_space_nearest_the_middle():
    def plain(text, width=9):
        if len(text) <= width or "\n" in text or " " not in text:
            return text
        mid = len(text) / 2
        cut = min((i for i, ch in enumerate(text) if ch == " "), key=lambda i: (abs(i - mid), i))
        return text[:cut] + "\n" + text[cut + 1:]

    for text in ("Ana Lee", "Muhammed Fischer", "Mary Ann van der Berg", "Ab Cdefghijk", "Abcdefghij K",
                 "Ann  Marie-Louise", "Jo Ann Smith", "Abcd efgh ijkl", "Nospace-at-all-here", " Leading space"):
        assert split_label(text) == plain(text), text


def test_vis_node_options_in_pyvis_order():
    from orgraph.render.page import _vis_node_options

    def plain(n_id, opts):
        out = {"color": opts["color"]}
        out.update((k, v) for k, v in opts.items() if k not in ("label", "shape", "color"))
        label = opts.get("label")
        out["id"], out["label"], out["shape"] = n_id, label if label is not None else n_id, opts.get("shape", "dot")
        return out

    for opts in ({"label": "A", "size": 9, "color": {"background": "#fff"}, "shape": "diamond", "x": 1},
                 {"size": 9, "color": "#000", "title": "t"}, {"label": None, "color": "#111", "id": "other"}):
        got, want = _vis_node_options("n1", opts), plain("n1", opts)
        assert list(got.items()) == list(want.items())


def test_placed_node_is_the_pyvis_node_of_the_vis_node():
    import itertools

    from orgraph.render.page import _placed_node, _vis_node, _vis_node_options

    for status, left, cascade, churn, weight, xy, level in itertools.product(
            ("active", "left", "overloaded"), (False, True), (False, True), (False, True), (None, 0, 7),
            (None, (1.5, -2.0)), (0, 3)):
        n = {"id": "staff:S1", "label": "Muhammed Fischer", "title": "t", "status": status, "left": left,
             "cascade": cascade, "churn_seat": churn, "program": "OP", "flagged": cascade or churn}
        if weight is not None:
            n["weight"] = weight
        want = _vis_node_options(n["id"], _vis_node(n, xy, level))
        got = _placed_node(n, xy, level)
        assert repr(got) == repr(want)


def test_vis_network_levels_are_the_layouts_levels(riverbend):
    from orgraph.render.elements import map_elements
    from orgraph.render.layout import levels, team_layout
    from orgraph.render.page import vis_network

    for anonymize in (False, True):                 # pseudonyms are not in sorted order: levels found again
        el = map_elements(riverbend, anonymize=anonymize, key="Test-Key-9f8e7d6c5b4a" if anonymize else None)
        nodes, parents = el["nodes"], el["parents"]
        roles = {n["id"]: n.get("role", "") for n in nodes}
        lv = levels([n["id"] for n in nodes], parents, roles)
        vis, _, _, regions = vis_network(el)
        assert {v["id"]: v["rank"] for v in vis} == {n["id"]: lv[n["id"]] for n in nodes}
        positions, want_regions = team_layout({n["id"]: n["program"] for n in nodes}, parents,
                                              labels={n["id"]: n["label"] for n in nodes}, roles=roles,
                                              names=el.get("programs"))
        assert regions == want_regions
        assert {v["id"]: (v["x"], v["y"]) for v in vis} == {k: positions[k] for k in positions}


def test_people_who_left_are_drawn_in_their_last_seat(riverbend):
    import datetime as dt

    from orgraph.render.elements import map_elements

    sf = riverbend.staff_frame
    checked = 0
    for day in (riverbend.data_end, riverbend.data_end - dt.timedelta(days=365)):
        el = map_elements(riverbend, as_of=day, lookback_days=365)
        for n in el["nodes"]:
            if n["left"]:
                row = sf.loc[n["_raw"]]
                assert n["program"] == (row["program_id"] if isinstance(row["program_id"], str) else "")
                assert n["role"] == (row["role_kind"] if isinstance(row["role_kind"], str) else "")
                checked += 1
    assert checked > 0
