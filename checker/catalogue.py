"""The rule catalogue: ``checker/rules/*.yaml`` loaded, validated and turned into Rules.

The YAML files are data, one per guidance section (DESIGN section 5); this module is the
only place that knows their shape. Any defect in them is a programming error of the
project, reported as a ``CatalogueError`` that names the file, the rule and the problem.
"""
from __future__ import annotations

import functools
import importlib.resources
import re
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import yaml

from checker.rule import Rule
from checker.verdicts import Severity

if TYPE_CHECKING:
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
    """The catalogue shipped with the package, sorted by rule id."""
    return load_catalogue_from(importlib.resources.files("checker") / "rules")


def load_catalogue_from(directory: Traversable) -> tuple[Rule, ...]:
    """Every rule of every ``*.yaml`` file in ``directory``, sorted by rule id."""
    files = _rule_files(directory)
    if not files:
        raise CatalogueError(f"{directory}: no *{RULE_FILE_SUFFIX} rule files")
    rules: list[Rule] = []
    id_files: dict[str, str] = {}
    name_files: dict[str, str] = {}
    for file in files:
        label = str(file)
        for rule in _load_file(file, label):
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
    entries = (entry for entry in directory.iterdir() if entry.name.endswith(RULE_FILE_SUFFIX))
    return sorted((entry for entry in entries if entry.is_file()), key=lambda entry: entry.name)


def _claim(owners: dict[str, str], key: str, label: str, problem: str) -> None:
    if key in owners:
        raise CatalogueError(f"{label}: {problem} (first defined in {owners[key]})")
    owners[key] = label


def _load_file(file: Traversable, label: str) -> list[Rule]:
    document = _parse(file, label)
    _check_keys(document, FILE_KEYS, (), f"{label}:")
    section = document["section"]
    if not isinstance(section, str) or not section.strip():
        raise CatalogueError(f"{label}: 'section' must be a non-empty string")
    entries = document["rules"]
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{label}: 'rules' must be a non-empty list")
    return [_rule(entry, label, position) for position, entry in enumerate(entries, start=1)]


def _parse(file: Traversable, label: str) -> dict[str, Any]:
    try:
        document = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise CatalogueError(f"{label}: not valid YAML: {error}") from None
    if not isinstance(document, dict):
        raise CatalogueError(f"{label}: expected a mapping with keys 'section' and 'rules'")
    return document


def _rule(entry: object, label: str, position: int) -> Rule:
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
