"""Collect every collection of the plan into a folder, then write the manifest.

A collection Graph refuses (403 for lack of permission, or any other error once retries
are spent) is recorded as denied and the others are still collected: `scan` treats it
as missing evidence. Only a refused token or an unreachable Graph stops the run.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from checker import __version__
from checker.collect import folder
from checker.collect.client import BATCH_SIZE, GraphClient, GraphError, Listing
from checker.collect.credentials import tenant_in_token
from checker.collect.manifest import Collected, Denied, Manifest
from checker.collect.plan import MANIFEST_FILE, PLAN, Request, Shape, group_members_path
from checker.inputs.identify import USERS

Report = Callable[[str], None]
_GROUPS_CONTEXT = "$metadata#groups(id,displayName,groupTypes,securityEnabled,members(id))"


def collect(client: GraphClient, out: Path, report: Report, *, started: datetime | None = None,
            plan: Sequence[Request] = PLAN) -> Manifest:
    """Read each collection of the plan into its file under ``out``; return the manifest written beside them."""
    started = started or datetime.now(timezone.utc)
    tenant_id, tenant_name = _tenant(client, report)
    collected: list[Collected] = []
    denied: list[Denied] = []
    users: Listing | GraphError | None = None  # the per-user requests need the user list
    for request in plan:
        url = client.url(request.version, "$batch" if request.shape is Shape.PER_USER else request.path)
        report(f"collecting {request.collection} ...")
        try:
            document, objects, pages, listing = _read(client, request, url, users)
        except GraphError as error:
            users = error if request.collection == USERS else users
            denied.append(Denied(request.collection, url, error.status, error.message))
            report(f"  not collected: {error.status} {error.message}")
            continue
        users = listing if request.collection == USERS else users
        folder.write_json(out, request.file, document)
        collected.append(Collected(request.collection, url, 200, request.file, objects, pages))
        report(f"  {objects} {'object' if objects == 1 else 'objects'} in {pages} "
               f"{'request' if pages == 1 else 'requests'} -> {request.file}")
    manifest = Manifest(__version__, tenant_id, tenant_name, started.strftime("%Y-%m-%dT%H:%M:%SZ"), client.root,
                        tuple(collected), tuple(denied))
    folder.write_json(out, MANIFEST_FILE, manifest.as_json())
    return manifest


def _tenant(client: GraphClient, report: Report) -> tuple[str, str]:
    """The tenant's id and name from /organization, else the id the token names."""
    try:
        organization = client.get(client.url("v1.0", "organization?$select=id,displayName"))
        value = organization.get("value")
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return str(value[0].get("id", "")), str(value[0].get("displayName", ""))
    except GraphError as error:
        report(f"the organization could not be read ({error.status}); the tenant id is taken from the token")
    return tenant_in_token(client.token()), ""


def _read(client: GraphClient, request: Request, url: str, users: Listing | GraphError | None
          ) -> tuple[dict[str, Any], int, int, Listing | None]:
    """The document to write, its object count, the requests it took, and the list it came from."""
    if request.shape is Shape.PER_USER:
        if not isinstance(users, Listing):
            raise GraphError(users.status if users else 0, "needs the list of users, which could not be read", url)
        return (*_per_user(client, request, users), None)
    if request.shape is Shape.OBJECT:
        return client.get(url), 1, 1, None
    listing = client.get_all(url)
    value: list[dict[str, Any]] = list(listing.value)
    context = listing.context
    pages = listing.pages
    if request.shape is Shape.GROUPS_WITH_MEMBERS:
        value, member_requests = _with_members(client, value)
        context = f"{client.root}/{request.version}/{_GROUPS_CONTEXT}"
        pages += member_requests
    return {"@odata.context": context, "value": value}, len(value), pages, listing


def _with_members(client: GraphClient, groups: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Each group with its direct members: nesting is resolved from the groups' own lists."""
    paths = [group_members_path(str(group.get("id", ""))) for group in groups]
    answers = client.batch_get("v1.0", paths)
    requests = math.ceil(len(paths) / BATCH_SIZE)
    found = []
    for group, path, answer in zip(groups, paths, answers, strict=True):
        url = client.url("v1.0", path)
        if answer.status != 200 or not isinstance(answer.body, dict):
            raise GraphError(answer.status, _batch_message(answer.body), url)
        members = client.get_all(url, first=answer.body)
        requests += members.pages - 1
        found.append({**group, "members": list(members.value)})
    return found, requests


def _per_user(client: GraphClient, request: Request, users: Listing) -> tuple[dict[str, Any], int, int]:
    ids = [str(user.get("id", "")) for user in users.value if user.get("id")]
    paths = [request.path.format(id=user_id) for user_id in ids]
    answers = client.batch_get(request.version, paths)
    responses = []
    for number, (user_id, path, answer) in enumerate(zip(ids, paths, answers, strict=True), start=1):
        if answer.status != 200 or not isinstance(answer.body, dict):
            raise GraphError(answer.status, _batch_message(answer.body), client.url(request.version, path))
        body = dict(answer.body)
        # the user is named only in the context; keep it there when Graph leaves it out
        body.setdefault("@odata.context", f"{client.root}/{request.version}/$metadata#users('{user_id}')"
                                           "/authentication/requirements/$entity")
        responses.append({"id": str(number), "status": answer.status, "body": body})
    return {"responses": responses}, len(responses), math.ceil(len(paths) / BATCH_SIZE)


def _batch_message(body: Any) -> str:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")
    return "no usable answer in the $batch response"
