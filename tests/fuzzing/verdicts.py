"""Every rule's verdict on a loaded export, the evaluation of a tenant already seen reused.

Most damaged files give a tenant some earlier example gave too (a file that cannot be read
leaves its collection out, whatever the damage was), and running the rules costs more than
loading the export. A check is a pure function of its context (the tenant, the settings, the
inputs list); the settings here are the defaults, and only the checks of INPUT001 and INPUT002
read the inputs list. So:
- the rules whose checks read the inputs list run on every export;
- every other rule's verdict is a function of the tenant alone, and is kept under the SHA-256
  of the tenant's repr. The repr of the model shows every field of every object, with its
  type (``True`` is not ``1``), so two tenants share a key only when they are the same
  (``tests/test_fuzz_readers.py`` checks that on every seed export).
When such a rule is run on a tenant not seen before, it gets an inputs list that records any
read; a rule that reads it anyway fails the example rather than being reused wrongly.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import cache
from typing import Any, cast

from checker.catalogue import load_catalogue, load_checks
from checker.checks import input_health
from checker.checks.base import CheckContext
from checker.engine import run_rule
from checker.inputs.load import LoadResult
from checker.model import Tenant
from checker.report import InputFile
from checker.rule import Rule
from checker.verdicts import Verdict

# A check that raised is reported with this message, and would hide a bug behind `not_assessed`.
CHECK_ERROR = "the check stopped on an unexpected error"
# Tenants kept at once; past it the oldest half is forgotten (a long run sees more than fit in memory).
KEPT = 20_000

_seen: dict[bytes, dict[str, Verdict]] = {}


def verdicts(loaded: LoadResult) -> dict[str, Verdict]:
    """Every rule's verdict, as a scan of ``loaded`` with the default configuration gives it."""
    reading_inputs, reading_tenant = _rules()
    context = CheckContext(loaded.tenant, inputs=loaded.inputs)
    found = {rule.id: _verdict(rule, context) for rule in reading_inputs}
    found.update(_tenant_verdicts(loaded.tenant, reading_tenant))
    return found


def tenant_key(tenant: Tenant) -> bytes:
    return hashlib.sha256(repr(tenant).encode("utf-8", "surrogatepass")).digest()


def _tenant_verdicts(tenant: Tenant, rules: tuple[Rule, ...]) -> dict[str, Verdict]:
    key = tenant_key(tenant)
    if key not in _seen:
        unread = InputsNotToBeRead()
        context = CheckContext(tenant, inputs=cast(tuple[InputFile, ...], unread))
        found = {rule.id: _verdict(rule, context) for rule in rules}
        assert not unread.read, "a check other than input_health's reads the inputs list: its verdict " \
                                "depends on more than the tenant"
        if len(_seen) >= KEPT:
            for old in list(_seen)[:KEPT // 2]:
                del _seen[old]
        _seen[key] = found
    return _seen[key]


def _verdict(rule: Rule, context: CheckContext) -> Verdict:
    outcome = run_rule(rule, context)
    crashed = [result.message for result in outcome.results if CHECK_ERROR in result.message]
    assert not crashed, (rule.id, crashed)
    return outcome.verdict


@cache
def _rules() -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    """(rules whose checks read the inputs list, every other rule)."""
    checks = load_checks()
    rules = load_catalogue()
    reads_inputs = {rule.id for rule in rules if checks[rule.id].__module__ == input_health.__name__}
    return (tuple(rule for rule in rules if rule.id in reads_inputs),
            tuple(rule for rule in rules if rule.id not in reads_inputs))


class InputsNotToBeRead:
    """An empty inputs list that notes any attempt to read it."""

    def __init__(self) -> None:
        self.read = False

    def __iter__(self) -> Iterator[InputFile]:
        self.read = True
        return iter(())

    def __len__(self) -> int:
        self.read = True
        return 0

    def __getitem__(self, index: Any) -> Any:
        self.read = True
        return ()[index]

    def __contains__(self, item: object) -> bool:
        self.read = True
        return False

    def __getattr__(self, name: str) -> Any:
        self.read = True
        return getattr((), name)
