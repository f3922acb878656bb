"""The default terminal output: what needs attention, one row per result, then a summary."""
from __future__ import annotations

import re

from checker.exit_status import exit_status
from checker.formatters.common import (
    SHOWN_PER_RULE,
    comparison_phrase,
    coverage_phrase,
    files_phrase,
    message_with_marks,
    plural,
    shown_results,
    verdicts_phrase,
)
from checker.formatters.options import FormatOptions
from checker.packs import BUILTIN
from checker.report import Report, Result, Subject
from checker.rule import Rule

_HEADERS = ("Rule", "Verdict", "Subject", "Message", "Evidence")
# A 100-column terminal holds the grid's borders (16), the rule (8, "INPUT001"), the
# verdict (up to 14, "not_applicable") and these; the message takes what is left.
_TERMINAL = 100
_BORDERS = 16
_RULE = 8
_SUBJECT = 20
_EVIDENCE = 18
# Names, UPNs, GUIDs, paths and pointers break after a space, "@", hyphen or slash, rather than
# wherever the width runs out (textwrap does not break GUIDs: their hyphens sit between digits).
_FIXED_SHOWN = SHOWN_PER_RULE
_PART = re.compile(r"[^ @/-]*[ @/-]|[^ @/-]+")


def format_report(report: Report, options: FormatOptions) -> str:
    # Imported here: tabulate is the slowest import of the tool and only this format needs it.
    from tabulate import tabulate

    rows = []
    for outcome in report.outcomes:
        shown, left_out = shown_results(outcome.results, options.verbose)
        rows += [_row(outcome.rule, result, first=index == 0) for index, result in enumerate(shown)]
        if left_out:
            rows.append(["", "...", "", f"{plural(left_out, 'more result')} of {outcome.rule.id} not shown: "
                         "--verbose lists them all, and the json and sarif formats always hold them.", ""])
    if rows:
        verdict_width = max(len(_HEADERS[1]), *(len(row[1]) for row in rows))
        message_width = _TERMINAL - _BORDERS - _RULE - verdict_width - _SUBJECT - _EVIDENCE
        body = tabulate(
            rows,
            headers=_HEADERS,
            tablefmt="grid",
            maxcolwidths=[None, None, None, message_width, None],
            disable_numparse=True,
        )
    elif options.verbose:
        body = "No results."
    else:
        body = "Nothing fails, nothing is left unassessed, nothing needs review."
    summary = f"{verdicts_phrase(report)} · plan {report.plan} · {files_phrase(report)}\n{coverage_phrase(report)}"
    return f"{body}\n\n{_aside(report)}{summary}\n{exit_status(report, options.policy).reason}\n"


def _aside(report: Report) -> str:
    """Configuration notes and the results fixed since the baseline, before the summary."""
    lines = [f"Configuration: {note.kind}: {note.message}" for note in report.notes]
    if report.baseline is not None:
        lines.append(comparison_phrase(report) + (":" if report.baseline.fixed else ""))
        fixed = report.baseline.fixed
        lines += [f"  fixed since the baseline: {item.rule_id} {item.subject.label}" for item in fixed[:_FIXED_SHOWN]]
        if len(fixed) > _FIXED_SHOWN:
            lines.append(f"  and {len(fixed) - _FIXED_SHOWN} more fixed (the json format lists them all)")
    return "".join(f"{line}\n" for line in lines) + ("\n" if lines else "")


def _row(rule: Rule, result: Result, *, first: bool) -> list[str]:
    # The rule is named once per group, so that the eye finds where each rule starts.
    # A rule of another pack than the built-in one says which.
    pack = f"\n{rule.pack}" if rule.pack != BUILTIN else ""
    rule_cell = f"{rule.id}\n{rule.severity.value}{pack}" if first else ""
    return [rule_cell, result.verdict.value, _subject(result.subject), message_with_marks(result), _evidence(result)]


def _subject(subject: Subject) -> str:
    # The id starts a line of its own, so that a GUID is not run into the name.
    label = subject.label
    suffix = f" ({subject.id})"
    lines = [label[: -len(suffix)], suffix[1:]] if label.endswith(suffix) else [label]
    return "\n".join(wrapped for line in lines for wrapped in _wrap(line, _SUBJECT))


def _evidence(result: Result) -> str:
    # The pointer as the check wrote it, not as located: the default format should not
    # pay for tokenizing a 70 MB export, and a pointer to an absent field says what is missing.
    if not result.evidence:
        return "-"
    evidence = result.evidence[0]
    origin = evidence.origin
    lines = [f"{origin.file}:{evidence.line}" if evidence.line is not None else origin.file]
    if evidence.line is None and origin.pointer:
        lines.append("#" + origin.pointer)
    if len(result.evidence) > 1:
        lines.append(f"(+{len(result.evidence) - 1} more)")
    return "\n".join(wrapped for line in lines for wrapped in _wrap(line, _EVIDENCE))


def _wrap(text: str, width: int) -> list[str]:
    lines = [""]
    for part in _PART.findall(text):
        if lines[-1] and len(lines[-1]) + len(part.rstrip()) > width:
            lines.append("")
        lines[-1] += part
        while len(lines[-1].rstrip()) > width:
            lines[-1:] = [lines[-1][:width], lines[-1][width:]]
    return [line.rstrip() for line in lines]
