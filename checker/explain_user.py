"""`explain-user`: one user's sign-ins region by region, and every policy with its route to them.

It reads the same evaluation as MFA070 and `gaps`, so the three never disagree about a user.
"""
from __future__ import annotations

from dataclasses import dataclass

from checker.checks.base import CheckContext
from checker.checks.common import Defaults, defaults_state
from checker.checks.sign_ins import gaps_text
from checker.evaluation.evaluate import COVERED, UNCOVERED, Evaluation
from checker.evaluation.tri import Tri
from checker.evaluation.users import UserClass, user_kind
from checker.model import ConditionalAccessPolicy, User
from checker.safe_text import terminal_text
from checker.semantics import policy as ca
from checker.semantics.directory import Directory


class UnknownUser(LookupError):
    """The user named on the command line is not in the export."""


@dataclass(frozen=True)
class UserExplanation:
    user: User
    status: str
    summary: str
    text: str


def find_user(directory: Directory, wanted: str) -> User:
    key = wanted.strip().lower()
    for user in directory.users.values():
        if key in (user.id.lower(), user.user_principal_name.lower()):
            return user
    raise UnknownUser(f"user {wanted!r} is not in the export ({len(directory.users)} users read)")


def explain(context: CheckContext, wanted: str) -> UserExplanation:
    tenant = context.tenant
    if tenant.users is None:
        raise UnknownUser("the export has no users collection, so no user can be explained")
    evaluation = context.evaluation
    user = find_user(evaluation.directory, wanted)
    status, summary = _outcome(context, user)
    lines = [*_header(user, evaluation.directory), "", f"MFA: {summary}", ""]
    user_class = evaluation.class_of_user.get(user.id.lower())
    if tenant.conditional_access_policies is None:
        lines.append("The export has no Conditional Access policies.")
    elif user_class is not None and defaults_state(tenant).state is not Defaults.ON:
        lines.append("Modern sign-ins (browser, mobile and desktop apps), region by region:")
        lines += [f"  {words} → {label}" for label, words in evaluation.sign_ins(user_class)]
        lines.append("")
    for index, policy in sorted(enumerate(evaluation.policies), key=lambda p: (p[1].display_name.lower(), p[1].id)):
        lines += _policy_lines(evaluation, index, policy, user, user_class)
    # Each line is made safe whole: a newline or escape sequence in a name shows as text and
    # can neither forge a line ("MFA: covered by ...") nor reach the terminal raw.
    text = "\n".join(terminal_text(line) for line in lines).rstrip() + "\n"
    return UserExplanation(user, status, summary, text)


def _outcome(context: CheckContext, user: User) -> tuple[str, str]:
    if defaults_state(context.tenant).state is Defaults.ON:
        return "covered", "covered via security defaults, which require MFA for every user."
    if user.account_enabled is False:
        return "disabled", "the account is disabled, so it cannot sign in."
    evaluation = context.evaluation
    outcome = evaluation.outcome(evaluation.class_of_user[user.id.lower()])
    if outcome.status == COVERED:
        names = ", ".join(f"'{p.display_name}'" for p in outcome.protected_by)
        return outcome.status, f"covered by {names}."
    glass = " (a break-glass account, so for review rather than a failure)" if context.settings.is_break_glass(
        user.id, user.user_principal_name) else ""
    if outcome.status == UNCOVERED:
        return outcome.status, f"NOT covered{glass}: signs in without MFA: {gaps_text(outcome.gaps)}."
    return outcome.status, f"cannot tell{glass}: {gaps_text(outcome.gaps)}."


def _header(user: User, directory: Directory) -> list[str]:
    kind = user_kind(user).lower() if user.user_type is not None else "unknown type"
    state = {True: "enabled", False: "disabled", None: "account state unknown"}[user.account_enabled]
    roles = ", ".join(directory.role_name(role) for role in directory.roles_of(user.id)) or "none"
    return [f"{user.user_principal_name or user.display_name} ({user.id}): {kind}, {state}", f"Roles: {roles}"]


def _policy_lines(evaluation: Evaluation, index: int, policy: ConditionalAccessPolicy, user: User,
                  user_class: UserClass | None) -> list[str]:
    if user_class is None:
        verdict, routes = "does not apply", ["the account is disabled"]
    else:
        applies = evaluation.applies(index, user_class)
        verdict = {Tri.YES: "applies", Tri.NO: "does not apply", Tri.MAYBE: "cannot tell"}[applies.value]
        routes = []
        if applies.included_by:
            routes.append("included through " + ", ".join(_routes(evaluation, applies.included_by, user)))
        if applies.excluded_by:
            routes.append("excluded through " + ", ".join(_routes(evaluation, applies.excluded_by, user)))
        routes += [f"unknown: {unknown}" for unknown in applies.unknowns]
        if not routes:
            routes.append("not included")
    conditions = "; ".join(ca.narrowing_conditions(policy, lambda key: evaluation.location_names.get(
        key.lower(), key))) or "none"
    return [
        f"- '{policy.display_name}' [{ca.state_label(policy)}]: {verdict}",
        f"    users: {'; '.join(routes)}",
        f"    conditions: {conditions}",
        f"    grant: {evaluation.grant(policy).words}",
    ]


def _routes(evaluation: Evaluation, routes: tuple[str, ...], user: User) -> list[str]:
    """Group routes spelled out down to the group that lists the user."""
    by_label = {evaluation.conditions.group_label(g): g for g in evaluation.directory.groups}
    spelled = []
    for route in routes:
        group_id = by_label.get(route.removeprefix("group ")) if route.startswith("group ") else None
        spelled.append(_group_path(evaluation.directory, group_id, user.id) if group_id else route)
    return spelled


def _group_path(directory: Directory, group_id: str, user_id: str) -> str:
    path = [directory.group_name(g) for g in directory.path_to(group_id, user_id)]
    text = f"group '{path[-1]}'"
    if len(path) > 1:
        text += " (nested in " + " in ".join(f"'{name}'" for name in reversed(path[:-1])) + ")"
    return text
