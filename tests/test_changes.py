"""What changed since the last meeting (orgraph.report.changes, ``snapshot --since``): counts worked out from
examples/riverbend's CSV files directly, flags compared with the analyses' own tables, the pack's section, the
slide, and clean errors."""
from __future__ import annotations

from conftest import ANON_KEY, OTHER_KEY

import csv
import datetime as dt
from pathlib import Path

import pptx
import pytest
from click.testing import CliRunner

from orgraph.cli import main
from orgraph.registry import run_analyses
from orgraph.report.changes import changes_since
from orgraph.report.words import money
from orgraph.writers import write_snapshot

RIVERBEND = Path(__file__).resolve().parent.parent / "examples" / "riverbend"
SINCE, AS_OF = dt.date(2025, 6, 30), dt.date(2025, 12, 31)
NAMES = ("cascades", "overload", "churn")


def _csv(name: str) -> list[dict]:
    with (RIVERBEND / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _exits(after: str, until: str) -> list[dict]:
    """Staff whose termination_date is after ``after`` and on or before ``until``, straight from staff.csv."""
    return [r for r in _csv("staff.csv") if r["termination_date"] and after < r["termination_date"] <= until]


def _employed(day: str) -> int:
    return sum(1 for r in _csv("staff.csv")
               if r["hire_date"] <= day and (not r["termination_date"] or r["termination_date"] >= day))


@pytest.fixture(scope="module")
def changes(riverbend):
    then, _ = run_analyses(riverbend, as_of=SINCE, names=NAMES)
    now, _ = run_analyses(riverbend, as_of=AS_OF, names=NAMES)
    return then, now, changes_since(riverbend, since=SINCE, as_of=AS_OF, then=then, now=now)


def test_exits_since_are_counted_from_staff_csv(changes):
    _, _, ch = changes
    left = _exits("2025-06-30", "2025-12-31")
    assert ch["exits"] == len(left) > 0
    assert ch["numbers"][0] == {"value": str(len(left)), "label": "exits since 2025-06-30"}
    assert ch["sentences"][0].startswith(f"From 2025-06-30 to 2025-12-31, {len(left)} people left (")


def test_exits_by_program_follow_each_leavers_last_seat(changes):
    _, _, ch = changes
    program_of_seat = {r["position_id"]: r["program_id"] for r in _csv("positions.csv")}
    last_seat: dict[str, tuple[str, str]] = {}
    for a in _csv("assignments.csv"):
        if a["staff_id"] not in last_seat or a["start_date"] > last_seat[a["staff_id"]][0]:
            last_seat[a["staff_id"]] = (a["start_date"], a["position_id"])
    expected: dict[str, int] = {}
    for r in _exits("2025-06-30", "2025-12-31"):
        p = program_of_seat[last_seat[r["staff_id"]][1]]
        expected[p] = expected.get(p, 0) + 1
    assert {r["program_id"]: r["exits_since"] for r in ch["table"] if r["exits_since"]} == expected


def test_the_bottom_line_moved_as_the_csv_says(changes):
    _, _, ch = changes
    b = ch["bottom_line"]
    # exits of the 12 months to each day: after the same day a year before, on or before the day
    assert b["exits_12_months"] == [len(_exits("2024-06-30", "2025-06-30")), len(_exits("2024-12-31", "2025-12-31"))]
    assert b["exits_12_months"][1] == 68       # the audit's "The 68 staff exits in the 12 months to 2025-12-31"
    assert b["employed"] == [_employed("2025-06-30"), _employed("2025-12-31")]
    c0, c1 = b["cost_12_months"]
    assert ch["sentences"][-1] == (
        f"The bottom line moved from {b['exits_12_months'][0]} exits costing {money(c0)} in the 12 months to "
        f"2025-06-30 to {b['exits_12_months'][1]} exits costing {money(c1)} in the 12 months to 2025-12-31; "
        f"headcount went from {b['employed'][0]} to {b['employed'][1]}.")
    assert ch["numbers"][3]["value"] == ("+" if c1 >= c0 else "") + money(c1 - c0)


def test_flags_new_and_cleared_are_the_difference_of_the_analyses_tables(riverbend):
    then, _ = run_analyses(riverbend, as_of=dt.date(2024, 12, 31), names=NAMES)
    now, _ = run_analyses(riverbend, as_of=AS_OF, names=NAMES)
    ch = changes_since(riverbend, since="2024-12-31", as_of=AS_OF, then=then, now=now)

    def seats(res):
        return {r["position_id"] for r in res["churn"].table if r["flagged"]}

    def overloaded(res):
        return {r["supervisor_id"] for r in res["overload"].table if r["overloaded"]}

    def cascades(res, day):
        return {c["supervisor_id"] for c in res["cascades"].table if c["flagged"] and c["exit_date"] < day}

    sup0 = overloaded(then) | cascades(then, "2024-12-31")
    sup1 = overloaded(now) | cascades(now, "2025-12-31")
    names = {s: f"{p.name} ({s})" for s, p in riverbend.data.staff.items()}
    # listed by the name shown
    assert [x.split(": ")[0] for x in ch["flags"]["supervisors"]["new"]] == sorted(names[s] for s in sup1 - sup0)
    assert ch["flags"]["supervisors"]["cleared"] == sorted(names[s] for s in sup0 - sup1)
    positions = riverbend.data.positions
    cleared = sorted(seats(then) - seats(now))
    assert ch["flags"]["seats"]["cleared"] == sorted(f"{positions[p].title} seat {p}" for p in cleared)
    assert [x.split(": ")[0] for x in ch["flags"]["seats"]["new"]] == \
        sorted(f"{positions[p].title} seat {p}" for p in seats(now) - seats(then))
    assert ch["bottom_line"]["flagged_seats"] == [len(seats(then)), len(seats(now))]
    assert ch["bottom_line"]["flagged_supervisors"] == [len(sup0), len(sup1)]
    # supervisors were flagged and cleared and a seat cleared between the two dates: the comparison is not vacuous
    assert sup1 - sup0 and sup0 - sup1 and seats(then) - seats(now)


def test_snapshot_since_writes_the_section_the_table_and_the_slide(riverbend, tmp_path):
    res = write_snapshot(riverbend, tmp_path, as_of=AS_OF, since=SINCE, png=False, pptx=True)
    ch = res["changes"]
    page = (tmp_path / "index.html").read_text()
    assert "What changed since 2025-06-30" in page
    assert ch["sentences"][0] in page
    with (tmp_path / "changes_by_program.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert sum(int(r["exits_since"]) for r in rows) == len(_exits("2025-06-30", "2025-12-31"))
    prs = pptx.Presentation(tmp_path / "deck.pptx")
    slide = next(s for s in prs.slides if s.shapes[0].text_frame.text == "What changed since 2025-06-30")
    texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
    assert str(ch["exits"]) in texts and ch["sentences"][-1] in "\n".join(texts)


def test_anonymized_changes_name_nobody_and_hide_small_counts(riverbend, tmp_path):
    res = write_snapshot(riverbend, tmp_path, as_of=AS_OF, since="2025-11-30", png=False, anonymize=True, key=ANON_KEY)
    ch = res["changes"]
    text = "\n".join(ch["sentences"] + [str(r) for r in ch["table"]])
    assert not [s.name for s in riverbend.data.staff.values() if s.name and s.name in text]
    n = len(_exits("2025-11-30", "2025-12-31"))
    assert 0 < n < 5 and ch["exits"] == "fewer than 5"       # a month with few exits
    assert all(r["exits_since"] in (0, "<5") for r in ch["table"])


def test_cli_since(tmp_path):
    r = CliRunner().invoke(main, ["snapshot", str(RIVERBEND), "--as-of", "2025-12-31", "--since", "2025-06-30",
                                  "--out", str(tmp_path / "p"), "--no-png"])
    assert r.exit_code == 0, r.output
    assert "Since 2025-06-30:" in r.output
    assert f"{len(_exits('2025-06-30', '2025-12-31'))} people left" in r.output


@pytest.mark.parametrize("since, message", [("2026-01-31", "is not before the pack's date 2025-12-31"),
                                            ("1999-01-01", "is before the first day of data")])
def test_cli_since_outside_the_period_is_a_clean_error(tmp_path, since, message):
    r = CliRunner().invoke(main, ["snapshot", str(RIVERBEND), "--as-of", "2025-12-31", "--since", since,
                                  "--out", str(tmp_path / "p"), "--no-png"])
    assert r.exit_code == 1
    assert message in r.output and "Traceback" not in r.output


@pytest.fixture(scope="module")
def earlier_packs(riverbend, tmp_path_factory):
    """Packs on 2025-06-30: identified, anonymized with key k1, and an identified audit folder."""
    root = tmp_path_factory.mktemp("earlier")
    write_snapshot(riverbend, root / "named", as_of=SINCE, png=False)
    write_snapshot(riverbend, root / "anon", as_of=SINCE, png=False, anonymize=True, key=ANON_KEY)
    from orgraph.writers import write_audit
    write_audit(riverbend, root / "audit", as_of=SINCE, png=False)
    return root


def test_compare_with_an_earlier_pack_says_what_since_says(riverbend, earlier_packs, tmp_path):
    since = write_snapshot(riverbend, tmp_path / "since", as_of=AS_OF, since=SINCE, png=False)["changes"]
    for folder in ("named", "audit"):
        got = write_snapshot(riverbend, tmp_path / folder, as_of=AS_OF, compare=earlier_packs / folder,
                             png=False)["changes"]
        assert got["sentences"] == since["sentences"], folder
        assert got["table"] == since["table"]


def test_compare_reads_what_the_earlier_pack_showed_not_todays_data(riverbend, earlier_packs, tmp_path):
    import json
    import shutil

    shutil.copytree(earlier_packs / "named", tmp_path / "old")
    state = json.loads((tmp_path / "old" / "state.json").read_text())
    state["bottom_line"]["exits_12_months"] = 99          # as if the data were corrected after that meeting
    (tmp_path / "old" / "state.json").write_text(json.dumps(state))
    got = write_snapshot(riverbend, tmp_path / "new", as_of=AS_OF, compare=tmp_path / "old", png=False)["changes"]
    assert got["bottom_line"]["exits_12_months"] == [99, 68]
    assert "moved from 99 exits costing" in got["sentences"][-1]


def test_compare_anonymized_packs_with_the_same_key(riverbend, earlier_packs, tmp_path):
    got = write_snapshot(riverbend, tmp_path, as_of=AS_OF, compare=earlier_packs / "anon", png=False,
                         anonymize=True, key=ANON_KEY)["changes"]
    text = "\n".join(got["sentences"]) + (tmp_path / "state.json").read_text()
    assert not [s.name for s in riverbend.data.staff.values() if s.name and s.name in text]
    assert not [p for p in riverbend.data.positions if p in text]
    assert "Seat no longer flagged: School-Based Therapist seat seat-" in "\n".join(got["sentences"])


@pytest.mark.parametrize("folder, extra, message", [
    ("anon", [], "the earlier pack was made anonymized and this one is not"),
    ("named", ["--anonymize", "--key", ANON_KEY], "the earlier pack was made with names and this one is not"),
    ("anon", ["--anonymize", "--key", OTHER_KEY], "anonymized with a different key"),
    ("nothing", [], "holds no state.json"),
])
def test_compare_refuses_packs_it_cannot_match(earlier_packs, tmp_path, folder, extra, message):
    (earlier_packs / "nothing").mkdir(exist_ok=True)
    r = CliRunner().invoke(main, ["snapshot", str(RIVERBEND), "--compare", str(earlier_packs / folder),
                                  "--out", str(tmp_path / "p"), "--no-png"] + extra)
    assert r.exit_code == 1
    assert message in r.output and "Traceback" not in r.output
    assert not (tmp_path / "p").exists()
