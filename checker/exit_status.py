"""The scan's exit code, computed here and nowhere else (DESIGN section 3)."""
from __future__ import annotations

from checker.report import Report
from checker.verdicts import EXIT_FAILURES, EXIT_OK, Severity, Verdict


def counts(verdict: Verdict, severity: Severity, fail_on: Severity, strict: bool) -> bool:
    """Does a result with this verdict, of a rule of this severity, set exit code 1?"""
    counted = (Verdict.FAIL, Verdict.NOT_ASSESSED) if strict else (Verdict.FAIL,)
    return verdict in counted and severity.rank >= fail_on.rank


def exit_code(report: Report, fail_on: Severity, strict: bool) -> int:
    """1 when a failing result (or, with strict, a not-assessed one) is at or above fail_on."""
    for outcome in report.outcomes:
        if any(counts(result.verdict, outcome.rule.severity, fail_on, strict) for result in outcome.results):
            return EXIT_FAILURES
    return EXIT_OK
