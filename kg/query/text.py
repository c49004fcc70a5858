"""Reading SPARQL text without parsing it: the braces, bare keywords and prefixed names outside comments, strings
and IRIs.

Used to place VALUES blocks (kg.query.binding), to refuse updates and SERVICE before anything runs
(kg.query.guard.policy), to pick a response format from the query form (kg.serve, kg.store.remote) and to add the
project prefixes a query does not declare (`with_prefixes`, for remote stores). Variables (`?service`) and prefixed
names (`ex:SERVICE`, `:select`) are never mistaken for keywords. The patterns match at a position
(`pattern.match(text, i)`) instead of on a copy of the rest of the text, so a long query costs one pass.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Literal

from kg.model.namespace import PREFIXES

QueryForm = Literal["select", "ask", "construct", "describe"]
QUERY_FORMS: dict[str, QueryForm] = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}
PROLOGUE = frozenset({"PREFIX", "BASE"})

_IRI = re.compile(r"<[^\s<>\"{}|^`\\]*>")
_VARIABLE = re.compile(r"[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]*")
_WORD = re.compile(r"[\w\-.]*(:[\w\-.:%\\]*)?")
_NAME = re.compile(r":[\w\-.:%\\]*")  # a prefixed name with the empty prefix (`:x`), or the bare `:` of `PREFIX :`
_OTHER = re.compile(r"[^#\"'<?${}:A-Za-z_\u00c0-\uffff]+")  # characters that start no token: skipped in one step


def _scan(text: str) -> Iterator[tuple[int, str]]:
    """(index, token) for each `{`, `}`, bare word (a trailing '.' dropped) and prefixed name (`ex:`, `ex:x`, `:x`)."""
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
        elif ch == ":":
            m = _NAME.match(text, i)
            assert m is not None  # ':' itself matches
            yield i, m.group(0)
            i = m.end()
        elif ch.isalpha() or ch == "_":
            m = _WORD.match(text, i)
            assert m is not None  # the pattern matches the empty string at worst
            word = m.group(0)
            yield i, word if ":" in word else word.rstrip(".")
            i += max(len(word), 1)
        else:
            m = _OTHER.match(text, i)
            i = m.end() if m else i + 1


def tokens(text: str) -> Iterator[tuple[int, str]]:
    """(index, token) for each `{`, `}` and bare word (keywords as written, a trailing '.' dropped)."""
    return ((i, t) for i, t in _scan(text) if ":" not in t)


def keywords(text: str) -> list[str]:
    """The bare words of the query, upper-cased, in order."""
    return [t.upper() for _, t in tokens(text) if t not in "{}"]


def leading_keyword(text: str) -> str:
    """The first bare word after the prologue (PREFIX and BASE declarations), upper-cased; '' when there is none."""
    for _, token in tokens(text):
        word = token.upper()
        if word not in PROLOGUE:
            return word
    return ""


def query_form(text: str) -> QueryForm | None:
    """The query form ('select', 'ask', 'construct', 'describe') named by the first keyword after the prologue,
    or None when that keyword is not a query form (an update, bad SPARQL, or no keyword at all).

    This is the one contract for "what kind of query is this": the form keyword after the prologue, read with the
    comment- and string-aware scanner and nothing after it (so it costs microseconds on any text). It refuses and
    parses nothing: kg.query.guard checks every user query and the engine's parse has the last word."""
    return QUERY_FORMS.get(leading_keyword(text))


def declared_prefixes(text: str) -> set[str]:
    """The prefix names the text declares with PREFIX ('' for `PREFIX :`); one in a comment or string is not."""
    declared: set[str] = set()
    after_prefix = False
    for _, token in _scan(text):
        if after_prefix and token.endswith(":") and token.count(":") == 1:
            declared.add(token[:-1])
        after_prefix = token.upper() == "PREFIX"
    return declared


def with_prefixes(text: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """The text with PREFIX lines for the `prefixes` it does not declare itself (the embedded store predeclares
    them through pyoxigraph's `prefixes=`; a remote store needs them in the text)."""
    declared = declared_prefixes(text)
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in prefixes.items() if p not in declared]
    return "\n".join(lines) + "\n" + text if lines else text
