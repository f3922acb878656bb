"""A deterministic synthetic tenant: Microsoft Graph JSON exports of N users, for the benchmark.

    python bench/generate.py --users 100000 --out bench/out/100k [--seed 1]
        [--shape indented|minified] [--situation covered|uncovered]

The same seed, size, page size, shape and situation give byte-identical files on the same Python
version (the ``random`` module only promises its sequences within a version). Only the standard
library is used, so the generator runs wherever the checker does. The documents follow the files
in samples/ (real Graph v1.0 responses), ``{"@odata.context": ..., "value": [...]}``, in one of
two shapes:

- ``indented`` (default), as PowerShell writes them: pages of 999 objects, one document per page,
  ``@odata.nextLink`` on every page but the last, ``indent=2``;
- ``minified``, as Graph returns a collection and ``Invoke-MgGraphRequest -OutputFilePath`` saves
  it: one file per collection holding all of its objects, on one line, without indentation.

and one of two situations:

- ``covered`` (default): the all-users MFA policies are enforced, so most users are covered;
- ``uncovered``: every all-users policy that asks for MFA at no risk is report-only, whether it
  covers every sign-in alone or shares the work with others (and so is the one that includes a group
  absent from the export, which would otherwise leave every user undetermined), so most users
  are uncovered. Only those policies' ``state`` differs; the rest of the tenant is the same.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

GRAPH = "https://graph.microsoft.com/v1.0"
PAGE_SIZE = 999
DOMAIN = "bench.example"
INDENTED, MINIFIED = "indented", "minified"
SHAPES = (INDENTED, MINIFIED)
COVERED, UNCOVERED = "covered", "uncovered"
SITUATIONS = (COVERED, UNCOVERED)
ENABLED, REPORT_ONLY = "enabled", "enabledForReportingButNotEnforced"

# The 14 roles of Microsoft's "Require MFA for administrators" template (DESIGN section 4).
ADMIN_ROLES: dict[str, str] = {
    "62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
    "c4e39bd9-1100-46d3-8c65-fb160da0071f": "Authentication Administrator",
    "b0f54661-2d74-4c50-afa3-1ec803f12efe": "Billing Administrator",
    "158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": "Conditional Access Administrator",
    "29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
    "729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
    "966707d0-3269-4727-9be2-8c3a10f19b9d": "Password Administrator",
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13": "Privileged Authentication Administrator",
    "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
    "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
    "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
}
OTHER_ROLES: dict[str, str] = {
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
    "5d6b6bb7-de71-4623-b4af-96380a352509": "Security Reader",
    "4a5d8f65-41da-4de4-8968-e035b65339cf": "Reports Reader",
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b": "Directory Readers",
    "69091246-20e8-4a56-aa4d-066075b2a7a8": "Teams Administrator",
    "3a2c62db-5318-420d-8d74-23affee5d9d5": "Intune Administrator",
    "fdd7a751-b60b-444a-984c-02652fe8fa1c": "Groups Administrator",
    "4d6ac14f-3453-41d0-bef9-a3e0c569773a": "License Administrator",
}
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
# Roles that may be scoped to an administrative unit.
AU_SCOPABLE = (
    "fe930be7-5e62-47db-91af-98c3a49a38b1", "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    "966707d0-3269-4727-9be2-8c3a10f19b9d", "c4e39bd9-1100-46d3-8c65-fb160da0071f",
    "fdd7a751-b60b-444a-984c-02652fe8fa1c", "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
)

SERVICE_PLANS = (
    ("41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM"),
    ("eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2"),
    ("8a256a2b-b617-496d-b51b-e76466e88db0", "MFA_PREMIUM"),
    ("c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "INTUNE_A"),
    ("efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE"),
    ("5dbe027f-2339-4123-9542-606e4d348a72", "SHAREPOINTENTERPRISE"),
    ("e95bec33-7c88-4a70-8e19-b10bd9d0c014", "SHAREPOINTWAC"),
    ("0feaeb32-d00e-4d66-bd5a-43b5b83db82c", "MCOSTANDARD"),
    ("57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1"),
    ("43de0ff5-c92c-492b-9116-175376d08c38", "OFFICESUBSCRIPTION"),
    ("6c57d4b6-3b23-47a5-9bc9-69f17b4947b3", "RMS_S_PREMIUM"),
)
SPE_E5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
PHISHING_RESISTANT = "00000000-0000-0000-0000-000000000004"

GIVEN_NAMES = (
    "Ana", "Ben", "Chloé", "Daniel", "Elif", "Farah", "Gustavo", "Hana", "Ivan", "Jonas", "Kwame", "Lars",
    "María", "Noor", "Oskar", "Priya", "Quentin", "Rafael", "Sofia", "Tomás", "Uma", "Vikram", "Wen",
    "Xavier", "Yusuf", "Zoë", "Helen", "Mei", "Søren", "Ayşe",
)
SURNAMES = (
    "Costa", "Eriksen", "Ferreira", "Haddad", "Marin", "Mensah", "Okafor", "O'Connor", "Raman", "Chen",
    "Müller", "Novák", "Kowalski", "Nakamura", "Dubois", "García", "Rossi", "Smith", "Jansen", "Öztürk",
    "Lindqvist", "Papadopoulos", "Ivanova", "Nguyen", "Khan",
)
MFA_METHODS = (
    ("microsoftAuthenticatorPush", "softwareOneTimePasscode", "email"),
    ("microsoftAuthenticatorPush", "mobilePhone"),
    ("mobilePhone",),
    ("fido2SecurityKey", "microsoftAuthenticatorPasswordless"),
    ("windowsHelloForBusiness", "microsoftAuthenticatorPush"),
)
PREFERRED = {
    "microsoftAuthenticatorPush": "push", "mobilePhone": "sms", "fido2SecurityKey": "fido2",
    "windowsHelloForBusiness": "push",
}
PASSWORDLESS = {"fido2SecurityKey", "microsoftAuthenticatorPasswordless", "windowsHelloForBusiness"}
ALL_GUEST_TYPES = ("internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,"
                   "otherExternalUser,serviceProvider")
APPLICATIONS = (
    "Office365", "MicrosoftAdminPortals", "00000003-0000-0ff1-ce00-000000000000",
    "00000002-0000-0ff1-ce00-000000000000", "797f4846-ba00-4fd7-ba43-dac1f8f63013",
)


@dataclass(frozen=True)
class Collection:
    """One Graph collection: where it is fetched from and the file name it is written to."""

    file_stem: str
    context: str
    request: str


USERS = Collection("users", "users(id,displayName,userPrincipalName,accountEnabled,userType)",
                   "users?$select=id,displayName,userPrincipalName,accountEnabled,userType")
GROUPS = Collection("groups", "groups(id,displayName,securityEnabled,isAssignableToRole,members())",
                    "groups?$select=id,displayName,securityEnabled,isAssignableToRole&$expand=members($select=id)")
ROLE_DEFINITIONS = Collection("role-definitions", "roleManagement/directory/roleDefinitions",
                              "roleManagement/directory/roleDefinitions")
ROLE_ASSIGNMENTS = Collection("role-assignments", "roleManagement/directory/roleAssignments",
                              "roleManagement/directory/roleAssignments")
CA_POLICIES = Collection("conditional-access-policies", "identity/conditionalAccess/policies",
                         "identity/conditionalAccess/policies")
REGISTRATION_DETAILS = Collection("user-registration-details",
                                  "reports/authenticationMethods/userRegistrationDetails",
                                  "reports/authenticationMethods/userRegistrationDetails")
NAMED_LOCATIONS = Collection("named-locations", "identity/conditionalAccess/namedLocations",
                             "identity/conditionalAccess/namedLocations")
SUBSCRIBED_SKUS = Collection("subscribed-skus", "subscribedSkus", "subscribedSkus")


@dataclass
class Tenant:
    """The generated directory, before it is rendered as Graph responses."""

    users: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    group_ids: dict[str, str] = field(default_factory=dict)
    absent_group_ids: tuple[str, ...] = ()
    target_group_ids: list[str] = field(default_factory=list)
    role_assignments: list[dict[str, Any]] = field(default_factory=list)
    admin_user_ids: set[str] = field(default_factory=set)
    named_locations: list[dict[str, Any]] = field(default_factory=list)
    policies: list[dict[str, Any]] = field(default_factory=list)
    policy_kinds: list[str] = field(default_factory=list)


class Ids:
    """UUIDs and timestamps drawn from the seeded generator, so reruns give the same ids."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def timestamp(self, year: int = 2023) -> str:
        moment = datetime(year, 1, 1) + timedelta(seconds=self.rng.randrange(365 * 86400))
        return f"{moment:%Y-%m-%dT%H:%M:%S}.{self.rng.randrange(10_000_000):07d}Z"


def generate(users: int, out: str, seed: int = 1, page_size: int = PAGE_SIZE, shape: str = INDENTED,
             situation: str = COVERED) -> list[str]:
    """Write the export of a tenant with ``users`` users into ``out``; return the file names written.

    ``page_size`` only applies to the ``indented`` shape: a ``minified`` export is one file per
    collection.
    """
    if users < 10:
        raise ValueError("a tenant needs at least 10 users")
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}: one of {', '.join(SHAPES)}")
    if situation not in SITUATIONS:
        raise ValueError(f"unknown situation {situation!r}: one of {', '.join(SITUATIONS)}")
    rng = random.Random(seed)
    ids = Ids(rng)
    tenant = Tenant()
    _make_users(tenant, ids, users)
    _make_groups(tenant, ids, users)
    _make_role_assignments(tenant, ids, users)
    _make_named_locations(tenant, ids)
    _make_policies(tenant, ids)
    if situation == UNCOVERED:
        _leave_all_users_uncovered(tenant)
    os.makedirs(out, exist_ok=True)
    writer = _Writer(out, page_size, minified=shape == MINIFIED)
    writer.collection(USERS, tenant.users)
    writer.collection(GROUPS, tenant.groups)
    writer.collection(ROLE_DEFINITIONS, _role_definitions())
    writer.collection(ROLE_ASSIGNMENTS, tenant.role_assignments)
    writer.collection(CA_POLICIES, tenant.policies)
    writer.collection(REGISTRATION_DETAILS, _registration_details(tenant, ids))
    writer.collection(NAMED_LOCATIONS, tenant.named_locations)
    writer.collection(SUBSCRIBED_SKUS, [_sku(ids, users)])
    writer.single("security-defaults", "policies/identitySecurityDefaultsEnforcementPolicy", _security_defaults())
    writer.single("authentication-methods-policy", "policies/authenticationMethodsPolicy",
                  _methods_policy(tenant, ids))
    writer.config(tenant.users[0]["id"], tenant.users[1]["id"])
    return writer.written


def _make_users(tenant: Tenant, ids: Ids, count: int) -> None:
    rng = ids.rng
    for index in range(count):
        if index < 2:
            name, enabled, user_type = f"Break Glass {index + 1:02d}", True, "Member"
        else:
            name = f"{rng.choice(GIVEN_NAMES)} {rng.choice(SURNAMES)}"
            enabled = rng.random() >= 0.02
            user_type = "Guest" if rng.random() < 0.05 else "Member"
        tenant.users.append({
            "id": ids.uuid(),
            "displayName": name,
            "userPrincipalName": f"user{index}@{DOMAIN}",
            "accountEnabled": enabled,
            "userType": user_type,
        })


def _make_groups(tenant: Tenant, ids: Ids, user_count: int) -> None:
    """Special groups first (break glass, exclusions, a cycle, role-assignable), then skewed teams."""
    rng = ids.rng
    user_ids = [user["id"] for user in tenant.users]
    members: dict[str, list[tuple[str, str]]] = {}

    def add(name: str, size: int = 0, *, assignable: bool = False, users: Sequence[int] = ()) -> str:
        group_id = ids.uuid()
        chosen = list(users) or rng.sample(range(2, user_count), min(size, user_count - 2))
        members[group_id] = [("user", user_ids[i]) for i in chosen]
        tenant.groups.append({"id": group_id, "displayName": name, "securityEnabled": True,
                              "isAssignableToRole": assignable})
        tenant.group_ids[name] = group_id
        return group_id

    def nest(parent: str, child: str) -> None:
        members[parent].append(("group", child))

    add("Break Glass Accounts", users=(0, 1))
    add("CA-Exclude-Service-Accounts", 5 + user_count // 5000)
    contractors = add("CA-Exclude-Contractors", 3 + user_count // 500)
    nest(contractors, add("Contractors-Agency", 3 + user_count // 2000))
    travel = add("CA-Exclude-Travel", 4 + user_count // 1000)
    cycle_a = add("Cycle-A", 3 + user_count // 1000)
    cycle_b = add("Cycle-B", 3 + user_count // 1000)
    nest(cycle_a, cycle_b)
    nest(cycle_b, cycle_a)
    nest(travel, cycle_a)
    for role in ("Helpdesk-Admins", "Password-Admins", "Exchange-Admins", "Security-Readers"):
        add(f"Role-{role}", 2 + user_count // 20000, assignable=True)
    for region, share in (("EMEA", 0.12), ("Americas", 0.08), ("APAC", 0.05), ("Frontline", 0.03)):
        add(f"All-Staff-{region}", max(5, int(user_count * share)))

    team_count = max(user_count // 50, 30) - len(tenant.groups)
    cap = max(10, user_count // 20)
    teams: list[str] = []
    depth: dict[str, int] = {}
    for index in range(team_count):
        size = min(cap, int(6 * rng.paretovariate(1.05)))
        team = add(f"Team-{index + 1:05d}", size)
        # the first five teams are one chain of depth 4; later teams nest under random earlier ones
        parent = teams[-1] if 0 < index < 5 else None
        if parent is None and index >= 5 and rng.random() < 0.15:
            candidate = teams[rng.randrange(len(teams))]
            parent = candidate if depth[candidate] < 4 else None
        if parent is not None:
            nest(parent, team)
        depth[team] = 0 if parent is None else depth[parent] + 1
        teams.append(team)

    for group in tenant.groups:
        group["members"] = [{"@odata.type": f"#microsoft.graph.{kind}", "id": member_id}
                            for kind, member_id in members[group["id"]]]
    tenant.absent_group_ids = (ids.uuid(), ids.uuid())
    tenant.target_group_ids = [g["id"] for g in tenant.groups
                               if g["displayName"].startswith(("Team-", "All-Staff-", "Cycle-"))]


def _make_role_assignments(tenant: Tenant, ids: Ids, user_count: int) -> None:
    rng = ids.rng
    users = tenant.users
    members_of = {group["id"]: [m["id"] for m in group["members"]] for group in tenant.groups}
    seen: set[tuple[str, str, str]] = set()
    units = [ids.uuid() for _ in range(5)]

    def assign(role: str, principal: str, scope: str = "/") -> None:
        if (role, principal, scope) in seen:
            return
        seen.add((role, principal, scope))
        if scope == "/":
            key = uuid.UUID(role).bytes_le + uuid.UUID(principal).bytes_le
            assignment_id = base64.urlsafe_b64encode(key).decode().rstrip("=") + "-1"
        else:
            assignment_id = base64.urlsafe_b64encode(rng.randbytes(32)).decode().rstrip("=")
        tenant.role_assignments.append({
            "id": assignment_id, "principalId": principal, "roleDefinitionId": role,
            "directoryScopeId": scope, "appScopeId": None, "condition": None,
        })
        tenant.admin_user_ids.update(members_of.get(principal, (principal,)))

    for index in (0, 1, 2, 3, 4):
        assign(GLOBAL_ADMIN, users[index]["id"])
    for name, role in (("Role-Helpdesk-Admins", "729827e3-9c14-49f7-bb1b-9608f156bbb8"),
                       ("Role-Password-Admins", "966707d0-3269-4727-9be2-8c3a10f19b9d"),
                       ("Role-Exchange-Admins", "29232cdf-9323-42fd-ade2-1d097af3e4de"),
                       ("Role-Security-Readers", "5d6b6bb7-de71-4623-b4af-96380a352509")):
        assign(role, tenant.group_ids[name])
    role_ids = [r for r in ADMIN_ROLES if r != GLOBAL_ADMIN] + list(OTHER_ROLES)
    assignable = [g["id"] for g in tenant.groups if g["isAssignableToRole"]]
    target = max(user_count // 200, 20)
    while len(tenant.role_assignments) < target:
        role = rng.choice(role_ids)
        draw = rng.random()
        if draw < 0.05:
            assign(rng.choice(AU_SCOPABLE), users[rng.randrange(2, user_count)]["id"],
                   f"/administrativeUnits/{rng.choice(units)}")
        elif draw < 0.12:
            assign(role, rng.choice(assignable))
        else:
            assign(role, users[rng.randrange(2, user_count)]["id"])


def _role_definitions() -> list[dict[str, Any]]:
    return [{
        "id": role_id,
        "description": f"Built-in role {name}.",
        "displayName": name,
        "isBuiltIn": True,
        "isEnabled": True,
        "resourceScopes": ["/"],
        "templateId": role_id,
        "version": "1",
        "rolePermissions": [{"allowedResourceActions": ["microsoft.directory/allEntities/standard/read"],
                             "condition": None}],
    } for role_id, name in {**ADMIN_ROLES, **OTHER_ROLES}.items()]


def _make_named_locations(tenant: Tenant, ids: Ids) -> None:
    rng = ids.rng
    created = ids.timestamp()
    tenant.named_locations.append({
        "@odata.type": "#microsoft.graph.ipNamedLocation", "id": ids.uuid(), "displayName": "Head office",
        "modifiedDateTime": created, "createdDateTime": created, "isTrusted": True,
        "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}],
    })
    tenant.named_locations.append({
        "@odata.type": "#microsoft.graph.countryNamedLocation", "id": ids.uuid(),
        "displayName": "Allowed countries", "modifiedDateTime": created, "createdDateTime": created,
        "countriesAndRegions": ["GB", "IE", "NL", "DE", "FR"], "includeUnknownCountriesAndRegions": False,
        "countryLookupMethod": "clientIpAddress",
    })
    for index in range(8):
        created = ids.timestamp()
        tenant.named_locations.append({
            "@odata.type": "#microsoft.graph.ipNamedLocation", "id": ids.uuid(),
            "displayName": f"Branch office {index + 1}", "modifiedDateTime": created, "createdDateTime": created,
            "isTrusted": rng.random() < 0.5,
            "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange",
                          "cidrAddress": f"198.51.{100 + index}.0/24"}],
        })


_STATES = ("enabled",) * 11 + ("enabledForReportingButNotEnforced",) * 6 + ("disabled",) * 3
_KINDS = (
    "all_users_mfa", "admin_mfa", "legacy_block", "sign_in_risk", "user_risk", "app_mfa", "app_mfa",
    "location_mfa", "platform_mfa", "compliant_device", "guest_mfa", "group_mfa", "group_mfa",
    "device_filter", "device_code_block", "admin_strength",
)


def _make_policies(tenant: Tenant, ids: Ids, count: int = 300) -> None:
    """A handful of foundation policies, two that name absent groups, then a random mix."""
    groups = tenant.group_ids
    foundation = (
        ("all_users_mfa", "enabled"), ("admin_mfa", "enabled"), ("legacy_block", "enabled"),
        ("sign_in_risk", "enabled"), ("user_risk", "enabled"), ("guest_mfa", "enabled"),
        ("compliant_device", "enabledForReportingButNotEnforced"), ("admin_strength", "enabled"),
    )
    for number, (kind, state) in enumerate(foundation, 1):
        tenant.policies.append(_policy(tenant, ids, number, kind, state))
        tenant.policy_kinds.append(kind)
    for absent, side in zip(tenant.absent_group_ids, ("includeGroups", "excludeGroups"), strict=False):
        policy = _policy(tenant, ids, len(tenant.policies) + 1, "group_mfa", "enabled")
        policy["conditions"]["users"][side].append(absent)
        tenant.policies.append(policy)
        tenant.policy_kinds.append("group_mfa")
    while len(tenant.policies) < count:
        kind = ids.rng.choice(_KINDS)
        policy = _policy(tenant, ids, len(tenant.policies) + 1, kind, ids.rng.choice(_STATES))
        tenant.policies.append(policy)
        tenant.policy_kinds.append(kind)
    tenant.policies[0]["conditions"]["users"]["excludeGroups"] = [
        groups["Break Glass Accounts"], groups["CA-Exclude-Service-Accounts"], groups["CA-Exclude-Contractors"],
        groups["CA-Exclude-Travel"],
    ]


def _leave_all_users_uncovered(tenant: Tenant) -> None:
    """Put every enforced all-users MFA policy in report-only, and the one that includes a group
    absent from the export (enforced, it could reach anyone, so every user would be undetermined
    rather than uncovered): users outside the groups and roles that the other policies name are
    left uncovered. Runs after every random draw, so the rest of the tenant is the same as in
    the covered situation."""
    absent = set(tenant.absent_group_ids)
    for policy, kind in zip(tenant.policies, tenant.policy_kinds, strict=False):
        reaches_anyone = (kind == "all_users_mfa" or _asks_everyone_for_mfa(policy)
                          or absent.intersection(policy["conditions"]["users"]["includeGroups"]))
        if reaches_anyone and policy["state"] == ENABLED:
            policy["state"] = REPORT_ONLY


def _asks_everyone_for_mfa(policy: dict[str, Any]) -> bool:
    """An all-users policy asking for MFA at no risk: alone or with others, it can cover everyone."""
    conditions = policy["conditions"]
    grant = policy.get("grantControls") or {}
    asks = "mfa" in (grant.get("builtInControls") or []) or bool(grant.get("authenticationStrength"))
    risky = conditions.get("signInRiskLevels") or conditions.get("userRiskLevels")
    return "All" in conditions["users"]["includeUsers"] and asks and not risky


def _policy(tenant: Tenant, ids: Ids, number: int, kind: str, state: str) -> dict[str, Any]:
    rng = ids.rng
    groups = tenant.group_ids
    policy_id = ids.uuid()
    users: dict[str, Any] = {
        "includeUsers": ["All"], "excludeUsers": [], "includeGroups": [],
        "excludeGroups": [groups["Break Glass Accounts"]], "includeRoles": [], "excludeRoles": [],
        "includeGuestsOrExternalUsers": None, "excludeGuestsOrExternalUsers": None,
    }
    applications: dict[str, Any] = {
        "includeApplications": ["All"], "excludeApplications": [], "includeUserActions": [],
        "includeAuthenticationContextClassReferences": [], "applicationFilter": None,
    }
    conditions: dict[str, Any] = {
        "userRiskLevels": [], "signInRiskLevels": [], "clientAppTypes": ["all"], "servicePrincipalRiskLevels": [],
        "insiderRiskLevels": None, "platforms": None, "locations": None, "devices": None,
        "clientApplications": None, "authenticationFlows": None, "applications": applications, "users": users,
    }
    controls, operator, strength = ["mfa"], "OR", None
    if rng.random() < 0.3:
        users["excludeGroups"].append(rng.choice((groups["CA-Exclude-Contractors"], groups["CA-Exclude-Travel"],
                                                  groups["CA-Exclude-Service-Accounts"])))
    if kind == "all_users_mfa":
        title = "Require MFA for all users"
    elif kind in ("admin_mfa", "admin_strength"):
        users["includeUsers"] = []
        roles = list(ADMIN_ROLES)
        users["includeRoles"] = roles if number <= 8 or rng.random() < 0.5 else rng.sample(roles, rng.randrange(3, 14))
        title = "Require MFA for administrators"
        if kind == "admin_strength":
            title, controls = "Require phishing-resistant MFA for administrators", []
            strength = {"id": PHISHING_RESISTANT, "displayName": "Phishing-resistant MFA", "policyType": "builtIn",
                        "requirementsSatisfied": "mfa",
                        "allowedCombinations": ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"]}
    elif kind == "legacy_block":
        title, controls = "Block legacy authentication", ["block"]
        conditions["clientAppTypes"] = ["exchangeActiveSync", "other"]
    elif kind == "sign_in_risk":
        title = "Require MFA for risky sign-ins"
        conditions["signInRiskLevels"] = ["high", "medium"]
    elif kind == "user_risk":
        title, controls, operator = "Require password change for high-risk users", ["mfa", "passwordChange"], "AND"
        conditions["userRiskLevels"] = ["high"]
    elif kind == "app_mfa":
        title = "Require MFA for selected apps"
        applications["includeApplications"] = rng.sample(APPLICATIONS, rng.randrange(1, 3))
        users["includeUsers"], users["includeGroups"] = [], rng.sample(tenant.target_group_ids, 2)
    elif kind == "location_mfa":
        title = "Require MFA outside trusted locations"
        excluded = rng.choice(["AllTrusted", rng.choice(tenant.named_locations)["id"]])
        conditions["locations"] = {"includeLocations": ["All"], "excludeLocations": [excluded]}
    elif kind == "platform_mfa":
        title = "Require MFA on mobile platforms"
        conditions["platforms"] = {"includePlatforms": ["android", "iOS"], "excludePlatforms": []}
    elif kind == "compliant_device":
        title, controls = "Require compliant or hybrid joined device", ["compliantDevice", "domainJoinedDevice"]
    elif kind == "guest_mfa":
        title = "Require MFA for guests and external users"
        users["includeUsers"] = []
        users["includeGuestsOrExternalUsers"] = {
            "guestOrExternalUserTypes": ALL_GUEST_TYPES,
            "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants",
                                "membershipKind": "all"},
        }
    elif kind == "group_mfa":
        title = "Require MFA for selected groups"
        users["includeUsers"], users["includeGroups"] = [], rng.sample(tenant.target_group_ids, rng.randrange(1, 6))
    elif kind == "device_filter":
        title = "Require MFA on unmanaged devices"
        conditions["devices"] = {"deviceFilter": {"mode": "exclude", "rule": 'device.isCompliant -eq True'}}
    else:
        title, controls = "Block device code flow", ["block"]
        conditions["authenticationFlows"] = {"transferMethods": "deviceCodeFlow"}
    created = ids.timestamp()
    return {
        "id": policy_id,
        "templateId": None,
        "displayName": f"{number:03d} {title}",
        "createdDateTime": created,
        "modifiedDateTime": ids.timestamp(2024) if rng.random() < 0.6 else None,
        "state": state,
        "sessionControls": None,
        "conditions": conditions,
        "grantControls": {
            "operator": operator,
            "builtInControls": controls,
            "customAuthenticationFactors": [],
            "termsOfUse": [],
            "authenticationStrength@odata.context": f"{GRAPH}/$metadata#identity/conditionalAccess/policies"
                                                    f"('{policy_id}')/grantControls/authenticationStrength/$entity",
            "authenticationStrength": strength,
        },
    }


def _registration_details(tenant: Tenant, ids: Ids) -> list[dict[str, Any]]:
    rng = ids.rng
    updated = "2025-03-12T03:58:44.6620918Z"
    details = []
    for index, user in enumerate(tenant.users):
        is_admin = user["id"] in tenant.admin_user_ids
        mfa = index < 2 or rng.random() < (0.95 if is_admin else 0.85)
        methods = list(MFA_METHODS[0 if index < 2 else rng.randrange(len(MFA_METHODS))]) if mfa else (
            ["email"] if rng.random() < 0.3 else [])
        sspr_enabled = rng.random() < 0.9
        sspr_registered = bool(methods) and rng.random() < 0.9
        preferred = [PREFERRED[methods[0]]] if mfa and methods[0] in PREFERRED else []
        details.append({
            "id": user["id"],
            "userPrincipalName": user["userPrincipalName"],
            "userDisplayName": user["displayName"],
            "userType": user["userType"].lower(),
            "isAdmin": is_admin,
            "isSsprRegistered": sspr_registered,
            "isSsprEnabled": sspr_enabled,
            "isSsprCapable": sspr_enabled and sspr_registered,
            "isMfaRegistered": mfa,
            "isMfaCapable": mfa and user["accountEnabled"],
            "isPasswordlessCapable": bool(PASSWORDLESS.intersection(methods)),
            "isSystemPreferredAuthenticationMethodEnabled": True,
            "lastUpdatedDateTime": updated,
            "methodsRegistered": methods,
            "systemPreferredAuthenticationMethods": preferred,
            "userPreferredMethodForSecondaryAuthentication": preferred[0] if preferred else "",
        })
    return details


def _sku(ids: Ids, user_count: int) -> dict[str, Any]:
    account = ids.uuid()
    return {
        "accountName": None, "accountId": account, "appliesTo": "User", "capabilityStatus": "Enabled",
        "consumedUnits": user_count, "id": f"{account}_{SPE_E5}",
        "prepaidUnits": {"enabled": user_count + user_count // 20, "lockedOut": 0, "suspended": 0, "warning": 0},
        "servicePlans": [{"servicePlanId": plan_id, "servicePlanName": name, "provisioningStatus": "Success",
                          "appliesTo": "User"} for plan_id, name in SERVICE_PLANS],
        "skuId": SPE_E5, "skuPartNumber": "SPE_E5", "subscriptionIds": [ids.uuid()],
    }


def _security_defaults() -> dict[str, Any]:
    return {
        "id": "00000000-0000-0000-0000-000000000005",
        "displayName": "Security Defaults",
        "description": "Security defaults is a set of basic identity security mechanisms recommended by Microsoft.",
        "isEnabled": False,
    }


def _methods_policy(tenant: Tenant, ids: Ids) -> dict[str, Any]:
    def all_users(**extra: Any) -> list[dict[str, Any]]:
        return [{"targetType": "group", "id": "all_users", "isRegistrationRequired": False, **extra}]

    return {
        "id": "authenticationMethodsPolicy",
        "displayName": "Authentication Methods Policy",
        "description": "The tenant-wide policy that controls which authentication methods are allowed in the tenant.",
        "lastModifiedDateTime": ids.timestamp(2024),
        "policyVersion": "1.5",
        "policyMigrationState": "migrationComplete",
        "registrationEnforcement": {"authenticationMethodsRegistrationCampaign": {
            "snoozeDurationInDays": 1, "enforceRegistrationAfterAllowedSnoozes": True, "state": "enabled",
            "excludeTargets": [{"id": tenant.group_ids["CA-Exclude-Service-Accounts"], "targetType": "group"}],
            "includeTargets": [{"id": "all_users", "targetType": "group",
                                "targetedAuthenticationMethod": "microsoftAuthenticator"}],
        }},
        "authenticationMethodConfigurations": [
            {"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration",
             "id": "MicrosoftAuthenticator", "state": "enabled", "isSoftwareOathEnabled": False,
             "excludeTargets": [], "includeTargets": all_users(authenticationMode="any")},
            {"@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration", "id": "Fido2",
             "state": "enabled", "isSelfServiceRegistrationAllowed": True, "isAttestationEnforced": False,
             "excludeTargets": [],
             "keyRestrictions": {"isEnforced": False, "enforcementType": "block", "aaGuids": []},
             "includeTargets": [{"targetType": "group", "id": tenant.group_ids["Break Glass Accounts"],
                                 "isRegistrationRequired": False}]},
            {"@odata.type": "#microsoft.graph.smsAuthenticationMethodConfiguration", "id": "Sms",
             "state": "enabled", "excludeTargets": [], "includeTargets": all_users(isUsableForSignIn=False)},
            {"@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration",
             "id": "TemporaryAccessPass", "state": "enabled", "defaultLifetimeInMinutes": 60,
             "defaultLength": 8, "minimumLifetimeInMinutes": 60, "maximumLifetimeInMinutes": 480,
             "isUsableOnce": True, "excludeTargets": [], "includeTargets": all_users()},
            {"@odata.type": "#microsoft.graph.emailAuthenticationMethodConfiguration", "id": "Email",
             "state": "enabled", "allowExternalIdToUseEmailOtp": "default", "excludeTargets": [],
             "includeTargets": []},
        ],
    }


class _Writer:
    def __init__(self, out: str, page_size: int, *, minified: bool = False) -> None:
        self.out = out
        self.page_size = page_size
        self.minified = minified
        self.written: list[str] = []

    def collection(self, collection: Collection, items: list[dict[str, Any]]) -> None:
        context = f"{GRAPH}/$metadata#{collection.context}"
        if self.minified:
            self._write(f"{collection.file_stem}.json", {"@odata.context": context, "value": items})
            return
        pages = [items[i:i + self.page_size] for i in range(0, len(items), self.page_size)] or [[]]
        if len(pages) == 1:
            self._write(f"{collection.file_stem}.json", {"@odata.context": context, "value": pages[0]})
            return
        width = max(3, len(str(len(pages))))
        for number, page in enumerate(pages, 1):
            document: dict[str, Any] = {"@odata.context": context}
            if number < len(pages):
                separator = "&" if "?" in collection.request else "?"
                document["@odata.nextLink"] = (f"{GRAPH}/{collection.request}{separator}$top={self.page_size}"
                                               f"&$skiptoken={_skiptoken(page[-1]['id'])}")
            document["value"] = page
            self._write(f"{collection.file_stem}.page{number:0{width}d}.json", document)

    def single(self, file_stem: str, context: str, obj: dict[str, Any]) -> None:
        self._write(f"{file_stem}.json", {"@odata.context": f"{GRAPH}/$metadata#{context}", **obj})

    def config(self, *break_glass: str) -> None:
        lines = ["# Emergency access (break-glass) accounts, by object id: Break Glass 01 and 02.", "break_glass:"]
        self._text(".tenant-checker.yaml", "\n".join(lines + [f"  - {item}" for item in break_glass]) + "\n")

    def _write(self, name: str, document: dict[str, Any]) -> None:
        if self.minified:  # Graph's response body as it came: one line, no final newline
            self._text(name, json.dumps(document, ensure_ascii=False, separators=(",", ":")))
        else:
            self._text(name, json.dumps(document, indent=2, ensure_ascii=False) + "\n")

    def _text(self, name: str, text: str) -> None:
        with open(os.path.join(self.out, name), "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        self.written.append(name)


def _skiptoken(last_id: str) -> str:
    """Shaped like Graph's opaque tokens: a base64 header and the last object's key."""
    key = f"User_{last_id}".encode()
    return base64.b64encode(b"DSpt\x02\x00\x01\x00\x00\x00" + bytes([len(key)]) + key).decode().rstrip("=")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic Microsoft Graph export of an Entra ID tenant.")
    parser.add_argument("--users", type=int, required=True, help="number of users (at least 10)")
    parser.add_argument("--out", required=True, help="folder to write the export into")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--page-size", type=int, default=None,
                        help=f"objects per page file, indented shape only (default {PAGE_SIZE})")
    parser.add_argument("--shape", choices=SHAPES, default=INDENTED,
                        help="indented: pages of 999, indent=2, as PowerShell writes them (default); "
                             "minified: one single-line file per collection, as Graph returns it")
    parser.add_argument("--situation", choices=SITUATIONS, default=COVERED,
                        help="covered: most users covered by enforced MFA (default); "
                             "uncovered: the all-users MFA policies are report-only, most users uncovered")
    args = parser.parse_args(argv)
    if args.page_size is not None and args.shape == MINIFIED:
        parser.error("--page-size applies to the indented shape only")
    page_size = PAGE_SIZE if args.page_size is None else args.page_size
    if args.users < 10 or page_size < 1:
        parser.error("--users must be at least 10 and --page-size at least 1")
    written = generate(args.users, args.out, args.seed, page_size, args.shape, args.situation)
    print(f"{len(written)} files, {args.users} users, seed {args.seed}, {args.shape}, {args.situation}: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
