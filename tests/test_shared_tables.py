"""The tables an audit's analyses share: what each analysis reads, and the audit dropping each after its last reader."""
from __future__ import annotations

import pandas as pd
import pytest

import orgraph
from orgraph.analyses import shared
from orgraph.registry import ANALYSES, LASTING, run_analyses, run_order
from orgraph.render.tables import to_json
from orgraph.report.audit import READS_AFTER, run_audit
from orgraph.settings import analysis_cut

from conftest import RIVERBEND


def _day(org):
    return (analysis_cut(org, None) - pd.Timedelta(days=1)).date()


def _audited():
    return [a for a in ANALYSES if a.audit]


@pytest.fixture(scope="module")
def reads():
    """The kinds of shared table each audit analysis read, run in the audit's order on a fresh org (nothing
    dropped), and what the audit reads after its analyses (the cost model)."""
    if not (RIVERBEND / "staff.csv").exists():
        pytest.skip("examples/riverbend not generated yet")
    org = orgraph.load(RIVERBEND)
    seen: dict = {}
    for a in _audited():
        with shared.recording() as kinds:
            run_analyses(org, as_of=_day(org), analyses=[a])
        seen[a.name] = kinds
    from orgraph.analyses.cost import cost_model
    with shared.recording() as kinds:
        cost_model(org, as_of=_day(org))
    seen["after"] = kinds
    return seen


def test_each_analysis_declares_exactly_the_shared_tables_it_reads(reads):
    declared = {a.name: set(a.reads) for a in _audited()}
    assert {n: reads[n] for n in declared} == declared


def test_the_audit_declares_what_it_reads_after_its_analyses(reads):
    assert reads["after"] <= READS_AFTER


def test_dropping_tables_after_their_last_reader_leaves_every_answer_unchanged():
    org_kept, org_dropped = orgraph.load(RIVERBEND), orgraph.load(RIVERBEND)
    day = _day(org_kept)
    kept, _ = run_analyses(org_kept, as_of=day, analyses=_audited())
    dropped, _ = run_analyses(org_dropped, as_of=day, analyses=_audited(), then_reads=READS_AFTER)
    assert list(kept) == list(dropped)
    for name in kept:
        assert to_json(dropped[name]) == to_json(kept[name]), name
    assert {shared.kind(n) for n in shared.tables_of(org_kept)} >= {"person_time", "person_months",
                                                                   "monthly_factors", "doc_ratios"}
    assert {shared.kind(n) for n in shared.tables_of(org_dropped)} <= LASTING | READS_AFTER


def test_the_audit_drops_the_monthly_panels_once_their_readers_are_done():
    org = orgraph.load(RIVERBEND)
    present: dict = {}

    def progress(label):
        present[label] = {shared.kind(n) for n in shared.tables_of(org)}

    run_audit(org, progress=progress)
    labels = list(present)
    # the analyses that read no monthly panel run first
    assert labels.index("retention curves") < labels.index("caseload distribution")
    # the person-time panel: read last by the caseload stage, which builds the person-months panel from it
    assert "person_time" in present["caseload distribution"]
    assert "person_time" not in present["documentation burden"]
    # the person-months panel: read last by the exit effects
    assert "person_months" in present["exit effects, each adjusted for the others"]
    assert "person_months" not in present["what departures have in common"]
    assert {shared.kind(n) for n in shared.tables_of(org)} <= LASTING | READS_AFTER


def test_results_and_notes_keep_the_registry_order_whatever_order_the_analyses_ran_in():
    org = orgraph.load(RIVERBEND)
    results, _ = run_analyses(org, as_of=_day(org), analyses=_audited())
    assert list(results) == [a.name for a in _audited()]
    assert [a.name for a in run_order(_audited())] != [a.name for a in _audited()]


# --- bundle tables let go of after their last reader

def test_each_analysis_declares_the_releasable_bundle_tables_it_reads():
    """An analysis run on an org whose undeclared releasable tables are released still answers as before;
    releasing a table it declares makes it fail (so the declaration is needed, not decoration)."""
    from orgraph.registry import RELEASABLE

    fresh = orgraph.load(RIVERBEND)
    day = _day(fresh)
    for a in _audited():
        before, _ = run_analyses(fresh, as_of=day, analyses=[a])
        org = orgraph.load(RIVERBEND)
        for name in RELEASABLE - a.tables:
            org.data.release(name)
        after, notes = run_analyses(org, as_of=day, analyses=[a])
        assert not notes or "ReleasedError" not in " ".join(notes), (a.name, notes)
        assert to_json(after[a.name]) == to_json(before[a.name]), a.name
        if a.tables:
            org = orgraph.load(RIVERBEND)
            for name in a.tables:
                org.data.release(name)
            failed, notes = run_analyses(org, as_of=day, analyses=[a])
            assert failed[a.name] is None and "ReleasedError" in notes[0], a.name


def test_a_released_table_cannot_be_read_again_but_the_bundle_still_says_it_had_it():
    from orgraph.errors import ReleasedError

    org = orgraph.load(RIVERBEND)
    assert len(org.data.client_assignments)
    org.data.release("client_assignments")
    assert org.data.released == {"client_assignments"}
    assert "client_assignments" in org.data.present
    with pytest.raises(ReleasedError, match="client_assignments table was let go of"):
        org.data.client_assignments
    with pytest.raises(ValueError, match="'staff' is not a monthly table"):
        org.data.release("staff")


def test_the_audit_releases_the_client_episodes_after_continuity_and_writes_the_same_files(tmp_path):
    from orgraph.writers import write_audit

    kept_org, released_org = orgraph.load(RIVERBEND), orgraph.load(RIVERBEND)
    seen: dict = {}

    def progress(label):
        seen[label] = set(released_org.data.released)

    write_audit(kept_org, tmp_path / "kept", png=False)
    write_audit(released_org, tmp_path / "released", png=False, release_tables=True, progress=progress)
    assert kept_org.data.released == set()
    assert released_org.data.released == {"client_assignments"}
    labels = list(seen)
    assert labels[0] == "continuity of care" and seen[labels[0]] == set()
    assert seen[labels[1]] == {"client_assignments"}
    kept = sorted(p.name for p in (tmp_path / "kept").iterdir())
    assert kept == sorted(p.name for p in (tmp_path / "released").iterdir())
    for name in kept:
        assert (tmp_path / "kept" / name).read_bytes() == (tmp_path / "released" / name).read_bytes(), name


def test_an_analysis_frees_a_panel_halfway_only_when_the_run_says_no_later_step_reads_it():
    org = orgraph.load(RIVERBEND)
    shared.cached(org, "person_time:x", lambda: [1])
    assert shared.done_with(org, "person_time") == []          # nothing said: kept
    shared.expect(org, {"person_time", "doc_ratios"})
    assert shared.done_with(org, "person_time") == []          # a later step reads it: kept
    shared.expect(org, {"doc_ratios"})
    assert shared.done_with(org, "person_time") == ["person_time:x"]
    assert "person_time:x" not in shared.tables_of(org)
    shared.expect(org, None)


def test_the_audit_ends_with_no_expectation_and_no_frozen_objects():
    import gc

    org = orgraph.load(RIVERBEND)
    run_audit(org)
    assert shared._EXPECTED.get(org) is None
    assert gc.get_freeze_count() == 0
