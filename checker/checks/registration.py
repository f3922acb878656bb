"""MFA and SSPR registration, and the methods users can register: MFA030-MFA032, MFA040, MFA041."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter

from checker.checks.base import CheckContext, Finding
from checker.checks.common import (
    NEEDS_DEFAULTS,
    NEEDS_METHODS,
    NEEDS_REGISTRATION,
    TENANT,
    Defaults,
    collection_evidence,
    defaults_state,
    incomplete,
    names_up_to,
    not_assessed,
    via_security_defaults,
)
from checker.inputs.identify import (
    AUTH_METHOD_CONFIGURATIONS,
    AUTH_METHODS_POLICY,
    REGISTRATION_DETAILS,
    SECURITY_DEFAULTS,
    USERS,
)
from checker.model import MethodTarget, RegistrationDetail, Tenant, User
from checker.origin import Origin, escape_pointer_token
from checker.report import Evidence, Subject
from checker.verdicts import Verdict

ALL_USERS_TARGET = "all_users"
AUTHENTICATOR_ID = "microsoftauthenticator"


def user_subject(context: CheckContext, detail: RegistrationDetail) -> Subject:
    return context.user_subject(detail.id, detail.user_principal_name or detail.display_name)


ADMINISTRATOR = " (an administrator)"
SSPR_REGISTERED = "have SSPR enabled and are registered for it"
REGISTRATION_COLLECTION = Subject("collection", "userRegistrationDetails", "User registration details")


def unlisted_members(context: CheckContext) -> list[User]:
    """Enabled member users (enabled or unknown, member or unknown type) absent from the registration details.

    Administrators first. Matched by id, or by UPN for exports that carry no ids.
    """
    return list(context.unlisted_members)


def _unlisted_finding(missing: Sequence[User], question: str) -> Finding:
    names = [u.user_principal_name or u.display_name or u.id for u in missing]
    return Finding(
        Verdict.NOT_ASSESSED,
        f"Not assessed for {len(missing)} enabled member users missing from the user registration details, so "
        f"whether they {question} is not known (never counted as "
        f"registered): {names_up_to(names)}. Export the registration details of every user.",
        REGISTRATION_COLLECTION,
        tuple(Evidence(u.origin) for u in missing[:5]),
    )


def _per_user(context: CheckContext, users: Sequence[RegistrationDetail], field: str,
              value_of: Callable[[RegistrationDetail], bool | None], failing: str, passing: str,
              question: str) -> list[Finding]:
    tenant, admins = context.tenant, context.admin_ids
    if not users and tenant.users is None:
        return [Finding(Verdict.NOT_ASSESSED, "Not assessed: the user registration details list no enabled member "
                        "user, and the export holds no list of users to tell whether the tenant has none, so whether "
                        f"its users {question} is not known. Export the users and the registration details of "
                        "every user.",
                        REGISTRATION_COLLECTION, collection_evidence(tenant.registration_details_origin))]
    findings = []
    # the words and the pointer's tail are the same for every user: made once, shared by every result
    field_token = "/" + escape_pointer_token(field)
    unknown = {admin: f"The export does not say whether this user{admin} {passing} ({field} is missing)."
               for admin in ("", ADMINISTRATOR)}
    failed = {admin: f"This user{admin} {failing}." for admin in ("", ADMINISTRATOR)}
    for detail in users:
        value = value_of(detail)
        if value is True:
            continue
        origin = detail.origin
        evidence = (Evidence(Origin(origin.file, origin.pointer + field_token), value, True),)
        admin = ADMINISTRATOR if detail.is_admin or detail.id.lower() in admins else ""
        if value is None:
            findings.append(Finding(Verdict.NOT_ASSESSED, unknown[admin], user_subject(context, detail), evidence))
        else:
            findings.append(Finding(Verdict.FAIL, failed[admin], user_subject(context, detail), evidence))
    if not findings:
        findings.append(Finding(Verdict.PASS, f"All {len(users)} users checked {passing}.", TENANT,
                                collection_evidence(tenant.registration_details_origin)))
    missing = unlisted_members(context)
    if missing:
        findings.append(_unlisted_finding(missing, question))
    if (lost_users := incomplete(tenant, USERS)) is not None:
        findings.append(lost_users)  # the members missing from the details cannot all be known
    return findings


def mfa_registered(context: CheckContext) -> list[Finding]:
    """MFA030: every enabled member user is registered for MFA.

    "Results of Step 1" expects every user to have completed MFA registration; an unregistered
    account can be claimed by whoever first learns its password.
    """
    if (lost := incomplete(context.tenant, REGISTRATION_DETAILS)) is not None:
        return [lost]
    tenant = context.tenant
    if tenant.registration_details is None:
        return [not_assessed([NEEDS_REGISTRATION])]
    return _per_user(context, context.member_registrations, "isMfaRegistered", attrgetter("is_mfa_registered"),
                     "is not registered for MFA", "are registered for MFA", "are registered for MFA")


def sspr_enabled(context: CheckContext) -> list[Finding]:
    """MFA040: self-service password reset is enabled for every enabled member user.

    "Let your users reset their own passwords" recommends SSPR for everyone.
    """
    if (lost := incomplete(context.tenant, REGISTRATION_DETAILS)) is not None:
        return [lost]
    tenant = context.tenant
    if tenant.registration_details is None:
        return [not_assessed([NEEDS_REGISTRATION])]
    return _per_user(context, context.member_registrations, "isSsprEnabled", attrgetter("is_sspr_enabled"),
                     "cannot reset their own password (SSPR is not enabled)", "have SSPR enabled", "have SSPR enabled")


def sspr_registered(context: CheckContext) -> list[Finding]:
    """MFA041: users with SSPR enabled have registered the methods it needs.

    "Results of Step 1" expects users to be able to reset their own password, which they can
    only do once registered.
    """
    if (lost := incomplete(context.tenant, REGISTRATION_DETAILS)) is not None:
        return [lost]
    tenant = context.tenant
    if tenant.registration_details is None:
        return [not_assessed([NEEDS_REGISTRATION])]
    enabled = [d for d in context.member_registrations if d.is_sspr_enabled]
    if not enabled and unlisted_members(context):
        return [_unlisted_finding(unlisted_members(context), SSPR_REGISTERED)]
    if not enabled:
        return [Finding(Verdict.NOT_APPLICABLE, "No enabled member user has SSPR enabled, so none needs to "
                        "register for it; MFA040 reports that.", TENANT,
                        collection_evidence(tenant.registration_details_origin))]
    return _per_user(context, enabled, "isSsprRegistered", attrgetter("is_sspr_registered"),
                     "has SSPR enabled but is not registered for it", "with SSPR enabled are registered for it",
                     SSPR_REGISTERED)


def _targets_all_users(targets: Sequence[MethodTarget]) -> bool:
    return any(target.id.lower() == ALL_USERS_TARGET for target in targets)


def _target_names(targets: Sequence[MethodTarget], tenant: Tenant) -> str:
    groups = {group.id.lower(): group.display_name for group in tenant.groups or ()}
    names = []
    for target in targets:
        if target.id.lower() == ALL_USERS_TARGET:
            names.append("all users")
        elif target.id.lower() in groups:
            names.append(f"{target.target_type} '{groups[target.id.lower()]}'")
        else:
            names.append(f"{target.target_type} {target.id}")
    return ", ".join(names) or "nobody"


def registration_campaign(context: CheckContext) -> list[Finding]:
    """MFA031: users are pushed to register: security defaults, or a campaign for all users.

    "Security defaults" gives users 14 days to register; without them, the registration
    campaign of the authentication methods policy is what prompts users to register.
    """
    if (lost := incomplete(context.tenant, AUTH_METHODS_POLICY, SECURITY_DEFAULTS)) is not None:
        return [lost]
    tenant = context.tenant
    defaults = defaults_state(tenant)
    if defaults.state is Defaults.ON:
        return [via_security_defaults(defaults)]
    methods = tenant.authentication_methods_policy
    if methods is None:
        needed = [NEEDS_METHODS] + ([NEEDS_DEFAULTS] if defaults.state is Defaults.UNKNOWN else [])
        return [not_assessed(needed)]
    campaign = methods.registration_campaign
    subject = Subject("policy", "authenticationMethodsPolicy", "Registration campaign")
    if campaign is None:
        return [not_assessed(["registration campaign settings (registrationEnforcement)"], subject)]
    evidence = (Evidence(campaign.origin.child("state"), campaign.state, "enabled"),
                Evidence(campaign.origin.child("includeTargets"), _target_names(campaign.include_targets, tenant)))
    state = campaign.state.lower()
    if state == "enabled" and _targets_all_users(campaign.include_targets):
        excluded = f" ({len(campaign.exclude_targets)} exclusions)" if campaign.exclude_targets else ""
        return [Finding(Verdict.PASS, f"The registration campaign is enabled for all users{excluded}.",
                        subject, evidence)]
    if state == "enabled":
        message = f"The registration campaign targets only {_target_names(campaign.include_targets, tenant)}."
    elif state == "default":
        message = "The registration campaign is left at its default, which Microsoft documents as disabled."
    elif state == "disabled":
        message = "The registration campaign is disabled and security defaults are off."
    else:
        message = f"The registration campaign is in unknown state {campaign.state!r}."
    return [Finding(Verdict.FAIL, message, subject, evidence)]


def authenticator_enabled(context: CheckContext) -> list[Finding]:
    """MFA032: Microsoft Authenticator is enabled for all users in the authentication methods policy.

    "Security defaults" and "Using these methods together" name the Microsoft Authenticator
    app as the method users register; it must be allowed for everyone.
    """
    if (lost := incomplete(context.tenant, AUTH_METHOD_CONFIGURATIONS, AUTH_METHODS_POLICY)) is not None:
        return [lost]
    tenant = context.tenant
    configurations = tenant.authentication_method_configurations
    authenticator = [c for c in configurations or () if c.id.lower() == AUTHENTICATOR_ID]
    if not authenticator:
        if configurations is None:
            return [not_assessed([NEEDS_METHODS])]
        return [Finding(Verdict.FAIL, "The authentication methods policy has no Microsoft Authenticator "
                        "configuration.", TENANT, collection_evidence(
                            tenant.authentication_methods_policy.origin if tenant.authentication_methods_policy
                            else None))]
    config = authenticator[0]
    subject = Subject("method", config.id, "Microsoft Authenticator")
    state = Evidence(config.origin.child("state"), config.state, "enabled")
    if config.state.lower() != "enabled":
        return [Finding(Verdict.FAIL, f"Microsoft Authenticator is {config.state or 'without a state'} in the "
                        "authentication methods policy.", subject, (state,))]
    if config.include_targets is None:
        return [Finding(Verdict.NOT_ASSESSED, "Not assessed: Microsoft Authenticator is enabled, but the export "
                        "does not say for whom (its includeTargets are missing, as in ScubaGear 1.2 exports); "
                        "export the authentication methods policy with its configurations' includeTargets.",
                        subject, (state,))]
    evidence = (state, Evidence(config.origin.child("includeTargets"), _target_names(config.include_targets, tenant)))
    if not _targets_all_users(config.include_targets):
        return [Finding(Verdict.FAIL, "Microsoft Authenticator is enabled only for "
                        f"{_target_names(config.include_targets, tenant)}, not all users.", subject, evidence)]
    return [Finding(Verdict.PASS, "Microsoft Authenticator is enabled for all users.", subject, evidence)]
