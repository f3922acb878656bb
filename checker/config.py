"""`.tenant-checker.yaml` and its validation (DESIGN section 7). Command-line values win.

Every error names the file and the line, and lists the valid choices where they are few.
A configuration found next to the export rather than given with ``--config`` may come from
the party being audited: it is marked as such (``Config.given``), its limits are not applied,
and ``what_it_changes`` says what else it does so that the scan can warn about it.
"""
from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from checker.entra import ADMIN_ROLES
from checker.exit_status import parse_fail_on
from checker.inputs.archives import Limits
from checker.inputs.limits import SETTINGS as LIMIT_SETTINGS
from checker.strict_yaml import line_of
from checker.verdicts import Severity
from checker.waivers import Waiver

if TYPE_CHECKING:
    from checker.custom_rules import CustomRule
    from checker.rule import Rule

CONFIG_FILE_NAME = ".tenant-checker.yaml"
_KNOWN_KEYS = ("admin_roles", "break_glass", "fail_on", "ignore", "limits", "rules", "rules_page", "select", "waivers")
# setting -> (Limits field, bytes per unit of the setting)
_LIMIT_KEYS = {setting: (name, unit) for name, (setting, unit) in LIMIT_SETTINGS.items()}
_WEB_ADDRESS = re.compile(r"^https://[^\s/?#]+[^\s]*$")
_WAIVER_KEYS = ("rule", "subject", "reason", "expires", "ticket", "owner")
_WAIVER_REQUIRED = ("rule", "subject", "reason", "expires")


class ConfigError(ValueError):
    """The configuration cannot be used; the message names the file, the line and the key."""


class AmbiguousConfig(ConfigError):
    """Several config files at the same depth inside the scanned folder, and none nearer.

    Usually a folder of several exports, each with its own: a caller that finds so once the
    files are read says that instead, since it is the clearer of the two answers.
    """


@dataclass(frozen=True)
class Config:
    """``fail_on`` None means report only. ``given``: passed with ``--config`` (or built by the caller),
    rather than found next to the export; ``limits_refused``: a found file set limits that were not applied."""

    fail_on: Severity | None = Severity.LOW
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    break_glass: tuple[str, ...] = ()
    admin_roles: Mapping[str, str] = field(default_factory=lambda: dict(ADMIN_ROLES))
    limits: Limits = field(default_factory=Limits)
    waivers: tuple[Waiver, ...] = ()
    source: str = ""
    given: bool = True
    limits_refused: bool = False
    rules: tuple[CustomRule, ...] = ()  # the organisation's own rules (checker.custom_rules)
    rules_page: str = ""  # where the organisation publishes docs/rules.md (SARIF helpUri)


@dataclass(frozen=True)
class ConfigChanges:
    """What a configuration changes about a scan's verdicts and its reading of the export."""

    selected: tuple[str, ...]
    ignored: tuple[str, ...]
    break_glass: int
    waivers: int
    limits_refused: bool
    # the failure threshold, when the file raises it above the default and the command line does not set it
    fail_on: str = ""
    # the ids of the organisation's own rules it adds (they add results; they cannot hide any)
    own_rules: tuple[str, ...] = ()

    @property
    def leaves_rules_out(self) -> bool:
        return bool(self.selected or self.ignored)

    def words(self) -> list[str]:
        words = [f"sets fail_on to {self.fail_on}"] if self.fail_on else []
        if self.selected:
            words.append(f"runs only rules {', '.join(self.selected)}")
        if self.ignored:
            words.append(f"leaves out rules {', '.join(self.ignored)}")
        if self.break_glass:
            words.append(f"declares {self.break_glass} break-glass account{'s' if self.break_glass != 1 else ''}")
        if self.waivers:
            words.append(f"holds {self.waivers} waiver{'s' if self.waivers != 1 else ''}")
        if self.own_rules:
            words.append(f"adds rules of its own: {', '.join(self.own_rules)}")
        if self.limits_refused:
            words.append("sets limits, which are not applied (the defaults are used)")
        return words


def what_it_changes(config: Config, select: Sequence[str] = (), ignore: Sequence[str] = (),
                    fail_on_given: bool = False) -> ConfigChanges:
    """What the file changes, given the command line's ``select``/``ignore`` and ``--fail-on``,
    which replace the file's."""
    raised = not fail_on_given and (config.fail_on is None or config.fail_on.rank > Severity.LOW.rank)
    return ConfigChanges(
        fail_on=(config.fail_on.value if config.fail_on is not None else "none") if raised else "",
        selected=() if select else config.select,
        ignored=() if ignore else config.ignore,
        break_glass=len(config.break_glass),
        waivers=len(config.waivers),
        limits_refused=config.limits_refused,
        own_rules=tuple(item.rule.id for item in config.rules),
    )


def find_config(paths: Sequence[str], *, look_inside: bool = True) -> str | None:
    """The nearest config file from the first scanned folder upwards, else one at a scanned zip's root,
    else the shallowest one inside the scanned folder.

    The search upwards stops at a repository root (a folder holding ``.git``), so that a file further
    up, outside the repository, never configures its scans. The search inside is what lets a hook scan
    the repository root (``.``) and still find the export's file in ``tenant/``: it skips hidden
    folders (``.git``, ``.venv``), and several files at the shallowest depth are an error naming them,
    since picking one would configure the scan by the order of a directory listing. ``look_inside``
    is off where each export is configured on its own (``scan --each``).
    """
    if not paths:
        return None
    path = paths[0]
    folder = scanned = os.path.abspath(path if os.path.isdir(path) else os.path.dirname(path) or ".")
    while True:
        candidate = os.path.join(folder, CONFIG_FILE_NAME)
        if os.path.isfile(candidate) and (folder != scanned or _stays_inside(candidate, scanned)):
            return _shown(candidate, path)
        parent = os.path.dirname(folder)
        if os.path.exists(os.path.join(folder, ".git")) or parent == folder:
            break
        folder = parent
    at_zip_root = next((found for found in map(_zip_root_config, paths) if found), None)
    if at_zip_root or not look_inside or not os.path.isdir(path):
        return at_zip_root
    found = [_shown(candidate, path) for candidate in _shallowest_inside(path)]
    if len(found) > 1:
        raise AmbiguousConfig(f"{len(found)} configuration files at the same depth inside {path}: {', '.join(found)}; "
                          "name one with --config")
    return found[0] if found else None


def _shallowest_inside(folder: str) -> list[str]:
    """The config files of the shallowest level below ``folder`` that has any, in name order."""
    level = _subfolders(folder)
    while level:
        found = [os.path.join(sub, CONFIG_FILE_NAME) for sub in level
                 if os.path.isfile(os.path.join(sub, CONFIG_FILE_NAME))
                 and _stays_inside(os.path.join(sub, CONFIG_FILE_NAME), folder)]
        if found:
            return found
        level = [child for sub in level for child in _subfolders(sub)]
    return []


def _stays_inside(candidate: str, folder: str) -> bool:
    """A file of the scanned folder that is not a link out of it: the export's own, like the inputs read."""
    from checker.inputs.discover import inside

    return inside(os.path.realpath(candidate), os.path.realpath(folder))


def _subfolders(folder: str) -> list[str]:
    try:
        with os.scandir(folder) as entries:
            names = sorted(entry.name for entry in entries
                           if not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False))
    except OSError:
        return []
    return [os.path.join(folder, name) for name in names]


def _shown(candidate: str, scanned: str) -> str:
    """The config path as the user would write it: relative when they gave a relative path."""
    return candidate if os.path.isabs(scanned) else os.path.relpath(candidate)


def _zip_root_config(path: str) -> str | None:
    from checker.inputs.archives import root_member_reference

    return root_member_reference(path, CONFIG_FILE_NAME) if os.path.isfile(path) else None


def load_config(path: str | None, *, given: bool = False) -> Config:
    """The configuration in ``path``; ``given`` when the user named it with ``--config``."""
    if path is None:
        return Config()
    import yaml  # only needed when there is a file to read

    from checker.inputs.archives import display_reference, read_reference
    from checker.inputs.limits import LimitExceeded, Limits
    from checker.strict_yaml import MAX_CHARACTERS, YamlRefused, load

    source = display_reference(path)
    text = ""
    try:
        # read no further than the longest text a configuration may have, in UTF-8's widest form
        text = read_reference(path, Limits(max_file_bytes=4 * MAX_CHARACTERS), bounded=True).decode("utf-8-sig")
        data = load(text)
    except LimitExceeded:
        raise ConfigError(f"{source}: larger than any configuration (at most {MAX_CHARACTERS:,} characters)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{source}: cannot be read ({getattr(error, 'strerror', None) or error})") from None
    except YamlRefused as error:
        raise ConfigError(f"{_at(source, error.line)}: {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
        problem = getattr(error, "problem", None)
        raise ConfigError(f"{where}: not valid YAML" + (f" ({problem})" if problem else "")
                          + _star_hint(text, mark.line if mark is not None else None)) from None
    except RecursionError:
        raise ConfigError(f"{source}: nested too deeply to be a configuration") from None
    return config_from_mapping({} if data is None else data, source, given=given, text=text)


def config_from_mapping(data: Any, source: str, *, given: bool = True, text: str | None = None) -> Config:
    """The validated configuration; a found (not ``given``) one does not set the limits."""
    if not isinstance(data, dict):
        raise ConfigError(f"{_at(source, line_of(data))}: expected a mapping of settings at the top level")
    _refuse_unknown_keys(data, _KNOWN_KEYS, "unknown setting", source)
    fail_on_text = data.get("fail_on", "low")
    try:
        if not isinstance(fail_on_text, str):
            raise ValueError(f"expected a severity, not {fail_on_text!r} (critical, high, medium, low, info, none)")
        fail_on = parse_fail_on(fail_on_text)
    except ValueError as error:
        raise ConfigError(f"{_at(source, line_of(data, 'fail_on'))}: fail_on: {error}") from None
    limits = _limits(data.get("limits"), source, line_of(data, "limits"))
    refused = not given and data.get("limits") is not None
    own_rules = _custom_rules(data.get("rules"), source, text)
    rules = _known_rules(own_rules)
    return Config(
        fail_on=fail_on,
        select=_rule_prefixes(data, "select", source, rules),
        ignore=_rule_prefixes(data, "ignore", source, rules),
        break_glass=_string_list(data, "break_glass", source),
        admin_roles=_admin_roles(data, source),
        limits=Limits() if refused else limits,
        waivers=_waivers(data.get("waivers"), source, line_of(data, "waivers"), rules),
        source=source,
        given=given,
        limits_refused=refused,
        rules=own_rules,
        rules_page=_rules_page(data, source),
    )


def _known_rules(own_rules: Sequence[CustomRule]) -> tuple[Rule, ...]:
    """What select, ignore and waivers may name: every installed pack's rules and the file's own."""
    from checker.catalogue import load_catalogue

    return (*load_catalogue(), *(item.rule for item in own_rules))


def _custom_rules(value: Any, source: str, text: str | None) -> tuple[CustomRule, ...]:
    from checker.custom_rules import parse_custom_rules  # jsonpath-ng only when there are rules

    return parse_custom_rules(value, source, text) if value is not None else ()


def _star_hint(text: str, line: int | None) -> str:
    """A bare ``*`` (every subject) is YAML alias syntax: the most likely mistake in a waiver."""
    lines = text.splitlines()
    if line is None or not 0 <= line < len(lines) or "*" not in lines[line]:
        return ""
    return "; to waive every subject write subject: '*' with the quotes"


def _at(source: str, line: int | None) -> str:
    return f"{source}:{line}" if line is not None else source


def _refuse_unknown_keys(mapping: Mapping[Any, Any], known: Sequence[str], what: str, source: str) -> None:
    """A key the file may not hold, named with its line, the keys it may, and the closest of them."""
    for key in mapping:
        if key not in known:
            raise ConfigError(f"{_at(source, line_of(mapping, key))}: {what} {key!r} "
                              f"(known: {', '.join(known)}){_close(key, known)}")


def _close(word: Any, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _limits(value: Any, source: str, line: int | None) -> Limits:
    """`limits: {max_file_mb: 256, max_archive_mb: 1024, max_objects: 2000000, ...}` (checker/inputs/limits.py)"""
    if value is None:
        return Limits()
    if not isinstance(value, dict):
        raise ConfigError(f"{_at(source, line)}: limits: expected a mapping of {', '.join(_LIMIT_KEYS)}")
    chosen: dict[str, int] = {}
    for key, number in value.items():
        where = _at(source, line_of(value, key))
        if key not in _LIMIT_KEYS:
            raise ConfigError(f"{where}: limits: unknown limit {key!r} (known: {', '.join(sorted(_LIMIT_KEYS))})")
        if isinstance(number, bool) or not isinstance(number, int) or number <= 0:
            raise ConfigError(f"{where}: limits: {key} must be a positive whole number")
        name, unit = _LIMIT_KEYS[key]
        chosen[name] = number * unit
    return Limits(**chosen)


def _string_list(data: Mapping[str, Any], key: str, source: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, (str, int)) for item in value):
        raise ConfigError(f"{_at(source, line_of(data, key))}: {key}: expected a list of strings")
    return tuple(str(item).strip() for item in value if str(item).strip())


def _rule_prefixes(data: Mapping[str, Any], key: str, source: str, rules: Sequence[Rule]) -> tuple[str, ...]:
    """``select``/``ignore``: rule ids or names by prefix; one that matches no rule is a typo."""
    from checker.selection import SelectionError, select_rules

    prefixes = _string_list(data, key, source)
    value = data.get(key)
    for index, prefix in enumerate(prefixes):
        try:
            select_rules(rules, [prefix], ())
        except SelectionError:
            line = line_of(value, index) if isinstance(value, list) else line_of(data, key)
            raise ConfigError(f"{_at(source, line)}: {key}: {prefix!r} matches no rule id or name"
                              f"{_close(prefix, [rule.id for rule in rules])} (see 'tenant-checker rules')") from None
    return prefixes


def _waivers(value: Any, source: str, line: int | None, rules: Sequence[Rule]) -> tuple[Waiver, ...]:
    """``waivers: [{rule, subject, reason, expires, ticket?, owner?}]``"""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(f"{_at(source, line)}: waivers: expected a list of waivers")
    return tuple(_waiver(entry, source, line_of(value, index), rules) for index, entry in enumerate(value))


def _waiver(entry: Any, source: str, line: int | None, rules: Sequence[Rule]) -> Waiver:
    from checker.catalogue import find_rule

    where = _at(source, line)
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: waivers: each waiver is a mapping of {', '.join(_WAIVER_KEYS)}")
    _refuse_unknown_keys(entry, _WAIVER_KEYS, "waiver: unknown key", source)
    for key in _WAIVER_REQUIRED:
        text = entry.get(key)
        if text is None or (isinstance(text, str) and not text.strip()):
            raise ConfigError(f"{where}: waiver: {key} is required (a waiver names {', '.join(_WAIVER_REQUIRED)})")
    texts = {key: _text(entry, key, source) for key in ("rule", "subject", "reason", "ticket", "owner")}
    rule = find_rule(rules, texts["rule"])
    if rule is None:
        raise ConfigError(f"{_at(source, line_of(entry, 'rule'))}: waiver: no rule {texts['rule']!r}"
                          f"{_close(texts['rule'], [*(r.id for r in rules), *(r.name for r in rules)])} "
                          "(see 'tenant-checker rules')")
    return Waiver(rule=rule.id, subject=texts["subject"], reason=texts["reason"], expires=_date(entry, source),
                  ticket=texts["ticket"], owner=texts["owner"], where=where)


def _text(entry: Mapping[str, Any], key: str, source: str) -> str:
    value = entry.get(key, "")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a ticket number
    if not isinstance(value, str):
        raise ConfigError(f"{_at(source, line_of(entry, key))}: waiver: {key} must be text, not {value!r}")
    return value.strip()


def _date(entry: Mapping[str, Any], source: str) -> date:
    """``expires: 2026-12-31``, unquoted (a YAML date) or quoted (an ISO date)."""
    value = entry["expires"]
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ConfigError(f"{_at(source, line_of(entry, 'expires'))}: waiver: expires: {value!r} is not a date "
                      "(write YYYY-MM-DD, for example 2027-03-31)")


def _admin_roles(data: Mapping[str, Any], source: str) -> dict[str, str]:
    entries = _string_list(data, "admin_roles", source)
    if not entries:
        return dict(ADMIN_ROLES)
    by_name = {name.lower(): role_id for role_id, name in ADMIN_ROLES.items()}
    roles: dict[str, str] = {}
    for entry in entries:
        key = entry.lower()
        if key in ADMIN_ROLES:
            roles[key] = ADMIN_ROLES[key]
        elif key in by_name:
            roles[by_name[key]] = ADMIN_ROLES[by_name[key]]
        elif _looks_like_guid(key):
            roles[key] = entry
        else:
            raise ConfigError(f"{_at(source, line_of(data, 'admin_roles'))}: admin_roles: {entry!r} is neither "
                              "a role template id nor a known role name")
    return roles


def _looks_like_guid(text: str) -> bool:
    parts = text.split("-")
    return [len(p) for p in parts] == [8, 4, 4, 4, 12] and all(
        c in "0123456789abcdef" for c in text.replace("-", ""))


def _rules_page(data: dict[str, Any], source: str) -> str:
    """``rules_page``: the address of a published copy of docs/rules.md, which SARIF rules link to."""
    page = data.get("rules_page")
    if page is None:
        return ""
    if not isinstance(page, str) or not _WEB_ADDRESS.match(page):
        raise ConfigError(f"{_at(source, line_of(data, 'rules_page'))}: rules_page: expected the https:// address "
                          f"of a published copy of docs/rules.md, not {page!r}")
    return page.split("#", 1)[0]
