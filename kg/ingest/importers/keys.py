"""New BibTeX keys: first author's family name, year, first significant title word (`devin2012hipspine`),
lower-case ASCII, made unique with a letter (`devin2012hipspinea`, ...`b`) as Better BibTeX does."""
from __future__ import annotations

import re
import unicodedata

from kg.ingest.importers.record import Record

# Words that do not name a study: the key takes the first word after them ('The Hip-Spine Effect' -> hipspine).
SKIP = frozenset("""a an the and or of on in at to for from with by as is are was were be been does do did can could
should would will may might must what which who whom whose when where why how this that these those its it their
there than via vs versus into onto about after before between among under over during without within not no""".split())


def ascii_word(text: str) -> str:
    """'Gómez-Hoyos' -> 'gomezhoyos'."""
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())


def base_key(record: Record) -> str:
    family = record.authors[0].family.split() if record.authors else []
    # a group author ('GBD 2019 Hip and Spine Collaborators') gives its first word, a person the whole family name
    author = ascii_word(family[0] if len(family) > 2 else " ".join(family))
    title = re.sub(r"[\u2010\u2011]", "-", record.title or "")  # Unicode hyphens join a word as '-' does
    words = [ascii_word(w) for w in re.split(r"[^\w-]+", title)]
    word = next((w for w in words if w and w not in SKIP), next((w for w in words if w), ""))
    return f"{author or 'anon'}{record.year or 'nd'}{word[:20] or 'untitled'}"


def unique_key(base: str, taken: set[str]) -> str:
    """`base`, or base + a, b, ... z, aa, ab ... : the first not in `taken` (compared lower-case). Adds it to `taken`."""
    key, n = base, 0
    while key.lower() in taken:
        n += 1
        suffix, m = "", n
        while m:
            m, r = divmod(m - 1, 26)
            suffix = chr(97 + r) + suffix
        key = base + suffix
    taken.add(key.lower())
    return key
