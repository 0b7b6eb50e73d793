"""Time and size every stage of ``orgraph audit`` against the floor of reading the bundle's CSVs with pandas.

Usage::

    python3 benchmarks/bench_audit.py                        # 5,000 / 20,000 / 50,000 staff (bundles in /work/big)
    python3 benchmarks/bench_audit.py --sizes 5000 20000     # leave out the largest org
    python3 benchmarks/bench_audit.py --sizes 2000 --years 5 --workdir /tmp/orgs   # generate the orgs
    python3 benchmarks/bench_audit.py --no-e2e --json        # stages only, one JSON object per size
    python3 benchmarks/bench_audit.py --sizes 50000 --repeat 5   # the median of 5 floors and 5 end-to-end runs

For each size, in one run:

* **floor**: pandas (C engine) reads every CSV of the bundle, in a fresh process; its wall time and peak RSS;
* **stages** of the audit, in one fresh process: ``load`` (``orgraph.load``), each analysis of the registry in
  the audit's order (an analysis pays for the shared panels it is the first to build), ``findings`` (the claims
  gate, the finance headlines and the risk list), ``pack content`` (the pack's tables and sentences), ``maps``
  (map elements, layout and the map page) and ``pack files`` (graph exports, CSVs, index.html, findings.json,
  report.md, state.json); each stage's wall time, its CPU time, its peak RSS (``VmHWM``, reset before each
  stage through ``/proc/self/clear_refs``) and its wall time as a multiple of the floor's (a step the audit runs
  in a second process, continuity of care and the pack's data files, counts only where this process waits for it);
* **end to end**: ``orgraph audit BUNDLE --no-png`` under ``/usr/bin/time -v`` (wall time, user + system CPU
  time of every process of the run, and peak memory: the larger of one process's maximum RSS and the summed
  proportional set size of all its processes, sampled: the audit runs some steps in a second process);
* with more than one size, the **growth exponent** b of cost ~ staff^b between each size and the next, for the
  load, the sum of stages and the end-to-end run (the goal is about 1.1 or less).

On a shared machine wall times move with the other processes' load; CPU times much less, so compare those
between runs (the ``cpu x floor`` column divides by the floor's CPU time). ``--repeat N`` runs the floor and the
end-to-end audit N times each, alternately, and reports the median run of each with the range of the N (the
stages still run once); each end-to-end run also records the machine's steal time (``/proc/stat``: CPU time the
hypervisor gave to other guests while the audit ran, summed over the cores), which says when a slow run was the
machine's doing.

A bundle is taken from ``--bundles/s{size}`` when it exists (``orgraph synth --staff N --years 10 --seed 1``),
else generated into ``--workdir`` with :func:`orgraph.synth.generate` (seed 1).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR = Path("/proc/self/clear_refs")


def _peak_mb() -> float:
    """Peak resident memory of this process since the last reset, in MB (Linux ``VmHWM``)."""
    m = re.search(r"VmHWM:\s+(\d+) kB", _STATUS.read_text())
    return int(m.group(1)) / 1024 if m else float("nan")


def _reset_peak() -> None:
    try:
        _CLEAR.write_text("5")
    except OSError:             # not Linux, or not allowed: peaks then run from the start of the process
        pass


class Stages:
    """Marks between stages: each mark ends the running stage (its wall time and peak RSS) and starts the next."""

    def __init__(self):
        self.rows: list[dict] = []
        self._name, self._t0, self._c0 = None, None, None

    def mark(self, name: str | None) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        if self._name is not None:
            if self.rows and self.rows[-1]["stage"] == self._name:   # a stage entered twice: add up
                self.rows[-1]["seconds"] += now - self._t0
                self.rows[-1]["cpu"] += cpu - self._c0
                self.rows[-1]["peak_mb"] = max(self.rows[-1]["peak_mb"], _peak_mb())
            else:
                self.rows.append({"stage": self._name, "seconds": now - self._t0, "cpu": cpu - self._c0,
                                  "peak_mb": _peak_mb()})
        _reset_peak()
        self._name, self._t0, self._c0 = name, time.perf_counter(), time.process_time()


def _hook(module, attr: str, stages: Stages, name: str) -> None:
    """Mark ``name`` whenever ``module.attr`` is called (when the module has it)."""
    fn = getattr(module, attr, None)
    if fn is None:
        return

    def wrapped(*args, **kwargs):
        stages.mark(name)
        return fn(*args, **kwargs)

    setattr(module, attr, wrapped)


def floor(bundle: Path) -> dict:
    """pandas reads every CSV of ``bundle`` (all kept in memory): seconds and peak RSS, in this process."""
    import pandas as pd

    t0, c0 = time.perf_counter(), time.process_time()
    frames = [pd.read_csv(p) for p in sorted(bundle.glob("*.csv"))]
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"seconds": seconds, "cpu": cpu, "peak_mb": _peak_mb(), "rows": sum(len(f) for f in frames)}


def stages(bundle: Path) -> list[dict]:
    """The audit of ``bundle`` stage by stage, in this process (written to a temporary folder, no map.png)."""
    import orgraph
    import orgraph.render.pack as render_pack
    import orgraph.report.audit as report_audit
    import orgraph.writers as writers

    st = Stages()
    _hook(report_audit, "cost_model", st, "findings")
    _hook(writers, "pack_content", st, "pack content")
    _hook(render_pack, "map_elements", st, "maps")
    _hook(render_pack, "map_data", st, "maps")
    _hook(render_pack, "export_graph", st, "pack files")
    _hook(render_pack, "write_graph_files", st, "pack files")
    st.mark("load")
    org = orgraph.load(str(bundle))
    with tempfile.TemporaryDirectory() as tmp:
        writers.write_audit(org, Path(tmp) / "audit", png=False, release_tables=True, beside=True,
                            progress=lambda label: st.mark(label if label != "snapshot pack and maps"
                                                           else "findings"))
        st.mark(None)
    return st.rows


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux ``/proc``)."""
    out = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for child in f.read().split():
                    out += _tree(int(child))
    except OSError:
        pass
    return out


def _pss_mb(pid: int) -> float:
    """Proportional set size of ``pid`` in MB (its share of pages shared with another process), 0 if gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _steal_seconds() -> float:
    """CPU time the hypervisor has given to other guests since boot, summed over the cores (``/proc/stat``);
    0 where there is no such count."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK") if fields[0] == "cpu" and len(fields) > 8 else 0.0
    except (OSError, ValueError):
        return 0.0


def end_to_end(bundle: Path) -> dict:
    """``orgraph audit bundle --no-png`` under ``/usr/bin/time -v``: wall seconds, CPU seconds and peak memory:
    the larger of the maximum RSS of one process and the sum of the proportional set sizes of every process
    of the run while the audit has a second process (sampled every 0.2 s: the audit forks one for some steps,
    and the pages the two share are counted once; sampled only then, since reading them slows the audit)."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "orgraph", "audit", str(bundle), "--no-png",
               "--out", str(Path(tmp) / "audit")]
        t0, steal0 = time.perf_counter(), _steal_seconds()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak_tree = 0.0
        while proc.poll() is None:
            pids = _tree(proc.pid)      # time, the audit, and the audit's second process while it has one
            if len(pids) > 2:           # reading smaps walks the page tables: only while two processes share them
                peak_tree = max(peak_tree, sum(_pss_mb(p) for p in pids))
            time.sleep(0.2)
        _, err = proc.communicate()
        seconds, steal = time.perf_counter() - t0, _steal_seconds() - steal0
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", err))
    one = int(rss.group(1)) / 1024 if rss else float("nan")
    return {"seconds": seconds, "cpu": cpu, "peak_mb": max(one, peak_tree), "peak_one_mb": one,
            "peak_tree_mb": peak_tree, "steal": steal, "exit": proc.returncode}


def _child(what: str, bundle: Path) -> dict | list:
    out = subprocess.run([sys.executable, __file__, "--child", what, str(bundle)], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{what} on {bundle} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bundle_for(size: int, years: int, bundles: Path, workdir: Path | None) -> Path:
    path = bundles / f"s{size}"
    if (path / "staff.csv").exists() and years == 10:
        return path
    from orgraph.synth import generate

    base = workdir or Path(tempfile.gettempdir()) / "orgraph-bench-audit"
    out = base / f"synth_{size}x{years}"
    if not (out / "truth.json").exists():
        generate(staff=size, years=years, seed=1, out=out, force=True)
    return out


def median_run(runs: list[dict]) -> dict:
    """The run of median wall time (the lower of the two middle ones for an even count), with ``runs``: the wall
    seconds of every run, in the order they ran.

    >>> median_run([{"seconds": 3.0}, {"seconds": 1.0}, {"seconds": 2.0}])
    {'seconds': 2.0, 'runs': [3.0, 1.0, 2.0]}
    """
    ranked = sorted(runs, key=lambda r: r["seconds"])
    return dict(ranked[(len(ranked) - 1) // 2], runs=[r["seconds"] for r in runs])


def bench(size: int, years: int, bundles: Path, workdir: Path | None, e2e: bool, repeat: int = 1) -> dict:
    bundle = bundle_for(size, years, bundles, workdir)
    floors, ends = [], []
    for _ in range(repeat):          # alternately: a slow spell of the machine slows both alike
        floors.append(_child("floor", bundle))
        if e2e:
            ends.append(_child("e2e", bundle))
    rows = _child("stages", bundle)
    total = {"stage": "audit (sum of stages)", "seconds": sum(r["seconds"] for r in rows),
             "cpu": sum(r["cpu"] for r in rows), "peak_mb": max(r["peak_mb"] for r in rows)}
    result = {"staff": size, "years": years, "bundle": str(bundle), "floor": median_run(floors), "stages": rows,
              "total": total}
    if e2e:
        result["end_to_end"] = median_run(ends)
        result["end_to_end"]["peak_mb_max"] = max(r["peak_mb"] for r in ends)
        result["end_to_end"]["steal_runs"] = [r.get("steal", 0.0) for r in ends]
    return result


def table(res: dict) -> str:
    fl, fc = res["floor"]["seconds"], res["floor"]["cpu"]
    lines = [f"{res['staff']:,} staff x {res['years']} years ({res['bundle']}); floor: pandas reads every CSV "
             f"({res['floor']['rows']:,} rows)",
             f"  {'stage':<44} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'x floor':>8} {'cpu x floor':>11}",
             f"  {'floor (pandas read_csv)':<44} {fl:8.2f} {fc:8.2f} {res['floor']['peak_mb']:8.0f} {1:8.2f} "
             f"{1:11.2f}"]
    for r in res["stages"] + [res["total"]] + ([dict(res["end_to_end"], stage="orgraph audit (end to end)")]
                                              if "end_to_end" in res else []):
        lines.append(f"  {r['stage']:<44} {r['seconds']:8.2f} {r['cpu']:8.2f} {r['peak_mb']:8.0f} "
                     f"{r['seconds'] / fl:8.2f} {r['cpu'] / fc:11.2f}")
    ends = res.get("end_to_end", {})
    if len(res["floor"].get("runs", ())) > 1:
        def spread(xs):
            return f"{min(xs):.2f}-{max(xs):.2f} s (median {sorted(xs)[(len(xs) - 1) // 2]:.2f})"
        lines.append(f"  {len(res['floor']['runs'])} runs each, alternately: floor {spread(res['floor']['runs'])}"
                     + (f"; end to end {spread(ends['runs'])}, peak up to {ends['peak_mb_max']:.0f} MB, "
                        f"steal {', '.join(f'{x:.1f}' for x in ends['steal_runs'])} s" if ends else ""))
    elif ends.get("steal"):
        lines.append(f"  the machine's steal time during the end-to-end run: {ends['steal']:.1f} s")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000, 50000])
    ap.add_argument("--staff", type=int, nargs="+", dest="sizes", help="same as --sizes")
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--bundles", type=Path, default=Path("/work/big"),
                    help="folder of ready bundles s{size} (10 years, seed 1) [default: /work/big]")
    ap.add_argument("--workdir", type=Path, default=None, help="generate missing orgs here (default: a temp dir)")
    ap.add_argument("--no-e2e", action="store_true", help="skip `orgraph audit` under /usr/bin/time -v")
    ap.add_argument("--json", action="store_true", help="print one JSON object per size")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run the floor and the end-to-end audit this many times each and report the median run")
    ap.add_argument("--child", nargs=2, metavar=("WHAT", "BUNDLE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        what, bundle = args.child[0], Path(args.child[1])
        fn = {"floor": floor, "stages": stages, "e2e": end_to_end}[what]
        print(json.dumps(fn(bundle)))
        return
    results = []
    for size in args.sizes:
        res = bench(size, args.years, args.bundles, args.workdir, not args.no_e2e, max(1, args.repeat))
        results.append(res)
        print(json.dumps(res) if args.json else table(res) + "\n", flush=True)
    if len(results) > 1 and not args.json:
        print(scaling(results))


def _cost(res: dict, what: str) -> tuple[float, float]:
    """Wall and CPU seconds of ``what`` (a stage name, ``audit`` for the sum of stages, ``e2e`` for end to end)."""
    if what == "audit":
        r = res["total"]
    elif what == "e2e":
        r = res.get("end_to_end")
    else:
        r = next((x for x in res["stages"] if x["stage"] == what), None)
    return (r["seconds"], r["cpu"]) if r else (float("nan"), float("nan"))


def scaling(results: list[dict]) -> str:
    """How cost grows with staff: the exponent b of cost ~ staff^b between each size and the next (log-log slope).

    >>> r = lambda n, s: {"staff": n, "stages": [{"stage": "load", "seconds": s, "cpu": s}],
    ...                   "total": {"seconds": 2 * s, "cpu": 2 * s}}
    >>> print(scaling([r(5000, 1.0), r(50000, 10.0)]))
    growth exponent b (cost ~ staff^b; the goal is about 1.1 or less)
      what                            5,000->50,000 (cpu)
      load                                    1.00 (1.00)
      audit (sum of stages)                   1.00 (1.00)
    """
    import math

    results = sorted(results, key=lambda r: r["staff"])
    pairs = list(zip(results, results[1:]))
    whats = [("load", "load"), ("audit", "audit (sum of stages)")]
    if all("end_to_end" in r for r in results):
        whats.append(("e2e", "orgraph audit (end to end)"))
    spans = [f"{a['staff']:,}->{b['staff']:,} (cpu)" for a, b in pairs]
    head = "".join(f" {h:>22}" for h in spans)
    lines = ["growth exponent b (cost ~ staff^b; the goal is about 1.1 or less)", f"  {'what':<28}{head}"]
    for key, label in whats:
        cells = []
        for a, b in pairs:
            (wa, ca), (wb, cb) = _cost(a, key), _cost(b, key)
            n = math.log(b["staff"] / a["staff"])
            cells.append(f"{math.log(wb / wa) / n:.2f} ({math.log(cb / ca) / n:.2f})")
        lines.append(f"  {label:<28}" + "".join(f" {c:>22}" for c in cells))
    return "\n".join(lines)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
