"""Conditional Access semantics (DESIGN section 4). Every check asks these questions here.

Functions that can say "no" return the reasons in words, so that a failing result can tell
the user which policy came close and what kept it from counting.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from checker.model import ConditionalAccessPolicy, GrantControls, NamedLocation

ENABLED = "enabled"
REPORT_ONLY = "enabledforreportingbutnotenforced"
DISABLED = "disabled"


LocationNames = Callable[[str], str]


def _lower(values: Iterable[str]) -> set[str]:
    return {value.lower() for value in values}


def is_enforced(policy: ConditionalAccessPolicy) -> bool:
    return policy.state.lower() == ENABLED


def is_report_only(policy: ConditionalAccessPolicy) -> bool:
    return policy.state.lower() == REPORT_ONLY


def state_label(policy: ConditionalAccessPolicy) -> str:
    state = policy.state.lower()
    if state == ENABLED:
        return "enforced"
    if state == REPORT_ONLY:
        return "report-only"
    if state == DISABLED:
        return "disabled"
    if not state:
        return "without a state"
    return f"in unknown state {policy.state!r}"


def targets_all_users(policy: ConditionalAccessPolicy) -> bool:
    return "all" in _lower(policy.users.include_users)


def includes_role(policy: ConditionalAccessPolicy, role_template_id: str) -> bool:
    role = role_template_id.lower()
    return targets_all_users(policy) or role in _lower(policy.users.include_roles)


def excludes_role(policy: ConditionalAccessPolicy, role_template_id: str) -> bool:
    return role_template_id.lower() in _lower(policy.users.exclude_roles)


def narrowing_conditions(policy: ConditionalAccessPolicy, location_name: LocationNames = str,
                         effect: str = "MFA is not required") -> list[str]:
    """Why a policy is not unconditional, in words; empty when it applies unconditionally.

    ``effect`` says what an excluded location escapes ("MFA is not required", "access is not blocked").
    """
    reasons: list[str] = []
    for levels, what in (
        (policy.sign_in_risk_levels, "sign-in risk"),
        (policy.user_risk_levels, "user risk"),
        (policy.service_principal_risk_levels, "service principal risk"),
        (policy.insider_risk_levels, "insider risk"),
    ):
        if levels:
            reasons.append(f"applies only at {what} {', '.join(levels)}")
    reasons.extend(_location_reasons(policy, location_name, effect))
    if policy.include_platforms is not None:
        included = _lower(policy.include_platforms)
        if included != {"all"}:
            reasons.append(f"applies only on platforms {', '.join(policy.include_platforms) or '(none)'}")
        if policy.exclude_platforms:
            reasons.append(f"skips platforms {', '.join(policy.exclude_platforms)}")
    if policy.device_filter is not None:
        reasons.append("applies only to devices matching a filter")
    if policy.authentication_flows:
        reasons.append(f"applies only to authentication flows {', '.join(policy.authentication_flows)}")
    return reasons


def _location_reasons(policy: ConditionalAccessPolicy, location_name: LocationNames, effect: str) -> list[str]:
    if policy.include_locations is None:
        return []
    reasons = []
    included = _lower(policy.include_locations)
    if included != {"all"}:
        names = ", ".join(_location_label(value, location_name) for value in policy.include_locations)
        reasons.append(f"applies only from {names or '(no location)'}")
    if policy.exclude_locations:
        names = ", ".join(_location_label(value, location_name) for value in policy.exclude_locations)
        reasons.append(f"{effect} from {names}")
    return reasons


def _location_label(value: str, location_name: LocationNames) -> str:
    if value.lower() == "alltrusted":
        return "trusted locations"
    if value.lower() == "all":
        return "any location"
    name = location_name(value)
    return f"'{name}'" if name != value else f"location {value}"


def asks_for_mfa(grant: GrantControls | None) -> bool:
    """The grant names MFA in some form, whether or not it also offers a way around it."""
    return grant is not None and (
        "mfa" in _lower(grant.built_in_controls)
        or grant.authentication_strength_id is not None
        or bool(grant.custom_authentication_factors)
    )


_DEVICE_CONTROLS = {"compliantdevice", "domainjoineddevice"}


def requires_compliant_device(policy: ConditionalAccessPolicy) -> bool:
    """Every way through the grant needs a compliant or hybrid-joined device.

    With OR, a device control beside another control is only one alternative among several.
    """
    if policy.grant is None:
        return False
    controls = _lower(policy.grant.built_in_controls)
    if not controls & _DEVICE_CONTROLS:
        return False
    if policy.grant.operator.upper() == "AND":
        return True
    grant = policy.grant
    others = grant.terms_of_use or grant.custom_authentication_factors or grant.authentication_strength_id \
        or grant.authentication_strength is not None
    return controls <= _DEVICE_CONTROLS and not others


def tenant_location_namer(locations: Iterable[NamedLocation]) -> LocationNames:
    """Named location id -> display name, for messages such as "MFA is not required from 'Head office'"."""
    return location_namer({location.id.lower(): location.display_name for location in locations})


def location_namer(names: Mapping[str, str]) -> LocationNames:
    def name_of(location_id: str) -> str:
        return names.get(location_id.lower(), location_id)
    return name_of
