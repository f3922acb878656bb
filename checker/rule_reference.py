"""docs/rules.md: every rule's documentation on one page, generated from the catalogue.

SARIF's ``helpUri`` points at a rule's heading on this page, so the anchor is computed here
and nowhere else. ``python3 -m checker.rule_reference > docs/rules.md`` regenerates the page;
a test fails when the committed page and the catalogue disagree.
"""
from __future__ import annotations

import sys
from collections.abc import Iterable

from checker import rule_docs
from checker.rule import Rule

TITLE = "# Rule reference"
INTRO = ("Every rule tenant-checker runs, with the same five sections as `tenant-checker explain RULE`. "
         "This page is generated from the catalogue (`checker/rules/*.yaml`): edit the catalogue, "
         "then run `python3 -m checker.rule_reference > docs/rules.md`.")


def heading(rule: Rule) -> str:
    return f"{rule.id} {rule.name}"


def anchor(rule: Rule) -> str:
    """The fragment a Markdown renderer (GitHub, GitLab) gives the rule's heading.

    IDs and names are letters, digits and hyphens (the catalogue checks it), so lowering the
    case and turning the one space into a hyphen is the whole of the renderers' rule here.
    """
    return heading(rule).lower().replace(" ", "-")


def reference_markdown(rules: Iterable[Rule]) -> str:
    rules = list(rules)
    lines = [TITLE, "", INTRO, "", "| ID | name | severity | title |", "| --- | --- | --- | --- |"]
    lines += [f"| [{rule.id}](#{anchor(rule)}) | {rule.name} | {rule.severity.value} | {rule.title} |"
              for rule in rules]
    for rule in rules:
        # one level below the rule's heading: the body's headings all start a line with "## "
        body = "#" + rule_docs.body_markdown(rule).replace("\n## ", "\n### ")
        lines += ["", f"## {heading(rule)}", "", f"Severity: **{rule.severity.value}**. {rule.title}", "", body]
    return "\n".join(lines) + "\n"


def main() -> int:
    from checker.catalogue import load_catalogue

    sys.stdout.write(reference_markdown(load_catalogue()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
