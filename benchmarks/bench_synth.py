"""Time ``orgraph synth`` (generation and writing) for 1,000 / 10,000 / 50,000 staff over 10 years.

Usage::

    python3 benchmarks/bench_synth.py                      # all three sizes
    python3 benchmarks/bench_synth.py --sizes 1000 10000   # fewer
    python3 benchmarks/bench_synth.py --workdir /tmp/orgs --keep

Prints, per size, wall-clock and CPU seconds for the whole run and per step, the
rows written and the bundle size. CPU time is reported too because the machine is
often shared: wall time then grows with the load, CPU time much less.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from orgraph.synth import generate


def bench(staff: int, years: int, seed: int, folder: Path) -> dict:
    steps: list[tuple[str, float, float]] = []
    marks = [(time.perf_counter(), time.process_time())]

    def progress(name):
        steps.append((name, time.perf_counter(), time.process_time()))

    w0, c0 = marks[0]
    truth = generate(staff=staff, years=years, seed=seed, out=folder, force=True, progress=progress)
    w1, c1 = time.perf_counter(), time.process_time()
    per_step = {}
    for i, (name, w, c) in enumerate(steps):
        wn, cn = (steps[i + 1][1], steps[i + 1][2]) if i + 1 < len(steps) else (w1, c1)
        per_step[name] = {"wall_s": round(wn - w, 2), "cpu_s": round(cn - c, 2)}
    rows = {}
    for f in sorted(folder.glob("*.csv")):
        with open(f, "rb") as fh:
            rows[f.name] = sum(buf.count(b"\n") for buf in iter(lambda: fh.read(1 << 24), b"")) - 1
    size = sum(f.stat().st_size for f in folder.iterdir())
    return {"staff": staff, "years": years, "wall_s": round(w1 - w0, 2), "cpu_s": round(c1 - c0, 2),
            "people": truth["counts"]["people"], "rows": rows, "megabytes": round(size / 1e6, 1),
            "steps": per_step, "load_average": os.getloadavg()[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the generated bundles")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench_synth_"))
    results = []
    for n in args.sizes:
        folder = work / f"synth_{n}x{args.years}"
        r = bench(n, args.years, args.seed, folder)
        results.append(r)
        if not args.json:
            total_rows = sum(r["rows"].values())
            print(f"{n:>6} staff x {args.years} y: {r['wall_s']:6.1f} s wall, {r['cpu_s']:6.1f} s CPU, "
                  f"{r['people']:,} people, {total_rows:,} rows, {r['megabytes']:,} MB "
                  f"(load average {r['load_average']:.1f})")
            for name, t in r["steps"].items():
                print(f"         {name:<50} {t['wall_s']:6.2f} s wall {t['cpu_s']:6.2f} s CPU")
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))
    if not args.keep and args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
