"""The grant of one policy, as Entra reads it (DESIGN section 4, "The grant of a sign-in")."""
from __future__ import annotations

import pytest

from checker.evaluation.grants import Demand, grant_effect
from checker.model import AuthenticationStrength, ConditionalAccessPolicy, GrantControls
from checker.origin import Origin

HERE = Origin("t.json", "/p")
CUSTOM = "aaaaaaaa-0000-4000-8000-000000000001"


def strength(combinations: tuple[str, ...] | None, satisfied: str = "mfa") -> AuthenticationStrength:
    return AuthenticationStrength(CUSTOM, "Custom", combinations, HERE, "custom", satisfied)


def effect(operator: str = "OR", controls: tuple[str, ...] = (), strength_id: str | None = None,
           embedded: AuthenticationStrength | None = None, terms: tuple[str, ...] = (),
           known: tuple[AuthenticationStrength, ...] = ()) -> tuple[Demand, int, tuple[str, ...]]:
    grant = GrantControls(operator, controls, strength_id, None, embedded, (), terms)
    found = grant_effect(ConditionalAccessPolicy("p", "P", "enabled", HERE, grant=grant),
                         {s.id: s for s in known})
    return found.demand, found.tier, found.ways_around


@pytest.mark.parametrize(("kwargs", "expected"), [
    pytest.param({}, (Demand.NOTHING, 0, ()), id="no-controls"),
    pytest.param({"controls": ("mfa",)}, (Demand.MFA, 1, ()), id="mfa"),
    pytest.param({"controls": ("block",)}, (Demand.BLOCK, 0, ()), id="block"),
    pytest.param({"controls": ("mfa", "compliantDevice")}, (Demand.WEAK, 0, ("a compliant device",)), id="or-device"),
    pytest.param({"operator": "AND", "controls": ("mfa", "compliantDevice")}, (Demand.MFA, 1, ()), id="and-device"),
    pytest.param({"controls": ("mfa", "domainJoinedDevice")}, (Demand.WEAK, 0, ("a hybrid-joined device",)),
                 id="or-hybrid"),
    pytest.param({"controls": ("mfa", "approvedApplication")}, (Demand.WEAK, 0, ("an approved client app",)),
                 id="or-approved-app"),
    pytest.param({"controls": ("mfa", "compliantApplication")}, (Demand.WEAK, 0, ("an app protection policy",)),
                 id="or-app-protection"),
    pytest.param({"controls": ("mfa",), "terms": ("tou-1",)}, (Demand.WEAK, 0, ("terms of use to accept",)),
                 id="or-terms-of-use"),
    pytest.param({"operator": "AND", "controls": ("mfa",), "terms": ("tou-1",)}, (Demand.MFA, 1, ()),
                 id="and-terms-of-use"),
    pytest.param({"controls": ("compliantDevice",)}, (Demand.NOTHING, 0, ("a compliant device",)), id="device-only"),
    pytest.param({"controls": ("passwordChange",)}, (Demand.NOTHING, 0, ("a password change",)),
                 id="password-change-is-not-mfa"),
    pytest.param({"controls": ("riskRemediation",)}, (Demand.NOTHING, 0, ("risk remediation",)),
                 id="risk-remediation-is-not-mfa"),
    pytest.param({"operator": "AND", "controls": ("mfa", "passwordChange")}, (Demand.MFA, 1, ()),
                 id="and-password-change"),
    pytest.param({"controls": ("unknownFutureValue",)}, (Demand.UNDETERMINED, 0, ()), id="unknown-control"),
    pytest.param({"controls": ("mfa", "unknownFutureValue")}, (Demand.UNDETERMINED, 0, ()),
                 id="or-unknown-control"),
    pytest.param({"operator": "AND", "controls": ("mfa", "unknownFutureValue")}, (Demand.MFA, 1, ()),
                 id="and-unknown-control"),
    pytest.param({"strength_id": "00000000-0000-0000-0000-000000000002"}, (Demand.MFA, 1, ()), id="builtin-mfa"),
    pytest.param({"strength_id": "00000000-0000-0000-0000-000000000003"}, (Demand.MFA, 2, ()),
                 id="builtin-passwordless"),
    pytest.param({"strength_id": "00000000-0000-0000-0000-000000000004"}, (Demand.MFA, 3, ()),
                 id="builtin-phishing-resistant"),
    pytest.param({"strength_id": CUSTOM}, (Demand.UNDETERMINED, 0, ()), id="custom-by-id-only"),
    pytest.param({"strength_id": CUSTOM, "known": (strength(("password,microsoftAuthenticatorPush", "fido2")),)},
                 (Demand.MFA, 1, ()), id="custom-found-by-id"),
    pytest.param({"strength_id": CUSTOM, "embedded": strength(("fido2", "windowsHelloForBusiness"))},
                 (Demand.MFA, 3, ()), id="custom-embedded-phishing-resistant"),
    pytest.param({"strength_id": CUSTOM, "embedded": strength(("password",), "none")},
                 (Demand.NOTHING, 0, ("the authentication strength 'Custom', which allows password",)),
                 id="custom-password-alone"),
    pytest.param({"strength_id": CUSTOM, "embedded": strength(("password,sms", "sms"), "mfa")},
                 (Demand.NOTHING, 0, ("the authentication strength 'Custom', which allows sms",)),
                 id="custom-claims-mfa-but-allows-sms-alone"),
    pytest.param({"strength_id": CUSTOM, "embedded": strength(("password,sms",), "none")},
                 (Demand.NOTHING, 0, ("the authentication strength 'Custom', which allows single-factor sign-in",)),
                 id="custom-without-requirements-satisfied-mfa"),
    pytest.param({"strength_id": CUSTOM, "embedded": strength(("futureMethod",))}, (Demand.UNDETERMINED, 0, ()),
                 id="custom-unknown-method"),
    pytest.param({"controls": ("compliantDevice",), "strength_id": "00000000-0000-0000-0000-000000000002"},
                 (Demand.WEAK, 0, ("a compliant device",)), id="or-strength-or-device"),
])
def test_grant_effect(kwargs: dict[str, object], expected: tuple[Demand, int, tuple[str, ...]]) -> None:
    assert effect(**kwargs) == expected  # type: ignore[arg-type]


def test_policies_combine_with_and_so_one_mfa_policy_is_enough() -> None:
    from tests.test_sign_in_space import mfa_policy, status_of_new_member
    weak = mfa_policy("weak", controls=("mfa", "compliantDevice"))
    assert status_of_new_member(weak) == "uncovered"
    assert status_of_new_member(weak, mfa_policy("strict")) == "covered"
    assert status_of_new_member(weak, mfa_policy("also-weak", controls=("mfa", "approvedApplication"))) == "uncovered"
