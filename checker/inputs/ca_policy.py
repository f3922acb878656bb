"""A Conditional Access policy object (any API version, any key case) to the model.

Absent or null parts read as the Graph API implies: no condition, no control.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from checker.inputs import fields
from checker.inputs.fields import ShapeError, within
from checker.model import (
    AttributeFilter,
    AuthenticationStrength,
    ConditionalAccessPolicy,
    GrantControls,
    UserScope,
)
from checker.origin import Origin

T = TypeVar("T")


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
        grant=_grant(obj, origin),
        **condition_values,
    )


def _conditions(conditions: Mapping[str, Any]) -> dict[str, Any]:
    applications = _part(conditions, "applications") or {}
    locations = _part(conditions, "locations")
    platforms = _part(conditions, "platforms")
    devices = _part(conditions, "devices")
    flows = _part(conditions, "authenticationFlows")
    client_applications = _part(conditions, "clientApplications") or {}
    include_locations = _within("/locations", fields.strings, locations, "includeLocations")
    exclude_locations = _within("/locations", fields.strings, locations, "excludeLocations")
    include_platforms = _within("/platforms", fields.strings, platforms, "includePlatforms")
    exclude_platforms = _within("/platforms", fields.strings, platforms, "excludePlatforms")
    return {
        "users": _nested("/users", _user_scope, _part(conditions, "users") or {}),
        "include_applications": _within("/applications", fields.strings, applications, "includeApplications"),
        "exclude_applications": _within("/applications", fields.strings, applications, "excludeApplications"),
        "include_user_actions": _within("/applications", fields.strings, applications, "includeUserActions"),
        "include_authentication_contexts": _within(
            "/applications", fields.strings, applications, "includeAuthenticationContextClassReferences"
        ),
        "client_app_types": fields.strings(conditions, "clientAppTypes"),
        "sign_in_risk_levels": fields.strings(conditions, "signInRiskLevels"),
        "user_risk_levels": fields.strings(conditions, "userRiskLevels"),
        "service_principal_risk_levels": fields.strings(conditions, "servicePrincipalRiskLevels"),
        "insider_risk_levels": fields.strings(conditions, "insiderRiskLevels"),
        # an SDK dump writes an unset condition as an object of empty lists
        "include_locations": include_locations or (None if not exclude_locations else ("All",)),
        "exclude_locations": exclude_locations,
        "include_platforms": include_platforms or (None if not exclude_platforms else ("all",)),
        "exclude_platforms": exclude_platforms,
        "device_filter": None if devices is None else _nested("/devices", _device_filter, devices),
        "application_filter": _within_filter("/applications", applications, "applicationFilter"),
        "authentication_flows": () if flows is None else _nested("/authenticationFlows", _transfer_methods, flows),
        "include_service_principals": _within(
            "/clientApplications", fields.strings, client_applications, "includeServicePrincipals"
        ),
    }


def _part(conditions: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    return fields.mapping(conditions, name)


def _nested(prefix: str, read: Callable[[Mapping[str, Any]], T], obj: Mapping[str, Any]) -> T:
    """Run ``read`` on a nested object, anchoring any shape error below ``prefix``."""
    try:
        return read(obj)
    except ShapeError as error:
        raise within(prefix, error) from None


def _within(prefix: str, read: Callable[[Mapping[str, Any], str], tuple[str, ...]],
            obj: Mapping[str, Any] | None, name: str) -> tuple[str, ...]:
    if obj is None:
        return ()
    return _nested(prefix, lambda part: read(part, name), obj)


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
        include_guest_tenants=_guest_tenants(fields.mapping(users, "includeGuestsOrExternalUsers")),
        exclude_guest_tenants=_guest_tenants(fields.mapping(users, "excludeGuestsOrExternalUsers")),
    )


def _guest_types(value: Mapping[str, Any] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    kinds = fields.get(value, "guestOrExternalUserTypes")
    if isinstance(kinds, str):
        return tuple(kind.strip() for kind in kinds.split(",") if kind.strip() and kind.strip() != "none")
    if isinstance(kinds, list):
        return tuple(str(kind).strip() for kind in kinds if str(kind).strip() and str(kind).strip() != "none")
    return ()


def _guest_tenants(value: Mapping[str, Any] | None) -> tuple[str, ...] | None:
    """The tenants a guest condition names; None when it means every tenant (or names none)."""
    if value is None:
        return None
    tenants = fields.mapping(value, "externalTenants")
    if tenants is None or (fields.text(tenants, "membershipKind") or "all").lower() == "all":
        return None
    return fields.strings(tenants, "members")


def _attribute_filter(obj: Mapping[str, Any] | None) -> AttributeFilter | None:
    if obj is None:
        return None
    rule = fields.text(obj, "rule").strip()
    if not rule:
        return None
    return AttributeFilter((fields.text(obj, "mode") or "include").lower(), rule)


def _within_filter(prefix: str, part: Mapping[str, Any], name: str) -> AttributeFilter | None:
    return _nested(prefix, lambda obj: _attribute_filter(fields.mapping(obj, name)), part)


def _device_filter(devices: Mapping[str, Any]) -> AttributeFilter | None:
    found = _within_filter("", devices, "deviceFilter")
    if found is not None:
        return found
    # The older device-state condition ("all devices except compliant ones") reads as a filter.
    include = fields.strings(devices, "includeDevices") or fields.strings(devices, "includeDeviceStates")
    exclude = fields.strings(devices, "excludeDevices") or fields.strings(devices, "excludeDeviceStates")
    if not include and not exclude:
        return None
    if exclude:
        return AttributeFilter("exclude", "deviceState in [" + ", ".join(exclude) + "]")
    return AttributeFilter("include", "deviceState in [" + ", ".join(include) + "]")


def _transfer_methods(flows: Mapping[str, Any]) -> tuple[str, ...]:
    methods = fields.get(flows, "transferMethods")
    if isinstance(methods, str):
        return tuple(m.strip() for m in methods.split(",") if m.strip() and m.strip() != "none")
    return ()


def _grant(obj: Mapping[str, Any], origin: Origin) -> GrantControls | None:
    grant = fields.mapping(obj, "grantControls")
    if grant is None:
        return None
    try:
        strength = fields.mapping(grant, "authenticationStrength")
        strength_id = _nested("/authenticationStrength", lambda part: fields.text(part, "id"), strength or {})
        strength_name = _nested("/authenticationStrength", lambda part: fields.text(part, "displayName"),
                                strength or {})
        embedded = (None if strength is None or not fields.get(strength, "allowedCombinations") else
                    _nested("/authenticationStrength", lambda part: parse_strength(
                        part, origin.child("grantControls", "authenticationStrength")), strength))
        return GrantControls(
            operator=(fields.text(grant, "operator") or "OR").upper(),
            built_in_controls=tuple(_GRAPH_SPELLING.get(c.lower(), c)
                                    for c in fields.strings(grant, "builtInControls")),
            authentication_strength_id=strength_id or None,
            authentication_strength_name=strength_name or None,
            authentication_strength=embedded,
            custom_authentication_factors=fields.strings(grant, "customAuthenticationFactors"),
            terms_of_use=fields.strings(grant, "termsOfUse"),
        )
    except ShapeError as error:
        raise within("/grantControls", error) from None


def parse_strength(obj: Mapping[str, Any], origin: Origin) -> AuthenticationStrength:
    """An authentication strength policy, standalone or expanded inside a grant."""
    combinations = fields.strings(obj, "allowedCombinations") if fields.has(obj, "allowedCombinations") else None
    return AuthenticationStrength(
        id=fields.text(obj, "id"),
        display_name=fields.text(obj, "displayName"),
        allowed_combinations=combinations,
        origin=origin,
        policy_type=fields.text(obj, "policyType"),
        requirements_satisfied=fields.text(obj, "requirementsSatisfied"),
    )


# Graph's own spelling of each grant control, whatever case the export used.
_GRAPH_SPELLING = {name.lower(): name for name in (
    "block", "mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication", "compliantApplication",
    "passwordChange", "riskRemediation", "unknownFutureValue",
)}
