"""A generated tenant as the files of a Microsoft Graph export, and the shapes the same export takes.

``exports()`` draws a tenant from ``tenants()`` (with a licence plan and registration details
beside it) and writes it as Graph v1.0 responses: ``{"@odata.context": ..., "value": [...]}``
per collection, camelCase, as the REST API returns them. The other functions give the same
export in another shape a real one takes: PascalCase keys (the PowerShell SDK), UTF-16 (Windows
PowerShell 5.1), pages, a zip archive.
"""
from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from checker.model import AttributeFilter, ConditionalAccessPolicy, GrantControls, Tenant, UserScope
from tests.oracle.strategies import tenants

CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#"
P1_PLAN = ("41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM")
P2_PLAN = ("eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2")

Document = dict[str, Any]


@dataclass(frozen=True)
class Export:
    """The documents of one export, by file name."""

    documents: dict[str, Document]

    def write(self, folder: Path, encoding: str = "utf-8") -> list[Path]:
        """Write every document into ``folder``; return the paths.

        ``utf-16-le`` and ``utf-16-be`` start with a byte order mark, as PowerShell writes them.
        """
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        mark = "\ufeff" if encoding in ("utf-16-le", "utf-16-be") else ""
        for name, document in self.documents.items():
            path = folder / name
            path.write_bytes((mark + json.dumps(document, indent=2, ensure_ascii=False)).encode(encoding))
            written.append(path)
        return written


def _strings(values: tuple[str, ...] | None) -> list[str]:
    return list(values or ())


def _guests(types: tuple[str, ...], tenants_named: tuple[str, ...] | None) -> Document | None:
    if not types:
        return None
    external: Document = ({"membershipKind": "all"} if tenants_named is None
                          else {"membershipKind": "enumerated", "members": list(tenants_named)})
    return {"guestOrExternalUserTypes": ",".join(types), "externalTenants": external}


def _users(scope: UserScope) -> Document:
    return {
        "includeUsers": _strings(scope.include_users),
        "excludeUsers": _strings(scope.exclude_users),
        "includeGroups": _strings(scope.include_groups),
        "excludeGroups": _strings(scope.exclude_groups),
        "includeRoles": _strings(scope.include_roles),
        "excludeRoles": _strings(scope.exclude_roles),
        "includeGuestsOrExternalUsers": _guests(scope.include_guest_types, scope.include_guest_tenants),
        "excludeGuestsOrExternalUsers": _guests(scope.exclude_guest_types, scope.exclude_guest_tenants),
    }


def _filter(value: AttributeFilter | None) -> Document | None:
    return None if value is None else {"mode": value.mode, "rule": value.rule}


def _grant(grant: GrantControls | None) -> Document | None:
    if grant is None:
        return None
    strength: Document | None = None
    if grant.authentication_strength is not None:
        embedded = grant.authentication_strength
        strength = {"id": embedded.id, "displayName": embedded.display_name,
                    "policyType": embedded.policy_type, "requirementsSatisfied": embedded.requirements_satisfied,
                    "allowedCombinations": _strings(embedded.allowed_combinations)}
    elif grant.authentication_strength_id is not None:
        strength = {"id": grant.authentication_strength_id}
    return {"operator": grant.operator, "builtInControls": list(grant.built_in_controls),
            "customAuthenticationFactors": list(grant.custom_authentication_factors),
            "termsOfUse": list(grant.terms_of_use), "authenticationStrength": strength}


def policy_document(policy: ConditionalAccessPolicy) -> Document:
    """One Conditional Access policy as Graph v1.0 returns it."""
    locations = (None if policy.include_locations is None and not policy.exclude_locations else
                 {"includeLocations": _strings(policy.include_locations),
                  "excludeLocations": _strings(policy.exclude_locations)})
    platforms = (None if policy.include_platforms is None and not policy.exclude_platforms else
                 {"includePlatforms": _strings(policy.include_platforms),
                  "excludePlatforms": _strings(policy.exclude_platforms)})
    return {
        "id": policy.id,
        "displayName": policy.display_name,
        "state": policy.state,
        "conditions": {
            "userRiskLevels": _strings(policy.user_risk_levels),
            "signInRiskLevels": _strings(policy.sign_in_risk_levels),
            "clientAppTypes": _strings(policy.client_app_types),
            "platforms": platforms,
            "locations": locations,
            "devices": None if policy.device_filter is None else {"deviceFilter": _filter(policy.device_filter)},
            "authenticationFlows": ({"transferMethods": ",".join(policy.authentication_flows)}
                                    if policy.authentication_flows else None),
            "applications": {
                "includeApplications": _strings(policy.include_applications),
                "excludeApplications": _strings(policy.exclude_applications),
                "includeUserActions": _strings(policy.include_user_actions),
                "includeAuthenticationContextClassReferences": _strings(policy.include_authentication_contexts),
                "applicationFilter": _filter(policy.application_filter),
            },
            "users": _users(policy.users),
        },
        "grantControls": _grant(policy.grant),
    }


def _collection(context: str, items: list[Document]) -> Document:
    return {"@odata.context": CONTEXT + context, "value": items}


def _member(member_id: str, group_ids: set[str]) -> Document:
    kind = "group" if member_id in group_ids else "user"
    return {"@odata.type": f"#microsoft.graph.{kind}", "id": member_id}


def graph_export(tenant: Tenant, plan: tuple[str, str], registered: Mapping[str, bool]) -> Export:
    """The tenant as one Graph response per collection; ``registered``: user id -> MFA registered."""
    group_ids = {group.id for group in tenant.groups or ()}
    documents: dict[str, Document] = {
        "conditional-access-policies.json": _collection(
            "identity/conditionalAccess/policies",
            [policy_document(policy) for policy in tenant.conditional_access_policies or ()]),
        "security-defaults.json": {
            "@odata.context": CONTEXT + "policies/identitySecurityDefaultsEnforcementPolicy/$entity",
            "id": "00000000-0000-0000-0000-000000000005", "isEnabled": False},
        "subscribed-skus.json": _collection("subscribedSkus", [{
            "skuId": "c0ffee00-5a1e-4000-8000-000000000001", "skuPartNumber": "PREMIUM",
            "capabilityStatus": "Enabled", "servicePlans": [{
                "servicePlanId": plan[0], "servicePlanName": plan[1], "provisioningStatus": "Success"}]}]),
        "users.json": _collection("users", [
            {"id": user.id, "userPrincipalName": user.user_principal_name, "displayName": user.display_name,
             "accountEnabled": user.account_enabled, "userType": user.user_type,
             "creationType": user.creation_type, "externalUserState": user.external_user_state}
            for user in tenant.users or ()]),
        "groups.json": _collection("groups(id,displayName,members())", [
            {"id": group.id, "displayName": group.display_name,
             **({} if group.member_ids is None else
                {"members": [_member(member, group_ids) for member in group.member_ids]})}
            for group in tenant.groups or ()]),
        "named-locations.json": _collection("identity/conditionalAccess/namedLocations", [
            {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": location.id,
             "displayName": location.display_name,
             **({} if location.is_trusted is None else {"isTrusted": location.is_trusted})}
            for location in tenant.named_locations or ()]),
        "authentication-strengths.json": _collection("policies/authenticationStrengthPolicies", [
            {"id": strength.id, "displayName": strength.display_name, "policyType": strength.policy_type,
             "requirementsSatisfied": strength.requirements_satisfied,
             "allowedCombinations": _strings(strength.allowed_combinations)}
            for strength in tenant.authentication_strengths or ()]),
        "user-registration-details.json": _collection("reports/authenticationMethods/userRegistrationDetails", [
            {"id": user.id, "userPrincipalName": user.user_principal_name, "userDisplayName": user.display_name,
             "userType": (user.user_type or "member").lower(), "isAdmin": False,
             "isMfaRegistered": registered.get(user.id, True), "isSsprEnabled": True, "isSsprRegistered": True}
            for user in tenant.users or ()]),
    }
    if tenant.role_definitions is not None:
        documents["role-definitions.json"] = _collection("roleManagement/directory/roleDefinitions", [
            {"id": definition.id, "templateId": definition.template_id, "displayName": definition.display_name}
            for definition in tenant.role_definitions])
    if tenant.role_assignments is not None:
        documents["role-assignments.json"] = _collection("roleManagement/directory/roleAssignments", [
            {"id": assignment.id, "principalId": assignment.principal_id,
             "roleDefinitionId": assignment.role_definition_id, "directoryScopeId": assignment.directory_scope_id}
            for assignment in tenant.role_assignments])
    return Export(documents)


@st.composite
def exports(draw: st.DrawFn) -> tuple[Tenant, Export]:
    """A generated tenant on a P1 or P2 plan, with some users not registered for MFA, and its export."""
    tenant = draw(tenants())
    plan = draw(st.sampled_from([P1_PLAN, P2_PLAN]))
    registered = {user.id: draw(st.booleans()) for user in tenant.users or ()}
    return tenant, graph_export(tenant, plan, registered)


def pascal_case(value: Any) -> Any:
    """Every key with its first letter upper-cased, as the PowerShell SDK writes them (``@odata`` keys kept)."""
    if isinstance(value, dict):
        return {(key if key.startswith("@") else key[:1].upper() + key[1:]): pascal_case(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [pascal_case(item) for item in value]
    return value


def in_pascal_case(export: Export) -> Export:
    """Every object of the export in PascalCase; a response's own ``value`` stays as Graph wrote it."""
    return Export({name: {key: [pascal_case(item) for item in value] if key == "value" else pascal_case(value)
                          for key, value in document.items()}
                   for name, document in export.documents.items()})


def paged(export: Export, page_size: int) -> Export:
    """Every collection cut into pages of ``page_size`` objects, one file each, linked by ``@odata.nextLink``."""
    documents: dict[str, Document] = {}
    for name, document in export.documents.items():
        items = document.get("value")
        if not isinstance(items, list) or len(items) <= page_size:
            documents[name] = document
            continue
        stem = name.removesuffix(".json")
        pages = [items[start:start + page_size] for start in range(0, len(items), page_size)]
        for number, page in enumerate(pages, start=1):
            page_document: Document = {"@odata.context": document["@odata.context"], "value": page}
            if number < len(pages):
                page_document["@odata.nextLink"] = f"https://graph.microsoft.com/v1.0/{stem}?$skiptoken=page{number}"
            documents[f"{stem}.page{number}.json"] = page_document
    return Export(documents)


def zipped(folder: Path, archive: Path) -> Path:
    """The files of ``folder`` in a zip archive at ``archive``, in sorted order."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as writer:
        for path in sorted(folder.iterdir()):
            writer.write(path, path.name)
    return archive
