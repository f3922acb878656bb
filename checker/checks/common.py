"""Facts several checks share: security defaults state, plan gating, subjects and evidence."""
from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from checker.checks.base import CheckContext, Finding
from checker.inputs.identify import CA_POLICIES, SUBSCRIBED_SKUS
from checker.model import ConditionalAccessPolicy, Plan, Tenant
from checker.origin import Origin
from checker.report import Evidence, Subject
from checker.semantics import policy as ca
from checker.semantics.licence import plan_of
from checker.verdicts import Verdict

TENANT = Subject("tenant", "tenant", "the tenant")
CA_COLLECTION = Subject("collection", "conditionalAccessPolicies", "Conditional Access policies")
SECURITY_DEFAULTS = Subject("policy", "securityDefaults", "Security defaults")
# The collections the rules gate on (incomplete): Conditional Access rules also need the plan.
CA_AND_PLAN = (CA_POLICIES, SUBSCRIBED_SKUS)
NEEDS_CA = "Conditional Access policies (identity/conditionalAccess/policies)"
NEEDS_DEFAULTS = "security defaults policy (policies/identitySecurityDefaultsEnforcementPolicy)"
NEEDS_SKUS = "licence data (subscribedSkus)"
NEEDS_REGISTRATION = "user registration details (reports/authenticationMethods/userRegistrationDetails)"
NEEDS_METHODS = "authentication methods policy (policies/authenticationMethodsPolicy)"


class Defaults(enum.Enum):
    ON = "on"
    OFF = "off"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class DefaultsState:
    state: Defaults
    evidence: tuple[Evidence, ...]
    inferred: bool = False

    @property
    def off_words(self) -> str:
        if self.inferred:
            return "Security defaults are off (inferred: the export has enforced Conditional Access policies)"
        return "Security defaults are off"


def defaults_state(tenant: Tenant) -> DefaultsState:
    """Security defaults as exported; absent but excluded by enforced CA policies counts as off."""
    defaults = tenant.security_defaults
    if defaults is not None:
        state = Defaults.ON if defaults.is_enabled else Defaults.OFF
        return DefaultsState(state, (Evidence(defaults.origin.child("isEnabled"), defaults.is_enabled),))
    enforced = [p for p in tenant.conditional_access_policies or () if ca.is_enforced(p)]
    if enforced:
        return DefaultsState(Defaults.OFF, (policy_evidence(enforced[0], "state"),), inferred=True)
    return DefaultsState(Defaults.UNKNOWN, ())


def ca_rules_not_applicable(context: CheckContext) -> Finding | None:
    """DESIGN section 5: with defaults off on a known free plan, MFA002 carries the finding."""
    tenant = context.tenant
    if plan_of(tenant) is Plan.FREE and defaults_state(tenant).state is Defaults.OFF:
        return Finding(
            Verdict.NOT_APPLICABLE,
            "The licence plan has no Entra ID P1 or P2, so Conditional Access is not available; "
            "MFA002 reports that security defaults are off.",
            TENANT,
            sku_evidence(tenant),
        )
    return None


def unmatched_break_glass(context: CheckContext) -> list[Finding]:
    """A review result for each configured break-glass entry that matches no account of the export."""
    return [Finding(Verdict.REVIEW, f"The configured break-glass account {entry!r} matches no account in the export "
                    "(no user, registration detail, role member, per-user MFA row or policy names it): check it "
                    "for a typo, or export the users.", Subject("configuration", entry, entry))
            for entry in context.settings.unmatched_break_glass]


def incomplete(tenant: Tenant, *collections: str) -> Finding | None:
    """The gate of every rule that needs whole collections: not_assessed when one lost objects.

    A rule judged on what is left of a collection can turn a gap into a pass (DESIGN section 2,
    "Exports that went wrong"), so it names how many objects were lost and why instead.
    """
    lost = [entry for entry in tenant.incomplete if entry.collection in collections]
    if not lost:
        return None
    return Finding(
        Verdict.NOT_ASSESSED,
        "Not assessed: the export is incomplete. " + "; ".join(entry.message for entry in lost) + ".",
        Subject("collection", lost[0].collection, lost[0].collection),
        tuple(Evidence(entry.origin) for entry in lost),
    )


def not_assessed(needed: Sequence[str], subject: Subject = TENANT, detail: str = "") -> Finding:
    message = "Not assessed: the export has no " + " and no ".join(needed) + "."
    return Finding(Verdict.NOT_ASSESSED, message + (" " + detail if detail else ""), subject)


def via_security_defaults(defaults: DefaultsState, subject: Subject = SECURITY_DEFAULTS) -> Finding:
    return Finding(
        Verdict.PASS,
        "Met via security defaults, which require MFA for every user and block legacy authentication.",
        subject,
        defaults.evidence,
    )


def policy_subject(policy: ConditionalAccessPolicy) -> Subject:
    return Subject("policy", policy.id, policy.display_name)


def policy_evidence(policy: ConditionalAccessPolicy, *path: str, actual: Any = None,
                    expected: Any = None) -> Evidence:
    return Evidence(policy.origin.child(*path) if path else policy.origin, actual, expected)


def collection_evidence(origin: Origin | None) -> tuple[Evidence, ...]:
    return (Evidence(origin),) if origin is not None else ()


def sku_evidence(tenant: Tenant) -> tuple[Evidence, ...]:
    if tenant.subscribed_skus:
        return tuple(Evidence(sku.origin.child("servicePlans"), sku.sku_part_number) for sku in tenant.subscribed_skus)
    return collection_evidence(tenant.subscribed_skus_origin)


def location_namer(tenant: Tenant) -> ca.LocationNames:
    return ca.tenant_location_namer(tenant.named_locations or ())


def quoted(policy: ConditionalAccessPolicy) -> str:
    return f"'{policy.display_name}'"


NAMES_SHOWN = 5


def names_up_to(names: Sequence[str], limit: int = NAMES_SHOWN) -> str:
    """'a, b, c, d, e and 3 more': a list of subjects in a message, cut at the usual cap."""
    more = len(names) - limit
    return ", ".join(names[:limit]) + (f" and {more} more" if more > 0 else "")
