"""Graph objects other than Conditional Access policies, to the model."""
from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from checker.inputs import fields, identify
from checker.inputs.ca_policy import parse_policy, parse_strength
from checker.model import (
    AuthenticationMethodConfiguration,
    AuthenticationStrength,
    DirectoryRole,
    Group,
    MethodTarget,
    NamedLocation,
    PerUserMfaState,
    RegistrationCampaign,
    RegistrationDetail,
    RoleAssignment,
    RoleDefinition,
    SecurityDefaults,
    ServicePlan,
    SubscribedSku,
    User,
)
from checker.origin import Origin

Parser = Callable[[Mapping[str, Any], Origin], Any]


def parse_security_defaults(obj: Mapping[str, Any], origin: Origin) -> SecurityDefaults:
    enabled = fields.boolean(obj, "isEnabled")
    if enabled is None:
        raise fields.ShapeError("/isEnabled", "security defaults without isEnabled")
    return SecurityDefaults(is_enabled=enabled, origin=origin)


def parse_sku(obj: Mapping[str, Any], origin: Origin) -> SubscribedSku:
    plans = tuple(
        ServicePlan(
            service_plan_id=fields.text(plan, "servicePlanId").lower(),
            service_plan_name=fields.text(plan, "servicePlanName"),
            provisioning_status=fields.text(plan, "provisioningStatus"),
        )
        for plan in fields.objects(obj, "servicePlans")
    )
    return SubscribedSku(
        sku_id=fields.text(obj, "skuId"),
        sku_part_number=fields.text(obj, "skuPartNumber"),
        capability_status=fields.text(obj, "capabilityStatus"),
        service_plans=plans,
        origin=origin,
    )


# A user's id, name and type come again in their registration details, and a type is one of a
# few words: held once, they take a quarter of the model's memory less on a 100k-user export.
_shared = sys.intern


def parse_user(obj: Mapping[str, Any], origin: Origin) -> User:
    return User(
        id=_shared(fields.text(obj, "id")),
        user_principal_name=_shared(fields.text(obj, "userPrincipalName")),
        display_name=_shared(fields.text(obj, "displayName")),
        account_enabled=fields.boolean(obj, "accountEnabled"),
        user_type=_shared(fields.text(obj, "userType")) or None,
        origin=origin,
        creation_type=_shared(fields.text(obj, "creationType")) or None,
        external_user_state=_shared(fields.text(obj, "externalUserState")) or None,
    )


def _members(obj: Mapping[str, Any]) -> tuple[tuple[str, ...] | None, tuple[str, ...], bool]:
    """(member ids, the members typed as groups, whether the list is transitive)."""
    for name, transitive in (("members", False), ("transitiveMembers", True)):
        if fields.has(obj, name):
            members = fields.objects(obj, name)
            ids = tuple(fields.text(member, "id") for member in members)
            groups = tuple(fields.text(m, "id") for m in members if fields.odata_type(m).endswith(".group"))
            return ids, groups, transitive
    return None, (), False


def _member_ids(obj: Mapping[str, Any]) -> tuple[str, ...] | None:
    return _members(obj)[0]


def parse_group(obj: Mapping[str, Any], origin: Origin) -> Group:
    member_ids, nested, transitive = _members(obj)
    return Group(
        id=fields.text(obj, "id"),
        display_name=fields.text(obj, "displayName"),
        member_ids=member_ids,
        origin=origin,
        nested_group_ids=nested,
        members_are_transitive=transitive,
    )


def parse_directory_role(obj: Mapping[str, Any], origin: Origin) -> DirectoryRole:
    return DirectoryRole(
        id=fields.text(obj, "id"),
        role_template_id=fields.text(obj, "roleTemplateId").lower(),
        display_name=fields.text(obj, "displayName"),
        member_ids=_member_ids(obj),
        origin=origin,
        member_principal_names=tuple(
            (fields.text(member, "id"), fields.text(member, "userPrincipalName"))
            for member in fields.objects(obj, "members") if fields.text(member, "userPrincipalName")),
    )


def parse_role_assignment(obj: Mapping[str, Any], origin: Origin) -> RoleAssignment:
    return RoleAssignment(
        id=fields.text(obj, "id"),
        principal_id=fields.text(obj, "principalId"),
        role_definition_id=fields.text(obj, "roleDefinitionId").lower(),
        directory_scope_id=fields.text(obj, "directoryScopeId", "/"),
        origin=origin,
    )


def parse_role_definition(obj: Mapping[str, Any], origin: Origin) -> RoleDefinition:
    return RoleDefinition(
        id=fields.text(obj, "id").lower(),
        template_id=(fields.text(obj, "templateId") or fields.text(obj, "id")).lower(),
        display_name=fields.text(obj, "displayName"),
        origin=origin,
    )


def parse_registration_detail(obj: Mapping[str, Any], origin: Origin) -> RegistrationDetail:
    return RegistrationDetail(
        id=_shared(fields.text(obj, "id")),
        user_principal_name=_shared(fields.text(obj, "userPrincipalName")),
        display_name=_shared(fields.text(obj, "userDisplayName") or fields.text(obj, "displayName")),
        is_admin=fields.boolean(obj, "isAdmin"),
        user_type=_shared(fields.text(obj, "userType")) or None,
        is_mfa_registered=fields.boolean(obj, "isMfaRegistered"),
        is_sspr_enabled=fields.boolean(obj, "isSsprEnabled"),
        is_sspr_registered=fields.boolean(obj, "isSsprRegistered"),
        origin=origin,
    )


def _targets(obj: Mapping[str, Any], name: str) -> tuple[MethodTarget, ...]:
    return tuple(
        MethodTarget(target_type=fields.text(target, "targetType"), id=fields.text(target, "id"))
        for target in fields.objects(obj, name)
    )


def parse_method_configuration(obj: Mapping[str, Any], origin: Origin) -> AuthenticationMethodConfiguration:
    return AuthenticationMethodConfiguration(
        id=fields.text(obj, "id"),
        state=fields.text(obj, "state"),
        include_targets=_targets(obj, "includeTargets") if fields.has(obj, "includeTargets") else None,
        origin=origin,
    )


def parse_registration_campaign(policy: Mapping[str, Any], origin: Origin) -> RegistrationCampaign | None:
    enforcement = fields.mapping(policy, "registrationEnforcement")
    if enforcement is None:
        return None
    campaign = fields.mapping(enforcement, "authenticationMethodsRegistrationCampaign")
    if campaign is None:
        return None
    return RegistrationCampaign(
        state=fields.text(campaign, "state"),
        include_targets=_targets(campaign, "includeTargets"),
        exclude_targets=_targets(campaign, "excludeTargets"),
        origin=origin.child("registrationEnforcement", "authenticationMethodsRegistrationCampaign"),
    )


def parse_authentication_strength(obj: Mapping[str, Any], origin: Origin) -> AuthenticationStrength:
    return parse_strength(obj, origin)


def _is_trusted(obj: Mapping[str, Any]) -> bool | None:
    """Country locations cannot be marked trusted; an IP range says so, or it is not known."""
    trusted = fields.boolean(obj, "isTrusted")
    if trusted is None and "country" in (fields.odata_type(obj) + fields.text(obj, "locationType")).lower():
        return False
    return trusted


def parse_named_location(obj: Mapping[str, Any], origin: Origin) -> NamedLocation:
    return NamedLocation(
        id=fields.text(obj, "id"),
        display_name=fields.text(obj, "displayName"),
        is_trusted=_is_trusted(obj),
        origin=origin,
    )


def parse_per_user_mfa(obj: Mapping[str, Any], origin: Origin) -> PerUserMfaState:
    return PerUserMfaState(
        id=fields.text(obj, "id"),
        user_principal_name=fields.text(obj, "userPrincipalName"),
        state=fields.text(obj, "perUserMfaState").lower(),
        origin=origin,
    )


class MemberLink(NamedTuple):
    """One member of a group or directory role, from a file of its own."""

    parent_kind: str  # "group" or "role"
    parent_id: str
    parent_is_template: bool
    member_id: str
    member_is_group: bool
    transitive: bool
    origin: Origin


def parse_group_member(obj: Mapping[str, Any], origin: Origin) -> MemberLink:
    return MemberLink("group", fields.text(obj, "groupId").lower(), False, fields.text(obj, "id"),
                      fields.odata_type(obj).endswith(".group"), fields.boolean(obj, "transitive") is True, origin)


def parse_role_member(obj: Mapping[str, Any], origin: Origin) -> MemberLink:
    role_id = fields.text(obj, "roleId")
    parent = role_id or fields.text(obj, "roleTemplateId")
    return MemberLink("role", parent.lower(), not role_id, fields.text(obj, "id"),
                      fields.odata_type(obj).endswith(".group"), False, origin)


PARSERS: dict[str, Parser] = {
    identify.CA_POLICIES: parse_policy,
    identify.SECURITY_DEFAULTS: parse_security_defaults,
    identify.SUBSCRIBED_SKUS: parse_sku,
    identify.USERS: parse_user,
    identify.GROUPS: parse_group,
    identify.DIRECTORY_ROLES: parse_directory_role,
    identify.ROLE_ASSIGNMENTS: parse_role_assignment,
    identify.ROLE_DEFINITIONS: parse_role_definition,
    identify.REGISTRATION_DETAILS: parse_registration_detail,
    identify.AUTH_METHOD_CONFIGURATIONS: parse_method_configuration,
    identify.AUTH_STRENGTHS: parse_authentication_strength,
    identify.NAMED_LOCATIONS: parse_named_location,
    identify.PER_USER_MFA: parse_per_user_mfa,
    identify.GROUP_MEMBERS: parse_group_member,
    identify.ROLE_MEMBERS: parse_role_member,
}
