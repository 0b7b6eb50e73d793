"""What a load leaves in Neo4j: exactly the bundle (or one org per name), never a partial org read as whole,
one load at a time, and a fast clear stop when the server goes away."""
from __future__ import annotations

import copy
import re
import time

import pytest

import orgraph
from neo4j_fixtures import _no_server, assert_same_org, random_org
from orgraph.errors import SourceError
from orgraph.graph import OrgGraph
from orgraph.registry import ANALYSES
from orgraph.store import neo4j as store
from orgraph.store.lock import LockError
from test_neo4j_queries import _compare_everything

pytestmark = pytest.mark.neo4j


def _without(data, leavers: set[str]):
    """``data`` minus the people in ``leavers`` and every row about them."""
    out = copy.deepcopy(data)
    out.staff = {k: v for k, v in data.staff.items() if k not in leavers}
    out.assignments = [a for a in data.assignments if a.staff_id not in leavers]
    out.supervision = [s for s in data.supervision if s.staff_id not in leavers and s.supervisor_id not in leavers]
    for table in ("caseload", "documentation", "client_assignments"):
        df = getattr(data, table)
        setattr(out, table, df[~df["staff_id"].isin(leavers)].reset_index(drop=True))
    ss = data.supervision_sessions
    out.supervision_sessions = ss[~ss["staff_id"].isin(leavers) & ~ss["supervisor_id"].isin(leavers)
                                  ].reset_index(drop=True)
    return out


def test_a_newer_load_removes_the_people_it_no_longer_has(neo4j_driver):
    data = random_org(seats=30, years=4, seed=3)
    store.write_org(data, neo4j_driver)
    leavers = {s.staff_id for s in data.staff.values() if s.termination_date is not None}
    assert len(leavers) >= 10
    smaller = _without(data, leavers)
    summary = store.write_org(smaller, neo4j_driver)
    assert summary.counts["staff"]["removed"] == len(leavers)
    assert summary.counts["assignments"]["removed"] == len(data.assignments) - len(smaller.assignments)
    assert summary.counts["supervision"]["removed"] == len(data.supervision) - len(smaller.supervision)
    assert summary.counts["caseload"]["removed"] == len(data.caseload) - len(smaller.caseload)
    back = store.read_org_from(neo4j_driver)
    assert len(back.staff) == len(smaller.staff) == len(data.staff) - len(leavers)
    assert_same_org(smaller, back)
    # and the people come back with the next full export
    again = store.write_org(data, neo4j_driver)
    assert again.counts["staff"]["created"] == len(leavers)
    assert_same_org(data, store.read_org_from(neo4j_driver))


def _folder_org(synth_org, **kw):
    folder, org, _truth = synth_org(**kw)
    return folder, org


def test_load_a_then_b_then_a_every_analysis_matches_the_folder_each_time(neo4j_driver, synth_org):
    a_folder, a = _folder_org(synth_org, staff=200, years=4, seed=4)
    b_folder, b = _folder_org(synth_org, staff=160, years=3, seed=9)
    assert set(a.data.staff) & set(b.data.staff)  # the same ids mean different people: nothing may carry over
    names = {entry.name for entry in ANALYSES}
    for folder, want in ((a_folder, a), (b_folder, b), (a_folder, a)):
        store.write_org(orgraph.load_data(folder), neo4j_driver)
        back = store.read_org_from(neo4j_driver)
        assert_same_org(want.data, back)
        answered = _compare_everything(want, OrgGraph(back), as_ofs=(None,))
        assert {"cascades", "overload", "churn"} <= answered <= names


def test_named_orgs_live_side_by_side_and_a_plain_load_replaces_them_all(neo4j_driver, neo4j_server, monkeypatch):
    a = random_org(seats=20, years=3, seed=31)
    b = random_org(seats=25, years=3, seed=32)
    store.write_org(a, neo4j_driver, org="north")
    store.write_org(b, neo4j_driver, org="south")
    assert_same_org(a, store.read_org_from(neo4j_driver, org="north"))
    assert_same_org(b, store.read_org_from(neo4j_driver, org="south"))
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    assert_same_org(b, orgraph.load_data(f"{neo4j_server.uri}?org=south"))
    with pytest.raises(SourceError, match=r"holds 2 orgs \(north, south\); name one, as in bolt://.*\?org=north"):
        orgraph.load_data(neo4j_server.uri)
    # reloading one org leaves the other alone
    smaller = _without(a, {s for s, p in a.staff.items() if p.termination_date is not None})
    store.write_org(smaller, neo4j_driver, org="north")
    assert_same_org(smaller, store.read_org_from(neo4j_driver, org="north"))
    assert_same_org(b, store.read_org_from(neo4j_driver, org="south"))
    # a load without --org leaves exactly its bundle
    summary = store.write_org(a, neo4j_driver)
    assert summary.counts["staff"]["removed"] == len(smaller.staff) + len(b.staff)
    assert_same_org(a, store.read_org_from(neo4j_driver))
    with pytest.raises(SourceError, match="holds no org named 'south'; it holds: default"):
        store.read_org_from(neo4j_driver, org="south")
    with pytest.raises(SourceError, match="is not an org name"):
        store.write_org(a, neo4j_driver, org="bad name; MATCH (n) DETACH DELETE n")


class Stop(Exception):
    """Raised by a progress hook: the loading process dies here."""


def _stop_after(kind: str, batches: int):
    seen = {"n": 0}

    def progress(k, done, total):
        if k == kind:
            seen["n"] += 1
            if seen["n"] >= batches:
                raise Stop(f"stopped after {batches} {kind} batches")

    return progress


def test_an_interrupted_load_is_refused_on_read_until_a_load_completes(neo4j_driver, neo4j_server, monkeypatch):
    a = random_org(seats=30, years=4, seed=41)
    b = random_org(seats=30, years=4, seed=42)
    store.write_org(a, neo4j_driver)
    # B stops after some of its relationships are written: A's people, B's seats, half of the links
    with pytest.raises(Stop):
        store.write_org(b, neo4j_driver, batch_size=50, progress=_stop_after("assignments", 2))
    with pytest.raises(SourceError) as info:
        store.read_org_from(neo4j_driver)
    assert "the org 'default' in the Neo4j database is incomplete: a load (started " in str(info.value)
    assert "has not finished (it is still running, or it stopped). Load the bundle again with " \
           "`orgraph db load DATA` to complete it" in str(info.value)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    with pytest.raises(SourceError, match="is incomplete"):
        orgraph.load(neo4j_server.uri)
    with pytest.raises(SourceError, match="is incomplete"):
        store.run_query(neo4j_driver, "snapshot")
    # the lock went with the failed load: loading again completes it
    store.write_org(b, neo4j_driver)
    assert_same_org(b, store.read_org_from(neo4j_driver))


def test_a_second_load_is_refused_while_the_first_holds_the_lock(neo4j_driver):
    data = random_org(seats=15, years=2, seed=51)
    second: dict = {}

    def meanwhile(kind, done, total):
        if kind == "staff" and not second:
            time.sleep(1.5)  # longer than the lock's lapse time: the heartbeat keeps it
            t0 = time.perf_counter()
            try:
                store.write_org(data, neo4j_driver, lock_stale=1.0)
            except LockError as exc:
                second["error"] = str(exc)
            second["seconds"] = time.perf_counter() - t0

    first = store.write_org(data, neo4j_driver, progress=meanwhile, lock_stale=1.0)
    assert second["error"].startswith("another orgraph load (pid ")
    assert "is writing to the Neo4j database; wait until it finishes, then load again" in second["error"]
    assert second["seconds"] < 2
    assert first.counts["staff"]["created"] == len(data.staff)
    # the lock went with the first load
    assert store.write_org(data, neo4j_driver).changed == 0


def test_two_loads_started_at_once_into_an_empty_database_one_is_refused(neo4j_driver):
    import threading

    data = random_org(seats=15, years=2, seed=53)
    start = threading.Barrier(2)
    outcomes: list = []

    def load():
        start.wait()
        try:
            summary = store.write_org(data, neo4j_driver,
                                      progress=lambda kind, done, total: time.sleep(0.3) if kind == "staff" else None)
            outcomes.append(("loaded", summary.counts["staff"]["created"]))
        except LockError as exc:
            outcomes.append(("refused", str(exc)[:22]))

    threads = [threading.Thread(target=load) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes) == [("loaded", len(data.staff)), ("refused", "another orgraph load (")]
    assert_same_org(data, store.read_org_from(neo4j_driver))


def test_a_lock_left_by_a_dead_load_lapses(neo4j_driver):
    data = random_org(seats=10, years=2, seed=52)
    store.write_org(data, neo4j_driver)  # creates the schema
    plant = ("CREATE (:OrgraphLock {key: 'load', holder: 'gone', who: $who, since: datetime(), "
             "beat: datetime() - duration({seconds: $ago})})")
    neo4j_driver.execute_query(plant, {"who": "pid 7 on elsewhere", "ago": 2})
    with pytest.raises(LockError, match=r"another orgraph load \(pid 7 on elsewhere, started .*last heard from 2 s ago"):
        store.write_org(data, neo4j_driver)
    neo4j_driver.execute_query("MATCH (l:OrgraphLock) DELETE l")
    neo4j_driver.execute_query(plant, {"who": "pid 7 on elsewhere", "ago": 45})
    assert store.write_org(data, neo4j_driver).changed == 0
    assert neo4j_driver.execute_query("MATCH (l:OrgraphLock) RETURN count(l) AS n").records[0]["n"] == 0


@pytest.fixture
def own_server():
    """A Neo4j server of this test's own, which the test may kill and restart."""
    from neo4jserver import Neo4jServer, ServerUnavailable

    server = Neo4jServer(heap="512m", pagecache="64m")
    try:
        server.start()
    except ServerUnavailable as exc:
        _no_server(str(exc))
    yield server
    server.stop()


def test_a_server_killed_mid_load_stops_the_load_at_once_and_the_org_is_refused_after_restart(own_server, synth_org):
    import os
    import subprocess
    import sys
    from pathlib import Path

    folder, org, _truth = synth_org(staff=200, years=4, seed=4)
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, NEO4J_PASSWORD=own_server.password, PYTHONPATH=str(root))
    load = subprocess.Popen([sys.executable, "-m", "orgraph", "db", "load", str(folder), "--uri", own_server.uri,
                             "--batch-size", "10"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        with store.connect(own_server.uri, user=own_server.user, password=own_server.password) as watch:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and load.poll() is None:  # some relationships are written
                if watch.execute_query("MATCH ()-[r:HOLDS]->() RETURN count(r) AS n").records[0]["n"]:
                    break
                time.sleep(0.05)
        assert load.poll() is None, load.stderr.read()
        own_server.kill()
        killed = time.perf_counter()
        _out, err = load.communicate(timeout=300)
        seconds = time.perf_counter() - killed
    finally:
        if load.poll() is None:
            load.kill()
    said = [line for line in err.replace("\r", "\n").splitlines() if line.strip() and not line.startswith("Loading")]
    assert load.returncode == 1
    assert len(said) == 1, said  # one message: no driver warnings, no traceback
    assert said[0].startswith(f"Error: lost the connection to Neo4j at {own_server.uri} while loading ")
    # which reason depends on the moment of the kill: between batches, or during one's commit
    assert re.search(r" \((the server does not answer|the server closed the connection|the connection broke while "
                     r"a batch was being committed)\)\. Written: ", said[0]), said[0]
    assert "Until a load finishes, orgraph refuses to read" in said[0]
    assert seconds < 5, seconds  # the driver's own retries took about 100 s
    own_server.restart()
    with pytest.raises(SourceError, match="the org 'default' in the Neo4j database at .* is incomplete"):
        store.read_org(own_server.uri, user=own_server.user, password=own_server.password)
    with store.connect(own_server.uri, user=own_server.user, password=own_server.password) as driver:
        store.write_org(org.data, driver, lock_stale=0.1)  # the dead load's lock has lapsed
        assert_same_org(org.data, store.read_org_from(driver))
