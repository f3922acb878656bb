"""Markdown for a pull-request comment or an audit appendix.

It opens with what the report is of, then the rules worst severity first, then a section per
rule that needs attention with its evidence: where it is and what value it holds. Tenant data
goes through ``markdown_cell``, so that no name can break a table, start a heading or add
markup; no cell holds a line break.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from checker.formatters.common import (
    ATTENTION,
    EvidenceValues,
    by_severity,
    comparison_phrase,
    coverage_phrase,
    identity_rows,
    locate_evidence,
    message_with_marks,
    plural,
    prefetch_positions,
    severity_counts,
    shown_results,
)
from checker.formatters.options import FormatOptions
from checker.locate import Locator
from checker.packs import BUILTIN
from checker.report import Evidence, Report, Result, RuleOutcome
from checker.safe_text import markdown_cell, visible
from checker.verdicts import Verdict

_BACKTICKS = re.compile("`+")
# Lists of names and files stop here; the JSON report holds them all.
_LISTED = 100
_CELL = 2000


def format_report(report: Report, options: FormatOptions) -> str:
    prefetch_positions(report, options)
    values = EvidenceValues(report.sources)
    outcomes = by_severity(report.outcomes)
    blocks = [
        "# tenant-checker report",
        _identity(report),
        _summary(report),
        _coverage(report),
        *_configuration_and_baseline(report),
        "## Rules",
        _table(("Rule", "Name", "Severity", "Pack", "Verdict"), [_rule_row(outcome) for outcome in outcomes]),
    ]
    findings = [outcome for outcome in outcomes if outcome.verdict in ATTENTION]
    if findings:
        blocks.append("## Findings")
        blocks += [_section(outcome, options, values) for outcome in findings]
    others = [outcome for outcome in outcomes if outcome.verdict not in ATTENTION]
    if options.verbose and others:
        blocks.append("## Rules that pass or do not apply")
        blocks += [_section(outcome, options, values) for outcome in others]
    return "\n\n".join(blocks) + "\n"


def _identity(report: Report) -> str:
    rows = [(label, _text(value)) for label, value in identity_rows(report)]
    inputs = [(_code(item.path), item.status, _text(item.format or "-"), _code(item.sha256) if item.sha256 else "-")
              for item in report.inputs]
    listed = _table(("File", "Status", "Format", "SHA-256"), inputs[:_LISTED]) if inputs else "No input file."
    if len(inputs) > _LISTED:
        listed += f"\n\nand {len(inputs) - _LISTED} more files (the JSON report lists them all)"
    return "\n\n".join(["## What this report is of", _table(("Item", "Value"), rows), "### Input files", listed])


def _summary(report: Report) -> str:
    rows = [(severity.value, *(str(count) for count in verdicts.values()), str(sum(verdicts.values())))
            for severity, verdicts in severity_counts(report).items()]
    headers = ("Severity", *(verdict.value for verdict in Verdict), "rules")
    return "## Summary\n\n" + _table(headers, rows)


def _rule_row(outcome: RuleOutcome) -> tuple[str, ...]:
    rule = outcome.rule
    return (rule.id, _prose(rule.name), rule.severity.value, _prose(rule.pack), outcome.verdict.value)


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


def _section(outcome: RuleOutcome, options: FormatOptions, values: EvidenceValues) -> str:
    rule = outcome.rule
    shown, left_out = shown_results(outcome.results, options.verbose)
    rows = [
        (
            result.verdict.value,
            _text(result.subject.label),
            _text(message_with_marks(result)),
            _evidence(result, options.locator, values),
        )
        for result in shown
    ]
    parts = [
        f"### {rule.id} {_prose(rule.name)}: {_prose(rule.title)}",
        f"**{outcome.verdict.value}** · severity {rule.severity.value} · guidance: {_prose(rule.section)}"
        + (f" · rule pack {_prose(rule.pack)}" if rule.pack != BUILTIN else ""),
        _table(("Verdict", "Subject", "Message", "Evidence"), rows),
    ]
    if left_out:
        parts.append(f"{plural(left_out, 'more result')} needing attention not listed here; the JSON and "
                     "SARIF reports hold them all.")
    hidden = len(outcome.results) - len(shown) - left_out
    if hidden:
        parts.append(f"{plural(hidden, 'other result')} passed or did not apply.")
    if outcome.verdict in ATTENTION:
        parts.append(f"**How to fix:** {_prose(rule.fix)}")
    return "\n\n".join(parts)


def _evidence(result: Result, locator: Locator, values: EvidenceValues) -> str:
    if not result.evidence:
        return "-"
    return "; ".join(_place(evidence, locator, values) for evidence in result.evidence)


def _place(evidence: Evidence, locator: Locator, values: EvidenceValues) -> str:
    location = locate_evidence(evidence, locator)
    place = f"{_code(location.file)} line {location.line}"
    if location.pointer:
        place += f", {_code(location.pointer)}"
    words = values.words(evidence, location)
    return f"{place}: {_text(words)}" if words else place


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _text(value: str) -> str:
    """Tenant data: every control character shown, nothing acted on."""
    return markdown_cell(value, _CELL)


def _prose(value: str) -> str:
    """The catalogue's own text, wrapped in its YAML source: one paragraph, escaped all the same."""
    return markdown_cell(" ".join(value.split()))


def _code(value: str) -> str:
    # A code span cannot escape a backtick, only be fenced by a longer run of them; and
    # inside a table its pipes still end the cell unless escaped.
    value = visible(value).replace("|", "\\|")
    longest = max((len(run) for run in _BACKTICKS.findall(value)), default=0)
    fence = "`" * (longest + 1)
    if value.startswith("`") or value.endswith("`"):
        value = f" {value} "
    return f"{fence}{value}{fence}"
