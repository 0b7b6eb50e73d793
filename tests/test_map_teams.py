"""Maps that show teams: the team layout, sizes by level, readable labels, the team level of large maps, map.png.

Measured as a reader would: positions and sizes from the page data and, in headless Chromium (network off, a
1400 x 900 window), from vis-network itself: its scale at fit times each label's font size is the label's size on
screen in pixels.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser import browser, random_org, small_org  # noqa: E402,F401
from conftest import ANON_KEY  # noqa: E402

from orgraph import registry  # noqa: E402
from orgraph.graph import OrgGraph  # noqa: E402
from orgraph.render import charts  # noqa: E402
from orgraph.render.elements import map_elements  # noqa: E402
from orgraph.render.layout import levels, node_style, split_label, team_layout  # noqa: E402
from orgraph.render.maps import build_map, map_data  # noqa: E402
from orgraph.render.page import LABEL_MIN_PX  # noqa: E402
from orgraph.render.static_map import map_figure, opening_view  # noqa: E402
from orgraph.render.teams import TEAM_LEVEL_ABOVE  # noqa: E402
from orgraph.report.flags import MapFlags  # noqa: E402

AS_OF = dt.date(2024, 6, 30)


def members_nearest_their_supervisor(parents: dict, pos: dict) -> tuple[int, int]:
    """(team members checked, members closer to some other supervisor than to their own).

    A team member is a person who supervises no one on the map and has a supervisor on it; "supervisors" are
    everyone who supervises someone on the map.
    """
    leads = sorted(set(parents.values()))
    index = {lead: k for k, lead in enumerate(leads)}
    lead_xy = np.array([pos[lead] for lead in leads], dtype=float)
    members = [m for m in parents if m not in index]
    xy = np.array([pos[m] for m in members], dtype=float)
    d = np.hypot(xy[:, None, 0] - lead_xy[None, :, 0], xy[:, None, 1] - lead_xy[None, :, 1])
    own = np.array([index[parents[m]] for m in members])
    d_own = d[np.arange(len(members)), own]
    d[np.arange(len(members)), own] = np.inf
    return len(members), int((d.min(axis=1) <= d_own).sum())


# ------------------------------------------------------------------ layout and sizes
def test_levels_and_sizes_follow_the_hierarchy():
    # S1 director over S2 (supervisor) over S4, S5, S6, S8; S1 also over the clinicians S9, S10
    el = map_elements(OrgGraph(small_org()), as_of=AS_OF, flags=MapFlags())
    roles = {n["id"]: n["role"] for n in el["nodes"]}
    lv = levels(roles, el["parents"], roles)
    assert (lv["S1"], lv["S2"], lv["S4"], lv["S9"], lv["S10"]) == (2, 1, 0, 0, 0)
    assert roles["S1"] == "director" and roles["S2"] == "supervisor"
    # a cycle is cut, not followed forever; a supervisor is always above their supervisee
    assert levels("ab", {"a": "b", "b": "a"}) in ({"a": 0, "b": 1}, {"a": 1, "b": 0})
    assert node_style(2)[0] > node_style(1)[0] > node_style(0)[0]
    assert node_style(2)[1] > node_style(1)[1] > node_style(0)[1]
    assert split_label("Dee & \"Quotes\" 'O'Neil'") == "Dee & \"Quotes\"\n'O'Neil'"


def test_supervisors_are_drawn_larger_than_their_supervisees(riverbend):
    _, _, data = map_data(riverbend, flags=registry.flags_as_of(riverbend, None))
    size = {n["id"]: n["size"] for n in data["nodes"]}
    font = {n["id"]: n["font"]["size"] for n in data["nodes"]}
    current = [(e["from"], e["to"]) for e in data["edges"] if e["kind"] == "current"]
    assert len(current) > 140
    assert all(size[sup] > size[sub] and font[sup] > font[sub] for sub, sup in current)
    # not by caseload: every clinician is the same size
    roles = {n["id"]: n["role"] for n in map_elements(riverbend)["nodes"]}
    assert len({size[i] for i, r in roles.items() if r == "clinician" and i not in {s for _, s in current}}) == 1


def test_example_teams_are_clusters_grouped_by_program(riverbend):
    el = map_elements(riverbend, flags=registry.flags_as_of(riverbend, None))
    _, _, data = map_data(riverbend, flags=registry.flags_as_of(riverbend, None))
    pos = {n["id"]: (n["x"], n["y"]) for n in data["nodes"]}
    checked, wrong = members_nearest_their_supervisor(el["parents"], pos)
    assert checked > 120 and wrong == 0
    program = {n["id"]: n["program"] for n in el["nodes"]}
    for pid, (x0, y0, x1, y1, _) in data["regions"].items():
        inside = {i for i, (x, y) in pos.items() if x0 < x < x1 and y0 < y < y1}
        assert inside == {i for i, p in program.items() if p == pid}, pid
    # leadership above: the executive (who supervises the six program directors) is above everyone else
    exec_id = max(data["nodes"], key=lambda n: n["rank"])["id"]
    assert sorted(program[c] for c, p in el["parents"].items() if p == exec_id) == sorted(
        set(program.values()) - {program[exec_id]})
    assert pos[exec_id][1] < min(y for i, (x, y) in pos.items() if i != exec_id)
    assert len(data["regions"]) == 7 and "teams" not in data  # 164 people: the people, not team circles


def test_500_person_org_shows_teams_not_rings(synth_org):
    _, org, _ = synth_org(staff=500, years=5, seed=1)
    el = map_elements(org, flags=registry.flags_as_of(org, None))
    assert len(el["nodes"]) > TEAM_LEVEL_ABOVE
    _, _, data = map_data(org, flags=registry.flags_as_of(org, None))
    pos = {n["id"]: (n["x"], n["y"]) for n in data["nodes"]}
    checked, wrong = members_nearest_their_supervisor(el["parents"], pos)
    assert checked > 400 and wrong == 0
    # an org of 1,200 built another way, and a timeline's shared layout, keep the same property
    big = map_elements(OrgGraph(random_org(1200, seed=2)), flags=MapFlags())
    _, _, big_data = map_data(OrgGraph(random_org(1200, seed=2)), flags=MapFlags())
    checked, wrong = members_nearest_their_supervisor(big["parents"], {n["id"]: (n["x"], n["y"])
                                                                      for n in big_data["nodes"]})
    assert checked > 1000 and wrong == 0


def test_layout_time_is_about_linear():
    import time

    def run(n):
        nodes = {f"p{i}": f"P{i // 400}" for i in range(n)}
        parent = {f"p{i}": f"p{(i // 400) * 400 + (i % 400) // 8 * 8 if i % 8 else (i // 400) * 400}"
                  for i in range(n) if i % 400}
        t = time.perf_counter()
        team_layout(nodes, parent)
        return time.perf_counter() - t

    small, large = run(1000), run(8000)
    assert large < 20 * small + 0.5  # 8 times the people: well under 64 times the time


# ------------------------------------------------------------------ team level
def test_large_map_opens_at_team_level(synth_org):
    _, org, _ = synth_org(staff=500, years=5, seed=1)
    el = map_elements(org, flags=registry.flags_as_of(org, None))
    title, subtitle, data = map_data(org, flags=registry.flags_as_of(org, None))
    teams = data["teams"]
    names = {n["id"]: n["label"] for n in el["nodes"]}
    programs = el["programs"]
    kids: dict = {}
    for c, p in el["parents"].items():
        kids.setdefault(p, []).append(c)
    for t in teams:
        lead = t["members"][0]
        assert t["id"] == f"team:{lead}" and t["name"] == names[lead]
        assert t["members"][1:] == sorted(c for c in kids[lead] if c not in kids)  # its non-supervising reports
        assert f"{len(t['members'])} people" in t["label"] and names[lead].split()[0] in t["label"]
        assert programs[t["program"]] in t["title"] and "Click to show the people." in t["title"]
    assert len(teams) > 50 and f"shown as {len(teams)} teams" in subtitle
    nodes, edges = opening_view(data)
    assert len(nodes) == len(teams) + len(el["nodes"]) - sum(len(t["members"]) for t in teams)
    assert sum(e.get("count", 1) for e in edges) < len(el["edges"])
    # smaller maps open with the people; either can be asked for
    _, _, few = map_data(org, flags=MapFlags(), program=el["nodes"][0]["program"])
    assert "teams" not in few
    assert "teams" not in map_data(org, team_level=False)[2]
    assert map_data(OrgGraph(small_org()), as_of=AS_OF, team_level=True)[2]["teams"]


def test_team_level_of_an_anonymized_map_suppresses_small_counts():
    org = OrgGraph(small_org())
    # one team folds: S2 with S4, S5, S6, S8 and S7 (left 46 days before); S1 leads a lead and stays a person
    _, _, data = map_data(org, as_of=AS_OF, flags=MapFlags(), team_level=True, anonymize=True, key=ANON_KEY)
    assert [t["label"].split("\n")[1] for t in data["teams"]] == ["6 people"]
    _, _, data = map_data(org, as_of=AS_OF, flags=MapFlags(), team_level=True, anonymize=True, key=ANON_KEY,
                          min_cell=10)
    assert [t["label"].split("\n")[1] for t in data["teams"]] == ["<10 people"]
    assert "Team: <10 active, <10 left" in data["teams"][0]["title"]
    text = " ".join(t["label"] + t["title"] for t in data["teams"])
    assert not any(s.name in text for s in org.data.staff.values())


# ------------------------------------------------------------------ map.png without Chromium
def test_drawn_map_has_labels_and_a_legend(riverbend):
    title, subtitle, data = map_data(riverbend, flags=registry.flags_as_of(riverbend, None))
    fig = map_figure(data, title=title, subtitle=subtitle)
    texts = {t.get_text() for t in fig.axes[0].texts}
    programs = {p.name for p in riverbend.data.programs.values()}
    assert programs <= texts  # every program's name
    leads = {n["label"] for n in data["nodes"] if n["rank"] > 0}
    assert leads <= texts  # every supervisor's and director's name
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any(t.startswith("Active, nothing flagged") for t in legend) and len(legend) >= 10
    assert title in {t.get_text() for t in fig.texts}


def test_pack_without_chromium_draws_the_map_and_tells_the_terminal(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from orgraph.cli import main
    from orgraph.synth import generate

    generate(staff=60, years=3, seed=5, out=tmp_path / "org")
    monkeypatch.setattr(charts, "find_chromium", lambda: None)
    r = CliRunner().invoke(main, ["snapshot", str(tmp_path / "org"), "--out", str(tmp_path / "pack")])
    assert r.exit_code == 0, r.output
    assert "Chromium was not found" in r.stderr and "Chromium" not in r.stdout
    index = (tmp_path / "pack" / "index.html").read_text(encoding="utf-8")
    assert "Chromium" not in index and "matplotlib" not in index
    png = (tmp_path / "pack" / "map.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000  # a drawing with text, not a few dots


# ------------------------------------------------------------------ in the browser
LABELS_JS = """
var s = network.getScale(), out = {};
network.body.data.nodes.forEach(function (n) {
  var b = network.body.nodes[n.id];
  out[n.id] = {px: b.options.font.size * s, shown: b.labelModule.visible(), size: b.options.size * s,
               rank: n.rank || 0, team: !!n.team};
});
return {scale: s, width: network.canvas.frame.canvas.clientWidth, nodes: out};
"""


@pytest.mark.browser
def test_example_map_labels_read_at_fit(riverbend, browser, tmp_path):
    flags = registry.flags_as_of(riverbend, None)
    el = map_elements(riverbend, flags=flags)
    path = tmp_path / "riverbend.html"
    path.write_text(build_map(riverbend, flags=flags), encoding="utf-8")
    r = browser.load(path)
    assert r["ok"] and r["console_errors"] == [] and r["external_requests"] == []
    browser.driver.save_screenshot(str(tmp_path / "riverbend.png"))
    m = browser.js(LABELS_JS)
    assert m["width"] <= 1400 - 250
    shown = {i: v for i, v in m["nodes"].items() if v["shown"]}
    assert min(v["px"] for v in shown.values()) >= LABEL_MIN_PX
    # every supervisor and director is named at fit
    leads = {i for i, v in m["nodes"].items() if v["rank"] > 0}
    assert len(leads) == 26 and leads <= set(shown)
    # and drawn larger than the people they supervise
    for c, p in el["parents"].items():
        assert m["nodes"][p]["size"] > m["nodes"][c]["size"], (c, p)
    # zoomed to one team (what a click on a team does at team level), everyone in it is named
    team = [c for c, p in el["parents"].items() if p == "S0148"] + ["S0148"]
    browser.js("network.fit({nodes: arguments[0], animation: false})", team)
    m = browser.js(LABELS_JS)
    assert all(m["nodes"][i]["shown"] and m["nodes"][i]["px"] >= LABEL_MIN_PX for i in team)


@pytest.mark.browser
def test_500_person_map_opens_at_team_level_and_a_click_opens_a_team(synth_org, browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    _, org, _ = synth_org(staff=500, years=5, seed=1)
    flags = registry.flags_as_of(org, None)
    el = map_elements(org, flags=flags)
    _, _, data = map_data(org, flags=flags)
    path = tmp_path / "org500.html"
    path.write_text(build_map(org, flags=flags), encoding="utf-8")
    r = browser.load(path)
    assert r["ok"] and r["console_errors"] == [] and r["external_requests"] == []
    browser.driver.save_screenshot(str(tmp_path / "org500-teams.png"))
    m = browser.js(LABELS_JS)
    circles = {i: v for i, v in m["nodes"].items() if v["team"]}
    assert len(circles) == len(data["teams"]) and len(m["nodes"]) < 150
    shown = [v for v in m["nodes"].values() if v["shown"]]
    assert min(v["px"] for v in shown) >= LABEL_MIN_PX
    assert sum(v["shown"] for v in circles.values()) >= 0.85 * len(circles)  # most teams named at fit
    # click the largest team's circle: its people appear, fitted, named
    team = max(data["teams"], key=lambda t: len(t["members"]))
    x, y = browser.js("var p = network.getPositions([arguments[0]])[arguments[0]];"
                      "var d = network.canvasToDOM(p); return [d.x, d.y];", team["id"])
    canvas = browser.driver.find_element(By.CSS_SELECTOR, "#map canvas")
    w, h = canvas.size["width"], canvas.size["height"]
    ActionChains(browser.driver).move_to_element_with_offset(canvas, int(x - w / 2), int(y - h / 2)).click().perform()
    browser.js("return 1")
    ids = set(browser.js("return network.body.data.nodes.getIds()"))
    assert team["id"] not in ids and set(team["members"]) <= ids
    m = browser.js(LABELS_JS)
    assert all(m["nodes"][i]["shown"] and m["nodes"][i]["px"] >= LABEL_MIN_PX for i in team["members"])
    browser.driver.save_screenshot(str(tmp_path / "org500-team-open.png"))
    # everyone: each team member is nearer their own supervisor than any other, measured on the page
    browser.js("document.getElementById('show-all').click()")
    pos = browser.js("var p = network.getPositions(), o = {};"
                     "for (var k in p) { o[k] = [p[k].x, p[k].y]; } return o;")
    assert len(pos) == len(el["nodes"])
    checked, wrong = members_nearest_their_supervisor(el["parents"], pos)
    assert checked > 400 and wrong == 0
    # the find box opens a folded team
    browser.js("document.getElementById('show-teams').click()")
    someone = next(n for n in el["nodes"] if n["id"] in team["members"][1:])
    browser.js("var s = document.getElementById('search'); s.value = arguments[0];"
               "s.dispatchEvent(new Event('change'));", someone["id"])
    assert browser.js("return network.getSelectedNodes()") == [someone["id"]]


def test_packing_many_teams_places_every_box_without_overlap_and_near_the_window_shape():
    import random

    from orgraph.render.layout import _ASPECT, _EXHAUSTIVE, _pack

    rnd = random.Random(5)
    items = [(f"t{i}", rnd.uniform(20, 400), rnd.uniform(20, 300)) for i in range(3 * _EXHAUSTIVE + 7)]
    out, w, h = _pack(items, 10.0)
    assert set(out) == {k for k, _, _ in items}
    boxes = [(out[k][0], out[k][1], out[k][0] + bw, out[k][1] + bh) for k, bw, bh in items]
    for i, a in enumerate(boxes):
        assert a[2] <= w + 1e-6 and a[3] <= h + 1e-6
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    # the sampled row widths still give a packing close to the window's shape
    assert 0.5 < (w / h) / _ASPECT < 2.0
