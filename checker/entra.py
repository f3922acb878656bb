"""Well-known Microsoft Entra identifiers: admin role templates, built-in strengths, app bundles.

Data only. What these ids mean for a sign-in is decided in checker/semantics and
checker/evaluation.
"""
from __future__ import annotations

import re

# The form of every Entra object id (role, group, user, tenant): a GUID, in either case.
OBJECT_ID = re.compile(r"[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}", re.IGNORECASE)

# The roles of Microsoft's "Require MFA for administrators" policy template.
ADMIN_ROLES: dict[str, str] = {
    "62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
    "c4e39bd9-1100-46d3-8c65-fb160da0071f": "Authentication Administrator",
    "b0f54661-2d74-4c50-afa3-1ec803f12efe": "Billing Administrator",
    "158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": "Conditional Access Administrator",
    "29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
    "729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
    "966707d0-3269-4727-9be2-8c3a10f19b9d": "Password Administrator",
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13": "Privileged Authentication Administrator",
    "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
    "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
    "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
}

# Built-in authentication strengths, by tier: 1 MFA, 2 passwordless MFA, 3 phishing-resistant MFA.
BUILT_IN_STRENGTHS: dict[str, tuple[str, int]] = {
    "00000000-0000-0000-0000-000000000002": ("Multifactor authentication", 1),
    "00000000-0000-0000-0000-000000000003": ("Passwordless MFA", 2),
    "00000000-0000-0000-0000-000000000004": ("Phishing-resistant MFA", 3),
}
TIER_NAMES = {1: "MFA", 2: "passwordless MFA", 3: "phishing-resistant MFA"}

# Authentication method modes that are multifactor on their own (the rest need a second
# factor joined with a comma, as in "password,microsoftAuthenticatorPush").
MULTIFACTOR_MODES = frozenset({
    "fido2", "windowshelloforbusiness", "x509certificatemultifactor", "devicebasedpush",
    "temporaryaccesspassonetime", "temporaryaccesspassmultiuse", "federatedmultifactor",
})
SINGLE_FACTOR_MODES = frozenset({
    "password", "voice", "hardwareoath", "softwareoath", "sms", "microsoftauthenticatorpush", "email",
    "x509certificatesinglefactor", "federatedsinglefactor", "qrcodepin",
})
PHISHING_RESISTANT_MODES = frozenset({"fido2", "windowshelloforbusiness", "x509certificatemultifactor"})
PASSWORDLESS_MODES = PHISHING_RESISTANT_MODES | {"devicebasedpush"}

# Apps known to belong to the "Office365" bundle that policies can target as one app.
# An app id outside this list may still belong to it: such membership is undetermined.
OFFICE365_APPS: dict[str, str] = {
    "00000002-0000-0ff1-ce00-000000000000": "Office 365 Exchange Online",
    "00000003-0000-0ff1-ce00-000000000000": "Office 365 SharePoint Online",
    "00000004-0000-0ff1-ce00-000000000000": "Skype for Business Online",
    "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe": "Microsoft Teams Services",
    "09abbdfd-ed23-44ee-a2d9-a627aa1c90f3": "Microsoft Planner",
    "c9a559d2-7aab-4f13-a6ed-e7e9c52aec87": "Microsoft Forms",
    "2634dd23-5e5a-431c-81ca-11710d9079f4": "Microsoft Stream Service",
}
# Apps known to belong to the "MicrosoftAdminPortals" bundle.
ADMIN_PORTAL_APPS: dict[str, str] = {
    "c44b4083-3bb0-49c1-b47d-974e53cbdf3c": "Azure portal",
}
OFFICE365 = "office365"
ADMIN_PORTALS = "microsoftadminportals"
MFA_TRUSTED_IPS = "00000000-0000-0000-0000-000000000000"

# Guest and external user types a Conditional Access policy can name.
GUEST_TYPES = (
    "internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember", "b2bDirectConnectUser",
    "otherExternalUser", "serviceProvider",
)
PLATFORMS = ("android", "iOS", "windows", "macOS", "linux", "windowsPhone")
MODERN_CLIENTS = ("browser", "mobileAppsAndDesktopClients")
LEGACY_CLIENTS = ("exchangeActiveSync", "other")
AUTHENTICATION_FLOWS = ("deviceCodeFlow", "authenticationTransfer")
RISK_LEVELS = ("low", "medium", "high")
