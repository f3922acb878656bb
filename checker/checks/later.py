"""Rules whose evidence this version cannot read yet: MFA070, MFA071. They never pass."""
from __future__ import annotations

from checker.checks.base import CheckContext, Finding
from checker.checks.common import TENANT
from checker.verdicts import Verdict


def user_mfa_coverage(context: CheckContext) -> list[Finding]:
    """MFA070: every enabled user is covered by an enforced, unconditional MFA requirement.

    "Results of Step 1" expects MFA on every sign-in of every user; policy shapes alone do not
    show who falls between exclusions and nested groups, so coverage must be computed per user.
    """
    return [Finding(Verdict.NOT_ASSESSED, "Not assessed: per-user MFA coverage is not computed by this "
                    "version of tenant-checker; see MFA010, MFA011 and MFA052 for the policy-level view.", TENANT)]


def per_user_mfa_disabled(context: CheckContext) -> list[Finding]:
    """MFA071: legacy per-user MFA is off once security defaults or Conditional Access enforce MFA.

    "Security defaults" and "Conditional Access policies" replace per-user MFA; leaving it on
    beside them causes inconsistent prompts and hides which mechanism really applies.
    """
    return [Finding(Verdict.NOT_ASSESSED, "Not assessed: the export holds no per-user MFA state "
                    "(MSOnline StrongAuthenticationRequirements, Graph beta authentication requirements, or a "
                    "per-user MFA CSV) that this version reads.", TENANT)]
