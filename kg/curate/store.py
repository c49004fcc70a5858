"""Apply an accepted curation change to a built store, instead of rebuilding it.

The change's records are read from the claims text before and after it (kg.curate.layout), each turned into the
triples a build would make of it (the same Turtle parse, blank-node naming, ref:KEY rewrite and derivations as
kg.ingest.build), and the difference is deleted from and inserted into the store. A derived stance
(`study mp:supports claim`) is removed only when no other evidence line still implies it. On a persistent
store (kg.store.persistent) the manifest is then moved to the new input fingerprint, so the next `load` reopens
the updated store instead of rebuilding; a store that was not current before the change is rebuilt as usual.
"""
from __future__ import annotations

import functools
import hashlib
import json
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.curate.layout import Layout
from kg.ingest.appraise import affected_claims, reappraise
from kg.ingest.build import DataSources
from kg.ingest.claims_ttl import ClaimsFile, load_claims, name_blank_nodes, rewrite_refs
from kg.ingest.files import file_lock, write_atomic
from kg.model import paths
from kg.model.namespace import PREFIXES
from kg.query.named import internal_query
from kg.store.persistent import MANIFEST, MANIFEST_FORMAT, Fingerprint, fingerprint, read_manifest

HS = PREFIXES["hs"]
BIB_KEY = ox.NamedNode(HS + "bibKey")
STANCE_TRIPLES = {PREFIXES["mp"] + "supports": HS + "Supporting", PREFIXES["mp"] + "challenges": HS + "Contradicting",
                  HS + "qualifies": HS + "Qualifying"}
DG = ox.DefaultGraph()


@dataclass(frozen=True)
class StoreDelta:
    """The triples a change removes from and adds to a built graph."""

    removed: frozenset[ox.Triple]
    added: frozenset[ox.Triple]


def record_triples(text: bytes | str, iris: list[str], store: ox.Store) -> set[ox.Triple]:
    """The triples a build of the claims file `text` (its bytes, or its text) makes of the records `iris` (their
    blocks only), with ref:KEY resolved through the bibliographic records in `store`."""
    layout = Layout(text)
    blocks = [layout.block_text(b) for iri in iris if (b := layout.block_of(iri)) is not None]
    if not blocks:
        return set()
    with tempfile.TemporaryDirectory(prefix="kg-curate-") as tmp:
        path = Path(tmp) / "claims.ttl"
        path.write_text(layout.prefix_block() + "\n" + "\n".join(blocks), encoding="utf-8")
        claims = ClaimsFile(path)
        part = ox.Store()
        load_claims(part, claims)
        name_blank_nodes(part, claims)
        keys = {}
        for key in claims.ref_keys():
            paper = next(store.quads_for_pattern(None, BIB_KEY, ox.Literal(key)), None)
            if paper is not None and isinstance(paper.subject, ox.NamedNode):
                keys[key] = paper.subject.value
        rewrite_refs(part, claims, keys)
        # The derivations read the ontology's rdfs:subPropertyOf (a project property's public super-property).
        schema = _ontology_triples()
        part.extend([ox.Quad(t.subject, t.predicate, t.object, DG) for t in schema])
        part.update(internal_query("build_derivations").text, prefixes=PREFIXES)
    return {q.triple for q in part} - schema


@functools.cache
def _ontology_triples() -> frozenset[ox.Triple]:
    """The ontology's rdfs:subPropertyOf triples (kg/model/ontology), read once per process: all that
    build_derivations reads of the schema."""
    store = ox.Store()
    for path in paths.ontology_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    sub_property = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subPropertyOf")
    return frozenset(q.triple for q in store.quads_for_pattern(None, sub_property, None))


def delta(before: bytes | str, after: bytes | str, iris: list[str], store: ox.Store) -> StoreDelta:
    old, new = record_triples(before, iris, store), record_triples(after, iris, store)
    return StoreDelta(frozenset(old - new), frozenset(new - old))


def apply_delta(store: ox.Store, change: StoreDelta, iris: list[str]) -> tuple[int, int]:
    """Delete and insert the change's triples in one transaction-sized step; keep derived stances still implied;
    then rate every claim again, as the build's last stage does. Returns the certainty triples (removed, added)."""
    own = {ox.NamedNode(i) for i in iris}
    removed = [t for t in change.removed if not _still_derived(store, t, own)]
    for t in removed:
        store.remove(ox.Quad(t.subject, t.predicate, t.object, DG))
    store.extend([ox.Quad(t.subject, t.predicate, t.object, DG) for t in change.added])
    _rederive(store, change)
    # Only the claims the change can move are rated again: on a 100k-paper store all of them take seconds.
    touched = {term.value for t in change.removed | change.added for term in (t.subject, t.object)
               if isinstance(term, ox.NamedNode)}
    return reappraise(store, affected_claims(store, touched))


def _rederive(store: ox.Store, change: StoreDelta) -> None:
    """Derive again around the change what the build derives across records: a triple that needs the changed record
    and another one (a new result is about its line's PICO frame), or one the delta removed that another record
    still implies (a paper's link to a frame two lines share). The derivations run on the change's neighbourhood
    (the records it touches and those pointing at them, concepts left out), not on the whole store, and what they
    add there is added to the store (the build's inserts are idempotent)."""
    skip = (PREFIXES["c"], PREFIXES["hs"], PREFIXES["obo"], "http://www.w3.org/")
    seeds = {term for t in change.removed | change.added for term in (t.subject, t.object)
             if isinstance(term, ox.NamedNode) and not term.value.startswith(skip)}
    nodes = set(seeds)
    for node in seeds:
        nodes.update(q.subject for q in store.quads_for_pattern(None, None, node, DG) if isinstance(q.subject, ox.NamedNode))
    part = ox.Store()
    for node in nodes:
        part.extend(list(store.quads_for_pattern(node, None, None, DG)))
    part.extend([ox.Quad(t.subject, t.predicate, t.object, DG) for t in _ontology_triples()])
    before = {q.triple for q in part}
    part.update(internal_query("build_derivations").text, prefixes=PREFIXES)
    store.extend([q for q in part if q.triple not in before])


def _still_derived(store: ox.Store, t: ox.Triple, own: set[ox.NamedNode]) -> bool:
    stance = STANCE_TRIPLES.get(t.predicate.value)
    if stance is None:
        return False
    from_ = ox.NamedNode(HS + "evidenceFrom")
    for q in store.quads_for_pattern(None, from_, t.subject, DG):
        line = q.subject
        if line in own:
            continue
        if any(True for _ in store.quads_for_pattern(line, ox.NamedNode(HS + "evidenceFor"), t.object, DG)) and \
                any(True for _ in store.quads_for_pattern(line, ox.NamedNode(HS + "stance"), ox.NamedNode(stance), DG)):
            return True
    return False


@dataclass(frozen=True)
class StoreUpdate:
    """What happened to a persistent store after a change: updated in place, or rebuilt (and why)."""

    updated: bool
    seconds: float
    removed: int = 0
    added: int = 0
    reason: str = ""


def update_persistent(store_path: Path, sources: DataSources, before: bytes | str, after: bytes | str,
                      iris: list[str]) -> StoreUpdate:
    """Apply the change (claims file `before` -> `after`, its bytes or its text; records `iris`) to the persistent
    store at `store_path`.

    Only a store built from exactly the `before` inputs is updated (under the store's build lock); its manifest
    then records the new fingerprint. Otherwise nothing is touched and `updated` is False: the next
    `load(store_path=...)` rebuilds it, as for any other change of the inputs."""
    started = time.perf_counter()
    store_path = Path(store_path).expanduser().absolute()
    with file_lock(store_path):  # the lock kg.store.persistent builds under
        manifest = read_manifest(store_path) or {}
        fp = fingerprint(sources)  # the files as they are now, after the change
        if not _built_from(manifest, fp, Path(sources.claims).name, before):
            return StoreUpdate(False, time.perf_counter() - started, reason="the store was not built from the "
                               "data as it was before the change; it is rebuilt on its next load")
        store = ox.Store(str(store_path.resolve()))
        try:
            change = delta(before, after, iris, store)
            dropped, rated = apply_delta(store, change, iris)
            store.flush()
        finally:
            del store
        manifest.update(fingerprint=fp.digest, inputs=fp.inputs, versions=fp.versions,
                        updated=datetime.now(UTC).isoformat(timespec="seconds"),
                        curation_updates=int(manifest.get("curation_updates", 0)) + 1)
        if isinstance(manifest.get("triples"), int):  # counting a 7M-triple store would cost seconds
            manifest["triples"] += len(change.added) - len(change.removed) + rated - dropped
        write_atomic(store_path.resolve() / MANIFEST, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    return StoreUpdate(True, time.perf_counter() - started, len(change.removed), len(change.added))


def _built_from(manifest: dict[str, Any], now: Fingerprint, claims_name: str, before: bytes | str) -> bool:
    """True when the manifest's inputs are the current ones except the claims file, which was `before`."""
    if manifest.get("format") != MANIFEST_FORMAT or manifest.get("versions") != now.versions:
        return False
    inputs = manifest.get("inputs")
    key = f"claims:{claims_name}"
    if not isinstance(inputs, dict) or set(inputs) != set(now.inputs):
        return False
    if any(inputs[k] != v for k, v in now.inputs.items() if k != key):
        return False
    raw = before.encode("utf-8") if isinstance(before, str) else before
    return bool(inputs.get(key) == hashlib.sha256(raw).hexdigest())

