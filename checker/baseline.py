"""Baselines: the failures a team already knows about, so that only new ones fail the build.

A baseline records each failing result by rule and subject (``report.fingerprint``), never
by message, line or severity, so that a re-export or a reworded message does not make an
old failure look new. The subject's kind, id and name are kept beside the fingerprint so
that a person can read the file and the report can name what was fixed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from checker.report import BaselineComparison, FixedResult, Report, Result, Subject, fingerprint
from checker.verdicts import Verdict

KIND = "tenant-checker-baseline"
SCHEMA_VERSION = 1
# What may set the exit code (not_assessed under --strict); a waived failure is left out, so
# that when its waiver expires it fails the build again instead of hiding in the baseline.
RECORDED = frozenset({Verdict.FAIL, Verdict.NOT_ASSESSED})
# What a baseline entry can match: a recorded failure that is now waived is neither new nor fixed.
COMPARED = RECORDED | {Verdict.WAIVED}
UNCHANGED = "unchanged"
NEW = "new"


class BaselineError(ValueError):
    """The file is not a baseline this version can read: the message names the file and why."""


@dataclass(frozen=True)
class BaselineEntry:
    rule_id: str
    fingerprint: str
    subject: Subject

    @property
    def key(self) -> tuple[str, str]:
        return self.rule_id, self.fingerprint


@dataclass(frozen=True)
class Baseline:
    path: str
    entries: tuple[BaselineEntry, ...]


def baseline_text(report: Report) -> str:
    """Today's failing results as a baseline file: sorted, the same bytes for the same results."""
    recorded = (_entry_of(result) for result in report.results() if result.verdict in RECORDED)
    entries = sorted({entry.key: entry for entry in recorded}.values(), key=lambda entry: entry.key)
    document = {
        "kind": KIND,
        "schemaVersion": SCHEMA_VERSION,
        "results": [{"ruleId": entry.rule_id, "fingerprint": entry.fingerprint,
                     "subject": {"kind": entry.subject.kind, "id": entry.subject.id, "name": entry.subject.name}}
                    for entry in entries],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _entry_of(result: Result) -> BaselineEntry:
    return BaselineEntry(result.rule_id, fingerprint(result), result.subject)


def read_baseline(path: str) -> Baseline:
    from checker.inputs.archives import read_reference
    from checker.inputs.limits import LimitExceeded, Limits

    try:
        # no further than an input file may go: a device or a pipe named by mistake has no end
        text = read_reference(path, Limits(), bounded=True).decode("utf-8-sig")
        document = json.loads(text, parse_constant=_no_constant)
    except LimitExceeded:
        raise BaselineError(f"{path}: not a baseline: larger than {Limits().max_file_bytes >> 20} MB") from None
    except OSError as error:
        raise BaselineError(f"{path}: cannot read the baseline ({error.strerror or error})") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise BaselineError(f"{path}: not a baseline: not JSON ({error})") from None
    if not isinstance(document, dict) or document.get("kind") != KIND:
        raise BaselineError(f"{path}: not a baseline: its \"kind\" is not {KIND!r} "
                            "(write one with 'tenant-checker scan ... --write-baseline FILE')")
    if document.get("schemaVersion") != SCHEMA_VERSION:
        raise BaselineError(f"{path}: a baseline of schemaVersion {document.get('schemaVersion')!r}; "
                            f"this version reads {SCHEMA_VERSION}")
    results = document.get("results")
    if not isinstance(results, list):
        raise BaselineError(f"{path}: not a baseline: \"results\" is not a list")
    return Baseline(path, tuple(_read_entry(item, index, path) for index, item in enumerate(results)))


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _read_entry(item: Any, index: int, path: str) -> BaselineEntry:
    subject = item.get("subject") if isinstance(item, dict) else None
    texts = [item.get("ruleId"), item.get("fingerprint")] if isinstance(item, dict) else []
    names = [subject.get(key, "") for key in ("kind", "id", "name")] if isinstance(subject, dict) else []
    words = [text for text in [*texts, *names] if isinstance(text, str)]
    if len(words) != 5:
        raise BaselineError(f"{path}: not a baseline: results[{index}] needs ruleId, fingerprint and "
                            "subject (kind, id, name) as text")
    rule_id, print_, kind, subject_id, name = words
    return BaselineEntry(rule_id, print_, Subject(kind, subject_id, name))


def compare_with_baseline(report: Report, baseline: Baseline) -> Report:
    """Failing results marked ``unchanged`` (in the baseline) or ``new``; the rest listed as fixed.

    Only entries of rules that ran can be called fixed: a rule left out of this scan says
    nothing about whether its failures are gone.
    """
    known = {entry.key for entry in baseline.entries}
    still: set[tuple[str, str]] = set()
    outcomes = []
    unchanged = new = 0
    for outcome in report.outcomes:
        results = []
        for result in outcome.results:
            if result.verdict in COMPARED:
                key = (result.rule_id, fingerprint(result))
                state = UNCHANGED if key in known else NEW
                still.add(key)
                if result.verdict is not Verdict.WAIVED:
                    unchanged, new = (unchanged + 1, new) if state == UNCHANGED else (unchanged, new + 1)
                result = replace(result, baseline_state=state)
            results.append(result)
        outcomes.append(replace(outcome, results=tuple(results)))
    ran = {outcome.rule.id for outcome in report.outcomes}
    fixed = tuple(FixedResult(entry.rule_id, entry.subject) for entry in baseline.entries
                  if entry.rule_id in ran and entry.key not in still)
    return replace(report, outcomes=tuple(outcomes),
                   baseline=BaselineComparison(baseline.path, unchanged, new, fixed))
