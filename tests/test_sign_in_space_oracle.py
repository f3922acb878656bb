"""The evaluation agrees with a deliberately naive oracle on generated tenants (DESIGN section 4).

The oracle (tests/oracle/naive.py) enumerates every point of the sign-in space in every
possible world; the evaluation cuts the space into atoms and users into classes. For every
enabled user of every generated tenant they must agree on the status, and a point lies in one
of the evaluation's gap regions exactly when the oracle finds it open in every world.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings

from checker import entra
from checker.evaluation import space as sp
from checker.evaluation.evaluate import MFA, evaluate
from checker.model import Tenant
from tests.oracle import naive
from tests.oracle.strategies import tenants, users_of

EXAMPLES = int(os.environ.get("ORACLE_EXAMPLES", "300"))
_APPS = {naive.SOME_OFFICE365_APP: sp.OTHER_OFFICE365, naive.SOME_ADMIN_PORTAL: sp.OTHER_PORTAL,
         naive.SOME_OTHER_APP: sp.OTHER_APP}


def _device_rules(tenant: Tenant) -> dict[str, str]:
    """Device dimension -> one rule text that the policies use for it."""
    rules: dict[str, str] = {}
    for policy in tenant.conditional_access_policies or ():
        if policy.device_filter is not None:
            rules.setdefault(sp.device_dimension(sp.device_rule(policy.device_filter.rule).key),
                             policy.device_filter.rule)
    return rules


def _located(point: naive.Point, device_rules: dict[str, str]) -> dict[str, str]:
    """The oracle's point in the evaluation's atoms."""
    located = {
        sp.APPS: _APPS.get(point.app, point.app),
        sp.CLIENTS: point.client_app,
        sp.PLATFORMS: point.platform,
        sp.LOCATIONS: sp.ELSEWHERE if point.location == naive.ELSEWHERE else point.location,
        sp.FLOWS: point.flow,
    }
    for dimension, rule in device_rules.items():
        matches_rule = rule in point.device
        negated = sp.device_rule(rule).negated
        located[dimension] = sp.MATCH if matches_rule != negated else sp.NO_MATCH
    return located


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tenants())
def test_the_evaluation_agrees_with_the_naive_oracle(tenant: Tenant) -> None:
    evaluation = evaluate(tenant)
    evaluation.space(MFA)
    device_rules = _device_rules(tenant)
    points = list(naive.sign_in_space(tenant).points())
    for user in users_of(tenant):
        outcome = evaluation.outcome(evaluation.class_of_user[user.id.lower()])
        assert outcome.status == naive.naive_status(tenant, user), (user, [g.text for g in outcome.gaps])
        if outcome.status != "uncovered":
            continue
        open_points = naive.naive_gap_points(tenant, user)
        regions = [g.region for g in outcome.gaps]
        for point in points:
            if point.location == entra.MFA_TRUSTED_IPS:
                continue  # never a certain gap; the regions around it say so in words
            inside = any(region.contains(_located(point, device_rules)) for region in regions)
            assert inside == (point in open_points), (user, point, [g.text for g in outcome.gaps])
