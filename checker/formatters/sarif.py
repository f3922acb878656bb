"""SARIF 2.1.0 for code-scanning dashboards: the results that set the exit code, each in a file.

Code scanning shows every result as an alert whatever its ``kind``, so by default only the
results that count toward the exit code are written (failures at or above ``--fail-on``, and
not-assessed ones under ``--strict``); ``--sarif-every-verdict`` writes every result, for tools
that read ``kind``.

Choices a reader of the output may wonder about:
- ``kind`` carries the verdict and ``level`` is ``none`` unless the result fails, as the
  SARIF specification requires of results that are not failures.
- Fingerprints come from rule and subject only, so that a re-export that moves a policy to
  another line is still the same finding for a baseline or a dashboard.
- A result with no evidence points at line 1 of the first file read, because code-scanning
  services drop results without a location.
"""
from __future__ import annotations

import functools
import hashlib
import re
from typing import Any
from urllib.parse import quote

from checker import rule_docs
from checker.exit_status import counts
from checker.formatters.common import (
    dumps_records_per_line,
    identity_document,
    locate_evidence,
    prefetch_positions,
)
from checker.formatters.options import FormatOptions
from checker.locate import Location
from checker.report import InputFile, Report, Result, Subject
from checker.rule import Rule
from checker.verdicts import Severity, Verdict

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# GitHub code scanning refuses rule descriptions longer than this, and runs of more results
DESCRIPTION_LIMIT = 1024
RESULT_LIMIT = 25_000
AUTOMATION_ID = "tenant-checker/"
BASE_ID = "SRCROOT"
BASE_DESCRIPTION = ("The folder tenant-checker ran in. Relative artifact paths start there: the repository "
                    "root when a pipeline runs the scan from it, as code scanning expects.")
FINGERPRINT = "tenantCheckerSubject/v1"

KINDS = {
    Verdict.FAIL: "fail",
    Verdict.PASS: "pass",
    Verdict.NOT_APPLICABLE: "notApplicable",
    Verdict.NOT_ASSESSED: "open",
    Verdict.REVIEW: "review",
}
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
# Everything a relative reference may hold except ":", which in a first segment would
# read as a URI scheme ("C:/exports" or "a:b.json").
_URI_SAFE = "/!$&'()*+,;=@"
_DRIVE = re.compile(r"^[A-Za-z]:/")


def format_report(report: Report, options: FormatOptions) -> str:
    prefetch_positions(report, options.locator)
    artifacts = {input_file.path: index for index, input_file in enumerate(report.inputs)}
    chosen = [
        (rule_index, outcome.rule, result)
        for rule_index, outcome in enumerate(report.outcomes)
        for result in outcome.results
        if options.every_verdict or counts(result.verdict, outcome.rule.severity, options.fail_on, options.strict)
    ]
    results = (
        _result(result, rule, rule_index,
                [_physical(location, artifacts, report.scan_root) for location in _locations(result, report, options)])
        for rule_index, rule, result in within_result_limit(chosen)
    )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "tenant-checker",
                "version": report.tool_version,
                "rules": [_rule(outcome.rule) for outcome in report.outcomes],
            }
        },
        "automationDetails": {"id": AUTOMATION_ID},
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {BASE_ID: {"description": {"text": BASE_DESCRIPTION}}},
        "properties": {"plan": report.plan,
                       "coverage": {"state": report.coverage.state, **report.coverage.counts},
                       "identity": identity_document(report.identity)},
    }
    run["artifacts"] = [_artifact(input_file, report.scan_root) for input_file in report.inputs]
    run["results"] = results
    return dumps_records_per_line({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, _RECORD_LISTS) + "\n"


_RECORD_LISTS = frozenset({"artifacts", "results"})


def _locations(result: Result, report: Report, options: FormatOptions) -> list[Location]:
    if result.evidence:
        return [locate_evidence(evidence, options.locator) for evidence in result.evidence]
    used = [input_file.path for input_file in report.inputs if input_file.status == "used"]
    # An empty file name stands for the scanned root itself when nothing was read at all.
    return [Location(used[0] if used else "", "", 1, 1)]


def _physical(location: Location, artifacts: dict[str, int], scan_root: str) -> dict[str, Any]:
    artifact: dict[str, Any] = dict(artifact_location(scan_root, location.file))
    if location.file in artifacts:
        artifact["index"] = artifacts[location.file]
    return {
        "artifactLocation": artifact,
        "region": {"startLine": location.line, "startColumn": location.column},
    }


def _result(result: Result, rule: Rule, rule_index: int, places: list[dict[str, Any]]) -> dict[str, Any]:
    subject = result.subject
    logical = {
        "name": subject.label,
        "kind": subject.kind,
        "fullyQualifiedName": f"{subject.kind}/{subject.id}",
    }
    primary = {"physicalLocation": places[0], "logicalLocations": [logical]}
    sarif_result: dict[str, Any] = {
        "ruleId": rule.id,
        "ruleIndex": rule_index,
        "kind": KINDS[result.verdict],
        "level": LEVELS[rule.severity] if result.verdict is Verdict.FAIL else "none",
        "message": {"text": result.message},
        "locations": [primary],
        "partialFingerprints": {FINGERPRINT: fingerprint(result)},
        "properties": {
            "subject": {"kind": subject.kind, "id": subject.id, "name": subject.name},
            "verdict": result.verdict.value,
        },
    }
    if len(places) > 1:
        sarif_result["relatedLocations"] = [
            {"id": number, "physicalLocation": place} for number, place in enumerate(places[1:], start=1)
        ]
    return sarif_result


def fingerprint(result: Result) -> str:
    identity = f"{result.rule_id}|{result.subject.kind}|{result.subject.id}"
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()


def _rule(rule: Rule) -> dict[str, Any]:
    tags = list(rule.tags)
    if "security" not in tags:
        tags.append("security")
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": within_limit(rule.title)},
        "fullDescription": {"text": within_limit(rule.what)},
        "help": {"text": rule_docs.body_text(rule), "markdown": rule_docs.body_markdown(rule)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "tags": tags,
            "precision": "high",
        },
    }


Chosen = tuple[int, Rule, Result]


def within_result_limit(chosen: list[Chosen], limit: int = RESULT_LIMIT) -> list[Chosen]:
    """Code scanning refuses a run of more results than ``limit``. Past it, the rules with the most
    results (one per user) keep their worst ones, and one result each says how many were left out."""
    if len(chosen) <= limit:
        return chosen
    by_rule: dict[int, list[Chosen]] = {}
    for item in chosen:
        by_rule.setdefault(item[0], []).append(item)
    # share what is left, rule by rule from the smallest, so that small rules keep all their results
    kept: dict[int, list[Chosen]] = {}
    room = limit
    for index, (rule_index, items) in enumerate(sorted(by_rule.items(), key=lambda entry: len(entry[1]))):
        share = room // (len(by_rule) - index)
        if len(items) <= share:
            kept[rule_index] = items
        else:
            worst = sorted(items, key=lambda item: -item[2].verdict.rank)[:max(share - 1, 0)]
            left_out = len(items) - len(worst)
            rule = items[0][1]
            summary = Result(rule.id, items[0][2].verdict,
                             f"{left_out} more results of {rule.id} are left out to stay within code scanning's "
                             f"{limit:,} results; the JSON report holds every one.",
                             Subject("rule", rule.id, rule.title))
            kept[rule_index] = [*worst, (rule_index, rule, summary)]
        room -= len(kept[rule_index])
    order = {id(item): position for position, item in enumerate(chosen)}
    return sorted((item for items in kept.values() for item in items),
                  key=lambda item: (item[0], order.get(id(item), len(chosen))))


def within_limit(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """The text, or its first sentences that fit the limit and an ellipsis (the help keeps it whole)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    end = cut.rfind(". ")
    return (cut[:end + 1] if end > 0 else cut.rstrip()) + "…"


def _artifact(input_file: InputFile, scan_root: str) -> dict[str, Any]:
    location = dict(artifact_location(scan_root, input_file.path))
    artifact: dict[str, Any] = {"location": location}
    if input_file.sha256:
        artifact["hashes"] = {"sha-256": input_file.sha256}
    described = {
        "status": input_file.status,
        "format": input_file.format,
        "collection": input_file.collection,
        "reason": input_file.reason,
    }
    properties = {name: text for name, text in described.items() if text}
    if properties:
        artifact["properties"] = properties
    return artifact


@functools.lru_cache(maxsize=4096)
def artifact_location(scan_root: str, path: str) -> dict[str, str]:
    """Where a file is, as code scanning reads it: relative to the folder the scan ran in.

    The scanned root is shown relative to that folder when it lies inside it, so the file's
    path is root + path under SRCROOT; a root elsewhere gives an absolute file: URI (SARIF
    allows a base id only with a relative reference). No path: the scanned root itself.
    """
    root = scan_root.replace("\\", "/").rstrip("/")
    joined = f"{root}/{path}" if path else f"{root}/"
    if root.startswith("/") or _DRIVE.match(root + "/"):
        prefix = "file://" if root.startswith("/") else "file:///"
        return {"uri": prefix + quote(joined, safe=_URI_SAFE + ":")}
    relative = joined.removeprefix("./") if root not in ("", ".") else (path or "./")
    return {"uri": quote(relative, safe=_URI_SAFE), "uriBaseId": BASE_ID}
