"""The text of `tenant-checker inputs`: files, model areas, and the rules left without evidence."""
from __future__ import annotations

from checker.catalogue import load_catalogue
from checker.checks.base import CheckContext
from checker.engine import run_rule
from checker.inputs.load import LoadResult
from checker.inventory import areas
from checker.report import InputFile
from checker.safe_text import CELL_LIMIT, terminal_text
from checker.verdicts import Verdict

EXPORTING_POINTER = ("How to export an ABSENT collection (the Graph request, its read-only permission, scripts): "
                     "docs/exporting.md, or 'tenant-checker collect --out FOLDER'")


def _cell(text: str) -> str:
    """Tenant text for a cell: no escape sequence, and short enough for tabulate's wrapping (quadratic)."""
    return terminal_text(text, CELL_LIMIT)


def _note(item: InputFile) -> str:
    notes = [item.reason] if item.reason else []
    notes += [f"{d.code} {d.message}" + (f" (line {d.line})" if d.line else "") for d in item.diagnostics]
    return "; ".join(notes)


def inputs_text(loaded: LoadResult) -> str:
    from tabulate import tabulate

    files = [(_cell(item.path), item.status, item.format or "-", item.collection or "-", item.objects or "-",
              _cell(_note(item))) for item in loaded.inputs]
    statuses = [item.status for item in loaded.inputs]
    lines = [f"Files under {loaded.scan_root}: {statuses.count('used')} used, {statuses.count('ignored')} ignored, "
             f"{statuses.count('unreadable')} unreadable", ""]
    if loaded.configuration:
        lines[-1:-1] = [f"Configuration: {terminal_text(loaded.configuration)}"]
    lines.append(tabulate(files, headers=("File", "Status", "Format", "Collection", "Objects", "Note"),
                          tablefmt="simple", maxcolwidths=[40, None, None, 54, None, 36], disable_numparse=True))
    if loaded.separation is not None:
        lines += ["", *(terminal_text(line) for line in [loaded.separation.summary(loaded.scan_root),
                                                          *loaded.separation.details()])]
    lines += ["", "Model areas", ""]
    found = areas(loaded.tenant)
    lines.append(tabulate([(a.name, "present" if a.present else "ABSENT", a.detail, a.collection) for a in found],
                          headers=("Area", "", "What", "Graph collection"), tablefmt="simple"))
    if not all(area.present for area in found):
        lines += ["", EXPORTING_POINTER]
    missing = _not_assessed(loaded)
    lines += ["", "Rules that will be not_assessed for lack of evidence", ""]
    missing = [(rule, _cell(why)) for rule, why in missing]
    lines.append(tabulate(missing, headers=("Rule", "Why"), tablefmt="simple", maxcolwidths=[None, 90])
                 if missing else "none: every rule has the evidence it needs")
    return "\n".join(lines) + "\n"


def _not_assessed(loaded: LoadResult) -> list[tuple[str, str]]:
    context = CheckContext(loaded.tenant, inputs=loaded.inputs)
    found = []
    for rule in load_catalogue():
        outcome = run_rule(rule, context)
        reasons = [r.message for r in outcome.results if r.verdict is Verdict.NOT_ASSESSED]
        if reasons:
            more = f" (and {len(reasons) - 1} more)" if len(reasons) > 1 else ""
            found.append((rule.id, reasons[0].removeprefix("Not assessed: ") + more))
    return found
