"""The verdict and severity vocabularies, their order, and the exit code (DESIGN section 3)."""
from __future__ import annotations

import enum
from collections.abc import Iterable


class Verdict(enum.Enum):
    FAIL = "fail"
    NOT_ASSESSED = "not_assessed"
    REVIEW = "review"
    WAIVED = "waived"
    PASS = "pass"
    NOT_APPLICABLE = "not_applicable"

    @property
    def rank(self) -> int:
        """Higher is worse: a rule's verdict is the worst of its results."""
        return _VERDICT_RANK[self]


# A waived result was a failure that someone accepted, with a reason and an expiry: it
# never sets the exit code, but it ranks above a pass so that a rule whose only problems are
# waived says so instead of passing.
_VERDICT_RANK = {
    Verdict.NOT_APPLICABLE: 0,
    Verdict.PASS: 1,
    Verdict.WAIVED: 2,
    Verdict.REVIEW: 3,
    Verdict.NOT_ASSESSED: 4,
    Verdict.FAIL: 5,
}


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    return max(verdicts, key=lambda verdict: verdict.rank, default=Verdict.NOT_ASSESSED)


class Severity(enum.Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(severity.value for severity in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of: {names})") from None


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_USAGE = 2
