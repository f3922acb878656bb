"""The verdict and severity vocabularies, their order, and the exit code (DESIGN section 3)."""
from __future__ import annotations

import enum
from collections.abc import Iterable


class Verdict(enum.Enum):
    FAIL = "fail"
    NOT_ASSESSED = "not_assessed"
    REVIEW = "review"
    PASS = "pass"
    NOT_APPLICABLE = "not_applicable"

    @property
    def rank(self) -> int:
        """Higher is worse: a rule's verdict is the worst of its results."""
        return _VERDICT_RANK[self]


_VERDICT_RANK = {
    Verdict.NOT_APPLICABLE: 0,
    Verdict.PASS: 1,
    Verdict.REVIEW: 2,
    Verdict.NOT_ASSESSED: 3,
    Verdict.FAIL: 4,
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
