"""A Conditional Access policy object (any API version, any key case) to the model.

Absent or null parts read as the Graph API implies: no condition, no control.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checker.inputs import fields
from checker.inputs.fields import ShapeError, within
from checker.model import ConditionalAccessPolicy, GrantControls, UserScope
from checker.origin import Origin


def parse_policy(obj: Mapping[str, Any], origin: Origin) -> ConditionalAccessPolicy:
    conditions = fields.mapping(obj, "conditions") or {}
    try:
        condition_values = _conditions(conditions)
    except ShapeError as error:
        raise within("/conditions", error) from None
    policy_id = fields.text(obj, "id") or fields.text(obj, "displayName") or origin.pointer or origin.file
    return ConditionalAccessPolicy(
        id=policy_id,
        display_name=fields.text(obj, "displayName") or policy_id,
        state=fields.text(obj, "state"),
        origin=origin,
        grant=_grant(obj),
        **condition_values,
    )


def _conditions(conditions: Mapping[str, Any]) -> dict[str, Any]:
    applications = fields.mapping(conditions, "applications") or {}
    locations = fields.mapping(conditions, "locations")
    platforms = fields.mapping(conditions, "platforms")
    devices = fields.mapping(conditions, "devices")
    flows = fields.mapping(conditions, "authenticationFlows")
    client_applications = fields.mapping(conditions, "clientApplications") or {}
    return {
        "users": _user_scope(fields.mapping(conditions, "users") or {}),
        "include_applications": fields.strings(applications, "includeApplications"),
        "exclude_applications": fields.strings(applications, "excludeApplications"),
        "include_user_actions": fields.strings(applications, "includeUserActions"),
        "include_authentication_contexts": fields.strings(
            applications, "includeAuthenticationContextClassReferences"
        ),
        "client_app_types": fields.strings(conditions, "clientAppTypes"),
        "sign_in_risk_levels": fields.strings(conditions, "signInRiskLevels"),
        "user_risk_levels": fields.strings(conditions, "userRiskLevels"),
        "service_principal_risk_levels": fields.strings(conditions, "servicePrincipalRiskLevels"),
        "insider_risk_levels": fields.strings(conditions, "insiderRiskLevels"),
        "include_locations": None if locations is None else fields.strings(locations, "includeLocations"),
        "exclude_locations": () if locations is None else fields.strings(locations, "excludeLocations"),
        "include_platforms": None if platforms is None else fields.strings(platforms, "includePlatforms"),
        "exclude_platforms": () if platforms is None else fields.strings(platforms, "excludePlatforms"),
        "has_device_filter": devices is not None and _has_device_filter(devices),
        "authentication_flows": () if flows is None else _transfer_methods(flows),
        "include_service_principals": fields.strings(client_applications, "includeServicePrincipals"),
    }


def _user_scope(users: Mapping[str, Any]) -> UserScope:
    return UserScope(
        include_users=fields.strings(users, "includeUsers"),
        exclude_users=fields.strings(users, "excludeUsers"),
        include_groups=fields.strings(users, "includeGroups"),
        exclude_groups=fields.strings(users, "excludeGroups"),
        include_roles=fields.strings(users, "includeRoles"),
        exclude_roles=fields.strings(users, "excludeRoles"),
        include_guest_types=_guest_types(fields.mapping(users, "includeGuestsOrExternalUsers")),
        exclude_guest_types=_guest_types(fields.mapping(users, "excludeGuestsOrExternalUsers")),
    )


def _guest_types(value: Mapping[str, Any] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    kinds = fields.get(value, "guestOrExternalUserTypes")
    if isinstance(kinds, str):
        return tuple(kind.strip() for kind in kinds.split(",") if kind.strip() and kind.strip() != "none")
    return ()


def _has_device_filter(devices: Mapping[str, Any]) -> bool:
    device_filter = fields.mapping(devices, "deviceFilter")
    if device_filter is not None and fields.text(device_filter, "rule").strip():
        return True
    # the older device-state condition narrows a policy just the same
    return bool(fields.strings(devices, "includeDevices") or fields.strings(devices, "excludeDevices"))


def _transfer_methods(flows: Mapping[str, Any]) -> tuple[str, ...]:
    methods = fields.get(flows, "transferMethods")
    if isinstance(methods, str):
        return tuple(m.strip() for m in methods.split(",") if m.strip() and m.strip() != "none")
    return ()


def _grant(obj: Mapping[str, Any]) -> GrantControls | None:
    grant = fields.mapping(obj, "grantControls")
    if grant is None:
        return None
    try:
        strength = fields.mapping(grant, "authenticationStrength")
        return GrantControls(
            operator=(fields.text(grant, "operator") or "OR").upper(),
            built_in_controls=tuple(c.lower() if c.lower() in _KNOWN_CONTROLS else c
                                    for c in fields.strings(grant, "builtInControls")),
            authentication_strength_id=fields.text(strength, "id") or None if strength else None,
            authentication_strength_name=fields.text(strength, "displayName") or None if strength else None,
            custom_authentication_factors=fields.strings(grant, "customAuthenticationFactors"),
            terms_of_use=fields.strings(grant, "termsOfUse"),
        )
    except ShapeError as error:
        raise within("/grantControls", error) from None


_KNOWN_CONTROLS = frozenset({
    "block", "mfa", "compliantdevice", "domainjoineddevice", "approvedapplication",
    "compliantapplication", "passwordchange", "riskremediation", "unknownfuturevalue",
})
