"""The normalized tenant: what every loader produces and every check reads.

Collections are ``None`` when the export holds no evidence for them, and an empty tuple
when the export shows there are none. Checks rely on that difference to fail closed.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

from checker.origin import Origin


class Plan(enum.Enum):
    UNKNOWN = "unknown"
    FREE = "free"
    P1 = "P1"
    P2 = "P2"


@dataclass(frozen=True, slots=True)
class UserScope:
    """The ``conditions.users`` part of a Conditional Access policy."""

    include_users: tuple[str, ...] = ()
    exclude_users: tuple[str, ...] = ()
    include_groups: tuple[str, ...] = ()
    exclude_groups: tuple[str, ...] = ()
    include_roles: tuple[str, ...] = ()
    exclude_roles: tuple[str, ...] = ()
    include_guest_types: tuple[str, ...] = ()
    exclude_guest_types: tuple[str, ...] = ()
    # the home tenants a guest condition names; None means every tenant
    include_guest_tenants: tuple[str, ...] | None = None
    exclude_guest_tenants: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class AttributeFilter:
    """A device or application filter: ``mode`` is "include" or "exclude", ``rule`` its rule text."""

    mode: str
    rule: str


@dataclass(frozen=True, slots=True)
class AuthenticationStrength:
    """An authentication strength; ``allowed_combinations`` is None when only its id is known."""

    id: str
    display_name: str
    allowed_combinations: tuple[str, ...] | None
    origin: Origin
    policy_type: str = ""
    requirements_satisfied: str = ""


@dataclass(frozen=True, slots=True)
class GrantControls:
    operator: str = "OR"
    built_in_controls: tuple[str, ...] = ()
    authentication_strength_id: str | None = None
    authentication_strength_name: str | None = None
    # the strength object when the policy carries it expanded
    authentication_strength: AuthenticationStrength | None = None
    custom_authentication_factors: tuple[str, ...] = ()
    terms_of_use: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConditionalAccessPolicy:
    id: str
    display_name: str
    state: str
    origin: Origin
    users: UserScope = field(default_factory=UserScope)
    include_applications: tuple[str, ...] = ()
    exclude_applications: tuple[str, ...] = ()
    include_user_actions: tuple[str, ...] = ()
    include_authentication_contexts: tuple[str, ...] = ()
    client_app_types: tuple[str, ...] = ()
    sign_in_risk_levels: tuple[str, ...] = ()
    user_risk_levels: tuple[str, ...] = ()
    service_principal_risk_levels: tuple[str, ...] = ()
    insider_risk_levels: tuple[str, ...] = ()
    include_locations: tuple[str, ...] | None = None
    exclude_locations: tuple[str, ...] = ()
    include_platforms: tuple[str, ...] | None = None
    exclude_platforms: tuple[str, ...] = ()
    device_filter: AttributeFilter | None = None
    application_filter: AttributeFilter | None = None
    authentication_flows: tuple[str, ...] = ()
    include_service_principals: tuple[str, ...] = ()
    grant: GrantControls | None = None


@dataclass(frozen=True, slots=True)
class SecurityDefaults:
    is_enabled: bool
    origin: Origin


@dataclass(frozen=True, slots=True)
class ServicePlan:
    service_plan_id: str
    service_plan_name: str
    provisioning_status: str


@dataclass(frozen=True, slots=True)
class SubscribedSku:
    sku_id: str
    sku_part_number: str
    capability_status: str
    service_plans: tuple[ServicePlan, ...]
    origin: Origin


@dataclass(frozen=True, slots=True)
class User:
    id: str
    user_principal_name: str
    display_name: str
    account_enabled: bool | None
    user_type: str | None
    origin: Origin
    creation_type: str | None = None
    external_user_state: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """A group; ``member_ids`` is None when the export did not expand its members.

    ``nested_group_ids`` are the members known to be groups (by their @odata.type);
    ``members_are_transitive`` is true when they came from ``transitiveMembers``.
    """

    id: str
    display_name: str
    member_ids: tuple[str, ...] | None
    origin: Origin
    nested_group_ids: tuple[str, ...] = ()
    members_are_transitive: bool = False


@dataclass(frozen=True, slots=True)
class DirectoryRole:
    """An activated directory role with its members (``directoryRoles?$expand=members``)."""

    id: str
    role_template_id: str
    display_name: str
    member_ids: tuple[str, ...] | None
    origin: Origin
    member_principal_names: tuple[tuple[str, str], ...] = ()  # (member id, UPN) where the export carries both


@dataclass(frozen=True, slots=True)
class RoleAssignment:
    id: str
    principal_id: str
    role_definition_id: str
    directory_scope_id: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class RoleDefinition:
    id: str
    template_id: str
    display_name: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class RegistrationDetail:
    id: str
    user_principal_name: str
    display_name: str
    is_admin: bool | None
    user_type: str | None
    is_mfa_registered: bool | None
    is_sspr_enabled: bool | None
    is_sspr_registered: bool | None
    origin: Origin


@dataclass(frozen=True, slots=True)
class MethodTarget:
    target_type: str
    id: str


@dataclass(frozen=True, slots=True)
class AuthenticationMethodConfiguration:
    """``include_targets`` is None when the export leaves them out (ScubaGear 1.2), () when there are none."""

    id: str
    state: str
    include_targets: tuple[MethodTarget, ...] | None
    origin: Origin


@dataclass(frozen=True, slots=True)
class RegistrationCampaign:
    state: str
    include_targets: tuple[MethodTarget, ...]
    exclude_targets: tuple[MethodTarget, ...]
    origin: Origin


@dataclass(frozen=True, slots=True)
class AuthenticationMethodsPolicy:
    registration_campaign: RegistrationCampaign | None
    origin: Origin


@dataclass(frozen=True, slots=True)
class NamedLocation:
    id: str
    display_name: str
    is_trusted: bool | None
    origin: Origin


@dataclass(frozen=True, slots=True)
class PerUserMfaState:
    """Legacy per-user MFA for one user: "disabled", "enabled" or "enforced" (other values kept)."""

    id: str
    user_principal_name: str
    state: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class IncompleteCollection:
    """A collection some of whose objects could not be read: the rules that need it are not judged.

    ``lost`` is None when how many is not known (a missing page, a collection that is not an array).
    """

    collection: str
    what: str
    lost: int | None
    read: int
    why: str
    origin: Origin

    @property
    def message(self) -> str:
        if self.lost is None:
            return f"{self.collection} is incomplete ({self.read} {self.what} read, more could not be): {self.why}"
        return f"{self.lost} of {self.lost + self.read} {self.what} could not be read ({self.collection}): {self.why}"


@dataclass(frozen=True, slots=True)
class Tenant:
    """Everything the checks may read. ``None`` means: not in the export."""

    conditional_access_policies: tuple[ConditionalAccessPolicy, ...] | None = None
    conditional_access_origin: Origin | None = None
    security_defaults: SecurityDefaults | None = None
    subscribed_skus: tuple[SubscribedSku, ...] | None = None
    subscribed_skus_origin: Origin | None = None
    users: tuple[User, ...] | None = None
    groups: tuple[Group, ...] | None = None
    directory_roles: tuple[DirectoryRole, ...] | None = None
    role_assignments: tuple[RoleAssignment, ...] | None = None
    role_definitions: tuple[RoleDefinition, ...] | None = None
    registration_details: tuple[RegistrationDetail, ...] | None = None
    registration_details_origin: Origin | None = None
    authentication_methods_policy: AuthenticationMethodsPolicy | None = None
    authentication_method_configurations: tuple[AuthenticationMethodConfiguration, ...] | None = None
    authentication_strengths: tuple[AuthenticationStrength, ...] | None = None
    named_locations: tuple[NamedLocation, ...] | None = None
    per_user_mfa: tuple[PerUserMfaState, ...] | None = None
    incomplete: tuple[IncompleteCollection, ...] = ()
