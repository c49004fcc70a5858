"""A temporary text file written in large chunks, so 100k papers take little memory and few system calls."""
from __future__ import annotations

from pathlib import Path


class BufferedFile:
    """Text collects in memory (`add`) until `flush`; `close` flushes. UTF-8 with '\\n' line ends on every OS."""

    def __init__(self, path: Path):
        self.path = path
        self.handle = open(path, "w", encoding="utf-8", newline="\n")  # closed by close()
        self.parts: list[str] = []
        self.add = self.parts.append

    def flush(self) -> None:
        self.handle.write("".join(self.parts))
        self.parts.clear()

    def close(self) -> None:
        if not self.handle.closed:
            self.flush()
            self.handle.close()
