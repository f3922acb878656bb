"""Where the bearer token comes from: an environment variable, or a sign-in through azure-identity.

A token in ``TENANT_CHECKER_GRAPH_TOKEN`` is used as it is (CI, tests, a token minted
elsewhere) and azure-identity is then not even imported. Otherwise the optional
dependency signs in by device code, through the Azure CLI, from the environment
(``AZURE_CLIENT_ID`` and friends) or as a managed identity, and asks for the
``/.default`` scope of the chosen Graph, so the token carries exactly the permissions
the app or user was granted.
"""
from __future__ import annotations

import base64
import json
import logging
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

from checker.collect.clouds import Cloud

TOKEN_VARIABLE = "TENANT_CHECKER_GRAPH_TOKEN"
SIGN_INS = ("device-code", "azure-cli", "environment", "managed-identity")
_REFRESH_MARGIN_SECONDS = 300


class SignInFailed(Exception):
    """No token could be had; reported as one line."""


def token_source(environ: Mapping[str, str], sign_in: str, cloud: Cloud, graph_root: str,
                 tenant: str | None = None, client_id: str | None = None) -> Callable[[], str]:
    given = environ.get(TOKEN_VARIABLE, "").strip()
    if given:
        return lambda: given
    credential = _credential(sign_in, cloud, tenant, client_id)
    return _CachedToken(credential, f"{graph_root}/.default")


def tenant_in_token(token: str) -> str:
    """The ``tid`` claim of a JWT access token, unverified (it only names the tenant), or ''."""
    parts = token.split(".")
    if len(parts) != 3:
        return ""
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return ""
    tenant = payload.get("tid") if isinstance(payload, dict) else None
    return tenant if isinstance(tenant, str) else ""


class _CachedToken:
    """Asks the credential again only when the token is about to expire."""

    def __init__(self, credential: Any, scope: str) -> None:
        self._credential = credential
        self._scope = scope
        self._token = ""
        self._expires_on = 0.0

    def __call__(self) -> str:
        if time.time() < self._expires_on - _REFRESH_MARGIN_SECONDS:
            return self._token
        from azure.core.exceptions import ClientAuthenticationError

        try:
            access = self._credential.get_token(self._scope)
        except ClientAuthenticationError as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise SignInFailed(f"sign-in failed: {first_line}") from None
        self._token = str(access.token)
        self._expires_on = float(access.expires_on)
        return self._token


def _credential(sign_in: str, cloud: Cloud, tenant: str | None, client_id: str | None) -> Any:
    try:
        import azure.identity as identity
    except ImportError:
        raise SignInFailed("signing in needs azure-identity: pip install 'tenant-checker[collect]' (or give a "
                           f"token in {TOKEN_VARIABLE})") from None
    # its failures reach the user as SignInFailed, in one line, not also as a logged warning
    logging.getLogger("azure").addHandler(logging.NullHandler())
    if sign_in == "device-code":
        options: dict[str, Any] = {"authority": cloud.authority_host, "prompt_callback": _prompt}
        if tenant:
            options["tenant_id"] = tenant
        if client_id:
            options["client_id"] = client_id
        return identity.DeviceCodeCredential(**options)
    if sign_in == "azure-cli":
        return identity.AzureCliCredential(tenant_id=tenant or "")
    if sign_in == "environment":
        return identity.EnvironmentCredential()
    if sign_in == "managed-identity":
        return identity.ManagedIdentityCredential(client_id=client_id) if client_id \
            else identity.ManagedIdentityCredential()
    raise SignInFailed(f"unknown sign-in {sign_in!r}: one of {', '.join(SIGN_INS)}")


def _prompt(verification_uri: str, user_code: str, expires_on: Any) -> None:
    """The device-code instructions go to stderr: stdout carries the summary."""
    print(f"To sign in, open {verification_uri} and enter the code {user_code}", file=sys.stderr, flush=True)
