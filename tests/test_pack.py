"""Snapshot packs: files, tables checked by hand, GraphML/JSON round trips, anonymizing, and the page in Chromium."""
from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import json
import re
import sys
from pathlib import Path

import networkx as nx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser import XSS_IMG, XSS_SCRIPT, browser  # noqa: E402,F401
from conftest import ANON_KEY, OTHER_KEY  # noqa: E402

from orgraph import registry  # noqa: E402
from orgraph.errors import ConfigError  # noqa: E402
from orgraph.privacy import Pseudonymizer  # noqa: E402
from orgraph.render import charts  # noqa: E402
from orgraph.render.pack import export_graph, write_pack  # noqa: E402
from orgraph.report.findings import finding  # noqa: E402
from orgraph.report.pack import pack_content  # noqa: E402
from orgraph.result import Result  # noqa: E402
from orgraph.writers import write_snapshot  # noqa: E402
from test_maps import flagging_org  # noqa: E402

AS_OF = dt.date(2024, 6, 30)
OPENING = "On 2024-06-30, 8 people worked in 2 programs; 2 left in the 12 months before."


@pytest.fixture(scope="module")
def org():
    """The small org with limits low enough that the real analyses flag S3's cascade, overloaded S2 and churn
    seat P11 (worked out by hand in tests/test_maps.py::test_flags_as_of_reads_analysis_results)."""
    return flagging_org()


@pytest.fixture(scope="module")
def results(org):
    """The real cascade, overload and churn results on AS_OF, as the snapshot runs them."""
    res, notes = registry.run_analyses(org, as_of=AS_OF, names=("cascades", "overload", "churn"))
    assert notes == [] and all(isinstance(r, Result) for r in res.values())
    return res


def content(org, results, **kw):
    return pack_content(org, as_of=AS_OF, results=results, notes=[], min_cell=5, **kw)


@pytest.fixture(scope="module")
def pack(org, results, tmp_path_factory):
    out = tmp_path_factory.mktemp("pack")
    said = content(org, results, own_findings=True,
                   findings=[finding("note", "Audit: <b>3</b> findings & more", []),
                             finding("note", "From a dict", [])])
    return write_pack(org, out, content=said, as_of=AS_OF)


def _csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_files_written(pack):
    names = set(pack["files"])
    assert {"index.html", "map.html", "map.png", "graph.graphml", "graph.json", "headcount_by_program.csv",
            "exits_by_quarter.csv", "span_bands.csv", "caseload_distribution.csv", "flagged_cascades.csv",
            "overloaded_supervisors.csv", "churn_seats.csv"} <= names
    for p in pack["files"].values():
        assert Path(p).stat().st_size > 0, p
    assert Path(pack["files"]["map.png"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_tables_by_hand(pack, org):
    t = pack["tables"]
    assert t["headcount_by_program"] == [
        {"program_id": "CR", "program": "Crisis", "employed": 1, "left_last_12_months": 0},
        {"program_id": "OP", "program": "Outpatient <b>bold</b>", "employed": 7, "left_last_12_months": 2}]
    q = {r["quarter"]: r for r in t["exits_by_quarter"]}
    assert list(q) == ["2022-Q3", "2022-Q4", "2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"]
    assert (q["2024-Q1"]["supervisor"], q["2024-Q2"]["clinician"], q["2023-Q1"]["clinician"]) == (1, 1, 1)
    assert sum(r["total"] for r in t["exits_by_quarter"]) == 3
    assert {r["band"]: r["supervisors"] for r in t["span_bands"]} == {
        "1": 0, "2-3": 1, "4-7": 1, "8-12": 0, "13-16": 0, "17+": 0}
    assert {r["active_clients"]: r["people"] for r in t["caseload_distribution"] if r["people"]} == {
        "10-19": 1, "20-29": 3, "30-39": 2}
    assert [r["supervisor_id"] for r in t["flagged_cascades"]] == ["S3"]
    assert t["flagged_cascades"][0]["who_followed"] == f"{org.data.staff['S7'].name} (+45 days)"
    assert (t["flagged_cascades"][0]["team_size"], t["flagged_cascades"][0]["team_members_who_left"]) == (3, 1)
    assert [(r["supervisor_id"], r["direct_supervisees_now"]) for r in t["overloaded_supervisors"]] == [("S2", 4)]
    rows = _csv(pack["files"]["churn_seats.csv"])
    # P11 flagged; every other seat met min_holders 1 without an unusual exit count: watch
    assert rows[0]["seat_id"] == "P11" and rows[0]["status"] == "flagged"
    assert {r["status"] for r in rows[1:]} == {"to watch"} and len(rows) == 11
    assert _csv(pack["files"]["headcount_by_program.csv"])[1]["program"] == "Outpatient <b>bold</b>"


def test_findings_in_plain_language(pack):
    f = pack["findings"]
    assert f[0] == OPENING
    # 1 exit (S7) among S3's 3 supervisees within 180 days, against 227 / 3557 = 0.06 expected
    # (tests/test_maps.py::test_flags_as_of_reads_analysis_results)
    assert (f"After {XSS_SCRIPT} (S3) left on 2024-03-31, 1 of the 3 people they supervised left within 180 days; "
            "about 0.1 would be expected.") in f
    # S1, S2 and S3 supervised someone since 2023-01-01; S2 is overloaded. S2's supervisees: 1 exit (S7) in
    # 3 x 547 + 45 + 91 = 1777 days; everyone else's: 2 exits (S11, S3) in 1642 (S1's) + 3 x 456 (S3's) = 3010
    # days: (1/1777) / (2/3010) = 0.85
    assert any(s.startswith("1 of 3 supervisors is overloaded") and "0.8 times" in s for s in f)
    assert "1 seat keeps turning over; the clearest is P11 (Crisis worker): 1 holders and 1 exits, about 0.0 " \
        "expected." in f
    assert f[-2:] == ["Audit: <b>3</b> findings & more", "From a dict"]


def _clean_snapshot(org):
    H = org.snapshot(AS_OF)
    out = {}
    for n, a in H.nodes(data=True):
        out[n] = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in a.items() if v is not None}
    return H, out


@pytest.mark.parametrize("fmt", ["graphml", "json"])
def test_graph_exports_read_back(org, pack, fmt):
    path = pack["files"][f"graph.{fmt}"]
    G = nx.read_graphml(path) if fmt == "graphml" else nx.node_link_graph(json.loads(Path(path).read_text()),
                                                                          edges="links", name="node")
    H, attrs = _clean_snapshot(org)
    assert G.is_directed()
    assert set(G.nodes) == set(H.nodes)
    assert {(u, v) for u, v in G.edges} == {(u, v) for u, v in H.edges}
    for n, a in attrs.items():
        got = G.nodes[n]
        for k, v in a.items():
            if isinstance(v, float) and not v == v:
                continue
            assert got[k] == v, (n, k, got.get(k), v)
    for u, v, a in H.edges(data=True):
        assert G.edges[u, v]["kind"] == a["kind"]
        assert G.edges[u, v]["start"] == a["start"].isoformat()
    assert G.nodes["staff:S8"]["status"] == "post_exit" and G.nodes["staff:S2"]["status"] == "overloaded"
    assert G.nodes["staff:S2"]["name"] == XSS_IMG


def test_graphml_has_no_none(org, tmp_path):
    G = export_graph(org, as_of=AS_OF)
    for _, a in G.nodes(data=True):
        assert all(v is not None for v in a.values())
    assert G.graph["as_of"] == "2024-06-30"


def test_index_is_self_contained_and_escaped(pack):
    page = Path(pack["files"]["index.html"]).read_text(encoding="utf-8")
    assert XSS_SCRIPT not in page and "<img src=x" not in page
    assert "Audit: &lt;b&gt;3&lt;/b&gt; findings &amp; more" in page
    outside_map = re.sub(r'<iframe[^>]*srcdoc="[^"]*"', "", page)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", outside_map, re.I)
    assert "@media print" in page and "page-break-before: always" in page
    assert page.count("<svg") == 3
    assert 'class="print-only"' in page and "data:image/png;base64," in page


def test_anonymized_pack(org, results, tmp_path):
    a = write_snapshot(org, tmp_path / "a", as_of=AS_OF, anonymize=True, key=ANON_KEY, png=False)
    b = write_snapshot(org, tmp_path / "b", as_of=AS_OF, anonymize=True, key=ANON_KEY, png=False)
    c = write_snapshot(org, tmp_path / "c", as_of=AS_OF, anonymize=True, key=OTHER_KEY, png=False)
    # the snapshot job draws what pack_content says about the real results
    said = content(org, results, anonymize=True, key=ANON_KEY)
    assert a["findings"] == said["findings"] and a["tables"] == said["tables"]
    t = a["tables"]
    assert "flagged_cascades" not in t and "overloaded_supervisors" not in t and "churn_seats" not in t
    assert t["headcount_by_program"] == [
        {"program_id": "CR", "program": "Crisis", "employed": "<5", "left_last_12_months": 0},
        {"program_id": "OP", "program": "Outpatient <b>bold</b>", "employed": 7, "left_last_12_months": "<5"}]
    assert {r["band"]: r["supervisors"] for r in t["span_bands"]}["2-3"] == "<5"
    assert "share" not in t["span_bands"][0] and "total" not in t["exits_by_quarter"][0]
    for rows in t.values():
        for r in rows:
            for k, v in r.items():
                assert not (isinstance(v, int) and not isinstance(v, bool) and 0 < v < 5), (k, r)
    assert _csv(a["files"]["headcount_by_program.csv"])[0]["employed"] == "<5"
    text = "".join(Path(p).read_text(encoding="utf-8", errors="replace") for n, p in a["files"].items()
                   if not n.endswith(".png"))
    # leave out code (vis-network and the map script); keep the data, the page text and the map inside srcdoc
    data_only = re.sub(r"<script>.*?</script>", "", html.unescape(text), flags=re.S)
    for s in org.data.staff.values():
        assert s.name not in data_only, s.name
    for sid in ("S2", "S3", "S7", "S8"):
        assert not re.search(rf"\b{sid}\b", data_only), sid
    ga = nx.read_graphml(a["files"]["graph.graphml"])
    gb = nx.read_graphml(b["files"]["graph.graphml"])
    gc = nx.read_graphml(c["files"]["graph.graphml"])
    assert set(ga.nodes) == set(gb.nodes) != set(gc.nodes)
    assert f"staff:{Pseudonymizer(ANON_KEY)('S8')}" in ga
    assert a["findings"] == b["findings"]
    p3 = Pseudonymizer(ANON_KEY)("S3")
    assert a["findings"][0] == ("On 2024-06-30, about 10 people worked in 2 programs; fewer than 5 left in the "
                                "12 months before.")
    # relative risk 1 / (227 / 3557) = 15.7
    assert f"After {p3} left in 2024-03, the people they supervised left within 180 days at 15.7 times " \
        "the usual rate." in a["findings"]
    assert any(f.startswith("Fewer than 5 supervisors are overloaded (span") for f in a["findings"])
    seat = Pseudonymizer(ANON_KEY).seat("P11")
    assert f"{seat} (Crisis worker): fewer than 5 holders and fewer than 5 exits" in " ".join(a["findings"])
    assert not re.search(r"\bP11\b", data_only) and "2024-03-31" not in data_only
    with pytest.raises(ConfigError, match="needs a key"):
        write_snapshot(org, tmp_path / "d", as_of=AS_OF, anonymize=True, png=False)
    with pytest.raises(ConfigError, match="needs a key"):
        write_pack(org, tmp_path / "d", content=content(org, results), as_of=AS_OF, anonymize=True, png=False)


def test_caller_findings_replace_own(org, results, tmp_path):
    r = write_pack(org, tmp_path, content=content(org, results, findings=[finding("cascade", "Ranked one", [])]),
                   as_of=AS_OF, png=False)
    assert r["findings"] == [OPENING, "Ranked one"]


def test_snapshot_map_is_the_map_commands_map(tmp_path):
    """The pack's map shows what `orgraph map` shows on the same day: the same people with the same status
    (S8 and S9 in the window after S3 left, S3 on the map as their departed supervisor)."""
    from browser import small_org
    from test_maps import page_data

    from orgraph.graph import OrgGraph
    from orgraph.render.maps import build_map

    org = OrgGraph(small_org())
    r = write_snapshot(org, tmp_path, as_of=AS_OF, png=False)
    pack_map = page_data(Path(r["files"]["map.html"]).read_text(encoding="utf-8"))
    cli_map = page_data(build_map(org, as_of=AS_OF, flags=registry.flags_as_of(org, AS_OF)))
    status = {n["id"]: n["status"] for n in cli_map["nodes"]}
    assert status["S8"] == status["S9"] == "post_exit" and status["S3"] == "left"
    assert {n["id"]: n["status"] for n in pack_map["nodes"]} == status
    assert len(pack_map["edges"]) == len(cli_map["edges"]) == 12


def test_analysis_that_could_not_run_is_a_note(org, results):
    said = pack_content(org, as_of=AS_OF, results={**results, "churn": None},
                        notes=["churn seats: not run — the data cannot say"], own_findings=True)
    assert said["tables"]["churn_seats"] == [] and said["flags"].churn_seats == frozenset()
    assert said["notes"] == ["churn seats: not run — the data cannot say"]
    assert said["flags"].notes == ("churn seats: not run — the data cannot say",)
    assert not any("turning over" in f for f in said["findings"]) and said["flags"].overloaded == {"S2"}


def test_png_without_chromium(org, results, tmp_path, monkeypatch):
    monkeypatch.setattr(charts, "find_chromium", lambda: None)
    r = write_pack(org, tmp_path, content=content(org, results), as_of=AS_OF)
    assert r["png_method"] == "drawn"
    png = Path(r["files"]["map.png"]).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    # a note for the terminal, never for the pack's readers
    assert any("Chromium was not found" in n for n in r["tool_notes"])
    assert "Chromium" not in Path(r["files"]["index.html"]).read_text()


# ------------------------------------------------------------------ browser
FRAME_READY = ("(function () { var f = document.querySelector('iframe.map');"
               " return f && f.contentWindow && f.contentWindow.orgraphMap && f.contentWindow.orgraphMap.ready; })()")


@pytest.mark.browser
def test_pack_in_browser_offline_and_inert(pack, browser):
    r = browser.load(Path(pack["files"]["index.html"]), wait_for=FRAME_READY)
    assert r["ok"], r
    assert r["console_errors"] == [] and r["external_requests"] == [] and r["alerts"] == []
    findings = browser.js("return Array.from(document.querySelectorAll('ul.findings li')).map(e => e.textContent)")
    cards = browser.js("return Array.from(document.querySelectorAll('li.card p.sentence')).map(e => e.textContent)")
    assert findings + cards == pack["findings"]          # the bottom line, then one card per finding, escaped
    assert cards == ["Audit: <b>3</b> findings & more", "From a dict"]
    assert browser.js("return document.querySelector('details.how summary').textContent") == "How to read this"
    assert browser.js("return document.querySelectorAll('svg').length") == 3
    assert browser.js("return document.querySelectorAll('table').length") == 7
    assert browser.js("return window.__pwned === undefined")
    frame = browser.driver.find_element("css selector", "iframe.map")
    browser.js("arguments[0].scrollIntoView({block: 'start'});", frame)
    browser.driver.switch_to.frame(frame)
    try:
        assert browser.js("return [network.body.data.nodes.length, network.body.data.edges.length]") == [10, 12]
        assert "Legend" in browser.js("return document.getElementById('legend').innerText")
        names = browser.js("return window.orgraphMap.nodes.get().map(function (n) { return n.name; })")
        assert XSS_IMG in names and XSS_SCRIPT in names
        from test_maps import _hover

        for sid, payload in (("S2", XSS_IMG), ("S3", XSS_SCRIPT)):
            tip = _hover(browser, sid)
            assert payload in tip["text"] and tip["children"] == 0, tip
        assert browser.js("return window.__pwned === undefined")
    finally:
        browser.driver.switch_to.default_content()
    assert browser.alert_text() is None
    # prints: the interactive map is replaced by its PNG, and the PDF has several pages
    browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert browser.js("return getComputedStyle(document.querySelector('iframe.map')).display") == "none"
        assert browser.js("return getComputedStyle(document.querySelector('img.print-only')).display") == "block"
    finally:
        browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    pdf = base64.b64decode(browser.driver.execute_cdp_cmd("Page.printToPDF", {})["data"])
    assert pdf[:5] == b"%PDF-" and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 3
    assert browser.report()["console_errors"] == []


def test_missing_browser_fails_under_ci(monkeypatch):
    import browser as b

    monkeypatch.setattr(b, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="headless Chromium not found"):
        b.require_browser()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        b.require_browser()


def test_the_pack_builds_its_map_once(org, results, tmp_path, monkeypatch):
    """One people map per pack: map.html is drawn from the elements the pack already built (the same page as
    building them afresh), not from a second map_elements run."""
    import orgraph.render.elements as elements
    import orgraph.render.maps as maps
    import orgraph.render.pack as render_pack
    from test_maps import page_data

    said = content(org, results)
    fresh = page_data((Path(write_pack(org, tmp_path / "a", content=said, as_of=AS_OF, png=False)["files"]
                            ["map.html"])).read_text(encoding="utf-8"))
    calls = []
    real = elements.map_elements
    counting = lambda *a, **k: calls.append(1) or real(*a, **k)      # noqa: E731
    monkeypatch.setattr(render_pack, "map_elements", counting)
    monkeypatch.setattr(maps, "map_elements", counting)
    r = write_pack(org, tmp_path / "b", content=said, as_of=AS_OF, png=False)
    assert len(calls) == 1
    assert page_data(Path(r["files"]["map.html"]).read_text(encoding="utf-8")) == fresh


def _reference_graph_files(org, day, out, *, status=None, anonymize=False, key=None):
    """graph.graphml and graph.json as the pack first wrote them: the old export through NetworkX's writers."""
    import math

    from test_graph import _snapshot_from_multidigraph

    from orgraph.graph import node_key
    from orgraph.privacy import month, tenure_band

    def clean(value):
        if value is None or isinstance(value, (bool, int, str)):
            return value
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, float):
            return None if math.isnan(value) or math.isinf(value) else value
        return clean(value.item())

    H = _snapshot_from_multidigraph(org, day)
    pseudo = Pseudonymizer(key) if anonymize else None

    def rename(n):
        kind, _, id_ = n.partition(":")
        if pseudo and kind == "staff":
            return node_key("staff", pseudo(id_))
        if pseudo and kind == "position":
            return node_key("position", pseudo.seat(id_))
        return n

    G = nx.DiGraph()
    G.graph.update({k: clean(v) for k, v in H.graph.items()})
    private = ("name", "license", "annual_salary", "termination_reason", "termination_type", "hire_date", "start",
               "end", "termination_date")
    for n, a in H.nodes(data=True):
        attrs = {k: clean(v) for k, v in a.items()}
        if a["kind"] == "staff":
            if status and a["id"] in status:
                attrs["status"] = status[a["id"]]
            if pseudo:
                for k in private:
                    attrs.pop(k, None)
                attrs["id"] = attrs["name"] = pseudo(a["id"])
                if attrs.get("position_id") is not None:
                    attrs["position_id"] = pseudo.seat(attrs["position_id"])
                if attrs.get("tenure_days") is not None:
                    attrs["tenure"] = tenure_band(attrs.pop("tenure_days"))
        elif a["kind"] == "position" and pseudo:
            attrs["id"] = pseudo.seat(a["id"])
        G.add_node(rename(n), **{k: v for k, v in attrs.items() if v is not None})
    for u, v, a in H.edges(data=True):
        attrs = {k: clean(x) for k, x in a.items()}
        if pseudo:
            attrs = {k: (month(x) if k in ("start", "end") and x is not None else x) for k, x in attrs.items()}
        G.add_edge(rename(u), rename(v), **{k: x for k, x in attrs.items() if x is not None})
    nx.write_graphml(G, out / "graph.graphml")
    link = nx.node_link_data(G, edges="links", name="node")
    link["graph"]["read_with"] = "networkx.node_link_graph(data, edges='links', name='node')"
    (out / "graph.json").write_text(json.dumps(link, indent=1, ensure_ascii=False), encoding="utf-8")
    return G


@pytest.mark.parametrize("anonymize", [False, True])
def test_graph_files_are_byte_for_byte_what_networkx_wrote(org, tmp_path, anonymize):
    from orgraph.render.pack import write_graph_files

    status = {"S2": "overloaded", "S8": "post_exit", "S1": "a & <b> \"c\"\r\nd\te"}
    for day in (AS_OF, dt.date(2022, 1, 1), org.data_start):
        mine, theirs = tmp_path / f"mine{day}", tmp_path / f"theirs{day}"
        mine.mkdir(), theirs.mkdir()
        G = _reference_graph_files(org, day, theirs, status=status, anonymize=anonymize, key=ANON_KEY)
        files = write_graph_files(org, mine, as_of=day, status=status, anonymize=anonymize, key=ANON_KEY)
        for name in ("graph.graphml", "graph.json"):
            assert files[name].read_bytes() == (theirs / name).read_bytes(), (day, name)
        got = export_graph(org, as_of=day, status=status, anonymize=anonymize, key=ANON_KEY)
        assert list(got.nodes(data=True)) == list(G.nodes(data=True))
        assert list(got.edges(data=True)) == list(G.edges(data=True))
    text = (tmp_path / f"mine{AS_OF}" / "graph.graphml").read_text()
    assert ("&lt;img src=x" in text) is not anonymize and "<img" not in text
    assert "a &amp; &lt;b&gt; \"c\"&#13;\nd\te" in text


def test_graphml_writer_hands_what_it_cannot_write_to_networkx(tmp_path):
    from orgraph.render.graph_files import SnapshotExport, graphml_text

    g = SnapshotExport()
    g.graph["as_of"] = "2024-06-30"
    g.add_node("staff:S1", {"kind": "staff", "note": "bell\x07", "n": 3, "x": 0.1, "ok": True})
    g.add_node("staff:S2", {"kind": "staff", "n": 2.0})          # the same name as a decimal: a second key
    g.add_edge("staff:S2", "staff:S1", {})
    g.add_edge("staff:S2", "staff:S1", {"kind": "SUPERVISED_BY"})  # again: its attributes are updated
    with pytest.raises(ValueError):                               # lxml refuses the control character
        nx.write_graphml(g.to_networkx(), tmp_path / "theirs.graphml")
    with pytest.raises(ValueError):
        graphml_text(g, tmp_path / "mine.graphml")
    del g.nodes["staff:S1"]["note"]
    graphml_text(g, tmp_path / "mine.graphml")
    nx.write_graphml(g.to_networkx(), tmp_path / "theirs.graphml")
    text = (tmp_path / "mine.graphml").read_text()
    assert text == (tmp_path / "theirs.graphml").read_text()
    assert 'attr.name="n" attr.type="long"' in text and 'attr.name="n" attr.type="double"' in text


def test_the_audit_lets_go_of_the_shared_panels_before_the_pack(org, tmp_path, monkeypatch):
    from orgraph import writers
    from orgraph.analyses import persontime, shared

    seen = {}

    def pack_content(org, **kw):
        seen["panels"] = dict(shared._CACHE.get(org, {}))
        raise RuntimeError("stop after the analyses")

    monkeypatch.setattr(writers, "pack_content", pack_content)
    persontime.cached(org, "a panel", lambda: [1, 2, 3])
    with pytest.raises(RuntimeError):
        writers.write_audit(org, tmp_path / "audit", png=False)
    assert seen["panels"] == {}
    assert persontime.cached(org, "a panel", lambda: [4]) == [4]     # asked for again, it is built again


def test_pack_csv_is_what_dictwriter_writes(tmp_path):
    import csv
    import io

    from orgraph.plain import spreadsheet_safe
    from orgraph.render.pack import _write_csv

    rows = [{"id": "S1", "name": "=HYPERLINK(1)", "n": 3, "x": 0.1 + 0.2, "ok": True, "none": None},
            {"name": "-12", "id": "S2", "n": -1, "x": float("nan"), "ok": False, "none": "@a"},   # keys reordered
            {"id": "S3", "name": 'a "quoted", line\nbreak', "n": 0},                            # columns missing
            {"id": "+S4", "name": "\tt", "n": 10**20, "x": 1e-9, "ok": None, "none": ""}]
    _write_csv(tmp_path / "t.csv", rows)
    want = io.StringIO(newline="")
    w = csv.DictWriter(want, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if v is None else spreadsheet_safe(v)) for k, v in r.items()})
    assert (tmp_path / "t.csv").read_text(encoding="utf-8") == want.getvalue()
    with pytest.raises(ValueError):             # a column the first row does not have is refused, as before
        _write_csv(tmp_path / "u.csv", [{"a": 1}, {"a": 2, "b": 3}])
