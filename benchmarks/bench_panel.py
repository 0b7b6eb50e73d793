"""Time the shared person-time panel, the monthly panel and the analyses built on them, on one bundle.

Usage::

    python3 benchmarks/bench_panel.py /work/big/s5000
    python3 benchmarks/bench_panel.py /work/big/s20000 --json out.json

The bundle is loaded once; each step is then timed in CPU seconds
(``time.process_time``, steadier than wall time on a shared machine), with its
peak resident memory above what was resident when it started, in the
order an audit meets them, so a step that builds a shared cache pays for it
and the steps after it read it. The deep sizes of the cached panels and the
peak resident memory are printed at the end.
"""
from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np
import pandas as pd

import orgraph
from orgraph.analyses import overloaded_supervisors, supervisor_cascades
from orgraph.analyses import exposure, leading, panel, persontime
from orgraph.settings import analysis_cut


def _mb(obj, deep: bool = False) -> float:
    """Megabytes of a frame: its arrays (object columns as 8-byte references: the ids are shared strings), or
    with ``deep`` every string counted at every row."""
    return float(obj.memory_usage(deep=deep, index=True).sum()) / 2**20


def _status_mb(field: str) -> float:
    """``VmRSS`` or ``VmHWM`` of this process in MB (0 where /proc is missing)."""
    try:
        with open("/proc/self/status") as fh:
            return next((int(line.split()[1]) / 1024 for line in fh if line.startswith(field)), 0.0)
    except OSError:
        return 0.0


def _reset_peak() -> None:
    """Start a new peak-RSS (``VmHWM``) count where the kernel allows it."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _step(rows: list, name: str, fn, *args, **kwargs):
    rss0 = _status_mb("VmRSS")
    _reset_peak()
    t0 = time.process_time()
    out = fn(*args, **kwargs)
    rows.append((name, time.process_time() - t0))
    print(f"{name:<38} {rows[-1][1]:7.2f} s   peak +{_status_mb('VmHWM') - rss0:,.0f} MB", flush=True)
    return out


def bench(bundle: str) -> dict:
    t0 = time.process_time()
    org = orgraph.load(bundle)
    print(f"{'load':<38} {time.process_time() - t0:7.2f} s", flush=True)
    org.staff_frame, org.assignment_frame, org.supervision_frame  # noqa: B018 (shared interval frames)
    rows: list = []
    cut = analysis_cut(org, None)
    early = cut - pd.Timedelta(days=365)
    pt = _step(rows, "person_time (cut)", persontime.person_time, org, cut)
    _step(rows, "person_time (cut - 365 days)", persontime.person_time, org, early)
    pm = _step(rows, "person_months", panel.person_months, org)
    if len(org.data.caseload):
        _step(rows, "caseload_runs", panel.caseload_runs, org)
    key = panel.month_key(pm["sc"], pm["mi"])
    left = panel.month_key(pm["sc"], pm["mi"] + 1)
    _step(rows, "take x5 (person-month keys)", lambda: [panel.take(left, key, pm["days"].to_numpy(), 0.0)
                                                         for _ in range(5)])
    _step(rows, "take x2 (object values, fill None)",
          lambda: [panel.take(left, key, pm["program_id"].to_numpy(), None) for _ in range(2)])
    _step(rows, "exposure.people x5", lambda: [exposure.people(org, cut) for _ in range(5)])
    _step(rows, "overloaded_supervisors (cut)", overloaded_supervisors, org)
    _step(rows, "overloaded_supervisors (cut - 365 days)", overloaded_supervisors, org,
          as_of=(early - pd.Timedelta(days=1)).date())
    _step(rows, "supervisor_cascades", supervisor_cascades, org)
    _step(rows, "supervisor_leading_indicator", leading.supervisor_leading_indicator, org)
    frames = {"person_time (cut)": pt, "person_time (early)": persontime.person_time(org, early),
              "person_months": pm}
    sizes = {name: _mb(f) for name, f in frames.items()}
    for name, f in frames.items():
        print(f"size {name:<33} {sizes[name]:7.1f} MB  ({_mb(f, deep=True):,.0f} MB counting each id string per row;"
              f" {f._mgr.nblocks} blocks)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(f"{'rows: pieces / person-months':<38} {len(pt):,} / {len(pm):,}")
    print(f"{'total (steps)':<38} {sum(s for _, s in rows):7.2f} s   peak RSS {peak:,.0f} MB")
    return {"steps": dict(rows), "sizes_mb": sizes, "peak_rss_mb": peak, "pieces": len(pt), "person_months": len(pm)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundle")
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args()
    out = bench(args.bundle)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
