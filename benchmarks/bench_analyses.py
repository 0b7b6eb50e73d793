"""Time the person-time panel and the core analyses (cascades, overload, churn, effects) on synthetic orgs.

Usage::

    python3 benchmarks/bench_analyses.py                 # 1,000 / 10,000 / 50,000 staff x 10 years
    python3 benchmarks/bench_analyses.py --skip-50k      # leave out the largest org
    python3 benchmarks/bench_analyses.py --sizes 2000 --years 5 --workdir /tmp/orgs

Each org is generated once with ``orgraph.synth.generate`` (seed 1) into the work
folder and loaded with ``orgraph.load``; each analysis is then timed on the loaded
graph (best of ``--repeat`` runs; the graph's cached interval frames are built
before timing, since every analysis shares them).
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import orgraph
from orgraph.analyses import churn_seats, overloaded_supervisors, supervisor_cascades
from orgraph.analyses.effects import exit_effects
from orgraph.analyses.persontime import person_time
from orgraph.synth import generate


def _timed(fn, *args, repeat=1, **kwargs):
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    return best, result


def bench(size: int, years: int, workdir: Path, repeat: int) -> dict:
    out = workdir / f"synth_{size}x{years}"
    t_gen = None
    if not (out / "truth.json").exists():
        t_gen, _ = _timed(generate, staff=size, years=years, seed=1, out=out, force=True)
    issues = 0
    try:
        t_load, org = _timed(orgraph.load, str(out))
    except orgraph.BundleError as exc:  # time the analyses anyway, on the rows that loaded
        from orgraph.graph import OrgGraph
        from orgraph.validate import validate_bundle

        print(f"note: {exc}", flush=True)
        issues = len(exc.errors)
        t_load, (data, _) = _timed(validate_bundle, str(out))
        org = OrgGraph(data)
    t0 = time.perf_counter()
    org.staff_frame, org.assignment_frame, org.supervision_frame  # noqa: B018 (build the shared caches)
    t_frames = time.perf_counter() - t0
    row = {"staff": size, "years": years, "people": len(org.data.staff),
           "supervision_links": len(org.data.supervision), "caseload_rows": len(org.data.caseload),
           "generate_s": None if t_gen is None else round(t_gen, 2), "load_s": round(t_load, 2),
           "frames_s": round(t_frames, 2), "bundle_errors": issues}
    t, pt = _timed(person_time, org)          # the person-time panel every analysis counts, built once
    row["person_time_s"] = round(t, 2)
    row["person_time_pieces"] = len(pt)
    for name, fn in (("cascades", supervisor_cascades), ("overload", overloaded_supervisors), ("churn", churn_seats),
                     ("effects", exit_effects)):
        t, res = _timed(fn, org, repeat=repeat)
        row[f"{name}_s"] = round(t, 2)
        row[f"{name}_rows"] = len(res.table)
    return row


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--skip-50k", action="store_true", help="leave out sizes of 50,000 and more")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--workdir", type=Path, default=None, help="keep generated orgs here (default: a temp dir)")
    ap.add_argument("--json", action="store_true", help="print one JSON object per size")
    args = ap.parse_args(argv)
    sizes = [s for s in args.sizes if not (args.skip_50k and s >= 50000)]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            row = bench(size, args.years, workdir, args.repeat)
            if args.json:
                print(json.dumps(row), flush=True)
            else:
                print(f"{row['staff']:>7,} staff x {row['years']} y ({row['people']:,} people, "
                      f"{row['supervision_links']:,} supervision links): generate {row['generate_s']} s, "
                      f"load {row['load_s']} s, frames {row['frames_s']} s, person-time panel {row['person_time_s']} s "
                      f"({row['person_time_pieces']:,} pieces) | cascades {row['cascades_s']} s, "
                      f"overload {row['overload_s']} s, churn {row['churn_s']} s, effects {row['effects_s']} s",
                      flush=True)


if __name__ == "__main__":
    main()
