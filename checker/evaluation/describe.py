"""Regions of the sign-in space in words: "any app · mobile and desktop apps · Android, iOS"."""
from __future__ import annotations

from collections.abc import Mapping

from checker import entra
from checker.evaluation import space as sp
from checker.evaluation.regions import Region

_CLIENT_WORDS = {
    "browser": "browser", "mobileAppsAndDesktopClients": "mobile and desktop apps",
    "exchangeActiveSync": "Exchange ActiveSync", "other": "other legacy clients",
}
_APP_WORDS = {sp.OTHER_OFFICE365: "other Office 365 apps", sp.OTHER_PORTAL: "other admin portals",
              sp.OTHER_APP: "any other app"}
_FLOW_WORDS = {sp.NO_FLOW: "an ordinary sign-in", "deviceCodeFlow": "device code flow",
               "authenticationTransfer": "authentication transfer"}
_PLATFORM_WORDS = {sp.UNKNOWN_PLATFORM: "an unknown platform", "iOS": "iOS", "macOS": "macOS",
                   "windowsPhone": "Windows Phone"}

_EVERY = {sp.APPS: "any app", sp.CLIENTS: "any client app", sp.PLATFORMS: "any platform",
          sp.LOCATIONS: "any location", sp.FLOWS: "any authentication flow"}


def app_name(app_id: str) -> str:
    if app_id in _APP_WORDS:
        return _APP_WORDS[app_id]
    known = entra.OFFICE365_APPS.get(app_id) or entra.ADMIN_PORTAL_APPS.get(app_id)
    return f"'{known}'" if known else f"app {app_id}"


def location_name(location_id: str, names: Mapping[str, str]) -> str:
    if location_id == sp.ELSEWHERE:
        return "anywhere else"
    if location_id == entra.MFA_TRUSTED_IPS:
        return "the MFA trusted IPs"
    name = names.get(location_id)
    return f"'{name}'" if name else f"location {location_id}"


def dimension_words(region: Region, all_atoms: Mapping[str, tuple[str, ...]], locations: Mapping[str, str],
                    whole: bool = False) -> list[str]:
    """Words for each dimension the region narrows (``whole``: for every dimension it names)."""
    words = []
    for name, atoms in region.parts:
        everything = all_atoms[name]
        if len(atoms) == len(everything) and not whole:
            continue
        words.append(_words(name, atoms, everything, locations))
    return words


def region_words(region: Region, all_atoms: Mapping[str, tuple[str, ...]], locations: Mapping[str, str]) -> str:
    words = dimension_words(region, all_atoms, locations)
    if len(region.atoms(sp.APPS)) == len(all_atoms[sp.APPS]):
        words.insert(0, "any app")
    return " · ".join(words) or "every sign-in"


def _words(name: str, atoms: frozenset[str], everything: tuple[str, ...], locations: Mapping[str, str]) -> str:
    ordered = [a for a in everything if a in atoms]
    left_out = [a for a in everything if a not in atoms]
    if not left_out:
        return _EVERY.get(name, "every device")
    if name == sp.APPS:
        if sp.OTHER_APP in atoms and len(left_out) <= len(ordered):
            return "any app except " + ", ".join(app_name(a) for a in left_out)
        return ", ".join(app_name(a) for a in ordered)
    if name == sp.CLIENTS:
        return ", ".join(_CLIENT_WORDS.get(a, a) for a in ordered)
    if name == sp.PLATFORMS:
        if len(left_out) < len(ordered):
            return "any platform except " + ", ".join(_platform(a) for a in left_out)
        return ", ".join(_platform(a) for a in ordered)
    if name == sp.LOCATIONS:
        if sp.ELSEWHERE in atoms and left_out:
            return "outside " + ", ".join(location_name(a, locations) for a in left_out)
        return "from " + ", ".join(location_name(a, locations) for a in ordered)
    if name == sp.FLOWS:
        return ", ".join(_FLOW_WORDS.get(a, a) for a in ordered)
    rule = name.removeprefix("device:")
    side = "matching" if atoms == {sp.MATCH} else "not matching"
    return f"devices {side} the filter '{rule}'"


def _platform(atom: str) -> str:
    return _PLATFORM_WORDS.get(atom, atom[:1].upper() + atom[1:])
