"""Which rules run: --select and --ignore by rule id or name prefix, case-insensitive."""
from __future__ import annotations

from collections.abc import Sequence

from checker.rule import Rule


class SelectionError(ValueError):
    """A prefix that matches no rule: almost always a typo, so it is an error, not a no-op."""


def _matches(rule: Rule, prefix: str) -> bool:
    wanted = prefix.strip().lower()
    return rule.id.lower().startswith(wanted) or rule.name.lower().startswith(wanted)


def select_rules(rules: Sequence[Rule], select: Sequence[str], ignore: Sequence[str]) -> list[Rule]:
    for prefix in [*select, *ignore]:
        if not any(_matches(rule, prefix) for rule in rules):
            raise SelectionError(f"{prefix!r} matches no rule id or name")
    chosen = [r for r in rules if not select or any(_matches(r, p) for p in select)]
    kept = [r for r in chosen if not any(_matches(r, p) for p in ignore)]
    if rules and not kept:
        # A report of no rule says nothing fails and exits 0: in CI that reads as a pass.
        raise SelectionError(f"no rule left to run: select {', '.join(select) or 'all'} "
                             f"and ignore {', '.join(ignore)} leave out every rule")
    return kept
