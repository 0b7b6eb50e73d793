"""Benchmark: build time and time to first render of supervision maps at 300, 500, 2,000 and 5,000 people.

Usage::

    python3 benchmarks/bench_maps.py [--sizes 300 500 2000 5000] [--seed 1] [--workdir /tmp/orgraph-bench-maps]

For each size it generates a synthetic org (``orgraph.synth.generate``, four
years), loads it, and measures:

* ``flags_s``: running the cascade, overload and churn analyses for the map's flags;
* ``build_s``: :func:`orgraph.render.maps.build_map` with those flags (best of 3);
* ``load_s``: opening the page in headless Chromium (network off) until the
  first frame is drawn (wall clock, from ``driver.get``);
* ``nodes``, ``edges``, ``team_level``: what the page shows when it opens (team circles above 400 people);
* ``first_render_ms``: in-page time from creating the vis Network to its first
  ``afterDrawing`` event;
* ``redraw_ms``: a zoom and redraw after load (is it usable?);
* ``teams_build_s``, ``team_nodes``, ``teams_load_s``: the same for ``view="teams"``.

Numbers depend on the machine; the team's 2-core box is slow.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import orgraph  # noqa: E402
from orgraph.registry import flags_as_of  # noqa: E402
from orgraph.render.maps import build_map  # noqa: E402
from orgraph.synth import generate  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[300, 500, 2000, 5000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/orgraph-bench-maps"))
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    browser = None
    if not args.no_browser:
        from browser import Browser, browser_available

        if browser_available():
            browser = Browser()
    rows = []
    try:
        for n in args.sizes:
            bundle = args.workdir / f"org-{n}-{args.seed}"
            if not (bundle / "staff.csv").exists():
                generate(staff=n, years=4, seed=args.seed, out=bundle, force=True)
            org = orgraph.load(str(bundle))
            t = time.perf_counter()
            flags = flags_as_of(org, org.data_end)
            flags_s = time.perf_counter() - t
            best = float("inf")
            page = ""
            for _ in range(3):
                t = time.perf_counter()
                page = build_map(org, flags=flags)
                best = min(best, time.perf_counter() - t)
            path = args.workdir / f"map-{n}.html"
            path.write_text(page, encoding="utf-8")
            t = time.perf_counter()
            teams = build_map(org, flags=flags, view="teams")
            teams_s = time.perf_counter() - t
            row = {"people": n, "flags_s": round(flags_s, 2), "build_s": round(best, 2),
                   "teams_build_s": round(teams_s, 2), "html_mb": round(len(page.encode()) / 1e6, 2)}
            if browser is not None:
                r = browser.load(path, timeout=120)
                nodes = browser.js("return network.body.data.nodes.length")
                edges = browser.js("return network.body.data.edges.length")
                redraw = browser.js("var t = performance.now(); network.moveTo({scale: 1.0}); network.redraw();"
                                    "return performance.now() - t;")
                row.update({"nodes": nodes, "edges": edges,
                            "team_level": browser.js("return !!document.getElementById('teams-box').hidden") is False,
                            "load_s": round(r["wall_seconds"], 2),
                            "first_render_ms": round(browser.js("return window.orgraphMap.firstRenderMs")),
                            "redraw_ms": round(redraw), "console_errors": len(r["console_errors"]),
                            "external_requests": len(r["external_requests"])})
                tpath = args.workdir / f"teams-{n}.html"
                tpath.write_text(teams, encoding="utf-8")
                r = browser.load(tpath, timeout=120)
                row.update({"team_nodes": browser.js("return network.body.data.nodes.length"),
                            "teams_load_s": round(r["wall_seconds"], 2)})
            rows.append(row)
            print(json.dumps(row), flush=True)
    finally:
        if browser is not None:
            browser.close()
    cols = list(rows[0]) if rows else []
    print()
    print(" | ".join(cols))
    for r in rows:
        print(" | ".join(str(r.get(c, "")) for c in cols))
    return 0


if __name__ == "__main__":
    sys.exit(main())
