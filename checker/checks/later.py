"""Rules whose evidence this version cannot read yet: MFA071. It never passes."""
from __future__ import annotations

from checker.checks.base import CheckContext, Finding
from checker.checks.common import TENANT
from checker.verdicts import Verdict


def per_user_mfa_disabled(context: CheckContext) -> list[Finding]:
    """MFA071: legacy per-user MFA is off once security defaults or Conditional Access enforce MFA.

    "Security defaults" and "Conditional Access policies" replace per-user MFA; leaving it on
    beside them causes inconsistent prompts and hides which mechanism really applies.
    """
    return [Finding(Verdict.NOT_ASSESSED, "Not assessed: the export holds no per-user MFA state "
                    "(MSOnline StrongAuthenticationRequirements, Graph beta authentication requirements, or a "
                    "per-user MFA CSV) that this version reads.", TENANT)]
