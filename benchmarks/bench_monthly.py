"""Time and size the analyses of the monthly tables (churn, caseload, documentation, continuity, retention, cost, leading).

Usage::

    python3 benchmarks/bench_monthly.py /work/big/s5000
    python3 benchmarks/bench_monthly.py /work/big/s20000 --only caseload continuity

The bundle is loaded once; the caches every analysis shares (the staff and
interval frames, the person-time panel, :func:`~orgraph.analyses.panel.person_months`
and :func:`~orgraph.analyses.panel.caseload_runs`) are built first, and scipy.stats
imported, and timed as ``shared`` (with ``--audit-order`` only the person-time panel is: the first analysis
to need the monthly panels pays for them, as in the audit, where caseload builds them); then each analysis is run once, in the audit's order, with its CPU
seconds (``time.process_time``), wall seconds and peak RSS (``VmHWM``, reset
before each analysis through ``/proc/self/clear_refs``; Linux only).
"""
from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR = Path("/proc/self/clear_refs")


def _peak_mb() -> float:
    m = re.search(r"VmHWM:\s+(\d+) kB", _STATUS.read_text())
    return int(m.group(1)) / 1024 if m else float("nan")


def _reset_peak() -> None:
    try:
        _CLEAR.write_text("5")
    except OSError:
        pass


def _timed(name: str, fn, *args, **kwargs):
    _reset_peak()
    base = _peak_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    row = {"stage": name, "cpu": time.process_time() - c0, "seconds": time.perf_counter() - t0,
           "peak_mb": _peak_mb(), "start_mb": base}
    print(f"  {name:<14} cpu {row['cpu']:7.2f} s  wall {row['seconds']:7.2f} s  peak {row['peak_mb']:7.0f} MB "
          f"(+{row['peak_mb'] - base:.0f})", flush=True)
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundle", type=Path)
    ap.add_argument("--only", nargs="*", default=None, help="run only these analyses")
    ap.add_argument("--audit-order", action="store_true",
                    help="leave person_months and caseload_runs to the analyses (the audit's caseload stage builds them)")
    args = ap.parse_args(argv)

    import orgraph
    from orgraph.analyses.caseload import caseload_distribution
    from orgraph.analyses.churn import churn_seats
    from orgraph.analyses.continuity import continuity_of_care
    from orgraph.analyses.cost import turnover_cost
    from orgraph.analyses.docburden import documentation_burden
    from orgraph.analyses.leading import supervisor_leading_indicator
    from orgraph.analyses.panel import caseload_runs, person_months
    from orgraph.analyses.persontime import person_time
    from orgraph.analyses.retention import retention_curves
    from orgraph.settings import analysis_cut, resolve

    org = _timed("load", orgraph.load, str(args.bundle))

    def shared():
        import scipy.stats  # noqa: F401  (the audit's first analyses import it; no analysis here should pay)

        org.staff_frame, org.assignment_frame, org.supervision_frame  # noqa: B018
        person_time(org, analysis_cut(org, None))
        if args.audit_order:
            return
        person_months(org)
        if len(org.data.caseload):
            caseload_runs(org, percentile=float(resolve(org, "caseload")["percentile"]))

    _timed("shared", shared)
    for name, fn in (("churn", churn_seats), ("caseload", caseload_distribution),
                     ("documentation", documentation_burden), ("continuity", continuity_of_care),
                     ("retention", retention_curves), ("cost", turnover_cost),
                     ("cost monthly", lambda o: turnover_cost(o, period="month")),   # the report's second call
                     ("leading", supervisor_leading_indicator)):
        if args.only is None or name in args.only:
            _timed(name, fn, org)


if __name__ == "__main__":
    main()
