"""The audit benchmark's own arithmetic: the median run and the table's line for repeated runs."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_audit.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_audit", _PATH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_median_run_is_the_middle_run_whole(bench):
    runs = [{"seconds": 5.0, "cpu": 9.0}, {"seconds": 1.0, "cpu": 2.0}, {"seconds": 3.0, "cpu": 4.0},
            {"seconds": 4.0, "cpu": 1.0}, {"seconds": 2.0, "cpu": 7.0}]
    got = bench.median_run(runs)
    assert got == {"seconds": 3.0, "cpu": 4.0, "runs": [5.0, 1.0, 3.0, 4.0, 2.0]}
    # an even count takes the lower of the two middle runs
    assert bench.median_run(runs[:4])["seconds"] == 3.0


def test_table_reports_the_spread_of_repeated_runs(bench):
    floor = dict(bench.median_run([{"seconds": 2.0, "cpu": 2.0, "peak_mb": 100.0, "rows": 10},
                                   {"seconds": 4.0, "cpu": 4.0, "peak_mb": 100.0, "rows": 10},
                                   {"seconds": 3.0, "cpu": 3.0, "peak_mb": 100.0, "rows": 10}]))
    ends = bench.median_run([{"seconds": 9.0, "cpu": 12.0, "peak_mb": 300.0, "steal": 0.5},
                             {"seconds": 6.0, "cpu": 11.0, "peak_mb": 320.0, "steal": 0.0},
                             {"seconds": 7.5, "cpu": 11.5, "peak_mb": 310.0, "steal": 1.25}])
    ends.update(peak_mb_max=320.0, steal_runs=[0.5, 0.0, 1.25])
    res = {"staff": 100, "years": 2, "bundle": "b", "floor": floor,
           "stages": [{"stage": "load", "seconds": 1.5, "cpu": 1.5, "peak_mb": 50.0}],
           "total": {"stage": "audit (sum of stages)", "seconds": 1.5, "cpu": 1.5, "peak_mb": 50.0},
           "end_to_end": ends}
    text = bench.table(res)
    assert "orgraph audit (end to end)                       7.50    11.50      310     2.50        3.83" in text
    assert text.splitlines()[-1] == ("  3 runs each, alternately: floor 2.00-4.00 s (median 3.00); end to end "
                                     "6.00-9.00 s (median 7.50), peak up to 320 MB, steal 0.5, 0.0, 1.2 s")


def test_steal_seconds_is_a_count_since_boot(bench):
    first = bench._steal_seconds()
    assert first >= 0.0
    assert bench._steal_seconds() >= first
