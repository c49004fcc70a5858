"""The claims file's canonical layout, read and edited as text: numbered sections holding one block per record.

A section starts at a comment header `# N. Title` (framed by `#####` rules); a block is a top-level Turtle
statement that starts in column 0 and runs to the line before the next line that starts in column 0 (continuation
lines are indented). The layout is found in the file each time, never assumed: a section appended by someone
else, or records moved between sections, are read as they are. Edits touch only the lines of one block, so
`git diff` of a curation change is one small hunk in the right section.

Everything works on character offsets with regular expressions over the whole text, never line by line: a
claims file of 100k papers is 220 MB, and a change must not cost a pass of Python over its lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

_HEADER = re.compile(r"^# (\d+)\. (.+)$", re.MULTILINE)
_RULE_LINE = re.compile(r"#{10,}[ \t]*\n")
_PREFIX = re.compile(r"^@prefix[ \t]+([A-Za-z][\w\-.]*)?:[ \t]*<([^>]*)>[ \t]*\.[ \t]*$", re.MULTILINE)
_STATEMENT = re.compile(r"^(?![#@\s]|PREFIX\b|BASE\b)(\S+)", re.MULTILINE)
_NEXT_TOP = re.compile(r"\n(?=[^ \t\r\n])")  # the newline before the next line that starts in column 0


@dataclass(frozen=True)
class Edit:
    """Text [start, end) replaced by `replacement` (offsets at line starts, so a diff can be made of it)."""

    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class Section:
    """One numbered section: its number, title and character range [start, end) of its body."""

    number: int
    title: str
    header_start: int  # offset of the header (its opening rule, when framed)
    start: int  # offset just after the header
    end: int  # offset of the next section's header, or the end of the text


@dataclass(frozen=True)
class Block:
    """One top-level statement: its subject as written, and its character range [start, end) (ends after '\\n')."""

    subject: str
    start: int
    end: int


class Layout:
    """The sections, blocks and prefixes of a claims file's text (each found on first use)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.edit: Edit | None = None  # the last edit method's change, in this text's offsets

    def _edited(self, start: int, end: int, replacement: str) -> str:
        self.edit = Edit(start, end, replacement)
        return self.text[:start] + replacement + self.text[end:]

    @cached_property
    def prefixes(self) -> dict[str, str]:
        return {m.group(1) or "": m.group(2) for m in self._prefix_matches()}

    def _prefix_matches(self) -> list[re.Match[str]]:
        """The @prefix lines of the file's head, before its first record (where the layout declares them all:
        reading a 220 MB file for a late declaration would cost a full pass per change)."""
        text, found, at = self.text, [], 0
        while at < len(text):
            end = _line_end(text, at)
            m = _PREFIX.match(text, at)
            if m is not None:
                found.append(m)
            elif _STATEMENT.match(text, at):
                break
            at = end
        return found

    def _line_starts(self, token: str) -> list[int]:
        """Offsets of the lines that start with `token`, by plain search."""
        text, out = self.text, []
        if text.startswith(token):
            out.append(0)
        at = text.find("\n" + token)
        while at >= 0:
            out.append(at + 1)
            at = text.find("\n" + token, at + 1)
        return out

    @cached_property
    def sections(self) -> list[Section]:
        text = self.text
        heads: list[tuple[int, str, int, int]] = []
        found = [m for at in self._line_starts("# ") if (m := _HEADER.match(text, at)) is not None]
        for m in found:
            top = m.start()
            rule = text.rfind("\n", 0, max(top - 1, 0)) + 1
            if top > 0 and _RULE_LINE.fullmatch(text, rule, top):
                top = rule
            at = m.end() + 1
            while text.startswith("#", at) and not _RULE_LINE.match(text, at):  # the title's continuation lines
                at = _line_end(text, at)
            if _RULE_LINE.match(text, at):
                at = _line_end(text, at)
            heads.append((int(m.group(1)), m.group(2).strip(), top, min(at, len(text))))
        return [Section(n, title, top, start, heads[k + 1][2] if k + 1 < len(heads) else len(text))
                for k, (n, title, top, start) in enumerate(heads)]

    @cached_property
    def blocks(self) -> list[Block]:
        """Every block, in file order (a full pass: for small files and tests; lookups use block_of)."""
        return [self._block_at(m.start(), m.group(1)) for m in _STATEMENT.finditer(self.text)]

    def _block_at(self, start: int, subject: str) -> Block:
        text = self.text
        nxt = _NEXT_TOP.search(text, start)
        end = nxt.end() if nxt else len(text)
        while end > start + 1 and text[end - 2:end] == "\n\n":
            end -= 1  # blank lines after the block belong to no block
        if end == len(text) and not text.endswith("\n"):
            end = len(text)
        return Block(subject, start, end)

    # ---- lookups -------------------------------------------------------------------------------------------

    def section_for(self, pattern: str) -> Section | None:
        """The first section whose title matches `pattern` (a case-insensitive regex)."""
        rx = re.compile(pattern, re.IGNORECASE)
        return next((s for s in self.sections if rx.search(s.title)), None)

    def spellings(self, iri: str) -> list[str]:
        """The ways the file can write `iri` as a subject: each prefix that fits, and <IRI>."""
        out = [f"{p}:{iri[len(ns):]}" for p, ns in self.prefixes.items() if ns and iri.startswith(ns)]
        return [s for s in out if re.fullmatch(r"[\w\-]*:[\w\-.]*", s) and not s.endswith(".")] + [f"<{iri}>"]

    def block_of(self, subject_iri: str) -> Block | None:
        """The block whose subject is `subject_iri` (written as a CURIE or as <IRI>).

        One plain search for the IRI's last segment, then each hit checked for a subject spelling at a line
        start: a record's name is rare in the file, and a pass per spelling would double the cost."""
        text = self.text
        spellings = self.spellings(subject_iri)
        tail = re.split(r"[/#:]", subject_iri)[-1] or subject_iri
        at = text.find(tail)
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            for spelling in spellings:
                end = start + len(spelling)
                if text.startswith(spelling, start) and end < len(text) and text[end] in " \t\n" and end >= at:
                    return self._block_at(start, spelling)
            at = text.find(tail, at + 1)
        return None

    def blocks_mentioning(self, token: str) -> list[Block]:
        """The blocks whose text contains `token` as a whole term (e.g. a claim's CURIE)."""
        found: dict[int, Block] = {}
        whole = re.compile(rf"(?<![\w:\-.]){re.escape(token)}(?![\w\-])")
        hits, at = [], self.text.find(token)
        while at >= 0:
            if whole.match(self.text, at):  # the lookbehind sees the text before `at`
                hits.append(at)
            at = self.text.find(token, at + 1)
        for hit in hits:
            start = self.text.rfind("\n", 0, hit) + 1
            while start > 0 and self.text[start] in " \t":  # back to the line where the statement starts
                start = self.text.rfind("\n", 0, start - 1) + 1
            if start not in found and _STATEMENT.match(self.text, start):
                found[start] = self._block_at(start, self.text[start:].split(None, 1)[0])
        return list(found.values())

    def section_at(self, offset: int) -> Section | None:
        return next((s for s in self.sections if s.start <= offset < s.end), None)

    def block_text(self, block: Block) -> str:
        return self.text[block.start:block.end]

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

    def last_prefix_end(self) -> int:
        """Offset just after the last @prefix line (0 when there is none)."""
        found = self._prefix_matches()
        return _line_end(self.text, found[-1].start()) if found else 0

    # ---- edits (each returns the new text) -----------------------------------------------------------------

    def insert_in_section(self, section: Section, block: str) -> str:
        """`block` as the last record of `section`, after one blank line."""
        text = self.text
        body = block if block.endswith("\n") else block + "\n"
        end = section.end
        while end > section.start and text[end - 1] in " \t\r\n":
            end -= 1
        if end <= section.start:  # an empty section: the block goes right under the header
            return self._edited(section.start, section.start, "\n" + body)
        # After the last record's line: a blank line and the block; whatever followed (a blank line or the next
        # header) still does, so a section that ran straight into the next header still does.
        at = _line_end(text, end)
        return self._edited(at, at, ("\n" if at == len(text) and not text.endswith("\n") else "") + "\n" + body)

    def append_section(self, title: str, block: str) -> str:
        """A new numbered section (one more than the highest) at the end of the file, holding `block`."""
        number = max((s.number for s in self.sections), default=0) + 1
        rule = "#" * 99 + "\n"
        newline = "" if self.text.endswith("\n") or not self.text else "\n"
        body = block if block.endswith("\n") else block + "\n"
        return self._edited(len(self.text), len(self.text), f"{newline}\n{rule}# {number}. {title}\n{rule}\n{body}")

    def replace_block(self, block: Block, new: str) -> str:
        body = new if new.endswith("\n") else new + "\n"
        return self._edited(block.start, block.end, body)

    def remove_block(self, block: Block) -> str:
        """The text without `block` and the blank line that separated it from its neighbour."""
        text, start, end = self.text, block.start, block.end
        if start >= 2 and text[start - 2:start] == "\n\n":
            start -= 1
        elif text.startswith("\n", end):
            end += 1
        return self._edited(start, end, "")

    def insert_at(self, offset: int, lines: str) -> str:
        """`lines` inserted at `offset` (a line start)."""
        return self._edited(offset, offset, lines)


def _line_end(text: str, at: int) -> int:
    """Offset just after the newline that ends the line holding `at`."""
    nl = text.find("\n", at)
    return len(text) if nl < 0 else nl + 1
