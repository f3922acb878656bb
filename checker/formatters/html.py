"""One self-contained HTML file an auditor can hand over (DESIGN section 6).

It opens offline in any browser and loads nothing: the CSS is inline and pinned by hash in a
Content-Security-Policy that forbids every load, the charts are inline SVG, and no script is
needed to read it. Every string from the export is untrusted: jinja2 escapes it (autoescape)
after ``visible`` has written out control characters, so a display name like ``<script>``
or a terminal escape sequence shows as text.

This module turns the report into plain view data (sections, chart segments, rows); the
template only lays it out.
"""
from __future__ import annotations

import base64
import hashlib
import importlib.resources
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from checker.formatters.common import (
    EvidenceValues,
    by_severity,
    identity_rows,
    locate_evidence,
    plural,
    prefetch_positions,
    severity_counts,
)
from checker.formatters.options import FormatOptions
from checker.locate import Locator
from checker.report import ClassGaps, GapRegion, Report, Result, RuleOutcome
from checker.safe_text import shortened, visible
from checker.verdicts import Severity, Verdict

# Results of one rule shown before the rest fold into <details>: a 20,000-user tenant stays readable.
SHOWN_OPEN = 10
# Past SHOWN_OPEN results, results with the same verdict and message are shown once with their count,
# unless that leaves more than this many groups (or one group for every 20 results).
GROUPS_SHOWN = 12
# A gap class lists this many users open; the rest fold away. So do the classes past CLASSES_OPEN
# (when there are more than CLASSES_FOLDED_PAST), and the policies that would close a gap past POLICIES_NAMED.
USERS_OPEN = 20
CLASSES_OPEN = 8
CLASSES_FOLDED_PAST = 12
POLICIES_NAMED = 3
# Tenant text longer than this is cut (the JSON report keeps it whole).
_TEXT_LIMIT = 2000

# Verdict headings, worst first; a verdict missing here still gets a section of its own.
_SECTION_TITLES = {
    "fail": "Rules that fail",
    "waived": "Waived results",
    "not_assessed": "Rules that could not be assessed",
    "review": "Rules that need a review",
    "pass": "Rules that pass",
    "not_applicable": "Rules that do not apply",
}
# What each verdict section says under its heading.
_SECTION_NOTES = {
    "fail": "The export shows that the recommendation is not met.",
    "waived": "Failures that a valid waiver covers, with its reason and expiry.",
    "not_assessed": "The evidence these rules need is not in the export; each result names what is missing. "
                    "Missing evidence is never a pass.",
    "review": "A person has to look at these: exclusions, break-glass accounts, policies not enforced.",
    "pass": "The export shows that the recommendation is met, and on what evidence.",
    "not_applicable": "These rules do not apply to this tenant (for example P2 rules on a P1 tenant).",
}
# Colours with at least 4.5:1 contrast against white (text) and as a background for white text.
_VERDICT_COLOURS = {
    "fail": "#b3261e",
    "waived": "#6b5d00",
    "not_assessed": "#8a4b00",
    "review": "#5b3f9e",
    "pass": "#1e6b34",
    "not_applicable": "#5f6368",
}
_OTHER_COLOUR = "#3c4a5a"
_COVERAGE_PARTS = (
    ("covered", "covered", "#1e6b34", "verdict-pass"),
    ("uncovered", "without MFA somewhere", "#b3261e", "verdict-fail"),
    ("breakGlass", "break-glass (exempt)", "#5b3f9e", "verdict-review"),
    ("undetermined", "cannot be told", "#8a4b00", "verdict-not_assessed"),
)
_CHART_WIDTH = 420


@dataclass(frozen=True)
class Segment:
    """One coloured part of a bar: ``x`` and ``width`` in SVG units."""

    label: str
    count: int
    x: float
    width: float
    colour: str
    css: str


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class EvidenceRow:
    place: str
    pointer: str
    value: str


@dataclass(frozen=True)
class ResultRow:
    verdict: str
    kind: str
    subject: str
    subject_id: str
    message: str
    evidence: tuple[EvidenceRow, ...]


@dataclass(frozen=True)
class ResultGroup:
    """Results of one rule with the same verdict and message (the users of one class, say).

    ``shared`` is the evidence every one of them cites; each row keeps only its own.
    """

    verdict: str
    message: str
    shared: tuple[EvidenceRow, ...]
    rows: tuple[ResultRow, ...]
    noun: str = "subjects"


@dataclass(frozen=True)
class RuleView:
    id: str
    name: str
    title: str
    severity: str
    verdict: str
    css: str
    section: str
    why: str
    fix: str
    counts: str
    open_rows: tuple[ResultRow, ...]
    folded_rows: tuple[ResultRow, ...]
    groups: tuple[ResultGroup, ...]


@dataclass(frozen=True)
class VerdictSection:
    verdict: str
    anchor: str
    title: str
    note: str
    rules: tuple[RuleView, ...]


def format_report(report: Report, options: FormatOptions) -> str:
    # Imported here: only this format needs jinja2.
    import jinja2

    prefetch_positions(report, options)
    template_text = (importlib.resources.files("checker.formatters") / "templates" / "report.html.j2").read_text(
        encoding="utf-8")
    environment = jinja2.Environment(autoescape=True, finalize=_visible, undefined=jinja2.StrictUndefined,
                                     trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    environment.filters["thousands"] = _thousands
    template = environment.from_string(template_text)
    style = (importlib.resources.files("checker.formatters") / "templates" / "report.css").read_text(encoding="utf-8")
    values = EvidenceValues(report.sources)
    sections = _sections(report, options.locator, values)
    return template.render(
        identity=report.identity,
        identity_rows=identity_rows(report),
        plan=report.plan,
        style=style,
        style_hash=_csp_hash(style),
        tool_version=report.tool_version,
        severity_bars=_severity_bars(report),
        verdict_legend=[(verdict.value, _colour(verdict.value)) for verdict in Verdict],
        severity_table=_severity_table(report),
        coverage=report.coverage,
        coverage_bar=_coverage_bar(report),
        gaps=report.gaps,
        gap_classes=[_gap_class(found) for found in report.gaps.classes],
        users_open=USERS_OPEN,
        classes_open=CLASSES_OPEN if len(report.gaps.classes) > CLASSES_FOLDED_PAST else len(report.gaps.classes),
        sections=sections,
        inputs=report.inputs,
        headline=_headline(report),
        css=_css,
    )


def _visible(value: Any) -> Any:
    """Every string printed by the template: controls written out, very long text cut."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return shortened(visible(value), _TEXT_LIMIT)
    return value


def _thousands(count: int) -> str:
    return f"{count:,}"


def _csp_hash(style: str) -> str:
    digest = hashlib.sha256(style.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _colour(verdict: str) -> str:
    return _VERDICT_COLOURS.get(verdict, _OTHER_COLOUR)


def _css(verdict: str) -> str:
    """The class suffix of a verdict's colours; a verdict the stylesheet does not know gets neutral ones."""
    return verdict if verdict in _VERDICT_COLOURS else "other"


def _headline(report: Report) -> list[str]:
    """The two or three sentences a reader takes away: failing rules, users without MFA, what is unknown."""
    failing = [o for o in report.outcomes if o.verdict is Verdict.FAIL]
    unknown = [o for o in report.outcomes if o.verdict is Verdict.NOT_ASSESSED]
    if not failing:
        lines = [f"No rule fails out of {len(report.outcomes)} run."]
    else:
        worst = max(o.rule.severity.rank for o in failing)
        worst_name = next(s.value for s in Severity if s.rank == worst)
        lines = [f"{plural(len(failing), 'rule')} of {len(report.outcomes)} fail; the most severe is {worst_name}."]
    coverage = report.coverage
    if coverage.state == "per user":
        lines.append(f"{len(coverage.uncovered):,} of {coverage.enabled_users:,} enabled users can sign in without MFA "
                     f"somewhere; {coverage.covered:,} are covered on every sign-in.")
    elif coverage.state == "via security defaults":
        lines.append("Security defaults require MFA for every user.")
    if unknown:
        lines.append(f"{plural(len(unknown), 'rule')} could not be assessed from this export.")
    return lines


def _severity_table(report: Report) -> list[tuple[str, list[int], int]]:
    return [(severity.value, list(verdicts.values()), sum(verdicts.values()))
            for severity, verdicts in severity_counts(report).items()]


def _severity_bars(report: Report) -> list[Bar]:
    """One bar per severity, split by verdict, on one scale (the largest row fills the width)."""
    table = severity_counts(report)
    largest = max((sum(v.values()) for v in table.values()), default=0) or 1
    bars = []
    for severity, verdicts in table.items():
        x = 0.0
        segments = []
        for verdict, count in verdicts.items():
            if count:
                width = _CHART_WIDTH * count / largest
                segments.append(Segment(verdict.value, count, round(x, 2), round(width, 2), _colour(verdict.value),
                                        f"verdict-{_css(verdict.value)}"))
                x += width
        bars.append(Bar(severity.value, sum(verdicts.values()), tuple(segments)))
    return bars


def _coverage_bar(report: Report) -> Bar | None:
    coverage = report.coverage
    if coverage.state != "per user" or not coverage.enabled_users:
        return None
    counts = coverage.counts
    total = coverage.enabled_users
    x = 0.0
    segments = []
    for key, label, colour, css in _COVERAGE_PARTS:
        if counts[key]:
            width = _CHART_WIDTH * counts[key] / total
            segments.append(Segment(label, counts[key], round(x, 2), round(width, 2), colour, css))
            x += width
    return Bar("enabled users", total, tuple(segments))


def _gap_class(found: ClassGaps) -> dict[str, Any]:
    count = len(found.users)
    if found.synthetic:
        who = f"Stand-in: {found.description}"
    else:
        noun = "break-glass account" if found.break_glass else "user"
        who = f"{count:,} {noun if count == 1 else noun + 's'}: {found.description}"
    return {
        "who": who,
        "synthetic": found.synthetic,
        "break_glass": found.break_glass,
        "users": [subject.name or subject.id for subject in found.users],
        "regions": [_region_words(region) for region in found.regions],
        "certain": all(region.certain for region in found.regions),
    }


def _region_words(region: GapRegion) -> dict[str, Any]:
    """A region's sign-ins and notes; a long list of policies that would close it is cut to the first few."""
    notes = [*region.unknowns, *region.excluded_from]
    if region.closest:
        notes.append(f"closest: {region.closest}")
    if region.would_close:
        named = ", ".join(region.would_close[:POLICIES_NAMED])
        more = len(region.would_close) - POLICIES_NAMED
        notes.append(f"would be closed by {named}" + (f" and {more} more policies" if more > 0 else ""))
    return {"words": region.words, "outcome": "no MFA" if region.certain else "undetermined", "notes": notes}


def _sections(report: Report, locator: Locator, values: EvidenceValues) -> list[VerdictSection]:
    """One section per verdict present, worst first; rules inside by severity."""
    by_verdict: dict[str, list[RuleOutcome]] = {}
    ranks: dict[str, int] = {}
    for outcome in by_severity(report.outcomes):
        by_verdict.setdefault(outcome.verdict.value, []).append(outcome)
        ranks[outcome.verdict.value] = outcome.verdict.rank
    sections = []
    for verdict in sorted(by_verdict, key=lambda name: (-ranks[name], name)):
        rules = tuple(_rule_view(outcome, locator, values) for outcome in by_verdict[verdict])
        sections.append(VerdictSection(
            verdict=verdict,
            anchor=f"verdict-{verdict}",
            title=_SECTION_TITLES.get(verdict, f"Rules whose verdict is {verdict}"),
            note=_SECTION_NOTES.get(verdict, ""),
            rules=rules,
        ))
    return sections


def _rule_view(outcome: RuleOutcome, locator: Locator, values: EvidenceValues) -> RuleView:
    rule = outcome.rule
    results = sorted(outcome.results, key=lambda r: -r.verdict.rank)
    rows = tuple(_result_row(result, locator, values) for result in results)
    groups = _groups(rows) if len(rows) > SHOWN_OPEN else ()
    if len(groups) > max(GROUPS_SHOWN, len(rows) // 20):  # messages that name their subject: nothing to gain
        groups = ()
    return RuleView(
        id=rule.id,
        name=rule.name,
        title=rule.title,
        severity=rule.severity.value,
        verdict=outcome.verdict.value,
        css=_css(outcome.verdict.value),
        section=_prose(rule.section),
        why=_prose(rule.why),
        fix=_prose(rule.fix),
        counts=_counts(results),
        open_rows=() if groups else rows[:SHOWN_OPEN],
        folded_rows=() if groups else rows[SHOWN_OPEN:],
        groups=groups,
    )


def _groups(rows: Sequence[ResultRow]) -> tuple[ResultGroup, ...]:
    """Rows with one verdict and message together, worst verdict and largest group first."""
    grouped: dict[tuple[str, str], list[ResultRow]] = {}
    for row in rows:
        grouped.setdefault((row.verdict, row.message), []).append(row)
    order: dict[str, int] = {}
    for index, row in enumerate(rows):  # rows come worst verdict first
        order.setdefault(row.verdict, index)
    groups = []
    for (verdict, message), members in grouped.items():
        shared = tuple(item for item in members[0].evidence if all(item in other.evidence for other in members[1:]))
        own = tuple(replace(m, evidence=tuple(item for item in m.evidence if item not in shared)) for m in members)
        kinds = {m.kind for m in members}
        noun = f"{kinds.pop()}s" if len(kinds) == 1 else "subjects"
        groups.append(ResultGroup(verdict, message, shared, own, noun))
    return tuple(sorted(groups, key=lambda g: (order[g.verdict], -len(g.rows), g.message)))


def _counts(results: Sequence[Result]) -> str:
    """``3 fail, 1 not_assessed, 12 pass`` over the rule's results."""
    found: dict[str, int] = {}
    for result in results:
        found[result.verdict.value] = found.get(result.verdict.value, 0) + 1
    return ", ".join(f"{count:,} {verdict}" for verdict, count in found.items())


def _result_row(result: Result, locator: Locator, values: EvidenceValues) -> ResultRow:
    subject = result.subject
    name = subject.name if subject.name and subject.name != subject.id else ""
    return ResultRow(
        verdict=result.verdict.value,
        kind=subject.kind,
        subject=name or subject.id,
        subject_id=subject.id if name and subject.kind not in ("file", "tenant", "collection") else "",
        message=result.message,
        evidence=tuple(_evidence_rows(result, locator, values)),
    )


def _evidence_rows(result: Result, locator: Locator, values: EvidenceValues) -> Iterable[EvidenceRow]:
    for evidence in result.evidence:
        location = locate_evidence(evidence, locator)
        yield EvidenceRow(f"{location.file}:{location.line}", location.pointer, values.words(evidence, location))


def _prose(text: str) -> str:
    """The catalogue's text is wrapped in its YAML source: one paragraph."""
    return " ".join(text.split())
