"""Thresholds and assumptions, read from an optional ``orgraph.toml``.

Every setting has a documented default (see ``docs/configuration.md``). A
bundle's ``orgraph.toml`` may override any of them; an unknown section or key
is an error, so a typo never silently falls back to a default.

Examples
--------
>>> cfg = Config.from_mapping({"cascades": {"window_days": 90}})
>>> cfg.get("cascades", "window_days"), cfg.get("churn", "min_holders")
(90, 3)
>>> Config.from_mapping({"cascades": {"windowdays": 90}})
Traceback (most recent call last):
...
orgraph.errors.ConfigError: orgraph.toml: unknown setting [cascades] windowdays (did you mean 'window_days'?)
"""
from __future__ import annotations

import copy
import datetime as dt
import difflib
import tomllib
from pathlib import Path

from .errors import ConfigError
from .schema import MAX_YEAR, MIN_YEAR

__all__ = ["DEFAULTS", "Config", "load_config"]

#: Every setting orgraph knows, by section. Values give the type expected.
#: Each analysis owns its section; add keys there, with a comment naming the source.
DEFAULTS: dict[str, dict] = {
    "data": {
        # Last day the export describes; empty = the latest date found in the bundle.
        "end": "",
        # First day the export can show an exit (people who left before it are not in the file).
        # Empty = inferred: the first recorded exit when earlier years look like survivor-only time.
        "start": "",
    },
    "cascades": {
        # Follow-up after a supervisor exit: the one post-exit window. Cascades, the risk list's
        # "supervisor left" factor, what departures have in common and the maps all use it.
        "window_days": 180,
        "lookback_days": 30,       # who counts as that supervisor's cohort
        "min_observed": 2,         # a cascade needs at least this many exits ...
        "alpha": 0.05,             # ... and a Benjamini-Hochberg adjusted p below this
    },
    "overload": {
        # Span bands follow common span-of-control guidance for clinical supervision.
        "max_span": 8,                       # direct supervisees (time-weighted mean) above which a supervisor is overloaded
        "max_supervisee_caseload": 250,      # sum of supervisees' active clients
        "min_delivered_ratio": 0.5,          # delivered / required supervision hours below this is overloaded
        "required_hours_per_week": 1.0,      # policy: supervision per clinician supervisee per week
        # Flag when at least this many of the load signals (span, supervisee caseload, supervision delivered)
        # exceed their limits; with fewer signals in the bundle, all available ones must. One signal alone
        # has benign causes (a director's direct reports, a high-acuity program's caseloads).
        "min_signals": 2,
    },
    "churn": {
        "window_months": 24,       # rolling window for the holder rule
        "min_holders": 3,          # holders within one window to be considered at all
        "fdr": 0.10,               # Benjamini-Hochberg false discovery rate for flagging
        "caseload_percentile": 90,  # shared factor: caseload above this percentile of the org that month
        "doc_ratio": 1.0,          # shared factor: documentation hours per session hour (as [docburden])
    },
    "caseload": {
        "percentile": 90,
        "consecutive_months": 3,
    },
    "docburden": {
        "threshold": 1.0,     # documentation hours per session hour
    },
    "leading": {
        "lag_quarters": 2,         # "over the next two quarters" after a supervisor exit
        "lookback_days": 30,       # a leaver counts as a supervisor if they supervised someone in these days (as cascades)
    },
    "departures": {
        "period_months": 12,       # default period: the last 12 months of data (one budget year)
    },
    "continuity": {
        "handoff_days": 14,        # assignments ended this close before the exit count as cut short (2-week notice)
        "pickup_days": 30,         # a client "picked up" has a new clinician within this many days
    },
    "retention": {
        "months": 24,              # retention curves from hire run this many months
    },
    "risk": {
        "supervisor_high_hr": 2.0,  # a supervisor whose own factors double their exit hazard is "high risk"
        "min_exits": 10,           # exits before as_of needed to fit the weights
        "horizon_days": 90,        # horizon of the reported exit probability
    },
    "audit": {
        # The claims gate (docs/statistics.md): a finding is stated only when its 95% interval lies above 1,
        # there is enough data behind it, and it survives one Benjamini-Hochberg pass over every test.
        "fdr": 0.10,                      # false discovery rate across every hypothesis the audit tests
        "min_exits": 5,                   # exits among the exposed (and in the reference group) for a rate claim
        "min_reference_person_years": 10.0,  # person-years in the reference group of a rate comparison
        "min_baseline_exits": 20,         # exits behind an expected count (cascades, churn seats)
    },
    "privacy": {
        "min_cell": 5,        # suppress table cells describing fewer people than this
    },
    "cost": {
        # Turnover cost model; every default and its source is in docs/cost-model.md.
        # Salaries used when staff.csv has no annual_salary (full-time, scaled by fte).
        "salary_clinician": 58000.0,     # BLS OEWS May 2023: MH counselors median ~$53.7k, MH/SA social workers ~$57k
        "salary_supervisor": 72000.0,    # assumption: licensed clinician + ~25% supervisory differential
        "salary_director": 110000.0,     # BLS OEWS May 2023: medical and health services managers median ~$110k
        "salary_admin": 42000.0,         # BLS OEWS May 2023: medical secretaries/administrative assistants ~$42k
        "salary_other": 45000.0,         # assumption
        "recruiting_cost": 4700.0,       # SHRM 2022 benchmarking: average cost per hire ~$4,700
        "recruiting_cost_leader": 12000.0,  # supervisors/directors; between SHRM non-executive and executive (~$28k)
        "onboarding_weeks": 2.0,         # paid orientation before seeing clients (assumption)
        "training_cost": 2000.0,         # trainings, EHR, certifications (assumption)
        "ramp_months": 4.0,              # payer credentialing commonly 60-120 days plus caseload build-up
        "ramp_productivity": 0.5,        # average productivity during ramp-up (assumption)
        "sessions_per_day": 6.0,         # scheduled billable sessions per clinician per day (CMHC productivity norms)
        "supervisor_clinical_share": 0.4,  # a supervisor's sessions as a share of a clinician's
        "revenue_per_session": 110.0,    # blended payer rate, between Medicaid and Medicare CPT 90834/90837
        "utilization": 0.75,             # kept / scheduled sessions (no-show and cancellation 20-30%)
        "billable_days": 230,            # per year: 260 weekdays less holidays, leave and training
        "vacancy_days": 60,              # fallback days to refill a seat when the org's history has too few refills
        "min_vacancy_samples": 5,        # refills needed to use the org's own vacancy days
        "max_vacancy_days": 365,         # a seat empty longer than this counts as cut, not vacant
        "net_of_salary": True,           # vacancy loss = seat's revenue minus the salary not paid
    },
    "scenario": {
        # Census scenarios and the caseload -> exit hazard relation (docs/cost-model.md).
        "hazard_ratio_per_10_clients": 1.10,  # FALLBACK assumption when the org's history is too thin to fit
        "min_exits": 10,                 # clinician exits needed to fit the org's own relation
        "max_ci_ratio": 5.0,             # fitted 95% interval (high/low, per 10 clients) wider than this is too thin
        "baseline_months": 24,           # window for the program's current exit rate
        "min_program_exits": 3,          # fewer exits in that window: use the org-wide clinician rate
        "session_length_hours": 0.9,     # average session length, to turn documented session hours into sessions
        "supervisor_exit_hazard_ratio": 1.5,  # FALLBACK when the cascade analysis gives no org-level hazard ratio
    },
}


def _check_type(section: str, key: str, value, default):
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(default, str):
        ok = isinstance(value, (str, dt.date))
        value = value.isoformat() if isinstance(value, dt.date) else value
    else:
        ok = True
    if not ok:
        raise ConfigError(
            f"orgraph.toml: [{section}] {key} = {value!r} has the wrong type; expected {type(default).__name__}"
            f" like the default {default!r}"
        )
    return value


def _check_day(source: str, key: str, value: str) -> None:
    """``[data] start`` and ``end`` are empty or a day YYYY-MM-DD in the years a bundle's dates may have."""
    if value == "":
        return
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        day = None
    if day is None or not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ConfigError(f"{source}: [data] {key} = {value!r} is not a day YYYY-MM-DD between {MIN_YEAR} and "
                          f"{MAX_YEAR}")


class Config:
    """Settings by section, defaults filled in. Read with :meth:`get`."""

    def __init__(self, values: dict[str, dict], source: str = "defaults"):
        self.values = values
        self.source = source

    @classmethod
    def from_mapping(cls, mapping: dict, source: str = "orgraph.toml") -> "Config":
        values = copy.deepcopy(DEFAULTS)
        for section, body in mapping.items():
            if section not in DEFAULTS:
                near = difflib.get_close_matches(section, DEFAULTS, n=1)
                hint = f" (did you mean [{near[0]}]?)" if near else ""
                raise ConfigError(f"{source}: unknown section [{section}]{hint}")
            if not isinstance(body, dict):
                raise ConfigError(f"{source}: [{section}] must be a table of settings")
            for key, value in body.items():
                if key not in DEFAULTS[section]:
                    near = difflib.get_close_matches(key, DEFAULTS[section], n=1)
                    hint = f" (did you mean {near[0]!r}?)" if near else ""
                    raise ConfigError(f"{source}: unknown setting [{section}] {key}{hint}")
                values[section][key] = _check_type(section, key, value, DEFAULTS[section][key])
        for key in ("start", "end"):
            _check_day(source, key, values["data"][key])
        return cls(values, source)

    def get(self, section: str, key: str):
        """A setting's value; ``""`` counts as unset and gives ``None`` for strings."""
        value = self.values[section][key]
        return None if value == "" else value

    def section(self, section: str) -> dict:
        return dict(self.values[section])


def load_config(folder: Path | str | None) -> Config:
    """Read ``orgraph.toml`` from ``folder`` if there is one, else the defaults."""
    if folder is None:
        return Config.from_mapping({}, "defaults")
    path = Path(folder) / "orgraph.toml"
    if not path.exists():
        return Config.from_mapping({}, "defaults")
    try:
        mapping = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return Config.from_mapping(mapping, str(path))
