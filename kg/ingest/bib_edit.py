"""Decisions written back to references.bib: screening (include, exclude with a reason) and duplicate review.

Each edit changes only the field lines it is about, in one entry, so a git diff of the decision reads as the
decision: the rest of the file stays byte-identical (formatting, comments, other entries). Writes go through
kg.ingest.files.update_text: under the file's lock, applied to the file as it is at that moment (a change
another writer made meanwhile is kept), and atomically (a reader never sees half a file).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kg.ingest.bibtex import SCREENING
from kg.ingest.files import update_text

_FIELD = re.compile(r"([A-Za-z][\w\-:.+]*)\s*=\s*")


class EntryNotFound(KeyError):
    """references.bib has no entry with that key."""

    def __str__(self) -> str:
        return f"references.bib has no entry {self.args[0]}"


@dataclass(frozen=True)
class FieldSpan:
    """Where one field sits in the text: its name, the start of its line, and the end of its value."""

    name: str
    start: int  # where the field name starts
    value_start: int
    end: int  # just after the value (before any comma)


def entry_span(text: str, key: str) -> tuple[int, int]:
    """(start of the '@', index of the entry's closing brace) of the entry `key`; EntryNotFound if none."""
    match = re.search(r"(?m)^[ \t]*@[ \t]*\w+[ \t]*([{(])[ \t]*" + re.escape(key) + r"[ \t]*,", text)
    if match is None:
        raise EntryNotFound(key)
    opening = match.group(1)
    closing = "}" if opening == "{" else ")"
    depth, i = 0, match.start(1)
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{" or (ch == opening and depth == 0):
            depth += 1
        elif ch == "}" or (ch == closing and depth == 1):
            depth -= 1
            if depth == 0:
                return match.start(), i
        i += 1
    raise EntryNotFound(f"{key} (its entry is not closed)")


def fields(text: str, start: int, end: int) -> list[FieldSpan]:
    """The top-level fields of the entry between `start` and `end` (entry_span), in order."""
    i = text.index(",", start) + 1  # after the key
    found = []
    while i < end:
        m = _FIELD.match(text, i)
        if m is None:
            i += 1
            continue
        j = m.end()
        if j < end and text[j] in "{\"":
            closing, depth, j = ("}" if text[j] == "{" else '"'), 0, j
            while j < end:
                ch = text[j]
                if ch == "\\":
                    j += 2
                    continue
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                if (closing == "}" and depth == 0 and ch == "}") or (closing == '"' and depth == 0 and ch == '"'
                                                                      and j > m.end()):
                    j += 1
                    break
                j += 1
        else:
            while j < end and text[j] not in ",\n":
                j += 1
            while text[j - 1] in " \t":
                j -= 1
        found.append(FieldSpan(m.group(1).lower(), m.start(), m.end(), j))
        i = j
        while i < end and text[i] != ",":
            i += 1
        i += 1
    return found


def set_fields(text: str, key: str, changes: Mapping[str, str | None]) -> str:
    """The text with the entry `key`'s fields set (value) or removed (None), everything else unchanged.

    A field that exists keeps its line and alignment and gets the new braced value; a new one goes on its own
    line after the last field, indented and aligned like it; a removed one loses its line."""
    for name, value in changes.items():
        if value is not None and ("{" in value or "}" in value or "\n" in value):
            raise ValueError(f"{name}: a value written here cannot contain braces or line breaks")
    for name, value in changes.items():
        start, end = entry_span(text, key)
        spans = {f.name: f for f in fields(text, start, end)}
        span = spans.get(name.lower())
        if span is not None and value is not None:
            text = text[:span.value_start] + "{" + value + "}" + text[span.end:]
        elif span is not None:
            text = _remove(text, span, end)
        elif value is not None:
            text = _insert(text, list(spans.values()), start, end, name, value)
    return text


def _remove(text: str, span: FieldSpan, entry_end: int) -> str:
    line_start = text.rfind("\n", 0, span.start) + 1
    after = span.end
    if after < entry_end and text[after] == ",":
        after += 1
    rest = text[after:text.find("\n", after) if "\n" in text[after:entry_end] else after]
    if text[line_start:span.start].strip() == "" and rest.strip() == "":  # the field has its line(s) to itself
        return text[:line_start] + text[text.index("\n", after) + 1:]
    return text[:span.start] + text[after:].lstrip(" \t")


def _insert(text: str, spans: list[FieldSpan], start: int, end: int, name: str, value: str) -> str:
    if not spans:  # an entry with a key only
        return text[:end] + f"  {name} = {{{value}}}\n" + text[end:]
    last = spans[-1]
    line = _field_line(text, spans, name, value)
    after = last.end
    if after < end and text[after] == ",":  # after the last field, on a line of its own
        eol = text.find("\n", after)
        if eol == -1 or eol > end:
            return text[:after + 1] + "\n" + line + "," + text[after + 1:]
        return text[:eol + 1] + line + ",\n" + text[eol + 1:]
    # The last field has no comma: the new line goes before it, so no existing line changes.
    line_start = text.rfind("\n", 0, last.start) + 1
    if text[line_start:last.start].strip():
        return text[:last.start] + line.lstrip() + ", " + text[last.start:]
    return text[:line_start] + line + ",\n" + text[line_start:]


def _field_line(text: str, spans: list[FieldSpan], name: str, value: str) -> str:
    """`name = {value}` indented and aligned like the entry's other fields (its '=' in the same column when the
    entry aligns them, as data/references.bib does; else spaced like its last field)."""
    last = spans[-1]
    line_start = text.rfind("\n", 0, last.start) + 1
    indent = text[line_start:last.start] if not text[line_start:last.start].strip() else "  "
    gap = text[last.start + len(last.name):last.value_start]
    before, _, after = gap.partition("=")
    columns = {text.index("=", f.start) - (text.rfind("\n", 0, f.start) + 1) for f in spans}
    if len(columns) == 1 and len({f.name for f in spans}) > 1 and len({len(f.name) for f in spans}) > 1:
        column = columns.pop()  # aligned: put '=' in the same column (one space at least)
        before = " " * max(1, column - len(indent) - len(name))
    return f"{indent}{name}{before}={after}{{{value}}}"


# ----------------------------------------------------------------------------------------- decisions

def screening_changes(status: str, reason: str | None = None) -> dict[str, str | None]:
    """The field changes of a screening decision; ValueError for an unknown status or an exclusion without a
    reason. Any other status drops a reason left from an earlier exclusion."""
    if status not in SCREENING:
        raise ValueError(f"screening '{status}' is not one of {', '.join(SCREENING)}")
    reason = " ".join((reason or "").split())
    if status == "excluded" and not reason:
        raise ValueError("an exclusion needs a reason")
    return {"screening": status, "screening-reason": reason if status == "excluded" else None}


def screen(bib: Path, key: str, status: str, reason: str | None = None, *, expected_digest: str | None = None) -> None:
    """Record a screening decision for entry `key` in references.bib (atomically, under its lock)."""
    changes = screening_changes(status, reason)
    update_text(bib, lambda text: set_fields(text, key, changes), expected_digest=expected_digest)


def resolve_duplicate(bib: Path, key: str, same: bool, *, expected_digest: str | None = None) -> None:
    """Decide a possible duplicate: the same study (duplicate-of the matched key, which then counts as a
    duplicate, not a screened record) or a different one (the possible-duplicate fields removed)."""

    def decide(text: str) -> str:
        start, end = entry_span(text, key)
        spans = {f.name: f for f in fields(text, start, end)}
        if "possible-duplicate-of" not in spans:
            raise ValueError(f"{key} is not marked as a possible duplicate")
        span = spans["possible-duplicate-of"]
        matched = text[span.value_start:span.end].strip().strip('{}"').strip()
        if same:
            return set_fields(text, key, {"duplicate-of": matched, "possible-duplicate-of": None})
        return set_fields(text, key, {"possible-duplicate-of": None, "duplicate-match": None})

    update_text(bib, decide, expected_digest=expected_digest)
