"""What the export does not say, as facts a world can settle.

A membership the export cannot decide (is this location trusted? is this user in a group
whose members were not exported?) is a disjunction of terms, each a conjunction of facts
taking a value. Reading every policy against one world at a time keeps the facts that two
policies share in step: a location of unknown trust cannot be trusted for one policy and
untrusted for another.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

Fact = tuple[str, ...]
Term = tuple[tuple[Fact, object], ...]
World = Mapping[Fact, object]

# The guest types a directory user can have when the export does not say.
UNKNOWN_KIND_VALUES = ("member", "internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember")
KIND: Fact = ("kind",)
HOME_TENANT: Fact = ("home tenant",)
OTHER_TENANT = "~another tenant"


def fact_term(fact: Fact, value: object = True) -> Term:
    return ((fact, value),)


def holds(term: Term, world: World) -> bool:
    return all(world.get(fact, False) == value for fact, value in term)


@dataclass(frozen=True)
class Membership:
    """Whether something is in a set: surely, or when one of ``terms`` holds."""

    sure: bool = False
    terms: tuple[Term, ...] = ()

    @property
    def possible(self) -> bool:
        return self.sure or bool(self.terms)

    def holds(self, world: World) -> bool:
        return self.sure or any(holds(term, world) for term in self.terms)

    def joined(self, other: Membership) -> Membership:
        return Membership(self.sure or other.sure, () if self.sure or other.sure else self.terms + other.terms)


def included_not_excluded(included: Membership, excluded: Membership, world: World) -> bool:
    return included.holds(world) and not excluded.holds(world)


def facts_of(terms: Iterable[Term]) -> set[Fact]:
    return {fact for term in terms for fact, _ in term}


def domain(fact: Fact, tenants: tuple[str, ...]) -> tuple[object, ...]:
    if fact == KIND:
        return UNKNOWN_KIND_VALUES
    if fact == HOME_TENANT:
        return (*tenants, OTHER_TENANT)
    return (True, False)


def worlds(facts: Iterable[Fact], tenants: tuple[str, ...], limit: int) -> Iterator[dict[Fact, object]] | None:
    """Every assignment of the facts, or None when there would be more than ``limit``."""
    ordered = sorted(facts)
    domains = [domain(fact, tenants) for fact in ordered]
    count = 1
    for values in domains:
        count *= len(values)
        if count > limit:
            return None
    return (dict(zip(ordered, values, strict=False)) for values in itertools.product(*domains))
