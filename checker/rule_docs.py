"""A rule's documentation, in the same five sections everywhere (explain, SARIF help, docs)."""
from __future__ import annotations

from checker.rule import Rule

SECTIONS = ("What it checks", "Why it matters", "How to fix", "Evidence", "References")


def _references(rule: Rule) -> list[str]:
    return [f"{framework}: {', '.join(ids)}" for framework, ids in rule.references if ids]


def _bodies(rule: Rule) -> list[str]:
    why = f"{rule.why.strip()}\n(Guidance section: {rule.section})"
    references = "\n".join(_references(rule)) or "none"
    return [rule.what.strip(), why, rule.fix.strip(), rule.evidence.strip(), references]


def as_text(rule: Rule) -> str:
    lines = [f"{rule.id} {rule.name} ({rule.severity.value})", rule.title, ""]
    for heading, body in zip(SECTIONS, _bodies(rule)):
        lines += [heading, "-" * len(heading), body, ""]
    return "\n".join(lines).rstrip() + "\n"


def as_markdown(rule: Rule) -> str:
    parts = [f"**{rule.id} {rule.name}** ({rule.severity.value}): {rule.title}", ""]
    for heading, body in zip(SECTIONS, _bodies(rule)):
        if heading == "References":
            body = "\n".join(f"- {line}" for line in _references(rule)) or "none"
        parts += [f"### {heading}", "", body, ""]
    return "\n".join(parts).rstrip() + "\n"
