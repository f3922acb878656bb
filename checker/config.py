"""`.tenant-checker.yaml` and its validation (DESIGN section 7). Command-line values win."""
from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from checker.entra import ADMIN_ROLES
from checker.inputs.archives import Limits
from checker.inputs.limits import SETTINGS as LIMIT_SETTINGS
from checker.verdicts import Severity

CONFIG_FILE_NAME = ".tenant-checker.yaml"
_KNOWN_KEYS = {"fail_on", "select", "ignore", "break_glass", "admin_roles", "limits"}
# setting -> (Limits field, bytes per unit of the setting)
_LIMIT_KEYS = {setting: (name, unit) for name, (setting, unit) in LIMIT_SETTINGS.items()}
_LATER_KEYS = {"waivers": "waivers are not supported by this version", "baseline": "baselines are not supported "
               "by this version"}


class ConfigError(ValueError):
    """The configuration cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    fail_on: Severity = Severity.LOW
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    break_glass: tuple[str, ...] = ()
    admin_roles: Mapping[str, str] = field(default_factory=lambda: dict(ADMIN_ROLES))
    limits: Limits = field(default_factory=Limits)
    source: str = ""


def find_config(paths: Sequence[str]) -> str | None:
    """The nearest config file from the first scanned folder upwards, else one at a scanned zip's root.

    The search stops at a repository root (a folder holding ``.git``), so that a file further
    up, outside the repository, never configures its scans.
    """
    if not paths:
        return None
    path = paths[0]
    folder = os.path.abspath(path if os.path.isdir(path) else os.path.dirname(path) or ".")
    while True:
        candidate = os.path.join(folder, CONFIG_FILE_NAME)
        if os.path.isfile(candidate):
            return _shown(candidate, path)
        parent = os.path.dirname(folder)
        if os.path.exists(os.path.join(folder, ".git")) or parent == folder:
            break
        folder = parent
    return next((found for found in map(_zip_root_config, paths) if found), None)


def _shown(candidate: str, scanned: str) -> str:
    """The config path as the user would write it: relative when they gave a relative path."""
    return candidate if os.path.isabs(scanned) else os.path.relpath(candidate)


def _zip_root_config(path: str) -> str | None:
    from checker.inputs.archives import root_member_reference

    return root_member_reference(path, CONFIG_FILE_NAME) if os.path.isfile(path) else None


def load_config(path: str | None) -> Config:
    if path is None:
        return Config()
    import yaml  # only needed when there is a file to read

    from checker.inputs.archives import display_reference, read_reference

    try:
        data = yaml.safe_load(read_reference(path).decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{display_reference(path)}: cannot be read "
                          f"({getattr(error, 'strerror', None) or error})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise ConfigError(f"{display_reference(path)}{where}: not valid YAML") from None
    return config_from_mapping(data or {}, display_reference(path))


def config_from_mapping(data: Any, source: str) -> Config:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of settings at the top level")
    for key in data:
        if key in _LATER_KEYS:
            raise ConfigError(f"{source}: {key}: {_LATER_KEYS[key]}")
        if key not in _KNOWN_KEYS:
            raise ConfigError(f"{source}: unknown setting {key!r} (known: {', '.join(sorted(_KNOWN_KEYS))})")
    try:
        fail_on = Severity.parse(str(data.get("fail_on", "low")))
    except ValueError as error:
        raise ConfigError(f"{source}: fail_on: {error}") from None
    return Config(
        fail_on=fail_on,
        select=_string_list(data, "select", source),
        ignore=_string_list(data, "ignore", source),
        break_glass=_string_list(data, "break_glass", source),
        admin_roles=_admin_roles(data, source),
        limits=_limits(data.get("limits"), source),
        source=source,
    )


def _limits(value: Any, source: str) -> Limits:
    """`limits: {max_file_mb: 256, max_archive_mb: 1024, max_objects: 2000000, ...}` (checker/inputs/limits.py)"""
    if value is None:
        return Limits()
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: limits: expected a mapping of {', '.join(_LIMIT_KEYS)}")
    chosen: dict[str, int] = {}
    for key, number in value.items():
        if key not in _LIMIT_KEYS:
            raise ConfigError(f"{source}: limits: unknown limit {key!r} (known: {', '.join(sorted(_LIMIT_KEYS))})")
        if isinstance(number, bool) or not isinstance(number, int) or number <= 0:
            raise ConfigError(f"{source}: limits: {key} must be a positive whole number")
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
        raise ConfigError(f"{source}: {key}: expected a list of strings")
    return tuple(str(item).strip() for item in value if str(item).strip())


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
            raise ConfigError(f"{source}: admin_roles: {entry!r} is neither a role template id nor a known role name")
    return roles


def _looks_like_guid(text: str) -> bool:
    parts = text.split("-")
    return [len(p) for p in parts] == [8, 4, 4, 4, 12] and all(
        c in "0123456789abcdef" for c in text.replace("-", ""))
