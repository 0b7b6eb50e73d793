"""The Neo4j store against a real server: round trips, idempotence, updates, failures, queries."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from neo4j_fixtures import assert_same_org, random_org
from orgraph.config import Config
from orgraph.errors import SourceError
from orgraph.graph import OrgGraph
from orgraph.model import Assignment, OrgData, Position, Program, Staff, Supervision
from orgraph.store import neo4j as store

pytestmark = pytest.mark.neo4j
d = dt.date

NASTY = [
    "O'Brien \"Bo\"",
    "back`tick` `) DETACH DELETE n //",
    "{brace} }) MATCH (n) DELETE n",
    "// not a comment",
    "<script>alert(1)</script> ünïcødé ✓",
    "semi; colon\nnew line\ttab \\ backslash",
]


def _counts(driver) -> dict:
    rec = driver.execute_query(
        "MATCH (n) WITH count(n) AS nodes OPTIONAL MATCH ()-[r]->() RETURN nodes, count(r) AS rels").records[0]
    return {"nodes": rec["nodes"], "rels": rec["rels"]}


def _tricky_org() -> OrgData:
    staff = {}
    for i, name in enumerate(NASTY):
        sid = f"id-{i}-{name[:12]}"
        staff[sid] = Staff(sid, name, "LCSW" if i % 2 else "L'PC {x}", d(2020, 1, 1 + i),
                           d(2022, 3, 31) if i % 3 == 0 else None, "voluntary" if i % 3 == 0 else None,
                           name if i % 3 == 0 else None, 0.8 if i % 2 else 1.0,
                           None if i % 2 else 81234.5, None if i == 1 else f"LIC`{i}`", external=(i == 5))
    ids = list(staff)
    prog_id = "P'rog `1` {x} //"
    data = OrgData(
        staff=staff,
        programs={prog_id: Program(prog_id, NASTY[2], NASTY[3]), "B": Program("B", "Plain", "crisis")},
        positions={"seat'1": Position("seat'1", NASTY[0], prog_id, "supervisor"),
                   "seat`2`": Position("seat`2`", NASTY[1], "B", "clinician", 22.5, 2),
                   "seat{3}": Position("seat{3}", "Dir // x", "B", "director", None, 1, inferred=True)},
        assignments=[Assignment(ids[0], "seat'1", d(2020, 1, 1), d(2022, 3, 31)),
                     Assignment(ids[1], "seat`2`", d(2020, 1, 2)),
                     Assignment(ids[2], "seat`2`", d(2020, 1, 3)),
                     Assignment(ids[3], "seat{3}", d(2020, 1, 4), d(2022, 3, 31)),
                     Assignment(ids[4], "seat'1", d(2022, 4, 1))],
        supervision=[Supervision(ids[1], ids[0], d(2020, 1, 2), d(2022, 3, 31)),
                     Supervision(ids[2], ids[0], d(2020, 1, 3), d(2022, 3, 31)),
                     Supervision(ids[0], ids[3], d(2020, 1, 4), d(2022, 3, 31)),
                     Supervision(ids[1], ids[4], d(2022, 4, 1))],
        caseload=pd.DataFrame({"staff_id": [ids[2], ids[1], ids[2]],
                               "month": pd.to_datetime(["2021-02-01", "2021-01-01", "2021-01-01"]),
                               "active_clients": [7, 30, 6]}),
        supervision_sessions=pd.DataFrame({"supervisor_id": [ids[0]], "staff_id": [ids[1]],
                                           "date": pd.to_datetime(["2021-03-04"]), "minutes": [45.0]}),
        client_assignments=pd.DataFrame({"client_id": ["c'1 `x` {y} //", "c2"], "staff_id": [ids[1], ids[1]],
                                         "start_date": pd.to_datetime(["2021-01-05", "2021-02-01"]),
                                         "end_date": pd.to_datetime(["2021-06-30", None])}),
        present={"caseload", "supervision_sessions", "client_assignments"},
        config=Config.from_mapping({"cascades": {"window_days": 90}, "data": {"end": "2022-12-31"}}),
    )
    from orgraph.model import TABLE_COLUMNS
    for name, cols in TABLE_COLUMNS.items():     # the declared dtypes (pandas 3 would infer its str dtype)
        setattr(data, name, getattr(data, name).astype(cols))
    return data


def test_round_trip_keeps_every_record_field_and_table(neo4j_driver):
    data = _tricky_org()
    store.write_org(data, neo4j_driver)
    back = store.read_org_from(neo4j_driver)
    assert_same_org(data, back)
    # names with quotes, backticks, braces and // come back unchanged, byte for byte
    assert [s.name for s in back.staff.values()] == NASTY
    assert back.config.get("cascades", "window_days") == 90
    assert [p.inferred for p in back.positions.values()] == [False, False, True]   # a seat an import inferred
    assert OrgGraph(back).data_end == OrgGraph(data).data_end == d(2022, 12, 31)


def test_round_trip_of_a_random_org_with_every_table(neo4j_driver):
    data = random_org(seats=40, years=4, seed=11)
    store.write_org(data, neo4j_driver, batch_size=37)  # many small batches
    assert_same_org(data, store.read_org_from(neo4j_driver))


def test_loading_the_same_bundle_twice_changes_nothing(neo4j_driver):
    data = random_org(seats=25, years=3, seed=5)
    first = store.write_org(data, neo4j_driver)
    assert first.counts["staff"]["created"] == len(data.staff)
    assert first.counts["assignments"]["created"] == len(data.assignments)
    assert first.counts["caseload"]["created"] == len(data.caseload)
    before = _counts(neo4j_driver)
    assert before["rels"] == len(data.assignments) + len(data.supervision) + len(data.positions)
    second = store.write_org(data, neo4j_driver)
    assert second.changed == 0
    assert second.counts["supervision"] == {"created": 0, "updated": 0, "removed": 0,
                                            "unchanged": len(data.supervision)}
    assert second.counts["documentation"]["unchanged"] == len(data.documentation)
    assert _counts(neo4j_driver) == before


def test_a_newer_export_updates_intervals_without_duplicates(neo4j_driver):
    old = _tricky_org()
    store.write_org(old, neo4j_driver)
    ids = list(old.staff)
    new = dataclasses.replace(old)
    new.staff = dict(old.staff)
    # person 1 left; a new person joins and takes their seat; person 4's supervision is gone
    new.staff[ids[1]] = dataclasses.replace(old.staff[ids[1]], termination_date=d(2022, 9, 30),
                                            termination_type="involuntary")
    new.staff["new"] = Staff("new", "Newcomer", "LPC", d(2022, 10, 1))
    new.assignments = [a if a.staff_id != ids[1] else dataclasses.replace(a, end=d(2022, 9, 30))
                       for a in old.assignments] + [Assignment("new", "seat`2`", d(2022, 10, 1))]
    new.supervision = [s for s in old.supervision if s.supervisor_id != ids[4]]
    new.caseload = old.caseload[old.caseload["staff_id"] != ids[1]].reset_index(drop=True)
    summary = store.write_org(new, neo4j_driver)
    assert summary.counts["staff"] == {"created": 1, "updated": 1, "removed": 0, "unchanged": len(old.staff) - 1}
    assert summary.counts["assignments"] == {"created": 1, "updated": 1, "removed": 0,
                                             "unchanged": len(old.assignments) - 1}
    assert summary.counts["supervision"]["removed"] == 1
    assert summary.counts["caseload"]["removed"] == 1
    assert_same_org(new, store.read_org_from(neo4j_driver))
    holds = neo4j_driver.execute_query(
        "MATCH (s:Staff {staff_id: $sid})-[r:HOLDS]->() RETURN r.to AS to", {"sid": ids[1]}).records
    assert [r["to"].to_native() for r in holds] == [d(2022, 9, 30)]


def test_a_failing_batch_is_retried_then_the_load_stops_saying_what_was_written(neo4j_driver, monkeypatch):
    data = random_org(seats=20, years=2, seed=2)
    calls = {"supervision": 0}
    real_execute = store._execute

    def flaky(session, text, params):
        if text == store.query("load_supervision"):
            calls["supervision"] += 1
            text = "UNWIND $rows AS row MERGE (x:Staff {staff_id: row.nope}) RETURN 1 AS outcome"  # fails: null key
        return real_execute(session, text, params)

    monkeypatch.setattr(store, "_execute", flaky)
    with pytest.raises(store.LoadError) as info:
        store.write_org(data, neo4j_driver, retries=2, retry_wait=0.01, batch_size=1000)
    msg = str(info.value)
    assert calls["supervision"] == 3
    assert "a batch of supervision failed 3 times" in msg
    assert f"Written: programs ({len(data.programs)} rows), positions ({len(data.positions)} rows), " \
           f"staff ({len(data.staff)} rows), assignments ({len(data.assignments)} rows)" in msg
    assert f"no supervision rows were written; not written: caseload, documentation" in msg
    assert "Until a load finishes, orgraph refuses to read the org; loading the same data again is safe" in msg
    with pytest.raises(SourceError, match="is incomplete: a load .* has not finished"):
        store.read_org_from(neo4j_driver)
    assert info.value.summary.counts["staff"]["created"] == len(data.staff)
    # and it is: a second load completes, and the graph is whole
    monkeypatch.setattr(store, "_execute", real_execute)
    store.write_org(data, neo4j_driver)
    assert_same_org(data, store.read_org_from(neo4j_driver))


def test_rows_that_refer_to_unknown_people_are_reported_not_dropped(neo4j_driver):
    data = _tricky_org()
    data.supervision = data.supervision + [Supervision(list(data.staff)[0], "ghost", d(2021, 1, 1))]
    with pytest.raises(store.LoadError, match=r"1 supervision rows refer to people, seats or programs that are "
                                              r"not in the database"):
        store.write_org(data, neo4j_driver)


def test_read_org_by_uri_and_orgraph_load(neo4j_driver, neo4j_server, monkeypatch):
    import orgraph

    data = _tricky_org()
    store.write_org(data, neo4j_driver)
    back = store.read_org(neo4j_server.uri, user=neo4j_server.user, password=neo4j_server.password)
    assert_same_org(data, back)
    assert back.source == neo4j_server.uri
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    monkeypatch.setenv("ORGRAPH_NEO4J_USER", neo4j_server.user)
    org = orgraph.load(neo4j_server.uri)
    assert sorted(org.active_staff(d(2021, 1, 10))) == sorted(OrgGraph(data).active_staff(d(2021, 1, 10)))


def test_wrong_password_and_empty_database_are_clear_errors(neo4j_driver, neo4j_server):
    secret = "not-the-password-123"
    with pytest.raises(SourceError) as info:
        store.read_org(neo4j_server.uri, user=neo4j_server.user, password=secret)
    assert str(info.value) == f"Neo4j at {neo4j_server.uri} refused user 'neo4j': wrong user name or password"
    assert secret not in str(info.value)
    with pytest.raises(SourceError, match="holds no orgraph data; load a bundle first"):
        store.read_org(neo4j_server.uri, user=neo4j_server.user, password=neo4j_server.password)
    with pytest.raises(SourceError, match="cannot reach Neo4j at bolt://127.0.0.1:1"):
        store.connect("bolt://127.0.0.1:1", password="x")


def test_wipe_removes_only_orgraph_nodes(neo4j_driver):
    store.write_org(_tricky_org(), neo4j_driver)
    neo4j_driver.execute_query("CREATE (:Unrelated {x: 1})")
    n = store.wipe(neo4j_driver)
    assert n == len(_tricky_org().staff) + 2 + 3 + 1
    assert _counts(neo4j_driver) == {"nodes": 1, "rels": 0}
    neo4j_driver.execute_query("MATCH (n:Unrelated) DELETE n")
