"""Writing the imported bundle, ``rejected.csv`` and the import summary.

The bundle files follow ``docs/data-format.md``. ``staff.csv`` always has the
optional ``external`` column (``true`` for managers named in the export who are
not employees in it), and ``positions.csv`` the optional ``inferred`` column
(``true`` for seats made by the ``[seats] rule``, not in the export). ``rejected.csv`` lists every rejected source row with its
line number in the export, the rule, the reason and the row's own cells.
``import-summary.json`` accounts for every source row and carries the
validation result of the written bundle.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

from ..errors import OrgraphError, SourceError
from ..plain import spreadsheet_safe
from .rows import Ledger, Person

__all__ = ["write_bundle", "write_rejected", "validate_written", "format_summary", "bundle_to_parquet",
           "SUMMARY_FILE", "REJECTED_FILE", "ROSTER_REJECTED_FILE"]

SUMMARY_FILE = "import-summary.json"
REJECTED_FILE = "rejected.csv"
#: Rejected rows of a roster combined with a job-spell export.
ROSTER_REJECTED_FILE = "rejected-roster.csv"


def _d(x) -> str:
    return "" if x is None else x.isoformat()


def _num(x) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _write(path: Path, header: list[str], rows) -> int:
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(r)
            n += 1
    return n


def write_bundle(out: Path, *, people: dict[str, Person], programs: dict[str, dict], positions: list[dict],
                 assignments: list[dict], supervision: list[dict]) -> dict[str, int]:
    """Write the five required bundle files; returns rows written per file."""
    out.mkdir(parents=True, exist_ok=True)
    plist = sorted(people.values(), key=lambda p: (p.external, p.staff_id))
    opt = [c for c, attr in (("fte", "fte"), ("annual_salary", "salary"), ("license", "license"))
           if any(getattr(p, attr) is not None for p in plist)]
    header = ["staff_id", "name", "discipline", "hire_date", "termination_date", "termination_type",
              "termination_reason", *opt, "external"]

    def staff_rows():
        for p in plist:
            row = [p.staff_id, p.name, p.discipline, _d(p.hire), _d(p.term), p.term_type or "",
                   p.term_reason or ""]
            for c in opt:
                row.append(p.license or "" if c == "license" else _num(p.fte if c == "fte" else p.salary))
            row.append("true" if p.external else "false")
            yield row

    counts = {"staff": _write(out / "staff.csv", header, staff_rows())}
    counts["programs"] = _write(out / "programs.csv", ["program_id", "name", "service_line"],
                                ([pid, p["name"], p["service_line"]] for pid, p in sorted(programs.items())))
    counts["positions"] = _write(
        out / "positions.csv", ["position_id", "title", "program_id", "role_kind", "capacity", "inferred"],
        ([p["position_id"], p["title"], p["program_id"], p["role_kind"], p["capacity"],
          "true" if p.get("inferred") else "false"]
         for p in sorted(positions, key=lambda p: p["position_id"])))
    counts["assignments"] = _write(
        out / "assignments.csv", ["staff_id", "position_id", "start_date", "end_date"],
        ([a["staff_id"], a["position_id"], _d(a["start_date"]), _d(a["end_date"])] for a in assignments))
    counts["supervision"] = _write(
        out / "supervision.csv", ["staff_id", "supervisor_id", "start_date", "end_date"],
        ([s["staff_id"], s["supervisor_id"], _d(s["start_date"]), _d(s["end_date"])] for s in supervision))
    return counts


def write_rejected(out: Path, ledger: Ledger, header: list[str], *, name: str = REJECTED_FILE) -> int:
    """``rejected.csv``: ``source_line, rule, reason`` then the export's own columns (a cell a spreadsheet would
    read as a formula is written as text; the bundle files keep their values exactly)."""
    rows = sorted(ledger.rejected_rows, key=lambda r: r[0])
    cols = ["source_line", "rule", "reason", *header]

    def gen():
        for line, rule, reason, raw in rows:
            yield [line, rule, reason, *[spreadsheet_safe(str(x)) for x in raw]]

    return _write(out / name, cols, gen())


def validate_written(out: Path) -> dict:
    """Validate the written bundle with orgraph's own loader rules.

    Returns ``{"status": "ok" | "warnings" | "errors", "errors": n, "warnings": n,
    "issues": [first 50 as text]}``.
    """
    from ..validate import validate_bundle

    try:
        _, issues = validate_bundle(out)
    except OrgraphError as exc:
        return {"status": "errors", "errors": 1, "warnings": 0, "issues": [str(exc)]}
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity != "error"]
    status = "errors" if errors else "warnings" if warnings else "ok"
    return {"status": status, "errors": len(errors), "warnings": len(warnings),
            "issues": [str(i) for i in (errors + warnings)[:50]]}


def bundle_to_parquet(out: Path) -> list[str]:
    """Turn the bundle files of the validated bundle ``out`` into Parquet (``staff.parquet`` ...), in place.

    Every file is written before any CSV is removed, so a file that cannot be written leaves the CSV bundle
    as it was. The rejected rows and the import summary stay CSV and JSON (people open them). Returns the
    names of the Parquet files written.

    Raises
    ------
    SourceError
        A file's cell does not fit its column's type (the bundle would not have validated).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "programs.csv").write_text("program_id,name,service_line\\nOP,Outpatient,outpatient\\n")
    >>> bundle_to_parquet(d), sorted(p.name for p in d.iterdir())
    (['programs.parquet'], ['programs.parquet'])
    """
    import pyarrow as pa

    from ..columnar import csv_to_parquet
    from ..schema import FILES

    out = Path(out)
    made: list[tuple[Path, Path]] = []
    try:
        for spec in FILES.values():
            src = out / spec.filename
            if not src.is_file():
                continue
            tmp = out / f".{spec.filename}.converting.csv"
            tmp.write_bytes(src.read_bytes())
            made.append((src, csv_to_parquet(tmp, spec)))
    except (pa.ArrowInvalid, OSError) as exc:
        for _, pq_file in made:
            pq_file.unlink(missing_ok=True)
        for leftover in out.glob(".*.converting.*"):
            leftover.unlink()
        raise SourceError(f"could not write {out} as Parquet ({exc}); the CSV bundle is left as it was") from exc
    names = []
    for src, pq_file in made:
        final = out / f"{src.stem}.parquet"
        pq_file.rename(final)
        src.unlink()
        names.append(final.name)
    return names


def write_summary(out: Path, summary: dict) -> None:
    (out / SUMMARY_FILE).write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")


def _some(items: list, n: int = 8, fmt=str) -> str:
    shown = "; ".join(fmt(x) for x in items[:n])
    return shown + (f"; ... and {len(items) - n} more" if len(items) > n else "")


def format_summary(s: dict) -> str:
    """The import summary as readable text (what the CLI prints).

    Examples
    --------
    >>> print(format_summary({"source": "r.csv", "kind": "roster", "out": "b", "rows": 3,
    ...     "rows_imported": 2, "rows_merged": 0, "rows_rejected": 1, "rejected_by_rule": {"bad-date": 1},
    ...     "merged_by_rule": {}, "written": {"staff": 2}, "date_format": {"format": "%Y-%m-%d",
    ...     "detected": False}, "managers": {}, "unmapped": {}, "warnings": [], "notes": [],
    ...     "validation": {"status": "ok", "errors": 0, "warnings": 0, "issues": []}, "seconds": 0.01}))
    Imported r.csv (roster) into b in 0.01 s
      3 source rows: 2 imported, 0 merged, 1 rejected (see b/rejected.csv)
        rejected bad-date: 1
      written: 2 staff
      dates: %Y-%m-%d (from the mapping)
      validation: ok (0 errors, 0 warnings)
    """
    out = [f"Imported {s['source']} ({s['kind']}) into {s['out']} in {s['seconds']:.2f} s"]
    rej = f" (see {s['out']}/{s.get('rejected_file', REJECTED_FILE)})" if s["rows_rejected"] else ""
    out.append(f"  {s['rows']} source rows: {s['rows_imported']} imported, {s['rows_merged']} merged, "
               f"{s['rows_rejected']} rejected{rej}")
    for rule, n in s["merged_by_rule"].items():
        out.append(f"    merged {rule}: {n}")
    for rule, n in s["rejected_by_rule"].items():
        out.append(f"    rejected {rule}: {n}")
    r = s.get("roster")
    if r:
        rej = f" (see {s['out']}/{ROSTER_REJECTED_FILE})" if r["rows_rejected"] else ""
        out.append(f"  roster {r['source']}: {r['rows']} source rows: {r['rows_imported']} imported, "
                   f"{r['rows_merged']} merged, {r['rows_rejected']} rejected{rej}")
        for rule, n in {**r["merged_by_rule"], **r["rejected_by_rule"]}.items():
            out.append(f"    {rule}: {n}")
    for example in s.get("rejected_examples", [])[:10]:
        out.append(f"    {example}")
    out.append("  written: " + ", ".join(f"{n} {k}" for k, n in s["written"].items()))
    sv = s.get("services")
    if sv:
        rule = (f"seen in the last {sv['active_days']} days" if sv["active_rule"] == "seen_within"
                else "an episode open in the month")
        out.append(f"  services: {sv['clinical_services']} clinical and {sv['supervision_services']} supervision "
                   f"services, {sv['clients']} clients of {sv['clinicians']} clinicians up to {sv['data_end']}; "
                   f"active = {rule}; episodes split after {sv['episode_gap_days']} days without a service; "
                   f"client ids {'pseudonymised' if sv['pseudonymized'] else 'kept as exported'}; documentation "
                   f"from {sv['documentation_from']}")
    df = s["date_format"]
    how = f"detected from the values, decided by {df.get('evidence')!r}" if df.get("detected") else "from the mapping"
    out.append(f"  dates: {df['format']} ({how})")
    m = s["managers"]
    if m:
        out.append(f"  managers: {m.get('resolved_lines', 0)} reporting lines resolved")
        labels = [
            ("external", "not in the export, added as external staff",
             lambda x: f"{x['name']} ({x['supervisees']} reports)"),
            ("loose", "matched loosely, please check", lambda x: f"{x['manager']!r} -> {x['name']} [{x['rule']}]"),
            ("ambiguous", "ambiguous, no line made", lambda x: f"{x['manager']!r} matches {', '.join(x['matches'])}"),
            ("missing", "rows with no manager (reporting line missing)", lambda x: f"line {x['line']} {x['name']}"),
            ("no_overlap", "no overlap with the manager's employment, no line made",
             lambda x: f"line {x['line']} {x['staff_id']} -> {x['manager']}"),
            ("clipped", "lines clipped to the manager's employment", lambda x: f"line {x['line']} {x['staff_id']}"),
            ("ignored", "ignored by [managers] ignore", lambda x: f"line {x['line']} {x['manager']}"),
            ("self", "rows naming the person as their own manager", lambda x: f"line {x['line']} {x['staff_id']}"),
        ]
        for key, label, fmt in labels:
            items = m.get(key) or []
            n = m.get(f"n_{key}", len(items))
            if n:
                out.append(f"    {n} {label}: {_some(items, fmt=fmt)}")
    for name, values in s["unmapped"].items():
        if values:
            shown = _some(list(values.items()), fmt=lambda kv: f"{kv[0]!r} x{kv[1]}")
            out.append(f"  no [maps.{name}] entry, used the default: {shown}")
    for w in s["warnings"][:20]:
        out.append(f"  warning: {w}")
    if len(s["warnings"]) > 20:
        out.append(f"  ... and {len(s['warnings']) - 20} more warnings in {SUMMARY_FILE}")
    for note in s["notes"]:
        out.append(f"  note: {note}")
    v = s["validation"]
    out.append(f"  validation: {v['status']} ({v['errors']} errors, {v['warnings']} warnings)")
    for issue in v.get("issues", [])[:10]:
        out.append(f"    {issue}")
    return "\n".join(out)
