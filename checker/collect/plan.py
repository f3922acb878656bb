"""What `collect` asks Graph for: one entry per collection of the model, with its file.

The requests, versions and permissions are those docs/exporting.md documents; keep the
two in step. Collections come back as Graph wrote them, their pages merged into one
``{"@odata.context", "value"}`` document per file. Two are assembled from several
requests, in shapes `scan` reads: groups with their direct ``members`` listed (one
members request per group, since ``$expand`` stops at 20 members), and the beta
per-user MFA state of every user, as the ``$batch`` responses that carried it.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from checker.inputs import identify


class Shape(Enum):
    LIST = "list"  # a collection, every page of it
    OBJECT = "object"  # a single object
    GROUPS_WITH_MEMBERS = "groups"  # the group list, then each group's direct members
    PER_USER = "per-user"  # one GET per user of the users collection, by $batch


@dataclass(frozen=True)
class Request:
    collection: str  # as in DESIGN section 2 and checker.inputs.identify
    file: str
    version: str
    path: str
    shape: Shape
    permission: str  # least-privileged read permission (application and delegated alike)


USERS_SELECT = "id,displayName,userPrincipalName,accountEnabled,userType,creationType,externalUserState"
PER_USER_MFA_PATH = "users/{id}/authentication/requirements"

PLAN: tuple[Request, ...] = (
    Request(identify.CA_POLICIES, "conditional-access-policies.json", "v1.0",
            "identity/conditionalAccess/policies", Shape.LIST, "Policy.Read.All"),
    Request(identify.NAMED_LOCATIONS, "named-locations.json", "v1.0",
            "identity/conditionalAccess/namedLocations", Shape.LIST, "Policy.Read.All"),
    Request(identify.SECURITY_DEFAULTS, "security-defaults.json", "v1.0",
            "policies/identitySecurityDefaultsEnforcementPolicy", Shape.OBJECT, "Policy.Read.All"),
    Request(identify.AUTH_METHODS_POLICY, "authentication-methods-policy.json", "v1.0",
            "policies/authenticationMethodsPolicy", Shape.OBJECT, "Policy.Read.AuthenticationMethod"),
    Request(identify.AUTH_STRENGTHS, "authentication-strengths.json", "v1.0",
            "policies/authenticationStrengthPolicies", Shape.LIST, "Policy.Read.AuthenticationMethod"),
    Request(identify.SUBSCRIBED_SKUS, "subscribed-skus.json", "v1.0",
            "subscribedSkus", Shape.LIST, "LicenseAssignment.Read.All"),
    Request(identify.USERS, "users.json", "v1.0",
            f"users?$select={USERS_SELECT}&$top=999", Shape.LIST, "User.Read.All"),
    Request(identify.GROUPS, "groups.json", "v1.0",
            "groups?$select=id,displayName,groupTypes,securityEnabled&$top=999", Shape.GROUPS_WITH_MEMBERS,
            "GroupMember.Read.All"),
    Request(identify.ROLE_ASSIGNMENTS, "role-assignments.json", "v1.0",
            "roleManagement/directory/roleAssignments", Shape.LIST, "RoleManagement.Read.Directory"),
    Request(identify.ROLE_DEFINITIONS, "role-definitions.json", "v1.0",
            "roleManagement/directory/roleDefinitions", Shape.LIST, "RoleManagement.Read.Directory"),
    Request(identify.REGISTRATION_DETAILS, "user-registration-details.json", "v1.0",
            "reports/authenticationMethods/userRegistrationDetails", Shape.LIST, "AuditLog.Read.All"),
    Request(identify.PER_USER_MFA, "per-user-mfa-requirements.json", "beta",
            PER_USER_MFA_PATH, Shape.PER_USER, "Policy.Read.All"),
)

MANIFEST_FILE = "tenant-checker-manifest.json"
FILES = frozenset({request.file for request in PLAN} | {MANIFEST_FILE})


def group_members_path(group_id: str) -> str:
    return f"groups/{group_id}/members?$select=id&$top=999"
