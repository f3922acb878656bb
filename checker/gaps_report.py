"""`tenant-checker gaps`: who signs in without MFA, and how, one line per region."""
from __future__ import annotations

import json

from checker.formatters.json_report import gaps_document
from checker.report import ClassGaps, GapRegion, GapsSummary
from checker.safe_text import terminal_text

SHOWN_USERS = 5


def gaps_table(gaps: GapsSummary, verbose: bool = False) -> str:
    if gaps.state == "via security defaults":
        return "No gaps: security defaults are on and require MFA on every sign-in.\n"
    if gaps.state == "not assessed":
        return terminal_text(f"Gaps not assessed: {gaps.note}.") + "\n"
    if not gaps.classes:
        whom = "of every user" if gaps.users_exported else "of every stand-in (the export has no users)"
        return f"No gaps: every modern sign-in {whom} is blocked or needs MFA.\n"
    real = [c for c in gaps.classes if not c.synthetic and not c.break_glass]
    users = sum(len(c.users) for c in real)
    head = (f"{users} users in {len(real)} classes sign in without MFA somewhere, or cannot be judged" if real
            else "No user signs in without MFA" if gaps.users_exported
            else "The export has no users: stand-ins for the policies' intent show who would sign in without MFA")
    if len(real) < len(gaps.classes) and gaps.users_exported:
        head += "; below them, break-glass accounts (exempt by design) and stand-ins for the policies' intent"
    lines = [head + (f" ({gaps.note})" if gaps.note else ""), ""]
    for found in gaps.classes:
        lines += [_line(found, region) for region in found.regions]
        if found.users and (verbose or len(found.users) <= SHOWN_USERS):
            lines.append("    users: " + ", ".join(u.name or u.id for u in found.users))
        elif found.users:
            shown = ", ".join(u.name or u.id for u in found.users[:SHOWN_USERS])
            lines.append(f"    users: {shown} and {len(found.users) - SHOWN_USERS} more (--verbose lists all)")
    return "\n".join(terminal_text(line) for line in lines) + "\n"


def _line(found: ClassGaps, region: GapRegion) -> str:
    count = len(found.users)
    noun = "break-glass account" if found.break_glass else "user"
    who = found.description if found.synthetic else f"{count} {noun}{'s' if count != 1 else ''} ({found.description})"
    text = f"{who} · {region.words} → {'no MFA' if region.certain else 'undetermined'}"
    notes = [*region.unknowns, *region.excluded_from]
    if region.closest:
        notes.append(f"closest: {region.closest}")
    if region.would_close:
        notes.append("would be closed by " + ", ".join(region.would_close))
    return text + (f" ({'; '.join(notes)})" if notes else "")


def gaps_json(gaps: GapsSummary) -> str:
    return json.dumps({"schemaVersion": 1, "gaps": gaps_document(gaps)}, indent=2, sort_keys=True) + "\n"
