"""The P1 Conditional Access recommendations: MFA010, MFA011, MFA012, MFA060, MFA061."""
from __future__ import annotations

from collections.abc import Mapping

from checker import policy as ca
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
    closest_first,
    collection_evidence,
    defaults_state,
    describe_shortfalls,
    incomplete,
    location_namer,
    not_assessed,
    policy_evidence,
    policy_subject,
    quoted,
    via_security_defaults,
)
from checker.checks.defaults import all_users_mfa_policies, all_users_shortfalls, passing_policy
from checker.licence import plan_of
from checker.model import ConditionalAccessPolicy, Plan, Tenant
from checker.report import Subject
from checker.verdicts import Verdict


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
    """MFA010: every admin role must meet MFA through an enforced Conditional Access policy.

    The "Conditional Access policies" section (and the E3 row of the plan table) asks for MFA
    for administrators, naming Exchange, user, password, security, SharePoint and global
    administrators; the role list follows Microsoft's "Require MFA for administrators" template.
    """
    settled = _gate(context)
    if settled is not None:
        return settled
    tenant = context.tenant
    defaults = defaults_state(tenant)
    if defaults.state is Defaults.ON:
        return [via_security_defaults(defaults)]
    policies = tenant.conditional_access_policies
    if policies is None:
        return _missing_policies(tenant)
    namer = location_namer(tenant)
    baseline = [p for p in policies if not ca.baseline_gaps(p, namer)]
    roles = context.settings.admin_roles
    findings = []
    for role_id in sorted(roles, key=lambda r: (roles[r].lower(), r)):
        subject = role_subject(role_id, roles)
        covering = [p for p in baseline if _covers_role(p, role_id)]
        if covering:
            findings.append(Finding(
                Verdict.PASS,
                f"{roles[role_id]} is covered by {quoted(covering[0])}, enforced, requiring MFA for all apps.",
                subject, (policy_evidence(covering[0], "conditions", "users"),)))
            continue
        shortfalls = _role_shortfalls(policies, role_id, namer)
        if defaults.state is Defaults.UNKNOWN:
            findings.append(not_assessed([NEEDS_DEFAULTS], subject,
                                         f"No Conditional Access policy covers {roles[role_id]}."))
            continue
        findings.append(Finding(
            Verdict.FAIL,
            f"No enforced, unconditional, all-apps policy requires MFA for {roles[role_id]}."
            + describe_shortfalls(shortfalls),
            subject,
            collection_evidence(tenant.conditional_access_origin)
            + tuple(policy_evidence(p, "conditions", "users") for p, _ in shortfalls),
        ))
    return findings


def _role_shortfalls(policies: tuple[ConditionalAccessPolicy, ...], role_id: str,
                     namer: ca.LocationNames) -> list[tuple[ConditionalAccessPolicy, list[str]]]:
    candidates = []
    for policy in policies:
        if not ca.includes_role(policy, role_id):
            continue
        gaps = ["it excludes this role"] if ca.excludes_role(policy, role_id) else []
        gaps += ca.baseline_gaps(policy, namer)
        if gaps and (policy.grant is not None and not ca.blocks(policy)):
            candidates.append((policy, gaps))
    return closest_first(candidates)


def ca_mfa_all_users(context: CheckContext) -> list[Finding]:
    """MFA011: an enforced Conditional Access policy requires MFA for all users and all apps.

    The E3 row of the plan table and the "Conditional Access policies" section recommend a
    "Require MFA for all users" policy on plans with Entra ID P1.
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
    satisfying = all_users_mfa_policies(tenant)
    if satisfying:
        return [passing_policy(p, "all users") for p in satisfying]
    shortfalls = all_users_shortfalls(tenant)
    message = ("No enforced Conditional Access policy requires MFA for all users and all apps without "
               "conditions." + describe_shortfalls(shortfalls))
    evidence = collection_evidence(tenant.conditional_access_origin) + tuple(
        policy_evidence(p) for p, _ in shortfalls)
    if defaults.state is Defaults.UNKNOWN:
        return [not_assessed([NEEDS_DEFAULTS], CA_COLLECTION, message)]
    return [Finding(Verdict.FAIL, message, CA_COLLECTION, evidence)]


def _legacy_block_policies(policies: tuple[ConditionalAccessPolicy, ...]) -> list[ConditionalAccessPolicy]:
    # A block narrowed by location, platform or risk leaves legacy sign-ins open elsewhere.
    return [p for p in policies if ca.is_enforced(p) and ca.blocks(p) and not ca.narrowing_conditions(p)
            and ca.targets_all_users(p) and ca.targets_all_apps(p)]


def ca_block_legacy_auth(context: CheckContext) -> list[Finding]:
    """MFA012: enforced block policies cover the legacy client app types for all users and apps.

    The E3 row of the plan table (and the E5 row's "clients that don't support modern
    authentication") asks to block legacy authentication, which cannot do MFA at all.
    """
    settled = _gate(context)
    if settled is not None:
        return settled
    tenant = context.tenant
    defaults = defaults_state(tenant)
    if defaults.state is Defaults.ON:
        return [via_security_defaults(defaults)]
    policies = tenant.conditional_access_policies
    if policies is None:
        return _missing_policies(tenant)
    blocking = _legacy_block_policies(policies)
    covered = {t for p in blocking for t in ca.client_app_types(p)}
    missing = [t for t in ca.LEGACY_CLIENT_APP_TYPES if t.lower() not in covered]
    evidence = tuple(policy_evidence(p, "conditions", "clientAppTypes", actual=list(p.client_app_types))
                     for p in blocking)
    if not missing:
        names = ", ".join(quoted(p) for p in blocking)
        return [Finding(Verdict.PASS, f"Legacy authentication (Exchange ActiveSync and other clients) is "
                        f"blocked for all users and apps by {names}.", CA_COLLECTION, evidence)]
    near = [p for p in policies if ca.blocks(p) and p not in blocking
            and {t.lower() for t in ca.LEGACY_CLIENT_APP_TYPES} & ca.client_app_types(p)]
    namer = location_namer(tenant)
    notes = [f"{quoted(p)} ({'; '.join(_block_gaps(p, namer))})" for p in near]
    message = f"Legacy client app types not blocked for all users and apps: {', '.join(missing)}."
    if notes:
        message += " Not counted: " + "; ".join(notes) + "."
    if defaults.state is Defaults.UNKNOWN:
        return [not_assessed([NEEDS_DEFAULTS], CA_COLLECTION, message)]
    evidence += collection_evidence(tenant.conditional_access_origin) + tuple(policy_evidence(p) for p in near)
    return [Finding(Verdict.FAIL, message, CA_COLLECTION, evidence)]


def _block_gaps(policy: ConditionalAccessPolicy, namer: ca.LocationNames) -> list[str]:
    gaps = [] if ca.is_enforced(policy) else [f"it is {ca.state_label(policy)}"]
    gaps += [] if ca.targets_all_users(policy) else ["not for all users"]
    gaps += [] if ca.targets_all_apps(policy) else ["not for all apps"]
    return gaps + ca.narrowing_conditions(policy, namer, "access is not blocked")


def mfa_policies_for_admins_or_all(context: CheckContext) -> list[ConditionalAccessPolicy]:
    """The policies that satisfy MFA010 or MFA011."""
    tenant = context.tenant
    namer = location_namer(tenant)
    roles = context.settings.admin_roles
    return [
        p for p in tenant.conditional_access_policies or ()
        if not ca.baseline_gaps(p, namer)
        and (ca.targets_all_users(p) or any(_covers_role(p, role) for role in roles))
    ]


def ca_mfa_all_apps(context: CheckContext) -> list[Finding]:
    """MFA060: the MFA policies for admins and all users exclude no application.

    "Sign in to SaaS apps with Azure AD" asks that Entra ID protect every app; an app left out
    of the MFA policy is an app reachable with a password alone.
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
    relevant = mfa_policies_for_admins_or_all(context)
    if not relevant:
        return [Finding(Verdict.NOT_APPLICABLE, "No policy satisfies MFA010 or MFA011, so there are no app "
                        "exclusions to review; see those rules.", CA_COLLECTION,
                        collection_evidence(tenant.conditional_access_origin))]
    findings = []
    for policy in relevant:
        excluded = list(policy.exclude_applications)
        evidence = (policy_evidence(policy, "conditions", "applications", "excludeApplications",
                                    actual=excluded, expected=[]),)
        if excluded:
            findings.append(Finding(Verdict.FAIL, f"{quoted(policy)} excludes {len(excluded)} application(s) from "
                                    f"MFA: {', '.join(excluded)}.", policy_subject(policy), evidence))
        else:
            findings.append(Finding(Verdict.PASS, f"{quoted(policy)} excludes no application.",
                                    policy_subject(policy), evidence))
    return findings


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
