"""The `collect` command: options in, a folder of Graph responses and a manifest out, an exit code back."""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from checker.collect import folder
from checker.collect.client import CollectionStopped, GraphClient
from checker.collect.clouds import CLOUDS, graph_root
from checker.collect.collector import collect
from checker.collect.credentials import SIGN_INS, SignInFailed, token_source
from checker.collect.manifest import Manifest
from checker.collect.plan import FILES, PLAN
from checker.verdicts import EXIT_FAILURES, EXIT_OK


class CollectRefused(Exception):
    """The collection cannot start or cannot go on; reported as one line with exit code 2."""


@dataclass(frozen=True)
class CollectOptions:
    out: str
    force: bool = False
    cloud: str | None = None
    graph_url: str | None = None
    sign_in: str = "device-code"
    tenant: str | None = None
    client_id: str | None = None
    quiet: bool = False


def run_collect(options: CollectOptions, *, environ: Mapping[str, str] | None = None,
                sleep: Callable[[float], None] = time.sleep, stdout: TextIO | None = None,
                stderr: TextIO | None = None) -> int:
    """Exit 0 when every collection was read, 1 when some were denied (their rules will be not_assessed)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    cloud = CLOUDS.get(options.cloud or "global")
    if cloud is None:
        raise CollectRefused(f"--cloud must be one of {', '.join(CLOUDS)}, not {options.cloud!r}")
    if options.sign_in not in SIGN_INS:
        raise CollectRefused(f"--sign-in must be one of {', '.join(SIGN_INS)}, not {options.sign_in!r}")
    try:
        root = graph_root(options.graph_url) if options.graph_url else cloud.graph_url
    except ValueError as error:
        raise CollectRefused(str(error)) from None
    try:
        out = folder.prepare(Path(options.out), options.force, FILES)
        token = token_source(os.environ if environ is None else environ, options.sign_in, cloud, root,
                             options.tenant, options.client_id)
        manifest = collect(GraphClient(root, token, sleep=sleep), out,
                           (lambda line: None) if options.quiet else (lambda line: print(line, file=stderr)))
    except (folder.FolderRefused, SignInFailed) as error:
        raise CollectRefused(str(error)) from None
    except CollectionStopped as error:
        raise CollectRefused(f"{error}; whatever was collected before is in {options.out}, without a manifest") \
            from None
    stdout.write(summary(manifest, out))
    return EXIT_FAILURES if manifest.denied else EXIT_OK


def summary(manifest: Manifest, out: Path) -> str:
    from tabulate import tabulate

    permission = {request.collection: request.permission for request in PLAN}
    tenant = " ".join(part for part in (manifest.tenant_id, f"({manifest.tenant_name})" if manifest.tenant_name
                                        else "") if part) or "unknown"
    lines = [f"Collected {len(manifest.requests)} of {len(manifest.requests) + len(manifest.denied)} collections "
             f"of tenant {tenant} from {manifest.graph_url} into {out}", ""]
    lines.append(tabulate([(r.collection, r.objects, r.file) for r in manifest.requests],
                          headers=("Collection", "Objects", "File"), tablefmt="simple", disable_numparse=True))
    if manifest.denied:
        lines += ["", "Not collected: scan reports the rules that need these as not_assessed", ""]
        lines.append(tabulate([(d.collection, d.status, d.message, permission.get(d.collection, ""))
                               for d in manifest.denied],
                              headers=("Collection", "Status", "Graph said", "Needs"), tablefmt="simple",
                              maxcolwidths=[None, None, 60, None], disable_numparse=True))
    lines += ["", f"Next: tenant-checker scan {out}"]
    return "\n".join(lines) + "\n"
