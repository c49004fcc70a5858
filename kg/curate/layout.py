"""The claims file's canonical layout, read and edited as text: numbered sections holding one block per record.

A section starts at a comment header `# N. Title` (framed by `#####` rules); a block is a top-level Turtle
statement that starts in column 0 and runs to the line before the next line that starts in column 0 (continuation
lines are indented). The layout is found in the file each time, never assumed: a section appended by someone
else, or records moved between sections, are read as they are. Edits touch only the lines of one block, so
`git diff` of a curation change is one small hunk in the right section.

Everything works on byte offsets into the file's UTF-8 bytes, with plain searches and regular expressions over the
whole of them, never line by line and never decoding the whole file: a claims file of 100k papers is 370 MB, and a
change must cost neither a pass of Python over its lines nor a decode of it (1-1.6 s) nor copies of it as a str
(two bytes a character once one character is outside Latin-1: 2.7 s for one insertion on a 2-CPU VM). Only what is
read (a block, a title, a prefix) is decoded. UTF-8 keeps every ASCII character that the layout looks for (newline,
`#`, `@`, `<`, `:`) as that one byte, never inside another character's bytes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

_HEADER = re.compile(rb"^# (\d+)\. (.+)$", re.MULTILINE)
_RULE_LINE = re.compile(rb"#{10,}[ \t]*\n")
_PREFIX = re.compile(rb"^@prefix[ \t]+([A-Za-z][\w\-.]*)?:[ \t]*<([^>]*)>[ \t]*\.[ \t]*$", re.MULTILINE)
_STATEMENT = re.compile(rb"^(?![#@\s]|PREFIX\b|BASE\b)(\S+)", re.MULTILINE)
_NEXT_TOP = re.compile(rb"\n(?=[^ \t\r\n])")  # the newline before the next line that starts in column 0
_CURIE = re.compile(r"[\w\-]*:[\w\-.]*")


@dataclass(frozen=True)
class Edit:
    """Bytes [start, end) replaced by `replacement` (offsets at line starts, so a diff can be made of it)."""

    start: int
    end: int
    replacement: bytes


@dataclass(frozen=True)
class Section:
    """One numbered section: its number, title and byte range [start, end) of its body."""

    number: int
    title: str
    header_start: int  # offset of the header (its opening rule, when framed)
    start: int  # offset just after the header
    end: int  # offset of the next section's header, or the end of the file


@dataclass(frozen=True)
class Block:
    """One top-level statement: its subject as written, and its byte range [start, end) (ends after '\\n')."""

    subject: str
    start: int
    end: int


class Layout:
    """The sections, blocks and prefixes of a claims file (each found on first use). Built from the file's bytes;
    a str is encoded first (small texts and tests)."""

    def __init__(self, data: bytes | str) -> None:
        self.data = data.encode("utf-8") if isinstance(data, str) else data
        self.edit: Edit | None = None  # the last edit method's change, in this file's offsets

    @property
    def text(self) -> str:
        """The whole file as text (a full decode: for small files and tests)."""
        return self.data.decode("utf-8")

    def _edited(self, start: int, end: int, replacement: str) -> bytes:
        new = replacement.encode("utf-8")
        self.edit = Edit(start, end, new)
        view = memoryview(self.data)
        return b"".join((view[:start], new, view[end:]))  # one copy of the file, not three

    @cached_property
    def prefixes(self) -> dict[str, str]:
        return {(m.group(1) or b"").decode(): m.group(2).decode("utf-8") for m in self._prefix_matches()}

    def _prefix_matches(self) -> list[re.Match[bytes]]:
        """The @prefix lines of the file's head, before its first record (where the layout declares them all:
        reading a 370 MB file for a late declaration would cost a full pass per change)."""
        data, found, at = self.data, [], 0
        while at < len(data):
            end = _line_end(data, at)
            m = _PREFIX.match(data, at)
            if m is not None:
                found.append(m)
            elif _STATEMENT.match(data, at):
                break
            at = end
        return found

    def _line_starts(self, token: bytes) -> list[int]:
        """Offsets of the lines that start with `token`, by plain search."""
        data, out = self.data, []
        if data.startswith(token):
            out.append(0)
        at = data.find(b"\n" + token)
        while at >= 0:
            out.append(at + 1)
            at = data.find(b"\n" + token, at + 1)
        return out

    @cached_property
    def sections(self) -> list[Section]:
        data = self.data
        heads: list[tuple[int, str, int, int]] = []
        found = [m for at in self._line_starts(b"# ") if (m := _HEADER.match(data, at)) is not None]
        for m in found:
            top = m.start()
            rule = data.rfind(b"\n", 0, max(top - 1, 0)) + 1
            if top > 0 and _RULE_LINE.fullmatch(data, rule, top):
                top = rule
            at = m.end() + 1
            while data.startswith(b"#", at) and not _RULE_LINE.match(data, at):  # the title's continuation lines
                at = _line_end(data, at)
            if _RULE_LINE.match(data, at):
                at = _line_end(data, at)
            heads.append((int(m.group(1)), m.group(2).decode("utf-8").strip(), top, min(at, len(data))))
        return [Section(n, title, top, start, heads[k + 1][2] if k + 1 < len(heads) else len(data))
                for k, (n, title, top, start) in enumerate(heads)]

    @cached_property
    def blocks(self) -> list[Block]:
        """Every block, in file order (a full pass: for small files and tests; lookups use block_of)."""
        return [self._block_at(m.start(), m.group(1).decode("utf-8")) for m in _STATEMENT.finditer(self.data)]

    def _block_at(self, start: int, subject: str) -> Block:
        data = self.data
        nxt = _NEXT_TOP.search(data, start)
        end = nxt.end() if nxt else len(data)
        while end > start + 1 and data[end - 2:end] == b"\n\n":
            end -= 1  # blank lines after the block belong to no block
        return Block(subject, start, end)

    # ---- lookups -------------------------------------------------------------------------------------------

    def section_for(self, pattern: str) -> Section | None:
        """The first section whose title matches `pattern` (a case-insensitive regex)."""
        rx = re.compile(pattern, re.IGNORECASE)
        return next((s for s in self.sections if rx.search(s.title)), None)

    def spellings(self, iri: str) -> list[str]:
        """The ways the file can write `iri` as a subject: each prefix that fits, and <IRI>."""
        out = [f"{p}:{iri[len(ns):]}" for p, ns in self.prefixes.items() if ns and iri.startswith(ns)]
        return [s for s in out if _CURIE.fullmatch(s) and not s.endswith(".")] + [f"<{iri}>"]

    def block_of(self, subject_iri: str) -> Block | None:
        """The block whose subject is `subject_iri` (written as a CURIE or as <IRI>).

        One plain search for the IRI's last segment, then each hit checked for a subject spelling at a line
        start: a record's name is rare in the file, and a pass per spelling would double the cost."""
        data = self.data
        spellings = [(s, s.encode("utf-8")) for s in self.spellings(subject_iri)]
        tail = (re.split(r"[/#:]", subject_iri)[-1] or subject_iri).encode("utf-8")
        at = data.find(tail)
        while at >= 0:
            start = data.rfind(b"\n", 0, at) + 1
            for spelling, raw in spellings:
                end = start + len(raw)
                if data.startswith(raw, start) and end < len(data) and data[end:end + 1] in b" \t\n" and end >= at:
                    return self._block_at(start, spelling)
            at = data.find(tail, at + 1)
        return None

    def blocks_mentioning(self, token: str) -> list[Block]:
        """The blocks whose text contains `token` as a whole term (e.g. a claim's CURIE)."""
        data, raw = self.data, token.encode("utf-8")
        found: dict[int, Block] = {}
        whole = re.compile(rb"(?<![\w:\-.])" + re.escape(raw) + rb"(?![\w\-])")
        hits, at = [], data.find(raw)
        while at >= 0:
            if whole.match(data, at):  # the lookbehind sees the bytes before `at`
                hits.append(at)
            at = data.find(raw, at + 1)
        for hit in hits:
            start = data.rfind(b"\n", 0, hit) + 1
            while start > 0 and data[start:start + 1] in (b" ", b"\t"):  # back to the line where the statement starts
                start = data.rfind(b"\n", 0, start - 1) + 1
            if start not in found and (m := _STATEMENT.match(data, start)):
                found[start] = self._block_at(start, m.group(1).decode("utf-8"))
        return list(found.values())

    def section_at(self, offset: int) -> Section | None:
        return next((s for s in self.sections if s.start <= offset < s.end), None)

    def block_text(self, block: Block) -> str:
        return self.data[block.start:block.end].decode("utf-8")

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
        return _line_end(self.data, found[-1].start()) if found else 0

    # ---- edits (each returns the file's new bytes) ---------------------------------------------------------

    def insert_in_section(self, section: Section, block: str) -> bytes:
        """`block` as the last record of `section`, after one blank line."""
        data = self.data
        body = block if block.endswith("\n") else block + "\n"
        end = section.end
        while end > section.start and data[end - 1:end] in (b" ", b"\t", b"\r", b"\n"):
            end -= 1
        if end <= section.start:  # an empty section: the block goes right under the header
            return self._edited(section.start, section.start, "\n" + body)
        # After the last record's line: a blank line and the block; whatever followed (a blank line or the next
        # header) still does, so a section that ran straight into the next header still does.
        at = _line_end(data, end)
        return self._edited(at, at, ("\n" if at == len(data) and not data.endswith(b"\n") else "") + "\n" + body)

    def append_section(self, title: str, block: str) -> bytes:
        """A new numbered section (one more than the highest) at the end of the file, holding `block`."""
        number = max((s.number for s in self.sections), default=0) + 1
        rule = "#" * 99 + "\n"
        newline = "" if self.data.endswith(b"\n") or not self.data else "\n"
        body = block if block.endswith("\n") else block + "\n"
        return self._edited(len(self.data), len(self.data), f"{newline}\n{rule}# {number}. {title}\n{rule}\n{body}")

    def replace_block(self, block: Block, new: str) -> bytes:
        body = new if new.endswith("\n") else new + "\n"
        return self._edited(block.start, block.end, body)

    def remove_block(self, block: Block) -> bytes:
        """The file without `block` and the blank line that separated it from its neighbour."""
        data, start, end = self.data, block.start, block.end
        if start >= 2 and data[start - 2:start] == b"\n\n":
            start -= 1
        elif data.startswith(b"\n", end):
            end += 1
        return self._edited(start, end, "")

    def insert_at(self, offset: int, lines: str) -> bytes:
        """`lines` inserted at `offset` (a line start)."""
        return self._edited(offset, offset, lines)


def _line_end(data: bytes, at: int) -> int:
    """Offset just after the newline that ends the line holding `at`."""
    nl = data.find(b"\n", at)
    return len(data) if nl < 0 else nl + 1
