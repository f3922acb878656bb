from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.catalogue import (
    CatalogueError,
    find_rule,
    load_catalogue,
    load_catalogue_from,
)
from checker.rule import Rule
from checker.verdicts import Severity

# DESIGN section 5: the public contract of rule ids, names and severities.
DESIGN_RULES = (
    ("MFA001", "mfa-enforced", "critical"),
    ("MFA002", "security-defaults-without-premium", "high"),
    ("MFA003", "premium-uses-conditional-access", "low"),
    ("MFA004", "defaults-and-ca-exclusive", "medium"),
    ("MFA010", "ca-mfa-admins", "critical"),
    ("MFA011", "ca-mfa-all-users", "high"),
    ("MFA012", "ca-block-legacy-auth", "high"),
    ("MFA020", "ca-signin-risk-mfa", "high"),
    ("MFA021", "ca-user-risk-password-change", "high"),
    ("MFA022", "licence-supports-policies", "medium"),
    ("MFA030", "mfa-registered", "high"),
    ("MFA031", "registration-campaign", "low"),
    ("MFA032", "authenticator-enabled", "medium"),
    ("MFA040", "sspr-enabled", "medium"),
    ("MFA041", "sspr-registered", "low"),
    ("MFA050", "ca-not-enforced", "low"),
    ("MFA051", "ca-exclusions", "info"),
    ("MFA052", "ca-exclusion-gaps", "medium"),
    ("MFA060", "ca-mfa-all-apps", "medium"),
    ("MFA061", "compliant-device", "info"),
    ("MFA070", "user-mfa-coverage", "high"),
    ("MFA071", "per-user-mfa-disabled", "low"),
    ("INPUT001", "input-unreadable", "high"),
    ("INPUT002", "input-incomplete", "medium"),
)

GUIDANCE_HEADINGS = (
    "Security defaults",
    "Conditional Access policies",
    "Azure AD Identity Protection support",
    "Using these methods together",
    "Let your users reset their own passwords",
    "Sign in to SaaS apps with Azure AD",
    "Results of Step 1",
    "Plan table",
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
GUIDANCE = SHARED / "guidance" / "remote-workers-mfa-step1.md"
RULES_DIR = Path(__file__).resolve().parents[1] / "checker" / "rules"
COPY_RUN = 8

RULES = load_catalogue()


def rule_ids(rules: tuple[Rule, ...]) -> list[str]:
    return [rule.id for rule in rules]


def test_catalogue_holds_exactly_the_design_rules() -> None:
    actual = [(rule.id, rule.name, rule.severity.value) for rule in RULES]
    assert actual == sorted(DESIGN_RULES)


def test_catalogue_is_sorted_by_id_and_cached() -> None:
    assert rule_ids(RULES) == sorted(rule_ids(RULES))
    assert load_catalogue() is RULES


@pytest.mark.parametrize("rule", RULES, ids=rule_ids(RULES))
def test_rule_documents_every_section(rule: Rule) -> None:
    for key in ("title", "section", "what", "why", "fix", "evidence"):
        assert getattr(rule, key).strip(), f"{rule.id}: {key} is empty"
    assert "\n" not in rule.title


@pytest.mark.parametrize("rule", RULES, ids=rule_ids(RULES))
def test_fix_names_portal_path_and_graph_setting(rule: Rule) -> None:
    assert "admin center" in rule.fix or "portal" in rule.fix.lower()
    graph_call = re.search(r"(^|\s)(/\w|PATCH |POST |GET )", rule.fix)
    assert "Graph" in rule.fix or graph_call is not None


@pytest.mark.parametrize(
    "rule", [rule for rule in RULES if rule.id.startswith("MFA")], ids=lambda rule: rule.id
)
def test_mfa_rule_cites_a_guidance_heading(rule: Rule) -> None:
    cited = [heading for heading in GUIDANCE_HEADINGS if heading in rule.section]
    assert cited, f"{rule.id}: section {rule.section!r} names no guidance heading"


def test_input_rules_cite_the_input_contract() -> None:
    sections = {rule.id: rule.section for rule in RULES if rule.id.startswith("INPUT")}
    assert sections == {
        "INPUT001": "Input contract (tool)",
        "INPUT002": "Input contract (tool)",
    }


def test_rules_cite_the_section_of_their_file() -> None:
    for path in sorted(RULES_DIR.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in document["rules"]:
            assert document["section"] in entry["section"], f"{path.name}: {entry['id']}"


def test_references_are_sorted_by_framework() -> None:
    mfa010 = find_rule(RULES, "MFA010")
    assert mfa010 is not None
    assert mfa010.references == (
        ("cis", ("CIS Microsoft 365 Foundations v5.0.0 5.2.2.1",)),
        ("nist", ("IA-2(1)",)),
        ("scuba", ("MS.AAD.3.6v1",)),
    )


def test_reference_mappings() -> None:
    actual = {rule.id: dict(rule.references) for rule in RULES if rule.references}
    cis = "CIS Microsoft 365 Foundations v5.0.0 "
    assert actual == {
        "MFA001": {
            "cis": (cis + "5.2.2.2",),
            "nist": ("IA-2(1)", "IA-2(2)"),
            "scuba": ("MS.AAD.3.2v2",),
        },
        "MFA010": {"cis": (cis + "5.2.2.1",), "nist": ("IA-2(1)",), "scuba": ("MS.AAD.3.6v1",)},
        "MFA011": {"cis": (cis + "5.2.2.2",), "nist": ("IA-2(2)",), "scuba": ("MS.AAD.3.2v2",)},
        "MFA012": {"cis": (cis + "5.2.2.3",), "scuba": ("MS.AAD.1.1v1",)},
        "MFA020": {"cis": (cis + "5.2.2.7",), "scuba": ("MS.AAD.2.3v1",)},
        "MFA021": {"cis": (cis + "5.2.2.6",), "scuba": ("MS.AAD.2.1v1",)},
        "MFA030": {"cis": (cis + "5.2.3.4",), "nist": ("IA-2(2)",)},
        "MFA040": {"cis": (cis + "5.2.4.1",)},
        "MFA070": {"nist": ("IA-2(2)",)},
        "MFA071": {"cis": (cis + "5.1.2.1",)},
    }


def test_find_rule_by_id_or_name_ignoring_case() -> None:
    by_id = find_rule(RULES, "mfa010")
    by_name = find_rule(RULES, "CA-MFA-Admins")
    assert by_id is not None
    assert by_id is by_name
    assert by_id.severity is Severity.CRITICAL
    assert find_rule(RULES, "MFA999") is None


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "").replace("'", ""))


def runs(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[start:start + COPY_RUN]) for start in range(len(tokens) - COPY_RUN + 1)}


def prose_runs(text: str) -> set[tuple[str, ...]]:
    """Runs of our prose; a cited heading is a citation, so no run spans one."""
    headings = "|".join(re.escape(heading) for heading in GUIDANCE_HEADINGS)
    fragments = re.split(headings, text, flags=re.IGNORECASE)
    return set().union(*(runs(words(fragment)) for fragment in fragments))


def test_prose_runs_skip_cited_headings() -> None:
    text = "The Sign in to SaaS apps with Azure AD section wants one front door for every app"
    assert ("sign", "in", "to", "saas", "apps", "with", "azure", "ad") not in prose_runs(text)
    assert ("section", "wants", "one", "front", "door", "for", "every", "app") in prose_runs(text)


def test_prose_does_not_copy_the_guidance() -> None:
    if not GUIDANCE.is_file():
        pytest.skip(f"guidance not available at {GUIDANCE}")
    guidance_runs = runs(words(GUIDANCE.read_text(encoding="utf-8")))
    copied = [
        (rule.id, key, " ".join(run))
        for rule in RULES
        for key in ("title", "what", "why", "fix", "evidence")
        for run in sorted(prose_runs(getattr(rule, key)) & guidance_runs)
    ]
    assert copied == []


def valid_entry(**changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": "TST001",
        "name": "test-rule",
        "title": "A test rule",
        "severity": "low",
        "section": "Security defaults",
        "what": "Checks something.",
        "why": "It matters.",
        "fix": "Portal: admin center. Graph: PATCH /policies/x.",
        "evidence": "Reads /x.",
        "references": {"cis": ["CIS 1.1"]},
        "tags": ["test"],
    }
    entry.update(changes)
    return entry


def write_rules(directory: Path, file_name: str, *entries: dict[str, Any]) -> Path:
    path = directory / file_name
    document = {"section": "Security defaults", "rules": list(entries)}
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def load_error(directory: Path) -> str:
    with pytest.raises(CatalogueError) as excinfo:
        load_catalogue_from(directory)
    return str(excinfo.value)


def test_loader_reads_a_valid_directory(tmp_path: Path) -> None:
    write_rules(tmp_path, "b.yaml", valid_entry(id="TST002", name="second"))
    write_rules(tmp_path, "a.yaml", valid_entry())
    (tmp_path / "notes.txt").write_text("not a rule file", encoding="utf-8")
    rules = load_catalogue_from(tmp_path)
    assert rule_ids(rules) == ["TST001", "TST002"]
    assert rules[0] == Rule(
        id="TST001",
        name="test-rule",
        title="A test rule",
        severity=Severity.LOW,
        section="Security defaults",
        what="Checks something.",
        why="It matters.",
        fix="Portal: admin center. Graph: PATCH /policies/x.",
        evidence="Reads /x.",
        references=(("cis", ("CIS 1.1",)),),
        tags=("test",),
    )


def test_loader_rejects_an_unknown_key(tmp_path: Path) -> None:
    write_rules(tmp_path, "broken.yaml", valid_entry(rationale="misspelt key"))
    message = load_error(tmp_path)
    assert "broken.yaml" in message
    assert "rule TST001: unknown key 'rationale'" in message


def test_loader_rejects_a_missing_key(tmp_path: Path) -> None:
    entry = valid_entry()
    del entry["why"]
    write_rules(tmp_path, "broken.yaml", entry)
    message = load_error(tmp_path)
    assert "broken.yaml" in message
    assert "rule TST001: missing key 'why'" in message


def test_loader_rejects_a_bad_severity(tmp_path: Path) -> None:
    write_rules(tmp_path, "broken.yaml", valid_entry(severity="urgent"))
    message = load_error(tmp_path)
    assert "broken.yaml" in message
    assert "rule TST001: bad severity 'urgent'" in message
    assert "critical, high, medium, low, info" in message


def test_loader_rejects_a_duplicate_id_across_files(tmp_path: Path) -> None:
    write_rules(tmp_path, "a.yaml", valid_entry())
    write_rules(tmp_path, "broken.yaml", valid_entry(name="other-name"))
    message = load_error(tmp_path)
    assert "broken.yaml" in message
    assert "rule TST001: duplicate id" in message
    assert "a.yaml" in message


def test_loader_rejects_a_duplicate_name_in_one_file(tmp_path: Path) -> None:
    write_rules(tmp_path, "broken.yaml", valid_entry(), valid_entry(id="TST002"))
    message = load_error(tmp_path)
    assert "broken.yaml" in message
    assert "rule TST002: duplicate name 'test-rule'" in message


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"id": "tst001"}, "id 'tst001' does not match"),
        ({"id": "TST01"}, "id 'TST01' does not match"),
        ({"name": "Test_Rule"}, "name 'Test_Rule' is not kebab-case"),
        ({"what": "   "}, "'what' is empty"),
        ({"title": 3}, "'title' must be a string"),
        ({"references": {"iso": ["A.5"]}}, "unknown reference framework 'iso'"),
        ({"tags": "mfa"}, "'tags' must be a list of non-empty strings"),
    ],
    ids=["lower-case-id", "short-id", "bad-name", "empty-text", "not-text", "framework", "tags"],
)
def test_loader_rejects_a_malformed_rule(
    tmp_path: Path, changes: dict[str, Any], problem: str
) -> None:
    write_rules(tmp_path, "broken.yaml", valid_entry(**changes))
    message = load_error(tmp_path)
    assert "broken.yaml" in message
    assert problem in message


def test_loader_rejects_invalid_yaml(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("section: [unclosed\n", encoding="utf-8")
    message = load_error(tmp_path)
    assert "broken.yaml" in message
    assert "not valid YAML" in message


def test_loader_rejects_an_unknown_file_key(tmp_path: Path) -> None:
    document = {"section": "Security defaults", "rulez": [valid_entry()]}
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    message = load_error(tmp_path)
    assert "broken.yaml" in message
    assert "unknown key 'rulez'" in message


def test_loader_rejects_a_directory_without_rules(tmp_path: Path) -> None:
    assert "no *.yaml rule files" in load_error(tmp_path)
