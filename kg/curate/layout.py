"""The claims file's canonical layout, read and edited as text: numbered sections holding one block per record.

A section starts at a comment header `# N. Title` (framed by `#####` rules); a block is a top-level Turtle
statement that starts in column 0 and runs to the line before the next one (continuation lines are indented).
The layout is found in the file each time, never assumed: a new section appended by someone else, or records
moved between sections, are read as they are. Edits touch only the lines of one block, so `git diff` of a
curation change is one small hunk in the right section.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_HEADER = re.compile(r"^# (\d+)\. (.+)$")
_RULE = re.compile(r"^#{10,}\s*$")
_PREFIX = re.compile(r"^@prefix\s+([A-Za-z][\w\-.]*)?:\s*<([^>]*)>\s*\.\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Section:
    """One numbered section: its number, title and line range [start, end) of its body (0-based)."""

    number: int
    title: str
    header_start: int  # first line of the header (its opening rule, when framed)
    start: int  # first line after the header
    end: int  # first line of the next section's header, or the number of lines


@dataclass(frozen=True)
class Block:
    """One top-level statement: its subject as written, and its line range [start, end)."""

    subject: str
    start: int
    end: int


class Layout:
    """The sections, blocks and prefixes of a claims file's text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.prefixes = self._prefixes()
        self.sections = self._sections()
        self.blocks = self._blocks()

    def _prefixes(self) -> dict[str, str]:
        found = {}
        for line in self.lines:
            m = _PREFIX.match(line.strip())
            if m:
                found[m.group(1) or ""] = m.group(2)
        return found

    def _sections(self) -> list[Section]:
        heads: list[tuple[int, str, int, int]] = []  # number, title, header start, body start
        i = 0
        while i < len(self.lines):
            m = _HEADER.match(self.lines[i].rstrip("\n"))
            if m:
                top = i - 1 if i > 0 and _RULE.match(self.lines[i - 1]) else i
                j = i + 1
                while j < len(self.lines) and self.lines[j].startswith("#") and not _RULE.match(self.lines[j]):
                    j += 1  # continuation lines of the title
                if j < len(self.lines) and _RULE.match(self.lines[j]):
                    j += 1
                heads.append((int(m.group(1)), m.group(2).strip(), top, j))
                i = j
                continue
            i += 1
        return [Section(n, title, top, start, heads[k + 1][2] if k + 1 < len(heads) else len(self.lines))
                for k, (n, title, top, start) in enumerate(heads)]

    def _blocks(self) -> list[Block]:
        blocks: list[Block] = []
        starts = [i for i, line in enumerate(self.lines) if _starts_statement(line)]
        boundaries = sorted({s.header_start for s in self.sections} | {len(self.lines)})
        at = 0
        for k, i in enumerate(starts):
            while boundaries[at] <= i:
                at += 1
            limit = boundaries[at]
            end = min(starts[k + 1], limit) if k + 1 < len(starts) else limit
            while end > i + 1 and (not self.lines[end - 1].strip() or _comment_only(self.lines[end - 1])):
                end -= 1  # trailing blank lines and comments above the next record belong to no block
            blocks.append(Block(self.lines[i].split()[0], i, end))
        return blocks

    # ---- lookups -------------------------------------------------------------------------------------------

    def section_for(self, pattern: str) -> Section | None:
        """The first section whose title matches `pattern` (a case-insensitive regex)."""
        rx = re.compile(pattern, re.IGNORECASE)
        return next((s for s in self.sections if rx.search(s.title)), None)

    def block_of(self, subject_iri: str) -> Block | None:
        """The block whose subject is `subject_iri` (written as a CURIE or as <IRI>)."""
        return next((b for b in self.blocks if self.expand(b.subject) == subject_iri), None)

    def block_text(self, block: Block) -> str:
        return "".join(self.lines[block.start:block.end])

    def expand(self, written: str) -> str:
        """A subject as written in the file (`ref:KEY`, `<IRI>`) as a full IRI ('' when it is neither)."""
        if written.startswith("<") and written.endswith(">"):
            return written[1:-1]
        prefix, sep, local = written.partition(":")
        if sep and prefix in self.prefixes:
            return self.prefixes[prefix] + local
        return ""

    def prefix_block(self) -> str:
        """The @prefix lines, for parsing one block on its own."""
        return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in self.prefixes.items())

    # ---- edits (each returns the new text) -----------------------------------------------------------------

    def insert_in_section(self, section: Section, block: str) -> str:
        """`block` as the last record of `section`, after one blank line."""
        last = section.end
        while last > section.start and not self.lines[last - 1].strip():
            last -= 1
        body = block if block.endswith("\n") else block + "\n"
        before = self.lines[:last]
        if before and not before[-1].endswith("\n"):
            before[-1] += "\n"
        gap = "\n" if last > section.start else ""
        # A section followed directly by the next header keeps that shape; one followed by a blank line keeps it.
        return "".join(before) + gap + body + "".join(self.lines[last:])

    def append_section(self, title: str, block: str) -> str:
        """A new numbered section (one more than the highest) at the end of the file, holding `block`."""
        number = max((s.number for s in self.sections), default=0) + 1
        rule = "#" * 99 + "\n"
        text = self.text if self.text.endswith("\n") else self.text + "\n"
        body = block if block.endswith("\n") else block + "\n"
        return f"{text}\n{rule}# {number}. {title}\n{rule}\n{body}"

    def replace_block(self, block: Block, new: str) -> str:
        body = new if new.endswith("\n") else new + "\n"
        return "".join(self.lines[:block.start]) + body + "".join(self.lines[block.end:])

    def remove_block(self, block: Block) -> str:
        """The text without `block` and the blank line that separated it from its neighbour."""
        start, end = block.start, block.end
        if start > 0 and not self.lines[start - 1].strip():
            start -= 1
        elif end < len(self.lines) and not self.lines[end].strip():
            end += 1
        return "".join(self.lines[:start]) + "".join(self.lines[end:])


def _starts_statement(line: str) -> bool:
    return bool(line.strip()) and not line[0].isspace() and not line.startswith(("#", "@", "PREFIX", "BASE"))


def _comment_only(line: str) -> bool:
    return line.lstrip().startswith("#")
