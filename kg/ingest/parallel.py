"""Parse references.bib and write its N-Triples, inline or in a forked child process while the parent loads
claims.ttl into the store.

Both halves of a build are CPU-bound and Oxigraph's loader holds the GIL, so threads do not overlap them; a
forked child does (on a 2-core machine a 10k-paper build drops by about a third). The child sends three
messages over a multiprocessing pipe, in the order the parent needs them:

1. the key -> IRI map and the record problems (the parent rewrites ref:KEY with it),
2. that the records' N-Triples are written, to a temporary file the parent then loads (a pipe would hold
   the text in both processes' memory: ~0.5 GB at 100k papers),
3. the pickled records (unpickled only when someone reads `BuildResult.records`).

A parse error (InputError) in the child comes back as the same InputError; a crash comes back as a
RuntimeError with the child's traceback. Small files are parsed inline: forking costs more than it saves.
The child is a bare os.fork (not a multiprocessing.Process, which a daemonic process may not start).
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import shutil
import tempfile
import time
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.ingest.bibtex import BibRecord, check_records, parse_bib
from kg.ingest.errors import InputError, Problem
from kg.ingest.records_nt import record_ntriples, write_record_ntriples

FORK_MIN_BYTES = 256 * 1024  # ~500 entries: below this the fork's cost outweighs the overlap


class BibJob:
    """The parsed bibliography, delivered in stages: `keys()`, then `load_into(store)`, then `records()`."""

    def __init__(self, path: Path, *, parallel: bool | None = None) -> None:
        """Start parsing `path`; parallel=None forks for a large file on a system that can fork."""
        self.path = path
        self.timings: dict[str, float] = {}
        self._keys: dict[str, str] | None = None
        self._problems: list[Problem] = []
        self._nt: bytes | None = None
        self._nt_path: Path | None = None
        self._tmpdir: str | None = None
        self._records: list[BibRecord] | None = None
        self._pickled: bytes | None = None
        self._pid: int | None = None
        self._conn: Connection | None = None
        self._error: list[Problem] | None = None
        if parallel is None:
            parallel = hasattr(os, "fork") and _size(path) >= FORK_MIN_BYTES
        if parallel:
            self._fork()
        else:
            self._inline()

    # -------------------------------------------------------------------------------- results

    def keys(self) -> tuple[dict[str, str], list[Problem]]:
        """BibTeX key -> paper IRI, and the field-level problems of the records; raises InputError."""
        self._raise_error()
        if self._keys is None:
            self._receive("keys")
        assert self._keys is not None
        return self._keys, self._problems

    def load_into(self, store: ox.Store, *, bulk: bool = False) -> float:
        """Load the records' triples into `store`; returns the seconds spent waiting for the child.

        Oxigraph loads leniently (it skips re-validating the IRIs, which record_ntriples built from slugs,
        quoted DOIs and key segments). bulk: Oxigraph's bulk loader (for a fresh on-disk store)."""
        self._raise_error()
        t0 = time.perf_counter()
        if self._nt is None and self._nt_path is None:
            self._receive("nt")
        waited = time.perf_counter() - t0
        if self._nt_path is not None:
            try:
                (store.bulk_load if bulk else store.load)(path=str(self._nt_path), format=ox.RdfFormat.N_TRIPLES,
                                                          lenient=True)
            finally:  # the child wrote the file before saying so: nothing else uses the directory
                self._nt_path = None
                self._remove_tmpdir()
        else:
            assert self._nt is not None
            (store.bulk_load if bulk else store.load)(input=self._nt, format=ox.RdfFormat.N_TRIPLES, lenient=True)
            self._nt = None
        return waited

    def finish(self) -> None:
        """Receive the child's last message (the pickled records, left unpickled) and reap it."""
        self._raise_error()
        if self._records is None and self._pickled is None:
            self._receive("records")
        self.close()

    def records(self) -> list[BibRecord]:
        """The parsed records (for the validator's locations and the BibTeX export)."""
        if self._records is None:
            if self._pickled is None:
                self._receive("records")
            assert self._pickled is not None
            self._records = pickle.loads(self._pickled)  # noqa: S301 - our own child's output
            self._pickled = None
        return self._records

    def _raise_error(self) -> None:
        if self._error is not None:
            raise InputError(self._error)

    def close(self) -> None:
        """Reap the child (if any), close the pipe and remove the temporary N-Triples (loaded or not)."""
        self._reap()
        self._nt_path = None
        self._remove_tmpdir()

    def _reap(self) -> None:
        if self._conn is not None:
            self._conn.close()  # a child still sending gets a BrokenPipeError and exits
            self._conn = None
        if self._pid is not None:
            try:
                os.waitpid(self._pid, 0)
            except ChildProcessError:
                pass
            self._pid = None

    def _remove_tmpdir(self) -> None:
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __del__(self) -> None:  # a caller that stopped early (an exception) still leaves no files behind
        self.close()

    # -------------------------------------------------------------------------------- inline

    def _inline(self) -> None:
        t0 = time.perf_counter()
        try:
            records = parse_bib(self.path)
        except InputError as exc:  # raised from keys(), as the forked path does, so claims errors join it
            self._error = exc.problems
            return
        self._records = records
        self._problems = check_records(records)
        self._keys = {r.key: r.iri for r in records}
        self.timings["parse_bib"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        self._nt = record_ntriples(records).encode("utf-8")
        self.timings["records_ntriples"] = time.perf_counter() - t0

    # -------------------------------------------------------------------------------- forked

    def _fork(self) -> None:
        self._tmpdir = tempfile.mkdtemp(prefix="kg-build-")
        nt_path = Path(self._tmpdir) / "records.nt"
        receiver, sender = multiprocessing.Pipe(duplex=False)
        pid = os.fork()
        if pid == 0:  # child: never returns
            receiver.close()
            _child(self.path, sender, nt_path)
        sender.close()
        self._pid = pid
        self._conn = receiver

    def _receive(self, wanted: str) -> None:
        """Read messages until `wanted` has arrived (earlier ones are kept)."""
        while True:
            kind, payload = self._read()
            if kind == "error":
                self.close()
                self._error = payload
                raise InputError(payload)
            if kind == "crash":
                self.close()
                raise RuntimeError(f"parsing {self.path} failed in the worker process:\n{payload}")
            if kind == "keys":
                self._keys, self._problems, self.timings["parse_bib"] = payload
            elif kind == "nt":
                self._nt_path, self.timings["records_ntriples"] = Path(payload[0]), payload[1]
            elif kind == "records":
                self._pickled = payload
                self._reap()
            if kind == wanted:
                return

    def _read(self) -> tuple[str, Any]:
        assert self._conn is not None, "the worker has already delivered everything"
        try:
            message: tuple[str, Any] = self._conn.recv()
        except EOFError:
            self.close()
            raise RuntimeError(f"the worker parsing {self.path} exited without an answer") from None
        return message


def _child(path: Path, conn: Connection, nt_path: Path) -> None:
    """Parse, send keys, write the N-Triples, send the records; exit without the parent's cleanup handlers."""
    gc.disable()  # millions of small objects that all live until exit: the cyclic collector only costs time
    status = 0
    try:
        try:
            t0 = time.perf_counter()
            records = parse_bib(path)
            problems = check_records(records)
            conn.send(("keys", ({r.key: r.iri for r in records}, problems, time.perf_counter() - t0)))
            t0 = time.perf_counter()
            with open(nt_path, "w", encoding="utf-8", buffering=1 << 20) as handle:
                write_record_ntriples(records, handle.write)
            conn.send(("nt", (str(nt_path), time.perf_counter() - t0)))
            # Pickled here so that the parent unpickles them only if someone reads BuildResult.records.
            conn.send(("records", pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL)))
        except InputError as exc:
            conn.send(("error", exc.problems))
        except BrokenPipeError:  # the parent gave up (its own input failed): nothing to report
            status = 1
        except BaseException:  # noqa: BLE001 - everything goes back to the parent
            conn.send(("crash", traceback.format_exc()))
    except BaseException:  # noqa: BLE001
        status = 1
    finally:
        try:
            conn.close()
        except OSError:
            pass
        os._exit(status)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # parse_bib reports the missing file
