from __future__ import annotations

from checker.evaluation.evaluate import evaluate
from checker.model import (
    ConditionalAccessPolicy,
    DirectoryRole,
    GrantControls,
    Group,
    RoleAssignment,
    Tenant,
    User,
    UserScope,
)
from checker.origin import Origin
from checker.semantics.directory import build_directory

HERE = Origin("test.json")
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"


def user(key: str, enabled: bool = True, kind: str | None = "Member") -> User:
    return User(key, f"{key}@contoso.example", key, enabled, kind, HERE)


def group(key: str, *members: str, nested: tuple[str, ...] = (), transitive: bool = False,
          expanded: bool = True) -> Group:
    return Group(key, key.capitalize(), tuple(members) if expanded else None, HERE, nested, transitive)


def mfa_policy(**scope: tuple[str, ...]) -> ConditionalAccessPolicy:
    return ConditionalAccessPolicy("p", "Require MFA", "enabled", HERE, users=UserScope(**scope),
                                   include_applications=("All",), client_app_types=("all",),
                                   grant=GrantControls(built_in_controls=("mfa",)))


def test_a_membership_cycle_ends_and_both_groups_share_their_users() -> None:
    tenant = Tenant(users=(user("ann"), user("bob")),
                    groups=(group("a", "ann", "b", nested=("b",)), group("b", "bob", "a", nested=("a",))))
    directory = build_directory(tenant)
    assert directory.members("a").users == directory.members("b").users == {"ann", "bob"}
    assert directory.members("a").complete


def test_unknown_membership_is_said_not_guessed() -> None:
    tenant = Tenant(users=(user("ann"),), groups=(
        group("outer", "ann", "inner", "ghost", nested=("inner", "ghost")),
        group("inner", expanded=False),
    ))
    membership = build_directory(tenant).members("outer")
    assert membership.users == {"ann"}
    assert not membership.complete
    assert membership.missing_groups == ("ghost", "inner")
    absent = build_directory(tenant).members("nowhere")
    assert (absent.users, absent.complete) == (frozenset(), False)


def test_transitive_members_are_taken_as_they_are() -> None:
    tenant = Tenant(users=(user("ann"), user("bob")),
                    groups=(group("all", "ann", "bob", "team", nested=("team",), transitive=True),))
    membership = build_directory(tenant).members("all")
    assert (membership.users, membership.complete) == ({"ann", "bob"}, True)


def test_role_holders_count_groups_and_skip_administrative_unit_scopes() -> None:
    tenant = Tenant(
        users=(user("ann"), user("bob"), user("cid"), user("dee")),
        groups=(group("admins", "bob"),),
        role_assignments=(
            RoleAssignment("1", "ann", GLOBAL_ADMIN, "/", HERE),
            RoleAssignment("2", "admins", GLOBAL_ADMIN, "/", HERE),
            RoleAssignment("3", "cid", GLOBAL_ADMIN, "/administrativeUnits/au-1", HERE),
        ),
        directory_roles=(DirectoryRole("r", GLOBAL_ADMIN, "Global Administrator", ("dee",), HERE),),
    )
    directory = build_directory(tenant)
    assert directory.holders(GLOBAL_ADMIN) == {"ann", "bob", "dee"}
    assert directory.roles_of("cid") == []
    assert directory.role_name(GLOBAL_ADMIN) == "Global Administrator"


def test_without_role_data_a_role_scoped_policy_cannot_be_decided() -> None:
    tenant = Tenant(users=(user("ann"),), conditional_access_policies=(mfa_policy(include_roles=(GLOBAL_ADMIN,)),))
    directory = build_directory(tenant)
    assert not directory.roles_known
    assert evaluate(tenant).status_of_user("ann") == "undetermined"


def test_members_that_are_not_users_are_not_counted_as_users() -> None:
    tenant = Tenant(users=(user("ann"),), groups=(group("g", "ann", "device-1"),),
                    conditional_access_policies=(mfa_policy(include_users=("All",), exclude_groups=("g",)),))
    evaluation = evaluate(tenant)
    assert [u.id for u in evaluation.users()] == ["ann"]
    assert evaluation.status_of_user("ann") == "uncovered"


def test_disabled_users_are_left_out_and_guests_are_counted() -> None:
    tenant = Tenant(users=(user("ann"), user("old", enabled=False), user("gus", kind="Guest")),
                    conditional_access_policies=(mfa_policy(include_users=("All",)),))
    evaluation = evaluate(tenant)
    assert [u.id for u in evaluation.users()] == ["ann", "gus"]
    assert [evaluation.status_of_user(u) for u in ("ann", "gus")] == ["covered", "covered"]


def test_a_guest_condition_without_user_types_cannot_be_decided() -> None:
    tenant = Tenant(users=(user("ann", kind=None),),
                    conditional_access_policies=(mfa_policy(include_users=("All",),
                                                            exclude_users=("GuestsOrExternalUsers",)),))
    assert evaluate(tenant).status_of_user("ann") == "undetermined"
