"""Which Graph collection does a parsed document hold? By ``@odata.context``, else by shape.

File names never matter. A document becomes one or more ``Piece``s: the objects of one
collection found in it, each with its JSON pointer.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.inputs import fields

CA_POLICIES = "identity/conditionalAccess/policies"
SECURITY_DEFAULTS = "policies/identitySecurityDefaultsEnforcementPolicy"
SUBSCRIBED_SKUS = "subscribedSkus"
REGISTRATION_DETAILS = "reports/authenticationMethods/userRegistrationDetails"
USERS = "users"
GROUPS = "groups"
DIRECTORY_ROLES = "directoryRoles"
ROLE_ASSIGNMENTS = "roleManagement/directory/roleAssignments"
ROLE_DEFINITIONS = "roleManagement/directory/roleDefinitions"
AUTH_METHODS_POLICY = "policies/authenticationMethodsPolicy"
AUTH_METHOD_CONFIGURATIONS = "policies/authenticationMethodsPolicy/authenticationMethodConfigurations"
AUTH_STRENGTHS = "policies/authenticationStrengthPolicies"
NAMED_LOCATIONS = "identity/conditionalAccess/namedLocations"
AUTHORIZATION_POLICY = "policies/authorizationPolicy"
# Collections that formats other than Graph responses produce, in the same object shapes:
GROUP_MEMBERS = "groups/members"  # {"groupId", "id" (member), "@odata.type"}
ROLE_MEMBERS = "directoryRoles/members"  # {"roleId" or "roleTemplateId", "id" (member), "@odata.type"}
PER_USER_MFA = "users/authentication/requirements"  # {"id", "userPrincipalName", "perUserMfaState"}

# Trailing context segments (lower case) -> collection. The longest match wins, so that
# prefixes such as "identity/" or "policies/" may differ between API versions.
_CONTEXT_TAILS: dict[tuple[str, ...], str] = {
    ("conditionalaccess", "policies"): CA_POLICIES,
    ("conditionalaccesspolicies",): CA_POLICIES,
    ("identitysecuritydefaultsenforcementpolicy",): SECURITY_DEFAULTS,
    ("subscribedskus",): SUBSCRIBED_SKUS,
    ("userregistrationdetails",): REGISTRATION_DETAILS,
    ("users",): USERS,
    ("groups",): GROUPS,
    ("directoryroles",): DIRECTORY_ROLES,
    ("roleassignments",): ROLE_ASSIGNMENTS,
    ("roledefinitions",): ROLE_DEFINITIONS,
    ("authenticationmethodspolicy",): AUTH_METHODS_POLICY,
    ("authenticationmethodconfigurations",): AUTH_METHOD_CONFIGURATIONS,
    ("authenticationstrengthpolicies",): AUTH_STRENGTHS,
    ("namedlocations",): NAMED_LOCATIONS,
    ("authorizationpolicy",): AUTHORIZATION_POLICY,
    ("authentication", "requirements"): PER_USER_MFA,
}

_LONGEST_TAIL = max(len(tail) for tail in _CONTEXT_TAILS)

_ODATA_TYPES: dict[str, str] = {
    "microsoft.graph.conditionalaccesspolicy": CA_POLICIES,
    "microsoft.graph.identitysecuritydefaultsenforcementpolicy": SECURITY_DEFAULTS,
    "microsoft.graph.subscribedsku": SUBSCRIBED_SKUS,
    "microsoft.graph.userregistrationdetails": REGISTRATION_DETAILS,
    "microsoft.graph.user": USERS,
    "microsoft.graph.group": GROUPS,
    "microsoft.graph.directoryrole": DIRECTORY_ROLES,
    "microsoft.graph.unifiedroleassignment": ROLE_ASSIGNMENTS,
    "microsoft.graph.unifiedroledefinition": ROLE_DEFINITIONS,
    "microsoft.graph.authenticationmethodspolicy": AUTH_METHODS_POLICY,
    "microsoft.graph.authenticationstrengthpolicy": AUTH_STRENGTHS,
    "microsoft.graph.ipnamedlocation": NAMED_LOCATIONS,
    "microsoft.graph.countrynamedlocation": NAMED_LOCATIONS,
    "microsoft.graph.compliantnetworknamedlocation": NAMED_LOCATIONS,
    "microsoft.graph.authorizationpolicy": AUTHORIZATION_POLICY,
}

SECURITY_DEFAULTS_ID = "00000000-0000-0000-0000-000000000005"


@dataclass(frozen=True)
class Piece:
    """The objects of one collection found in one document.

    Each item is (pointer, object). Formats that are not JSON (CSV, XML) give each item's
    position in ``positions`` (1-based line and column, aligned with ``items``), since the
    locator cannot find a pointer in them.
    """

    collection: str
    items: tuple[tuple[str, Mapping[str, Any]], ...]
    is_page: bool = False
    has_next_link: bool = False
    positions: tuple[tuple[int, int], ...] | None = None
    unreadable: str = ""  # why none of the collection's objects could be read (its ``value`` is no array)
    # a whole set of the collection (a list, an array), not one object of it alone
    whole: bool = field(default=True, compare=False)


@dataclass(frozen=True)
class Identification:
    """What a file is, the pieces it holds, why it is ignored, and what was wrong in it.

    ``diagnostics`` are (code, message, pointer, line, column): INPUT001 for an object that
    cannot be read, INPUT002 for something the export leaves incomplete (a name that maps
    to no id, for example). Line and column are 0 when unknown.
    """

    format: str
    pieces: tuple[Piece, ...] = ()
    ignored_reason: str = ""
    diagnostics: tuple[tuple[str, str, str, int, int], ...] = ()
    tenant_id: str = ""
    # what the export says of itself, where it does (ScubaGear: tenant details and its timestamp)
    tenant_name: str = ""
    exported_at: str = ""
    # objects a reader had to leave out: (collection, how many or None if unknown, why, pointer)
    lost: tuple[tuple[str, int | None, str, str], ...] = field(default=(), compare=False)


def collection_from_context(context: str) -> str | None:
    """Map an ``@odata.context`` URL to a collection name, or None if unknown."""
    fragment = context.split("#", 1)[1] if "#" in context else context
    fragment = _strip_parentheses(fragment)
    segments = [s.lower() for s in fragment.split("/") if s and s.lower() != "$entity"]
    for length in range(min(len(segments), _LONGEST_TAIL), 0, -1):
        collection = _CONTEXT_TAILS.get(tuple(segments[-length:]))
        if collection is not None:
            return collection
    return None


def _strip_parentheses(text: str) -> str:
    """The text outside every balanced pair of parentheses, in one pass (an unclosed one is kept, as before)."""
    kept: list[str] = []
    opened: list[int] = []  # where each open parenthesis stands in ``kept``
    for character in text:
        if character == ")" and opened:
            del kept[opened.pop():]
        else:
            if character == "(":
                opened.append(len(kept))
            kept.append(character)
    return "".join(kept)


def identify(document: Any) -> Identification:
    tenant = organization(document)
    if tenant is not None:
        return tenant
    if isinstance(document, list):
        return _identify_array(document, "")
    if not isinstance(document, dict):
        return Identification("unknown", ignored_reason="the JSON document is not an object or an array")
    responses = document.get("responses")
    if isinstance(responses, list) and all(isinstance(r, dict) for r in responses):
        return _identify_batch(responses)
    return _identify_object(document, "")


def _identify_object(document: Mapping[str, Any], pointer: str) -> Identification:
    context = document.get("@odata.context")
    collection = collection_from_context(context) if isinstance(context, str) else None
    key = _collection_key(document)
    value = document.get(key)
    if isinstance(value, list):
        next_link = "@odata.nextLink" in document
        if collection is None:
            found = _identify_array(value, f"{pointer}/{key}")
            return _as_page(found, next_link)
        # held once: every collection of an export has its /value/0, /value/1, ... (users and their
        # registration details in minified files have the very same pointers)
        items = tuple((sys.intern(f"{pointer}/{key}/{i}"), item) for i, item in enumerate(value)
                      if isinstance(item, dict))
        if len(items) == len(value):
            return Identification("graph", (Piece(collection, items, True, next_link),))
        return _with_non_objects(collection, value, items, f"{pointer}/{key}", next_link)
    if key in document and isinstance(context, str) and collection is not None and not context.endswith("$entity"):
        why = f"its value is {fields.type_name(value)}, not an array of objects"
        return Identification("graph", (Piece(collection, (), True, "@odata.nextLink" in document, unreadable=why),),
                              diagnostics=(("INPUT001", f"{collection}: {why}, so none of its objects could be "
                                            "read", f"{pointer}/{key}", 0, 0),))
    if collection is None:
        collection = shape_of(document)
        if collection is None:
            if isinstance(context, str):
                return Identification("graph", ignored_reason=f"Graph response for an unused collection ({context})")
            return Identification("unknown", ignored_reason="not a recognised Graph object or collection")
    if collection == PER_USER_MFA and isinstance(context, str) and not fields.get(document, "id"):
        document = {**document, "id": _user_in_context(context)}
    return Identification("graph", (Piece(collection, ((pointer, document),), whole=False),))


def _collection_key(document: Mapping[str, Any]) -> str:
    """``value``, or the key that spells it otherwise (``Value`` in an SDK object serialised as is)."""
    if "value" in document:
        return "value"
    return next((key for key in document if isinstance(key, str) and key.lower() == "value"), "value")


def _with_non_objects(collection: str, value: list[Any], items: tuple[tuple[str, Mapping[str, Any]], ...],
                      pointer: str, next_link: bool) -> Identification:
    """A page some of whose elements are not objects: each is unreadable, and the collection incomplete."""
    diagnostics, lost = [], []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            at = f"{pointer}/{index}"
            why = f"an element of {collection} is {fields.type_name(item)}, not an object"
            diagnostics.append(("INPUT001", why, at, 0, 0))
            lost.append((collection, 1, why, at))
    return Identification("graph", (Piece(collection, items, True, next_link),), diagnostics=tuple(diagnostics),
                          lost=tuple(lost))


def _user_in_context(context: str) -> str:
    """The user of a /users/{id}/authentication/requirements response, named only in its context."""
    found = re.search(r"users\('([^']+)'\)|users/([^/]+)/authentication", context)
    return (found.group(1) or found.group(2)) if found else ""


def _as_page(found: Identification, next_link: bool) -> Identification:
    pieces = tuple(Piece(p.collection, p.items, True, next_link) for p in found.pieces)
    return Identification(found.format, pieces, found.ignored_reason)


_ORGANIZATION_TYPE = "#microsoft.graph.organization"


def organization(document: Any) -> Identification | None:
    """The tenant's own object (GET /organization, EntraExporter's Organization.json): no rule reads it,
    but its id and display name say which tenant every report is of."""
    if isinstance(document, dict):
        context = document.get("@odata.context")
        listed = document.get("value")
        if isinstance(context, str) and context.split("#", 1)[-1].lower().startswith("organization") \
                and isinstance(listed, list):
            document = listed
    candidates = document if isinstance(document, list) else [document]
    found = [item for item in candidates if isinstance(item, dict) and isinstance(fields.get(item, "id"), str)
             and (fields.get(item, "@odata.type") == _ORGANIZATION_TYPE or "verifiedDomains" in item
                  or "VerifiedDomains" in item)]
    if len(found) != 1 or len(candidates) != 1:
        return None
    (tenant,) = found
    name = fields.get(tenant, "displayName")
    return Identification("graph", ignored_reason="the tenant's organization object: no rule reads it; it names "
                          "the tenant in every report", tenant_id=str(fields.get(tenant, "id")),
                          tenant_name=name if isinstance(name, str) else "")


def _identify_array(items: list[Any], pointer: str) -> Identification:
    grouped: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    for index, item in enumerate(items):
        if isinstance(item, dict):
            collection = shape_of(item)
            if collection is not None:
                grouped.setdefault(collection, []).append((f"{pointer}/{index}", item))
    if not grouped:
        reason = "an empty array" if not items else "an array of unrecognised objects"
        return Identification("unknown", ignored_reason=reason)
    pieces = tuple(Piece(name, tuple(found)) for name, found in sorted(grouped.items()))
    return Identification("graph", pieces)


def _identify_batch(responses: list[Mapping[str, Any]]) -> Identification:
    pieces: list[Piece] = []
    diagnostics: list[tuple[str, str, str, int, int]] = []
    lost: list[tuple[str, int | None, str, str]] = []
    for index, response in enumerate(responses):
        body = fields.get(response, "body")
        if isinstance(body, dict):
            found = _identify_object(body, f"/responses/{index}/body")
            pieces.extend(found.pieces)
            diagnostics.extend(found.diagnostics)
            lost.extend(found.lost)
    if not pieces:
        return Identification("graph-batch", ignored_reason="a $batch response with no recognised body")
    return Identification("graph-batch", tuple(pieces), diagnostics=tuple(diagnostics), lost=tuple(lost))


def shape_of(obj: Mapping[str, Any]) -> str | None:
    """Recognise a bare object (no @odata.context) by its @odata.type or its fields."""
    declared = _ODATA_TYPES.get(fields.odata_type(obj))
    if declared is not None:
        return declared
    if fields.has(obj, "conditions") and (fields.has(obj, "grantControls") or fields.has(obj, "sessionControls")):
        return CA_POLICIES
    if fields.has(obj, "isEnabled") and str(fields.get(obj, "id")) == SECURITY_DEFAULTS_ID:
        return SECURITY_DEFAULTS
    if fields.has(obj, "skuPartNumber") and fields.has(obj, "servicePlans"):
        return SUBSCRIBED_SKUS
    if fields.has(obj, "isMfaRegistered"):
        return REGISTRATION_DETAILS
    if fields.has(obj, "principalId") and fields.has(obj, "roleDefinitionId"):
        return ROLE_ASSIGNMENTS
    if fields.has(obj, "registrationEnforcement") or fields.has(obj, "authenticationMethodConfigurations"):
        return AUTH_METHODS_POLICY
    if fields.has(obj, "allowedCombinations"):
        return AUTH_STRENGTHS
    if fields.has(obj, "roleTemplateId"):
        return DIRECTORY_ROLES
    if fields.has(obj, "rolePermissions"):
        return ROLE_DEFINITIONS
    if fields.has(obj, "ipRanges") or fields.has(obj, "countriesAndRegions"):
        return NAMED_LOCATIONS
    if fields.has(obj, "userPrincipalName"):
        return USERS
    if fields.has(obj, "groupTypes") or fields.has(obj, "securityEnabled"):
        return GROUPS
    return None
