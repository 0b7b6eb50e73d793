"""The audit (orgraph.report.audit, orgraph.writers): planted patterns become ranked findings; files are written;
anonymizing hides names."""
from __future__ import annotations

import json
from html import escape as html_escape
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ANON_KEY

from orgraph.cli import main
from orgraph.report.audit import run_audit
from orgraph.report.findings import certainty
from orgraph.writers import write_audit


@pytest.fixture(scope="module")
def audit_org(synth_org):
    return synth_org(staff=220, years=4, seed=11)


@pytest.fixture(scope="module")
def audit(audit_org, tmp_path_factory):
    folder, org, truth = audit_org
    out = tmp_path_factory.mktemp("audit-out")
    return out, write_audit(org, out, png=False)


def test_findings_are_ranked_by_cost_times_certainty(audit):
    _, a = audit
    f = a["findings"]
    assert [x["rank"] for x in f] == list(range(1, len(f) + 1))
    assert [x["score"] for x in f] == sorted((x["score"] for x in f), reverse=True)
    weights = {"high": 1.0, "moderate": 0.6, "suggestive": 0.3, "descriptive": 0.5}
    for x in f:
        assert x["score"] == pytest.approx((x["estimated_cost"] or 0) * weights[x["certainty"]], abs=0.02)
        assert x["headline"].endswith((".", ")")) and x["evidence"]


def test_planted_patterns_become_findings(audit_org, audit):
    _, _, truth = audit_org
    _, a = audit
    by_kind: dict[str, set] = {}
    for x in a["findings"]:
        by_kind.setdefault(x["kind"], set()).update(x["subjects"])
    planted_sups = {c["supervisor_id"] for c in truth["cascades"]}
    assert planted_sups & by_kind.get("cascade", set()), "no planted cascade reached the findings"
    assert {o["supervisor_id"] for o in truth["overloaded_supervisors"]} <= by_kind["overloaded-supervision"]
    assert truth["caseload_program"]["program_id"] in by_kind["caseload"]
    assert truth["documentation_program"]["program_id"] in by_kind["documentation"]
    assert {s["position_id"] for s in truth["churn_seats"]} & by_kind.get("churn-seat", set())


def test_files_are_written(audit):
    out, a = audit
    for name in ("findings.json", "report.md", "index.html", "map.html", "graph.graphml", "graph.json"):
        assert (out / name).exists(), name
    doc = json.loads((out / "findings.json").read_text())
    assert doc["findings"][0]["headline"] == a["findings"][0]["headline"]
    assert "results" not in doc
    md = (out / "report.md").read_text()
    assert md.startswith("# Turnover root-cause audit — ")
    assert "## Findings, ranked by estimated cost and certainty" in md
    assert f"### 1. {a['findings'][0]['headline']}" in md
    html = (out / "index.html").read_text()
    assert "Turnover root-cause audit" in html


def test_anonymized_audit_names_nobody(audit_org, tmp_path):
    _, org, _ = audit_org
    a = write_audit(org, tmp_path, anonymize=True, key=ANON_KEY, png=False)
    texts = [(tmp_path / n).read_text() for n in ("findings.json", "report.md", "index.html")]
    names = [s.name for s in org.data.staff.values() if s.name]
    for t in texts:
        leaked = [n for n in names if n in t]
        assert not leaked, leaked[:3]
    assert any("P-" in s for f in a["findings"] for s in [f["headline"]] + f["evidence"])
    # no staff or seat id, in any field or sentence of the findings and the memo
    ids = set(org.data.staff) | set(org.data.positions)
    for name in ("findings.json", "report.md"):
        text = (tmp_path / name).read_text()
        leaked = [i for i in ids if re.search(r"(?<![A-Za-z0-9-])" + re.escape(i) + r"(?![A-Za-z0-9])", text)]
        assert not leaked, (name, leaked[:5])


def test_as_of_limits_the_audit(audit_org):
    _, org, _ = audit_org
    a = run_audit(org, as_of="2023-06-30")
    assert a["as_of"] == "2023-06-30"
    cascades = a["results"]["cascades"]
    assert cascades.as_of == "2023-06-30"
    assert cascades.table, "no supervisor exits before 2023-06-30 to check"
    assert all(c["exit_date"] <= "2023-06-30" for c in cascades.table)


def test_an_analysis_without_data_for_the_date_is_a_note(riverbend):
    """Before the example's first caseload month, the audit still runs and says what it could not answer."""
    a = run_audit(riverbend, as_of="2021-06-30")
    assert a["results"]["caseload"] is None and a["results"]["docburden"] is None
    assert any(n.startswith("caseload distribution: not run — caseload.csv has no month on or before 2021-06-30")
               for n in a["notes"])
    assert a["results"]["overload"] is not None and a["results"]["cascades"] is not None


def test_certainty_words():
    assert [certainty(p) for p in (0.0001, 0.02, 0.08, None)] == ["high", "moderate", "suggestive", "descriptive"]


def test_cli_audit(audit_org, tmp_path):
    folder, _, _ = audit_org
    r = CliRunner().invoke(main, ["audit", str(folder), "--out", str(tmp_path / "a"), "--no-png"])
    assert r.exit_code == 0, r.output
    assert "Top findings" in r.output and "Report:" in r.output
    assert (tmp_path / "a" / "report.md").exists()
    r = CliRunner().invoke(main, ["audit", str(folder), "--out", str(tmp_path / "b"), "--anonymize", "--no-png"],
                           env={"ORGRAPH_ANON_KEY": ""})
    assert r.exit_code == 1 and "Error: --anonymize needs a key: pass --key, set ORGRAPH_ANON_KEY, or pass --new-key" \
        in r.output


def test_a_tiny_org_is_audited_without_a_crash(tmp_path):
    """One boss and five successive holders of one seat: too little to claim anything, and the audit says so."""
    import datetime as dt

    (tmp_path / "programs.csv").write_text("program_id,name,service_line\nOP,Outpatient,outpatient\n")
    (tmp_path / "positions.csv").write_text("position_id,title,program_id,role_kind\nB,Boss,OP,supervisor\n"
                                            "P,Therapist,OP,clinician\n")
    staff = ["staff_id,name,discipline,hire_date,termination_date,termination_type,termination_reason",
             "BOSS,Boss,LCSW,2020-01-01,,,"]
    assign, sup = ["staff_id,position_id,start_date,end_date", "BOSS,B,2020-01-01,"], \
        ["staff_id,supervisor_id,start_date,end_date"]
    day = dt.date(2020, 1, 1)
    for i in range(5):
        end = day + dt.timedelta(days=120)
        term = end.isoformat() if i < 4 else ""
        staff.append(f"H{i},H{i},LPC,{day},{term},{'voluntary' if term else ''},")
        assign.append(f"H{i},P,{day},{term}")
        sup.append(f"H{i},BOSS,{day},{term}")
        day = end + dt.timedelta(days=10)
    for name, rows in (("staff", staff), ("assignments", assign), ("supervision", sup)):
        (tmp_path / f"{name}.csv").write_text("\n".join(rows) + "\n")
    r = CliRunner().invoke(main, ["audit", str(tmp_path), "--out", str(tmp_path / "out"), "--no-png"])
    assert r.exit_code == 0, r.output
    doc = json.loads((tmp_path / "out" / "findings.json").read_text())
    assert not any(f["claim"] for f in doc["findings"])
    assert doc["total_exit_cost"]["exits"] == 4
    assert any(n.startswith("who is at risk now: not run — only 4 exits") for n in doc["notes"])
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    said = page.split("What this data could not answer:")[1].split("</ul>")[0]     # in the pack, not only the memo
    assert "who is at risk now: not run — only 4 exits" in said
    assert all(html_escape(u, quote=False) in said for u in doc["untestable"]) and doc["untestable"]


def test_a_hostile_name_is_shown_not_rendered_in_the_memo(tmp_path):
    import shutil

    import orgraph
    from orgraph.report.audit import report_markdown

    src = Path(__file__).resolve().parent.parent / "examples" / "riverbend"
    shutil.copytree(src, tmp_path / "org")
    staff = (tmp_path / "org" / "staff.csv").read_text()
    hostile = "<img src=x onerror=alert(1)> [click](javascript:alert(2))"
    (tmp_path / "org" / "staff.csv").write_text(staff.replace("Alicia Wright", f'"{hostile}"'))
    memo = report_markdown(run_audit(orgraph.load(tmp_path / "org")))
    assert "&lt;img src=x onerror=alert(1)&gt; \\[click\\](javascript:alert(2))" in memo
    assert "<img" not in memo and not re.search(r"(?<!\\)\]\(javascript", memo)


def test_an_anonymized_audit_replaces_an_identified_pack_and_never_writes_beside_other_files(audit_org, tmp_path):
    from orgraph.errors import SourceError

    _, org, _ = audit_org
    write_audit(org, tmp_path / "a", png=False)
    assert (tmp_path / "a" / "churn_seats.csv").exists()            # identified tables, with names
    write_audit(org, tmp_path / "a", anonymize=True, key=ANON_KEY, png=False)
    left = {p.name for p in (tmp_path / "a").iterdir()}
    assert "churn_seats.csv" not in left and "flagged_cascades.csv" not in left and "findings.json" in left
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "budget.xlsx").write_text("not ours")
    with pytest.raises(SourceError, match="holds files that are not an orgraph audit"):
        write_audit(org, tmp_path / "b", png=False)
    assert (tmp_path / "b" / "budget.xlsx").read_text() == "not ours"


def test_the_caseload_relation_is_a_gated_finding_not_a_headline(riverbend):
    """The caseload-per-FTE relation joins the one Benjamini-Hochberg family: on the example its raw p-value
    (about 0.02) does not survive the audit's tests, so it is said plainly, without dollars, and never as a
    headline."""
    from orgraph.analyses.hazards import caseload_hazard

    a = run_audit(riverbend)
    fit = caseload_hazard(riverbend)
    assert fit["p_value"] < 0.05 and fit["ci_low"] > 1
    f = next(x for x in a["findings"] if x["kind"] == "caseload-per-fte")
    assert f["p_value"] == pytest.approx(fit["p_value"]) and f["p_adjusted"] > 0.10
    assert not f["claim"] and not f["estimated_cost"]
    assert f"{fit['hazard_ratio_per_10']:.2f} times" in f["headline"] and "not enough to claim" in f["headline"]
    assert not any("per clinical FTE" in h for h in a["headlines"])


def test_a_strong_caseload_relation_is_claimed_in_its_direction():
    from orgraph.report.claims import state
    from orgraph.report.findings import _per_fte_candidate

    fit = {"hazard_ratio_per_10": 1.6, "ci_low": 1.3, "ci_high": 2.0, "p_value": 1e-5, "exits": 80,
           "person_months": 4000.0, "mean_caseload_per_fte": 28.0}
    found, examined, _ = state(_per_fte_candidate(fit), {("caseload-per-fte",): 1e-5, ("other",): 0.5},
                               total_cost=1e6)
    assert found[0]["claim"] and found[0]["headline"].startswith("Each 10 more active clients per clinical FTE "
                                                                 "went with 60% more clinician exits")
    low = dict(fit, hazard_ratio_per_10=0.7, ci_low=0.55, ci_high=0.85)
    found, examined, _ = state(_per_fte_candidate(low), {("caseload-per-fte",): 1e-5}, total_cost=1e6)
    assert not found[0]["claim"] and "0.70 times" in found[0]["headline"]


def test_each_overloaded_supervisors_team_is_its_own_claim_and_priced_once(riverbend):
    """Two overloaded supervisors: each team is a hypothesis of the one family; when the org-level overload
    claim is stated, a team's excess is shown as part of it, never added."""
    from orgraph.report.claims import state
    from orgraph.report.findings import _team_candidates

    class Ctx:
        names = type("N", (), {"staff": staticmethod(lambda s: s)})()
        model = None

    flagged = [{"supervisor_id": s, "team_exits": k, "team_expected": mu, "team_ratio": k / mu, "team_ci_low": lo,
                "team_ci_high": hi, "team_p_value": p, "baseline_exits": 200}
               for s, k, mu, lo, hi, p in (("A", 20, 8.0, 1.5, 3.9, 1e-4), ("B", 9, 8.0, 0.5, 2.1, 0.4))]
    cands = _team_candidates(flagged, Ctx())
    assert [c["_test"] for c in cands] == [("overloaded-supervisor", "A"), ("overloaded-supervisor", "B")]
    family = {c["_test"]: c["p_value"] for c in cands}
    found, examined, _ = state(cands, family, total_cost=1e7)
    assert [f["subjects"] for f in found] == [["A"]] and found[0]["estimated_cost"] > 0
    assert found[0]["headline"].startswith("The people under A, an overloaded supervisor, left 2.5 times")
    assert [e["subjects"] for e in examined] == [["B"]]
    org_level = {"kind": "overloaded-supervision", "headline": "x", "evidence": [], "ratio": 2.0, "ci_low": 1.5,
                 "ci_high": 3.0, "p_value": 1e-5, "subjects": ["A", "B"], "_test": ("overloaded-supervision",),
                 "_plain": None, "_cost": 9e5, "_excess": 20.0, "_exposed_exits": 29, "_reference_exits": 100,
                 "_reference_person_years": 300.0, "_baseline_exits": None, "_mechanism": "overloaded-supervision",
                 "_exits": ()}
    found, _, _ = state([org_level] + cands, {**family, ("overloaded-supervision",): 1e-5}, total_cost=1e7)
    team = next(f for f in found if f["kind"] == "overloaded-supervisor")
    assert team["estimated_cost"] == 0 and "part of the org-level total" in team["evidence"][-1]
    assert sum(f["estimated_cost"] for f in found) == pytest.approx(9e5)


def test_the_pack_opens_with_the_bottom_line_and_one_card_per_finding(riverbend, tmp_path):
    """Each card: the sentence, its dollars with their period, how sure in words with the likely range, what it
    names, and an action only for a claim; no p-value in the page."""
    write_audit(riverbend, tmp_path / "a")
    doc = json.loads((tmp_path / "a" / "findings.json").read_text(encoding="utf-8"))
    page = (tmp_path / "a" / "index.html").read_text(encoding="utf-8")
    from orgraph.report.pack import finding_cards

    t = doc["total_exit_cost"]
    cards = finding_cards(riverbend, doc["findings"], period=(t["period_start"], t["period_end"]))
    assert len(cards) == len(doc["findings"]) and page.count('<li class="card') == len(cards)
    for f, c in zip(doc["findings"], cards):
        if f["estimated_cost"]:
            assert c["dollars"].endswith(f"from {t['period_start']} to {t['period_end']}")
            assert c["dollars"] in page
        if not f["claim"]:
            assert c["action"] is None
        elif f["kind"] != "common-factors" or c["who"]:       # "who leaves more often" names a group, if any
            assert c["action"] and (not c["who"] or c["who"] in c["action"] or f["kind"] == "cascade-pattern")
        assert c["sure"] == (f"{f['certainty']} certainty" if f["claim"] else c["sure"])
    top = cards[0]
    assert top["who"] == "Joanna Tanaka (S0148)" and "Joanna Tanaka (S0148)" in top["action"]
    assert "p adjusted" not in page and "p_adjusted" not in page and "How to read this" in page
    assert page.index("The bottom line") < page.index('<li class="card')


def test_the_pack_lists_who_is_at_risk_in_words_beside_how_well_the_list_predicted(riverbend, tmp_path):
    write_audit(riverbend, tmp_path / "a", png=False)
    doc = json.loads((tmp_path / "a" / "findings.json").read_text(encoding="utf-8"))
    page = (tmp_path / "a" / "index.html").read_text(encoding="utf-8")
    import csv

    rows = list(csv.DictReader(open(tmp_path / "a" / "at_risk.csv", encoding="utf-8")))
    assert len(rows) == len(doc["at_risk"]) > 0
    top, first = doc["at_risk"][0], rows[0]
    assert first["person"] == f"{top['name']} ({top['staff_id']})"
    p = top["exit_probability"]
    assert first["chance"] == f"about {round(p * 10)} in 10 within 90 days" and 0.095 <= p
    assert first["program"] == riverbend.data.programs[top["program_id"]].name
    v = doc["risk_validation"]
    assert f"above those who stayed {v['concordance']:.0%} of the time" in page
    assert "Who is at risk now, and why" in page and "relative hazard" not in page and "score" not in rows[0]


def test_the_audit_reads_the_cost_analysis_instead_of_running_it_again(riverbend, tmp_path, monkeypatch):
    """The finance headlines and the pack's bottom line read the audit's `cost` result: the same sentences and
    numbers as computing them afresh, and no second turnover_cost run."""
    import orgraph.report.changes as changes
    import orgraph.report.costs as costs

    day = riverbend.data_end
    fresh_headlines = costs.finance_headlines(riverbend, as_of=day)
    fresh_year = changes._year_of_exits(riverbend, day)
    runs = []
    for module in (costs, changes):
        real = module.turnover_cost
        monkeypatch.setattr(module, "turnover_cost", lambda *a, _real=real, **k: runs.append(k) or _real(*a, **k))
    audit = write_audit(riverbend, tmp_path / "audit", png=False)
    assert runs == []
    assert audit["headlines"] == fresh_headlines
    state = json.loads((tmp_path / "audit" / "state.json").read_text())
    assert (state["bottom_line"]["exits_12_months"], state["bottom_line"]["cost_12_months"]) == fresh_year
    assert costs.finance_headlines(riverbend, as_of=day, cost=audit["results"]["cost"]) == fresh_headlines
