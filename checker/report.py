"""What a scan produces: results per rule, the inputs it read, and the tenant's plan."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from checker.inputs.spans import Spans
from checker.inventory import Area
from checker.origin import Origin
from checker.report_identity import ReportIdentity
from checker.rule import Rule
from checker.verdicts import Verdict, worst


@dataclass(frozen=True, slots=True)
class Subject:
    """What a result is about: a policy, a user, a role, a file, or the tenant."""

    kind: str
    id: str
    name: str = ""

    @property
    def label(self) -> str:
        if self.name and self.name != self.id:
            return f"{self.name} ({self.id})" if self.kind not in ("file", "tenant", "collection") else self.name
        return self.id


@dataclass(frozen=True, slots=True)
class Evidence:
    """A field (or object) in an input file that the verdict rests on.

    ``line``/``column`` are set only where the position is known without the file's
    structure (a parse error); otherwise they are computed from ``origin`` on demand.
    """

    origin: Origin
    actual: Any = None
    expected: Any = None
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class Waiving:
    """Why a result is ``waived``: the waiver that covers it and the verdict it set aside."""

    reason: str
    expires: str
    set_aside: Verdict
    ticket: str = ""
    owner: str = ""


@dataclass(frozen=True, slots=True)
class Result:
    rule_id: str
    verdict: Verdict
    message: str
    subject: Subject
    evidence: tuple[Evidence, ...] = ()
    waiver: Waiving | None = None
    # "new" or "unchanged" for a failing result when the scan is compared with a baseline
    baseline_state: str = ""


def fingerprint(result: Result) -> str:
    """A result's identity: its rule and subject, never its message, line or severity.

    Baselines and code-scanning alerts key on it, so it survives a re-export that moves
    an object to another line or a new wording of a message.
    """
    identity = f"{result.rule_id}|{result.subject.kind}|{result.subject.id}"
    # a file name that is not UTF-8 comes with surrogate escapes, which UTF-8 alone cannot encode
    return hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class RuleOutcome:
    rule: Rule
    results: tuple[Result, ...]

    @property
    def verdict(self) -> Verdict:
        return worst(result.verdict for result in self.results)


@dataclass(frozen=True)
class Diagnostic:
    """A problem found while reading an input file."""

    code: str
    message: str
    line: int | None = None
    column: int | None = None
    pointer: str = ""


@dataclass(frozen=True)
class InputFile:
    """One file (or zip member) the scan looked at, and what became of it."""

    path: str
    sha256: str
    status: str
    format: str = ""
    collection: str = ""
    objects: int = 0
    reason: str = ""
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class CoverageSummary:
    """Per-user MFA coverage at a glance: the same computation as MFA070.

    ``state`` is "per user", "via security defaults" or "not assessed" (``note`` says why).
    """

    state: str
    enabled_users: int = 0
    covered: int = 0
    uncovered: tuple[Subject, ...] = ()
    break_glass: tuple[Subject, ...] = ()
    undetermined: tuple[Subject, ...] = ()
    note: str = ""

    @property
    def counts(self) -> dict[str, int]:
        return {"enabledUsers": self.enabled_users, "covered": self.covered, "uncovered": len(self.uncovered),
                "breakGlass": len(self.break_glass), "undetermined": len(self.undetermined)}


@dataclass(frozen=True)
class GapRegion:
    """Sign-ins of one user class that get through without MFA (or cannot be judged)."""

    words: str
    certain: bool
    closest: str = ""
    would_close: tuple[str, ...] = ()
    excluded_from: tuple[str, ...] = ()
    unknowns: tuple[str, ...] = ()
    atoms: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class ClassGaps:
    """One user class with gaps: who (``users``, or a stand-in when ``synthetic``) and where."""

    description: str
    users: tuple[Subject, ...]
    synthetic: bool
    regions: tuple[GapRegion, ...]
    break_glass: bool = False


@dataclass(frozen=True)
class GapsSummary:
    """The gaps of section 4: ``state`` is "per class", "via security defaults" or "not assessed"."""

    state: str
    classes: tuple[ClassGaps, ...] = ()
    note: str = ""
    users_exported: bool = True

    @property
    def has_gaps(self) -> bool:
        """Gaps that count: break-glass accounts are exempt by design."""
        return any(not found.break_glass for found in self.classes)


@dataclass(frozen=True)
class ConfigurationNote:
    """Something a reader must know about the configuration: an expired or an unused waiver."""

    kind: str
    message: str


@dataclass(frozen=True)
class FixedResult:
    """A failing result recorded in the baseline that no longer fails."""

    rule_id: str
    subject: Subject


@dataclass(frozen=True)
class BaselineComparison:
    """How this scan compares with the baseline it was given."""

    path: str
    unchanged: int
    new: int
    fixed: tuple[FixedResult, ...] = ()


@dataclass(frozen=True)
class Report:
    tool_version: str
    scan_root: str
    inputs: tuple[InputFile, ...]
    plan: str
    outcomes: tuple[RuleOutcome, ...]
    sources: dict[str, str] = field(default_factory=dict, compare=False)
    spans: dict[str, Spans] = field(default_factory=dict, compare=False)
    positions: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict, compare=False)
    coverage: CoverageSummary = field(default_factory=lambda: CoverageSummary("not assessed"))
    areas: tuple[Area, ...] = ()
    gaps: GapsSummary = field(default_factory=lambda: GapsSummary("not assessed"))
    notes: tuple[ConfigurationNote, ...] = ()
    baseline: BaselineComparison | None = None
    identity: ReportIdentity = field(default_factory=ReportIdentity)

    def results(self) -> list[Result]:
        return [result for outcome in self.outcomes for result in outcome.results]
