"""What several formats say the same way: identity, verdict counts, file counts, evidence."""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from checker.formatters.json_text import records_per_line
from checker.formatters.options import FormatOptions
from checker.inputs.archives import read_reference
from checker.inputs.decode import DecodeError, decode_text
from checker.locate import Location, Locator
from checker.origin import split_pointer
from checker.report import Evidence, Report, Result, RuleOutcome
from checker.report_identity import ReportIdentity
from checker.verdicts import Severity, Verdict

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


def prefetch_positions(report: Report, options: FormatOptions) -> None:
    """Find every evidence position up front, one input file at a time, unless the caller has."""
    if not options.positions_found:
        options.locator.prefetch(e.origin for result in report.results() for e in result.evidence if e.line is None)


def locate_evidence(evidence: Evidence, locator: Locator) -> Location:
    """A position set by a loader (a parse error) wins: the file has no structure to search."""
    if evidence.line is not None:
        origin = evidence.origin
        return Location(origin.file, origin.pointer, evidence.line, evidence.column or 1)
    return locator.locate(evidence.origin)


def dumps_records_per_line(document: Any, record_lists: frozenset[str]) -> str:
    """Indented, key-sorted JSON, except that lists named in ``record_lists`` hold one record a line."""
    return "".join(records_per_line(document, record_lists))


def identity_rows(report: Report) -> list[tuple[str, str]]:
    """What the report is of, as (label, value) pairs of plain, unescaped text.

    Every person-facing format opens with these rows, in this order (DESIGN section 6).
    """
    identity = report.identity
    tenant = identity.tenant_label
    if identity.tenant_source:
        tenant += f", read from {identity.tenant_source}"
    rows = [("Tenant", tenant)]
    if not any(item.status == "used" for item in report.inputs):
        rows.insert(0, ("Warning", "no input was recognised as part of a tenant export, so nothing could be "
                                   "assessed (see 'tenant-checker inputs')"))
    if identity.other_tenant_ids:
        rows.append(("Other tenant ids in the export", ", ".join(identity.other_tenant_ids)))
    rows.append(("Exported", identity.exported_at or "not recorded in the export"))
    if identity.scanned_at:
        rows.append(("Scanned", identity.scanned_at))
    rows += [
        ("Scanned path", report.scan_root),
        ("Tool", f"tenant-checker {report.tool_version}"),
        ("Configuration", configuration_phrase(identity)),
        ("Rules run", rules_phrase(report)),
        ("Input files", files_phrase(report)),
        ("Licence plan", report.plan),
    ]
    if identity.denied_collections:
        rows.append(("Refused at collection", ", ".join(identity.denied_collections)
                     + " (their rules are not assessed)"))
    return rows


def configuration_phrase(identity: ReportIdentity) -> str:
    """The file used and, when it was found beside the export rather than given, what it changes."""
    if not identity.configuration:
        return "none (defaults)"
    if not identity.configuration_found:
        return identity.configuration
    changes = "; ".join(identity.configuration_changes) or "changes nothing"
    return f"{identity.configuration} (found beside the export, not given with --config: it {changes})"


def identity_document(identity: ReportIdentity) -> dict[str, Any]:
    """What the report is of; "" where the export does not say, ``scannedAt`` only with --timestamp."""
    return {
        "tenantId": identity.tenant_id,
        "tenantName": identity.tenant_name,
        "tenantSource": identity.tenant_source,
        "otherTenantIds": list(identity.other_tenant_ids),
        "exportedAt": identity.exported_at,
        "scannedAt": identity.scanned_at,
        "configuration": identity.configuration,
        "configurationFound": identity.configuration_found,
        "configurationChanges": list(identity.configuration_changes),
        "rulesRun": list(identity.rules_run),
        "rulesLeftOut": list(identity.rules_left_out),
        "deniedCollections": list(identity.denied_collections),
    }


def rules_phrase(report: Report) -> str:
    """``all 24`` or ``2 of 24; left out: MFA010, ...``"""
    identity = report.identity
    run = len(report.outcomes)
    total = run + len(identity.rules_left_out)
    if not identity.rules_left_out:
        return f"all {total}"
    return f"{run} of {total}; left out: {', '.join(identity.rules_left_out)}"


def by_severity(outcomes: Iterable[RuleOutcome]) -> list[RuleOutcome]:
    """Worst severity first, then worst verdict, then rule id: what a reader should see first."""
    return sorted(outcomes, key=lambda o: (-o.rule.severity.rank, -o.verdict.rank, o.rule.id))


def severity_counts(report: Report) -> dict[Severity, dict[Verdict, int]]:
    """Rules per severity and verdict, every cell present so that columns never move."""
    counts = {severity: dict.fromkeys(Verdict, 0) for severity in Severity}
    for outcome in report.outcomes:
        counts[outcome.rule.severity][outcome.verdict] += 1
    return counts


_VALUE_WIDTH = 120


class EvidenceValues:
    """The value behind each piece of evidence: the check's own, else read from the input.

    Each input file is parsed at most once, and only when a shown result points into it;
    a file that cannot be parsed again (or is too large to be worth it) gives no value.
    """

    _LARGEST = 64 << 20

    def __init__(self, sources: Mapping[str, str]) -> None:
        self._sources = sources
        self._documents: dict[str, Any] = {}

    def words(self, evidence: Evidence, location: Location) -> str:
        """``isEnabled = false, expected true``; ``""`` when there is no value worth showing."""
        field = location.pointer.rsplit("/", 1)[-1] if location.pointer else ""
        actual = evidence.actual
        if actual is None:
            actual = self._read(evidence.origin.file, location.pointer)
            if actual is _ABSENT:
                return f"{field}: absent" if field and evidence.expected is not None else ""
        if actual is None and evidence.expected is None:
            return ""
        shown = _value_text(actual)
        if shown is None:
            return ""
        text = f"{field} = {shown}" if field and not field.isdigit() else shown
        if evidence.expected is not None:
            expected = _value_text(evidence.expected)
            if expected is not None:
                text += f", expected {expected}"
        return text

    def _read(self, file: str, pointer: str) -> Any:
        if file not in self._documents:
            self._documents[file] = self._parse(file)
        found = self._documents[file]
        if found is _ABSENT:
            return None
        for token in split_pointer(pointer):
            if isinstance(found, dict):
                key = token if token in found else next((k for k in found if k.lower() == token.lower()), None)
                if key is None:
                    return _ABSENT
                found = found[key]
            elif isinstance(found, list) and token.isdigit() and int(token) < len(found):
                found = found[int(token)]
            else:
                return _ABSENT
        return found

    def _parse(self, file: str) -> Any:
        path = self._sources.get(file)
        if path is None:
            return _ABSENT
        try:
            data = read_reference(path)
            if len(data) > self._LARGEST:
                return _ABSENT
            return json.loads(decode_text(data).text)
        except (OSError, ValueError, DecodeError, RecursionError):
            return _ABSENT


_ABSENT: Any = object()


def _value_text(value: Any) -> str | None:
    """Scalars and short lists as compact JSON; whole objects are not a value a reader can check."""
    if isinstance(value, dict):
        return None
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    except ValueError:
        text = str(value)
    if len(text) > _VALUE_WIDTH:
        return None if isinstance(value, list) else text[: _VALUE_WIDTH - 1] + "…"
    return text
