"""Time and size the joint exit model, the departure factors and the risk list on one bundle.

Usage::

    python3 benchmarks/bench_models.py /work/big/s5000
    python3 benchmarks/bench_models.py /work/big/s20000 --profile /tmp/models.prof

The bundle is loaded and the shared tables the audit builds before these analyses (the person-month panel,
the caseload runs, the documentation ratios and the overload result for the last day) are built first,
untimed. Then each step runs once, in the audit's order: ``monthly_factors`` (the shared person-month factor
table, paid for by the first analysis that reads it), ``exit_effects``, ``departure_factors`` and
``risk_list`` (which includes :func:`~orgraph.analyses.risk.risk_validation`), with the overload flags of
the check's training day (which the risk list reads: only the flags, not the full overload table) as its own
step before it. For each step: CPU seconds
(``time.process_time``, steadier than wall time on a shared machine), wall seconds, the peak RSS during the
step (``VmHWM``, reset before each step) and the RSS after it.
"""
from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

_STATUS = Path("/proc/self/status")


def _mb(field: str) -> float:
    m = re.search(field + r":\s+(\d+) kB", _STATUS.read_text())
    return int(m.group(1)) / 1024 if m else float("nan")


def _reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundle")
    ap.add_argument("--profile", help="write a cProfile of the timed steps here")
    args = ap.parse_args(argv)

    import pandas as pd

    import orgraph
    from orgraph.analyses import departures, effects, risk
    from orgraph.analyses.docburden import doc_ratios
    from orgraph.analyses.overload import flagged_supervisors
    from orgraph.analyses.panel import caseload_runs, person_months, setting_of
    from orgraph.settings import analysis_cut

    t0 = time.perf_counter()
    org = orgraph.load(args.bundle)
    person_months(org), caseload_runs(org), doc_ratios(org), flagged_supervisors(org)
    print(f"load and shared tables: {time.perf_counter() - t0:.1f} s wall, RSS {_mb('VmRSS'):.0f} MB")
    day = (analysis_cut(org, None) - pd.Timedelta(days=1)).date()       # risk_validation's training day
    t0 = day - pd.Timedelta(days=int(setting_of(org, "risk", "horizon_days"))).to_pytimedelta()
    steps = [("monthly_factors", lambda: departures.monthly_factors(org)),
             ("exit_effects", lambda: effects.exit_effects(org)),
             ("departure_factors", lambda: departures.departure_factors(org)),
             ("overload flags t0", lambda: flagged_supervisors(org, as_of=t0)),
             ("risk_list", lambda: risk.risk_list(org))]
    prof = None
    if args.profile:
        import cProfile

        prof = cProfile.Profile()
    print(f"{'step':<20} {'cpu s':>7} {'wall s':>7} {'peak MB':>8} {'RSS MB':>7}")
    for name, fn in steps:
        _reset_peak()
        c0, w0 = time.process_time(), time.perf_counter()
        if prof:
            prof.enable()
        fn()
        if prof:
            prof.disable()
        print(f"{name:<20} {time.process_time() - c0:7.2f} {time.perf_counter() - w0:7.2f} {_mb('VmHWM'):8.0f} "
              f"{_mb('VmRSS'):7.0f}", flush=True)
    if prof:
        prof.dump_stats(args.profile)


if __name__ == "__main__":
    main()
