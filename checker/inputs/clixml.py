"""PowerShell ``Export-Clixml`` files: MSOnline users (per-user MFA) and Graph SDK objects.

Objects are recognised by their type names (``Deserialized.`` prefix allowed):
``Microsoft.Online.Administration.User`` becomes a user and its per-user MFA state; a Graph
PowerShell SDK model (v1 or beta, the v1 SDK's numeric suffix allowed) becomes an item of
the matching collection, its properties as they are (the parsers read PascalCase) with
each ``AdditionalProperties`` entry lifted into its object, where a REST response has it;
the AzureAD module's users, groups and SKUs likewise, their ``ObjectId`` as ``Id``.

The ``index``-th object under ``Objs`` has the pointer ``/Objs/<index>`` (an object in a
list written as one object, ``/Objs/<index>/<position>``); since a pointer cannot be
followed in XML, every item also carries the line of its element.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.inputs import fields, identify
from checker.inputs.clixml_objects import (
    ENTITIES_REFUSED,
    PSObject,
    TopLevel,
    read_objects,
)
from checker.inputs.decode import decode_text
from checker.inputs.identify import Identification, Piece
from checker.inputs.limits import Limits

__all__ = ["ENTITIES_REFUSED", "read_clixml"]

_SDK_NAMESPACES = (
    "microsoft.graph.powershell.models.microsoftgraph",
    "microsoft.graph.beta.powershell.models.microsoftgraph",
)
_SDK_MODELS = {
    "conditionalaccesspolicy": identify.CA_POLICIES,
    "user": identify.USERS,
    "group": identify.GROUPS,
    "userregistrationdetails": identify.REGISTRATION_DETAILS,
    "subscribedsku": identify.SUBSCRIBED_SKUS,
    "identitysecuritydefaultsenforcementpolicy": identify.SECURITY_DEFAULTS,
    "unifiedroleassignment": identify.ROLE_ASSIGNMENTS,
    "unifiedroledefinition": identify.ROLE_DEFINITIONS,
    "directoryrole": identify.DIRECTORY_ROLES,
    "authenticationmethodspolicy": identify.AUTH_METHODS_POLICY,
    "authenticationstrengthpolicy": identify.AUTH_STRENGTHS,
    "namedlocation": identify.NAMED_LOCATIONS,
    "ipnamedlocation": identify.NAMED_LOCATIONS,
    "countrynamedlocation": identify.NAMED_LOCATIONS,
    "authorizationpolicy": identify.AUTHORIZATION_POLICY,
}
_AZUREAD_MODELS = {
    "microsoft.open.azuread.model.user": identify.USERS,
    "microsoft.open.azuread.model.group": identify.GROUPS,
    "microsoft.open.azuread.model.subscribedsku": identify.SUBSCRIBED_SKUS,
}
_MSONLINE_USER = "microsoft.online.administration.user"

# The parts of each object that the parsers read as objects: a type name standing there
# instead means the object cannot be read.
_READ_PARTS = {
    identify.CA_POLICIES: ("conditions", "grantcontrols"),
    identify.AUTH_METHODS_POLICY: ("registrationenforcement", "authenticationmethodconfigurations"),
    identify.SUBSCRIBED_SKUS: ("serviceplans",),
    identify.GROUPS: ("members", "transitivemembers"),
    identify.DIRECTORY_ROLES: ("members",),
}
# What Export-Clixml writes, past its -Depth, in place of an object: the type's name
_TYPE_NAME_ONLY = re.compile(
    r"(?:Deserialized\.)?Microsoft\.(?:Graph\.(?:Beta\.)?PowerShell\.Models|Open\.AzureAD\.Model"
    r"|Open\.MSGraph\.Model|Online\.Administration)\.\w+"
)
_PYTHON_TYPES: dict[type, str] = {
    str: "System.String", bool: "System.Boolean", int: "System.Int32", float: "System.Double",
    list: "System.Object[]", type(None): "null",
}
_PER_USER_RANK = {"enforced": 2, "enabled": 1}
_SHOWN_TYPES = 3


def read_clixml(data: bytes, limits: Limits = Limits()) -> Identification:
    """What an Export-Clixml file holds; raises DecodeError (only) when it cannot be read."""
    found = read_objects(decode_text(data).text, limits)
    if found.root_name != "Objs":
        return Identification("xml", ignored_reason=(
            f"an XML document whose root is <{found.root_name}>, not an Export-Clixml <Objs>"))
    return _recognise(found.objects)


@dataclass
class _Found:
    items: dict[str, list[tuple[str, Mapping[str, Any]]]] = field(default_factory=dict)
    positions: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    diagnostics: list[tuple[str, str, str, int, int]] = field(default_factory=list)
    type_names: list[str] = field(default_factory=list)
    lost: list[tuple[str, int | None, str, str]] = field(default_factory=list)

    def add(self, collection: str, pointer: str, line: int, item: Mapping[str, Any]) -> None:
        self.items.setdefault(collection, []).append((pointer, item))
        self.positions.setdefault(collection, []).append((line, 1))

    def unreadable(self, message: str, pointer: str, line: int, collection: str = "") -> None:
        self.diagnostics.append(("INPUT001", message, pointer, line, 1))
        if collection:
            self.lost.append((collection, 1, message, pointer))


Recogniser = Callable[[Mapping[str, Any], _Found, str, int], None]


def _recognise(objects: tuple[TopLevel, ...]) -> Identification:
    found = _Found()
    for index, top in enumerate(objects):
        pointer = f"/Objs/{index}"
        if isinstance(top.value, list) and top.member_lines:
            lines = top.member_lines if len(top.member_lines) == len(top.value) else (top.line,) * len(top.value)
            for position, (member, line) in enumerate(zip(top.value, lines, strict=False)):
                names = member.type_names if isinstance(member, PSObject) else ()
                _one(found, member, names, f"{pointer}/{position}", line)
        else:
            _one(found, top.value, top.type_names, pointer, top.line)
    pieces = tuple(
        Piece(collection, tuple(items), positions=tuple(found.positions[collection]))
        for collection, items in found.items.items()
    )
    diagnostics = tuple(found.diagnostics)
    if pieces:
        return Identification("clixml", pieces, diagnostics=diagnostics, lost=tuple(found.lost))
    described = _described(found.type_names)
    if diagnostics:
        return Identification("clixml", ignored_reason=f"Export-Clixml of {described}: no object could be read",
                              diagnostics=diagnostics, lost=tuple(found.lost))
    return Identification("clixml", ignored_reason=f"Export-Clixml of {described}: not read by any rule")


def _one(found: _Found, value: Any, type_names: tuple[str, ...], pointer: str, line: int) -> None:
    name = _canonical(type_names[0]) if type_names else _PYTHON_TYPES.get(type(value), "PSObject")
    if name not in found.type_names:
        found.type_names.append(name)
    recogniser = _recogniser(type_names) if isinstance(value, dict) else None
    if recogniser is None:
        return
    try:
        recogniser(_graph_shaped(value, {}), found, pointer, line)
    except fields.ShapeError as error:
        found.unreadable(f"{name} cannot be read: {error.reason}", pointer + error.pointer, line,
                         _collection_of(type_names))


def _described(type_names: list[str]) -> str:
    if not type_names:
        return "no objects"
    shown = ", ".join(type_names[:_SHOWN_TYPES])
    more = len(type_names) - _SHOWN_TYPES
    return shown + (f" and {more} other types" if more > 0 else "")


def _canonical(type_name: str) -> str:
    return type_name[len("Deserialized."):] if type_name.startswith("Deserialized.") else type_name


def _collection_of(type_names: tuple[str, ...]) -> str:
    """The collection an object of these types belongs to, for recording it as lost."""
    for type_name in type_names:
        name = _canonical(type_name).lower()
        if name == _MSONLINE_USER:
            return identify.USERS
        if name in _AZUREAD_MODELS:
            return _AZUREAD_MODELS[name]
        for namespace in _SDK_NAMESPACES:
            if name.startswith(namespace):
                found = _SDK_MODELS.get(name[len(namespace):].rstrip("0123456789"))
                if found is not None:
                    return found
    return ""


def _recogniser(type_names: tuple[str, ...]) -> Recogniser | None:
    for type_name in type_names:
        name = _canonical(type_name).lower()
        if name == _MSONLINE_USER:
            return _msonline_user
        if name in _AZUREAD_MODELS:
            return _model(_AZUREAD_MODELS[name], id_property="ObjectId")
        for namespace in _SDK_NAMESPACES:
            if name.startswith(namespace):
                collection = _SDK_MODELS.get(name[len(namespace):].rstrip("0123456789"))
                if collection is not None:
                    return _model(collection)
    return None


def _msonline_user(user: Mapping[str, Any], found: _Found, pointer: str, line: int) -> None:
    user_id = fields.text(user, "ObjectId")
    principal_name = fields.text(user, "UserPrincipalName")
    blocked = fields.get(user, "BlockCredential")
    found.add(identify.USERS, pointer, line, {
        "id": user_id,
        "userPrincipalName": principal_name,
        "displayName": fields.text(user, "DisplayName"),
        "accountEnabled": (not blocked) if isinstance(blocked, bool) else None,
        "userType": fields.get(user, "UserType"),
    })
    requirements = fields.get(user, "StrongAuthenticationRequirements")
    if requirements is None:
        return  # not exported (Select-Object): the state is unknown, not disabled
    state = _per_user_state(requirements)
    if state is None:
        found.unreadable(
            f"the per-user MFA state of {principal_name or user_id} cannot be read: StrongAuthenticationRequirements "
            "holds type names instead of objects (Export-Clixml -Depth too small; export again with -Depth 10)",
            pointer + "/StrongAuthenticationRequirements", line, identify.PER_USER_MFA)
        return
    found.add(identify.PER_USER_MFA, pointer, line,
              {"id": user_id, "userPrincipalName": principal_name, "perUserMfaState": state})


def _per_user_state(requirements: Any) -> str | None:
    """disabled, enabled or enforced (the strongest requirement); None if it cannot be told."""
    if isinstance(requirements, dict):
        requirements = [requirements]
    if not isinstance(requirements, list):
        return None
    if not requirements:
        return "disabled"
    states = []
    for requirement in requirements:
        state = fields.get(requirement, "State") if isinstance(requirement, dict) else None
        if not isinstance(state, str) or not state:
            return None
        states.append(state.lower())
    return max(states, key=lambda state: _PER_USER_RANK.get(state, 0))


def _model(collection: str, id_property: str = "") -> Recogniser:
    def recognise(obj: Mapping[str, Any], found: _Found, pointer: str, line: int) -> None:
        # the SDK writes every unset property as Nil where REST leaves it out; an
        # unexpanded Members must stay "not exported", not "no members"
        item = {key: value for key, value in obj.items() if value is not None}
        if id_property and not fields.has(item, "id") and fields.has(item, id_property):
            item["Id"] = fields.get(item, id_property)
        cut = list(_type_names_only(item, _READ_PARTS.get(collection, ())))
        if cut:
            name = fields.get(item, "displayName") or fields.get(item, "id") or pointer
            found.unreadable(
                f"{collection} object {name!r} cannot be read: {', '.join(cut[:_SHOWN_TYPES])} "
                f"{'holds' if len(cut) == 1 else 'hold'} only a type name (Export-Clixml -Depth too small; "
                "export again with -Depth 10)", pointer + cut[0], line, collection)
            return
        found.add(collection, pointer, line, item)

    return recognise


def _graph_shaped(value: Any, copies: dict[int, Any], enclosing: frozenset[int] = frozenset()) -> Any:
    """A plain, JSON-shaped copy of ``value``: string keys, each AdditionalProperties entry
    moved into its object, and a Ref back to an enclosing object (a cycle, which JSON
    cannot hold) cut to None. An object shared without a cycle stays shared."""
    if id(value) in enclosing:
        return None
    if id(value) in copies:
        return copies[id(value)]
    if not isinstance(value, (list, dict)):
        return value
    inside = enclosing | {id(value)}
    if isinstance(value, list):
        items = [_graph_shaped(item, copies, inside) for item in value]
        copies[id(value)] = items
        return items
    shaped: dict[str, Any] = {}
    for key, member in value.items():
        if key != "AdditionalProperties":
            shaped[str(key)] = _graph_shaped(member, copies, inside)
    additional = value.get("AdditionalProperties")
    if isinstance(additional, dict):
        present = {str(key).lower() for key in shaped}
        for key, member in additional.items():
            if str(key).lower() not in present:
                shaped[str(key)] = _graph_shaped(member, copies, inside)
    copies[id(value)] = shaped
    return shaped


def _type_names_only(item: Mapping[str, Any], parts: tuple[str, ...]) -> Iterator[str]:
    """Pointers (below the item) of the read parts that hold a type name instead of an object."""
    seen: set[int] = set()
    for key, value in item.items():
        if str(key).lower() in parts:
            yield from _walk_type_names(value, f"/{key}", seen)


def _walk_type_names(value: Any, pointer: str, seen: set[int]) -> Iterator[str]:
    if isinstance(value, str):
        if _TYPE_NAME_ONLY.fullmatch(value):
            yield pointer
        return
    if not isinstance(value, (dict, list)) or id(value) in seen:
        return
    seen.add(id(value))
    members = value.items() if isinstance(value, dict) else enumerate(value)
    for key, member in members:
        yield from _walk_type_names(member, f"{pointer}/{key}", seen)
