"""A copy of data/ with uncurated records added as a reference manager and PubMed export them (Zotero-style
BibTeX and MEDLINE-derived fields, in the format `kg import` writes) and an import log: the fixture of the
screening, PRISMA and store tests."""
from __future__ import annotations

import shutil
from pathlib import Path

from kg.model import paths

RESOURCES = Path(__file__).resolve().parent.parent / "resources" / "screening"


def review_data(directory: Path, *, log: bool = True) -> Path:
    """data/ (references.bib, claims.ttl) copied to `directory`, the extra records appended, the log beside."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in (paths.BIB_NAME, paths.CLAIMS_NAME):
        shutil.copyfile(paths.DEFAULT_DATA_DIR / name, directory / name)
    with open(directory / paths.BIB_NAME, "a", encoding="utf-8") as handle:
        handle.write((RESOURCES / "references-extra.bib").read_text(encoding="utf-8"))
    if log:
        shutil.copyfile(RESOURCES / "import-log.jsonl", directory / "import-log.jsonl")
    return directory
