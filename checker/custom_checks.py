"""How a rule of the configuration (``checker.custom_rules``) is judged on the export.

The rule reads the raw objects of its collection, as the export holds them, each with its
Origin, so that its evidence names a file, a pointer and a line as a built-in rule's does.
Keys are matched whatever their case (camelCase REST, PascalCase PowerShell), and a field the
Graph PowerShell SDK kept under ``AdditionalProperties`` is read there, as the readers do.
An absent or incomplete collection is ``not_assessed``: a rule is never judged on part of
the evidence.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checker.checks.base import Check, CheckContext, Finding
from checker.custom_rules import EVERY_OBJECT, Assertion, CustomRule
from checker.inputs import fields, identify
from checker.inputs.raw_objects import RawCollection
from checker.origin import Origin
from checker.report import Evidence, Subject
from checker.verdicts import Verdict

_ADDITIONAL = "additionalProperties"
_SUBJECT_KINDS = {
    identify.CA_POLICIES: "policy",
    identify.NAMED_LOCATIONS: "location",
    identify.SECURITY_DEFAULTS: "policy",
    identify.AUTH_METHODS_POLICY: "policy",
    identify.AUTH_STRENGTHS: "policy",
    identify.AUTHORIZATION_POLICY: "policy",
    identify.SUBSCRIBED_SKUS: "sku",
    identify.USERS: "user",
    identify.GROUPS: "group",
    identify.DIRECTORY_ROLES: "role",
    identify.ROLE_ASSIGNMENTS: "assignment",
    identify.ROLE_DEFINITIONS: "role",
    identify.REGISTRATION_DETAILS: "user",
}


def custom_checks(rules: Sequence[CustomRule]) -> dict[str, Check]:
    """The check of each rule of the configuration, by rule id."""
    return {custom.rule.id: CustomCheck(custom) for custom in rules}


@dataclass(frozen=True)
class CustomCheck:
    """A Check (a pure function of the context) for one rule of the configuration."""

    custom: CustomRule

    def __call__(self, context: CheckContext) -> list[Finding]:
        custom = self.custom
        collection_subject = Subject("collection", custom.collection, custom.collection)
        missing = [item for item in context.tenant.incomplete if item.collection == custom.collection]
        if missing:
            return [Finding(Verdict.NOT_ASSESSED, f"Not assessed: {missing[0].message}.", collection_subject,
                            (Evidence(missing[0].origin),))]
        collection = context.raw.get(custom.collection)
        if collection is None:
            return [Finding(Verdict.NOT_ASSESSED, f"Not assessed: the export holds no {custom.collection}, which "
                            "this rule reads.", collection_subject)]
        selected = _selected(custom, collection)
        findings = _about_selection(custom, collection, selected, collection_subject)
        per_object = [assertion for assertion in custom.assertions if assertion.path is not None]
        if per_object:
            findings += [_about_object(custom, per_object, item) for item in selected]
        if not findings:
            findings.append(Finding(Verdict.PASS, f"No object of {custom.collection} is selected by {custom.select}: "
                                    "nothing breaks the rule.", collection_subject,
                                    tuple(Evidence(Origin(file)) for file in collection.files[:1])))
        return findings


def _selected(custom: CustomRule, collection: RawCollection) -> list[tuple[Origin, Any]]:
    """What the rule's JSONPath selects, each with its Origin, as the export holds it."""
    if custom.select == EVERY_OBJECT:  # the default, and most rules: no need to walk the list through JSONPath
        return [(item.origin, item.value) for item in collection.objects]
    values = [_normalized(item.value) for item in collection.objects]
    chosen = []
    for match in custom.compiled_select.find(values):
        tokens = _tokens(match)
        if not tokens or not isinstance(tokens[0], int):
            raise ValueError(f"select {custom.select!r} must select objects of the collection, such as $[*] or "
                             "$[?(@.state == 'enabled')]")
        raw = collection.objects[tokens[0]]
        chosen.append(_locate(raw.origin, raw.value, tokens[1:]))
    return chosen


def _about_selection(custom: CustomRule, collection: RawCollection, selected: Sequence[tuple[Origin, Any]],
                     subject: Subject) -> list[Finding]:
    """One finding for the assertions on the selection as a whole (how many objects it holds)."""
    whole = [assertion for assertion in custom.assertions if assertion.path is None]
    if not whole:
        return []
    origins = [origin for origin, _ in selected] or [Origin(file) for file in collection.files[:1]]
    broken = [assertion for assertion in whole if not _holds(assertion, [value for _, value in selected])]
    if broken:
        detail = "; ".join(f"expected: {assertion.words}" for assertion in broken)
        return [Finding(Verdict.FAIL, f"{custom.message} Found: {_plural(len(selected))} selected; {detail}.", subject,
                        tuple(Evidence(origin, len(selected), _expected(broken[0])) for origin in origins))]
    words = "; ".join(assertion.words for assertion in whole)
    return [Finding(Verdict.PASS, f"{_plural(len(selected))} of {custom.collection} selected: {words}.", subject,
                    tuple(Evidence(origin) for origin in origins))]


def _about_object(custom: CustomRule, assertions: Sequence[Assertion], selected: tuple[Origin, Any]) -> Finding:
    origin, raw = selected
    normalized = None
    evidence: list[Evidence] = []
    broken: list[str] = []
    for assertion in assertions:
        if assertion.steps is not None:
            found = [(origin.child(*spelled) if spelled else origin, item) for spelled, item in _walk(raw, assertion.steps)]
        else:
            normalized = _normalized(raw) if normalized is None else normalized
            found = [(_locate(origin, raw, _tokens(match))[0], match.value)
                     for match in assertion.compiled_path.find(normalized)]
        if _holds(assertion, [item for _, item in found]):
            continue
        broken.append(f"{assertion.path} is {_shown([item for _, item in found])}; expected: "
                      f"{assertion.expectation}")
        for at, item in _offending(assertion, found) or [(origin, None)]:
            evidence.append(Evidence(at, item, _expected(assertion)))
    subject = _subject(custom.collection, raw, origin)
    if broken:
        return Finding(Verdict.FAIL, f"{custom.message} Found: {'; '.join(broken)}.", subject, tuple(evidence))
    return Finding(Verdict.PASS, _held(tuple(assertions)), subject, (Evidence(origin),))


@functools.lru_cache(maxsize=64)
def _held(assertions: tuple[Assertion, ...]) -> str:
    """The message of a pass: the same for every object, so made once."""
    return "; ".join(assertion.words for assertion in assertions) + "."


def _offending(assertion: Assertion, found: Sequence[tuple[Origin, Any]]) -> list[tuple[Origin, Any]]:
    """The values that break an assertion on their own (for equals, in, not_in, matches), to point at."""
    if assertion.operator in ("exists", "count"):
        return list(found[:1])
    return [(at, item) for at, item in found if not _holds(assertion, [item])]


def _walk(raw: Any, steps: Sequence[str]) -> list[tuple[tuple[str | int, ...], Any]]:
    """What a path of field names and wildcards finds in ``raw``, with each value's steps as the file
    spells them: what JSONPath finds on the normalized copy, without making the copy."""
    level: list[tuple[tuple[str | int, ...], Any]] = [((), raw)]
    for step in steps:
        following: list[tuple[tuple[str | int, ...], Any]] = []
        for spelled, value in level:
            if step == "*" and isinstance(value, list):
                following += [((*spelled, index), item) for index, item in enumerate(value)]
            elif step == "*" and isinstance(value, dict):
                following += [((*spelled, *inner), item) for inner, item in _members(value)]
            elif isinstance(value, dict) and step in value and step != _ADDITIONAL:
                following.append(((*spelled, step), value[step]))  # spelled as asked: the usual case, found at once
            elif isinstance(value, dict):
                following += [((*spelled, *inner), item) for inner, item in _members(value) if _camel(inner[-1]) == step]
        level = following
    return level


def _members(mapping: Mapping[Any, Any]) -> list[tuple[tuple[Any, ...], Any]]:
    """The fields of an object as the normalized copy holds them: ``AdditionalProperties`` opened, own
    fields first and winning."""
    own = [((key,), item) for key, item in mapping.items() if _camel(key) != _ADDITIONAL]
    extra_key = _key_in(mapping, _ADDITIONAL)
    extra = mapping[extra_key] if extra_key is not None else None
    if not isinstance(extra, dict):
        return own
    names = {_camel(key) for (key,), _ in own}
    return own + [((extra_key, key), item) for key, item in extra.items() if _camel(key) not in names]


def _holds(assertion: Assertion, found: Sequence[Any]) -> bool:
    present = [item for item in found if item is not None]
    operator, expected = assertion.operator, assertion.expected
    if operator == "exists":
        return bool(present) is expected
    if operator == "count":
        low, high = expected
        number = len(present)
        return (low is None or number >= low) and (high is None or number <= high)
    if operator == "not_in":
        return not any(_equal(item, option) for item in found for option in expected)
    if not found:
        return False
    if operator == "equals":
        return all(_equal(item, expected) for item in found)
    if operator == "in":
        return all(any(_equal(item, option) for option in expected) for item in found)
    if operator == "matches":
        return all(isinstance(item, str) and re.fullmatch(expected, item) is not None for item in found)
    raise ValueError(f"unknown operator {operator!r}")


def _equal(found: Any, expected: Any) -> bool:
    """Strings compare ignoring case (Graph's enumerations and ids are not case-sensitive)."""
    if isinstance(found, str) and isinstance(expected, str):
        return found.casefold() == expected.casefold()
    return bool(type(found) is type(expected) and found == expected)


def _normalized(value: Any) -> Any:
    """A copy with camelCase keys, ``AdditionalProperties`` merged into its object (own keys win)."""
    if isinstance(value, list):
        return [_normalized(item) if isinstance(item, (dict, list)) else item for item in value]
    if not isinstance(value, dict):
        return value
    normal: dict[Any, Any] = {}
    extra = None
    for key, item in value.items():
        key = _camel(key)
        if key == _ADDITIONAL:
            extra = item
            continue
        normal[key] = _normalized(item) if isinstance(item, (dict, list)) else item
    if isinstance(extra, dict):
        for key, item in extra.items():
            normal.setdefault(_camel(key), _normalized(item) if isinstance(item, (dict, list)) else item)
    return normal


def _camel(key: Any) -> Any:
    return key[0].lower() + key[1:] if isinstance(key, str) and key[:1].isupper() else key


def _tokens(match: Any) -> list[str | int]:
    """The steps from the searched value to ``match`` (jsonpath-ng keeps them as a chain of contexts)."""
    from jsonpath_ng.jsonpath import Fields, Index

    steps: list[str | int] = []
    datum = match
    while datum is not None and datum.context is not None:
        path = datum.path
        # recent jsonpath-ng keeps ``indices``, older releases one ``index``
        indices = getattr(path, "indices", None) or (getattr(path, "index", None),)
        if isinstance(path, Index) and len(indices) == 1 and isinstance(indices[0], int):
            steps.append(indices[0])
        elif isinstance(path, Fields) and len(path.fields) == 1:
            steps.append(path.fields[0])
        datum = datum.context
    return steps[::-1]


def _locate(origin: Origin, raw: Any, tokens: Sequence[str | int]) -> tuple[Origin, Any]:
    """The Origin and raw value at ``tokens`` (camelCase steps) in ``raw``, found at ``origin``, with the
    pointer spelled as the file spells it (PascalCase keys, ``AdditionalProperties``)."""
    value = raw
    steps: list[str | int] = []
    for token in tokens:
        if isinstance(value, list) and isinstance(token, int) and 0 <= token < len(value):
            steps.append(token)
            value = value[token]
            continue
        if not isinstance(value, dict):
            break
        key = _key_in(value, token)
        if key is not None:
            steps.append(key)
            value = value[key]
            continue
        extra_key = _key_in(value, _ADDITIONAL)
        extra = value[extra_key] if extra_key is not None else None
        inner = _key_in(extra, token) if isinstance(extra, dict) else None
        if not isinstance(extra, dict) or inner is None:
            break
        steps += [extra_key, inner]
        value = extra[inner]
    return (origin.child(*steps) if steps else origin), value


def _key_in(mapping: Mapping[Any, Any], token: str | int) -> Any:
    return next((key for key in mapping if _camel(key) == token), None)


def _subject(collection: str, value: Any, origin: Origin) -> Subject:
    kind = _SUBJECT_KINDS.get(collection, "object")
    if not isinstance(value, dict):
        return Subject(kind, origin.pointer or origin.file, f"{origin.file}#{origin.pointer}")
    name = fields.get(value, "displayName") or fields.get(value, "userPrincipalName") or \
        fields.get(value, "skuPartNumber") or ""
    identifier = fields.get(value, "id") or name or f"{origin.file}#{origin.pointer}"
    return Subject(kind, str(identifier), str(name))


def _expected(assertion: Assertion) -> Any:
    if assertion.operator == "count":
        return {"min": assertion.expected[0], "max": assertion.expected[1]}
    if isinstance(assertion.expected, tuple):
        return list(assertion.expected)
    return assertion.expected


def _one(found: Sequence[Any]) -> Any:
    if not found:
        return None
    return found[0] if len(found) == 1 else list(found)


def _shown(found: Sequence[Any]) -> str:
    present = [item for item in found if item is not None]
    if not present:
        return "absent" if not found else "null"
    if len(present) == 1:
        return repr(present[0])
    return "[" + ", ".join(repr(item) for item in present[:5]) + (", ..." if len(present) > 5 else "") + "]"


def _plural(number: int) -> str:
    return f"{number} object" + ("" if number == 1 else "s")
