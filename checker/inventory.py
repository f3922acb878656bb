"""What an export holds, area by area: the facts `inputs` prints and the JSON report carries."""
from __future__ import annotations

from dataclasses import dataclass

from checker.model import Tenant
from checker.semantics.licence import plan_of


@dataclass(frozen=True)
class Area:
    name: str
    collection: str
    present: bool
    detail: str


def _count(values: tuple[object, ...] | None, noun: str, nouns: str = "") -> tuple[bool, str]:
    if values is None:
        return False, "absent"
    return True, f"{len(values)} {noun if len(values) == 1 else nouns or noun + 's'}"


def areas(tenant: Tenant) -> tuple[Area, ...]:
    groups = tenant.groups
    expanded = sum(1 for g in groups or () if g.member_ids is not None)
    defaults = tenant.security_defaults
    found = [
        ("Conditional Access policies", "identity/conditionalAccess/policies",
         *_count(tenant.conditional_access_policies, "policy", "policies")),
        ("Security defaults", "policies/identitySecurityDefaultsEnforcementPolicy", defaults is not None,
         "absent" if defaults is None else ("on" if defaults.is_enabled else "off")),
        ("Licence plan", "subscribedSkus", tenant.subscribed_skus is not None,
         "absent" if tenant.subscribed_skus is None else
         f"{plan_of(tenant).value} ({len(tenant.subscribed_skus)} subscribed SKUs)"),
        ("Users", "users", *_count(tenant.users, "user")),
        ("Groups", "groups", groups is not None,
         "absent" if groups is None else f"{len(groups)} groups, members known for {expanded}"),
        ("Role assignments", "roleManagement/directory/roleAssignments",
         *_count(tenant.role_assignments, "assignment")),
        ("Directory roles", "directoryRoles", *_count(tenant.directory_roles, "role")),
        ("Registration details", "reports/authenticationMethods/userRegistrationDetails",
         *_count(tenant.registration_details, "user")),
        ("Authentication methods policy", "policies/authenticationMethodsPolicy",
         tenant.authentication_methods_policy is not None,
         "present" if tenant.authentication_methods_policy is not None else "absent"),
        ("Per-user MFA state", "users/{id}/authentication/requirements", *_count(tenant.per_user_mfa, "user")),
        ("Named locations", "identity/conditionalAccess/namedLocations", *_count(tenant.named_locations, "location")),
        ("Authentication strengths", "policies/authenticationStrengthPolicies",
         *_count(tenant.authentication_strengths, "strength")),
    ]
    return tuple(Area(name, collection, present, detail) for name, collection, present, detail in found)
