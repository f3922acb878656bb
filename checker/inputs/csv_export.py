"""CSV exports (DESIGN section 2, item 6) to the Graph collections they stand for.

Where the header names come from:

- Windows PowerShell ``Export-Csv``: the exported objects' property names, PascalCase, after an
  optional ``#TYPE <type name>`` line (Microsoft Graph PowerShell ``Get-MgUser`` and
  ``Get-MgReportAuthenticationMethodUserRegistrationDetail``; MSOnline ``Get-MsolUser`` with a
  calculated per-user MFA column). Values are ``True``/``False``; an empty field is null.
- Microsoft Entra admin center, Authentication methods > User registration details > Download:
  the columns Microsoft Learn's "Authentication Methods Activity" article lists (User principal
  name, Name, MFA Capable, Passwordless Capable, SSPR Registered, SSPR Enabled, SSPR Capable,
  Methods registered, Last Updated Time) with their longer spellings ("Multifactor authentication
  capable"), and the values that view shows: Capable / Not Capable, Registered / Not Registered,
  Enabled / Not Enabled.
- Per-user MFA: the legacy multifactor verification page's bulk-update file (``Username``,
  ``MFA Status``) and the Entra per-user MFA page ("Per-user MFA status"). States are Disabled,
  Enabled or Enforced. An empty state reads as disabled: MSOnline reports a user without any
  StrongAuthenticationRequirements (an empty column after ``Export-Csv``) as per-user MFA disabled.

Headers are matched ignoring case, spaces, hyphens and underscores. Columns not in the table
are not read.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from checker.inputs import identify
from checker.inputs.identify import Identification, Piece

Diagnostic = tuple[str, str, str, int, int]
Column = tuple[int, str, str]  # (index, canonical Graph name, header as written)

# Canonical Graph property name -> every header spelling accepted for it.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("Id", "ObjectId", "Object ID", "User ID"),
    "userPrincipalName": ("UserPrincipalName", "User principal name", "UPN", "Username"),
    "displayName": ("DisplayName", "Display name", "Name"),
    "userDisplayName": ("UserDisplayName", "User display name"),
    "userType": ("UserType", "User type"),
    "accountEnabled": ("AccountEnabled", "Account enabled"),
    "isAdmin": ("IsAdmin", "Admin"),
    "isMfaRegistered": ("IsMfaRegistered", "Multifactor authentication registered", "MFA registered"),
    "isMfaCapable": ("IsMfaCapable", "Multifactor authentication capable", "MFA capable"),
    "isPasswordlessCapable": ("IsPasswordlessCapable", "Passwordless capable"),
    "isSsprRegistered": ("IsSsprRegistered", "SSPR registered", "Self-service password reset registered"),
    "isSsprEnabled": ("IsSsprEnabled", "SSPR enabled", "Self-service password reset enabled"),
    "isSsprCapable": ("IsSsprCapable", "SSPR capable", "Self-service password reset capable"),
    "perUserMfaState": (
        "PerUserMfaState", "Per-user MFA status", "Per-user MFA state", "MFA status", "MFA state",
        "Multi-factor auth status", "Multifactor authentication status",
        "StrongAuthenticationRequirements.State", "StrongAuthenticationRequirements",
    ),
}

BOOLEAN_FIELDS = frozenset({
    "accountEnabled", "isAdmin", "isMfaRegistered", "isMfaCapable", "isPasswordlessCapable",
    "isSsprRegistered", "isSsprEnabled", "isSsprCapable",
})
_REGISTRATION_FIELDS = BOOLEAN_FIELDS - {"accountEnabled"}
_TRUE = frozenset({"true", "yes", "capable", "registered", "enabled"})
_FALSE = frozenset({"false", "no", "notcapable", "notregistered", "notenabled"})
PER_USER_STATES = {"disabled": "disabled", "enabled": "enabled", "enforced": "enforced", "": "disabled"}

# ``#TYPE`` names (lower case, "Selected." removed) that say what a file holds when the
# headers alone do not.
_TYPE_HINTS = (
    ("microsoftgraphuserregistrationdetails", identify.REGISTRATION_DETAILS),
    ("microsoftgraphuser", identify.USERS),
    ("microsoft.online.administration.user", identify.USERS),
)


def _header_key(header: str) -> str:
    return "".join(ch for ch in header.lower() if ch not in " \t-_\ufeff\"")


_CANONICAL = {_header_key(alias): name for name, aliases in HEADER_ALIASES.items() for alias in aliases}


def read_csv(text: str) -> Identification:
    """Identify and read a CSV export; never raises, bad rows become INPUT001 diagnostics."""
    text = text.lstrip("\ufeff")
    type_name, body, offset = _split_type_line(text)
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=_delimiter(body))
    try:
        headers = _header(reader)
    except csv.Error as error:
        return _unreadable(f"the CSV header cannot be read: {error}", offset + reader.line_num)
    if headers is None:
        return Identification("csv", ignored_reason="an empty CSV file")
    columns = _columns(headers)
    kind = _kind({canonical for _, canonical, _ in columns}, type_name)
    if kind is None:
        return Identification("csv", ignored_reason=f"CSV with columns {_listing(headers)}: not a recognised export")
    items, positions, diagnostics = _read_rows(reader, columns, len(headers), kind, offset)
    cut_at = _cut_at(diagnostics)
    lost = tuple((kind, None if pointer == cut_at else 1, message, pointer) for _, message, pointer, _, _ in diagnostics)
    return Identification("csv", (Piece(kind, items, positions=positions),), diagnostics=diagnostics, lost=lost)


def _cut_at(diagnostics: tuple[Diagnostic, ...]) -> str:
    """The pointer of the row from which the CSV could not be read any further, if any."""
    return next((pointer for _, message, pointer, _, _ in diagnostics if message.startswith(_CUT_SHORT)), "")


def _split_type_line(text: str) -> tuple[str, str, int]:
    """(type name, the rest of the text, lines before the header) for an optional #TYPE line."""
    if not text.startswith("#TYPE"):
        return "", text, 0
    first, _, rest = text.partition("\n")
    return first[len("#TYPE"):].strip(), rest, 1


def _delimiter(body: str) -> str:
    """``Export-Csv -UseCulture`` writes the locale's list separator, often ';'."""
    first_line = body.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _header(reader: Iterator[list[str]]) -> list[str] | None:
    for row in reader:
        if row:
            return row
    return None


def _columns(headers: list[str]) -> list[Column]:
    columns: list[Column] = []
    seen: set[str] = set()
    for index, header in enumerate(headers):
        canonical = _CANONICAL.get(_header_key(header))
        if canonical is not None and canonical not in seen:
            seen.add(canonical)
            columns.append((index, canonical, header.strip()))
    return columns


def _kind(canonicals: set[str], type_name: str) -> str | None:
    if not canonicals & {"id", "userPrincipalName"}:
        return None
    if "perUserMfaState" in canonicals:
        return identify.PER_USER_MFA
    if canonicals & _REGISTRATION_FIELDS:
        return identify.REGISTRATION_DETAILS
    if "userPrincipalName" in canonicals and canonicals & {"accountEnabled", "id"}:
        return identify.USERS
    lowered = type_name.lower().removeprefix("selected.")
    return next((collection for suffix, collection in _TYPE_HINTS if lowered.endswith(suffix)), None)


def _listing(headers: list[str]) -> str:
    shown = ", ".join(header.strip() for header in headers[:8])
    return shown + (", ..." if len(headers) > 8 else "")


def _unreadable(reason: str, line: int) -> Identification:
    return Identification("csv", diagnostics=(("INPUT001", reason, "", line, 1),))


_CUT_SHORT = "the CSV cannot be read from here on"


def _read_rows(
    reader: Iterator[list[str]], columns: list[Column], width: int, kind: str, offset: int
) -> tuple[tuple[tuple[str, dict[str, object]], ...], tuple[tuple[int, int], ...], tuple[Diagnostic, ...]]:
    items: list[tuple[str, dict[str, object]]] = []
    positions: list[tuple[int, int]] = []
    diagnostics: list[Diagnostic] = []
    line_num = _line_num(reader)
    index = 0
    while True:
        pointer = f"/rows/{index}"
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            diagnostics.append(("INPUT001", f"{_CUT_SHORT}: {error}", pointer,
                                offset + line_num + 1, 1))
            break
        start, line_num = offset + line_num + 1, _line_num(reader)
        if not row:
            continue
        index += 1
        item, problem = _item(row, columns, width, kind)
        if item is None:
            diagnostics.append(("INPUT001", problem, pointer, start, 1))
            continue
        items.append((pointer, item))
        positions.append((start, 1))
    return tuple(items), tuple(positions), tuple(diagnostics)


def _line_num(reader: Iterator[list[str]]) -> int:
    return int(getattr(reader, "line_num", 0))


def _item(row: list[str], columns: list[Column], width: int, kind: str) -> tuple[dict[str, object] | None, str]:
    """The row as a Graph-shaped object, or None and why it cannot be read."""
    if len(row) != width:
        return None, f"the row has {len(row)} fields where the header has {width}"
    values: dict[str, object] = {}
    for index, canonical, header in columns:
        raw = row[index].strip()
        if canonical in BOOLEAN_FIELDS:
            readable, flag = _boolean(raw)
            if not readable:
                return None, f"{row[index]!r} in column {header!r} is not True or False"
            values[canonical] = flag
        elif canonical == "perUserMfaState":
            state = PER_USER_STATES.get(raw.lower())
            if state is None:
                return None, (f"{row[index]!r} in column {header!r} is not a per-user MFA state "
                              "(Disabled, Enabled or Enforced)")
            values[canonical] = state
        else:
            values[canonical] = raw or None
    if kind == identify.PER_USER_MFA:
        values = {name: values.get(name) for name in ("id", "userPrincipalName", "perUserMfaState")}
    return values, ""


def _boolean(raw: str) -> tuple[bool, bool | None]:
    """(whether the value reads as a boolean, the boolean or None for an empty field)."""
    key = "".join(raw.lower().split())
    if not key:
        return True, None
    if key in _TRUE or key in _FALSE:
        return True, key in _TRUE
    return False, None
