"""The scan's exit code, computed here and nowhere else (DESIGN section 3)."""
from __future__ import annotations

from checker.report import Report
from checker.verdicts import EXIT_FAILURES, EXIT_OK, Severity, Verdict


def exit_code(report: Report, fail_on: Severity, strict: bool) -> int:
    """1 when a failing result (or, with strict, a not-assessed one) is at or above fail_on."""
    counted = {Verdict.FAIL, Verdict.NOT_ASSESSED} if strict else {Verdict.FAIL}
    for outcome in report.outcomes:
        if outcome.rule.severity.rank < fail_on.rank:
            continue
        if any(result.verdict in counted for result in outcome.results):
            return EXIT_FAILURES
    return EXIT_OK
