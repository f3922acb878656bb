"""A rule's documentation in the same five sections everywhere: `explain`, SARIF help, reports."""
from __future__ import annotations

from checker.rule import Rule

SECTIONS = ("What it checks", "Why it matters", "How to fix", "Evidence", "References")


def references(rule: Rule) -> list[str]:
    lines = [f"Guidance: {rule.section}"]
    lines += [f"{framework}: {', '.join(ids)}" for framework, ids in rule.references if ids]
    return lines


def _prose(rule: Rule) -> list[tuple[str, str]]:
    return list(zip(SECTIONS, (rule.what.strip(), rule.why.strip(), rule.fix.strip(), rule.evidence.strip()), strict=False))


def body_text(rule: Rule) -> str:
    blocks = [f"{heading}\n{text}" for heading, text in _prose(rule)]
    blocks.append("References\n" + "\n".join(references(rule)))
    return "\n\n".join(blocks)


def body_markdown(rule: Rule) -> str:
    blocks = [f"## {heading}\n\n{text}" for heading, text in _prose(rule)]
    blocks.append("## References\n\n" + "\n".join(f"- {line}" for line in references(rule)))
    return "\n\n".join(blocks)


def as_text(rule: Rule) -> str:
    """What `tenant-checker explain` prints."""
    return f"{rule.id} {rule.name} ({rule.severity.value}, rule pack {rule.pack})\n{rule.title}\n\n{body_text(rule)}\n"
