"""The whole report as JSON, for other tools and for ``--baseline``."""
from __future__ import annotations

import dataclasses
import enum
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from checker.formatters.common import (
    count_verdicts,
    identity_document,
    locate_evidence,
    prefetch_positions,
)
from checker.formatters.json_text import EncodedRecords, Strings, records_per_line, string, value
from checker.formatters.options import FormatOptions
from checker.locate import Locator
from checker.origin import Origin
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
from checker.verdicts import Verdict

TOOL_NAME = "tenant-checker"
# Raised whenever a field changes meaning or goes away; new fields keep the number.
SCHEMA_VERSION = 1


def format_report(report: Report, options: FormatOptions) -> str:
    return "".join(report_chunks(report, options))


def report_chunks(report: Report, options: FormatOptions) -> Iterator[str]:
    """The report's text in chunks, made as they are written: the records are never all held."""
    prefetch_positions(report, options)
    records = _Records(options.locator)
    # a rule's verdict is the worst of its results, which may be 100k: found once
    verdicts = [outcome.verdict for outcome in report.outcomes]
    document = {
        "schemaVersion": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": report.tool_version},
        "identity": identity_document(report.identity),
        "scanRoot": report.scan_root,
        "plan": report.plan,
        "inputs": [_input(input_file) for input_file in report.inputs],
        "areas": [dataclasses.asdict(area) for area in report.areas],
        "summary": {verdict.value: count for verdict, count in count_verdicts(verdicts).items()},
        "coverage": _coverage(report.coverage, records),
        "gaps": _gaps(report.gaps, records),
        "rules": [_rule(outcome, verdict, records) for outcome, verdict in zip(report.outcomes, verdicts, strict=True)],
        "configurationNotes": [{"kind": note.kind, "message": note.message} for note in report.notes],
        "baseline": _baseline(report.baseline),
    }
    yield from records_per_line(document, _RECORD_LISTS)
    yield "\n"


_RECORD_LISTS = frozenset({"inputs", "results", "fixed", "uncoveredUsers", "breakGlassUsers", "undeterminedUsers",
                           "classes"})


def gaps_document(gaps: GapsSummary) -> dict[str, Any]:
    """The gaps of section 4: per user class, the regions signed in through without MFA."""
    return {
        "state": gaps.state,
        "note": gaps.note,
        "usersExported": gaps.users_exported,
        "classes": [{**_class_gaps(found), "users": [_user(subject) for subject in found.users]}
                    for found in gaps.classes],
    }


def _gaps(gaps: GapsSummary, records: _Records) -> dict[str, Any]:
    """``gaps_document`` with each class written as text: a class may hold 90,000 users."""
    return {**gaps_document(GapsSummary(gaps.state, (), gaps.note, gaps.users_exported)),
            "classes": EncodedRecords(records.user_class(_class_gaps(found), found.users) for found in gaps.classes)}


def _class_gaps(found: ClassGaps) -> dict[str, Any]:
    """A user class with gaps, but for its users."""
    return {
        "description": found.description,
        "synthetic": found.synthetic,
        "breakGlass": found.break_glass,
        "userCount": len(found.users),
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


def _user(subject: Subject) -> dict[str, str]:
    return {"id": subject.id, "name": subject.name}


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


def _coverage(coverage: CoverageSummary, records: _Records) -> dict[str, Any]:
    return {
        "state": coverage.state,
        "note": coverage.note,
        **coverage.counts,
        "uncoveredUsers": EncodedRecords(map(records.user, coverage.uncovered)),
        "breakGlassUsers": EncodedRecords(map(records.user, coverage.break_glass)),
        "undeterminedUsers": EncodedRecords(map(records.user, coverage.undetermined)),
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


def _rule(outcome: RuleOutcome, verdict: Verdict, records: _Records) -> dict[str, Any]:
    rule = outcome.rule
    return {
        "id": rule.id,
        "name": rule.name,
        "title": rule.title,
        "severity": rule.severity.value,
        "pack": rule.pack,
        "verdict": verdict.value,
        "section": rule.section,
        "results": EncodedRecords(map(records.result, outcome.results)),
    }


class _Records:
    """The records that grow with the tenant, as JSON text: what ``json.dumps`` with sorted keys
    would make of their dicts, written out member by member in key order."""

    def __init__(self, locator: Locator) -> None:
        self._locator = locator
        self._shared = Strings()
        self._evidence_texts: dict[Origin, tuple[Any, Any, str]] = {}

    def user(self, subject: Subject) -> str:
        return f'{{"id": {string(subject.id)}, "name": {string(subject.name)}}}'

    def user_class(self, found: dict[str, Any], users: Iterable[Subject]) -> str:
        # "users" sorts after every other key of a class, so its members close the object
        return f'{value(found)[:-1]}, "users": [{", ".join(map(self.user, users))}]}}'

    def result(self, result: Result) -> str:
        shared = self._shared
        subject = result.subject
        evidence = ", ".join([self._evidence(item) for item in result.evidence])
        text = (f'{{"evidence": [{evidence}], "message": {shared(result.message)}, '
                f'"subject": {{"id": {string(subject.id)}, "kind": {shared(subject.kind)}, '
                f'"name": {string(subject.name)}}}, "verdict": {_VERDICT_TEXTS[result.verdict]}')
        if result.baseline_state:
            text = f'{{"baselineState": {string(result.baseline_state)}, {text[1:]}'
        if result.waiver is not None:
            waiver = result.waiver
            text += ', "waiver": ' + value({"reason": waiver.reason, "expires": waiver.expires,
                                            "ticket": waiver.ticket, "owner": waiver.owner,
                                            "waivedVerdict": waiver.set_aside.value})
        return text + "}"

    def _evidence(self, evidence: Evidence) -> str:
        # The evidence many results share (the policy that comes closest) is written once. The last
        # text made for each origin is kept, for the same values (the very objects: 0 == False); the
        # cache stays small, since most evidence (a user's own field) is met once.
        origin, actual, expected = evidence.origin, evidence.actual, evidence.expected
        known = self._evidence_texts.get(origin)
        if known is not None and known[0] is actual and known[1] is expected and evidence.line is None:
            return known[2]
        location = self._locator.locate(origin) if evidence.line is None else locate_evidence(evidence, self._locator)
        text = (f'{{"actual": {_evidence_value(actual)}, "column": {value(location.column)}, '
                f'"expected": {_evidence_value(expected)}, "file": {self._shared(location.file)}, '
                f'"line": {value(location.line)}, "pointer": {string(location.pointer)}}}')
        if len(self._evidence_texts) >= _EVIDENCE_KEPT:
            self._evidence_texts.clear()
        self._evidence_texts[origin] = (actual, expected, text)
        return text


_EVIDENCE_KEPT = 4096
_VERDICT_TEXTS = {verdict: string(verdict.value) for verdict in Verdict}


def _evidence_value(found: Any) -> str:
    """Most evidence values are true, false or absent."""
    if found is None:
        return "null"
    if found is True:
        return "true"
    if found is False:
        return "false"
    return value(jsonable(found))


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
