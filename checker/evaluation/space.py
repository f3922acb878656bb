"""The dimensions of a sign-in, cut into the atoms the policies can tell apart (DESIGN section 4).

Every condition of a policy is a set of atoms per dimension, read two ways: the atoms it
certainly covers and those it possibly covers (where the export cannot tell: an application
filter, a location of unknown trust, an unknown enum value). A policy's reach is then a box:
the product of its sets, one per dimension.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from checker import entra
from checker.evaluation.facts import (
    Fact,
    Membership,
    World,
    fact_term,
    facts_of,
    included_not_excluded,
)
from checker.model import AttributeFilter, ConditionalAccessPolicy, NamedLocation

APPS, CLIENTS, PLATFORMS, LOCATIONS, FLOWS = "app", "client", "platform", "location", "flow"
OTHER_OFFICE365, OTHER_PORTAL, OTHER_APP = "~office365", "~adminportal", "~other"
UNKNOWN_PLATFORM, ELSEWHERE, NO_FLOW = "unknown", "~elsewhere", "none"
MATCH, NO_MATCH = "matches", "does not match"
SURE = Membership(sure=True)


@dataclass(frozen=True)
class Dimension:
    name: str
    atoms: tuple[str, ...]


@dataclass(frozen=True)
class Reach:
    """What one condition covers in one dimension: certainly, possibly, and in a given world."""

    certain: frozenset[str]
    possible: frozenset[str]
    # for each atom possibly but not certainly covered: (included when, excluded when)
    unsure: Mapping[str, tuple[Membership, Membership]] = field(default_factory=dict)

    def in_world(self, world: World) -> frozenset[str]:
        if not self.unsure:
            return self.certain
        return self.certain | {atom for atom, (inc, exc) in self.unsure.items()
                               if included_not_excluded(inc, exc, world)}

    def facts(self) -> set[Fact]:
        return facts_of(term for inc, exc in self.unsure.values() for term in inc.terms + exc.terms)


Members = dict[str, Membership]


def _combine(atoms: Sequence[str], include: Members, exclude: Members) -> Reach:
    """Included and not excluded, atom by atom; an exclusion always wins."""
    certain, possible = set(), set()
    unsure: dict[str, tuple[Membership, Membership]] = {}
    nothing = Membership()
    for atom in atoms:
        inc, exc = include.get(atom, nothing), exclude.get(atom, nothing)
        if not inc.possible or exc.sure:
            continue
        possible.add(atom)
        if inc.sure and not exc.possible:
            certain.add(atom)
        else:
            unsure[atom] = (inc, exc)
    return Reach(frozenset(certain), frozenset(possible), unsure)


def _members(atoms: Sequence[str], values: Iterable[str], keywords: Mapping[str, Mapping[str, bool | None]],
             fact: str) -> Members:
    """The atoms a list of values names: "All", a keyword standing for the atoms it holds (an app bundle,
    AllTrusted) whose membership may be unknown, or an atom by its id."""
    members: Members = {}
    for value in values:
        key = value.lower()
        if key == "all":
            for atom in atoms:
                _add(members, atom, SURE)
        elif key in keywords:
            inside = keywords[key]
            for atom in atoms:
                if inside.get(atom) is True:
                    _add(members, atom, SURE)
                elif inside.get(atom) is None:
                    _add(members, atom, Membership(terms=(fact_term((fact, key, atom)),)))
        elif key != "none":
            _add(members, key, SURE)
    return members


def _add(members: Members, atom: str, membership: Membership) -> None:
    members[atom] = members[atom].joined(membership) if atom in members else membership


@dataclass(frozen=True)
class DeviceRule:
    """A device filter rule as an atom: a rule and its exact negation share one ``key``."""

    key: str
    negated: bool


_CLAUSE = re.compile(r"^\(?\s*(device\.\w+)\s+(-\w+)\s+(.+?)\s*\)?$", re.IGNORECASE)
_NEGATIONS = {"-ne": "-eq", "-notin": "-in", "-notcontains": "-contains", "-notstartswith": "-startswith",
              "-notendswith": "-endswith", "-notmatch": "-match"}


def device_rule(rule: str) -> DeviceRule:
    text = " ".join(rule.split())
    found = _CLAUSE.match(text)
    if found is None or " -and " in text.lower() or " -or " in text.lower():
        return DeviceRule(text, False)
    prop, operator, value = found.group(1).lower(), found.group(2).lower(), found.group(3).strip()
    positive = _NEGATIONS.get(operator, operator)
    return DeviceRule(f"{prop} {positive} {value}", positive != operator)


def device_dimension(key: str) -> str:
    return "device:" + key


@dataclass(frozen=True)
class Space:
    """The dimensions of one slice of the sign-in space and how to read each policy in them."""

    dimensions: tuple[Dimension, ...]
    office365: Mapping[str, bool | None]
    admin_portals: Mapping[str, bool | None]
    trusted: Mapping[str, bool | None]

    def dimension(self, name: str) -> Dimension:
        return next(d for d in self.dimensions if d.name == name)

    def reach(self, policy: ConditionalAccessPolicy) -> dict[str, Reach]:
        reach = {
            APPS: self._apps(policy),
            CLIENTS: _listed(self.dimension(CLIENTS).atoms, _client_types(policy.client_app_types), (),
                             _KNOWN_CLIENTS, CLIENTS),
            PLATFORMS: self._platforms(policy),
            LOCATIONS: self._locations(policy),
            FLOWS: _listed(self.dimension(FLOWS).atoms, policy.authentication_flows or ("all",), (), _KNOWN_FLOWS,
                           FLOWS),
        }
        for dimension in self.dimensions:
            if dimension.name.startswith("device:"):
                reach[dimension.name] = _device_reach(dimension, policy.device_filter)
        return reach

    def _apps(self, policy: ConditionalAccessPolicy) -> Reach:
        atoms = self.dimension(APPS).atoms
        include = self._app_members(atoms, policy.include_applications)
        exclude = self._app_members(atoms, policy.exclude_applications)
        found = policy.application_filter
        if found is not None:
            side = exclude if found.mode == "exclude" else include
            for atom in atoms:
                _add(side, atom, Membership(terms=(fact_term(("app matches filter", found.rule, atom)),)))
        return _combine(atoms, include, exclude)

    def _app_members(self, atoms: Sequence[str], values: Iterable[str]) -> Members:
        bundles = {entra.OFFICE365: self.office365, entra.ADMIN_PORTALS: self.admin_portals}
        return _members(atoms, values, bundles, "app in bundle")

    def _platforms(self, policy: ConditionalAccessPolicy) -> Reach:
        atoms = self.dimension(PLATFORMS).atoms
        include = policy.include_platforms if policy.include_platforms is not None else ("all",)
        return _listed(atoms, [_platform(p) for p in include], [_platform(p) for p in policy.exclude_platforms],
                       _KNOWN_PLATFORMS, PLATFORMS)

    def _locations(self, policy: ConditionalAccessPolicy) -> Reach:
        atoms = self.dimension(LOCATIONS).atoms
        include = self._location_members(atoms, policy.include_locations
                                         if policy.include_locations is not None else ("All",))
        exclude = self._location_members(atoms, policy.exclude_locations)
        return _combine(atoms, include, exclude)

    def _location_members(self, atoms: Sequence[str], values: Iterable[str]) -> Members:
        return _members(atoms, values, {"alltrusted": self.trusted}, "location trusted")


def _client_types(values: Sequence[str]) -> list[str]:
    types = [v.lower() for v in values]
    if not types or "all" in types:
        return ["all"]
    return ["exchangeactivesync" if t == "eassupported" else t for t in types]


def _platform(value: str) -> str:
    key = value.lower()
    return "all" if key == "all" else next((p.lower() for p in entra.PLATFORMS if p.lower() == key), value)


_KNOWN_CLIENTS = frozenset(c.lower() for c in (*entra.MODERN_CLIENTS, *entra.LEGACY_CLIENTS))
_KNOWN_FLOWS = frozenset(f.lower() for f in (NO_FLOW, *entra.AUTHENTICATION_FLOWS))
_KNOWN_PLATFORMS = frozenset(p.lower() for p in (*entra.PLATFORMS, UNKNOWN_PLATFORM))


def _listed(atoms: Sequence[str], include: Iterable[str], exclude: Iterable[str], known: frozenset[str],
            dimension: str) -> Reach:
    """A condition of known values; a value the tool does not know may or may not cover each atom."""
    lowered = {a.lower(): a for a in atoms}

    def members(values: Iterable[str]) -> Members:
        found: Members = {}
        for value in values:
            key = value.lower()
            if key == "all":
                for atom in atoms:
                    _add(found, atom, SURE)
            elif key in lowered:
                _add(found, lowered[key], SURE)
            elif key not in known and key not in ("none", ""):
                for atom in atoms:
                    _add(found, atom, Membership(terms=(fact_term(("unknown value", dimension, value, atom)),)))
        return found

    return _combine(atoms, members(include), members(exclude))


def _device_reach(dimension: Dimension, device_filter: AttributeFilter | None) -> Reach:
    everything = frozenset(dimension.atoms)
    if device_filter is None:
        return Reach(everything, everything)
    rule = device_rule(device_filter.rule)
    if device_dimension(rule.key) != dimension.name:
        return Reach(everything, everything)
    matching = NO_MATCH if rule.negated else MATCH
    if device_filter.mode == "exclude":
        matching = MATCH if matching == NO_MATCH else NO_MATCH
    return Reach(frozenset({matching}), frozenset({matching}))


def build_space(policies: Sequence[ConditionalAccessPolicy], locations: Sequence[NamedLocation] | None,
                clients: Sequence[str]) -> Space:
    """The atoms the policies tell apart, for sign-ins by the given client app types."""
    apps: set[str] = set()
    named_locations: set[str] = set()
    uses_trusted = False
    device_keys: set[str] = set()
    for policy in policies:
        for value in (*policy.include_applications, *policy.exclude_applications):
            if value.lower() not in ("all", "none", entra.OFFICE365, entra.ADMIN_PORTALS):
                apps.add(value.lower())
        for value in (*(policy.include_locations or ()), *policy.exclude_locations):
            if value.lower() == "alltrusted":
                uses_trusted = True
            elif value.lower() != "all":
                named_locations.add(value.lower())
        if policy.device_filter is not None:
            device_keys.add(device_rule(policy.device_filter.rule).key)
    trusted = {location.id.lower(): location.is_trusted for location in locations or ()}
    if uses_trusted:
        named_locations.update(key for key, is_trusted in trusted.items() if is_trusted is not False)
        named_locations.add(entra.MFA_TRUSTED_IPS)
    trust = {key: trusted.get(key) for key in named_locations}
    trust[entra.MFA_TRUSTED_IPS] = True
    trust[ELSEWHERE] = False
    app_atoms = (*sorted(apps), OTHER_OFFICE365, OTHER_PORTAL, OTHER_APP)
    office365 = {a: (True if a in entra.OFFICE365_APPS else None) for a in apps}
    office365.update({OTHER_OFFICE365: True, OTHER_PORTAL: False, OTHER_APP: False})
    portals = {a: (True if a in entra.ADMIN_PORTAL_APPS else None) for a in apps}
    portals.update({OTHER_OFFICE365: False, OTHER_PORTAL: True, OTHER_APP: False})
    dimensions = [
        Dimension(APPS, app_atoms),
        Dimension(CLIENTS, tuple(clients)),
        Dimension(PLATFORMS, (*entra.PLATFORMS, UNKNOWN_PLATFORM)),
        Dimension(LOCATIONS, (*sorted(named_locations), ELSEWHERE)),
        Dimension(FLOWS, (NO_FLOW, *entra.AUTHENTICATION_FLOWS)),
        *(Dimension(device_dimension(key), (MATCH, NO_MATCH)) for key in sorted(device_keys)),
    ]
    return Space(tuple(dimensions), office365, portals, trust)
