"""The coverage summary every output carries: covered, uncovered, break-glass, undetermined."""
from __future__ import annotations

from checker.checks.base import CheckContext
from checker.checks.common import Defaults, defaults_state, incomplete
from checker.evaluation.evaluate import COVERED, UNCOVERED
from checker.inputs.identify import CA_POLICIES, GROUPS, SECURITY_DEFAULTS, USERS
from checker.report import CoverageSummary, Subject


def summarise_coverage(context: CheckContext) -> CoverageSummary:
    defaults = defaults_state(context.tenant).state
    enabled = [u for u in context.tenant.users or () if u.account_enabled is not False]
    if defaults is Defaults.ON:
        return CoverageSummary("via security defaults", len(enabled), len(enabled))
    lost = incomplete(context.tenant, CA_POLICIES, SECURITY_DEFAULTS, USERS, GROUPS)
    if lost is not None:
        return CoverageSummary("not assessed", note=lost.message.removeprefix("Not assessed: "))
    if context.tenant.users is None or context.tenant.conditional_access_policies is None:
        missing = [name for name, value in (("users", context.tenant.users),
                                            ("Conditional Access policies", context.tenant.conditional_access_policies))
                   if value is None]
        return CoverageSummary("not assessed", note="the export has no " + " and no ".join(missing))
    evaluation = context.evaluation
    users = evaluation.users()
    uncovered: list[Subject] = []
    glass: list[Subject] = []
    undetermined: list[Subject] = []
    for user, outcome in evaluation.user_outcomes():
        status = outcome.status
        if status == COVERED:
            continue
        if context.settings.is_break_glass(user.id, user.user_principal_name):
            found = glass
        elif status == UNCOVERED and defaults is Defaults.OFF:
            found = uncovered
        else:
            found = undetermined
        found.append(context.user_subject(user.id, user.user_principal_name or user.display_name))
    covered = len(users) - len(uncovered) - len(glass) - len(undetermined)
    note = "security defaults are not in the export, so users outside every MFA policy are undetermined" \
        if defaults is Defaults.UNKNOWN else ""
    return CoverageSummary("per user", len(users), covered, tuple(uncovered), tuple(glass),
                           tuple(undetermined), note)
