"""SARIF 2.1.0 for code-scanning dashboards: the results that set the exit code, each in a file.

Code scanning shows every result as an alert whatever its ``kind``, so by default only the
results that count toward the exit code are written (failures at or above ``--fail-on``, and
not-assessed ones under ``--strict``); ``--sarif-every-verdict`` writes every result, for tools
that read ``kind``.

Choices a reader of the output may wonder about:
- ``kind`` carries the verdict and ``level`` is ``none`` unless the result fails, as the
  SARIF specification requires of results that are not failures.
- Fingerprints come from rule and subject only, so that a re-export that moves a policy to
  another line is still the same finding for a baseline or a dashboard; code scanning's own
  key (``primaryLocationLineHash``) is given too, so that its uploader does not hash the line.
- Every region is whole (start and end), and a zip member's results point at the zip.
- A waived result is written as what it waives, with an external suppression whose
  justification is the waiver's reason; with ``--baseline``, results carry ``baselineState``.
- A result with no evidence points at line 1 of the first file read, because code-scanning
  services drop results without a location.
"""
from __future__ import annotations

import functools
import importlib.metadata
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from checker import rule_docs
from checker.exit_status import is_failure
from checker.formatters.common import identity_document, locate_evidence, prefetch_positions
from checker.formatters.json_text import EncodedRecords, Strings, records_per_line, string, value
from checker.formatters.options import FormatOptions
from checker.inputs.archives import ZIP_REFERENCE, display_reference, file_on_disk
from checker.locate import Location
from checker.report import InputFile, Report, Result, Subject, fingerprint
from checker.rule import Rule
from checker.rule_reference import anchor
from checker.verdicts import Severity, Verdict

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# GitHub code scanning refuses rule descriptions longer than this, and runs of more results
DESCRIPTION_LIMIT = 1024
RESULT_LIMIT = 25_000
AUTOMATION_PREFIX = "tenant-checker"
BASE_ID = "SRCROOT"
BASE_DESCRIPTION = ("The folder tenant-checker ran in. Relative artifact paths start there: the repository "
                    "root when a pipeline runs the scan from it, as code scanning expects.")
FINGERPRINT = "tenantCheckerSubject/v1"
# The key GitHub code scanning matches alerts on. Its upload action fills it in from the text of
# the result's first line when it is absent, and leaves a given value alone: given here, an
# alert follows rule + subject rather than whatever line the evidence is on today.
LINE_HASH = "primaryLocationLineHash"

KINDS = {
    Verdict.FAIL: "fail",
    Verdict.PASS: "pass",
    Verdict.NOT_APPLICABLE: "notApplicable",
    Verdict.NOT_ASSESSED: "open",
    Verdict.REVIEW: "review",
    Verdict.WAIVED: "fail",
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
# A file name that is not UTF-8 (read with surrogate escapes) is percent-encoded as the bytes it has on disk.
_AS_ON_DISK = "surrogateescape"
_DRIVE = re.compile(r"^[A-Za-z]:/")


def format_report(report: Report, options: FormatOptions) -> str:
    return "".join(report_chunks(report, options))


def report_chunks(report: Report, options: FormatOptions) -> Iterator[str]:
    """The log's text in chunks, made as they are written: the results are never all held."""
    prefetch_positions(report, options)
    places = _Places(report)
    chosen = _chosen(report, options)
    shared = Strings()
    results = (
        sarif_result(result, rule, rule_index,
                     [places.physical(location) for location in _locations(result, report, options)], shared)
        for rule_index, rule, result in within_result_limit(chosen)
    )
    help_page = options.rules_page or rules_page_url()
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "tenant-checker",
                "version": report.tool_version,
                "rules": [_rule(outcome.rule, help_page) for outcome in report.outcomes],
            }
        },
        "automationDetails": {"id": automation_id(report.scan_root)},
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {BASE_ID: {"description": {"text": BASE_DESCRIPTION}}},
        "properties": {"plan": report.plan,
                       "coverage": {"state": report.coverage.state, **report.coverage.counts},
                       "identity": identity_document(report.identity)},
    }
    run["artifacts"] = places.artifacts
    run["results"] = EncodedRecords(results)
    yield from records_per_line({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, _RECORD_LISTS)
    yield "\n"


_RECORD_LISTS = frozenset({"artifacts", "results"})


def _chosen(report: Report, options: FormatOptions) -> list[Chosen]:
    """The results the log holds: every one with ``--sarif-every-verdict``, else those ``reported``
    counts toward the exit code (decided once per rule and verdict: a rule may have 100k results)."""
    chosen = []
    for rule_index, outcome in enumerate(report.outcomes):
        rule = outcome.rule
        wanted = {verdict: options.every_verdict or is_failure(verdict, rule.severity, options.policy)
                  for verdict in Verdict}
        for result in outcome.results:
            # as ``reported`` judges it: a waived result by the verdict it waives
            if wanted[result.waiver.set_aside if result.waiver is not None else result.verdict]:
                chosen.append((rule_index, rule, result))
    return chosen


def _locations(result: Result, report: Report, options: FormatOptions) -> list[Location]:
    if result.evidence:
        return [locate_evidence(evidence, options.locator) for evidence in result.evidence]
    used = [input_file.path for input_file in report.inputs if input_file.status == "used"]
    # An empty file name stands for the scanned root itself when nothing was read at all.
    return [Location(used[0] if used else "", "", 1, 1)]


class _Places:
    """The artifacts of a run, and where a location is as code scanning can show it.

    A member of a zip archive has no path in the repository: its results point at the archive
    itself (the one file that exists there), and the member and its position ride along as
    properties and in the message. The member's artifact names its archive by ``parentIndex``.
    """

    def __init__(self, report: Report) -> None:
        self._scan_root = report.scan_root
        self._members: dict[str, tuple[str, str]] = {}
        for input_file in report.inputs:
            member = _archive_member(input_file.path, report.sources.get(input_file.path, ""))
            if member is not None:
                self._members[input_file.path] = member
        self._indexes = {input_file.path: index for index, input_file in enumerate(report.inputs)}
        # an archive is usually an input of its own; one that is not (say, inside another) is added
        archives = sorted({archive for archive, _ in self._members.values()} - self._indexes.keys())
        self._indexes.update({archive: len(report.inputs) + number for number, archive in enumerate(archives)})
        self._artifact_texts: dict[str, str] = {}
        self.artifacts = [self._artifact(input_file) for input_file in report.inputs]
        self.artifacts += [{"location": dict(artifact_location(self._scan_root, archive)),
                            "properties": {"status": "archive"}} for archive in archives]

    def physical(self, location: Location) -> Place:
        """Where a location is, as the JSON text of a SARIF ``physicalLocation`` and the archive member
        it lies in, if any; a file's artifact location is encoded once for all its results."""
        member = self._members.get(location.file)
        if member is None:
            artifact = self._artifact_texts.get(location.file)
            if artifact is None:
                artifact = self._artifact_texts[location.file] = value(self._artifact_location(location.file))
            return Place(f'{{"artifactLocation": {artifact}, "region": {region_text(location)}}}')
        # an archive is not text: its first character stands for the whole of it
        start = region(location)
        physical = {"artifactLocation": self._artifact_location(member[0]),
                    "region": region(Location(member[0], "", 1, 1)),
                    "properties": {"archiveMember": member[1], "memberRegion": start}}
        return Place(value(physical), f" (in archive member {member[1]}, line {start['startLine']}, "
                                      f"column {start['startColumn']})")

    def _artifact_location(self, shown: str) -> dict[str, Any]:
        artifact: dict[str, Any] = dict(artifact_location(self._scan_root, shown))
        if shown in self._indexes:
            artifact["index"] = self._indexes[shown]
        return artifact

    def _artifact(self, input_file: InputFile) -> dict[str, Any]:
        member = self._members.get(input_file.path)
        artifact: dict[str, Any]
        if member is None:
            artifact = {"location": dict(artifact_location(self._scan_root, input_file.path))}
        else:
            artifact = {"location": {"uri": quote(member[1], safe=_URI_SAFE, errors=_AS_ON_DISK)},
                        "parentIndex": self._indexes[member[0]]}
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


def _archive_member(display_path: str, reference: str) -> tuple[str, str] | None:
    """(the archive's path as displayed, the member's name in it) for a zip member, else None.

    A member of a zip inside a zip is named by both names: ``inner.zip/users.json``.
    """
    if not reference.startswith(ZIP_REFERENCE):
        return None
    member = display_reference(reference)[len(file_on_disk(reference)) + 1:]
    if not member or not display_path.endswith("/" + member):
        return None
    return display_path[:-len(member) - 1], member


def automation_id(scan_root: str) -> str:
    """The run's category for code scanning: the tool and the folder scanned, ``tenant-checker/tenants/contoso/``.

    Code scanning replaces the alerts of a category with those of its latest upload, and the upload
    action's ``category`` input fills in only a SARIF that has no id of its own: with one fixed id,
    the uploads of two tenants of one repository would close each other's alerts.
    """
    folder = scan_root.replace("\\", "/").replace(":", "").strip("/")
    return f"{AUTOMATION_PREFIX}/{folder}/" if folder not in ("", ".") else f"{AUTOMATION_PREFIX}/"


def region(location: Location) -> dict[str, int]:
    """A full region: where the evidence starts and the column just past where it ends."""
    end_line = location.end_line or location.line
    end_column = location.end_column or location.column + 1
    if (end_line, end_column) <= (location.line, location.column):
        end_line, end_column = location.line, location.column + 1
    return {"startLine": location.line, "startColumn": location.column, "endLine": end_line, "endColumn": end_column}


def region_text(location: Location) -> str:
    """``region`` as JSON text, members in key order."""
    found = region(location)
    return (f'{{"endColumn": {value(found["endColumn"])}, "endLine": {value(found["endLine"])}, '
            f'"startColumn": {value(found["startColumn"])}, "startLine": {value(found["startLine"])}}}')


@dataclass(frozen=True)
class Place:
    """A result's physical location as JSON text, and the words a message adds for an archive member."""

    physical: str
    in_archive: str = ""


def sarif_result(result: Result, rule: Rule, rule_index: int, places: list[Place], shared: Strings) -> str:
    """One SARIF result as JSON text: the members of its object in key order.

    ``shared`` encodes the strings that many results repeat (messages, kinds, rule ids) once.
    """
    subject = result.subject
    identity = string(fingerprint(result))
    # a waived result keeps the kind and level of what it waives; its suppression says it is accepted
    judged = result.waiver.set_aside if result.waiver is not None else result.verdict
    level = LEVELS[rule.severity] if judged is Verdict.FAIL else "none"
    subject_id, subject_kind, subject_name = string(subject.id), shared(subject.kind), string(subject.name)
    members = [f'{{"baselineState": {string(result.baseline_state)}, ' if result.baseline_state else "{",
               f'"kind": "{KINDS[judged]}", "level": "{level}", '
               f'"locations": [{{"logicalLocations": [{{"fullyQualifiedName": {string(f"{subject.kind}/{subject.id}")}, '
               f'"kind": {subject_kind}, "name": {string(subject.label)}}}], '
               f'"physicalLocation": {places[0].physical}}}], '
               f'"message": {{"text": {shared(result.message + places[0].in_archive)}}}, '
               f'"partialFingerprints": {{"{LINE_HASH}": {identity}, "{FINGERPRINT}": {identity}}}, '
               f'"properties": {{"subject": {{"id": {subject_id}, "kind": {subject_kind}, "name": {subject_name}}}, '
               f'"verdict": {shared(result.verdict.value)}}}']
    if len(places) > 1:
        related = ", ".join(f'{{"id": {number}, "physicalLocation": {place.physical}}}'
                            for number, place in enumerate(places[1:], start=1))
        members.append(f', "relatedLocations": [{related}]')
    members.append(f', "ruleId": {shared(rule.id)}, "ruleIndex": {rule_index}')
    if result.waiver is not None:
        members.append(f', "suppressions": [{{"justification": {string(result.waiver.reason)}, "kind": "external"}}]')
    members.append("}")
    return "".join(members)


@functools.lru_cache(maxsize=1)
def rules_page_url() -> str | None:
    """Where docs/rules.md is published: the ``Rules`` project URL of the installed package.

    None when the package metadata names none, so that no rule points at a made-up address.
    """
    try:
        urls = importlib.metadata.metadata("tenant-checker").get_all("Project-URL") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = str(entry).partition(",")
        if label.strip().lower() == "rules" and url.strip():
            return url.strip()
    return None


def _rule(rule: Rule, help_page: str | None) -> dict[str, Any]:
    tags = list(rule.tags)
    if "security" not in tags:
        tags.append("security")
    described: dict[str, Any] = {"helpUri": f"{help_page}#{anchor(rule)}"} if help_page else {}
    return {
        **described,
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
            "pack": rule.pack,
        },
    }


Chosen = tuple[int, Rule, Result]


def within_result_limit(chosen: list[Chosen], limit: int = RESULT_LIMIT) -> list[Chosen]:
    """Code scanning refuses a run of more results than ``limit``. Past it, the rules with the most
    results (one per user) keep their worst ones, and one result, under the rule that lost the most,
    says how many were left out of each."""
    if len(chosen) <= limit:
        return chosen
    # positions in ``chosen`` rather than the results themselves: a rule may have 100k of them
    by_rule: dict[int, list[int]] = {}
    for position, item in enumerate(chosen):
        by_rule.setdefault(item[0], []).append(position)
    # share what is left, rule by rule from the smallest, so that small rules keep all their results;
    # one place stays free for the summary
    kept: list[int] = []
    left_out: dict[int, list[Chosen]] = {}
    room = limit - 1
    for index, (rule_index, positions) in enumerate(sorted(by_rule.items(), key=lambda entry: len(entry[1]))):
        share = room // (len(by_rule) - index)
        if len({chosen[position][2].verdict for position in positions}) > 1:
            positions = sorted(positions, key=lambda position: -chosen[position][2].verdict.rank)
        kept += positions[:share]
        if len(positions) > share:
            left_out[rule_index] = [chosen[position] for position in positions[share:]]
        room -= min(share, len(positions))
    results = [chosen[position] for position in sorted(kept, key=lambda position: (chosen[position][0], position))]
    return _with_summary(results, left_out, limit)


def _with_summary(results: list[Chosen], left_out: dict[int, list[Chosen]], limit: int) -> list[Chosen]:
    most = max(left_out, key=lambda rule_index: (len(left_out[rule_index]), -rule_index))
    rule = left_out[most][0][1]
    total = sum(len(items) for items in left_out.values())
    each = ", ".join(f"{len(items):,} of {items[0][1].id}" for _, items in sorted(left_out.items()))
    summary = Result(rule.id, left_out[most][0][2].verdict,
                     f"{total:,} more results are left out to stay within code scanning's {limit:,} results "
                     f"({each}); the JSON report holds every one.",
                     Subject("rule", rule.id, rule.title))
    last_of_rule = max((position for position, item in enumerate(results) if item[0] <= most), default=-1)
    return [*results[:last_of_rule + 1], (most, rule, summary), *results[last_of_rule + 1:]]


def within_limit(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """The text, or its first sentences that fit the limit and an ellipsis (the help keeps it whole)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    end = cut.rfind(". ")
    return (cut[:end + 1] if end > 0 else cut.rstrip()) + "…"


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
        return {"uri": prefix + quote(joined, safe=_URI_SAFE + ":", errors=_AS_ON_DISK)}
    relative = joined.removeprefix("./") if root not in ("", ".") else (path or "./")
    return {"uri": quote(relative, safe=_URI_SAFE, errors=_AS_ON_DISK), "uriBaseId": BASE_ID}
