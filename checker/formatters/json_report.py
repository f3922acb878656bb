"""The whole report as JSON, for other tools and for ``--baseline``."""
from __future__ import annotations

import dataclasses
import enum
import json
import math
from collections.abc import Mapping
from typing import Any

from checker.formatters.common import (
    dumps_records_per_line,
    identity_document,
    locate_evidence,
    prefetch_positions,
    rule_verdicts,
)
from checker.formatters.options import FormatOptions
from checker.locate import Locator
from checker.report import (
    BaselineComparison,
    ClassGaps,
    CoverageSummary,
    Evidence,
    GapsSummary,
    InputFile,
    Report,
    Result,
    RuleOutcome,
    Subject,
)

TOOL_NAME = "tenant-checker"
# Raised whenever a field changes meaning or goes away; new fields keep the number.
SCHEMA_VERSION = 1


def format_report(report: Report, options: FormatOptions) -> str:
    prefetch_positions(report, options.locator)
    document = {
        "schemaVersion": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": report.tool_version},
        "identity": identity_document(report.identity),
        "scanRoot": report.scan_root,
        "plan": report.plan,
        "inputs": [_input(input_file) for input_file in report.inputs],
        "areas": [dataclasses.asdict(area) for area in report.areas],
        "summary": {verdict.value: count for verdict, count in rule_verdicts(report).items()},
        "coverage": _coverage(report.coverage),
        "gaps": gaps_document(report.gaps),
        "rules": [_rule(outcome, options.locator) for outcome in report.outcomes],
        "configurationNotes": [{"kind": note.kind, "message": note.message} for note in report.notes],
        "baseline": _baseline(report.baseline),
    }
    return dumps_records_per_line(document, _RECORD_LISTS) + "\n"


_RECORD_LISTS = frozenset({"inputs", "results", "fixed", "uncoveredUsers", "breakGlassUsers", "undeterminedUsers",
                           "classes"})


def gaps_document(gaps: GapsSummary) -> dict[str, Any]:
    """The gaps of section 4: per user class, the regions signed in through without MFA."""
    return {
        "state": gaps.state,
        "note": gaps.note,
        "usersExported": gaps.users_exported,
        "classes": [_class_gaps(found) for found in gaps.classes],
    }


def _class_gaps(found: ClassGaps) -> dict[str, Any]:
    return {
        "description": found.description,
        "synthetic": found.synthetic,
        "breakGlass": found.break_glass,
        "userCount": len(found.users),
        "users": [{"id": subject.id, "name": subject.name} for subject in found.users],
        "regions": [{
            "words": region.words,
            "outcome": "no MFA" if region.certain else "undetermined",
            "closest": region.closest,
            "excludedFrom": list(region.excluded_from),
            "wouldBeClosedBy": list(region.would_close),
            "unknowns": list(region.unknowns),
            "atoms": {name: list(atoms) for name, atoms in region.atoms},
        } for region in found.regions],
    }


def _baseline(baseline: BaselineComparison | None) -> dict[str, Any] | None:
    """How the scan compares with ``--baseline``: counts, and the failures fixed since."""
    if baseline is None:
        return None
    return {
        "path": baseline.path,
        "unchanged": baseline.unchanged,
        "new": baseline.new,
        "fixed": [{"ruleId": item.rule_id,
                   "subject": {"kind": item.subject.kind, "id": item.subject.id, "name": item.subject.name}}
                  for item in baseline.fixed],
    }


def _coverage(coverage: CoverageSummary) -> dict[str, Any]:
    def users(subjects: tuple[Subject, ...]) -> list[dict[str, str]]:
        return [{"id": subject.id, "name": subject.name} for subject in subjects]

    return {
        "state": coverage.state,
        "note": coverage.note,
        **coverage.counts,
        "uncoveredUsers": users(coverage.uncovered),
        "breakGlassUsers": users(coverage.break_glass),
        "undeterminedUsers": users(coverage.undetermined),
    }


def _input(input_file: InputFile) -> dict[str, Any]:
    return {
        "path": input_file.path,
        "sha256": input_file.sha256,
        "status": input_file.status,
        "format": input_file.format,
        "collection": input_file.collection,
        "objects": input_file.objects,
        "reason": input_file.reason,
        "diagnostics": [dataclasses.asdict(diagnostic) for diagnostic in input_file.diagnostics],
    }


def _rule(outcome: RuleOutcome, locator: Locator) -> dict[str, Any]:
    rule = outcome.rule
    return {
        "id": rule.id,
        "name": rule.name,
        "title": rule.title,
        "severity": rule.severity.value,
        "pack": rule.pack,
        "verdict": outcome.verdict.value,
        "section": rule.section,
        "results": (_result(result, locator) for result in outcome.results),
    }


def _result(result: Result, locator: Locator) -> dict[str, Any]:
    subject = result.subject
    document = {
        "verdict": result.verdict.value,
        "message": result.message,
        "subject": {"kind": subject.kind, "id": subject.id, "name": subject.name},
        "evidence": [_evidence(evidence, locator) for evidence in result.evidence],
    }
    if result.waiver is not None:
        waiver = result.waiver
        document["waiver"] = {"reason": waiver.reason, "expires": waiver.expires, "ticket": waiver.ticket,
                              "owner": waiver.owner, "waivedVerdict": waiver.set_aside.value}
    if result.baseline_state:
        document["baselineState"] = result.baseline_state
    return document


def _evidence(evidence: Evidence, locator: Locator) -> dict[str, Any]:
    location = locate_evidence(evidence, locator)
    return {
        "file": location.file,
        "pointer": location.pointer,
        "line": location.line,
        "column": location.column,
        "actual": jsonable(evidence.actual),
        "expected": jsonable(evidence.expected),
    }


def jsonable(value: Any) -> Any:
    """Evidence values as JSON: checks may hand over sets, tuples, enums or dataclasses."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        # A set has no order of its own; sorting by the JSON text keeps the output stable.
        items = [jsonable(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    return str(value)
