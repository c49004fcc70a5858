"""Reading SPARQL text without parsing it: the braces and bare keywords outside comments, strings and IRIs.

Used to place VALUES blocks (kg.query.binding) and to refuse updates and SERVICE before anything runs
(kg.query.guard). Variables (`?service`) and prefixed names (`ex:SERVICE`) are skipped, so they are never
mistaken for keywords. The patterns match at a position (`pattern.match(text, i)`) instead of on a copy
of the rest of the text, so a long query costs one pass.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

_IRI = re.compile(r"<[^\s<>\"{}|^`\\]*>")
_VARIABLE = re.compile(r"[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]*")
_WORD = re.compile(r"[\w\-.]*(:[\w\-.:%\\]*)?")


def tokens(text: str) -> Iterator[tuple[int, str]]:
    """(index, token) for each `{`, `}` and bare word (keywords as written, a trailing '.' dropped)."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch in "\"'":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
        elif ch == "<" and (m := _IRI.match(text, i)):
            i = m.end()
        elif ch in "?$":
            m = _VARIABLE.match(text, i)
            i = m.end() if m else i + 1
        elif ch in "{}":
            yield i, ch
            i += 1
        elif ch.isalpha() or ch == "_":
            m = _WORD.match(text, i)
            assert m is not None  # the pattern matches the empty string at worst
            word = m.group(0)
            if ":" not in word:
                yield i, word.rstrip(".")
            i += max(len(word), 1)
        else:
            i += 1


def keywords(text: str) -> list[str]:
    """The bare words of the query, upper-cased, in order."""
    return [t.upper() for _, t in tokens(text) if t not in "{}"]
