"""Rules read off the sign-in space, on tenants built in the test: the oddities the rule cases
do not show (bundles, strengths offered beside devices, holders named beside the stand-in)."""
from __future__ import annotations

from dataclasses import replace

from checker.checks.base import CheckContext
from checker.checks.conditional_access import ca_mfa_admins, ca_mfa_all_apps, compliant_device
from checker.checks.risk import ca_user_risk_password_change
from checker.model import (
    GrantControls,
    Group,
    RoleAssignment,
    SecurityDefaults,
    ServicePlan,
    SubscribedSku,
    Tenant,
    User,
    UserScope,
)
from tests.test_sign_in_space import HERE, mfa_policy

GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
P2 = SubscribedSku("sku", "E5", "Enabled", (ServicePlan("eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2",
                                                         "Success"),), HERE)


def context(*policies: object, **extra: object) -> CheckContext:
    return CheckContext(Tenant(conditional_access_policies=policies, security_defaults=SecurityDefaults(False, HERE),
                               subscribed_skus=(P2,), **extra))  # type: ignore[arg-type]


def test_an_excluded_bundle_left_open_fails_mfa060() -> None:
    found = ca_mfa_all_apps(context(mfa_policy("all users", exclude_applications=("Office365",))))
    assert [f.verdict.value for f in found] == ["fail"]
    assert "the Office365 bundle" in found[0].message


def test_an_excluded_bundle_covered_elsewhere_is_review() -> None:
    found = ca_mfa_all_apps(context(mfa_policy("all users", exclude_applications=("Office365",)),
                                    mfa_policy("office", include_applications=("Office365",))))
    assert [f.verdict.value for f in found] == ["review"]


def test_a_device_offered_beside_a_strength_is_not_a_device_requirement() -> None:
    either = replace(mfa_policy("device or strength"),
                     grant=GrantControls("OR", ("compliantDevice",), "00000000-0000-0000-0000-000000000002"))
    assert [f.verdict.value for f in compliant_device(context(either))] == ["fail"]
    device = mfa_policy("device", controls=("compliantDevice",))
    assert [f.verdict.value for f in compliant_device(context(device))] == ["pass"]


def test_a_custom_control_beside_a_password_change_is_a_way_around_it() -> None:
    policy = mfa_policy("risky users", controls=("passwordChange",), user_risk_levels=("high",))
    assert [f.verdict.value for f in ca_user_risk_password_change(context(policy))] == ["pass"]
    custom = replace(policy, grant=GrantControls("OR", ("passwordChange",), custom_authentication_factors=("duo",)))
    assert [f.verdict.value for f in ca_user_risk_password_change(context(custom))] == ["fail"]


def test_mfa010_names_the_holders_left_open_beside_the_stand_in() -> None:
    admin = User("ga", "ga@contoso.example", "GA", True, "Member", HERE)
    weak = mfa_policy("admins", controls=("mfa", "compliantDevice"), users=UserScope(include_roles=(GLOBAL_ADMIN,)))
    found = ca_mfa_admins(context(weak, users=(admin,),
                                  role_assignments=(RoleAssignment("a", "ga", GLOBAL_ADMIN, "/", HERE),)))
    (result,) = [f for f in found if f.subject.id == GLOBAL_ADMIN]
    assert result.verdict.value == "fail"
    assert "A holder of Global Administrator signs in without MFA" in result.message
    assert "1 holder(s) of Global Administrator are not protected on every sign-in: ga@contoso.example" \
        in result.message


def test_guests_or_external_users_excluded_reads_as_guests_not_as_a_user() -> None:
    from checker.checks.exclusions import ca_exclusions
    policy = mfa_policy("all but guests", users=UserScope(include_users=("All",), exclude_users=("GuestsOrExternalUsers",)))
    (found,) = ca_exclusions(context(policy))
    assert found.subject.kind == "policy"
    assert "excludes guest or external user types: all guests and external users (GuestsOrExternalUsers)" \
        in found.message


def test_grant_controls_keep_graph_spelling() -> None:
    from checker.inputs.ca_policy import parse_policy
    policy = parse_policy({"id": "p", "state": "enabled", "grantControls": {
        "operator": "OR", "builtInControls": ["COMPLIANTDEVICE", "mfa", "somethingNew"]}}, HERE)
    assert policy.grant is not None
    assert policy.grant.built_in_controls == ("compliantDevice", "mfa", "somethingNew")


def test_an_exclusion_that_adds_no_gap_to_a_new_members_is_not_mfa052s_failure() -> None:
    from checker.checks.exclusions import ca_exclusion_gaps
    office_only = mfa_policy("office", include_applications=("Office365",),
                             users=UserScope(include_users=("All",), exclude_groups=("g1",)))
    (shared,) = ca_exclusion_gaps(context(office_only, mfa_policy("block legacy", controls=("block",),
                                                                   client_app_types=("other",))))
    assert shared.verdict.value == "fail"  # members of g1 lose Office 365, which a new member has
    everyone = mfa_policy("all", users=UserScope(include_users=("All",), exclude_groups=("g1",)),
                          state="enabledForReportingButNotEnforced")
    somewhere = ("11111111-0000-4000-8000-0000000000aa",)
    block = mfa_policy("block there", controls=("block",), include_locations=somewhere,
                       users=UserScope(include_users=("All",), exclude_groups=("g1",)))
    block_again = mfa_policy("block there too", controls=("block",), include_locations=somewhere)
    (found,) = ca_exclusion_gaps(context(everyone, block, block_again))
    assert found.verdict.value == "pass"
    assert "MFA011's finding" in found.message


def test_risk_rules_fail_without_security_defaults_in_the_export() -> None:
    from checker.checks.risk import ca_signin_risk_mfa
    tenant = Tenant(conditional_access_policies=(mfa_policy("all"),), subscribed_skus=(P2,))
    assert [f.verdict.value for f in ca_signin_risk_mfa(CheckContext(tenant))] == ["fail", "fail"]


def test_an_excluded_app_whose_cover_cannot_be_settled_is_not_assessed() -> None:
    lob = "5e0c1b7a-4f2d-4c1e-9a8b-7d6e5f4a3b21"
    found = ca_mfa_all_apps(context(mfa_policy("all users", exclude_applications=(lob,)),
                                    mfa_policy("office", include_applications=("Office365",))))
    assert [f.verdict.value for f in found] == ["not_assessed"]


def test_a_gap_names_three_of_the_policies_that_would_close_it_and_counts_the_rest() -> None:
    from checker.checks.conditional_access import ca_mfa_all_users

    pilots = [mfa_policy(f"pilot {number}", state="enabledForReportingButNotEnforced") for number in range(1, 6)]
    (found,) = ca_mfa_all_users(context(*pilots))
    assert found.verdict.value == "fail"
    assert found.message.endswith("would be closed by 'pilot 1' (report-only), 'pilot 2' (report-only), "
                                  "'pilot 3' (report-only) and 2 more.")


def test_a_gap_names_three_of_the_policies_its_class_is_excluded_from_and_counts_the_rest() -> None:
    from checker.checks.user_coverage import user_mfa_coverage

    excluding = [mfa_policy(f"policy {number}", users=UserScope(include_users=("All",), exclude_groups=("g1",)))
                 for number in range(1, 6)]
    user = User("user-1", "u1@contoso.example", "u1", True, "Member", HERE)
    found = user_mfa_coverage(context(*excluding, users=(user,), groups=(Group("g1", "Service", ("user-1",), HERE),)))
    (message,) = [f.message for f in found if f.verdict.value == "fail"]
    assert ("excluded from 'policy 1' through group 'Service'; excluded from 'policy 2' through group 'Service'; "
            "excluded from 'policy 3' through group 'Service'; and from 2 more)") in message


def test_a_role_held_through_a_group_the_export_does_not_show_is_not_a_pass() -> None:
    # the members of group-1 hold Exchange Administrator and are excluded from the only MFA policy
    exchange = "29232cdf-9323-42fd-ade2-1d097af3e4de"
    policy = mfa_policy("all but group-1", users=UserScope(include_users=("All",), exclude_groups=("group-1",)))
    user = User("user-1", "u1@contoso.example", "u1", True, "Member", HERE)
    assignments = (RoleAssignment("a0", "group-1", exchange, "/", HERE),)
    (found,) = [f for f in ca_mfa_admins(context(policy, users=(user,), role_assignments=assignments))
                if f.subject.id == exchange]
    assert found.verdict.value == "not_assessed"
    assert "held through group-1, whose members the export does not show" in found.message


def test_an_excluded_user_whose_groups_the_export_lacks_is_not_a_pass_without_the_users() -> None:
    # user-1 is excluded from a narrow policy; the all-users policy excludes group-1, whose members
    # are not exported, so whether user-1 is reached by it cannot be told, with users.json or without
    from checker.checks.exclusions import ca_exclusion_gaps
    from checker.model import Group
    everyone = mfa_policy("all but group-1", users=UserScope(include_users=("All",), exclude_groups=("group-1",)))
    narrow = mfa_policy("high risk", users=UserScope(include_users=("All",), exclude_users=("user-1",)),
                        sign_in_risk_levels=("high",))
    user = User("user-1", "u1@contoso.example", "u1", True, "Member", HERE)
    group = Group("group-1", "group-1", None, HERE)
    for users in ((user,), None):
        (found,) = [f for f in ca_exclusion_gaps(context(everyone, narrow, users=users, groups=(group,)))
                    if f.subject.id == "user-1"]
        assert found.verdict.value == "not_assessed", (users, found.message)
    # with the group's members exported and user-1 not among them, the all-users policy covers user-1
    known = Group("group-1", "group-1", (), HERE)
    for users in ((user,), None):
        (found,) = [f for f in ca_exclusion_gaps(context(everyone, narrow, users=users, groups=(known,)))
                    if f.subject.id == "user-1"]
        assert found.verdict.value == "pass", (users, found.message)
