"""Three-valued truth: what the export shows, what it rules out, and what it cannot tell."""
from __future__ import annotations

import enum
from collections.abc import Iterable


class Tri(enum.IntEnum):
    NO = 0
    MAYBE = 1
    YES = 2


def any_of(values: Iterable[Tri]) -> Tri:
    return max(values, default=Tri.NO)


def included_not_excluded(included: Tri, excluded: Tri) -> Tri:
    """An exclusion always wins; what either side cannot tell stays undetermined."""
    if excluded is Tri.YES or included is Tri.NO:
        return Tri.NO
    if included is Tri.YES and excluded is Tri.NO:
        return Tri.YES
    return Tri.MAYBE
