"""A persistent on-disk graph: build once into a RocksDB-backed Oxigraph store, reopen in well under a second.

    kg = open_or_build(Path("~/.cache/hipspine/store").expanduser(), DataSources.resolve())

`open_or_build` reuses the store at `store_path` when its manifest (`kg-manifest.json`, inside the store
directory) records the same input fingerprint: sha256 of references.bib, claims.ttl, every ontology and
shape file, plus the package and pyoxigraph versions. Otherwise it builds into a fresh directory beside
the store and swaps it in atomically:

* the stores live in `<parent>/.<name>.stores/<stamp>/`, and `store_path` is a symlink to the current one;
  the swap is one `rename(2)` of a new symlink over the old, so a reader sees the old store or the new one,
  never a half-built one;
* a build that fails (unreadable input, integrity errors when strict) raises before the swap and leaves
  the previous store untouched; its temporary directory is removed;
* the previous generation is kept (a process that still has it open keeps reading it); older ones are
  removed after a successful swap;
* builds are serialised by an advisory lock (`<parent>/.<name>.lock`), so two processes starting together
  build once.

Reused and freshly built stores are opened read-only (`Store.read_only`), so any number of processes (the
app, the CLI, a notebook) can share one store while another rebuilds it.
"""
from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.ingest.build import BuildResult, DataSources, assemble
from kg.ingest.errors import InputError, Problem, display_path
from kg.model import paths
from kg.store.embedded import EmbeddedBackend
from kg.store.graph import KnowledgeGraph
from kg.store.incremental import BIB_COPY, apply_delta, bib_delta

MANIFEST = "kg-manifest.json"
MANIFEST_FORMAT = 1
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Fingerprint:
    """The digest that decides whether a stored graph is still current, and what went into it."""

    digest: str
    inputs: dict[str, str]  # role:path -> sha256 of the file
    versions: dict[str, str]


def package_versions() -> dict[str, str]:
    """The versions that change what a build writes or how the store is laid out on disk."""
    try:
        package = version("hipspine-kg")
    except PackageNotFoundError:  # a source tree that was never installed
        package = "unknown"
    return {"hipspine-kg": package, "pyoxigraph": getattr(ox, "__version__", "unknown")}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                h.update(chunk)
    except FileNotFoundError:
        raise InputError([Problem(display_path(path), "file not found", fix="pass --bib/--claims PATH or --data DIR")]) from None
    return h.hexdigest()


def fingerprint(sources: DataSources) -> Fingerprint:
    """sha256 over the data files, the ontology and shape files (contents, roles and names), and the versions.

    Moving the data directory keeps the fingerprint; editing any byte of an input changes it.
    """
    files = [("bib", Path(sources.bib)), ("claims", Path(sources.claims))]
    if Path(sources.import_log).exists():  # the import runs are part of the graph (PROV activities)
        files.append(("log", Path(sources.import_log)))
    files += [("ontology", p) for p in paths.ontology_files()]
    files += [("shapes", p) for p in paths.shape_files()]
    digests = [(role, path, _sha256(path)) for role, path in files]
    versions = package_versions()
    h = hashlib.sha256(f"kg-store-format-{MANIFEST_FORMAT}\n".encode())
    for role, path, digest in digests:
        h.update(f"{role}\0{path.name}\0{digest}\n".encode())
    for name, value in sorted(versions.items()):
        h.update(f"{name}\0{value}\n".encode())
    inputs = {f"{role}:{path.name}": digest for role, path, digest in digests}
    return Fingerprint(h.hexdigest(), inputs, versions)


def read_manifest(store_path: Path) -> dict[str, Any] | None:
    """The manifest of the store at `store_path`, or None when there is none (or it is unreadable)."""
    try:
        data = json.loads((Path(store_path) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_current(store_path: Path, sources: DataSources, fp: Fingerprint | None = None) -> bool:
    """True when the store at `store_path` was built from exactly these inputs and versions."""
    manifest = read_manifest(store_path)
    fp = fp or fingerprint(sources)
    return bool(manifest and manifest.get("format") == MANIFEST_FORMAT and manifest.get("fingerprint") == fp.digest)


@contextlib.contextmanager
def _build_lock(store_path: Path) -> Iterator[None]:
    lock_path = store_path.parent / f".{store_path.name}.lock"
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_or_build(store_path: Path, sources: DataSources, *, strict: bool = True,
                  rebuild: bool = False, progress: Callable[[str], None] | None = None) -> KnowledgeGraph:
    """The graph for `sources`, from the persistent store at `store_path` (built there first if needed).

    Reused store: a KnowledgeGraph with `build=None`; the stored build's warnings and timings are in the
    manifest (`read_manifest`). Fresh build: `.build` is the BuildResult (its `store` is the read-only store).
    With strict=True integrity errors raise InputError and nothing is swapped in.
    """
    store_path = Path(store_path).expanduser().absolute()
    store_path.parent.mkdir(parents=True, exist_ok=True)
    fp = fingerprint(sources)
    if not rebuild and is_current(store_path, sources, fp):
        store = _open_read_only(store_path)
        if store is not None:
            return KnowledgeGraph(EmbeddedBackend(store))
    with _build_lock(store_path):
        # Another process may have built it while we waited for the lock.
        if not rebuild and is_current(store_path, sources, fp):
            store = _open_read_only(store_path)
            if store is not None:
                return KnowledgeGraph(EmbeddedBackend(store))
        if not rebuild:
            updated = _update_and_swap(store_path, sources, fp)
            if updated is not None:
                return KnowledgeGraph(EmbeddedBackend(updated))
        result = _build_and_swap(store_path, sources, fp, strict, progress)
    return KnowledgeGraph(EmbeddedBackend(result.store), result)


def _open_read_only(store_path: Path) -> ox.Store | None:
    try:
        return ox.Store.read_only(str(store_path))
    except OSError:  # damaged or foreign directory: rebuild it
        return None


def _check_target(store_path: Path) -> None:
    """Refuse to replace a path that is not a store of ours (a file, or a directory without our manifest)."""
    if store_path.is_symlink() or not store_path.exists():
        return
    if store_path.is_dir() and (not any(store_path.iterdir()) or (store_path / MANIFEST).exists()):
        return
    raise InputError([Problem(str(store_path), "exists and is not a graph store (no kg-manifest.json in it)",
                              fix="pass a new path for the store (--store PATH or KG_STORE)")])


def _build_and_swap(store_path: Path, sources: DataSources, fp: Fingerprint, strict: bool,
                    progress: Callable[[str], None] | None = None) -> BuildResult:
    """Build into a fresh generation, swap it in, and return the build over the new store opened read-only."""
    _check_target(store_path)
    generations = store_path.parent / f".{store_path.name}.stores"
    generations.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + f"-{fp.digest[:12]}"
    fresh = Path(tempfile.mkdtemp(prefix=f"{stamp}.", dir=generations))
    store: ox.Store | None = None
    result: BuildResult | None = None  # both references must be dropped to close the read-write store
    try:
        started = time.perf_counter()
        store = ox.Store(str(fresh))
        result = assemble(sources, store=store, progress=progress, bulk=True)  # a fresh directory: bulk is safe
        if strict and result.errors:
            raise InputError(result.errors)
        t0 = time.perf_counter()
        store.flush()
        result.timings["flush"] = time.perf_counter() - t0
        triples = len(store)
        manifest = {
            "format": MANIFEST_FORMAT,
            "fingerprint": fp.digest,
            "inputs": fp.inputs,
            "versions": fp.versions,
            "sources": {"bib": str(Path(sources.bib).absolute()), "claims": str(Path(sources.claims).absolute())},
            "built": datetime.now(UTC).isoformat(timespec="seconds"),
            "triples": triples,
            "build_seconds": round(time.perf_counter() - started, 3),
            "timings": {k: round(v, 4) for k, v in result.timings.items()},
            "warnings": [str(p) for p in result.problems if p.severity != "error"],
            "errors": [str(p) for p in result.errors],
        }
        records, problems, timings = result.records_source, result.problems, result.timings
        store = result = None  # close the read-write handle before the swap
        _keep_bib_copy(fresh, sources, fp)
        _write_json(fresh / MANIFEST, manifest)
        _fsync_dir(fresh)
        _swap(store_path, fresh, generations)
    except BaseException:
        # Close RocksDB first: while the store is open its background threads may still write files into
        # the directory, and rmtree (ignoring errors) would leave a half-removed generation behind.
        result = store = None  # noqa: F841 - dropping the last reference is what closes RocksDB
        gc.collect()
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    _prune(generations, keep={fresh.name, *_current_target_names(store_path)})
    return BuildResult(ox.Store.read_only(str(store_path)), records, problems, timings)


def _keep_bib_copy(fresh: Path, sources: DataSources, fp: Fingerprint) -> None:
    """The references.bib the store was built from, for the next incremental update (only if it is still the
    file the fingerprint read: a file changed during the build is not the one built)."""
    data = Path(sources.bib).read_bytes()
    if hashlib.sha256(data).hexdigest() == fp.inputs.get(f"bib:{Path(sources.bib).name}"):
        (fresh / BIB_COPY).write_bytes(data)


def _update_and_swap(store_path: Path, sources: DataSources, fp: Fingerprint) -> ox.Store | None:
    """The store updated in place of a rebuild when only references.bib and its import log changed
    (kg.store.incremental), swapped in like a build; None when a full build is needed."""
    manifest = read_manifest(store_path)
    if not manifest or manifest.get("format") != MANIFEST_FORMAT or manifest.get("versions") != fp.versions:
        return None
    old_inputs = manifest.get("inputs") or {}
    if any(old_inputs.get(name) != digest for name, digest in fp.inputs.items() if not name.startswith(("bib:", "log:"))):
        return None
    if set(old_inputs) - set(fp.inputs) - {n for n in old_inputs if n.startswith("log:")}:
        return None
    try:
        old_text = (store_path / BIB_COPY).read_text(encoding="utf-8")
        data = Path(sources.bib).read_bytes()
    except (OSError, UnicodeDecodeError):
        return None
    if hashlib.sha256(data).hexdigest() != fp.inputs.get(f"bib:{Path(sources.bib).name}"):
        return None  # changed again since the fingerprint: build what is there
    try:
        new_text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    delta = bib_delta(old_text, new_text)
    current = _open_read_only(store_path)
    if delta is None or current is None:
        return None
    started = time.perf_counter()
    generations = store_path.parent / f".{store_path.name}.stores"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + f"-{fp.digest[:12]}"
    fresh = Path(tempfile.mkdtemp(prefix=f"{stamp}.", dir=generations))
    fresh.rmdir()  # the backup creates the directory itself (builds are serialised by the lock we hold)
    store: ox.Store | None = None
    try:
        current.backup(str(fresh))  # a RocksDB checkpoint: hard links, not a copy
        current = None
        store = ox.Store(str(fresh))
        problems = apply_delta(store, sources, old_text, delta)
        if problems is None:
            raise _Rebuild
        store.flush()
        triples = len(store)
        store = None
        manifest.update({
            "fingerprint": fp.digest, "inputs": fp.inputs, "built": datetime.now(UTC).isoformat(timespec="seconds"),
            "triples": triples, "update_seconds": round(time.perf_counter() - started, 3),
            "updated": {"added": len(delta.added), "changed": len(delta.changed)},
            # The warnings of the entries left as they were, and those of the changed ones.
            "warnings": [w for w in manifest.get("warnings", [])
                         if not any(f"[{k}]" in w for k in (*delta.added, *delta.changed))]
                        + [str(p) for p in problems],
        })
        (fresh / BIB_COPY).write_bytes(data)
        _write_json(fresh / MANIFEST, manifest)
        _fsync_dir(fresh)
        _swap(store_path, fresh, generations)
    except BaseException as exc:
        store = current = None
        gc.collect()
        shutil.rmtree(fresh, ignore_errors=True)
        if isinstance(exc, _Rebuild):
            return None
        raise
    _prune(generations, keep={fresh.name, *_current_target_names(store_path)})
    return ox.Store.read_only(str(store_path))


class _Rebuild(Exception):
    """The incremental update found a change it cannot make exactly: build instead."""


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap(store_path: Path, fresh: Path, generations: Path) -> None:
    """Point `store_path` at `fresh` with one atomic rename of a symlink."""
    previous: str | None = None
    if store_path.is_symlink():
        previous = os.readlink(store_path)
    elif store_path.is_dir():
        # A plain directory: an older store of ours is moved into the generations (once); an empty one is
        # replaced; anything else is not ours to move (checked before building, in _check_target).
        if any(store_path.iterdir()):
            legacy = generations / f"legacy-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}"
            os.rename(store_path, legacy)
        else:
            store_path.rmdir()
    link_tmp = store_path.with_name(f".{store_path.name}.link-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        link_tmp.unlink()
    os.symlink(os.path.relpath(fresh, store_path.parent), link_tmp)
    os.replace(link_tmp, store_path)
    _fsync_dir(store_path.parent)
    if previous is not None:
        (generations / ".previous").write_text(Path(previous).name + "\n", encoding="utf-8")


def _current_target_names(store_path: Path) -> set[str]:
    names = set()
    if store_path.is_symlink():
        names.add(Path(os.readlink(store_path)).name)
    marker = store_path.parent / f".{store_path.name}.stores" / ".previous"
    with contextlib.suppress(OSError):
        names.add(marker.read_text(encoding="utf-8").strip())
    return names


def _prune(generations: Path, keep: set[str]) -> None:
    """Remove store generations other than the current and the previous one."""
    for child in generations.iterdir():
        if child.name.startswith(".") or child.name in keep:
            continue
        shutil.rmtree(child, ignore_errors=True)
