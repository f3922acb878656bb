"""Hand-written cases that pin the naive oracle's own behaviour, and a smoke property test."""
from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings

from checker import entra
from checker.model import (
    AttributeFilter,
    AuthenticationStrength,
    ConditionalAccessPolicy,
    DirectoryRole,
    GrantControls,
    Group,
    NamedLocation,
    RoleAssignment,
    RoleDefinition,
    Tenant,
    User,
    UserScope,
)
from checker.origin import Origin

from . import naive
from .naive import (
    ELSEWHERE,
    MFA_TRUSTED_IPS,
    PLATFORMS,
    naive_gap_points,
    naive_status,
    naive_undetermined_points,
    parse_device_rule,
    sign_in_space,
)
from .strategies import tenants, users_of

ORIGIN = Origin("test.json", "/x")
ALICE = User("alice", "alice@contoso.example", "Alice", True, "Member", ORIGIN)
BOB = User("bob", "bob@contoso.example", "Bob", True, "Member", ORIGIN)
INVITED_MEMBER = User("carol", "carol_fabrikam.example#EXT#@contoso.example", "Carol", True, "Member", ORIGIN)
EXTERNAL_GUEST = User("dave", "dave_fabrikam.example#EXT#@contoso.example", "Dave", True, "Guest", ORIGIN)
INTERNAL_GUEST = User("erin", "erin@contoso.example", "Erin", True, "Guest", ORIGIN)

MFA = GrantControls("OR", ("mfa",))
BLOCK = GrantControls("OR", ("block",))
MFA_STRENGTH = "00000000-0000-0000-0000-000000000002"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
EXCHANGE_ONLINE = "00000002-0000-0ff1-ce00-000000000000"
LINE_OF_BUSINESS_APP = "5e0c1b7a-4f2d-4c1e-9a8b-7d6e5f4a3b21"
HEAD_OFFICE = "10c00001-0000-4000-8000-000000000000"
BRANCH = "10c00002-0000-4000-8000-000000000000"
COMPLIANT = "device.isCompliant -eq True"
NOT_COMPLIANT = "device.isCompliant -ne True"
HYBRID_JOINED = 'device.trustType -eq "ServerAD"'


def policy(name: str = "p", **fields: Any) -> ConditionalAccessPolicy:
    """An enforced policy: all users, all apps, MFA, unless told otherwise."""
    values: dict[str, Any] = {
        "id": name, "display_name": name, "state": "enabled", "origin": ORIGIN,
        "users": UserScope(include_users=("All",)), "include_applications": ("All",), "grant": MFA,
    }
    values.update(fields)
    return ConditionalAccessPolicy(**values)


def tenant(*policies: ConditionalAccessPolicy, users: tuple[User, ...] = (ALICE, BOB), **fields: Any) -> Tenant:
    values: dict[str, Any] = {
        "conditional_access_policies": policies, "users": users, "groups": (), "role_assignments": (),
        "role_definitions": (), "named_locations": (), "authentication_strengths": (),
    }
    values.update(fields)
    return Tenant(**values)


def strength(strength_id: str, *combinations: str, satisfied: str = "mfa") -> AuthenticationStrength:
    return AuthenticationStrength(strength_id, strength_id, combinations, ORIGIN, "custom", satisfied)


# -- the required cases ----------------------------------------------------------------------------

def test_one_all_users_mfa_policy_covers():
    t = tenant(policy())
    assert naive_status(t, ALICE) == "covered"
    assert naive_gap_points(t, ALICE) == frozenset()
    assert naive_undetermined_points(t, ALICE) == frozenset()


def test_excluded_by_group_is_uncovered():
    group = Group("g-1", "Break glass", ("alice",), ORIGIN)
    t = tenant(policy(users=UserScope(include_users=("All",), exclude_groups=("G-1",))), groups=(group,))
    assert naive_status(t, ALICE) == "uncovered"
    assert naive_gap_points(t, ALICE) == frozenset(sign_in_space(t).points())
    assert naive_status(t, BOB) == "covered"


def test_two_policies_splitting_platforms_cover():
    t = tenant(policy("mobile", include_platforms=("android", "iOS")),
               policy("rest", include_platforms=("all",), exclude_platforms=("android", "iOS")))
    assert naive_status(t, ALICE) == "covered"


def test_a_list_of_every_platform_misses_the_unknown_platform():
    t = tenant(policy("mobile", include_platforms=("android", "iOS")),
               policy("rest", include_platforms=("windows", "macOS", "linux", "windowsPhone")))
    assert naive_status(t, ALICE) == "uncovered"
    assert {point.platform for point in naive_gap_points(t, ALICE)} == {"unknown"}


def test_two_policies_splitting_client_app_types_cover():
    t = tenant(policy("browser", client_app_types=("browser",)),
               policy("apps", client_app_types=("mobileAppsAndDesktopClients",)))
    assert naive_status(t, ALICE) == "covered"


def test_a_legacy_clients_policy_does_not_cover_modern_clients():
    t = tenant(policy("browser", client_app_types=("browser",)),
               policy("legacy", client_app_types=("exchangeActiveSync", "other"), grant=BLOCK))
    assert naive_status(t, ALICE) == "uncovered"
    assert {point.client_app for point in naive_gap_points(t, ALICE)} == {"mobileAppsAndDesktopClients"}


def test_an_or_grant_offering_a_compliant_device_is_uncovered():
    t = tenant(policy(grant=GrantControls("OR", ("mfa", "compliantDevice"))))
    assert naive_status(t, ALICE) == "uncovered"


def test_a_custom_strength_allowing_password_alone_is_uncovered():
    weak = strength("weak", "password", "password,sms")
    t = tenant(policy(grant=GrantControls("OR", (), authentication_strength_id="weak")),
               authentication_strengths=(weak,))
    assert naive_status(t, ALICE) == "uncovered"
    embedded = tenant(policy(grant=GrantControls("OR", (), authentication_strength_id="weak",
                                                 authentication_strength=weak)))
    assert naive_status(embedded, ALICE) == "uncovered"


def test_a_strength_by_unknown_id_is_undetermined():
    t = tenant(policy(grant=GrantControls("OR", (), authentication_strength_id="never-exported")))
    assert naive_status(t, ALICE) == "undetermined"
    assert naive_undetermined_points(t, ALICE) == frozenset(sign_in_space(t).points())


def test_a_group_without_members_is_undetermined():
    group = Group("g-1", "Pilot", None, ORIGIN)
    t = tenant(policy(users=UserScope(include_groups=("g-1",))), groups=(group,))
    assert naive_status(t, ALICE) == "undetermined"
    excluded = tenant(policy(users=UserScope(include_users=("All",), exclude_groups=("g-1",))), groups=(group,))
    assert naive_status(excluded, ALICE) == "undetermined"


def test_a_report_only_policy_does_not_cover():
    t = tenant(policy(state="enabledForReportingButNotEnforced"), policy("off", state="disabled"))
    assert naive_status(t, ALICE) == "uncovered"
    assert naive_gap_points(t, ALICE) == frozenset(sign_in_space(t).points())


def test_excluding_trusted_locations_with_a_location_of_unknown_trust_is_undetermined():
    office = NamedLocation(HEAD_OFFICE, "Head office", None, ORIGIN)
    t = tenant(policy(include_locations=("All",), exclude_locations=("AllTrusted",)),
               policy("office", include_locations=(HEAD_OFFICE,), grant=GrantControls("OR", ("compliantDevice",))),
               named_locations=(office,))
    assert naive_status(t, ALICE) == "undetermined"
    undetermined = naive_undetermined_points(t, ALICE)
    assert {point.location for point in undetermined} == {HEAD_OFFICE, MFA_TRUSTED_IPS}


def test_a_gap_only_at_the_mfa_trusted_ips_is_undetermined():
    t = tenant(policy(include_locations=("All",), exclude_locations=(MFA_TRUSTED_IPS,)))
    assert naive_status(t, ALICE) == "undetermined"
    assert naive_gap_points(t, ALICE) == frozenset()
    assert {point.location for point in naive_undetermined_points(t, ALICE)} == {MFA_TRUSTED_IPS}


def test_excluding_b2b_collaboration_members_uncovers_an_invited_member():
    t = tenant(policy(users=UserScope(include_users=("All",), exclude_guest_types=("b2bCollaborationMember",))),
               users=(ALICE, INVITED_MEMBER))
    assert naive_status(t, INVITED_MEMBER) == "uncovered"
    assert naive_status(t, ALICE) == "covered"


# -- grants ---------------------------------------------------------------------------------------

def test_an_and_grant_with_mfa_covers():
    t = tenant(policy(grant=GrantControls("AND", ("mfa", "compliantDevice"))))
    assert naive_status(t, ALICE) == "covered"


def test_two_policies_offering_a_device_do_not_add_up_to_mfa():
    device_or_mfa = GrantControls("OR", ("mfa", "compliantDevice"))
    t = tenant(policy("a", grant=device_or_mfa), policy("b", grant=device_or_mfa))
    assert naive_status(t, ALICE) == "uncovered"
    # but one MFA policy is enough, whatever another offers
    assert naive_status(tenant(policy("a", grant=device_or_mfa), policy("b")), ALICE) == "covered"


def test_block_covers():
    assert naive_status(tenant(policy(grant=BLOCK)), ALICE) == "covered"
    assert naive_status(tenant(policy(grant=GrantControls("OR", ("compliantDevice", "block")))), ALICE) == "covered"


def test_built_in_strengths_and_a_multifactor_custom_strength_cover():
    for strength_id in entra.BUILT_IN_STRENGTHS:
        assert naive_status(tenant(policy(grant=GrantControls("OR", (), strength_id))), ALICE) == "covered"
    good = strength("good", "password,microsoftAuthenticatorPush", "fido2", "windowsHelloForBusiness")
    t = tenant(policy(grant=GrantControls("OR", (), "good")), authentication_strengths=(good,))
    assert naive_status(t, ALICE) == "covered"
    not_mfa = strength("good", "password,microsoftAuthenticatorPush", satisfied="mfaAndSomethingElse")
    t = tenant(policy(grant=GrantControls("OR", (), "good")), authentication_strengths=(not_mfa,))
    assert naive_status(t, ALICE) == "uncovered"


def test_a_combination_of_two_distinct_modes_is_multifactor():
    for combinations, status in ((("password,someNewMethod",), "covered"), (("password,password",), "uncovered"),
                                 (("someNewMethod",), "uncovered"), (("temporaryAccessPassOneTime",), "covered")):
        custom = strength("custom", *combinations)
        t = tenant(policy(grant=GrantControls("OR", (), "custom")), authentication_strengths=(custom,))
        assert naive_status(t, ALICE) == status, combinations


def test_a_strength_or_a_device_is_weak_and_a_strength_and_a_device_is_not():
    t = tenant(policy(grant=GrantControls("OR", ("compliantDevice",), MFA_STRENGTH)))
    assert naive_status(t, ALICE) == "uncovered"
    t = tenant(policy(grant=GrantControls("AND", ("compliantDevice",), MFA_STRENGTH)))
    assert naive_status(t, ALICE) == "covered"


def test_password_change_risk_remediation_terms_of_use_and_custom_factors_are_not_mfa():
    for grant in (GrantControls("OR", ("passwordChange",)), GrantControls("OR", ("riskRemediation",)),
                  GrantControls("OR", ("mfa",), terms_of_use=("tou",)),
                  GrantControls("OR", ("mfa",), custom_authentication_factors=("duo",)),
                  GrantControls("OR", ()), None):
        assert naive_status(tenant(policy(grant=grant)), ALICE) == "uncovered", grant
    assert naive_status(tenant(policy(grant=GrantControls("AND", ("mfa", "passwordChange")))), ALICE) == "covered"
    assert naive_status(tenant(policy(grant=GrantControls("AND", ("mfa",), terms_of_use=("tou",)))), ALICE) == "covered"


def test_an_unknown_control_is_undetermined():
    assert naive_status(tenant(policy(grant=GrantControls("OR", ("unknownFutureValue",)))), ALICE) == "undetermined"
    # offered beside a known way through without MFA, it cannot make MFA necessary
    t = tenant(policy(grant=GrantControls("OR", ("unknownFutureValue", "compliantDevice"))))
    assert naive_status(t, ALICE) == "uncovered"


def test_state_is_compared_without_case():
    assert naive_status(tenant(policy(state="Enabled")), ALICE) == "covered"


# -- users ----------------------------------------------------------------------------------------

def test_nested_groups_with_a_cycle():
    outer = Group("g-1", "Outer", ("g-2",), ORIGIN, nested_group_ids=("g-2",))
    inner = Group("g-2", "Inner", ("g-1", "alice"), ORIGIN, nested_group_ids=("g-1",))
    t = tenant(policy(users=UserScope(include_users=("All",), exclude_groups=("g-1",))), groups=(outer, inner))
    assert naive_status(t, ALICE) == "uncovered"
    assert naive_status(t, BOB) == "covered"


def test_a_nested_group_the_export_does_not_have_is_undetermined():
    outer = Group("g-1", "Outer", ("g-9",), ORIGIN, nested_group_ids=("g-9",))
    t = tenant(policy(users=UserScope(include_users=("All",), exclude_groups=("g-1",))), groups=(outer,))
    assert naive_status(t, ALICE) == "undetermined"
    # a direct member is a member, whatever the nested group holds
    outer = Group("g-1", "Outer", ("g-9", "alice"), ORIGIN, nested_group_ids=("g-9",))
    t = tenant(policy(users=UserScope(include_users=("All",), exclude_groups=("g-1",))), groups=(outer,))
    assert naive_status(t, ALICE) == "uncovered"


def test_a_group_the_export_does_not_have_is_undetermined():
    t = tenant(policy(users=UserScope(include_users=("All",), exclude_groups=("g-404",))))
    assert naive_status(t, ALICE) == "undetermined"


def test_roles_through_definitions_groups_and_scopes():
    definition = RoleDefinition("def-1", GLOBAL_ADMIN, "Global Administrator", ORIGIN)
    admins = Group("g-admins", "Admins", ("alice",), ORIGIN)
    everyone_but_admins = policy(users=UserScope(include_users=("All",), exclude_roles=(GLOBAL_ADMIN,)))
    through_group = tenant(everyone_but_admins, groups=(admins,), role_definitions=(definition,),
                           role_assignments=(RoleAssignment("a-1", "g-admins", "def-1", "/", ORIGIN),))
    assert naive_status(through_group, ALICE) == "uncovered"
    assert naive_status(through_group, BOB) == "covered"
    # an assignment scoped to an administrative unit does not hold the role tenant-wide
    scoped = tenant(everyone_but_admins, role_definitions=(definition,),
                    role_assignments=(RoleAssignment("a-1", "alice", "def-1", "/administrativeUnits/au", ORIGIN),))
    assert naive_status(scoped, ALICE) == "covered"
    # without a definition, the assignment's role definition id is the template id
    direct = tenant(everyone_but_admins, role_assignments=(RoleAssignment("a-1", "alice", GLOBAL_ADMIN, "", ORIGIN),))
    assert naive_status(direct, ALICE) == "uncovered"


def test_roles_without_any_assignment_data_are_undetermined():
    t = tenant(policy(users=UserScope(include_roles=(GLOBAL_ADMIN,))), role_assignments=None, role_definitions=None)
    assert naive_status(t, ALICE) == "undetermined"


def test_directory_roles_stand_in_for_missing_role_assignments():
    admins = DirectoryRole("r-1", GLOBAL_ADMIN, "Global Administrator", ("alice",), ORIGIN)
    everyone_but_admins = policy(users=UserScope(include_users=("All",), exclude_roles=(GLOBAL_ADMIN,)))
    t = tenant(everyone_but_admins, role_assignments=None, directory_roles=(admins,))
    assert naive_status(t, ALICE) == "uncovered"
    assert naive_status(t, BOB) == "covered"
    unexpanded = DirectoryRole("r-1", GLOBAL_ADMIN, "Global Administrator", None, ORIGIN)
    t = tenant(everyone_but_admins, role_assignments=None, directory_roles=(unexpanded,))
    assert naive_status(t, BOB) == "undetermined"


def test_guests_or_external_users():
    t = tenant(policy(users=UserScope(include_users=("GuestsOrExternalUsers",))),
               users=(ALICE, INVITED_MEMBER, EXTERNAL_GUEST, INTERNAL_GUEST))
    assert naive_status(t, ALICE) == "uncovered"
    for user in (INVITED_MEMBER, EXTERNAL_GUEST, INTERNAL_GUEST):
        assert naive_status(t, user) == "covered", user.id


def test_guest_types_by_invitation_signs():
    for user_type, extra, guest_type in (("Guest", {}, "internalGuest"),
                                         ("Guest", {"creation_type": "Invitation"}, "b2bCollaborationGuest"),
                                         ("Guest", {"external_user_state": "Accepted"}, "b2bCollaborationGuest"),
                                         ("Member", {"creation_type": "Invitation"}, "b2bCollaborationMember")):
        user = User("x", "x@contoso.example", "X", True, user_type, ORIGIN, **extra)
        t = tenant(policy(users=UserScope(include_guest_types=(guest_type,))), users=(user,))
        assert naive_status(t, user) == "covered", (user_type, extra)


def test_the_guest_type_of_a_user_without_a_type():
    # any of member, internalGuest, b2bCollaborationGuest and b2bCollaborationMember
    untyped = User("x", "x@contoso.example", "X", True, None, ORIGIN)
    for excluded in ("internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember"):
        t = tenant(policy(users=UserScope(include_users=("All",), exclude_guest_types=(excluded,))), users=(untyped,))
        assert naive_status(t, untyped) == "undetermined", excluded
    t = tenant(policy("members", users=UserScope(include_users=("All",), exclude_users=("GuestsOrExternalUsers",))),
               policy("guests", users=UserScope(include_users=("GuestsOrExternalUsers",))), users=(untyped,))
    assert naive_status(t, untyped) == "covered"


def test_a_guest_condition_naming_tenants_is_undetermined():
    t = tenant(policy(users=UserScope(include_guest_types=("b2bCollaborationGuest",), include_guest_tenants=("t-1",))),
               users=(EXTERNAL_GUEST,))
    assert naive_status(t, EXTERNAL_GUEST) == "undetermined"
    # one home tenant: in the list of one policy and out of the other's exclusion, or the reverse
    t = tenant(policy("a", users=UserScope(include_guest_types=("b2bCollaborationGuest",),
                                           include_guest_tenants=("t-1",))),
               policy("b", users=UserScope(include_users=("All",), exclude_guest_types=("b2bCollaborationGuest",),
                                          exclude_guest_tenants=("t-1",))),
               users=(EXTERNAL_GUEST,))
    assert naive_status(t, EXTERNAL_GUEST) == "covered"


def test_an_unknown_guest_type_value_is_undetermined_for_guests_only():
    t = tenant(policy(users=UserScope(include_users=("All",), exclude_guest_types=("unknownFutureValue",))),
               users=(ALICE, EXTERNAL_GUEST))
    assert naive_status(t, EXTERNAL_GUEST) == "undetermined"
    assert naive_status(t, ALICE) == "covered"


def test_none_includes_nobody_and_a_disabled_user_is_still_evaluated():
    assert naive_status(tenant(policy(users=UserScope(include_users=("None",)))), ALICE) == "uncovered"
    disabled = User("zed", "zed@contoso.example", "Zed", False, "Member", ORIGIN)
    assert naive_status(tenant(policy(), users=(disabled,)), disabled) == "covered"


# -- conditions -----------------------------------------------------------------------------------

def test_risk_and_workload_policies_do_not_apply_at_no_risk():
    for fields in ({"sign_in_risk_levels": ("high",)}, {"user_risk_levels": ("low", "medium")},
                   {"insider_risk_levels": ("elevated",)}, {"service_principal_risk_levels": ("high",)},
                   {"include_service_principals": ("sp-1",)}):
        assert naive_status(tenant(policy(**fields)), ALICE) == "uncovered", fields
    # a risk condition that lists "none" applies at no risk
    assert naive_status(tenant(policy(sign_in_risk_levels=("none", "low"))), ALICE) == "covered"


def test_user_actions_and_authentication_contexts_protect_no_app():
    t = tenant(policy(include_applications=(), include_user_actions=("urn:user:registersecurityinfo",)))
    assert naive_status(t, ALICE) == "uncovered"
    t = tenant(policy(include_applications=(), include_authentication_contexts=("c1",)))
    assert naive_status(t, ALICE) == "uncovered"


def test_apps_and_bundles():
    t = tenant(policy("o365", include_applications=("Office365",)),
               policy("rest", include_applications=("All",), exclude_applications=("Office365",)))
    assert naive_status(t, ALICE) == "covered"
    t = tenant(policy("o365", include_applications=("Office365",)))
    assert {point.app for point in naive_gap_points(t, ALICE)} == {"~adminportal", "~other"}
    # an app the tool does not know in Office365 may or may not be in it
    t = tenant(policy("rest", include_applications=("All",), exclude_applications=(LINE_OF_BUSINESS_APP,)),
               policy("o365", include_applications=("Office365",)))
    assert naive_status(t, ALICE) == "undetermined"
    assert {point.app for point in naive_undetermined_points(t, ALICE)} == {LINE_OF_BUSINESS_APP}
    t = tenant(policy("rest", include_applications=("All",), exclude_applications=(EXCHANGE_ONLINE,)),
               policy("o365", include_applications=("Office365",)))
    assert naive_status(t, ALICE) == "covered"


def test_an_application_filter_is_undetermined():
    t = tenant(policy(application_filter=AttributeFilter("exclude", 'CustomSecurityAttribute.x -eq "y"')))
    assert naive_status(t, ALICE) == "undetermined"


def test_device_filters_with_exact_negations_cover():
    t = tenant(policy("compliant", device_filter=AttributeFilter("include", COMPLIANT)),
               policy("not compliant", device_filter=AttributeFilter("include", NOT_COMPLIANT)))
    assert naive_status(t, ALICE) == "covered"
    t = tenant(policy("compliant", device_filter=AttributeFilter("include", COMPLIANT)),
               policy("others", device_filter=AttributeFilter("exclude", COMPLIANT)))
    assert naive_status(t, ALICE) == "covered"
    t = tenant(policy("compliant", device_filter=AttributeFilter("include", COMPLIANT)),
               policy("hybrid", device_filter=AttributeFilter("include", HYBRID_JOINED)))
    assert naive_status(t, ALICE) == "uncovered"
    assert naive_gap_points(t, ALICE) and all(point.device == frozenset() for point in naive_gap_points(t, ALICE))


def test_device_rules_are_read_as_concrete_devices():
    devices = set(sign_in_space(tenant(policy(device_filter=AttributeFilter("include", COMPLIANT)),
                                       policy(device_filter=AttributeFilter("include", NOT_COMPLIANT)))).devices)
    assert devices == {frozenset({COMPLIANT}), frozenset({NOT_COMPLIANT})}
    legacy = "deviceState in [Compliant, DomainJoined]"
    t = tenant(policy("managed", device_filter=AttributeFilter("exclude", legacy)),
               policy("compliant", device_filter=AttributeFilter("include", COMPLIANT)),
               policy("hybrid", device_filter=AttributeFilter("include", HYBRID_JOINED)))
    assert naive_status(t, ALICE) == "covered"
    assert len(parse_device_rule('device.trustType -eq "ServerAD" -and device.isCompliant -ne True')[0]) == 2
    # a rule the oracle cannot read is a property of its own
    rule = 'device.displayName -startsWith "Kiosk"'
    assert set(sign_in_space(tenant(policy(device_filter=AttributeFilter("include", rule)))).devices) == {
        frozenset(), frozenset({rule})}


def test_locations():
    trusted = NamedLocation(HEAD_OFFICE, "Head office", True, ORIGIN)
    untrusted = NamedLocation(BRANCH, "Branch", False, ORIGIN)
    split = (policy("outside", include_locations=("All",), exclude_locations=("AllTrusted",)),
             policy("inside", include_locations=("AllTrusted",)))
    assert naive_status(tenant(*split, named_locations=(trusted, untrusted)), ALICE) == "covered"
    # a location named by id
    t = tenant(policy(include_locations=("All",), exclude_locations=(BRANCH,)), named_locations=(untrusted,))
    assert {point.location for point in naive_gap_points(t, ALICE)} == {BRANCH}
    assert sign_in_space(t).locations == (BRANCH, ELSEWHERE)


def test_alltrusted_names_the_trusted_locations_no_policy_names():
    trusted = NamedLocation(HEAD_OFFICE, "Head office", True, ORIGIN)
    t = tenant(policy(include_locations=("All",), exclude_locations=("AllTrusted",)), named_locations=(trusted,))
    assert naive_status(t, ALICE) == "uncovered"
    assert {point.location for point in naive_gap_points(t, ALICE)} == {HEAD_OFFICE}


def test_flows():
    t = tenant(policy(authentication_flows=("deviceCodeFlow",)))
    assert naive_status(t, ALICE) == "uncovered"
    assert {point.flow for point in naive_gap_points(t, ALICE)} == {"none", "authenticationTransfer"}
    t = tenant(policy(authentication_flows=("deviceCodeFlow",), grant=BLOCK), policy("mfa"))
    assert naive_status(t, ALICE) == "covered"


def test_unknown_condition_values_are_undetermined():
    t = tenant(policy(include_platforms=("all",), exclude_platforms=("unknownFutureValue",)))
    assert naive_status(t, ALICE) == "undetermined"
    assert {point.platform for point in naive_undetermined_points(t, ALICE)} == set(PLATFORMS)
    # an unknown value can only add to what the known ones include
    t = tenant(policy(include_platforms=("android", "iOS", "windows", "macOS", "linux", "windowsPhone", "future")))
    assert {point.platform for point in naive_undetermined_points(t, ALICE)} == {"unknown"}
    t = tenant(policy(client_app_types=("browser", "future")))
    assert {point.client_app for point in naive_undetermined_points(t, ALICE)} == {"mobileAppsAndDesktopClients"}


# -- random tenants -------------------------------------------------------------------------------

@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tenants())
def test_naive_status_runs_on_random_tenants(t: Tenant):
    for user in users_of(t):
        status = naive_status(t, user)
        gaps, undetermined = naive_gap_points(t, user), naive_undetermined_points(t, user)
        assert not gaps & undetermined
        assert status == ("uncovered" if gaps else "undetermined" if undetermined else "covered")
        assert all(point.location != MFA_TRUSTED_IPS for point in gaps)


def every_world_at_once(t: Tenant, user: User) -> tuple[frozenset[naive.Point], frozenset[naive.Point]]:
    """Gap and undetermined points with every fact in every world, scoped or not (slow)."""
    d = naive.Directory(t, user)
    space = naive.sign_in_space(t)
    policies = naive._guarding_candidates(t)
    facts = [fact._replace(scope=None) for fact in naive.facts(t, user, policies, space)]
    conditions = [naive.Conditions.of(policy) for policy in policies]
    through: dict[naive.Point, list[bool]] = {point: [] for point in space.points()}
    for values in naive._assignments(facts):
        world = naive.World(values)
        guarding = [conditions[index] for index, policy in enumerate(policies)
                    if naive._applies_to_user(d, policy, world) and naive._grant(d, policy, world) is not None]
        for point, outcomes in through.items():
            outcomes.append(naive._gets_through(d, guarding, point, world))
    return (frozenset(point for point, outcomes in through.items() if all(outcomes)),
            frozenset(point for point, outcomes in through.items() if any(outcomes) and not all(outcomes)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(tenants())
def test_scoped_facts_give_the_same_points_as_every_world_at_once(t: Tenant):
    users = users_of(t)
    assume(users)
    user = users[0]
    policies = naive._guarding_candidates(t)
    facts = naive.facts(t, user, policies, sign_in_space(t))
    assume(any(fact.scope is not None for fact in facts) and len(facts) <= 6)
    assert every_world_at_once(t, user) == (naive_gap_points(t, user), naive_undetermined_points(t, user))
