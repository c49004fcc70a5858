"""Author names as exports write them: 'Family, Given', 'Given Family', Vancouver's 'Family IN'."""
from __future__ import annotations

import re

from kg.ingest.bibtex import Name
from kg.ingest.importers.record import initials_given, person

_VANCOUVER = re.compile(r"^(?P<family>.+?)\s+(?P<initials>[A-Z]{1,4})(?:\s+(?P<suffix>Jr|Sr|II|III|IV|2nd|3rd))?\.?$")


def parse_name(text: str) -> Name | None:
    """One person's name in whichever of the usual forms it comes; None for an empty one."""
    text = " ".join(text.split()).strip(" ,;")
    if not text:
        return None
    if "," in text:
        family, _, rest = text.partition(",")
        given, _, suffix = rest.partition(",")
        # 'Smith, Jr., John' has the suffix second; 'Smith, John, Jr.' third
        if given.strip().rstrip(".") in {"Jr", "Sr", "II", "III", "IV"}:
            given, suffix = suffix, given
        return person(family, _spaced_initials(given.strip()), suffix)
    match = _VANCOUVER.match(text)
    if match:
        return person(match["family"], initials_given(match["initials"]), match["suffix"] or "")
    if " " not in text:
        return person(text)
    given, _, family = text.rpartition(" ")
    return person(family, given)


def _spaced_initials(given: str) -> str:
    """'C.J.' -> 'C. J.'; 'CJ' (PubMed's RIS) stays as it is unless it is only initials: -> 'C. J.'."""
    if re.fullmatch(r"(?:[A-Z]\.\s*)+", given):
        return " ".join(given.replace(" ", "").replace(".", ". ").split())
    if re.fullmatch(r"[A-Z]{1,3}", given):
        return initials_given(given)
    return given
