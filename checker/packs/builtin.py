"""tenant-checker's own rules, registered as the pack ``builtin`` (setup.cfg, entry points).

Importing this module is cheap: the checks, and the evaluation they share, are imported
only when a scan asks for them.
"""
from __future__ import annotations

import importlib.resources
from collections.abc import Mapping
from typing import TYPE_CHECKING

from checker.packs import RulePack

if TYPE_CHECKING:
    from checker.checks.base import Check


def _checks() -> Mapping[str, Check]:
    from checker.checks import CHECKS

    return CHECKS


PACK = RulePack(rules=importlib.resources.files("checker") / "rules", checks=_checks)
