"""Rule packs: packages that contribute catalogue YAML and the checks bound to it.

A pack is registered under the entry-point group ``tenant_checker.rules`` (the way flake8
finds its plugins); tenant-checker's own rules are the pack ``builtin``, found the same
way. The entry point names a ``RulePack``; its checks are imported only when rules run, so
that listing or explaining rules stays quick.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checker.checks.base import Check

    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

ENTRY_POINT_GROUP = "tenant_checker.rules"
BUILTIN = "builtin"
BUILTIN_PACKAGE = "tenant-checker"
# Ids of rules written in a scan's configuration start with this; no pack may use it.
CUSTOM_PREFIX = "ORG"

_PACK_NAME = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*")


class PackError(ValueError):
    """A rule pack cannot be used; the message names the package that registered it."""


@dataclass(frozen=True)
class RulePack:
    """What a package registers: a folder of catalogue ``*.yaml`` files and, for each of its
    rules, the check bound to it (by rule id), returned by ``checks`` when a scan runs."""

    rules: Traversable
    checks: Callable[[], Mapping[str, Check]]


@dataclass(frozen=True)
class InstalledPack:
    """A pack found through its entry point: ``name`` is shown beside each of its rules,
    ``package`` is the distribution that registered it (named in every error about it)."""

    name: str
    package: str
    pack: RulePack

    @property
    def label(self) -> str:
        return f"rule pack {self.name!r} (package {self.package})"


def installed_packs() -> tuple[InstalledPack, ...]:
    """Every registered pack, ``builtin`` first, then by name."""
    from importlib.metadata import entry_points

    found: dict[str, InstalledPack] = {}
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        package = entry_point.dist.name if entry_point.dist is not None else "an unknown package"
        installed = InstalledPack(entry_point.name, package, _load(entry_point.name, entry_point.load, package))
        if not _PACK_NAME.fullmatch(installed.name):
            raise PackError(f"{installed.label}: the pack name must be lower case letters, digits, '-' or '_'")
        if installed.name == "custom":
            raise PackError(f"{installed.label}: 'custom' names the rules of a scan's configuration")
        other = found.get(installed.name)
        if other is not None:
            raise PackError(f"{installed.label} and {other.label}: two packs of one name")
        found[installed.name] = installed
    if BUILTIN not in found or found[BUILTIN].package != BUILTIN_PACKAGE:
        raise PackError(f"the built-in rule pack is not registered (entry point {BUILTIN!r} of group "
                        f"{ENTRY_POINT_GROUP!r}): install tenant-checker (pip install . or pip install -e .) "
                        "rather than running it from a bare source folder")
    return tuple(sorted(found.values(), key=lambda pack: (pack.name != BUILTIN, pack.name)))


def _load(name: str, load: Callable[[], object], package: str) -> RulePack:
    try:
        pack = load()
    except Exception as error:  # a broken third-party package must be named, not crash the tool
        raise PackError(f"rule pack {name!r} (package {package}): cannot be loaded "
                        f"({type(error).__name__}: {error})") from None
    if not isinstance(pack, RulePack):
        raise PackError(f"rule pack {name!r} (package {package}): the entry point names a "
                        f"{type(pack).__name__}, not a checker.packs.RulePack")
    return pack
