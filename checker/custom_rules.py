"""An organisation's own rules, declared under ``rules:`` in `.tenant-checker.yaml`.

A rule names a collection of the export, a JSONPath (jsonpath-ng) that selects objects of
it, and a few assertions on them (exists, equals, in, not_in, count, matches). That is all
the language there is: anything more is a Python check in a rule pack (``checker.packs``).
Every defect is a ``ConfigError`` naming the file, the line and what is wrong, so that a
rule that cannot be evaluated as written never runs. How the rules are evaluated is
``checker.custom_checks``.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from checker.config import ConfigError
from checker.inputs import identify
from checker.packs import CUSTOM_PREFIX
from checker.rule import Rule
from checker.verdicts import Severity

CUSTOM_PACK = "custom"
# The collections a rule may read: the Graph collections of DESIGN section 2, by their Graph path.
COLLECTIONS = (
    identify.CA_POLICIES,
    identify.NAMED_LOCATIONS,
    identify.SECURITY_DEFAULTS,
    identify.AUTH_METHODS_POLICY,
    identify.AUTH_STRENGTHS,
    identify.AUTHORIZATION_POLICY,
    identify.SUBSCRIBED_SKUS,
    identify.USERS,
    identify.GROUPS,
    identify.DIRECTORY_ROLES,
    identify.ROLE_ASSIGNMENTS,
    identify.ROLE_DEFINITIONS,
    identify.REGISTRATION_DETAILS,
)
EVERY_OBJECT = "$[*]"
OPERATORS = ("exists", "equals", "in", "not_in", "count", "matches")
# Without a path an assertion is about the selection as a whole: how many objects it holds.
SELECTION_OPERATORS = ("exists", "count")
RULE_KEYS = ("id", "title", "severity", "collection", "assert", "message")
OPTIONAL_RULE_KEYS = ("name", "select", "why", "fix", "section")
ASSERTION_KEYS = ("path", *OPERATORS)

_CUSTOM_ID = re.compile(CUSTOM_PREFIX + r"[0-9]{3}")
_KEBAB = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_SIMPLE_SEGMENT = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*|\*)(?P<every>\[\*\])?")


@dataclass(frozen=True)
class Assertion:
    """One operator applied to what ``path`` finds in each selected object (``path`` None: to
    the selection as a whole). ``expected`` is the operator's operand; ``count`` takes
    ``(minimum, maximum)``, either of which may be None."""

    operator: str
    expected: Any
    path: str | None = None
    compiled_path: Any = field(default=None, compare=False, repr=False)
    # ``path`` as field names and "*" when it is that simple (most are): read without JSONPath
    steps: tuple[str, ...] | None = field(default=None, compare=False, repr=False)

    @property
    def words(self) -> str:
        """The assertion as a person would write it: ``state equals 'enabled'``."""
        return f"{self.path or 'the selection'} {self.expectation}"

    @property
    def expectation(self) -> str:
        """What the assertion asks of the values it reads: ``equals 'enabled'``."""
        if self.operator == "count":
            low, high = self.expected
            if low == high:
                return f"counts exactly {low}"
            bounds = [f"at least {low}" if low is not None else "", f"at most {high}" if high is not None else ""]
            return "counts " + " and ".join(bound for bound in bounds if bound)
        if self.operator == "exists":
            return "exists" if self.expected else "does not exist"
        expected = list(self.expected) if isinstance(self.expected, tuple) else self.expected
        return f"{self.operator.replace('_', ' ')} {expected!r}"


@dataclass(frozen=True)
class CustomRule:
    """A rule of the configuration: its public description and what its check evaluates."""

    rule: Rule
    collection: str
    select: str
    assertions: tuple[Assertion, ...]
    message: str
    defined_at: str
    compiled_select: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class _Place:
    """Where a rule sits in its YAML file: the line of the rule and of each of its keys."""

    source: str
    line: int | None
    key_lines: Mapping[str, int] = field(default_factory=dict)

    def at(self, key: str | None = None) -> str:
        line = self.key_lines.get(key, self.line) if key is not None else self.line
        return f"{self.source}, line {line}" if line is not None else self.source


def parse_custom_rules(value: Any, source: str, text: str | None = None) -> tuple[CustomRule, ...]:
    """The rules of ``rules:`` in the configuration ``source`` (whose YAML ``text`` gives the lines).

    An entry that is a string names a YAML file of more rules (a list, or a mapping with a
    ``rules`` list), relative to the configuration's folder.
    """
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(f"{source}: rules: expected a list of rules, or of files that hold rules")
    places = _places(text, source, ("rules",))
    rules: list[CustomRule] = []
    for index, entry in enumerate(value):
        place = places[index] if index < len(places) else _Place(source, None)
        if isinstance(entry, str):
            rules += _rules_of_file(entry, source, place)
        else:
            rules.append(_custom_rule(entry, place, index + 1))
    seen: dict[str, str] = {}
    for custom in rules:
        for key in (custom.rule.id, custom.rule.name):
            if key in seen:
                raise ConfigError(f"{custom.defined_at}: rules: {key} is defined twice (first at {seen[key]})")
            seen[key] = custom.defined_at
    return tuple(rules)


def _rules_of_file(name: str, source: str, place: _Place) -> list[CustomRule]:
    if not os.path.isfile(source):
        raise ConfigError(f"{place.at()}: rules: {name!r}: rule files can be listed only by a configuration "
                          "file on disk")
    path = os.path.join(os.path.dirname(source), name)
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
        document = yaml.safe_load(text)
    except OSError as error:
        raise ConfigError(f"{place.at()}: rules: {name!r} cannot be read ({error.strerror or error})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: not valid YAML") from None
    keys: tuple[str, ...] = ("rules",) if isinstance(document, dict) else ()
    entries = document.get("rules") if isinstance(document, dict) else document
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: expected a list of rules (or a mapping whose 'rules' is one)")
    places = _places(text, path, keys)
    found = []
    for index, entry in enumerate(entries):
        if isinstance(entry, str):
            raise ConfigError(f"{places[index].at() if index < len(places) else path}: a rule file cannot list "
                              "other rule files")
        found.append(_custom_rule(entry, places[index] if index < len(places) else _Place(path, None), index + 1))
    return found


def _custom_rule(entry: Any, place: _Place, position: int) -> CustomRule:
    if not isinstance(entry, dict):
        raise ConfigError(f"{place.at()}: rules: rule #{position}: expected a mapping of id, title, severity, "
                          "collection, select, assert and message")
    rule_id = entry.get("id")
    label = rule_id if isinstance(rule_id, str) and rule_id.strip() else f"rule #{position}"
    allowed = (*RULE_KEYS, *OPTIONAL_RULE_KEYS)
    for key in entry:
        if key not in allowed:
            raise ConfigError(f"{place.at(str(key))}: rules: {label}: unknown key {key!r} "
                              f"(allowed: {', '.join(allowed)})")
    for key in RULE_KEYS:
        if key not in entry:
            raise ConfigError(f"{place.at()}: rules: {label}: missing {key!r}")
    text = {key: _text(entry.get(key), key, place, label) for key in ("id", "title", "severity", "collection",
                                                                        "message")}
    if not _CUSTOM_ID.fullmatch(text["id"]):
        raise ConfigError(f"{place.at('id')}: rules: {label}: id {text['id']!r} must be {CUSTOM_PREFIX} and three "
                          f"digits (such as {CUSTOM_PREFIX}001), so that it can never clash with a rule pack's")
    name = _text(entry["name"], "name", place, label) if "name" in entry else text["id"].lower()
    if not _KEBAB.fullmatch(name):
        raise ConfigError(f"{place.at('name')}: rules: {label}: name {name!r} is not kebab-case")
    try:
        severity = Severity(text["severity"])
    except ValueError:
        raise ConfigError(f"{place.at('severity')}: rules: {label}: bad severity {text['severity']!r} (expected "
                          f"one of: {', '.join(s.value for s in Severity)})") from None
    collection = text["collection"]
    if collection not in COLLECTIONS:
        raise ConfigError(f"{place.at('collection')}: rules: {label}: unknown collection {collection!r} "
                          f"(known: {', '.join(COLLECTIONS)})")
    select = _text(entry["select"], "select", place, label) if "select" in entry else EVERY_OBJECT
    compiled_select = _json_path(select, place, "select", label)
    assertions = _assertions(entry.get("assert"), place, label)
    section = _text(entry["section"], "section", place, label) if "section" in entry else \
        f"the organisation's own rules ({place.source})"
    checks = "; ".join(assertion.words for assertion in assertions)
    rule = Rule(
        id=text["id"],
        name=name,
        title=text["title"],
        severity=severity,
        section=section,
        what=f"In {collection}, the objects that {select} selects: {checks}. A failure says: {text['message']}",
        why=_text(entry["why"], "why", place, label) if "why" in entry else
        f"A requirement of the organisation, declared in {place.source}.",
        fix=_text(entry["fix"], "fix", place, label) if "fix" in entry else text["message"],
        evidence=f"Each selected object of {collection} (file and JSON pointer), with the values the assertions "
                 "read; the collection's files when the selection as a whole is wrong.",
        tags=("custom",),
        pack=CUSTOM_PACK,
    )
    return CustomRule(rule, collection, select, assertions, text["message"], place.at(), compiled_select)


def _assertions(value: Any, place: _Place, label: str) -> tuple[Assertion, ...]:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{place.at('assert')}: rules: {label}: 'assert' must be a list of assertions such as "
                          "{path: state, equals: enabled}")
    return tuple(_assertion(item, place, label) for item in value)


def _assertion(item: Any, place: _Place, label: str) -> Assertion:
    where = f"{place.at('assert')}: rules: {label}: assert:"
    if not isinstance(item, dict):
        raise ConfigError(f"{where} each assertion must be a mapping such as {{path: state, equals: enabled}}")
    unknown = [str(key) for key in item if key not in ASSERTION_KEYS]
    if unknown:
        raise ConfigError(f"{where} unknown operator {unknown[0]!r} (known: {', '.join(OPERATORS)})")
    operators = [key for key in OPERATORS if key in item]
    if len(operators) != 1:
        raise ConfigError(f"{where} each assertion needs exactly one operator of: {', '.join(OPERATORS)}")
    operator = operators[0]
    path = item.get("path")
    if path is not None and (not isinstance(path, str) or not path.strip()):
        raise ConfigError(f"{where} 'path' must be a non-empty JSONPath")
    if path is None and operator not in SELECTION_OPERATORS:
        raise ConfigError(f"{where} {operator!r} needs a 'path' (without one, only exists and count, about the "
                          "selection as a whole)")
    compiled = _json_path(path, place, "assert", label) if path is not None else None
    return Assertion(operator, _operand(operator, item[operator], where), path.strip() if path else None, compiled,
                     _steps(path.strip()) if path else None)


def _steps(path: str) -> tuple[str, ...] | None:
    """``conditions.users.excludeGroups[*]`` -> ("conditions", "users", "excludeGroups", "*"); None when
    the path uses more of JSONPath than field names and wildcards."""
    steps: list[str] = []
    for segment in path.split("."):
        found = _SIMPLE_SEGMENT.fullmatch(segment)
        if found is None:
            return None
        steps.append(found.group("name"))
        if found.group("every"):
            steps.append("*")
    return tuple(steps)


def _operand(operator: str, value: Any, where: str) -> Any:
    if operator == "exists":
        if not isinstance(value, bool):
            raise ConfigError(f"{where} exists: expected true or false")
        return value
    if operator in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            raise ConfigError(f"{where} {operator}: expected a non-empty list of values")
        return tuple(value)
    if operator == "matches":
        if not isinstance(value, str):
            raise ConfigError(f"{where} matches: expected a regular expression (a string)")
        try:
            re.compile(value)
        except re.error as error:
            raise ConfigError(f"{where} matches: not a valid regular expression ({error})") from None
        return value
    if operator == "count":
        return _count(value, where)
    if isinstance(value, (list, dict)):
        raise ConfigError(f"{where} equals: expected a single value (a string, number, true, false or null)")
    return value


def _count(value: Any, where: str) -> tuple[int | None, int | None]:
    if _whole(value):
        return value, value
    if isinstance(value, dict) and value and set(value) <= {"min", "max"}:
        low, high = value.get("min"), value.get("max")
        if all(bound is None or _whole(bound) for bound in (low, high)) and (
                low is None or high is None or low <= high):
            return low, high
    raise ConfigError(f"{where} count: expected a whole number, or {{min: N, max: M}} (either may be left out)")


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _json_path(expression: str, place: _Place, key: str, label: str) -> Any:
    from jsonpath_ng.exceptions import JSONPathError
    from jsonpath_ng.ext.parser import parse

    try:
        return parse(expression)
    except JSONPathError as error:
        raise ConfigError(f"{place.at(key)}: rules: {label}: {key}: invalid JSONPath {expression!r} "
                          f"({error})") from None


def _text(value: Any, key: str, place: _Place, label: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and key != "id":
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{place.at(key)}: rules: {label}: {key!r} must be a non-empty string")
    return value.strip()


def _places(text: str | None, source: str, keys: Sequence[str]) -> list[_Place]:
    """Where each entry of the list under ``keys`` (or of the top-level list) sits in ``text``."""
    if text is None:
        return []
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return []
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return []
        node = next((value for name, value in node.value if isinstance(name, yaml.ScalarNode) and name.value == key),
                    None)
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [_Place(source, item.start_mark.line + 1,
                   {str(name.value): name.start_mark.line + 1 for name, _ in item.value}
                   if isinstance(item, yaml.MappingNode) else {}) for item in node.value]
