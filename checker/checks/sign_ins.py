"""Findings read off the sign-in space: one place turns an evaluation outcome into a verdict."""
from __future__ import annotations

from collections.abc import Sequence

from checker.checks.base import CheckContext, Finding
from checker.checks.common import (
    NEEDS_DEFAULTS,
    Defaults,
    collection_evidence,
    defaults_state,
    not_assessed,
    policy_evidence,
    quoted,
)
from checker.evaluation.evaluate import COVERED, UNCOVERED, Gap, Outcome, Slice
from checker.evaluation.users import UserClass
from checker.report import Evidence, Subject
from checker.verdicts import Verdict

MAX_GAPS_SHOWN = 5


def gaps_text(gaps: Sequence[Gap]) -> str:
    shown = "; ".join(gap.text for gap in gaps[:MAX_GAPS_SHOWN])
    more = len(gaps) - MAX_GAPS_SHOWN
    return shown + (f"; and {more} more region(s)" if more > 0 else "")


def regions_text(gaps: Sequence[Gap]) -> str:
    """The regions alone, without their explanation: "any app · browser → no MFA"."""
    shown = "; ".join(f"{gap.words} → {gap.missing if gap.certain else 'undetermined'}"
                      for gap in gaps[:MAX_GAPS_SHOWN])
    more = len(gaps) - MAX_GAPS_SHOWN
    return shown + (f"; and {more} more region(s)" if more > 0 else "")


def gap_evidence(context: CheckContext, outcome: Outcome) -> tuple[Evidence, ...]:
    found = [policy_evidence(g.closest_policy) for g in outcome.gaps if g.closest_policy is not None]
    unique = tuple(dict.fromkeys(found))
    return unique or collection_evidence(context.tenant.conditional_access_origin)


def outcome_finding(context: CheckContext, user_class: UserClass, question: Slice, subject: Subject, *,
                    passes: str, fails: str, defaults_would_close: bool = True) -> Finding:
    """The verdict of one class in one slice: pass, fail naming its gaps, or not_assessed naming the unknowns.

    With security defaults absent from the export, a gap they would close is not a failure: they might be
    on (they do nothing for sign-in or user risk, so the risk rules say ``defaults_would_close=False``).
    """
    outcome = context.evaluation.outcome(user_class, question)
    if outcome.status == COVERED:
        names = ", ".join(quoted(p) for p in outcome.protected_by[:5]) or "enforced policies"
        evidence = tuple(policy_evidence(p, "state", actual=p.state, expected="enabled")
                         for p in outcome.protected_by[:5])
        return Finding(Verdict.PASS, f"{passes} (by {names}).", subject, evidence)
    if outcome.status == UNCOVERED:
        message = f"{fails}: {gaps_text(outcome.gaps)}."
        if defaults_would_close and defaults_state(context.tenant).state is Defaults.UNKNOWN:
            return not_assessed([NEEDS_DEFAULTS], subject, message)
        return Finding(Verdict.FAIL, message, subject, gap_evidence(context, outcome))
    return Finding(Verdict.NOT_ASSESSED, f"Cannot tell from the export: {gaps_text(outcome.gaps)}.", subject,
                   gap_evidence(context, outcome))
