"""A small report built by hand, so that formatter tests depend on no loader or check.

Display paths are relative and fixed; the files themselves go to a temporary folder that
only ``Report.sources`` knows about, so no output can contain that folder's name.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from checker.origin import Origin
from checker.report import (
    Diagnostic,
    Evidence,
    InputFile,
    Report,
    Result,
    RuleOutcome,
    Subject,
)
from checker.rule import Rule
from checker.verdicts import Severity, Verdict

SCAN_ROOT = "samples/made-up tenant"
POLICY_ID = "7d2f6f4e-1b8a-4c35-9a53-2f1c8e0b6a11"
BREAK_GLASS_ID = "4b1f0c55-8f7e-4a8e-9d38-5f0a2d9c7e21"

POLICIES = """\
{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies",
  "value": [
    {
      "id": "7d2f6f4e-1b8a-4c35-9a53-2f1c8e0b6a11",
      "displayName": "Require MFA | all users",
      "state": "enabledForReportingButNotEnforced",
      "conditions": {
        "users": {
          "includeUsers": ["All"],
          "excludeUsers": ["4b1f0c55-8f7e-4a8e-9d38-5f0a2d9c7e21"]
        },
        "applications": {"includeApplications": ["All"]},
        "clientAppTypes": ["all"]
      },
      "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
    }
  ]
}
"""

# PowerShell's ConvertTo-Json of SDK objects: PascalCase, a bare array.
REGISTRATIONS = """\
[
  {"Id": "a1000000-0000-0000-0000-000000000001", "UserPrincipalName": "alice@contoso.example", "IsMfaRegistered": false},
  {"Id": "b2000000-0000-0000-0000-000000000002", "UserPrincipalName": "bob@contoso.example", "IsMfaRegistered": true},
  {"Id": "c3000000-0000-0000-0000-000000000003", "UserPrincipalName": "carol@contoso.example"}
]
"""

BROKEN = '{\n  "value": [\n    {"id": oops}\n  ]\n}\n'
NOTES = "Exported on the first day of the audit.\n"


def _rule(
    rule_id: str,
    name: str,
    title: str,
    severity: Severity,
    *,
    section: str = "Plan your Conditional Access deployment",
    references: tuple[tuple[str, tuple[str, ...]], ...] = (),
    tags: tuple[str, ...] = (),
) -> Rule:
    return Rule(
        id=rule_id,
        name=name,
        title=title,
        severity=severity,
        section=section,
        what=f"{title}.",
        why="Without it, a stolen password is enough to sign in.",
        fix="Entra admin center > Protection > Conditional Access: create or enable the policy.",
        evidence="The Conditional Access policies export (identity/conditionalAccess/policies).",
        references=references,
        tags=tags,
    )


MFA001 = _rule(
    "MFA001",
    "mfa-enforced",
    "MFA is required tenant-wide",
    Severity.CRITICAL,
    references=(
        ("CIS Microsoft 365 Foundations v3.1.0", ("5.2.2.1",)),
        ("NIST SP 800-53", ("IA-2(1)", "IA-2(2)")),
    ),
    tags=("mfa", "conditional-access"),
)
MFA020 = _rule("MFA020", "ca-signin-risk-mfa", "Risky sign-ins require MFA", Severity.HIGH, tags=("mfa", "p2"))
MFA030 = _rule("MFA030", "mfa-registered", "Every enabled member user is registered for MFA", Severity.HIGH)
MFA051 = _rule("MFA051", "ca-exclusions", "Exclusions from MFA policies are known", Severity.INFO)
INPUT001 = _rule(
    "INPUT001",
    "input-unreadable",
    "Every input file can be read",
    Severity.HIGH,
    section="Inputs",
    tags=("input",),
)

POLICY = Subject("policy", POLICY_ID, "Require MFA | all users")
TENANT = Subject("tenant", "tenant", "Tenant")


def _user(user_id: str, upn: str) -> Subject:
    return Subject("user", user_id, upn)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_report(root: Path, *, shift: int = 0) -> Report:
    """``shift`` blank lines before the policy file move its evidence down, nothing else."""
    files = {
        "graph/broken.json": BROKEN,
        "graph/policies.json": "\n" * shift + POLICIES,
        "graph/registration details.json": REGISTRATIONS,
        "notes.txt": NOTES,
    }
    sources: dict[str, str] = {}
    for display, text in files.items():
        target = root / display
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        sources[display] = str(target)

    policies = Origin("graph/policies.json", "/value/0")
    registrations = Origin("graph/registration details.json")
    inputs = (
        InputFile(
            "graph/broken.json",
            _sha256(root / "graph/broken.json"),
            "unreadable",
            reason="not valid JSON: Expecting value",
            diagnostics=(Diagnostic("INPUT001", "not valid JSON: Expecting value", 3, 13),),
        ),
        InputFile(
            "graph/policies.json",
            _sha256(root / "graph/policies.json"),
            "used",
            format="graph",
            collection="identity/conditionalAccess/policies",
            objects=1,
        ),
        InputFile(
            "graph/registration details.json",
            _sha256(root / "graph/registration details.json"),
            "used",
            format="powershell-json",
            collection="reports/authenticationMethods/userRegistrationDetails",
            objects=3,
        ),
        InputFile("notes.txt", _sha256(root / "notes.txt"), "ignored", reason="not a recognised export"),
    )
    outcomes = (
        RuleOutcome(
            MFA001,
            (
                Result(
                    "MFA001",
                    Verdict.FAIL,
                    "No enforced policy requires MFA for all users and all apps; "
                    "'Require MFA | all users' would, but it is report-only.",
                    TENANT,
                    (
                        Evidence(policies.child("state"), "enabledForReportingButNotEnforced", "enabled"),
                        Evidence(policies.child("grantControls", "builtInControls"), ["mfa"], ["mfa"]),
                    ),
                ),
            ),
        ),
        RuleOutcome(
            MFA020,
            (
                Result(
                    "MFA020",
                    Verdict.NOT_APPLICABLE,
                    "Sign-in risk conditions need Entra ID P2; the tenant has P1.",
                    TENANT,
                ),
            ),
        ),
        RuleOutcome(
            MFA030,
            (
                Result(
                    "MFA030",
                    Verdict.FAIL,
                    "alice@contoso.example is not registered for MFA.",
                    _user("a1000000-0000-0000-0000-000000000001", "alice@contoso.example"),
                    (Evidence(registrations.child(0, "isMfaRegistered"), False, True),),
                ),
                Result(
                    "MFA030",
                    Verdict.PASS,
                    "bob@contoso.example is registered for MFA.",
                    _user("b2000000-0000-0000-0000-000000000002", "bob@contoso.example"),
                    (Evidence(registrations.child(1, "isMfaRegistered"), True, True),),
                ),
                Result(
                    "MFA030",
                    Verdict.NOT_ASSESSED,
                    "The registration details of carol@contoso.example do not say whether she is registered.",
                    _user("c3000000-0000-0000-0000-000000000003", "carol@contoso.example"),
                    (Evidence(registrations.child(2, "isMfaRegistered"), None, True),),
                ),
            ),
        ),
        RuleOutcome(
            MFA051,
            (
                Result(
                    "MFA051",
                    Verdict.REVIEW,
                    f"User {BREAK_GLASS_ID} is excluded from 'Require MFA | all users'; "
                    "confirm it is a break-glass account.",
                    POLICY,
                    (Evidence(policies.child("conditions", "users", "excludeUsers", 0), BREAK_GLASS_ID),),
                ),
            ),
        ),
        RuleOutcome(
            INPUT001,
            (
                Result(
                    "INPUT001",
                    Verdict.FAIL,
                    "graph/broken.json is not valid JSON: Expecting value.",
                    Subject("file", "graph/broken.json", "graph/broken.json"),
                    (Evidence(Origin("graph/broken.json"), line=3, column=13),),
                ),
            ),
        ),
    )
    return Report("0.1.0", SCAN_ROOT, inputs, "P1", outcomes, sources)
