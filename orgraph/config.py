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

__all__ = ["DEFAULTS", "Config", "load_config"]

#: Every setting orgraph knows, by section. Values give the type expected.
#: Each analysis owns its section; add keys there, with a comment naming the source.
DEFAULTS: dict[str, dict] = {
    "data": {
        # Last day the export describes; empty = the latest date found in the bundle.
        "end": "",
    },
    "cascades": {
        "window_days": 180,        # follow-up after a supervisor exit
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
    },
    "churn": {
        "window_months": 24,
        "min_holders": 3,
        "fdr": 0.10,
    },
    "caseload": {
        "percentile": 90,
        "consecutive_months": 3,
    },
    "docburden": {
        "threshold": 1.0,     # documentation hours per session hour
    },
    "privacy": {
        "min_cell": 5,        # suppress table cells describing fewer people than this
    },
    "cost": {},
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
        return cls(values, source)

    def get(self, section: str, key: str):
        """A setting's value; ``""`` counts as unset and gives ``None`` for strings."""
        value = self.values[section][key]
        return None if value == "" else value

    def section(self, section: str) -> dict:
        return dict(self.values[section])

    def with_overrides(self, section: str, **overrides) -> "Config":
        """A copy with some settings of ``section`` replaced (``None`` values are ignored)."""
        mapping = {s: dict(v) for s, v in self.values.items()}
        for k, v in overrides.items():
            if v is not None:
                mapping[section][k] = v
        return Config.from_mapping(mapping, self.source)


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
