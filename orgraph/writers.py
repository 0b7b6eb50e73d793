"""Writing the jobs' folders: an audit (findings, memo and pack) and a snapshot pack.

These put the stages together: run the analyses of the registry, turn them
into findings and pack content (:mod:`orgraph.report`), and draw the files
(:mod:`orgraph.render`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from .analyses import persontime
from .collector import paused
from .columnar import release_memory
from .errors import AnalysisError, SourceError
from .graph import OrgGraph, as_date
from .plain import json_text
from .registry import run_analyses
from .render.pack import write_pack
from .render.slides import require_pptx, write_deck
from .report.audit import bottom_line, report_markdown, run_audit, untestable
from .report.changes import compare_states, pack_state, read_state
from .report.deck import audit_deck, snapshot_deck
from .report.pack import pack_content
from .settings import resolve

__all__ = ["write_audit", "write_snapshot", "prepare_folder", "release_panels", "PACK_FILES"]


#: Every file an audit or a snapshot pack writes. A folder holding only these is an earlier pack, replaced as a
#: whole; a folder holding anything else is refused (a new pack never sits beside an older, identified one).
PACK_FILES = frozenset({
    "findings.json", "report.md", "index.html", "map.html", "map.png", "graph.graphml", "graph.json",
    "headcount_by_program.csv", "exits_by_quarter.csv", "span_bands.csv", "caseload_distribution.csv",
    "flagged_cascades.csv", "overloaded_supervisors.csv", "churn_seats.csv", "deck.pptx",
    "changes_by_program.csv", "state.json", "retention.csv", "at_risk.csv",
    "span_by_program.csv", "caseload_by_program.csv",
})


def prepare_folder(out: Path, what: str) -> None:
    """Make ``out`` an empty folder: create it, or clear an earlier pack from it.

    Raises
    ------
    SourceError
        When ``out`` is a file, cannot be created, or holds files that are not an orgraph pack.
    """
    if out.exists() and not out.is_dir():
        raise SourceError(f"{out} is a file; --out names the {what} folder to write")
    if out.is_dir():
        present = list(out.iterdir())
        other = sorted(p.name for p in present if p.name not in PACK_FILES or not p.is_file())
        if other:
            raise SourceError(f"{out} holds files that are not an orgraph {what} ({', '.join(other[:5])}); "
                              "choose a new or empty --out folder")
        for p in present:
            p.unlink()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SourceError(f"cannot create the {what} folder {out}: {exc.strerror}") from None


def release_panels(org: OrgGraph) -> None:
    """Let go of the panels the analyses shared for ``org`` (person-time, person-months, monthly factors: most of
    an audit's memory), and return the memory they held to the system. What comes after the analyses reads
    their results, not the panels; an analysis run later builds them again."""
    persontime.release(org)
    release_memory()


def _write_state(out: Path, state: dict) -> str:
    path = out / "state.json"
    path.write_text(json_text(state, indent=1), encoding="utf-8")
    return str(path)


def _period(audit: dict):
    t = audit.get("total_exit_cost") or {}
    return (t["period_start"], t["period_end"]) if t.get("period_start") else None


def write_audit(org: OrgGraph, out_dir, *, as_of=None, anonymize: bool = False, key: str | None = None,
                progress: Callable[[str], None] | None = None, png: bool = True, pptx: bool = False,
                release_tables: bool = False, beside: bool = False) -> dict:
    """Run the audit and write ``findings.json``, ``report.md`` and the snapshot pack into ``out_dir``.

    With ``pptx``, also ``deck.pptx`` (:func:`orgraph.report.deck.audit_deck`; needs python-pptx).
    Returns the audit (see :func:`run_audit`) plus ``files``: name → path, and ``tool_notes``: what the
    terminal should say about this machine's tools (see :func:`orgraph.render.pack.write_pack`).
    With ``release_tables``, the large bundle tables are let go of after their last analysis (see
    :func:`~orgraph.report.audit.run_audit`): for a caller that reads no monthly record of ``org`` afterwards.
    With ``beside``, what can runs in a second process (see :func:`~orgraph.report.audit.run_audit`).
    """
    if pptx:
        require_pptx()
    out = Path(out_dir)
    audit = run_audit(org, as_of=as_of, anonymize=anonymize, key=key, progress=progress,
                      release_tables=release_tables, beside=beside)
    release_panels(org)
    with paused():                      # the pack is many small objects: no collection walks the org meanwhile
        day = as_date(audit["as_of"])
        if progress:
            progress("snapshot pack and maps")
        prepare_folder(out, "audit")
        cell = resolve(org, "privacy")["min_cell"]
        content = pack_content(org, as_of=day, results=audit["results"], notes=audit["notes"],
                               findings=audit["findings"], bottom_line=bottom_line(audit), anonymize=anonymize, key=key,
                               min_cell=cell, period=_period(audit), at_risk=audit.get("at_risk"),
                               risk_validation=audit.get("risk_validation"),
                               cannot=list(audit.get("untestable") or []))
        pack = write_pack(org, out, content=content, as_of=day, anonymize=anonymize, key=key, min_cell=cell, png=png,
                          title=f"Turnover root-cause audit, {day.isoformat()}", beside=beside)
        doc = {k: v for k, v in audit.items() if k != "results"}
        (out / "findings.json").write_text(json_text(doc, indent=2), encoding="utf-8")
        (out / "report.md").write_text(report_markdown(audit), encoding="utf-8")
        files = dict(pack["files"])
        files["findings.json"] = str(out / "findings.json")
        files["report.md"] = str(out / "report.md")
        files["state.json"] = _write_state(out, pack_state(org, audit["results"], day, anonymize=anonymize, key=key,
                                                           min_cell=cell))
        if pptx:
            files["deck.pptx"] = str(write_deck(audit_deck(audit, content, anonymize=anonymize, min_cell=cell),
                                                out / "deck.pptx"))
        audit["files"] = files
        audit["tool_notes"] = pack["tool_notes"]
    return audit


def write_snapshot(org: OrgGraph, out_dir, *, as_of=None, anonymize: bool = False, key: str | None = None,
                   min_cell: int | None = None, png: bool = True, pptx: bool = False, since=None, compare=None,
                   **kwargs) -> dict:
    """Write a snapshot pack of ``org`` on ``as_of`` (default: the last day of data) into ``out_dir``.

    The cascade, overload and churn analyses give the pack its flags, tables
    and sentences; see :func:`orgraph.render.pack.write_pack` for the files and
    the keyword arguments it also takes (``lookback_days``, ``title``). With
    ``pptx``, also ``deck.pptx`` (:func:`orgraph.report.deck.snapshot_deck`; needs python-pptx).
    With ``since`` (an earlier date), the same analyses also run on that date
    and the pack says what changed (:func:`orgraph.report.changes.changes_since`);
    with ``compare`` (an earlier pack's folder), what changed since that pack,
    read from its ``state.json`` (:func:`orgraph.report.changes.compare_states`).
    The pack's own ``state.json`` is written for a later ``compare``.

    Raises
    ------
    AnalysisError
        The earlier date is not before ``as_of``, or lies outside the data.
    SourceError
        ``compare`` holds no readable ``state.json``, or was made with names where this pack is anonymized (or
        the other way round, or with another key).
    """
    if pptx:
        require_pptx()
    day = as_date(as_of) if as_of is not None else org.data_end
    cell = resolve(org, "privacy", min_cell=min_cell)["min_cell"]
    names = ("cascades", "overload", "churn")
    results, notes = run_analyses(org, as_of=day, names=names)
    state = pack_state(org, results, day, anonymize=anonymize, key=key, min_cell=cell)
    changes = None
    if since is not None and compare is not None:
        raise AnalysisError("use either --since DATE or --compare DIR, not both")
    if compare is not None:
        changes = compare_states(org, read_state(compare), state, anonymize=anonymize, min_cell=cell)
    if since is not None:
        before = as_date(since)
        if before >= day:
            raise AnalysisError(f"--since {before.isoformat()} is not before the pack's date {day.isoformat()}")
        if before < org.data_start:
            raise AnalysisError(f"--since {before.isoformat()} is before the first day of data "
                                f"({org.data_start.isoformat()})")
        then, then_notes = run_analyses(org, as_of=before, names=names)
        notes = notes + [f"On {before.isoformat()}: {n}" for n in then_notes]
        earlier = pack_state(org, then, before, anonymize=anonymize, key=key, min_cell=cell)
        changes = compare_states(org, earlier, state, anonymize=anonymize, min_cell=cell)
    prepare_folder(Path(out_dir), "snapshot pack")
    content = pack_content(org, as_of=day, results=results, notes=notes, anonymize=anonymize, key=key,
                           min_cell=cell, changes=changes, cannot=untestable(results, notes))
    pack = write_pack(org, out_dir, content=content, as_of=day, anonymize=anonymize, key=key, min_cell=cell,
                      png=png, **kwargs)
    pack["files"]["state.json"] = _write_state(Path(out_dir), state)
    if pptx:
        title = kwargs.get("title") or f"Organization snapshot, {day.isoformat()}"
        deck = snapshot_deck(content, day=day.isoformat(), title=title, changes=changes, anonymize=anonymize,
                             min_cell=cell)
        pack["files"]["deck.pptx"] = str(write_deck(deck, Path(out_dir) / "deck.pptx"))
    pack["changes"] = changes
    return pack
