"""A step run in a second process gives what it gives in the first: values, errors, files."""
from __future__ import annotations

import os
import time
from pathlib import Path

import orgraph
import pytest

from orgraph import beside, registry
from orgraph.beside import available, start
from orgraph.report.audit import READS_AFTER
from orgraph.writers import write_audit

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "riverbend"

two_cores = pytest.mark.skipif(not available(), reason="needs Linux and a second core")


@two_cores
def test_the_step_runs_in_another_process_and_its_value_comes_back():
    step = start(lambda: (os.getpid(), {"rows": list(range(5))}))
    pid, value = step.result()
    assert pid != os.getpid()
    assert value == {"rows": [0, 1, 2, 3, 4]}
    assert step.result()[1] is value            # asked twice: the same value, not a second run


@two_cores
def test_a_large_value_does_not_block_the_child():
    big = bytes(range(256)) * 40_000             # 10 MB: far beyond a pipe's buffer
    assert start(lambda: big).result() == big


def test_an_error_in_the_step_is_raised_again_as_it_was():
    with pytest.raises(KeyError, match="no such seat"):
        start(lambda: {}["no such seat"]).result()


@two_cores
def test_a_child_that_does_not_report_leaves_the_work_to_again():
    # the child ends without a word (as if killed); the parent runs ``again`` itself
    assert start(lambda: os._exit(3), again=lambda: ("again", os.getpid())).result() == ("again", os.getpid())


@two_cores
def test_a_value_that_cannot_be_pickled_is_computed_here():
    step = start(lambda: (lambda: os.getpid()), again=lambda: ("here", os.getpid()))
    assert step.result() == ("here", os.getpid())


def test_one_process_when_the_environment_says_so(monkeypatch):
    monkeypatch.setenv(beside.ENV, "1")
    assert not available()
    assert start(lambda: os.getpid()).result() == os.getpid()


@two_cores
def test_cancel_stops_a_running_child():
    step = start(lambda: time.sleep(60))
    t0 = time.perf_counter()
    step.cancel()
    assert time.perf_counter() - t0 < 10
    with pytest.raises(ChildProcessError):      # reaped: nothing left to wait for
        os.waitpid(step._pid, os.WNOHANG)


@two_cores
def test_analyses_run_beside_give_the_same_answers_and_every_label():
    org = orgraph.load(str(EXAMPLE))
    day = org.data_end
    alone, alone_notes = registry.run_analyses(org, as_of=day, then_reads=READS_AFTER)
    labels: list[str] = []
    org2 = orgraph.load(str(EXAMPLE))
    both, both_notes = registry.run_analyses(org2, as_of=day, then_reads=READS_AFTER, beside=True,
                                             release=True, progress=labels.append)
    assert list(both) == list(alone)
    for name in alone:
        assert both[name] == alone[name], name
    assert both_notes == alone_notes
    assert sorted(labels) == sorted(a.label for a in registry.ANALYSES)
    assert org2.data.released == registry.RELEASABLE


@two_cores
def test_a_failed_child_after_its_table_was_let_go_is_a_note(monkeypatch):
    monkeypatch.setattr(registry, "start", lambda function, again: beside.Beside(function, again))  # no child
    org = orgraph.load(str(EXAMPLE))
    res, notes = registry.run_analyses(org, as_of=org.data_end, names={"continuity", "cascades"}, beside=True,
                                       release=True)
    assert res["continuity"] is None and res["cascades"] is not None
    assert notes == ["continuity of care: failed (its second process ended without an answer, and its tables "
                     "were let go of meanwhile); everything else was run. Run it alone with `orgraph continuity`, "
                     "or the audit with ORGRAPH_PROCESSES=1."]


@two_cores
def test_an_audit_written_beside_is_the_same_files(tmp_path):
    one = write_audit(orgraph.load(str(EXAMPLE)), tmp_path / "one", png=False)
    two = write_audit(orgraph.load(str(EXAMPLE)), tmp_path / "two", png=False, beside=True, release_tables=True)
    assert list(one["files"]) == list(two["files"])
    for name in one["files"]:
        a, b = Path(one["files"][name]).read_bytes(), Path(two["files"][name]).read_bytes()
        assert a == b, name
