"""An example rule pack for tenant-checker, registered under the entry point ``tenant_checker.rules``."""
from __future__ import annotations

import importlib.resources
from collections.abc import Mapping
from typing import TYPE_CHECKING

from checker.packs import RulePack

if TYPE_CHECKING:
    from checker.checks.base import Check


def _checks() -> Mapping[str, Check]:
    from tenant_checker_example.checks import CHECKS

    return CHECKS


PACK = RulePack(rules=importlib.resources.files(__name__) / "rules", checks=_checks)
