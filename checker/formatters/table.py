"""The default terminal output: what the report is of, what needs attention, then a summary.

Results are grouped by rule, worst severity first, and fitted to ``options.width``. Every
cell is wrapped here, never by tabulate: its wrapping grows with the square of a long
unbroken string, and tenant data decides how long a name is. Colour is added only when the
scan writes to a terminal (``options.color``).
"""
from __future__ import annotations

import re

from checker.exit_status import exit_status, reported
from checker.formatters.common import (
    SHOWN_PER_RULE,
    baseline_phrase,
    by_severity,
    comparison_phrase,
    coverage_phrase,
    identity_rows,
    plural,
    severity_counts,
    shown_results,
    waiver_phrase,
)
from checker.formatters.options import FormatOptions
from checker.packs import BUILTIN
from checker.report import Report, Result, Subject
from checker.rule import Rule
from checker.safe_text import terminal_text
from checker.verdicts import Verdict

_HEADERS = ("Rule", "Subject", "Message", "Evidence")
# Below this width the evidence goes under the message rather than in a column of its own.
_EVIDENCE_COLUMN_FROM = 100
_RULE = len("not_applicable")
# Tenant data longer than this is cut in a cell (json and sarif keep it whole).
_MESSAGE_LIMIT = 1500
_NAME_LIMIT = 200
# Names, UPNs, GUIDs, paths and pointers break after a space, "@", hyphen or slash, rather than
# wherever the width runs out (textwrap does not break GUIDs: their hyphens sit between digits).
_PART = re.compile(r"[^ @/-]*[ @/-]|[^ @/-]+")

_RESET = "\x1b[0m"
_COLOURS = {
    Verdict.FAIL: "\x1b[1;31m",
    Verdict.NOT_ASSESSED: "\x1b[33m",
    Verdict.REVIEW: "\x1b[36m",
    Verdict.WAIVED: "\x1b[35m",
    Verdict.PASS: "\x1b[32m",
    Verdict.NOT_APPLICABLE: "\x1b[2m",
}
_BOLD = "\x1b[1m"
_FIXED_SHOWN = SHOWN_PER_RULE


def format_report(report: Report, options: FormatOptions) -> str:
    # Imported here: tabulate is the slowest import of the tool and only this format needs it.
    from tabulate import tabulate

    widths = _column_widths(options.width)
    headers = _HEADERS if widths[3] else _HEADERS[:3]
    rows = []
    for outcome in by_severity(report.outcomes):
        shown, left_out = shown_results(outcome.results, options.verbose)
        rows += [_row(outcome.rule, result, widths, options.color, first=index == 0)
                 for index, result in enumerate(shown)]
        if left_out:
            note = (f"{plural(left_out, 'more result')} of {outcome.rule.id} not shown: --verbose lists them "
                    "all, and the json and sarif formats always hold them.")
            rows.append(["", "...", _cell(note, widths[2]), ""][:len(headers)])
    if rows:
        body = tabulate(rows, headers=headers, tablefmt="grid", disable_numparse=True)
    elif options.verbose:
        body = "No results."
    else:
        body = "Nothing fails, nothing is left unassessed, nothing needs review."
    parts = [_header(report, options), body, *_aside(report, options), _summary(report, options),
             _cell(coverage_phrase(report), options.width)]
    return "\n\n".join(parts) + "\n"


def _aside(report: Report, options: FormatOptions) -> list[str]:
    """Configuration notes and the results fixed since the baseline, before the summary."""
    lines = [f"Configuration: {note.kind}: {note.message}" for note in report.notes]
    if report.baseline is not None:
        lines.append(comparison_phrase(report) + (":" if report.baseline.fixed else ""))
        fixed = report.baseline.fixed
        lines += [f"  fixed since the baseline: {item.rule_id} {item.subject.label}" for item in fixed[:_FIXED_SHOWN]]
        if len(fixed) > _FIXED_SHOWN:
            lines.append(f"  and {len(fixed) - _FIXED_SHOWN} more fixed (the json format lists them all)")
    return ["\n".join(_cell(terminal_text(line, _MESSAGE_LIMIT), options.width) for line in lines)] if lines else []


def _column_widths(width: int) -> tuple[int, int, int, int]:
    """Rule, subject, message, evidence (0: under the message); the message takes what the others leave.

    Each column costs 3 characters of border ("| " before it, " " after), and the grid 1 more.
    """
    width = max(width, 60)
    if width < _EVIDENCE_COLUMN_FROM:
        room = width - (3 * 3 + 1) - _RULE
        subject = max(14, room * 30 // 100)
        return _RULE, subject, room - subject, 0
    room = width - (3 * 4 + 1) - _RULE
    subject = max(12, room * 24 // 100)
    evidence = max(12, room * 22 // 100)
    return _RULE, subject, room - subject - evidence, evidence


def _header(report: Report, options: FormatOptions) -> str:
    lines = []
    for label, value in identity_rows(report):
        if label == "Input files":
            value += " (their SHA-256 below)" if options.verbose else " (--verbose lists them with their SHA-256)"
        line = _cell(terminal_text(f"{label}: {value}", _MESSAGE_LIMIT), options.width)
        lines.append(line if not options.color else line.replace(f"{label}:", f"{_BOLD}{label}:{_RESET}", 1))
    if options.verbose:
        # as sha256sum prints them, so that `sha256sum -c` can check an export against the report
        lines += [f"{item.sha256}  {terminal_text(item.path, _NAME_LIMIT)}" for item in report.inputs if item.sha256]
    return "\n".join(lines)


def _summary(report: Report, options: FormatOptions) -> str:
    """Rules per severity and verdict, and what sets the exit code."""
    table = severity_counts(report)
    rows = [[severity.value, *(str(count or "-") for count in verdicts.values()), str(sum(verdicts.values()))]
            for severity, verdicts in table.items() if sum(verdicts.values())]
    headers = ["Severity", *(verdict.value for verdict in Verdict), "rules"]
    policy = options.policy
    status = exit_status(report, policy)
    counted = [o.rule.id for o in by_severity(report.outcomes)
               if any(reported(r, o.rule.severity, policy) and r.verdict is not Verdict.WAIVED
                      and r.baseline_state != "unchanged" for r in o.results)]
    verdict = status.reason
    if counted and status.code:
        verdict += f" ({plural(len(counted), 'rule')}: {', '.join(counted)})"
    return f"Rules by severity and verdict\n\n{_columns([headers, *rows])}\n\n{_cell(verdict, options.width)}"


def _columns(rows: list[list[str]]) -> str:
    """A plain table, two spaces between columns, as narrow as its widest cells (80 columns fit it)."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join([lines[0], "  ".join("-" * width for width in widths), *lines[1:]])


def _row(rule: Rule, result: Result, widths: tuple[int, int, int, int], color: bool, *, first: bool) -> list[str]:
    # The rule is named once per group, so that the eye finds where each rule starts.
    verdict = result.verdict.value
    if color:
        verdict = f"{_COLOURS[result.verdict]}{verdict}{_RESET}"
    pack = f"\n{terminal_text(rule.pack, _NAME_LIMIT)}" if rule.pack != BUILTIN else ""
    rule_cell = f"{rule.id}\n{rule.severity.value}{pack}\n{verdict}" if first else verdict
    parts = (result.message, waiver_phrase(result), baseline_phrase(result))
    message = "\n".join(_cell(terminal_text(part, _MESSAGE_LIMIT), widths[2]) for part in parts if part)
    if not widths[3]:
        return [rule_cell, _subject(result.subject, widths[1]), f"{message}\n{_evidence(result, widths[2], '↳ ')}"]
    return [rule_cell, _subject(result.subject, widths[1]), message, _evidence(result, widths[3])]


def _subject(subject: Subject, width: int) -> str:
    # The id starts a line of its own, so that a GUID is not run into the name.
    name = terminal_text(subject.name, _NAME_LIMIT)
    ident = terminal_text(subject.id, _NAME_LIMIT)
    if subject.label == subject.id or not name:
        lines = [ident]
    elif subject.kind in ("file", "tenant", "collection"):
        lines = [name]
    else:
        lines = [name, f"({ident})"]
    return "\n".join(_cell(line, width) for line in lines)


def _evidence(result: Result, width: int, lead: str = "") -> str:
    # The pointer as the check wrote it, not as located: the default format should not
    # pay for tokenizing a 70 MB export, and a pointer to an absent field says what is missing.
    if not result.evidence:
        return f"{lead}no evidence" if lead else "-"
    evidence = result.evidence[0]
    origin = evidence.origin
    file = terminal_text(origin.file, _NAME_LIMIT)
    lines = [f"{file}:{evidence.line}" if evidence.line is not None else file]
    if evidence.line is None and origin.pointer:
        lines.append("#" + terminal_text(origin.pointer, _NAME_LIMIT))
    if len(result.evidence) > 1:
        lines.append(f"(+{len(result.evidence) - 1} more)")
    if lead:
        lines = [lead + " ".join(lines)]
    return "\n".join(_cell(line, width) for line in lines)


def _cell(text: str, width: int) -> str:
    return "\n".join(_wrap(text, width))


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, in time linear in the text."""
    lines = [""]
    for part in _PART.findall(text):
        if lines[-1] and len(lines[-1]) + len(part.rstrip()) > width:
            lines.append("")
        if len(lines[-1]) + len(part.rstrip()) > width:
            room = width - len(lines[-1])
            lines[-1] += part[:room]
            lines += [part[start:start + width] for start in range(room, len(part), width)]
        else:
            lines[-1] += part
    return [line.rstrip() for line in lines]
