"""A catalogue entry: the public, stable description of one rule (DESIGN section 5).

``pack`` names where the rule comes from: the rule pack that registered it (``builtin`` for
the rules shipped with tenant-checker) or ``custom`` for a rule of the scan's configuration.
"""
from __future__ import annotations

from dataclasses import dataclass

from checker.verdicts import Severity


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    title: str
    severity: Severity
    section: str
    what: str
    why: str
    fix: str
    evidence: str
    references: tuple[tuple[str, tuple[str, ...]], ...] = ()
    tags: tuple[str, ...] = ()
    pack: str = "builtin"

    def __post_init__(self) -> None:
        if not self.id or not self.id[0].isalpha():
            raise ValueError(f"rule id {self.id!r} must start with a letter")
        for text_field in ("name", "title", "section", "what", "why", "fix", "evidence"):
            if not getattr(self, text_field).strip():
                raise ValueError(f"rule {self.id}: {text_field} is empty")
