"""Per-user work is per class: users of one class share its outcome, its words and its evidence.

DESIGN section 4 ("Cost"): explaining why ten thousand users are uncovered costs no more than
explaining their classes. These tests pin the sharing that keeps it so, and that the shortcuts
taken for it read the policies exactly as the plain per-policy reading does.
"""
from __future__ import annotations

import pytest

from checker.checks.base import CheckContext
from checker.checks.registration import mfa_registered
from checker.checks.user_coverage import user_mfa_coverage
from checker.coverage_summary import summarise_coverage
from checker.evaluation.evaluate import COVERED, Evaluation, evaluate
from checker.evaluation.tri import Tri
from checker.evaluation.users import UserClass, new_guest, new_member, role_holder
from checker.gaps_summary import summarise_gaps
from checker.inputs.load import load
from checker.model import ConditionalAccessPolicy, GrantControls, Tenant, UserScope
from checker.origin import Origin
from checker.verdicts import Verdict
from tests.test_bench_generator import generator


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> CheckContext:
    folder = tmp_path_factory.mktemp("per-class") / "uncovered"
    generator.generate(200, str(folder), seed=3, situation="uncovered")
    loaded = load([str(folder)])
    return CheckContext(loaded.tenant, inputs=loaded.inputs)


def _classes_to_try(evaluation: Evaluation) -> list[UserClass]:
    return [*evaluation.classes, new_member(), new_guest("b2bCollaborationGuest"),
            role_holder("62e90394-69f5-4237-9190-012177145e10", "Global Administrator")]


def test_the_tenant_has_several_classes_and_uncovered_users(context: CheckContext) -> None:
    evaluation = context.evaluation
    assert len(evaluation.classes) > 5
    assert sum(1 for _, outcome in evaluation.user_outcomes() if outcome.status != COVERED) > 50


def test_every_policy_reads_a_class_as_it_does_alone(context: CheckContext) -> None:
    evaluation = context.evaluation
    for user_class in _classes_to_try(evaluation):
        by_class = evaluation.applies_to_class(user_class)
        alone = [evaluation.conditions.applies(policy, user_class) for policy in evaluation.policies]
        assert by_class == alone, user_class.key
        # and the very objects the per-policy reading caches, which keyed caches rely on
        assert all(by_class[i] is evaluation.applies(i, user_class) for i in range(len(evaluation.policies)))


def test_user_outcomes_follow_the_users_and_their_classes(context: CheckContext) -> None:
    evaluation = context.evaluation
    pairs = list(evaluation.user_outcomes())
    assert [user for user, _ in pairs] == list(evaluation.users())
    for user, outcome in pairs:
        user_class = evaluation.class_of_user[user.id.lower()]
        assert outcome is evaluation.outcome(user_class)
        assert outcome.status == evaluation.status_of_user(user.id)


def test_a_class_lists_its_users_in_the_order_of_the_users(context: CheckContext) -> None:
    evaluation = context.evaluation
    position = {user.id.lower(): index for index, user in enumerate(evaluation.users())}
    for user_class in evaluation.classes:
        places = [position[user_id] for user_id in user_class.user_ids]
        assert places == sorted(places)


def test_users_of_one_class_share_the_message_and_the_evidence_of_their_gaps(context: CheckContext) -> None:
    evaluation = context.evaluation
    findings = {f.subject.id.lower(): f for f in user_mfa_coverage(context) if f.subject.kind == "user"}
    by_class: dict[object, list[str]] = {}
    for user_id in findings:
        by_class.setdefault(evaluation.class_of_user[user_id].key, []).append(user_id)
    shared = [ids for ids in by_class.values() if len(ids) > 1]
    assert shared
    for ids in shared:
        first, *others = (findings[i] for i in ids)
        assert first.verdict is Verdict.FAIL
        for other in others:
            assert other.message is first.message
            assert other.evidence[0].origin != first.evidence[0].origin  # each user's own object
            assert len(other.evidence) == len(first.evidence)
            assert all(mine is theirs for mine, theirs in zip(other.evidence[1:], first.evidence[1:], strict=True))


def test_a_user_is_one_subject_in_every_rule_and_summary(context: CheckContext) -> None:
    coverage = summarise_coverage(context)
    from_rule = {f.subject.id: f.subject for f in user_mfa_coverage(context) if f.subject.kind == "user"}
    assert coverage.uncovered
    assert all(subject is from_rule[subject.id] for subject in coverage.uncovered)
    in_gaps = [subject for found in summarise_gaps(context).classes for subject in found.users]
    assert in_gaps and all(subject is from_rule[subject.id] for subject in in_gaps)
    registration = [f.subject for f in mfa_registered(context) if f.subject.kind == "user"]
    assert registration
    assert all(subject is context.user_subject(subject.id, subject.name) for subject in registration)


def test_a_subject_asked_for_under_another_name_is_its_own(context: CheckContext) -> None:
    user = context.evaluation.users()[0]
    mine = context.user_subject(user.id, user.user_principal_name)
    other = context.user_subject(user.id, "someone else")
    assert other.name == "someone else" and mine.name == user.user_principal_name
    assert context.user_subject(user.id, user.user_principal_name) is mine


def test_a_role_the_export_does_not_identify_is_read_for_every_role_holder() -> None:
    here = Origin("t.json", "/p")
    mfa = GrantControls("OR", ("mfa",))
    policies = (
        ConditionalAccessPolicy("a", "Admins by name", "enabled", here, grant=mfa, include_applications=("All",),
                                users=UserScope(include_roles=("Bogus Administrator",))),
        ConditionalAccessPolicy("b", "Everyone", "enabled", here, grant=mfa, include_applications=("All",),
                                users=UserScope(include_users=("All",),
                                                exclude_roles=("62e90394-69f5-4237-9190-012177145e10",))),
    )
    evaluation = evaluate(Tenant(conditional_access_policies=policies))
    for user_class in (new_member(), role_holder("194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator"),
                       role_holder("62e90394-69f5-4237-9190-012177145e10", "Global Administrator")):
        assert evaluation.applies_to_class(user_class) == [evaluation.conditions.applies(p, user_class)
                                                           for p in policies]
    holder = evaluation.applies_to_class(role_holder("194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator"))
    assert holder[0].value is Tri.MAYBE and evaluation.applies_to_class(new_member())[0].value is Tri.NO
