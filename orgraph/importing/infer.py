"""``--infer-mapping``: a starting mapping written from an export's headers and values.

The result is a draft for a person to review, never used silently: every
guess carries a comment. Columns are recognised by their header (compared
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

__all__ = ["infer_mapping", "match_headers", "SYNONYMS"]

#: Header spellings recognised for each field (compared lower-case, letters and digits only), best first.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "staff_id": ("employeeid", "empid", "employeenumber", "employeeno", "empno", "staffid", "workerid",
                 "personid", "personnelnumber", "associateid", "employeecode", "id"),
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
    "title": ("position", "title", "jobtitle", "positiontitle", "businesstitle", "job", "jobname", "role"),
    "position_id": ("positionid", "positionnumber", "positionno", "seatid", "posid", "positioncode"),
    "manager_id": ("managerid", "supervisorid", "reportstoid", "manageremployeeid", "managerempid",
                   "supervisoremployeeid", "reportsto"),
    "manager_name": ("managername", "manager", "supervisor", "supervisorname", "reportstoname", "reportsto",
                     "linemanager"),
    "event_type": ("action", "actiontype", "event", "eventtype", "transactiontype", "changetype", "actioncode"),
    "effective_date": ("effectivedate", "eventdate", "actiondate", "effdate", "changedate", "transactiondate",
                       "date"),
}

#: Title words -> role kind, most specific first, matched as whole words: a documented behavioral-health
#: vocabulary (docs/importing.md). A title that matches none is left "other" and listed for review: a guess of
#: "clinician" for a Production Technician or a Data Analyst would put them in every clinical rate.
ROLE_VOCABULARY = (
    ("director", ("clinical director", "medical director", "executive director", "program director", "chief",
                  "president", "ceo", "coo", "cfo", "cmo", "vp", "vice president", "director")),
    ("supervisor", ("clinical supervisor", "clinical manager", "team lead", "team leader", "program manager",
                    "site manager", "supervisor", "head of")),
    ("clinician", ("case manager", "care manager", "care coordinator", "peer specialist", "peer support",
                   "peer recovery", "recovery coach", "nurse practitioner", "psychiatric nurse", "pmhnp", "aprn",
                   "therapist", "psychotherapist", "counselor", "counsellor", "clinician", "social worker", "msw",
                   "lcsw", "lpc", "lpcc", "lmft", "lmhc", "lcadc", "cadc", "psychologist", "psychiatrist",
                   "behavioral health specialist", "addiction specialist", "substance use specialist")),
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


def match_headers(header: list[str]) -> dict[str, str]:
    """Fields recognised in a header row (each column used at most once).

    Examples
    --------
    >>> match_headers(["EmpID", "Employee_Name", "DateofHire", "ManagerName", "Department "])
    {'staff_id': 'EmpID', 'name': 'Employee_Name', 'hire_date': 'DateofHire', 'department': 'Department ', 'manager_name': 'ManagerName'}
    """
    keys = {_key(h): h for h in header}
    used: set[str] = set()
    out: dict[str, str] = {}
    for fld, names in SYNONYMS.items():
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
    """
    v = " ".join(re.findall(r"[0-9a-z]+", str(title).casefold()))
    for target, words in ROLE_VOCABULARY:
        if any(re.search(r"\b" + re.escape(w) + r"\b", v) for w in words):
            return target
    return None


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
    found = match_headers(table.header)
    col = {f: table.column(h) for f, h in found.items()}
    notes: dict[str, str] = {}
    kind = "job_history" if "event_type" in found and "effective_date" in found else "roster"
    if kind == "roster":
        found.pop("effective_date", None)
        found.pop("event_type", None)
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
    if "position_id" in found and kind == "roster":
        term = col.get("termination_date")
        active = Counter(str(v).strip() for i, v in enumerate(col["position_id"])
                         if str(v).strip() and (term is None or not str(term[i]).strip()))
        shared = [(v, n) for v, n in active.items() if n > 1]
        if shared:
            v, n = max(shared, key=lambda x: x[1])
            notes["position_id"] = (f"{found.pop('position_id')!r} is a job code, not a seat ({v!r} has {n} current "
                                    "holders); seats are made by the program + title + sequence rule")
    date_fields = [f for f in ("hire_date", "termination_date", "effective_date") if f in found]
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
           f'kind = "{kind}"' + ("          # one row per event" if kind == "job_history"
                                  else "               # one row per employee"),
           date_line, "", "[columns]"]
    from .mapping import FIELDS

    for fld in FIELDS:
        if fld in found:
            out.append(f"{fld} = {_q(found[fld])}")
        elif fld in notes:
            out.append(f"# {fld}: not mapped: {notes[fld]}")
    unused = [h for h in table.header if h not in found.values()]
    if unused:
        out.append("# Columns not used: " + ", ".join(unused))
    missing = [f for f in ("staff_id", "hire_date" if kind == "roster" else "effective_date") if f not in found]
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
        for v in tvals:
            g = _guess(v, _TERM_GUESS)
            out.append(f"{_q(v)} = {_q(g or 'other')}   # guessed" if g else f"# {_q(v)} = \"other\"   # REVIEW")
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
