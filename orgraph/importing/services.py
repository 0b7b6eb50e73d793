"""``kind = "services"``: an EHR service export, one row per service, into a bundle's monthly files.

An EHR exports what happened: clinician, client, date, start and end (or
minutes), service code, and when the note was started, finished and signed.
:func:`import_services` turns that into the bundle's optional files (see
``docs/data-format.md`` and ``docs/importing.md``), in a bundle folder that
already holds ``staff.csv``:

* ``caseload.csv``: distinct active clients per clinician and month, from
  their first service to their last day with a caseload: their exit, the
  export's end, or the end of the last seat (``assignments.csv``) in which
  they saw a client, whichever is first. With ``[services] active_rule =
  "seen_within"`` (the default) a client is active on a month's reference day
  (its last day, or that last day when earlier) if the clinician saw them in
  the ``active_days`` (90) days up to it; with ``"episode"``, if an episode of
  care with the clinician is open at any time in the month.
* ``client_assignments.csv``: episodes of care, a client's services with one
  clinician split where more than ``episode_gap_days`` (90) pass; an episode is
  open if its last service is within that many days of the export's end and
  the clinician still has a caseload then.
* ``documentation.csv``: session hours (minutes, or end - start) and
  documentation hours (``note_minutes``, or ``note_ended - note_started``) per
  clinician and caseload month (0 in a month without a service). Written only
  when the export measures documentation time.
* ``note_lag.csv`` (beside the bundle files, not one of them): when the note's
  signature time is known, the delay from the service's end to the signature.
  It is a measure of its own and never stands in for documentation hours.
* ``supervision_sessions.csv``: services whose code ``[maps.service]`` maps to
  ``supervision``; the clinician column is the supervisor, the supervisee is in
  ``supervisee_id`` (else the client column).

Client ids are pseudonymised on import (``C-`` and ten hex digits of a keyed
HMAC, :class:`~orgraph.privacy.Pseudonymizer`) unless ``[services]
pseudonymize = false``. Every source row is imported, merged or rejected with
its rule; ``rejected-services.csv`` lists the rejected ones with their line.
Everything runs on whole columns (pandas/numpy): a million rows take seconds.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConfigError, SourceError
from ..plain import FORMULA_STARTS
from ..privacy import Pseudonymizer
from .mapping import Mapping, load_mapping
from .rows import _closest_header
from .servicefields import (BAD, EPOCH, RowOutcomes, StaffIndex, parse_days, parse_numbers, parse_times,
                            read_frame, text_column)
from .servicemeasures import (caseload_open_episode, caseload_seen_within, episodes, month_text, monthly_hours,
                              note_lag)
from .writer import validate_written

__all__ = ["import_services", "ServiceSettings", "SERVICE_DEFAULTS", "REJECTED_FILE", "SUMMARY_FILE",
           "NOTE_LAG_FILE", "OUTPUT_FILES"]

REJECTED_FILE = "rejected-services.csv"
SUMMARY_FILE = "services-summary.json"
NOTE_LAG_FILE = "note_lag.csv"
#: The bundle files a services import writes.
OUTPUT_FILES = ("caseload.csv", "documentation.csv", "client_assignments.csv", "supervision_sessions.csv")

#: ``[services]`` settings and their defaults.
SERVICE_DEFAULTS = {"active_rule": "seen_within", "active_days": 90, "episode_gap_days": 90, "pseudonymize": True,
                    "time_format": "auto", "max_note_minutes": 240, "end_date": ""}
ACTIVE_RULES = ("seen_within", "episode")
KEY_ENV = "ORGRAPH_ANON_KEY"


@dataclass(frozen=True)
class ServiceSettings:
    """The ``[services]`` section of a services mapping, checked.

    Examples
    --------
    >>> m = Mapping.from_dict({"kind": "services", "columns": {"staff_id": "c", "service_date": "d"},
    ...                        "services": {"active_days": 60}})
    >>> s = ServiceSettings.from_mapping(m)
    >>> s.active_rule, s.active_days, s.pseudonymize
    ('seen_within', 60, True)
    """

    active_rule: str = "seen_within"
    active_days: int = 90
    episode_gap_days: int = 90
    pseudonymize: bool = True
    time_format: str = "auto"
    max_note_minutes: int = 240
    end_date: dt.date | None = None

    @classmethod
    def from_mapping(cls, m: Mapping) -> "ServiceSettings":
        v = {**SERVICE_DEFAULTS, **m.services}

        def err(msg):
            return ConfigError(f"{m.source}: [services] {msg}")

        if v["active_rule"] not in ACTIVE_RULES:
            raise err(f"active_rule = {v['active_rule']!r}: expected \"seen_within\" (seen in the last active_days "
                      "days) or \"episode\" (an episode of care open in the month)")
        for key in ("active_days", "episode_gap_days", "max_note_minutes"):
            if not isinstance(v[key], int) or isinstance(v[key], bool) or v[key] < 1:
                raise err(f"{key} = {v[key]!r}: expected a whole number of days (minutes for max_note_minutes) "
                          "of at least 1")
        if not isinstance(v["pseudonymize"], bool):
            raise err(f"pseudonymize = {v['pseudonymize']!r}: expected true or false")
        if not isinstance(v["time_format"], str) or (v["time_format"] != "auto" and "%" not in v["time_format"]):
            raise err(f"time_format = {v['time_format']!r}: expected \"auto\" (ISO 8601 timestamps) or strptime "
                      "codes such as \"%m/%d/%Y %I:%M %p\"")
        end = v["end_date"]
        if isinstance(end, str) and end:
            try:
                end = dt.date.fromisoformat(end)
            except ValueError:
                raise err(f"end_date = {end!r}: expected a date like \"2024-12-31\"") from None
        elif not isinstance(end, dt.date) or isinstance(end, dt.datetime):
            end = None
        return cls(v["active_rule"], v["active_days"], v["episode_gap_days"], v["pseudonymize"], v["time_format"],
                   v["max_note_minutes"], end)


# ------------------------------------------------------------------ import
def import_services(data_file, mapping, out, *, key: str | None = None, validate: bool = True) -> dict:
    """Import an EHR service export into the bundle folder ``out`` (which must hold ``staff.csv``).

    Parameters
    ----------
    data_file : str or Path
        The export: one row per service (CSV, TSV or Excel).
    mapping : str, Path or Mapping
        A mapping with ``kind = "services"`` (see ``docs/importing.md``).
    out : str or Path
        The bundle folder; ``caseload.csv``, ``client_assignments.csv``, ``supervision_sessions.csv`` and,
        when the export measures documentation time, ``documentation.csv`` are written into it.
    key : str, optional
        The key client ids are pseudonymised with (default: ``$ORGRAPH_ANON_KEY``); needed unless the
        mapping says ``[services] pseudonymize = false``.
    validate : bool
        Validate the whole bundle afterwards (default True).

    Returns
    -------
    dict
        The summary (also written to ``out/services-summary.json``): every source row counted as
        imported, merged or rejected (by rule), rows written per file, warnings, notes, validation.

    Raises
    ------
    ConfigError
        The mapping is invalid or names a missing column, the date format cannot be decided, or no key.
    SourceError
        The export or the bundle's ``staff.csv`` cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "staff.csv").write_text("staff_id,name,discipline,hire_date,termination_date,"
    ...     "termination_type,termination_reason\\nS1,Ann,LCSW,2020-01-01,,,\\n")
    >>> _ = (d / "visits.csv").write_text("clin,client,date,min,code\\n"
    ...     "S1,77,2023-01-10,50,90837\\nS1,78,2023-02-03,45,90834\\nS9,79,2023-02-04,45,90834\\n")
    >>> m = Mapping.from_dict({"kind": "services", "columns": {"staff_id": "clin", "client_id": "client",
    ...     "service_date": "date", "minutes": "min", "service_code": "code"}})
    >>> s = import_services(d / "visits.csv", m, d, key="Doc-example-key-2026", validate=False)
    >>> s["rows_imported"], s["rejected_by_rule"], s["written"]["caseload"]
    (2, {'unknown-staff-id': 1}, 2)
    >>> print((d / "caseload.csv").read_text())
    staff_id,month,active_clients
    S1,2023-01,1
    S1,2023-02,2
    <BLANKLINE>
    """
    t0 = time.perf_counter()
    m = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    if m.kind != "services":
        raise ConfigError(f"{m.source}: kind = {m.kind!r}; a services import needs kind = \"services\"")
    st = ServiceSettings.from_mapping(m)
    out = Path(out)
    if not (out / "staff.csv").is_file():
        raise SourceError(f"{out / 'staff.csv'} is missing: services are imported into a bundle that has its staff; "
                          "import the HR export first, or give both files to `orgraph import`")
    pseudo = None
    if st.pseudonymize:
        key = key or os.environ.get(KEY_ENV)
        if not key:
            raise ConfigError(f"{m.source}: client ids are pseudonymised on import and that needs a key: pass --key "
                              f"or set {KEY_ENV} (the same key gives the same pseudonyms), or set [services] "
                              "pseudonymize = false to keep the export's client ids")
        pseudo = Pseudonymizer(key)
    path = Path(data_file)
    df, lines, bad = read_frame(path, m)
    for fld, col in m.columns.items():
        if col not in df.columns:
            found = ", ".join(repr(h) for h in list(df.columns)[:40])
            raise ConfigError(f"{m.source}: [columns] {fld} = {col!r}, but {path.name} has no such column"
                              f"{_closest_header(col, list(df.columns))}. Columns found: {found}")
    n = len(df)
    R = RowOutcomes(lines)
    col = m.column
    txt = {f: text_column(df, col(f), n) for f in m.columns}
    blank = pd.Series(np.full(n, "", object))
    get = lambda f: txt[f] if f in txt else blank  # noqa: E731

    def missing(fld, rule, what):
        R.reject((get(fld) == "").to_numpy(), rule, f"no {what} in column {col(fld)!r}")

    missing("staff_id", "missing-staff-id", "staff id")
    missing("service_date", "missing-service-date", "service date")
    day, parser, date_err = parse_days(get("service_date"), m)
    R.reject(day == BAD, "bad-date", lambda idx: [f"service_date ({col('service_date')}): {e}" for e in date_err(idx)])
    year = np.where(day > BAD, day, 0).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    R.reject((day > BAD) & ((year < 1900) | (year > 2100)), "implausible-date", lambda idx: [
        f"service_date ({col('service_date')}): {get('service_date')[i]!r} is outside the plausible range 1900-2100"
        for i in idx])
    if st.end_date is not None:
        R.reject(day > (st.end_date - EPOCH).days, "after-end-date", lambda idx: [
            f"service_date ({col('service_date')}): {get('service_date')[i]} is after [services] end_date = "
            f"{st.end_date.isoformat()}" for i in idx])

    # service kind
    unmapped: dict[str, int] = {}
    if col("service_code"):
        codes, uniq = pd.factorize(get("service_code"), sort=False)
        vm = m.map("service")
        counts = np.bincount(codes, minlength=len(uniq))
        kinds_u = []
        for k_, u in enumerate(uniq):
            k = vm.get(u) if u else None
            if k is None:
                unmapped[u or "(blank)"] = int(counts[k_])
            kinds_u.append(k or m.defaults["service"])
        kind = np.asarray(kinds_u, object)[codes] if len(uniq) else np.full(n, "clinical", object)
    else:
        kind = np.full(n, m.defaults["service"], object)
    R.reject(kind == "ignore", "ignored-service", lambda idx: [
        f"service code {get('service_code')[i]!r} maps to ignore under [maps.service]" for i in idx])
    clinical, sup = kind == "clinical", kind == "supervision"
    R.reject(clinical & (get("client_id") == "").to_numpy(), "missing-client-id",
             f"no client id in column {col('client_id')!r}" if col("client_id") else
             "no client_id column in [columns]; a clinical service needs its client")
    supervisee = get("supervisee_id") if col("supervisee_id") else get("client_id")
    sv_col = col("supervisee_id") or col("client_id")
    R.reject(sup & (supervisee == "").to_numpy(), "missing-supervisee",
             f"a supervision service with no supervisee in column {sv_col!r}")

    # durations
    minutes, bad_min = parse_numbers(get("minutes"))
    R.reject(bad_min, "bad-minutes", lambda idx: [
        f"minutes ({col('minutes')}): {get('minutes')[i]!r} is not a number of minutes" for i in idx])
    R.reject((minutes < 0) | (minutes > 1440), "bad-minutes", lambda idx: [
        f"minutes ({col('minutes')}): {get('minutes')[i]} is not between 0 and 1440" for i in idx])
    day0 = np.where(day > BAD, day, 0)
    start, bad_s = parse_times(get("start_time"), day0, st.time_format)
    end, bad_e = parse_times(get("end_time"), day0, st.time_format)
    for fld, badm in (("start_time", bad_s), ("end_time", bad_e)):
        R.reject(badm, "bad-time", lambda idx, fld=fld: [
            f"{fld} ({col(fld)}): {get(fld)[i]!r} is not a time of day (14:05) or a timestamp "
            f"({'ISO 8601' if st.time_format == 'auto' else st.time_format})" for i in idx])
    span = end - start
    R.reject(span < 0, "end-before-start", lambda idx: [
        f"end_time {get('end_time')[i]!r} is before start_time {get('start_time')[i]!r}" for i in idx])
    R.reject(span > 1440, "bad-minutes", lambda idx: [
        f"start_time to end_time is {span[i]:.0f} minutes, more than a day" for i in idx])
    dur = np.where(np.isnan(minutes), span, minutes)
    R.reject(sup & np.isnan(dur), "missing-minutes", "a supervision service needs its minutes"
             + (f" (column {col('minutes')!r})" if col("minutes") else "") + " or its start and end times")

    # staff
    staff = StaffIndex(out / "staff.csv")
    rec = staff.resolve(get("staff_id"), day0)
    sid = get("staff_id")
    R.reject(rec == -1, "unknown-staff-id", lambda idx: [
        f"staff id {sid[i]!r} ({col('staff_id')}) is not in staff.csv" for i in idx])
    R.reject(rec == -2, "outside-employment", lambda idx: [
        f"service on {get('service_date')[i]} is outside staff {sid[i]!r}'s employment ({staff.span(sid[i])})"
        for i in idx])
    rec_sv = np.full(n, -3, np.int64)
    if sup.any():
        rec_sv[sup] = staff.resolve(supervisee[sup].reset_index(drop=True), day0[sup])
    R.reject(sup & (rec_sv == -1), "unknown-staff-id", lambda idx: [
        f"supervisee {supervisee[i]!r} ({sv_col}) is not in staff.csv" for i in idx])
    R.reject(sup & (rec_sv == -2), "outside-employment", lambda idx: [
        f"supervision on {get('service_date')[i]} is outside supervisee {supervisee[i]!r}'s employment "
        f"({staff.span(supervisee[i])})" for i in idx])
    R.reject(sup & (rec_sv == rec), "self-supervision", lambda idx: [
        f"{sid[i]!r} is listed as supervising themself" for i in idx])

    # exact duplicates of an imported row
    alive = np.nonzero(R.alive)[0]
    if len(alive):
        sub = df.iloc[alive]
        grp = sub.groupby(list(sub.columns), sort=False, dropna=False).ngroup().to_numpy()
        first_pos = pd.Series(alive).groupby(grp).transform("min").to_numpy()
        dup = np.zeros(n, bool)
        dup[alive] = first_pos != alive
        firsts = np.zeros(n, np.int64)
        firsts[alive] = first_pos
        R.reject(dup, "duplicate-row", lambda idx: [f"same values as line {lines[firsts[i]]}" for i in idx], status=1)

    # notes (warnings only: a service with an unreadable note time is still a service)
    note_min = np.full(n, np.nan)
    doc_source = ""
    if col("note_minutes"):
        note_min, bad_nm = parse_numbers(get("note_minutes"))
        R.warn(bad_nm | (note_min < 0), f"note_minutes ({col('note_minutes')}) is not a number of minutes; left empty")
        note_min[bad_nm | (note_min < 0)] = np.nan
        doc_source = f"note minutes ({col('note_minutes')})"
    elif col("note_started") and col("note_ended"):
        ns, bad_ns = parse_times(get("note_started"), day0, st.time_format)
        ne, bad_ne = parse_times(get("note_ended"), day0, st.time_format)
        R.warn(bad_ns | bad_ne, "a note start or end time is unreadable; its documentation time is left out")
        note_min = ne - ns
        R.warn(note_min < 0, "the note ends before it starts; its documentation time is left out")
        doc_source = f"note end - note start ({col('note_ended')} - {col('note_started')})"
    R.warn(note_min > st.max_note_minutes,
           f"a note took more than [services] max_note_minutes = {st.max_note_minutes} (left open?); its "
           "documentation time is left out")
    note_min[(note_min < 0) | (note_min > st.max_note_minutes)] = np.nan
    lag = signed = None
    if col("note_signed"):
        sg, bad_sg = parse_times(get("note_signed"), day0, st.time_format)
        R.warn(bad_sg, f"note_signed ({col('note_signed')}) is unreadable; counted as not signed")
        svc_end = np.where(~np.isnan(end), end, np.where(~np.isnan(start) & ~np.isnan(dur), start + dur,
                                                         (day0 + 1) * 1440.0))
        lag = (sg - svc_end) / 60.0
        R.warn(lag < 0, "the note was signed before the service ended; left out of the note lag")
        signed = ~np.isnan(sg)
        lag[lag < 0] = np.nan

    # --------------------------------------------------------- measures
    keep = R.alive
    data_end = (st.end_date - EPOCH).days if st.end_date else (int(day[keep].max()) if keep.any() else 0)
    ci = np.nonzero(keep & clinical)[0]
    written: dict[str, int] = {}
    notes: list[str] = []
    s_rec = rec[ci]
    codes_s, recs = pd.factorize(s_rec, sort=True)
    staff_ids = np.asarray(staff.ids, object)
    client_raw = get("client_id").to_numpy()[ci]
    ccodes, cuniq = pd.factorize(client_raw, sort=False)
    if pseudo is not None:
        cnames = np.asarray(["C-" + pseudo("client:" + u)[2:] for u in cuniq], object)
    else:
        cnames = np.asarray(cuniq, object)
    d = day[ci]
    # a clinician's caseload ends with their employment or with the last seat in which they saw a client
    # (a move to a seat without clients: their months stop there, and their episodes cannot still be open)
    seat_end = staff.seat_ends(out / "assignments.csv", s_rec, d)
    clin_end = pd.Series(seat_end).groupby(codes_s).max().reindex(range(len(recs))).to_numpy(np.int64) \
        if len(ci) else np.zeros(0, np.int64)
    rec_term = np.minimum(staff.term_a[recs], clin_end) if len(recs) else np.zeros(0, np.int64)
    last_day = np.minimum(rec_term, data_end)
    first_day = pd.Series(d).groupby(codes_s).min().reindex(range(len(recs))).to_numpy(np.int64) if len(ci) else \
        np.zeros(0, np.int64)
    ep = episodes(codes_s, ccodes, d, gap=st.episode_gap_days, open_after=rec_term > data_end, data_end=data_end)
    if st.active_rule == "seen_within":
        cl = caseload_seen_within(codes_s, ccodes, d, days=st.active_days, first_day=first_day, last_day=last_day)
    else:
        cl = caseload_open_episode(ep, first_day=first_day, last_day=last_day)
    cl_out = pd.DataFrame({"staff_id": staff_ids[recs[cl["staff"]]] if len(cl) else [],
                           "month": month_text(cl["month"]) if len(cl) else [],
                           "active_clients": cl["active_clients"].to_numpy()})
    written["caseload"] = _write(out / "caseload.csv", cl_out.sort_values(["staff_id", "month"]))
    ca = pd.DataFrame({"client_id": cnames[ep["client"]] if len(ep) else [],
                       "staff_id": staff_ids[recs[ep["staff"]]] if len(ep) else [],
                       "start_date": _iso(ep["start"]), "end_date": np.where(ep["open"], "", _iso(ep["end"]))})
    written["client_assignments"] = _write(out / "client_assignments.csv",
                                           ca.sort_values(["staff_id", "start_date", "client_id"]))
    has_session = bool(col("minutes") or (col("start_time") and col("end_time")))
    if doc_source and has_session:
        h = monthly_hours(codes_s, d, dur[ci], note_min[ci], months=cl)
        doc = pd.DataFrame({"staff_id": staff_ids[recs[h["staff"]]] if len(h) else [],
                            "month": month_text(h["month"]) if len(h) else [],
                            "session_hours": h["session_hours"], "documentation_hours": h["documentation_hours"]})
        written["documentation"] = _write(out / "documentation.csv", doc.sort_values(["staff_id", "month"]))
        R.warn(keep & clinical & np.isnan(dur), "a service has no minutes and no start and end times; left out of "
                                                "session hours")
        R.warn(keep & clinical & np.isnan(note_min), "a service has no documentation time; left out of "
                                                     "documentation hours")
    else:
        why = ("no documentation time (note minutes, or note start and end times)" if not doc_source
               else "no session time (minutes, or start and end times)")
        notes.append(f"documentation.csv is not written: the export has {why}"
                     + ("; the note signature lag is in note_lag.csv instead, a different measure" if lag is not None
                        else ""))
        if (out / "documentation.csv").exists():
            R.warnings.append(f"{out / 'documentation.csv'} from before is kept; this export does not replace it")
    if lag is not None:
        nl = note_lag(codes_s, d, signed[ci], lag[ci])
        nl.insert(0, "staff_id", staff_ids[recs[nl.pop("staff")]] if len(nl) else [])
        nl["month"] = month_text(nl["month"]) if len(nl) else []
        written["note_lag"] = _write(out / NOTE_LAG_FILE, nl.sort_values(["staff_id", "month"]))
        notes.append(f"{NOTE_LAG_FILE}: hours from each service's end to its note's signature, by clinician and "
                     "month; a delay, not time spent documenting")
    si = np.nonzero(keep & sup)[0]
    ss = pd.DataFrame({"supervisor_id": staff_ids[rec[si]], "staff_id": staff_ids[rec_sv[si]],
                       "date": _iso(day[si]), "minutes": [_num(x) for x in dur[si]]})
    written["supervision_sessions"] = _write(out / "supervision_sessions.csv",
                                             ss.sort_values(["supervisor_id", "staff_id", "date"]))
    # ------------------------------------------------------------ summary
    rejected = _write_rejected(out / REJECTED_FILE, df, R, bad)
    status = R.status
    n_rows = n + len(bad)
    rules_rej = pd.Series(R.rule[status == 2]).value_counts()
    for _, reason, _ in bad:
        key_ = "blank-row" if reason == "blank row" else "malformed-row"
        rules_rej[key_] = rules_rej.get(key_, 0) + 1
    examples = [f"{path.name}:{ln} {rule}: {reason}" for ln, rule, reason in _rejected_list(R, bad)[:20]]
    summary = {
        "source": str(data_file), "mapping": m.source, "kind": "services", "out": str(out), "rows": n_rows,
        "rows_imported": int((status == 0).sum()), "rows_merged": int((status == 1).sum()),
        "rows_rejected": rejected, "rejected_file": REJECTED_FILE,
        "rejected_by_rule": {k: int(v) for k, v in sorted(rules_rej.items(), key=lambda kv: -kv[1])},
        "merged_by_rule": {k: int(v) for k, v in pd.Series(R.rule[status == 1]).value_counts().items()},
        "rejected_examples": examples,
        "written": written,
        "date_format": {"format": " or ".join(parser.formats), "detected": parser.detected,
                        "evidence": parser.evidence},
        "managers": {},
        "unmapped": {"service": unmapped} if unmapped and col("service_code") else {},
        "services": {"active_rule": st.active_rule, "active_days": st.active_days,
                     "episode_gap_days": st.episode_gap_days, "pseudonymized": pseudo is not None,
                     "data_end": (EPOCH + dt.timedelta(days=data_end)).isoformat(),
                     "clinicians": int(len(recs)), "clients": int(len(cuniq)), "clinical_services": int(len(ci)),
                     "supervision_services": int(len(si)), "documentation_from": doc_source or "none",
                     "note_lag": lag is not None},
        "warnings": R.warnings[:200], "n_warnings": len(R.warnings), "notes": notes,
        "validation": {"status": "skipped", "errors": 0, "warnings": 0, "issues": []},
    }
    if validate:
        summary["validation"] = validate_written(out)
    summary["seconds"] = round(time.perf_counter() - t0, 3)
    (out / SUMMARY_FILE).write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    return summary


def _iso(days) -> np.ndarray:
    return np.datetime_as_string(np.asarray(days, np.int64).astype("datetime64[D]"), unit="D")


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}".rstrip("0")


def _write(path: Path, frame: pd.DataFrame) -> int:
    frame.to_csv(path, index=False, lineterminator="\n")
    return len(frame)


def _rejected_list(R: RowOutcomes, bad) -> list[tuple[int, str, str]]:
    idx = np.nonzero(R.status == 2)[0]
    rows = [(int(R.lines[i]), R.rule[i], R.reason[i]) for i in idx]
    rows += [(ln, "blank-row" if reason == "blank row" else "malformed-row", reason) for ln, reason, _ in bad]
    return sorted(rows)


def _write_rejected(path: Path, df: pd.DataFrame, R: RowOutcomes, bad) -> int:
    """``rejected-services.csv``: ``source_line, rule, reason`` and the row's cells (formula-like cells as text)."""
    idx = np.nonzero(R.status == 2)[0]
    safe = lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v  # noqa: E731
    cells = df.iloc[idx].to_numpy(dtype=object) if len(idx) else []
    rows = [(int(R.lines[i]), R.rule[i], R.reason[i], list(c)) for i, c in zip(idx, cells)]
    rows += [(ln, "blank-row" if reason == "blank row" else "malformed-row", reason, list(raw))
             for ln, reason, raw in bad]
    rows.sort(key=lambda r: r[0])
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["source_line", "rule", "reason", *df.columns])
        for ln, rule, reason, cells in rows:
            w.writerow([ln, rule, reason, *(safe(str(c)) for c in cells)])
    return len(rows)
