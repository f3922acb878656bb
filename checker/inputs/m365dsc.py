"""Microsoft365DSC JSON reports (DESIGN section 2, item 7) to Graph-shaped objects.

``New-M365DSCReportFromConfiguration -Type JSON`` writes the parsed configuration with
``ConvertTo-Json``: a list of resource entries, each a ``ResourceName``, a
``ResourceInstanceName`` and the resource's parameters; nested CIM instances are objects that
carry a ``CIMInstance`` class name (one entry alone may be written as an object, not a list).
Parameter names come from the resources' schema.mof files in microsoft/Microsoft365DSC
(``MSFT_AADConditionalAccessPolicy``, ``MSFT_AADSecurityDefaults``,
``MSFT_AADAuthenticationMethodPolicy`` and ``MSFT_AADAuthenticationMethodPolicy<Method>``).

DSC names objects where Graph identifies them: users by UPN, groups and named locations by
display name, roles by role template display name, authentication strengths by name. Roles and
the built-in strengths are mapped back to ids here; users (UPNs) and groups (display names) are
resolved to ids when the tenant is built, against the export's users and groups, and reported
there if they match nothing; a role name this table does not know is reported and kept as
named, never guessed: the evaluation takes it as a role that anyone holding a role may hold.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checker.entra import ADMIN_ROLES, BUILT_IN_STRENGTHS, OBJECT_ID
from checker.inputs import fields, identify
from checker.inputs.identify import Identification, Piece

Diagnostic = tuple[str, str, str, int, int]
Item = tuple[str, Mapping[str, Any]]

# Role template display name (as Get-MgDirectoryRoleTemplate gives it) -> template id.
# Beyond ADMIN_ROLES, from Microsoft Learn "Microsoft Entra built-in roles", plus former names.
OTHER_ROLES: dict[str, str] = {
    "Authentication Policy Administrator": "0526716b-113d-4c15-b2c8-68e3c22b9f80",
    "Application Developer": "cf1c38e5-3621-4004-a7cb-879624dced7c",
    "Cloud App Security Administrator": "892c5842-a9a6-463a-8041-72aa08ca3cf6",
    "Cloud Device Administrator": "7698a772-787b-4ac8-901f-60d6b08affd2",
    "Compliance Administrator": "17315797-102d-40b4-93e0-432062caca18",
    "Compliance Data Administrator": "e6d1a23a-da11-4be4-9570-befc86d067a7",
    "Directory Readers": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
    "Directory Synchronization Accounts": "d29b2b05-8046-44ba-8758-1e26182fcf32",
    "Directory Writers": "9360feb5-f418-4baa-8175-e2a00bac4301",
    "Domain Name Administrator": "8329153b-31d0-4727-b945-745eb3bc5f31",
    "Dynamics 365 Administrator": "44367163-eba1-44c3-98af-f5787879f96a",
    "Exchange Recipient Administrator": "31392ffb-586c-42d1-9346-e59415a2cc4e",
    "External Identity Provider Administrator": "be2f45a1-457d-42af-a067-6ec1fa63bc45",
    "Fabric Administrator": "a9ea8996-122f-4c74-9520-8edcd192826c",
    "Power BI Administrator": "a9ea8996-122f-4c74-9520-8edcd192826c",
    "Global Reader": "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    "Company Administrator": "62e90394-69f5-4237-9190-012177145e10",
    "Groups Administrator": "fdd7a751-b60b-444a-984c-02652fe8fa1c",
    "Guest Inviter": "95e79109-95c0-4d8e-aee3-d01accf2d47b",
    "Hybrid Identity Administrator": "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
    "Identity Governance Administrator": "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e",
    "Intune Administrator": "3a2c62db-5318-420d-8d74-23affee5d9d5",
    "License Administrator": "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
    "Microsoft Entra Joined Device Local Administrator": "9f06204d-73c1-4d4c-880a-6edb90606fd8",
    "Azure AD Joined Device Local Administrator": "9f06204d-73c1-4d4c-880a-6edb90606fd8",
    "Office Apps Administrator": "2b745bdf-0803-4d80-aa65-822c4493daac",
    "Power Platform Administrator": "11648597-926c-4cf3-9c36-bcebb0ba8dcc",
    "Reports Reader": "4a5d8f65-41da-4de4-8968-e035b65339cf",
    "Security Operator": "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f",
    "Security Reader": "5d6b6bb7-de71-4623-b4af-96380a352509",
    "Service Support Administrator": "f023fd81-a637-4b56-95fd-791ac0226033",
    "Skype for Business Administrator": "75941009-915a-4869-abe7-691bff18279e",
    "Teams Administrator": "69091246-20e8-4a56-aa4d-066075b2a7a8",
    "Teams Communications Administrator": "baf37b3a-610e-45da-9e62-d9d1e5e8914b",
    "Windows 365 Administrator": "11451d60-acb2-45eb-a7d6-43d0f0125c13",
}
ROLE_IDS: dict[str, str] = {
    **{name.lower(): role_id for role_id, name in ADMIN_ROLES.items()},
    **{name.lower(): role_id for name, role_id in OTHER_ROLES.items()},
}
STRENGTH_IDS = {name.lower(): strength_id for strength_id, (name, _) in BUILT_IN_STRENGTHS.items()}
# DSC method resource -> the Graph authenticationMethodConfiguration id, when the entry has no Id.
METHOD_IDS = {
    "aadauthenticationmethodpolicyauthenticator": "MicrosoftAuthenticator",
    "aadauthenticationmethodpolicyemail": "Email",
    "aadauthenticationmethodpolicyfido2": "Fido2",
    "aadauthenticationmethodpolicyhardware": "HardwareOath",
    "aadauthenticationmethodpolicyqrcodeimage": "QRCodePin",
    "aadauthenticationmethodpolicysms": "Sms",
    "aadauthenticationmethodpolicysoftware": "SoftwareOath",
    "aadauthenticationmethodpolicytemporary": "TemporaryAccessPass",
    "aadauthenticationmethodpolicyvoice": "Voice",
    "aadauthenticationmethodpolicyx509": "X509Certificate",
    "aadauthenticationmethodpolicyexternal": "",
}


class _Report:
    """What one report yields: items per collection, and what the names leave open."""

    def __init__(self) -> None:
        self.items: dict[str, list[Item]] = {}
        self.diagnostics: list[Diagnostic] = []
        self.lost: list[tuple[str, int | None, str, str]] = []

    def add(self, collection: str, pointer: str, obj: Mapping[str, Any]) -> None:
        self.items.setdefault(collection, []).append((pointer, obj))

    def problem(self, message: str, pointer: str) -> None:
        self.diagnostics.append(("INPUT002", message, pointer, 0, 0))

    def group(self, name: str, pointer: str) -> str:
        return name


def identify_m365dsc(document: Any) -> Identification | None:
    """The Graph pieces of a Microsoft365DSC JSON report, or None if the document is not one."""
    entries = _entries(document)
    if entries is None:
        return None
    report = _Report()
    for pointer, entry in entries:
        resource = str(fields.get(entry, "ResourceName")).lower()
        if str(fields.get(entry, "Ensure") or "").lower() == "absent" and resource in _REMOVABLE:
            continue
        reader = _READERS.get(resource) or (_method_configuration if resource in METHOD_IDS else None)
        if reader is None:
            continue
        try:
            reader(report, pointer, entry)
        except fields.ShapeError as error:
            collection = _COLLECTIONS.get(resource, identify.AUTH_METHOD_CONFIGURATIONS)
            name = _text(entry, "DisplayName") or _text(entry, "ResourceInstanceName")
            why = f"{fields.get(entry, 'ResourceName')} '{name}' cannot be read: {error.reason}"
            report.diagnostics.append(("INPUT001", why, pointer + error.pointer, 0, 0))
            report.lost.append((collection, 1, why, pointer + error.pointer))
    pieces = tuple(Piece(collection, tuple(items)) for collection, items in report.items.items())
    if not pieces:
        names = sorted({str(fields.get(entry, "ResourceName")) for _, entry in entries})
        reason = f"Microsoft365DSC report without a resource this checker reads ({', '.join(names[:6])})"
        return Identification("m365dsc", ignored_reason=reason, diagnostics=tuple(report.diagnostics),
                              lost=tuple(report.lost))
    return Identification("m365dsc", pieces, diagnostics=tuple(report.diagnostics), lost=tuple(report.lost))


def _entries(document: Any) -> list[tuple[str, Mapping[str, Any]]] | None:
    if isinstance(document, dict):
        return [("", document)] if isinstance(fields.get(document, "ResourceName"), str) else None
    if not isinstance(document, list):
        return None
    entries: list[tuple[str, Mapping[str, Any]]] = [
        (f"/{index}", entry) for index, entry in enumerate(document)
        if isinstance(entry, dict) and isinstance(fields.get(entry, "ResourceName"), str)
    ]
    return entries or None


def _strings(obj: Mapping[str, Any], name: str) -> list[str]:
    """A list of names; anything else where one belongs (a number, an object) makes the entry unreadable,
    since reading it as "none" would turn unreadable exclusions into no exclusions."""
    value = fields.get(obj, name)
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list):
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise fields.ShapeError(f"/{name}/{index}", f"{name} holds {fields.type_name(item)}, not a name")
        return [item for item in value if item]
    raise fields.ShapeError(f"/{name}", f"{name} is {fields.type_name(value)}, not a list of names")


def _text(obj: Mapping[str, Any], name: str) -> str:
    value = fields.get(obj, name)
    return value if isinstance(value, str) else "" if value is None or isinstance(value, bool) else str(value)


def _boolean(obj: Mapping[str, Any], name: str) -> bool | None:
    value = fields.get(obj, name)
    if isinstance(value, bool) or value is None:
        return value
    lowered = str(value).strip().lower().lstrip("$")
    return {"true": True, "false": False}.get(lowered)


def _mapping(value: Any) -> Mapping[str, Any] | None:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value if isinstance(value, dict) else None


def _objects(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _ca_policy(report: _Report, pointer: str, entry: Mapping[str, Any]) -> None:
    name = _text(entry, "DisplayName")
    users = {
        "includeUsers": _strings(entry, "IncludeUsers"),
        "excludeUsers": _strings(entry, "ExcludeUsers"),
        "includeGroups": _groups(report, pointer, entry, "IncludeGroups"),
        "excludeGroups": _groups(report, pointer, entry, "ExcludeGroups"),
        "includeRoles": _roles(report, pointer, entry, "IncludeRoles", name),
        "excludeRoles": _roles(report, pointer, entry, "ExcludeRoles", name),
        "includeGuestsOrExternalUsers": _guests(entry, "Include"),
        "excludeGuestsOrExternalUsers": _guests(entry, "Exclude"),
    }
    conditions = {
        "users": users,
        "applications": {
            "includeApplications": _strings(entry, "IncludeApplications"),
            "excludeApplications": _strings(entry, "ExcludeApplications"),
            "includeUserActions": _strings(entry, "IncludeUserActions"),
            "includeAuthenticationContextClassReferences": _strings(entry, "AuthenticationContexts"),
        },
        "clientAppTypes": _strings(entry, "ClientAppTypes"),
        "signInRiskLevels": _strings(entry, "SignInRiskLevels"),
        "userRiskLevels": _strings(entry, "UserRiskLevels"),
        "servicePrincipalRiskLevels": _strings(entry, "ServicePrincipalRiskLevels"),
        "insiderRiskLevels": _text(entry, "InsiderRiskLevels") or None,
        "locations": _pair(entry, "Locations"),
        "platforms": _pair(entry, "Platforms"),
        "devices": _devices(entry),
        "authenticationFlows": _flows(entry),
        "clientApplications": {"includeServicePrincipals": _strings(entry, "IncludeServicePrincipals"),
                               "excludeServicePrincipals": _strings(entry, "ExcludeServicePrincipals")},
    }
    policy = {"id": _text(entry, "Id") or name, "displayName": name, "state": _text(entry, "State"),
              "conditions": conditions, "grantControls": _grant(entry)}
    report.add(identify.CA_POLICIES, pointer, policy)


def _groups(report: _Report, pointer: str, entry: Mapping[str, Any], name: str) -> list[str]:
    return [report.group(group, f"{pointer}/{name}/{index}") for index, group in enumerate(_strings(entry, name))]


def _roles(report: _Report, pointer: str, entry: Mapping[str, Any], name: str, policy: str) -> list[str]:
    ids = []
    for index, role in enumerate(_strings(entry, name)):
        role_id = role.lower() if OBJECT_ID.fullmatch(role) else ROLE_IDS.get(role.strip().lower())
        if role_id is None:
            report.problem(f"unknown role name '{role}' in policy '{policy}': kept as a role that may be anyone's",
                           f"{pointer}/{name}/{index}")
        ids.append(role_id or role.strip())
    return ids


def _guests(entry: Mapping[str, Any], side: str) -> dict[str, Any] | None:
    kinds = [kind for kind in _strings(entry, f"{side}GuestOrExternalUserTypes") if kind.lower() != "none"]
    if not kinds:
        return None
    tenants = {"membershipKind": _text(entry, f"{side}ExternalTenantsMembershipKind") or "all",
               "members": _strings(entry, f"{side}ExternalTenantsMembers")}
    return {"guestOrExternalUserTypes": ",".join(kinds), "externalTenants": tenants}


def _pair(entry: Mapping[str, Any], noun: str) -> dict[str, list[str]] | None:
    included, excluded = _strings(entry, f"Include{noun}"), _strings(entry, f"Exclude{noun}")
    return {f"include{noun}": included, f"exclude{noun}": excluded} if included or excluded else None


def _devices(entry: Mapping[str, Any]) -> dict[str, Any] | None:
    rule = _text(entry, "DeviceFilterRule")
    return {"deviceFilter": {"mode": _text(entry, "DeviceFilterMode"), "rule": rule}} if rule else None


def _flows(entry: Mapping[str, Any]) -> dict[str, str] | None:
    methods = _text(entry, "TransferMethods")
    return {"transferMethods": methods} if methods else None


def _grant(entry: Mapping[str, Any]) -> dict[str, Any] | None:
    strength_name = _text(entry, "AuthenticationStrength")
    grant = {
        "operator": _text(entry, "GrantControlOperator") or "OR",
        "builtInControls": _strings(entry, "BuiltInControls"),
        "customAuthenticationFactors": _strings(entry, "CustomAuthenticationFactors"),
        "termsOfUse": _strings(entry, "TermsOfUse"),
        "authenticationStrength": None if not strength_name else {
            "id": STRENGTH_IDS.get(strength_name.lower(), strength_name), "displayName": strength_name},
    }
    controls = ("builtInControls", "customAuthenticationFactors", "termsOfUse", "authenticationStrength")
    return grant if any(grant[key] for key in controls) else None


def _security_defaults(report: _Report, pointer: str, entry: Mapping[str, Any]) -> None:
    report.add(identify.SECURITY_DEFAULTS, pointer,
               {"id": identify.SECURITY_DEFAULTS_ID, "isEnabled": _boolean(entry, "IsEnabled")})


def _methods_policy(report: _Report, pointer: str, entry: Mapping[str, Any]) -> None:
    policy: dict[str, Any] = {"id": _text(entry, "Id") or "authenticationMethodsPolicy",
                              "displayName": _text(entry, "DisplayName")}
    enforcement = _mapping(fields.get(entry, "RegistrationEnforcement"))
    campaign = _mapping(fields.get(enforcement, "AuthenticationMethodsRegistrationCampaign")) if enforcement else None
    if campaign is not None:
        policy["registrationEnforcement"] = {"authenticationMethodsRegistrationCampaign": {
            "state": _text(campaign, "State"),
            "snoozeDurationInDays": fields.get(campaign, "SnoozeDurationInDays"),
            "includeTargets": _targets(report, campaign, "IncludeTargets", pointer, by_name=False),
            "excludeTargets": _targets(report, campaign, "ExcludeTargets", pointer, by_name=False),
        }}
    report.add(identify.AUTH_METHODS_POLICY, pointer, policy)


def _method_configuration(report: _Report, pointer: str, entry: Mapping[str, Any]) -> None:
    resource = str(fields.get(entry, "ResourceName")).lower()
    state = _text(entry, "State") or ("disabled" if _text(entry, "Ensure").lower() == "absent" else "")
    configuration = {
        "id": _text(entry, "Id") or METHOD_IDS[resource] or _text(entry, "DisplayName"),
        "state": state,
        "includeTargets": _targets(report, entry, "IncludeTargets", pointer, by_name=True),
        "excludeTargets": _targets(report, entry, "ExcludeTargets", pointer, by_name=True),
    }
    report.add(identify.AUTH_METHOD_CONFIGURATIONS, pointer, configuration)


def _targets(report: _Report, obj: Mapping[str, Any], name: str, pointer: str, by_name: bool) -> list[dict[str, Any]]:
    """Method targets; the method resources name groups, the registration campaign keeps ids."""
    targets = []
    for index, target in enumerate(_objects(fields.get(obj, name))):
        target_id, target_type = _text(target, "Id"), _text(target, "TargetType")
        if by_name and target_type.lower() == "group" and target_id.lower() != "all_users":
            report.group(target_id, f"{pointer}/{name}/{index}")
        converted = {"id": target_id, "targetType": target_type}
        if fields.has(target, "TargetedAuthenticationMethod"):
            converted["targetedAuthenticationMethod"] = _text(target, "TargetedAuthenticationMethod")
        targets.append(converted)
    return targets


_READERS = {
    "aadconditionalaccesspolicy": _ca_policy,
    "aadsecuritydefaults": _security_defaults,
    "aadauthenticationmethodpolicy": _methods_policy,
}
# The collection each resource's entries belong to (the method resources: configurations).
_COLLECTIONS = {
    "aadconditionalaccesspolicy": identify.CA_POLICIES,
    "aadsecuritydefaults": identify.SECURITY_DEFAULTS,
    "aadauthenticationmethodpolicy": identify.AUTH_METHODS_POLICY,
}
# Resources whose Ensure = 'Absent' means the object is not in the tenant at all.
_REMOVABLE = frozenset({"aadconditionalaccesspolicy"})
