"""Every rule against its hand-written tenant fragments in tests/cases/<RULE>/<case>/.

Each case folder holds Graph response files and an ``expected.yaml`` (DESIGN sections 3-5):

    description: the situation and why this verdict
    verdict: fail                     # the rule's overall verdict
    results:                          # optional: exact multiset of (verdict, subject id)
      - {verdict: fail, subject: 62e90394-69f5-4237-9190-012177145e10}
    ordered: true                     # optional: results must also come in this order
    message_contains: ["report-only"] # optional: each must appear in some result message
    config:                           # optional: .tenant-checker.yaml settings
      break_glass: [bg1@contoso.example]
    other_rules: {MFA001: pass}       # optional: verdicts of other rules on the same folder
    xfail: "why the code departs from DESIGN"   # optional: a known bug, strictly expected to fail

``expected.yaml`` is not JSON, so loading the folder ignores it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.catalogue import find_rule, load_catalogue
from checker.checks.base import CheckContext
from checker.config import config_from_mapping
from checker.engine import run_rule
from checker.inputs.load import LoadResult, load
from checker.report import RuleOutcome
from checker.scan import settings_from
from checker.verdicts import Verdict

CASES = Path(__file__).parent / "cases"
EXPECTED_FILE = "expected.yaml"
KEYS = {"description", "verdict", "results", "ordered", "message_contains", "config", "other_rules", "xfail"}
VERDICTS = {verdict.value for verdict in Verdict}
DECIDING = {"pass", "fail", "review"}
UNDECIDED = {"not_assessed", "not_applicable"}
# Rules whose evidence this version cannot read: they only ever say not_assessed.
NOT_YET_ASSESSED: set[str] = set()


@dataclass(frozen=True)
class Case:
    rule_id: str
    name: str
    folder: Path
    expected: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.rule_id}/{self.name}"


def case_folders() -> list[Path]:
    return sorted(folder for rule in CASES.iterdir() if rule.is_dir()
                  for folder in rule.iterdir() if folder.is_dir())


def read_case(folder: Path) -> Case:
    with open(folder / EXPECTED_FILE, encoding="utf-8") as handle:
        expected = yaml.safe_load(handle)
    return Case(folder.parent.name, folder.name, folder, expected)


def all_cases() -> list[Case]:
    return [read_case(folder) for folder in case_folders()]


def params() -> list[Any]:
    return [
        pytest.param(case, id=case.id,
                     marks=[pytest.mark.xfail(reason=case.expected["xfail"], strict=True)]
                     if case.expected.get("xfail") else [])
        for case in all_cases()
    ]


def run_case_rule(loaded: LoadResult, case: Case, rule_id: str) -> RuleOutcome:
    rule = find_rule(load_catalogue(), rule_id)
    assert rule is not None, f"{case.id}: no rule {rule_id} in the catalogue"
    config = config_from_mapping(case.expected.get("config") or {}, str(case.folder / EXPECTED_FILE))
    return run_rule(rule, CheckContext(loaded.tenant, settings_from(config), loaded.inputs))


def describe(outcome: RuleOutcome) -> str:
    return "\n".join(f"  {r.verdict.value} {r.subject.id}: {r.message}" for r in outcome.results)


@pytest.mark.parametrize("case", params())
def test_rule_case(case: Case) -> None:
    loaded = load([str(case.folder)])
    if case.rule_id != "INPUT001":
        unreadable = [(item.path, d.message) for item in loaded.inputs for d in item.diagnostics
                      if d.code == "INPUT001"]
        assert unreadable == [], f"{case.id}: a fragment could not be read"
    outcome = run_case_rule(loaded, case, case.rule_id)
    expected = case.expected
    shown = describe(outcome)

    assert outcome.verdict.value == expected["verdict"], shown
    if "results" in expected:
        wanted = [(item["verdict"], str(item["subject"])) for item in expected["results"]]
        actual = [(r.verdict.value, r.subject.id) for r in outcome.results]
        if expected.get("ordered"):
            assert actual == wanted, shown
        else:
            assert Counter(actual) == Counter(wanted), shown
    for text in expected.get("message_contains") or ():
        assert any(text in r.message for r in outcome.results), f"{text!r} in no message:\n{shown}"
    for other_id, verdict in (expected.get("other_rules") or {}).items():
        other = run_case_rule(loaded, case, other_id)
        assert other.verdict.value == verdict, f"{other_id}:\n{describe(other)}"


def test_every_case_is_well_formed() -> None:
    rule_ids = {rule.id for rule in load_catalogue()}
    problems = []
    for folder in case_folders():
        where = f"{folder.parent.name}/{folder.name}"
        if folder.parent.name not in rule_ids:
            problems.append(f"{where}: {folder.parent.name} is not a rule id of the catalogue")
        if not (folder / EXPECTED_FILE).is_file():
            problems.append(f"{where}: no {EXPECTED_FILE}")
            continue
        expected = read_case(folder).expected
        if not isinstance(expected, dict):
            problems.append(f"{where}: {EXPECTED_FILE} is not a mapping")
            continue
        unknown = set(expected) - KEYS
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        if not str(expected.get("description") or "").strip():
            problems.append(f"{where}: no description")
        verdicts = [expected.get("verdict")]
        verdicts += [item.get("verdict") for item in expected.get("results") or ()]
        verdicts += list((expected.get("other_rules") or {}).values())
        problems += [f"{where}: unknown verdict {v!r}" for v in verdicts if v not in VERDICTS]
        if set(expected.get("other_rules") or {}) - rule_ids:
            problems.append(f"{where}: other_rules names a rule that is not in the catalogue")
    assert problems == []


def test_every_rule_has_cases() -> None:
    """A rule without a deciding case and an undecided case fails the suite."""
    verdicts: dict[str, set[str]] = {}
    for case in all_cases():
        verdicts.setdefault(case.rule_id, set()).add(case.expected["verdict"])
    missing = []
    for rule in load_catalogue():
        found = verdicts.get(rule.id, set())
        if rule.id in NOT_YET_ASSESSED:
            if found != {"not_assessed"}:
                missing.append(f"{rule.id}: expected only not_assessed cases, found {sorted(found)}")
            continue
        if not found & DECIDING:
            missing.append(f"{rule.id}: no pass, fail or review case")
        if not found & UNDECIDED:
            missing.append(f"{rule.id}: no not_assessed or not_applicable case")
    assert missing == []
