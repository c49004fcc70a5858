"""Writing the project's files safely: atomic replacement, and locked read-modify-write of a data file.

Every writer of `references.bib`, `claims.ttl` or a built graph goes through here, so a reader never sees half a
file and two writers (two browser sessions, a script and the app) never lose each other's change.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def write_atomic(path: Path, data: bytes | Callable[[], bytes]) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data() if callable(data) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():  # keep the file's mode: a data file stays as readable as it was
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def digest(data: bytes) -> str:
    """The SHA-256 of a file's bytes: how a writer tells that the file changed under it."""
    return hashlib.sha256(data).hexdigest()


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on `path` (through a sidecar `.PATH.lock`) for the block."""
    path = Path(path)
    lock_path = path.parent / f".{path.name}.lock"
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class ConcurrentChange(RuntimeError):
    """The file changed since the caller read it, and the caller asked not to re-apply its change."""


def update_text(path: Path, transform: Callable[[str], str], *, expected_digest: str | None = None) -> str:
    """Read `path`, apply `transform` to its text and write the result atomically, under the file's lock.

    The transform runs on the file as it is *now*, inside the lock, so a change made meanwhile by another writer is
    kept (the change is re-applied on top of it). Pass `expected_digest` to refuse instead when the file is no longer
    the one the caller read. An exception from `transform` leaves the file untouched. Returns the new text.
    """
    new = update_bytes(path, lambda raw: transform(raw.decode("utf-8")).encode("utf-8"),
                       expected_digest=expected_digest)
    return new.decode("utf-8")


def update_bytes(path: Path, transform: Callable[[bytes], bytes], *, expected_digest: str | None = None) -> bytes:
    """update_text on the file's bytes: for a file too large to decode on every change (a 370 MB claims file
    takes over a second to decode and as long again to encode)."""
    path = Path(path)
    with file_lock(path):
        raw = path.read_bytes() if path.exists() else b""
        if expected_digest is not None and digest(raw) != expected_digest:
            raise ConcurrentChange(f"{path}: changed since it was read (another writer); reload and try again")
        new = transform(raw)
        if new != raw:
            write_atomic(path, new)
        return new
