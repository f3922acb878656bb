"""Objects that could not be read, and the collections they leave incomplete (DESIGN section 2).

Half a collection is not a whole: a rule judged on what is left can turn a gap into a pass,
so every collection that lost objects is recorded in the model for the rules to gate on.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from checker.inputs import identify
from checker.model import IncompleteCollection
from checker.origin import Origin


class Loss(NamedTuple):
    """Objects of a collection that could not be read: how many (None: not known), why, and where."""

    collection: str
    objects: int | None
    why: str
    pointer: str


# How a collection's objects are named in "3 of 15 policies could not be read".
_WHAT = {
    identify.CA_POLICIES: "policies", identify.USERS: "users", identify.GROUPS: "groups",
    identify.REGISTRATION_DETAILS: "registration details", identify.SUBSCRIBED_SKUS: "subscriptions",
    identify.NAMED_LOCATIONS: "named locations", identify.DIRECTORY_ROLES: "roles",
    identify.ROLE_ASSIGNMENTS: "role assignments", identify.ROLE_DEFINITIONS: "role definitions",
    identify.AUTH_METHOD_CONFIGURATIONS: "method configurations", identify.AUTH_STRENGTHS: "strengths",
    identify.PER_USER_MFA: "per-user MFA rows",
}


def incomplete_collections(losses: Sequence[tuple[str, Loss]],
                           read: Mapping[str, int]) -> tuple[IncompleteCollection, ...]:
    """One entry per collection that lost objects (``losses``: file and loss), with how many were read."""
    by_collection: dict[str, list[tuple[str, Loss]]] = {}
    for path, loss in losses:
        by_collection.setdefault(loss.collection, []).append((path, loss))
    found = []
    for collection, entries in sorted(by_collection.items()):
        counts = [loss.objects for _, loss in entries]
        lost = None if None in counts else sum(count or 0 for count in counts)
        reasons = list(dict.fromkeys(loss.why for _, loss in entries))
        why = reasons[0] + (f" (and {len(reasons) - 1} other reasons)" if len(reasons) > 1 else "")
        path, first = entries[0]
        found.append(IncompleteCollection(collection, _WHAT.get(collection, "objects"), lost,
                                          read.get(collection, 0), why, Origin(path, first.pointer)))
    return tuple(found)
