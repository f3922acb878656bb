"""A naive oracle for the MFA coverage of one user under Conditional Access.

It evaluates every enforced policy at every point of the sign-in space, in every possible
world, and reports the points that get through without MFA or a block. Nothing here is
clever on purpose: the engine (checker/evaluation) cuts the space into atoms and reasons
about classes of users; this module only enumerates, so that the two can be compared.

Scope: one real user of ``tenant.users``, sign-in, user and insider risk none, modern
clients only, Conditional Access only (security defaults are ignored).

**Points.** A point is (app, client app, platform, location, device, flow); see ``Point``.

**Worlds.** What the export does not say is a *fact*: a variable with a few possible values
(membership in a group whose members are missing, the user's type, whether an unknown control
counts as MFA, ...); ``facts`` lists them all. A world gives every fact a value. Facts
about one app, client app, platform, location or flow (whether app X is in Office365, whether
location L is trusted, ...) are *scoped* to it: only a point with that coordinate can read
them, so a point is evaluated in every assignment of the unscoped facts and of its own
scoped facts, which is the same as every world. A world raises ``UnlistedFact`` when the
evaluation reads a fact that ``facts`` did not list, so the two cannot drift apart
silently.

A point is a *certain gap* when it is unprotected in every world, *undetermined* when it is
unprotected in some world but not in all.

**Readings where the brief left room** (each pinned in test_naive.py):
- ``AllTrusted`` names every trusted location of the tenant: when a policy uses it, the
  tenant's named locations whose trust is not known to be false are points too, named by a
  policy or not.
- A guest's home tenant is one fact with one value (a tenant some policy lists, or another
  one), so that two policies listing the same tenant cannot disagree about it.
- A group that a policy names and the export does not have has unknown members.
- With no role assignments but directory roles, a role whose members were not expanded is
  unknown.
- An unknown value in a condition list is one fact per (value, point coordinate): whether
  the value covers that coordinate. An unknown guest-type value is one fact per value.
- A risk condition that lists "none" applies at no risk.
- A grant with no control at all asks for nothing (an empty OR is not "every option MFA").
- An allowed combination of two or more distinct modes is multifactor, known modes or not.
- The legacy ``deviceState in [Compliant, DomainJoined]`` reads as isCompliant == True or
  trustType == "ServerAD"; a device rule the oracle cannot read is a property of its own.
"""
from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from checker import entra
from checker.model import (
    ConditionalAccessPolicy,
    GrantControls,
    Group,
    NamedLocation,
    Tenant,
    User,
)

# -- the dimensions of a sign-in --------------------------------------------------------------

SOME_OFFICE365_APP = "~office365"  # an Office 365 app that no policy names
SOME_ADMIN_PORTAL = "~adminportal"  # an admin portal that no policy names
SOME_OTHER_APP = "~other"  # any other app
REPRESENTATIVE_APPS = (SOME_OFFICE365_APP, SOME_ADMIN_PORTAL, SOME_OTHER_APP)
CLIENT_APPS = entra.MODERN_CLIENTS  # ("browser", "mobileAppsAndDesktopClients")
PLATFORMS = (*entra.PLATFORMS, "unknown")
MFA_TRUSTED_IPS = entra.MFA_TRUSTED_IPS
ELSEWHERE = "elsewhere"
FLOWS = ("none", *entra.AUTHENTICATION_FLOWS)


class Point(NamedTuple):
    app: str  # an app id (lower-case) or one of REPRESENTATIVE_APPS
    client_app: str  # "browser" | "mobileAppsAndDesktopClients"
    platform: str  # one of PLATFORMS
    location: str  # a named-location id (lower-case), MFA_TRUSTED_IPS or ELSEWHERE
    device: frozenset[str]  # the device-filter rules (exact rule text) this device matches
    flow: str  # one of FLOWS


# -- the values the oracle knows; anything else in a policy is an unknown value ----------------

APP_KEYWORDS = frozenset({"all", "none", "office365", "microsoftadminportals"})
LOCATION_KEYWORDS = frozenset({"all", "alltrusted"})
KNOWN_CLIENT_APP_TYPES = frozenset({
    "all", "browser", "mobileappsanddesktopclients", "exchangeactivesync", "other",
    "eassupported", "easunsupported",  # legacy Exchange ActiveSync values: no modern point
})
KNOWN_PLATFORMS = frozenset({"all", *(platform.lower() for platform in entra.PLATFORMS)})
KNOWN_FLOWS = frozenset(flow.lower() for flow in entra.AUTHENTICATION_FLOWS)
KNOWN_GUEST_TYPES = frozenset(kind.lower() for kind in entra.GUEST_TYPES)
KNOWN_NON_MFA_CONTROLS = frozenset({
    "compliantdevice", "domainjoineddevice", "approvedapplication", "compliantapplication",
    "passwordchange", "riskremediation",
})
OFFICE365_APPS = frozenset(app.lower() for app in entra.OFFICE365_APPS)
ADMIN_PORTAL_APPS = frozenset(app.lower() for app in entra.ADMIN_PORTAL_APPS)
BUILT_IN_STRENGTHS = frozenset(strength.lower() for strength in entra.BUILT_IN_STRENGTHS)
MULTIFACTOR_MODES = frozenset(mode.lower() for mode in entra.MULTIFACTOR_MODES)
OTHER_TENANT = "~other"  # a guest's home tenant that no policy names


def _lower(values: Iterable[str] | None) -> frozenset[str]:
    return frozenset(value.strip().lower() for value in values or ())


# -- facts and worlds ---------------------------------------------------------------------------

class Fact(NamedTuple):
    key: tuple[str, ...]
    values: tuple[object, ...]
    # None, or the point coordinate the fact is about: ("app", id), ("location", id), ...
    scope: tuple[str, str] | None = None


YES_NO = (False, True)


class UnlistedFact(LookupError):
    pass


class World(dict[tuple[str, ...], object]):
    def __missing__(self, key: tuple[str, ...]) -> object:
        raise UnlistedFact(f"the oracle read a fact that it did not list (or outside its scope): {key!r}")


def _assignments(facts: list[Fact]) -> Iterator[dict[tuple[str, ...], object]]:
    for values in itertools.product(*(fact.values for fact in facts)):
        yield dict(zip((fact.key for fact in facts), values, strict=True))


# -- the directory: who the user is ---------------------------------------------------------------

class Directory:
    """The tenant and the user, with the lookups the evaluation needs (ids lower-cased)."""

    def __init__(self, tenant: Tenant, user: User) -> None:
        self.tenant = tenant
        self.user = user
        self.user_id = user.id.lower()
        self.groups: dict[str, Group] = {group.id.lower(): group for group in tenant.groups or ()}
        self.role_templates: dict[str, str] = {
            definition.id.lower(): (definition.template_id or definition.id).lower()
            for definition in tenant.role_definitions or ()
        }
        self.named_locations: dict[str, NamedLocation] = {
            location.id.lower(): location for location in tenant.named_locations or ()
        }
        upn = user.user_principal_name.lower()
        self.invited = ("#ext#" in upn or (user.creation_type or "").lower() == "invitation"
                        or bool(user.external_user_state))

    def template_of(self, role_definition_id: str) -> str:
        return self.role_templates.get(role_definition_id.lower(), role_definition_id.lower())


# the guest or external types a real user can have; "member" stands for none
USER_GUEST_TYPES = ("member", "internalguest", "b2bcollaborationguest", "b2bcollaborationmember")


def _guest_type(d: Directory, world: World) -> str | None:
    """The user's guest or external type (lower-case), None for an ordinary member.

    From userType and the invitation signs; a world picks one of USER_GUEST_TYPES when the
    export does not give the user's type.
    """
    user_type = (d.user.user_type or "").lower()
    if user_type == "guest":
        return "b2bcollaborationguest" if d.invited else "internalguest"
    if user_type == "member":
        return "b2bcollaborationmember" if d.invited else None
    kind = str(world[("guestType",)])
    return None if kind == "member" else kind


def _is_member(d: Directory, group_id: str, world: World, walked: frozenset[str] = frozenset()) -> bool:
    """Transitive membership of the user in a group; a world decides for a group without members."""
    if group_id in walked:
        return False
    group = d.groups.get(group_id)
    if group is None or group.member_ids is None:
        return bool(world[("member", group_id)])
    members = _lower(group.member_ids)
    if d.user_id in members:
        return True
    children = sorted({member for member in members if member in d.groups} | _lower(group.nested_group_ids))
    return any(_is_member(d, child, world, walked | {group_id}) for child in children)


def _is_principal(d: Directory, principal_id: str, world: World) -> bool:
    principal = principal_id.lower()
    return principal == d.user_id or (principal in d.groups and _is_member(d, principal, world))


def _roles_unknown(tenant: Tenant) -> bool:
    return tenant.role_assignments is None and tenant.directory_roles is None


def _holds_role(d: Directory, template: str, world: World) -> bool:
    tenant = d.tenant
    if _roles_unknown(tenant):
        return bool(world[("role", template)])
    for assignment in tenant.role_assignments or ():
        if (assignment.directory_scope_id in ("/", "") and d.template_of(assignment.role_definition_id) == template
                and _is_principal(d, assignment.principal_id, world)):
            return True
    for role in tenant.directory_roles or ():
        if (role.role_template_id.lower() == template and role.member_ids is not None
                and any(_is_principal(d, member, world) for member in role.member_ids)):
            return True
    if tenant.role_assignments is None and any(role.role_template_id.lower() == template and role.member_ids is None
                                               for role in tenant.directory_roles or ()):
        return bool(world[("role", template)])
    return False


# -- when a policy applies to the user -------------------------------------------------------------

def _listed_user(d: Directory, entries: Iterable[str], guest_type: str | None) -> bool:
    for entry in _lower(entries):
        if entry == "all" or entry == d.user_id:
            return True
        if entry == "guestsorexternalusers" and guest_type is not None:
            return True
    return False


def _guest_condition(types: Iterable[str], tenants: Iterable[str] | None, guest_type: str | None,
                     world: World) -> bool:
    listed = _lower(types)
    if guest_type is None or not listed:
        return False
    type_listed = guest_type in listed or any(
        world[("guestTypeValue", value)] for value in sorted(listed - KNOWN_GUEST_TYPES))
    if not type_listed:
        return False
    if tenants is None:
        return True
    return world[("homeTenant",)] in _lower(tenants)


def _applies_at_no_risk(policy: ConditionalAccessPolicy) -> bool:
    """False for a policy of workload identities or of some risk level other than none."""
    if policy.service_principal_risk_levels or policy.include_service_principals:
        return False
    if policy.insider_risk_levels:
        return False
    for levels in (policy.sign_in_risk_levels, policy.user_risk_levels):
        if levels and "none" not in _lower(levels):
            return False
    return True


def _applies_to_user(d: Directory, policy: ConditionalAccessPolicy, world: World) -> bool:
    scope = policy.users
    guest_type = _guest_type(d, world)
    included = (
        _listed_user(d, scope.include_users, guest_type)
        or any(_is_member(d, group, world) for group in sorted(_lower(scope.include_groups)))
        or any(_holds_role(d, role, world) for role in sorted(_lower(scope.include_roles)))
        or _guest_condition(scope.include_guest_types, scope.include_guest_tenants, guest_type, world)
    )
    excluded = (
        _listed_user(d, scope.exclude_users, guest_type)
        or any(_is_member(d, group, world) for group in sorted(_lower(scope.exclude_groups)))
        or any(_holds_role(d, role, world) for role in sorted(_lower(scope.exclude_roles)))
        or _guest_condition(scope.exclude_guest_types, scope.exclude_guest_tenants, guest_type, world)
    )
    return included and not excluded


# -- the grant ------------------------------------------------------------------------------------

def _multifactor(combination: str) -> bool:
    modes = {mode.strip().lower() for mode in combination.split(",") if mode.strip()}
    return len(modes) >= 2 or (len(modes) == 1 and modes <= MULTIFACTOR_MODES)


def _strength_id(grant: GrantControls) -> str | None:
    if grant.authentication_strength_id:
        return grant.authentication_strength_id.lower()
    if grant.authentication_strength is not None:
        return grant.authentication_strength.id.lower()
    return None


def _strength_is_mfa(d: Directory, grant: GrantControls, world: World) -> bool:
    strength_id = _strength_id(grant) or ""
    if strength_id in BUILT_IN_STRENGTHS:
        return True
    candidates = [grant.authentication_strength] + [
        strength for strength in d.tenant.authentication_strengths or () if strength.id.lower() == strength_id]
    for strength in candidates:
        if strength is not None and strength.allowed_combinations is not None:
            return (strength.requirements_satisfied.lower() == "mfa"
                    and all(_multifactor(combination) for combination in strength.allowed_combinations))
    return bool(world[("strength", strength_id)])


def _strength_known(d: Directory, grant: GrantControls) -> bool:
    strength_id = _strength_id(grant) or ""
    return strength_id in BUILT_IN_STRENGTHS or any(
        strength is not None and strength.allowed_combinations is not None
        for strength in [grant.authentication_strength, *(
            s for s in d.tenant.authentication_strengths or () if s.id.lower() == strength_id)])


def _control_is_mfa(control: str, world: World) -> bool:
    control = control.lower()
    if control == "mfa":
        return True
    if control in KNOWN_NON_MFA_CONTROLS:
        return False
    return bool(world[("control", control)])


def _grant(d: Directory, policy: ConditionalAccessPolicy, world: World) -> str | None:
    """"block", "mfa" (the policy alone requires MFA) or None."""
    grant = policy.grant
    if grant is None:
        return None
    if "block" in _lower(grant.built_in_controls):
        return "block"
    options = [_control_is_mfa(control, world) for control in grant.built_in_controls]
    if _strength_id(grant) is not None:
        options.append(_strength_is_mfa(d, grant, world))
    options += [False] * (len(grant.custom_authentication_factors) + len(grant.terms_of_use))
    if not options:
        return None
    if grant.operator.strip().upper() == "AND":
        return "mfa" if any(options) else None
    return "mfa" if all(options) else None


# -- when a policy applies at a point --------------------------------------------------------------

def _in_bundle(app: str, bundle: str, world: World) -> bool:
    representative, known = ((SOME_OFFICE365_APP, OFFICE365_APPS) if bundle == "office365"
                             else (SOME_ADMIN_PORTAL, ADMIN_PORTAL_APPS))
    if app == representative:
        return True
    if app in REPRESENTATIVE_APPS:
        return False
    if app in known:
        return True
    return bool(world[("inBundle", bundle, app)])


class Conditions(NamedTuple):
    """The conditions of one policy on a point, lower-cased once (the model keeps the export's case)."""

    include_apps: tuple[str, ...]
    exclude_apps: tuple[str, ...]
    app_filter_mode: str | None
    app_filter_rule: str
    client_app_types: frozenset[str]
    include_platforms: frozenset[str]
    exclude_platforms: frozenset[str]
    include_locations: tuple[str, ...]  # empty: every location
    exclude_locations: tuple[str, ...]
    device_filter_mode: str | None
    device_filter_rule: str
    flows: frozenset[str]

    @classmethod
    def of(cls, policy: ConditionalAccessPolicy) -> Conditions:
        app_filter, device_filter = policy.application_filter, policy.device_filter
        return cls(
            include_apps=tuple(sorted(_lower(policy.include_applications))),
            exclude_apps=tuple(sorted(_lower(policy.exclude_applications))),
            app_filter_mode=None if app_filter is None else app_filter.mode.lower(),
            app_filter_rule="" if app_filter is None else app_filter.rule,
            client_app_types=_lower(policy.client_app_types),
            include_platforms=_lower(policy.include_platforms),
            exclude_platforms=_lower(policy.exclude_platforms),
            include_locations=tuple(sorted(_lower(policy.include_locations))),
            exclude_locations=tuple(sorted(_lower(policy.exclude_locations))),
            device_filter_mode=None if device_filter is None else device_filter.mode.lower(),
            device_filter_rule="" if device_filter is None else device_filter.rule,
            flows=_flows(policy),
        )


def _listed_app(entries: tuple[str, ...], app: str, world: World) -> bool:
    for entry in entries:
        if entry == "all" or entry == app:
            return True
        if entry in ("office365", "microsoftadminportals") and _in_bundle(app, entry, world):
            return True
    return False


def _app_included(conditions: Conditions, app: str, world: World) -> bool:
    mode, rule = conditions.app_filter_mode, conditions.app_filter_rule
    included = _listed_app(conditions.include_apps, app, world) or (
        mode == "include" and bool(world[("appFilter", rule, app)]))
    excluded = _listed_app(conditions.exclude_apps, app, world) or (
        mode == "exclude" and bool(world[("appFilter", rule, app)]))
    return included and not excluded


def _client_app_included(conditions: Conditions, client_app: str, world: World) -> bool:
    listed = conditions.client_app_types
    if not listed or "all" in listed or client_app.lower() in listed:
        return True
    return any(world[("clientAppValue", value, client_app)] for value in sorted(listed - KNOWN_CLIENT_APP_TYPES))


def _platform_listed(listed: frozenset[str], platform: str, world: World) -> bool:
    if "all" in listed or platform.lower() in listed & KNOWN_PLATFORMS:
        return True
    return any(world[("platformValue", value, platform)] for value in sorted(listed - KNOWN_PLATFORMS))


def _platform_included(conditions: Conditions, platform: str, world: World) -> bool:
    include = conditions.include_platforms
    included = not include or _platform_listed(include, platform, world)
    return included and not _platform_listed(conditions.exclude_platforms, platform, world)


def _is_trusted(d: Directory, location: str, world: World) -> bool:
    if location == ELSEWHERE:
        return False
    if location == MFA_TRUSTED_IPS:
        return True
    named = d.named_locations.get(location)
    if named is not None and named.is_trusted is not None:
        return named.is_trusted
    return bool(world[("trusted", location)])


def _listed_location(d: Directory, entries: tuple[str, ...], location: str, world: World) -> bool:
    for entry in entries:
        if entry == "all" or entry == location:
            return True
        if entry == "alltrusted" and _is_trusted(d, location, world):
            return True
    return False


def _location_included(d: Directory, conditions: Conditions, location: str, world: World) -> bool:
    include = conditions.include_locations
    included = not include or _listed_location(d, include, location, world)
    return included and not _listed_location(d, conditions.exclude_locations, location, world)


def _device_included(conditions: Conditions, device: frozenset[str]) -> bool:
    if conditions.device_filter_mode is None:
        return True
    matches = conditions.device_filter_rule in device
    return not matches if conditions.device_filter_mode == "exclude" else matches


def _flows(policy: ConditionalAccessPolicy) -> frozenset[str]:
    listed = _lower(part for flow in policy.authentication_flows for part in flow.split(","))
    return listed - {"", "none"}


def _flow_included(conditions: Conditions, flow: str, world: World) -> bool:
    listed = conditions.flows
    if not listed or flow.lower() in listed & KNOWN_FLOWS:
        return True
    return any(world[("flowValue", value, flow)] for value in sorted(listed - KNOWN_FLOWS))


def _applies_at(d: Directory, conditions: Conditions, point: Point, world: World) -> bool:
    return (_app_included(conditions, point.app, world)
            and _client_app_included(conditions, point.client_app, world)
            and _platform_included(conditions, point.platform, world)
            and _location_included(d, conditions, point.location, world)
            and _device_included(conditions, point.device)
            and _flow_included(conditions, point.flow, world))


def _gets_through(d: Directory, guarding: list[Conditions], point: Point, world: World) -> bool:
    """True when the sign-in at ``point`` can happen and no guarding policy applies to it."""
    if point.location == MFA_TRUSTED_IPS and not world[("trustedIpsInUse",)]:
        return False  # in this world nobody signs in from the MFA trusted IPs
    return not any(_applies_at(d, conditions, point, world) for conditions in guarding)


# -- device filters: concrete devices --------------------------------------------------------------

class Clause(NamedTuple):
    prop: str
    values: frozenset[str]
    negated: bool  # -ne / -notIn


# A rule is a disjunction of conjunctions of clauses; an empty conjunction is always true.
Rule = tuple[tuple[Clause, ...], ...]

_CLAUSE = re.compile(r"^device\.([A-Za-z0-9_]+)\s+-(eq|ne|in|notin)\s+(.+)$", re.IGNORECASE)
_LEGACY_STATES = re.compile(r"^deviceState\s+in\s+\[(.*)\]$", re.IGNORECASE)
# the legacy device states, said with today's device properties
_STATE_CLAUSES = {
    "compliant": Clause("iscompliant", frozenset({"true"}), False),
    "domainjoined": Clause("trusttype", frozenset({"serverad"}), False),
}


def _value(text: str) -> str | None:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1].lower()
    return text.lower() if re.fullmatch(r"[A-Za-z0-9_.:-]+", text) else None


def _clause(text: str) -> Clause | None:
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    found = _CLAUSE.match(text)
    if found is None:
        return None
    prop, operator, operand = found.group(1).lower(), found.group(2).lower(), found.group(3).strip()
    values: list[str | None] = []
    if operator in ("eq", "ne"):
        values = [_value(operand)]
    elif operand.startswith("[") and operand.endswith("]"):
        values = [_value(part) for part in operand[1:-1].split(",")]
    if not values or None in values:
        return None
    return Clause(prop, frozenset(value for value in values if value is not None), operator in ("ne", "notin"))


def parse_device_rule(rule: str) -> Rule:
    """A device filter rule as a disjunction of conjunctions; an opaque property when it cannot be read."""
    legacy = _LEGACY_STATES.match(rule.strip())
    if legacy is not None:
        disjuncts: list[tuple[Clause, ...]] = []
        for state in (part.strip().lower() for part in legacy.group(1).split(",") if part.strip()):
            if state == "all":
                disjuncts.append(())
            else:
                clause = _STATE_CLAUSES.get(state, Clause("devicestate:" + state, frozenset({"true"}), False))
                disjuncts.append((clause,))
        return tuple(disjuncts)
    parsed: list[tuple[Clause, ...]] = []
    for part in re.split(r"\s+-or\s+", rule.strip(), flags=re.IGNORECASE):
        conjunction = [_clause(text) for text in re.split(r"\s+-and\s+", part, flags=re.IGNORECASE)]
        if any(clause is None for clause in conjunction):
            return ((Clause("rule:" + rule, frozenset({"true"}), False),),)
        parsed.append(tuple(c for c in conjunction if c is not None))
    return tuple(parsed)


def _rule_matches(rule: Rule, device: dict[str, str]) -> bool:
    return any(all((device[clause.prop] in clause.values) != clause.negated for clause in conjunction)
               for conjunction in rule)


def device_points(rules: Iterable[str]) -> list[frozenset[str]]:
    """Every set of rules that one concrete device matches.

    A device gives each property that the rules mention one value: one the rules mention,
    or one they do not ("~other"); a property whose rules only say True/False is a boolean.
    """
    parsed = {rule: parse_device_rule(rule) for rule in sorted(set(rules))}
    mentioned: dict[str, set[str]] = {}
    for rule in parsed.values():
        for conjunction in rule:
            for clause in conjunction:
                mentioned.setdefault(clause.prop, set()).update(clause.values)
    props = sorted(mentioned)
    domains = [sorted(mentioned[prop]) + ([] if mentioned[prop] <= {"true", "false"} else ["~other"])
               for prop in props]
    domains = [["false", "true"] if domain == ["true"] or domain == ["false"] else domain for domain in domains]
    found: set[frozenset[str]] = set()
    for values in itertools.product(*domains):
        device = dict(zip(props, values, strict=True))
        found.add(frozenset(rule for rule, parsed_rule in parsed.items() if _rule_matches(parsed_rule, device)))
    return sorted(found, key=lambda matched: sorted(matched))


# -- the space --------------------------------------------------------------------------------------

class Space(NamedTuple):
    apps: tuple[str, ...]
    client_apps: tuple[str, ...]
    platforms: tuple[str, ...]
    locations: tuple[str, ...]
    devices: tuple[frozenset[str], ...]
    flows: tuple[str, ...]

    def points(self) -> Iterator[Point]:
        for values in itertools.product(self.apps, self.client_apps, self.platforms, self.locations,
                                        self.devices, self.flows):
            yield Point(*values)


def _policies(tenant: Tenant) -> tuple[ConditionalAccessPolicy, ...]:
    return tenant.conditional_access_policies or ()


def sign_in_space(tenant: Tenant) -> Space:
    policies = _policies(tenant)
    apps = sorted({app for policy in policies
                   for app in _lower((*policy.include_applications, *policy.exclude_applications))} - APP_KEYWORDS)
    named = {location for policy in policies
             for location in _lower((*(policy.include_locations or ()), *policy.exclude_locations))}
    locations = named - LOCATION_KEYWORDS
    if "alltrusted" in named:
        locations.add(MFA_TRUSTED_IPS)
        # AllTrusted names every trusted location of the tenant, not only those a policy names
        locations |= {location.id.lower() for location in tenant.named_locations or ()
                      if location.is_trusted is not False}
    locations.discard(ELSEWHERE)
    rules = [policy.device_filter.rule for policy in policies if policy.device_filter is not None]
    return Space(
        apps=(*apps, *REPRESENTATIVE_APPS),
        client_apps=tuple(CLIENT_APPS),
        platforms=PLATFORMS,
        locations=(*sorted(locations), ELSEWHERE),
        devices=tuple(device_points(rules)),
        flows=FLOWS,
    )


def _scopes(point: Point) -> tuple[tuple[str, str], ...]:
    return (("app", point.app), ("client_app", point.client_app), ("platform", point.platform),
            ("location", point.location), ("flow", point.flow))


# -- the unknown facts ------------------------------------------------------------------------------

def _groups_to_walk(d: Directory, starts: Iterable[str]) -> set[str]:
    """The groups without members that a membership test starting at ``starts`` can reach."""
    unknown: set[str] = set()
    seen: set[str] = set()
    stack = sorted(_lower(starts))
    while stack:
        group_id = stack.pop()
        if group_id in seen:
            continue
        seen.add(group_id)
        group = d.groups.get(group_id)
        if group is None or group.member_ids is None:
            unknown.add(group_id)
            continue
        members = _lower(group.member_ids)
        if d.user_id in members:
            continue
        stack.extend(sorted({member for member in members if member in d.groups} | _lower(group.nested_group_ids)))
    return unknown


def facts(tenant: Tenant, user: User, policies: list[ConditionalAccessPolicy], space: Space) -> list[Fact]:
    """Every fact the evaluation of ``policies`` for ``user`` over ``space`` can read."""
    d = Directory(tenant, user)
    found: dict[tuple[str, ...], Fact] = {}

    def add(key: tuple[str, ...], values: tuple[object, ...] = YES_NO, scope: tuple[str, str] | None = None) -> None:
        found.setdefault(key, Fact(key, values, scope))

    # the user's guest type
    if (user.user_type or "").lower() in ("guest", "member"):
        may_be_guest = _guest_type(d, World()) is not None
    else:
        add(("guestType",), USER_GUEST_TYPES)
        may_be_guest = True

    # groups and roles
    referenced_groups: set[str] = set()
    referenced_roles: set[str] = set()
    for policy in policies:
        scope = policy.users
        referenced_groups |= _lower((*scope.include_groups, *scope.exclude_groups))
        referenced_roles |= _lower((*scope.include_roles, *scope.exclude_roles))
    if referenced_roles:
        if _roles_unknown(tenant):
            for template in sorted(referenced_roles):
                add(("role", template))
        else:
            principals = [assignment.principal_id for assignment in tenant.role_assignments or ()]
            principals += [member for directory_role in tenant.directory_roles or ()
                           for member in directory_role.member_ids or ()]
            referenced_groups |= {principal for principal in _lower(principals) if principal in d.groups}
            if tenant.role_assignments is None:
                for directory_role in tenant.directory_roles or ():
                    template = directory_role.role_template_id.lower()
                    if directory_role.member_ids is None and template in referenced_roles:
                        add(("role", template))
    for group_id in sorted(_groups_to_walk(d, referenced_groups)):
        add(("member", group_id))

    # guests: home tenant and unknown guest types
    if may_be_guest:
        tenants: set[str] = set()
        has_tenant_list = False
        for policy in policies:
            scope = policy.users
            for listed in (scope.include_guest_tenants, scope.exclude_guest_tenants):
                if listed is not None:
                    has_tenant_list = True
                    tenants |= _lower(listed)
            for value in sorted(_lower((*scope.include_guest_types, *scope.exclude_guest_types)) - KNOWN_GUEST_TYPES):
                add(("guestTypeValue", value))
        if has_tenant_list:
            add(("homeTenant",), (*sorted(tenants - {OTHER_TENANT}), OTHER_TENANT))

    # grants
    for policy in policies:
        grant = policy.grant
        if grant is None or "block" in _lower(grant.built_in_controls):
            continue
        for control in sorted(_lower(grant.built_in_controls) - KNOWN_NON_MFA_CONTROLS - {"mfa"}):
            add(("control", control))
        strength_id = _strength_id(grant)
        if strength_id is not None and not _strength_known(d, grant):
            add(("strength", strength_id))

    # apps: bundles and application filters
    for bundle, known in (("office365", OFFICE365_APPS), ("microsoftadminportals", ADMIN_PORTAL_APPS)):
        if any(bundle in _lower((*policy.include_applications, *policy.exclude_applications)) for policy in policies):
            for app in space.apps:
                if app not in REPRESENTATIVE_APPS and app not in known:
                    add(("inBundle", bundle, app), scope=("app", app))
    for policy in policies:
        if policy.application_filter is not None:
            for app in space.apps:
                add(("appFilter", policy.application_filter.rule, app), scope=("app", app))

    # locations
    if any("alltrusted" in _lower((*(policy.include_locations or ()), *policy.exclude_locations))
           for policy in policies):
        for location in space.locations:
            if location not in (ELSEWHERE, MFA_TRUSTED_IPS):
                named = d.named_locations.get(location)
                if named is None or named.is_trusted is None:
                    add(("trusted", location), scope=("location", location))
    if MFA_TRUSTED_IPS in space.locations:
        add(("trustedIpsInUse",), scope=("location", MFA_TRUSTED_IPS))

    # unknown values in condition lists
    for policy in policies:
        for value in sorted(_lower(policy.client_app_types) - KNOWN_CLIENT_APP_TYPES):
            for client_app in space.client_apps:
                add(("clientAppValue", value, client_app), scope=("client_app", client_app))
        for value in sorted(_lower((*(policy.include_platforms or ()), *policy.exclude_platforms)) - KNOWN_PLATFORMS):
            for platform in space.platforms:
                add(("platformValue", value, platform), scope=("platform", platform))
        for value in sorted(_flows(policy) - KNOWN_FLOWS):
            for flow in space.flows:
                add(("flowValue", value, flow), scope=("flow", flow))
    return list(found.values())


# -- the evaluation ---------------------------------------------------------------------------------

def _guarding_candidates(tenant: Tenant) -> list[ConditionalAccessPolicy]:
    """The enforced policies that can apply to a user's sign-in at no risk."""
    return [policy for policy in _policies(tenant)
            if policy.state.strip().lower() == "enabled" and _applies_at_no_risk(policy)]


@functools.lru_cache(maxsize=32)
def evaluate(tenant: Tenant, user: User) -> dict[Point, tuple[int, int]]:
    """For every point: in how many worlds it gets through, out of how many worlds."""
    d = Directory(tenant, user)
    space = sign_in_space(tenant)
    policies = _guarding_candidates(tenant)
    all_facts = facts(tenant, user, policies, space)
    unscoped = [fact for fact in all_facts if fact.scope is None]
    scoped: dict[tuple[str, str], list[Fact]] = {}
    for fact in all_facts:
        if fact.scope is not None:
            scoped.setdefault(fact.scope, []).append(fact)
    points = list(space.points())
    point_facts = {point: [fact for scope in _scopes(point) for fact in scoped.get(scope, ())] for point in points}
    through = dict.fromkeys(points, 0)
    worlds = dict.fromkeys(points, 0)
    conditions = [Conditions.of(policy) for policy in policies]
    for unscoped_values in _assignments(unscoped):
        world = World(unscoped_values)
        # the enforced policies that apply to the user and block or require MFA, in this world
        guarding = [conditions[index] for index, policy in enumerate(policies)
                    if _applies_to_user(d, policy, world) and _grant(d, policy, world) is not None]
        for point in points:
            if not point_facts[point]:
                point_worlds: Iterable[World] = (world,)
            else:
                point_worlds = (World({**unscoped_values, **scoped_values})
                                for scoped_values in _assignments(point_facts[point]))
            for point_world in point_worlds:
                worlds[point] += 1
                if _gets_through(d, guarding, point, point_world):
                    through[point] += 1
    return {point: (through[point], worlds[point]) for point in points}


def naive_gap_points(tenant: Tenant, user: User) -> frozenset[Point]:
    """The points without MFA or block in every world."""
    return frozenset(point for point, (through, worlds) in evaluate(tenant, user).items() if through == worlds)


def naive_undetermined_points(tenant: Tenant, user: User) -> frozenset[Point]:
    """The points without MFA or block in some world but not in all."""
    return frozenset(point for point, (through, worlds) in evaluate(tenant, user).items() if 0 < through < worlds)


def naive_status(tenant: Tenant, user: User) -> str:
    """"uncovered" if a point is a certain gap, else "undetermined" if one may be, else "covered"."""
    outcomes = evaluate(tenant, user).values()
    if any(through == worlds for through, worlds in outcomes):
        return "uncovered"
    if any(through > 0 for through, _ in outcomes):
        return "undetermined"
    return "covered"
