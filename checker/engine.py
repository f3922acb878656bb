"""Runs every selected rule's check over the tenant and builds the Report."""
from __future__ import annotations

from collections.abc import Sequence

from checker import __version__
from checker.checks import CHECKS
from checker.checks.base import CheckContext, Finding
from checker.checks.common import TENANT
from checker.coverage_summary import summarise_coverage
from checker.gaps_summary import summarise_gaps
from checker.inputs.load import LoadResult
from checker.inventory import areas
from checker.report import Report, Result, RuleOutcome
from checker.report_identity import ReportIdentity
from checker.rule import Rule
from checker.semantics.licence import plan_of
from checker.verdicts import Verdict


def run_rule(rule: Rule, context: CheckContext) -> RuleOutcome:
    """One rule's results; a check that fails unexpectedly is reported, never raised."""
    check = CHECKS.get(rule.id)
    if check is None:
        findings = [Finding(Verdict.NOT_ASSESSED, "No check is bound to this rule.", TENANT)]
    else:
        try:
            findings = check(context)
        except Exception as error:  # a bug in one check must not hide the other rules' verdicts
            findings = [Finding(Verdict.NOT_ASSESSED, f"Not assessed: the check stopped on an unexpected error "
                                f"({type(error).__name__}: {error}).", TENANT)]
        if not findings:
            findings = [Finding(Verdict.NOT_ASSESSED, "Not assessed: the check produced no result.", TENANT)]
    results = tuple(Result(rule.id, f.verdict, f.message, f.subject, f.evidence) for f in findings)
    return RuleOutcome(rule, results)


def run(loaded: LoadResult, rules: Sequence[Rule], context: CheckContext,
        identity: ReportIdentity | None = None) -> Report:
    """``identity`` says what the report is of; without it, only what the report itself holds."""
    outcomes = tuple(run_rule(rule, context) for rule in sorted(rules, key=lambda r: r.id))
    return Report(
        tool_version=__version__,
        scan_root=loaded.scan_root,
        inputs=loaded.inputs,
        plan=plan_of(loaded.tenant).value,
        outcomes=outcomes,
        sources=loaded.sources,
        spans=loaded.spans,
        positions=loaded.positions,
        coverage=summarise_coverage(context),
        areas=areas(loaded.tenant),
        gaps=summarise_gaps(context),
        identity=identity or ReportIdentity(rules_run=tuple(sorted(rule.id for rule in rules))),
    )
