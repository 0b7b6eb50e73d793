"""The box a block of clusters is scored by: measured without placing the clusters, the same as laid out."""
from __future__ import annotations

from orgraph.render.layout import _row_starts, _rows, _rows_box, _steps
from test_layout_rows import _clusters


def test_rows_box_is_the_box_of_rows_bit_for_bit():
    for seed in range(40):
        clusters = _clusters(seed, 1 + seed % 17)
        steps = _steps(clusters, 24.0)
        for width in (0.0, 150.0, 400.0, 900.0, 2500.0, 1e9):
            starts = _row_starts(clusters, steps, width)
            _, box = _rows(clusters, 24.0, width, steps=steps)
            assert _rows_box(clusters, 24.0, steps, starts) == box
