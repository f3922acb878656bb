"""What a check receives and returns. Checks are pure functions of this context."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from checker.model import Tenant
from checker.policy import ADMIN_ROLES
from checker.report import Evidence, InputFile, Subject
from checker.verdicts import Verdict


@dataclass(frozen=True)
class Settings:
    """What the configuration tells the checks: break-glass accounts and the admin roles."""

    break_glass: frozenset[str] = frozenset()
    admin_roles: Mapping[str, str] = field(default_factory=lambda: dict(ADMIN_ROLES))

    def is_break_glass(self, *identifiers: str) -> bool:
        return any(identifier and identifier.lower() in self.break_glass for identifier in identifiers)


@dataclass(frozen=True)
class CheckContext:
    tenant: Tenant
    settings: Settings = field(default_factory=Settings)
    inputs: tuple[InputFile, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One result of a check, before the engine stamps the rule id on it."""

    verdict: Verdict
    message: str
    subject: Subject
    evidence: tuple[Evidence, ...] = ()


Check = Callable[[CheckContext], list[Finding]]
