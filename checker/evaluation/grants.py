"""What one policy's grant demands of a sign-in (DESIGN section 4, "The grant of a sign-in").

Block wins; otherwise a policy requires MFA on its own when, with AND, one of its controls is
MFA-class, or, with OR, every control it offers is. Authentication strengths count by their
definition: the built-ins by id, a custom one by ``requirementsSatisfied: mfa`` and
multifactor combinations only. What the export does not define is undetermined, never MFA.
"""
from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from checker import entra
from checker.evaluation.facts import Fact, World
from checker.evaluation.tri import Tri
from checker.model import AuthenticationStrength, ConditionalAccessPolicy, GrantControls

KNOWN_CONTROLS = {
    "block": "block access",
    "mfa": "MFA",
    "compliantdevice": "a compliant device",
    "domainjoineddevice": "a hybrid-joined device",
    "approvedapplication": "an approved client app",
    "compliantapplication": "an app protection policy",
    "passwordchange": "a password change",
    "riskremediation": "risk remediation",
}
DEVICE_CONTROLS = frozenset({"compliantdevice", "domainjoineddevice"})
USER_RISK_CONTROLS = frozenset({"passwordchange", "riskremediation"})


class Demand(enum.Enum):
    BLOCK = "blocked"
    MFA = "MFA"
    WEAK = "weak"
    NOTHING = "no control"
    UNDETERMINED = "undetermined"


@dataclass(frozen=True)
class Option:
    """One control a grant offers: its words, whether it is MFA-class, and its tier."""

    words: str
    mfa: Tri
    tier: int = 0
    # the fact that settles an undetermined option
    fact: Fact = ()


@dataclass(frozen=True)
class GrantEffect:
    demand: Demand
    tier: int = 0
    ways_around: tuple[str, ...] = ()
    undetermined: tuple[str, ...] = ()
    controls: frozenset[str] = frozenset()
    # what settles an undetermined grant: with AND, any of them; with OR, all of them
    unsure_facts: tuple[Fact, ...] = ()
    needs_all: bool = False

    def protects_in(self, world: World) -> bool:
        if self.demand is not Demand.UNDETERMINED:
            return self.protects is Tri.YES
        settled = [bool(world.get(fact, False)) for fact in self.unsure_facts]
        return bool(settled) and (all(settled) if self.needs_all else any(settled))

    @property
    def protects(self) -> Tri:
        """Does the grant on its own block or require MFA?"""
        if self.demand in (Demand.BLOCK, Demand.MFA):
            return Tri.YES
        return Tri.MAYBE if self.demand is Demand.UNDETERMINED else Tri.NO

    @property
    def words(self) -> str:
        if self.demand is Demand.BLOCK:
            return "blocks access"
        if self.demand is Demand.MFA:
            return f"requires {entra.TIER_NAMES[self.tier]}"
        if self.demand is Demand.WEAK:
            return "lets a sign-in through without MFA by offering " + " or ".join(self.ways_around)
        if self.demand is Demand.UNDETERMINED:
            return "its grant cannot be judged: " + "; ".join(self.undetermined)
        return "its grant asks for no MFA" + (f" (it asks for {', '.join(self.ways_around)})" if self.ways_around else "")


def grant_effect(policy: ConditionalAccessPolicy, strengths: Mapping[str, AuthenticationStrength]) -> GrantEffect:
    grant = policy.grant
    if grant is None:
        return GrantEffect(Demand.NOTHING)
    controls = frozenset(c.lower() for c in grant.built_in_controls)
    if "block" in controls:
        return GrantEffect(Demand.BLOCK, controls=controls)
    options = _options(grant, strengths)
    if not options:
        return GrantEffect(Demand.NOTHING, controls=controls)
    mfa = [o for o in options if o.mfa is Tri.YES]
    unsure = tuple(o.words for o in options if o.mfa is Tri.MAYBE)
    facts = tuple(o.fact for o in options if o.mfa is Tri.MAYBE)
    weak = tuple(o.words for o in options if o.mfa is Tri.NO)
    if grant.operator.upper() == "AND":
        if mfa:
            return GrantEffect(Demand.MFA, max(o.tier for o in mfa), controls=controls)
        if unsure:
            return GrantEffect(Demand.UNDETERMINED, undetermined=unsure, controls=controls, unsure_facts=facts)
        return GrantEffect(Demand.NOTHING, ways_around=weak, controls=controls)
    if grant.operator.upper() != "OR":
        return GrantEffect(Demand.UNDETERMINED, undetermined=(f"the grant operator {grant.operator!r} is unknown",),
                           controls=controls, unsure_facts=(("grant operator requires MFA", grant.operator),))
    if weak:
        demand = Demand.WEAK if mfa or unsure else Demand.NOTHING
        return GrantEffect(demand, ways_around=weak, controls=controls)
    if unsure:
        return GrantEffect(Demand.UNDETERMINED, undetermined=unsure, controls=controls, unsure_facts=facts,
                           needs_all=True)
    return GrantEffect(Demand.MFA, min(o.tier for o in mfa), controls=controls)


def _options(grant: GrantControls, strengths: Mapping[str, AuthenticationStrength]) -> list[Option]:
    options = [_control(control) for control in grant.built_in_controls]
    if grant.authentication_strength_id or grant.authentication_strength is not None:
        options.append(strength_option(grant, strengths))
    options += [Option(f"the custom control {factor!r}", Tri.NO) for factor in grant.custom_authentication_factors]
    if grant.terms_of_use:
        options.append(Option("terms of use to accept", Tri.NO))
    return options


def _control(control: str) -> Option:
    key = control.lower()
    if key == "mfa":
        return Option("MFA", Tri.YES, 1)
    if key in KNOWN_CONTROLS:
        return Option(KNOWN_CONTROLS[key], Tri.NO)
    return Option(f"the unknown control {control!r}", Tri.MAYBE, fact=("control is MFA-class", key))


def strength_option(grant: GrantControls, strengths: Mapping[str, AuthenticationStrength]) -> Option:
    strength_id = (grant.authentication_strength_id or "").lower()
    if strength_id in entra.BUILT_IN_STRENGTHS:
        name, tier = entra.BUILT_IN_STRENGTHS[strength_id]
        return Option(f"the authentication strength '{name}'", Tri.YES, tier)
    strength = grant.authentication_strength
    if strength is None or strength.allowed_combinations is None:
        strength = strengths.get(strength_id, strength)
    name = grant.authentication_strength_name or (strength.display_name if strength else "") or strength_id
    if strength is None or strength.allowed_combinations is None:
        return Option(f"the authentication strength '{name}', which the export does not define", Tri.MAYBE,
                      fact=("strength is MFA-class", strength_id))
    return _custom_strength(strength, name)


def _custom_strength(strength: AuthenticationStrength, name: str) -> Option:
    combinations = [c.lower() for c in strength.allowed_combinations or ()]
    single = [c for c in combinations if not is_multifactor(c)]
    known_single = [c for c in single if _known_combination(c)]
    if strength.requirements_satisfied.lower() != "mfa" or known_single:
        shown = ", ".join(known_single) or "single-factor sign-in"
        return Option(f"the authentication strength '{name}', which allows {shown}", Tri.NO)
    if single:
        return Option(f"the authentication strength '{name}' (unknown methods: {', '.join(single)})", Tri.MAYBE,
                      fact=("strength is MFA-class", strength.id.lower()))
    if combinations and set(combinations) <= entra.PHISHING_RESISTANT_MODES:
        return Option(f"the authentication strength '{name}'", Tri.YES, 3)
    if combinations and set(combinations) <= entra.PASSWORDLESS_MODES:
        return Option(f"the authentication strength '{name}'", Tri.YES, 2)
    return Option(f"the authentication strength '{name}'", Tri.YES, 1)


def is_multifactor(combination: str) -> bool:
    modes = [mode.strip().lower() for mode in combination.split(",") if mode.strip()]
    return len(modes) >= 2 or (len(modes) == 1 and modes[0] in entra.MULTIFACTOR_MODES)


def _known_combination(combination: str) -> bool:
    return all(m.strip().lower() in entra.SINGLE_FACTOR_MODES | entra.MULTIFACTOR_MODES
               for m in combination.split(","))


def answers_user_risk(policy: ConditionalAccessPolicy) -> Tri:
    """Does the grant block, or demand a password change or risk remediation, on every way through?"""
    grant = policy.grant
    if grant is None:
        return Tri.NO
    controls = {c.lower() for c in grant.built_in_controls}
    if "block" in controls:
        return Tri.YES
    if grant.operator.upper() == "AND":
        return Tri.YES if controls & USER_RISK_CONTROLS else Tri.NO
    offered = controls | ({"strength"} if grant.authentication_strength_id or grant.authentication_strength else set()) \
        | ({"terms"} if grant.terms_of_use else set()) | ({"custom"} if grant.custom_authentication_factors else set())
    return Tri.YES if offered and offered <= USER_RISK_CONTROLS else Tri.NO
