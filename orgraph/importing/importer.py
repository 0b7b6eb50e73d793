"""``import_file``: one HRIS export plus a mapping in, a validated bundle out."""
from __future__ import annotations

import time
from pathlib import Path

from ..errors import ConfigError, SourceError
from .build import allocate_seats, resolve_supervision
from .mapping import Mapping, load_mapping
from .rows import Fields, Ledger
from .source import read_source
from .writer import (ROSTER_REJECTED_FILE, format_summary, validate_written, write_bundle, write_rejected,
                     write_summary)

__all__ = ["import_file", "format_summary"]

_LIST_CAP = 200
#: The manager-resolution lists every summary carries (see :func:`~.build.resolve_supervision`).
MANAGER_LISTS = ("external", "loose", "ambiguous", "missing", "no_overlap", "clipped", "ignored", "self")


def import_file(data_file, mapping, out, *, validate: bool = True, roster=None) -> dict:
    """Convert an HRIS export (CSV or Excel) into an org bundle folder and validate it.

    Parameters
    ----------
    data_file : str or Path
        The export: a roster (one row per employee) or a job history (one row
        per event), as the mapping's ``kind`` says.
    mapping : str, Path or Mapping
        The mapping file (see ``docs/importing.md``) or a loaded :class:`Mapping`.
    out : str or Path
        The bundle folder to write (created if needed; bundle files in it are replaced).
    validate : bool
        Validate the written bundle with orgraph's loader rules (default True).
    roster : tuple, optional
        ``(roster file, roster mapping)`` to combine with a ``job_spells`` export: the roster gives names,
        hire and termination dates and each person's current job (see :mod:`.spells`). Its rows are
        accounted for under ``summary["roster"]`` and its rejected rows go to ``rejected-roster.csv``.

    Returns
    -------
    dict
        The summary (also written to ``out/import-summary.json``): every source row
        counted as imported, merged or rejected (by rule), records written, the
        date format used, manager resolution lists, values that fell back to a
        default, warnings, notes and the validation result.

    Raises
    ------
    ConfigError
        The mapping is invalid, names a column the export lacks, or the date
        format cannot be decided.
    SourceError
        The export cannot be read, or ``out`` is a file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "r.csv").write_text("id,name,hired,left,dept,title,boss\\n"
    ...     "1,\\"Ng, Ann\\",2020-01-06,,Outpatient,Director,\\n"
    ...     "2,Bo Li,2021-03-01,2022-05-31,Outpatient,Therapist,Ann Ng\\n")
    >>> m = Mapping.from_dict({"kind": "roster", "columns": {"staff_id": "id", "name": "name",
    ...     "hire_date": "hired", "termination_date": "left", "department": "dept", "title": "title",
    ...     "manager_name": "boss"}})
    >>> s = import_file(d / "r.csv", m, d / "bundle")
    >>> s["rows_imported"], s["written"]["supervision"], s["validation"]["status"]
    (2, 1, 'ok')
    """
    t0 = time.perf_counter()
    m = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise SourceError(f"{out} is a file; --out must be a folder for the bundle")
    table = read_source(data_file, delimiter=m.delimiter, encoding=m.encoding, sheet=m.sheet)
    ledger = Ledger()
    if out.is_dir():
        from ..schema import FILES

        kept = [spec.filename for spec in FILES.values() if spec.optional_file and (out / spec.filename).exists()]
        if kept:
            ledger.warn(f"{out} already holds {', '.join(kept)} from before; they are read as part of the new "
                        "bundle. Import into an empty folder unless they belong to this org.")
    for line, reason, raw in table.bad:
        rule = "blank-row" if reason == "blank row" else "malformed-row"
        ledger.rejected(line, rule, reason, raw)
    if m.kind == "services":
        raise ConfigError(f"{m.source}: kind = \"services\" is imported into a bundle with import_services "
                          "(`orgraph import` does this when given a services mapping)")
    if roster is not None and m.kind != "job_spells":
        raise ConfigError(f"{m.source}: a roster can be combined only with kind = \"job_spells\", not {m.kind!r}")
    fields = Fields(table, m, ledger)
    r_fields = r_summary = None
    if m.kind == "job_spells":
        from .spells import read_job_spells

        r_data = None
        if roster is not None:
            r_data, r_fields, r_summary = _read_roster_part(*roster, ledger)
        people, stints, sups = read_job_spells(table, m, fields, ledger, roster=r_data, name=Path(data_file).name)
        if r_fields is not None:
            for pid, p in r_fields.programs.items():
                fields.programs.setdefault(pid, p)
            ledger.notes = [n for n in ledger.notes if not n.startswith("The mapping names no name column")]
    elif m.kind == "roster":
        from .roster import read_roster

        people, stints, sups = read_roster(table, m, fields, ledger)
    else:
        from .jobhistory import read_job_history

        people, stints, sups = read_job_history(table, m, fields, ledger)
    supervision = resolve_supervision(people, sups, m, ledger)
    positions = allocate_seats(stints, fields, m, ledger)
    assignments = sorted(
        ({"staff_id": s.staff_id, "position_id": s.position, "start_date": s.start, "end_date": s.end}
         for s in stints), key=lambda a: (a["staff_id"], a["start_date"]))
    written = write_bundle(out, people=people, programs=fields.programs, positions=positions,
                           assignments=assignments, supervision=supervision)
    write_rejected(out, ledger, table.header)
    if r_summary is not None:
        r_ledger, r_table = r_summary.pop("_ledger"), r_summary.pop("_table")
        write_rejected(out, r_ledger, r_table.header, name=ROSTER_REJECTED_FILE)
    counts = ledger.counts()
    n_rows = table.n_source_rows
    unaccounted = n_rows - sum(counts.values())
    if unaccounted:
        ledger.warn(f"{unaccounted} source row(s) have no recorded outcome; this is a bug in orgraph, please report it")
    managers = {}
    if m.column("manager_name") or m.column("manager_id"):
        managers["resolved_lines"] = len(supervision)
        for key in MANAGER_LISTS:
            items = ledger.managers.get(key, [])
            managers[f"n_{key}"] = ledger.n_managers(key)
            managers[key] = items[:_LIST_CAP]
    seats = seat_accounting(positions, assignments, m.seat_rule)
    if seats["note"]:
        ledger.notes.append(seats["note"])
    open_end = fields.open_end_note()
    if open_end:
        ledger.notes.append(open_end)
    for pid, p in fields.programs.items():
        if len(p["spellings"]) > 1:
            ledger.notes.append(f"program {pid!r} was written as {', '.join(sorted(map(repr, p['spellings'])))}")
    df = next(iter(fields.dates.values()), None)
    summary = {
        "source": str(data_file), "mapping": m.source, "kind": m.kind, "out": str(out),
        "rows": n_rows, "rows_imported": counts["imported"], "rows_merged": counts["merged"],
        "rows_rejected": counts["rejected"],
        "rejected_by_rule": ledger.by_rule("rejected"), "merged_by_rule": ledger.by_rule("merged"),
        "written": {"staff": written["staff"],
                    "external_staff": sum(1 for p in people.values() if p.external),
                    **{k: v for k, v in written.items() if k != "staff"}},
        "date_format": {"format": " or ".join(df.formats) if df else "", "detected": bool(df and df.detected),
                        "evidence": df.evidence if df else ""},
        "managers": managers,
        "seats": {k: v for k, v in seats.items() if k != "note"},
        "unmapped": {k: dict(v.most_common()) for k, v in ledger.unmapped.items() if v},
        "warnings": ledger.warnings[:_LIST_CAP], "n_warnings": len(ledger.warnings),
        "notes": ledger.notes,
        "validation": {"status": "skipped", "errors": 0, "warnings": 0, "issues": []},
    }
    if r_summary is not None:
        summary["roster"] = r_summary
    if validate:
        summary["validation"] = validate_written(out)
    summary["seconds"] = round(time.perf_counter() - t0, 3)
    write_summary(out, summary)
    return summary


def seat_accounting(positions: list[dict], assignments: list[dict], rule: str) -> dict:
    """Where the seats came from: ``{"position_ids": "export" | "none" | "some", "rule", "seats_from_export",
    "seats_inferred", "assignments_on_inferred", "note"}``. ``note`` is the sentence the summary shows when
    seats were inferred (empty otherwise).

    Examples
    --------
    >>> s = seat_accounting([{"position_id": "op:therapist:1", "inferred": True}],
    ...                     [{"position_id": "op:therapist:1"}] * 3, "sequence")
    >>> s["position_ids"], s["seats_inferred"], s["assignments_on_inferred"]
    ('none', 1, 3)
    >>> print(s["note"])     # doctest: +NORMALIZE_WHITESPACE
    The export has no position ids, so its 1 seat was inferred by the [seats] rule "sequence" (program + title):
    they are marked inferred = true in positions.csv. Who held the same inferred seat is a guess, so no vacancy
    is measured on them (the cost model uses [cost] vacancy_days) and they are not tested as churn seats.
    """
    inferred = {p["position_id"] for p in positions if p.get("inferred")}
    n_inf = len(inferred)
    n_exp = len(positions) - n_inf
    on_inf = sum(1 for a in assignments if a["position_id"] in inferred)
    ids = "export" if not n_inf else "none" if not n_exp else "some"
    note = ""
    if n_inf:
        seats = f"{n_inf} seat{'' if n_inf == 1 else 's'}"
        head = (f"The export has no position ids, so its {seats} {'was' if n_inf == 1 else 'were'} inferred"
                if ids == "none" else
                f"{on_inf} of {len(assignments)} jobs in the export have no position id, so {seats} "
                f"{'was' if n_inf == 1 else 'were'} inferred")
        note = (f"{head} by the [seats] rule \"{rule}\" (program + title): they are marked inferred = true in "
                "positions.csv. Who held the same inferred seat is a guess, so no vacancy is measured on them (the "
                "cost model uses [cost] vacancy_days) and they are not tested as churn seats.")
    return {"position_ids": ids, "rule": rule if n_inf else None, "seats_from_export": n_exp,
            "seats_inferred": n_inf, "assignments_on_inferred": on_inf, "note": note}


def _read_roster_part(data_file, mapping, ledger: Ledger):
    """Read the roster combined with a job-spell export: ``(roster data, its Fields, its row accounting)``."""
    from .roster import read_roster

    m = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    if m.kind != "roster":
        raise ConfigError(f"{m.source}: the file combined with job spells must be kind = \"roster\", not {m.kind!r}")
    table = read_source(data_file, delimiter=m.delimiter, encoding=m.encoding, sheet=m.sheet)
    r_ledger = Ledger()
    for line, reason, raw in table.bad:
        r_ledger.rejected(line, "blank-row" if reason == "blank row" else "malformed-row", reason, raw)
    fields = Fields(table, m, r_ledger)
    people, stints, sups = read_roster(table, m, fields, r_ledger)
    name = Path(data_file).name
    for w in r_ledger.warnings:
        ledger.warn(f"{name}: {w}")
    for key, items in r_ledger.managers.items():
        if key != "missing":   # the spells decide which jobs lack a manager
            ledger.managers[key].extend(items)
            ledger.counters["managers:" + key] += r_ledger.n_managers(key)
    for key, c in r_ledger.unmapped.items():
        ledger.unmapped[key].update(c)
    counts = r_ledger.counts()
    summary = {"source": str(data_file), "mapping": m.source, "kind": "roster", "rows": table.n_source_rows,
               "rows_imported": counts["imported"], "rows_merged": counts["merged"],
               "rows_rejected": counts["rejected"], "rejected_by_rule": r_ledger.by_rule("rejected"),
               "merged_by_rule": r_ledger.by_rule("merged"), "_ledger": r_ledger, "_table": table}
    return (people, stints, sups, name), fields, summary
