"""The P1 Conditional Access recommendations: MFA010, MFA011, MFA012, MFA060, MFA061."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from checker import entra
from checker.checks.base import CheckContext, Finding
from checker.checks.common import (
    CA_AND_PLAN,
    CA_COLLECTION,
    NEEDS_CA,
    NEEDS_DEFAULTS,
    NEEDS_SKUS,
    TENANT,
    Defaults,
    ca_rules_not_applicable,
    collection_evidence,
    defaults_state,
    incomplete,
    not_assessed,
    policy_evidence,
    policy_subject,
    quoted,
    via_security_defaults,
)
from checker.checks.sign_ins import gaps_text, outcome_finding
from checker.checks.user_coverage import NEEDS_USERS
from checker.evaluation import space as sp
from checker.evaluation.describe import app_name
from checker.evaluation.evaluate import COVERED, LEGACY, MFA, UNCOVERED, Slice
from checker.evaluation.tri import Tri
from checker.evaluation.users import new_member, role_holder
from checker.model import ConditionalAccessPolicy, Plan, Tenant
from checker.report import Evidence, Subject
from checker.semantics import policy as ca
from checker.semantics.licence import plan_of
from checker.verdicts import Verdict

NEEDS_ROLE_ASSIGNMENTS = "role assignments (roleManagement/directory/roleAssignments)"
NEEDS_GROUP_MEMBERS = "the members of every group that holds an admin role (groups with $expand=members)"
LEGACY_MFA = Slice("legacy-mfa", entra.LEGACY_CLIENTS)


def _gate(context: CheckContext) -> list[Finding] | None:
    """Findings that settle a CA rule before any policy is read, or None to go on."""
    if (lost := incomplete(context.tenant, *CA_AND_PLAN)) is not None:
        return [lost]
    not_applicable = ca_rules_not_applicable(context)
    if not_applicable is not None:
        return [not_applicable]
    return None


def _missing_policies(tenant: Tenant) -> list[Finding]:
    needed = [NEEDS_CA] + ([NEEDS_DEFAULTS] if defaults_state(tenant).state is Defaults.UNKNOWN else [])
    return [not_assessed(needed)]


def role_subject(role_id: str, roles: Mapping[str, str]) -> Subject:
    return Subject("role", role_id, roles.get(role_id, role_id))


def _covers_role(policy: ConditionalAccessPolicy, role_id: str) -> bool:
    return ca.includes_role(policy, role_id) and not ca.excludes_role(policy, role_id)


def ca_mfa_admins(context: CheckContext) -> list[Finding]:
    """MFA010: every holder of an admin role passes MFA on every modern sign-in.

    The "Conditional Access policies" section (and the E3 row of the plan table) asks for MFA
    for administrators, naming Exchange, user, password, security, SharePoint and global
    administrators; the role list follows Microsoft's "Require MFA for administrators" template.
    Both the actual holders and a holder of the role and nothing else are judged: a role may be
    assigned tomorrow.
    """
    settled = _gate(context)
    if settled is not None:
        return settled
    tenant = context.tenant
    defaults = defaults_state(tenant)
    if defaults.state is Defaults.ON:
        return [via_security_defaults(defaults)]
    if tenant.conditional_access_policies is None:
        return _missing_policies(tenant)
    roles = context.settings.admin_roles
    return [_role_finding(context, role_id, roles[role_id])
            for role_id in sorted(roles, key=lambda r: (roles[r].lower(), r))]


def _role_finding(context: CheckContext, role_id: str, role_name: str) -> Finding:
    evaluation = context.evaluation
    subject = Subject("role", role_id, role_name)
    finding = outcome_finding(context, role_holder(role_id, role_name), MFA, subject,
                              passes=f"Every modern sign-in of a {role_name} is blocked or needs MFA",
                              fails=f"A holder of {role_name} signs in without MFA")
    directory = evaluation.directory
    if finding.verdict is Verdict.FAIL and not directory.roles_known and _unresolved_groups(context, "include"):
        return not_assessed([NEEDS_ROLE_ASSIGNMENTS], subject, finding.message + " Policies that target "
                            "administrators through groups cannot be resolved without them.")
    if finding.verdict is Verdict.PASS and not directory.roles_known and _unresolved_groups(context, "exclude"):
        # an administrator may be a member of the excluded group: with the assignments, they would be undetermined
        return not_assessed([NEEDS_ROLE_ASSIGNMENTS], subject, finding.message.rstrip(".") + ", unless a holder is a member "
                            "of a group that a policy excludes and the export lacks; without the role assignments "
                            "that cannot be told.")
    if not directory.roles_known:
        return finding
    if context.tenant.users is None and directory.holders(role_id) and finding.verdict is Verdict.PASS:
        return not_assessed([NEEDS_USERS], subject, f"{len(directory.holders(role_id))} holder(s) of {role_name} "
                            "cannot be judged: the export has no users.")
    open_holders = []
    for user_id in sorted(directory.holders(role_id)):
        user_class = evaluation.class_of_user.get(user_id)
        user = directory.user(user_id)
        if user_class is None or user is None or context.settings.is_break_glass(user.id, user.user_principal_name):
            continue
        outcome = evaluation.outcome(user_class, MFA)
        if outcome.status != COVERED:
            open_holders.append((user, outcome))
    missing = directory.unresolved_role_groups(role_id)
    if not open_holders and missing and finding.verdict is Verdict.PASS:
        # the members of a group that holds the role are holders too, and the export does not show them
        return not_assessed([NEEDS_GROUP_MEMBERS], subject, finding.message.rstrip(".") + f", but {role_name} is "
                            f"held through {', '.join(missing)}, whose members the export does not show, so "
                            "not every holder can be judged.")
    if not open_holders:
        return finding
    names = "; ".join(f"{u.user_principal_name or u.id}: {gaps_text(o.gaps)}" for u, o in open_holders[:10])
    more = f" and {len(open_holders) - 10} more" if len(open_holders) > 10 else ""
    holders = f"{len(open_holders)} holder(s) of {role_name} are not protected on every sign-in: {names}{more}."
    evidence = tuple(Evidence(u.origin) for u, _ in open_holders[:10])
    if finding.verdict is not Verdict.PASS:
        return replace(finding, message=f"{finding.message} {holders}", evidence=finding.evidence + evidence)
    verdict = Verdict.FAIL if any(o.status == UNCOVERED for _, o in open_holders) else Verdict.NOT_ASSESSED
    return Finding(verdict, holders, subject, evidence)


def _unresolved_groups(context: CheckContext, side: str) -> bool:
    """Whether an enforced policy includes (or excludes) a group whose members the export lacks."""
    directory = context.evaluation.directory
    return any(ca.is_enforced(p) and not directory.members(group).complete
               for p in context.tenant.conditional_access_policies or ()
               for group in (p.users.include_groups if side == "include" else p.users.exclude_groups))


def ca_mfa_all_users(context: CheckContext) -> list[Finding]:
    """MFA011: every modern sign-in of a new member is blocked or needs MFA.

    The E3 row of the plan table and the "Conditional Access policies" section recommend that
    all users pass MFA on plans with Entra ID P1. Entra demands the grants of every policy that
    applies, so the policies may share the work (browser and apps, platforms, locations).
    """
    settled = _gate(context)
    if settled is not None:
        return settled
    tenant = context.tenant
    defaults = defaults_state(tenant)
    if defaults.state is Defaults.ON:
        return [via_security_defaults(defaults)]
    if tenant.conditional_access_policies is None:
        return _missing_policies(tenant)
    return [outcome_finding(context, new_member(), MFA, CA_COLLECTION,
                            passes="Every modern sign-in of a new member is blocked or needs MFA",
                            fails="A new member signs in without MFA")]


def ca_block_legacy_auth(context: CheckContext) -> list[Finding]:
    """MFA012: every legacy sign-in of a new member is blocked, to every app, from everywhere.

    The E3 row of the plan table (and the E5 row's "clients that don't support modern
    authentication") asks to block legacy authentication, which cannot do MFA at all. An MFA
    requirement also stops legacy clients, but the guidance (and ScubaGear MS.AAD.1.1) asks
    for an explicit block, since MFA policies carry exclusions a block should not.
    """
    settled = _gate(context)
    if settled is not None:
        return settled
    tenant = context.tenant
    defaults = defaults_state(tenant)
    if defaults.state is Defaults.ON:
        return [via_security_defaults(defaults)]
    if tenant.conditional_access_policies is None:
        return _missing_policies(tenant)
    finding = outcome_finding(context, new_member(), LEGACY, CA_COLLECTION,
                              passes="Legacy authentication (Exchange ActiveSync and other clients) is blocked "
                                     "for a new member, to every app, from everywhere",
                              fails="Legacy authentication is not blocked everywhere")
    if finding.verdict is not Verdict.PASS and context.evaluation.outcome(new_member(), LEGACY_MFA).status == COVERED:
        finding = replace(finding, message=finding.message + " An MFA requirement already stops legacy clients "
                          "there, since they cannot perform MFA; an explicit block is still recommended.")
    return [finding]


def mfa_policies_for_admins_or_all(context: CheckContext) -> list[ConditionalAccessPolicy]:
    """The enforced policies that require MFA (or block) and apply, or may apply, to a new member or an admin.

    A policy that may apply (a group whose members are not exported, a role the export names but
    does not identify) is kept: its exclusions may leave those users open as much as a certain one's.
    """
    evaluation = context.evaluation
    stand_ins = [new_member(), *(role_holder(role_id, name) for role_id, name in context.settings.admin_roles.items())]
    found = {p.id: p for stand_in in stand_ins for p in evaluation.outcome(stand_in, MFA).protected_by}
    for index, policy in enumerate(evaluation.policies):
        if (policy.id not in found and ca.is_enforced(policy) and evaluation.protects(policy) is not Tri.NO
                and any(evaluation.applies(index, stand_in).value is Tri.MAYBE for stand_in in stand_ins)):
            found[policy.id] = policy
    return sorted(found.values(), key=lambda p: (p.display_name.lower(), p.id))


def ca_mfa_all_apps(context: CheckContext) -> list[Finding]:
    """MFA060: no application is left out of MFA.

    "Sign in to SaaS apps with Azure AD" asks that Entra ID protect every app; an app excluded
    from the MFA policy is reachable with a password alone unless another policy covers it.
    An app excluded from an enforced MFA or block policy fails when a new member reaches it
    without MFA, and is for review when other policies close it.
    """
    settled = _gate(context)
    if settled is not None:
        return settled
    tenant = context.tenant
    defaults = defaults_state(tenant)
    if defaults.state is Defaults.ON:
        return [via_security_defaults(defaults)]
    if tenant.conditional_access_policies is None:
        return _missing_policies(tenant)
    roles = context.settings.admin_roles
    outcomes = [context.evaluation.outcome(new_member(), MFA)] + [
        context.evaluation.outcome(role_holder(role_id, name), MFA) for role_id, name in roles.items()]
    open_apps = {app for outcome in outcomes for gap in outcome.gaps if gap.certain
                 for app in gap.region.atoms(sp.APPS)}
    unsure_apps = {app for outcome in outcomes for gap in outcome.gaps if not gap.certain
                   for app in gap.region.atoms(sp.APPS)}
    relevant = mfa_policies_for_admins_or_all(context)
    if not relevant:
        return [Finding(Verdict.NOT_APPLICABLE, "No enforced policy requires MFA or blocks for a new member or an "
                        "administrator, so there are no app exclusions to review; see MFA010 and MFA011.",
                        CA_COLLECTION, collection_evidence(tenant.conditional_access_origin))]
    findings = []
    for policy in relevant:
        evidence = (policy_evidence(policy, "conditions", "applications", "excludeApplications",
                                    actual=list(policy.exclude_applications), expected=[]),)
        for app in policy.exclude_applications:
            name = app_name(app.lower()) if app.lower() not in _BUNDLES else f"the {app} bundle"
            if _app_atoms(context, app) & open_apps:
                findings.append(Finding(Verdict.FAIL, f"{quoted(policy)} excludes {name}, and users it "
                                        "protects reach that app without MFA.", policy_subject(policy), evidence))
            elif _app_atoms(context, app) & unsure_apps:
                findings.append(Finding(Verdict.NOT_ASSESSED, f"{quoted(policy)} excludes {name}; whether other "
                                        "policies require MFA there cannot be told from the export (see MFA010 and "
                                        "MFA011 for what is unknown).", policy_subject(policy), evidence))
            else:
                findings.append(Finding(Verdict.REVIEW, f"{quoted(policy)} excludes {name}; other policies "
                                        "still require MFA there.", policy_subject(policy), evidence))
        if policy.application_filter is not None and policy.application_filter.mode == "exclude":
            findings.append(not_assessed(
                ["custom security attributes of apps"], policy_subject(policy),
                f"{quoted(policy)} leaves out the apps matching '{policy.application_filter.rule}', "
                "which cannot be known offline."))
    if not findings:
        return [Finding(Verdict.PASS, "No enforced MFA or block policy excludes an application.", CA_COLLECTION,
                        collection_evidence(tenant.conditional_access_origin))]
    return findings


_BUNDLES = {entra.OFFICE365: "Office365", entra.ADMIN_PORTALS: "MicrosoftAdminPortals"}


def _app_atoms(context: CheckContext, app: str) -> set[str]:
    """The atoms of the sign-in space an excluded app value stands for (a bundle stands for its members)."""
    key = app.lower()
    if key not in _BUNDLES:
        return {key}
    space, _ = context.evaluation.space(MFA)
    members = space.office365 if key == entra.OFFICE365 else space.admin_portals
    return {atom for atom, inside in members.items() if inside is not False}


def compliant_device(context: CheckContext) -> list[Finding]:
    """MFA061: some enforced policy requires a compliant or hybrid-joined device.

    The "Conditional Access policies" section mentions requiring a compliant device as a more
    advanced option, so this is informational and never fails a build by default.
    """
    settled = _gate(context)
    if settled is not None:
        return settled
    tenant = context.tenant
    plan = plan_of(tenant)
    if plan is Plan.FREE:
        return [Finding(Verdict.NOT_APPLICABLE, "Device-based Conditional Access needs Entra ID P1.", TENANT)]
    if tenant.conditional_access_policies is None:
        return _missing_policies(tenant)
    requiring = [p for p in tenant.conditional_access_policies
                 if ca.is_enforced(p) and ca.requires_compliant_device(p)]
    if requiring:
        return [Finding(Verdict.PASS, f"{quoted(p)} requires a compliant or hybrid-joined device.",
                        policy_subject(p), (policy_evidence(p, "grantControls", "builtInControls",
                                                            actual=list(p.grant.built_in_controls if p.grant else ())),))
                for p in requiring]
    message = "No enforced Conditional Access policy requires a compliant or hybrid-joined device."
    if plan is Plan.UNKNOWN:
        return [not_assessed([NEEDS_SKUS], CA_COLLECTION, message)]
    return [Finding(Verdict.FAIL, message, CA_COLLECTION, collection_evidence(tenant.conditional_access_origin))]
