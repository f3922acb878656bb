"""ScubaGear's ``ProviderSettingsExport.json``, read as the Graph collections the checker knows.

ScubaGear (CISA) writes one JSON object per run whose AAD keys hold Graph SDK objects in
PascalCase; the parsers read any key case, so most objects pass through as they are:

- ``conditional_access_policies`` -> ``CA_POLICIES``, one item per policy (a single policy
  may arrive as one object, not a list). An ``AuthenticationStrength`` whose fields are
  all null (the SDK's way of writing "none") is set to null. ``/Date(ms)/`` dates stay:
  nothing reads them. No export we have seen writes enums as numbers or ``{"value": ...}``.
- ``service_plans`` -> ``SUBSCRIBED_SKUS``, one synthesized SKU holding every plan. ScubaGear
  keeps only the plans whose ``ProvisioningStatus`` is ``Success``, flattened across the
  tenant's SKUs (``ServicePlanId``, ``ServicePlanName``, ``ProvisioningStatus``, ``AppliesTo``,
  ``ServicePlanType``), and decides P2 itself from ``AAD_PREMIUM_P2`` in this list. The SKUs'
  capability status is not exported, so the SKU is written ``Enabled``: it states exactly
  what the export states, that the plan is provisioned in the tenant. ``license_information``
  is not used: it holds only ``SkuId``, ``SkuPartNumber``, ``ConsumedUnits`` and
  ``PrepaidUnits``, no service plans and no capability status.
- ``privileged_roles`` (``DisplayName``, ``RoleTemplateId``) -> ``ROLE_DEFINITIONS``.
- Role holders -> ``ROLE_ASSIGNMENTS``, active tenant-wide assignments only. Without P2,
  ``privileged_users`` (``{object id: {DisplayName, roles: [role names], ...}}``) lists
  the members of the activated directory roles, group members expanded: those are the
  active holders, each written as a direct assignment with the id Graph gives one. With
  P2, ScubaGear adds PIM-eligible holders to ``privileged_users`` without marking them, so
  it is not used for assignments; the ``Assignments`` of ``privileged_roles`` (active
  role assignment schedule instances: ``PrincipalId``, ``RoleDefinitionId``,
  ``DirectoryScopeId``, ``AssignmentType`` ``Assigned`` or ``Activated``) are read instead,
  group principals included. Eligible holders are left out: a policy that targets a role
  reaches them only once they activate it.
- ``privileged_users`` -> ``USERS`` only for entries that carry a ``userPrincipalName``.
- ``authentication_method`` (``authentication_method_policy`` and
  ``authentication_method_feature_settings``) -> ``AUTH_METHODS_POLICY`` and
  ``AUTH_METHOD_CONFIGURATIONS``, each at its own pointer; an older export that holds the
  policy object itself, configurations inside, is read as one policy.
- ``authorization_policies`` -> ``AUTHORIZATION_POLICY``.

A key whose command ScubaGear lists in ``aad_unsuccessful_commands`` is skipped: it then
holds an empty list, which would otherwise read as "no policies" or "no licence". Keys of
other products are ignored. ScubaGear's result reports (``ScubaResults*.json``, the
per-product report JSON) are recognised and ignored: they hold verdicts, not settings.
"""
from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from checker.entra import ADMIN_ROLES
from checker.inputs import fields, identify
from checker.inputs.identify import Identification, Piece
from checker.origin import escape_pointer_token

Item = tuple[str, Mapping[str, Any]]
Diagnostic = tuple[str, str, str, int, int]

_AAD_KEYS = (
    "conditional_access_policies", "service_plans", "privileged_roles", "privileged_users",
    "authentication_method", "authorization_policies",
)
# The command whose failure leaves each key empty (ScubaGear's own names, "MgBeta" or "Mg").
_COMMANDS = {
    "conditional_access_policies": "get-mgidentityconditionalaccesspolicy",
    "service_plans": "get-mgsubscribedsku",
    "privileged_roles": "get-privilegedrole",
    "privileged_users": "get-privilegeduser",
    "authentication_method": "get-mgpolicyauthenticationmethodpolicy",
    "authorization_policies": "get-mgpolicyauthorizationpolicy",
}
_P2_PLAN = ("eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2")
_ACTIVE_ASSIGNMENT_TYPES = {"", "assigned", "activated"}
_TENANT_SCOPES = {"", "/"}
# ScubaGear's default privileged roles, for exports whose privileged_roles is missing.
_KNOWN_ROLES = {name.lower(): template for template, name in ADMIN_ROLES.items()} | {
    "hybrid identity administrator": "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
}
REPORT_REASON = "ScubaGear result report: results, not tenant settings"
NO_AAD_REASON = "ScubaGear export without Entra ID (AAD) settings"


def identify_scubagear(document: Any) -> Identification | None:
    """What a ScubaGear document holds, or None when it is not one.

    ``ScubaResults_*.json`` (ScubaGear 1.5 and later, which deletes ProviderSettingsExport.json
    by default) carries the whole provider export under ``Raw``: that is read.
    """
    if _is_result_report(document):
        raw = document.get("Raw") if isinstance(document, dict) else None
        if isinstance(raw, dict) and _is_provider_export(raw):
            found = identify_scubagear(raw)
            if found is not None:
                return _under("/Raw", found)
        return Identification("scubagear-report", ignored_reason=REPORT_REASON)
    if not isinstance(document, dict) or not _is_provider_export(document):
        return None
    present = [key for key in _AAD_KEYS if key in document]
    if not present:
        return Identification("scubagear", ignored_reason=NO_AAD_REASON)
    usable = set(present) - _failed_keys(document)
    pieces, diagnostics = _pieces(document, usable)
    if not pieces:
        reason = "ScubaGear export with no readable Entra ID (AAD) settings (see aad_unsuccessful_commands)"
        return Identification("scubagear", ignored_reason=reason, diagnostics=diagnostics)
    return Identification("scubagear", pieces, diagnostics=diagnostics, tenant_id=_tenant_id(document),
                          tenant_name=_tenant_name(document), exported_at=_string(document.get("timestamp_zulu")))


def _tenant_name(document: Mapping[str, Any]) -> str:
    details = _listed(document.get("tenant_details"))
    return _string(fields.get(details[0], "DisplayName")) if details and isinstance(details[0], dict) else ""


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _tenant_id(document: Mapping[str, Any]) -> str:
    found = document.get("tenant_id")
    if not isinstance(found, str) or not found:
        details = _listed(document.get("tenant_details"))
        found = fields.get(details[0], "TenantId") if details and isinstance(details[0], dict) else ""
    return found.lower() if isinstance(found, str) else ""


def _under(prefix: str, found: Identification) -> Identification:
    """An identification of a document nested at ``prefix`` in its file."""
    pieces = tuple(replace(piece, items=tuple((prefix + pointer, obj) for pointer, obj in piece.items))
                   for piece in found.pieces)
    diagnostics = tuple((code, message, prefix + pointer, line, column)
                        for code, message, pointer, line, column in found.diagnostics)
    return replace(found, format="scubagear-results", pieces=pieces, diagnostics=diagnostics)


def _is_result_report(document: Any) -> bool:
    if isinstance(document, list) and len(document) == 1:
        document = document[0]  # the per-product report is a one-element array
    return (isinstance(document, dict) and fields.has(document, "MetaData") and fields.has(document, "Results")
            and (fields.has(document, "ReportSummary") or fields.has(document, "Summary")))


def _is_provider_export(document: Mapping[str, Any]) -> bool:
    keys = set(document)
    return (bool(keys.intersection(_AAD_KEYS)) or {"baseline_version", "module_version"} <= keys
            or any(key.endswith("_successful_commands") for key in keys))


def _failed_keys(document: Mapping[str, Any]) -> set[str]:
    failed = document.get("aad_unsuccessful_commands")
    names = {c.lower().replace("get-mgbeta", "get-mg") for c in _listed(failed) if isinstance(c, str)}
    return {key for key, command in _COMMANDS.items() if command in names}


def _pieces(document: Mapping[str, Any], usable: set[str]) -> tuple[tuple[Piece, ...], tuple[Diagnostic, ...]]:
    pieces: list[Piece] = []
    if "conditional_access_policies" in usable:
        value = document["conditional_access_policies"]
        policies = _items(value, "/conditional_access_policies")
        pieces.append(Piece(identify.CA_POLICIES, tuple((p, _without_empty_strength(o)) for p, o in policies),
                            unreadable=_not_objects(value)))
    if "service_plans" in usable:
        pieces.append(Piece(identify.SUBSCRIBED_SKUS, (("/service_plans", _sku(document["service_plans"])),)))
    role_pieces, diagnostics = _role_pieces(document, usable)
    pieces.extend(role_pieces)
    if "authentication_method" in usable:
        pieces.extend(_methods_pieces(document["authentication_method"]))
    if "authorization_policies" in usable:
        found = _items(document["authorization_policies"], "/authorization_policies")
        pieces.append(Piece(identify.AUTHORIZATION_POLICY, tuple(found)))
    diagnostics += tuple(("INPUT001", f"conditional_access_policies: {piece.unreadable}, so none of the policies "
                          "could be read", "/conditional_access_policies", 0, 0)
                         for piece in pieces if piece.unreadable)
    return tuple(pieces), diagnostics


def _not_objects(value: Any) -> str:
    """Why a list of policies cannot be read whole (an element, or the list, is no object), else ""."""
    strays = [item for item in _listed(value) if not isinstance(item, dict)]
    if not strays:
        return ""
    return f"{len(strays)} of its elements are not objects (the first is {fields.type_name(strays[0])})"


def _listed(value: Any) -> list[Any]:
    """PowerShell writes a one-element collection as the element itself."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _items(value: Any, pointer: str) -> list[Item]:
    if isinstance(value, dict):
        return [(pointer, value)]
    return [(f"{pointer}/{i}", item) for i, item in enumerate(_listed(value)) if isinstance(item, dict)]


def _key(obj: Mapping[str, Any], name: str) -> str:
    """The key ``name`` is spelled with in ``obj`` (for pointers), whatever its case."""
    lowered = name.lower()
    return next((key for key in obj if isinstance(key, str) and key.lower() == lowered), name)


def _text(obj: Mapping[str, Any], name: str) -> str:
    value = fields.get(obj, name)
    return value if isinstance(value, str) else ""


def _without_empty_strength(policy: Mapping[str, Any]) -> Mapping[str, Any]:
    grant = fields.get(policy, "grantControls")
    if not isinstance(grant, dict):
        return policy
    strength = fields.get(grant, "authenticationStrength")
    if not isinstance(strength, dict) or any(value not in (None, [], {}) for value in strength.values()):
        return policy
    grant = {**grant, _key(grant, "authenticationStrength"): None}
    return {**policy, _key(policy, "grantControls"): grant}


def _sku(service_plans: Any) -> Mapping[str, Any]:
    return {
        "skuId": "",
        "skuPartNumber": "ScubaGear service_plans",
        "capabilityStatus": "Enabled",
        "servicePlans": service_plans,
    }


def _role_pieces(document: Mapping[str, Any], usable: set[str]) -> tuple[list[Piece], tuple[Diagnostic, ...]]:
    roles = _items(document["privileged_roles"], "/privileged_roles") if "privileged_roles" in usable else []
    users = document.get("privileged_users") if "privileged_users" in usable else None
    diagnostics: list[Diagnostic] = []
    found = [
        Piece(identify.ROLE_DEFINITIONS, tuple(_definitions(roles))) if roles else None,
        _assignments(document, roles, users, diagnostics),
        _accounts(users),
    ]
    return [piece for piece in found if piece is not None], tuple(diagnostics)


def _definitions(roles: list[Item]) -> Iterator[Item]:
    for pointer, role in roles:
        template = _text(role, "RoleTemplateId").lower()
        if template:
            yield pointer, {"id": template, "templateId": template, "displayName": _text(role, "DisplayName")}


def _assignments(document: Mapping[str, Any], roles: list[Item], users: Any,
                 diagnostics: list[Diagnostic]) -> Piece | None:
    """Active tenant-wide role holders, from whichever source holds only those."""
    if any(fields.has(role, "Assignments") for _, role in roles):
        return Piece(identify.ROLE_ASSIGNMENTS, tuple(_active_assignments(roles)))
    if not isinstance(users, dict) or _has_p2(document):
        return None  # ScubaGear read PIM, so privileged_users may hold eligible holders too
    names = _KNOWN_ROLES | {_text(r, "DisplayName").lower(): _text(r, "RoleTemplateId").lower()
                            for _, r in roles if _text(r, "RoleTemplateId")}
    return Piece(identify.ROLE_ASSIGNMENTS, tuple(_user_assignments(users, names, diagnostics)))


def _has_p2(document: Mapping[str, Any]) -> bool:
    """ScubaGear's own test for reading PIM: AAD_PREMIUM_P2 among the provisioned plans."""
    plans = [plan for plan in _listed(document.get("service_plans")) if isinstance(plan, dict)]
    return any(_text(plan, "ServicePlanId").lower() == _P2_PLAN[0]
               or _text(plan, "ServicePlanName").upper() == _P2_PLAN[1] for plan in plans)


def _accounts(users: Any) -> Piece | None:
    if not isinstance(users, dict):
        return None
    accounts = [(f"/privileged_users/{escape_pointer_token(str(key))}", _account(key, entry))
                for key, entry in users.items() if isinstance(entry, dict) and _text(entry, "userPrincipalName")]
    return Piece(identify.USERS, tuple(accounts)) if accounts else None


def _active_assignments(roles: list[Item]) -> Iterator[Item]:
    for pointer, role in roles:
        prefix = f"{pointer}/{_key(role, 'Assignments')}"
        for item_pointer, assignment in _items(fields.get(role, "Assignments"), prefix):
            kind = _text(assignment, "AssignmentType").lower()
            scope = _text(assignment, "DirectoryScopeId")
            if kind in _ACTIVE_ASSIGNMENT_TYPES and scope in _TENANT_SCOPES:
                yield item_pointer, assignment


def _user_assignments(users: Mapping[str, Any], names: Mapping[str, str], diagnostics: list[Diagnostic]
                      ) -> Iterator[Item]:
    for principal, entry in users.items():
        if not isinstance(entry, dict):
            continue
        pointer = f"/privileged_users/{escape_pointer_token(str(principal))}"
        roles = fields.get(entry, "roles")
        for role_pointer, role_name in _role_names(roles, f"{pointer}/{_key(entry, 'roles')}"):
            template = names.get(role_name.lower())
            if template is None:
                diagnostics.append(("INPUT002", f"role {role_name!r} of privileged user {principal} maps to no "
                                    "role template id; that assignment is left out", role_pointer, 0, 0))
                continue
            yield role_pointer, {
                "id": _assignment_id(template, str(principal)),
                "principalId": str(principal),
                "roleDefinitionId": template,
                "directoryScopeId": "/",
            }


def _role_names(roles: Any, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(roles, str):
        yield pointer, roles
        return
    seen: set[str] = set()
    for index, name in enumerate(_listed(roles)):
        if isinstance(name, str) and name.lower() not in seen:
            seen.add(name.lower())  # ScubaGear may list a role twice for one user
            yield f"{pointer}/{index}", name


def _assignment_id(template: str, principal: str) -> str:
    """The id Graph gives a direct tenant-wide assignment, so that a Graph copy merges with it."""
    try:
        raw = uuid.UUID(template).bytes_le + uuid.UUID(principal).bytes_le
    except ValueError:
        return f"{template}_{principal}"
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=") + "-1"


def _account(principal: Any, entry: Mapping[str, Any]) -> Mapping[str, Any]:
    return {
        "id": str(principal),
        "userPrincipalName": _text(entry, "userPrincipalName"),
        "displayName": _text(entry, "DisplayName"),
    }


def _methods_pieces(value: Any) -> list[Piece]:
    policies: list[Item] = []
    configurations: list[Item] = []
    for pointer, element in _items(value, "/authentication_method"):
        if "authentication_method_policy" not in element:
            policies.append((pointer, element))  # an older export: the policy itself
            continue
        policy = element["authentication_method_policy"]
        if isinstance(policy, dict):
            policies.append((f"{pointer}/authentication_method_policy", policy))
        settings = element.get("authentication_method_feature_settings")
        configurations.extend(_items(settings, f"{pointer}/authentication_method_feature_settings"))
    pieces = [Piece(identify.AUTH_METHODS_POLICY, tuple(policies))] if policies else []
    if configurations:
        pieces.append(Piece(identify.AUTH_METHOD_CONFIGURATIONS, tuple(configurations)))
    return pieces
