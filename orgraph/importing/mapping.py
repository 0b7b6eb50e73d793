"""The import mapping: which export column holds which field, date formats and value maps.

A mapping is a small TOML file (see ``docs/importing.md`` and
``examples/mappings/``)::

    kind = "roster"                 # or "job_history"
    date_format = "%m/%d/%Y"        # or "auto": decided from the values, never guessed

    [columns]                       # field = "column header in the export"
    staff_id = "EmpID"
    name = "Employee_Name"
    hire_date = "DateofHire"

    [maps.termination_type]         # export value = orgraph value
    "Terminated for Cause" = "involuntary"
    "*retir*" = "retirement"        # keys with * or ? are patterns

    [defaults]                      # used when a map has no entry
    role_kind = "other"

Unknown sections, keys and fields are errors with a suggestion, so a typo
never silently imports less than the user meant.
"""
from __future__ import annotations

import csv
import difflib
import fnmatch
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from ..model import ROLE_KINDS, TERMINATION_TYPES

__all__ = ["FIELDS", "SERVICE_FIELDS", "SERVICE_KINDS", "KINDS", "EVENT_TYPES", "MAP_NAMES", "SEAT_RULES",
           "DEFAULTS", "ValueMap", "Mapping", "load_mapping", "normalize_value", "slug"]

#: Fields a mapping can point at a column, with what they hold.
FIELDS: dict[str, str] = {
    "staff_id": "employee id (required)",
    "name": "full name, as 'Last, First' or 'First Last'",
    "first_name": "first name (when the export splits names)",
    "last_name": "last name (when the export splits names)",
    "discipline": "clinical discipline or licence type (LCSW, RN, ...)",
    "hire_date": "first day of employment (required for a roster)",
    "termination_date": "last day of employment; empty = still employed",
    "termination_type": "a column whose values map to voluntary / involuntary / retirement / other",
    "termination_reason": "free-text reason, kept as written",
    "fte": "full-time equivalent, 1.0 = full time",
    "annual_salary": "annual salary",
    "license": "licence held",
    "department": "department or program name",
    "program_id": "department or program code (when the export has one)",
    "title": "job or position title",
    "position_id": "seat / position number, only if each value is ONE seat (not a job code)",
    "manager_id": "the manager's employee id (same ids as staff_id)",
    "manager_name": "the manager's name",
    "event_type": "job history: what happened (hire, transfer, promotion, manager change, termination)",
    "effective_date": "job history: the date the event took effect",
    "start_date": "job spells: the first day of the spell",
    "end_date": "job spells: the last day of the spell; empty = still current",
}

#: Fields of a services mapping (``kind = "services"``, one row per EHR service), with what they hold.
SERVICE_FIELDS: dict[str, str] = {
    "staff_id": "the clinician's staff id (same ids as staff.csv; required)",
    "client_id": "the client's id (pseudonymised on import unless [services] pseudonymize = false)",
    "service_date": "the day of the service (required)",
    "start_time": "when the service started: a time of day (14:05) or a timestamp",
    "end_time": "when the service ended: a time of day or a timestamp",
    "minutes": "the service's length in minutes (else end_time - start_time)",
    "service_code": "the service (CPT) code, mapped by [maps.service] to clinical, supervision or ignore",
    "supervisee_id": "supervision services: the supervisee's staff id (else the client_id column holds it)",
    "note_minutes": "minutes spent on the note",
    "note_started": "when writing the note started (timestamp)",
    "note_ended": "when writing the note ended (timestamp)",
    "note_signed": "when the note was signed (timestamp): gives the note lag, never documentation time",
}

#: What a service code can be (``[maps.service]``).
SERVICE_KINDS = ("clinical", "supervision", "ignore")

#: What a job-history event can be.
EVENT_TYPES = ("hire", "transfer", "promotion", "manager_change", "change", "termination")

#: Value maps a mapping may define, and the values they may produce (``None`` = any text).
MAP_NAMES: dict[str, tuple[str, ...] | None] = {
    "termination_type": TERMINATION_TYPES,
    "role_kind": ROLE_KINDS,
    "event": EVENT_TYPES,
    "program": None,        # department name -> program id
    "service_line": None,   # program id or department name -> service line
    "discipline": None,     # discipline column (or title when there is none) -> discipline
    "title": None,          # raw title/job code -> title
    "department": None,     # raw department value/code -> department name
    "service": SERVICE_KINDS,  # services: service code -> clinical / supervision / ignore
}

#: Fallbacks when a map has no entry for a value (override under ``[defaults]``).
DEFAULTS: dict[str, str] = {
    "termination_type": "other",
    "role_kind": "other",
    "service_line": "other",
    "discipline": "unknown",
    "program": "unassigned",   # program id for a blank department
    "title": "unknown",        # title for a blank title
    "service": "clinical",     # services: a service code with no [maps.service] entry
}

#: How seats (positions) are made when the export has no position id column.
SEAT_RULES = ("sequence", "shared", "per_person")

#: The kinds of export a mapping can describe.
KINDS = ("roster", "job_history", "job_spells", "services")

_TOP = {"kind", "date_format", "read", "columns", "date_formats", "seats", "managers", "events", "defaults", "maps",
        "services"}
_SECTIONS = {
    "read": {"delimiter", "encoding", "sheet"},
    "seats": {"rule"},
    "managers": {"name_order", "ignore"},
    "events": {"termination_date"},
    "services": {"active_rule", "active_days", "episode_gap_days", "pseudonymize", "time_format",
                 "max_note_minutes", "end_date"},
}
_DATE_FIELDS = ("hire_date", "termination_date", "effective_date", "start_date", "end_date", "service_date")

_BUILTIN_EVENTS = {
    "hire": ["hire", "hired", "new hire", "rehire", "re-hire", "start", "onboard", "onboarding", "new"],
    "transfer": ["transfer", "lateral", "lateral move", "move", "reassignment", "department change",
                 "position change", "job change", "title change", "demotion", "reclass", "reclassification"],
    "promotion": ["promotion", "promote", "promoted"],
    "manager_change": ["manager change", "supervisor change", "change manager", "change supervisor",
                       "reporting change", "reports to change", "manager"],
    "change": ["change", "data change", "update", "pay change", "salary change", "status change", "fte change"],
    "termination": ["termination", "terminated", "term", "separation", "separated", "resignation", "resigned",
                    "retirement", "retired", "quit", "dismissal", "dismissed", "discharge", "layoff", "end",
                    "exit"],
}


def normalize_value(value) -> str:
    """How map keys and export values are compared: case folded, spaces collapsed.

    Examples
    --------
    >>> normalize_value("  Production       ")
    'production'
    >>> normalize_value("Voluntarily   Terminated")
    'voluntarily terminated'
    """
    return " ".join(str(value).split()).casefold()


def slug(value: str) -> str:
    """An id made from a name: lower case, runs of other characters become ``-``.

    Examples
    --------
    >>> slug("IT/IS"), slug("Production       "), slug("Sr. DBA")
    ('it-is', 'production', 'sr-dba')
    """
    s = re.sub(r"[^0-9a-z]+", "-", normalize_value(value)).strip("-")
    return s or "x"


def _suggest(word: str, options) -> str:
    near = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


@dataclass
class ValueMap:
    """Export values to orgraph values: exact entries (compared normalised), then ``*``/``?`` patterns.

    Examples
    --------
    >>> m = ValueMap("role_kind", {"Clinical Supervisor": "supervisor", "*therapist*": "clinician"})
    >>> m.get(" clinical  supervisor"), m.get("Family Therapist II"), m.get("Receptionist")
    ('supervisor', 'clinician', None)
    """

    name: str
    entries: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self._exact: dict[str, str] = {}
        self._patterns: list[tuple[str, str]] = []
        for k, v in self.entries.items():
            key = normalize_value(k)
            if "*" in key or "?" in key:
                self._patterns.append((key, v))
            else:
                self._exact[key] = v
        self._cache: dict[str, str | None] = {}

    def get(self, value) -> str | None:
        try:
            return self._cache[value]
        except KeyError:
            pass
        key = normalize_value(value)
        out = self._exact.get(key)
        if out is None:
            out = next((v for p, v in self._patterns if fnmatch.fnmatchcase(key, p)), None)
        self._cache[value] = out
        return out

    def __len__(self) -> int:
        return len(self.entries)


def _builtin_event_map() -> ValueMap:
    return ValueMap("event", {w: kind for kind, words in _BUILTIN_EVENTS.items() for w in words})


@dataclass
class Mapping:
    """A loaded, checked mapping. Build with :func:`load_mapping` or :meth:`from_dict`.

    Examples
    --------
    >>> m = Mapping.from_dict({"kind": "roster", "columns": {"staff_id": "ID", "name": "Name",
    ...                        "hire_date": "Hired"}})
    >>> m.kind, m.column("staff_id"), m.column("title"), m.date_format_for("hire_date")
    ('roster', 'ID', None, 'auto')
    >>> Mapping.from_dict({"kind": "roster", "columns": {"staff_id": "ID", "hire_dat": "H"}})
    Traceback (most recent call last):
    ...
    orgraph.errors.ConfigError: mapping: unknown field 'hire_dat' under [columns] (did you mean 'hire_date'?)
    """

    kind: str
    columns: dict[str, str]
    date_format: str | tuple[str, ...] = "auto"
    date_formats: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    maps: dict[str, ValueMap] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=lambda: dict(DEFAULTS))
    seat_rule: str = "sequence"
    name_order: str = "first_last"
    ignore_managers: tuple[str, ...] = ()
    termination_day: str = "last_day"
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    sheet: str | int | None = None
    source: str = "mapping"
    services: dict = field(default_factory=dict)

    def column(self, name: str) -> str | None:
        return self.columns.get(name) or None

    def date_format_for(self, fld: str) -> str | tuple[str, ...]:
        return self.date_formats.get(fld, self.date_format)

    def map(self, name: str) -> ValueMap:
        if name == "event":
            return self.maps.get("event") or ValueMap("event")
        return self.maps.get(name) or ValueMap(name)

    def event_kind(self, value) -> str | None:
        """The event type of an export's event label: the mapping's ``[maps.event]`` first, then common words.

        Examples
        --------
        >>> m = Mapping.from_dict({"kind": "job_history", "columns": {"staff_id": "ID", "effective_date": "D"},
        ...                        "maps": {"event": {"XFR": "transfer"}}})
        >>> m.event_kind("XFR"), m.event_kind("Promotion"), m.event_kind("Voluntary Resignation")
        ('transfer', 'promotion', None)
        """
        out = self.map("event").get(value)
        if out is None:
            if not hasattr(self, "_builtin"):
                self._builtin = _builtin_event_map()
            out = self._builtin.get(value)
        return out

    @classmethod
    def from_dict(cls, data: dict, *, source: str = "mapping", base: Path | None = None) -> "Mapping":
        err = lambda msg: ConfigError(f"{source}: {msg}")  # noqa: E731
        for key in data:
            if key not in _TOP:
                raise err(f"unknown setting {key!r}{_suggest(key, _TOP)}")
        for sec, keys in _SECTIONS.items():
            body = data.get(sec, {})
            if not isinstance(body, dict):
                raise err(f"[{sec}] must be a table")
            for key in body:
                if key not in keys:
                    raise err(f"unknown setting {key!r} under [{sec}]{_suggest(key, keys)}")
        kind = data.get("kind")
        if kind not in KINDS:
            raise err(f"kind = {kind!r}: expected kind = \"roster\" (one row per employee), "
                      "\"job_history\" (one row per event), \"job_spells\" (one row per job spell) or "
                      "\"services\" (one row per EHR service)")
        fields = SERVICE_FIELDS if kind == "services" else FIELDS
        columns = data.get("columns", {})
        if not isinstance(columns, dict):
            raise err("[columns] must be a table of field = \"column header\"")
        for key, val in columns.items():
            if key not in fields:
                raise err(f"unknown field {key!r} under [columns]{_suggest(key, fields)}")
            if not isinstance(val, str):
                raise err(f"[columns] {key} must be a column header in quotes, not {val!r}")
        columns = {k: v.strip() for k, v in columns.items() if v.strip()}
        if "staff_id" not in columns:
            raise err("[columns] needs staff_id = \"<the column holding the employee id>\"")
        if kind == "roster":
            if "hire_date" not in columns:
                raise err("a roster needs [columns] hire_date = \"<the column holding the hire date>\"")
        elif kind == "job_spells":
            if "start_date" not in columns:
                raise err("job spells need [columns] start_date = \"<the column holding the spell's first day>\"")
        elif kind == "services":
            if "service_date" not in columns:
                raise err("services need [columns] service_date = \"<the column holding the day of the service>\"")
        elif "effective_date" not in columns:
            raise err("a job history needs [columns] effective_date = \"<the column holding the event date>\"")
        if "manager_id" in columns and "manager_name" in columns:
            pass  # id wins; the name is used for external managers' records
        def fmt_value(val, where):
            if isinstance(val, list) and val and all(isinstance(x, str) for x in val):
                val = val[0] if len(val) == 1 else tuple(val)
            if not isinstance(val, (str, tuple)):
                raise err(f"{where} must be a string such as \"%m/%d/%Y\", a list of them tried in order, "
                          "or \"auto\"")
            for fmt in (val,) if isinstance(val, str) else val:
                if fmt != "auto" and "%" not in fmt:
                    raise err(f"date format {fmt!r} has no strptime codes; write it like \"%m/%d/%Y\" "
                              "(M/D/YYYY) or \"%d/%m/%Y\" (D/M/YYYY), or \"auto\"")
                if fmt == "auto" and not isinstance(val, str):
                    raise err(f"{where}: \"auto\" cannot be part of a list")
            return val

        date_format = fmt_value(data.get("date_format", "auto"), "date_format")
        date_formats = data.get("date_formats", {})
        if not isinstance(date_formats, dict):
            raise err("[date_formats] must be a table of field = \"format\"")
        for key, val in list(date_formats.items()):
            if key not in _DATE_FIELDS:
                raise err(f"unknown date field {key!r} under [date_formats]{_suggest(key, _DATE_FIELDS)}")
            date_formats[key] = fmt_value(val, f"[date_formats] {key}")
        defaults = dict(DEFAULTS)
        for key, val in data.get("defaults", {}).items():
            if key not in DEFAULTS:
                raise err(f"unknown setting {key!r} under [defaults]{_suggest(key, DEFAULTS)}")
            defaults[key] = str(val)
        for key in ("termination_type", "role_kind", "service"):
            allowed = MAP_NAMES[key]
            if defaults[key] not in allowed:
                raise err(f"[defaults] {key} = {defaults[key]!r} is not one of {', '.join(allowed)}")
        maps = {}
        for name, body in data.get("maps", {}).items():
            if name not in MAP_NAMES:
                raise err(f"unknown map [maps.{name}]{_suggest(name, MAP_NAMES)}")
            if not isinstance(body, dict):
                raise err(f"[maps.{name}] must be a table of \"export value\" = \"orgraph value\"")
            entries = {}
            for k, v in body.items():
                if k == "_file":
                    entries.update(_read_map_file(v, name, source, base))
                    continue
                if not isinstance(v, str):
                    raise err(f"[maps.{name}] {k!r} = {v!r}: values must be text in quotes")
                entries[k] = v.strip()
            allowed = MAP_NAMES[name]
            if allowed is not None:
                for k, v in entries.items():
                    if v not in allowed:
                        raise err(f"[maps.{name}] {k!r} = {v!r}: expected one of {', '.join(allowed)}"
                                  f"{_suggest(v, allowed)}")
            maps[name] = ValueMap(name, entries)
        seats = data.get("seats", {})
        seat_rule = seats.get("rule", "sequence")
        if seat_rule not in SEAT_RULES:
            raise err(f"[seats] rule = {seat_rule!r}: expected one of {', '.join(SEAT_RULES)}")
        managers = data.get("managers", {})
        name_order = managers.get("name_order", "first_last")
        if name_order not in ("first_last", "last_first"):
            raise err(f"[managers] name_order = {name_order!r}: expected \"first_last\" or \"last_first\"")
        ignore = managers.get("ignore", [])
        if not isinstance(ignore, list) or not all(isinstance(x, str) for x in ignore):
            raise err("[managers] ignore must be a list of names, like [\"Board of Directors\"]")
        term_day = data.get("events", {}).get("termination_date", "last_day")
        if term_day not in ("last_day", "day_after"):
            raise err(f"[events] termination_date = {term_day!r}: expected \"last_day\" (the event date is the "
                      "last day worked) or \"day_after\" (the first day no longer employed)")
        read = data.get("read", {})
        services = data.get("services", {})
        if services and kind != "services":
            raise err(f"[services] is for kind = \"services\", not kind = {kind!r}")
        return cls(services=dict(services), kind=kind, columns=columns, date_format=date_format,
                   date_formats=dict(date_formats),
                   maps=maps, defaults=defaults, seat_rule=seat_rule, name_order=name_order,
                   ignore_managers=tuple(ignore), termination_day=term_day,
                   delimiter=str(read.get("delimiter", ",")), encoding=str(read.get("encoding", "utf-8-sig")),
                   sheet=read.get("sheet") or None, source=source)


def _read_map_file(spec, name: str, source: str, base: Path | None) -> dict[str, str]:
    if not isinstance(spec, dict) or set(spec) != {"path", "key", "value"}:
        raise ConfigError(f"{source}: [maps.{name}] _file must be {{path = \"file.csv\", key = \"column\", "
                          "value = \"column\"}")
    path = Path(spec["path"])
    folder = (base if base is not None else Path.cwd()).resolve()
    resolved = (folder / path).resolve()
    if path.is_absolute() or folder not in resolved.parents:
        raise ConfigError(f"{source}: [maps.{name}] _file: {spec['path']!r} must be a file in the mapping's own "
                          f"folder ({folder})")
    path = resolved
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise ConfigError(f"{source}: [maps.{name}] _file: cannot read {path}: {exc.strerror}") from None
    if rows and (spec["key"] not in rows[0] or spec["value"] not in rows[0]):
        raise ConfigError(f"{source}: [maps.{name}] _file: {path.name} has columns {', '.join(rows[0])}; "
                          f"expected {spec['key']!r} and {spec['value']!r}")
    return {r[spec["key"]].strip(): r[spec["value"]].strip() for r in rows}


def load_mapping(path) -> Mapping:
    """Read and check a mapping file.

    Raises
    ------
    ConfigError
        The file is missing, not TOML, or names an unknown setting, field or value.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read the mapping: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{p}: the mapping is not UTF-8 text; save it as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    return Mapping.from_dict(data, source=str(p), base=p.parent)
