"""A unified diff of a curation change, made from the edits themselves (never by diffing the whole file).

A change is a few edits, each replacing a run of whole lines (byte offsets into the file); composed into the
coordinates of the file before the change, they give the hunks `git diff` would show (three lines of context), at
any file size.
"""
from __future__ import annotations

from dataclasses import dataclass

from kg.curate.layout import Edit

CONTEXT = 3


@dataclass
class _Placed:
    original_start: int  # offsets in the text before the change
    original_end: int
    current_start: int  # where the replacement now sits, in the text after the edits so far
    replacement: bytes


def compose(edits: list[Edit]) -> list[tuple[int, int, bytes]]:
    """Edits made one after another (each in the offsets of the text it was made on) as (start, end, replacement)
    in the offsets of the first text, in file order. The edits must not overlap."""
    placed: list[_Placed] = []
    for e in edits:
        delta = len(e.replacement) - (e.end - e.start)
        shift = sum(len(p.replacement) - (p.original_end - p.original_start)
                    for p in placed if p.current_start + len(p.replacement) <= e.start)
        for p in placed:
            if p.current_start >= e.end:
                p.current_start += delta
        placed.append(_Placed(e.start - shift, e.end - shift, e.start, e.replacement))
    return sorted((p.original_start, p.original_end, p.replacement) for p in placed)


def unified(before: bytes, edits: list[Edit], name: str = "claims.ttl") -> str:
    """The `git diff` of `edits` applied to the file's bytes `before`: one hunk per edit, with three lines of
    context. Only the lines shown are decoded."""
    if not edits:
        return ""
    out = [f"--- a/{name}\n", f"+++ b/{name}\n"]
    line_shift = 0
    for start, end, replacement in compose(edits):
        removed = before[start:end].decode("utf-8").splitlines(True)
        added = replacement.decode("utf-8").splitlines(True)
        first = before.count(b"\n", 0, start)  # 0-based line of the edit
        lead: list[str] = []
        at = start
        while len(lead) < CONTEXT and at > 0:
            prev = before.rfind(b"\n", 0, at - 1) + 1
            lead.insert(0, before[prev:at].decode("utf-8"))
            at = prev
        tail: list[str] = []
        at = end
        while len(tail) < CONTEXT and at < len(before):
            nxt = before.find(b"\n", at)
            nxt = len(before) if nxt < 0 else nxt + 1
            tail.append(before[at:nxt].decode("utf-8"))
            at = nxt
        old_start = first - len(lead) + 1
        old_len = len(lead) + len(removed) + len(tail)
        new_len = len(lead) + len(added) + len(tail)
        new_start = old_start + line_shift
        out.append(f"@@ -{old_start},{old_len} +{new_start},{new_len} @@\n")
        out += [" " + _nl(x) for x in lead] + ["-" + _nl(x) for x in removed] + ["+" + _nl(x) for x in added]
        out += [" " + _nl(x) for x in tail]
        line_shift += len(added) - len(removed)
    return "".join(out)


def _nl(line: str) -> str:
    return line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
