"""The outcome of every sign-in of every user class, and the gaps with their explanation.

A slice fixes what a rule asks about (client app types, risk levels, which grants answer);
within it, the enforced policies that apply to a class each cover a box of the space, and the
class's gaps are what no box covers. Boxes are read twice: certainly (what the export shows)
and possibly (giving every unknown the benefit of the doubt). What even the possible boxes
leave open is a gap; what only the certain ones leave open is undetermined.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from checker import entra
from checker.evaluation import space as sp
from checker.evaluation.describe import dimension_words, location_name, region_words
from checker.evaluation.facts import Fact, World, worlds
from checker.evaluation.grants import (
    Demand,
    GrantEffect,
    answers_user_risk,
    grant_effect,
)
from checker.evaluation.regions import Region, intersection, partition, size_of, uncovered
from checker.evaluation.tri import Tri
from checker.evaluation.users import Applies, UserClass, UserConditions, guest_tenants, named_tokens
from checker.model import ConditionalAccessPolicy, Tenant, User
from checker.semantics import policy as ca
from checker.semantics.directory import Directory, build_directory

COVERED, UNCOVERED, UNDETERMINED = "covered", "uncovered", "undetermined"
# Past this many worlds, each policy is read at its most favourable instead (undetermined, never a pass).
_MOST_WORLDS = 4096
_SKIPPED = {sp.LOCATIONS: "sign-ins {}", sp.PLATFORMS: "sign-ins on {}", sp.CLIENTS: "sign-ins by {}",
            sp.FLOWS: "sign-ins by {}"}
_DIMENSION_WORDS = {
    sp.APPS: "app (an application filter, or an app bundle whose members are not all known)",
    sp.CLIENTS: "client app type", sp.PLATFORMS: "platform", sp.LOCATIONS: "location (trust not exported)",
    sp.FLOWS: "authentication flow",
}

# A role no policy names: a class that holds some role reads, to the policies that do not name its own,
# as one that holds only this.
_UNNAMED_ROLE = ("role", "")
# A gap's message names this many of the policies that would close it; gaps --format json lists them all.
CLOSERS_NAMED = 3


@dataclass(frozen=True)
class Slice:
    """One question asked of the space: which sign-ins, at which risk, answered by which grants."""

    name: str
    clients: tuple[str, ...]
    sign_in_risk: str = "none"
    user_risk: str = "none"
    # "mfa": blocked or MFA; "block": blocked; "user-risk": blocked or a password change
    answer: str = "mfa"
    # only policies that carry this risk condition count ("signInRisk", "userRisk" or "")
    needs_condition: str = ""

    @property
    def missing(self) -> str:
        """What a sign-in in a gap of this slice lacks."""
        return {"block": "not blocked", "user-risk": "no password change or block"}.get(self.answer, "no MFA")


MFA = Slice("mfa", entra.MODERN_CLIENTS)
LEGACY = Slice("legacy", entra.LEGACY_CLIENTS, answer="block")
USER_RISK_HIGH = Slice("user-risk-high", entra.MODERN_CLIENTS + entra.LEGACY_CLIENTS, user_risk="high",
                       answer="user-risk", needs_condition="userRisk")


def sign_in_risk(level: str) -> Slice:
    return Slice(f"sign-in-risk-{level}", entra.MODERN_CLIENTS, sign_in_risk=level, needs_condition="signInRisk")


@dataclass(frozen=True)
class Gap:
    """Sign-ins of a class that get through without the answer the slice asks for."""

    region: Region
    words: str
    certain: bool
    closest: str = ""
    would_close: tuple[str, ...] = ()
    unknowns: tuple[str, ...] = ()
    closest_policy: ConditionalAccessPolicy | None = None
    missing: str = "no MFA"
    excluded_from: tuple[str, ...] = ()
    assumption: str = ""

    @property
    def text(self) -> str:
        text = self.words + (f" → {self.missing}" if self.certain else " → undetermined")
        if self.unknowns:
            text += " (" + "; ".join(self.unknowns) + ")"
        if self.excluded_from:
            text += " (" + _first_named(self.excluded_from, "; ", "; and from {} more") + ")"
        if self.assumption:
            text += f" ({self.assumption})"
        if self.closest:
            text += f" (closest: {self.closest})"
        if self.would_close:
            text += "; would be closed by " + _first_named(self.would_close, ", ", " and {} more")
        return text


def _first_named(names: tuple[str, ...], separator: str, rest: str) -> str:
    """The first CLOSERS_NAMED of ``names``, then ``rest`` counting the others ("{}"), if any."""
    more = len(names) - CLOSERS_NAMED
    return separator.join(names[:CLOSERS_NAMED]) + (rest.format(more) if more > 0 else "")


@dataclass(frozen=True)
class Outcome:
    user_class: UserClass
    status: str
    gaps: tuple[Gap, ...] = ()
    protected_by: tuple[ConditionalAccessPolicy, ...] = ()


@dataclass(frozen=True)
class _PolicyView:
    policy: ConditionalAccessPolicy
    reach: Mapping[str, sp.Reach]
    effect: GrantEffect
    answers: Tri
    counts: bool

    def facts(self) -> set[Fact]:
        found = set().union(*(reach.facts() for reach in self.reach.values()))
        return found | set(self.effect.unsure_facts) if self.answers is Tri.MAYBE else found

    def protects_in(self, world: World) -> bool:
        return self.answers is Tri.YES or (self.answers is Tri.MAYBE and self.effect.protects_in(world))


@dataclass(frozen=True)
class _Candidate:
    """An enforced policy that may protect sign-ins of a slice, with its boxes read both ways."""

    index: int
    view: _PolicyView
    certain: dict[str, frozenset[str]]
    possible: dict[str, frozenset[str]]
    note: str


@dataclass(frozen=True)
class _Closer:
    """What one policy says about one gap region: nothing (it does not fall short), the exclusion that
    alone keeps it off, or its rank as the closest policy (and whether enforcing it would close the gap)."""

    excluded: str = ""
    would_close: str = ""
    rank: tuple[float, str, str, int] | None = None


_Regions = tuple[str, tuple[Region, ...], tuple[str, ...], tuple[ConditionalAccessPolicy, ...]]


@dataclass
class Evaluation:
    """The one evaluation every check, ``explain-user`` and ``gaps`` read."""

    tenant: Tenant
    directory: Directory
    conditions: UserConditions
    policies: tuple[ConditionalAccessPolicy, ...]
    # each class lists its users in the order of ``enabled_users``
    classes: tuple[UserClass, ...]
    class_of_user: Mapping[str, UserClass]
    location_names: Mapping[str, str]
    guest_tenants: tuple[str, ...] = ()
    enabled_users: tuple[User, ...] = ()
    _spaces: dict[str, tuple[sp.Space, list[_PolicyView]]] = field(default_factory=dict)
    _reaches: dict[tuple[str, ...], tuple[sp.Space, list[dict[str, sp.Reach]]]] = field(default_factory=dict)
    _effects: list[GrantEffect] = field(default_factory=list)
    _applies: dict[tuple[object, ...], Applies] = field(default_factory=dict)
    _named: dict[int, frozenset[tuple[str, str]]] = field(default_factory=dict)
    _candidate_lists: dict[tuple[str, int], list[_Candidate]] = field(default_factory=dict)
    _regions: dict[tuple[object, ...], _Regions] = field(default_factory=dict)
    _indexes: dict[int, int] = field(default_factory=dict)
    _outcomes: dict[tuple[object, str], Outcome] = field(default_factory=dict)
    _closers: dict[str, list[tuple[int, _PolicyView]]] = field(default_factory=dict)
    _closer_entries: dict[tuple[str, Region], dict[tuple[int, int], _Closer]] = field(default_factory=dict)
    _atoms: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    _applies_by_class: dict[object, list[Applies]] = field(default_factory=dict)
    _policies_naming: dict[tuple[str, str], list[int]] | None = None
    # the class of each enabled user, in the order of ``enabled_users``
    enabled_classes: tuple[UserClass, ...] = ()

    def users(self) -> tuple[User, ...]:
        """The enabled users, by UPN."""
        return self.enabled_users

    def applies(self, index: int, user_class: UserClass) -> Applies:
        """The policy's user conditions for a class; classes alike in what the policy names share one answer."""
        if index not in self._named:
            self._named[index] = named_tokens(self.policies[index])
        key = (index, user_class.kind, bool(user_class.synthetic), user_class.holds_a_role,
               user_class.tokens & self._named[index])
        found = self._applies.get(key)
        if found is None:
            found = self._applies[key] = self.conditions.applies(self.policies[index], user_class)
        return found

    def applies_to_class(self, user_class: UserClass) -> list[Applies]:
        """Every policy's user conditions for a class, by policy index.

        A policy that names none of the class's users, groups and roles reads it as it reads any class
        of its kind, so only the policies that name one of them are read for the class itself.
        """
        found = self._applies_by_class.get(user_class.key)
        if found is None:
            naming = self._naming()
            # whether the class holds some role counts too (a role the export names but does not identify)
            tokens = frozenset({_UNNAMED_ROLE} if user_class.holds_a_role else ())
            if tokens & naming.keys():
                found = [self.applies(i, user_class) for i in range(len(self.policies))]
            else:
                bare = (user_class.kind, tuple(tokens), user_class.synthetic)
                base = self._applies_by_class.get(bare)
                if base is None:
                    stand_in = UserClass(user_class.kind, tokens, synthetic=user_class.synthetic)
                    base = self._applies_by_class[bare] = [self.applies(i, stand_in)
                                                           for i in range(len(self.policies))]
                found = list(base)
                for index in {i for token in user_class.tokens for i in naming.get(token, ())}:
                    found[index] = self.applies(index, user_class)
            self._applies_by_class[user_class.key] = found
        return found

    def _naming(self) -> dict[tuple[str, str], list[int]]:
        """Which policies name each user, group and role."""
        if self._policies_naming is None:
            self._policies_naming = {}
            for index, policy in enumerate(self.policies):
                for token in named_tokens(policy):
                    self._policies_naming.setdefault(token, []).append(index)
        return self._policies_naming

    def space(self, question: Slice) -> tuple[sp.Space, list[_PolicyView]]:
        if question.name not in self._spaces:
            space, reaches = self._reaches_in(question.clients)
            if not self._effects:
                strengths = {s.id.lower(): s for s in self.tenant.authentication_strengths or ()}
                self._effects.extend(grant_effect(p, strengths) for p in self.policies)
            views = [self._view(p, reach, effect, question)
                     for p, reach, effect in zip(self.policies, reaches, self._effects, strict=True)]
            self._spaces[question.name] = (space, views)
        return self._spaces[question.name]

    def _reaches_in(self, clients: tuple[str, ...]) -> tuple[sp.Space, list[dict[str, sp.Reach]]]:
        """The space of these client app types and each policy's reach in it: slices that differ only in
        risk or in the grants that answer them (the risk levels, MFA) share one."""
        if clients not in self._reaches:
            space = sp.build_space(self.policies, self.tenant.named_locations, clients)
            self._reaches[clients] = (space, [space.reach(p) for p in self.policies])
        return self._reaches[clients]

    @staticmethod
    def _view(policy: ConditionalAccessPolicy, reach: Mapping[str, sp.Reach], effect: GrantEffect,
              question: Slice) -> _PolicyView:
        if question.answer == "block":
            answers = Tri.YES if effect.demand is Demand.BLOCK else Tri.NO
        elif question.answer == "user-risk":
            answers = answers_user_risk(policy)
        else:
            answers = effect.protects
        return _PolicyView(policy, reach, effect, answers, _risk_applies(policy, question))

    def outcome(self, user_class: UserClass, question: Slice = MFA) -> Outcome:
        key = (user_class.key, question.name)
        if key not in self._outcomes:
            self._outcomes[key] = self._evaluate(user_class, question)
        return self._outcomes[key]

    def outcome_if_enforced(self, policy: ConditionalAccessPolicy, user_class: UserClass,
                            question: Slice = MFA) -> Outcome:
        """The outcome were ``policy`` enforced: what a report-only or disabled policy would change."""
        return self._evaluate(user_class, question, self.index_of(policy))

    def index_of(self, policy: ConditionalAccessPolicy) -> int:
        if not self._indexes:
            self._indexes.update((id(p), i) for i, p in enumerate(self.policies))
        found = self._indexes.get(id(policy))
        return found if found is not None else self.policies.index(policy)

    def gaps_beyond(self, user_class: UserClass, other: UserClass, question: Slice = MFA) -> bool:
        """Does the class sign in without MFA somewhere that ``other`` (say, a new member) does not?"""
        mine = self.outcome(user_class, question)
        if mine.status != UNCOVERED:
            return False
        theirs = self.outcome(other, question)
        regions = [g.region for g in mine.gaps]
        shared = intersection(regions, [g.region for g in theirs.gaps]) if theirs.status == UNCOVERED else ()
        return size_of(regions) > size_of(shared)

    def user_outcomes(self, question: Slice = MFA) -> Iterator[tuple[User, Outcome]]:
        """Every enabled user, by UPN, with the outcome of their class: each class is evaluated once and
        its users share its outcome (and so its gaps and their words)."""
        by_class = {id(c): self.outcome(c, question) for c in self.classes}
        for user, user_class in zip(self.enabled_users, self.enabled_classes, strict=True):
            yield user, by_class[id(user_class)]

    def status_of_user(self, user_id: str) -> str:
        """Covered, uncovered or undetermined, for an enabled user of the export."""
        return self.outcome(self.class_of_user[user_id.lower()]).status

    def protects(self, policy: ConditionalAccessPolicy, question: Slice = MFA) -> Tri:
        """Does the policy's grant on its own answer the slice (block or MFA, by default)?"""
        _, views = self.space(question)
        return views[self.index_of(policy)].answers

    def grant(self, policy: ConditionalAccessPolicy) -> GrantEffect:
        _, views = self.space(MFA)
        return views[self.index_of(policy)].effect

    def sign_ins(self, user_class: UserClass, question: Slice = MFA) -> tuple[tuple[str, str], ...]:
        """Every sign-in of the class, region by region: blocked, MFA (tier), weak (how) or no control.

        Only what the export shows is counted here; what it cannot tell is in ``outcome``.
        """
        space, views = self.space(question)
        dimensions = [(d.name, d.atoms) for d in space.dimensions]
        applies = self.applies_to_class(user_class)
        applying = [view for index, view in enumerate(views)
                    if ca.is_enforced(view.policy) and view.counts and applies[index].value is Tri.YES]
        boxes = [{name: reach.certain for name, reach in view.reach.items()} for view in applying]
        atoms = {d.name: d.atoms for d in space.dimensions}

        def label(inside: frozenset[int]) -> str:
            effects = [applying[i].effect for i in sorted(inside)]
            if any(e.demand is Demand.BLOCK for e in effects):
                return "blocked"
            tiers = [e.tier for e in effects if e.demand is Demand.MFA]
            if tiers:
                return entra.TIER_NAMES[max(tiers)]
            ways = sorted({w for e in effects if e.demand is Demand.WEAK for w in e.ways_around})
            if ways:
                return "weak: passes without MFA by offering " + " or ".join(ways)
            if any(e.demand is Demand.UNDETERMINED for e in effects):
                return "undetermined grant"
            return "no control"

        return tuple((text, region_words(region, atoms, self.location_names))
                     for text, region in partition(dimensions, boxes, label))

    def _candidates(self, question: Slice, also_enforced: int) -> list[_Candidate]:
        """The policies that can protect a sign-in of the slice, with their boxes, worked out once."""
        key = (question.name, also_enforced)
        if key not in self._candidate_lists:
            _, views = self.space(question)
            if also_enforced < 0:
                found = [c for index, view in enumerate(views)
                         if ca.is_enforced(view.policy) and (c := self._candidate(index, view)) is not None]
            else:
                # the enforced policies' candidates, and the one policy taken as enforced in its place
                found = list(self._candidates(question, -1))
                extra = None if ca.is_enforced(views[also_enforced].policy) else \
                    self._candidate(also_enforced, views[also_enforced])
                if extra is not None:
                    found.insert(sum(1 for c in found if c.index < also_enforced), extra)
            self._candidate_lists[key] = found
        return self._candidate_lists[key]

    @staticmethod
    def _candidate(index: int, view: _PolicyView) -> _Candidate | None:
        """The policy's boxes, were it enforced; None when it cannot protect a sign-in of the slice."""
        possible = {name: reach.possible for name, reach in view.reach.items()}
        if not view.counts or view.answers is Tri.NO or not all(possible.values()):
            return None
        certain = {name: reach.certain for name, reach in view.reach.items()}
        unresolved = [_DIMENSION_WORDS.get(name, "device") for name, r in view.reach.items() if r.certain != r.possible]
        note = (f"'{view.policy.display_name}' has {' and '.join(unresolved)} conditions the export "
                "cannot resolve") if unresolved else ""
        return _Candidate(index, view, certain, possible, note)

    def _evaluate(self, user_class: UserClass, question: Slice, also_enforced: int = -1) -> Outcome:
        applies_to = self.applies_to_class(user_class)
        relevant = [(candidate, applies) for candidate in self._candidates(question, also_enforced)
                    if (applies := applies_to[candidate.index]).value is not Tri.NO]
        # classes that meet the same policies the same way share the regions; only the words differ (a
        # candidate's boxes depend on its policy alone, so taking a policy as enforced needs no key of its own)
        key = (question.name, tuple((c.index, id(a)) for c, a in relevant))
        found = self._regions.get(key)
        if found is None:
            found = self._regions[key] = self._regions_of(question, relevant)
        status, regions, unknowns, protecting = found
        if status == COVERED:
            return Outcome(user_class, COVERED, (), protecting)
        if status == UNCOVERED:
            gaps = (self._gap(r, user_class, question, certain=True) for r in regions)
            return Outcome(user_class, UNCOVERED, tuple(gaps), protecting)
        undetermined = tuple(Gap(g.region, g.words, False, g.closest, g.would_close, unknowns, g.closest_policy,
                                 excluded_from=g.excluded_from, assumption=g.assumption)
                             for g in (self._gap(r, user_class, question, certain=False) for r in regions))
        return Outcome(user_class, UNDETERMINED, undetermined, protecting)

    def _regions_of(self, question: Slice, relevant: list[tuple[_Candidate, Applies]]) -> _Regions:
        """Covered, uncovered (with the regions open in every world) or undetermined (with what is unsure)."""
        space, _ = self.space(question)
        dimensions = [(d.name, d.atoms) for d in space.dimensions]
        certain_boxes: list[dict[str, frozenset[str]]] = []
        protecting: list[ConditionalAccessPolicy] = []
        unknowns: list[str] = []
        for candidate, applies in relevant:
            if applies.value is Tri.YES and candidate.view.answers is Tri.YES:
                certain_boxes.append(candidate.certain)
                protecting.append(candidate.view.policy)
            else:
                unknowns += applies.unknowns or candidate.view.effect.undetermined
            if candidate.note:
                unknowns.append(candidate.note)
        unsure_regions = uncovered(dimensions, certain_boxes)
        if not unsure_regions:
            return COVERED, (), (), tuple(protecting)
        contributing = [(candidate.view, applies) for candidate, applies in relevant]
        open_regions = self._open_in_every_world(dimensions, contributing, [c.possible for c, _ in relevant])
        if open_regions is None:
            return COVERED, (), (), tuple(protecting)
        certain = tuple(r for r in open_regions if entra.MFA_TRUSTED_IPS not in _only_location(r))
        if certain:
            return UNCOVERED, certain, (), tuple(protecting)
        reasons = tuple(dict.fromkeys(unknowns)) or (
            "only sign-ins from the MFA trusted IPs are left open, and their addresses are not in the export",)
        return UNDETERMINED, unsure_regions, reasons, tuple(protecting)

    def _open_in_every_world(self, dimensions: list[tuple[str, tuple[str, ...]]],
                             contributing: list[tuple[_PolicyView, Applies]],
                             possible_boxes: list[dict[str, frozenset[str]]]) -> tuple[Region, ...] | None:
        """The sign-ins open whatever the unknown facts are; None when no world leaves any open.

        With few unknown facts every world is read, so facts that several policies share stay in
        step; with many, the possible reading of each policy stands in for them (never a pass).
        """
        facts = set().union(*(view.facts() | applies.facts() for view, applies in contributing))
        found = worlds(facts, self.guest_tenants, _MOST_WORLDS) if facts else None
        if found is None:
            regions = uncovered(dimensions, possible_boxes)
            return regions if regions or not facts else ()
        common: tuple[Region, ...] | None = None
        any_open = False
        for world in found:
            boxes = [{name: reach.in_world(world) for name, reach in view.reach.items()}
                     for view, applies in contributing if applies.in_world(world) and view.protects_in(world)]
            regions = uncovered(dimensions, boxes)
            any_open = any_open or bool(regions)
            common = regions if common is None else intersection(common, regions)
        if not any_open:
            return None
        return common or ()

    def _gap(self, region: Region, user_class: UserClass, question: Slice, certain: bool) -> Gap:
        atoms = self._atoms_of(question)
        words = region_words(region, atoms, self.location_names)
        closest, policy, would_close, excluded_from = self._closest(region, user_class, question)
        return Gap(region, words, certain, closest, would_close, closest_policy=policy, missing=question.missing,
                   excluded_from=excluded_from, assumption=self._overlap_assumption(region, atoms[sp.LOCATIONS]))

    def _atoms_of(self, question: Slice) -> dict[str, tuple[str, ...]]:
        if question.name not in self._atoms:
            space, _ = self.space(question)
            self._atoms[question.name] = {d.name: d.atoms for d in space.dimensions}
        return self._atoms[question.name]

    def _overlap_assumption(self, region: Region, locations: tuple[str, ...]) -> str:
        """Named locations are taken as disjoint; say so where a region depends on it."""
        inside = [a for a in region.atoms(sp.LOCATIONS) if a not in (sp.ELSEWHERE, entra.MFA_TRUSTED_IPS)]
        outside = [a for a in locations if a not in region.atoms(sp.LOCATIONS)
                   and a not in (sp.ELSEWHERE, entra.MFA_TRUSTED_IPS)]
        if not inside or not outside:
            return ""
        names = [location_name(a, self.location_names) for a in (*inside, *outside)]
        return f"taking {', '.join(names[:-1])} and {names[-1]} as named locations that do not overlap"

    def _closest(self, region: Region, user_class: UserClass, question: Slice
                 ) -> tuple[str, ConditionalAccessPolicy | None, tuple[str, ...], tuple[str, ...]]:
        """The policy that comes closest to closing the region, the report-only ones that would, and the
        enforced ones that would but for an exclusion.

        What a policy says about a region depends on the class only through its user conditions, so
        it is worked out once for all the classes it reads alike.
        """
        candidates: list[tuple[float, str, str, int]] = []
        would_close = []
        excluded_from = []
        entries = self._closer_entries.setdefault((question.name, region), {})
        applies_to = self.applies_to_class(user_class)
        for index, view in self._closers_of(question):
            applies = applies_to[index]
            key = (index, id(applies))
            entry = entries.get(key)
            if entry is None:
                entry = entries[key] = self._closer(index, view, applies, region, question)
            if entry.excluded:
                excluded_from.append(entry.excluded)
            elif entry.rank is not None:
                if entry.would_close:
                    would_close.append(entry.would_close)
                candidates.append(entry.rank)
        if not candidates:
            return "", None, tuple(sorted(would_close)), tuple(excluded_from)
        best = min(candidates)
        return best[2], self.policies[best[3]], tuple(sorted(would_close)), tuple(excluded_from)

    def _closers_of(self, question: Slice) -> list[tuple[int, _PolicyView]]:
        """The policies that could close a gap of the slice: they ask for MFA or block, and reach its sign-ins."""
        if question.name not in self._closers:
            _, views = self.space(question)
            self._closers[question.name] = [
                (index, view) for index, view in enumerate(views)
                if (view.answers is not Tri.NO or ca.asks_for_mfa(view.policy.grant))
                # a legacy-only block, say, reaches none of the sign-ins that MFA is asked of
                and all(reach.possible for reach in view.reach.values())]
        return self._closers[question.name]

    def _closer(self, index: int, view: _PolicyView, applies: Applies, region: Region, question: Slice) -> _Closer:
        reasons = self._shortfalls(view, applies, region, question)
        if not reasons:
            return _Closer()
        if len(reasons) == 1 and reasons[0].startswith("excluded through "):
            return _Closer(excluded=f"excluded from '{view.policy.display_name}' through "
                           + reasons[0].removeprefix("excluded through "))
        would_close = ""
        if reasons == [f"it is {ca.state_label(view.policy)}"] and ca.is_report_only(view.policy):
            would_close = f"'{view.policy.display_name}' (report-only)"
        # a policy held back only by its state is the closest of all: enforcing it closes the gap
        weight = len(reasons) - (0.5 if not ca.is_enforced(view.policy) else 0)
        return _Closer(would_close=would_close, rank=(weight, view.policy.display_name.lower(),
                                                      f"'{view.policy.display_name}', " + "; ".join(reasons), index))

    def _shortfalls(self, view: _PolicyView, applies: Applies, region: Region, question: Slice) -> list[str]:
        reasons = []
        if not ca.is_enforced(view.policy):
            reasons.append(f"it is {ca.state_label(view.policy)}")
        if not view.counts:
            reasons.append(_risk_words(view.policy, question))
        if applies.value is Tri.NO:
            reasons.append(("excluded through " + ", ".join(applies.excluded_by)) if applies.excluded_by
                           else "it does not include these users")
        elif applies.value is Tri.MAYBE:
            reasons.append("it may not include these users: " + "; ".join(applies.unknowns))
        atoms = self._atoms_of(question)
        for name, part in region.parts:
            reach = view.reach[name]
            if not part <= reach.certain:
                missing = Region(((name, part - reach.certain),))
                words = " · ".join(dimension_words(missing, atoms, self.location_names, whole=True))
                reasons.append("it leaves out " + _SKIPPED.get(name, "{}").format(words))
        if view.answers is not Tri.YES:
            reasons.append(_grant_shortfall(view.effect, question))
        return reasons


def _grant_shortfall(effect: GrantEffect, question: Slice) -> str:
    if question.answer == "block":
        return f"it does not block ({effect.words})" if effect.demand is not Demand.NOTHING else "it does not block"
    if question.answer == "user-risk":
        return "its grant asks for no password change or risk remediation"
    return effect.words


def _only_location(region: Region) -> frozenset[str]:
    atoms = region.atoms(sp.LOCATIONS)
    return atoms if atoms == {entra.MFA_TRUSTED_IPS} else frozenset()


def _risk_applies(policy: ConditionalAccessPolicy, question: Slice) -> bool:
    """Risk conditions, and workload identities, decide whether a policy is in the slice at all."""
    if policy.service_principal_risk_levels or policy.include_service_principals or policy.insider_risk_levels:
        return False
    if question.needs_condition == "signInRisk" and not policy.sign_in_risk_levels:
        return False
    if question.needs_condition == "userRisk" and not policy.user_risk_levels:
        return False
    return (_level_applies(policy.sign_in_risk_levels, question.sign_in_risk)
            and _level_applies(policy.user_risk_levels, question.user_risk))


def _level_applies(levels: Sequence[str], level: str) -> bool:
    return not levels or level in {value.lower() for value in levels}


def _risk_words(policy: ConditionalAccessPolicy, question: Slice) -> str:
    if policy.service_principal_risk_levels or policy.include_service_principals:
        return "it targets workload identities"
    if policy.insider_risk_levels:
        return "it applies only at insider risk " + ", ".join(policy.insider_risk_levels)
    if question.needs_condition == "signInRisk" and not policy.sign_in_risk_levels:
        return "it has no sign-in risk condition"
    if question.needs_condition == "userRisk" and not policy.user_risk_levels:
        return "it has no user risk condition"
    parts = []
    if policy.sign_in_risk_levels:
        parts.append("sign-in risk " + ", ".join(policy.sign_in_risk_levels))
    if policy.user_risk_levels:
        parts.append("user risk " + ", ".join(policy.user_risk_levels))
    return "it applies only at " + " and ".join(parts)


def evaluate(tenant: Tenant) -> Evaluation:
    policies = tuple(tenant.conditional_access_policies or ())
    directory = build_directory(tenant)
    conditions = UserConditions(directory)
    enabled = tuple(sorted((u for u in directory.users.values() if u.account_enabled is not False),
                           key=lambda u: (u.user_principal_name.lower(), u.id)))
    classes, of_enabled = conditions.classes(enabled, policies)
    class_of_user = {user_id: c for c in classes for user_id in c.user_ids}
    names = {loc.id.lower(): loc.display_name for loc in tenant.named_locations or () if loc.display_name}
    return Evaluation(tenant, directory, conditions, policies, tuple(classes), class_of_user, names,
                      guest_tenants(policies), enabled,
                      enabled_classes=tuple(of_enabled))
