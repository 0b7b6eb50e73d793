"""The Cypher files: every one is used by some code path, and all ship in the wheel."""
from __future__ import annotations

import subprocess
import sys
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

    monkeypatch.setattr(store, "query", query)
    monkeypatch.setattr(store, "statements", statements)
    store.write_org(random_org(seats=12, years=2, seed=1), neo4j_driver)
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
