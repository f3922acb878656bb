"""Waivers: accepted exceptions, each with a reason and an expiry (DESIGN section 7).

A waiver marks the results it covers ``waived``; it never deletes them, so every report still
shows what was accepted, by whom and until when. An expired waiver no longer waives and is
reported; so is one that covers nothing (stale), so that the list does not rot.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from checker.report import ConfigurationNote, Report, Result, RuleOutcome, Waiving
from checker.rule import Rule
from checker.verdicts import Verdict

EVERY_SUBJECT = "*"
# A waiver accepts a failure or a finding that needs review; never missing evidence, which
# is not_assessed and stays so (fail closed).
WAIVABLE = frozenset({Verdict.FAIL, Verdict.REVIEW})


@dataclass(frozen=True)
class Waiver:
    """One entry of ``waivers:``: ``subject`` is an object id, a UPN, a role or policy name, or ``*``."""

    rule: str
    subject: str
    reason: str
    expires: date
    ticket: str = ""
    owner: str = ""
    where: str = ""

    def names_rule(self, rule: Rule) -> bool:
        wanted = self.rule.casefold()
        return wanted in (rule.id.casefold(), rule.name.casefold())

    def covers(self, result: Result) -> bool:
        """Does this waiver, already known to name the result's rule, cover the result?"""
        if result.verdict not in WAIVABLE:
            return False
        wanted = self.subject.casefold()
        return wanted == EVERY_SUBJECT or wanted in (result.subject.id.casefold(), result.subject.name.casefold())

    def expired(self, today: date) -> bool:
        """A waiver holds through its expiry date."""
        return today > self.expires

    @property
    def described(self) -> str:
        subject = "every subject" if self.subject == EVERY_SUBJECT else repr(self.subject)
        return f"the waiver of {self.rule} for {subject}" + (f" ({self.ticket})" if self.ticket else "")


def apply_waivers(report: Report, waivers: Sequence[Waiver], today: date) -> Report:
    """The report with every result a valid waiver covers marked ``waived``, and notes on the rest."""
    if not waivers:
        return report
    valid = [waiver for waiver in waivers if not waiver.expired(today)]
    used: set[int] = set()
    outcomes = []
    for outcome in report.outcomes:
        # the rule is matched once per rule, so that a rule with 100k results pays only for its own waivers
        candidates = [(index, waiver) for index, waiver in enumerate(valid) if waiver.names_rule(outcome.rule)]
        if not candidates:
            outcomes.append(outcome)
            continue
        results = []
        for result in outcome.results:
            found = next(((index, waiver) for index, waiver in candidates if waiver.covers(result)), None)
            if found is None:
                results.append(result)
                continue
            used.add(found[0])
            results.append(replace(result, verdict=Verdict.WAIVED, waiver=_waiving(found[1], result.verdict)))
        outcomes.append(RuleOutcome(outcome.rule, tuple(results)))
    ran = [outcome.rule for outcome in report.outcomes]
    notes = [_expired_note(waiver, today) for waiver in waivers if waiver.expired(today)]
    notes += [_stale_note(waiver, ran) for index, waiver in enumerate(valid) if index not in used]
    return replace(report, outcomes=tuple(outcomes), notes=(*report.notes, *notes))


def _waiving(waiver: Waiver, set_aside: Verdict) -> Waiving:
    return Waiving(reason=waiver.reason, expires=waiver.expires.isoformat(), set_aside=set_aside,
                   ticket=waiver.ticket, owner=waiver.owner)


def _expired_note(waiver: Waiver, today: date) -> ConfigurationNote:
    return ConfigurationNote("expired waiver", f"{waiver.where}: {waiver.described} expired on "
                             f"{waiver.expires.isoformat()} (today is {today.isoformat()}); it no longer "
                             "waives anything: renew it with a new date or fix what it covers")


def _stale_note(waiver: Waiver, ran: Sequence[Rule]) -> ConfigurationNote:
    why = ("matches no failing result or result under review" if any(waiver.names_rule(rule) for rule in ran)
           else "names a rule that did not run in this scan")
    return ConfigurationNote("stale waiver", f"{waiver.where}: {waiver.described} {why}: remove it if "
                             "the exception is gone")
