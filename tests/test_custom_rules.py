"""Rules of the configuration (``rules:`` in .tenant-checker.yaml): parsing, verdicts, evidence, bad input."""
from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main

ROOT = Path(__file__).resolve().parents[1]
CA = "identity/conditionalAccess/policies"
CONTRACTORS = "6a1f0c9e-2d4b-4f5e-8a7c-3b9d1e2f4a60"


def policy(name: str, state: str = "enabled", exclude_groups: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"id": f"id-{name.lower().replace(' ', '-')}", "displayName": name, "state": state,
            "conditions": {"users": {"includeUsers": ["All"], "excludeGroups": list(exclude_groups)}},
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}


def export(folder: Path, policies: list[dict[str, Any]], rules: str) -> Path:
    """An export of ``policies`` (one Graph response) with a configuration holding ``rules``."""
    folder.mkdir(parents=True, exist_ok=True)
    document = {"@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#{CA}", "value": policies}
    (folder / "policies.json").write_text(json.dumps(document, indent=2), "utf-8")
    (folder / ".tenant-checker.yaml").write_text(textwrap.dedent(rules), "utf-8")
    return folder


def scan_json(folder: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    out = folder.parent / f"{folder.name}.json"
    code = main(["scan", str(folder), "--format", f"json:{out}", "--select", "ORG", *extra])
    return code, {rule["id"]: rule for rule in json.loads(out.read_text("utf-8"))["rules"]}


ENABLED_RULE = """\
rules:
  - id: ORG001
    title: "The policy 'CA000 Require MFA for all users' exists and is enabled"
    severity: high
    collection: identity/conditionalAccess/policies
    select: "$[?(@.displayName == 'CA000 Require MFA for all users')]"
    assert:
      - count: {min: 1}
      - path: state
        equals: enabled
    message: "The baseline MFA policy must exist and be enforced."
"""


def test_exists_and_enabled_passes_when_it_is(tmp_path: Path) -> None:
    folder = export(tmp_path / "t", [policy("CA000 Require MFA for all users"), policy("Other", "disabled")],
                    ENABLED_RULE)
    code, rules = scan_json(folder)
    assert code == 0
    assert rules["ORG001"]["verdict"] == "pass"
    assert rules["ORG001"]["pack"] == "custom"
    subjects = [result["subject"]["id"] for result in rules["ORG001"]["results"]]
    assert subjects == [CA, "id-ca000-require-mfa-for-all-users"]  # the other policy is not selected


def test_a_report_only_policy_fails_with_evidence_at_its_state(tmp_path: Path) -> None:
    folder = export(tmp_path / "t", [policy("Other"), policy("CA000 Require MFA for all users",
                                                             "enabledForReportingButNotEnforced")], ENABLED_RULE)
    code, rules = scan_json(folder)
    assert code == 1
    (failure,) = [r for r in rules["ORG001"]["results"] if r["verdict"] == "fail"]
    assert failure["message"] == ("The baseline MFA policy must exist and be enforced. Found: state is "
                                  "'enabledForReportingButNotEnforced'; expected: equals 'enabled'.")
    (evidence,) = failure["evidence"]
    assert (evidence["file"], evidence["pointer"], evidence["actual"], evidence["expected"]) == (
        "policies.json", "/value/1/state", "enabledForReportingButNotEnforced", "enabled")
    lines = (folder / "policies.json").read_text("utf-8").splitlines()
    assert '"state": "enabledForReportingButNotEnforced"' in lines[evidence["line"] - 1]


def test_a_missing_policy_fails_on_the_count(tmp_path: Path) -> None:
    folder = export(tmp_path / "t", [policy("Other")], ENABLED_RULE)
    _, rules = scan_json(folder)
    (result,) = rules["ORG001"]["results"]
    assert result["verdict"] == "fail"
    assert result["message"] == ("The baseline MFA policy must exist and be enforced. Found: 0 objects selected; "
                                 "expected: the selection counts at least 1.")
    assert [e["file"] for e in result["evidence"]] == ["policies.json"]


def test_an_absent_collection_is_not_assessed(tmp_path: Path) -> None:
    folder = export(tmp_path / "t", [policy("Other")], ENABLED_RULE.replace(CA, "users"))
    _, rules = scan_json(folder)
    (result,) = rules["ORG001"]["results"]
    assert result["verdict"] == "not_assessed"
    assert result["message"] == "Not assessed: the export holds no users, which this rule reads."


def test_an_incomplete_collection_is_not_assessed(tmp_path: Path) -> None:
    folder = export(tmp_path / "t", [policy("CA000 Require MFA for all users")], ENABLED_RULE)
    document = json.loads((folder / "policies.json").read_text("utf-8"))
    document["@odata.nextLink"] = "https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies?$skiptoken=x"
    (folder / "policies.json").write_text(json.dumps(document), "utf-8")
    _, rules = scan_json(folder)
    (result,) = rules["ORG001"]["results"]
    assert result["verdict"] == "not_assessed"
    assert "incomplete" in result["message"]


NOT_EXCLUDED_RULE = f"""\
rules:
  - id: ORG002
    title: "No policy excludes the group 'Contractors'"
    severity: medium
    collection: identity/conditionalAccess/policies
    assert:
      - path: conditions.users.excludeGroups[*]
        not_in: [{CONTRACTORS}]
    message: "Contractors must never be excluded."
"""


def test_not_in_points_at_the_excluded_group(tmp_path: Path) -> None:
    folder = export(tmp_path / "t", [policy("A", exclude_groups=("g1",)),
                                     policy("B", exclude_groups=("g1", CONTRACTORS.upper()))], NOT_EXCLUDED_RULE)
    _, rules = scan_json(folder)
    verdicts = {r["subject"]["name"]: r["verdict"] for r in rules["ORG002"]["results"]}
    assert verdicts == {"A": "pass", "B": "fail"}
    (failure,) = [r for r in rules["ORG002"]["results"] if r["verdict"] == "fail"]
    (evidence,) = failure["evidence"]
    assert evidence["pointer"] == "/value/1/conditions/users/excludeGroups/1"
    assert evidence["actual"] == CONTRACTORS.upper()  # ids compare ignoring case


def test_pascal_case_keys_and_additional_properties_are_read(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    pascal = [{"Id": "p1", "DisplayName": "A", "State": "enabled",
               "Conditions": {"Users": {"IncludeUsers": ["All"], "ExcludeGroups": [CONTRACTORS]}},
               "GrantControls": {"Operator": "OR", "BuiltInControls": ["mfa"]}}]
    (folder / "policies.json").write_text(json.dumps(pascal, indent=2), "utf-8")
    (folder / ".tenant-checker.yaml").write_text(NOT_EXCLUDED_RULE, "utf-8")
    _, rules = scan_json(folder)
    (result,) = rules["ORG002"]["results"]
    assert result["verdict"] == "fail"
    assert result["evidence"][0]["pointer"] == "/0/Conditions/Users/ExcludeGroups/0"


def test_no_object_selected_and_nothing_about_the_selection_passes(tmp_path: Path) -> None:
    folder = export(tmp_path / "t", [], NOT_EXCLUDED_RULE)
    _, rules = scan_json(folder)
    (result,) = rules["ORG002"]["results"]
    assert result["verdict"] == "pass"
    assert result["message"].startswith("No object of identity/conditionalAccess/policies is selected")


@pytest.mark.parametrize(("assertion", "verdicts"), [
    pytest.param("{path: state, in: [enabled, enabledForReportingButNotEnforced]}", ["pass", "fail"], id="in"),
    pytest.param("{path: displayName, matches: 'CA[0-9]{3} .+'}", ["pass", "fail"], id="matches-whole-value"),
    pytest.param("{path: sessionControls, exists: true}", ["fail", "fail"], id="exists"),
    pytest.param("{path: sessionControls, exists: false}", ["pass", "pass"], id="exists-false"),
    pytest.param("{path: 'conditions.users.excludeGroups[*]', count: {max: 0}}", ["pass", "fail"], id="count"),
])
def test_operators(tmp_path: Path, assertion: str, verdicts: list[str]) -> None:
    rule = f"""\
        rules:
          - id: ORG009
            title: "An operator"
            severity: low
            collection: identity/conditionalAccess/policies
            assert: [{assertion}]
            message: "Broken."
        """
    folder = export(tmp_path / "t", [policy("CA001 Require MFA"), policy("Old CA001 Require MFA x", "disabled",
                                                                         ("g1",))], rule)
    _, rules = scan_json(folder)
    assert [r["verdict"] for r in rules["ORG009"]["results"]] == verdicts


def test_rules_may_live_in_files_the_configuration_lists(tmp_path: Path) -> None:
    folder = export(tmp_path / "t", [policy("A", exclude_groups=(CONTRACTORS,))], "rules: [org-rules.yaml]\n")
    (folder / "org-rules.yaml").write_text(NOT_EXCLUDED_RULE, "utf-8")
    _, rules = scan_json(folder)
    assert rules["ORG002"]["verdict"] == "fail"


def test_the_sample_rules_in_every_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the clean sample passes its own rules; one policy renamed against its naming rule fails ORG003
    shutil.copytree(ROOT / "samples/e3-done-right", tmp_path / "tenant")
    policies_file = tmp_path / "tenant/conditional-access-policies.json"
    policies_file.write_text(policies_file.read_text("utf-8").replace(
        '"displayName": "Block legacy authentication"', '"displayName": "CA003 legacy authentication"'), "utf-8")
    monkeypatch.chdir(tmp_path)
    outputs = {name: tmp_path / f"out.{name}" for name in ("json", "sarif", "markdown", "table")}
    argv = ["scan", "tenant", "--sarif-every-verdict", "--verbose"]
    for name, path in outputs.items():
        argv += ["--format", f"{name}:{path}"]
    assert main(argv) == 0  # ORG003 fails, but it is info, below the default --fail-on low
    report = {rule["id"]: rule for rule in json.loads(outputs["json"].read_text("utf-8"))["rules"]}
    assert {key: report[key]["verdict"] for key in ("ORG001", "ORG002", "ORG003")} == {
        "ORG001": "pass", "ORG002": "pass", "ORG003": "fail"}
    (failure,) = [r for r in report["ORG003"]["results"] if r["verdict"] == "fail"]
    assert failure["evidence"][0]["pointer"] == "/value/2/displayName"
    sarif = json.loads(outputs["sarif"].read_text("utf-8"))["runs"][0]
    custom = [entry for entry in sarif["tool"]["driver"]["rules"] if entry["id"].startswith("ORG")]
    assert [(entry["id"], entry["properties"]["pack"]) for entry in custom] == [
        ("ORG001", "custom"), ("ORG002", "custom"), ("ORG003", "custom")]
    (region,) = [result["locations"][0]["physicalLocation"]["region"]["startLine"]
                 for result in sarif["results"] if result["ruleId"] == "ORG003" and result["kind"] == "fail"]
    assert '"CA003 legacy authentication"' in policies_file.read_text("utf-8").splitlines()[region - 1]
    markdown = outputs["markdown"].read_text("utf-8")
    assert "### ORG003 policy-naming: Conditional Access policy names start with what they do: Require or Block" \
        in markdown
    assert "rule pack custom" in markdown
    assert "ORG003" in outputs["table"].read_text("utf-8")


def test_rules_and_explain_show_the_configurations_rules(capsys: pytest.CaptureFixture[str]) -> None:
    config = str(ROOT / "samples/e3-done-right/.tenant-checker.yaml")
    assert main(["rules", "--format", "json", "--config", config]) == 0
    listed = {rule["id"]: rule for rule in json.loads(capsys.readouterr().out)["rules"]}
    assert (listed["ORG002"]["pack"], listed["ORG002"]["name"]) == ("custom", "it-operations-never-excluded")
    assert listed["MFA001"]["pack"] == "builtin"
    assert main(["explain", "ORG003", "--config", config]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ORG003 policy-naming (info, rule pack custom)\n"
                          "Conditional Access policy names start with what they do: Require or Block\n")
    assert "A failure says: Name the policy after its control ('Require MFA for ...', 'Block ...')" in out
    assert "How to fix\nRename the policy in the Entra admin center" in out  # its own fix, not the message


BAD = {
    "invalid-jsonpath": ("    select: \"$[?(@.state ==]\"\n", 7,
                         "rules: ORG005: select: invalid JSONPath"),
    "unknown-collection": ("    collection: conditionalAccess\n", 6,
                           "rules: ORG005: unknown collection 'conditionalAccess' (known: identity/conditionalAccess/"),
    "unknown-operator": ("    assert: [{path: state, contains: enabled}]\n", 7,
                         "rules: ORG005: assert: unknown operator 'contains' (known: exists, equals, in, not_in, "
                         "count, matches)"),
    "missing-message": ("    message:\n", 3, "rules: ORG005: missing 'message'"),
    "id-without-prefix": ("  - id: MFA005\n", 3, "rules: MFA005: id 'MFA005' must be ORG and three digits"),
    "name-of-a-builtin-rule": ("    name: mfa-enforced\n", 3,
                               "rules: ORG005: name 'mfa-enforced' is the name of rule MFA001 of rule pack 'builtin'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_rules_exit_2_naming_file_line_and_problem(case: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    replacement, line, problem = BAD[case]
    lines = ["# the organisation's rules", "rules:", "  - id: ORG005", "    title: A rule",
             "    severity: low", f"    collection: {CA}", "    assert: [{path: state, equals: enabled}]",
             "    message: Broken."]
    key = replacement.split(":")[0].strip()
    if key == "name":
        lines.insert(3, replacement.rstrip("\n"))
    elif key == "select":
        lines.insert(6, replacement.rstrip("\n"))
    elif key == "message":
        lines = lines[:-1]
    else:
        lines = [replacement.rstrip("\n") if line_text.strip(" -").startswith(key.strip(" -") + ":") else line_text
                 for line_text in lines]
    folder = export(tmp_path / "t", [policy("A")], "\n".join(lines) + "\n")
    config = folder / ".tenant-checker.yaml"
    assert main(["scan", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"{config}, line {line}: {problem}" in err, err


def test_two_rules_of_one_id_name_both_places(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = ENABLED_RULE + textwrap.indent(ENABLED_RULE.split("\n", 1)[1], "")
    folder = export(tmp_path / "t", [policy("A")], rules)
    config = folder / ".tenant-checker.yaml"
    assert main(["scan", str(folder)]) == 2
    assert f"{config}, line 12: rules: ORG001 is defined twice (first at {config}, line 2)" in capsys.readouterr().err


@pytest.mark.parametrize("path", ["conditions.users.excludeGroups[*]", "conditions.*.excludeGroups[*]",
                                  "conditions.users.includeUsers[*]", "state", "conditions.users.nothing"])
def test_simple_paths_find_what_jsonpath_finds(path: str) -> None:
    from checker.checks.base import CheckContext
    from checker.custom_checks import CustomCheck
    from checker.custom_rules import parse_custom_rules
    from checker.inputs.raw_objects import RawCollection, RawObject
    from checker.model import Tenant
    from checker.origin import Origin

    objects = [policy("A", exclude_groups=("g1", CONTRACTORS)),
               {"Id": "p2", "DisplayName": "B", "State": "enabled",
                "Conditions": {"Users": {"AdditionalProperties": {"excludeGroups": [CONTRACTORS]}}}},
               {"id": "p3", "displayName": "C", "state": "disabled",
                "AdditionalProperties": {"conditions": {"users": {"includeUsers": ["All"]}}}}]
    raw = RawCollection(tuple(RawObject(Origin("p.json", f"/value/{i}"), o) for i, o in enumerate(objects)), ("p.json",))
    context = CheckContext(Tenant(), raw={CA: raw})
    found = []
    for written in (path, f"$.{path}"):  # "$." takes the path through jsonpath-ng
        (custom,) = parse_custom_rules([{"id": "ORG001", "title": "t", "severity": "low", "collection": CA,
                                         "assert": [{"path": written, "not_in": [CONTRACTORS, "All", "disabled"]}],
                                         "message": "m"}], "x.yaml")
        assert (custom.assertions[0].steps is None) is written.startswith("$.")
        found.append([(f.verdict, f.subject, f.evidence, f.message.replace(written, "PATH"))
                      for f in CustomCheck(custom)(context)])
    assert found[0] == found[1]


def test_a_rule_that_cannot_be_evaluated_is_not_assessed_and_the_scan_goes_on(tmp_path: Path) -> None:
    rule = """\
        rules:
          - id: ORG007
            title: "Selects the list itself"
            severity: low
            collection: identity/conditionalAccess/policies
            select: "$"
            assert: [{count: 1}]
            message: "Broken."
        """
    folder = export(tmp_path / "t", [policy("A")], rule)
    code, rules = scan_json(folder, "--select", "MFA003")
    (result,) = rules["ORG007"]["results"]
    assert result["verdict"] == "not_assessed"
    assert result["message"].startswith("Not assessed: the check stopped on an unexpected error (ValueError: select "
                                        "'$' must select objects of the collection")
    assert rules["MFA003"]["results"]
