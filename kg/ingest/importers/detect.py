"""Which reader a file needs: from its content, with the file name's extension as a hint only."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from kg.ingest.importers import bibtex_in, csl_json, medline, reflist, ris
from kg.ingest.importers.record import Record, Unreadable

Reader = Callable[[str, str], tuple[list[Record], list[Unreadable]]]
READERS: dict[str, Reader] = {"bibtex": bibtex_in.read, "ris": ris.read, "csl-json": csl_json.read,
                              "medline": medline.read, "reference-list": reflist.read}
EXTENSIONS = {".bib": "bibtex", ".bibtex": "bibtex", ".biblatex": "bibtex", ".ris": "ris", ".json": "csl-json",
              ".csl": "csl-json", ".nbib": "medline", ".medline": "medline"}
_RIS = re.compile(r"^TY  - ", re.MULTILINE)
_MEDLINE = re.compile(r"^PMID- ?\d", re.MULTILINE)
_BIBTEX = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)


def detect(text: str, name: str) -> str:
    """'bibtex', 'ris', 'csl-json', 'medline' or 'reference-list'.

    A format's own signature in the content decides (a JSON array or object; a 'TY  - ' line; a 'PMID- '
    line; an '@type{' line); without one, the extension (.bib, .ris, .json, .nbib); without that, the text is
    read as a reference list.
    """
    head = text.lstrip()[:1]
    if head in "[{" and head:
        return "csl-json"
    if _RIS.search(text):
        return "ris"
    if _MEDLINE.search(text):
        return "medline"
    if _BIBTEX.search(text):
        return "bibtex"
    return EXTENSIONS.get(Path(name).suffix.lower(), "reference-list")
