"""Loading a large org into Neo4j: batched UNWIND/MERGE versus one transaction per row.

Usage::

    python3 benchmarks/bench_neo4j_load.py [--staff 10000] [--years 10] [--sample 2000]

Starts a throwaway Neo4j 5.26 server (as the test suite does; or uses
``$ORGRAPH_NEO4J_URI`` with ``$NEO4J_PASSWORD``), builds a synthetic org
(``orgraph.synth`` when it can, else the test suite's random org), and measures
on the same server in the same run:

* the full batched load of every record kind into an empty database;
* relationships per second for HOLDS + SUPERVISED_BY, batched (all of them)
  versus one managed transaction per row (a sample of rows, same Cypher);
* reading the whole org back into an ``OrgData``;
* loading the same bundle again (nothing changes).

By default a small org is loaded (twice) and wiped first, so the timings are
those of a server that has been running (``--cold`` times a fresh JVM instead).

Targets: batched at least 20x faster than row by row, and the whole
10,000-staff load in under a minute on a 2-core machine.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def build_org(staff: int, years: int, seed: int):
    try:
        import orgraph
        from orgraph.synth import generate

        tmp = tempfile.mkdtemp(prefix="orgraph-bench-")
        try:
            generate(staff=staff, years=years, seed=seed, out=Path(tmp) / "org")
            return orgraph.load_data(Path(tmp) / "org"), "orgraph.synth"
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    except Exception as exc:  # noqa: BLE001 - fall back to the test suite's generator
        print(f"(orgraph.synth unavailable: {type(exc).__name__}: {str(exc)[:120]}; using the test suite's random org)")
    from neo4j_fixtures import random_org

    # about 5 holders per seat over 10 years at the default tenures
    seats = max(20, round(staff / (1 + 0.4 * years)))
    return random_org(seats=seats, years=years, seed=seed), "tests/neo4j_fixtures.random_org"


def drop_rels(driver) -> None:
    with driver.session() as session:  # CALL ... IN TRANSACTIONS needs an auto-commit transaction
        session.run("MATCH ()-[r:HOLDS|SUPERVISED_BY]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS"
                    ).consume()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--staff", type=int, default=10_000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sample", type=int, default=2000, help="rows loaded one transaction each")
    ap.add_argument("--batch-size", type=int, default=10_000)
    ap.add_argument("--cold", action="store_true", help="skip the warm-up: time the first load of a fresh JVM")
    args = ap.parse_args(argv)

    from orgraph.store import neo4j as store

    t = time.perf_counter()
    data, how = build_org(args.staff, args.years, args.seed)
    gen_s = time.perf_counter() - t
    n_rels = len(data.assignments) + len(data.supervision) + len(data.positions)
    facts = sum(len(getattr(data, k)) for k in ("caseload", "documentation", "supervision_sessions",
                                               "client_assignments"))
    print(f"org ({how}, {gen_s:.1f} s): {len(data.staff):,} staff, {len(data.positions):,} seats, "
          f"{len(data.assignments):,} assignments, {len(data.supervision):,} supervision intervals, "
          f"{facts:,} monthly/session/client rows")

    server = None
    uri = os.environ.get("ORGRAPH_NEO4J_URI")
    if uri:
        password = os.environ["NEO4J_PASSWORD"]
        user = os.environ.get("ORGRAPH_NEO4J_USER", "neo4j")
    else:
        from neo4jserver import Neo4jServer

        server = Neo4jServer(heap="2g", pagecache="1g").start()
        uri, user, password = server.uri, server.user, server.password
    try:
        driver = store.connect(uri, user=user, password=password)
        store.wipe(driver, schema=True)
        if not args.cold:
            # a server that has been up a while: JIT-compiled, queries planned (a small org, twice)
            small, _ = build_org(300, 3, args.seed + 1)
            t0 = time.perf_counter()
            store.write_org(small, driver)
            store.write_org(small, driver)
            store.wipe(driver)
            print(f"warm-up (small org loaded twice, then wiped): {time.perf_counter() - t0:.1f} s")

        # 1. the full batched load into an empty database
        marks: dict[str, float] = {}
        t0 = time.perf_counter()
        summary = store.write_org(data, driver, batch_size=args.batch_size,
                                  progress=lambda kind, done, total: marks.__setitem__(kind, time.perf_counter()))
        full_s = time.perf_counter() - t0
        rel_s = marks["supervision"] - marks["staff"]
        rels = len(data.assignments) + len(data.supervision)
        print(f"\nfull batched load: {full_s:.1f} s ({summary.changed:,} rows created)")
        prev = t0
        for kind in store.KINDS[:-1]:
            print(f"  {kind:22s} {marks[kind] - prev:6.2f} s  {summary.rows[kind]:>9,} rows")
            prev = marks[kind]

        # 2. read back
        t0 = time.perf_counter()
        back = store.read_org_from(driver)
        read_s = time.perf_counter() - t0
        assert len(back.staff) == len(data.staff) and back.assignments == data.assignments
        print(f"read back: {read_s:.1f} s")

        # 3. the same bundle again
        t0 = time.perf_counter()
        again = store.write_org(data, driver, batch_size=args.batch_size)
        print(f"reload of the same bundle: {time.perf_counter() - t0:.1f} s, {again.changed} rows changed")

        # 4. relationships: batched versus one transaction per row (HOLDS + SUPERVISED_BY)
        drop_rels(driver)
        a_rows = store._interval_rows(data.assignments, "position_id")
        s_rows = store._interval_rows(data.supervision, "supervisor_id")
        t0 = time.perf_counter()
        with driver.session() as session:
            for name, rows in (("load_assignments", a_rows), ("load_supervision", s_rows)):
                for batch in store.batches(rows, args.batch_size):
                    store._execute(session, store.query(name), {"rows": batch, "org": store.DEFAULT_ORG})
        batched_s = time.perf_counter() - t0
        drop_rels(driver)
        k = min(args.sample, len(a_rows) + len(s_rows))
        sample = [("load_assignments", r) for r in a_rows[: k // 2]] + \
                 [("load_supervision", r) for r in s_rows[: k - k // 2]]
        t0 = time.perf_counter()
        with driver.session() as session:
            for name, row in sample:
                store._execute(session, store.query(name), {"rows": [row], "org": store.DEFAULT_ORG})
        row_s = time.perf_counter() - t0
        batched_rate = rels / batched_s
        row_rate = len(sample) / row_s
        print(f"\nrelationships (HOLDS + SUPERVISED_BY), same server, same Cypher:")
        print(f"  batched ({args.batch_size:,} rows per transaction): {rels:,} in {batched_s:.2f} s = "
              f"{batched_rate:,.0f} rels/s")
        print(f"  one transaction per row (sample of {len(sample):,}): {row_s:.2f} s = {row_rate:,.0f} rels/s")
        print(f"  speed-up: {batched_rate / row_rate:.0f}x")
        print(f"\nsummary: {len(data.staff):,} staff, {n_rels:,} relationships; full load {full_s:.1f} s "
              f"(relationship phase {rel_s:.1f} s); read back {read_s:.1f} s; batched/row-by-row "
              f"{batched_rate / row_rate:.0f}x")
        store.wipe(driver, schema=True)
        driver.close()
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
