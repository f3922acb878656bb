"""The rule catalogue: every rule pack's ``*.yaml`` loaded, validated, and bound to its checks.

The YAML files are data, one per guidance section for the built-in pack (DESIGN section 5);
this module is the only place that knows their shape. Rule packs are found through entry
points (``checker.packs``). Any defect (a malformed file, an id two packs define, a rule
without a check or a check without a rule) is a ``CatalogueError`` that names the file or
the packages, the rule and the problem: the scan cannot be trusted with it, so it stops.
"""
from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import yaml

from checker.packs import BUILTIN, CUSTOM_PREFIX, InstalledPack, installed_packs
from checker.rule import Rule
from checker.verdicts import Severity

if TYPE_CHECKING:
    from checker.checks.base import Check
    from checker.custom_rules import CustomRule

    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

RULE_FILE_SUFFIX = ".yaml"
FILE_KEYS = ("section", "rules")
TEXT_KEYS = ("id", "name", "title", "severity", "section", "what", "why", "fix", "evidence")
OPTIONAL_KEYS = ("references", "tags")
FRAMEWORKS = ("cis", "nist", "scuba")

_RULE_ID = re.compile(r"[A-Z]+[0-9]{3}")
_KEBAB = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


class CatalogueError(ValueError):
    """The catalogue data is malformed."""


@functools.cache
def load_catalogue() -> tuple[Rule, ...]:
    """The rules of every installed pack, sorted by rule id."""
    return catalogue_of(_packs())


@functools.cache
def load_checks() -> Mapping[str, Check]:
    """The check of every installed pack's rules, by rule id (imports the checks)."""
    return bind_checks(_packs(), load_catalogue())


@functools.cache
def _packs() -> tuple[InstalledPack, ...]:
    return installed_packs()


def catalogue_of(packs: Sequence[InstalledPack]) -> tuple[Rule, ...]:
    """The rules of ``packs``, sorted by rule id; an id or name defined twice names both packages."""
    rules: list[Rule] = []
    id_owners: dict[str, InstalledPack] = {}
    name_owners: dict[str, InstalledPack] = {}
    for installed in packs:
        for rule in load_catalogue_from(installed.pack.rules, installed.name):
            if rule.id.startswith(CUSTOM_PREFIX):
                raise CatalogueError(f"{installed.label}: rule {rule.id}: ids starting with {CUSTOM_PREFIX} are "
                                     "kept for the rules of a scan's configuration")
            for owners, key, what in ((id_owners, rule.id, "rule id"), (name_owners, rule.name, "rule name")):
                if key in owners:
                    raise CatalogueError(f"{what} {key} is defined by both {owners[key].label} and {installed.label}")
                owners[key] = installed
            rules.append(rule)
    return tuple(sorted(rules, key=lambda rule: rule.id))


def with_custom_rules(custom: Sequence[CustomRule]) -> tuple[Rule, ...]:
    """The installed packs' rules and the configuration's own, sorted by rule id.

    The ids cannot clash (``ORG`` is kept for the configuration's rules); a name could, and
    selection by name would then pick both.
    """
    rules = load_catalogue()
    names = {rule.name: rule for rule in rules}
    for item in custom:
        other = names.get(item.rule.name)
        if other is not None:
            raise CatalogueError(f"{item.defined_at}: rules: {item.rule.id}: name {item.rule.name!r} is the name of "
                                 f"rule {other.id} of rule pack {other.pack!r}")
    return tuple(sorted((*rules, *(item.rule for item in custom)), key=lambda rule: rule.id))


def bind_checks(packs: Sequence[InstalledPack], rules: Iterable[Rule]) -> dict[str, Check]:
    """Each rule's check: every catalogue entry has exactly one, and every check one entry."""
    ids_by_pack: dict[str, set[str]] = {}
    for rule in rules:
        ids_by_pack.setdefault(rule.pack, set()).add(rule.id)
    bound: dict[str, Check] = {}
    for installed in packs:
        try:
            checks = dict(installed.pack.checks())
        except Exception as error:  # a broken third-party package must be named, not crash the tool
            raise CatalogueError(f"{installed.label}: its checks cannot be loaded "
                                 f"({type(error).__name__}: {error})") from None
        ids = ids_by_pack.get(installed.name, set())
        unbound = sorted(ids - set(checks))
        if unbound:
            raise CatalogueError(f"{installed.label}: rule {unbound[0]} has no check")
        stray = sorted(set(checks) - ids)
        if stray:
            raise CatalogueError(f"{installed.label}: a check is bound to {stray[0]!r}, which is not in its catalogue")
        for rule_id, check in sorted(checks.items()):
            if not callable(check):
                raise CatalogueError(f"{installed.label}: the check of {rule_id} is not callable")
            bound[rule_id] = check
    return bound


def load_catalogue_from(directory: Traversable, pack: str = BUILTIN) -> tuple[Rule, ...]:
    """Every rule of every ``*.yaml`` file in ``directory``, sorted by rule id, marked as ``pack``'s."""
    files = _rule_files(directory)
    if not files:
        raise CatalogueError(f"{directory}: no *{RULE_FILE_SUFFIX} rule files")
    rules: list[Rule] = []
    id_files: dict[str, str] = {}
    name_files: dict[str, str] = {}
    for file in files:
        label = str(file)
        for rule in _load_file(file, label, pack):
            _claim(id_files, rule.id, label, f"rule {rule.id}: duplicate id")
            _claim(name_files, rule.name, label, f"rule {rule.id}: duplicate name {rule.name!r}")
            rules.append(rule)
    return tuple(sorted(rules, key=lambda rule: rule.id))


def find_rule(rules: Iterable[Rule], id_or_name: str) -> Rule | None:
    """The rule whose id or name is ``id_or_name``, ignoring case; ``None`` if there is none."""
    wanted = id_or_name.strip().casefold()
    return next(
        (rule for rule in rules if wanted in (rule.id.casefold(), rule.name.casefold())),
        None,
    )


def _rule_files(directory: Traversable) -> list[Traversable]:
    if not directory.is_dir():
        raise CatalogueError(f"{directory}: not a folder of *{RULE_FILE_SUFFIX} rule files")
    entries = (entry for entry in directory.iterdir() if entry.name.endswith(RULE_FILE_SUFFIX))
    return sorted((entry for entry in entries if entry.is_file()), key=lambda entry: entry.name)


def _claim(owners: dict[str, str], key: str, label: str, problem: str) -> None:
    if key in owners:
        raise CatalogueError(f"{label}: {problem} (first defined in {owners[key]})")
    owners[key] = label


def _load_file(file: Traversable, label: str, pack: str) -> list[Rule]:
    document = _parse(file, label)
    _check_keys(document, FILE_KEYS, (), f"{label}:")
    section = document["section"]
    if not isinstance(section, str) or not section.strip():
        raise CatalogueError(f"{label}: 'section' must be a non-empty string")
    entries = document["rules"]
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{label}: 'rules' must be a non-empty list")
    return [_rule(entry, label, position, pack) for position, entry in enumerate(entries, start=1)]


def _parse(file: Traversable, label: str) -> dict[str, Any]:
    try:
        document = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise CatalogueError(f"{label}: not valid YAML: {error}") from None
    if not isinstance(document, dict):
        raise CatalogueError(f"{label}: expected a mapping with keys 'section' and 'rules'")
    return document


def _rule(entry: object, label: str, position: int, pack: str) -> Rule:
    if not isinstance(entry, dict):
        raise CatalogueError(f"{label}: rule #{position}: expected a mapping")
    where = f"{label}: rule {_rule_label(entry, position)}:"
    _check_keys(entry, TEXT_KEYS, OPTIONAL_KEYS, where)
    text = {key: _text(entry[key], key, where) for key in TEXT_KEYS}
    if not _RULE_ID.fullmatch(text["id"]):
        raise CatalogueError(f"{where} id {text['id']!r} does not match [A-Z]+[0-9]{{3}}")
    if not _KEBAB.fullmatch(text["name"]):
        raise CatalogueError(f"{where} name {text['name']!r} is not kebab-case")
    return Rule(
        id=text["id"],
        name=text["name"],
        title=text["title"],
        severity=_severity(text["severity"], where),
        section=text["section"],
        what=text["what"],
        why=text["why"],
        fix=text["fix"],
        evidence=text["evidence"],
        references=_references(entry.get("references"), where),
        tags=_tags(entry.get("tags"), where),
        pack=pack,
    )


def _rule_label(entry: dict[Any, Any], position: int) -> str:
    rule_id = entry.get("id")
    return rule_id if isinstance(rule_id, str) and rule_id.strip() else f"#{position} (no id)"


def _check_keys(
    mapping: dict[Any, Any], required: tuple[str, ...], optional: tuple[str, ...], where: str
) -> None:
    allowed = (*required, *optional)
    unknown = sorted(str(key) for key in mapping if key not in allowed)
    if unknown:
        raise CatalogueError(
            f"{where} unknown key {unknown[0]!r} (allowed: {', '.join(allowed)})"
        )
    missing = [key for key in required if key not in mapping]
    if missing:
        raise CatalogueError(f"{where} missing key {missing[0]!r}")


def _text(value: object, key: str, where: str) -> str:
    if not isinstance(value, str):
        raise CatalogueError(f"{where} {key!r} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise CatalogueError(f"{where} {key!r} is empty")
    return value.strip()


def _severity(value: str, where: str) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        names = ", ".join(severity.value for severity in Severity)
        problem = f"bad severity {value!r} (expected one of: {names})"
        raise CatalogueError(f"{where} {problem}") from None


def _references(value: object, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise CatalogueError(f"{where} 'references' must be a mapping of framework to ids")
    unknown = sorted(str(framework) for framework in value if framework not in FRAMEWORKS)
    if unknown:
        raise CatalogueError(
            f"{where} unknown reference framework {unknown[0]!r} "
            f"(allowed: {', '.join(FRAMEWORKS)})"
        )
    pairs = (
        (str(framework), _strings(ids, f"references.{framework}", where))
        for framework, ids in value.items()
    )
    return tuple(sorted((framework, ids) for framework, ids in pairs if ids))


def _tags(value: object, where: str) -> tuple[str, ...]:
    tags = _strings(value, "tags", where)
    for tag in tags:
        if not _KEBAB.fullmatch(tag):
            raise CatalogueError(f"{where} tag {tag!r} is not kebab-case")
    return tags


def _strings(value: object, key: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(_non_empty_string(item) for item in value):
        raise CatalogueError(f"{where} {key!r} must be a list of non-empty strings")
    if len(set(value)) != len(value):
        raise CatalogueError(f"{where} {key!r} lists an entry twice")
    return tuple(item.strip() for item in value)


def _non_empty_string(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())
