"""What each kind of finding is called, the one action it suggests, and how to read the findings.

The pack's cards, the slides and the memo share these words. An action is
suggested only for a stated claim, and names what the claim names.
"""
from __future__ import annotations

__all__ = ["KIND_TITLES", "HOW_TO_READ", "action"]

#: A finding's short title, by its ``kind``.
KIND_TITLES = {
    "overloaded-supervision": "Overloaded supervision",
    "overloaded-supervisor": "An overloaded supervisor's team",
    "cascade-pattern": "People leave after their supervisor leaves",
    "cascade": "A supervisor left, and their team followed",
    "churn-seat": "A seat that keeps turning over",
    "caseload": "High caseloads",
    "caseload-per-fte": "Caseload per clinical FTE",
    "documentation": "Documentation burden",
    "leading-indicator": "Supervisor exits as an early warning",
    "common-factors": "Who leaves more often",
    "continuity": "Clients who lost their clinician",
}

#: One paragraph each: rate ratios, intervals and "could be chance".
HOW_TO_READ = (
    "Each finding compares what happened with what the org's own usual exit rate predicts: \"2.5 times as "
    "often\" (a rate ratio) means 2.5 exits for every 1 the usual rate predicts for the same people and time.",
    "The likely range (a 95% interval) is where the true figure probably lies given how much data there is. A "
    "finding claims an effect only when its whole range lies above 1, enough exits stand behind it, and it "
    "survives one Benjamini–Hochberg adjustment over every test the audit ran.",
    "\"Could be chance\" means the pattern is there but this much data cannot tell it apart from ordinary "
    "turnover: such findings are said plainly, as descriptive, with no dollar figure. Dollar figures are given "
    "only for claims, count each exit once, and never add up to more than all exits cost in the period.",
)

_ACTIONS = {
    "overloaded-supervision": "Rebalance the span of {who}: move supervisees or add a supervisor, and put the "
                              "required supervision hours in the calendar.",
    "overloaded-supervisor": "Rebalance the span of {who}: move supervisees or add a supervisor, and put the "
                             "required supervision hours in the calendar.",
    "cascade-pattern": "When a supervisor gives notice, meet their team within two weeks and name an interim "
                       "supervisor before the last day.",
    "cascade": "Ask the people who stayed after {who} left what the leavers had in common, and check the "
               "successor's span.",
    "churn-seat": "Before hiring the next holder of {who}, review its caseload, supervisor and schedule.",
    "caseload": "Cap caseloads in {who}, or add FTE before adding census.",
    "caseload-per-fte": "Price census growth with the turnover it brings: add FTE with census.",
    "documentation": "Cut documentation time in {who}: templates, scribe time or fewer required fields.",
    "leading-indicator": "Treat a supervisor's exit as an early warning for the program's clinicians.",
    "common-factors": "Look at what these people share: {who}.",
}


def action(kind: str, who: str) -> str | None:
    """The one action a stated finding of ``kind`` suggests, naming ``who`` (None when there is none, or when it
    needs a name and ``who`` is empty).

    Examples
    --------
    >>> action("churn-seat", "Outpatient Therapist (OP-CLN22)")
    'Before hiring the next holder of Outpatient Therapist (OP-CLN22), review its caseload, supervisor and schedule.'
    >>> action("unknown", "x") is None
    True
    """
    text = _ACTIONS.get(kind)
    if text is None or ("{who}" in text and not who):
        return None
    return text.format(who=who)
