"""LaTeX in BibTeX fields to Unicode: the common escapes by table, anything else by pylatexenc.

One rule, whichever path decodes a value:

* A value without a backslash, brace or tilde is plain text and comes back exactly as typed.
* Any other value is LaTeX: accents, special letters, escaped specials (`\\&`, `\\%`), macros, ties (`~`)
  and case-protecting braces are decoded, `$...$` math is turned into text, and runs of white space become
  one space.
* TeX's input ligatures and shorthands stay as typed: `--` and `---` are not turned into dashes, nor
  ``` `` ```, `''`, `!``, `?`` into quotes and inverted marks; a bare `&` or `%` stays too. In a reference
  list they are hyphen pairs, quotes, ampersands and percent signs far more often than typography, plain
  text keeps them anyway, and a decoder that made `--` a dash only in a field that also held a macro would
  decode one title two ways.

pylatexenc on every field is about 40 times slower than bibtexparser's parse itself, and almost every
escape in a reference list is an accent, a special letter, `\\&` or a case-protecting brace. Those are
decoded here by regular expressions; a value that still holds a backslash, brace, tilde or dollar after
that goes to pylatexenc whole, configured to the rule above, so both paths give the same text
(tests/test_bib.py checks it with hypothesis).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307",
           "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a"}
LETTERS = {"o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "ss": "ß", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ",
           "OE": "Œ", "i": "ı", "j": "ȷ"}
# pylatexenc's specials that the rule keeps as typed (its `&` is a table column separator, written as spaces).
KEPT_SPECIALS = frozenset({"--", "---", "``", "''", "!`", "?`", "&"})
# {\'e}, \'{e}, \'e, \'{\i}; \v{s}, {\v{s}}, \c c
_ACCENT = re.compile(r"\{?\\([\'`^\"~=.])\s*\{?(\\[ij](?![^\W\d_])\s*|[A-Za-z])\}?\}?|\{?\\([uvHckr])\{(\\[ij]|[A-Za-z])\}\}?"
                     r"|\{?\\([uvHckr]) ([A-Za-z])\}?")
# {\o}, \o, {\ss}, \aa ...
_LETTER = re.compile(r"\{\\(o|O|l|L|ss|aa|AA|ae|AE|oe|OE|i|j)\}|\\(o|O|l|L|ss|aa|AA|ae|AE|oe|OE|i|j)(?![^\W\d_])\s*")
_GROUP = re.compile(r"\{([^{}\\]*)\}")  # {MRI}: case protection only
_SPACE = re.compile(r"\s+")
_COMMENT = re.compile(r"(?<!\\)((?:\\\\)*)%")  # a % after an even number of backslashes


def _accent(m: re.Match[str]) -> str:
    mark = m.group(1) or m.group(3) or m.group(5)
    base = m.group(2) or m.group(4) or m.group(6)
    base = LETTERS[base.rstrip()[1:]] if base.startswith("\\") else base  # \i eats the spaces after it
    return unicodedata.normalize("NFC", base + ACCENTS[mark])


@lru_cache(maxsize=1)
def _pylatexenc() -> Any:
    """pylatexenc's LaTeX-to-text converter with its defaults, less the specials the rule keeps."""
    from pylatexenc.latex2text import LatexNodes2Text, get_default_latex_context_db
    from pylatexenc.macrospec import LatexContextDb

    default = get_default_latex_context_db()
    context = LatexContextDb()
    for category in default.categories():
        specials = [s for s in default.iter_specials_specs([category]) if s.specials_chars not in KEPT_SPECIALS]
        context.add_context_category(category, macros=default.iter_macro_specs([category]),
                                     environments=default.iter_environment_specs([category]), specials=specials)
    context.set_unknown_macro_spec(default.unknown_macro_spec)
    context.set_unknown_environment_spec(default.unknown_environment_spec)
    context.set_unknown_specials_spec(default.unknown_specials_spec)
    return LatexNodes2Text(latex_context=context)


def _full_decode(value: str) -> str:
    # A bare % would start a comment that swallows the rest of the line: escaped, it is a percent sign.
    text: str = _pylatexenc().latex_to_text(_COMMENT.sub(r"\1\\%", value))
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
