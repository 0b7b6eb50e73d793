"""An imported export in Neo4j: inferred seats and external managers round-trip, and every answer from Neo4j
equals the folder's (no churn seat on an inferred seat, no external manager counted, on either side)."""
from __future__ import annotations

import pytest

from importing_helpers import HR14, MAPS
from neo4j_fixtures import assert_same_org
from orgraph.graph import OrgGraph
from orgraph.importing import import_file
from orgraph.store import neo4j as store
from orgraph.summary import org_summary
from orgraph.validate import load_bundle
from test_neo4j_queries import _compare_everything

pytestmark = [pytest.mark.neo4j, pytest.mark.skipif(not HR14.exists(), reason="public dataset not present")]


def test_an_imported_roster_round_trips_and_answers_alike(neo4j_driver, tmp_path):
    import_file(HR14, MAPS / "hrdataset_v14.toml", tmp_path / "b")
    data = load_bundle(tmp_path / "b")
    assert all(p.inferred for p in data.positions.values())
    store.write_org(data, neo4j_driver)
    back = store.read_org_from(neo4j_driver)
    assert_same_org(data, back)
    assert sum(s.external for s in back.staff.values()) == 5 and all(p.inferred for p in back.positions.values())
    org, org2 = OrgGraph(data), OrgGraph(back)
    assert org_summary(org2)["staff"] == org_summary(org)["staff"] == 311
    # the holder rule in Cypher leaves inferred seats out, as `orgraph churn` does
    rows = store.run_query(neo4j_driver, "churn_positions",
                           {"as_of": org.data_end, "window_months": 24, "min_holders": 1})
    assert rows == []
    answered = _compare_everything(org, org2, as_ofs=[org.data_end])
    assert {"cost", "churn", "departures", "risk"} <= answered
