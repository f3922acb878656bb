"""Markdown for a pull-request comment or an audit appendix."""
from __future__ import annotations

import re
from collections.abc import Sequence

from checker.formatters.common import (
    ATTENTION,
    comparison_phrase,
    coverage_phrase,
    files_phrase,
    locate_evidence,
    message_with_marks,
    plural,
    prefetch_positions,
    rule_verdicts,
    shown_results,
)
from checker.formatters.options import FormatOptions
from checker.locate import Locator
from checker.packs import BUILTIN
from checker.report import Evidence, Report, Result, RuleOutcome

# Tenant data (policy and user names) lands in the output: escape what Markdown or HTML
# would otherwise act on, so a display name cannot restyle or break the report.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_BACKTICKS = re.compile("`+")


def format_report(report: Report, options: FormatOptions) -> str:
    prefetch_positions(report, options.locator)
    blocks = [
        "# tenant-checker report",
        _summary(report),
        _coverage(report),
        *_configuration_and_baseline(report),
        "## Rules",
        _table(("Rule", "Name", "Severity", "Pack", "Verdict"), [_rule_row(outcome) for outcome in report.outcomes]),
    ]
    findings = [outcome for outcome in report.outcomes if outcome.verdict in ATTENTION]
    if findings:
        blocks.append("## Findings")
        blocks += [_finding(outcome, options) for outcome in findings]
    return "\n\n".join(blocks) + "\n"


def _rule_row(outcome: RuleOutcome) -> tuple[str, ...]:
    rule = outcome.rule
    return (rule.id, _text(rule.name), rule.severity.value, _text(rule.pack), outcome.verdict.value)


def _summary(report: Report) -> str:
    rows = [
        ("Scanned", _code(report.scan_root)),
        ("Tool", f"tenant-checker {_text(report.tool_version)}"),
        ("Plan", _text(report.plan)),
        ("Input files", files_phrase(report)),
        ("User MFA coverage", _text(coverage_phrase(report).removeprefix("MFA coverage: "))),
    ]
    rows += [
        (f"Rules: {verdict.value}", str(count)) for verdict, count in rule_verdicts(report).items()
    ]
    return "## Summary\n\n" + _table(("Item", "Value"), rows)


_LISTED = 100


def _coverage(report: Report) -> str:
    coverage = report.coverage
    lines = ["## User MFA coverage", "", _text(coverage_phrase(report)) + "."]
    if coverage.note:
        lines[-1] += f" Note: {_text(coverage.note)}."
    for title, subjects in (("Users without MFA", coverage.uncovered), ("Break-glass accounts", coverage.break_glass),
                            ("Users whose coverage cannot be told", coverage.undetermined)):
        if subjects:
            lines += ["", f"**{title}** ({len(subjects)}):", ""]
            lines += [f"- {_text(subject.name or subject.id)} ({_code(subject.id)})" for subject in subjects[:_LISTED]]
            if len(subjects) > _LISTED:
                lines.append(f"- and {len(subjects) - _LISTED} more (the JSON report lists them all)")
    return "\n".join(lines)


def _configuration_and_baseline(report: Report) -> list[str]:
    """Expired and unused waivers; with a baseline, how the scan compares and what was fixed since."""
    blocks = []
    if report.notes:
        blocks.append("## Configuration notes\n\n" + "\n".join(f"- **{_text(note.kind)}**: {_text(note.message)}"
                                                              for note in report.notes))
    if report.baseline is not None:
        fixed = report.baseline.fixed
        lines = ["## Baseline", "", _text(comparison_phrase(report)) + "."]
        if fixed:
            lines.append("")
            lines += [f"- {item.rule_id}: {_text(item.subject.label)}" for item in fixed[:_LISTED]]
            if len(fixed) > _LISTED:
                lines.append(f"- and {len(fixed) - _LISTED} more (the JSON report lists them all)")
        blocks.append("\n".join(lines))
    return blocks


def _finding(outcome: RuleOutcome, options: FormatOptions) -> str:
    rule = outcome.rule
    shown, left_out = shown_results(outcome.results, options.verbose)
    rows = [
        (
            result.verdict.value,
            _text(result.subject.label),
            _text(message_with_marks(result)),
            _evidence(result, options.locator),
        )
        for result in shown
    ]
    parts = [
        f"### {rule.id} {_text(rule.name)}: {_text(rule.title)}",
        f"**{outcome.verdict.value}** · severity {rule.severity.value}"
        f" · guidance: {_text(rule.section)}" + (f" · rule pack {_text(rule.pack)}" if rule.pack != BUILTIN else ""),
        _table(("Verdict", "Subject", "Message", "Evidence"), rows),
    ]
    if left_out:
        parts.append(f"{plural(left_out, 'more result')} needing attention not listed here; the JSON and "
                     "SARIF reports hold them all.")
    hidden = len(outcome.results) - len(shown) - left_out
    if hidden:
        parts.append(f"{plural(hidden, 'other result')} passed or did not apply.")
    parts.append(f"**How to fix:** {_text(rule.fix)}")
    return "\n\n".join(parts)


def _evidence(result: Result, locator: Locator) -> str:
    if not result.evidence:
        return "-"
    return "<br>".join(_place(evidence, locator) for evidence in result.evidence)


def _place(evidence: Evidence, locator: Locator) -> str:
    location = locate_evidence(evidence, locator)
    place = f"{_code(location.file)} line {location.line}"
    return f"{place}, {_code(location.pointer)}" if location.pointer else place


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _text(value: str) -> str:
    escaped = _SPECIAL.sub(r"\\\1", value.replace("&", "&amp;"))
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def _code(value: str) -> str:
    # A code span cannot escape a backtick, only be fenced by a longer run of them; and
    # inside a table its pipes still end the cell unless escaped.
    value = value.replace("\r\n", " ").replace("\n", " ").replace("|", "\\|")
    longest = max((len(run) for run in _BACKTICKS.findall(value)), default=0)
    fence = "`" * (longest + 1)
    if value.startswith("`") or value.endswith("`"):
        value = f" {value} "
    return f"{fence}{value}{fence}"
