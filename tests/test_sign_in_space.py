"""The sign-in space, dimension by dimension: policies that split one close it together; a
region left out is a gap, named in words (DESIGN section 4)."""
from __future__ import annotations

from typing import Any

import pytest

from checker.evaluation.evaluate import LEGACY, MFA, Outcome, evaluate
from checker.evaluation.users import new_member
from checker.model import (
    AttributeFilter,
    ConditionalAccessPolicy,
    GrantControls,
    NamedLocation,
    Tenant,
    User,
    UserScope,
)
from checker.origin import Origin

HERE = Origin("t.json", "/p")
OFFICE = "7a0e1c2d-0000-4000-8000-00000000a0a0"
EXCHANGE = "00000002-0000-0ff1-ce00-000000000000"
LOCATIONS = (NamedLocation(OFFICE, "Head office", True, HERE),)


def mfa_policy(name: str, *, controls: tuple[str, ...] = ("mfa",), state: str = "enabled",
               operator: str = "OR", **conditions: Any) -> ConditionalAccessPolicy:
    values: dict[str, Any] = {"include_applications": ("All",), "users": UserScope(include_users=("All",))}
    values.update(conditions)
    return ConditionalAccessPolicy(name, name, state, HERE, grant=GrantControls(operator, controls), **values)


def outcome_of_new_member(*policies: ConditionalAccessPolicy, question: Any = MFA) -> Outcome:
    tenant = Tenant(conditional_access_policies=policies, named_locations=LOCATIONS)
    return evaluate(tenant).outcome(new_member(), question)


def status_of_new_member(*policies: ConditionalAccessPolicy) -> str:
    return outcome_of_new_member(*policies).status


# Each dimension: two policies that split it between them, and the same with one side missing.
SPLITS = {
    "client app types": (
        {"client_app_types": ("browser",)}, {"client_app_types": ("mobileAppsAndDesktopClients",)},
        "any app · browser → no MFA"),
    "platforms": (
        {"include_platforms": ("android", "iOS")}, {"include_platforms": ("all",), "exclude_platforms": ("android", "iOS")},
        "any app · Android, iOS → no MFA"),
    "locations": (
        {"include_locations": (OFFICE,)}, {"include_locations": ("All",), "exclude_locations": (OFFICE,)},
        "any app · from 'Head office' → no MFA"),
    "trusted locations": (
        {"include_locations": ("AllTrusted",)}, {"include_locations": ("All",), "exclude_locations": ("AllTrusted",)},
        "any app · from the MFA trusted IPs, 'Head office' → no MFA"),
    "apps": (
        {"include_applications": ("Office365",)}, {"include_applications": ("All",), "exclude_applications": ("Office365",)},
        "other Office 365 apps → no MFA"),
    "devices": (
        {"device_filter": AttributeFilter("include", "device.isCompliant -eq True")},
        {"device_filter": AttributeFilter("include", "device.isCompliant -ne True")},
        "any app · devices matching the filter 'device.iscompliant -eq True' → no MFA"),
    "authentication flows": (
        {"authentication_flows": ("deviceCodeFlow",)},
        {"device_filter": None},
        None),
}


@pytest.mark.parametrize("dimension", [d for d in SPLITS if SPLITS[d][2] is not None])
def test_two_policies_that_split_a_dimension_close_it_together(dimension: str) -> None:
    first, second, _ = SPLITS[dimension]
    assert status_of_new_member(mfa_policy("first", **first), mfa_policy("second", **second)) == "covered"


@pytest.mark.parametrize("dimension", [d for d in SPLITS if SPLITS[d][2] is not None])
def test_a_side_left_out_is_a_gap_named_by_its_region(dimension: str) -> None:
    _, second, words = SPLITS[dimension]
    outcome = outcome_of_new_member(mfa_policy("second", **second))
    assert outcome.status == "uncovered"
    assert [gap.text.split(" (closest")[0] for gap in outcome.gaps] == [words]


def test_a_flow_condition_covers_only_that_flow() -> None:
    outcome = outcome_of_new_member(mfa_policy("codes", authentication_flows=("deviceCodeFlow",)))
    assert outcome.status == "uncovered"
    assert outcome.gaps[0].words == "any app · an ordinary sign-in, authentication transfer"


def test_a_block_counts_as_protection_and_wins_over_a_weak_grant() -> None:
    block_android = mfa_policy("block android", controls=("block",), include_platforms=("android",))
    weak_rest = mfa_policy("device or mfa", controls=("mfa", "compliantDevice"))
    outcome = outcome_of_new_member(block_android, weak_rest)
    assert outcome.status == "uncovered"
    assert outcome.gaps[0].words == "any app · any platform except Android"


def test_report_only_policies_never_protect_but_say_what_they_would_close() -> None:
    outcome = outcome_of_new_member(mfa_policy("all users", state="enabledForReportingButNotEnforced"))
    assert outcome.status == "uncovered"
    assert outcome.gaps[0].would_close == ("'all users' (report-only)",)


def test_risk_policies_do_not_cover_sign_ins_at_no_risk() -> None:
    assert status_of_new_member(mfa_policy("risky", sign_in_risk_levels=("medium", "high"))) == "uncovered"


def test_workload_identity_policies_do_not_cover_users() -> None:
    assert status_of_new_member(mfa_policy("apps", include_service_principals=("All",))) == "uncovered"


def test_user_actions_alone_protect_no_app() -> None:
    register = mfa_policy("register", include_applications=(), include_user_actions=("urn:user:registersecurityinfo",))
    assert status_of_new_member(register) == "uncovered"


def test_an_application_filter_makes_the_apps_it_selects_undetermined() -> None:
    filtered = mfa_policy("filtered", application_filter=AttributeFilter("exclude", 'CustomSecurityAttribute.x -eq "y"'))
    outcome = outcome_of_new_member(filtered)
    assert outcome.status == "undetermined"
    assert "app (an application filter" in outcome.gaps[0].text


def test_an_app_outside_the_known_bundle_members_is_undetermined_for_the_bundle() -> None:
    lob = "5e0c1b7a-4f2d-4c1e-9a8b-7d6e5f4a3b21"
    office = mfa_policy("office", include_applications=("Office365",))
    rest = mfa_policy("rest", exclude_applications=("Office365", lob))
    assert status_of_new_member(office, rest) == "undetermined"
    assert status_of_new_member(office, mfa_policy("lob", include_applications=(lob,)), rest) == "covered"
    assert status_of_new_member(mfa_policy("exchange", include_applications=(EXCHANGE,)),
                                mfa_policy("rest", exclude_applications=(EXCHANGE,))) == "covered"


def test_an_unknown_platform_value_is_undetermined_never_covered() -> None:
    odd = mfa_policy("odd", include_platforms=("android", "holoLens"))
    rest = mfa_policy("rest", include_platforms=("all",), exclude_platforms=("android",))
    assert status_of_new_member(odd, rest) == "covered"
    assert status_of_new_member(mfa_policy("odd", include_platforms=("holoLens",))) == "undetermined"
    unsure = mfa_policy("unsure", include_platforms=("all",), exclude_platforms=("holoLens",))
    assert status_of_new_member(unsure) == "undetermined"


def test_legacy_clients_need_an_explicit_block() -> None:
    mfa_everywhere = mfa_policy("mfa")
    block_legacy = mfa_policy("block legacy", controls=("block",), client_app_types=("exchangeActiveSync", "other"))
    assert outcome_of_new_member(mfa_everywhere, question=LEGACY).status == "uncovered"
    assert outcome_of_new_member(mfa_everywhere, block_legacy, question=LEGACY).status == "covered"
    only_eas = mfa_policy("block eas", controls=("block",), client_app_types=("exchangeActiveSync",))
    outcome = outcome_of_new_member(only_eas, question=LEGACY)
    assert [g.text.split(" (closest")[0] for g in outcome.gaps] == ["any app · other legacy clients → not blocked"]


def test_guest_and_external_types_are_told_apart() -> None:
    invited = User("m1", "partner_fabrikam.com#EXT#@contoso.example", "Partner", True, "Member", HERE,
                   creation_type="Invitation")
    staff = User("m2", "ann@contoso.example", "Ann", True, "Member", HERE)
    policy = mfa_policy("all but b2b members", users=UserScope(
        include_users=("All",), exclude_guest_types=("b2bCollaborationMember",)))
    evaluation = evaluate(Tenant(conditional_access_policies=(policy,), users=(invited, staff)))
    assert evaluation.status_of_user("m1") == "uncovered"
    assert evaluation.status_of_user("m2") == "covered"


def test_a_global_admin_excluded_by_group_whose_admin_policy_is_report_only_is_uncovered() -> None:
    from checker.evaluation.users import role_holder
    from checker.model import Group, RoleAssignment
    admin = User("ga", "ga@contoso.example", "GA", True, "Member", HERE)
    global_admin = "62e90394-69f5-4237-9190-012177145e10"
    everyone = mfa_policy("all users", users=UserScope(include_users=("All",), exclude_groups=("g-admins",)))
    admins = mfa_policy("admins", state="enabledForReportingButNotEnforced",
                        users=UserScope(include_roles=(global_admin,)))
    tenant = Tenant(conditional_access_policies=(everyone, admins), users=(admin,),
                    groups=(Group("g-admins", "Admins", ("ga",), HERE),),
                    role_assignments=(RoleAssignment("a", "ga", global_admin, "/", HERE),))
    evaluation = evaluate(tenant)
    assert evaluation.status_of_user("ga") == "uncovered"
    assert evaluation.outcome(role_holder(global_admin, "Global Administrator")).status == "covered"
    from checker.checks.base import CheckContext
    from checker.checks.conditional_access import ca_mfa_admins
    from checker.model import SecurityDefaults
    context = CheckContext(Tenant(conditional_access_policies=tenant.conditional_access_policies, users=tenant.users,
                                  groups=tenant.groups, role_assignments=tenant.role_assignments,
                                  security_defaults=SecurityDefaults(False, HERE)))
    (finding,) = [f for f in ca_mfa_admins(context) if f.subject.id == global_admin]
    assert finding.verdict.value == "fail"
    assert "ga@contoso.example" in finding.message


def test_guests_or_external_users_in_the_user_list_means_every_tenant() -> None:
    """Found by the oracle: the keyword is not narrowed by a tenant list on another guest condition."""
    guest = User("g1", "partner_fabrikam.com#EXT#@contoso.example", "Partner", True, "Guest", HERE,
                 creation_type="Invitation")
    policy = mfa_policy("guests", users=UserScope(
        include_users=("GuestsOrExternalUsers",), include_guest_types=("internalGuest",),
        include_guest_tenants=("c0ffee00-0000-4000-8000-000000000001",)))
    assert evaluate(Tenant(conditional_access_policies=(policy,), users=(guest,))).status_of_user("g1") == "covered"
