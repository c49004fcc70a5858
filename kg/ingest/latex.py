"""LaTeX in BibTeX fields to Unicode: the common escapes by table, anything else by pylatexenc.

pylatexenc on every field is about 40 times slower than bibtexparser's parse itself, and almost every
escape in a reference list is an accent, a special letter, `\\&` or a case-protecting brace. Those are
decoded here by regular expressions; a field that still holds a backslash, brace, tilde or dollar after
that goes to pylatexenc whole, so the result is the same as decoding everything with it.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307",
           "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a"}
LETTERS = {"o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "ss": "ß", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ",
           "OE": "Œ", "i": "ı", "j": "ȷ"}
# {\'e}, \'{e}, \'e, \'{\i}; \v{s}, {\v{s}}, \c c
_ACCENT = re.compile(r"\{?\\([\'`^\"~=.])\s*\{?(\\[ij]|[A-Za-z])\}?\}?|\{?\\([uvHckr])\{(\\[ij]|[A-Za-z])\}\}?"
                     r"|\{?\\([uvHckr]) ([A-Za-z])\}?")
# {\o}, \o, {\ss}, \aa ...
_LETTER = re.compile(r"\{\\(o|O|l|L|ss|aa|AA|ae|AE|oe|OE|i|j)\}|\\(o|O|l|L|ss|aa|AA|ae|AE|oe|OE|i|j)(?![A-Za-z])\s?")
_GROUP = re.compile(r"\{([^{}\\]*)\}")  # {MRI}: case protection only
_SPACE = re.compile(r"\s+")


def _accent(m: re.Match[str]) -> str:
    mark = m.group(1) or m.group(3) or m.group(5)
    base = m.group(2) or m.group(4) or m.group(6)
    base = LETTERS[base[1:]] if base.startswith("\\") else base
    return unicodedata.normalize("NFC", base + ACCENTS[mark])


@lru_cache(maxsize=1)
def _pylatexenc() -> object:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text()


def _full_decode(value: str) -> str:
    text: str = _pylatexenc().latex_to_text(value)  # type: ignore[attr-defined]
    return _SPACE.sub(" ", text).strip()


@lru_cache(maxsize=65536)  # journal names and author names repeat across entries
def decode_latex(value: str) -> str:
    """LaTeX to Unicode ('G{\\'o}mez-Hoyos' -> 'Gómez-Hoyos'); plain text is returned as it is."""
    if "\\" not in value and "{" not in value and "~" not in value:
        return value
    text = value.replace("\\&", "&")
    text = _LETTER.sub(lambda m: LETTERS[m.group(1) or m.group(2)], text)
    text = _ACCENT.sub(_accent, text)
    text = _GROUP.sub(r"\1", text)
    if "\\" in text or "{" in text or "}" in text or "~" in text or "$" in text:
        return _full_decode(value)
    return _SPACE.sub(" ", text).strip()
