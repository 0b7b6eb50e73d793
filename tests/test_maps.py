"""Supervision maps: hand-checked elements, escaping, and the page in real headless Chromium (network off)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser import XSS_IMG, XSS_SCRIPT, browser, random_org, small_org  # noqa: E402,F401
from conftest import ANON_KEY  # noqa: E402

from orgraph import registry  # noqa: E402
from orgraph.config import Config  # noqa: E402
from orgraph.errors import AnalysisError, ConfigError  # noqa: E402
from orgraph.graph import OrgGraph  # noqa: E402
from orgraph.privacy import Pseudonymizer, seat_ref, staff_ref  # noqa: E402
from orgraph.render.elements import STATUS_STYLES, aggregate_elements, map_elements  # noqa: E402
from orgraph.render.layout import team_layout  # noqa: E402
from orgraph.render.maps import build_map, map_data  # noqa: E402
from orgraph.render.page import CASCADE_COLOR, script_json, vis_network  # noqa: E402
from orgraph.render.teams import TEAM_LEVEL_ABOVE  # noqa: E402
from orgraph.report import flags as report_flags  # noqa: E402
from orgraph.report.flags import MapFlags  # noqa: E402
from orgraph.result import Result  # noqa: E402

AS_OF = dt.date(2024, 6, 30)
# Limits low enough that the real cascade, overload and churn analyses flag something on the ten-person org
# (every number is worked out by hand in test_flags_as_of_reads_analysis_results). Exits are observed from
# 2023-01-01 (S11's exit, the first one: the start the bundle would infer; pinned so the numbers below do not
# depend on that inference).
FLAGGING = {"data": {"start": "2023-01-01"}, "cascades": {"min_observed": 1, "alpha": 0.1},
            "overload": {"max_span": 3, "max_supervisee_caseload": 50}, "churn": {"min_holders": 1}}


def flagging_org(data=None) -> OrgGraph:
    """``small_org()`` (or ``data``) with the :data:`FLAGGING` settings as its orgraph.toml."""
    data = small_org() if data is None else data
    data.config = Config.from_mapping(FLAGGING, "test orgraph.toml")
    return OrgGraph(data)

FLAGS = MapFlags(overloaded=frozenset({"S2"}), churn_seats=frozenset({"P4"}),
                 cascade_supervisors=frozenset({"S3"}), cascade_departures=frozenset({"S7"}),
                 cascade_links=(("S7", "S3"),), cascade_exit={"S3": "2024-03-31"},
                 reasons={"S7": (f"Left 45 days after their supervisor {staff_ref('S3')} left (flagged cascade)",)},
                 seat_reasons={"P4": f"Churn seat {seat_ref('P4')}: 4 holders, 3 exits"},
                 post_exit={"S8": ("S3", "2024-03-31"), "S9": ("S3", "2024-03-31")})
# Who is in the window after their supervisor left, and nothing flagged: the flags of the small org on AS_OF at
# the default settings (checked in test_default_settings_flag_nothing_on_the_small_org)
WINDOW_ONLY = MapFlags(post_exit={"S8": ("S3", "2024-03-31"), "S9": ("S3", "2024-03-31")})


@pytest.fixture(scope="module")
def org():
    return OrgGraph(small_org())


def page_data(page: str) -> dict:
    """The JSON data block of a map page."""
    m = re.search(r'<script type="application/json" id="orgraph-data">(.*?)</script>', page, re.S)
    return json.loads(m.group(1))


def _by_id(el):
    return {n["id"]: n for n in el["nodes"]}


def test_elements_hand_checked(org):
    el = map_elements(org, as_of=AS_OF, flags=WINDOW_ONLY)
    nodes = _by_id(el)
    # S11 left in 2023 (outside the 90-day lookback and no window) and is not on the map
    assert set(nodes) == {"S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10"}
    assert {k for k, n in nodes.items() if n["left"]} == {"S3", "S7"}
    assert {k for k, n in nodes.items() if n["status"] == "post_exit"} == {"S8", "S9"}
    edges = {(e["from"], e["to"]): e["kind"] for e in el["edges"]}
    assert edges == {
        ("S2", "S1"): "current", ("S4", "S2"): "current", ("S5", "S2"): "current", ("S6", "S2"): "current",
        ("S8", "S2"): "current", ("S9", "S1"): "current", ("S10", "S1"): "current",
        ("S3", "S1"): "former", ("S7", "S3"): "former", ("S8", "S3"): "former", ("S9", "S3"): "former",
        ("S7", "S2"): "former",
    }
    assert nodes["S1"]["span"] == 3 and nodes["S2"]["span"] == 4
    assert nodes["S4"]["caseload"] == 36 and nodes["S1"]["caseload"] is None
    assert nodes["S8"]["title"].splitlines() == [
        "Hal (S8)", "Role: Therapist (clinician)", "Program: Outpatient <b>bold</b>",
        "Tenure: 3.5 years (hired 2021-01-01)", "Caseload: 30 active clients", "Why flagged:",
        f"- Their supervisor {XSS_SCRIPT} (S3) left on 2024-03-31 (91 days before this date)"]
    assert el["counts"] == {"active": 6, "post_exit": 2, "overloaded": 0, "left": 2, "churn_seat": 0, "cascade": 0}


def test_lookback_controls_recent_leavers(org):
    # with a 30-day lookback S7 (left 2024-05-15) drops off; S3 stays as the departed supervisor of S8/S9
    nodes = _by_id(map_elements(org, as_of=AS_OF, flags=WINDOW_ONLY, lookback_days=30))
    assert "S7" not in nodes and nodes["S3"]["left"]


def test_flags_drive_status_shape_and_cascade(org):
    el = map_elements(org, as_of=AS_OF, flags=FLAGS)
    nodes = _by_id(el)
    assert nodes["S2"]["status"] == "overloaded"
    assert nodes["S4"]["churn_seat"] and not nodes["S5"]["churn_seat"]
    assert nodes["S3"]["cascade"] and nodes["S7"]["cascade"] and not nodes["S8"]["cascade"]
    edges = {(e["from"], e["to"]): e["kind"] for e in el["edges"]}
    assert edges[("S7", "S3")] == "cascade"
    assert f"- Left 45 days after their supervisor {XSS_SCRIPT} (S3) left (flagged cascade)" in nodes["S7"]["title"]
    assert "- Churn seat P4: 4 holders, 3 exits" in nodes["S4"]["title"]
    vis_nodes, vis_edges, options, _ = vis_network(el)
    vn = {n["id"]: n for n in vis_nodes}
    assert vn["S4"]["shape"] == "diamond" and vn["S5"]["shape"] == "dot"
    assert vn["S3"]["color"]["border"] == CASCADE_COLOR and vn["S3"]["borderWidth"] == 4
    assert vn["S2"]["color"]["background"] == STATUS_STYLES["overloaded"]["color"]
    assert all(e["arrows"]["to"]["enabled"] for e in vis_edges)


def test_filters(org):
    ids = lambda **kw: set(_by_id(map_elements(org, as_of=AS_OF, flags=WINDOW_ONLY, **kw)))  # noqa: E731
    assert ids(program="CR") == {"S10"}
    assert ids(program="Crisis") == {"S10"}
    assert ids(supervisor="S2") == {"S2", "S4", "S5", "S6", "S7", "S8"}
    assert ids(flagged_only=True) == {"S3", "S7", "S8", "S9"}
    el = map_elements(org, as_of=AS_OF, flags=MapFlags(), program="CR")
    assert el["edges"] == []  # S10's supervisor is in another program
    with pytest.raises(AnalysisError, match=r"no program 'XX' in the data; programs are: CR, OP"):
        map_elements(org, as_of=AS_OF, flags=MapFlags(), program="XX")
    with pytest.raises(AnalysisError, match=r"supervisor 'S11' is not on the map on 2024-06-30"):
        map_elements(org, as_of=AS_OF, flags=MapFlags(), supervisor="S11")
    with pytest.raises(AnalysisError, match=r"--as-of 2031-01-01 is outside the data"):
        map_elements(org, as_of="2031-01-01", flags=MapFlags())


def test_flags_as_of_reads_analysis_results():
    org = flagging_org()
    f = registry.flags_as_of(org, AS_OF)
    assert f.post_exit == WINDOW_ONLY.post_exit
    # cascades: S3 left 2024-03-31 with S7, S8, S9 in their team; S7 left 45 days later. Clinicians' baseline:
    # one exit (S11) in 3557 clinician-days outside post-exit windows (S4, S5, S6, S10: 4 x 547; S8, S9: 2 x 456
    # before S3 left; S7: 456; S11: 1), so about 227 / 3557 = 0.06 exits expected in the team's 45 + 91 + 91
    # days after; p = 1 - exp(-0.0638) = 0.062 < alpha 0.1 with 1 >= min_observed 1: flagged.
    assert f.cascade_supervisors == {"S3"} and f.cascade_departures == {"S7"}
    assert f.cascade_links == (("S7", "S3"),) and f.cascade_exit == {"S3": "2024-03-31"}
    assert f.reasons["S3"] == ("Their exit on 2024-03-31 was followed by 1 departures from their team "
                               "(about 0.1 expected)",)
    assert f.reasons["S7"] == (f"Left 45 days after their supervisor {staff_ref('S3')} left (flagged cascade)",)
    # overload: S2 supervised S4, S5, S6 all 547 days from 2023-01-01 and S7 (45 days), S8 (91 days) from
    # 2024-04-01: 3 + 136/547 = 3.25 > 3; supervisees' active clients: May 40 (S7), June 36+20+25+30 = 111,
    # (40 + 111) / 2 = 75.5 > 50. Two signals: overloaded. S1 (span just over 3, 40 clients) has one.
    assert f.overloaded == {"S2"}
    assert f.reasons["S2"] == ("Overloaded supervisor: direct span averaged 3.2 supervisees (limit 3); "
                               "supervisees carried 76 active clients in an average month (limit 50)",)
    # churn: clinician seats lost 2 holders (S11 from P11, S7 from P7) in 6 x 547 + 501 + 1 = 3784 occupied
    # seat-days. P11's holder S11 left on 2023-01-01, the first day observed, after 1 occupied day: expected
    # 2/3784 = 0.0005, p = 1 - exp(-0.000529) = 0.00053, x 10 seats tested (the director's seat has no
    # expectation) = 0.0053 < fdr 0.1, and 1 holder meets min_holders 1: flagged in the first pass. The second
    # pass leaves P11 out of the baseline: 1 exit (S7) in 3783 seat-days, expected 1/3783, p = 1 - exp(-0.000264)
    # = 0.000264, x 10 = 0.0026. The other seats only reach "watch".
    assert f.churn_seats == {"P11"}
    assert f.seat_reasons == {"P11": f"Holds churn seat {seat_ref('P11')} (Crisis worker): 1 holders, 1 exits, "
                                     "0.0 expected (adjusted p = 0.0026)"}
    assert set(f.reasons) == {"S2", "S3", "S7"} and f.notes == ()
    assert f.any_for("S7") and not f.any_for("S8")


def test_default_settings_flag_nothing_on_the_small_org(org):
    # one exit after S3 left is below [cascades] min_observed 2; S2 is under every default limit; no seat has
    # 3 holders in 24 months. S8 and S9 (S3's team in the 30 days before S3 left on 2024-03-31, still employed)
    # are 91 days into the 180-day window after their supervisor left; S7, also in that team, has left.
    f = registry.flags_as_of(org, AS_OF)
    assert f == WINDOW_ONLY
    assert report_flags.post_exit_flags(org, AS_OF) == {"post_exit": dict(WINDOW_ONLY.post_exit)}
    # the window is over after 180 days: on 2024-09-27 (180 days after) still in, not on 2024-09-28
    late = OrgGraph(small_org(), data_end=dt.date(2024, 12, 31))
    assert set(report_flags.post_exit_flags(late, dt.date(2024, 9, 27))["post_exit"]) == {"S8", "S9"}
    assert report_flags.post_exit_flags(late, dt.date(2024, 9, 28))["post_exit"] == {}


def test_map_flags_keep_only_what_happened_before_the_day():
    org = flagging_org()
    results, notes = registry.run_analyses(org, as_of=AS_OF, names=("cascades", "overload", "churn"))
    assert notes == [] and all(isinstance(r, Result) for r in results.values())
    full = registry.flags_as_of(org, AS_OF)  # also says who is in the post-exit window, from the org itself
    assert dataclasses.replace(registry.map_flags(results, as_of=AS_OF), post_exit=full.post_exit) == full
    # on 2024-05-01 S3 had left (2024-03-31) but S7 had not yet (2024-05-15)
    f = registry.map_flags(results, as_of="2024-05-01")
    assert f.cascade_supervisors == {"S3"} and f.cascade_departures == frozenset() and f.cascade_links == ()
    assert f.overloaded == {"S2"} and f.churn_seats == {"P11"}
    # a cascade is drawn only from the day after the supervisor left
    assert registry.map_flags(results, as_of="2024-03-31").cascade_supervisors == frozenset()
    # the report functions one by one, merged: the same flags
    parts = [report_flags.cascade_flags(results["cascades"], AS_OF),
             report_flags.overload_flags(results["overload"], AS_OF),
             report_flags.churn_flags(results["churn"], AS_OF)]
    assert report_flags.merge(parts) == registry.map_flags(results, as_of=AS_OF)
    assert report_flags.merge(parts + [report_flags.post_exit_flags(org, AS_OF)]) == full
    assert [c["supervisor_id"] for c in report_flags.flagged_cascades(results["cascades"], AS_OF)] == ["S3"]
    assert report_flags.flagged_cascades(results["cascades"], dt.date(2024, 3, 31)) == []


def test_flags_as_of_notes_analyses_that_cannot_run(org):
    f = registry.flags_as_of(org, "2017-06-30")
    assert f.overloaded == frozenset() and f.cascade_supervisors == frozenset() and len(f.notes) == 3
    assert ("overloaded supervisors: not run — --as-of 2017-06-30 is before the first day of data (2018-01-01)"
            in f.notes)


def test_build_map_draws_flags_only_when_given():
    org = flagging_org()
    plain = {n["id"]: n for n in page_data(build_map(org, as_of=AS_OF))["nodes"]}
    flagged = {n["id"]: n for n in page_data(build_map(org, as_of=AS_OF,
                                                       flags=registry.flags_as_of(org, AS_OF)))["nodes"]}
    assert plain["S2"]["status"] != "overloaded" and flagged["S2"]["status"] == "overloaded"
    # without flags nobody is in a post-exit window: S3 (left 91 days ago, beyond the 90-day lookback) is gone
    assert "S3" not in plain and plain["S8"]["status"] == "active" and flagged["S8"]["status"] == "post_exit"
    assert flagged["S3"]["borderWidth"] == 4 and flagged["S3"]["color"]["border"] == CASCADE_COLOR
    assert flagged["S7"]["color"]["border"] == CASCADE_COLOR
    # "flagged" on the page: any status but active (S7 left 46 days before), a churn seat or a cascade
    assert {k for k, n in plain.items() if n["flagged"]} == {"S7"}
    assert {k for k, n in flagged.items() if n["flagged"]} == {"S2", "S3", "S7", "S8", "S9"}


def test_script_json_cannot_close_the_script():
    text = script_json({"a": XSS_SCRIPT, "b": "x & y > z", "c": "\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": XSS_SCRIPT, "b": "x & y > z", "c": "\u2028"}


def test_page_is_self_contained_and_escaped(org):
    page = build_map(org, as_of=AS_OF, flags=FLAGS, title="Map <of> & things")
    assert XSS_SCRIPT not in page and "<img src=x" not in page
    assert "<b>bold</b>" not in page  # program names reach the page only as escaped JSON
    assert not re.search(r"<(link|iframe|img|object|embed)\b", page, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)
    assert "<title>Map &lt;of&gt; &amp; things</title>" in page
    assert "sourceMappingURL" not in page
    assert page.count("</script") == 3  # vis-network, the JSON data, the map script


def test_template_tokens_in_names_are_plain_text():
    data = small_org()
    data.staff["S5"] = dataclasses.replace(data.staff["S5"], name="{{MAP_JS}} {{DATA}}")
    page = build_map(OrgGraph(data), as_of=AS_OF, flags=MapFlags(), title="{{VIS_JS}}")
    names = [n["name"] for n in page_data(page)["nodes"]]
    assert "{{MAP_JS}} {{DATA}}" in names
    assert "<title>{{VIS_JS}}</title>" in page and page.count("</script") == 3


def test_anonymized_map_has_no_names_or_ids(org):
    page = build_map(org, as_of=AS_OF, flags=FLAGS, anonymize=True, key=ANON_KEY)
    data = page_data(page)
    text = json.dumps(data, ensure_ascii=False) + page.split("<header>")[1].split("</header>")[0]
    for s in org.data.staff.values():
        assert s.name not in text, s.name
        assert not re.search(rf"\b{s.staff_id}\b", text), s.staff_id
    p = Pseudonymizer(ANON_KEY)
    assert f'"{p("S7")}"' in page and f'"{p("S3")}"' in page
    el = map_elements(org, as_of=AS_OF, flags=FLAGS, anonymize=True, key=ANON_KEY)
    # months, not days; a tenure band, not days or a hire date; never how a person left; seats as pseudonyms
    assert _by_id(el)[p("S7")]["title"] == (
        f"{p('S7')}\nRole: Therapist (clinician)\nProgram: Outpatient <b>bold</b>\nTenure: 2-5 years\n"
        f"Caseload: 40 active clients\nWhy flagged:\n- Left in 2024-05\n"
        f"- Left 45 days after their supervisor {p('S3')} left (flagged cascade)")
    assert _by_id(el)[p("S8")]["title"].endswith(f"- Their supervisor {p('S3')} left in 2024-03")
    assert _by_id(el)[p("S4")]["title"].endswith(f"- Churn seat {p.seat('P4')}: 4 holders, 3 exits")
    # the legend's counts follow the small-cell rule of every other table (1 to 4 people: "<5")
    assert el["counts"] == {"active": 5, "post_exit": "<5", "overloaded": "<5", "left": "<5", "churn_seat": "<5",
                            "cascade": "<5"}
    assert el["totals"] == {"people": 10, "employed": 8, "left": "<5"}
    assert "(8 employed, 2 who left)" in build_map(org, as_of=AS_OF, flags=FLAGS)
    assert "(8 employed, &lt;5 who left)" in page and '"overloaded": "\\u003c5"' in page
    teams = aggregate_elements(el, by="teams")
    assert sorted(n["label"] for n in teams["nodes"]) == sorted(
        [f"{p('S2')} team (5)", f"{p('S3')} team (<5)", f"{p('S1')} team (<5)"])
    assert "Team: <5 left, <5 in flagged cascades" in _by_id(teams)[p("S3")]["title"]
    assert map_elements(org, as_of=AS_OF, flags=FLAGS, anonymize=True, key=ANON_KEY, min_cell=2)["counts"][
        "post_exit"] == 2
    with pytest.raises(ConfigError, match="anonymizing needs a key"):
        map_elements(org, as_of=AS_OF, flags=FLAGS, anonymize=True, key=None)


def test_team_layout_separates_people_and_programs():
    nodes = {f"a{i}": "A" for i in range(40)} | {f"b{i}": "B" for i in range(25)}
    parent = {f"a{i}": "a0" for i in range(1, 8)} | {f"a{i}": f"a{1 + i % 7}" for i in range(8, 40)}
    parent |= {f"b{i}": "b0" for i in range(1, 25)}
    pos, regions = team_layout(nodes, parent)
    pts = list(pos.values())
    closest = min(math.dist(p, q) for i, p in enumerate(pts) for q in pts[i + 1:])
    assert closest > 30  # a cell per person, wide enough for its label ("a12") under the dot
    (ax0, ay0, ax1, ay1, _), (bx0, by0, bx1, by1, _) = regions["A"], regions["B"]
    assert ax1 < bx0 or bx1 < ax0 or ay1 < by0 or by1 < ay0
    for n, (x, y) in pos.items():  # everyone inside their program's region
        x0, y0, x1, y1, _ = regions[nodes[n]]
        assert x0 < x < x1 and y0 < y < y1, n
    # a0 leads leads: its program's first cluster (in the top row, first), then the teams of a1..a7, each lead
    # in its middle
    assert all(pos["a0"][1] <= pos[f"a{k}"][1] for k in range(1, 8))
    assert all(pos["a0"][0] < pos[f"a{k}"][0] for k in range(1, 8) if pos[f"a{k}"][1] == pos["a0"][1])
    for k in range(1, 8):
        team = [pos[f"a{i}"] for i in range(8, 40) if 1 + i % 7 == k]
        cx, cy = sum(p[0] for p in team) / len(team), sum(p[1] for p in team) / len(team)
        assert math.dist((cx, cy), pos[f"a{k}"]) < 40
    # the same input gives the same picture
    assert team_layout(dict(reversed(nodes.items())), parent) == (pos, regions)


# ------------------------------------------------------------------ browser
@pytest.mark.browser
def test_map_in_browser_offline_and_inert(org, browser, tmp_path):
    path = tmp_path / "map.html"
    path.write_text(build_map(org, as_of=AS_OF, flags=FLAGS), encoding="utf-8")
    r = browser.load(path)
    assert r["ok"], r
    assert r["console_errors"] == [] and r["external_requests"] == [] and r["alerts"] == []
    assert [u for u in r["requests"]] == [path.resolve().as_uri()]
    assert browser.js("return [network.body.data.nodes.length, network.body.data.edges.length]") == [10, 12]
    names = browser.js("return window.orgraphMap.nodes.get().map(function (n) { return n.name; })")
    assert XSS_IMG in names and XSS_SCRIPT in names
    legend = browser.js("return document.getElementById('legend').innerText")
    for text in ("Legend", "Active, nothing flagged (5)", "Overloaded supervisor (1)", "churn seat",
                 "flagged cascade", "supervisee \u2192 supervisor",
                 "Size: directors and supervisors larger than the people they supervise"):
        assert text in legend
    assert browser.js("return document.querySelectorAll('#legend-items li').length") == 12
    # hover each payload node: the tooltip shows the text, makes no elements and runs nothing
    for sid, payload in (("S2", XSS_IMG), ("S3", XSS_SCRIPT)):
        tip = _hover(browser, sid)
        assert payload in tip["text"] and tip["children"] == 0, tip  # only the <br>s of innerText
    assert "Why flagged:\n- Overloaded supervisor" in _hover(browser, "S2")["text"]
    assert browser.js("return window.__pwned === undefined") and browser.alert_text() is None
    # find box
    browser.js("var s = document.getElementById('search'); s.value = 'Ivy';"
               "s.dispatchEvent(new Event('change'));")
    assert browser.js("return network.getSelectedNodes()") == ["S9"]
    assert browser.report()["console_errors"] == []


def _hover(browser, node_id):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    browser.js("network.setOptions({physics: {enabled: false}}); network.fit({animation: false}); network.redraw();")
    x, y = browser.js("var p = network.getPositions([arguments[0]])[arguments[0]];"
                      "var d = network.canvasToDOM(p); return [d.x, d.y];", node_id)
    canvas = browser.driver.find_element(By.CSS_SELECTOR, "#map canvas")
    w, h = canvas.size["width"], canvas.size["height"]
    ActionChains(browser.driver).move_to_element_with_offset(canvas, 0, 0).perform()
    ActionChains(browser.driver).move_to_element_with_offset(canvas, int(x - w / 2), int(y - h / 2)).perform()
    browser.js("return 1")
    import time
    deadline = time.time() + 5
    tip = {}
    while time.time() < deadline:
        tip = browser.js("var t = document.querySelector('div.vis-tooltip');"
                         "return t ? {text: t.innerText, children: Array.prototype.filter.call(t.querySelectorAll('*'),"
                         " function (e) { return e.tagName !== 'BR'; }).length,"
                         " visible: t.style.visibility} : null;")
        if tip and tip["visible"] == "visible" and tip["text"]:
            return tip
        time.sleep(0.1)
    raise AssertionError(f"no tooltip for {node_id}: {tip}")


@pytest.mark.browser
@pytest.mark.slow
def test_large_org_opens_at_team_level_quickly(browser, tmp_path):
    org = OrgGraph(random_org(5000, seed=3))
    _, _, data = map_data(org, flags=MapFlags())
    el = map_elements(org, flags=MapFlags())
    assert len(el["nodes"]) > TEAM_LEVEL_ABOVE and data["teams"]
    path = tmp_path / "big.html"
    path.write_text(build_map(org, flags=MapFlags()), encoding="utf-8")
    r = browser.load(path, timeout=60)
    assert r["ok"] and r["console_errors"] == [] and r["external_requests"] == []
    in_team = {m for t in data["teams"] for m in t["members"]}
    assert browser.js("return network.body.data.nodes.length") == len(data["teams"]) + len(
        [n for n in el["nodes"] if n["id"] not in in_team])
    assert browser.js("return network.physics.options.enabled") is False
    assert browser.js("return window.orgraphMap.firstRenderMs") < 15000
    # everyone, on demand, in their places; zoom and redraw still respond
    browser.js("document.getElementById('show-all').click()")
    assert browser.js("return network.body.data.nodes.length") == len(el["nodes"])
    assert browser.js("return network.body.data.edges.length") == len(el["edges"])
    assert browser.js("var t = performance.now(); network.moveTo({scale: 1.0}); network.redraw();"
                      "return performance.now() - t;") < 5000


# ------------------------------------------------------------------ timeline
def test_timeline_dates():
    from orgraph.render.timeline import timeline_dates

    assert [d.isoformat() for d in timeline_dates("2023-12-31", "2024-06-30", "quarter")] == [
        "2023-12-31", "2024-03-31", "2024-06-30"]
    assert len(timeline_dates("2024-01-01", "2024-06-30", "month")) == 7  # 6 month starts + the end
    with pytest.raises(AnalysisError, match="--to 2023-01-01 is before --from 2024-01-01"):
        timeline_dates("2024-01-01", "2023-01-01")


@pytest.mark.browser
def test_timeline_in_browser(org, browser, tmp_path):
    from orgraph.render.timeline import build_timeline

    page = build_timeline(org, start="2023-12-31", end="2024-06-30", every="quarter",
                          flags_for=lambda d: registry.flags_as_of(org, d))
    expected = [map_elements(org, as_of=d, flags=registry.flags_as_of(org, d))
                for d in ("2023-12-31", "2024-03-31", "2024-06-30")]
    data = page_data(page)
    assert [f["date"] for f in data["frames"]] == ["2023-12-31", "2024-03-31", "2024-06-30"]
    # one shared layout: a person has the same position in every frame
    for f, el in zip(data["frames"], expected):
        assert [n["id"] for n in f["nodes"]] == [n["id"] for n in el["nodes"]]
        assert len(f["edges"]) == len(el["edges"])
        for n in f["nodes"]:
            assert "x" not in n and "y" not in n  # positions live in nodeBase: one place per person
    assert all("x" in b and "y" in b for b in data["nodeBase"].values())
    assert data["nodeBase"]["S8"]["label"] == "Hal"
    path = tmp_path / "timeline.html"
    path.write_text(page, encoding="utf-8")
    r = browser.load(path)
    assert r["ok"] and r["console_errors"] == [] and r["external_requests"] == [] and r["alerts"] == []
    for i, el in enumerate(expected):
        browser.js("var s = document.getElementById('slider'); s.value = arguments[0];"
                   "s.dispatchEvent(new Event('input'));", str(i))
        got = browser.js("return [network.body.data.nodes.length, network.body.data.edges.length,"
                         " document.getElementById('frame-date').textContent]")
        assert got == [len(el["nodes"]), len(el["edges"]), el["as_of"]]
    # on 2024-03-31 S3 is still employed (last day); on 2024-06-30 S3 is a departed supervisor
    assert browser.js("return network.body.data.nodes.get('S3').status") == "left"
    assert browser.js("return window.__pwned === undefined") and browser.alert_text() is None


# ----------------------------------------------------------------------- CLI
@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    from orgraph.synth import generate

    out = tmp_path_factory.mktemp("bundle") / "org"
    generate(staff=60, years=3, seed=5, out=out)
    return out


def test_cli_map_and_errors(bundle, tmp_path):
    from click.testing import CliRunner

    from orgraph.cli import main

    runner = CliRunner()
    out = tmp_path / "m.html"
    r = runner.invoke(main, ["map", str(bundle), "--out", str(out), "--flagged-only"])
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"Wrote the map to {out} (")
    assert "orgraph-data" in out.read_text()
    r = runner.invoke(main, ["map", str(bundle), "--program", "NOPE", "--out", str(out)])
    assert r.exit_code == 1 and r.output.startswith("Error: no program 'NOPE' in the data; programs are: ")
    r = runner.invoke(main, ["map", str(bundle), "--as-of", "2024-01-01", "--from", "2023-01-01"])
    assert r.exit_code == 2 and "use either --as-of (one map) or --from/--to (a timeline), not both" in r.output
    tl = tmp_path / "t.html"
    r = runner.invoke(main, ["map", str(bundle), "--from", "2024-01-01", "--every", "quarter", "--out", str(tl)])
    assert r.exit_code == 0, r.output
    assert len(page_data(tl.read_text())["frames"]) >= 4
    r = runner.invoke(main, ["snapshot", str(bundle), "--out", str(tmp_path / "p"), "--anonymize"],
                      env={"ORGRAPH_ANON_KEY": ""})
    assert r.exit_code == 1 and r.output.startswith("Error: --anonymize needs a key")
    r = runner.invoke(main, ["snapshot", str(bundle), "--out", str(tmp_path / "p"), "--anonymize", "--key", ANON_KEY,
                             "--no-png"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "p" / "index.html").exists() and not (tmp_path / "p" / "map.png").exists()
    assert "Open index.html." in r.output.splitlines()[0]


def test_cli_help_mentions_team_level():
    from orgraph.cli.maps import map_cmd

    assert f"Above {TEAM_LEVEL_ABOVE} people the map opens at team level" in " ".join(map_cmd.help.split())


def test_team_and_program_views(org):
    el = map_elements(org, as_of=AS_OF, flags=FLAGS)
    teams = aggregate_elements(el, by="teams")
    nodes = {n["id"]: n for n in teams["nodes"]}
    # leaders: S1 (S2, S9, S10 and former S3), S2 (S4, S5, S6, S8; S7 formerly), S3 (S7, S8, S9 formerly)
    assert set(nodes) == {"S1", "S2", "S3"}
    assert sum(n["weight"] for n in nodes.values()) == 10
    assert nodes["S2"]["status"] == "overloaded" and nodes["S3"]["cascade"]
    assert "Team: " in nodes["S2"]["title"]
    # S7 is in S3's team (its cascade link); former links of members cross teams
    assert {(e["from"], e["to"]): e["kind"] for e in teams["edges"]} == {
        ("S2", "S1"): "current", ("S3", "S1"): "former", ("S3", "S2"): "former", ("S2", "S3"): "former",
        ("S1", "S3"): "former"}
    progs = aggregate_elements(el, by="programs")
    assert sorted((n["label"], n["weight"]) for n in progs["nodes"]) == [("Crisis (1)", 1),
                                                                       ("Outpatient <b>bold</b> (9)", 9)]
    assert [(e["from"], e["to"], e["count"]) for e in progs["edges"]] == [("program:CR", "program:OP", 1)]
    with pytest.raises(AnalysisError, match="unknown map view 'x'"):
        build_map(org, as_of=AS_OF, flags=FLAGS, view="x")


@pytest.mark.browser
def test_team_view_in_browser(org, browser, tmp_path):
    path = tmp_path / "teams.html"
    path.write_text(build_map(org, as_of=AS_OF, flags=FLAGS, view="teams"), encoding="utf-8")
    r = browser.load(path)
    assert r["ok"] and r["console_errors"] == [] and r["external_requests"] == [] and r["alerts"] == []
    assert browser.js("return [network.body.data.nodes.length, network.body.data.edges.length]") == [3, 5]
    assert "Size: people in the team" in browser.js("return document.getElementById('legend').innerText")
    assert browser.js("return window.__pwned === undefined")


def test_latest_caseload_is_each_persons_last_month_up_to_the_day():
    import pandas as pd

    from orgraph.model import OrgData
    from orgraph.render.elements import _latest_caseload

    cl = pd.DataFrame({"staff_id": ["S2", "S1", "S1", "S3", "S2", "S1", None],
                       "month": pd.to_datetime(["2024-03-01", "2024-01-01", "2024-03-01", "2024-07-01",
                                                "2024-01-01", "2024-02-01", "2024-01-01"]),
                       "active_clients": [12, 30, 31, 5, 10, 29, 99]})
    org = OrgGraph(OrgData(caseload=cl))
    # by hand: on 2024-03-15 S1's latest month is March (31) and S2's is March (12); S3 starts in July;
    # on 2024-02-29 S1 has February (29) and S2 January (10); the row with no id is no one's
    assert _latest_caseload(org, dt.date(2024, 3, 15)) == {"S1": 31, "S2": 12}
    assert _latest_caseload(org, dt.date(2024, 2, 29)) == {"S1": 29, "S2": 10}
    cat = OrgGraph(OrgData(caseload=cl.assign(staff_id=cl["staff_id"].astype("category"))))
    assert _latest_caseload(cat, dt.date(2024, 7, 1)) == {"S1": 31, "S2": 12, "S3": 5}
