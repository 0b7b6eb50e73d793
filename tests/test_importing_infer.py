"""Tests for `orgraph import`: --infer-mapping drafts: job histories and real exports."""
from __future__ import annotations

import pytest

from orgraph.importing import import_file, infer_mapping

from importing_helpers import DATASETS, HR14, MAPS


@pytest.mark.skipif(not HR14.exists(), reason="public dataset not present")
def test_inferred_mapping_for_hrdataset_imports(tmp_path):
    text = infer_mapping(HR14)
    assert "# position_id: not mapped: 'PositionID' is a job code, not a seat" in text
    assert "# manager_id: not mapped: 'ManagerID': only 0 of 303 values are staff ids" in text
    assert 'date_format = "%m/%d/%Y"' in text
    assert '"Voluntarily Terminated" = "voluntary"   # guessed' in text
    # roles by evidence: titles outside the behavioral-health vocabulary stay "other", listed for review
    for title in ("Production Technician I", "Software Engineer", "Data Analyst"):
        assert f'# "{title}" = "other"   # REVIEW: not a behavioral-health title orgraph knows' in text
    assert '"Production Manager" = "supervisor"   # guessed' in text
    assert '= "clinician"' not in text            # no title in a manufacturing roster is clinical
    p = tmp_path / "m.toml"
    p.write_text(text, encoding="utf-8")
    s = import_file(HR14, p, tmp_path / "b")
    assert s["rows_imported"] == 311 and s["validation"]["status"] == "ok"


V13 = DATASETS / "HRDataset_v13.csv"


@pytest.mark.skipif(not V13.exists(), reason="public dataset not present")
def test_hrdataset_v13_with_an_inferred_mapping(tmp_path):
    """v13 mixes M/D/YYYY and MM/DD/YY: same order, so both are accepted and no row is lost."""
    p = tmp_path / "m.toml"
    p.write_text(infer_mapping(V13), encoding="utf-8")
    s = import_file(V13, p, tmp_path / "b")
    assert (s["rows"], s["rows_imported"], s["rows_rejected"]) == (310, 310, 0)
    assert s["validation"]["status"] == "ok"


def test_inferred_mapping_for_a_job_history(tmp_path):
    text = infer_mapping(MAPS / "job_history_sample.csv")
    assert 'kind = "job_history"' in text
    assert "date_format = \"%d/%m/%Y\"          # detected; decided by '15/02/2021'" in text
    assert 'event_type = "Action"' in text and 'manager_id = "Reports To"' in text
    assert '# "Leave of Absence" = "change"   # REVIEW: unknown' in text
    assert '"Dismissal" = "involuntary"   # guessed' in text
    p = tmp_path / "m.toml"
    p.write_text(text, encoding="utf-8")
    s = import_file(MAPS / "job_history_sample.csv", p, tmp_path / "b")
    assert s["rejected_by_rule"] == {"unknown-event-type": 1, "bad-date": 1}
    assert s["validation"]["status"] == "ok"
