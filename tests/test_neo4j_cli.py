"""`orgraph db load|query|wipe` against a real server, and a Neo4j source for analysis commands."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bundles import write_bundle
from orgraph.cli import main

pytestmark = pytest.mark.neo4j


@pytest.fixture
def cli(neo4j_server, neo4j_driver, monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    monkeypatch.delenv("ORGRAPH_NEO4J_URI", raising=False)
    runner = CliRunner()

    def run(*args, input=None, env=None):
        return runner.invoke(main, [str(a) for a in args], input=input, env=env, catch_exceptions=False)

    return run


def test_db_load_twice_then_query_and_wipe(cli, neo4j_server, tmp_path):
    folder = write_bundle(tmp_path / "b")
    uri = neo4j_server.uri
    first = cli("db", "load", folder, "--uri", uri)
    assert first.exit_code == 0, first.output
    assert f"Loaded {folder} into {uri}" in first.output
    assert "17 rows created, 0 updated, 0 removed." in first.output  # 1+4+4+4+3 records and the meta node
    second = cli("db", "load", folder, "--uri", uri, "--format", "json")
    assert second.exit_code == 0
    summary = json.loads(second.stdout)
    assert summary["changed"] == 0
    assert {k["kind"]: k["unchanged"] for k in summary["kinds"]}["supervision"] == 3

    res = cli("db", "query", "overloaded_supervisors", "--uri", uri, "--param", "as_of=2020-06-01",
              "--param", "max_span=1", "--format", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == [{"supervisor_id": "S1", "name": "Ana Diaz", "span": 2,
                                       "supervisees": ["S2", "S3"]}]
    res = cli("db", "query", "cascade_risk", "--uri", uri, "--param", "as_of=2020-06-01", "--param", "bogus=1")
    assert res.exit_code == 1
    assert "query cascade_risk has no parameter 'bogus'; it takes: as_of, window_days, lookback_days" in res.output

    info = cli("info", uri)
    assert info.exit_code == 0, info.output
    assert "people:        4" in info.output

    refused = cli("db", "wipe", "--uri", uri, input="n\n")
    assert refused.exit_code == 1 and "Aborted" in refused.output
    wiped = cli("db", "wipe", "--uri", uri, "--yes")
    assert wiped.exit_code == 0
    assert f"Deleted 10 nodes from {uri}." in wiped.output


def test_password_prompt_is_hidden_and_never_printed(cli, neo4j_server, tmp_path, monkeypatch):
    monkeypatch.delenv("NEO4J_PASSWORD")
    folder = write_bundle(tmp_path / "b")
    ok = cli("db", "load", folder, "--uri", neo4j_server.uri, input=neo4j_server.password + "\n")
    assert ok.exit_code == 0, ok.output
    assert "Neo4j password:" in ok.output
    assert neo4j_server.password not in ok.output
    bad = cli("db", "query", "snapshot", "--uri", neo4j_server.uri, input="wrong-secret-42\n")
    assert bad.exit_code == 1
    assert "wrong-secret-42" not in bad.output
    assert f"Error: Neo4j at {neo4j_server.uri} refused user 'neo4j': wrong user name or password" in bad.output


def test_analysis_commands_answer_the_same_from_neo4j(cli, neo4j_server, tmp_path):
    from orgraph.registry import ANALYSES

    folder = write_bundle(tmp_path / "b")
    assert cli("db", "load", folder, "--uri", neo4j_server.uri).exit_code == 0
    answered = []
    for entry in ANALYSES:
        a = cli(entry.name, folder, "--format", "json")
        b = cli(entry.name, neo4j_server.uri, "--format", "json")
        assert (b.exit_code, b.output) == (a.exit_code, a.output), entry.name
        if a.exit_code == 0:
            doc = json.loads(a.stdout)  # Result.to_dict()
            assert sorted(doc) == ["as_of", "extras", "name", "settings", "summary", "table", "untested"]
            assert doc["name"] == entry.name and doc["as_of"] == "2021-06-30"
            answered.append(entry.name)
    assert {"cascades", "overload", "churn"} <= set(answered), answered


@pytest.mark.parametrize("param, said", [
    ("as_of=20251231", "as_of must be a date like 2024-06-30 from 1900-01-01 to 9000-12-31, not '20251231'"),
    ("as_of=2025-13-01", "as_of must be a date like 2024-06-30 from 1900-01-01 to 9000-12-31, not '2025-13-01'"),
    ("window_days=-1e20", "window_days must be a whole number from 1 to 3650, not '-1e20'"),
    ("window_days=90.5", "window_days must be a whole number from 1 to 3650, not '90.5'"),
    ("lookback_days=0", "lookback_days must be a whole number from 1 to 3650, not '0'"),
    ("as_of=", "as_of must be a date like 2024-06-30 from 1900-01-01 to 9000-12-31, not ''"),
])
def test_query_parameters_are_checked_against_the_query_file(cli, neo4j_server, tmp_path, param, said):
    assert cli("db", "load", write_bundle(tmp_path / "b"), "--uri", neo4j_server.uri).exit_code == 0
    res = cli("db", "query", "cascade_risk", "--uri", neo4j_server.uri, "--param", param)
    assert res.exit_code == 1, res.output
    assert res.output.strip().splitlines()[-1] == f"Error: cascade_risk: {said}"
    nan = cli("db", "query", "overloaded_supervisors", "--uri", neo4j_server.uri, "--param", "max_span=nan")
    assert nan.exit_code == 1
    assert "Error: overloaded_supervisors: max_span must be a whole number from 0 to 100000, not 'nan'" in nan.output
    ok = cli("db", "query", "overloaded_supervisors", "--uri", neo4j_server.uri, "--param", "as_of=2020-06-01",
             "--param", "max_span=+1", "--format", "json")
    assert ok.exit_code == 0, ok.output
    assert [r["supervisor_id"] for r in json.loads(ok.stdout)] == ["S1"]


def _info_body(result) -> str:
    assert result.exit_code == 0, result.output
    return result.output.split("\n", 1)[1]  # the first line names the source


def test_info_from_neo4j_matches_the_folder_after_loading_a_then_b_then_a(cli, neo4j_server, tmp_path, synth_org):
    a = write_bundle(tmp_path / "a")
    b, _org, _truth = synth_org(staff=120, years=3, seed=5)
    uri = neo4j_server.uri
    for folder in (a, b, a):
        assert cli("db", "load", folder, "--uri", uri).exit_code == 0
        assert _info_body(cli("info", uri)) == _info_body(cli("info", folder)), folder


def test_named_orgs_from_the_command_line(cli, neo4j_server, tmp_path, synth_org):
    a = write_bundle(tmp_path / "a")
    b, _org, _truth = synth_org(staff=120, years=3, seed=5)
    uri = neo4j_server.uri
    assert cli("db", "load", a, "--uri", uri, "--org", "north").exit_code == 0
    loaded = cli("db", "load", b, "--uri", f"{uri}?org=south")
    assert loaded.exit_code == 0 and f"into {uri} as org south" in loaded.output
    assert _info_body(cli("info", f"{uri}?org=north")) == _info_body(cli("info", a))
    assert _info_body(cli("info", f"{uri}?org=south")) == _info_body(cli("info", b))
    both = cli("info", uri)
    assert both.exit_code == 1
    assert f"holds 2 orgs (north, south); name one, as in {uri}?org=north" in both.output
    res = cli("db", "query", "overloaded_supervisors", "--uri", uri, "--org", "north", "--param", "as_of=2020-06-01",
              "--param", "max_span=1", "--format", "json")
    assert res.exit_code == 0, res.output
    assert [r["supervisor_id"] for r in json.loads(res.stdout)] == ["S1"]
    clash = cli("db", "load", a, "--uri", f"{uri}?org=south", "--org", "north")
    assert clash.exit_code == 1 and "two org names given" in clash.output
    wiped = cli("db", "wipe", "--uri", uri, "--org", "south", "--yes")
    assert wiped.exit_code == 0
    assert _info_body(cli("info", uri)) == _info_body(cli("info", a))  # only north is left


def test_db_export_writes_a_folder_that_answers_as_the_server_does(cli, neo4j_server, tmp_path):
    from pathlib import Path

    from neo4j_fixtures import assert_same_org
    from orgraph.validate import load_bundle

    example = Path(__file__).resolve().parent.parent / "examples" / "riverbend"
    uri = neo4j_server.uri
    assert cli("db", "load", example, "--uri", uri).exit_code == 0
    for fmt in ("csv", "parquet"):
        out = tmp_path / fmt
        res = cli("db", "export", "--uri", uri, "--out", out, *(["--parquet"] if fmt == "parquet" else []))
        assert res.exit_code == 0, res.output
        assert f"to {out}: staff.{fmt}, programs.{fmt}, positions.{fmt}" in res.output
        assert sorted(p.suffix for p in out.iterdir()) == sorted([".toml"] + [f".{fmt}"] * 9)
        assert_same_org(load_bundle(example), load_bundle(out))
    audits = []
    for source in (example, tmp_path / "parquet", uri):
        res = cli("departures", source, "--format", "json")
        assert res.exit_code == 0, res.output
        audits.append(json.loads(res.stdout))
    assert audits[0] == audits[1] == audits[2]
    again = cli("db", "export", "--uri", uri, "--out", tmp_path / "csv")
    assert again.exit_code == 2 and "is not empty; choose a new --out folder" in again.output
