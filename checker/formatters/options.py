"""What every formatter is told besides the report itself."""
from __future__ import annotations

from dataclasses import dataclass

from checker.exit_status import ExitPolicy
from checker.locate import Locator
from checker.report import Report
from checker.verdicts import Severity


@dataclass(frozen=True, kw_only=True)
class FormatOptions:
    """``verbose`` adds passing and not-applicable results where a format hides them.

    Keyword-only so that the defaulted ``verbose`` can come first and call sites read
    the same whatever order fields are added in.
    """

    verbose: bool = False
    locator: Locator
    # what sets the exit code, for formats that show only that by default (SARIF) or say why (table);
    # fail_on None is --fail-on none
    fail_on: Severity | None = Severity.LOW
    strict: bool = False
    every_verdict: bool = False
    # the table's width, and whether it may colour (only on a terminal, NO_COLOR and --no-color unset)
    width: int = 100
    color: bool = False
    exit_zero: bool = False
    # every evidence position has been looked up already (the locator keeps them): a scan that
    # writes several reports does it once, not once a report
    positions_found: bool = False

    @property
    def policy(self) -> ExitPolicy:
        return ExitPolicy(fail_on=self.fail_on, strict=self.strict, exit_zero=self.exit_zero)

    @classmethod
    def for_report(cls, report: Report, *, verbose: bool = False, every_verdict: bool = False) -> FormatOptions:
        """Options whose locator reads the report's own input files."""
        return cls(verbose=verbose, locator=Locator(report.sources, report.spans, report.positions),
                   every_verdict=every_verdict)
