"""The scan's exit code, computed here and nowhere else, and why it is what it is (DESIGN section 3)."""
from __future__ import annotations

from dataclasses import dataclass

from checker.report import Report, Result
from checker.verdicts import EXIT_FAILURES, EXIT_OK, Severity, Verdict

REPORT_ONLY = "none"


@dataclass(frozen=True)
class ExitPolicy:
    """What sets exit code 1: ``fail_on`` None is ``--fail-on none`` (report only)."""

    fail_on: Severity | None = Severity.LOW
    strict: bool = False
    exit_zero: bool = False

    @property
    def threshold(self) -> str:
        return self.fail_on.value if self.fail_on is not None else REPORT_ONLY


def parse_fail_on(text: str) -> Severity | None:
    """A severity, or None for ``none``; ValueError naming the choices otherwise."""
    if text.strip().lower() == REPORT_ONLY:
        return None
    try:
        return Severity.parse(text)
    except ValueError:
        names = ", ".join([*(severity.value for severity in Severity), REPORT_ONLY])
        raise ValueError(f"unknown severity {text!r} (expected one of: {names})") from None


def is_failure(verdict: Verdict, severity: Severity, policy: ExitPolicy) -> bool:
    """A failing verdict (not_assessed too under strict) at or above the threshold.

    With ``--fail-on none`` every failure is still a failure to report, at any severity; it
    just never sets the exit code.
    """
    counted = (Verdict.FAIL, Verdict.NOT_ASSESSED) if policy.strict else (Verdict.FAIL,)
    return verdict in counted and (policy.fail_on is None or severity.rank >= policy.fail_on.rank)


def reported(result: Result, severity: Severity, policy: ExitPolicy) -> bool:
    """A failure as code scanning is shown it: waived ones too (they carry their suppression)."""
    verdict = result.waiver.set_aside if result.waiver is not None else result.verdict
    return is_failure(verdict, severity, policy)


@dataclass(frozen=True)
class ExitStatus:
    code: int
    reason: str


def exit_status(report: Report, policy: ExitPolicy) -> ExitStatus:
    """The exit code and, in words, why: counted failures, waivers, the baseline or an option.

    A failure sets exit code 1 unless it is waived or unchanged since the baseline.
    """
    counting = waived = unchanged = 0
    for outcome in report.outcomes:
        for result in outcome.results:
            if not reported(result, outcome.rule.severity, policy):
                continue
            if result.verdict is Verdict.WAIVED:
                waived += 1
            elif result.baseline_state == "unchanged":
                unchanged += 1
            else:
                counting += 1
    what = "failing or not assessed" if policy.strict else "failing"
    found = f"{_plural(counting, 'result')} {what} at or above {policy.threshold}"
    set_aside = [f"{_plural(waived, 'failure')} {'is' if waived == 1 else 'are'} waived" if waived else "",
                 f"{unchanged} unchanged since the baseline" if unchanged else ""]
    aside = ", ".join(part for part in set_aside if part)
    if policy.fail_on is None:
        new = "new " if report.baseline is not None else ""
        return ExitStatus(EXIT_OK, f"exit 0: --fail-on none, report only ({counting} {new}"
                                   f"{'failure' if counting == 1 else 'failures'})")
    if counting and policy.exit_zero:
        return ExitStatus(EXIT_OK, f"exit 0: --exit-zero ({found})")
    if counting:
        return ExitStatus(EXIT_FAILURES, f"exit 1: {found}" + (f"; {aside}" if aside else ""))
    return ExitStatus(EXIT_OK, f"exit 0: {aside}" if aside else f"exit 0: no result {what} at or above "
                                                             f"{policy.threshold}")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
