"""JUnit XML for the test views of GitLab and Azure DevOps: one test case per rule.

Those tools know tests, not findings: a rule that fails is a failed test, one that could not be
judged (not assessed) or does not apply to this tenant is a skipped test with the reason, and
one that passes or needs a person's review is a passed test (the review in its output).

Choices a reader of the output may wonder about:
- ``classname`` is the rule's pack and area (``tenant-checker.conditional-access``): GitLab shows
  it as the suite and keys a test on classname + name, so both stay stable across runs.
- ``time`` is always ``0`` and there is no timestamp: the output is the same bytes for the same
  export, and both tools read a missing duration as zero anyway.
"""
from __future__ import annotations

import posixpath
from collections.abc import Iterable

from lxml import etree

from checker.formatters.common import locate_evidence, plural, prefetch_positions
from checker.formatters.options import FormatOptions
from checker.report import Report, Result, RuleOutcome
from checker.safe_text import visible
from checker.verdicts import Verdict

PACK = "tenant-checker"
SKIPPED = frozenset({Verdict.NOT_ASSESSED, Verdict.NOT_APPLICABLE})
# results named in a failure's one-line message; its text lists every one
NAMED_IN_MESSAGE = 3

def format_report(report: Report, options: FormatOptions) -> str:
    prefetch_positions(report, options)
    verdicts = [outcome.verdict for outcome in report.outcomes]
    totals = {
        "tests": str(len(verdicts)),
        "failures": str(verdicts.count(Verdict.FAIL)),
        "errors": "0",
        "skipped": str(sum(verdict in SKIPPED for verdict in verdicts)),
        "time": "0",
    }
    suites = etree.Element("testsuites", {"name": PACK, **totals})
    suite = etree.SubElement(suites, "testsuite", {"name": PACK, **totals})
    properties = etree.SubElement(suite, "properties")
    for name, value in (("version", report.tool_version), ("scanRoot", report.scan_root), ("plan", report.plan)):
        etree.SubElement(properties, "property", name=name, value=_text(value))
    for outcome in report.outcomes:
        _test_case(suite, outcome, report, options)
    return etree.tostring(suites, encoding="UTF-8", xml_declaration=True, pretty_print=True).decode("utf-8")


def _test_case(suite: etree._Element, outcome: RuleOutcome, report: Report, options: FormatOptions) -> None:
    rule = outcome.rule
    category = rule.tags[0] if rule.tags else "general"
    case = etree.SubElement(suite, "testcase", classname=f"{PACK}.{category}", name=f"{rule.id} {rule.name}",
                            time="0")
    verdict = outcome.verdict
    if verdict is Verdict.FAIL:
        failing = [result for result in outcome.results if result.verdict is Verdict.FAIL]
        named = "; ".join(result.subject.label for result in failing[:NAMED_IN_MESSAGE])
        more = f" and {len(failing) - NAMED_IN_MESSAGE} more" if len(failing) > NAMED_IN_MESSAGE else ""
        failure = etree.SubElement(case, "failure", type=rule.severity.value,
                                   message=_text(f"{plural(len(failing), 'failing result')} ({rule.severity.value}): "
                                                 f"{named}{more}"))
        failure.text = _lines(failing, report, options)
    elif verdict in SKIPPED:
        waiting = [result for result in outcome.results if result.verdict is verdict]
        skipped = etree.SubElement(case, "skipped", message=_text(f"{verdict.value}: {waiting[0].message}"))
        skipped.text = _lines(waiting, report, options)
    notes = [(heading, [result for result in outcome.results if result.verdict is shown])
             for heading, shown in (("Needs review", Verdict.REVIEW), ("Waived", Verdict.WAIVED))]
    text = "".join(f"{heading}:\n{_lines(results, report, options)}" for heading, results in notes if results)
    if text:
        etree.SubElement(case, "system-out").text = text


def _lines(results: Iterable[Result], report: Report, options: FormatOptions) -> str:
    """One line a result: its subject, what is wrong, and where the evidence is (file:line)."""
    return "".join(_text(f"{result.subject.label}: {result.message}{_where(result, report, options)}") + "\n"
                   for result in results)


def _where(result: Result, report: Report, options: FormatOptions) -> str:
    if not result.evidence:
        return ""
    location = locate_evidence(result.evidence[0], options.locator)
    root = report.scan_root.replace("\\", "/")
    path = posixpath.join(root, location.file) if root not in ("", ".") else location.file
    return f" ({path}:{location.line})"


def _text(text: str) -> str:
    """One line of plain text: controls (which XML 1.0 cannot carry even escaped), bidi overrides
    and lone surrogates from the export are written out, as in the table."""
    return visible(text)
