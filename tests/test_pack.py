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
from browser import XSS_IMG, XSS_SCRIPT, browser, small_org  # noqa: E402,F401

from orgraph.errors import ConfigError  # noqa: E402
from orgraph.graph import OrgGraph  # noqa: E402
from orgraph.render import charts  # noqa: E402
from orgraph.privacy import Pseudonymizer  # noqa: E402
from orgraph.render.pack import export_graph, write_pack  # noqa: E402

AS_OF = dt.date(2024, 6, 30)

# analysis results in the shape of orgraph.analyses, fixed so the pack is checked by hand
RESULTS = {
    "cascades": {"cascades": [
        {"supervisor_id": "S3", "exit_date": "2024-03-31", "cohort_size": 3, "observed": 1, "expected": 0.25,
         "relative_risk": 4.0, "ci_low": 0.1, "ci_high": 22.3, "p_value": 0.22, "p_adjusted": 0.04, "flagged": True,
         "departures": [{"staff_id": "S7", "exit_date": "2024-05-15", "days_after": 45}], "children": []}],
        "org": {"hazard_ratio": 2.5, "ci_low": 1.2, "ci_high": 5.1}},
    "overload": {"supervisors": [
        {"supervisor_id": "S2", "mean_span": 9.5, "span_now": 4, "total_span": 4, "supervisee_caseload": 300.0,
         "overloaded": True, "reasons": ["direct span averaged 9.5 supervisees (limit 8)"]},
        {"supervisor_id": "S1", "mean_span": 3.0, "overloaded": False, "reasons": []}],
        "rate_ratio": {"rate_ratio": 1.8, "ci_low": 1.1, "ci_high": 2.9}},
    "churn": {"seats": [
        {"position_id": "P4", "title": "Therapist", "program_id": "OP", "holders": 4, "exits": 3, "expected": 0.9,
         "p_adjusted": 0.03, "flagged": True, "watch": False, "shared_factors": ["all 3 exits reported to S2"]}]},
    "notes": [],
}


@pytest.fixture(scope="module")
def org():
    return OrgGraph(small_org())


@pytest.fixture(scope="module")
def pack(org, tmp_path_factory):
    out = tmp_path_factory.mktemp("pack")
    return write_pack(org, out, as_of=AS_OF, results=RESULTS, own_findings=True,
                      findings=["Audit: <b>3</b> findings & more", {"text": "From a dict"}])


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


def test_tables_by_hand(pack):
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
    assert t["flagged_cascades"][0]["departures"] == "S7 (+45d)"
    rows = _csv(pack["files"]["churn_seats.csv"])
    assert rows[0]["position_id"] == "P4" and rows[0]["status"] == "flagged"
    assert _csv(pack["files"]["headcount_by_program.csv"])[1]["program"] == "Outpatient <b>bold</b>"


def test_findings_in_plain_language(pack):
    f = pack["findings"]
    assert f[0] == "On 2024-06-30, 8 people worked in 2 programs; 2 left in the 12 months before."
    assert any(s.startswith(f"After {XSS_SCRIPT} (S3) left on 2024-03-31, 1 of the 3 people they supervised")
               for s in f)
    assert any(s.startswith("1 of 2 supervisors is overloaded") and "1.8 times" in s for s in f)
    assert "1 seat keeps turning over; the clearest is P4 (Therapist): 4 holders and 3 exits, about 0.9 expected." in f
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


def test_anonymized_pack(org, tmp_path):
    a = write_pack(org, tmp_path / "a", as_of=AS_OF, results=RESULTS, anonymize=True, key="team-key", png=False)
    b = write_pack(org, tmp_path / "b", as_of=AS_OF, results=RESULTS, anonymize=True, key="team-key", png=False)
    c = write_pack(org, tmp_path / "c", as_of=AS_OF, results=RESULTS, anonymize=True, key="other", png=False)
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
    assert f"staff:{Pseudonymizer('team-key')('S8')}" in ga
    assert a["findings"] == b["findings"]
    p3 = Pseudonymizer("team-key")("S3")
    assert a["findings"][0] == ("On 2024-06-30, about 10 people worked in 2 programs; fewer than 5 left in the "
                                "12 months before.")
    assert f"After {p3} left on 2024-03-31, the people they supervised left within the follow-up window at 4.0 times " \
        "the usual rate." in a["findings"]
    assert any(f.startswith("Fewer than 5 supervisors are overloaded (span") for f in a["findings"])
    assert "P4 (Therapist): fewer than 5 holders and fewer than 5 exits" in " ".join(a["findings"])
    with pytest.raises(ConfigError, match="needs a key"):
        write_pack(org, tmp_path / "d", as_of=AS_OF, results=RESULTS, anonymize=True, png=False)


def test_caller_findings_replace_own(org, tmp_path):
    r = write_pack(org, tmp_path, as_of=AS_OF, results=RESULTS, png=False, findings=[{"headline": "Ranked one"}])
    assert r["findings"] == ["On 2024-06-30, 8 people worked in 2 programs; 2 left in the 12 months before.",
                             "Ranked one"]


def test_png_without_chromium(org, tmp_path, monkeypatch):
    monkeypatch.setattr(charts, "find_chromium", lambda: None)
    r = write_pack(org, tmp_path, as_of=AS_OF, results=RESULTS)
    assert r["png_method"] == "drawn"
    png = Path(r["files"]["map.png"]).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    assert "Chromium was not found" in Path(r["files"]["index.html"]).read_text()


# ------------------------------------------------------------------ browser
FRAME_READY = ("(function () { var f = document.querySelector('iframe.map');"
               " return f && f.contentWindow && f.contentWindow.orgraphMap && f.contentWindow.orgraphMap.ready; })()")


@pytest.mark.browser
def test_pack_in_browser_offline_and_inert(pack, browser):
    r = browser.load(Path(pack["files"]["index.html"]), wait_for=FRAME_READY)
    assert r["ok"], r
    assert r["console_errors"] == [] and r["external_requests"] == [] and r["alerts"] == []
    findings = browser.js("return Array.from(document.querySelectorAll('ul.findings li')).map(e => e.textContent)")
    assert findings == pack["findings"]
    assert browser.js("return document.querySelectorAll('svg').length") == 3
    assert browser.js("return document.querySelectorAll('table').length") == 7
    assert browser.js("return window.__pwned === undefined")
    frame = browser.driver.find_element("css selector", "iframe.map")
    browser.js("arguments[0].scrollIntoView({block: 'start'});", frame)
    browser.driver.switch_to.frame(frame)
    try:
        assert browser.js("return [network.body.data.nodes.length, network.body.data.edges.length]") == [10, 12]
        assert "Legend" in browser.js("return document.getElementById('legend').innerText")
        labels = browser.js("return window.orgraphMap.nodes.get().map(function (n) { return n.label; })")
        assert XSS_IMG in labels and XSS_SCRIPT in labels
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
