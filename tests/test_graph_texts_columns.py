"""The pack's graph files written column by column: the same bytes as the dict-by-dict writers."""
from __future__ import annotations

import datetime as dt

from orgraph.graph import OrgGraph
from orgraph.model import Assignment, OrgData, Position, Program, Staff, Supervision
from orgraph.render.graph_files import graphml_text, node_link_text, plain_graph_texts, snapshot_export
from orgraph.render.pack import write_graph_files


def _by_dicts(org, day, status, tmp_path):
    g = snapshot_export(org, as_of=day, status=status)
    graphml_text(g, tmp_path / "want.graphml")
    return (tmp_path / "want.graphml").read_bytes().decode("utf-8"), node_link_text(g)


def _org(name: str) -> OrgGraph:
    d = dt.date
    return OrgGraph(OrgData(
        staff={"S1": Staff("S1", name, "LCSW", d(2020, 1, 1)),
               "S2": Staff("S2", 'Bo "B" é漢', "LPC", d(2020, 1, 1), d(2021, 6, 30), "voluntary"),
               "S3": Staff("S3", "Cy\ttab", "LPC", d(2020, 2, 1))},
        programs={"OP": Program("OP", "Out & <patient>", "outpatient")},
        positions={"P1": Position("P1", "Supervisor", "OP", "supervisor"),
                   "P2": Position("P2", "Therapist", "OP", "clinician")},
        assignments=[Assignment("S1", "P1", d(2020, 1, 1)), Assignment("S2", "P2", d(2020, 1, 1), d(2021, 6, 30))],
        supervision=[Supervision("S2", "S1", d(2020, 1, 1), d(2021, 6, 30)),
                     Supervision("S3", "S1", d(2020, 2, 1))]))


def test_columns_match_the_dict_writers_on_riverbend(riverbend, tmp_path):
    for day in (riverbend.data_end, riverbend.data_start + dt.timedelta(days=400)):
        ids = [a["id"] for _, a in riverbend.on_day(day).nodes() if a.get("kind") == "staff"]
        status = {sid: ("left" if i % 3 == 0 else "active") for i, sid in enumerate(ids)}
        for st in (status, None):
            got = plain_graph_texts(riverbend, as_of=day, status=st)
            assert got is not None
            assert got == _by_dicts(riverbend, day, st, tmp_path)


def test_columns_escape_text_and_leave_what_xml_cannot_hold_to_the_general_writer(tmp_path):
    day = dt.date(2021, 3, 1)
    org = _org("Ana & <Lee> \"x\"\r")
    status = {"S1": "overloaded", "S2": "active"}
    assert plain_graph_texts(org, as_of=day, status=status) == _by_dicts(org, day, status, tmp_path)
    assert plain_graph_texts(_org("Ana\x01"), as_of=day, status=status) is None   # NetworkX's writer decides


def test_write_graph_files_writes_the_column_texts(riverbend, tmp_path):
    day = riverbend.data_end
    files = write_graph_files(riverbend, tmp_path, as_of=day, status={})
    graphml, doc = _by_dicts(riverbend, day, {}, tmp_path)
    assert files["graph.graphml"].read_bytes() == graphml.encode("utf-8")
    assert files["graph.json"].read_text(encoding="utf-8") == doc
