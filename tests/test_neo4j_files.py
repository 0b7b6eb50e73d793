"""The Cypher files: every one is used by some code path, and all ship in the wheel."""
from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from orgraph.store import cypher
from orgraph.store import neo4j as store

ROOT = Path(__file__).resolve().parent.parent


def test_the_loader_reads_the_repo_files_and_caches_them():
    on_disk = sorted(p.stem for p in (ROOT / "cypher").glob("*.cypher"))
    assert list(cypher.names()) == on_disk
    assert cypher.query("snapshot") is cypher.query("snapshot")
    assert cypher.query("snapshot") == (ROOT / "cypher" / "snapshot.cypher").read_text(encoding="utf-8")


def test_queries_take_values_only_as_parameters():
    for name in cypher.names():
        text = cypher.query(name)
        assert "{{" not in text and "%s" not in text and "{0}" not in text, name
    for name in store.QUERIES:
        for param in store.QUERIES[name]:
            assert f"${param}" in cypher.query(name), (name, param)


def test_each_question_declares_every_parameter_it_uses_with_a_type_and_a_range():
    import re

    for name, params in store.QUERIES.items():
        body = "\n".join(line for line in cypher.query(name).splitlines() if not line.lstrip().startswith("//"))
        used = set(re.findall(r"\$(\w+)", body))
        assert used - {"org", "open_end"} == set(params), name  # those two orgraph sets itself
        for p in cypher.parameters(name).values():
            assert p.type in ("int", "date") and p.low <= p.high and p.help, (name, p)
    assert store.QUERIES["cascade_risk"] == ("as_of", "window_days", "lookback_days")


def test_parameter_values_are_converted_or_refused_by_name():
    import datetime as dt
    import math

    from orgraph.errors import SourceError

    ok = cypher.check_values("churn_positions", {"as_of": dt.date(2024, 6, 30), "window_months": " 24 ",
                                                 "min_holders": 3})
    assert ok == {"as_of": dt.date(2024, 6, 30), "window_months": 24, "min_holders": 3}
    bad = [("as_of", "20251231"), ("as_of", 20251231), ("as_of", "2025-13-01"), ("as_of", "0001-01-01"),
           ("as_of", dt.datetime(2024, 6, 30, 12)), ("window_months", "nan"), ("window_months", math.nan),
           ("window_months", 24.0), ("window_months", True), ("window_months", "0"), ("window_months", "601"),
           ("min_holders", "-1e20"), ("min_holders", None), ("min_holders", "3; MATCH (n) DELETE n")]
    for key, value in bad:
        with pytest.raises(SourceError, match=rf"^churn_positions: {key} must be a "):
            cypher.check_values("churn_positions", {key: value})
    with pytest.raises(SourceError, match="query churn_positions has no parameter 'max_span'; it takes: as_of, "
                                          "window_months, min_holders"):
        cypher.check_values("churn_positions", {"max_span": 3})


@pytest.mark.neo4j
def test_every_cypher_file_is_used_by_a_code_path(neo4j_driver, monkeypatch):
    from neo4j_fixtures import random_org

    used: set[str] = set()
    real_query, real_statements = store.query, store.statements

    def query(name):
        used.add(name)
        return real_query(name)

    def statements(name):
        used.add(name)
        return real_statements(name)

    from orgraph.store import lock

    monkeypatch.setattr(store, "query", query)
    monkeypatch.setattr(lock, "query", query)
    monkeypatch.setattr(store, "statements", statements)
    # a short lock lapse time, and one slow batch, so the lock's heartbeat runs during the load
    store.write_org(random_org(seats=12, years=2, seed=1), neo4j_driver, lock_stale=0.6,
                    progress=lambda kind, done, total: time.sleep(0.4) if kind == "staff" else None)
    store.read_org_from(neo4j_driver)
    for name in store.QUERIES:
        store.run_query(neo4j_driver, name)
    store.wipe(neo4j_driver, schema=True)
    assert used == set(cypher.names())


@pytest.mark.slow
def test_the_built_wheel_ships_every_cypher_file(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("orgraph-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        shipped = sorted(Path(n).stem for n in zf.namelist()
                         if n.startswith("orgraph/cypher/") and n.endswith(".cypher"))
        assert zf.read("orgraph/cypher/schema.cypher").decode() == cypher.query("schema")
    assert shipped == list(cypher.names())
    # installed from the wheel, the loader finds them inside the package
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = "from orgraph.store.cypher import cypher_dir, names; print(cypher_dir()); print(len(names()))"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    where, count = out.stdout.split()
    assert Path(where) == site / "orgraph" / "cypher" and int(count) == len(shipped)


def test_docker_compose_uses_the_test_server_settings():
    import re

    from neo4jserver import Neo4jServer

    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "image: neo4j:5.26-community" in compose
    assert "healthcheck:" in compose and "orgraph-neo4j-data:/data" in compose
    server = Neo4jServer()
    server._write_home()
    try:
        conf = dict(line.split("=", 1) for line in (server.home / "conf" / "neo4j.conf").read_text().splitlines()
                    if "=" in line)
    finally:
        server.stop()
    env = dict(re.findall(r'^\s+NEO4J_(\w+): "([^"]*)"', compose, flags=re.M))
    env.pop("AUTH")
    settings = {k.replace("__", "\0").replace("_", ".").replace("\0", "_"): v for k, v in env.items()}
    assert settings.pop("server.memory.heap.initial_size") == settings.pop("server.memory.heap.max_size") \
        == server.heap
    for key, value in settings.items():
        assert conf[key] == value, key
    assert conf["dbms.security.auth_enabled"] == "true"


def test_no_server_fails_under_ci_and_skips_otherwise(monkeypatch):
    import neo4j_fixtures

    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Neo4j test needs a server under CI=true: java missing"):
        neo4j_fixtures._no_server("java missing")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no Neo4j server: java missing"):
        neo4j_fixtures._no_server("java missing")
