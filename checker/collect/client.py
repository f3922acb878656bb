"""A small, read-only Microsoft Graph client on the standard library (urllib).

It can GET one URL, GET every page of a list (following ``@odata.nextLink``), and send GETs
in ``$batch`` requests of 20, the one POST it makes. Throttled requests (429, 503) wait for
``Retry-After`` and are tried again, a bounded number of times; ``sleep`` is injectable so
that tests do not wait. Redirects are not followed and a next link must stay on the Graph
host, so the token is never sent anywhere else.
"""
from __future__ import annotations

import email.utils
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checker import __version__

RETRIED = frozenset({429, 503})
BATCH_SIZE = 20  # Graph's limit of requests in one $batch
MAX_WAIT_SECONDS = 300.0
HEADERS = {
    "Accept": "application/json",
    # enum values added after unknownFutureValue (such as riskRemediation) come by name
    "Prefer": "include-unknown-enum-members",
    "User-Agent": f"tenant-checker/{__version__}",
}


class GraphError(Exception):
    """Graph answered a request with an error: the collection it was for cannot be read."""

    def __init__(self, status: int, message: str, url: str) -> None:
        super().__init__(f"{status} {message} ({url})")
        self.status = status
        self.message = message
        self.url = url


class CollectionStopped(Exception):
    """Nothing more can be collected: the token was refused (401) or Graph cannot be reached."""


@dataclass(frozen=True)
class Listing:
    """Every object of a list, from all its pages, and the ``@odata.context`` of the first page."""

    context: str
    value: tuple[dict[str, Any], ...]
    pages: int


@dataclass(frozen=True)
class BatchAnswer:
    """One GET of a ``$batch``: its status and body."""

    status: int
    body: Any


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx becomes an HTTPError, and the Authorization header goes nowhere else


class GraphClient:
    def __init__(self, root: str, token: Callable[[], str], *, sleep: Callable[[float], None] = time.sleep,
                 max_attempts: int = 6, timeout: float = 60.0) -> None:
        self.root = root.rstrip("/")
        self._token = token
        self._sleep = sleep
        self._max_attempts = max_attempts
        self._timeout = timeout
        self._opener = urllib.request.build_opener(_RefuseRedirects)

    def token(self) -> str:
        return self._token()

    def url(self, version: str, path: str) -> str:
        return f"{self.root}/{version}/{path.lstrip('/')}"

    def get(self, url: str) -> dict[str, Any]:
        return self._send("GET", url)

    def get_all(self, url: str, first: Mapping[str, Any] | None = None) -> Listing:
        """Every page of a list; ``first`` is a page already fetched (from a ``$batch``)."""
        page = dict(first) if first is not None else self.get(url)
        context = str(page.get("@odata.context", ""))
        found: list[dict[str, Any]] = []
        pages = 0
        while True:
            value = page.get("value")
            if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
                raise GraphError(200, "the response holds no list of objects under 'value'", url)
            found.extend(value)
            pages += 1
            next_link = page.get("@odata.nextLink")
            if next_link is None:
                return Listing(context, tuple(found), pages)
            if not isinstance(next_link, str) or not next_link.startswith(self.root + "/"):
                raise GraphError(200, f"its next page is not on {self.root}: {next_link!r}", url)
            url = next_link
            page = self.get(url)

    def batch_get(self, version: str, paths: Sequence[str]) -> list[BatchAnswer]:
        """GET each path (relative to the version) through ``$batch``, in order of ``paths``."""
        answers: dict[int, BatchAnswer] = {}
        pending = list(range(len(paths)))
        for attempt in range(1, self._max_attempts + 1):
            throttled: list[int] = []
            wait = 0.0
            for start in range(0, len(pending), BATCH_SIZE):
                chunk = pending[start:start + BATCH_SIZE]
                requests = [{"id": str(i), "method": "GET", "url": "/" + paths[i].lstrip("/"),
                             "headers": {"Prefer": HEADERS["Prefer"]}} for i in chunk]
                reply = self._send("POST", self.url(version, "$batch"), {"requests": requests})
                for index, answer in _batch_answers(reply, chunk, self.url(version, "$batch")):
                    if answer.status in RETRIED:
                        throttled.append(index)
                        wait = max(wait, _retry_after(_header(answer, "Retry-After"), attempt))
                    else:
                        answers[index] = BatchAnswer(answer.status, answer.body)
            if not throttled:
                break
            if attempt == self._max_attempts:
                raise GraphError(429, f"still throttled after {attempt} attempts", self.url(version, "$batch"))
            self._sleep(wait)
            pending = sorted(throttled)
        return [answers[i] for i in range(len(paths))]

    def _send(self, method: str, url: str, body: Mapping[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(1, self._max_attempts + 1):
            headers = {**HEADERS, "Authorization": f"Bearer {self._token()}"}
            if data is not None:
                headers["Content-Type"] = "application/json"
            request = urllib.request.Request(url, data=data, method=method, headers=headers)
            try:
                with self._opener.open(request, timeout=self._timeout) as response:
                    return _json_object(response.read(), url)
            except urllib.error.HTTPError as error:
                text = error.read()
                if error.code in RETRIED and attempt < self._max_attempts:
                    self._sleep(_retry_after(error.headers.get("Retry-After"), attempt))
                    continue
                if error.code == 401:
                    raise CollectionStopped(f"Graph refused the token (401 {_message(text)})") from None
                raise GraphError(error.code, _message(text), url) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                reason = getattr(error, "reason", error)
                raise CollectionStopped(f"cannot reach {self.root}: {reason}") from None
        raise AssertionError("unreachable: the last attempt returns or raises")


@dataclass(frozen=True)
class _RawAnswer:
    status: int
    body: Any
    headers: Mapping[str, Any]


def _batch_answers(reply: Mapping[str, Any], chunk: Sequence[int], url: str) -> list[tuple[int, _RawAnswer]]:
    responses = reply.get("responses")
    if not isinstance(responses, list):
        raise GraphError(200, "the $batch response holds no 'responses' list", url)
    found: dict[int, _RawAnswer] = {}
    for response in responses:
        try:
            index = int(response["id"])
            status = int(response["status"])
        except (KeyError, TypeError, ValueError):
            raise GraphError(200, "a $batch response without a numeric id and status", url) from None
        headers = response.get("headers")
        found[index] = _RawAnswer(status, response.get("body"), headers if isinstance(headers, dict) else {})
    missing = [i for i in chunk if i not in found]
    if missing:
        raise GraphError(200, f"the $batch response lacks {len(missing)} of its requests", url)
    return [(i, found[i]) for i in chunk]


def _header(answer: _RawAnswer, name: str) -> str | None:
    for key, value in answer.headers.items():
        if key.lower() == name.lower():
            return str(value)
    return None


def _retry_after(value: str | None, attempt: int) -> float:
    """Seconds to wait: Retry-After (seconds or an HTTP date), else an exponential back-off."""
    if value:
        value = value.strip()
        if value.isdigit():
            return min(float(value), MAX_WAIT_SECONDS)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return max(0.0, min(when.timestamp() - time.time(), MAX_WAIT_SECONDS))
    return float(min(2 ** attempt, 60))


def _json_object(raw: bytes, url: str) -> dict[str, Any]:
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise GraphError(200, "the response is not JSON", url) from None
    if not isinstance(document, dict):
        raise GraphError(200, "the response is not a JSON object", url)
    return document


def _message(raw: bytes) -> str:
    """Graph's own words for an error (``error.code: error.message``), else the start of the body."""
    try:
        error = json.loads(raw.decode("utf-8", "replace")).get("error", {})
        return f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")
    except (ValueError, AttributeError):
        return raw[:200].decode("utf-8", "replace").strip()
