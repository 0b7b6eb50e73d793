"""The box a block of clusters is scored by: measured without placing the clusters, the same as laid out."""
from __future__ import annotations

import random

from orgraph.render.layout import _Cluster, _row_starts, _rows, _rows_box, _steps


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


def test_rows_box_is_the_box_of_rows_bit_for_bit():
    for seed in range(40):
        clusters = _clusters(seed, 1 + seed % 17)
        steps = _steps(clusters, 24.0)
        for width in (0.0, 150.0, 400.0, 900.0, 2500.0, 1e9):
            starts = _row_starts(clusters, steps, width)
            _, box = _rows(clusters, 24.0, width, steps=steps)
            assert _rows_box(clusters, 24.0, steps, starts) == box
