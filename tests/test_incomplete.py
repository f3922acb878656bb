"""Half a collection is not a whole: rules that need a collection some of whose objects were
lost are not_assessed, naming how many and why (DESIGN section 2, "Exports that went wrong")."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.catalogue import find_rule, load_catalogue
from checker.checks.base import CheckContext
from checker.engine import run_rule
from checker.inputs.load import load
from checker.report import RuleOutcome
from checker.verdicts import Verdict

V1 = "https://graph.microsoft.com/v1.0/$metadata#"
CA = "identity/conditionalAccess/policies"


def _policy(policy_id: str, **users: Any) -> dict[str, Any]:
    return {"id": policy_id, "displayName": policy_id, "state": "enabled",
            "conditions": {"users": {"includeUsers": ["All"], **users}, "applications": {"includeApplications": ["All"]},
                           "clientAppTypes": ["all"]},
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}


def _write(folder: Path, name: str, document: Any) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(document), encoding="utf-8")


def _with_defaults_off(folder: Path) -> Path:
    _write(folder, "defaults.json", {"@odata.context": V1 + "policies/identitySecurityDefaultsEnforcementPolicy/$entity",
                                     "id": "00000000-0000-0000-0000-000000000005", "isEnabled": False})
    return folder


def _outcome(folder: Path, rule_id: str) -> RuleOutcome:
    loaded = load([str(folder)])
    rule = find_rule(load_catalogue(), rule_id)
    assert rule is not None
    return run_rule(rule, CheckContext(loaded.tenant, inputs=loaded.inputs))


def test_one_unreadable_policy_makes_the_collection_incomplete(tmp_path: Path) -> None:
    folder = _with_defaults_off(tmp_path / "export")
    _write(folder, "ca.json", {"@odata.context": V1 + CA,
                               "value": [_policy("good"), _policy("bad", excludeUsers={"id": "x"})]})
    (entry,) = load([str(folder)]).tenant.incomplete
    assert (entry.collection, entry.lost, entry.read) == (CA, 1, 1)
    assert entry.message.startswith("1 of 2 policies could not be read")
    outcome = _outcome(folder, "MFA011")
    assert outcome.verdict is Verdict.NOT_ASSESSED  # the good policy alone would pass
    assert "1 of 2 policies could not be read" in outcome.results[0].message


@pytest.mark.parametrize(("value", "words"), [({}, "an object"), (None, "null"), (3, "a number"), ("x", "a string")])
def test_a_value_that_is_not_an_array_is_no_collection(tmp_path: Path, value: Any, words: str) -> None:
    folder = _with_defaults_off(tmp_path / "export")
    _write(folder, "ca.json", {"@odata.context": V1 + CA, "value": value})
    loaded = load([str(folder)])
    assert loaded.tenant.conditional_access_policies is None  # never "none exist"
    (entry,) = loaded.tenant.incomplete
    assert entry.lost is None and words in entry.why
    (ca_file,) = [item for item in loaded.inputs if item.path == "ca.json"]
    assert [d.code for d in ca_file.diagnostics] == ["INPUT001"]
    for rule_id in ("MFA001", "MFA011", "MFA022", "MFA050"):
        outcome = _outcome(folder, rule_id)
        assert outcome.verdict is Verdict.NOT_ASSESSED, rule_id
        assert f"its value is {words}" in outcome.results[0].message
    incomplete = _outcome(folder, "INPUT002")
    assert incomplete.verdict is Verdict.FAIL and "is incomplete" in incomplete.results[0].message


def test_paging_cut_short_is_one_input002_and_gates_the_rules(tmp_path: Path) -> None:
    folder = _with_defaults_off(tmp_path / "export")
    _write(folder, "ca.json", {"@odata.context": V1 + CA, "value": [_policy("p1")],
                               "@odata.nextLink": "https://graph.microsoft.com/v1.0/identity/conditionalAccess/"
                                                  "policies?$skiptoken=x"})
    outcome = _outcome(folder, "MFA011")
    assert outcome.verdict is Verdict.NOT_ASSESSED
    assert "1 policies read, more could not be" in outcome.results[0].message
    assert "last page is missing" in outcome.results[0].message
    (finding,) = _outcome(folder, "INPUT002").results
    assert "the collection is incomplete" in finding.message


def test_registration_details_cut_short_gate_mfa030(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    _write(folder, "registration.json", {
        "@odata.context": V1 + "reports/authenticationMethods/userRegistrationDetails",
        "value": [{"id": "u1", "userPrincipalName": "u1@contoso.example", "isMfaRegistered": "maybe"},
                  {"id": "u2", "userPrincipalName": "u2@contoso.example", "isMfaRegistered": True}]})
    for rule_id in ("MFA030", "MFA040", "MFA041"):
        outcome = _outcome(folder, rule_id)
        assert outcome.verdict is Verdict.NOT_ASSESSED
        assert "1 of 2 registration details could not be read" in outcome.results[0].message


def test_a_csv_row_that_cannot_be_read_makes_its_collection_incomplete(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "registration.csv").write_text(
        '#TYPE X\n"Id","UserPrincipalName","IsMfaRegistered"\n"u1","a@x","True"\n"u2","b@x","Maybe"\n',
        encoding="utf-8")
    outcome = _outcome(folder, "MFA030")
    assert outcome.verdict is Verdict.NOT_ASSESSED
    assert "1 of 2 registration details could not be read" in outcome.results[0].message


def test_the_coverage_summary_is_not_assessed_on_an_incomplete_collection(tmp_path: Path) -> None:
    from checker.coverage_summary import summarise_coverage

    folder = _with_defaults_off(tmp_path / "export")
    _write(folder, "ca.json", {"@odata.context": V1 + CA, "value": [_policy("good"), _policy("bad", excludeUsers=3)]})
    _write(folder, "users.json", {"@odata.context": V1 + "users", "value": [
        {"id": "u1", "userPrincipalName": "u1@contoso.example", "accountEnabled": True, "userType": "Member"}]})
    loaded = load([str(folder)])
    summary = summarise_coverage(CheckContext(loaded.tenant, inputs=loaded.inputs))
    assert summary.state == "not assessed" and "1 of 2 policies could not be read" in summary.note
