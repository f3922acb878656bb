"""A coverage-guided fuzz target over what a scan does with a file: decode, identify, load.

Each input is one file: its first byte picks the name it is saved under (the readers look at
names for EntraExporter folders, ScubaGear and CSV exports), the rest is its content. The file
is loaded as a scan would load it and the Tenant is built. The loader promises never to raise on
bad input (DESIGN section 2: a damaged file is an INPUT001 diagnostic), so any exception is a
crash, and libFuzzer's ``-timeout`` and ``-rss_limit_mb`` catch hangs and runaway memory.

atheris is not a test dependency (it needs a compiler toolchain on some platforms):

    pip install -e '.[fuzz]'                          # or: pip install atheris
    python fuzz/atheris_target.py --make-corpus fuzz/corpus
    python fuzz/atheris_target.py fuzz/corpus -dict=fuzz/tenant-exports.dict -max_total_time=600 \\
        -timeout=20 -rss_limit_mb=4096 -artifact_prefix=fuzz/crashes/

A crash is written as ``fuzz/crashes/crash-<sha1>``; replay one with
``python fuzz/atheris_target.py fuzz/crashes/crash-<sha1>`` and keep it, once fixed, under
tests/data/fuzz-regressions/ with a test that loads it.
"""
from __future__ import annotations

import importlib
import io
import os
import pkgutil
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The names a file may be saved under, picked by the first byte of the input.
NAMES = (
    "export.json",
    "conditional-access-policies.json",
    "ProviderSettingsExport.json",
    "ScubaResults_00000000.json",
    "Identity/Conditional/AccessPolicies/0b1f/0b1f.json",
    "Users/5e1d/5e1d.json",
    "users.csv",
    "registration-details.csv",
    "policies.xml",
    "export.zip",
    "M365TenantConfig.json",
)


def name_and_content(data: bytes) -> tuple[str, bytes]:
    """The file an input stands for: (relative name, content)."""
    if not data:
        return NAMES[0], b""
    return NAMES[data[0] % len(NAMES)], data[1:]


def load_one(name: str, content: bytes, folder: str) -> None:
    """Save ``content`` as ``folder/name`` and load the folder as a scan would; raise on any bug."""
    from checker.inputs.load import load

    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    try:
        load([folder])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def make_corpus(target: Path) -> int:
    """Seed inputs: every sample and format fixture, saved under the name that fits it best."""
    target.mkdir(parents=True, exist_ok=True)
    count = 0
    sources = [*sorted((ROOT / "samples").rglob("*.json")), *sorted((ROOT / "tests" / "formats").rglob("*"))]
    for source in sources:
        if not source.is_file() or source.suffix not in (".json", ".csv", ".xml"):
            continue
        wanted = {".csv": "users.csv", ".xml": "policies.xml"}.get(source.suffix, "export.json")
        if source.name == "ProviderSettingsExport.json":
            wanted = "ProviderSettingsExport.json"
        elif "entraexporter" in source.parts:
            wanted = "Identity/Conditional/AccessPolicies/0b1f/0b1f.json"
        (target / f"seed-{count:03d}").write_bytes(bytes([NAMES.index(wanted)]) + source.read_bytes())
        count += 1
    for sample in sorted(p for p in (ROOT / "samples").iterdir() if p.is_dir()):
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as writer:
            for member in sorted(sample.iterdir()):
                writer.write(member, member.name)
        (target / f"seed-{count:03d}").write_bytes(bytes([NAMES.index("export.zip")]) + archive.getvalue())
        count += 1
    return count


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--make-corpus":
        print(f"{make_corpus(Path(sys.argv[2]))} seed inputs written to {sys.argv[2]}")
        return
    import atheris  # type: ignore[import-untyped]

    with atheris.instrument_imports(include=["checker"]):
        import checker.inputs

        # every reader, as load imports some of them only when a file needs them
        for module in pkgutil.iter_modules(checker.inputs.__path__, "checker.inputs."):
            importlib.import_module(module.name)
    folder = tempfile.mkdtemp(prefix="tenant-checker-fuzz-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)

    def test_one_input(data: bytes) -> None:
        name, content = name_and_content(data)
        load_one(name, content, folder)

    atheris.Setup(sys.argv, test_one_input)
    try:
        atheris.Fuzz()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
