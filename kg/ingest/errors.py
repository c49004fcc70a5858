"""Errors that name the file, line and record at fault, so a curator can fix the input directly."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

# A C0 control character other than tab and line ends, or DEL: binary data or a NUL byte in a text file.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where it is, what is wrong, and how to fix it."""

    source: str  # file path, or "graph" for checks on the assembled graph
    message: str
    line: int | None = None
    record: str | None = None  # BibTeX key or node IRI
    prop: str | None = None  # property (predicate or BibTeX field) at fault
    fix: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = self.source + (f":{self.line}" if self.line else "")
        parts = [f"{where}: {self.severity}:"]
        if self.record:
            parts.append(f"[{self.record}]")
        if self.prop:
            parts.append(f"({self.prop})")
        parts.append(self.message)
        text = " ".join(parts)
        if self.fix:
            text += f"\n    fix: {self.fix}"
        return text


class InputError(Exception):
    """Raised when input cannot be read at all; carries every problem found so far."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def display_path(path: Path) -> str:
    """A path relative to the working directory when possible, for shorter messages."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def closest_hint(name: str, candidates: list[str], prefix: str = "") -> str:
    """' (did you mean ref:KEY?)' naming the closest candidate, or '' when none is close."""
    best = difflib.get_close_matches(name, candidates, n=1, cutoff=0.5)
    return f" (did you mean {prefix}{best[0]}?)" if best else ""
