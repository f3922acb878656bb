"""Who signs in without MFA, and how: the gaps of every user class, most users first."""
from __future__ import annotations

from checker.checks.base import CheckContext
from checker.checks.common import Defaults, defaults_state, incomplete
from checker.evaluation.evaluate import COVERED, Evaluation, Gap, Outcome
from checker.evaluation.tri import Tri
from checker.evaluation.users import (
    MEMBER,
    UNKNOWN_KIND,
    UserClass,
    member_of,
    new_guest,
    new_member,
    role_holder,
)
from checker.inputs.identify import CA_POLICIES, GROUPS, SECURITY_DEFAULTS, USERS
from checker.report import ClassGaps, GapRegion, GapsSummary
from checker.semantics import policy as ca


def summarise_gaps(context: CheckContext) -> GapsSummary:
    tenant = context.tenant
    defaults = defaults_state(tenant).state
    if defaults is Defaults.ON:
        return GapsSummary("via security defaults", note="security defaults require MFA on every sign-in")
    if tenant.conditional_access_policies is None:
        return GapsSummary("not assessed", note="the export has no Conditional Access policies")
    lost = incomplete(tenant, CA_POLICIES, SECURITY_DEFAULTS, USERS, GROUPS)
    if lost is not None:
        return GapsSummary("not assessed", note=lost.message.removeprefix("Not assessed: ").rstrip("."))
    found = [_class_gaps(context, c, outcome) for c, outcome in _outcomes(context)
             if outcome.status != COVERED]
    real = sorted((g for g in found if not g.synthetic), key=lambda g: (g.break_glass, -len(g.users), g.description))
    stand_ins = _merged([g for g in found if g.synthetic])
    note = ("security defaults are not in the export; if they are on, they close these gaps"
            if defaults is Defaults.UNKNOWN and found else "")
    return GapsSummary("per class", tuple(real + stand_ins), note, users_exported=tenant.users is not None)


def _outcomes(context: CheckContext) -> list[tuple[UserClass, Outcome]]:
    evaluation = context.evaluation
    classes = list(evaluation.classes)
    classes.append(new_member())
    classes += [role_holder(role_id, name) for role_id, name in sorted(context.settings.admin_roles.items(),
                                                                        key=lambda item: item[1].lower())]
    classes += [new_guest(kind) for kind in ("internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember")]
    if context.tenant.users is None:
        classes += _excluded_stand_ins(evaluation)
    return [(c, evaluation.outcome(c)) for c in classes]


def _excluded_stand_ins(evaluation: Evaluation) -> list[UserClass]:
    """Without users, a member of each excluded group (and each excluded user) stands for them."""
    found: dict[tuple[str, str], UserClass] = {}
    for policy in evaluation.policies:
        if not ca.is_enforced(policy) or evaluation.protects(policy) is Tri.NO:
            continue
        for group_id in policy.users.exclude_groups:
            key = ("group", group_id.lower())
            words = f"a member of group {evaluation.conditions.group_label(group_id)} and nothing else"
            found.setdefault(key, member_of(MEMBER, key, words))
        for user_id in policy.users.exclude_users:
            if user_id.lower() in ("guestsorexternalusers", "all", "none"):
                continue
            key = ("user", user_id.lower())
            found.setdefault(key, member_of(MEMBER, key, f"the excluded user {user_id}"))
    return [found[key] for key in sorted(found)]


def _class_gaps(context: CheckContext, user_class: UserClass, outcome: Outcome) -> ClassGaps:
    evaluation = context.evaluation
    # a class lists its users in the evaluation's order: by UPN (lower case), then id
    members = [evaluation.directory.users[i] for i in user_class.user_ids]
    users = tuple(context.user_subject(u.id, u.user_principal_name or u.display_name) for u in members)
    description = user_class.synthetic or describe_class(evaluation, user_class)
    glass = bool(members) and all(context.settings.is_break_glass(u.id, u.user_principal_name) for u in members)
    return ClassGaps(description, users, bool(user_class.synthetic), tuple(_region(g) for g in outcome.gaps), glass)


def _merged(stand_ins: list[ClassGaps]) -> list[ClassGaps]:
    """Stand-ins with the same gaps, as one entry: "a new member; a holder of A; a holder of B"."""
    by_regions: dict[tuple[GapRegion, ...], list[ClassGaps]] = {}
    for found in stand_ins:
        by_regions.setdefault(found.regions, []).append(found)
    return [ClassGaps("; ".join(g.description for g in group), (), True, regions)
            for regions, group in by_regions.items()]


def _region(gap: Gap) -> GapRegion:
    atoms = tuple((name, tuple(sorted(found))) for name, found in gap.region.parts)
    return GapRegion(gap.words, gap.certain, gap.closest, gap.would_close, gap.excluded_from, gap.unknowns, atoms)


def describe_class(evaluation: Evaluation, user_class: UserClass) -> str:
    """'members of 'Contractors' and holders of Global Administrator', in the policies' terms."""
    directory = evaluation.directory
    who = {MEMBER: "members", UNKNOWN_KIND: "users whose type is not in the export"}.get(
        user_class.kind, f"{user_class.kind} users")
    parts = []
    for kind, key in sorted(user_class.tokens):
        if kind == "group":
            parts.append(f"in {evaluation.conditions.group_label(key)}")
        elif kind == "role":
            parts.append(f"holding {directory.role_name(key)}")
        else:
            user = directory.user(key)
            parts.append(f"named as {user.user_principal_name if user is not None else key}")
    if not parts:
        return f"{who} in no group, role or user list that a policy names"
    return f"{who} " + (" and ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " and " + parts[-1])
