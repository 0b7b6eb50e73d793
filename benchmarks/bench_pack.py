"""Time and size what ``orgraph audit`` does after the analyses: pack content, maps and pack files.

Usage::

    python3 benchmarks/bench_pack.py /work/big/s5000                     # run the analyses, then time the pack
    python3 benchmarks/bench_pack.py /work/big/s20000 --cache /tmp/a20k  # keep the analyses' results for next time
    python3 benchmarks/bench_pack.py /work/big/s5000 --profile out.prof  # and a cProfile of the pack stages

The analyses run once (:func:`orgraph.registry.run_analyses`; with ``--cache`` their results and notes are
pickled there and read back on the next run), then :func:`orgraph.writers.write_audit` writes the audit folder
with them, stage by stage as in ``bench_audit.py``: ``findings`` (what :func:`orgraph.report.audit.run_audit`
does after the analyses: findings, claims, org summary, finance sentences), ``pack content`` (tables, sentences, ``state.json``'s content), ``maps`` (map elements, layout,
map page) and ``pack files`` (graph exports, CSVs, index.html, findings.json, report.md, state.json). Each stage's
wall time, CPU time and peak RSS (``VmHWM``, reset before each stage).
"""
from __future__ import annotations

import argparse
import cProfile
import pickle
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_audit import Stages, _hook, _peak_mb  # noqa: E402


def _audit_day(org):
    """The day :func:`orgraph.report.audit.run_audit` runs the analyses as of (its default ``as_of``)."""
    import pandas as pd

    from orgraph.settings import analysis_cut

    return (analysis_cut(org, None) - pd.Timedelta(days=1)).date()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundle", type=Path)
    ap.add_argument("--cache", type=Path, help="pickle of the analyses' results (written when missing)")
    ap.add_argument("--profile", type=Path, help="write a cProfile of the pack stages here")
    ap.add_argument("--out", type=Path, help="write the audit folder here (default: a temporary folder)")
    args = ap.parse_args(argv)

    import orgraph
    import orgraph.render.pack as render_pack
    import orgraph.registry as registry
    import orgraph.writers as writers

    t0 = time.perf_counter()
    org = orgraph.load(str(args.bundle))
    print(f"load {time.perf_counter() - t0:.1f} s", flush=True)
    if args.cache and args.cache.exists():
        ran = pickle.loads(args.cache.read_bytes())
        org.staff_frame, org.assignment_frame, org.supervision_frame   # the analyses would have built them
    else:
        t0 = time.perf_counter()
        ran = registry.run_analyses(org, as_of=_audit_day(org),
                                    analyses=[a for a in registry.ANALYSES if a.audit])
        print(f"analyses {time.perf_counter() - t0:.1f} s", flush=True)
        if args.cache:
            args.cache.write_bytes(pickle.dumps(ran))
    registry.run_analyses = lambda *a, **k: (dict(ran[0]), list(ran[1]))
    st = Stages()
    _hook(writers, "pack_content", st, "pack content")
    _hook(render_pack, "map_elements", st, "maps")
    _hook(render_pack, "map_data", st, "maps")
    _hook(render_pack, "export_graph", st, "pack files")
    _hook(render_pack, "write_graph_files", st, "pack files")
    prof = cProfile.Profile() if args.profile else None
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "audit"
        if prof:
            prof.enable()
        st.mark("findings")
        writers.write_audit(org, out, png=False)
        st.mark(None)
        if prof:
            prof.disable()
            prof.dump_stats(args.profile)
    print(f"  {'stage':<16} {'wall s':>8} {'cpu s':>8} {'peak MB':>8}")
    for r in st.rows:
        print(f"  {r['stage']:<16} {r['seconds']:8.2f} {r['cpu']:8.2f} {r['peak_mb']:8.0f}")
    print(f"  {'sum':<16} {sum(r['seconds'] for r in st.rows):8.2f} {sum(r['cpu'] for r in st.rows):8.2f} "
          f"{max(r['peak_mb'] for r in st.rows):8.0f}")
    print(f"process peak {_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
