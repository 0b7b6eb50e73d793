"""The grid cells of a team cluster (orgraph.render.layout._spots), shared by clusters of the same shape."""
from __future__ import annotations

import math

from orgraph.render import layout


def _by_hand(cols, rows, wc, cw, ch, top, a_lead, b_lead, centred):
    """Every cell of the grid, the dot's offset worked out cell by cell, sorted by distance then angle."""
    cells = []
    for i in range(-(cols // 2), cols // 2 + 1):
        for j in range(-(rows // 2), rows // 2 + 1):
            if centred and (i, j) == (0, 0):
                continue
            x = 0.0 if i == 0 else (1 if i > 0 else -1) * (wc / 2 + (abs(i) - 0.5) * cw)
            y = 0.0 if j == 0 else (b_lead + (j - 1) * ch + top if j > 0 else -a_lead - abs(j) * ch + top)
            cells.append((x, y))
    return sorted(cells, key=lambda p: (round(math.hypot(*p), 3), round(math.atan2(p[0], -p[1]), 6)))


def test_spots_match_the_cells_worked_out_by_hand():
    for args in [(3, 3, 40.0, 30.0, 50.0, 13.0, 20.0, 30.0, True), (5, 3, 35.5, 41.2, 47.0, 13.0, 9.0, 33.0, False),
                 (1, 1, 20.0, 20.0, 20.0, 5.0, 5.0, 5.0, True), (7, 5, 60.0, 30.0, 48.0, 13.0, 20.0, 36.0, True)]:
        assert list(layout._spots(*args)) == _by_hand(*args)
    # a 3 x 3 grid around a lead (cells 30 wide, lead cell 40): left and right of it first, 20 + 15 away; the
    # lead's cell left out; below (30 + 13 = 43 down) before above (20 + 50 - 13 = 57 up)
    got = layout._spots(3, 3, 40.0, 30.0, 50.0, 13.0, 20.0, 30.0, True)
    assert len(got) == 8 and (0.0, 0.0) not in got
    assert got[:2] == ((-35.0, 0.0), (35.0, 0.0))
    assert got.index((0.0, 43.0)) < got.index((0.0, -57.0))


def test_clusters_of_the_same_shape_share_their_cells():
    layout._spots.cache_clear()
    pos, _ = layout.team_layout({f"m{i}": "P" for i in range(12)} | {"a": "P", "b": "P"},
                                {**{f"m{i}": "a" for i in range(6)}, **{f"m{i}": "b" for i in range(6, 12)}},
                                labels={n: "Ana Lee" for n in ["a", "b"] + [f"m{i}" for i in range(12)]})
    info = layout._spots.cache_info()
    assert info.misses == 1 and info.hits == 1
    # and each team sits the same way around its lead
    da = sorted((pos[f"m{i}"][0] - pos["a"][0], pos[f"m{i}"][1] - pos["a"][1]) for i in range(6))
    db = sorted((pos[f"m{i}"][0] - pos["b"][0], pos[f"m{i}"][1] - pos["b"][1]) for i in range(6, 12))
    assert len(da) == len(db) == 6
    assert all(abs(p - q) <= 0.11 for a, b in zip(da, db) for p, q in zip(a, b))   # positions are rounded to 0.1
