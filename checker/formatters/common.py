"""What several formats say the same way: verdict counts, file counts, evidence positions."""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from checker.locate import Location, Locator
from checker.report import Evidence, Report, Result
from checker.verdicts import Verdict

# The verdicts someone has to act on or has accepted (waived, until its waiver expires); the rest
# are shown only when asked for.
ATTENTION = frozenset({Verdict.FAIL, Verdict.NOT_ASSESSED, Verdict.REVIEW, Verdict.WAIVED})
# Formats read by a person list this many results a rule unless --verbose; a 100k-user tenant
# would otherwise print tens of thousands of rows (json and sarif always hold every result).
SHOWN_PER_RULE = 25


def shown_results(results: Iterable[Result], verbose: bool) -> tuple[list[Result], int]:
    """The results a person-facing format lists for one rule, and how many it leaves out."""
    wanted = [r for r in results if verbose or r.verdict in ATTENTION]
    if verbose or len(wanted) <= SHOWN_PER_RULE:
        return wanted, 0
    return wanted[:SHOWN_PER_RULE], len(wanted) - SHOWN_PER_RULE


def count_verdicts(verdicts: Iterable[Verdict]) -> dict[Verdict, int]:
    """Every verdict, worst first, with zero counts kept so that columns never move."""
    counts = dict.fromkeys(Verdict, 0)
    for verdict in verdicts:
        counts[verdict] += 1
    return counts


def rule_verdicts(report: Report) -> dict[Verdict, int]:
    return count_verdicts(outcome.verdict for outcome in report.outcomes)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def verdicts_phrase(report: Report) -> str:
    """``24 rules: 3 fail, 2 not_assessed, ...``"""
    counts = ", ".join(f"{count} {verdict.value}" for verdict, count in rule_verdicts(report).items())
    return f"{plural(len(report.outcomes), 'rule')}: {counts}"


def files_phrase(report: Report) -> str:
    """``9 files read, 1 ignored, 0 unreadable``"""
    statuses = [input_file.status for input_file in report.inputs]
    read = plural(statuses.count("used"), "file")
    return f"{read} read, {statuses.count('ignored')} ignored, {statuses.count('unreadable')} unreadable"


def coverage_phrase(report: Report) -> str:
    """``MFA coverage: 9 of 11 enabled users covered, 0 uncovered, 2 break-glass, 0 undetermined``"""
    coverage = report.coverage
    if coverage.state == "via security defaults":
        return f"MFA coverage: all {plural(coverage.enabled_users, 'enabled user')} via security defaults"
    if coverage.state == "not assessed":
        return "MFA coverage: not assessed" + (f" ({coverage.note})" if coverage.note else "")
    return (f"MFA coverage: {coverage.covered} of {plural(coverage.enabled_users, 'enabled user')} covered, "
            f"{len(coverage.uncovered)} uncovered, {len(coverage.break_glass)} break-glass, "
            f"{len(coverage.undetermined)} undetermined")


def waiver_phrase(result: Result) -> str:
    """``Waived until 2027-03-31 (SEC-42, owner: it-ops): kept in report-only while piloting``"""
    waiver = result.waiver
    if waiver is None:
        return ""
    about = ", ".join(part for part in (waiver.ticket, f"owner: {waiver.owner}" if waiver.owner else "") if part)
    return f"Waived until {waiver.expires}" + (f" ({about})" if about else "") + f": {waiver.reason}"


def baseline_phrase(result: Result) -> str:
    return f"{result.baseline_state.capitalize()} since the baseline." if result.baseline_state else ""


def message_with_marks(result: Result) -> str:
    """The result's message, then its waiver and baseline state, one a line, where they are set."""
    return "\n".join(part for part in (result.message, waiver_phrase(result), baseline_phrase(result)) if part)


def comparison_phrase(report: Report) -> str:
    """``Baseline base.json: 5 unchanged, 1 new, 2 fixed since``; empty without a baseline."""
    baseline = report.baseline
    if baseline is None:
        return ""
    return (f"Baseline {baseline.path}: {baseline.unchanged} unchanged, {baseline.new} new, "
            f"{len(baseline.fixed)} fixed since")


def prefetch_positions(report: Report, locator: Locator) -> None:
    """Find every evidence position up front, one input file at a time."""
    locator.prefetch(e.origin for result in report.results() for e in result.evidence if e.line is None)


def locate_evidence(evidence: Evidence, locator: Locator) -> Location:
    """A position set by a loader (a parse error) wins: the file has no structure to search."""
    if evidence.line is not None:
        origin = evidence.origin
        return Location(origin.file, origin.pointer, evidence.line, evidence.column or 1)
    return locator.locate(evidence.origin)


def dumps_records_per_line(document: Any, record_lists: frozenset[str], level: int = 0) -> str:
    """Indented, key-sorted JSON, except that lists named in ``record_lists`` hold one record a line.

    Those lists may be any iterable, so that large ones are built a record at a time.

    ``indent=`` makes json use its pure-Python encoder, about ten times slower than the C
    one. The record lists grow with the tenant (100k users, 100k results) and go through the
    C encoder a record at a time; the rest is small. A line per record also keeps the output
    diffable.
    """
    pad = "  " * level
    if isinstance(document, dict) and document:
        members = []
        for key in sorted(document):
            value = document[key]
            if key in record_lists and not isinstance(value, (dict, str)):
                lines = [f"{pad}    {_compact(item)}" for item in value]
                encoded = "[\n" + ",\n".join(lines) + f"\n{pad}  ]" if lines else "[]"
            else:
                encoded = dumps_records_per_line(value, record_lists, level + 1)
            members.append(f"{pad}  {_compact(key)}: {encoded}")
        return "{\n" + ",\n".join(members) + f"\n{pad}}}"
    if isinstance(document, list) and document:
        items = [f"{pad}  {dumps_records_per_line(item, record_lists, level + 1)}" for item in document]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return _compact(document)


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False)
