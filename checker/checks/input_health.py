"""Whether the export could be read whole: INPUT001 and INPUT002."""
from __future__ import annotations

from checker.checks.base import CheckContext, Finding
from checker.origin import Origin
from checker.report import Evidence, Subject
from checker.verdicts import Verdict


def _file_findings(context: CheckContext, code: str, all_good: str) -> list[Finding]:
    findings = []
    for item in context.inputs:
        for diagnostic in item.diagnostics:
            if diagnostic.code != code:
                continue
            where = ", ".join(part for part in (
                f"line {diagnostic.line}, column {diagnostic.column}" if diagnostic.line else "",
                diagnostic.pointer,
            ) if part) or ("the folder" if item.format == "folder" else "the file")
            findings.append(Finding(
                Verdict.FAIL, f"{item.path} ({where}): {diagnostic.message}",
                Subject("file", item.path + (("#" + diagnostic.pointer) if diagnostic.pointer else ""), item.path),
                (Evidence(Origin(item.path, diagnostic.pointer), line=diagnostic.line, column=diagnostic.column),)))
    read = sum(1 for item in context.inputs if item.status == "used")
    if not findings and not read:
        findings.append(Finding(Verdict.NOT_ASSESSED, "Not assessed: no input file was recognised as part of a "
                                "tenant export.", Subject("tenant", "inputs", "the inputs")))
    if not findings:
        findings.append(Finding(Verdict.PASS, all_good.format(read=read), Subject("tenant", "inputs", "the inputs")))
    return findings


def input_unreadable(context: CheckContext) -> list[Finding]:
    """INPUT001: every input file could be decoded and parsed, and every object read."""
    return _file_findings(context, "INPUT001", "All {read} recognised files were read without error.")


def input_incomplete(context: CheckContext) -> list[Finding]:
    """INPUT002: every collection was read whole, and no object differs between two files."""
    findings = _file_findings(context, "INPUT002", "No collection is incomplete and no object differs between "
                                                   "files.")
    reported = {(item.path, d.pointer) for item in context.inputs for d in item.diagnostics if d.code == "INPUT002"}
    lost = [Finding(Verdict.FAIL, f"{entry.collection} is incomplete: {entry.message}; rules that need it are "
                    "not_assessed.", Subject("collection", entry.collection, entry.collection),
                    (Evidence(entry.origin),))
            for entry in context.tenant.incomplete if (entry.origin.file, entry.origin.pointer) not in reported]
    if lost and findings[0].verdict is Verdict.PASS:
        return lost
    return findings + lost
