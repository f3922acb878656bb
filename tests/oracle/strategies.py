"""Hypothesis strategies for small random tenants, built directly from the model.

Every condition is drawn from a small vocabulary so that the policies of one tenant talk
about the same users, groups, roles, apps, locations and devices, and overlap often. The
unknowns (a group without members, no role assignments, a user without a type, a location
of unknown trust, a strength known by id only, ...) come now and then, a few per tenant, so
that a naive enumeration of every possible world stays fast.
"""
from __future__ import annotations

from typing import NamedTuple

from hypothesis import strategies as st

from checker import entra
from checker.model import (
    AttributeFilter,
    AuthenticationStrength,
    ConditionalAccessPolicy,
    GrantControls,
    Group,
    NamedLocation,
    RoleAssignment,
    RoleDefinition,
    Tenant,
    User,
    UserScope,
)
from checker.origin import Origin

ORIGIN = Origin("test.json", "/x")

GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
EXCHANGE_ADMIN = "29232cdf-9323-42fd-ade2-1d097af3e4de"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
ROLE_TEMPLATES = (GLOBAL_ADMIN, EXCHANGE_ADMIN, USER_ADMIN)
assert all(role in entra.ADMIN_ROLES for role in ROLE_TEMPLATES)

EXCHANGE_ONLINE = "00000002-0000-0ff1-ce00-000000000000"  # in entra.OFFICE365_APPS
SHAREPOINT_ONLINE = "00000003-0000-0ff1-ce00-000000000000"  # in entra.OFFICE365_APPS
LINE_OF_BUSINESS_APP = "5e0c1b7a-4f2d-4c1e-9a8b-7d6e5f4a3b21"  # in no bundle the tool knows
APPS = (EXCHANGE_ONLINE, SHAREPOINT_ONLINE, LINE_OF_BUSINESS_APP)
assert EXCHANGE_ONLINE in entra.OFFICE365_APPS and SHAREPOINT_ONLINE in entra.OFFICE365_APPS
assert LINE_OF_BUSINESS_APP not in entra.OFFICE365_APPS

MFA_STRENGTH = "00000000-0000-0000-0000-000000000002"
PHISHING_RESISTANT_STRENGTH = "00000000-0000-0000-0000-000000000004"
CUSTOM_MFA_STRENGTH = "aaaaaaaa-0000-4000-8000-000000000001"
CUSTOM_WEAK_STRENGTH = "aaaaaaaa-0000-4000-8000-000000000002"
UNKNOWN_STRENGTH = "aaaaaaaa-0000-4000-8000-0000000000ff"

COMPLIANT = "device.isCompliant -eq True"
NOT_COMPLIANT = "device.isCompliant -ne True"
HYBRID_JOINED = 'device.trustType -eq "ServerAD"'
DEVICE_RULES = (COMPLIANT, NOT_COMPLIANT, HYBRID_JOINED)

GUEST_TENANTS = ("c0ffee00-0000-4000-8000-000000000001", "c0ffee00-0000-4000-8000-000000000002")
REAL_GUEST_TYPES = ("internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember")


def _user_ids(count: int) -> list[str]:
    return [f"user-{index}" for index in range(1, count + 1)]


def _group_ids(count: int) -> list[str]:
    return [f"group-{index}" for index in range(1, count + 1)]


def _location_ids(count: int) -> list[str]:
    return [f"10c0000{index}-0000-4000-8000-000000000000" for index in range(1, count + 1)]


@st.composite
def _user(draw: st.DrawFn, user_id: str) -> User:
    kind = draw(st.sampled_from(
        ["member"] * 4 + ["external guest", "external guest", "internal guest", "invited member", "no type"]))
    name = user_id.replace("-", "")
    upn = f"{name}@contoso.example"
    user_type: str | None = "Member"
    creation_type = None
    if kind == "external guest":
        user_type = "Guest"
        if draw(st.booleans()):
            upn = f"{name}_fabrikam.example#EXT#@contoso.example"
        else:
            creation_type = "Invitation"
    elif kind == "internal guest":
        user_type = "Guest"
    elif kind == "invited member":
        upn = f"{name}_fabrikam.example#EXT#@contoso.example"
    elif kind == "no type":
        user_type = None
        if draw(st.booleans()):
            upn = f"{name}_fabrikam.example#EXT#@contoso.example"
    enabled = draw(st.sampled_from([True, True, True, True, False]))
    return User(user_id, upn, name, enabled, user_type, ORIGIN, creation_type=creation_type)


@st.composite
def _group(draw: st.DrawFn, group_id: str, user_ids: list[str], group_ids: list[str]) -> Group:
    if draw(st.integers(0, 9)) == 0:
        return Group(group_id, group_id, None, ORIGIN)
    users = draw(st.lists(st.sampled_from(user_ids), max_size=3, unique=True))
    others = [other for other in group_ids if other != group_id]
    nested = draw(st.lists(st.sampled_from(others), max_size=2, unique=True)) if others else []
    return Group(group_id, group_id, (*users, *nested), ORIGIN, nested_group_ids=tuple(nested))


@st.composite
def _roles(draw: st.DrawFn, principals: list[str]
           ) -> tuple[tuple[RoleDefinition, ...] | None, tuple[RoleAssignment, ...] | None]:
    if draw(st.integers(0, 9)) == 0:
        return None, None
    templates = draw(st.lists(st.sampled_from(ROLE_TEMPLATES), min_size=2, max_size=3, unique=True))
    definitions = []
    for index, template in enumerate(templates):
        # a role definition's id is its template id, or (now and then) an id of its own
        definition_id = template if draw(st.booleans()) else f"def-{index}"
        definitions.append(RoleDefinition(definition_id, template, entra.ADMIN_ROLES[template], ORIGIN))
    assignments = []
    for index in range(draw(st.integers(0, 3))):
        definition = draw(st.sampled_from(definitions))
        scope = draw(st.sampled_from(["/", "/", "/", "", "/administrativeUnits/au-1"]))
        assignments.append(RoleAssignment(f"assignment-{index}", draw(st.sampled_from(principals)),
                                          definition.id, scope, ORIGIN))
    return tuple(definitions), tuple(assignments)


def _strengths() -> dict[str, AuthenticationStrength]:
    return {
        CUSTOM_MFA_STRENGTH: AuthenticationStrength(
            CUSTOM_MFA_STRENGTH, "Custom MFA", ("password,microsoftAuthenticatorPush", "fido2"), ORIGIN,
            policy_type="custom", requirements_satisfied="mfa"),
        CUSTOM_WEAK_STRENGTH: AuthenticationStrength(
            CUSTOM_WEAK_STRENGTH, "Password or SMS", ("password", "password,sms"), ORIGIN,
            policy_type="custom", requirements_satisfied="mfa"),
    }


# Grants drawn by name; strengths are drawn apart, as they depend on the tenant's own.
_FIXED_GRANTS: dict[str, GrantControls | None] = {
    "mfa": GrantControls("OR", ("mfa",)),
    "block": GrantControls("OR", ("block",)),
    "device or mfa": GrantControls("OR", ("mfa", "compliantDevice")),
    "device and mfa": GrantControls("AND", ("mfa", "compliantDevice")),
    "terms or mfa": GrantControls("OR", ("mfa",), terms_of_use=("terms-1",)),
    "password change and mfa": GrantControls("AND", ("mfa", "passwordChange")),
    "password change": GrantControls("OR", ("passwordChange",)),
    "device": GrantControls("OR", ("compliantDevice", "domainJoinedDevice")),
    "none": None,
    "unknown": GrantControls("OR", ("unknownFutureValue",)),
}


@st.composite
def _grant(draw: st.DrawFn, strengths: dict[str, AuthenticationStrength]) -> GrantControls | None:
    kind = draw(st.sampled_from(
        ["mfa"] * 4 + ["block"] * 2 + ["device or mfa", "device and mfa", "strength", "strength", "terms or mfa",
                                       "password change and mfa", "password change", "device", "none", "unknown"]))
    if kind in _FIXED_GRANTS:
        return _FIXED_GRANTS[kind]
    strength_id = draw(st.sampled_from(
        [MFA_STRENGTH, PHISHING_RESISTANT_STRENGTH, CUSTOM_MFA_STRENGTH, CUSTOM_WEAK_STRENGTH, CUSTOM_MFA_STRENGTH,
         UNKNOWN_STRENGTH]))
    embedded = strengths.get(strength_id) if draw(st.booleans()) else None
    operator, controls = draw(st.sampled_from([("OR", ()), ("OR", ()), ("AND", ("compliantDevice",)),
                                               ("OR", ("compliantDevice",))]))
    return GrantControls(operator, controls, authentication_strength_id=strength_id, authentication_strength=embedded)


@st.composite
def _user_scope(draw: st.DrawFn, user_ids: list[str], group_ids: list[str]) -> UserScope:
    def some(values: list[str] | tuple[str, ...], chance: int) -> tuple[str, ...]:
        if not values or draw(st.integers(0, 9)) >= chance:
            return ()
        return tuple(draw(st.lists(st.sampled_from(list(values)), min_size=1, max_size=2, unique=True)))

    include_users = draw(st.sampled_from(
        [("All",)] * 6 + [("None",), ("GuestsOrExternalUsers",), ()] + [(user_id,) for user_id in user_ids[:2]]))
    include_guest_types = some(REAL_GUEST_TYPES, 1)
    exclude_guest_types = some(REAL_GUEST_TYPES, 2)
    return UserScope(
        include_users=include_users,
        exclude_users=some(user_ids, 2),
        include_groups=some(group_ids, 2),
        exclude_groups=some(group_ids, 3),
        include_roles=some(ROLE_TEMPLATES, 2),
        exclude_roles=some(ROLE_TEMPLATES, 1),
        include_guest_types=include_guest_types,
        exclude_guest_types=exclude_guest_types,
        include_guest_tenants=(GUEST_TENANTS[:1] if include_guest_types and draw(st.integers(0, 3)) == 0 else None),
        exclude_guest_tenants=(GUEST_TENANTS[1:] if exclude_guest_types and draw(st.integers(0, 3)) == 0 else None),
    )


class Vocabulary(NamedTuple):
    """What the policies of one tenant may name."""

    user_ids: list[str]
    group_ids: list[str]
    location_ids: list[str]
    apps: list[str]
    device_rules: list[str]
    strengths: dict[str, AuthenticationStrength]


@st.composite
def _policy(draw: st.DrawFn, index: int, vocabulary: Vocabulary) -> ConditionalAccessPolicy:
    user_ids, group_ids, location_ids = vocabulary.user_ids, vocabulary.group_ids, vocabulary.location_ids
    state = draw(st.sampled_from(["enabled"] * 6 + ["enabledForReportingButNotEnforced", "disabled", "Enabled"]))
    include_applications = draw(st.sampled_from(
        [("All",)] * 6 + [("Office365",), ("None",), (), *((app,) for app in vocabulary.apps)]))
    include_user_actions = ("urn:user:registersecurityinfo",) if not include_applications else ()
    exclude_applications = draw(st.sampled_from([()] * 6 + [("Office365",), *((app,) for app in vocabulary.apps)]))
    client_app_types = draw(st.sampled_from(
        [(), (), ("all",), ("browser",), ("mobileAppsAndDesktopClients",), ("exchangeActiveSync", "other")]))
    include_platforms, exclude_platforms = draw(st.sampled_from(
        [(None, ())] * 5 + [(("android", "iOS"), ()), (("all",), ("android", "iOS")), (("windows", "macOS"), ()),
                            (("all",), ())]))
    location_choices: list[tuple[tuple[str, ...] | None, tuple[str, ...]]] = [(None, ())] * 5 + [
        (("All",), ("AllTrusted",)), (("AllTrusted",), ()), (("All",), (entra.MFA_TRUSTED_IPS,))]
    location_choices += [((location,), ()) for location in location_ids]
    location_choices += [(("All",), (location,)) for location in location_ids]
    include_locations, exclude_locations = draw(st.sampled_from(location_choices))
    device_filter = None
    if vocabulary.device_rules and draw(st.integers(0, 3)) == 0:
        device_filter = AttributeFilter(draw(st.sampled_from(["include", "exclude"])),
                                        draw(st.sampled_from(vocabulary.device_rules)))
    flows = ("deviceCodeFlow",) if draw(st.integers(0, 9)) == 0 else ()
    sign_in_risk = ("high",) if draw(st.integers(0, 14)) == 0 else ()
    user_risk = ("high", "medium") if draw(st.integers(0, 14)) == 0 else ()
    return ConditionalAccessPolicy(
        id=f"policy-{index}",
        display_name=f"Policy {index}",
        state=state,
        origin=ORIGIN,
        users=draw(_user_scope(user_ids, group_ids)),
        include_applications=include_applications,
        exclude_applications=exclude_applications,
        include_user_actions=include_user_actions,
        client_app_types=client_app_types,
        sign_in_risk_levels=sign_in_risk,
        user_risk_levels=user_risk,
        include_locations=include_locations,
        exclude_locations=exclude_locations,
        include_platforms=include_platforms,
        exclude_platforms=exclude_platforms,
        device_filter=device_filter,
        authentication_flows=flows,
        grant=draw(_grant(vocabulary.strengths)),
    )


@st.composite
def _protecting_grant(draw: st.DrawFn, strengths: dict[str, AuthenticationStrength]) -> GrantControls:
    """A grant that (most of the time) requires MFA or blocks."""
    kind = draw(st.sampled_from(
        ["mfa"] * 4 + ["block", "strength", "custom strength", "unknown strength", "device or mfa"]))
    fixed = _FIXED_GRANTS.get(kind)
    if fixed is not None:
        return fixed
    if kind == "strength":
        return GrantControls("OR", (), authentication_strength_id=MFA_STRENGTH)
    if kind == "unknown strength":
        return GrantControls("OR", (), authentication_strength_id=UNKNOWN_STRENGTH)
    embedded = strengths[CUSTOM_MFA_STRENGTH] if draw(st.booleans()) else None
    return GrantControls("OR", (), authentication_strength_id=CUSTOM_MFA_STRENGTH, authentication_strength=embedded)


# Two halves of one dimension, for a baseline split in two policies.
SPLITS: dict[str, tuple[dict[str, object], dict[str, object]]] = {
    "platforms": ({"include_platforms": ("android", "iOS")},
                  {"include_platforms": ("all",), "exclude_platforms": ("android", "iOS")}),
    "client apps": ({"client_app_types": ("browser",)}, {"client_app_types": ("mobileAppsAndDesktopClients",)}),
    "locations": ({"include_locations": ("All",), "exclude_locations": ("AllTrusted",)},
                  {"include_locations": ("AllTrusted",)}),
    "devices": ({"device_filter": AttributeFilter("include", COMPLIANT)},
                {"device_filter": AttributeFilter("include", NOT_COMPLIANT)}),
    "devices by mode": ({"device_filter": AttributeFilter("include", COMPLIANT)},
                        {"device_filter": AttributeFilter("exclude", COMPLIANT)}),
    "apps": ({"include_applications": ("Office365",)},
             {"include_applications": ("All",), "exclude_applications": ("Office365",)}),
}


@st.composite
def _baseline(draw: st.DrawFn, vocabulary: Vocabulary) -> list[ConditionalAccessPolicy]:
    """None, one or two policies meant to require MFA of everyone, with a few exclusions."""
    kind = draw(st.sampled_from(["none", "plain", "plain", "split", "split"]))
    if kind == "none":
        return []
    exclusion = draw(st.sampled_from(["none"] * 3 + ["group", "missing group", "role", "guest", "user"]))
    users = UserScope(
        include_users=("All",),
        exclude_users=tuple(vocabulary.user_ids[-1:]) if exclusion == "user" else (),
        exclude_groups=(tuple(vocabulary.group_ids[:1]) if exclusion == "group"
                        else ("group-missing",) if exclusion == "missing group" else ()),
        exclude_roles=(GLOBAL_ADMIN,) if exclusion == "role" else (),
        exclude_guest_types=(draw(st.sampled_from(REAL_GUEST_TYPES)),) if exclusion == "guest" else (),
    )
    halves: tuple[dict[str, object], ...] = ({},)
    if kind == "split":
        halves = SPLITS[draw(st.sampled_from(sorted(SPLITS)))]
    policies: list[ConditionalAccessPolicy] = []
    for half in halves:
        fields: dict[str, object] = {"include_applications": ("All",), **half}
        policies.append(ConditionalAccessPolicy(
            id=f"baseline-{len(policies) + 1}", display_name=f"Baseline {len(policies) + 1}", state="enabled",
            origin=ORIGIN, users=users, grant=draw(_protecting_grant(vocabulary.strengths)),
            **fields,  # type: ignore[arg-type]
        ))
    return policies


@st.composite
def tenants(draw: st.DrawFn) -> Tenant:
    """A small tenant: 1-6 users, 0-4 groups, 2-3 admin roles, 0-3 named locations, 1-6 policies.

    Most tenants start with a baseline (one policy, or two that split a dimension) meant to
    require MFA of everyone, so that covered users are common; the other policies are random.
    """
    user_ids = _user_ids(draw(st.integers(1, 6)))
    users = tuple(draw(_user(user_id)) for user_id in user_ids)
    group_ids = _group_ids(draw(st.integers(0, 4)))
    groups = tuple(draw(_group(group_id, user_ids, group_ids)) for group_id in group_ids)
    # now and then a policy names a group that the export does not have
    policy_group_ids = group_ids + (["group-missing"] if draw(st.integers(0, 9)) == 0 else [])
    role_definitions, role_assignments = draw(_roles(user_ids + group_ids))
    location_ids = _location_ids(draw(st.integers(0, 3)))
    named_locations = tuple(
        NamedLocation(location_id, f"Location {index}", draw(st.sampled_from([True, True, False, False, None])), ORIGIN)
        for index, location_id in enumerate(location_ids, start=1))
    all_strengths = _strengths()
    strengths = tuple(draw(st.lists(st.sampled_from(sorted(all_strengths)), max_size=2, unique=True)))
    vocabulary = Vocabulary(
        user_ids=user_ids,
        group_ids=policy_group_ids,
        location_ids=location_ids,
        apps=draw(st.lists(st.sampled_from(APPS), max_size=2, unique=True)),
        device_rules=draw(st.lists(st.sampled_from(DEVICE_RULES), max_size=2, unique=True)),
        strengths=all_strengths,
    )
    baseline = draw(_baseline(vocabulary))
    others = draw(st.integers(1 if not baseline else 0, 6 - len(baseline)))
    policies = (*baseline, *(draw(_policy(index, vocabulary)) for index in range(1, others + 1)))
    return Tenant(
        conditional_access_policies=policies,
        conditional_access_origin=ORIGIN,
        users=users,
        groups=groups,
        directory_roles=None,
        role_assignments=role_assignments,
        role_definitions=role_definitions,
        authentication_strengths=tuple(all_strengths[strength_id] for strength_id in strengths),
        named_locations=named_locations,
    )


def users_of(tenant: Tenant) -> list[User]:
    """The enabled users of a tenant."""
    return [user for user in tenant.users or () if user.account_enabled]
