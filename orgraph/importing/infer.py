"""``--infer-mapping``: a starting mapping written from an export's headers and values.

The result is a draft for a person to review, never used silently: every
guess carries a comment. The kind of export is recognised first
(:func:`infer_kind`): a services export (a client and a service date, with
minutes, times, a service code or note times), a job history (an event type
and an effective date), job spells (a start and an end date per row, no event
type, and some person with several rows) or else a roster. Columns are recognised by their header (compared
without case, spaces or punctuation). Two checks use the data itself: a
position-id column is left commented out when one value has several current
holders (it is a job code, not a seat), and a manager-id column is left
commented out when its values are not staff ids. Value maps list every
distinct value found, with a guess marked ``# guessed``.
"""
from __future__ import annotations

import re
from collections import Counter

from ..errors import ConfigError
from .dates import detect_format
from .mapping import normalize_value, slug
from .source import read_source

__all__ = ["infer_mapping", "infer_kind", "match_headers", "guess_role", "SYNONYMS", "SERVICE_SYNONYMS",
           "ROLE_VOCABULARY"]

#: Header spellings recognised for each field (compared lower-case, letters and digits only), best first.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "staff_id": ("employeeid", "empid", "employeenumber", "employeeno", "empno", "staffid", "workerid",
                 "personid", "personnelnumber", "associateid", "employeecode", "businessentityid", "id"),
    "name": ("employeename", "name", "fullname", "staffname", "workername", "employee", "displayname"),
    "first_name": ("firstname", "givenname", "forename", "fname"),
    "last_name": ("lastname", "surname", "familyname", "lname"),
    "discipline": ("discipline", "licensetype", "credential", "credentials", "profession", "licensure"),
    "hire_date": ("dateofhire", "hiredate", "originalhiredate", "datehired", "startdate", "employmentstartdate"),
    "termination_date": ("dateoftermination", "terminationdate", "termdate", "separationdate", "enddate",
                         "leavedate", "lastdayworked", "exitdate"),
    "termination_type": ("terminationtype", "termtype", "separationtype", "employmentstatus"),
    "termination_reason": ("termreason", "terminationreason", "reasonforleaving", "separationreason",
                           "leavingreason", "exitreason", "reason"),
    "fte": ("fte", "fulltimeequivalent"),
    "annual_salary": ("salary", "annualsalary", "basesalary", "annualpay"),
    "license": ("license", "licence", "licensenumber"),
    "department": ("department", "departmentname", "dept", "program", "programname", "unit", "division",
                   "costcenter", "team"),
    "program_id": ("deptid", "departmentid", "departmentcode", "deptcode", "programid", "programcode"),
    "title": ("position", "title", "jobtitle", "positiontitle", "businesstitle", "job", "jobname", "role", "jobid",
              "jobcode"),
    "position_id": ("positionid", "positionnumber", "positionno", "seatid", "posid", "positioncode"),
    "manager_id": ("managerid", "supervisorid", "reportstoid", "manageremployeeid", "managerempid",
                   "supervisoremployeeid", "reportsto"),
    "manager_name": ("managername", "manager", "supervisor", "supervisorname", "reportstoname", "reportsto",
                     "linemanager"),
    "event_type": ("action", "actiontype", "event", "eventtype", "transactiontype", "changetype", "actioncode"),
    "effective_date": ("effectivedate", "eventdate", "actiondate", "effdate", "changedate", "transactiondate",
                       "date"),
}

#: Job spells: the first and last day of each spell (a roster's "Start Date" / "End Date" are hire and exit).
SPELL_SYNONYMS: dict[str, tuple[str, ...]] = {
    "start_date": ("startdate", "spellstart", "fromdate", "datefrom", "validfrom", "effectivefrom", "begindate",
                   "effectivestartdate", "jobstartdate", "assignmentstartdate"),
    "end_date": ("enddate", "spellend", "todate", "dateto", "validto", "effectiveto", "effectiveenddate",
                 "jobenddate", "assignmentenddate"),
}

#: Header spellings of an EHR services export (one row per service), best first.
SERVICE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "staff_id": ("renderingprovider", "renderingproviderid", "clinician", "clinicianid", "provider", "providerid",
                 "staffid", "employeeid", "practitioner", "practitionerid", "therapist", "staff", "servicingprovider"),
    "client_id": ("clientmrn", "client", "clientid", "mrn", "patient", "patientid", "patientmrn", "memberid",
                  "consumerid", "clientnumber"),
    "service_date": ("dateofservice", "servicedate", "dos", "visitdate", "appointmentdate", "sessiondate",
                     "encounterdate", "date"),
    "start_time": ("starttime", "start", "sessionstart", "appointmentstart", "timein", "begintime",
                   "servicestart"),
    "end_time": ("endtime", "end", "sessionend", "appointmentend", "timeout", "serviceend"),
    "minutes": ("minutes", "duration", "durationminutes", "sessionminutes", "serviceminutes", "durationmin",
                "mins", "length"),
    "service_code": ("cptcode", "cpt", "servicecode", "procedurecode", "proccode", "billingcode", "hcpcs",
                     "code", "servicetype"),
    "supervisee_id": ("supervisee", "superviseeid"),
    "note_minutes": ("noteminutes", "documentationminutes", "notetime", "documentationtime"),
    "note_started": ("notestarted", "notestart", "notestartedat", "documentationstarted", "notebegin"),
    "note_ended": ("noteended", "noteend", "notecompleted", "notefinished", "documentationended"),
    "note_signed": ("notesigned", "signedat", "signed", "signaturedate", "notesigneddate", "signeddate"),
}

#: Title words -> role kind, most specific first, matched as whole words: a documented behavioral-health
#: vocabulary (docs/importing.md). A title that matches none is left "other" and listed for review: a guess of
#: "clinician" for a Production Technician or a Data Analyst would put them in every clinical rate.
ROLE_VOCABULARY = (
    ("director", ("clinical director", "medical director", "executive director", "program director", "chief",
                  "president", "ceo", "coo", "cfo", "cmo", "vp", "vice president", "director")),
    ("supervisor", ("clinical supervisor", "clinical manager", "team lead", "team leader", "program manager",
                    "site manager", "nurse manager", "supervisor", "head of")),
    ("clinician", ("case manager", "care manager", "care coordinator", "peer specialist", "peer support",
                   "peer recovery", "recovery coach", "nurse practitioner", "psychiatric nurse", "registered nurse",
                   "nurse", "pmhnp", "fnp", "aprn", "np", "rn", "lpn", "md", "psyd",
                   "therapist", "psychotherapist", "counselor", "counsellor", "clinician", "social worker", "msw",
                   "lcsw", "lmsw", "lsw", "lpc", "lpcc", "lcpc", "lmft", "mft", "lmhc", "ladc", "ladac", "lac",
                   "lcadc", "cadc", "psychologist", "psychiatrist", "behavioral health specialist",
                   "addiction specialist", "substance use specialist")),
    ("supervisor", ("manager",)),
    ("admin", ("administrative", "administrator", "admin", "assistant", "receptionist", "clerk", "billing",
               "accountant", "scheduler", "intake coordinator", "medical records", "records", "payroll",
               "human resources", "hr")),
)
_TERM_GUESS = (("retirement", ("retire",)),
               ("involuntary", ("cause", "fired", "dismiss", "discharg", "involuntar", "layoff", "laid off",
                                "attendance", "performance", "misconduct", "no-call", "no call")),
               ("voluntary", ("voluntar", "resign", "career", "another", "relocat", "school", "more money", "pay",
                              "hours", "unhappy", "family", "military", "maternity", "quit", "personal")),
               ("involuntary", ("terminated",)))
_SERVICE_GUESS = (("intensive outpatient", ("iop", "intensive")), ("outpatient", ("outpatient", "clinic")),
                  ("residential", ("residential",)), ("crisis", ("crisis",)), ("school-based", ("school",)),
                  ("ACT", ("act team", "assertive")), ("inpatient", ("inpatient",)))


def _key(header: str) -> str:
    return re.sub(r"[^0-9a-z]", "", header.casefold())


def match_headers(header: list[str], synonyms: dict[str, tuple[str, ...]] | None = None) -> dict[str, str]:
    """Fields recognised in a header row (each column used at most once).

    Examples
    --------
    >>> match_headers(["EmpID", "Employee_Name", "DateofHire", "ManagerName", "Department "])
    {'staff_id': 'EmpID', 'name': 'Employee_Name', 'hire_date': 'DateofHire', 'department': 'Department ', 'manager_name': 'ManagerName'}
    """
    keys = {_key(h): h for h in header}
    used: set[str] = set()
    out: dict[str, str] = {}
    for fld, names in (SYNONYMS if synonyms is None else synonyms).items():
        for n in names:
            h = keys.get(n)
            if h is not None and h not in used:
                out[fld] = h
                used.add(h)
                break
    return out


def _guess(value: str, table) -> str | None:
    v = f" {normalize_value(value)} "
    for target, words in table:
        if any(w in v for w in words):
            return target
    return None


def guess_role(title: str) -> str | None:
    """The role kind a title's words say (:data:`ROLE_VOCABULARY`, whole words, most specific first); ``None``
    when they say nothing, so the title is listed for review and stays ``other``.

    Examples
    --------
    >>> [guess_role(t) for t in ("Case Manager", "Clinical Director", "Therapist II", "Production Technician",
    ...                          "Software Engineer", "Data Analyst", "Program Manager", "Peer Specialist")]
    ['clinician', 'director', 'clinician', None, None, None, 'supervisor', 'clinician']
    >>> [guess_role(t) for t in ("Psychologist, PhD", "Staff Psychiatrist (MD)", "PMHNP", "RN", "LADC",
    ...                          "Research Scientist, PhD", "Nurse Manager", "Medical Assistant")]
    ['clinician', 'clinician', 'clinician', 'clinician', 'clinician', None, 'supervisor', 'admin']
    """
    v = " ".join(re.findall(r"[0-9a-z]+", str(title).casefold()))
    for target, words in ROLE_VOCABULARY:
        if any(re.search(r"\b" + re.escape(w) + r"\b", v) for w in words):
            return target
    return None


def infer_kind(table) -> tuple[str, str]:
    """The kind of export a table is, and why, from its headers and (for job spells) its ids.

    * ``services``: a client and a service date per row, and at least one of minutes, start/end times, a
      service code or note times (an EHR's one row per service);
    * ``job_history``: an event type and an effective date;
    * ``job_spells``: a start and an end date per row, no event type, and some staff id on several rows (a
      roster has one row per employee, so its "Start Date" / "End Date" are hire and exit);
    * ``roster`` otherwise.

    Examples
    --------
    >>> from orgraph.importing.source import SourceTable
    >>> spells = SourceTable(["EMPLOYEE_ID", "START_DATE", "END_DATE", "JOB_ID"],
    ...                      [["101", "2007-09-21", "2011-10-27", "AC"], ["101", "2011-10-28", "2015-03-15", "AM"]],
    ...                      [2, 3])
    >>> infer_kind(spells)[0]
    'job_spells'
    >>> infer_kind(SourceTable(["EmpID", "Start Date", "End Date"], [["1", "2020-01-01", ""]], [2]))[0]
    'roster'
    """
    svc = match_headers(table.header, SERVICE_SYNONYMS)
    hr = match_headers(table.header)
    measures = [svc[f] for f in ("minutes", "start_time", "end_time", "service_code", "note_minutes", "note_started",
                                 "note_ended", "note_signed") if f in svc]
    if "client_id" in svc and "service_date" in svc and measures and "hire_date" not in hr:
        return "services", (f"one row per service: a client ({svc['client_id']!r}), a service date "
                            f"({svc['service_date']!r}) and {', '.join(map(repr, measures))}")
    if "event_type" in hr and "effective_date" in hr:
        return "job_history", (f"one row per event: an event type ({hr['event_type']!r}) and an effective date "
                               f"({hr['effective_date']!r})")
    spell = match_headers(table.header, SPELL_SYNONYMS)
    id_col = hr.get("staff_id")
    if "start_date" in spell and "end_date" in spell and id_col:
        counts = Counter(str(v).strip() for v in table.column(id_col) if str(v).strip())
        multi = sum(1 for n in counts.values() if n > 1)
        if multi:
            return "job_spells", (f"one row per job spell: a start ({spell['start_date']!r}) and an end "
                                  f"({spell['end_date']!r}) on each row, no event type, and {multi} "
                                  f"{'person has' if multi == 1 else 'people have'} several rows")
    return "roster", "one row per employee"


def _q(s: str) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def infer_mapping(data_file, *, sheet=None, max_values: int = 200) -> str:
    """A draft mapping (TOML text) for an export, for a person to review.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "r.csv")
    >>> _ = open(p, "w").write("Employee ID,Name,Hire Date,Supervisor\\n1,Ann Ng,3/15/2020,\\n2,Bo Li,4/1/2021,Ann Ng\\n")
    >>> text = infer_mapping(p)
    >>> 'kind = "roster"' in text, 'staff_id = "Employee ID"' in text, 'date_format = "%m/%d/%Y"' in text
    (True, True, True)
    """
    table = read_source(data_file, sheet=sheet)
    kind, why = infer_kind(table)
    if kind == "services":
        return _services_draft(table, why, max_values)
    spell_cols = match_headers(table.header, SPELL_SYNONYMS) if kind == "job_spells" else {}
    found = match_headers([h for h in table.header if h not in spell_cols.values()])
    found.update(spell_cols)
    notes: dict[str, str] = {}
    if kind != "job_history":
        found.pop("effective_date", None)
        found.pop("event_type", None)
    if kind == "job_spells":
        found.pop("hire_date", None)
    col = {f: table.column(h) for f, h in found.items()}
    # name: prefer one full-name column
    if "name" in found:
        found.pop("first_name", None)
        found.pop("last_name", None)
    # a department name wins over a department code
    if "department" in found and "program_id" in found:
        notes["program_id"] = f"{found.pop('program_id')!r} looks like a department code; department names are used"
    ids = {str(v).strip() for v in col.get("staff_id", [])}
    if "manager_id" in found:
        vals = [str(v).strip() for v in col["manager_id"] if str(v).strip()]
        hit = sum(v in ids for v in vals)
        if not vals or hit < 0.5 * len(vals):
            h = found.pop("manager_id")
            notes["manager_id"] = (f"{h!r}: only {hit} of {len(vals)} values are staff ids, so it is not "
                                   "a manager's employee id")
            if found.get("manager_name") is None and _key(h) == "reportsto":
                found["manager_name"] = h
        elif found.get("manager_name") == found.get("manager_id"):
            found.pop("manager_name")
    if "position_id" in found and kind in ("roster", "job_spells"):
        term = col.get("end_date" if kind == "job_spells" else "termination_date")
        active = Counter(str(v).strip() for i, v in enumerate(col["position_id"])
                         if str(v).strip() and (term is None or not str(term[i]).strip()))
        shared = [(v, n) for v, n in active.items() if n > 1]
        if shared:
            v, n = max(shared, key=lambda x: x[1])
            notes["position_id"] = (f"{found.pop('position_id')!r} is a job code, not a seat ({v!r} has {n} current "
                                    "holders); seats are made by the program + title + sequence rule")
    date_fields = [f for f in ("hire_date", "termination_date", "effective_date", "start_date", "end_date")
                   if f in found]
    date_line = 'date_format = "auto"'
    if date_fields:
        try:
            p = detect_format([v for f in date_fields for v in col[f]])
            fmts = f'"{p.fmt}"' if not p.extra else "[" + ", ".join(f'"{f}"' for f in p.formats) + "]"
            date_line = f'date_format = {fmts}          # detected; decided by {p.evidence!r}'
        except ConfigError as exc:
            date_line = f'date_format = "auto"   # REVIEW: {exc}'
    out = ["# Draft mapping written by `orgraph import --infer-mapping`. Review every line marked REVIEW or",
           "# guessed, then run: orgraph import DATA_FILE --mapping THIS_FILE --out BUNDLE_DIR",
           f"# Source: {table.path} ({len(table.rows)} rows, {len(table.header)} columns)", "",
           f'kind = "{kind}"   # detected: {why}',
           date_line, ""]
    if kind == "job_spells":
        out += ["# Past jobs are often kept apart from the employee table (Oracle: job_history + employees). Give",
                "# the roster too, one mapping per file in the order of the files:",
                "#   orgraph import ROSTER.csv DATA_FILE --mapping ROSTER.toml --mapping THIS_FILE --out BUNDLE_DIR", ""]
    out.append("[columns]")
    from .mapping import FIELDS

    for fld in FIELDS:
        if fld in found:
            out.append(f"{fld} = {_q(found[fld])}")
        elif fld in notes:
            out.append(f"# {fld}: not mapped: {notes[fld]}")
    unused = [h for h in table.header if h not in found.values()]
    if unused:
        out.append("# Columns not used: " + ", ".join(unused))
    required = {"roster": "hire_date", "job_history": "effective_date", "job_spells": "start_date"}[kind]
    missing = [f for f in ("staff_id", required) if f not in found]
    for f in missing:
        out.append(f'# REVIEW: {f} = "?"   # required: no column was recognised')

    def distinct(fld, only=None):
        vals = col.get(fld) if fld in found else None
        if vals is None:
            return []
        c = Counter(" ".join(str(v).split()) for i, v in enumerate(vals) if only is None or only(i))
        c.pop("", None)
        return [v for v, _ in c.most_common(max_values)]

    term = col.get("termination_date") if "termination_date" in found else None
    left = (lambda i: bool(str(term[i]).strip())) if term is not None else None
    src = "termination_type" if "termination_type" in found else "termination_reason"
    tvals = distinct(src, left)
    if tvals:
        out += ["", f"[maps.termination_type]   # values of {found[src]!r} -> voluntary / involuntary / retirement / "
                    "other"]
        left_by = Counter(" ".join(str(v).split()) for i, v in enumerate(col[src]) if left is None or left(i))
        for v in tvals:
            g = _guess(v, _TERM_GUESS)
            if g:
                out.append(f"{_q(v)} = {_q(g)}   # guessed")
            elif src == "termination_type" and re.search(r"\b(active|leave|future|employed|current)\b", v.casefold()):
                out.append(f"# {_q(v)} = \"other\"   # REVIEW: {left_by[v]} rows say {v!r} yet have a termination "
                           "date; each is imported as an exit unless its date is cleared in the export")
            else:
                out.append(f"# {_q(v)} = \"other\"   # REVIEW")
    depts = distinct("department")
    if depts:
        out += ["", "[maps.program]   # department -> program id"]
        out += [f"{_q(v)} = {_q(slug(v))}" for v in depts]
        out += ["", "[maps.service_line]   # program id -> service line (unmapped: \"other\")"]
        for v in depts:
            g = _guess(v, _SERVICE_GUESS)
            out.append(f"{_q(slug(v))} = {_q(g)}   # guessed" if g else f"# {_q(slug(v))} = \"other\"   # REVIEW")
    titles = distinct("title")
    if titles:
        out += ["", "[maps.role_kind]   # title -> clinician / supervisor / director / admin / other"]
        for v in titles:
            g = guess_role(v)
            out.append(f"{_q(v)} = {_q(g)}   # guessed" if g else f"# {_q(v)} = \"other\"   # REVIEW: not a "
                       f"behavioral-health title orgraph knows")
    if kind == "job_history":
        events = distinct("event_type")
        from .mapping import Mapping

        probe = Mapping.from_dict({"kind": "job_history", "columns": {"staff_id": "x", "effective_date": "y"}})
        out += ["", "[maps.event]   # action -> hire / transfer / promotion / manager_change / change / termination"]
        for v in events:
            k = probe.event_kind(v)
            out.append(f"# {_q(v)} = {_q(k)}   # known word" if k else f"# {_q(v)} = \"change\"   # REVIEW: unknown")
    return "\n".join(out) + "\n"


_CLINICAL_CODE = re.compile(r"(9079[12]|908[3-5]\d|9088[0-9]|9016[1-9]|9921[1-5]|9920[1-5]|[gh]\d{4}|t10\d\d)"
                            r"(\b|[a-z]{2}\b)")
_CLINICAL_WORDS = ("therapy", "psychotherapy", "session", "counseling", "counselling", "assessment", "intake",
                   "evaluation", "case management", "med management", "medication management", "crisis", "group",
                   "family", "individual")


def _service_guess(code: str) -> str | None:
    """What a service code says it is: ``supervision``, ``ignore`` (no-shows, cancellations), ``clinical``
    (psychotherapy and behavioral-health CPT/HCPCS codes, or words such as *therapy*, *assessment*), or ``None``.

    Examples
    --------
    >>> [_service_guess(c) for c in ("90837", "SUP-1", "No Show", "H0031", "Individual Therapy", "ADMIN")]
    ['clinical', 'supervision', 'ignore', 'clinical', 'clinical', None]
    """
    t = " ".join(re.findall(r"[0-9a-z]+", str(code).casefold()))
    if re.search(r"\bsup(v|ervision)?\b", t) or "supervis" in t:
        return "supervision"
    if any(w in t for w in ("no show", "noshow", "cancel", "missed", "did not attend")):
        return "ignore"
    if _CLINICAL_CODE.match(t.replace(" ", "")) or any(re.search(r"\b" + w + r"\b", t) for w in _CLINICAL_WORDS):
        return "clinical"
    return None


_CLOCKS = (" %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p")


def _time_format(values, date_fmt: str | None) -> tuple[str, str]:
    """``(time_format, comment)`` for the timestamp cells of a services export: ``"auto"`` when every
    timestamp is ISO 8601 (a time of day alone is always read), else the one format that reads them all."""
    import datetime as dt

    stamps = sorted({str(v).strip() for v in values if re.search(r"\d[/.-]\d", str(v))})
    odd = []
    for v in stamps:
        try:
            dt.datetime.fromisoformat(v)
        except ValueError:
            odd.append(v)
    if not odd:
        return "auto", "ISO 8601 timestamps (or times of day)" if stamps else "times of day only"
    dates = [date_fmt] if date_fmt else []
    dates += [f for f in ("%m/%d/%Y", "%d/%m/%Y", "%Y-%m-%d", "%m/%d/%y") if f not in dates]
    for d in dates:
        for clock in _CLOCKS:
            fmt = d + clock
            try:
                for v in odd:
                    dt.datetime.strptime(v, fmt)
            except ValueError:
                continue
            return fmt, f"detected; reads every timestamp, e.g. {odd[0]!r}"
    return "auto", f"REVIEW: no format reads {odd[0]!r}; set strptime codes"


def _services_draft(table, why: str, max_values: int) -> str:
    """The draft mapping of a services export (one row per EHR service)."""
    found = match_headers(table.header, SERVICE_SYNONYMS)
    col = {f: table.column(h) for f, h in found.items()}
    date_line, date_fmt = 'date_format = "auto"', None
    if "service_date" in found:
        try:
            p = detect_format(col["service_date"])
            date_fmt = p.fmt
            fmts = f'"{p.fmt}"' if not p.extra else "[" + ", ".join(f'"{f}"' for f in p.formats) + "]"
            date_line = f'date_format = {fmts}          # detected; decided by {p.evidence!r}'
        except ConfigError as exc:
            date_line = f'date_format = "auto"   # REVIEW: {exc}'
    out = ["# Draft mapping written by `orgraph import --infer-mapping`. Review every line marked REVIEW or",
           "# guessed, then run: orgraph import DATA_FILE --mapping THIS_FILE --out BUNDLE_DIR --key SECRET",
           "# (into a bundle that already has staff.csv, or after the HR export: orgraph import HR.csv DATA_FILE",
           "#  --mapping HR.toml --mapping THIS_FILE --out BUNDLE_DIR --key SECRET)",
           f"# Source: {table.path} ({len(table.rows)} rows, {len(table.header)} columns)", "",
           f'kind = "services"   # detected: {why}', date_line, "", "[columns]"]
    from .mapping import SERVICE_FIELDS

    for fld in SERVICE_FIELDS:
        if fld in found:
            note = "   # the clinician: the same ids as staff.csv" if fld == "staff_id" else ""
            out.append(f"{fld} = {_q(found[fld])}{note}")
    unused = [h for h in table.header if h not in found.values()]
    if unused:
        out.append("# Columns not used: " + ", ".join(unused))
    for f in ("staff_id", "service_date"):
        if f not in found:
            out.append(f'# REVIEW: {f} = "?"   # required: no column was recognised')
    if "service_code" in found:
        c = Counter(" ".join(str(v).split()) for v in col["service_code"])
        c.pop("", None)
        out += ["", "[maps.service]   # service code -> clinical / supervision / ignore (unmapped: clinical)"]
        for v, _ in c.most_common(max_values):
            g = _service_guess(v)
            out.append(f"{_q(v)} = {_q(g)}   # guessed" if g else f'# {_q(v)} = "clinical"   # REVIEW: unknown code')
    stamps = [v for f in ("start_time", "end_time", "note_started", "note_ended", "note_signed") if f in found
              for v in col[f]]
    tf, why_tf = _time_format(stamps, date_fmt)
    out += ["", "[services]", f"time_format = {_q(tf)}   # {why_tf}"]
    return "\n".join(out) + "\n"
