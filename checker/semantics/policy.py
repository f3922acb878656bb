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


# Controls that, offered as an alternative (operator OR), let a sign-in through without MFA.
WEAKER_THAN_MFA = {
    "compliantdevice": "a compliant device",
    "domainjoineddevice": "a hybrid-joined device",
    "approvedapplication": "an approved client app",
    "compliantapplication": "an app protection policy",
    "passwordchange": "a password change",
}
_EQUAL_TO_MFA = {"mfa", "riskremediation", "block"}

KNOWN_CLIENT_APP_TYPES = {
    "all", "browser", "mobileappsanddesktopclients", "exchangeactivesync", "eassupported", "other",
}

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


def targets_all_apps(policy: ConditionalAccessPolicy) -> bool:
    return "all" in _lower(policy.include_applications)




def includes_role(policy: ConditionalAccessPolicy, role_template_id: str) -> bool:
    role = role_template_id.lower()
    return targets_all_users(policy) or role in _lower(policy.users.include_roles)


def excludes_role(policy: ConditionalAccessPolicy, role_template_id: str) -> bool:
    return role_template_id.lower() in _lower(policy.users.exclude_roles)


def client_app_types(policy: ConditionalAccessPolicy) -> set[str]:
    """The client app types a policy applies to; empty or "all" means every type."""
    types = _lower(policy.client_app_types)
    if not types or "all" in types:
        return set(KNOWN_CLIENT_APP_TYPES - {"all", "eassupported"})
    return types


def covers_modern_clients(policy: ConditionalAccessPolicy) -> bool:
    return {"browser", "mobileappsanddesktopclients"} <= client_app_types(policy)


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


def grant_requires_mfa(grant: GrantControls | None) -> bool:
    return mfa_grant_gap(grant) is None


def asks_for_mfa(grant: GrantControls | None) -> bool:
    """The grant names MFA in some form, whether or not it also offers a way around it."""
    return grant is not None and (
        "mfa" in _lower(grant.built_in_controls)
        or grant.authentication_strength_id is not None
        or bool(grant.custom_authentication_factors)
    )


def mfa_grant_gap(grant: GrantControls | None) -> str | None:
    """Why the grant does not require MFA, or None when every way through includes MFA."""
    if grant is None:
        return "it has no grant controls"
    if not asks_for_mfa(grant):
        shown = ", ".join(grant.built_in_controls) or "nothing"
        return f"its grant does not ask for MFA (it asks for {shown})"
    if grant.operator.upper() == "AND":
        return None
    if grant.operator.upper() != "OR":
        return f"its grant operator {grant.operator!r} is unknown"
    weaker = weaker_alternatives(grant)
    if weaker:
        return "a sign-in can pass without MFA by offering " + " or ".join(weaker)
    return None


def weaker_alternatives(grant: GrantControls) -> list[str]:
    alternatives = []
    for control in grant.built_in_controls:
        key = control.lower()
        if key in WEAKER_THAN_MFA:
            alternatives.append(WEAKER_THAN_MFA[key])
        elif key not in _EQUAL_TO_MFA:
            alternatives.append(f"the unknown control {control!r}")
    if grant.terms_of_use:
        alternatives.append("accepting terms of use")
    return alternatives


def blocks(policy: ConditionalAccessPolicy) -> bool:
    return policy.grant is not None and "block" in _lower(policy.grant.built_in_controls)


def requires_password_change(policy: ConditionalAccessPolicy) -> bool:
    if policy.grant is None:
        return False
    controls = _lower(policy.grant.built_in_controls)
    return bool(controls & {"passwordchange", "riskremediation", "block"})


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




def unconditional_mfa_shortfalls(policy: ConditionalAccessPolicy, location_name: LocationNames = str) -> list[str]:
    """Why a policy is not an enforced, unconditional, all-apps, modern-clients MFA policy.

    The user scope is left to the caller (all users, or admin roles).
    """
    gaps = []
    if not is_enforced(policy):
        gaps.append(f"it is {state_label(policy)}")
    if not targets_all_apps(policy):
        gaps.append(_apps_gap(policy))
    if not covers_modern_clients(policy):
        gaps.append("it does not cover browsers and modern desktop/mobile clients "
                    f"(client app types: {', '.join(policy.client_app_types)})")
    gaps.extend(narrowing_conditions(policy, location_name))
    grant_gap = mfa_grant_gap(policy.grant)
    if grant_gap is not None:
        gaps.append(grant_gap)
    return gaps


def _apps_gap(policy: ConditionalAccessPolicy) -> str:
    if policy.include_user_actions:
        return f"it targets user actions ({', '.join(policy.include_user_actions)}), not all apps"
    if policy.include_authentication_contexts:
        return "it targets authentication contexts, not all apps"
    shown = ", ".join(policy.include_applications) or "none"
    return f"it targets only some apps ({shown}), not all apps"


def is_unconditional_mfa_policy(policy: ConditionalAccessPolicy) -> bool:
    return not unconditional_mfa_shortfalls(policy)


def tenant_location_namer(locations: Iterable[NamedLocation]) -> LocationNames:
    """Named location id -> display name, for messages such as "MFA is not required from 'Head office'"."""
    return location_namer({location.id.lower(): location.display_name for location in locations})


def location_namer(names: Mapping[str, str]) -> LocationNames:
    def name_of(location_id: str) -> str:
        return names.get(location_id.lower(), location_id)
    return name_of
