"""One way to read settings, and one rule for the day an analysis looks at.

:func:`resolve` gives every setting of a section with explicit overrides first,
then the bundle's ``orgraph.toml``, then the documented default
(:data:`orgraph.config.DEFAULTS`). :func:`analysis_cut` turns ``as_of`` into
the first day not analysed and refuses days outside the data, the same way in
every analysis. :data:`HELP` holds the one-line explanation of each setting
that the command line shows next to its default.

Examples
--------
>>> from orgraph.analyses._demo import demo_org
>>> org = demo_org()
>>> resolve(org, "cascades", window_days=90)["window_days"], resolve(org, "cascades")["window_days"]
(90, 180)
>>> setting_help("cascades", "window_days")
"Days after a supervisor's exit that count as 'after the supervisor left'. [default: 180]"
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from .config import DEFAULTS, Config
from .errors import AnalysisError, ConfigError

__all__ = ["resolve", "analysis_cut", "as_of_text", "HELP", "setting_help", "NoDataError"]


class NoDataError(AnalysisError):
    """The data cannot answer the question for the day asked (an optional file has no month then, say)."""


#: What each setting means, in one line, for the command line's help. The
#: default shown beside it always comes from :data:`~orgraph.config.DEFAULTS`.
HELP: dict[str, dict[str, str]] = {
    "cascades": {
        "window_days": "Days after a supervisor's exit that count as 'after the supervisor left'.",
        "lookback_days": "Who counts as the supervisor's team: supervised in this many days before the exit.",
        "min_observed": "Exits needed to flag a cascade.",
        "alpha": "Flag when the adjusted p-value (Benjamini-Hochberg) is below this.",
    },
    "overload": {
        "max_span": "Flag supervisors whose average number of direct supervisees is above this.",
        "max_supervisee_caseload": "Flag when supervisees' active clients, summed, average above this per month.",
        "min_delivered_ratio": "Flag when supervision delivered is below this share of what policy requires.",
        "required_hours_per_week": "Policy: supervision hours per clinician supervisee per week.",
        "min_signals": ("Flag when at least this many of span, supervisee caseload and supervision delivered "
                        "exceed their limits (all of them when the bundle has fewer)."),
    },
    "churn": {
        "window_months": "Rolling window for counting a seat's holders.",
        "min_holders": "Holders within one window before a seat is considered.",
        "fdr": "False discovery rate: flag seats whose adjusted p-value is below this.",
        "caseload_percentile": "Shared factor: caseload above this percentile of the org that month.",
        "doc_ratio": "Shared factor: documentation hours per session hour.",
    },
    "caseload": {
        "percentile": "A caseload is high above this percentile of the month's caseloads.",
        "consecutive_months": "Months in a row above it that make a caseload sustained.",
    },
    "docburden": {
        "threshold": "Documentation hours per session hour counted as high.",
    },
    "leading": {
        "lag_quarters": "Quarters after a supervisor exit in which clinician exits are compared.",
        "lookback_days": "A leaver counts as a supervisor if they supervised someone in these days.",
    },
    "departures": {
        "period_months": "Period length when --start is not given.",
    },
    "continuity": {
        "handoff_days": "Assignments ended this many days before the exit still count as cut short.",
        "pickup_days": "A client is picked up when a new clinician starts within this many days.",
    },
    "retention": {
        "months": "Length of the retention curves from hire, in months.",
    },
    "risk": {
        "supervisor_high_hr": "A supervisor whose own factors multiply their exit hazard by this is high risk.",
        "min_exits": "Exits in the history needed to fit the weights.",
        "horizon_days": "Horizon of the reported chance of leaving, in days.",
    },
    "privacy": {
        "min_cell": "Hide groups of fewer people than this.",
    },
}


def _config(org) -> Config:
    cfg = getattr(org, "config", None)
    return cfg if isinstance(cfg, Config) else Config.from_mapping({}, "defaults")


def resolve(org, section: str, **overrides) -> dict:
    """Every setting of ``section``: an override that is not ``None``, else the org's
    ``orgraph.toml``, else the documented default.

    Parameters
    ----------
    org : OrgGraph or None
        Its ``config`` (an :class:`~orgraph.config.Config`) is read when present.
    section : str
        A section of :data:`~orgraph.config.DEFAULTS`.
    **overrides
        Values given for this one call (command-line options, function arguments).

    Raises
    ------
    ConfigError
        For an unknown section or setting name.

    Examples
    --------
    >>> resolve(None, "churn", fdr=0.2)["fdr"], resolve(None, "churn")["min_holders"]
    (0.2, 3)
    >>> resolve(None, "churn", fdrr=0.2)
    Traceback (most recent call last):
    ...
    orgraph.errors.ConfigError: unknown setting [churn] fdrr
    """
    if section not in DEFAULTS:
        raise ConfigError(f"unknown settings section [{section}]")
    unknown = sorted(set(overrides) - set(DEFAULTS[section]))
    if unknown:
        raise ConfigError(f"unknown setting [{section}] {', '.join(unknown)}")
    values = {k: _config(org).get(section, k) for k in DEFAULTS[section]}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return values


def setting_help(section: str, key: str, text: str | None = None) -> str:
    """A setting's help line for the command line, ending in its documented default.

    Examples
    --------
    >>> setting_help("churn", "fdr")
    'False discovery rate: flag seats whose adjusted p-value is below this. [default: 0.1]'
    """
    default = DEFAULTS[section][key]
    return f"{text or HELP[section][key]} [default: {default if default != '' else 'none'}]"


def analysis_cut(org, as_of=None) -> pd.Timestamp:
    """The first day *not* analysed: ``min(as_of, data end) + 1``.

    Every analysis resolves ``as_of`` through here, so a day before the first
    day of data or after the last one gets the same clear error everywhere.

    Raises
    ------
    AnalysisError
        If ``as_of`` is before the first or after the last day of data.

    Examples
    --------
    >>> from orgraph.analyses._demo import demo_org
    >>> org = demo_org()
    >>> str(analysis_cut(org).date()), str(analysis_cut(org, "2021-06-30").date())
    ('2022-01-01', '2021-07-01')
    >>> analysis_cut(org, "1990-01-01")
    Traceback (most recent call last):
    ...
    orgraph.errors.AnalysisError: --as-of 1990-01-01 is before the first day of data (2020-01-01)
    """
    from .graph import as_date

    end = org.censor
    if as_of is not None:
        try:
            day = as_date(as_of)
        except (TypeError, ValueError):
            raise AnalysisError(f"--as-of {as_of!r} is not a date; expected YYYY-MM-DD") from None
        if day < org.data_start:
            raise AnalysisError(f"--as-of {day} is before the first day of data ({org.data_start})")
        if day > org.data_end:
            raise AnalysisError(f"--as-of {day} is after the last day of data ({org.data_end}); "
                                "the data cannot say what happened then")
        end = min(end, pd.Timestamp(day + dt.timedelta(days=1)))
    return end


def as_of_text(cut: pd.Timestamp) -> str:
    """The last day analysed, ``YYYY-MM-DD``, from a cut made by :func:`analysis_cut`.

    Examples
    --------
    >>> as_of_text(pd.Timestamp("2022-01-01"))
    '2021-12-31'
    """
    return (cut - pd.Timedelta(days=1)).date().isoformat()
