"""Runs every selected rule's check over the tenant and builds the Report."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from checker import __version__
from checker.catalogue import load_checks
from checker.checks.base import Check, CheckContext, Finding
from checker.checks.common import TENANT
from checker.coverage_summary import summarise_coverage
from checker.gaps_summary import summarise_gaps
from checker.inputs.load import LoadResult
from checker.inventory import areas
from checker.progress import Progress
from checker.report import Report, Result, RuleOutcome
from checker.report_identity import ReportIdentity
from checker.rule import Rule
from checker.semantics.licence import plan_of
from checker.verdicts import Verdict


def run_rule(rule: Rule, context: CheckContext, check: Check | None = None) -> RuleOutcome:
    """One rule's results; a check that fails unexpectedly is reported, never raised.

    ``check`` is the rule's own (a rule of the configuration); else its pack binds one to it.
    """
    check = check or load_checks().get(rule.id)
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
        own_checks: Mapping[str, Check] | None = None, identity: ReportIdentity | None = None,
        progress: Progress | None = None) -> Report:
    """``own_checks``: the checks of the configuration's rules, by rule id; ``identity`` says what the
    report is of (without it, only what the report itself holds); ``progress`` is told of each rule."""
    own = own_checks or {}
    ordered = sorted(rules, key=lambda r: r.id)
    outcomes = []
    for number, rule in enumerate(ordered, start=1):
        if progress is not None:
            progress.evaluating(number, len(ordered), rule.id)
        outcomes.append(run_rule(rule, context, own.get(rule.id)))
    if progress is not None:
        progress.summarising()
    return Report(
        tool_version=__version__,
        scan_root=loaded.scan_root,
        inputs=loaded.inputs,
        plan=plan_of(loaded.tenant).value,
        outcomes=tuple(outcomes),
        sources=loaded.sources,
        spans=loaded.spans,
        positions=loaded.positions,
        coverage=summarise_coverage(context),
        areas=areas(loaded.tenant),
        gaps=summarise_gaps(context),
        identity=identity or ReportIdentity(rules_run=tuple(sorted(rule.id for rule in rules))),
    )
