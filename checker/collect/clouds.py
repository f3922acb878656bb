"""Where Microsoft Graph and its sign-in service live in each cloud.

From Microsoft's "national cloud deployments" table: US Government L4 (GCC High) and L5
(DoD) have their own Graph hosts but share one sign-in service; 21Vianet's China cloud has
both of its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Cloud:
    name: str
    graph_url: str
    authority_host: str


CLOUDS: dict[str, Cloud] = {
    "global": Cloud("global", "https://graph.microsoft.com", "login.microsoftonline.com"),
    "usgov": Cloud("usgov", "https://graph.microsoft.us", "login.microsoftonline.us"),
    "usgovdod": Cloud("usgovdod", "https://dod-graph.microsoft.us", "login.microsoftonline.us"),
    "china": Cloud("china", "https://microsoftgraph.chinacloudapi.cn", "login.chinacloudapi.cn"),
}


def graph_root(url: str) -> str:
    """A Graph root URL as given on the command line (scheme and host, maybe a port), checked.

    Raises ValueError for anything that is not an http(s) URL without a path, query or
    fragment: the token is sent to this host, so it must be exactly what the user meant.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"--graph-url must be an http(s) URL such as https://graph.microsoft.com, not {url!r}")
    if parts.path.strip("/") or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"--graph-url takes the root of Graph only (no path, query or user), not {url!r}")
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"--graph-url must use https except on this machine (a test server), not {url!r}")
    return f"{parts.scheme}://{parts.netloc}"
